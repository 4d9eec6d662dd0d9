//! The text between two tokens: line breaks and comments, which the lexer skips.
//!
//! The lexer keeps `///` doc comments as tokens but skips whitespace, `//` comments and
//! `/* */` comments, so the formatter finds those here, in the gaps between token spans.
//! This module only splits a gap into pieces; it decides nothing about layout.

/// One piece of a gap between tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Trivia<'a> {
    /// A line break.
    Newline,
    /// A `//` comment without its line break, trailing whitespace removed.
    LineComment(&'a str),
    /// A `/* */` comment (it may span lines), kept verbatim.
    BlockComment(&'a str),
}

/// Splits `gap` (text holding only whitespace and comments) into line breaks and comments.
pub(crate) fn split(gap: &str) -> Vec<Trivia<'_>> {
    let bytes = gap.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push(Trivia::Newline);
                i += 1;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                let end = gap[i..].find('\n').map_or(gap.len(), |n| i + n);
                out.push(Trivia::LineComment(gap[i..end].trim_end()));
                i = end;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = block_comment_end(bytes, i);
                out.push(Trivia::BlockComment(&gap[i..end]));
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

/// The end of the nested block comment starting at `start`, or the end of the text.
fn block_comment_end(bytes: &[u8], start: usize) -> usize {
    let body = start + 2;
    crate::syntax::token::nested_comment_len(&bytes[body.min(bytes.len())..])
        .map_or(bytes.len(), |n| body + n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_breaks() {
        let got = split("  // a  \n\n /* b /* c */ */ \n");
        assert_eq!(
            got,
            vec![
                Trivia::LineComment("// a"),
                Trivia::Newline,
                Trivia::Newline,
                Trivia::BlockComment("/* b /* c */ */"),
                Trivia::Newline
            ]
        );
    }
}
