//! Analysis for editors: everything the language server answers, as pure functions of a
//! file's text and a byte offset.
//!
//! [`Analysis::new`] parses, checks and resolves a file once (the parser recovers, so a
//! broken file still gets answers); each feature is then a method. Imported files are read
//! through a caller-supplied [`Vfs`] closure, so this module does no IO. Positions are
//! byte offsets into the text; the language server converts them to UTF-16 line/column
//! positions. No protocol types appear here.

mod actions;
pub mod builtins;
mod completion;
mod highlight;
mod hover;
mod inlay;
mod navigation;
pub mod resolve;
mod signature;
mod symbols;

pub use actions::CodeAction;
pub use builtins::{is_phase_keyword, Builtin, BUILTINS, KEYWORDS};
pub use completion::{CompletionItem, CompletionKind};
pub use highlight::{
    SemanticKind, SemanticToken, MOD_BUILTIN, MOD_DECLARATION, MOD_DOCUMENTATION, MOD_FLUID, MOD_READONLY,
};
pub use hover::Hover;
pub use inlay::{InlayHint, InlayKind};
pub use navigation::{Highlight, TextEdit};
pub use resolve::{Def, DefId, DefKind, Index, Vfs};
pub use signature::SignatureHelp;
pub use symbols::{match_score, Fold, FoldKind, Symbol, SymbolMatch};

use crate::diagnostic::Diagnostic;
use crate::syntax::ast::Program;
use crate::syntax::span::Span;
use crate::syntax::token::TokenKind;
use std::cell::RefCell;
use std::collections::HashMap;

/// A range in this file (`file: None`) or in an imported one (its import path as written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSpan {
    pub file: Option<String>,
    pub span: Span,
}

/// One analysed file.
#[derive(Debug)]
pub struct Analysis {
    pub src: String,
    pub program: Option<Program>,
    /// Parse errors, then (when the file parses) the static checks' findings.
    pub diagnostics: Vec<Diagnostic>,
    pub index: Index,
    /// Every token, comments excluded (doc comments included).
    pub tokens: Vec<(TokenKind, Span)>,
    /// The texts of the imported files that could be read, by import path.
    pub files: HashMap<String, String>,
}

impl Analysis {
    /// Analyses `src`, reading imports through `vfs`.
    pub fn new(src: &str, vfs: Vfs<'_>) -> Analysis {
        let (program, mut diagnostics) = crate::parse(src);
        if let Some(p) = &program {
            if !diagnostics.iter().any(Diagnostic::is_error) {
                diagnostics.extend(crate::check(p));
            }
        }
        let files = RefCell::new(HashMap::new());
        let recording = |path: &str| {
            let text = vfs(path)?;
            files.borrow_mut().insert(path.to_string(), text.clone());
            Some(text)
        };
        let index = match &program {
            Some(p) => resolve::resolve(p, src, &recording),
            None => Index::default(),
        };
        let tokens = crate::tokenize(src);
        Analysis { src: src.to_string(), program, diagnostics, index, tokens, files: files.into_inner() }
    }

    /// Analyses a file that imports nothing readable.
    pub fn standalone(src: &str) -> Analysis {
        Analysis::new(src, &|_| None)
    }

    pub fn def(&self, id: DefId) -> &Def {
        &self.index.defs[id]
    }

    /// The text of the file a definition lives in.
    pub fn file_text(&self, file: Option<&str>) -> Option<&str> {
        match file {
            None => Some(&self.src),
            Some(f) => self.files.get(f).map(String::as_str),
        }
    }

    /// The index of the token that covers or ends at `offset`, preferring an identifier.
    fn token_at(&self, offset: u32) -> Option<usize> {
        let i = self.tokens.partition_point(|(_, s)| s.end < offset);
        let here = (i < self.tokens.len() && self.tokens[i].1.start <= offset).then_some(i);
        match here {
            Some(i) if self.tokens[i].0 != TokenKind::Ident && i + 1 < self.tokens.len() => {
                let next = i + 1;
                (self.tokens[next].0 == TokenKind::Ident && self.tokens[next].1.start == offset)
                    .then_some(next)
                    .or(Some(i))
            }
            other => other,
        }
    }

    fn text(&self, span: Span) -> &str {
        self.src.get(span.range()).unwrap_or("")
    }
}
