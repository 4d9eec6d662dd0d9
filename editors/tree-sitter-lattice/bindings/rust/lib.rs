//! The Lattice grammar for [tree-sitter](https://tree-sitter.github.io/).
//!
//! ```ignore
//! let mut parser = tree_sitter::Parser::new();
//! parser.set_language(&tree_sitter_lattice::LANGUAGE.into()).unwrap();
//! let tree = parser.parse("let x = 1", None).unwrap();
//! assert!(!tree.root_node().has_error());
//! ```

use tree_sitter_language::LanguageFn;

extern "C" {
    fn tree_sitter_lattice() -> *const ();
}

/// The tree-sitter [`LanguageFn`] of the Lattice grammar.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_lattice) };

/// The content of `src/node-types.json`.
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");

/// Syntax highlighting query.
pub const HIGHLIGHTS_QUERY: &str = include_str!("../../queries/highlights.scm");

/// Folding query.
pub const FOLDS_QUERY: &str = include_str!("../../queries/folds.scm");

/// Indentation query (nvim-treesitter captures).
pub const INDENTS_QUERY: &str = include_str!("../../queries/indents.scm");
