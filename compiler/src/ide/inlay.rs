//! Inlay hints: parameter names before the arguments of calls to known functions, and the
//! phase a `let` binding's value evidently has (`let x = freeze(y)` shows `: crystal`).

use super::Analysis;
use crate::syntax::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InlayKind {
    /// Shown before an argument: `name:`.
    Parameter,
    /// Shown after a binding's name: `: crystal`.
    Phase,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlayHint {
    pub offset: u32,
    pub label: String,
    pub kind: InlayKind,
}

/// A parameter's bare name from its text (`...rest: [Int] = x` gives `rest`).
fn param_name(text: &str) -> &str {
    let text = text.trim_start_matches("...");
    let end = text.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(text.len());
    &text[..end]
}

impl Analysis {
    /// The hints whose position lies in `range`.
    pub fn inlay_hints(&self, range: Span) -> Vec<InlayHint> {
        let inside = |o: u32| range.start <= o && o <= range.end;
        let mut out = Vec::new();
        for (callee, method, args) in &self.index.calls {
            let params = &self.def(*callee).params;
            let skip = usize::from(*method && params.first().is_some_and(|p| p == "self"));
            for ((span, ident), param) in args.iter().zip(params.iter().skip(skip)) {
                let name = param_name(param);
                let variadic = param.starts_with("...");
                if name.is_empty() || ident.as_deref() == Some(name) || !inside(span.start) {
                    continue;
                }
                out.push(InlayHint {
                    offset: span.start,
                    label: format!("{name}:"),
                    kind: InlayKind::Parameter,
                });
                if variadic {
                    break;
                }
            }
        }
        for &(offset, phase) in &self.index.phase_hints {
            if inside(offset) {
                out.push(InlayHint { offset, label: format!(": {phase}"), kind: InlayKind::Phase });
            }
        }
        out.sort_by_key(|h| h.offset);
        out
    }
}
