//! The abstract syntax tree that the parser produces and every later pass reads.
//!
//! Every node carries a [`Span`] (byte offsets into the source). The tree is plain data:
//! no resolution results, no types. Sugar that the reference implementation desugars in
//! its parser (compound assignment, `print`) stays explicit here so that the formatter and
//! the LSP can reproduce what the user wrote; codegen does the lowering.
//!
//! Depth invariant: the parser bounds nesting depth (see `parser::MAX_DEPTH`), so every
//! recursive pass over this tree may recurse without its own guard.

use crate::syntax::span::Span;

/// A name as written, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A whole source file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Program {
    pub mode: Mode,
    /// Where `#mode ...` was written, if it was.
    pub mode_span: Option<Span>,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Casual,
    Strict,
}

/// A top-level item, or a statement inside a block that declares something.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub kind: ItemKind,
    pub span: Span,
    /// `export` was written before the item.
    pub exported: bool,
    /// `@fluid` / `@crystal` written before the item.
    pub annotation: Option<PhaseAnnotation>,
    /// The `///` doc comment lines before the item, joined with `\n`, markers stripped.
    pub doc: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PhaseAnnotation {
    pub phase: AnnotatedPhase,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnotatedPhase {
    Fluid,
    Crystal,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ItemKind {
    Fn(FnDecl),
    Struct(StructDecl),
    Enum(EnumDecl),
    Trait(TraitDecl),
    Impl(ImplDecl),
    /// `test "name" { ... }`
    Test(TestDecl),
    /// Any statement at top level (bindings, expressions, imports, loops...).
    Stmt(Stmt),
}

#[derive(Debug, Clone, PartialEq)]
pub struct FnDecl {
    pub name: Ident,
    /// Generic parameters `<T, U>`: parsed and ignored by the runtime.
    pub type_params: Vec<Ident>,
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    pub contracts: Vec<Contract>,
    pub body: Block,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: Ident,
    /// `None` when unannotated (R13): accepts any value.
    pub ty: Option<TypeExpr>,
    pub default: Option<Expr>,
    /// `...name`: collects the remaining arguments into an Array.
    pub variadic: bool,
    pub span: Span,
}

/// `require cond, "msg"` or `ensure |r| { ... }, "msg"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    pub kind: ContractKind,
    /// For `require` a boolean expression; for `ensure` a closure taking the result.
    pub cond: Expr,
    pub message: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContractKind {
    Require,
    Ensure,
}

/// A type annotation: `Int`, `[Int]`, `fix Map`, `~Array`, `(~|*) Map`, `Fn(Int) -> Int`,
/// `Map<String, Int>`.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeExpr {
    /// Phase constraint written before the type, if any.
    pub phase: Option<PhaseConstraint>,
    pub kind: TypeKind,
    pub span: Span,
}

/// A set of accepted phases, as written: `flux`/`~` is fluid, `fix`/`*` crystal,
/// `sublimated`; `(~|*)` is a union.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhaseConstraint {
    pub fluid: bool,
    pub crystal: bool,
    pub sublimated: bool,
}

impl PhaseConstraint {
    /// The accepted phases in their short written forms (`~`, `*`, `sublimated`).
    pub fn marks(self) -> Vec<&'static str> {
        [(self.fluid, "~"), (self.crystal, "*"), (self.sublimated, "sublimated")]
            .into_iter()
            .filter_map(|(on, mark)| on.then_some(mark))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// A named type with optional generic arguments (ignored at run time).
    Named { name: Ident, args: Vec<TypeExpr> },
    /// `[T]`
    Array(Box<TypeExpr>),
    /// `Fn(A, B) -> R`
    Fn { params: Vec<TypeExpr>, ret: Option<Box<TypeExpr>> },
    /// A bare phase constraint with no type: `data: flux` or `data: ~`.
    Any,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StructDecl {
    pub name: Ident,
    pub type_params: Vec<Ident>,
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

/// `name: Type`, `host: fix String` (alloy field), `retries: flux Int`.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: Option<TypeExpr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumDecl {
    pub name: Ident,
    pub type_params: Vec<Ident>,
    pub variants: Vec<VariantDecl>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VariantDecl {
    pub name: Ident,
    /// `None` for a unit variant, `Some(types)` for `Variant(T1, T2)`.
    pub payload: Option<Vec<TypeExpr>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TraitDecl {
    pub name: Ident,
    pub methods: Vec<TraitMethod>,
    pub span: Span,
}

/// A method signature in a trait; `body` is a default implementation when present.
#[derive(Debug, Clone, PartialEq)]
pub struct TraitMethod {
    pub name: Ident,
    pub params: Vec<Param>,
    pub ret: Option<TypeExpr>,
    pub body: Option<Block>,
    pub span: Span,
}

/// `impl Trait for Type { fn ... }` or `impl Type { fn ... }`.
#[derive(Debug, Clone, PartialEq)]
pub struct ImplDecl {
    pub trait_name: Option<Ident>,
    pub type_name: Ident,
    pub methods: Vec<FnDecl>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TestDecl {
    /// The test's name, as the string literal's value.
    pub name: String,
    pub name_span: Span,
    pub body: Block,
}

/// `{ stmt; stmt; expr }`. Semicolons are optional separators in Lattice, so a block's
/// value is its last statement when that is an expression statement, and Unit otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BindingKind {
    /// `let`: the value keeps its own phase.
    Let,
    /// `flux`: the binding and its value are fluid (R2).
    Flux,
    /// `fix`: the binding and its value are crystal (R1).
    Fix,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// `let x: T = e`, `flux x = e`, `fix x = e`, and destructuring forms.
    Let {
        kind: BindingKind,
        kind_span: Span,
        target: BindTarget,
        ty: Option<TypeExpr>,
        value: Expr,
    },
    /// `target = value`
    Assign {
        target: Expr,
        value: Expr,
    },
    /// `target op= value` (kept as written; codegen evaluates the target's place once).
    CompoundAssign {
        target: Expr,
        op: BinOp,
        op_span: Span,
        value: Expr,
    },
    Expr(Expr),
    Return(Option<Expr>),
    Break,
    Continue,
    /// `for pat in iter { }`: the loop variable is a name or a destructuring target.
    For {
        var: BindTarget,
        iter: Expr,
        body: Block,
    },
    While {
        cond: Expr,
        body: Block,
    },
    Loop {
        body: Block,
    },
    Defer {
        body: Block,
    },
    Import(Import),
    /// A declaration inside a block (local `fn`, `struct`, ...), or at top level when
    /// the parser wraps it; codegen treats nested `fn` as a local function binding.
    Item(Box<Item>),
}

/// What a binding binds: a name, `[a, b, ...rest]` or `{x, y}`.
#[derive(Debug, Clone, PartialEq)]
pub enum BindTarget {
    Name(Ident),
    Array { elems: Vec<Ident>, rest: Option<Ident>, span: Span },
    Struct { fields: Vec<Ident>, span: Span },
}

/// `import "path"`, `import "path" as alias`, `import { a, b } from "path"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    pub path: String,
    pub path_span: Span,
    pub alias: Option<Ident>,
    /// `Some` for the selective form.
    pub names: Option<Vec<Ident>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    And,
    Or,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    /// `??`
    NilCoalesce,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Neg,
    Not,
    BitNot,
}

/// One piece of an interpolated string.
#[derive(Debug, Clone, PartialEq)]
pub enum StrPart {
    /// Literal text, escapes already processed.
    Lit(String),
    /// `${expr}`
    Expr(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    /// A string without interpolation (escapes processed; raw and triple-quoted too).
    Str(String),
    /// A string with at least one `${...}`.
    Interp(Vec<StrPart>),
    Bool(bool),
    Nil,
    /// `()`: the Unit value.
    Unit,
    Ident(String),
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    /// `f(args)`
    Call {
        callee: Box<Expr>,
        args: Vec<Expr>,
    },
    /// `recv.method(args)` / `recv?.method(args)`
    MethodCall {
        recv: Box<Expr>,
        method: Ident,
        args: Vec<Expr>,
        optional: bool,
    },
    /// `obj.field` / `obj?.field`
    Field {
        obj: Box<Expr>,
        field: Ident,
        optional: bool,
    },
    /// `t.0`
    TupleIndex {
        obj: Box<Expr>,
        index: u32,
        index_span: Span,
    },
    /// `obj[index]` / `obj?[index]`; a range index is a slice.
    Index {
        obj: Box<Expr>,
        index: Box<Expr>,
        optional: bool,
    },
    /// `expr?`: unwrap an ok Result map or return the err from the enclosing function.
    Try(Box<Expr>),
    /// `[a, ...b, c]`
    Array(Vec<Expr>),
    /// `...expr` inside an array literal or call arguments.
    Spread(Box<Expr>),
    /// `(a, b)`, `(a,)`
    Tuple(Vec<Expr>),
    /// `{}` / `{ key: value, "k": v }` (R4).
    Map(Vec<MapEntry>),
    /// `Name { field: e, short }` or `module.Name { ... }`.
    StructLit {
        module: Option<Ident>,
        name: Ident,
        fields: Vec<FieldInit>,
    },
    /// `Enum::Variant`, `Enum::Variant(args)`, `Type::function` (resolved later), with an
    /// optional module qualifier (`m::Enum::Variant` is not Lattice; `module.Enum::V` is).
    Path {
        module: Option<Ident>,
        ty: Ident,
        member: Ident,
        args: Option<Vec<Expr>>,
    },
    /// `a..b`
    Range {
        start: Box<Expr>,
        end: Box<Expr>,
    },
    /// `if cond { } else { }`; `else if` chains nest in `else_`.
    If {
        cond: Box<Expr>,
        then: Block,
        else_: Option<Box<Expr>>,
    },
    /// `{ stmts }` used as an expression.
    Block(Block),
    /// `|a, b| expr`, `|a| { }`, `fn(a, b) { }` (R3).
    Closure {
        params: Vec<Param>,
        body: Box<Expr>,
        fn_syntax: bool,
    },
    Match {
        scrutinee: Box<Expr>,
        arms: Vec<MatchArm>,
    },
    /// `try { } catch e { }`
    TryCatch {
        body: Block,
        catch_var: Option<Ident>,
        handler: Block,
    },
    /// `freeze(x)`, `freeze(x) where |v| { }`, `freeze(x) except ["a"]`.
    Freeze {
        target: Box<Expr>,
        contract: Option<Box<Expr>>,
        except: Option<Vec<Expr>>,
    },
    Thaw(Box<Expr>),
    Clone(Box<Expr>),
    Sublimate(Box<Expr>),
    /// `forge { }`
    Forge(Block),
    /// `anneal(x) |v| { }` (R7): `closure` is the closure expression.
    Anneal {
        target: Box<Expr>,
        closure: Box<Expr>,
    },
    /// `crystallize(x) { }`
    Crystallize {
        target: Box<Expr>,
        body: Block,
    },
    /// `borrow(x) { }`
    Borrow {
        target: Box<Expr>,
        body: Block,
    },
    /// `scope { }`
    Scope(Block),
    /// `spawn { }`
    Spawn(Block),
    /// `select { v from ch => { }, timeout(ms) => { }, default => { } }`
    Select(Vec<SelectArm>),
}

/// One `key: value` of a Map literal; `key:` and `"key":` both mean the string key.
#[derive(Debug, Clone, PartialEq)]
pub struct MapEntry {
    pub key: String,
    pub key_span: Span,
    pub value: Expr,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldInit {
    pub name: Ident,
    /// `None` for shorthand `Point { x, y }`.
    pub value: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MatchArm {
    pub pattern: Pattern,
    pub guard: Option<Expr>,
    /// The arm body: an expression, or a block expression for `=> { }`.
    pub body: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub kind: PatternKind,
    /// `fluid x` / `crystal x`: the value must also have this phase.
    pub phase: Option<AnnotatedPhase>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PatternKind {
    /// `_`
    Wildcard,
    /// A literal: Int (possibly negative), Float, String, Bool, Nil.
    Literal(Expr),
    /// `lo..hi` (exclusive end, as Range) with literal bounds.
    Range { start: Expr, end: Expr },
    /// `name`
    Binding(Ident),
    /// `[p, q, ...rest]`; `rest` is `Some(None)` for a bare `...`.
    Array { elems: Vec<Pattern>, rest: Option<Option<Ident>>, rest_index: usize },
    /// `{ field: pat, other }`
    Struct { fields: Vec<(Ident, Option<Pattern>)> },
    /// `Enum::Variant(p, q)` or `Enum::Variant`.
    Variant { enum_name: Ident, variant: Ident, payload: Option<Vec<Pattern>> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct SelectArm {
    pub kind: SelectArmKind,
    pub body: Block,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SelectArmKind {
    /// `binding from channel_expr`
    Recv { binding: Option<Ident>, channel: Expr },
    /// `timeout(ms)`
    Timeout(Expr),
    /// `default`
    Default,
}
