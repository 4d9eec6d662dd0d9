//! Name resolution for the IDE: every definition in a file (and the exports of the files it
//! imports), every reference to one, and the scopes, in one walk over the tree.
//!
//! This is the IDE's own, forgiving resolver: it works on partial trees, never reports an
//! error, and guesses where Lattice is dynamic. A field or method is resolved through the
//! receiver's statically known struct (a typed parameter, `self`, a struct literal, a call
//! to a function with a declared return type) and, failing that, through the one struct
//! that declares a member of that name. Codegen's resolver (locals, upvalues, slots) is a
//! different thing and lives in codegen.

use crate::syntax::ast::*;
use crate::syntax::span::Span;
use std::collections::HashMap;

pub type DefId = usize;

/// Methods that change their receiver in place: a binding they are called on needs to be
/// fluid, so a use counts as a write.
const MUTATING_METHODS: &[&str] = &[
    "push", "pop", "insert", "remove", "clear", "sort", "reverse", "set", "append", "extend", "add", "delete",
];
pub type ScopeId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DefKind {
    /// A binding inside a function or block (`let`, `for`, pattern, `catch`).
    Local,
    Param,
    /// A top-level binding.
    Global,
    Function,
    /// A function in an `impl` or `trait`.
    Method,
    Struct,
    Field,
    Enum,
    Variant,
    Trait,
    /// `import "path" as name`.
    Module,
}

/// One definition.
#[derive(Debug, Clone)]
pub struct Def {
    pub name: String,
    pub kind: DefKind,
    /// Where the name is written.
    pub name_span: Span,
    /// The whole declaration.
    pub full_span: Span,
    /// `None` for this file; otherwise the import path (as written) of the file it is in.
    pub file: Option<String>,
    /// How it was bound, for bindings.
    pub phase: Option<BindingKind>,
    pub doc: Option<String>,
    /// A one-line description: a signature, or the binding as written.
    pub detail: String,
    /// The struct, enum, trait or impl type it belongs to.
    pub container: Option<String>,
    /// Parameter texts, for functions and methods (signature help).
    pub params: Vec<String>,
    /// The struct or enum its value is known to be (bindings, fields), or that it returns
    /// (functions).
    pub ty: Option<String>,
}

/// A call of a known function: the callee, whether it is a method call, and each
/// argument's span with its name when the argument is a plain name.
pub type Call = (DefId, bool, Vec<(Span, Option<String>)>);

/// A use of a definition.
#[derive(Debug, Clone, Copy)]
pub struct Ref {
    pub span: Span,
    pub def: DefId,
    /// An assignment target.
    pub write: bool,
}

#[derive(Debug, Clone)]
pub struct Scope {
    pub span: Span,
    pub parent: Option<ScopeId>,
    pub defs: Vec<DefId>,
}

/// Everything the resolver found.
#[derive(Debug, Default)]
pub struct Index {
    pub defs: Vec<Def>,
    pub refs: Vec<Ref>,
    pub scopes: Vec<Scope>,
    /// Names used but defined nowhere (builtins, typos), with their spans.
    pub unresolved: Vec<(Span, String)>,
    /// Fields and methods by the name of the type that owns them.
    pub members: HashMap<String, Vec<DefId>>,
    /// The exports of each imported module, by the module alias's definition.
    pub modules: HashMap<DefId, Vec<DefId>>,
    /// Calls of known functions: the callee, and each argument's span and, when the
    /// argument is a plain name, that name (for parameter-name inlay hints).
    pub calls: Vec<Call>,
    /// `let` bindings whose value's phase is evident (`freeze(..)`, `thaw(..)`): where the
    /// name ends and the phase.
    pub phase_hints: Vec<(u32, &'static str)>,
    /// `ch.send(name)`: the argument's span and the binding it names.
    pub sends: Vec<(Span, DefId)>,
    /// `freeze(name)`: the argument's span and the binding it names.
    pub freezes: Vec<(Span, DefId)>,
}

impl Index {
    /// The definitions visible at `offset`, innermost first (shadowed ones included).
    pub fn visible_at(&self, offset: u32) -> Vec<DefId> {
        let mut out = Vec::new();
        let mut scope = self.innermost_scope(offset);
        while let Some(s) = scope {
            let sc = &self.scopes[s];
            for &d in sc.defs.iter().rev() {
                let def = &self.defs[d];
                let global = s == 0;
                if global || def.file.is_some() || def.name_span.end <= offset {
                    out.push(d);
                }
            }
            scope = sc.parent;
        }
        out
    }

    /// What `name` means at `offset`, as the resolver would see a use there.
    pub fn lookup_at(&self, offset: u32, name: &str) -> Option<DefId> {
        self.visible_at(offset).into_iter().find(|&d| self.defs[d].name == name)
    }

    pub fn innermost_scope(&self, offset: u32) -> Option<ScopeId> {
        let mut best: Option<ScopeId> = None;
        for (i, s) in self.scopes.iter().enumerate() {
            if s.span.start <= offset && offset <= s.span.end {
                match best {
                    Some(b) if self.scopes[b].span.len() < s.span.len() => {}
                    _ => best = Some(i),
                }
            }
        }
        best.or(if self.scopes.is_empty() { None } else { Some(0) })
    }

    /// The definition whose name, or a reference to which, covers `offset`.
    pub fn at(&self, offset: u32) -> Option<(DefId, Span)> {
        let hit = |s: Span| s.start <= offset && offset <= s.end;
        let by_ref = self.refs.iter().filter(|r| hit(r.span)).min_by_key(|r| r.span.len());
        if let Some(r) = by_ref {
            return Some((r.def, r.span));
        }
        self.defs
            .iter()
            .enumerate()
            .filter(|(_, d)| d.file.is_none() && hit(d.name_span))
            .min_by_key(|(_, d)| d.name_span.len())
            .map(|(i, d)| (i, d.name_span))
    }

    /// The members (fields, methods, variants) of a type.
    pub fn members_of(&self, ty: &str) -> &[DefId] {
        self.members.get(ty).map_or(&[], Vec::as_slice)
    }

    /// Every reference to `def` (not its declaration).
    pub fn refs_to(&self, def: DefId) -> impl Iterator<Item = &Ref> {
        self.refs.iter().filter(move |r| r.def == def)
    }
}

/// Reads an imported file's text by its import path as written.
pub type Vfs<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Resolves `program` (the tree of `src`), loading imports through `vfs`.
pub fn resolve(program: &Program, src: &str, vfs: Vfs<'_>) -> Index {
    let mut r = Resolver {
        src: src.to_string(),
        file: None,
        index: Index::default(),
        stack: Vec::new(),
        impl_ty: None,
    };
    let whole = Span::new(0, src.len() as u32);
    r.push_scope(whole);
    for item in &program.items {
        r.declare_item(item, true);
    }
    for item in &program.items {
        if let ItemKind::Stmt(Stmt { kind: StmtKind::Import(import), .. }) = &item.kind {
            r.import(import, vfs);
        }
    }
    for item in &program.items {
        r.item(item, true);
    }
    r.index
}

struct Resolver {
    /// The text being resolved: the file, or an imported file while declaring its items.
    src: String,
    /// The file being declared from (`Some` while reading an import).
    file: Option<String>,
    index: Index,
    stack: Vec<ScopeId>,
    /// The type of the `impl` being walked (what `self` is).
    impl_ty: Option<String>,
}

fn named(ty: &Option<TypeExpr>) -> Option<String> {
    match &ty.as_ref()?.kind {
        TypeKind::Named { name, .. } => Some(name.name.clone()),
        _ => None,
    }
}

fn kind_word(kind: BindingKind) -> &'static str {
    match kind {
        BindingKind::Let => "let",
        BindingKind::Flux => "flux",
        BindingKind::Fix => "fix",
    }
}

impl Resolver {
    fn text(&self, span: Span) -> &str {
        self.src.get(span.range()).unwrap_or("")
    }

    fn push_scope(&mut self, span: Span) -> ScopeId {
        let id = self.index.scopes.len();
        self.index.scopes.push(Scope { span, parent: self.stack.last().copied(), defs: Vec::new() });
        self.stack.push(id);
        id
    }

    fn pop_scope(&mut self) {
        self.stack.pop();
    }

    fn new_def(&mut self, name: &Ident, kind: DefKind, full_span: Span, detail: String) -> DefId {
        let id = self.index.defs.len();
        self.index.defs.push(Def {
            name: name.name.clone(),
            kind,
            name_span: name.span,
            full_span,
            file: self.file.clone(),
            phase: None,
            doc: None,
            detail,
            container: None,
            params: Vec::new(),
            ty: None,
        });
        id
    }

    /// Creates a definition and makes it visible in the current scope.
    fn define(&mut self, name: &Ident, kind: DefKind, full_span: Span, detail: String) -> DefId {
        let id = self.new_def(name, kind, full_span, detail);
        if let Some(&s) = self.stack.last() {
            self.index.scopes[s].defs.push(id);
        }
        id
    }

    fn add_member(&mut self, owner: &str, def: DefId) {
        self.index.defs[def].container = Some(owner.to_string());
        self.index.members.entry(owner.to_string()).or_default().push(def);
    }

    fn lookup(&self, name: &str) -> Option<DefId> {
        for &s in self.stack.iter().rev() {
            if let Some(&d) =
                self.index.scopes[s].defs.iter().rev().find(|&&d| self.index.defs[d].name == name)
            {
                return Some(d);
            }
        }
        None
    }

    fn add_ref(&mut self, span: Span, def: DefId, write: bool) {
        self.index.refs.push(Ref { span, def, write });
    }

    fn use_name(&mut self, name: &str, span: Span, write: bool) -> Option<DefId> {
        match self.lookup(name) {
            Some(d) => {
                self.add_ref(span, d, write);
                Some(d)
            }
            None => {
                self.index.unresolved.push((span, name.to_string()));
                None
            }
        }
    }

    fn fn_signature(&self, f: &FnDecl) -> (String, Vec<String>) {
        let params: Vec<String> = f.params.iter().map(|p| self.text(p.span).to_string()).collect();
        let ret = f.ret.as_ref().map(|t| format!(" -> {}", self.text(t.span))).unwrap_or_default();
        (format!("fn {}({}){ret}", f.name.name, params.join(", ")), params)
    }

    // ---- pass 1: declarations visible before their position ----

    fn declare_item(&mut self, item: &Item, top: bool) {
        let doc = item.doc.clone();
        let first = self.index.defs.len();
        match &item.kind {
            ItemKind::Fn(f) => {
                let (detail, params) = self.fn_signature(f);
                let d = self.define(&f.name, DefKind::Function, item.span, detail);
                self.index.defs[d].params = params;
                self.index.defs[d].ty = named(&f.ret);
            }
            ItemKind::Struct(s) => {
                let detail = format!("struct {}", s.name.name);
                self.define(&s.name, DefKind::Struct, item.span, detail);
                for field in &s.fields {
                    let detail = format!("{}.{}", s.name.name, self.text(field.span).trim_end_matches(','));
                    let d = self.new_def(&field.name, DefKind::Field, field.span, detail);
                    self.index.defs[d].ty = named(&field.ty);
                    self.add_member(&s.name.name, d);
                }
            }
            ItemKind::Enum(e) => {
                self.define(&e.name, DefKind::Enum, item.span, format!("enum {}", e.name.name));
                for v in &e.variants {
                    let detail = format!("{}::{}", e.name.name, self.text(v.span));
                    let d = self.new_def(&v.name, DefKind::Variant, v.span, detail);
                    self.index.defs[d].ty = Some(e.name.name.clone());
                    self.add_member(&e.name.name, d);
                }
            }
            ItemKind::Trait(t) => {
                self.define(&t.name, DefKind::Trait, item.span, format!("trait {}", t.name.name));
                for m in &t.methods {
                    let params: Vec<String> =
                        m.params.iter().map(|p| self.text(p.span).to_string()).collect();
                    let ret =
                        m.ret.as_ref().map(|r| format!(" -> {}", self.text(r.span))).unwrap_or_default();
                    let detail = format!("fn {}({}){ret}", m.name.name, params.join(", "));
                    let d = self.new_def(&m.name, DefKind::Method, m.span, detail);
                    self.index.defs[d].params = params;
                    self.add_member(&t.name.name, d);
                }
            }
            ItemKind::Impl(i) => {
                for m in &i.methods {
                    let (detail, params) = self.fn_signature(m);
                    let d = self.new_def(&m.name, DefKind::Method, m.span, detail);
                    self.index.defs[d].params = params;
                    let ret = named(&m.ret).map(|r| if r == "Self" { i.type_name.name.clone() } else { r });
                    self.index.defs[d].ty = ret;
                    self.add_member(&i.type_name.name, d);
                }
            }
            ItemKind::Test(_) => {}
            ItemKind::Stmt(stmt) => {
                if let (true, StmtKind::Let { kind, target, ty, value, .. }) = (top, &stmt.kind) {
                    self.declare_binding(target, *kind, ty, Some(value), stmt.span, DefKind::Global);
                }
                if let StmtKind::Item(inner) = &stmt.kind {
                    self.declare_item(inner, top);
                }
            }
        }
        if let Some(d) = self.index.defs.get_mut(first) {
            if d.doc.is_none() {
                d.doc = doc;
            }
        }
    }

    fn declare_binding(
        &mut self,
        target: &BindTarget,
        kind: BindingKind,
        ty: &Option<TypeExpr>,
        value: Option<&Expr>,
        span: Span,
        def_kind: DefKind,
    ) {
        let value_ty = named(ty).or_else(|| value.and_then(|v| self.type_of(v)));
        let names: Vec<&Ident> = match target {
            BindTarget::Name(n) => vec![n],
            BindTarget::Array { elems, rest, .. } => elems.iter().chain(rest.iter()).collect(),
            BindTarget::Struct { fields, .. } => fields.iter().collect(),
        };
        let single = names.len() == 1 && matches!(target, BindTarget::Name(_));
        for name in names {
            let mut detail = format!("{} {}", kind_word(kind), name.name);
            if let Some(t) = ty {
                detail.push_str(&format!(": {}", self.text(t.span)));
            }
            if let (true, Some(v)) = (single, value) {
                let text = self.text(v.span);
                if text.len() <= 60 && !text.contains('\n') {
                    detail.push_str(&format!(" = {text}"));
                }
            }
            let d = self.define(name, def_kind, span, detail);
            self.index.defs[d].phase = Some(kind);
            if let (true, BindingKind::Let, Some(v), None) = (single, kind, value, self.file.as_ref()) {
                let phase = match v.kind {
                    ExprKind::Freeze { .. } | ExprKind::Forge(_) => Some("crystal"),
                    ExprKind::Thaw(_) => Some("fluid"),
                    ExprKind::Sublimate(_) => Some("sublimated"),
                    _ => None,
                };
                if let Some(p) = phase {
                    self.index.phase_hints.push((name.span.end, p));
                }
            }
            if single {
                self.index.defs[d].ty = value_ty.clone();
            }
        }
    }

    fn import(&mut self, import: &Import, vfs: Vfs<'_>) {
        let exports = match vfs(&import.path) {
            Some(text) => self.load_module(&import.path, &text),
            None => Vec::new(),
        };
        if let Some(alias) = &import.alias {
            let d = self.define(
                alias,
                DefKind::Module,
                alias.span,
                format!("import \"{}\" as {}", import.path, alias.name),
            );
            self.index.modules.insert(d, exports);
        } else if let Some(names) = &import.names {
            for name in names {
                match exports.iter().find(|&&e| self.index.defs[e].name == name.name) {
                    Some(&e) => {
                        self.index.scopes[0].defs.push(e);
                        self.add_ref(name.span, e, false);
                    }
                    None => {
                        let detail = format!("import {{ {} }} from \"{}\"", name.name, import.path);
                        self.define(name, DefKind::Global, name.span, detail);
                    }
                }
            }
        } else {
            self.index.scopes[0].defs.extend(exports);
        }
    }

    /// Declares the top-level items of an imported file; returns its exports (the items
    /// marked `export`, or every item when none is).
    fn load_module(&mut self, path: &str, text: &str) -> Vec<DefId> {
        let (Some(program), _) = crate::parse(text) else { return Vec::new() };
        let saved = (
            std::mem::replace(&mut self.src, text.to_string()),
            self.file.take(),
            std::mem::take(&mut self.stack),
        );
        // The imported file's declarations go in a detached scope: only its exports are
        // made visible, by the caller.
        self.file = Some(path.to_string());
        self.push_scope(Span::new(0, 0));
        let any_export = program.items.iter().any(|i| i.exported);
        let mut exports = Vec::new();
        for item in &program.items {
            if matches!(&item.kind, ItemKind::Stmt(s) if !matches!(s.kind, StmtKind::Let { .. } | StmtKind::Item(_)))
            {
                continue;
            }
            let before = self.index.defs.len();
            self.declare_item(item, true);
            if item.exported || !any_export {
                exports.extend(
                    (before..self.index.defs.len()).filter(|&d| self.index.defs[d].container.is_none()),
                );
            }
        }
        let (src, file, stack) = saved;
        self.src = src;
        self.file = file;
        self.stack = stack;
        exports
    }

    // ---- pass 2: bodies ----

    fn item(&mut self, item: &Item, top: bool) {
        match &item.kind {
            ItemKind::Fn(f) => {
                if !top {
                    // Nested functions were not declared by pass 1.
                    let (detail, params) = self.fn_signature(f);
                    let d = self.define(&f.name, DefKind::Function, item.span, detail);
                    self.index.defs[d].params = params;
                    self.index.defs[d].doc = item.doc.clone();
                }
                self.fn_body(f);
            }
            ItemKind::Struct(s) => {
                if !top {
                    self.declare_item(item, false);
                }
                for f in &s.fields {
                    self.ty(&f.ty);
                }
            }
            ItemKind::Enum(e) => {
                if !top {
                    self.declare_item(item, false);
                }
                for t in e.variants.iter().flat_map(|v| v.payload.iter().flatten()) {
                    self.type_expr(t);
                }
            }
            ItemKind::Trait(t) => {
                for m in &t.methods {
                    self.push_scope(m.span);
                    self.params(&m.params);
                    self.ty(&m.ret);
                    if let Some(b) = &m.body {
                        self.block(b);
                    }
                    self.pop_scope();
                }
            }
            ItemKind::Impl(i) => {
                self.use_name(&i.type_name.name, i.type_name.span, false);
                if let Some(t) = &i.trait_name {
                    self.use_name(&t.name, t.span, false);
                }
                let saved = self.impl_ty.replace(i.type_name.name.clone());
                for m in &i.methods {
                    self.fn_body(m);
                }
                self.impl_ty = saved;
            }
            ItemKind::Test(t) => self.block(&t.body),
            ItemKind::Stmt(s) => self.stmt(s, top),
        }
    }

    fn fn_body(&mut self, f: &FnDecl) {
        self.push_scope(f.span);
        self.params(&f.params);
        self.ty(&f.ret);
        for c in &f.contracts {
            self.expr(&c.cond);
            if let Some(m) = &c.message {
                self.expr(m);
            }
        }
        self.block(&f.body);
        self.pop_scope();
    }

    fn params(&mut self, params: &[Param]) {
        for p in params {
            self.ty(&p.ty);
            if let Some(d) = &p.default {
                self.expr(d);
            }
            let detail = self.text(p.span).to_string();
            let d = self.define(&p.name, DefKind::Param, p.span, detail);
            self.index.defs[d].ty =
                if p.name.name == "self" && p.ty.is_none() { self.impl_ty.clone() } else { named(&p.ty) };
        }
    }

    fn ty(&mut self, ty: &Option<TypeExpr>) {
        if let Some(t) = ty {
            self.type_expr(t);
        }
    }

    fn type_expr(&mut self, t: &TypeExpr) {
        match &t.kind {
            TypeKind::Named { name, args } => {
                if let Some(d) = self.lookup(&name.name) {
                    self.add_ref(name.span, d, false);
                }
                for a in args {
                    self.type_expr(a);
                }
            }
            TypeKind::Array(inner) => self.type_expr(inner),
            TypeKind::Fn { params, ret } => {
                for p in params {
                    self.type_expr(p);
                }
                if let Some(r) = ret {
                    self.type_expr(r);
                }
            }
            TypeKind::Any => {}
        }
    }

    fn block(&mut self, b: &Block) {
        self.push_scope(b.span);
        for s in &b.stmts {
            self.stmt(s, false);
        }
        self.pop_scope();
    }

    fn stmt(&mut self, s: &Stmt, top: bool) {
        match &s.kind {
            StmtKind::Let { kind, target, ty, value, .. } => {
                self.ty(ty);
                self.expr(value);
                if !top {
                    self.declare_binding(target, *kind, ty, Some(value), s.span, DefKind::Local);
                }
            }
            StmtKind::Assign { target, value } | StmtKind::CompoundAssign { target, value, .. } => {
                self.expr(value);
                self.target(target);
            }
            StmtKind::Expr(e) | StmtKind::Return(Some(e)) => self.expr(e),
            StmtKind::Return(None) | StmtKind::Break | StmtKind::Continue => {}
            StmtKind::Import(_) => {}
            StmtKind::For { var, iter, body } => {
                self.expr(iter);
                self.push_scope(s.span);
                self.declare_binding(var, BindingKind::Let, &None, None, s.span, DefKind::Local);
                self.block(body);
                self.pop_scope();
            }
            StmtKind::While { cond, body } => {
                self.expr(cond);
                self.block(body);
            }
            StmtKind::Loop { body } | StmtKind::Defer { body } => self.block(body),
            StmtKind::Item(item) => self.item(item, top),
        }
    }

    /// An assignment target: the root name is written (also through `a[i] = v` and
    /// `a.f = v`), the rest is read.
    fn target(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Ident(name) => {
                self.use_name(name, e.span, true);
            }
            _ => {
                self.expr(e);
                self.mark_written(e);
            }
        }
    }

    /// Marks the reference at the root of a path (`a` in `a.b[i]`) as a write.
    fn mark_written(&mut self, mut e: &Expr) {
        loop {
            match &e.kind {
                ExprKind::Index { obj, .. }
                | ExprKind::Field { obj, .. }
                | ExprKind::TupleIndex { obj, .. } => e = obj,
                ExprKind::Ident(_) => break,
                _ => return,
            }
        }
        if let Some(r) = self.index.refs.iter_mut().rev().find(|r| r.span == e.span) {
            r.write = true;
        }
    }

    fn exprs(&mut self, es: &[Expr]) {
        for e in es {
            self.expr(e);
        }
    }

    /// The struct or enum an expression's value is statically known to be.
    fn type_of(&self, e: &Expr) -> Option<String> {
        match &e.kind {
            ExprKind::Ident(name) => self.lookup(name).and_then(|d| self.index.defs[d].ty.clone()),
            ExprKind::StructLit { name, .. } => Some(name.name.clone()),
            ExprKind::Call { callee, .. } => match &callee.kind {
                ExprKind::Ident(name) => {
                    let d = self.lookup(name)?;
                    match self.index.defs[d].kind {
                        DefKind::Function => self.index.defs[d].ty.clone(),
                        _ => None,
                    }
                }
                _ => None,
            },
            ExprKind::Path { ty, member, .. } => {
                let m = self.member(Some(&ty.name), &member.name)?;
                self.index.defs[m].ty.clone()
            }
            ExprKind::MethodCall { recv, method, .. } => {
                let owner = self.type_of(recv);
                let m = self.member(owner.as_deref(), &method.name)?;
                self.index.defs[m].ty.clone()
            }
            ExprKind::Field { obj, field, .. } => {
                let owner = self.type_of(obj);
                let m = self.member(owner.as_deref(), &field.name)?;
                self.index.defs[m].ty.clone()
            }
            ExprKind::Freeze { target, .. }
            | ExprKind::Thaw(target)
            | ExprKind::Clone(target)
            | ExprKind::Sublimate(target) => self.type_of(target),
            _ => None,
        }
    }

    /// A field, method or variant named `name` of `owner`, or, when the owner is unknown,
    /// the only member of that name in the file.
    fn member(&self, owner: Option<&str>, name: &str) -> Option<DefId> {
        if let Some(owner) = owner {
            if let Some(&d) = self.index.members_of(owner).iter().find(|&&d| self.index.defs[d].name == name)
            {
                return Some(d);
            }
        }
        let mut found = self
            .index
            .members
            .values()
            .flatten()
            .filter(|&&d| self.index.defs[d].name == name && self.index.defs[d].kind != DefKind::Variant);
        let first = found.next().copied();
        match found.next() {
            None => first,
            Some(_) => None,
        }
    }

    fn module_member(&self, module: DefId, name: &str) -> Option<DefId> {
        self.index.modules.get(&module)?.iter().copied().find(|&d| self.index.defs[d].name == name)
    }

    fn as_module(&self, e: &Expr) -> Option<DefId> {
        let ExprKind::Ident(name) = &e.kind else { return None };
        self.lookup(name).filter(|&d| self.index.defs[d].kind == DefKind::Module)
    }

    fn use_member(&mut self, owner: Option<&str>, name: &Ident) {
        if let Some(d) = self.member(owner, &name.name) {
            self.add_ref(name.span, d, false);
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Nil
            | ExprKind::Unit => {}
            ExprKind::Interp(parts) => {
                for p in parts {
                    if let StrPart::Expr(x) = p {
                        self.expr(x);
                    }
                }
            }
            ExprKind::Ident(name) => {
                self.use_name(name, e.span, false);
            }
            ExprKind::Binary { lhs, rhs, .. } | ExprKind::Range { start: lhs, end: rhs } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Unary { operand: x, .. }
            | ExprKind::Try(x)
            | ExprKind::Spread(x)
            | ExprKind::Thaw(x)
            | ExprKind::Clone(x)
            | ExprKind::Sublimate(x)
            | ExprKind::TupleIndex { obj: x, .. } => self.expr(x),
            ExprKind::Call { callee, args } => {
                self.expr(callee);
                if let ExprKind::Ident(name) = &callee.kind {
                    if let Some(d) =
                        self.lookup(name).filter(|&d| self.index.defs[d].kind == DefKind::Function)
                    {
                        self.record_call(d, false, args);
                    }
                }
                self.exprs(args);
            }
            ExprKind::MethodCall { recv, method, args, .. } => {
                if let Some(m) = self.as_module(recv) {
                    self.expr(recv);
                    if let Some(d) = self.module_member(m, &method.name) {
                        self.add_ref(method.span, d, false);
                    }
                } else {
                    self.expr(recv);
                    if MUTATING_METHODS.contains(&method.name.as_str()) {
                        self.mark_written(recv);
                    }
                    let owner = self.type_of(recv);
                    if let Some(d) = self.member(owner.as_deref(), &method.name) {
                        self.add_ref(method.span, d, false);
                        self.record_call(d, true, args);
                    }
                }
                self.exprs(args);
                if let (true, [arg]) = (method.name == "send", args.as_slice()) {
                    self.record_phase_use(arg, true);
                }
            }
            ExprKind::Field { obj, field, .. } => {
                self.expr(obj);
                if let Some(m) = self.as_module(obj) {
                    if let Some(d) = self.module_member(m, &field.name) {
                        self.add_ref(field.span, d, false);
                    }
                } else {
                    let owner = self.type_of(obj);
                    self.use_member(owner.as_deref(), field);
                }
            }
            ExprKind::Index { obj, index, .. } => {
                self.expr(obj);
                self.expr(index);
            }
            ExprKind::Array(es) | ExprKind::Tuple(es) => self.exprs(es),
            ExprKind::Map(entries) => {
                for m in entries {
                    self.expr(&m.value);
                }
            }
            ExprKind::StructLit { module, name, fields } => {
                self.qualified(module.as_ref(), name);
                for f in fields {
                    self.use_member(Some(&name.name), &f.name);
                    match &f.value {
                        Some(v) => self.expr(v),
                        None => {
                            self.use_name(&f.name.name, f.name.span, false);
                        }
                    }
                }
            }
            ExprKind::Path { module, ty, member, args } => {
                self.qualified(module.as_ref(), ty);
                self.use_member(Some(&ty.name), member);
                self.exprs(args.as_deref().unwrap_or(&[]));
            }
            ExprKind::If { cond, then, else_ } => {
                self.expr(cond);
                self.block(then);
                if let Some(x) = else_ {
                    self.expr(x);
                }
            }
            ExprKind::Block(b) | ExprKind::Forge(b) | ExprKind::Scope(b) | ExprKind::Spawn(b) => {
                self.block(b)
            }
            ExprKind::Closure { params, body, .. } => {
                self.push_scope(e.span);
                self.params(params);
                self.expr(body);
                self.pop_scope();
            }
            ExprKind::Match { scrutinee, arms } => {
                self.expr(scrutinee);
                for arm in arms {
                    self.push_scope(arm.span);
                    self.pattern(&arm.pattern);
                    if let Some(g) = &arm.guard {
                        self.expr(g);
                    }
                    self.expr(&arm.body);
                    self.pop_scope();
                }
            }
            ExprKind::TryCatch { body, catch_var, handler } => {
                self.block(body);
                self.push_scope(handler.span.to(catch_var.as_ref().map_or(handler.span, |c| c.span)));
                if let Some(c) = catch_var {
                    let d = self.define(c, DefKind::Local, c.span, format!("catch {}", c.name));
                    self.index.defs[d].phase = Some(BindingKind::Let);
                }
                self.block(handler);
                self.pop_scope();
            }
            ExprKind::Freeze { target, contract, except } => {
                self.expr(target);
                self.record_phase_use(target, false);
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
                self.block(body);
            }
            ExprKind::Select(arms) => {
                for arm in arms {
                    self.push_scope(arm.span);
                    match &arm.kind {
                        SelectArmKind::Recv { binding, channel } => {
                            self.expr(channel);
                            if let Some(b) = binding {
                                self.define(b, DefKind::Local, b.span, format!("let {}", b.name));
                            }
                        }
                        SelectArmKind::Timeout(t) => self.expr(t),
                        SelectArmKind::Default => {}
                    }
                    self.block(&arm.body);
                    self.pop_scope();
                }
            }
        }
    }

    /// Records a name sent on a channel (`send`) or frozen, for the code actions.
    fn record_phase_use(&mut self, arg: &Expr, send: bool) {
        let ExprKind::Ident(name) = &arg.kind else { return };
        let Some(d) = self.lookup(name) else { return };
        if send {
            self.index.sends.push((arg.span, d));
        } else {
            self.index.freezes.push((arg.span, d));
        }
    }

    fn record_call(&mut self, callee: DefId, method: bool, args: &[Expr]) {
        let args = args
            .iter()
            .map(|a| (a.span, if let ExprKind::Ident(n) = &a.kind { Some(n.clone()) } else { None }))
            .collect();
        self.index.calls.push((callee, method, args));
    }

    /// `Name` or `module.Name` naming a type.
    fn qualified(&mut self, module: Option<&Ident>, name: &Ident) {
        match module {
            Some(m) => {
                if let Some(md) = self.use_name(&m.name, m.span, false) {
                    if let Some(d) = self.module_member(md, &name.name) {
                        self.add_ref(name.span, d, false);
                    }
                }
            }
            None => {
                self.use_name(&name.name, name.span, false);
            }
        }
    }

    fn pattern(&mut self, p: &Pattern) {
        match &p.kind {
            PatternKind::Wildcard => {}
            PatternKind::Literal(e) => self.expr(e),
            PatternKind::Range { start, end } => {
                self.expr(start);
                self.expr(end);
            }
            PatternKind::Binding(name) => {
                let d = self.define(name, DefKind::Local, name.span, format!("let {}", name.name));
                self.index.defs[d].phase = Some(BindingKind::Let);
            }
            PatternKind::Array { elems, rest, .. } => {
                for q in elems {
                    self.pattern(q);
                }
                if let Some(Some(r)) = rest {
                    self.define(r, DefKind::Local, r.span, format!("let {}", r.name));
                }
            }
            PatternKind::Struct { fields } => {
                for (name, sub) in fields {
                    self.use_member(None, name);
                    match sub {
                        Some(q) => self.pattern(q),
                        None => {
                            self.define(name, DefKind::Local, name.span, format!("let {}", name.name));
                        }
                    }
                }
            }
            PatternKind::Variant { enum_name, variant, payload } => {
                self.use_name(&enum_name.name, enum_name.span, false);
                self.use_member(Some(&enum_name.name), variant);
                for q in payload.iter().flatten() {
                    self.pattern(q);
                }
            }
        }
    }
}
