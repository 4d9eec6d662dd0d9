//! Renders compiler diagnostics for the terminal with ariadne; the only ariadne user.
