//! Lowering of functions and closures: parameters (defaults, variadics, type
//! annotations recorded for the VM's checks), `require`/`ensure` contracts, the implicit
//! return of the body's value, and the capture list of a closure.

use super::{Codegen, FnState};
use crate::syntax::ast::{self, BindingKind, Expr, ExprKind, Param, TypeExpr, TypeKind};
use lattice_vm::module::{Constant, ParamInfo};
use lattice_vm::Op;
use std::sync::Arc;

/// The text of a type annotation as the VM's checker reads it (`fix Map`, `[Int]`).
pub(super) fn type_text(ty: &TypeExpr) -> Option<String> {
    let mut out = String::new();
    if let Some(p) = ty.phase {
        out.push_str(&format!("({}) ", p.marks().join("|")));
    }
    out.push_str(&type_kind_text(&ty.kind));
    let out = out.trim().to_string();
    (!out.is_empty()).then_some(out)
}

fn type_kind_text(kind: &TypeKind) -> String {
    match kind {
        TypeKind::Named { name, args } if args.is_empty() => name.name.clone(),
        TypeKind::Named { name, args } => {
            let args: Vec<String> = args.iter().filter_map(type_text).collect();
            format!("{}<{}>", name.name, args.join(", "))
        }
        TypeKind::Array(inner) => format!("[{}]", type_kind_text(&inner.kind)),
        TypeKind::Fn { .. } => "Fn".to_string(),
        TypeKind::Any => String::new(),
    }
}

impl Codegen<'_> {
    pub(super) fn compile_fn_decl(&mut self, f: &ast::FnDecl) {
        let body = Expr { kind: ExprKind::Block(f.body.clone()), span: f.body.span };
        self.compile_function(&f.name.name, &f.params, f.ret.as_ref(), &f.contracts, &body);
    }

    /// Compiles a function body into a nested prototype and emits the `Closure` that
    /// makes it a value (with its capture list).
    pub(super) fn compile_function(
        &mut self,
        name: &str,
        params: &[Param],
        ret: Option<&TypeExpr>,
        contracts: &[ast::Contract],
        body: &Expr,
    ) {
        let mut st = FnState::new(name, false);
        st.line = self.fns.last().map_or(1, |f| f.line);
        st.func.params = params
            .iter()
            .map(|p| ParamInfo {
                name: p.name.name.clone(),
                ty: p.ty.as_ref().and_then(type_text),
                has_default: p.default.is_some(),
                variadic: p.variadic,
            })
            .collect();
        st.func.ret_type = ret.and_then(type_text);
        st.depth = 1;
        for (i, p) in params.iter().enumerate() {
            st.locals.push(super::Local {
                name: p.name.name.clone(),
                depth: 1,
                slot: i as u16,
                kind: BindingKind::Let,
                start: 0,
                imported: false,
            });
        }
        st.height = params.len() as i32;
        self.fns.push(st);

        for (i, p) in params.iter().enumerate() {
            if let Some(d) = &p.default {
                let skip = self.emit(Op::ArgGiven { slot: i as u16, offset: 0 });
                self.compile_expr(d);
                self.emit(Op::StoreLocal { slot: i as u16 });
                self.patch(skip);
            }
        }
        for c in contracts {
            match c.kind {
                ast::ContractKind::Require => {
                    self.at(c.span);
                    self.compile_expr(&c.cond);
                    let msg = self.contract_message(c, "require");
                    self.emit(Op::Require { msg });
                }
                ast::ContractKind::Ensure => self.f().ensures.push((c.cond.clone(), c.message.clone())),
            }
        }
        self.at(body.span);
        match &body.kind {
            ExprKind::Block(b) => self.compile_block_value(b),
            _ => self.compile_expr(body),
        }
        self.emit_return();

        let st = self.fns.pop().expect("function state");
        let captures: Vec<super::Upval> = st.upvals.iter().map(|(_, u)| *u).collect();
        let proto = st.finish();
        let func = self.constant(Constant::Function(Arc::new(proto)));
        self.emit(Op::Closure { func, ncap: captures.len() as u16 });
        for c in captures {
            self.emit(Op::Capture { local: c.local as u8, idx: c.idx });
        }
    }

    fn contract_message(&mut self, c: &ast::Contract, what: &str) -> u32 {
        let text = match &c.message {
            Some(Expr { kind: ExprKind::Str(s), .. }) => format!("{what} failed: {s}"),
            _ => format!("{what} failed"),
        };
        self.str_const(&text)
    }

    /// Returns the value on top, checking the function's `ensure` clauses first.
    pub(super) fn emit_return(&mut self) {
        let ensures = self.f().ensures.clone();
        for (cond, message) in &ensures {
            self.emit(Op::Dup {});
            self.compile_expr(cond);
            self.emit(Op::Swap {});
            self.emit(Op::Call { argc: 1 });
            let c = ast::Contract {
                kind: ast::ContractKind::Ensure,
                cond: cond.clone(),
                message: message.clone(),
                span: cond.span,
            };
            let msg = self.contract_message(&c, "ensure");
            self.emit(Op::Require { msg });
        }
        self.emit(Op::Return {});
    }
}
