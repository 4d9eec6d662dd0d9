//! Source text to syntax tree: tokens (logos), the parser (chumsky) and the tree itself.

pub mod ast;
pub mod span;
