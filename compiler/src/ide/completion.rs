//! Completion: names in scope, globals, builtins and keywords; the fields and methods of
//! the receiver after `.`; the variants and associated functions of a type after `::`.
//!
//! The context comes from the tokens before the cursor rather than the tree, because the
//! text being typed (`p.`) is usually not a complete expression yet.

use super::builtins::{BUILTINS, KEYWORDS, METHODS};
use super::{Analysis, DefId, DefKind};
use crate::syntax::token::TokenKind;
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionKind {
    Variable,
    Function,
    Method,
    Field,
    Struct,
    Enum,
    Variant,
    Trait,
    Module,
    Keyword,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    pub doc: Option<String>,
}

fn kind_of(kind: DefKind) -> CompletionKind {
    match kind {
        DefKind::Local | DefKind::Param | DefKind::Global => CompletionKind::Variable,
        DefKind::Function => CompletionKind::Function,
        DefKind::Method => CompletionKind::Method,
        DefKind::Struct => CompletionKind::Struct,
        DefKind::Field => CompletionKind::Field,
        DefKind::Enum => CompletionKind::Enum,
        DefKind::Variant => CompletionKind::Variant,
        DefKind::Trait => CompletionKind::Trait,
        DefKind::Module => CompletionKind::Module,
    }
}

impl Analysis {
    pub fn completions(&self, offset: u32) -> Vec<CompletionItem> {
        let before = self.tokens.partition_point(|(_, s)| s.end <= offset);
        if let Some((kind, span)) = self.tokens.get(before) {
            if span.start < offset && matches!(kind, TokenKind::Str | TokenKind::DocComment) {
                return Vec::new();
            }
        }
        // Skip the identifier being typed, if the cursor ends one.
        let mut ctx = before;
        if ctx > 0 && self.tokens[ctx - 1].0 == TokenKind::Ident && self.tokens[ctx - 1].1.end == offset {
            ctx -= 1;
        }
        let prev = ctx.checked_sub(1).map(|i| self.tokens[i]);
        let receiver = ctx.checked_sub(2).map(|i| self.tokens[i]).filter(|(k, _)| *k == TokenKind::Ident);
        match prev.map(|(k, _)| k) {
            Some(TokenKind::Dot | TokenKind::QuestionDot) => {
                self.member_completions(offset, receiver.map(|(_, s)| self.text(s)))
            }
            Some(TokenKind::ColonColon) => match receiver {
                Some((_, s)) => self.defs_to_items(self.index.members_of(self.text(s)).iter().copied()),
                None => Vec::new(),
            },
            _ => self.scope_completions(offset),
        }
    }

    fn defs_to_items(&self, defs: impl Iterator<Item = DefId>) -> Vec<CompletionItem> {
        let mut seen = HashSet::new();
        defs.filter(|&d| seen.insert(self.def(d).name.clone()))
            .map(|d| {
                let def = self.def(d);
                CompletionItem {
                    label: def.name.clone(),
                    kind: kind_of(def.kind),
                    detail: Some(def.detail.clone()),
                    doc: def.doc.clone(),
                }
            })
            .collect()
    }

    fn member_completions(&self, offset: u32, receiver: Option<&str>) -> Vec<CompletionItem> {
        let def = receiver.and_then(|name| self.index.lookup_at(offset, name));
        if let Some(d) = def {
            if let Some(exports) = self.index.modules.get(&d) {
                return self.defs_to_items(exports.iter().copied());
            }
            if let Some(ty) = &self.def(d).ty {
                let members = self.index.members_of(ty).iter().copied();
                return self.defs_to_items(members.filter(|&m| self.def(m).kind != DefKind::Variant));
            }
        }
        // Unknown receiver: every field and method in the file, then the common methods.
        let all =
            self.index.members.values().flatten().copied().filter(|&m| self.def(m).kind != DefKind::Variant);
        let mut items = self.defs_to_items(all);
        let known: HashSet<String> = items.iter().map(|i| i.label.clone()).collect();
        items.extend(METHODS.iter().filter(|m| !known.contains(**m)).map(|m| CompletionItem {
            label: m.to_string(),
            kind: CompletionKind::Method,
            detail: None,
            doc: None,
        }));
        items
    }

    fn scope_completions(&self, offset: u32) -> Vec<CompletionItem> {
        let mut items = self.defs_to_items(self.index.visible_at(offset).into_iter());
        let known: HashSet<String> = items.iter().map(|i| i.label.clone()).collect();
        items.extend(BUILTINS.iter().filter(|b| !known.contains(b.name)).map(|b| CompletionItem {
            label: b.name.to_string(),
            kind: CompletionKind::Function,
            detail: Some(b.signature()),
            doc: Some(b.doc.to_string()),
        }));
        items.extend(KEYWORDS.iter().map(|(k, d)| CompletionItem {
            label: k.to_string(),
            kind: CompletionKind::Keyword,
            detail: None,
            doc: (!d.is_empty()).then(|| d.to_string()),
        }));
        items
    }
}
