//! Semantic tokens: what each name is (function, parameter, field, ...) by resolution, and
//! the phase keywords set apart from the other keywords so that they stand out.
//!
//! Tokens come out in source order, one per lexer token or comment; a token may span
//! several lines (strings, block comments), which the language server splits.

use super::builtins;
use super::resolve::DefKind;
use super::Analysis;
use crate::syntax::ast::BindingKind;
use crate::syntax::span::Span;
use crate::syntax::token::TokenKind;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SemanticKind {
    Keyword,
    /// `flux`, `fix`, `freeze`, `thaw`, `forge`, `anneal`, `crystallize`, `borrow`,
    /// `sublimate`, `clone`, and the pattern words `fluid`/`crystal`/`sublimated`.
    PhaseKeyword,
    Function,
    Method,
    Variable,
    Parameter,
    Property,
    Struct,
    Enum,
    EnumMember,
    Trait,
    Namespace,
    String,
    Number,
    Comment,
    Operator,
}

/// Modifier bits.
pub const MOD_DECLARATION: u32 = 1;
/// A `fix` binding.
pub const MOD_READONLY: u32 = 2;
/// A builtin function.
pub const MOD_BUILTIN: u32 = 4;
/// A `flux` binding.
pub const MOD_FLUID: u32 = 8;
/// A `///` doc comment.
pub const MOD_DOCUMENTATION: u32 = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SemanticToken {
    pub span: Span,
    pub kind: SemanticKind,
    pub modifiers: u32,
}

fn def_kind(kind: DefKind) -> SemanticKind {
    match kind {
        DefKind::Local | DefKind::Global => SemanticKind::Variable,
        DefKind::Param => SemanticKind::Parameter,
        DefKind::Function => SemanticKind::Function,
        DefKind::Method => SemanticKind::Method,
        DefKind::Struct => SemanticKind::Struct,
        DefKind::Field => SemanticKind::Property,
        DefKind::Enum => SemanticKind::Enum,
        DefKind::Variant => SemanticKind::EnumMember,
        DefKind::Trait => SemanticKind::Trait,
        DefKind::Module => SemanticKind::Namespace,
    }
}

impl Analysis {
    pub fn semantic_tokens(&self) -> Vec<SemanticToken> {
        let mut by_start: HashMap<u32, (usize, bool)> = HashMap::new();
        for r in &self.index.refs {
            by_start.entry(r.span.start).or_insert((r.def, false));
        }
        for (i, d) in self.index.defs.iter().enumerate() {
            if d.file.is_none() {
                by_start.insert(d.name_span.start, (i, true));
            }
        }
        let mut out: Vec<SemanticToken> = self
            .comments()
            .into_iter()
            .map(|(span, _)| SemanticToken { span, kind: SemanticKind::Comment, modifiers: 0 })
            .collect();
        for &(kind, span) in &self.tokens {
            if let Some(t) = self.classify(kind, span, &by_start) {
                out.push(t);
            }
        }
        out.sort_by_key(|t| t.span.start);
        out
    }

    fn classify(
        &self,
        kind: TokenKind,
        span: Span,
        by_start: &HashMap<u32, (usize, bool)>,
    ) -> Option<SemanticToken> {
        use TokenKind as K;
        let text = self.text(span);
        let (kind, modifiers) = match kind {
            K::Ident => match by_start.get(&span.start) {
                Some(&(d, decl)) => {
                    let def = self.def(d);
                    let mut m = if decl { MOD_DECLARATION } else { 0 };
                    match def.phase {
                        Some(BindingKind::Fix) => m |= MOD_READONLY,
                        Some(BindingKind::Flux) => m |= MOD_FLUID,
                        _ => {}
                    }
                    (def_kind(def.kind), m)
                }
                None if matches!(text, "fluid" | "crystal" | "sublimated") => (SemanticKind::PhaseKeyword, 0),
                None if matches!(text, "select" | "where" | "except" | "ensure" | "default" | "timeout") => {
                    (SemanticKind::Keyword, 0)
                }
                None if builtins::builtin(text).is_some() => (SemanticKind::Function, MOD_BUILTIN),
                None => return None,
            },
            K::Int | K::Float => (SemanticKind::Number, 0),
            K::Str | K::InterpStart | K::InterpMid | K::InterpEnd => (SemanticKind::String, 0),
            K::DocComment => (SemanticKind::Comment, MOD_DOCUMENTATION),
            K::Mode => (SemanticKind::Keyword, 0),
            _ if (kind as u8) <= K::Nil as u8 => {
                if builtins::is_phase_keyword(text) {
                    (SemanticKind::PhaseKeyword, 0)
                } else {
                    (SemanticKind::Keyword, 0)
                }
            }
            K::LParen
            | K::RParen
            | K::LBrace
            | K::RBrace
            | K::LBracket
            | K::RBracket
            | K::Comma
            | K::Semicolon => return None,
            K::Dot | K::Colon | K::ColonColon | K::Error | K::Eof => return None,
            _ => (SemanticKind::Operator, 0),
        };
        Some(SemanticToken { span, kind, modifiers })
    }
}
