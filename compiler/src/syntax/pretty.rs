//! A stable, readable dump of the syntax tree: one node per line, children indented, each
//! line ending with the node's byte span. Snapshot tests and `lat check --ast` print it.
//!
//! The format is for people and tests, not for round-tripping source (that is the
//! formatter's job). Recursion here is bounded by the parser's depth limit.

use crate::syntax::ast::*;
use crate::syntax::span::Span;
use std::fmt::Write;

/// Dumps a whole program.
pub fn program(p: &Program) -> String {
    let mut out = Printer { out: String::new(), indent: 0 };
    let mode = match p.mode {
        Mode::Casual => "casual",
        Mode::Strict => "strict",
    };
    out.line(&format!("Program mode={mode}"), None);
    out.nested(|o| p.items.iter().for_each(|i| o.item(i)));
    out.out
}

struct Printer {
    out: String,
    indent: usize,
}

impl Printer {
    fn line(&mut self, text: &str, span: Option<Span>) {
        for _ in 0..self.indent {
            self.out.push_str("  ");
        }
        self.out.push_str(text);
        if let Some(s) = span {
            let _ = write!(self.out, " @{}..{}", s.start, s.end);
        }
        self.out.push('\n');
    }

    fn nested(&mut self, f: impl FnOnce(&mut Printer)) {
        self.indent += 1;
        f(self);
        self.indent -= 1;
    }

    /// A labelled child: `label:` on its own line, the child under it.
    fn field(&mut self, label: &str, f: impl FnOnce(&mut Printer)) {
        self.line(&format!("{label}:"), None);
        self.nested(f);
    }

    fn item(&mut self, item: &Item) {
        let mut head = String::from("Item");
        if item.exported {
            head.push_str(" export");
        }
        if let Some(a) = &item.annotation {
            head.push_str(match a.phase {
                AnnotatedPhase::Fluid => " @fluid",
                AnnotatedPhase::Crystal => " @crystal",
            });
        }
        if let Some(doc) = &item.doc {
            let _ = write!(head, " doc={doc:?}");
        }
        self.line(&head, Some(item.span));
        self.nested(|o| match &item.kind {
            ItemKind::Fn(f) => o.fn_decl("Fn", f),
            ItemKind::Struct(s) => {
                o.line(&format!("Struct {}{}", s.name.name, generics(&s.type_params)), Some(s.span));
                o.nested(|o| {
                    for f in &s.fields {
                        o.line(&format!("Field {}{}", f.name.name, opt_type(&f.ty)), Some(f.span));
                    }
                });
            }
            ItemKind::Enum(e) => {
                o.line(&format!("Enum {}{}", e.name.name, generics(&e.type_params)), Some(e.span));
                o.nested(|o| {
                    for v in &e.variants {
                        let payload = v.payload.as_ref().map_or(String::new(), |p| {
                            format!("({})", p.iter().map(type_text).collect::<Vec<_>>().join(", "))
                        });
                        o.line(&format!("Variant {}{payload}", v.name.name), Some(v.span));
                    }
                });
            }
            ItemKind::Trait(t) => {
                o.line(&format!("Trait {}", t.name.name), Some(t.span));
                o.nested(|o| {
                    for m in &t.methods {
                        let ret = m.ret.as_ref().map_or(String::new(), |r| format!(" -> {}", type_text(r)));
                        o.line(
                            &format!("Method {}({}){ret}", m.name.name, params_text(&m.params)),
                            Some(m.span),
                        );
                        if let Some(body) = &m.body {
                            o.nested(|o| o.block(body));
                        }
                    }
                });
            }
            ItemKind::Impl(i) => {
                let head = match &i.trait_name {
                    Some(t) => format!("Impl {} for {}", t.name, i.type_name.name),
                    None => format!("Impl {}", i.type_name.name),
                };
                o.line(&head, Some(i.span));
                o.nested(|o| i.methods.iter().for_each(|f| o.fn_decl("Fn", f)));
            }
            ItemKind::Test(t) => {
                o.line(&format!("Test {:?}", t.name), Some(t.name_span));
                o.nested(|o| o.block(&t.body));
            }
            ItemKind::Stmt(s) => o.stmt(s),
        });
    }

    fn fn_decl(&mut self, what: &str, f: &FnDecl) {
        let ret = f.ret.as_ref().map_or(String::new(), |r| format!(" -> {}", type_text(r)));
        let head =
            format!("{what} {}{}({}){ret}", f.name.name, generics(&f.type_params), params_text(&f.params));
        self.line(&head, Some(f.span));
        self.nested(|o| {
            o.param_defaults(&f.params);
            for c in &f.contracts {
                let kind = match c.kind {
                    ContractKind::Require => "Require",
                    ContractKind::Ensure => "Ensure",
                };
                o.line(kind, Some(c.span));
                o.nested(|o| {
                    o.expr(&c.cond);
                    if let Some(m) = &c.message {
                        o.field("message", |o| o.expr(m));
                    }
                });
            }
            o.block(&f.body);
        });
    }

    fn param_defaults(&mut self, params: &[Param]) {
        for p in params {
            if let Some(d) = &p.default {
                self.field(&format!("default {}", p.name.name), |o| o.expr(d));
            }
        }
    }

    fn block(&mut self, b: &Block) {
        self.line("Block", Some(b.span));
        self.nested(|o| b.stmts.iter().for_each(|s| o.stmt(s)));
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Let { kind, target, ty, value, .. } => {
                let kind = match kind {
                    BindingKind::Let => "let",
                    BindingKind::Flux => "flux",
                    BindingKind::Fix => "fix",
                };
                self.line(&format!("Let {kind} {}{}", target_text(target), opt_type(ty)), Some(s.span));
                self.nested(|o| o.expr(value));
            }
            StmtKind::Assign { target, value } => {
                self.line("Assign", Some(s.span));
                self.nested(|o| {
                    o.expr(target);
                    o.expr(value);
                });
            }
            StmtKind::CompoundAssign { target, op, value, .. } => {
                self.line(&format!("CompoundAssign {op:?}"), Some(s.span));
                self.nested(|o| {
                    o.expr(target);
                    o.expr(value);
                });
            }
            StmtKind::Expr(e) => {
                self.line("ExprStmt", Some(s.span));
                self.nested(|o| o.expr(e));
            }
            StmtKind::Return(e) => {
                self.line("Return", Some(s.span));
                self.nested(|o| e.iter().for_each(|e| o.expr(e)));
            }
            StmtKind::Break => self.line("Break", Some(s.span)),
            StmtKind::Continue => self.line("Continue", Some(s.span)),
            StmtKind::For { var, iter, body } => {
                self.line(&format!("For {}", target_text(var)), Some(s.span));
                self.nested(|o| {
                    o.expr(iter);
                    o.block(body);
                });
            }
            StmtKind::While { cond, body } => {
                self.line("While", Some(s.span));
                self.nested(|o| {
                    o.expr(cond);
                    o.block(body);
                });
            }
            StmtKind::Loop { body } => {
                self.line("Loop", Some(s.span));
                self.nested(|o| o.block(body));
            }
            StmtKind::Defer { body } => {
                self.line("Defer", Some(s.span));
                self.nested(|o| o.block(body));
            }
            StmtKind::Import(i) => {
                let mut text = format!("Import {:?}", i.path);
                if let Some(a) = &i.alias {
                    let _ = write!(text, " as {}", a.name);
                }
                if let Some(names) = &i.names {
                    let names: Vec<_> = names.iter().map(|n| n.name.as_str()).collect();
                    let _ = write!(text, " {{{}}}", names.join(", "));
                }
                self.line(&text, Some(s.span));
            }
            StmtKind::Item(item) => self.item(item),
        }
    }

    fn exprs(&mut self, items: &[Expr]) {
        items.iter().for_each(|e| self.expr(e));
    }

    fn expr(&mut self, e: &Expr) {
        let span = Some(e.span);
        match &e.kind {
            ExprKind::Int(v) => self.line(&format!("Int {v}"), span),
            ExprKind::Float(v) => self.line(&format!("Float {v:?}"), span),
            ExprKind::Str(s) => self.line(&format!("Str {s:?}"), span),
            ExprKind::Interp(parts) => {
                self.line("Interp", span);
                self.nested(|o| {
                    for p in parts {
                        match p {
                            StrPart::Lit(s) => o.line(&format!("Lit {s:?}"), None),
                            StrPart::Expr(e) => o.expr(e),
                        }
                    }
                });
            }
            ExprKind::Bool(b) => self.line(&format!("Bool {b}"), span),
            ExprKind::Nil => self.line("Nil", span),
            ExprKind::Unit => self.line("Unit", span),
            ExprKind::Ident(n) => self.line(&format!("Ident {n}"), span),
            ExprKind::Binary { op, lhs, rhs } => {
                self.line(&format!("Binary {op:?}"), span);
                self.nested(|o| {
                    o.expr(lhs);
                    o.expr(rhs);
                });
            }
            ExprKind::Unary { op, operand } => {
                self.line(&format!("Unary {op:?}"), span);
                self.nested(|o| o.expr(operand));
            }
            ExprKind::Call { callee, args } => {
                self.line("Call", span);
                self.nested(|o| {
                    o.expr(callee);
                    o.exprs(args);
                });
            }
            ExprKind::MethodCall { recv, method, args, optional } => {
                let q = if *optional { "?." } else { "." };
                self.line(&format!("MethodCall {q}{}", method.name), span);
                self.nested(|o| {
                    o.expr(recv);
                    o.exprs(args);
                });
            }
            ExprKind::Field { obj, field, optional } => {
                let q = if *optional { "?." } else { "." };
                self.line(&format!("Field {q}{}", field.name), span);
                self.nested(|o| o.expr(obj));
            }
            ExprKind::TupleIndex { obj, index, .. } => {
                self.line(&format!("TupleIndex .{index}"), span);
                self.nested(|o| o.expr(obj));
            }
            ExprKind::Index { obj, index, optional } => {
                self.line(if *optional { "Index ?[]" } else { "Index" }, span);
                self.nested(|o| {
                    o.expr(obj);
                    o.expr(index);
                });
            }
            ExprKind::Try(inner) => self.wrap("Try", span, inner),
            ExprKind::Array(items) => {
                self.line("Array", span);
                self.nested(|o| o.exprs(items));
            }
            ExprKind::Spread(inner) => self.wrap("Spread", span, inner),
            ExprKind::Tuple(items) => {
                self.line("Tuple", span);
                self.nested(|o| o.exprs(items));
            }
            ExprKind::Map(entries) => {
                self.line("Map", span);
                self.nested(|o| {
                    for m in entries {
                        o.field(&format!("key {:?}", m.key), |o| o.expr(&m.value));
                    }
                });
            }
            ExprKind::StructLit { module, name, fields } => {
                let module = module.as_ref().map_or(String::new(), |m| format!("{}.", m.name));
                self.line(&format!("StructLit {module}{}", name.name), span);
                self.nested(|o| {
                    for f in fields {
                        match &f.value {
                            Some(v) => o.field(&format!("field {}", f.name.name), |o| o.expr(v)),
                            None => o.line(&format!("field {} (shorthand)", f.name.name), Some(f.name.span)),
                        }
                    }
                });
            }
            ExprKind::Path { module, ty, member, args } => {
                let module = module.as_ref().map_or(String::new(), |m| format!("{}.", m.name));
                let call = if args.is_some() { "(...)" } else { "" };
                self.line(&format!("Path {module}{}::{}{call}", ty.name, member.name), span);
                self.nested(|o| args.iter().for_each(|a| o.exprs(a)));
            }
            ExprKind::Range { start, end } => {
                self.line("Range", span);
                self.nested(|o| {
                    o.expr(start);
                    o.expr(end);
                });
            }
            ExprKind::If { cond, then, else_ } => {
                self.line("If", span);
                self.nested(|o| {
                    o.expr(cond);
                    o.block(then);
                    if let Some(e) = else_ {
                        o.field("else", |o| o.expr(e));
                    }
                });
            }
            ExprKind::Block(b) => self.block(b),
            ExprKind::Closure { params, body, fn_syntax } => {
                let what = if *fn_syntax { "Fn" } else { "Closure" };
                self.line(&format!("{what} |{}|", params_text(params)), span);
                self.nested(|o| {
                    o.param_defaults(params);
                    o.expr(body);
                });
            }
            ExprKind::Match { scrutinee, arms } => {
                self.line("Match", span);
                self.nested(|o| {
                    o.expr(scrutinee);
                    for arm in arms {
                        o.line("Arm", Some(arm.span));
                        o.nested(|o| {
                            o.pattern(&arm.pattern);
                            if let Some(g) = &arm.guard {
                                o.field("guard", |o| o.expr(g));
                            }
                            o.expr(&arm.body);
                        });
                    }
                });
            }
            ExprKind::TryCatch { body, catch_var, handler } => {
                let var = catch_var.as_ref().map_or(String::new(), |v| format!(" catch {}", v.name));
                self.line(&format!("TryCatch{var}"), span);
                self.nested(|o| {
                    o.block(body);
                    o.block(handler);
                });
            }
            ExprKind::Freeze { target, contract, except } => {
                self.line("Freeze", span);
                self.nested(|o| {
                    o.expr(target);
                    if let Some(c) = contract {
                        o.field("where", |o| o.expr(c));
                    }
                    if let Some(x) = except {
                        o.field("except", |o| o.exprs(x));
                    }
                });
            }
            ExprKind::Thaw(inner) => self.wrap("Thaw", span, inner),
            ExprKind::Clone(inner) => self.wrap("Clone", span, inner),
            ExprKind::Sublimate(inner) => self.wrap("Sublimate", span, inner),
            ExprKind::Forge(b) => self.wrap_block("Forge", span, b),
            ExprKind::Anneal { target, closure } => {
                self.line("Anneal", span);
                self.nested(|o| {
                    o.expr(target);
                    o.expr(closure);
                });
            }
            ExprKind::Crystallize { target, body } => {
                self.line("Crystallize", span);
                self.nested(|o| {
                    o.expr(target);
                    o.block(body);
                });
            }
            ExprKind::Borrow { target, body } => {
                self.line("Borrow", span);
                self.nested(|o| {
                    o.expr(target);
                    o.block(body);
                });
            }
            ExprKind::Scope(b) => self.wrap_block("Scope", span, b),
            ExprKind::Spawn(b) => self.wrap_block("Spawn", span, b),
            ExprKind::Select(arms) => {
                self.line("Select", span);
                self.nested(|o| {
                    for arm in arms {
                        match &arm.kind {
                            SelectArmKind::Recv { binding, channel } => {
                                let b = binding.as_ref().map_or("_", |b| b.name.as_str());
                                o.line(&format!("Recv {b}"), Some(arm.span));
                                o.nested(|o| o.expr(channel));
                            }
                            SelectArmKind::Timeout(t) => {
                                o.line("Timeout", Some(arm.span));
                                o.nested(|o| o.expr(t));
                            }
                            SelectArmKind::Default => o.line("Default", Some(arm.span)),
                        }
                        o.nested(|o| o.block(&arm.body));
                    }
                });
            }
        }
    }

    fn wrap(&mut self, what: &str, span: Option<Span>, inner: &Expr) {
        self.line(what, span);
        self.nested(|o| o.expr(inner));
    }

    fn wrap_block(&mut self, what: &str, span: Option<Span>, b: &Block) {
        self.line(what, span);
        self.nested(|o| o.block(b));
    }

    fn pattern(&mut self, p: &Pattern) {
        let phase = match p.phase {
            Some(AnnotatedPhase::Fluid) => "fluid ",
            Some(AnnotatedPhase::Crystal) => "crystal ",
            None => "",
        };
        let span = Some(p.span);
        match &p.kind {
            PatternKind::Wildcard => self.line(&format!("Pattern {phase}_"), span),
            PatternKind::Binding(n) => self.line(&format!("Pattern {phase}binding {}", n.name), span),
            PatternKind::Literal(e) => {
                self.line(&format!("Pattern {phase}literal"), span);
                self.nested(|o| o.expr(e));
            }
            PatternKind::Range { start, end } => {
                self.line(&format!("Pattern {phase}range"), span);
                self.nested(|o| {
                    o.expr(start);
                    o.expr(end);
                });
            }
            PatternKind::Array { elems, rest, rest_index } => {
                let rest = match rest {
                    None => String::new(),
                    Some(None) => format!(" rest=... at {rest_index}"),
                    Some(Some(n)) => format!(" rest=...{} at {rest_index}", n.name),
                };
                self.line(&format!("Pattern {phase}array{rest}"), span);
                self.nested(|o| elems.iter().for_each(|p| o.pattern(p)));
            }
            PatternKind::Struct { fields } => {
                self.line(&format!("Pattern {phase}struct"), span);
                self.nested(|o| {
                    for (name, sub) in fields {
                        match sub {
                            Some(sub) => o.field(&format!("field {}", name.name), |o| o.pattern(sub)),
                            None => o.line(&format!("field {}", name.name), Some(name.span)),
                        }
                    }
                });
            }
            PatternKind::Variant { enum_name, variant, payload } => {
                self.line(&format!("Pattern {phase}{}::{}", enum_name.name, variant.name), span);
                self.nested(|o| payload.iter().flatten().for_each(|p| o.pattern(p)));
            }
        }
    }
}

fn generics(params: &[Ident]) -> String {
    if params.is_empty() {
        return String::new();
    }
    format!("<{}>", params.iter().map(|p| p.name.as_str()).collect::<Vec<_>>().join(", "))
}

fn opt_type(ty: &Option<TypeExpr>) -> String {
    ty.as_ref().map_or(String::new(), |t| format!(": {}", type_text(t)))
}

fn params_text(params: &[Param]) -> String {
    let parts: Vec<String> = params
        .iter()
        .map(|p| {
            let dots = if p.variadic { "..." } else { "" };
            let default = if p.default.is_some() { " = ?" } else { "" };
            format!("{dots}{}{}{default}", p.name.name, opt_type(&p.ty))
        })
        .collect();
    parts.join(", ")
}

fn target_text(target: &BindTarget) -> String {
    match target {
        BindTarget::Name(n) => n.name.clone(),
        BindTarget::Array { elems, rest, .. } => {
            let mut parts: Vec<String> = elems.iter().map(|e| e.name.clone()).collect();
            if let Some(r) = rest {
                parts.push(format!("...{}", r.name));
            }
            format!("[{}]", parts.join(", "))
        }
        BindTarget::Struct { fields, .. } => {
            format!("{{{}}}", fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", "))
        }
    }
}

/// A type annotation written back in source syntax.
pub fn type_text(ty: &TypeExpr) -> String {
    let phase = ty.phase.map_or(String::new(), |p| {
        let parts = p.marks();
        if parts.len() == 1 {
            format!("{} ", parts[0])
        } else {
            format!("({}) ", parts.join("|"))
        }
    });
    let kind = match &ty.kind {
        TypeKind::Named { name, args } if args.is_empty() => name.name.clone(),
        TypeKind::Named { name, args } => {
            format!("{}<{}>", name.name, args.iter().map(type_text).collect::<Vec<_>>().join(", "))
        }
        TypeKind::Array(inner) => format!("[{}]", type_text(inner)),
        TypeKind::Fn { params, ret } => {
            let ret = ret.as_ref().map_or(String::new(), |r| format!(" -> {}", type_text(r)));
            format!("Fn({}){ret}", params.iter().map(type_text).collect::<Vec<_>>().join(", "))
        }
        TypeKind::Any => String::new(),
    };
    format!("{phase}{kind}").trim_end().to_string()
}
