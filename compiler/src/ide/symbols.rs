//! The outline of a file (document symbols), the symbols matching a workspace-wide query,
//! and folding ranges.
//!
//! Symbols come from the tree; folds come from the tokens and comments, so an unfinished
//! file still folds where its brackets match.

use super::resolve::DefKind;
use super::Analysis;
use crate::fmt::trivia::{self, Trivia};
use crate::syntax::ast::{BindTarget, Item, ItemKind, StmtKind};
use crate::syntax::span::{LineIndex, Span};
use crate::syntax::token::TokenKind;

/// An entry of the outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub kind: DefKind,
    pub detail: Option<String>,
    pub span: Span,
    pub name_span: Span,
    pub children: Vec<Symbol>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FoldKind {
    Region,
    Comment,
    Imports,
}

/// A foldable range; it starts and ends on different lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fold {
    pub span: Span,
    pub kind: FoldKind,
}

/// A symbol matching a workspace symbol query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolMatch {
    pub name: String,
    pub kind: DefKind,
    /// The name of the item it is declared in (a struct, enum, trait or impl).
    pub container: Option<String>,
    pub name_span: Span,
    /// Lower is better; see [`match_score`].
    pub score: u32,
}

/// How well `name` matches a workspace symbol `query`, ignoring case; lower is better and
/// `None` is no match: the same name, then a prefix, then a substring, then the query's
/// characters in order with gaps (fewer gaps first). An empty query matches everything.
pub fn match_score(query: &str, name: &str) -> Option<u32> {
    let (q, n) = (query.to_lowercase(), name.to_lowercase());
    if q == n {
        return Some(0);
    }
    if n.starts_with(&q) {
        return Some(1);
    }
    if let Some(at) = n.find(&q) {
        return Some(100 + at as u32);
    }
    let mut gaps = 0u32;
    let mut rest = n.chars();
    for c in q.chars() {
        let mut skipped = 0;
        loop {
            match rest.next() {
                Some(x) if x == c => break,
                Some(_) => skipped += 1,
                None => return None,
            }
        }
        gaps += u32::from(skipped > 0);
    }
    Some(1000 + gaps)
}

fn leaf(name: &str, kind: DefKind, span: Span, name_span: Span) -> Symbol {
    Symbol { name: name.to_string(), kind, detail: None, span, name_span, children: Vec::new() }
}

impl Analysis {
    /// A file parsed for its outline only, without checks or resolution: enough for
    /// [`Self::matching_symbols`] on files that are not open.
    pub fn outline_only(src: &str) -> Analysis {
        let (program, diagnostics) = crate::parse(src);
        Analysis {
            src: src.to_string(),
            program,
            diagnostics,
            index: Default::default(),
            tokens: Vec::new(),
            files: Default::default(),
        }
    }

    /// The symbols of this file, members included, whose name matches `query`, best first.
    pub fn matching_symbols(&self, query: &str) -> Vec<SymbolMatch> {
        fn walk(syms: Vec<Symbol>, container: Option<&str>, query: &str, out: &mut Vec<SymbolMatch>) {
            for s in syms {
                // An impl's outline entry is named `impl T`; its methods belong to `T`.
                let name = s.name.strip_prefix("impl ").map(|t| t.rsplit(" for ").next().unwrap_or(t));
                if let (None, Some(score)) = (name, match_score(query, &s.name)) {
                    let container = container.map(str::to_string);
                    out.push(SymbolMatch {
                        name: s.name.clone(),
                        kind: s.kind,
                        container,
                        name_span: s.name_span,
                        score,
                    });
                }
                let inner = name.unwrap_or(&s.name).to_string();
                walk(s.children, Some(&inner), query, out);
            }
        }
        let mut out = Vec::new();
        walk(self.document_symbols(), None, query, &mut out);
        out.sort_by(|a, b| (a.score, &a.name, a.name_span.start).cmp(&(b.score, &b.name, b.name_span.start)));
        out
    }

    pub fn document_symbols(&self) -> Vec<Symbol> {
        let Some(program) = &self.program else { return Vec::new() };
        program.items.iter().filter_map(|i| self.item_symbol(i)).collect()
    }

    fn item_symbol(&self, item: &Item) -> Option<Symbol> {
        let span = item.span;
        let sym = match &item.kind {
            ItemKind::Fn(f) => {
                let mut s = leaf(&f.name.name, DefKind::Function, span, f.name.span);
                s.detail = Some(format!(
                    "({})",
                    f.params.iter().map(|p| self.text(p.span)).collect::<Vec<_>>().join(", ")
                ));
                s
            }
            ItemKind::Struct(st) => {
                let mut s = leaf(&st.name.name, DefKind::Struct, span, st.name.span);
                s.children = st
                    .fields
                    .iter()
                    .map(|f| leaf(&f.name.name, DefKind::Field, f.span, f.name.span))
                    .collect();
                s
            }
            ItemKind::Enum(e) => {
                let mut s = leaf(&e.name.name, DefKind::Enum, span, e.name.span);
                s.children = e
                    .variants
                    .iter()
                    .map(|v| leaf(&v.name.name, DefKind::Variant, v.span, v.name.span))
                    .collect();
                s
            }
            ItemKind::Trait(t) => {
                let mut s = leaf(&t.name.name, DefKind::Trait, span, t.name.span);
                s.children = t
                    .methods
                    .iter()
                    .map(|m| leaf(&m.name.name, DefKind::Method, m.span, m.name.span))
                    .collect();
                s
            }
            ItemKind::Impl(i) => {
                let name = match &i.trait_name {
                    Some(t) => format!("impl {} for {}", t.name, i.type_name.name),
                    None => format!("impl {}", i.type_name.name),
                };
                let mut s = leaf(&name, DefKind::Struct, span, i.type_name.span);
                s.children = i
                    .methods
                    .iter()
                    .map(|m| leaf(&m.name.name, DefKind::Method, m.span, m.name.span))
                    .collect();
                s
            }
            ItemKind::Test(t) => leaf(&format!("test \"{}\"", t.name), DefKind::Function, span, t.name_span),
            ItemKind::Stmt(stmt) => match &stmt.kind {
                StmtKind::Let { target: BindTarget::Name(n), kind, .. } => {
                    let mut s = leaf(&n.name, DefKind::Global, span, n.span);
                    s.detail = Some(format!("{kind:?}").to_lowercase());
                    s
                }
                StmtKind::Item(inner) => return self.item_symbol(inner),
                _ => return None,
            },
        };
        Some(sym)
    }

    pub fn folding_ranges(&self) -> Vec<Fold> {
        let lines = LineIndex::new(&self.src);
        let line = |o: u32| lines.line(o);
        let mut out = Vec::new();
        let mut open: Vec<u32> = Vec::new();
        for &(kind, span) in &self.tokens {
            match kind {
                TokenKind::LBrace | TokenKind::LBracket | TokenKind::LParen => open.push(span.start),
                TokenKind::RBrace | TokenKind::RBracket | TokenKind::RParen => {
                    if let Some(start) = open.pop() {
                        if line(start) < line(span.start) {
                            out.push(Fold { span: Span::new(start, span.end), kind: FoldKind::Region });
                        }
                    }
                }
                _ => {}
            }
        }
        // Runs of line comments on consecutive lines; block comments over several lines.
        let mut run: Option<Span> = None;
        for (span, is_line) in self.comments() {
            if !is_line {
                if line(span.start) < line(span.end) {
                    out.push(Fold { span, kind: FoldKind::Comment });
                }
                continue;
            }
            run = match run {
                Some(r) if line(span.start) == line(r.end) + 1 => Some(r.to(span)),
                Some(r) => {
                    if line(r.start) < line(r.end) {
                        out.push(Fold { span: r, kind: FoldKind::Comment });
                    }
                    Some(span)
                }
                None => Some(span),
            };
        }
        if let Some(r) = run.filter(|r| line(r.start) < line(r.end)) {
            out.push(Fold { span: r, kind: FoldKind::Comment });
        }
        // Consecutive top-level imports.
        let imports = self.program.iter().flat_map(|p| &p.items).filter_map(|i| match &i.kind {
            ItemKind::Stmt(s) if matches!(s.kind, StmtKind::Import(_)) => Some(i.span),
            _ => None,
        });
        let mut group: Option<Span> = None;
        for span in imports.chain([Span::new(u32::MAX, u32::MAX)]) {
            group = match group {
                Some(g) if span.start != u32::MAX && line(span.start) <= line(g.end) + 1 => Some(g.to(span)),
                Some(g) => {
                    if line(g.start) < line(g.end) {
                        out.push(Fold { span: g, kind: FoldKind::Imports });
                    }
                    Some(span)
                }
                None => Some(span),
            };
        }
        out.sort_by_key(|f| (f.span.start, f.span.end));
        out
    }

    /// Every `//` and `/* */` comment (the lexer skips them), with whether it is a line
    /// comment.
    pub(crate) fn comments(&self) -> Vec<(Span, bool)> {
        let mut out = Vec::new();
        let mut prev_end = 0usize;
        let ends = self.tokens.iter().map(|(_, s)| (s.start as usize, s.end as usize));
        for (start, end) in ends.chain([(self.src.len(), self.src.len())]) {
            if start < prev_end {
                continue;
            }
            let gap = &self.src[prev_end..start];
            let mut search = 0;
            for piece in trivia::split(gap) {
                let (text, is_line) = match piece {
                    Trivia::Newline => continue,
                    Trivia::LineComment(t) => (t, true),
                    Trivia::BlockComment(t) => (t, false),
                };
                let at = search + gap[search..].find(text).unwrap_or(0);
                search = at + text.len();
                let s = (prev_end + at) as u32;
                out.push((Span::new(s, s + text.len() as u32), is_line));
            }
            prev_end = end;
        }
        out
    }
}
