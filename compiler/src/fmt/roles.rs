//! What the syntax tree says about tokens whose spacing depends on their role.
//!
//! A token alone does not say whether `-` is unary or binary, whether `|` opens a closure
//! or is a bitwise or, or whether `<` compares or opens generic arguments. The formatter
//! asks [`Roles`], built here by one walk over the tree, keyed by token start offsets.
//! This module reads the tree and the token list; it emits no text.

use crate::syntax::ast::*;
use crate::syntax::span::Span;
use crate::syntax::token::TokenKind;
use std::collections::HashSet;

/// Token roles found in the tree, keyed by the token's start offset.
#[derive(Debug, Default)]
pub(crate) struct Roles {
    /// Prefix operators (`-x`, `!x`, `~x`, negative literals): no space after.
    pub prefix: HashSet<u32>,
    /// The `|` or `||` that opens a closure's parameter list.
    pub closure_open: HashSet<u32>,
    /// The `|` that closes a closure's parameter list.
    pub closure_close: HashSet<u32>,
    /// `{` that opens the body of a declaration or control construct: it belongs at the
    /// end of the line before it (attached braces).
    pub attach: HashSet<u32>,
    /// Tokens that, first on a line, are indented once more (`require`/`ensure` clauses).
    pub continuation: HashSet<u32>,
    /// Type annotations and generic parameter lists, where `<`, `>`, `|`, `~`, `*` are tight.
    pub types: Vec<Span>,
}

impl Roles {
    pub(crate) fn in_type(&self, offset: u32) -> bool {
        let i = self.types.partition_point(|s| s.end <= offset);
        self.types.get(i).is_some_and(|s| s.start <= offset)
    }
}

/// Walks `program` and classifies the tokens of `src` (`tokens` in source order).
pub(crate) fn collect(program: &Program, src: &str, tokens: &[(TokenKind, Span)]) -> Roles {
    let mut w = Walker { src, tokens, roles: Roles::default() };
    for item in &program.items {
        w.item(item);
    }
    w.roles.types.sort();
    // Nested type spans (generic arguments) are covered by their parent; keep the outer.
    let mut merged: Vec<Span> = Vec::new();
    for s in std::mem::take(&mut w.roles.types) {
        match merged.last_mut() {
            Some(last) if s.start < last.end => last.end = last.end.max(s.end),
            _ => merged.push(s),
        }
    }
    w.roles.types = merged;
    w.roles
}

struct Walker<'a> {
    src: &'a str,
    tokens: &'a [(TokenKind, Span)],
    roles: Roles,
}

impl Walker<'_> {
    /// The first token of `kind` starting at or after `offset`.
    fn next_token(&self, offset: u32, kind: TokenKind) -> Option<Span> {
        let i = self.tokens.partition_point(|(_, s)| s.start < offset);
        self.tokens[i..].iter().find(|(k, _)| *k == kind).map(|(_, s)| *s)
    }

    /// The last token of `kind` in `[from, to)`.
    fn last_token_in(&self, from: u32, to: u32, kind: TokenKind) -> Option<Span> {
        let lo = self.tokens.partition_point(|(_, s)| s.start < from);
        let hi = self.tokens.partition_point(|(_, s)| s.start < to);
        self.tokens[lo..hi].iter().rev().find(|(k, _)| *k == kind).map(|(_, s)| *s)
    }

    fn attach_block(&mut self, block: &Block) {
        if self.src.as_bytes().get(block.span.start as usize) == Some(&b'{') {
            self.roles.attach.insert(block.span.start);
        }
    }

    fn attach_next_brace(&mut self, offset: u32) {
        if let Some(s) = self.next_token(offset, TokenKind::LBrace) {
            self.roles.attach.insert(s.start);
        }
    }

    /// Marks `<...>` after a declaration's name as a type range.
    fn generics(&mut self, name: &Ident, params: &[Ident]) {
        if let Some(last) = params.last() {
            if let Some(gt) = self.next_token(last.span.end, TokenKind::Gt) {
                self.roles.types.push(Span::new(name.span.start, gt.end));
            }
        }
    }

    fn ty(&mut self, ty: &Option<TypeExpr>) {
        if let Some(t) = ty {
            self.roles.types.push(t.span);
        }
    }

    fn item(&mut self, item: &Item) {
        match &item.kind {
            ItemKind::Fn(f) => self.fn_decl(f),
            ItemKind::Struct(s) => {
                self.generics(&s.name, &s.type_params);
                self.attach_next_brace(s.name.span.end);
                for f in &s.fields {
                    self.ty(&f.ty);
                }
            }
            ItemKind::Enum(e) => {
                self.generics(&e.name, &e.type_params);
                self.attach_next_brace(e.name.span.end);
                for v in &e.variants {
                    for t in v.payload.iter().flatten() {
                        self.roles.types.push(t.span);
                    }
                }
            }
            ItemKind::Trait(t) => {
                self.attach_next_brace(t.name.span.end);
                for m in &t.methods {
                    self.params(&m.params);
                    self.ty(&m.ret);
                    if let Some(b) = &m.body {
                        self.attach_block(b);
                        self.block(b);
                    }
                }
            }
            ItemKind::Impl(i) => {
                self.attach_next_brace(i.type_name.span.end);
                for m in &i.methods {
                    self.fn_decl(m);
                }
            }
            ItemKind::Test(t) => {
                self.attach_block(&t.body);
                self.block(&t.body);
            }
            ItemKind::Stmt(s) => self.stmt(s),
        }
    }

    fn fn_decl(&mut self, f: &FnDecl) {
        self.generics(&f.name, &f.type_params);
        self.params(&f.params);
        self.ty(&f.ret);
        for c in &f.contracts {
            self.roles.continuation.insert(c.span.start);
            self.expr(&c.cond);
            if let Some(m) = &c.message {
                self.expr(m);
            }
        }
        // With contracts the body's brace goes on its own line, under the clauses.
        if f.contracts.is_empty() {
            self.attach_block(&f.body);
        }
        self.block(&f.body);
    }

    fn params(&mut self, params: &[Param]) {
        for p in params {
            self.ty(&p.ty);
            if let Some(d) = &p.default {
                self.expr(d);
            }
        }
    }

    fn block(&mut self, b: &Block) {
        for s in &b.stmts {
            self.stmt(s);
        }
    }

    fn body(&mut self, b: &Block) {
        self.attach_block(b);
        self.block(b);
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Let { ty, value, .. } => {
                self.ty(ty);
                self.expr(value);
            }
            StmtKind::Assign { target, value } | StmtKind::CompoundAssign { target, value, .. } => {
                self.expr(target);
                self.expr(value);
            }
            StmtKind::Expr(e) | StmtKind::Return(Some(e)) => self.expr(e),
            StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue | StmtKind::Import(_) => {}
            StmtKind::For { iter, body, .. } => {
                self.expr(iter);
                self.body(body);
            }
            StmtKind::While { cond, body } => {
                self.expr(cond);
                self.body(body);
            }
            StmtKind::Loop { body } | StmtKind::Defer { body } => self.body(body),
            StmtKind::Item(item) => self.item(item),
        }
    }

    fn exprs(&mut self, es: &[Expr]) {
        for e in es {
            self.expr(e);
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Int(_) | ExprKind::Float(_) => {
                if self.src.as_bytes().get(e.span.start as usize) == Some(&b'-') {
                    self.roles.prefix.insert(e.span.start);
                }
            }
            ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Nil
            | ExprKind::Unit
            | ExprKind::Ident(_)
            | ExprKind::Interp(_) => {}
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Range { start, end } => {
                self.expr(start);
                self.expr(end);
            }
            ExprKind::Unary { operand, .. } => {
                self.roles.prefix.insert(e.span.start);
                self.expr(operand);
            }
            ExprKind::Call { callee, args } => {
                self.expr(callee);
                self.exprs(args);
            }
            ExprKind::MethodCall { recv, args, .. } => {
                self.expr(recv);
                self.exprs(args);
            }
            ExprKind::Field { obj, .. } | ExprKind::TupleIndex { obj, .. } => self.expr(obj),
            ExprKind::Index { obj, index, .. } => {
                self.expr(obj);
                self.expr(index);
            }
            ExprKind::Try(inner)
            | ExprKind::Thaw(inner)
            | ExprKind::Clone(inner)
            | ExprKind::Sublimate(inner)
            | ExprKind::Spread(inner) => self.expr(inner),
            ExprKind::Array(es) | ExprKind::Tuple(es) => self.exprs(es),
            ExprKind::Map(entries) => {
                for m in entries {
                    self.expr(&m.value);
                }
            }
            ExprKind::StructLit { fields, .. } => {
                for f in fields {
                    if let Some(v) = &f.value {
                        self.expr(v);
                    }
                }
            }
            ExprKind::Path { args, .. } => self.exprs(args.as_deref().unwrap_or(&[])),
            ExprKind::If { cond, then, else_ } => {
                self.expr(cond);
                self.body(then);
                if let Some(e) = else_ {
                    if let ExprKind::Block(b) = &e.kind {
                        self.attach_block(b);
                    }
                    self.expr(e);
                }
            }
            ExprKind::Block(b) | ExprKind::Forge(b) | ExprKind::Scope(b) | ExprKind::Spawn(b) => self.body(b),
            ExprKind::Closure { params, body, fn_syntax } => self.closure(e.span, params, body, *fn_syntax),
            ExprKind::Match { scrutinee, arms } => {
                self.expr(scrutinee);
                self.attach_next_brace(scrutinee.span.end);
                for arm in arms {
                    self.pattern(&arm.pattern);
                    if let Some(g) = &arm.guard {
                        self.expr(g);
                    }
                    self.expr(&arm.body);
                }
            }
            ExprKind::TryCatch { body, handler, .. } => {
                self.body(body);
                self.body(handler);
            }
            ExprKind::Freeze { target, contract, except } => {
                self.expr(target);
                if let Some(c) = contract {
                    self.expr(c);
                }
                self.exprs(except.as_deref().unwrap_or(&[]));
            }
            ExprKind::Anneal { target, closure } => {
                self.expr(target);
                self.expr(closure);
            }
            ExprKind::Crystallize { target, body } | ExprKind::Borrow { target, body } => {
                self.expr(target);
                self.body(body);
            }
            ExprKind::Select(arms) => {
                self.attach_next_brace(e.span.start);
                for arm in arms {
                    match &arm.kind {
                        SelectArmKind::Recv { channel, .. } => self.expr(channel),
                        SelectArmKind::Timeout(t) => self.expr(t),
                        SelectArmKind::Default => {}
                    }
                    self.body(&arm.body);
                }
            }
        }
    }

    fn closure(&mut self, span: Span, params: &[Param], body: &Expr, fn_syntax: bool) {
        self.params(params);
        if !fn_syntax {
            self.roles.closure_open.insert(span.start);
            if let Some(close) = self.last_token_in(span.start + 1, body.span.start, TokenKind::Pipe) {
                self.roles.closure_close.insert(close.start);
            }
        }
        if let ExprKind::Block(b) = &body.kind {
            self.attach_block(b);
        }
        self.expr(body);
    }

    fn pattern(&mut self, p: &Pattern) {
        match &p.kind {
            PatternKind::Literal(e) => self.expr(e),
            PatternKind::Range { start, end } => {
                self.expr(start);
                self.expr(end);
            }
            PatternKind::Array { elems, .. } => {
                for q in elems {
                    self.pattern(q);
                }
            }
            PatternKind::Struct { fields } => {
                for q in fields.iter().filter_map(|(_, q)| q.as_ref()) {
                    self.pattern(q);
                }
            }
            PatternKind::Variant { payload, .. } => {
                for q in payload.iter().flatten() {
                    self.pattern(q);
                }
            }
            PatternKind::Wildcard | PatternKind::Binding(_) => {}
        }
    }
}
