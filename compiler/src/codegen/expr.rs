//! Lowering of expressions: literals and interpolation, operators with short-circuit
//! jumps, calls and method calls (in place on variables), containers, control-flow
//! expressions, closures, and the phase operations.

use super::stmt::place_path;
use super::{Codegen, Var};
use crate::syntax::ast::{self, BinOp, BindingKind, Expr, ExprKind, StrPart, UnaryOp};
use lattice_vm::module::Constant;
use lattice_vm::Op;

impl Codegen<'_> {
    pub(super) fn emit_binop(&mut self, op: BinOp) {
        let op = match op {
            BinOp::Add => Op::Add {},
            BinOp::Sub => Op::Sub {},
            BinOp::Mul => Op::Mul {},
            BinOp::Div => Op::Div {},
            BinOp::Mod => Op::Mod {},
            BinOp::Eq => Op::Eq {},
            BinOp::Ne => Op::Ne {},
            BinOp::Lt => Op::Lt {},
            BinOp::Gt => Op::Gt {},
            BinOp::Le => Op::Le {},
            BinOp::Ge => Op::Ge {},
            BinOp::BitAnd => Op::BitAnd {},
            BinOp::BitOr => Op::BitOr {},
            BinOp::BitXor => Op::BitXor {},
            BinOp::Shl => Op::Shl {},
            BinOp::Shr => Op::Shr {},
            // Short-circuit operators are lowered with jumps by `compile_expr`.
            BinOp::And | BinOp::Or | BinOp::NilCoalesce => Op::Nil {},
        };
        self.emit(op);
    }

    pub(super) fn compile_expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Int(n) => self.emit_int(*n),
            ExprKind::Float(f) => {
                let idx = self.constant(Constant::Float(*f));
                self.emit(Op::Const { idx });
            }
            ExprKind::Str(s) => self.emit_const_str(s),
            ExprKind::Interp(parts) => {
                for p in parts {
                    match p {
                        StrPart::Lit(s) => self.emit_const_str(s),
                        StrPart::Expr(x) => self.compile_expr(x),
                    }
                }
                self.emit(Op::Interp { n: parts.len() as u16 });
            }
            ExprKind::Bool(true) => {
                self.emit(Op::True {});
            }
            ExprKind::Bool(false) => {
                self.emit(Op::False {});
            }
            ExprKind::Nil => {
                self.emit(Op::Nil {});
            }
            ExprKind::Unit => {
                self.emit(Op::Unit {});
            }
            ExprKind::Ident(name) => {
                let var = self.resolve(name);
                self.emit_get(var);
            }
            ExprKind::Binary { op, lhs, rhs } => self.compile_binary(*op, lhs, rhs),
            ExprKind::Unary { op, operand } => {
                self.compile_expr(operand);
                self.emit(match op {
                    UnaryOp::Neg => Op::Neg {},
                    UnaryOp::Not => Op::Not {},
                    UnaryOp::BitNot => Op::BitNot {},
                });
            }
            ExprKind::Call { callee, args } => self.compile_call(callee, args),
            ExprKind::MethodCall { recv, method, args, optional } => {
                self.compile_method_call(recv, &method.name, args, *optional)
            }
            ExprKind::Field { obj, field, optional } => {
                self.compile_expr(obj);
                let name = self.str_const(&field.name);
                if *optional {
                    let j = self.emit(Op::JumpIfNil { offset: 0 });
                    self.emit(Op::GetFieldOpt { name });
                    self.patch(j);
                } else {
                    self.emit(Op::GetField { name });
                }
            }
            ExprKind::TupleIndex { obj, index, .. } => {
                self.compile_expr(obj);
                self.emit(Op::TupleGet { index: *index });
            }
            ExprKind::Index { obj, index, optional } => {
                self.compile_expr(obj);
                if *optional {
                    let j = self.emit(Op::JumpIfNil { offset: 0 });
                    self.compile_expr(index);
                    self.emit(Op::IndexOpt {});
                    self.patch(j);
                } else {
                    self.compile_expr(index);
                    self.emit(Op::Index {});
                }
            }
            ExprKind::Try(inner) => {
                self.compile_expr(inner);
                self.emit(Op::TryUnwrap {});
            }
            ExprKind::Array(items) => self.compile_array(items),
            ExprKind::Spread(inner) => {
                self.error("'...' spread is only allowed in array literals and call arguments", e.span);
                self.compile_expr(inner);
            }
            ExprKind::Tuple(items) => {
                for x in items {
                    self.compile_expr(x);
                }
                self.emit(Op::MakeTuple { n: items.len() as u32 });
            }
            ExprKind::Map(entries) => {
                for entry in entries {
                    self.emit_const_str(&entry.key);
                    self.compile_expr(&entry.value);
                }
                self.emit(Op::MakeMap { n: entries.len() as u32 });
            }
            ExprKind::StructLit { module, name, fields } => {
                if self.emit_type_namespace(module.as_ref(), name, "struct") {
                    self.compile_qualified_struct(name, fields);
                    return;
                }
                for f in fields {
                    match &f.value {
                        Some(v) => self.compile_expr(v),
                        None => {
                            let var = self.resolve(&f.name.name);
                            self.emit_get(var);
                        }
                    }
                }
                let sname = self.str_const(&name.name);
                let names = fields.iter().map(|f| f.name.name.clone()).collect();
                let fields_c = self.constant(Constant::Names(names));
                self.emit(Op::MakeStruct { name: sname, fields: fields_c, n: fields.len() as u16 });
            }
            ExprKind::Path { module, ty, member, args } => {
                if self.emit_type_namespace(module.as_ref(), ty, "enum") {
                    self.emit(Op::Dup {});
                    let m = self.str_const(&member.name);
                    self.emit(Op::MatchHasField { name: m });
                    let owner = match module {
                        Some(alias) => format!("{}.{}", alias.name, ty.name),
                        None => ty.name.clone(),
                    };
                    let msg =
                        self.str_const(&format!("'{owner}' has no variant or function '{}'", member.name));
                    self.emit(Op::Require { msg });
                    self.emit(Op::GetField { name: m });
                    if let Some(args) = args {
                        for a in args {
                            self.compile_expr(a);
                        }
                        self.emit(Op::Call { argc: args.len() as u8 });
                    }
                    return;
                }
                let t = self.str_const(&ty.name);
                let m = self.str_const(&member.name);
                match args {
                    Some(args) => {
                        for a in args {
                            self.compile_expr(a);
                        }
                        self.emit(Op::PathCall { ty: t, member: m, argc: args.len() as u8 });
                    }
                    None => {
                        self.emit(Op::PathGet { ty: t, member: m });
                    }
                }
            }
            ExprKind::Range { start, end } => {
                self.compile_expr(start);
                self.compile_expr(end);
                self.emit(Op::MakeRange {});
            }
            ExprKind::If { cond, then, else_ } => {
                self.compile_expr(cond);
                let to_else = self.emit(Op::JumpIfFalse { offset: 0 });
                self.compile_block_value(then);
                let to_end = self.emit(Op::Jump { offset: 0 });
                self.f().height -= 1;
                self.patch(to_else);
                match else_ {
                    Some(x) => self.compile_expr(x),
                    // An `if` without `else` whose condition fails is nil (the reference's
                    // value), not Unit.
                    None => {
                        self.emit(Op::Nil {});
                    }
                }
                self.patch(to_end);
            }
            ExprKind::Block(b) => self.compile_block_value(b),
            ExprKind::Closure { params, body, .. } => {
                self.compile_function("<closure>", params, None, &[], body);
            }
            ExprKind::Match { scrutinee, arms } => self.compile_match(scrutinee, arms),
            ExprKind::TryCatch { body, catch_var, handler } => {
                let begin = self.emit(Op::TryBegin { offset: 0 });
                self.f().try_depth += 1;
                self.compile_block_value(body);
                self.f().try_depth -= 1;
                self.emit(Op::TryEnd {});
                let to_end = self.emit(Op::Jump { offset: 0 });
                self.patch(begin);
                // The handler starts with the error value where the body's value would be.
                self.begin_scope();
                match catch_var {
                    Some(v) => {
                        self.declare_local(&v.name, BindingKind::Let);
                    }
                    None => {
                        self.emit(Op::Pop {});
                    }
                }
                self.compile_block_value(handler);
                self.end_scope_keep();
                self.patch(to_end);
            }
            ExprKind::Freeze { target, contract, except } => {
                self.compile_freeze(target, contract.as_deref(), except)
            }
            ExprKind::Thaw(inner) => {
                self.compile_expr(inner);
                let ExprKind::Ident(name) = &inner.kind else {
                    self.emit(Op::Thaw {});
                    return;
                };
                // R14: thawing a `flux`/`let` variable makes the binding fluid too; a
                // `fix` or sublimated (R8) one only yields the fluid copy.
                let var = self.resolve(name);
                let fixed = match var {
                    Var::Local(_, kind) => kind == BindingKind::Fix,
                    Var::Global(_) => self.global_kinds.get(name) == Some(&BindingKind::Fix),
                    Var::Upval(_) => false,
                };
                if fixed {
                    self.emit(Op::Thaw {});
                    return;
                }
                self.emit(Op::Dup {});
                self.emit(Op::PhaseIs { phase: lattice_vm::Phase::Sublimated as u8 });
                let skip = self.emit(Op::JumpIfTrue { offset: 0 });
                self.emit(Op::Thaw {});
                self.emit(Op::Dup {});
                self.emit_set(var, false);
                self.emit_phase_changed(name);
                let end = self.emit(Op::Jump { offset: 0 });
                self.patch(skip);
                self.emit(Op::Thaw {});
                self.patch(end);
            }
            ExprKind::Clone(inner) => {
                self.compile_expr(inner);
                self.emit(Op::CloneValue {});
            }
            ExprKind::Sublimate(inner) => {
                self.compile_expr(inner);
                self.emit(Op::Sublimate {});
                if let ExprKind::Ident(name) = &inner.kind {
                    let var = self.resolve(name);
                    self.emit(Op::Dup {});
                    self.emit_set(var, false);
                    self.emit_phase_changed(name);
                }
            }
            ExprKind::Forge(block) => {
                self.compile_block_value(block);
                self.emit(Op::Freeze {});
            }
            ExprKind::Anneal { target, closure } => self.compile_anneal(target, closure),
            ExprKind::Crystallize { target, body } | ExprKind::Borrow { target, body } => {
                // Temporarily change the variable's phase for the block, then restore it.
                let freeze = matches!(e.kind, ExprKind::Crystallize { .. });
                self.compile_scoped_phase(target, body, freeze);
            }
            ExprKind::Scope(block) => {
                self.emit(Op::ScopeBegin {});
                self.compile_block_value(block);
                self.emit(Op::ScopeEnd {});
            }
            ExprKind::Spawn(block) => {
                // The task body is a closure: `return` inside it ends the task.
                let body = Expr { kind: ExprKind::Block(block.clone()), span: block.span };
                self.compile_function("<spawn>", &[], None, &[], &body);
                self.emit(Op::Spawn {});
            }
            ExprKind::Select(arms) => self.compile_select(arms),
        }
    }

    fn compile_binary(&mut self, op: BinOp, lhs: &Expr, rhs: &Expr) {
        let jump = match op {
            BinOp::And => Op::AndJump { offset: 0 },
            BinOp::Or => Op::OrJump { offset: 0 },
            BinOp::NilCoalesce => Op::NilJump { offset: 0 },
            _ => {
                self.compile_expr(lhs);
                self.compile_expr(rhs);
                self.emit_binop(op);
                return;
            }
        };
        self.compile_expr(lhs);
        let j = self.emit(jump);
        // On the jump path the left value stays; on fallthrough it was popped.
        self.compile_expr(rhs);
        self.patch(j);
    }

    fn has_spread(args: &[Expr]) -> bool {
        args.iter().any(|a| matches!(a.kind, ExprKind::Spread(_)))
    }

    /// Builds an Array from items that may contain `...spread`.
    fn compile_array(&mut self, items: &[Expr]) {
        if !Self::has_spread(items) {
            for x in items {
                self.compile_expr(x);
            }
            self.emit(Op::MakeArray { n: items.len() as u32 });
            return;
        }
        self.emit(Op::MakeArray { n: 0 });
        for x in items {
            match &x.kind {
                ExprKind::Spread(inner) => {
                    self.compile_expr(inner);
                    self.emit(Op::ArrayExtend {});
                }
                _ => {
                    self.compile_expr(x);
                    self.emit(Op::ArrayPush {});
                }
            }
        }
    }

    fn compile_call(&mut self, callee: &Expr, args: &[Expr]) {
        // The reactive functions take variables by name: `react(x, cb)` means "x".
        if let ExprKind::Ident(f) = &callee.kind {
            if lattice_vm::reactive::NAME_FUNCTIONS.contains(&f.as_str())
                && !self.defined.contains(f)
                && matches!(self.resolve(f), Var::Global(_))
                && !Self::has_spread(args)
            {
                self.compile_expr(callee);
                for a in args {
                    match &a.kind {
                        ExprKind::Ident(n) => self.emit_const_str(n),
                        _ => self.compile_expr(a),
                    }
                }
                self.emit(Op::Call { argc: args.len() as u8 });
                return;
            }
        }
        self.compile_expr(callee);
        if Self::has_spread(args) {
            self.compile_array(args);
            self.emit(Op::CallSpread {});
            return;
        }
        for a in args {
            self.compile_expr(a);
        }
        if args.len() > u8::MAX as usize {
            self.error("too many arguments (at most 255)", callee.span);
        }
        self.emit(Op::Call { argc: args.len() as u8 });
    }

    /// `place?.method(args)` on a variable or a path into one: the keys are evaluated once,
    /// the value read through them is tested for nil, and the method then runs on the
    /// place itself, so a mutating method changes the variable (not a copy).
    fn compile_optional_place_call(&mut self, root: &str, keys: &[&Expr], name: u32, args: &[Expr]) {
        let argc = args.len() as u8;
        let var = self.resolve(root);
        let n = self.emit_keys(keys);
        match (var, n) {
            (_, 0) => self.emit_get(var),
            (Var::Local(slot, _), n) => {
                self.emit(Op::GetLocalPath { slot, n });
            }
            (Var::Upval(idx), n) => {
                self.emit(Op::GetUpvalPath { idx, n });
            }
            (Var::Global(name), n) => {
                self.emit(Op::GetGlobalPath { name, n });
            }
        }
        let is_nil = self.emit(Op::JumpIfNil { offset: 0 });
        self.emit(Op::Pop {});
        for a in args {
            self.compile_expr(a);
        }
        self.emit_invoke_place(var, n, name, argc);
        let end = self.emit(Op::Jump { offset: 0 });
        // The nil path still holds the keys under the nil.
        self.f().height += n as i32;
        self.patch(is_nil);
        if n > 0 {
            self.emit(Op::PopUnder { n: n as u16 });
        }
        self.patch(end);
    }

    /// `place.name(args)` on a variable, or on `variable[k1]..[kn]` with the keys below
    /// the arguments.
    fn emit_invoke_place(&mut self, var: Var, n: u8, name: u32, argc: u8) {
        match (var, n) {
            (Var::Local(slot, _), 0) => self.emit(Op::InvokeLocal { slot, name, argc }),
            (Var::Upval(idx), 0) => self.emit(Op::InvokeUpval { idx, name, argc }),
            (Var::Global(global), 0) => self.emit(Op::InvokeGlobal { global, name, argc }),
            (Var::Local(slot, _), n) => self.emit(Op::InvokeLocalPath { slot, n, name, argc }),
            (Var::Upval(idx), n) => self.emit(Op::InvokeUpvalPath { idx, n, name, argc }),
            (Var::Global(global), n) => self.emit(Op::InvokeGlobalPath { global, n, name, argc }),
        };
    }

    fn compile_method_call(&mut self, recv: &Expr, method: &str, args: &[Expr], optional: bool) {
        let argc = args.len() as u8;
        let name = self.str_const(method);
        if !optional && !Self::has_spread(args) {
            if let Some((root, keys)) = place_path(recv) {
                let n = self.emit_keys(&keys);
                for a in args {
                    self.compile_expr(a);
                }
                let var = self.resolve(root);
                self.emit_invoke_place(var, n, name, argc);
                return;
            }
        }
        if optional && !Self::has_spread(args) {
            if let Some((root, keys)) = place_path(recv) {
                self.compile_optional_place_call(root, &keys, name, args);
                return;
            }
        }
        self.compile_expr(recv);
        let skip = optional.then(|| self.emit(Op::JumpIfNil { offset: 0 }));
        for a in args {
            match &a.kind {
                ExprKind::Spread(inner) => {
                    self.error("'...' spread is not supported in method arguments", a.span);
                    self.compile_expr(inner);
                }
                _ => self.compile_expr(a),
            }
        }
        self.emit(Op::Invoke { name, argc });
        if let Some(j) = skip {
            self.patch(j);
        }
    }

    fn compile_freeze(&mut self, target: &Expr, contract: Option<&Expr>, except: &Option<Vec<Expr>>) {
        // `freeze(s.field)` / `freeze(m["key"])`: freeze that part in place.
        if let (Some((root, keys)), None, None) = (place_path(target), contract, except) {
            if !keys.is_empty() {
                let n = self.emit_keys(&keys);
                self.compile_expr(target);
                self.emit(Op::Freeze {});
                match self.resolve(root) {
                    Var::Local(slot, _) => self.emit(Op::SetLocalPath { slot, n }),
                    Var::Upval(idx) => self.emit(Op::SetUpvalPath { idx, n }),
                    Var::Global(name) => self.emit(Op::SetGlobalPath { name, n }),
                };
                self.compile_expr(target);
                return;
            }
        }
        self.compile_expr(target);
        if let Some(c) = contract {
            // The contract sees the value and raises (or returns false) to refuse it.
            self.compile_expr(c);
            self.emit(Op::Contract {});
        }
        match except {
            Some(names) => {
                self.compile_array(names);
                self.emit(Op::FreezeExcept {});
            }
            None => {
                self.emit(Op::Freeze {});
            }
        }
        if let ExprKind::Ident(name) = &target.kind {
            let var = self.resolve(name);
            self.emit(Op::Dup {});
            self.emit_set(var, false);
            self.emit_phase_changed(name);
        }
    }

    /// `select { v from ch => { } timeout(ms) => { } default => { } }`: one `Select`
    /// instruction picks the arm, then a compare chain runs it.
    fn compile_select(&mut self, arms: &[ast::SelectArm]) {
        let mut n = 0u8;
        let mut timeout = None;
        let mut default = false;
        for arm in arms {
            match &arm.kind {
                ast::SelectArmKind::Recv { channel, .. } => {
                    self.compile_expr(channel);
                    n += 1;
                }
                ast::SelectArmKind::Timeout(ms) => timeout = Some(ms),
                ast::SelectArmKind::Default => default = true,
            }
        }
        if let Some(ms) = timeout {
            self.compile_expr(ms);
        }
        self.emit(Op::Select { n, timeout: timeout.is_some() as u8, default: default as u8 });
        self.begin_scope();
        let arm_slot = self.declare_local("(arm)", BindingKind::Let);
        let value_slot = arm_slot - 1;
        let depth = self.f().depth;
        self.f().locals.push(super::Local {
            name: "(received)".into(),
            depth,
            slot: value_slot,
            kind: BindingKind::Let,
            start: 0,
            imported: false,
        });
        let h = self.f().height;
        let mut ends = Vec::new();
        let mut recv_index = 0i64;
        for arm in arms {
            let code = match &arm.kind {
                ast::SelectArmKind::Recv { .. } => {
                    recv_index += 1;
                    recv_index - 1
                }
                ast::SelectArmKind::Timeout(_) => -1,
                ast::SelectArmKind::Default => -2,
            };
            self.emit(Op::GetLocal { slot: arm_slot });
            self.emit_int(code);
            self.emit(Op::Eq {});
            let next = self.emit(Op::JumpIfFalse { offset: 0 });
            self.begin_scope();
            if let ast::SelectArmKind::Recv { binding: Some(b), .. } = &arm.kind {
                self.emit(Op::GetLocal { slot: value_slot });
                self.declare_local(&b.name, BindingKind::Let);
            }
            self.compile_block_value(&arm.body);
            self.end_scope_keep();
            ends.push(self.emit(Op::Jump { offset: 0 }));
            self.f().height = h;
            self.patch(next);
        }
        self.emit(Op::Unit {});
        for j in ends {
            self.patch(j);
        }
        self.end_scope_keep();
    }

    /// `anneal(x) |v| { body }` (R7), lowered inline: `v` is a fluid thaw of `x`; the
    /// block's value, or the mutated `v` when the block yields Unit, is frozen into `x`.
    fn compile_anneal(&mut self, target: &Expr, closure: &Expr) {
        let ExprKind::Closure { params, body, .. } = &closure.kind else {
            self.compile_expr(target);
            self.compile_expr(closure);
            self.emit(Op::Swap {});
            self.emit(Op::Call { argc: 1 });
            self.emit(Op::Freeze {});
            return;
        };
        self.begin_scope();
        self.compile_expr(target);
        // R7: only a crystal value can be annealed.
        let ty = self.str_const("!crystal");
        let what = self.str_const("anneal target");
        self.emit(Op::CheckType { ty, what });
        self.emit(Op::Thaw {});
        let slot = match params.first() {
            Some(p) => self.declare_local(&p.name.name, BindingKind::Flux),
            None => self.declare_local("(anneal)", BindingKind::Flux),
        };
        // An error inside the block is reported as the anneal failing.
        let begin = self.emit(Op::TryBegin { offset: 0 });
        self.f().try_depth += 1;
        self.compile_expr(body);
        self.f().try_depth -= 1;
        self.emit(Op::TryEnd {});
        let end = self.emit(Op::Jump { offset: 0 });
        self.patch(begin);
        let prefix = self.str_const("anneal failed: ");
        self.emit(Op::Rethrow { prefix });
        self.f().height += 1;
        self.patch(end);
        // The block's value, or the (mutated) binding when the block yields Unit.
        self.emit(Op::GetLocal { slot });
        self.emit(Op::Swap {});
        self.emit(Op::UnitOr {});
        self.emit(Op::Freeze {});
        self.end_scope_keep();
        if let ExprKind::Ident(name) = &target.kind {
            let var = self.resolve(name);
            self.emit(Op::Dup {});
            self.emit_set(var, false);
            self.emit_phase_changed(name);
        }
    }

    /// `crystallize(x) { }` / `borrow(x) { }`: the variable is frozen (thawed) for the
    /// block and gets its previous phase back afterwards, keeping the block's changes.
    fn compile_scoped_phase(&mut self, target: &Expr, body: &ast::Block, freeze: bool) {
        let ExprKind::Ident(name) = &target.kind else {
            self.compile_block_value(body);
            return;
        };
        let var = self.resolve(name);
        // Remember the original value's phase by keeping the original value.
        self.begin_scope();
        self.emit_get(var);
        if !freeze {
            // R8: a sublimated binding can never become fluid again, not even for a block.
            let ty = self.str_const("!thawable");
            let what = self.str_const(&format!("cannot borrow '{name}'"));
            self.emit(Op::CheckType { ty, what });
        }
        let saved = self.declare_local("(saved)", BindingKind::Let);
        self.emit_get(var);
        self.emit(if freeze { Op::Freeze {} } else { Op::Thaw {} });
        self.emit_set(var, false);
        self.emit_phase_changed(name);
        self.compile_block_value(body);
        // Restore: crystallize puts back the original; borrow keeps the changes and
        // re-freezes only a variable that was crystal before.
        if freeze {
            self.emit(Op::GetLocal { slot: saved });
            self.emit_set(var, false);
        } else {
            self.emit(Op::GetLocal { slot: saved });
            self.emit(Op::PhaseIs { phase: lattice_vm::Phase::Crystal as u8 });
            let skip = self.emit(Op::JumpIfFalse { offset: 0 });
            self.emit_get(var);
            self.emit(Op::Freeze {});
            self.emit_set(var, false);
            self.patch(skip);
        }
        self.emit_phase_changed(name);
        self.end_scope_keep();
    }
}
