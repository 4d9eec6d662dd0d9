//! Statements and blocks: bindings, assignments, loops, `return`, `defer`, `import`, and
//! the recovery that lets one bad statement be reported and skipped.
//!
//! Lattice needs no semicolons and newlines mean nothing: a statement ends where its
//! grammar ends, and `;` is an optional separator that may appear any number of times.

use super::expr::Rules;
use super::{expect_ident, expect_string, semicolons, Ctx, Label, ParseError, MAX_DEPTH, P};
use crate::syntax::ast::*;
use crate::syntax::depth;
use crate::syntax::span::Span;
use crate::syntax::token::Token;
use chumsky::prelude::*;

/// `{ stmt* }`. `item` parses one statement or declaration (see `item.rs`); a declaration
/// inside a block becomes `StmtKind::Item`.
pub(super) fn parse_block<'t, 's: 't>(ctx: &'t Ctx<'t>, item: P<'t, 's, Item>) -> P<'t, 's, Block> {
    let stmt = item.map(item_to_stmt).recover_with(via_parser(parse_skipped_stmt(ctx)));
    // A statement never starts with `}`: checking for it first spares the failed attempt
    // at a statement that every block would otherwise end with.
    let not_end = none_of([Token::RBrace]).rewind();
    semicolons()
        .ignore_then(not_end.ignore_then(stmt).then_ignore(semicolons()).repeated().collect::<Vec<_>>())
        .delimited_by(just(Token::LBrace), just(Token::RBrace))
        .map_with(|stmts, e| {
            let block = Block { stmts, span: e.span() };
            // Statements nest blocks without passing through an expression (`loop { loop {`,
            // nested `fn`s), so blocks are measured too; the memo makes this O(1) per block.
            let mut walker = depth::Walker { memo: Some(&mut e.state().depth_memo) };
            if walker.block(&block, MAX_DEPTH + 1) > MAX_DEPTH {
                e.emit(ParseError::too_deep(Span::new(block.span.start, block.span.start + 1)));
                return Block { stmts: Vec::new(), span: block.span };
            }
            block
        })
        .labelled(Label::Block)
        .boxed()
}

/// A plain statement stays itself; anything declared (or annotated) stays an item.
fn item_to_stmt(item: Item) -> Stmt {
    match item {
        Item { kind: ItemKind::Stmt(stmt), exported: false, annotation: None, .. } => stmt,
        item => Stmt { span: item.span, kind: StmtKind::Item(Box::new(item)) },
    }
}

/// Recovery: skips from a statement that failed to parse to the next likely statement
/// start, treating bracketed groups as units so a `}` inside them does not end the skip.
/// It always consumes at least one token and never the `}` that closes the block.
pub(super) fn parse_skipped_stmt<'t, 's: 't>(ctx: &'t Ctx<'t>) -> P<'t, 's, Stmt> {
    custom(move |inp| {
        let before = inp.cursor();
        let mut depth = 0usize;
        let mut consumed = false;
        let mut prev_end = None;
        loop {
            let at = inp.save();
            let token_start = inp.cursor();
            let Some(token) = inp.next() else { break };
            let span: Span = inp.span_since(&token_start);
            // A new line at bracket depth zero is where the next statement most likely starts.
            let new_line = prev_end.is_some_and(|end| ctx.newline_between(end, span.start));
            match token {
                Token::LBrace | Token::LParen | Token::LBracket => depth += 1,
                Token::RBrace | Token::RParen | Token::RBracket if depth == 0 => {
                    inp.rewind(at);
                    break;
                }
                Token::RBrace | Token::RParen | Token::RBracket => depth -= 1,
                _ => {}
            }
            // A statement keyword on a new line ends the skip even inside an unclosed bracket.
            let resume = (depth == 0 && (new_line || starts_statement(&token)))
                || (new_line && starts_statement(&token));
            if consumed && resume && !is_closer(&token) {
                inp.rewind(at);
                break;
            }
            consumed = true;
            prev_end = Some(span.end);
        }
        let span = inp.span_since(&before);
        if !consumed {
            return Err(ParseError::custom(span, "E0100", "unexpected token", ""));
        }
        Ok(Stmt { kind: StmtKind::Expr(Expr { kind: ExprKind::Nil, span }), span })
    })
    .boxed()
}

fn is_closer(token: &Token<'_>) -> bool {
    matches!(token, Token::RBrace | Token::RParen | Token::RBracket)
}

/// Keywords that begin a statement or declaration: where recovery resumes.
fn starts_statement(token: &Token<'_>) -> bool {
    matches!(
        token,
        Token::Fn
            | Token::Struct
            | Token::Enum
            | Token::Trait
            | Token::Impl
            | Token::Let
            | Token::Flux
            | Token::Fix
            | Token::For
            | Token::While
            | Token::Loop
            | Token::Return
            | Token::If
            | Token::Import
            | Token::Export
            | Token::Test
            | Token::Defer
            | Token::At
    )
}

/// Every statement that is not a declaration.
pub(super) fn parse_stmt<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Stmt> {
    // Expression statements are the most common; one look at the next token decides
    // whether the keyword-led forms are worth trying at all.
    let keyword_ahead = any().filter(|t: &Token<'s>| {
        matches!(
            t,
            Token::Let
                | Token::Flux
                | Token::Fix
                | Token::Return
                | Token::Break
                | Token::Continue
                | Token::For
                | Token::While
                | Token::Loop
                | Token::Defer
                | Token::Import
        )
    });
    let keyword_led = keyword_ahead.rewind().ignore_then(choice((
        parse_binding(r),
        parse_return(r),
        parse_jump(),
        parse_for(r),
        parse_while(r),
        parse_loop(r),
        parse_defer(r),
        parse_import(r),
    )));
    choice((keyword_led.boxed(), parse_expr_stmt(r))).labelled(Label::Statement).boxed()
}

fn parse_bind_target<'t, 's: 't>() -> P<'t, 's, BindTarget> {
    let name = expect_ident().map(BindTarget::Name);
    let rest = just(Token::DotDotDot).ignore_then(expect_ident());
    let array = expect_ident()
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .then(rest.then_ignore(just(Token::Comma).or_not()).or_not())
        .delimited_by(just(Token::LBracket), just(Token::RBracket))
        .map_with(|(elems, rest), e| BindTarget::Array { elems, rest, span: e.span() });
    let fields = expect_ident()
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect()
        .delimited_by(just(Token::LBrace), just(Token::RBrace))
        .map_with(|fields, e| BindTarget::Struct { fields, span: e.span() });
    choice((name, array, fields)).boxed()
}

/// `let`/`flux`/`fix` target `: T`? `=` value.
fn parse_binding<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Stmt> {
    let kind = select! {
        Token::Let = e => (BindingKind::Let, e.span()),
        Token::Flux = e => (BindingKind::Flux, e.span()),
        Token::Fix = e => (BindingKind::Fix, e.span()),
    };
    kind.then(parse_bind_target())
        .then(just(Token::Colon).ignore_then(r.ty.clone()).or_not())
        .then_ignore(just(Token::Eq))
        .then(r.expr.clone())
        .map_with(|((((kind, kind_span), target), ty), value), e| Stmt {
            kind: StmtKind::Let { kind, kind_span, target, ty, value },
            span: e.span(),
        })
        .boxed()
}

fn parse_return<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Stmt> {
    just(Token::Return)
        .ignore_then(r.expr.clone().or_not())
        .map_with(|value, e| Stmt { kind: StmtKind::Return(value), span: e.span() })
        .boxed()
}

fn parse_jump<'t, 's: 't>() -> P<'t, 's, Stmt> {
    select! {
        Token::Break = e => Stmt { kind: StmtKind::Break, span: e.span() },
        Token::Continue = e => Stmt { kind: StmtKind::Continue, span: e.span() },
    }
    .boxed()
}

fn parse_for<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Stmt> {
    just(Token::For)
        .ignore_then(parse_bind_target())
        .then_ignore(just(Token::In))
        .then(r.expr.clone())
        .then(r.block.clone())
        .map_with(|((var, iter), body), e| Stmt { kind: StmtKind::For { var, iter, body }, span: e.span() })
        .boxed()
}

fn parse_while<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Stmt> {
    just(Token::While)
        .ignore_then(r.expr.clone())
        .then(r.block.clone())
        .map_with(|(cond, body), e| Stmt { kind: StmtKind::While { cond, body }, span: e.span() })
        .boxed()
}

fn parse_loop<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Stmt> {
    just(Token::Loop)
        .ignore_then(r.block.clone())
        .map_with(|body, e| Stmt { kind: StmtKind::Loop { body }, span: e.span() })
        .boxed()
}

fn parse_defer<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Stmt> {
    just(Token::Defer)
        .ignore_then(r.block.clone())
        .map_with(|body, e| Stmt { kind: StmtKind::Defer { body }, span: e.span() })
        .boxed()
}

/// `import "path"`, `import "path" as alias`, `import { a, b } from "path"`.
fn parse_import<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Stmt> {
    let whole = expect_string(r.ctx)
        .then(just(Token::As).ignore_then(expect_ident()).or_not())
        .map(|((path, path_span), alias)| Import { path, path_span, alias, names: None });
    let selective = expect_ident()
        .separated_by(just(Token::Comma).or_not())
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(Token::LBrace), just(Token::RBrace))
        .then_ignore(just(Token::From))
        .then(expect_string(r.ctx))
        .map(|(names, (path, path_span))| Import { path, path_span, alias: None, names: Some(names) });
    just(Token::Import)
        .ignore_then(choice((whole, selective)))
        .map_with(|import, e| Stmt { kind: StmtKind::Import(import), span: e.span() })
        .boxed()
}

/// An expression, an assignment `target = value`, or `target op= value`.
fn parse_expr_stmt<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Stmt> {
    // `=` and every `op=` in one token test: most statements have neither.
    let assign_op = select! {
        Token::Eq => None,
        Token::PlusEq = e => Some((BinOp::Add, e.span())),
        Token::MinusEq = e => Some((BinOp::Sub, e.span())),
        Token::StarEq = e => Some((BinOp::Mul, e.span())),
        Token::SlashEq = e => Some((BinOp::Div, e.span())),
        Token::PercentEq = e => Some((BinOp::Mod, e.span())),
        Token::AmpEq = e => Some((BinOp::BitAnd, e.span())),
        Token::PipeEq = e => Some((BinOp::BitOr, e.span())),
        Token::CaretEq = e => Some((BinOp::BitXor, e.span())),
        Token::ShlEq = e => Some((BinOp::Shl, e.span())),
        Token::ShrEq = e => Some((BinOp::Shr, e.span())),
    };
    r.expr
        .clone()
        .then(assign_op.then(r.expr.clone()).or_not())
        .validate(|(target, rest), e, emitter| {
            let span = e.span();
            let Some((op, value)) = rest else {
                return Stmt { kind: StmtKind::Expr(target), span };
            };
            if !is_place(&target) {
                emitter.emit(ParseError::custom(
                    target.span,
                    "E0103",
                    "invalid assignment target",
                    "only a name, an index, a slice or a field can be assigned to",
                ));
            }
            let kind = match op {
                None => StmtKind::Assign { target, value },
                Some((op, op_span)) => StmtKind::CompoundAssign { target, op, op_span, value },
            };
            Stmt { kind, span }
        })
        .boxed()
}

/// Whether an expression names a place that can be assigned to.
fn is_place(expr: &Expr) -> bool {
    matches!(
        expr.kind,
        ExprKind::Ident(_)
            | ExprKind::Index { optional: false, .. }
            | ExprKind::Field { optional: false, .. }
            | ExprKind::TupleIndex { .. }
    )
}
