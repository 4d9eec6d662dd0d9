//! The Lattice compiler: source text in, diagnostics and bytecode out.
//!
//! This crate does no IO and never panics on user input: every entry point returns what it
//! could build plus the diagnostics it found. It depends on `lattice-vm` only for the
//! bytecode types (opcodes, modules) it emits.

pub mod codegen;
pub mod diagnostic;
pub mod fmt;
pub mod ide;
pub mod sema;
pub mod syntax;

pub use diagnostic::{Diagnostic, Label, Severity};
pub use syntax::span::{LineIndex, Span};
pub use syntax::token::TokenKind;

/// Lexes and parses `src`. The tree may come with errors (the LSP uses it anyway); a
/// caller that compiles must stop when any diagnostic is an error.
pub fn parse(src: &str) -> (Option<syntax::ast::Program>, Vec<Diagnostic>) {
    syntax::parser::parse(src)
}

/// The static checks that need no execution: strict mode, annotations, misplaced
/// `break`/`continue`/`return`.
pub fn check(program: &syntax::ast::Program) -> Vec<Diagnostic> {
    sema::check::check(program)
}

/// Every token of `src` with its exact span (comments, doc comments and error tokens too).
pub fn tokenize(src: &str) -> Vec<(TokenKind, Span)> {
    syntax::lexer::tokenize(src)
}

/// A stable, readable dump of a syntax tree, for snapshots and `lat check --ast`.
pub fn pretty_print(program: &syntax::ast::Program) -> String {
    syntax::pretty::program(program)
}

pub use codegen::{compile, CompileOptions};

/// Parses, checks and compiles source text in one step. Returns the top-level function
/// when there were no errors, and every diagnostic found (warnings included).
pub fn compile_source(src: &str, opts: &CompileOptions) -> (Option<lattice_vm::Function>, Vec<Diagnostic>) {
    let (program, mut diags) = parse(src);
    let Some(program) = program else { return (None, diags) };
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    diags.extend(check(&program));
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    let (func, more) = compile(&program, src, opts);
    diags.extend(more);
    (func, diags)
}
