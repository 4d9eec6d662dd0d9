//! Expressions: binary operators (precedence climbing), unary and postfix chains,
//! literals, and the block-like expression forms (`if`, `match`, `try`, the phase
//! operations, `scope`, `select`, ...).
//!
//! Precedence, lowest first, as in the reference: `??`, `||`, `&&`, `|`, `^`, `&`,
//! `== !=`, `< > <= >=`, `<< >>`, `..`, `+ -`, `* / %`, then unary `- ! ~`, then postfix
//! (calls, indexing, fields, methods, `?.`, `?[`, `?`, `.0`).
//!
//! Operands travel through the operator parsers with their tree depth, so every fold can
//! refuse to build a node deeper than `MAX_DEPTH` (see the module docs of `parser.rs`).
//! Prefix and postfix chains are folded iteratively too, so `!!!...x` costs no stack.
//!
//! Binary operators are parsed as a flat `operand (op operand)*` list, one token test per
//! operator, and folded by precedence with two explicit stacks (`climb`). chumsky's `pratt`
//! does the same job, but after every operand it tries each precedence level as a separate
//! failed alternative and moves the operand through each attempt: on the reference's
//! 186 KB compiler it cost 98 M instructions against 66 M for this version (callgrind), so
//! we fold ourselves.

use super::{expect_ident, expect_name, expect_string, Ctx, Extra, In, Label, ParseError, MAX_DEPTH, P};
use crate::syntax::ast::*;
use crate::syntax::depth;
use crate::syntax::span::Span;
use crate::syntax::token::Token;
use chumsky::input::MapExtra;
use chumsky::prelude::*;

/// The recursive rules every part of the grammar shares.
#[derive(Clone)]
pub(super) struct Rules<'t, 's> {
    pub ctx: &'t Ctx<'t>,
    pub expr: P<'t, 's, Expr>,
    pub block: P<'t, 's, Block>,
    pub pattern: P<'t, 's, Pattern>,
    pub ty: P<'t, 's, TypeExpr>,
    /// A parenthesised parameter list `(a, b: Int = 1, ...rest)`.
    pub params: P<'t, 's, Vec<Param>>,
}

/// An expression with the depth of its tree; `POISON` marks a placeholder that replaced
/// a tree that would have been too deep (its error is already reported).
type Operand = (Expr, u32);
const POISON: u32 = u32::MAX;

type Mx<'t, 'b, 's> = MapExtra<'t, 'b, In<'t, 's>, Extra>;

/// Builds a node over children whose deepest has depth `child_depth`, unless that would
/// exceed `MAX_DEPTH`: then it reports the error once and returns a placeholder.
fn join(span: Span, child_depth: u32, e: &mut Mx<'_, '_, '_>, build: impl FnOnce() -> ExprKind) -> Operand {
    if child_depth == POISON {
        return (Expr { kind: ExprKind::Nil, span }, POISON);
    }
    if child_depth + 1 > MAX_DEPTH {
        e.emit(ParseError::too_deep(span));
        return (Expr { kind: ExprKind::Nil, span }, POISON);
    }
    (Expr { kind: build(), span }, child_depth + 1)
}

/// Measures a freshly built expression; one that is already too deep is replaced.
fn measured(expr: Expr, e: &mut Mx<'_, '_, '_>) -> Operand {
    let d = depth_of(&expr, e);
    if d > MAX_DEPTH {
        e.emit(ParseError::too_deep(expr.span));
        return (Expr { kind: ExprKind::Nil, span: expr.span }, POISON);
    }
    (expr, d)
}

/// The depth of an expression (cut off past `MAX_DEPTH`), using the parse's block memo.
fn depth_of(expr: &Expr, e: &mut Mx<'_, '_, '_>) -> u32 {
    let mut walker = depth::Walker { memo: Some(&mut e.state().depth_memo) };
    walker.expr(expr, MAX_DEPTH + 1)
}

fn max_depth(exprs: &[Expr], e: &mut Mx<'_, '_, '_>) -> u32 {
    exprs.iter().map(|x| depth_of(x, e)).max().unwrap_or(0)
}

/// The whole expression grammar; the caller wraps it in the nesting guard.
pub(super) fn parse_expr<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    let op = select! {
        Token::QuestionQuestion => Infix::Bin(BinOp::NilCoalesce),
        Token::OrOr => Infix::Bin(BinOp::Or),
        Token::AndAnd => Infix::Bin(BinOp::And),
        Token::Pipe => Infix::Bin(BinOp::BitOr),
        Token::Caret => Infix::Bin(BinOp::BitXor),
        Token::Amp => Infix::Bin(BinOp::BitAnd),
        Token::EqEq => Infix::Bin(BinOp::Eq),
        Token::NotEq => Infix::Bin(BinOp::Ne),
        Token::Lt => Infix::Bin(BinOp::Lt),
        Token::Gt => Infix::Bin(BinOp::Gt),
        Token::LtEq => Infix::Bin(BinOp::Le),
        Token::GtEq => Infix::Bin(BinOp::Ge),
        Token::Shl => Infix::Bin(BinOp::Shl),
        Token::Shr => Infix::Bin(BinOp::Shr),
        Token::DotDot => Infix::Range,
        Token::Plus => Infix::Bin(BinOp::Add),
        Token::Minus => Infix::Bin(BinOp::Sub),
        Token::Star => Infix::Bin(BinOp::Mul),
        Token::Slash => Infix::Bin(BinOp::Div),
        Token::Percent => Infix::Bin(BinOp::Mod),
    };
    let operand = parse_operand(r);
    operand
        .clone()
        .then(op.then(operand).repeated().collect::<Vec<_>>())
        .map_with(|(first, rest), e| climb(first, rest, e))
        .boxed()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Infix {
    Bin(BinOp),
    Range,
}

impl Infix {
    /// Binding power, lowest first, as in the reference.
    fn precedence(self) -> u8 {
        match self {
            Infix::Bin(BinOp::NilCoalesce) => 1,
            Infix::Bin(BinOp::Or) => 2,
            Infix::Bin(BinOp::And) => 3,
            Infix::Bin(BinOp::BitOr) => 4,
            Infix::Bin(BinOp::BitXor) => 5,
            Infix::Bin(BinOp::BitAnd) => 6,
            Infix::Bin(BinOp::Eq | BinOp::Ne) => 7,
            Infix::Bin(BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge) => 8,
            Infix::Bin(BinOp::Shl | BinOp::Shr) => 9,
            Infix::Range => 10,
            Infix::Bin(BinOp::Add | BinOp::Sub) => 11,
            Infix::Bin(BinOp::Mul | BinOp::Div | BinOp::Mod) => 12,
        }
    }
}

/// Precedence climbing over a flat `operand (op operand)*` list, with explicit stacks: all
/// operators are left-associative, and no recursion happens however long the chain.
fn climb(first: Operand, rest: Vec<(Infix, Operand)>, e: &mut Mx<'_, '_, '_>) -> Expr {
    if rest.is_empty() {
        return first.0;
    }
    let mut operands = vec![first];
    let mut ops: Vec<Infix> = Vec::new();
    let reduce = |operands: &mut Vec<Operand>, ops: &mut Vec<Infix>, e: &mut Mx<'_, '_, '_>| {
        let (Some(op), Some(r), Some(l)) = (ops.pop(), operands.pop(), operands.pop()) else { return };
        let span = l.0.span.to(r.0.span);
        let node = match op {
            Infix::Bin(op) => join(span, l.1.max(r.1), e, || ExprKind::Binary {
                op,
                lhs: Box::new(l.0),
                rhs: Box::new(r.0),
            }),
            Infix::Range => {
                if matches!(l.0.kind, ExprKind::Range { .. }) {
                    e.emit(ParseError::custom(
                        span,
                        "E0109",
                        "ranges cannot be chained",
                        "`a..b..c` is not valid",
                    ));
                }
                join(span, l.1.max(r.1), e, || ExprKind::Range { start: Box::new(l.0), end: Box::new(r.0) })
            }
        };
        operands.push(node);
    };
    for (op, operand) in rest {
        while ops.last().is_some_and(|top| top.precedence() >= op.precedence()) {
            reduce(&mut operands, &mut ops, e);
        }
        ops.push(op);
        operands.push(operand);
    }
    while !ops.is_empty() {
        reduce(&mut operands, &mut ops, e);
    }
    operands.pop().map(|(expr, _)| expr).unwrap_or(Expr { kind: ExprKind::Nil, span: Span::default() })
}

/// `prefix* primary postfix*`, folded iteratively with depth tracking.
pub(super) fn parse_operand<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Operand> {
    let prefix = select! {
        Token::Minus = e => (UnaryOp::Neg, e.span()),
        Token::Bang = e => (UnaryOp::Not, e.span()),
        Token::Tilde = e => (UnaryOp::BitNot, e.span()),
    };
    let primary = parse_primary(r).map_with(|expr, e| measured(expr, e));
    let postfixed = primary.foldl_with(parse_postfix(r).repeated(), |acc, op, e| apply_postfix(acc, op, e));
    prefix
        .repeated()
        .collect::<Vec<_>>()
        .then(postfixed)
        .map_with(|(ops, mut operand), e| {
            for (op, span) in ops.into_iter().rev() {
                let full = span.to(operand.0.span);
                let (inner, d) = operand;
                operand = join(full, d, e, || ExprKind::Unary { op, operand: Box::new(inner) });
            }
            operand
        })
        .boxed()
}

/// One postfix operation, parsed before its receiver is known.
#[derive(Debug, Clone)]
enum Postfix {
    Call(Vec<Expr>),
    Index {
        index: Expr,
        optional: bool,
    },
    Field {
        name: Ident,
        optional: bool,
    },
    Method {
        name: Ident,
        args: Vec<Expr>,
        optional: bool,
    },
    TupleIndex(Vec<(u32, Span)>),
    Try,
    /// `.Name { ... }` after a module alias.
    ModuleStruct {
        name: Ident,
        fields: Vec<FieldInit>,
    },
    /// `.Enum::Variant(...)` after a module alias.
    ModulePath {
        ty: Ident,
        member: Ident,
        args: Option<Vec<Expr>>,
    },
}

fn apply_postfix(acc: Operand, (op, op_span): (Postfix, Span), e: &mut Mx<'_, '_, '_>) -> Operand {
    let (recv, d) = acc;
    let span = recv.span.to(op_span);
    match op {
        Postfix::Call(args) => {
            let d = d.max(max_depth(&args, e));
            join(span, d, e, || ExprKind::Call { callee: Box::new(recv), args })
        }
        Postfix::Index { index, optional } => {
            let d = d.max(depth_of(&index, e));
            join(span, d, e, || ExprKind::Index { obj: Box::new(recv), index: Box::new(index), optional })
        }
        Postfix::Field { name, optional } => {
            join(span, d, e, || ExprKind::Field { obj: Box::new(recv), field: name, optional })
        }
        Postfix::Method { name, args, optional } => {
            let d = d.max(max_depth(&args, e));
            join(span, d, e, || ExprKind::MethodCall { recv: Box::new(recv), method: name, args, optional })
        }
        Postfix::TupleIndex(indices) => {
            let mut acc = (recv, d);
            for (index, index_span) in indices {
                let span = acc.0.span.to(index_span);
                let (obj, d) = acc;
                acc = join(span, d, e, || ExprKind::TupleIndex { obj: Box::new(obj), index, index_span });
            }
            acc
        }
        Postfix::Try => join(span, d, e, || ExprKind::Try(Box::new(recv))),
        Postfix::ModuleStruct { name, fields } => match recv.kind {
            ExprKind::Ident(module) => {
                let module = Some(Ident { name: module, span: recv.span });
                measured(Expr { kind: ExprKind::StructLit { module, name, fields }, span }, e)
            }
            _ => {
                e.emit(ParseError::custom(
                    name.span,
                    "E0101",
                    "a qualified struct literal needs a module name before the dot",
                    "expected `module.Name { ... }`",
                ));
                (Expr { kind: ExprKind::Nil, span }, d)
            }
        },
        Postfix::ModulePath { ty, member, args } => match recv.kind {
            ExprKind::Ident(module) => {
                let module = Some(Ident { name: module, span: recv.span });
                measured(Expr { kind: ExprKind::Path { module, ty, member, args }, span }, e)
            }
            _ => {
                e.emit(ParseError::custom(
                    ty.span,
                    "E0101",
                    "a qualified path needs a module name before the dot",
                    "expected `module.Type::member`",
                ));
                (Expr { kind: ExprKind::Nil, span }, d)
            }
        },
    }
}

/// `(a, ...b, c)`: call arguments, spreads allowed.
pub(super) fn parse_args<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Vec<Expr>> {
    parse_element(r)
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect()
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .boxed()
}

/// An array element or argument: an expression or `...expr`.
fn parse_element<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    let spread = just(Token::DotDotDot)
        .ignore_then(r.expr.clone())
        .map_with(|inner, e| Expr { kind: ExprKind::Spread(Box::new(inner)), span: e.span() });
    spread.or(r.expr.clone()).boxed()
}

fn is_type_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

/// Looks (without consuming) for `{ }`, `{ name:` or `{ name,` after a type name: only
/// then is `Name {` a struct literal, so `if x == Y { ... }` still reads as a block.
fn struct_literal_ahead<'t, 's: 't>() -> P<'t, 's, ()> {
    just(Token::LBrace)
        .then(choice((
            just(Token::RBrace).ignored(),
            expect_name().then(one_of([Token::Colon, Token::Comma])).ignored(),
        )))
        .rewind()
        .ignored()
        .boxed()
}

/// `{ x: 1, y, z: f() }` (the braces included).
fn parse_struct_fields<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Vec<FieldInit>> {
    let field = expect_name()
        .then(just(Token::Colon).ignore_then(r.expr.clone()).or_not())
        .map(|(name, value)| FieldInit { name, value });
    struct_literal_ahead()
        .ignore_then(
            field
                .separated_by(just(Token::Comma))
                .allow_trailing()
                .collect()
                .delimited_by(just(Token::LBrace), just(Token::RBrace)),
        )
        .boxed()
}

fn parse_postfix<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, (Postfix, Span)> {
    let ctx = r.ctx;
    let args = parse_args(r);
    let call = args.clone().map(Postfix::Call);
    let index = choice((just(Token::LBracket).to(false), just(Token::QuestionBracket).to(true)))
        .then(r.expr.clone())
        .then_ignore(just(Token::RBracket))
        .map(|(optional, index)| Postfix::Index { index, optional });
    let try_op = just(Token::Question).to(Postfix::Try);
    // `t.0`, and `t.0.1`, which the lexer reads as the float `0.1`.
    let tuple_index = select! {
        Token::Int(n) = e if n >= 0 && n <= u32::MAX as i64 => vec![(n as u32, e.span())],
        Token::Float(_) = e => ctx.tuple_indices(e.span()),
    };
    let tuple_index = tuple_index.try_map(|indices, span| {
        if indices.is_empty() {
            Err(ParseError::custom(span, "E0102", "invalid tuple index", "expected `.0`, `.1`, ..."))
        } else {
            Ok(Postfix::TupleIndex(indices))
        }
    });
    // After `.`: a tuple index, `Name { ... }` or `Enum::Variant` after a module alias,
    // or a field or method name. The dot is parsed once for all of them.
    let type_name = select! { Token::Ident(name) = e if is_type_name(name) => (name, e.span()) };
    let module_struct = type_name
        .then(parse_struct_fields(r))
        .map(|(name, fields)| Postfix::ModuleStruct { name: to_ident(name), fields });
    let module_path = type_name
        .then_ignore(just(Token::ColonColon))
        .then(expect_name())
        .then(args.clone().or_not())
        .map(|((ty, member), args)| Postfix::ModulePath { ty: to_ident(ty), member, args });
    let member = |optional: bool| {
        expect_name().then(args.clone().or_not()).map(move |(name, args)| match args {
            Some(args) => Postfix::Method { name, args, optional },
            None => Postfix::Field { name, optional },
        })
    };
    let after_dot = just(Token::Dot).ignore_then(choice((
        tuple_index.boxed(),
        module_struct.boxed(),
        module_path.boxed(),
        member(false).boxed(),
    )));
    let after_question_dot = just(Token::QuestionDot).ignore_then(member(true));
    // Most operands have no postfix at all: one cheap look at the next token rules out all
    // five forms at once, instead of five failed attempts.
    let postfix_ahead = any().filter(|t: &Token<'s>| {
        matches!(
            t,
            Token::LParen
                | Token::Dot
                | Token::LBracket
                | Token::QuestionBracket
                | Token::QuestionDot
                | Token::Question
        )
    });
    postfix_ahead
        .rewind()
        .ignore_then(choice((
            call.boxed(),
            after_dot.boxed(),
            index.boxed(),
            after_question_dot.boxed(),
            try_op.boxed(),
        )))
        .map_with(|op, e| (op, e.span()))
        .boxed()
}

impl Ctx<'_> {
    /// The indices of a float token used as `t.0.1`: its two digit runs.
    fn tuple_indices(&self, span: Span) -> Vec<(u32, Span)> {
        let text = &self.src[span.range()];
        let Some((a, b)) = text.split_once('.') else { return Vec::new() };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
        if !digits(a) || !digits(b) {
            return Vec::new();
        }
        let (Ok(x), Ok(y)) = (a.parse(), b.parse()) else { return Vec::new() };
        let mid = span.start + a.len() as u32;
        vec![(x, Span::new(span.start, mid)), (y, Span::new(mid + 1, span.end))]
    }
}

/// The common primaries come first; the keyword-led forms sit behind one look at the next
/// token, so an identifier or literal never pays for trying each of them.
fn parse_primary<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    let keyword_ahead = any().filter(|t: &Token<'s>| {
        matches!(
            t,
            Token::If
                | Token::Match
                | Token::Try
                | Token::Fn
                | Token::Freeze
                | Token::Thaw
                | Token::Clone
                | Token::Sublimate
                | Token::Anneal
                | Token::Crystallize
                | Token::Borrow
                | Token::Forge
                | Token::Scope
                | Token::Spawn
        )
    });
    let keyword_led = keyword_ahead.rewind().ignore_then(choice((
        parse_if(r),
        parse_match(r),
        parse_fn_expr(r),
        parse_phase_op(r),
        parse_block_form(r),
        parse_try_catch(r),
    )));
    choice((
        parse_ident_led(r),
        parse_atom(r),
        parse_paren(r),
        parse_brace(r),
        parse_array(r),
        parse_closure(r),
        parse_interpolation(r),
        keyword_led.boxed(),
    ))
    .boxed()
}

fn parse_literal<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    let ctx = r.ctx;
    select! {
        Token::Int(v) => ExprKind::Int(v),
        Token::Float(v) => ExprKind::Float(v),
        Token::Str(i) => ExprKind::Str(ctx.string(i)),
        Token::True => ExprKind::Bool(true),
        Token::False => ExprKind::Bool(false),
        Token::Nil => ExprKind::Nil,
    }
    .map_with(|kind, e| Expr { kind, span: e.span() })
    .boxed()
}

/// `"a${x}b${y}c"`: the lexer's `InterpStart expr (InterpMid expr)* InterpEnd`.
fn parse_interpolation<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    let ctx = r.ctx;
    let start = select! { Token::InterpStart(i) => ctx.string(i) };
    let mid = select! { Token::InterpMid(i) => ctx.string(i) };
    let end = select! { Token::InterpEnd(i) => ctx.string(i) };
    start
        .then(r.expr.clone())
        .then(mid.then(r.expr.clone()).repeated().collect::<Vec<_>>())
        .then(end)
        .map_with(|(((first, head), rest), last), e| {
            let mut parts = Vec::with_capacity(2 + rest.len() * 2);
            let lit = |parts: &mut Vec<StrPart>, text: String| {
                if !text.is_empty() {
                    parts.push(StrPart::Lit(text));
                }
            };
            lit(&mut parts, first);
            parts.push(StrPart::Expr(head));
            for (text, expr) in rest {
                lit(&mut parts, text);
                parts.push(StrPart::Expr(expr));
            }
            lit(&mut parts, last);
            Expr { kind: ExprKind::Interp(parts), span: e.span() }
        })
        .boxed()
}

/// An identifier token's text and span, without allocating (so failed attempts are cheap).
fn ident_text<'t, 's: 't>() -> P<'t, 's, (&'s str, Span)> {
    any()
        .try_map(|token: Token<'s>, span| match token {
            Token::Ident(name) => Ok((name, span)),
            other => Err(ParseError::expected_name(span, other)),
        })
        .boxed()
}

fn to_ident((name, span): (&str, Span)) -> Ident {
    Ident { name: name.to_string(), span }
}

/// Literals and plain identifiers, recognised by one token test.
fn parse_atom<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    let ctx = r.ctx;
    select! {
        Token::Ident(name) => ExprKind::Ident(name.to_string()),
        Token::Int(v) => ExprKind::Int(v),
        Token::Str(i) => ExprKind::Str(ctx.string(i)),
        Token::Float(v) => ExprKind::Float(v),
        Token::True => ExprKind::Bool(true),
        Token::False => ExprKind::Bool(false),
        Token::Nil => ExprKind::Nil,
    }
    .map_with(|kind, e| Expr { kind, span: e.span() })
    .boxed()
}

/// What an identifier followed by `{` or `::` may start: `select { ... }`, a struct
/// literal `Name { ... }`, or a path `Name::member(...)`. When none of them matches (as in
/// `if x { ... }`), the identifier is left to [`parse_atom`].
fn parse_ident_led<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    let ahead = select! { Token::Ident(_) => () }.then(one_of([Token::ColonColon, Token::LBrace])).rewind();
    let type_name = select! { Token::Ident(name) = e if is_type_name(name) => (name, e.span()) };
    let struct_lit = type_name.then(parse_struct_fields(r)).map(|(name, fields)| ExprKind::StructLit {
        module: None,
        name: to_ident(name),
        fields,
    });
    let path = ident_text()
        .then_ignore(just(Token::ColonColon))
        .then(expect_name())
        .then(parse_args(r).or_not())
        .map(|((ty, member), args)| ExprKind::Path { module: None, ty: to_ident(ty), member, args });
    let named = choice((struct_lit.boxed(), path.boxed())).map_with(|kind, e| Expr { kind, span: e.span() });
    ahead.ignore_then(choice((parse_select(r), named.boxed()))).boxed()
}

/// `()`, `(e)`, `(e,)`, `(a, b)`.
fn parse_paren<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    r.expr
        .clone()
        .separated_by(just(Token::Comma))
        .collect::<Vec<_>>()
        .then(just(Token::Comma).or_not())
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .map_with(|(mut items, trailing), e| {
            let kind = match (items.len(), trailing) {
                (0, _) => ExprKind::Unit,
                (1, None) => items.pop().map(|inner| inner.kind).unwrap_or(ExprKind::Unit),
                _ => ExprKind::Tuple(items),
            };
            Expr { kind, span: e.span() }
        })
        .boxed()
}

fn parse_array<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    parse_element(r)
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect()
        .delimited_by(just(Token::LBracket), just(Token::RBracket))
        .map_with(|items, e| Expr { kind: ExprKind::Array(items), span: e.span() })
        .boxed()
}

/// A map literal or a block expression (R4): where an expression starts, `{` followed by
/// `}`, `name:` or `"string":` opens a Map literal; any other `{` opens a block.
fn parse_brace<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    let ctx = r.ctx;
    let key = choice((
        expect_name().map(|n| (n.name, n.span)),
        select! { Token::Str(i) = e => (ctx.string(i), e.span()) },
    ));
    let map_ahead = just(Token::LBrace)
        .then(choice((just(Token::RBrace).ignored(), key.clone().then(just(Token::Colon)).ignored())))
        .rewind();
    let entry = key
        .then_ignore(just(Token::Colon))
        .then(r.expr.clone())
        .map(|((key, key_span), value)| MapEntry { key, key_span, value });
    let map = map_ahead
        .ignore_then(
            entry
                .separated_by(just(Token::Comma))
                .allow_trailing()
                .collect()
                .delimited_by(just(Token::LBrace), just(Token::RBrace)),
        )
        .map_with(|entries, e| Expr { kind: ExprKind::Map(entries), span: e.span() });
    let block = r.block.clone().map(|b| Expr { span: b.span, kind: ExprKind::Block(b) });
    choice((map.boxed(), block.boxed())).boxed()
}

/// A closure or function body: a block whenever it starts with `{` (R4), else an expression.
fn parse_body<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    let block = r.block.clone().map(|b| Expr { span: b.span, kind: ExprKind::Block(b) });
    choice((block, r.expr.clone())).boxed()
}

/// `|a, b = 1, ...rest| body` and `|| body`.
fn parse_closure<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    // A default must stop before the `|` that closes the list, so it is a simple operand:
    // a literal, a name or path, or a bracketed expression.
    let simple =
        choice((parse_ident_led(r), parse_literal(r), parse_atom(r), parse_paren(r), parse_array(r)));
    let default = just(Token::Eq).ignore_then(simple);
    let param = just(Token::DotDotDot)
        .or_not()
        .then(expect_ident())
        .then(just(Token::Colon).ignore_then(r.ty.clone()).or_not())
        .then(default.or_not())
        .map_with(|(((dots, name), ty), default), e| Param {
            name,
            ty,
            default,
            variadic: dots.is_some(),
            span: e.span(),
        })
        .labelled(Label::Parameter);
    let params = choice((
        just(Token::OrOr).to(Vec::new()),
        param
            .separated_by(just(Token::Comma))
            .allow_trailing()
            .collect()
            .delimited_by(just(Token::Pipe), just(Token::Pipe)),
    ));
    params
        .then(parse_body(r))
        .map_with(|(params, body), e| Expr {
            kind: ExprKind::Closure { params, body: Box::new(body), fn_syntax: false },
            span: e.span(),
        })
        .boxed()
}

/// `fn(a, b) { ... }`: an anonymous function (R3); a return type is accepted and ignored.
fn parse_fn_expr<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    just(Token::Fn)
        .ignore_then(r.params.clone())
        .then_ignore(just(Token::Arrow).then(r.ty.clone()).or_not())
        .then(r.block.clone())
        .map_with(|(params, body), e| {
            let body = Expr { span: body.span, kind: ExprKind::Block(body) };
            Expr { kind: ExprKind::Closure { params, body: Box::new(body), fn_syntax: true }, span: e.span() }
        })
        .boxed()
}

/// `if c { } else if d { } else { }`; an `else if` goes through the guarded expression
/// rule, so long chains meet the nesting limit instead of the stack.
fn parse_if<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    let else_block = r.block.clone().map(|b| Expr { span: b.span, kind: ExprKind::Block(b) });
    let else_if = just(Token::If).rewind().ignore_then(r.expr.clone());
    just(Token::If)
        .ignore_then(r.expr.clone())
        .then(r.block.clone())
        .then(just(Token::Else).ignore_then(choice((else_block, else_if))).or_not())
        .map_with(|((cond, then), else_), e| Expr {
            kind: ExprKind::If { cond: Box::new(cond), then, else_: else_.map(Box::new) },
            span: e.span(),
        })
        .boxed()
}

fn contextual<'t, 's: 't>(word: &'static str) -> P<'t, 's, Span> {
    select! { Token::Ident(w) = e if w == word => e.span() }.boxed()
}

/// `match x { pattern if guard => body, ... }`
fn parse_match<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    let arm = r
        .pattern
        .clone()
        .then(just(Token::If).ignore_then(r.expr.clone()).or_not())
        .then_ignore(just(Token::FatArrow))
        .then(parse_body(r))
        .then_ignore(just(Token::Comma).or_not())
        .map_with(|((pattern, guard), body), e| MatchArm { pattern, guard, body, span: e.span() });
    just(Token::Match)
        .ignore_then(r.expr.clone())
        .then(arm.repeated().collect().delimited_by(just(Token::LBrace), just(Token::RBrace)))
        .map_with(|(scrutinee, arms), e| Expr {
            kind: ExprKind::Match { scrutinee: Box::new(scrutinee), arms },
            span: e.span(),
        })
        .boxed()
}

/// `try { } catch e { }`
fn parse_try_catch<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    just(Token::Try)
        .ignore_then(r.block.clone())
        .then_ignore(just(Token::Catch))
        .then(expect_ident().or_not())
        .then(r.block.clone())
        .map_with(|((body, catch_var), handler), e| Expr {
            kind: ExprKind::TryCatch { body, catch_var, handler },
            span: e.span(),
        })
        .boxed()
}

/// `(expr)` after a phase keyword.
fn parse_target<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Box<Expr>> {
    r.expr.clone().delimited_by(just(Token::LParen), just(Token::RParen)).map(Box::new).boxed()
}

/// `freeze`, `thaw`, `clone`, `sublimate`, `anneal`, `crystallize`, `borrow`.
fn parse_phase_op<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    let target = parse_target(r);
    let except = contextual("except").ignore_then(
        r.expr
            .clone()
            .separated_by(just(Token::Comma))
            .allow_trailing()
            .collect::<Vec<_>>()
            .delimited_by(just(Token::LBracket), just(Token::RBracket)),
    );
    let freeze = just(Token::Freeze)
        .ignore_then(target.clone())
        .then(contextual("where").ignore_then(r.expr.clone()).or_not())
        .then(except.or_not())
        .map(|((target, contract), except)| ExprKind::Freeze {
            target,
            contract: contract.map(Box::new),
            except,
        });
    let thaw = just(Token::Thaw).ignore_then(target.clone()).map(ExprKind::Thaw);
    let clone = just(Token::Clone).ignore_then(target.clone()).map(ExprKind::Clone);
    let sublimate = just(Token::Sublimate).ignore_then(target.clone()).map(ExprKind::Sublimate);
    let closure_ahead = choice((just(Token::Pipe), just(Token::OrOr))).rewind();
    let anneal = just(Token::Anneal)
        .ignore_then(target.clone())
        .then(closure_ahead.ignore_then(r.expr.clone()))
        .map(|(target, closure)| ExprKind::Anneal { target, closure: Box::new(closure) });
    let crystallize = just(Token::Crystallize)
        .ignore_then(target.clone())
        .then(r.block.clone())
        .map(|(target, body)| ExprKind::Crystallize { target, body });
    let borrow = just(Token::Borrow)
        .ignore_then(target)
        .then(r.block.clone())
        .map(|(target, body)| ExprKind::Borrow { target, body });
    choice((
        freeze.boxed(),
        thaw.boxed(),
        clone.boxed(),
        sublimate.boxed(),
        anneal.boxed(),
        crystallize.boxed(),
        borrow.boxed(),
    ))
    .map_with(|kind, e| Expr { kind, span: e.span() })
    .boxed()
}

/// `forge { }`, `scope { }`, `spawn { }`.
fn parse_block_form<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    let keyword = select! {
        Token::Forge => 0u8,
        Token::Scope => 1u8,
        Token::Spawn => 2u8,
    };
    keyword
        .then(r.block.clone())
        .map_with(|(which, block), e| {
            let kind = match which {
                0 => ExprKind::Forge(block),
                1 => ExprKind::Scope(block),
                _ => ExprKind::Spawn(block),
            };
            Expr { kind, span: e.span() }
        })
        .boxed()
}

/// `select { v from ch => { }, timeout(ms) => { }, default => { } }`
fn parse_select<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    let default = contextual("default").to(SelectArmKind::Default);
    let timeout = contextual("timeout")
        .ignore_then(r.expr.clone().delimited_by(just(Token::LParen), just(Token::RParen)))
        .map(SelectArmKind::Timeout);
    let recv = expect_ident()
        .or_not()
        .then_ignore(just(Token::From))
        .then(r.expr.clone())
        .map(|(binding, channel)| SelectArmKind::Recv { binding, channel });
    let arm = choice((recv.boxed(), default.boxed(), timeout.boxed()))
        .then_ignore(just(Token::FatArrow))
        .then(r.block.clone())
        .then_ignore(just(Token::Comma).or_not())
        .map_with(|(kind, body), e| SelectArm { kind, body, span: e.span() });
    contextual("select")
        .then_ignore(just(Token::LBrace).rewind())
        .ignore_then(arm.repeated().collect().delimited_by(just(Token::LBrace), just(Token::RBrace)))
        .map_with(|arms, e| Expr { kind: ExprKind::Select(arms), span: e.span() })
        .boxed()
}

/// A string literal as an expression (used by `test` names and imports elsewhere).
#[allow(dead_code)]
pub(super) fn parse_string_expr<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Expr> {
    expect_string(r.ctx).map(|(s, span)| Expr { kind: ExprKind::Str(s), span }).boxed()
}
