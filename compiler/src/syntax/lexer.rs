//! Source text to tokens: drives the logos state machine and scans string literals by hand.
//!
//! logos recognises everything except string bodies. When it reports an opening quote, this
//! driver scans the body itself: escapes, `${...}` interpolation (whose expression tokens
//! are lexed by a nested run of the driver, so strings may nest inside interpolations), and
//! the indentation stripping of `"""` strings. Decoded string text goes into a table; the
//! tokens carry its index.
//!
//! Every token keeps its exact source span. An interpolated string becomes
//! `InterpStart` (`"text${`), the expression's tokens, `InterpMid` (`}text${`), ... and
//! `InterpEnd` (`}text"`), so the spans tile the literal exactly.
//!
//! Errors never stop the lexer: each becomes a diagnostic (and, for text that starts no
//! token, an `Error` token in [`tokenize`]'s output), and lexing goes on.

use crate::diagnostic::Diagnostic;
use crate::syntax::span::Span;
use crate::syntax::token::{LexErrorKind, Token, TokenKind};
use logos::Logos;

/// How deeply `${ "${ ... }" }` may nest before the lexer gives up on the literal.
pub const MAX_INTERPOLATION_DEPTH: usize = 64;

/// A `///` comment: its text without the marker, and the index (into [`Lexed::tokens`])
/// of the token that follows it, which is how the parser finds the item it documents.
#[derive(Debug, Clone, PartialEq)]
pub struct DocLine {
    pub text: String,
    pub span: Span,
    pub next_token: u32,
}

/// The lexer's output for the parser.
#[derive(Debug, Default)]
pub struct Lexed<'src> {
    /// The tokens the parser sees: no comments, no error tokens.
    pub tokens: Vec<(Token<'src>, Span)>,
    /// Decoded string literal pieces, indexed by the string tokens' payloads.
    pub strings: Vec<String>,
    pub docs: Vec<DocLine>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Lexes a whole source file for the parser.
pub fn lex(src: &str) -> Lexed<'_> {
    let mut driver = Driver { src, out: Lexed::default(), all: None };
    driver.run(0, src.len(), 0);
    driver.out
}

/// Every token of `src` in source order with its exact span, including doc comments and
/// the `Error` tokens of text that starts no token. For a `tokenize` builtin and the
/// LSP's semantic tokens.
pub fn tokenize(src: &str) -> Vec<(TokenKind, Span)> {
    let mut driver = Driver { src, out: Lexed::default(), all: Some(Vec::new()) };
    driver.run(0, src.len(), 0);
    driver.all.unwrap_or_default()
}

struct Driver<'src> {
    src: &'src str,
    out: Lexed<'src>,
    /// When set, every token (comments and errors too) is recorded here.
    all: Option<Vec<(TokenKind, Span)>>,
}

/// Which quote opened a string literal.
#[derive(Clone, Copy, PartialEq)]
enum Quote {
    Double,
    Single,
    Triple,
}

/// How a nested run ended.
enum RunEnd {
    /// At the `}` (offset given) that closes an interpolation.
    CloseBrace(usize),
    /// At the limit, with no closing brace.
    Limit,
}

impl<'src> Driver<'src> {
    /// Lexes `src[start..limit]`. At `depth > 0` the run is inside `${...}` and stops at the
    /// unmatched `}`.
    fn run(&mut self, start: usize, limit: usize, depth: usize) -> RunEnd {
        let mut lex = Token::lexer(&self.src[start..limit]);
        let mut braces = 0usize;
        while let Some(result) = lex.next() {
            let range = lex.span();
            let span = Span::from(range.start + start..range.end + start);
            match result {
                Ok(Token::Quote) => {
                    let quote = match lex.slice() {
                        "\"\"\"" => Quote::Triple,
                        "'" => Quote::Single,
                        _ => Quote::Double,
                    };
                    let end = self.scan_string(quote, span, limit, depth);
                    lex.bump(end - span.end as usize);
                }
                Ok(Token::DocComment) => self.doc_comment(span),
                Ok(Token::LBrace) if depth > 0 => {
                    braces += 1;
                    self.push(Token::LBrace, span);
                }
                Ok(Token::RBrace) if depth > 0 => {
                    if braces == 0 {
                        return RunEnd::CloseBrace(span.start as usize);
                    }
                    braces -= 1;
                    self.push(Token::RBrace, span);
                }
                Ok(token) => self.push(token, span),
                Err(kind) => self.error(kind, span),
            }
        }
        RunEnd::Limit
    }

    fn push(&mut self, token: Token<'src>, span: Span) {
        if let Some(all) = &mut self.all {
            all.push((token.kind(), span));
        }
        self.out.tokens.push((token, span));
    }

    fn doc_comment(&mut self, span: Span) {
        let text = &self.src[span.range()];
        if text.starts_with("////") {
            return;
        }
        if let Some(all) = &mut self.all {
            all.push((TokenKind::DocComment, span));
        }
        let body = &text[3..];
        let body = body.strip_prefix(' ').unwrap_or(body);
        let next_token = self.out.tokens.len() as u32;
        self.out.docs.push(DocLine { text: body.trim_end().to_string(), span, next_token });
    }

    fn error(&mut self, kind: LexErrorKind, span: Span) {
        // logos may cut a multi-byte character; widen the span to whole characters.
        let mut end = span.end as usize;
        while end < self.src.len() && !self.src.is_char_boundary(end) {
            end += 1;
        }
        let span = Span::new(span.start, end as u32);
        if let Some(all) = &mut self.all {
            all.push((TokenKind::Error, span));
        }
        let text = &self.src[span.range()];
        let diagnostic = match kind {
            LexErrorKind::UnexpectedChar => {
                let ch = text.chars().next().unwrap_or(' ');
                Diagnostic::error("E0001", format!("unexpected character '{ch}'"), span)
                    .with_label("not valid here")
            }
            LexErrorKind::IntOutOfRange => Diagnostic::error("E0002", "integer literal out of range", span)
                .with_label("does not fit in a 64-bit integer"),
            LexErrorKind::UnterminatedComment => {
                let open = Span::new(span.start, span.start + 2);
                Diagnostic::error("E0003", "unterminated block comment", open)
                    .with_label("this comment is never closed")
            }
            LexErrorKind::BadDirective => {
                Diagnostic::error("E0004", format!("unexpected directive '{text}'"), span)
                    .with_label("expected `#mode strict` or `#mode casual`")
            }
        };
        self.out.diagnostics.push(diagnostic);
    }

    fn intern(&mut self, text: String) -> u32 {
        self.out.strings.push(text);
        self.out.strings.len() as u32 - 1
    }

    /// Scans a string literal whose opening quote is `open`; returns the offset just past it.
    fn scan_string(&mut self, quote: Quote, open: Span, limit: usize, depth: usize) -> usize {
        match quote {
            Quote::Triple => self.scan_triple(open, limit, depth),
            Quote::Double | Quote::Single => {
                let close = if quote == Quote::Single { b'\'' } else { b'"' };
                let body = Body { start: open.end as usize, end: limit, indent: 0, close: Some(close) };
                self.scan_body(open, body, quote == Quote::Double, depth)
            }
        }
    }

    /// `"""` strings: the body runs to the next `"""`; when the closing delimiter stands on
    /// its own line, that line's indentation is stripped from every line of the body.
    fn scan_triple(&mut self, open: Span, limit: usize, depth: usize) -> usize {
        let mut start = open.end as usize;
        let rest = &self.src[start..limit];
        if rest.starts_with('\n') {
            start += 1;
        } else if rest.starts_with("\r\n") {
            start += 2;
        }
        let Some(rel_close) = self.src[start..limit].find("\"\"\"") else {
            let diagnostic = Diagnostic::error("E0005", "unterminated triple-quoted string", open)
                .with_label("this string is never closed");
            self.out.diagnostics.push(diagnostic);
            let text = self.src[start..limit].to_string();
            let index = self.intern(text);
            self.push(Token::Str(index), Span::new(open.start, limit as u32));
            return limit;
        };
        let close = start + rel_close;
        let content = &self.src[start..close];
        let (end, indent) = match content.rfind('\n') {
            Some(nl) if content[nl + 1..].bytes().all(|b| b == b' ' || b == b'\t') => {
                let width = content[nl + 1..].bytes().map(|b| if b == b'\t' { 4 } else { 1 }).sum();
                (start + nl, width)
            }
            _ => (close, 0),
        };
        let body = Body { start, end, indent, close: None };
        self.scan_body(open, body, true, depth);
        // The token spans end at the body; extend the last one over the closing quotes.
        if let Some(last) = self.out.tokens.last_mut() {
            last.1.end = close as u32 + 3;
        }
        if let Some(all) = &mut self.all {
            if let Some(last) = all.last_mut() {
                last.1.end = close as u32 + 3;
            }
        }
        close + 3
    }

    /// Scans a string body, emitting `Str` or the `Interp*` tokens. Returns the offset just
    /// past the closing quote (or the body's end when there is none).
    fn scan_body(&mut self, open: Span, body: Body, interpolate: bool, depth: usize) -> usize {
        let bytes = self.src.as_bytes();
        let mut text = String::new();
        let mut seg_start = open.start as usize;
        let mut interpolated = false;
        let mut i = body.start;
        let mut at_line_start = true;
        loop {
            if at_line_start && body.indent > 0 {
                i = skip_indent(bytes, i, body.end, body.indent);
            }
            at_line_start = false;
            if i >= body.end {
                if let Some(close) = body.close {
                    let label = if close == b'\'' { "'" } else { "\"" };
                    let diagnostic = Diagnostic::error("E0006", "unterminated string literal", open)
                        .with_label(format!("this {label} is never closed"));
                    self.out.diagnostics.push(diagnostic);
                }
                self.finish_string(text, seg_start, body.end, interpolated);
                return body.end;
            }
            let b = bytes[i];
            if Some(b) == body.close {
                self.finish_string(text, seg_start, i + 1, interpolated);
                return i + 1;
            }
            if b == b'\\' {
                i = self.escape(i, body.end, &mut text);
                continue;
            }
            if interpolate && b == b'$' && bytes.get(i + 1) == Some(&b'{') && i + 1 < body.end {
                let kind = if interpolated { Token::InterpMid } else { Token::InterpStart };
                let index = self.intern(std::mem::take(&mut text));
                self.push(kind(index), Span::new(seg_start as u32, i as u32 + 2));
                interpolated = true;
                match self.interpolation(i, body.end, depth) {
                    Some(close_brace) => {
                        seg_start = close_brace;
                        i = close_brace + 1;
                    }
                    None => {
                        self.finish_string(text, body.end, body.end, true);
                        return body.end;
                    }
                }
                continue;
            }
            let ch = self.src[i..].chars().next().unwrap_or('\u{fffd}');
            text.push(ch);
            if ch == '\n' {
                at_line_start = true;
            }
            i += ch.len_utf8();
        }
    }

    /// Lexes the expression of a `${` at `dollar`; returns the offset of its closing `}`.
    fn interpolation(&mut self, dollar: usize, limit: usize, depth: usize) -> Option<usize> {
        let open = Span::new(dollar as u32, dollar as u32 + 2);
        if depth >= MAX_INTERPOLATION_DEPTH {
            let diagnostic = Diagnostic::error("E0007", "string interpolation nested too deeply", open)
                .with_label(format!("more than {MAX_INTERPOLATION_DEPTH} levels of `${{...}}`"));
            self.out.diagnostics.push(diagnostic);
            return None;
        }
        match self.run(dollar + 2, limit, depth + 1) {
            RunEnd::CloseBrace(at) => Some(at),
            RunEnd::Limit => {
                let diagnostic = Diagnostic::error("E0008", "unterminated string interpolation", open)
                    .with_label("this `${` is never closed");
                self.out.diagnostics.push(diagnostic);
                None
            }
        }
    }

    fn finish_string(&mut self, text: String, seg_start: usize, end: usize, interpolated: bool) {
        let index = self.intern(text);
        let span = Span::new(seg_start as u32, end as u32);
        let token = if interpolated { Token::InterpEnd(index) } else { Token::Str(index) };
        self.push(token, span);
    }

    /// Decodes the escape at `at` (a backslash) into `text`; returns the offset after it.
    fn escape(&mut self, at: usize, end: usize, text: &mut String) -> usize {
        let Some(esc) = self.src[at + 1..end].chars().next() else {
            let span = Span::new(at as u32, end as u32);
            self.out.diagnostics.push(
                Diagnostic::error("E0009", "unterminated escape sequence", span)
                    .with_label("nothing follows `\\`"),
            );
            return end;
        };
        let after = at + 1 + esc.len_utf8();
        let simple = match esc {
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            '0' => Some('\0'),
            'x' | 'u' => None,
            // `\\`, `\"`, `\'`, `\$` and unknown escapes all stand for the character itself.
            other => Some(other),
        };
        if let Some(ch) = simple {
            text.push(ch);
            return after;
        }
        if esc == 'x' {
            let digits: String = self.src[after..end].chars().take(2).collect();
            let value = if digits.len() == 2 { u8::from_str_radix(&digits, 16).ok() } else { None };
            let stop = after + digits.len();
            match value {
                Some(byte) => text.push(char::from(byte)),
                None => {
                    let span = Span::new(at as u32, stop as u32);
                    let diagnostic =
                        Diagnostic::error("E0010", format!("invalid hex escape '\\x{digits}'"), span)
                            .with_label("expected two hexadecimal digits");
                    self.out.diagnostics.push(diagnostic);
                }
            }
            return stop;
        }
        self.unicode_escape(at, after, end, text)
    }

    /// `\u{1F600}`: one to six hex digits naming a Unicode scalar value.
    fn unicode_escape(&mut self, at: usize, after: usize, end: usize, text: &mut String) -> usize {
        let rest = &self.src[after..end];
        let parsed = rest.strip_prefix('{').and_then(|inner| {
            let close = inner.find('}')?;
            let digits = &inner[..close];
            let ok = (1..=6).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_hexdigit());
            let ch = if ok { u32::from_str_radix(digits, 16).ok().and_then(char::from_u32) } else { None };
            Some((ch, after + close + 2))
        });
        match parsed {
            Some((Some(ch), stop)) => {
                text.push(ch);
                stop
            }
            Some((None, stop)) => {
                self.bad_unicode(at, stop);
                stop
            }
            // Without braces `\u` is an unknown escape: the letter itself, as in the reference.
            None => {
                text.push('u');
                after
            }
        }
    }

    fn bad_unicode(&mut self, at: usize, stop: usize) {
        let span = Span::new(at as u32, stop as u32);
        let diagnostic = Diagnostic::error("E0011", "invalid unicode escape", span)
            .with_label("expected `\\u{...}` with 1 to 6 hex digits naming a character");
        self.out.diagnostics.push(diagnostic);
    }
}

/// Where a string body lies, how much indentation to strip from each line, and which byte
/// closes it (`None` for `"""`, whose end is found in advance).
struct Body {
    start: usize,
    end: usize,
    indent: usize,
    close: Option<u8>,
}

/// Skips up to `indent` columns of spaces and tabs (a tab counts four, as in the reference).
fn skip_indent(bytes: &[u8], mut i: usize, end: usize, indent: usize) -> usize {
    let mut skipped = 0;
    while i < end && skipped < indent {
        match bytes[i] {
            b' ' => skipped += 1,
            b'\t' => skipped += 4,
            _ => break,
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders the parser's tokens as `Kind` or `Kind("decoded")`, one per line.
    fn check(src: &str, expect: &str) {
        let lexed = lex(src);
        let mut out = String::new();
        for (token, span) in &lexed.tokens {
            let text = &src[span.range()];
            let line = match token {
                Token::Str(i) | Token::InterpStart(i) | Token::InterpMid(i) | Token::InterpEnd(i) => {
                    format!("{:?} {:?} {:?}", token.kind(), lexed.strings[*i as usize], text)
                }
                Token::Int(v) => format!("Int {v} {text:?}"),
                Token::Float(v) => format!("Float {v:?} {text:?}"),
                _ => format!("{:?} {text:?}", token.kind()),
            };
            out.push_str(&line);
            out.push('\n');
        }
        for d in &lexed.diagnostics {
            out.push_str(&format!("error {}..{}: {}\n", d.primary.span.start, d.primary.span.end, d.message));
        }
        assert_eq!(out.trim_end(), expect.trim(), "\nsource: {src:?}\n{out}");
    }

    #[test]
    fn numbers() {
        check(
            "1_000 0xFF 0xDEAD_BEEF 3.14_159 1e3 2.5E-2 1..5 t.0",
            r#"
Int 1000 "1_000"
Int 255 "0xFF"
Int 3735928559 "0xDEAD_BEEF"
Float 3.14159 "3.14_159"
Float 1000.0 "1e3"
Float 0.025 "2.5E-2"
Int 1 "1"
DotDot ".."
Int 5 "5"
Ident "t"
Dot "."
Int 0 "0"
"#,
        );
    }

    #[test]
    fn integer_overflow_is_an_error() {
        check("9223372036854775808", "error 0..19: integer literal out of range");
    }

    #[test]
    fn escapes() {
        check(
            r#""a\tb\n\\\"\x41\u{e9}\$" 'q\'${x}'"#,
            r#"
Str "a\tb\n\\\"Aé$" "\"a\\tb\\n\\\\\\\"\\x41\\u{e9}\\$\""
Str "q'${x}" "'q\\'${x}'"
"#,
        );
    }

    #[test]
    fn invalid_hex_escape() {
        check(
            r#""bad \xZZ""#,
            "Str \"bad \" \"\\\"bad \\\\xZZ\\\"\"\nerror 5..9: invalid hex escape '\\xZZ'",
        );
    }

    #[test]
    fn interpolation_nests() {
        check(
            r#""a${b + "c${d}"}e""#,
            r#"
InterpStart "a" "\"a${"
Ident "b"
Plus "+"
InterpStart "c" "\"c${"
Ident "d"
InterpEnd "" "}\""
InterpEnd "e" "}e\""
"#,
        );
    }

    #[test]
    fn interpolation_with_braces_inside() {
        check(
            r#""${ {a: 1}.len() }!""#,
            r#"
InterpStart "" "\"${"
LBrace "{"
Ident "a"
Colon ":"
Int 1 "1"
RBrace "}"
Dot "."
Ident "len"
LParen "("
RParen ")"
InterpEnd "!" "}!\""
"#,
        );
    }

    #[test]
    fn triple_quoted_dedent() {
        let src = "let s = \"\"\"\n    hello\n      ${name}\n    \"\"\"";
        check(
            src,
            r#"
Let "let"
Ident "s"
Eq "="
InterpStart "hello\n  " "\"\"\"\n    hello\n      ${"
Ident "name"
InterpEnd "" "}\n    \"\"\""
"#,
        );
    }

    #[test]
    fn triple_quoted_without_closing_line() {
        check("\"\"\"abc\n  def\"\"\"", r#"Str "abc\n  def" "\"\"\"abc\n  def\"\"\"""#);
    }

    #[test]
    fn comments_and_docs() {
        let lexed = lex("/* a /* nested */ b */ x // line\n/// doc one\n///   two\nfn");
        assert_eq!(lexed.tokens.len(), 2);
        assert_eq!(lexed.docs.len(), 2);
        assert_eq!(lexed.docs[0].text, "doc one");
        assert_eq!(lexed.docs[1].text, "  two");
        assert_eq!(lexed.docs[1].next_token, 1);
    }

    #[test]
    fn mode_directive_and_errors() {
        check("#mode strict\n$", "Mode \"#mode strict\"\nerror 13..14: unexpected character '$'");
        check("#pragma", "error 0..7: unexpected directive '#pragma'");
        check("\"open", "Str \"open\" \"\\\"open\"\nerror 0..1: unterminated string literal");
    }

    #[test]
    fn tokenize_spans_tile_strings() {
        let src = "f(\"x${1}y\") /// d\né";
        let kinds: Vec<_> = tokenize(src).into_iter().map(|(k, s)| (k, &src[s.range()])).collect();
        assert_eq!(
            kinds,
            vec![
                (TokenKind::Ident, "f"),
                (TokenKind::LParen, "("),
                (TokenKind::InterpStart, "\"x${"),
                (TokenKind::Int, "1"),
                (TokenKind::InterpEnd, "}y\""),
                (TokenKind::RParen, ")"),
                (TokenKind::DocComment, "/// d"),
                (TokenKind::Error, "é"),
            ]
        );
    }
}
