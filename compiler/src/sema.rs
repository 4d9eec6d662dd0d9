//! Passes over the syntax tree that need no execution.

pub mod check;
