//! Types across modules.
//!
//! A module's exports Map holds, besides its functions and bindings, one *type namespace*
//! per exported `struct` and `enum`: a Map built by the declaring module itself, so every
//! lookup in it resolves that module's own declaration (two modules may both declare
//! `enum Status`).
//!
//! - an enum's namespace maps each unit variant to its value and each payload variant to
//!   a constructor function (`Shape::Circle(3)` calls it; a wrong count of payload values
//!   is the usual arity error);
//! - a struct's namespace maps `"{}"` to a constructor that takes the literal's fields as
//!   a Map, checks them (missing, unknown) and builds the struct where it was declared;
//! - both also hold the type's `impl` functions by name (`m.Point::new(1, 2)`).
//!
//! `alias.Type::member`, `alias.Type { .. }` and, after `import { Type } from "m"`, plain
//! `Type::member` and `Type { .. }` read the namespace through the binding, so they follow
//! the usual scoping of that binding: an import inside a function stays in that function.

use super::Codegen;
use crate::syntax::ast::{self, Ident, Program};
use lattice_vm::module::{Constant, ParamInfo};
use lattice_vm::Op;
use std::sync::Arc;

/// The key of a struct's literal constructor in its type namespace (no identifier can
/// collide with it).
const STRUCT_CTOR: &str = "{}";

impl Codegen<'_> {
    /// Pushes the type namespace for `ty` when the reference is qualified by a module alias
    /// (`alias.Type`) or `Type` was bound by a selective import; false (nothing emitted)
    /// for a plain type name. `what` names the kind of type in the error message.
    pub(super) fn emit_type_namespace(&mut self, module: Option<&Ident>, ty: &Ident, what: &str) -> bool {
        match module {
            Some(alias) => {
                let var = self.resolve(&alias.name);
                self.emit_get(var);
                self.emit(Op::Dup {});
                let name = self.str_const(&ty.name);
                self.emit(Op::MatchHasField { name });
                let msg = self.str_const(&format!("module '{}' has no {what} '{}'", alias.name, ty.name));
                self.emit(Op::Require { msg });
                self.emit(Op::GetField { name });
                true
            }
            None => match self.imported_binding(&ty.name) {
                Some(var) => {
                    self.emit_get(var);
                    true
                }
                None => false,
            },
        }
    }

    /// A struct literal through a type namespace on top of the stack: calls its
    /// constructor with the fields as a Map and how many distinct fields were written.
    pub(super) fn compile_qualified_struct(&mut self, name: &Ident, fields: &[ast::FieldInit]) {
        self.emit(Op::Dup {});
        let ctor = self.str_const(STRUCT_CTOR);
        self.emit(Op::MatchHasField { name: ctor });
        let msg = self.str_const(&format!("'{}' is not a struct", name.name));
        self.emit(Op::Require { msg });
        self.emit(Op::GetField { name: ctor });
        for f in fields {
            self.emit_const_str(&f.name.name);
            match &f.value {
                Some(v) => self.compile_expr(v),
                None => {
                    let var = self.resolve(&f.name.name);
                    self.emit_get(var);
                }
            }
        }
        self.emit(Op::MakeMap { n: fields.len() as u32 });
        let mut distinct: Vec<&str> = fields.iter().map(|f| f.name.name.as_str()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        self.emit_int(distinct.len() as i64);
        self.emit(Op::Call { argc: 2 });
    }

    /// Pushes `key, namespace` for every type the module exports (the caller counts two
    /// stack values per returned entry when it builds the exports Map).
    pub(super) fn emit_type_exports(&mut self, program: &Program, any_export: bool) -> u32 {
        let mut count = 0;
        for item in &program.items {
            if any_export && !item.exported {
                continue;
            }
            match &item.kind {
                ast::ItemKind::Enum(e) => {
                    self.emit_const_str(&e.name.name);
                    let mut n = 0;
                    for v in &e.variants {
                        self.emit_const_str(&v.name.name);
                        match &v.payload {
                            None => {
                                let ty = self.str_const(&e.name.name);
                                let member = self.str_const(&v.name.name);
                                self.emit(Op::PathGet { ty, member });
                            }
                            Some(p) => {
                                let arity = p.len();
                                let fname = format!("{}::{}", e.name.name, v.name.name);
                                self.emit_synthetic_fn(&fname, arity, |cg| {
                                    for slot in 0..arity {
                                        cg.emit(Op::GetLocal { slot: slot as u16 });
                                    }
                                    // Constants of the constructor's own function.
                                    let ty = cg.str_const(&e.name.name);
                                    let member = cg.str_const(&v.name.name);
                                    cg.emit(Op::PathCall { ty, member, argc: arity as u8 });
                                });
                            }
                        }
                        n += 1;
                    }
                    let skip: Vec<&str> = e.variants.iter().map(|v| v.name.name.as_str()).collect();
                    n += self.emit_impl_functions(program, &e.name.name, &skip);
                    self.emit(Op::MakeMap { n });
                    count += 1;
                }
                ast::ItemKind::Struct(s) => {
                    self.emit_const_str(&s.name.name);
                    self.emit_const_str(STRUCT_CTOR);
                    self.emit_struct_ctor(s);
                    let n = 1 + self.emit_impl_functions(program, &s.name.name, &[]);
                    self.emit(Op::MakeMap { n });
                    count += 1;
                }
                _ => {}
            }
        }
        count
    }

    /// Pushes `name, function` for each `impl` function of type `ty` in the program.
    fn emit_impl_functions(&mut self, program: &Program, ty: &str, skip: &[&str]) -> u32 {
        let mut seen: Vec<String> = Vec::new();
        for item in &program.items {
            let ast::ItemKind::Impl(imp) = &item.kind else { continue };
            if imp.type_name.name != ty {
                continue;
            }
            let mut names: Vec<String> = imp.methods.iter().map(|m| m.name.name.clone()).collect();
            if let Some(tr) = imp.trait_name.as_ref().and_then(|t| self.traits.get(&t.name)) {
                names.extend(tr.methods.iter().filter(|m| m.body.is_some()).map(|m| m.name.name.clone()));
            }
            for n in names {
                if skip.contains(&n.as_str()) || seen.contains(&n) {
                    continue;
                }
                seen.push(n);
            }
        }
        for n in &seen {
            self.emit_const_str(n);
            let t = self.str_const(ty);
            let m = self.str_const(n);
            self.emit(Op::PathGet { ty: t, member: m });
        }
        seen.len() as u32
    }

    /// The literal constructor of struct `s`: `(fields: Map, written: Int)`. Every field
    /// not typed `Fn` must be given; `written` (the literal's distinct field count) must
    /// equal the number of declared fields given, or the literal named an unknown field.
    fn emit_struct_ctor(&mut self, s: &ast::StructDecl) {
        let sname = s.name.name.clone();
        let fields: Vec<(String, bool)> = s
            .fields
            .iter()
            .map(|f| {
                let optional = f.ty.as_ref().and_then(super::function::type_text).as_deref() == Some("Fn");
                (f.name.name.clone(), optional)
            })
            .collect();
        self.emit_synthetic_fn(&sname.clone(), 2, move |cg| {
            let required = fields.iter().filter(|(_, opt)| !opt).count();
            cg.emit_int(required as i64);
            for (f, optional) in &fields {
                cg.emit(Op::GetLocal { slot: 0 });
                let name = cg.str_const(f);
                cg.emit(Op::MatchHasField { name });
                if *optional {
                    let skip = cg.emit(Op::JumpIfFalse { offset: 0 });
                    cg.emit(Op::SmallInt { value: 1 });
                    cg.emit(Op::Add {});
                    cg.patch(skip);
                } else {
                    let msg = cg.str_const(&format!("struct {sname}: missing field '{f}'"));
                    cg.emit(Op::Require { msg });
                }
            }
            cg.emit(Op::GetLocal { slot: 1 });
            cg.emit(Op::Eq {});
            let names: Vec<String> = fields.iter().map(|(f, _)| f.clone()).collect();
            let msg =
                cg.str_const(&format!("struct {sname} has no such field (its fields: {})", names.join(", ")));
            cg.emit(Op::Require { msg });
            for (f, _) in &fields {
                cg.emit(Op::GetLocal { slot: 0 });
                let name = cg.str_const(f);
                cg.emit(Op::GetField { name });
            }
            let name = cg.str_const(&sname);
            let fields_c = cg.constant(Constant::Names(names));
            cg.emit(Op::MakeStruct { name, fields: fields_c, n: fields.len() as u16 });
        });
    }

    /// Emits a closure over a function of `arity` plain parameters whose body `body`
    /// emits, leaving the result on top; it captures nothing.
    fn emit_synthetic_fn(&mut self, name: &str, arity: usize, body: impl FnOnce(&mut Self)) {
        let mut st = super::FnState::new(name, false);
        st.line = self.fns.last().map_or(1, |f| f.line);
        st.func.params = (0..arity)
            .map(|i| ParamInfo { name: format!("_{i}"), ty: None, has_default: false, variadic: false })
            .collect();
        st.depth = 1;
        st.height = arity as i32;
        self.fns.push(st);
        body(self);
        self.emit(Op::Return {});
        let st = self.fns.pop().expect("function state");
        let proto = st.finish();
        let func = self.constant(Constant::Function(Arc::new(proto)));
        self.emit(Op::Closure { func, ncap: 0 });
    }
}
