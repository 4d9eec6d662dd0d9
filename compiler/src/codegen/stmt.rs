//! Lowering of statements and declarations: bindings and destructuring, assignment to
//! names and paths, loops with `break`/`continue`, `defer`, imports, and the items
//! (`struct`, `enum`, `impl`, nested `fn`).

use super::{Codegen, LoopCtx, Var};
use crate::syntax::ast::{self, BindTarget, BindingKind, Expr, ExprKind, ItemKind, Stmt, StmtKind};
use lattice_vm::module::{Constant, EnumDef, StructDef};
use lattice_vm::{Op, Phase};
use std::sync::Arc;

/// Names a binding target introduces, in order.
pub(super) fn target_names(t: &BindTarget) -> Vec<String> {
    match t {
        BindTarget::Name(n) => vec![n.name.clone()],
        BindTarget::Array { elems, rest, .. } => {
            elems.iter().chain(rest.iter()).map(|i| i.name.clone()).collect()
        }
        BindTarget::Struct { fields, .. } => fields.iter().map(|i| i.name.clone()).collect(),
    }
}

/// The root variable and keys of an assignment target such as `a.b[i].c`, outermost key
/// last; `None` when the target is not a place.
pub(super) fn place_path(e: &Expr) -> Option<(&str, Vec<&Expr>)> {
    let mut keys = Vec::new();
    let mut cur = e;
    loop {
        match &cur.kind {
            ExprKind::Ident(name) => {
                keys.reverse();
                return Some((name, keys));
            }
            ExprKind::Field { obj, optional: false, .. }
            | ExprKind::Index { obj, optional: false, .. }
            | ExprKind::TupleIndex { obj, .. } => {
                keys.push(cur);
                cur = obj;
            }
            _ => return None,
        }
    }
}

impl Codegen<'_> {
    pub(super) fn compile_item(&mut self, item: &ast::Item) {
        self.at(item.span);
        match &item.kind {
            ItemKind::Fn(f) => {
                if self.at_top_level() {
                    self.compile_fn_decl(f);
                    let name = self.str_const(&f.name.name);
                    self.emit(Op::DefGlobal { name });
                } else {
                    // Declare first so the function can call itself through its capture.
                    self.emit(Op::Nil {});
                    let slot = self.declare_local(&f.name.name, BindingKind::Let);
                    self.compile_fn_decl(f);
                    self.emit(Op::StoreLocal { slot });
                }
            }
            ItemKind::Struct(s) => {
                let def = StructDef {
                    name: s.name.name.clone(),
                    fields: s.fields.iter().map(|f| f.name.name.clone()).collect(),
                    field_types: s
                        .fields
                        .iter()
                        .map(|f| f.ty.as_ref().and_then(super::function::type_text))
                        .collect(),
                    field_phases: s.fields.iter().map(|f| f.ty.as_ref().and_then(field_phase)).collect(),
                };
                let def = self.constant(Constant::Struct(Arc::new(def)));
                self.emit(Op::DefStruct { def });
            }
            ItemKind::Enum(e) => {
                let def = EnumDef {
                    name: e.name.name.clone(),
                    variants: e
                        .variants
                        .iter()
                        .map(|v| (v.name.name.clone(), v.payload.as_ref().map(|p| p.len() as u16)))
                        .collect(),
                };
                let def = self.constant(Constant::Enum(Arc::new(def)));
                self.emit(Op::DefEnum { def });
            }
            ItemKind::Trait(_) => {}
            ItemKind::Impl(imp) => self.compile_impl(imp),
            ItemKind::Test(_) => {}
            ItemKind::Stmt(s) => self.compile_stmt(s),
        }
    }

    fn compile_impl(&mut self, imp: &ast::ImplDecl) {
        let ty = self.str_const(&imp.type_name.name);
        for m in &imp.methods {
            self.compile_fn_decl(m);
            let name = self.str_const(&m.name.name);
            self.emit(Op::DefMethod { ty, name });
        }
        let Some(tr) = imp.trait_name.as_ref().and_then(|t| self.traits.get(&t.name)).cloned() else {
            return;
        };
        for tm in &tr.methods {
            let Some(body) = &tm.body else { continue };
            if imp.methods.iter().any(|m| m.name.name == tm.name.name) {
                continue;
            }
            let decl = ast::FnDecl {
                name: tm.name.clone(),
                type_params: Vec::new(),
                params: tm.params.clone(),
                ret: tm.ret.clone(),
                contracts: Vec::new(),
                body: body.clone(),
                span: tm.span,
            };
            self.compile_fn_decl(&decl);
            let name = self.str_const(&tm.name.name);
            self.emit(Op::DefMethod { ty, name });
        }
    }

    pub(super) fn compile_stmt(&mut self, stmt: &Stmt) {
        self.at(stmt.span);
        match &stmt.kind {
            StmtKind::Let { kind, target: BindTarget::Name(n), ty: None, value, .. }
                if matches!(value.kind, ExprKind::Closure { .. }) && !self.at_top_level() =>
            {
                // Declared before its value so the closure can call itself by name.
                self.emit(Op::Nil {});
                let slot = self.declare_local(&n.name, *kind);
                self.compile_expr(value);
                self.emit_binding_phase(*kind);
                self.emit(Op::StoreLocal { slot });
            }
            StmtKind::Let { kind, target, ty, value, .. } => {
                self.compile_expr(value);
                // Destructuring applies the binding's phase to each element instead.
                if matches!(target, BindTarget::Name(_)) {
                    self.emit_binding_phase(*kind);
                }
                if let (Some(ty), BindTarget::Name(n)) = (ty, target) {
                    if let Some(text) = super::function::type_text(ty) {
                        let ty = self.str_const(&text);
                        let what = self.str_const(&format!("variable '{}'", n.name));
                        self.emit(Op::CheckType { ty, what });
                    }
                }
                self.bind_target(target, *kind);
            }
            StmtKind::Assign { target, value } => self.compile_assign(target, value),
            StmtKind::CompoundAssign { target, op, value, .. } => self.compile_compound(target, *op, value),
            StmtKind::Expr(e) => match &e.kind {
                // `thaw(x)` as a statement thaws the variable itself (R14), never a
                // sublimated one (R8).
                ExprKind::Thaw(inner) if matches!(inner.kind, ExprKind::Ident(_)) => {
                    let ExprKind::Ident(name) = &inner.kind else { return };
                    self.compile_thaw_stmt(name);
                }
                // An `if` whose value is unused needs no value on either path.
                ExprKind::If { cond, then, else_ } => self.compile_if_stmt(cond, then, else_.as_deref()),
                _ => {
                    self.compile_expr(e);
                    self.emit(Op::Pop {});
                }
            },
            StmtKind::Return(e) => {
                match e {
                    Some(e) => self.compile_expr(e),
                    None => {
                        self.emit(Op::Unit {});
                    }
                }
                self.emit_return();
            }
            StmtKind::Break => self.compile_break(stmt.span),
            StmtKind::Continue => self.compile_continue(stmt.span),
            StmtKind::While { cond, body } => {
                let start = self.here();
                self.compile_expr(cond);
                let exit = self.emit(Op::JumpIfFalse { offset: 0 });
                self.push_loop(start);
                self.compile_block_stmts(body);
                self.emit_loop(start);
                self.patch(exit);
                self.pop_loop();
            }
            StmtKind::Loop { body } => {
                let start = self.here();
                self.push_loop(start);
                self.compile_block_stmts(body);
                self.emit_loop(start);
                self.pop_loop();
            }
            StmtKind::For { var, iter, body } => self.compile_for(var, iter, body),
            StmtKind::Defer { body } => {
                let closure = Expr {
                    kind: ExprKind::Closure {
                        params: Vec::new(),
                        body: Box::new(Expr { kind: ExprKind::Block(body.clone()), span: body.span }),
                        fn_syntax: false,
                    },
                    span: body.span,
                };
                self.compile_expr(&closure);
                self.emit(Op::DeferPush {});
                self.f().defers += 1;
            }
            StmtKind::Import(imp) => self.compile_import(imp),
            StmtKind::Item(item) => self.compile_item(item),
        }
    }

    /// Applies a binding keyword's phase to the value on top (R2, `fix`).
    pub(super) fn emit_binding_phase(&mut self, kind: BindingKind) {
        match kind {
            BindingKind::Flux => self.emit(Op::MarkFluid {}),
            BindingKind::Fix => self.emit(Op::Freeze {}),
            BindingKind::Let => return,
        };
    }

    /// Binds the value on top of the stack to a target (consuming it for globals).
    pub(super) fn bind_target(&mut self, target: &BindTarget, kind: BindingKind) {
        match target {
            BindTarget::Name(n) => self.bind(&n.name, kind),
            BindTarget::Array { elems, rest, .. } => {
                let top = self.at_top_level();
                let hidden =
                    if top { None } else { Some(self.declare_local("(destructure)", BindingKind::Let)) };
                self.emit_source(hidden);
                self.emit(Op::MatchArray { len: elems.len() as u32, rest: rest.is_some() as u8 });
                let what = if rest.is_some() { "at least " } else { "" };
                let msg = self.str_const(&format!(
                    "cannot destructure: expected an array of {what}{} elements",
                    elems.len()
                ));
                self.emit(Op::Require { msg });
                for (i, e) in elems.iter().enumerate() {
                    self.emit_source(hidden);
                    self.emit_int(i as i64);
                    self.emit(Op::Index {});
                    self.emit_binding_phase(kind);
                    self.bind(&e.name, kind);
                }
                if let Some(r) = rest {
                    self.emit_source(hidden);
                    self.emit(Op::ArraySlice { from: elems.len() as u32, to_end: 0 });
                    self.emit_binding_phase(kind);
                    self.bind(&r.name, kind);
                }
                if top {
                    self.emit(Op::Pop {});
                }
            }
            BindTarget::Struct { fields, .. } => {
                let top = self.at_top_level();
                let hidden =
                    if top { None } else { Some(self.declare_local("(destructure)", BindingKind::Let)) };
                for f in fields {
                    self.emit_source(hidden);
                    let name = self.str_const(&f.name);
                    self.emit(Op::MatchHasField { name });
                    let msg = self.str_const(&format!("cannot destructure: no field '{}'", f.name));
                    self.emit(Op::Require { msg });
                    self.emit_source(hidden);
                    self.emit(Op::GetField { name });
                    self.emit_binding_phase(kind);
                    self.bind(&f.name, kind);
                }
                if top {
                    self.emit(Op::Pop {});
                }
            }
        }
    }

    /// Pushes the value being destructured: the hidden local, or a copy of the top.
    fn emit_source(&mut self, hidden: Option<u16>) {
        match hidden {
            Some(slot) => self.emit(Op::GetLocal { slot }),
            None => self.emit(Op::Dup {}),
        };
    }

    fn compile_assign(&mut self, target: &Expr, value: &Expr) {
        match place_path(target) {
            Some((name, keys)) if keys.is_empty() => {
                self.compile_expr(value);
                let var = self.resolve(name);
                self.emit_set(var, true);
                if self.tracked.contains(name) {
                    let name = self.str_const(name);
                    self.emit(Op::PhaseChanged { name, event: 0 });
                }
            }
            Some((name, keys)) => {
                let n = self.emit_keys(&keys);
                self.compile_expr(value);
                match self.resolve(name) {
                    Var::Local(slot, _) => self.emit(Op::SetLocalPath { slot, n }),
                    Var::Upval(idx) => self.emit(Op::SetUpvalPath { idx, n }),
                    Var::Global(name) => self.emit(Op::SetGlobalPath { name, n }),
                };
            }
            None => self.error("invalid assignment target", target.span),
        }
    }

    /// Pushes the keys of a path (field names as strings, indexes as values).
    pub(super) fn emit_keys(&mut self, keys: &[&Expr]) -> u8 {
        for k in keys {
            match &k.kind {
                ExprKind::Field { field, .. } => self.emit_const_str(&field.name),
                ExprKind::Index { index, .. } => self.compile_expr(index),
                ExprKind::TupleIndex { index, .. } => self.emit_int(*index as i64),
                _ => {}
            }
        }
        if keys.len() > u8::MAX as usize {
            self.error("assignment path is too long", keys[0].span);
        }
        keys.len() as u8
    }

    fn compile_compound(&mut self, target: &Expr, op: ast::BinOp, value: &Expr) {
        match place_path(target) {
            Some((name, keys)) if keys.is_empty() => {
                let var = self.resolve(name);
                if op == ast::BinOp::Add {
                    self.compile_expr(value);
                    match var {
                        Var::Local(slot, _) => self.emit(Op::AddSetLocal { slot }),
                        Var::Upval(idx) => self.emit(Op::AddSetUpval { idx }),
                        Var::Global(name) => self.emit(Op::AddSetGlobal { name }),
                    };
                    return;
                }
                self.emit_get(var);
                self.compile_expr(value);
                self.emit_binop(op);
                self.emit_set(var, true);
            }
            Some((name, keys)) => {
                let n = self.emit_keys(&keys);
                let var = self.resolve(name);
                match var {
                    Var::Local(slot, _) => self.emit(Op::GetLocalPath { slot, n }),
                    Var::Upval(idx) => self.emit(Op::GetUpvalPath { idx, n }),
                    Var::Global(name) => self.emit(Op::GetGlobalPath { name, n }),
                };
                self.compile_expr(value);
                self.emit_binop(op);
                match var {
                    Var::Local(slot, _) => self.emit(Op::SetLocalPath { slot, n }),
                    Var::Upval(idx) => self.emit(Op::SetUpvalPath { idx, n }),
                    Var::Global(name) => self.emit(Op::SetGlobalPath { name, n }),
                };
            }
            None => self.error("invalid assignment target", target.span),
        }
    }

    fn compile_thaw_stmt(&mut self, name: &str) {
        let var = self.resolve(name);
        self.emit_get(var);
        let ty = self.str_const("!thawable");
        let what = self.str_const(&format!("cannot thaw '{name}'"));
        self.emit(Op::CheckType { ty, what });
        self.emit(Op::Thaw {});
        let fixed = match var {
            Var::Local(_, kind) => kind == BindingKind::Fix,
            Var::Global(_) => self.global_kinds.get(name) == Some(&BindingKind::Fix),
            Var::Upval(_) => false,
        };
        if fixed {
            self.emit(Op::Pop {});
        } else {
            self.emit_set(var, false);
            self.emit_phase_changed(name);
        }
    }

    fn compile_if_stmt(&mut self, cond: &Expr, then: &ast::Block, else_: Option<&Expr>) {
        self.compile_expr(cond);
        let to_else = self.emit(Op::JumpIfFalse { offset: 0 });
        self.compile_block_stmts(then);
        let Some(else_) = else_ else {
            self.patch(to_else);
            return;
        };
        let to_end = self.emit(Op::Jump { offset: 0 });
        self.patch(to_else);
        match &else_.kind {
            ExprKind::If { cond, then, else_ } => self.compile_if_stmt(cond, then, else_.as_deref()),
            ExprKind::Block(b) => self.compile_block_stmts(b),
            _ => {
                self.compile_expr(else_);
                self.emit(Op::Pop {});
            }
        }
        self.patch(to_end);
    }

    fn push_loop(&mut self, continue_target: usize) {
        let f = self.f();
        let ctx = LoopCtx {
            height: f.height,
            continue_target,
            breaks: Vec::new(),
            try_depth: f.try_depth,
            defers: f.defers,
        };
        f.loops.push(ctx);
    }

    fn pop_loop(&mut self) {
        let ctx = self.f().loops.pop().expect("loop");
        for b in ctx.breaks {
            self.patch(b);
        }
    }

    /// Unwinds to the innermost loop's level: handlers, defers and stack values.
    fn unwind_to_loop(&mut self, span: crate::syntax::span::Span) -> Option<(i32, usize)> {
        let f = self.f();
        let Some(ctx) = f.loops.last() else {
            self.error("'break' or 'continue' outside of a loop", span);
            return None;
        };
        let (tries, defers, height, target) =
            (f.try_depth - ctx.try_depth, ctx.defers, ctx.height, ctx.continue_target);
        for _ in 0..tries {
            self.emit(Op::TryEnd {});
        }
        if self.f().defers > defers {
            self.emit(Op::DeferRun { keep: defers });
        }
        let extra = self.f().height - height;
        if extra > 0 {
            self.emit(Op::PopN { n: extra as u16 });
        }
        Some((extra, target))
    }

    fn compile_break(&mut self, span: crate::syntax::span::Span) {
        if let Some((extra, _)) = self.unwind_to_loop(span) {
            let j = self.emit(Op::Jump { offset: 0 });
            self.f().loops.last_mut().expect("loop").breaks.push(j);
            self.f().height += extra;
        }
    }

    fn compile_continue(&mut self, span: crate::syntax::span::Span) {
        if let Some((extra, target)) = self.unwind_to_loop(span) {
            self.emit_loop(target);
            self.f().height += extra;
        }
    }

    fn compile_for(&mut self, var: &BindTarget, iter: &Expr, body: &ast::Block) {
        self.begin_scope();
        self.compile_expr(iter);
        self.emit(Op::IterInit {});
        // Two hidden locals: the iterator state and the position.
        let pos = self.declare_local("(pos)", BindingKind::Let);
        let slot = pos - 1;
        let depth = self.f().depth;
        self.f().locals.push(super::Local {
            name: "(iter)".into(),
            depth,
            slot,
            kind: BindingKind::Let,
            start: 0,
            imported: false,
        });
        let start = self.here();
        self.push_loop(start);
        let next = self.emit(Op::IterNext { slot, offset: 0 });
        self.begin_scope();
        match var {
            BindTarget::Name(n) => {
                self.declare_local(&n.name, BindingKind::Let);
            }
            other => self.bind_target(other, BindingKind::Let),
        }
        self.compile_block_body(body);
        self.end_scope();
        self.emit_loop(start);
        self.patch(next);
        self.pop_loop();
        self.end_scope();
    }

    /// A block in statement position (its value discarded).
    pub(super) fn compile_block_stmts(&mut self, block: &ast::Block) {
        self.begin_scope();
        self.compile_block_body(block);
        self.end_scope();
    }

    /// The statements of a block, inside a scope the caller opened; registers and runs the
    /// block's defers.
    fn compile_block_body(&mut self, block: &ast::Block) {
        let defers = self.f().defers;
        for s in &block.stmts {
            self.compile_stmt(s);
        }
        if self.f().defers > defers {
            self.emit(Op::DeferRun { keep: defers });
            self.f().defers = defers;
        }
    }

    /// A block whose value is used: the last expression statement, else Unit.
    pub(super) fn compile_block_value(&mut self, block: &ast::Block) {
        self.begin_scope();
        let defers = self.f().defers;
        let n = block.stmts.len();
        let mut has_value = false;
        for (i, s) in block.stmts.iter().enumerate() {
            if i + 1 == n {
                if let StmtKind::Expr(e) = &s.kind {
                    self.at(s.span);
                    self.compile_expr(e);
                    has_value = true;
                    break;
                }
            }
            self.compile_stmt(s);
        }
        if !has_value {
            self.emit(Op::Unit {});
        }
        if self.f().defers > defers {
            self.emit(Op::DeferRun { keep: defers });
            self.f().defers = defers;
        }
        self.end_scope_keep();
    }

    fn compile_import(&mut self, imp: &ast::Import) {
        let path = self.str_const(&imp.path);
        self.emit(Op::Import { path });
        match (&imp.alias, &imp.names) {
            (_, Some(names)) => {
                // Inside a function the module map stays in a hidden local under the
                // imported names, which are locals of that function only.
                let top = self.at_top_level();
                let module = (!top).then(|| self.declare_local("(module)", BindingKind::Let));
                for n in names {
                    match module {
                        Some(slot) => self.emit(Op::GetLocal { slot }),
                        None => self.emit(Op::Dup {}),
                    };
                    self.emit(Op::Dup {});
                    let name = self.str_const(&n.name);
                    self.emit(Op::MatchHasField { name });
                    let msg = self.str_const(&format!("module '{}' does not export '{}'", imp.path, n.name));
                    self.emit(Op::Require { msg });
                    self.emit(Op::GetField { name });
                    if top {
                        let g = self.str_const(&n.name);
                        self.emit(Op::DefGlobal { name: g });
                    } else {
                        self.declare_local(&n.name, BindingKind::Let);
                        if let Some(l) = self.f().locals.last_mut() {
                            l.imported = true;
                        }
                    }
                }
                if top {
                    self.emit(Op::Pop {});
                }
            }
            (Some(alias), None) => self.bind(&alias.name, BindingKind::Let),
            (None, None) => {
                self.emit(Op::ImportAll {});
            }
        }
    }
}

/// The alloy phase a field's annotation declares (`host: fix String`).
fn field_phase(ty: &ast::TypeExpr) -> Option<Phase> {
    let p = ty.phase?;
    match (p.fluid, p.crystal) {
        (true, false) => Some(Phase::Fluid),
        (false, true) => Some(Phase::Crystal),
        _ => None,
    }
}
