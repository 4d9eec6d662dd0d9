//! The parser's error type: cheap to create and merge, turned into a `Diagnostic` at the
//! parser boundary.
//!
//! chumsky creates an error for every alternative that fails, most of which are thrown
//! away by backtracking, so this type allocates nothing in the common case: what was
//! expected is a bit set over token kinds and grammar labels, and what was found is a
//! `TokenKind`. Only errors with their own message (`Custom`) own a string.

use super::In;
use crate::diagnostic::Diagnostic;
use crate::syntax::span::Span;
use crate::syntax::token::{Token, TokenKind};
use chumsky::error::{Error, LabelError};
use chumsky::util::MaybeRef;
use chumsky::DefaultExpected;

/// Names of grammar rules, used in "expected ..." messages instead of token lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Label {
    Expression,
    Pattern,
    Type,
    Identifier,
    Statement,
    String,
    Block,
    Parameter,
}

impl Label {
    const ALL: [Label; 8] = [
        Label::Expression,
        Label::Statement,
        Label::Pattern,
        Label::Type,
        Label::Identifier,
        Label::Parameter,
        Label::String,
        Label::Block,
    ];

    fn describe(self) -> &'static str {
        match self {
            Label::Expression => "expression",
            Label::Pattern => "pattern",
            Label::Type => "type",
            Label::Identifier => "identifier",
            Label::Statement => "statement",
            Label::String => "string literal",
            Label::Block => "'{'",
            Label::Parameter => "parameter",
        }
    }
}

/// A parse error with its own message rather than an expected/found pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Custom {
    pub code: &'static str,
    pub message: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub span: Span,
    /// `None` at the end of the input.
    pub found: Option<TokenKind>,
    expected_tokens: u128,
    expected_labels: u16,
    pub custom: Option<Box<Custom>>,
}

impl ParseError {
    pub fn custom(
        span: Span,
        code: &'static str,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        ParseError {
            span,
            found: None,
            expected_tokens: 0,
            expected_labels: 0,
            custom: Some(Box::new(Custom { code, message: message.into(), label: label.into() })),
        }
    }

    /// The error for nesting beyond the parser's limits.
    pub fn too_deep(span: Span) -> Self {
        ParseError::custom(
            span,
            "E0110",
            "expression nested too deeply",
            "the nesting limit is reached here; split the expression into smaller parts",
        )
    }

    /// "expected identifier, found <token>".
    pub fn expected_name(span: Span, found: Token<'_>) -> Self {
        ParseError {
            span,
            found: Some(found.kind()),
            expected_tokens: 0,
            expected_labels: 1 << Label::Identifier as u8,
            custom: None,
        }
    }

    fn expect_token(&mut self, kind: TokenKind) {
        self.expected_tokens |= 1u128 << (kind as u8 as u32 % 128);
    }

    fn expected_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Label::ALL
            .iter()
            .filter(|l| self.expected_labels & (1 << (**l as u8)) != 0)
            .map(|l| l.describe().to_string())
            .collect();
        // Several expression-starting tokens at once mean an expression was expected; saying
        // so here spares the parser a `labelled` wrapper on its hottest rule.
        let starters = (0..128u32)
            .filter(|b| self.expected_tokens & (1u128 << b) != 0)
            .filter_map(kind_from_bit)
            .filter(|k| starts_expression(*k))
            .count();
        let has_expression = self.expected_labels & (1 << Label::Expression as u8) != 0 || starters >= 3;
        if has_expression {
            // A block is one kind of expression here.
            names.retain(|n| n != Label::Block.describe());
            if !names.iter().any(|n| n == Label::Expression.describe()) {
                names.insert(0, Label::Expression.describe().to_string());
            }
        }
        for bit in 0..128u32 {
            if self.expected_tokens & (1u128 << bit) == 0 {
                continue;
            }
            let Some(kind) = kind_from_bit(bit) else { continue };
            // Tokens that merely start an expression add nothing to "expected expression",
            // and `;` is an optional separator, never what is missing.
            if (has_expression && starts_expression(kind)) || kind == TokenKind::Semicolon {
                continue;
            }
            names.push(kind.quoted());
        }
        let mut seen = std::collections::HashSet::new();
        names.retain(|n| seen.insert(n.clone()));
        names
    }

    /// The diagnostic for this error: "expected X or Y, found Z", labelled on the token.
    pub fn to_diagnostic(&self) -> Diagnostic {
        if let Some(custom) = &self.custom {
            return Diagnostic::error(custom.code, custom.message.clone(), self.span)
                .with_label(custom.label.clone());
        }
        let found = self.found.map_or_else(|| "end of file".to_string(), |k| k.quoted());
        let names = self.expected_names();
        let message = match names.len() {
            0 => format!("unexpected {found}"),
            1..=6 => format!("expected {}, found {found}", join_or(&names)),
            _ => format!("unexpected {found}"),
        };
        let label = match self.found {
            None => "the file ends here".to_string(),
            Some(_) => format!("unexpected {found}"),
        };
        let diagnostic = Diagnostic::error("E0100", message, self.span).with_label(label);
        if names.len() > 6 {
            diagnostic.with_note(format!("expected one of {}", join_or(&names)))
        } else {
            diagnostic
        }
    }
}

fn join_or(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn kind_from_bit(bit: u32) -> Option<TokenKind> {
    // TokenKind is a fieldless `repr(u8)` enum numbered from zero, so the bit is an index.
    if bit == TokenKind::Eof as u8 as u32 {
        return Some(TokenKind::Eof);
    }
    ALL_KINDS.get(bit as usize).copied()
}

/// Whether a token can begin an expression (so listing it after "expression" is noise).
fn starts_expression(kind: TokenKind) -> bool {
    use TokenKind as K;
    matches!(
        kind,
        K::Ident
            | K::Int
            | K::Float
            | K::Str
            | K::InterpStart
            | K::True
            | K::False
            | K::Nil
            | K::LParen
            | K::LBracket
            | K::LBrace
            | K::Pipe
            | K::OrOr
            | K::Minus
            | K::Bang
            | K::Tilde
            | K::If
            | K::Match
            | K::Try
            | K::Fn
            | K::Freeze
            | K::Thaw
            | K::Clone
            | K::Sublimate
            | K::Forge
            | K::Anneal
            | K::Crystallize
            | K::Borrow
            | K::Scope
            | K::Spawn
    )
}

impl<'t, 's> Error<'t, In<'t, 's>> for ParseError {
    fn merge(mut self, other: Self) -> Self {
        if self.custom.is_some() {
            return self;
        }
        if other.custom.is_some() {
            return other;
        }
        self.expected_tokens |= other.expected_tokens;
        self.expected_labels |= other.expected_labels;
        self
    }
}

fn found_kind(found: Option<MaybeRef<'_, Token<'_>>>) -> Option<TokenKind> {
    found.map(|t| t.kind())
}

impl ParseError {
    fn add_expected<'t, 's: 't>(
        &mut self,
        expected: impl IntoIterator<Item = DefaultExpected<'t, Token<'s>>>,
    ) {
        for e in expected {
            match e {
                DefaultExpected::Token(t) => self.expect_token(t.kind()),
                DefaultExpected::EndOfInput => self.expect_token(TokenKind::Eof),
                _ => {}
            }
        }
    }
}

// Failed alternatives are the parser's hottest path, so merging happens in place.
impl<'t, 's> LabelError<'t, In<'t, 's>, DefaultExpected<'t, Token<'s>>> for ParseError {
    fn expected_found<E: IntoIterator<Item = DefaultExpected<'t, Token<'s>>>>(
        expected: E,
        found: Option<MaybeRef<'t, Token<'s>>>,
        span: Span,
    ) -> Self {
        let mut error = ParseError {
            span,
            found: found_kind(found),
            expected_tokens: 0,
            expected_labels: 0,
            custom: None,
        };
        error.add_expected(expected);
        error
    }

    fn merge_expected_found<E: IntoIterator<Item = DefaultExpected<'t, Token<'s>>>>(
        mut self,
        expected: E,
        _found: Option<MaybeRef<'t, Token<'s>>>,
        _span: Span,
    ) -> Self {
        if self.custom.is_none() {
            self.add_expected(expected);
        }
        self
    }

    fn replace_expected_found<E: IntoIterator<Item = DefaultExpected<'t, Token<'s>>>>(
        mut self,
        expected: E,
        found: Option<MaybeRef<'t, Token<'s>>>,
        span: Span,
    ) -> Self {
        self.span = span;
        self.found = found_kind(found);
        self.expected_tokens = 0;
        self.expected_labels = 0;
        self.custom = None;
        self.add_expected(expected);
        self
    }
}

impl<'t, 's> LabelError<'t, In<'t, 's>, Label> for ParseError {
    fn expected_found<E: IntoIterator<Item = Label>>(
        expected: E,
        found: Option<MaybeRef<'t, Token<'s>>>,
        span: Span,
    ) -> Self {
        let mut error = ParseError {
            span,
            found: found_kind(found),
            expected_tokens: 0,
            expected_labels: 0,
            custom: None,
        };
        for label in expected {
            error.expected_labels |= 1 << label as u8;
        }
        error
    }

    fn label_with(&mut self, label: Label) {
        if self.custom.is_none() {
            self.expected_tokens = 0;
            self.expected_labels = 1 << label as u8;
        }
    }
}

/// Every token kind, in declaration order (so index == discriminant).
const ALL_KINDS: [TokenKind; 100] = {
    use TokenKind as K;
    [
        K::Flux,
        K::Fix,
        K::Let,
        K::Freeze,
        K::Thaw,
        K::Forge,
        K::Anneal,
        K::Crystallize,
        K::Borrow,
        K::Sublimate,
        K::Clone,
        K::Fn,
        K::Struct,
        K::Enum,
        K::Trait,
        K::Impl,
        K::If,
        K::Else,
        K::For,
        K::In,
        K::While,
        K::Loop,
        K::Return,
        K::Break,
        K::Continue,
        K::Match,
        K::Try,
        K::Catch,
        K::Scope,
        K::Spawn,
        K::Defer,
        K::Import,
        K::From,
        K::As,
        K::Export,
        K::Test,
        K::True,
        K::False,
        K::Nil,
        K::Mode,
        K::Ident,
        K::Int,
        K::Float,
        K::Str,
        K::InterpStart,
        K::InterpMid,
        K::InterpEnd,
        K::DocComment,
        K::Plus,
        K::Minus,
        K::Star,
        K::Slash,
        K::Percent,
        K::Eq,
        K::EqEq,
        K::NotEq,
        K::Lt,
        K::Gt,
        K::LtEq,
        K::GtEq,
        K::AndAnd,
        K::OrOr,
        K::Bang,
        K::Tilde,
        K::Amp,
        K::Pipe,
        K::Caret,
        K::Shl,
        K::Shr,
        K::PlusEq,
        K::MinusEq,
        K::StarEq,
        K::SlashEq,
        K::PercentEq,
        K::AmpEq,
        K::PipeEq,
        K::CaretEq,
        K::ShlEq,
        K::ShrEq,
        K::Dot,
        K::DotDot,
        K::DotDotDot,
        K::Arrow,
        K::FatArrow,
        K::QuestionQuestion,
        K::QuestionDot,
        K::QuestionBracket,
        K::Question,
        K::At,
        K::ColonColon,
        K::Colon,
        K::Comma,
        K::Semicolon,
        K::LParen,
        K::RParen,
        K::LBrace,
        K::RBrace,
        K::LBracket,
        K::RBracket,
        K::Error,
    ]
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_table_matches_discriminants() {
        for (i, k) in ALL_KINDS.iter().enumerate() {
            assert_eq!(*k as u8 as usize, i, "{k:?}");
        }
        assert_eq!(TokenKind::Eof as u8 as usize, ALL_KINDS.len());
    }
}
