//! Hover: what the name under the cursor is, its signature, its `///` documentation and,
//! for a binding, the phase its declaration gives it.

use super::builtins;
use super::{Analysis, DefKind};
use crate::syntax::ast::BindingKind;
use crate::syntax::span::Span;
use crate::syntax::token::TokenKind;

/// Markdown to show for the range under the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    pub range: Span,
    pub markdown: String,
}

fn phase_note(kind: BindingKind) -> &'static str {
    match kind {
        BindingKind::Flux => "fluid binding (`flux`): the value may be changed in place",
        BindingKind::Fix => "crystal binding (`fix`): the value is deeply immutable",
        BindingKind::Let => "`let` binding: the value keeps its own phase",
    }
}

fn kind_label(kind: DefKind) -> &'static str {
    match kind {
        DefKind::Local => "local",
        DefKind::Param => "parameter",
        DefKind::Global => "global",
        DefKind::Function => "function",
        DefKind::Method => "method",
        DefKind::Struct => "struct",
        DefKind::Field => "field",
        DefKind::Enum => "enum",
        DefKind::Variant => "variant",
        DefKind::Trait => "trait",
        DefKind::Module => "module",
    }
}

impl Analysis {
    pub fn hover(&self, offset: u32) -> Option<Hover> {
        if let Some((id, range)) = self.index.at(offset) {
            let def = self.def(id);
            let mut md = format!("```lattice\n{}\n```\n", def.detail);
            let mut facts = vec![kind_label(def.kind).to_string()];
            if let Some(c) = &def.container {
                facts.push(format!("in `{c}`"));
            }
            if let Some(f) = &def.file {
                facts.push(format!("from `{f}`"));
            }
            md.push_str(&format!("\n*{}*\n", facts.join(" · ")));
            if let (Some(phase), DefKind::Local | DefKind::Global) = (def.phase, def.kind) {
                md.push_str(&format!("\n{}\n", phase_note(phase)));
            }
            if let Some(doc) = &def.doc {
                md.push_str(&format!("\n---\n\n{doc}\n"));
            }
            return Some(Hover { range, markdown: md });
        }
        let i = self.token_at(offset)?;
        let (kind, span) = self.tokens[i];
        let word = self.text(span);
        if kind == TokenKind::Ident {
            let b = builtins::builtin(word)?;
            let markdown = format!("```lattice\n{}\n```\n\n*builtin*\n\n---\n\n{}\n", b.signature(), b.doc);
            return Some(Hover { range: span, markdown });
        }
        let doc = builtins::keyword_doc(word)?;
        Some(Hover { range: span, markdown: format!("`{word}`: {doc}\n") })
    }
}
