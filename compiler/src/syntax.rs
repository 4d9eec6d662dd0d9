//! Source text to syntax tree: tokens (logos), the parser (chumsky) and the tree itself.

pub mod ast;
pub mod depth;
pub mod lexer;
pub mod parser;
pub mod pretty;
pub mod span;
pub mod token;
