//! Code generation: syntax tree to a `lattice_vm::Function` tree (one canonical lowering).
//!
//! Names are resolved here, in one pass: locals are stack slots of the function being
//! compiled, variables of enclosing functions become captures (clox's upvalue scheme,
//! with the VM boxing a captured slot lazily), everything else is a global by name.
//! Top-level declarations (`fn`, `struct`, `enum`, `impl`) are hoisted so code may use
//! them before their definition, as in the reference implementation.
//!
//! Invariants: the emitted code's stack height is tracked exactly (`FnState::height`), so
//! every local's slot is the height at its declaration; every jump lands at a height equal
//! to the one it left from.
//!
//! The `codegen/` modules hold the lowering of statements, expressions, patterns and
//! functions; this file holds the state and the emit helpers they share.

mod expr;
mod function;
mod pattern;
mod stmt;
mod types;

use crate::diagnostic::Diagnostic;
use crate::syntax::ast::{self, BindingKind, Program};
use crate::syntax::span::{LineIndex, Span};
use lattice_vm::module::{Constant, Function, LocalName};
use lattice_vm::Op;
use std::collections::HashMap;
use std::sync::Arc;

/// How the program is compiled.
#[derive(Debug, Clone, Default)]
pub struct CompileOptions {
    /// The program's entry module: `fn main()` is called at the end.
    pub entry: bool,
    /// REPL line: the top-level code returns the value of its last expression statement.
    pub repl: bool,
}

/// Compiles a parsed program. Returns the top-level function, or diagnostics.
pub fn compile(program: &Program, src: &str, opts: &CompileOptions) -> (Option<Function>, Vec<Diagnostic>) {
    let mut cg = Codegen::new(src, opts.clone());
    cg.compile_program(program);
    let diags = std::mem::take(&mut cg.diags);
    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags);
    }
    let f = cg.fns.pop().expect("script state").finish();
    (Some(f), diags)
}

struct Local {
    name: String,
    depth: u32,
    slot: u16,
    kind: BindingKind,
    start: u32,
    /// Bound by a selective import (`import { Color } from "m"`): `Color::Red` and
    /// `Color { .. }` go through the imported type namespace.
    imported: bool,
}

#[derive(Clone, Copy)]
struct Upval {
    local: bool,
    idx: u16,
}

struct LoopCtx {
    /// Stack height at the loop's start (where `continue` jumps).
    height: i32,
    continue_target: usize,
    breaks: Vec<usize>,
    try_depth: u32,
    defers: u16,
}

/// The compilation state of one function.
struct FnState {
    func: Function,
    locals: Vec<Local>,
    depth: u32,
    upvals: Vec<(String, Upval)>,
    loops: Vec<LoopCtx>,
    consts: HashMap<(u8, Vec<u8>), u32>,
    height: i32,
    line: u32,
    /// `try` blocks open in this function.
    try_depth: u32,
    /// Deferred blocks registered in the open blocks of this function.
    defers: u16,
    /// `ensure` clauses to check before each return: (closure expression, message).
    ensures: Vec<(ast::Expr, Option<ast::Expr>)>,
    is_script: bool,
}

impl FnState {
    fn new(name: &str, is_script: bool) -> FnState {
        FnState {
            func: Function { name: name.to_string(), ..Function::default() },
            locals: Vec::new(),
            depth: 0,
            upvals: Vec::new(),
            loops: Vec::new(),
            consts: HashMap::new(),
            height: 0,
            line: 1,
            try_depth: 0,
            defers: 0,
            ensures: Vec::new(),
            is_script,
        }
    }

    fn finish(mut self) -> Function {
        let end = self.func.code.len() as u32;
        for l in self.locals.drain(..) {
            self.func.local_names.push(LocalName { slot: l.slot, name: l.name, start: l.start, end });
        }
        self.func.upval_names = self.upvals.into_iter().map(|(n, _)| n).collect();
        self.func
    }
}

pub(crate) struct Codegen<'s> {
    fns: Vec<FnState>,
    lines: LineIndex,
    #[allow(dead_code)]
    src: &'s str,
    opts: CompileOptions,
    diags: Vec<Diagnostic>,
    /// Binding kinds of top-level variables (for `thaw` on a `fix` global, R14).
    global_kinds: HashMap<String, BindingKind>,
    /// Trait declarations by name, for default methods.
    traits: HashMap<String, ast::TraitDecl>,
    /// Names passed to `track(...)` somewhere in the source: assignments to them report
    /// to the VM so their history is recorded.
    tracked: std::collections::HashSet<String>,
    /// Names the program defines at top level (functions, bindings): these shadow the
    /// builtins, so e.g. a user's own `grow` is called normally.
    defined: std::collections::HashSet<String>,
    /// Names that top-level selective imports bind (collected before anything is
    /// compiled, since functions are hoisted above the imports).
    imported_globals: std::collections::HashSet<String>,
}

impl<'s> Codegen<'s> {
    fn new(src: &'s str, opts: CompileOptions) -> Codegen<'s> {
        Codegen {
            fns: vec![FnState::new("<script>", true)],
            lines: LineIndex::new(src),
            src,
            opts,
            diags: Vec::new(),
            global_kinds: HashMap::new(),
            traits: HashMap::new(),
            tracked: tracked_names(src),
            defined: std::collections::HashSet::new(),
            imported_globals: std::collections::HashSet::new(),
        }
    }

    fn f(&mut self) -> &mut FnState {
        self.fns.last_mut().expect("a function is being compiled")
    }

    fn error(&mut self, msg: impl Into<String>, span: Span) {
        self.diags.push(Diagnostic::error("E0301", msg, span));
    }

    /// Sets the source line for the next instructions.
    fn at(&mut self, span: Span) {
        let line = self.lines.line(span.start);
        self.f().line = line;
    }

    fn emit(&mut self, op: Op) -> usize {
        let f = self.f();
        f.func.code.push(op);
        f.func.lines.push(f.line);
        f.height += op.stack_effect();
        if f.height > f.func.max_stack as i32 {
            f.func.max_stack = f.height as u32;
        }
        f.func.code.len() - 1
    }

    fn here(&mut self) -> usize {
        self.f().func.code.len()
    }

    /// Points the jump at `at` to the current end of code.
    fn patch(&mut self, at: usize) {
        let target = self.here();
        self.patch_to(at, target);
    }

    fn patch_to(&mut self, at: usize, target: usize) {
        let offset = target as i32 - (at as i32 + 1);
        let code = &mut self.f().func.code;
        code[at] = match code[at] {
            Op::Jump { .. } => Op::Jump { offset },
            Op::JumpIfFalse { .. } => Op::JumpIfFalse { offset },
            Op::JumpIfTrue { .. } => Op::JumpIfTrue { offset },
            Op::AndJump { .. } => Op::AndJump { offset },
            Op::OrJump { .. } => Op::OrJump { offset },
            Op::NilJump { .. } => Op::NilJump { offset },
            Op::JumpIfNil { .. } => Op::JumpIfNil { offset },
            Op::IterNext { slot, .. } => Op::IterNext { slot, offset },
            Op::TryBegin { .. } => Op::TryBegin { offset },
            Op::ArgGiven { slot, .. } => Op::ArgGiven { slot, offset },
            other => other,
        };
    }

    /// Emits a backward jump to `target`.
    fn emit_loop(&mut self, target: usize) {
        let at = self.here();
        self.emit(Op::Jump { offset: target as i32 - (at as i32 + 1) });
    }

    fn constant(&mut self, c: Constant) -> u32 {
        let key = c.dedup_key();
        let f = self.f();
        if let Some(k) = &key {
            if let Some(&i) = f.consts.get(k) {
                return i;
            }
        }
        f.func.constants.push(c);
        let i = (f.func.constants.len() - 1) as u32;
        if let Some(k) = key {
            f.consts.insert(k, i);
        }
        i
    }

    fn str_const(&mut self, s: &str) -> u32 {
        self.constant(Constant::Str(Arc::new(s.to_string())))
    }

    fn emit_const_str(&mut self, s: &str) {
        let idx = self.str_const(s);
        self.emit(Op::Const { idx });
    }

    fn emit_int(&mut self, n: i64) {
        if let Ok(v) = i32::try_from(n) {
            self.emit(Op::SmallInt { value: v });
        } else {
            let idx = self.constant(Constant::Int(n));
            self.emit(Op::Const { idx });
        }
    }

    // ---- scopes ----

    fn begin_scope(&mut self) {
        self.f().depth += 1;
    }

    /// Closes a scope whose block left no value on the stack.
    fn end_scope(&mut self) {
        let n = self.close_locals();
        if n > 0 {
            self.emit(Op::PopN { n });
        }
    }

    /// Closes a scope whose block left its value on top of the locals.
    fn end_scope_keep(&mut self) {
        let n = self.close_locals();
        if n > 0 {
            self.emit(Op::PopUnder { n });
        }
    }

    fn close_locals(&mut self) -> u16 {
        let end = self.here() as u32;
        let f = self.f();
        f.depth -= 1;
        let mut n = 0;
        while f.locals.last().is_some_and(|l| l.depth > f.depth) {
            let l = f.locals.pop().expect("checked");
            f.func.local_names.push(LocalName { slot: l.slot, name: l.name, start: l.start, end });
            n += 1;
        }
        n
    }

    /// Declares a local whose value is the value on top of the stack.
    fn declare_local(&mut self, name: &str, kind: BindingKind) -> u16 {
        let start = self.here() as u32;
        let f = self.f();
        let slot = (f.height - 1).max(0) as u16;
        let depth = f.depth;
        f.locals.push(Local { name: name.to_string(), depth, slot, kind, start, imported: false });
        slot
    }

    /// True when a binding at this point is a global (top level of the script).
    fn at_top_level(&self) -> bool {
        let f = self.fns.last().expect("fn");
        f.is_script && f.depth == 0 && !self.opts.repl_locals()
    }

    /// Binds the value on top of the stack to `name` (a global at top level, else a local).
    fn bind(&mut self, name: &str, kind: BindingKind) {
        if self.at_top_level() {
            let idx = self.str_const(name);
            self.global_kinds.insert(name.to_string(), kind);
            self.emit(Op::DefGlobal { name: idx });
        } else {
            self.declare_local(name, kind);
        }
    }

    // ---- name resolution ----

    fn resolve_local(&self, level: usize, name: &str) -> Option<(u16, BindingKind)> {
        self.fns[level].locals.iter().rev().find(|l| l.name == name).map(|l| (l.slot, l.kind))
    }

    fn resolve_upval(&mut self, level: usize, name: &str) -> Option<u16> {
        if level == 0 {
            return None;
        }
        let up = if let Some((slot, _)) = self.resolve_local(level - 1, name) {
            Upval { local: true, idx: slot }
        } else {
            Upval { local: false, idx: self.resolve_upval(level - 1, name)? }
        };
        let f = &mut self.fns[level];
        if let Some(i) =
            f.upvals.iter().position(|(n, u)| n == name && u.local == up.local && u.idx == up.idx)
        {
            return Some(i as u16);
        }
        f.upvals.push((name.to_string(), up));
        Some((f.upvals.len() - 1) as u16)
    }

    fn resolve(&mut self, name: &str) -> Var {
        let level = self.fns.len() - 1;
        if let Some((slot, kind)) = self.resolve_local(level, name) {
            return Var::Local(slot, kind);
        }
        if let Some(idx) = self.resolve_upval(level, name) {
            return Var::Upval(idx);
        }
        Var::Global(self.str_const(name))
    }

    /// The variable a type name is bound to when the innermost binding of that name
    /// comes from a selective import, so `Color::Red` uses the imported type namespace.
    fn imported_binding(&mut self, name: &str) -> Option<Var> {
        for level in (0..self.fns.len()).rev() {
            if let Some(l) = self.fns[level].locals.iter().rev().find(|l| l.name == name) {
                return l.imported.then(|| self.resolve(name));
            }
        }
        self.imported_globals.contains(name).then(|| self.resolve(name))
    }

    /// Tells the VM that the variable `name` may have changed phase.
    fn emit_phase_changed(&mut self, name: &str) {
        let name = self.str_const(name);
        self.emit(Op::PhaseChanged { name, event: 1 });
    }

    fn emit_get(&mut self, var: Var) {
        match var {
            Var::Local(slot, _) => self.emit(Op::GetLocal { slot }),
            Var::Upval(idx) => self.emit(Op::GetUpval { idx }),
            Var::Global(name) => self.emit(Op::GetGlobal { name }),
        };
    }

    /// Stores the top of the stack into `var`, with R1/R2 checks (`checked`) or without.
    fn emit_set(&mut self, var: Var, checked: bool) {
        match (var, checked) {
            (Var::Local(slot, _), true) => self.emit(Op::SetLocal { slot }),
            (Var::Local(slot, _), false) => self.emit(Op::StoreLocal { slot }),
            (Var::Upval(idx), true) => self.emit(Op::SetUpval { idx }),
            (Var::Upval(idx), false) => self.emit(Op::StoreUpval { idx }),
            (Var::Global(name), true) => self.emit(Op::SetGlobal { name }),
            (Var::Global(name), false) => self.emit(Op::StoreGlobal { name }),
        };
    }

    // ---- program ----

    fn compile_program(&mut self, program: &Program) {
        for item in &program.items {
            match &item.kind {
                ast::ItemKind::Fn(f) => {
                    self.defined.insert(f.name.name.clone());
                }
                ast::ItemKind::Stmt(ast::Stmt { kind: ast::StmtKind::Let { target, .. }, .. }) => {
                    self.defined.extend(stmt::target_names(target));
                }
                _ => {}
            }
        }
        for item in &program.items {
            if let ast::ItemKind::Stmt(ast::Stmt { kind: ast::StmtKind::Import(imp), .. }) = &item.kind {
                if let Some(names) = &imp.names {
                    self.imported_globals.extend(names.iter().map(|n| n.name.clone()));
                }
            }
        }
        // Hoist declarations so code may use them before their definition.
        for item in &program.items {
            if let ast::ItemKind::Trait(t) = &item.kind {
                self.traits.insert(t.name.name.clone(), t.clone());
            }
        }
        for item in &program.items {
            if !matches!(item.kind, ast::ItemKind::Stmt(_) | ast::ItemKind::Test(_)) {
                self.compile_item(item);
            }
        }
        let mut last_value = false;
        let n = program.items.len();
        for (i, item) in program.items.iter().enumerate() {
            if let ast::ItemKind::Stmt(stmt) = &item.kind {
                if self.opts.repl && i + 1 == n {
                    if let ast::StmtKind::Expr(e) = &stmt.kind {
                        self.at(stmt.span);
                        self.compile_expr(e);
                        last_value = true;
                        continue;
                    }
                }
                self.compile_stmt(stmt);
            }
        }
        if self.opts.entry {
            self.emit(Op::CallMain {});
            self.emit(Op::Pop {});
        }
        if self.opts.repl && !last_value {
            self.emit(Op::Unit {});
        } else if !last_value {
            self.emit_exports(program);
        }
        self.emit(Op::Return {});
    }

    /// The module's exports Map: the `export`ed names, or every top-level definition.
    fn emit_exports(&mut self, program: &Program) {
        let any_export = program.items.iter().any(|i| i.exported);
        let mut names: Vec<String> = Vec::new();
        for item in &program.items {
            if any_export && !item.exported {
                continue;
            }
            match &item.kind {
                ast::ItemKind::Fn(f) => names.push(f.name.name.clone()),
                ast::ItemKind::Stmt(ast::Stmt { kind: ast::StmtKind::Let { target, .. }, .. }) => {
                    names.extend(stmt::target_names(target))
                }
                _ => {}
            }
        }
        names.dedup();
        for n in &names {
            self.emit_const_str(n);
            let name = self.str_const(n);
            self.emit(Op::GetGlobal { name });
        }
        // The entry program's exports are never imported: it skips the type namespaces.
        let types = if self.opts.entry { 0 } else { self.emit_type_exports(program, any_export) };
        self.emit(Op::MakeMap { n: names.len() as u32 + types });
    }
}

/// The first argument of every `track(...)` call in the source, found by scanning the
/// text (a string literal or an identifier).
fn tracked_names(src: &str) -> std::collections::HashSet<String> {
    let mut out = std::collections::HashSet::new();
    let mut rest = src;
    while let Some(i) = rest.find("track(") {
        let before_ok =
            i == 0 || !rest.as_bytes()[i - 1].is_ascii_alphanumeric() && rest.as_bytes()[i - 1] != b'_';
        rest = &rest[i + 6..];
        if !before_ok {
            continue;
        }
        let arg = rest.trim_start();
        let arg = arg.strip_prefix('"').unwrap_or(arg);
        let name: String = arg.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

#[derive(Clone, Copy)]
enum Var {
    Local(u16, BindingKind),
    Upval(u16),
    Global(u32),
}

impl CompileOptions {
    /// REPL lines keep top-level bindings global, like scripts.
    fn repl_locals(&self) -> bool {
        false
    }
}
