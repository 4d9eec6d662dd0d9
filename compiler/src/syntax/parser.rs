//! Tokens to syntax tree: the chumsky grammar of Lattice, and its entry point [`parse`].
//!
//! The grammar is split by what it builds: `expr.rs` (operators, literals, the block-like
//! expression forms), `stmt.rs` (statements and blocks), `item.rs` (declarations and the
//! program), `pattern.rs` (match patterns) and `types.rs` (type annotations). `error.rs`
//! holds the cheap error type that becomes a `Diagnostic` here, at the boundary.
//!
//! # Glossary
//!
//! Every function in these modules builds a parser; its verb says how it behaves:
//!
//! - `parse_x` builds a parser for the construct `x`, which fails (and backtracks) when
//!   the input does not start with one.
//! - `expect_x` builds a parser for something the grammar requires at this point; it is
//!   labelled, so its failure reads "expected x, found ...".
//! - `maybe_x` builds a parser that accepts `x` or nothing (`Option<x>`).
//!
//! # Limits
//!
//! Two limits keep every pass over the tree safe from stack overflow. The parser's own
//! recursion (through expressions, patterns and types) stops at [`MAX_NESTING`] levels,
//! and the tree it builds is never deeper than [`MAX_DEPTH`] nodes: operator chains such
//! as `a + a + ... + a` or `!!!...x` are folded iteratively, with the depth of each operand
//! tracked, and a fold that would exceed the limit produces a small placeholder and an
//! "expression nested too deeply" error instead. So no deep tree is ever built, and
//! dropping or walking any tree the parser returns recurses at most `MAX_DEPTH` levels.
//!
//! # Recovery
//!
//! A statement or item that fails to parse is reported and skipped up to the next
//! statement keyword or closing brace, so one run reports several errors and still returns
//! a tree (for the LSP).

mod error;
mod expr;
mod item;
mod pattern;
mod stmt;
mod types;

pub use error::{Label, ParseError};

use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{Ident, Program};
use crate::syntax::lexer::{lex, DocLine, Lexed};
use crate::syntax::span::Span;
use crate::syntax::token::Token;
use chumsky::input::{Checkpoint, Cursor, Input as _, MappedInput};
use chumsky::inspector::Inspector;
use chumsky::prelude::*;

/// How many expressions, patterns and types may nest inside one another.
pub const MAX_NESTING: u32 = 200;

/// The deepest tree the parser builds, counted in nodes (expressions, statements, blocks,
/// items, patterns and types each count one level).
pub const MAX_DEPTH: u32 = 400;

/// Lexes and parses a whole source file.
///
/// The tree is `None` only when nothing useful could be built; it may come with errors
/// (for the LSP), so callers that compile must check the diagnostics too.
pub fn parse(src: &str) -> (Option<Program>, Vec<Diagnostic>) {
    if src.len() > u32::MAX as usize / 2 {
        let span = Span::new(0, 0);
        return (None, vec![Diagnostic::error("E0099", "source file too large", span)]);
    }
    let lexed = lex(src);
    parse_lexed(src, &lexed)
}

/// Stack the parser may use: its recursion is bounded by [`MAX_NESTING`], but one level
/// takes tens of kilobytes in a debug build, more than a test thread's 2 MiB allow.
const PARSER_STACK: usize = 64 * 1024 * 1024;

/// Parses tokens that [`lex`] produced; the lexer's diagnostics come first in the result.
pub fn parse_lexed(src: &str, lexed: &Lexed<'_>) -> (Option<Program>, Vec<Diagnostic>) {
    let ctx = Ctx {
        src,
        strings: &lexed.strings,
        docs: &lexed.docs,
        token_starts: lexed.tokens.iter().map(|(_, s)| s.start).collect(),
    };
    let eoi = Span::new(src.len() as u32, src.len() as u32);
    let input = lexed.tokens.as_slice().split_token_span(eoi);
    let mut state = ParseState::default();
    let parser = item::parse_program(&ctx);
    // The segment is reserved, not committed: only the pages the parse touches cost memory.
    let (program, errors) = stacker::maybe_grow(PARSER_STACK / 2, PARSER_STACK, || {
        parser.parse_with_state(input, &mut state).into_output_errors()
    });
    let mut diagnostics = lexed.diagnostics.clone();
    let mut seen = std::collections::HashSet::new();
    if let Some(span) = state.too_deep {
        let diagnostic = ParseError::too_deep(span).to_diagnostic();
        seen.insert((diagnostic.primary.span, diagnostic.message.clone()));
        diagnostics.push(diagnostic);
    }
    for error in errors {
        let diagnostic = error.to_diagnostic();
        if seen.insert((diagnostic.primary.span, diagnostic.message.clone())) {
            diagnostics.push(diagnostic);
        }
    }
    (program, diagnostics)
}

impl chumsky::span::Span for Span {
    type Context = ();
    type Offset = u32;

    fn new(_: (), range: std::ops::Range<u32>) -> Span {
        Span { start: range.start, end: range.end }
    }

    fn context(&self) {}

    fn start(&self) -> u32 {
        self.start
    }

    fn end(&self) -> u32 {
        self.end
    }
}

/// The input the grammar reads: the lexer's tokens, each with its span.
pub(crate) type In<'t, 's> = MappedInput<'t, Token<'s>, Span, &'t [(Token<'s>, Span)]>;
pub(crate) type Extra = extra::Full<ParseError, ParseState, ()>;
/// A boxed parser: every grammar rule is boxed at its boundary to keep compile times sane.
pub(crate) type P<'t, 's, O> = Boxed<'t, 't, In<'t, 's>, O, Extra>;

/// Mutable parser state: how deeply the parser is nested right now.
///
/// It is an `Inspector` so that backtracking restores the depth that held at the
/// checkpoint; a failed branch therefore never leaves the count off.
#[derive(Debug, Default)]
pub(crate) struct ParseState {
    depth: u32,
    /// Where the nesting limit was first hit. Backtracking does not reset it: the limit
    /// error must be reported even when recovery later reports the input differently.
    too_deep: Option<Span>,
    /// Depths of the blocks measured so far (see `depth::Walker`).
    pub(crate) depth_memo: std::collections::HashMap<Span, u32>,
}

impl<'t, 's> Inspector<'t, In<'t, 's>> for ParseState {
    type Checkpoint = u32;

    fn on_token(&mut self, _: &Token<'s>) {}

    fn on_save<'parse>(&self, _: &Cursor<'t, 'parse, In<'t, 's>>) -> u32 {
        self.depth
    }

    fn on_rewind<'parse>(&mut self, marker: &Checkpoint<'t, 'parse, In<'t, 's>, u32>) {
        self.depth = *marker.inspector();
    }
}

/// What the grammar needs besides the tokens: decoded strings and doc comments.
pub(crate) struct Ctx<'t> {
    src: &'t str,
    strings: &'t [String],
    docs: &'t [DocLine],
    /// The start offset of every token, to find the token an item starts at.
    token_starts: Vec<u32>,
}

impl Ctx<'_> {
    pub(crate) fn string(&self, index: u32) -> String {
        self.strings.get(index as usize).cloned().unwrap_or_default()
    }

    /// Whether a line break lies between two offsets (recovery resumes at new lines).
    pub(crate) fn newline_between(&self, from: u32, to: u32) -> bool {
        self.src.get(from as usize..to as usize).is_some_and(|gap| gap.contains('\n'))
    }

    /// The `///` lines directly before the token that starts at `offset`, joined.
    pub(crate) fn doc_before(&self, offset: u32) -> Option<String> {
        let index = self.token_starts.binary_search(&offset).ok()? as u32;
        let first = self.docs.partition_point(|d| d.next_token < index);
        let lines: Vec<&str> = self.docs[first..]
            .iter()
            .take_while(|d| d.next_token == index)
            .map(|d| d.text.as_str())
            .collect();
        if lines.is_empty() {
            None
        } else {
            Some(lines.join("\n"))
        }
    }
}

/// Wraps a recursive rule so that nesting beyond [`MAX_NESTING`] fails with a clear error.
pub(crate) fn guard<'t, 's: 't, O: 't>(inner: P<'t, 's, O>) -> P<'t, 's, O> {
    let enter = custom::<_, In<'t, 's>, (), Extra>(|inp| {
        let depth = inp.state().depth + 1;
        if depth > MAX_NESTING {
            let before = inp.cursor();
            inp.next_maybe();
            let span = inp.span_since(&before);
            inp.state().too_deep.get_or_insert(span);
            return Err(ParseError::too_deep(span));
        }
        inp.state().depth = depth;
        Ok(())
    });
    enter
        .ignore_then(inner)
        .map_with(|out, e| {
            e.state().depth -= 1;
            out
        })
        .boxed()
}

/// An identifier. Its failure names what was expected itself (a `labelled` wrapper would
/// cost time on this very hot path).
pub(crate) fn expect_ident<'t, 's: 't>() -> P<'t, 's, Ident> {
    any()
        .try_map(|token: Token<'s>, span| match token {
            Token::Ident(name) => Ok(Ident { name: name.to_string(), span }),
            other => Err(ParseError::expected_name(span, other)),
        })
        .boxed()
}

/// A name after `.` or `::`, or a field or key name: an identifier or any keyword, so
/// that `x.clone()` and `Set::from(...)` work.
pub(crate) fn expect_name<'t, 's: 't>() -> P<'t, 's, Ident> {
    any()
        .try_map(|token: Token<'s>, span| {
            let name = match token {
                Token::Ident(name) => name,
                other => other.keyword_text().ok_or_else(|| ParseError::expected_name(span, other))?,
            };
            Ok(Ident { name: name.to_string(), span })
        })
        .boxed()
}

/// A plain string literal (no interpolation), as its decoded value and span.
pub(crate) fn expect_string<'t, 's: 't>(ctx: &'t Ctx<'t>) -> P<'t, 's, (String, Span)> {
    select! { Token::Str(index) = e => (ctx.string(index), e.span()) }.labelled(Label::String).boxed()
}

/// Optional `;` separators.
pub(crate) fn semicolons<'t, 's: 't>() -> P<'t, 's, ()> {
    just(Token::Semicolon).repeated().ignored().boxed()
}

#[cfg(test)]
mod tests;
