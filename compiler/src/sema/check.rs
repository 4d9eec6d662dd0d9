//! Static checks.
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::Program;

pub fn check(_program: &Program) -> Vec<Diagnostic> {
    Vec::new()
}
