//! The Lattice compiler: source text in, diagnostics and bytecode out.
//!
//! This crate does no IO and never panics on user input: every entry point returns what it
//! could build plus the diagnostics it found. It depends on `lattice-vm` only for the
//! bytecode types (opcodes, modules) it emits.

pub mod diagnostic;
pub mod syntax;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use syntax::span::{LineIndex, Span};
