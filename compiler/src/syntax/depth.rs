//! The depth of a syntax tree, measured with a cutoff.
//!
//! The parser uses this to keep every tree it builds within `parser::MAX_DEPTH` levels.
//! Each function returns the depth of its node counted in tree levels (expressions,
//! statements, blocks, items, patterns and types count one each), but never more than
//! `limit`: it stops descending there, so the recursion here is bounded by `limit` too,
//! whatever the tree.

use crate::syntax::ast::*;

/// The depth of `expr`, or `limit` if it is at least that deep.
pub fn expr_depth(expr: &Expr, limit: u32) -> u32 {
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
                StrPart::Expr(e) => expr_depth(e, l),
            })
            .max()
            .unwrap_or(0),
        ExprKind::Binary { lhs, rhs, .. } => expr_depth(lhs, l).max(expr_depth(rhs, l)),
        ExprKind::Range { start, end } => expr_depth(start, l).max(expr_depth(end, l)),
        ExprKind::Unary { operand, .. } => expr_depth(operand, l),
        ExprKind::Call { callee, args } => expr_depth(callee, l).max(exprs(args, l)),
        ExprKind::MethodCall { recv, args, .. } => expr_depth(recv, l).max(exprs(args, l)),
        ExprKind::Field { obj, .. } | ExprKind::TupleIndex { obj, .. } => expr_depth(obj, l),
        ExprKind::Index { obj, index, .. } => expr_depth(obj, l).max(expr_depth(index, l)),
        ExprKind::Try(e)
        | ExprKind::Spread(e)
        | ExprKind::Thaw(e)
        | ExprKind::Clone(e)
        | ExprKind::Sublimate(e) => expr_depth(e, l),
        ExprKind::Array(items) | ExprKind::Tuple(items) => exprs(items, l),
        ExprKind::Map(entries) => entries.iter().map(|m| expr_depth(&m.value, l)).max().unwrap_or(0),
        ExprKind::StructLit { fields, .. } => {
            fields.iter().filter_map(|f| f.value.as_ref()).map(|v| expr_depth(v, l)).max().unwrap_or(0)
        }
        ExprKind::Path { args, .. } => args.as_ref().map_or(0, |a| exprs(a, l)),
        ExprKind::If { cond, then, else_ } => {
            let e = else_.as_ref().map_or(0, |e| expr_depth(e, l));
            expr_depth(cond, l).max(block_depth(then, l)).max(e)
        }
        ExprKind::Block(b) | ExprKind::Forge(b) | ExprKind::Scope(b) | ExprKind::Spawn(b) => {
            block_depth(b, l)
        }
        ExprKind::Closure { params, body, .. } => params_depth(params, l).max(expr_depth(body, l)),
        ExprKind::Match { scrutinee, arms } => {
            let arms = arms
                .iter()
                .map(|a| {
                    let g = a.guard.as_ref().map_or(0, |g| expr_depth(g, l));
                    pattern_depth(&a.pattern, l).max(g).max(expr_depth(&a.body, l))
                })
                .max()
                .unwrap_or(0);
            expr_depth(scrutinee, l).max(arms)
        }
        ExprKind::TryCatch { body, handler, .. } => block_depth(body, l).max(block_depth(handler, l)),
        ExprKind::Freeze { target, contract, except } => {
            let c = contract.as_ref().map_or(0, |c| expr_depth(c, l));
            let x = except.as_ref().map_or(0, |x| exprs(x, l));
            expr_depth(target, l).max(c).max(x)
        }
        ExprKind::Anneal { target, closure } => expr_depth(target, l).max(expr_depth(closure, l)),
        ExprKind::Crystallize { target, body } | ExprKind::Borrow { target, body } => {
            expr_depth(target, l).max(block_depth(body, l))
        }
        ExprKind::Select(arms) => arms
            .iter()
            .map(|a| {
                let k = match &a.kind {
                    SelectArmKind::Recv { channel, .. } => expr_depth(channel, l),
                    SelectArmKind::Timeout(e) => expr_depth(e, l),
                    SelectArmKind::Default => 0,
                };
                k.max(block_depth(&a.body, l))
            })
            .max()
            .unwrap_or(0),
    };
    (inner + 1).min(limit)
}

fn exprs(items: &[Expr], limit: u32) -> u32 {
    items.iter().map(|e| expr_depth(e, limit)).max().unwrap_or(0)
}

fn params_depth(params: &[Param], limit: u32) -> u32 {
    params
        .iter()
        .map(|p| {
            let d = p.default.as_ref().map_or(0, |d| expr_depth(d, limit));
            d.max(p.ty.as_ref().map_or(0, |t| type_depth(t, limit)))
        })
        .max()
        .unwrap_or(0)
}

/// The depth of a block, or `limit` if it is at least that deep.
pub fn block_depth(block: &Block, limit: u32) -> u32 {
    if limit <= 1 {
        return limit;
    }
    let inner = block.stmts.iter().map(|s| stmt_depth(s, limit - 1)).max().unwrap_or(0);
    (inner + 1).min(limit)
}

/// The depth of a statement, or `limit` if it is at least that deep.
pub fn stmt_depth(stmt: &Stmt, limit: u32) -> u32 {
    if limit <= 1 {
        return limit;
    }
    let l = limit - 1;
    let inner = match &stmt.kind {
        StmtKind::Let { ty, value, .. } => {
            expr_depth(value, l).max(ty.as_ref().map_or(0, |t| type_depth(t, l)))
        }
        StmtKind::Assign { target, value } | StmtKind::CompoundAssign { target, value, .. } => {
            expr_depth(target, l).max(expr_depth(value, l))
        }
        StmtKind::Expr(e) => expr_depth(e, l),
        StmtKind::Return(e) => e.as_ref().map_or(0, |e| expr_depth(e, l)),
        StmtKind::Break | StmtKind::Continue | StmtKind::Import(_) => 0,
        StmtKind::For { iter, body, .. } => expr_depth(iter, l).max(block_depth(body, l)),
        StmtKind::While { cond, body } => expr_depth(cond, l).max(block_depth(body, l)),
        StmtKind::Loop { body } | StmtKind::Defer { body } => block_depth(body, l),
        StmtKind::Item(item) => item_depth(item, l),
    };
    (inner + 1).min(limit)
}

/// The depth of an item, or `limit` if it is at least that deep.
pub fn item_depth(item: &Item, limit: u32) -> u32 {
    if limit <= 1 {
        return limit;
    }
    let l = limit - 1;
    let inner = match &item.kind {
        ItemKind::Fn(f) => fn_depth(f, l),
        ItemKind::Struct(s) => {
            s.fields.iter().filter_map(|f| f.ty.as_ref()).map(|t| type_depth(t, l)).max().unwrap_or(0)
        }
        ItemKind::Enum(e) => e
            .variants
            .iter()
            .filter_map(|v| v.payload.as_ref())
            .flatten()
            .map(|t| type_depth(t, l))
            .max()
            .unwrap_or(0),
        ItemKind::Trait(t) => t
            .methods
            .iter()
            .map(|m| {
                let body = m.body.as_ref().map_or(0, |b| block_depth(b, l));
                body.max(params_depth(&m.params, l))
            })
            .max()
            .unwrap_or(0),
        ItemKind::Impl(i) => i.methods.iter().map(|f| fn_depth(f, l)).max().unwrap_or(0),
        ItemKind::Test(t) => block_depth(&t.body, l),
        ItemKind::Stmt(s) => stmt_depth(s, l),
    };
    (inner + 1).min(limit)
}

fn fn_depth(f: &FnDecl, limit: u32) -> u32 {
    let contracts = f
        .contracts
        .iter()
        .map(|c| expr_depth(&c.cond, limit).max(c.message.as_ref().map_or(0, |m| expr_depth(m, limit))))
        .max()
        .unwrap_or(0);
    let ret = f.ret.as_ref().map_or(0, |t| type_depth(t, limit));
    block_depth(&f.body, limit).max(params_depth(&f.params, limit)).max(contracts).max(ret)
}

/// The depth of a pattern, or `limit` if it is at least that deep.
pub fn pattern_depth(pattern: &Pattern, limit: u32) -> u32 {
    if limit <= 1 {
        return limit;
    }
    let l = limit - 1;
    let inner = match &pattern.kind {
        PatternKind::Wildcard | PatternKind::Binding(_) => 0,
        PatternKind::Literal(e) => expr_depth(e, l),
        PatternKind::Range { start, end } => expr_depth(start, l).max(expr_depth(end, l)),
        PatternKind::Array { elems, .. } => elems.iter().map(|p| pattern_depth(p, l)).max().unwrap_or(0),
        PatternKind::Struct { fields } => {
            fields.iter().filter_map(|(_, p)| p.as_ref()).map(|p| pattern_depth(p, l)).max().unwrap_or(0)
        }
        PatternKind::Variant { payload, .. } => {
            payload.iter().flatten().map(|p| pattern_depth(p, l)).max().unwrap_or(0)
        }
    };
    (inner + 1).min(limit)
}

/// The depth of a type, or `limit` if it is at least that deep.
pub fn type_depth(ty: &TypeExpr, limit: u32) -> u32 {
    if limit <= 1 {
        return limit;
    }
    let l = limit - 1;
    let inner = match &ty.kind {
        TypeKind::Named { args, .. } => args.iter().map(|t| type_depth(t, l)).max().unwrap_or(0),
        TypeKind::Array(inner) => type_depth(inner, l),
        TypeKind::Fn { params, ret } => {
            let r = ret.as_ref().map_or(0, |r| type_depth(r, l));
            params.iter().map(|t| type_depth(t, l)).max().unwrap_or(0).max(r)
        }
        TypeKind::Any => 0,
    };
    (inner + 1).min(limit)
}

/// The depth of a whole program (its deepest item plus one), or `limit`.
pub fn program_depth(program: &Program, limit: u32) -> u32 {
    if limit <= 1 {
        return limit;
    }
    let inner = program.items.iter().map(|i| item_depth(i, limit - 1)).max().unwrap_or(0);
    (inner + 1).min(limit)
}
