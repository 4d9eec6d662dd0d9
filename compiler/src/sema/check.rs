//! Static checks that need no execution: strict mode (R10), `@fluid`/`@crystal`
//! annotations, and `break`/`continue` outside a loop.
//!
//! The checker walks the tree once with a stack of scopes, tracking for each binding the
//! phase it statically has (fluid, crystal, or unknown) and, in strict mode, whether a
//! `freeze(x)` has consumed it. Phases of expressions are inferred only where that is
//! certain (`freeze(...)` is crystal, `thaw(...)` fluid, a `fix` binding crystal, ...);
//! everything else is unknown and never causes an error.
//!
//! It does not check names, types or arity (those are runtime errors in Lattice), and a
//! top-level `return` is allowed, as in the reference implementation.

use crate::diagnostic::Diagnostic;
use crate::syntax::ast::*;
use crate::syntax::span::Span;
use std::collections::HashMap;

/// Runs every static check over a parsed program.
pub fn check(program: &Program) -> Vec<Diagnostic> {
    let mut checker = Checker {
        strict: program.mode == Mode::Strict,
        scopes: vec![HashMap::new()],
        loops: 0,
        spawn_scopes: None,
        diagnostics: Vec::new(),
        overloads: HashMap::new(),
    };
    // Phase constraints of every top-level function's parameters, per name (all
    // overloads), for strict mode's call check.
    for item in &program.items {
        if let ItemKind::Fn(f) = &item.kind {
            let constraints = f.params.iter().map(|p| p.ty.as_ref().and_then(|t| t.phase)).collect();
            checker.overloads.entry(f.name.name.clone()).or_default().push(constraints);
        }
    }
    for item in &program.items {
        checker.item(item);
    }
    checker.diagnostics
}

/// What the checker knows about a value's phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Unknown,
    Fluid,
    Crystal,
}

#[derive(Debug, Clone)]
struct Binding {
    phase: Phase,
    /// Strict mode: where `freeze(x)` consumed this binding.
    consumed: Option<Span>,
}

struct Checker {
    strict: bool,
    scopes: Vec<HashMap<String, Binding>>,
    /// How many loops enclose the current point within the current function.
    loops: u32,
    /// Inside a `spawn` block: the number of scopes open when it began (bindings in
    /// those scopes belong to the spawning thread).
    spawn_scopes: Option<usize>,
    diagnostics: Vec<Diagnostic>,
    /// Top-level functions: the phase constraint of each parameter, per overload.
    overloads: HashMap<String, Vec<Vec<Option<PhaseConstraint>>>>,
}

impl Checker {
    /// Strict mode: a call whose arguments' phases are statically known must fit one
    /// overload's phase constraints.
    fn check_overloads(&mut self, callee: &Expr, args: &[Expr]) {
        let ExprKind::Ident(name) = &callee.kind else { return };
        // A local binding of the same name shadows the top-level function.
        if self.scopes.len() > 1 && self.scopes[1..].iter().any(|s| s.contains_key(name)) {
            return;
        }
        let Some(sets) = self.overloads.get(name) else { return };
        if sets.iter().all(|s| s.iter().all(Option::is_none)) {
            return;
        }
        let phases: Vec<Phase> = args
            .iter()
            .map(|a| match &a.kind {
                ExprKind::Ident(n) => self.phase_of(n),
                _ => Phase::Unknown,
            })
            .collect();
        let fits = |set: &Vec<Option<PhaseConstraint>>| {
            set.iter().zip(&phases).all(|(c, p)| match (c, p) {
                (Some(c), Phase::Fluid) => c.fluid,
                (Some(c), Phase::Crystal) => c.crystal,
                _ => true,
            })
        };
        if !sets.iter().any(fits) {
            self.error(
                "E0207",
                format!("strict mode: no matching overload for '{name}' with given argument phases"),
                callee.span,
                "no overload accepts these argument phases",
            );
        }
    }

    fn error(&mut self, code: &'static str, message: String, span: Span, label: &str) {
        self.diagnostics.push(Diagnostic::error(code, message, span).with_label(label));
    }

    fn define(&mut self, name: &str, phase: Phase) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.insert(name.to_string(), Binding { phase, consumed: None });
        }
    }

    fn lookup(&self, name: &str) -> Option<&Binding> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    fn lookup_mut(&mut self, name: &str) -> Option<&mut Binding> {
        self.scopes.iter_mut().rev().find_map(|s| s.get_mut(name))
    }

    fn phase_of(&self, name: &str) -> Phase {
        self.lookup(name).map_or(Phase::Unknown, |b| b.phase)
    }

    /// Runs `f` in a fresh scope.
    fn scoped(&mut self, f: impl FnOnce(&mut Checker)) {
        self.scopes.push(HashMap::new());
        f(self);
        self.scopes.pop();
    }

    /// Runs `f` as the body of a function or closure: a fresh scope, and no enclosing loop.
    fn function(&mut self, params: &[Param], f: impl FnOnce(&mut Checker)) {
        let loops = std::mem::replace(&mut self.loops, 0);
        self.scoped(|c| {
            for p in params {
                if let Some(d) = &p.default {
                    c.expr(d);
                }
                c.define(&p.name.name, param_phase(p));
            }
            f(c);
        });
        self.loops = loops;
    }

    fn item(&mut self, item: &Item) {
        match &item.kind {
            ItemKind::Fn(f) => self.fn_decl(f),
            ItemKind::Impl(i) => i.methods.iter().for_each(|f| self.fn_decl(f)),
            ItemKind::Trait(t) => {
                for m in &t.methods {
                    if let Some(body) = &m.body {
                        self.function(&m.params, |c| c.block_stmts(body));
                    }
                }
            }
            ItemKind::Test(t) => self.function(&[], |c| c.block_stmts(&t.body)),
            ItemKind::Struct(_) | ItemKind::Enum(_) => {}
            ItemKind::Stmt(stmt) => self.stmt_annotated(stmt, item.annotation.as_ref()),
        }
    }

    fn fn_decl(&mut self, f: &FnDecl) {
        self.function(&f.params, |c| {
            for contract in &f.contracts {
                c.expr(&contract.cond);
                if let Some(m) = &contract.message {
                    c.expr(m);
                }
            }
            c.block_stmts(&f.body);
        });
    }

    fn block(&mut self, block: &Block) {
        self.scoped(|c| c.block_stmts(block));
    }

    fn block_stmts(&mut self, block: &Block) {
        for stmt in &block.stmts {
            self.stmt(stmt);
        }
    }

    fn loop_body(&mut self, block: &Block, define: impl FnOnce(&mut Checker)) {
        self.loops += 1;
        self.scoped(|c| {
            define(c);
            c.block_stmts(block);
        });
        self.loops -= 1;
    }

    fn stmt(&mut self, stmt: &Stmt) {
        self.stmt_annotated(stmt, None);
    }

    fn stmt_annotated(&mut self, stmt: &Stmt, annotation: Option<&PhaseAnnotation>) {
        match &stmt.kind {
            StmtKind::Let { kind, kind_span, target, value, .. } => {
                self.binding(*kind, *kind_span, target, value, annotation)
            }
            StmtKind::Assign { target, value } => self.assign(target, value),
            StmtKind::CompoundAssign { target, value, .. } => {
                self.expr(target);
                self.assign(target, value);
            }
            StmtKind::Expr(e) => {
                self.expr(e);
            }
            StmtKind::Return(e) => {
                if let Some(e) = e {
                    self.expr(e);
                }
            }
            StmtKind::Break => self.jump("break", stmt.span),
            StmtKind::Continue => self.jump("continue", stmt.span),
            StmtKind::For { var, iter, body } => {
                self.expr(iter);
                self.loop_body(body, |c| {
                    for name in target_names(var) {
                        c.define(&name.name, Phase::Unknown);
                    }
                });
            }
            StmtKind::While { cond, body } => {
                self.expr(cond);
                self.loop_body(body, |_| {});
            }
            StmtKind::Loop { body } => self.loop_body(body, |_| {}),
            StmtKind::Defer { body } => self.block(body),
            StmtKind::Import(import) => {
                for name in import.alias.iter().chain(import.names.iter().flatten()) {
                    self.define(&name.name, Phase::Unknown);
                }
            }
            StmtKind::Item(item) => self.item(item),
        }
    }

    fn jump(&mut self, word: &str, span: Span) {
        if self.loops == 0 {
            self.error(
                "E0210",
                format!("{word} outside of loop"),
                span,
                &format!("`{word}` is not inside a loop"),
            );
        }
    }

    fn binding(
        &mut self,
        kind: BindingKind,
        kind_span: Span,
        target: &BindTarget,
        value: &Expr,
        annotation: Option<&PhaseAnnotation>,
    ) {
        let value_phase = self.expr(value);
        let names = target_names(target);
        let first = names.first().map_or(String::new(), |n| n.name.clone());
        if let Some(a) = annotation {
            let (wanted, conflicting) = match a.phase {
                AnnotatedPhase::Crystal => ("@crystal", Phase::Fluid),
                AnnotatedPhase::Fluid => ("@fluid", Phase::Crystal),
            };
            if value_phase == conflicting {
                let is = if conflicting == Phase::Fluid { "fluid" } else { "crystal" };
                self.error(
                    "E0206",
                    format!("{wanted} annotation violated: initializer for '{first}' is {is}"),
                    value.span,
                    &format!("this value is {is}"),
                );
            }
        }
        if self.strict {
            match (kind, target) {
                (BindingKind::Let, BindTarget::Name(name)) => self.error(
                    "E0200",
                    format!("strict mode: use 'flux' or 'fix' instead of 'let' for binding '{}'", name.name),
                    kind_span,
                    "`let` is not allowed in strict mode",
                ),
                (BindingKind::Let, _) => self.error(
                    "E0200",
                    "strict mode: destructure requires explicit phase (flux/fix)".to_string(),
                    kind_span,
                    "`let` is not allowed in strict mode",
                ),
                (BindingKind::Flux, _) if value_phase == Phase::Crystal => self.error(
                    "E0201",
                    format!("cannot bind crystal value with flux for '{first}'"),
                    value.span,
                    "this value is crystal",
                ),
                _ => {}
            }
        }
        let phase = match kind {
            BindingKind::Flux => Phase::Fluid,
            BindingKind::Fix => Phase::Crystal,
            BindingKind::Let => value_phase,
        };
        for name in names {
            self.define(&name.name, phase);
        }
    }

    fn assign(&mut self, target: &Expr, value: &Expr) {
        self.expr(value);
        match &target.kind {
            ExprKind::Ident(name) => {
                if self.strict && self.phase_of(name) == Phase::Crystal {
                    self.error(
                        "E0202",
                        format!("strict mode: cannot assign to crystal binding '{name}' (it is frozen)"),
                        target.span,
                        "this binding is crystal",
                    );
                }
                self.use_name(name, target.span);
            }
            _ => {
                self.expr(target);
            }
        }
    }

    /// A read of `name`: in strict mode, a binding consumed by `freeze` may not be used.
    fn use_name(&mut self, name: &str, span: Span) {
        if !self.strict {
            return;
        }
        // A task must not share a fluid binding of the spawning thread.
        if let Some(outer) = self.spawn_scopes {
            let found =
                self.scopes.iter().enumerate().rev().find_map(|(i, s)| s.get(name).map(|b| (i, b.phase)));
            if let Some((i, Phase::Fluid)) = found {
                if i < outer {
                    self.diagnostics.push(
                        Diagnostic::error(
                            "E0208",
                            format!("strict mode: cannot use fluid binding '{name}' across thread boundary in spawn"),
                            span,
                        )
                        .with_label(format!("'{name}' is fluid"))
                        .with_help(format!("freeze it first, or pass a crystal copy: `fix {name}_shared = freeze({name})`")),
                    );
                }
            }
        }
        if let Some(frozen_at) = self.lookup(name).and_then(|b| b.consumed) {
            self.diagnostics.push(
                Diagnostic::error("E0205", format!("strict mode: '{name}' was consumed by freeze()"), span)
                    .with_label(format!("'{name}' is used after being frozen"))
                    .with_secondary(frozen_at, "frozen here")
                    .with_help(format!(
                        "use the frozen value instead, e.g. `fix {name}_frozen = freeze({name})`"
                    )),
            );
        }
    }

    fn exprs(&mut self, exprs: &[Expr]) {
        for e in exprs {
            self.expr(e);
        }
    }

    /// Checks an expression and returns the phase it statically has.
    fn expr(&mut self, expr: &Expr) -> Phase {
        match &expr.kind {
            ExprKind::Ident(name) => {
                self.use_name(name, expr.span);
                self.phase_of(name)
            }
            ExprKind::Freeze { target, contract, except } => {
                let inner = self.expr(target);
                if let Some(c) = contract {
                    self.expr(c);
                }
                if let Some(x) = except {
                    self.exprs(x);
                }
                self.freeze(target, inner);
                Phase::Crystal
            }
            ExprKind::Thaw(target) => {
                let inner = self.expr(target);
                if self.strict && inner == Phase::Fluid {
                    self.error(
                        "E0204",
                        format!("strict mode: cannot thaw an already fluid value{}", named(target)),
                        target.span,
                        "this value is already fluid",
                    );
                }
                Phase::Fluid
            }
            ExprKind::Clone(e) | ExprKind::Sublimate(e) => self.expr(e),
            ExprKind::Field { obj, .. } => self.expr(obj),
            ExprKind::Tuple(items) => {
                self.exprs(items);
                Phase::Crystal
            }
            ExprKind::Forge(block) => {
                self.block(block);
                Phase::Crystal
            }
            ExprKind::Anneal { target, closure } => {
                self.expr(target);
                self.expr(closure);
                Phase::Crystal
            }
            _ => {
                self.children(expr);
                Phase::Unknown
            }
        }
    }

    /// `freeze(x)`: in strict mode an already crystal `x` is an error, and an identifier is
    /// consumed (R10). Either way the binding is crystal afterwards.
    fn freeze(&mut self, target: &Expr, inner: Phase) {
        if self.strict && inner == Phase::Crystal {
            self.error(
                "E0203",
                format!("strict mode: cannot freeze an already crystal value{}", named(target)),
                target.span,
                "this value is already crystal",
            );
        }
        if let ExprKind::Ident(name) = &target.kind {
            let strict = self.strict;
            if let Some(binding) = self.lookup_mut(name) {
                binding.phase = Phase::Crystal;
                if strict {
                    binding.consumed = Some(target.span);
                }
            }
        }
    }

    /// Checks the sub-expressions of everything not handled in `expr`.
    fn children(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Nil
            | ExprKind::Unit
            | ExprKind::Ident(_) => {}
            ExprKind::Interp(parts) => {
                for part in parts {
                    if let StrPart::Expr(e) = part {
                        self.expr(e);
                    }
                }
            }
            ExprKind::Binary { lhs, rhs, .. } | ExprKind::Range { start: lhs, end: rhs } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Unary { operand, .. } => {
                self.expr(operand);
            }
            ExprKind::Call { callee, args } => {
                self.expr(callee);
                self.exprs(args);
                if self.strict {
                    self.check_overloads(callee, args);
                }
            }
            ExprKind::MethodCall { recv, args, .. } => {
                self.expr(recv);
                self.exprs(args);
            }
            ExprKind::TupleIndex { obj, .. } => {
                self.expr(obj);
            }
            ExprKind::Index { obj, index, .. } => {
                self.expr(obj);
                self.expr(index);
            }
            ExprKind::Try(e) | ExprKind::Spread(e) => {
                self.expr(e);
            }
            ExprKind::Array(items) => self.exprs(items),
            ExprKind::Map(entries) => entries.iter().for_each(|m| {
                self.expr(&m.value);
            }),
            ExprKind::StructLit { fields, .. } => {
                for f in fields {
                    match &f.value {
                        Some(v) => {
                            self.expr(v);
                        }
                        None => self.use_name(&f.name.name, f.name.span),
                    }
                }
            }
            ExprKind::Path { args, .. } => {
                if let Some(args) = args {
                    self.exprs(args);
                }
            }
            ExprKind::If { cond, then, else_ } => {
                self.expr(cond);
                self.block(then);
                if let Some(e) = else_ {
                    self.expr(e);
                }
            }
            ExprKind::Spawn(b) => {
                let outer = self.spawn_scopes.replace(self.scopes.len());
                self.block(b);
                self.spawn_scopes = outer;
            }
            ExprKind::Block(b) | ExprKind::Scope(b) => self.block(b),
            ExprKind::Closure { params, body, .. } => self.function(params, |c| {
                c.expr(body);
            }),
            ExprKind::Match { scrutinee, arms } => {
                self.expr(scrutinee);
                for arm in arms {
                    self.scoped(|c| {
                        for name in pattern_names(&arm.pattern) {
                            c.define(&name, Phase::Unknown);
                        }
                        if let Some(g) = &arm.guard {
                            c.expr(g);
                        }
                        c.expr(&arm.body);
                    });
                }
            }
            ExprKind::TryCatch { body, catch_var, handler } => {
                self.block(body);
                self.scoped(|c| {
                    if let Some(v) = catch_var {
                        c.define(&v.name, Phase::Fluid);
                    }
                    c.block_stmts(handler);
                });
            }
            ExprKind::Crystallize { target, body } | ExprKind::Borrow { target, body } => {
                self.expr(target);
                self.block(body);
            }
            ExprKind::Select(arms) => {
                for arm in arms {
                    let binding = match &arm.kind {
                        SelectArmKind::Recv { binding, channel } => {
                            self.expr(channel);
                            binding.as_ref()
                        }
                        SelectArmKind::Timeout(e) => {
                            self.expr(e);
                            None
                        }
                        SelectArmKind::Default => None,
                    };
                    self.scoped(|c| {
                        if let Some(b) = binding {
                            c.define(&b.name, Phase::Unknown);
                        }
                        c.block_stmts(&arm.body);
                    });
                }
            }
            // `expr` handles these itself and never passes them here.
            ExprKind::Freeze { .. }
            | ExprKind::Thaw(_)
            | ExprKind::Clone(_)
            | ExprKind::Sublimate(_)
            | ExprKind::Field { .. }
            | ExprKind::Tuple(_)
            | ExprKind::Forge(_)
            | ExprKind::Anneal { .. } => {}
        }
    }
}

/// ` ('x')` for an identifier, to name the variable in a message; empty otherwise.
fn named(expr: &Expr) -> String {
    match &expr.kind {
        ExprKind::Ident(name) => format!(" ('{name}')"),
        _ => String::new(),
    }
}

/// A parameter's phase: fluid or crystal when its type constrains it to exactly one.
fn param_phase(p: &Param) -> Phase {
    match p.ty.as_ref().and_then(|t| t.phase) {
        Some(PhaseConstraint { fluid: true, crystal: false, .. }) => Phase::Fluid,
        Some(PhaseConstraint { fluid: false, crystal: true, .. }) => Phase::Crystal,
        _ => Phase::Unknown,
    }
}

fn target_names(target: &BindTarget) -> Vec<&Ident> {
    match target {
        BindTarget::Name(n) => vec![n],
        BindTarget::Array { elems, rest, .. } => elems.iter().chain(rest.iter()).collect(),
        BindTarget::Struct { fields, .. } => fields.iter().collect(),
    }
}

/// The names a pattern binds.
fn pattern_names(pattern: &Pattern) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![pattern];
    while let Some(p) = stack.pop() {
        match &p.kind {
            PatternKind::Binding(n) => out.push(n.name.clone()),
            PatternKind::Array { elems, rest, .. } => {
                stack.extend(elems);
                if let Some(Some(r)) = rest {
                    out.push(r.name.clone());
                }
            }
            PatternKind::Struct { fields } => {
                for (name, sub) in fields {
                    match sub {
                        Some(sub) => stack.push(sub),
                        None => out.push(name.name.clone()),
                    }
                }
            }
            PatternKind::Variant { payload, .. } => stack.extend(payload.iter().flatten()),
            PatternKind::Wildcard | PatternKind::Literal(_) | PatternKind::Range { .. } => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses and checks `src`; `expect` lists the messages, one per line.
    fn check_src(src: &str, expect: &str) {
        let (program, diags) = crate::parse(src);
        assert!(diags.is_empty(), "parse errors: {diags:?}");
        let diags = check(&program.expect("a tree"));
        let got: Vec<_> = diags.iter().map(|d| d.message.as_str()).collect();
        let want: Vec<_> = expect.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        assert_eq!(got, want, "\nsource:\n{src}");
    }

    #[test]
    fn strict_rejects_let() {
        check_src(
            "#mode strict\nlet x = 5\nlet [a, b] = [1, 2]",
            "strict mode: use 'flux' or 'fix' instead of 'let' for binding 'x'
             strict mode: destructure requires explicit phase (flux/fix)",
        );
    }

    #[test]
    fn strict_freeze_consumes() {
        check_src(
            "#mode strict\nflux data = [1]\nfix frozen = freeze(data)\nprint(frozen)\nprint(data)",
            "strict mode: 'data' was consumed by freeze()",
        );
        check_src("#mode strict\nflux d = [1]\nfreeze(d)\nflux d = [2]\nprint(d)", "");
    }

    #[test]
    fn strict_assignment_to_crystal() {
        check_src(
            "#mode strict\nfix limit = 10\nlimit = 20\nlimit += 1",
            "strict mode: cannot assign to crystal binding 'limit' (it is frozen)
             strict mode: cannot assign to crystal binding 'limit' (it is frozen)",
        );
    }

    #[test]
    fn strict_spawn_refuses_fluid_captures() {
        check_src(
            "#mode strict\nflux n = 1\nfix k = 2\nscope {\n    spawn { print(n + k) }\n}",
            "strict mode: cannot use fluid binding 'n' across thread boundary in spawn",
        );
        check_src(
            "#mode strict\nfix k = 2\nscope {\n    spawn {\n        flux own = 1\n        own += k\n    }\n}",
            "",
        );
    }

    #[test]
    fn strict_overload_phases() {
        check_src(
            "#mode strict\nfn f(d: fix Map) { d }\nflux m = Map::new()\nf(m)",
            "strict mode: no matching overload for 'f' with given argument phases",
        );
        check_src(
            "#mode strict\nfn g(d: ~Map) { 1 }\nfn g(d: *Map) { 2 }\nflux m = Map::new()\ng(m)\nfix c = freeze(Map::new())\ng(c)",
            "",
        );
    }

    #[test]
    fn strict_phase_mismatches() {
        check_src("#mode strict\nflux x = freeze(42)", "cannot bind crystal value with flux for 'x'");
        check_src(
            "#mode strict\nfix x = freeze(42)\nfix y = freeze(x)",
            "strict mode: cannot freeze an already crystal value ('x')",
        );
        check_src(
            "#mode strict\nflux x = 42\nflux y = thaw(x)",
            "strict mode: cannot thaw an already fluid value ('x')",
        );
    }

    #[test]
    fn casual_mode_allows_all_of_it() {
        check_src("let x = 5\nfix y = 1\ny = 2\nflux z = freeze(1)\nfreeze(z)\nprint(z)", "");
    }

    #[test]
    fn annotations() {
        check_src("@crystal\nlet a = thaw(x)\n@fluid\nlet b = freeze(y)\n@fluid\nflux c = 1", "@crystal annotation violated: initializer for 'a' is fluid\n@fluid annotation violated: initializer for 'b' is crystal");
    }

    #[test]
    fn break_and_continue_need_a_loop() {
        check_src(
            "break\nwhile true { if x { break } else { continue } }\nfor i in xs { let f = || { continue } }",
            "break outside of loop\ncontinue outside of loop",
        );
        check_src("return 1\nfn f() { return }", "");
    }
}
