//! Lowering of `match`. The scrutinee lives in a hidden local; each arm first tests its
//! whole pattern without binding anything (every test reads the scrutinee afresh and
//! leaves the stack as it found it, so a failed test jumps to the next arm at a known
//! height), then binds the pattern's names as locals, then checks the guard.

use super::Codegen;
use crate::syntax::ast::{
    AnnotatedPhase, BindingKind, Expr, ExprKind, MatchArm, Pattern, PatternKind, UnaryOp,
};
use lattice_vm::module::Constant;
use lattice_vm::{Op, Phase};

/// One step from the scrutinee to a part of it.
#[derive(Clone)]
enum Step {
    /// Array element or enum payload value at an index.
    Item(u32),
    Field(String),
    /// Array elements from `from` to the end minus `to_end`.
    Rest(u32, u32),
    /// Array element `len - k` (elements after a `...rest`).
    FromEnd(u32),
}

impl Codegen<'_> {
    pub(super) fn compile_match(&mut self, scrutinee: &Expr, arms: &[MatchArm]) {
        self.begin_scope();
        self.compile_expr(scrutinee);
        let subject = self.declare_local("(match)", BindingKind::Let);
        let mut ends = Vec::new();
        for arm in arms {
            self.at(arm.span);
            let h = self.f().height;
            let mut fails = Vec::new();
            self.emit_pattern_test(subject, &[], &arm.pattern, &mut fails);
            self.begin_scope();
            self.emit_pattern_bindings(subject, &[], &arm.pattern);
            let k = self.count_scope_locals();
            let guard_fail = arm.guard.as_ref().map(|g| {
                self.compile_expr(g);
                self.emit(Op::JumpIfFalse { offset: 0 })
            });
            self.compile_expr(&arm.body);
            self.end_scope_keep();
            ends.push(self.emit(Op::Jump { offset: 0 }));
            self.f().height = h;
            if let Some(g) = guard_fail {
                // The guard failed with the arm's bindings on the stack: drop them.
                self.f().height = h + k as i32;
                self.patch(g);
                if k > 0 {
                    self.emit(Op::PopN { n: k });
                }
            }
            for f in fails {
                self.patch(f);
            }
        }
        // No arm matched: the match yields nil, as in the reference.
        self.emit(Op::Nil {});
        for e in ends {
            self.patch(e);
        }
        self.end_scope_keep();
    }

    fn count_scope_locals(&mut self) -> u16 {
        let f = self.f();
        f.locals.iter().rev().take_while(|l| l.depth == f.depth).count() as u16
    }

    fn emit_load(&mut self, subject: u16, path: &[Step]) {
        self.emit(Op::GetLocal { slot: subject });
        for step in path {
            match step {
                Step::Item(i) => {
                    self.emit(Op::VariantGet { index: *i as u16 });
                }
                Step::Field(name) => {
                    let name = self.str_const(name);
                    self.emit(Op::GetField { name });
                }
                Step::Rest(from, to_end) => {
                    self.emit(Op::ArraySlice { from: *from, to_end: *to_end });
                }
                Step::FromEnd(k) => {
                    self.emit(Op::ItemFromEnd { k: *k });
                }
            };
        }
    }

    fn emit_test(&mut self, fails: &mut Vec<usize>) {
        fails.push(self.emit(Op::JumpIfFalse { offset: 0 }));
    }

    fn emit_pattern_test(&mut self, subject: u16, path: &[Step], pat: &Pattern, fails: &mut Vec<usize>) {
        if let Some(phase) = pat.phase {
            self.emit_load(subject, path);
            let p = match phase {
                AnnotatedPhase::Fluid => Phase::Fluid,
                AnnotatedPhase::Crystal => Phase::Crystal,
            };
            self.emit(Op::PhaseIs { phase: p as u8 });
            self.emit_test(fails);
        }
        match &pat.kind {
            PatternKind::Wildcard | PatternKind::Binding(_) => {}
            PatternKind::Literal(lit) => {
                self.emit_load(subject, path);
                self.compile_expr(lit);
                self.emit(Op::Eq {});
                self.emit_test(fails);
            }
            PatternKind::Range { start, end } => {
                self.emit_load(subject, path);
                self.compile_expr(start);
                self.compile_expr(end);
                self.emit(Op::InRange { inclusive: 1 });
                self.emit_test(fails);
            }
            PatternKind::Array { elems, rest, rest_index } => {
                self.emit_load(subject, path);
                let fixed = elems.len() as u32;
                self.emit(Op::MatchArray { len: fixed, rest: rest.is_some() as u8 });
                self.emit_test(fails);
                for (i, p) in elems.iter().enumerate() {
                    let mut sub = path.to_vec();
                    sub.push(self.array_step(i, *rest_index, rest.is_some(), fixed));
                    self.emit_pattern_test(subject, &sub, p, fails);
                }
            }
            PatternKind::Struct { fields } => {
                for (name, p) in fields {
                    self.emit_load(subject, path);
                    let n = self.str_const(&name.name);
                    self.emit(Op::MatchHasField { name: n });
                    self.emit_test(fails);
                    if let Some(p) = p {
                        let mut sub = path.to_vec();
                        sub.push(Step::Field(name.name.clone()));
                        self.emit_pattern_test(subject, &sub, p, fails);
                    }
                }
            }
            PatternKind::Variant { enum_name, variant, payload } => {
                self.emit_load(subject, path);
                let e = self.str_const(&enum_name.name);
                let v = self.str_const(&variant.name);
                // A pattern without a payload matches only a value without one (`Wrap::Value` does
                // not match `Wrap::Value([2, 3])`).
                let n = payload.as_ref().map_or(0, |p| p.len() as u16);
                self.emit(Op::MatchVariant { enum_name: e, variant: v, n });
                self.emit_test(fails);
                for (i, p) in payload.iter().flatten().enumerate() {
                    let mut sub = path.to_vec();
                    sub.push(Step::Item(i as u32));
                    self.emit_pattern_test(subject, &sub, p, fails);
                }
            }
        }
    }

    /// The step to array element `i` of a pattern.
    fn array_step(&mut self, i: usize, rest_index: usize, has_rest: bool, fixed: u32) -> Step {
        if has_rest && i >= rest_index {
            Step::FromEnd(fixed - i as u32)
        } else {
            Step::Item(i as u32)
        }
    }

    fn emit_pattern_bindings(&mut self, subject: u16, path: &[Step], pat: &Pattern) {
        match &pat.kind {
            PatternKind::Binding(name) => {
                self.emit_load(subject, path);
                self.declare_local(&name.name, BindingKind::Let);
            }
            PatternKind::Array { elems, rest, rest_index } => {
                let fixed = elems.len() as u32;
                for (i, p) in elems.iter().enumerate() {
                    let mut sub = path.to_vec();
                    sub.push(self.array_step(i, *rest_index, rest.is_some(), fixed));
                    self.emit_pattern_bindings(subject, &sub, p);
                }
                if let Some(Some(name)) = rest {
                    let after = fixed - *rest_index as u32;
                    let mut sub = path.to_vec();
                    sub.push(Step::Rest(*rest_index as u32, after));
                    self.emit_load(subject, &sub);
                    self.declare_local(&name.name, BindingKind::Let);
                }
            }
            PatternKind::Struct { fields } => {
                for (name, p) in fields {
                    let mut sub = path.to_vec();
                    sub.push(Step::Field(name.name.clone()));
                    match p {
                        Some(p) => self.emit_pattern_bindings(subject, &sub, p),
                        None => {
                            self.emit_load(subject, &sub);
                            self.declare_local(&name.name, BindingKind::Let);
                        }
                    }
                }
            }
            PatternKind::Variant { payload: Some(items), .. } => {
                for (i, p) in items.iter().enumerate() {
                    let mut sub = path.to_vec();
                    sub.push(Step::Item(i as u32));
                    self.emit_pattern_bindings(subject, &sub, p);
                }
            }
            _ => {}
        }
    }
}

/// A literal pattern's value as a constant, when it is one (negative numbers included).
#[allow(dead_code)]
fn literal_constant(e: &Expr) -> Option<Constant> {
    match &e.kind {
        ExprKind::Int(n) => Some(Constant::Int(*n)),
        ExprKind::Float(f) => Some(Constant::Float(*f)),
        ExprKind::Unary { op: UnaryOp::Neg, operand } => match operand.kind {
            ExprKind::Int(n) => Some(Constant::Int(n.wrapping_neg())),
            ExprKind::Float(f) => Some(Constant::Float(-f)),
            _ => None,
        },
        _ => None,
    }
}
