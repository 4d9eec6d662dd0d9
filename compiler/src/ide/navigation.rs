//! Go to definition, find references, document highlight and rename, all from the
//! resolver's index.

use super::{Analysis, DefKind, FileSpan};
use crate::syntax::span::Span;
use crate::syntax::token::TokenKind;

/// An occurrence of the name under the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Highlight {
    pub span: Span,
    /// The declaration or an assignment.
    pub write: bool,
}

/// Replace `span` (in this file) with `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextEdit {
    pub span: Span,
    pub text: String,
}

impl Analysis {
    pub fn goto_definition(&self, offset: u32) -> Option<FileSpan> {
        let (id, _) = self.index.at(offset)?;
        let def = self.def(id);
        Some(FileSpan { file: def.file.clone(), span: def.name_span })
    }

    /// Every use of the name under the cursor, with its declaration first when asked.
    pub fn references(&self, offset: u32, include_declaration: bool) -> Vec<FileSpan> {
        let Some((id, _)) = self.index.at(offset) else { return Vec::new() };
        let def = self.def(id);
        let mut out = Vec::new();
        if include_declaration {
            out.push(FileSpan { file: def.file.clone(), span: def.name_span });
        }
        out.extend(self.index.refs_to(id).map(|r| FileSpan { file: None, span: r.span }));
        out
    }

    pub fn highlights(&self, offset: u32) -> Vec<Highlight> {
        let Some((id, _)) = self.index.at(offset) else { return Vec::new() };
        let def = self.def(id);
        let mut out = Vec::new();
        if def.file.is_none() {
            out.push(Highlight { span: def.name_span, write: true });
        }
        out.extend(self.index.refs_to(id).map(|r| Highlight { span: r.span, write: r.write }));
        out.sort_by_key(|h| h.span.start);
        out.dedup_by_key(|h| h.span);
        out
    }

    /// The range a rename at `offset` would change, or why there is none.
    pub fn prepare_rename(&self, offset: u32) -> Result<Span, String> {
        let (id, span) = self.index.at(offset).ok_or("no symbol to rename here")?;
        if self.def(id).file.is_some() {
            return Err("this symbol is defined in another file".into());
        }
        Ok(span)
    }

    /// The edits renaming the symbol under the cursor to `new_name`. Refuses a name that
    /// is not an identifier, is a keyword, or would capture or be captured by another
    /// definition of that name.
    pub fn rename(&self, offset: u32, new_name: &str) -> Result<Vec<TextEdit>, String> {
        self.prepare_rename(offset)?;
        let (id, _) = self.index.at(offset).ok_or("no symbol to rename here")?;
        let tokens = crate::tokenize(new_name);
        if tokens.len() != 1
            || tokens[0].0 != TokenKind::Ident
            || tokens[0].1.len() as usize != new_name.len()
        {
            return Err(format!("`{new_name}` is not a valid name"));
        }
        let def = self.def(id);
        if def.name == new_name {
            return Ok(Vec::new());
        }
        self.check_capture(id, new_name)?;
        let mut spans: Vec<Span> = self.index.refs_to(id).map(|r| r.span).collect();
        spans.push(def.name_span);
        spans.sort();
        spans.dedup();
        Ok(spans.into_iter().map(|span| TextEdit { span, text: new_name.to_string() }).collect())
    }

    fn check_capture(&self, id: usize, new_name: &str) -> Result<(), String> {
        let def = self.def(id);
        let conflict = |other: usize| {
            let o = self.def(other);
            Err(format!(
                "renaming to `{new_name}` would clash with the {:?} `{new_name}` at byte {}",
                o.kind, o.name_span.start
            )
            .to_lowercase())
        };
        if matches!(def.kind, DefKind::Field | DefKind::Method | DefKind::Variant) {
            let owner = def.container.as_deref().unwrap_or("");
            if let Some(&o) = self.index.members_of(owner).iter().find(|&&m| self.def(m).name == new_name) {
                return conflict(o);
            }
            return Ok(());
        }
        // A use of the renamed symbol must not start meaning another definition.
        let sites = self.index.refs_to(id).map(|r| r.span.start).chain([def.name_span.end]);
        for site in sites {
            if let Some(other) = self.index.lookup_at(site, new_name) {
                if other != id {
                    return conflict(other);
                }
            }
        }
        // A use of another definition must not start meaning the renamed one.
        let scope = self.index.scopes.iter().filter(|s| s.defs.contains(&id)).map(|s| s.span).next();
        for r in &self.index.refs {
            let other = self.def(r.def);
            let inside = scope.is_some_and(|s| s.start <= r.span.start && r.span.end <= s.end);
            let after =
                def.file.is_none() && (def.kind == DefKind::Global || r.span.start >= def.name_span.end);
            if other.name == new_name && r.def != id && inside && after {
                return conflict(r.def);
            }
        }
        Ok(())
    }
}
