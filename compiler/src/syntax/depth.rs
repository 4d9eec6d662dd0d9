//! The depth of a syntax tree, measured with a cutoff.
//!
//! The parser uses this to keep every tree it builds within `parser::MAX_DEPTH` levels.
//! Each function returns the depth of its node counted in tree levels (expressions,
//! statements, blocks, items, patterns and types count one each), but never more than
//! `limit`: it stops descending there, so the recursion here is bounded by `limit` too,
//! whatever the tree.

use crate::syntax::ast::*;
use crate::syntax::span::Span;
use std::collections::HashMap;

/// The depth of `expr`, or `limit` if it is at least that deep.
pub fn expr_depth(expr: &Expr, limit: u32) -> u32 {
    Walker::default().expr(expr, limit)
}

/// The depth of a whole program, or `limit` if it is at least that deep.
pub fn program_depth(program: &Program, limit: u32) -> u32 {
    Walker::default().program(program, limit)
}

/// Measures trees. With a memo, each block's depth is computed once and then looked up
/// by its span: the parser measures every operand it folds, and without the memo a block
/// nested `n` levels deep would be walked `n` times.
#[derive(Default)]
pub struct Walker<'m> {
    pub memo: Option<&'m mut HashMap<Span, u32>>,
}

impl Walker<'_> {
    /// The depth of `expr`, or `limit` if it is at least that deep.
    pub fn expr(&mut self, expr: &Expr, limit: u32) -> u32 {
        if limit <= 1 {
            return limit;
        }
        let l = limit - 1;
        let inner = match &expr.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Nil
            | ExprKind::Unit
            | ExprKind::Ident(_) => 0,
            ExprKind::Interp(parts) => parts
                .iter()
                .map(|p| match p {
                    StrPart::Lit(_) => 0,
                    StrPart::Expr(e) => self.expr(e, l),
                })
                .max()
                .unwrap_or(0),
            ExprKind::Binary { lhs, rhs, .. } => self.expr(lhs, l).max(self.expr(rhs, l)),
            ExprKind::Range { start, end } => self.expr(start, l).max(self.expr(end, l)),
            ExprKind::Unary { operand, .. } => self.expr(operand, l),
            ExprKind::Call { callee, args } => self.expr(callee, l).max(self.exprs(args, l)),
            ExprKind::MethodCall { recv, args, .. } => self.expr(recv, l).max(self.exprs(args, l)),
            ExprKind::Field { obj, .. } | ExprKind::TupleIndex { obj, .. } => self.expr(obj, l),
            ExprKind::Index { obj, index, .. } => self.expr(obj, l).max(self.expr(index, l)),
            ExprKind::Try(e)
            | ExprKind::Spread(e)
            | ExprKind::Thaw(e)
            | ExprKind::Clone(e)
            | ExprKind::Sublimate(e) => self.expr(e, l),
            ExprKind::Array(items) | ExprKind::Tuple(items) => self.exprs(items, l),
            ExprKind::Map(entries) => entries.iter().map(|m| self.expr(&m.value, l)).max().unwrap_or(0),
            ExprKind::StructLit { fields, .. } => {
                fields.iter().filter_map(|f| f.value.as_ref()).map(|v| self.expr(v, l)).max().unwrap_or(0)
            }
            ExprKind::Path { args, .. } => args.as_ref().map_or(0, |a| self.exprs(a, l)),
            ExprKind::If { cond, then, else_ } => {
                let e = else_.as_ref().map_or(0, |e| self.expr(e, l));
                self.expr(cond, l).max(self.block(then, l)).max(e)
            }
            ExprKind::Block(b) | ExprKind::Forge(b) | ExprKind::Scope(b) | ExprKind::Spawn(b) => {
                self.block(b, l)
            }
            ExprKind::Closure { params, body, .. } => self.params(params, l).max(self.expr(body, l)),
            ExprKind::Match { scrutinee, arms } => {
                let arms = arms
                    .iter()
                    .map(|a| {
                        let g = a.guard.as_ref().map_or(0, |g| self.expr(g, l));
                        self.pattern(&a.pattern, l).max(g).max(self.expr(&a.body, l))
                    })
                    .max()
                    .unwrap_or(0);
                self.expr(scrutinee, l).max(arms)
            }
            ExprKind::TryCatch { body, handler, .. } => self.block(body, l).max(self.block(handler, l)),
            ExprKind::Freeze { target, contract, except } => {
                let c = contract.as_ref().map_or(0, |c| self.expr(c, l));
                let x = except.as_ref().map_or(0, |x| self.exprs(x, l));
                self.expr(target, l).max(c).max(x)
            }
            ExprKind::Anneal { target, closure } => self.expr(target, l).max(self.expr(closure, l)),
            ExprKind::Crystallize { target, body } | ExprKind::Borrow { target, body } => {
                self.expr(target, l).max(self.block(body, l))
            }
            ExprKind::Select(arms) => arms
                .iter()
                .map(|a| {
                    let k = match &a.kind {
                        SelectArmKind::Recv { channel, .. } => self.expr(channel, l),
                        SelectArmKind::Timeout(e) => self.expr(e, l),
                        SelectArmKind::Default => 0,
                    };
                    k.max(self.block(&a.body, l))
                })
                .max()
                .unwrap_or(0),
        };
        (inner + 1).min(limit)
    }

    fn exprs(&mut self, items: &[Expr], limit: u32) -> u32 {
        items.iter().map(|e| self.expr(e, limit)).max().unwrap_or(0)
    }

    fn params(&mut self, params: &[Param], limit: u32) -> u32 {
        params
            .iter()
            .map(|p| {
                let d = p.default.as_ref().map_or(0, |d| self.expr(d, limit));
                d.max(p.ty.as_ref().map_or(0, |t| self.ty(t, limit)))
            })
            .max()
            .unwrap_or(0)
    }

    /// The depth of a block, or `limit` if it is at least that deep.
    pub fn block(&mut self, block: &Block, limit: u32) -> u32 {
        if limit <= 1 {
            return limit;
        }
        if let Some(&known) = self.memo.as_ref().and_then(|m| m.get(&block.span)) {
            return known.min(limit);
        }
        let inner = block.stmts.iter().map(|s| self.stmt(s, limit - 1)).max().unwrap_or(0);
        let depth = (inner + 1).min(limit);
        // Only an exact depth may be remembered; one cut off at `limit` is a lower bound.
        if depth < limit {
            if let Some(memo) = self.memo.as_mut() {
                memo.insert(block.span, depth);
            }
        }
        depth
    }

    /// The depth of a statement, or `limit` if it is at least that deep.
    pub fn stmt(&mut self, stmt: &Stmt, limit: u32) -> u32 {
        if limit <= 1 {
            return limit;
        }
        let l = limit - 1;
        let inner = match &stmt.kind {
            StmtKind::Let { ty, value, .. } => {
                self.expr(value, l).max(ty.as_ref().map_or(0, |t| self.ty(t, l)))
            }
            StmtKind::Assign { target, value } | StmtKind::CompoundAssign { target, value, .. } => {
                self.expr(target, l).max(self.expr(value, l))
            }
            StmtKind::Expr(e) => self.expr(e, l),
            StmtKind::Return(e) => e.as_ref().map_or(0, |e| self.expr(e, l)),
            StmtKind::Break | StmtKind::Continue | StmtKind::Import(_) => 0,
            StmtKind::For { iter, body, .. } => self.expr(iter, l).max(self.block(body, l)),
            StmtKind::While { cond, body } => self.expr(cond, l).max(self.block(body, l)),
            StmtKind::Loop { body } | StmtKind::Defer { body } => self.block(body, l),
            StmtKind::Item(item) => self.item(item, l),
        };
        (inner + 1).min(limit)
    }

    /// The depth of an item, or `limit` if it is at least that deep.
    pub fn item(&mut self, item: &Item, limit: u32) -> u32 {
        if limit <= 1 {
            return limit;
        }
        let l = limit - 1;
        let inner = match &item.kind {
            ItemKind::Fn(f) => self.fn_decl(f, l),
            ItemKind::Struct(s) => {
                s.fields.iter().filter_map(|f| f.ty.as_ref()).map(|t| self.ty(t, l)).max().unwrap_or(0)
            }
            ItemKind::Enum(e) => e
                .variants
                .iter()
                .filter_map(|v| v.payload.as_ref())
                .flatten()
                .map(|t| self.ty(t, l))
                .max()
                .unwrap_or(0),
            ItemKind::Trait(t) => t
                .methods
                .iter()
                .map(|m| {
                    let body = m.body.as_ref().map_or(0, |b| self.block(b, l));
                    body.max(self.params(&m.params, l))
                })
                .max()
                .unwrap_or(0),
            ItemKind::Impl(i) => i.methods.iter().map(|f| self.fn_decl(f, l)).max().unwrap_or(0),
            ItemKind::Test(t) => self.block(&t.body, l),
            ItemKind::Stmt(s) => self.stmt(s, l),
        };
        (inner + 1).min(limit)
    }

    fn fn_decl(&mut self, f: &FnDecl, limit: u32) -> u32 {
        let contracts = f
            .contracts
            .iter()
            .map(|c| self.expr(&c.cond, limit).max(c.message.as_ref().map_or(0, |m| self.expr(m, limit))))
            .max()
            .unwrap_or(0);
        let ret = f.ret.as_ref().map_or(0, |t| self.ty(t, limit));
        self.block(&f.body, limit).max(self.params(&f.params, limit)).max(contracts).max(ret)
    }

    /// The depth of a pattern, or `limit` if it is at least that deep.
    pub fn pattern(&mut self, pattern: &Pattern, limit: u32) -> u32 {
        if limit <= 1 {
            return limit;
        }
        let l = limit - 1;
        let inner = match &pattern.kind {
            PatternKind::Wildcard | PatternKind::Binding(_) => 0,
            PatternKind::Literal(e) => self.expr(e, l),
            PatternKind::Range { start, end } => self.expr(start, l).max(self.expr(end, l)),
            PatternKind::Array { elems, .. } => elems.iter().map(|p| self.pattern(p, l)).max().unwrap_or(0),
            PatternKind::Struct { fields } => {
                fields.iter().filter_map(|(_, p)| p.as_ref()).map(|p| self.pattern(p, l)).max().unwrap_or(0)
            }
            PatternKind::Variant { payload, .. } => {
                payload.iter().flatten().map(|p| self.pattern(p, l)).max().unwrap_or(0)
            }
        };
        (inner + 1).min(limit)
    }

    /// The depth of a type, or `limit` if it is at least that deep.
    pub fn ty(&mut self, ty: &TypeExpr, limit: u32) -> u32 {
        if limit <= 1 {
            return limit;
        }
        let l = limit - 1;
        let inner = match &ty.kind {
            TypeKind::Named { args, .. } => args.iter().map(|t| self.ty(t, l)).max().unwrap_or(0),
            TypeKind::Array(inner) => self.ty(inner, l),
            TypeKind::Fn { params, ret } => {
                let r = ret.as_ref().map_or(0, |r| self.ty(r, l));
                params.iter().map(|t| self.ty(t, l)).max().unwrap_or(0).max(r)
            }
            TypeKind::Any => 0,
        };
        (inner + 1).min(limit)
    }

    /// The depth of a whole program (its deepest item plus one), or `limit`.
    pub fn program(&mut self, program: &Program, limit: u32) -> u32 {
        if limit <= 1 {
            return limit;
        }
        let inner = program.items.iter().map(|i| self.item(i, limit - 1)).max().unwrap_or(0);
        (inner + 1).min(limit)
    }
}
