//! Go to definition, find references, document highlight and rename, all from the
//! resolver's index.
//!
//! Each answer covers one file. Across files, the server asks every file that may see a
//! definition for its own uses ([`Analysis::defs_declared_at`], [`Analysis::uses_of`],
//! [`Analysis::rename_def`]): a definition is the same in two analyses when it is
//! declared at the same span of the same file.

use super::{Analysis, DefId, DefKind, FileSpan};
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
        self.rename_def(&[id], new_name)
    }

    /// The definition under the cursor and the range of the name there, wherever the
    /// definition lives.
    pub fn symbol_at(&self, offset: u32) -> Option<(DefId, Span)> {
        self.index.at(offset)
    }

    /// The definitions of this analysis declared at `span` of `file` (`None`: this file;
    /// otherwise an import path as written here). A file imported twice has two.
    pub fn defs_declared_at(&self, file: Option<&str>, span: Span) -> Vec<DefId> {
        let same = |d: &super::Def| d.file.as_deref() == file && d.name_span == span;
        self.index.defs.iter().enumerate().filter(|(_, d)| same(d)).map(|(i, _)| i).collect()
    }

    /// The uses in this file of any of `ids`, with the declarations made in this file when
    /// asked, in text order.
    pub fn uses_of(&self, ids: &[DefId], include_declaration: bool) -> Vec<Span> {
        let mut spans: Vec<Span> =
            self.index.refs.iter().filter(|r| ids.contains(&r.def)).map(|r| r.span).collect();
        if include_declaration {
            spans.extend(ids.iter().map(|&d| self.def(d)).filter(|d| d.file.is_none()).map(|d| d.name_span));
        }
        spans.sort();
        spans.dedup();
        spans
    }

    /// The edits in this file renaming the definitions `ids` (one symbol, possibly
    /// declared in another file) to `new_name`, after the same checks as [`Self::rename`].
    pub fn rename_def(&self, ids: &[DefId], new_name: &str) -> Result<Vec<TextEdit>, String> {
        let tokens = crate::tokenize(new_name);
        if tokens.len() != 1
            || tokens[0].0 != TokenKind::Ident
            || tokens[0].1.len() as usize != new_name.len()
        {
            return Err(format!("`{new_name}` is not a valid name"));
        }
        if ids.iter().all(|&id| self.def(id).name == new_name) {
            return Ok(Vec::new());
        }
        for &id in ids {
            self.check_capture(id, new_name)?;
        }
        let edits =
            self.uses_of(ids, true).into_iter().map(|span| TextEdit { span, text: new_name.to_string() });
        Ok(edits.collect())
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
        // (An imported definition's own span is in another file, which answers for it.)
        let declared_here = def.file.is_none().then_some(def.name_span.end);
        let sites = self.index.refs_to(id).map(|r| r.span.start).chain(declared_here);
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
            // An imported name is visible in the whole file, as a global is.
            let after =
                def.file.is_some() || def.kind == DefKind::Global || r.span.start >= def.name_span.end;
            if other.name == new_name && r.def != id && inside && after {
                return conflict(r.def);
            }
        }
        Ok(())
    }
}
