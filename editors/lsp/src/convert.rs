//! Conversions between the IDE's byte offsets and plain-data results and the protocol's
//! types: UTF-16 line/character positions, diagnostics, symbols, semantic tokens.
//!
//! With `editors/lsp` only this file and `src/render.rs` of `lat` turn a `Diagnostic`
//! into something shown to a user.

use lattice_compiler::ide::{self, SemanticKind};
use lattice_compiler::{Diagnostic, Severity, Span};
use tower_lsp_server::lsp_types as lsp;

/// Line starts of one text, for offset <-> UTF-16 position conversion.
pub struct LineMap {
    starts: Vec<u32>,
}

impl LineMap {
    pub fn new(text: &str) -> LineMap {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i as u32 + 1));
        LineMap { starts }
    }

    pub fn position(&self, text: &str, offset: u32) -> lsp::Position {
        let offset = offset.min(text.len() as u32);
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line] as usize;
        let mut end = offset as usize;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let character = text[start..end].encode_utf16().count() as u32;
        lsp::Position { line: line as u32, character }
    }

    pub fn range(&self, text: &str, span: Span) -> lsp::Range {
        lsp::Range { start: self.position(text, span.start), end: self.position(text, span.end) }
    }

    /// The byte offset of a position; positions past a line's end clamp to it.
    pub fn offset(&self, text: &str, pos: lsp::Position) -> u32 {
        let Some(&start) = self.starts.get(pos.line as usize) else { return text.len() as u32 };
        let line_end = self.starts.get(pos.line as usize + 1).map_or(text.len(), |&s| s as usize);
        let mut units = 0u32;
        for (i, c) in text[start as usize..line_end].char_indices() {
            if units >= pos.character || c == '\n' {
                return start + i as u32;
            }
            units += c.len_utf16() as u32;
        }
        line_end as u32
    }
}

pub fn diagnostic(text: &str, map: &LineMap, d: &Diagnostic) -> lsp::Diagnostic {
    let mut message = d.message.clone();
    if !d.primary.text.is_empty() {
        message.push_str(&format!(": {}", d.primary.text));
    }
    for note in &d.notes {
        message.push_str(&format!("\nnote: {note}"));
    }
    if let Some(help) = &d.help {
        message.push_str(&format!("\nhelp: {help}"));
    }
    lsp::Diagnostic {
        range: map.range(text, d.primary.span),
        severity: Some(match d.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        }),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        source: Some("lattice".into()),
        message,
        ..Default::default()
    }
}

pub fn symbol_kind(kind: ide::DefKind) -> lsp::SymbolKind {
    use ide::DefKind as D;
    match kind {
        D::Local | D::Param | D::Global => lsp::SymbolKind::VARIABLE,
        D::Function => lsp::SymbolKind::FUNCTION,
        D::Method => lsp::SymbolKind::METHOD,
        D::Struct => lsp::SymbolKind::STRUCT,
        D::Field => lsp::SymbolKind::FIELD,
        D::Enum => lsp::SymbolKind::ENUM,
        D::Variant => lsp::SymbolKind::ENUM_MEMBER,
        D::Trait => lsp::SymbolKind::INTERFACE,
        D::Module => lsp::SymbolKind::MODULE,
    }
}

pub fn completion_kind(kind: ide::CompletionKind) -> lsp::CompletionItemKind {
    use ide::CompletionKind as C;
    match kind {
        C::Variable => lsp::CompletionItemKind::VARIABLE,
        C::Function => lsp::CompletionItemKind::FUNCTION,
        C::Method => lsp::CompletionItemKind::METHOD,
        C::Field => lsp::CompletionItemKind::FIELD,
        C::Struct => lsp::CompletionItemKind::STRUCT,
        C::Enum => lsp::CompletionItemKind::ENUM,
        C::Variant => lsp::CompletionItemKind::ENUM_MEMBER,
        C::Trait => lsp::CompletionItemKind::INTERFACE,
        C::Module => lsp::CompletionItemKind::MODULE,
        C::Keyword => lsp::CompletionItemKind::KEYWORD,
    }
}

/// The semantic token types, in legend order; `phase` is Lattice's own (the VS Code
/// extension declares it as a kind of keyword).
pub const TOKEN_TYPES: &[&str] = &[
    "keyword",
    "phase",
    "function",
    "method",
    "variable",
    "parameter",
    "property",
    "struct",
    "enum",
    "enumMember",
    "interface",
    "namespace",
    "string",
    "number",
    "comment",
    "operator",
];

/// Modifiers, in the bit order of `ide::MOD_*`.
pub const TOKEN_MODIFIERS: &[&str] =
    &["declaration", "readonly", "defaultLibrary", "mutable", "documentation"];

pub fn legend() -> lsp::SemanticTokensLegend {
    lsp::SemanticTokensLegend {
        token_types: TOKEN_TYPES.iter().map(|t| lsp::SemanticTokenType::new(t)).collect(),
        token_modifiers: TOKEN_MODIFIERS.iter().map(|m| lsp::SemanticTokenModifier::new(m)).collect(),
    }
}

fn token_type(kind: SemanticKind) -> u32 {
    use SemanticKind as S;
    match kind {
        S::Keyword => 0,
        S::PhaseKeyword => 1,
        S::Function => 2,
        S::Method => 3,
        S::Variable => 4,
        S::Parameter => 5,
        S::Property => 6,
        S::Struct => 7,
        S::Enum => 8,
        S::EnumMember => 9,
        S::Trait => 10,
        S::Namespace => 11,
        S::String => 12,
        S::Number => 13,
        S::Comment => 14,
        S::Operator => 15,
    }
}

/// Delta-encodes tokens, splitting those that span lines into one per line.
pub fn semantic_tokens(text: &str, map: &LineMap, tokens: &[ide::SemanticToken]) -> Vec<lsp::SemanticToken> {
    let mut out = Vec::with_capacity(tokens.len());
    let (mut last_line, mut last_col) = (0u32, 0u32);
    for t in tokens {
        let mut start = t.span.start as usize;
        let end = t.span.end as usize;
        while start < end {
            let line_end = text[start..end].find('\n').map_or(end, |i| start + i);
            if line_end > start {
                let pos = map.position(text, start as u32);
                let length = text[start..line_end].encode_utf16().count() as u32;
                let delta_line = pos.line - last_line;
                let delta_start = if delta_line == 0 { pos.character - last_col } else { pos.character };
                out.push(lsp::SemanticToken {
                    delta_line,
                    delta_start,
                    length,
                    token_type: token_type(t.kind),
                    token_modifiers_bitset: t.modifiers,
                });
                (last_line, last_col) = (pos.line, pos.character);
            }
            start = line_end + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_positions_round_trip() {
        let text = "a\né😀x\n";
        let map = LineMap::new(text);
        let x = text.find('x').unwrap() as u32;
        let pos = map.position(text, x);
        assert_eq!((pos.line, pos.character), (1, 3));
        assert_eq!(map.offset(text, pos), x);
        assert_eq!(map.offset(text, lsp::Position { line: 1, character: 99 }), text.len() as u32 - 1);
    }
}
