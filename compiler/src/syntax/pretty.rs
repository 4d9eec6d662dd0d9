//! AST pretty printer.
use crate::syntax::ast::Program;

pub fn program(p: &Program) -> String {
    format!("{p:#?}")
}
