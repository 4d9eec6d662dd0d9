//! The canonical layout of Lattice source: `lat fmt` and the LSP's formatting request.
//!
//! The formatter re-spaces the token stream rather than printing the tree: tokens keep
//! their text and order, comments (which the lexer skips) are found between token spans
//! and kept where they were, and line breaks stay where the author put them, with runs of
//! blank lines cut to one. What it normalises: indentation (four spaces per open bracket
//! on an earlier line, one more for a continued expression), spacing around every token,
//! attached braces (`if x {`, `} else {`), no blank lines just inside brackets, no trailing
//! whitespace, one final newline. The tree says what the tokens alone cannot (unary or
//! binary `-`, closure `|`, type `<`/`>`); see `fmt/roles.rs`.
//!
//! Since Lattice gives newlines no meaning, a layout change can alter a program only by
//! gluing two tokens into one; the printer checks for that, and [`format`] also re-parses
//! its output and refuses to return text whose tree differs from the input's.
//! Long lines are not wrapped. Files with syntax errors are not formatted.

mod roles;
pub(crate) mod trivia;

use crate::diagnostic::Diagnostic;
use crate::syntax::ast::Program;
use crate::syntax::span::Span;
use crate::syntax::token::TokenKind;
use roles::Roles;
use trivia::Trivia;

/// Spaces per indentation level.
pub const INDENT: usize = 4;

/// Formats a whole file. Returns the parser's diagnostics when the file has syntax errors
/// (the caller leaves such a file untouched).
pub fn format(src: &str) -> Result<String, Vec<Diagnostic>> {
    let (program, diags) = crate::parse(src);
    let program = match program {
        Some(p) if !diags.iter().any(Diagnostic::is_error) => p,
        _ => return Err(diags),
    };
    let tokens = crate::tokenize(src);
    if let Some((_, span)) = tokens.iter().find(|(k, _)| *k == TokenKind::Error) {
        return Err(vec![Diagnostic::error("E0001", "unexpected character", *span)]);
    }
    let roles = roles::collect(&program, src, &tokens);
    let out = Printer::new(src, &roles).print(&units(&tokens));
    verify(&program, &out)?;
    Ok(out)
}

/// True when two trees are the same apart from their spans (and so from layout).
pub fn same_tree(a: &Program, b: &Program) -> bool {
    strip_spans(&format!("{a:?}")) == strip_spans(&format!("{b:?}"))
}

/// A tree's `Debug` text with every `Span { start: .., end: .. }` removed.
pub fn strip_spans(debug: &str) -> String {
    const OPEN: &str = "Span { start: ";
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(i) = rest.find(OPEN) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find('}').map_or(rest.len(), |j| j + 1);
        out.push('_');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn verify(program: &Program, out: &str) -> Result<(), Vec<Diagnostic>> {
    let (again, diags) = crate::parse(out);
    match again {
        Some(again) if !diags.iter().any(Diagnostic::is_error) && same_tree(program, &again) => Ok(()),
        _ => Err(vec![Diagnostic::error(
            "E0900",
            "the formatter would change the meaning of this file; it was left as it is",
            Span::new(0, 0),
        )
        .with_note("this is a bug in `lat fmt`: please report it with the file")]),
    }
}

/// A token as the printer sees it; an interpolated string is one unit.
#[derive(Debug, Clone, Copy)]
struct Unit {
    kind: TokenKind,
    span: Span,
}

/// Groups `InterpStart ... InterpEnd` (with everything inside) into one `Str` unit, which
/// the printer copies verbatim.
fn units(tokens: &[(TokenKind, Span)]) -> Vec<Unit> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut depth = 0usize;
    let mut start = 0;
    for &(kind, span) in tokens {
        match kind {
            TokenKind::InterpStart => {
                if depth == 0 {
                    start = span.start;
                }
                depth += 1;
            }
            TokenKind::InterpEnd if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push(Unit { kind: TokenKind::Str, span: Span::new(start, span.end) });
                }
            }
            _ if depth > 0 => {}
            _ => out.push(Unit { kind, span }),
        }
    }
    out
}

fn is_opener(kind: TokenKind) -> bool {
    matches!(kind, TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace | TokenKind::QuestionBracket)
}

fn is_closer(kind: TokenKind) -> bool {
    matches!(kind, TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace)
}

/// What was printed last, for blank-line and attachment decisions.
#[derive(Clone, Copy, PartialEq)]
enum Last {
    Nothing,
    Token,
    Comment,
}

struct Printer<'a> {
    src: &'a str,
    roles: &'a Roles,
    out: String,
    /// For each open bracket, the indentation of the line it was opened on.
    stack: Vec<usize>,
    /// Indentation of the line being printed.
    line_indent: usize,
    prev: Option<Unit>,
    last: Last,
    /// A `//` comment ends the line: the next thing must go on a new one.
    force_break: bool,
    /// Offsets in `out` of comments that follow code on their line, for alignment.
    trailing: Vec<usize>,
}

impl<'a> Printer<'a> {
    fn new(src: &'a str, roles: &'a Roles) -> Printer<'a> {
        Printer {
            src,
            roles,
            out: String::with_capacity(src.len() + src.len() / 8),
            stack: Vec::new(),
            line_indent: 0,
            prev: None,
            last: Last::Nothing,
            force_break: false,
            trailing: Vec::new(),
        }
    }

    fn print(mut self, units: &[Unit]) -> String {
        let mut prev_end = 0usize;
        for &unit in units {
            let newlines = self.trivia(&self.src[prev_end..unit.span.start as usize]);
            self.token(unit, newlines);
            prev_end = unit.span.end as usize;
        }
        self.trivia(&self.src[prev_end..]);
        let trimmed = self.out.trim_end().len();
        self.out.truncate(trimmed);
        if !self.out.is_empty() {
            self.out.push('\n');
        }
        align_trailing(&self.out, &self.trailing)
    }

    /// Prints the comments of a gap; returns the line breaks after the last of them.
    fn trivia(&mut self, gap: &str) -> usize {
        let mut newlines = 0;
        for piece in trivia::split(gap) {
            let text = match piece {
                Trivia::Newline => {
                    newlines += 1;
                    continue;
                }
                Trivia::LineComment(text) | Trivia::BlockComment(text) => text,
            };
            if self.out.is_empty() {
                self.start_line(None);
            } else if newlines > 0 || self.force_break {
                self.line_break(newlines, None);
                self.start_line(None);
            } else {
                self.out.push(' ');
                if matches!(piece, Trivia::LineComment(_)) {
                    self.trailing.push(self.out.len());
                }
            }
            self.out.push_str(text);
            self.force_break = matches!(piece, Trivia::LineComment(_));
            self.last = Last::Comment;
            newlines = 0;
        }
        newlines
    }

    fn token(&mut self, unit: Unit, newlines: usize) {
        let attach = self.last == Last::Token
            && !self.force_break
            && match unit.kind {
                TokenKind::LBrace => self.roles.attach.contains(&unit.span.start),
                TokenKind::Else | TokenKind::Catch => self.prev.is_some_and(|p| p.kind == TokenKind::RBrace),
                _ => false,
            };
        if self.out.is_empty() {
            self.start_line(Some(unit));
        } else if (newlines > 0 || self.force_break) && !attach {
            self.line_break(newlines, Some(unit));
            self.start_line(Some(unit));
        } else if let Some(prev) = self.prev.filter(|_| self.last == Last::Token) {
            if self.wants_space(prev, unit) || self.would_merge(prev, unit) {
                self.out.push(' ');
            }
        } else {
            self.out.push(' ');
        }
        self.emit(unit);
    }

    fn emit(&mut self, unit: Unit) {
        let text = &self.src[unit.span.range()];
        match unit.kind {
            TokenKind::Mode => {
                self.out.push_str("#mode ");
                self.out.push_str(text.rsplit([' ', '\t']).next().unwrap_or(""));
            }
            TokenKind::DocComment => self.out.push_str(text.trim_end()),
            _ => self.out.push_str(text),
        }
        if is_opener(unit.kind) {
            self.stack.push(self.line_indent);
        } else if is_closer(unit.kind) {
            self.stack.pop();
        }
        self.force_break = unit.kind == TokenKind::DocComment;
        self.prev = Some(unit);
        self.last = Last::Token;
    }

    /// Ends the current line, keeping one blank line where the source had any, except
    /// just inside brackets.
    fn line_break(&mut self, newlines: usize, next: Option<Unit>) {
        let trimmed = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(trimmed);
        self.out.push('\n');
        let after_opener = self.last == Last::Token && self.prev.is_some_and(|p| is_opener(p.kind));
        let before_closer = next.is_some_and(|n| is_closer(n.kind));
        if newlines >= 2 && !after_opener && !before_closer {
            self.out.push('\n');
        }
    }

    /// Indents a new line for `next` (a token, or a comment when `None`).
    fn start_line(&mut self, next: Option<Unit>) {
        let indent = match next {
            Some(u) if is_closer(u.kind) => self.stack.last().copied().unwrap_or(0),
            _ => {
                let inner = self.stack.last().map_or(0, |b| b + 1);
                inner + usize::from(next.is_some_and(|u| self.continues(u)))
            }
        };
        self.line_indent = indent;
        self.out.push_str(&" ".repeat(indent * INDENT));
    }

    /// A line that starts with `.`/an infix operator, or follows one ending in an infix
    /// operator or `=`, continues the expression above and is indented once more.
    fn continues(&self, next: Unit) -> bool {
        let leads = matches!(next.kind, TokenKind::Dot | TokenKind::QuestionDot)
            || self.is_infix(next)
            || self.roles.continuation.contains(&next.span.start);
        let trails = self.last == Last::Token && self.prev.is_some_and(|p| self.is_infix(p));
        leads || trails
    }

    fn is_infix(&self, u: Unit) -> bool {
        use TokenKind as K;
        let op = matches!(
            u.kind,
            K::Plus
                | K::Minus
                | K::Star
                | K::Slash
                | K::Percent
                | K::EqEq
                | K::NotEq
                | K::Lt
                | K::Gt
                | K::LtEq
                | K::GtEq
                | K::AndAnd
                | K::OrOr
                | K::Amp
                | K::Pipe
                | K::Caret
                | K::Shl
                | K::Shr
                | K::QuestionQuestion
                | K::Eq
                | K::PlusEq
                | K::MinusEq
                | K::StarEq
                | K::SlashEq
                | K::PercentEq
                | K::AmpEq
                | K::PipeEq
                | K::CaretEq
                | K::ShlEq
                | K::ShrEq
                | K::FatArrow
        );
        let r = self.roles;
        op && !r.prefix.contains(&u.span.start)
            && !r.closure_open.contains(&u.span.start)
            && !r.closure_close.contains(&u.span.start)
            && !r.in_type(u.span.start)
    }

    fn text(&self, u: Unit) -> &'a str {
        &self.src[u.span.range()]
    }

    /// The spacing rules: a space between two tokens on one line unless one of these
    /// tight cases applies.
    fn wants_space(&self, prev: Unit, cur: Unit) -> bool {
        use TokenKind as K;
        let r = self.roles;
        if r.closure_close.contains(&cur.span.start) {
            return false;
        }
        if r.closure_open.contains(&prev.span.start) {
            return prev.kind == K::OrOr;
        }
        if r.prefix.contains(&prev.span.start) {
            return false;
        }
        if r.in_type(prev.span.start) && r.in_type(cur.span.start) {
            return type_space(prev.kind, cur.kind);
        }
        match (prev.kind, cur.kind) {
            (
                K::LParen
                | K::LBracket
                | K::QuestionBracket
                | K::Dot
                | K::QuestionDot
                | K::ColonColon
                | K::At
                | K::DotDot
                | K::DotDotDot
                | K::Bang,
                _,
            ) => false,
            (
                _,
                K::RParen
                | K::RBracket
                | K::Comma
                | K::Semicolon
                | K::Colon
                | K::Dot
                | K::QuestionDot
                | K::ColonColon
                | K::DotDot
                | K::Question
                | K::QuestionBracket,
            ) => false,
            (K::LBrace, K::RBrace) => false,
            (_, K::LParen) => !self.tight_call(prev),
            (_, K::LBracket) => {
                let indexable =
                    matches!(prev.kind, K::Ident | K::RParen | K::RBracket | K::Str | K::Question);
                !indexable || matches!(self.text(prev), "except" | "where")
            }
            _ => true,
        }
    }

    /// `(` right after a callee: a name, a call, an index, a phase keyword used as a call.
    fn tight_call(&self, prev: Unit) -> bool {
        use TokenKind as K;
        match prev.kind {
            K::Ident
            | K::RParen
            | K::RBracket
            | K::Question
            | K::Freeze
            | K::Thaw
            | K::Clone
            | K::Sublimate
            | K::Anneal
            | K::Crystallize
            | K::Borrow
            | K::Fn => true,
            K::Gt => self.roles.in_type(prev.span.start),
            _ => false,
        }
    }

    /// True when printing `prev` and `cur` with nothing between would lex differently.
    fn would_merge(&self, prev: Unit, cur: Unit) -> bool {
        if prev.span.end == cur.span.start || matches!(prev.kind, TokenKind::Str | TokenKind::DocComment) {
            return false;
        }
        let joined = format!("{}{}", self.text(prev), self.text(cur));
        let toks = crate::tokenize(&joined);
        toks.len() != 2 || toks[0].0 != prev.kind || toks[1].0 != cur.kind
    }
}

/// Aligns the `//` comments that end consecutive lines of code one space after the
/// longest code among those lines (as gofmt does), so hand-aligned columns survive.
/// `offsets` are the comments' byte offsets in `text`, ascending.
fn align_trailing(text: &str, offsets: &[usize]) -> String {
    if offsets.is_empty() {
        return text.to_string();
    }
    // (line start, comment offset) per commented line, grouped into runs of adjacent lines.
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let mut line_start = 0;
    let mut next = offsets.iter().peekable();
    for (i, _) in text.match_indices('\n') {
        if let Some(&&c) = next.peek() {
            if c < i {
                lines.push((line_start, c));
                next.next();
            }
        }
        line_start = i + 1;
    }
    let width = |(start, c): (usize, usize)| text[start..c].trim_end().chars().count();
    let mut out = String::with_capacity(text.len() + 64);
    let mut copied = 0;
    let mut i = 0;
    while i < lines.len() {
        let mut j = i + 1;
        while j < lines.len() && is_next_line(text, lines[j - 1].1, lines[j].0) {
            j += 1;
        }
        let column = lines[i..j].iter().map(|&l| width(l)).max().unwrap_or(0) + 1;
        for &(start, c) in &lines[i..j] {
            let code_end = start + text[start..c].trim_end().len();
            out.push_str(&text[copied..code_end]);
            out.push_str(&" ".repeat(column - width((start, c))));
            copied = c;
        }
        i = j;
    }
    out.push_str(&text[copied..]);
    out
}

/// True when the line starting at `next_start` directly follows the one holding `offset`.
fn is_next_line(text: &str, offset: usize, next_start: usize) -> bool {
    let between = &text[offset..next_start];
    between.ends_with('\n') && !between[..between.len() - 1].contains('\n')
}

/// Spacing inside a type annotation: `[Int]`, `Map<K, V>`, `~Array`, `(~|*) Map`,
/// `Fn(Int) -> Int`, `fix String`.
fn type_space(prev: TokenKind, cur: TokenKind) -> bool {
    use TokenKind as K;
    match (prev, cur) {
        (_, K::Comma) => false,
        (K::Comma, _) | (K::Arrow, _) | (_, K::Arrow) => true,
        (K::Lt | K::LBracket | K::LParen | K::Tilde | K::Star | K::Pipe, _) => false,
        (_, K::Gt | K::Lt | K::RBracket | K::RParen | K::Pipe | K::LParen) => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_spans() {
        assert_eq!(
            strip_spans("Ident { name: \"x\", span: Span { start: 1, end: 2 } }"),
            "Ident { name: \"x\", span: _ }"
        );
    }
}
