//! Code actions: quick fixes the editor offers for a range of the file.
//!
//! Three fixes exist: "did you mean" for a name that resolves nowhere (the closest visible
//! definition or builtin, by the same edit distance the VM's runtime errors use), wrapping a
//! fluid binding in `freeze(..)` where it is sent on a channel (channels carry crystal
//! values only, R9), and `fix`/`flux` for a `let` that strict mode refuses (E0200).
//! Each fix is plain edits in this file; the server turns them into a workspace edit.
//! The likely typos are also reported as warnings (E0901), which the checks cannot do:
//! only the editor guesses at names Lattice resolves at run time.
//! No fix runs the checks again: an action is offered, never applied, here.

use super::builtins::{builtin, BUILTINS};
use super::navigation::TextEdit;
use super::resolve::DefKind;
use super::Analysis;
use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{BindingKind, ItemKind, Stmt, StmtKind};
use crate::syntax::span::Span;

/// One quick fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    /// Edits of this file, not overlapping.
    pub edits: Vec<TextEdit>,
    /// The diagnostic it fixes.
    pub diagnostic: Option<Diagnostic>,
    /// The fix an editor may apply without asking (at most one per problem).
    pub preferred: bool,
}

impl Analysis {
    /// The quick fixes for problems that touch `range` (an empty range is a cursor).
    /// `is_native` tells the names the embedder defines at run time (the standard library's
    /// natives), which are not typos even though nothing in the source defines them.
    pub fn code_actions(&self, range: Span, is_native: &dyn Fn(&str) -> bool) -> Vec<CodeAction> {
        let mut out = Vec::new();
        self.strict_let_fixes(range, &mut out);
        self.did_you_mean_fixes(range, is_native, &mut out);
        self.freeze_before_send_fixes(range, &mut out);
        out
    }

    /// E0200: `let` in strict mode becomes `fix`, or `flux` when the binding is written
    /// later (assigned, assigned through, or changed by a method such as `push`).
    fn strict_let_fixes(&self, range: Span, out: &mut Vec<CodeAction>) {
        for d in &self.diagnostics {
            let kw = d.primary.span;
            if d.code != "E0200" || !touches(kw, range) || self.text(kw) != "let" {
                continue;
            }
            let bound = self.index.defs.iter().enumerate().filter(|(_, def)| {
                def.file.is_none()
                    && def.phase == Some(BindingKind::Let)
                    && matches!(def.kind, DefKind::Local | DefKind::Global)
                    && def.full_span.start == kw.start
            });
            let written = bound.into_iter().any(|(id, _)| self.index.refs_to(id).any(|r| r.write));
            let (first, second) = if written { ("flux", "fix") } else { ("fix", "flux") };
            for (word, preferred) in [(first, true), (second, false)] {
                out.push(CodeAction {
                    title: format!("Use `{word}` instead of `let`"),
                    edits: vec![TextEdit { span: kw, text: word.to_string() }],
                    diagnostic: Some(d.clone()),
                    preferred,
                });
            }
        }
    }

    /// A name defined nowhere that is close to one that is visible there.
    fn did_you_mean_fixes(&self, range: Span, is_native: &dyn Fn(&str) -> bool, out: &mut Vec<CodeAction>) {
        for (span, name, better) in self.likely_typos(is_native) {
            if !touches(span, range) {
                continue;
            }
            out.push(CodeAction {
                title: format!("Change `{name}` to `{better}`"),
                edits: vec![TextEdit { span, text: better.to_string() }],
                diagnostic: Some(typo_diagnostic(span, name, better)),
                preferred: false,
            });
        }
    }

    /// E0901, a warning for each of [`Self::likely_typos`]: the compiler itself cannot
    /// tell (names are resolved at run time), the editor can guess.
    pub fn typo_diagnostics(&self, is_native: &dyn Fn(&str) -> bool) -> Vec<Diagnostic> {
        self.likely_typos(is_native)
            .into_iter()
            .map(|(span, name, better)| typo_diagnostic(span, name, better))
            .collect()
    }

    /// Names that resolve nowhere, are no builtin or native, and are close to a name
    /// visible where they are used: each with its span and the likely intended name.
    /// `Type::member` of an unknown type is left alone: it names a builtin type
    /// (`Map::new`), whose statics the IDE does not list.
    /// Nothing is a typo in a file with an import that could not be read (or names a
    /// built-in module): it may define any name.
    pub fn likely_typos(&self, is_native: &dyn Fn(&str) -> bool) -> Vec<(Span, &str, &str)> {
        let mut out = Vec::new();
        let imports = self.program.iter().flat_map(|p| &p.items).filter_map(|i| match &i.kind {
            ItemKind::Stmt(Stmt { kind: StmtKind::Import(import), .. }) => Some(import.path.as_str()),
            _ => None,
        });
        if imports.into_iter().any(|path| !self.files.contains_key(path)) {
            return out;
        }
        for (span, name) in &self.index.unresolved {
            let static_call = self.src.get(span.end as usize..).is_some_and(|rest| rest.starts_with("::"));
            if builtin(name).is_some() || is_native(name) || static_call {
                continue;
            }
            let visible = self.index.visible_at(span.start);
            let names =
                visible.iter().map(|&d| self.def(d).name.as_str()).chain(BUILTINS.iter().map(|b| b.name));
            if let Some(better) = lattice_vm::suggest::closest(name, names) {
                out.push((*span, name.as_str(), better));
            }
        }
        out
    }

    /// `ch.send(x)` where `x` is a fluid binding not frozen before: send `freeze(x)`.
    fn freeze_before_send_fixes(&self, range: Span, out: &mut Vec<CodeAction>) {
        for &(span, id) in &self.index.sends {
            if !touches(span, range) || !self.is_fluid_binding(id) {
                continue;
            }
            let frozen_before = self.index.freezes.iter().any(|&(f, d)| d == id && f.start < span.start);
            if frozen_before {
                continue;
            }
            let name = &self.def(id).name;
            out.push(CodeAction {
                title: format!("Freeze `{name}` before sending it"),
                edits: vec![TextEdit { span, text: format!("freeze({name})") }],
                diagnostic: None,
                preferred: true,
            });
        }
    }

    /// A `flux` binding, or a `let` bound to a `thaw(..)`.
    fn is_fluid_binding(&self, id: usize) -> bool {
        let def = self.def(id);
        match def.phase {
            Some(BindingKind::Flux) => true,
            Some(BindingKind::Let) => {
                self.index.phase_hints.iter().any(|&(end, p)| end == def.name_span.end && p == "fluid")
            }
            _ => false,
        }
    }
}

fn typo_diagnostic(span: Span, name: &str, better: &str) -> Diagnostic {
    Diagnostic::warning("E0901", format!("unknown name '{name}'"), span)
        .with_label("defined nowhere in this file or its imports")
        .with_help(format!("did you mean `{better}`?"))
}

/// Whether two spans overlap or meet (a cursor at either end of a name touches it).
fn touches(a: Span, b: Span) -> bool {
    a.start <= b.end && b.start <= a.end
}
