//! Declarations and the program: functions (with contracts), structs, enums, traits,
//! `impl` blocks, tests, the `export` / `@fluid` / `@crystal` / `///` prefixes, and the
//! assembly of all grammar rules into the program parser.

use super::expr::{self, Rules};
use super::stmt::{self, parse_skipped_stmt};
use super::{
    expect_ident, expect_name, expect_string, guard, pattern, semicolons, types, Ctx, Label, ParseError, P,
};
use crate::syntax::ast::*;
use crate::syntax::span::Span;
use crate::syntax::token::Token;
use chumsky::prelude::*;

/// The whole grammar: the recursive rules are declared here and tied together.
pub(super) fn parse_program<'t, 's: 't>(ctx: &'t Ctx<'t>) -> P<'t, 's, Program> {
    let mut expr = Recursive::declare();
    let mut block = Recursive::declare();
    let mut stmt = Recursive::declare();
    let ty = types::parse_type();
    let expr_p: P<'t, 's, Expr> = expr.clone().boxed();
    let pattern = pattern::parse_pattern(ctx, expr_p.clone());
    let params = parse_params(ty.clone(), expr_p.clone());
    let rules = Rules { ctx, expr: expr_p, block: block.clone().boxed(), pattern, ty, params };
    expr.define(guard(expr::parse_expr(&rules)));
    stmt.define(stmt::parse_stmt(&rules));
    let item = parse_item(&rules, stmt.boxed());
    // Blocks nest through statements alone (`loop { loop {`), so they take the guard too.
    block.define(guard(stmt::parse_block(ctx, item.clone())));

    let mode =
        select! { Token::Mode(strict) = e => (if strict { Mode::Strict } else { Mode::Casual }, e.span()) };
    let item = item.recover_with(via_parser(parse_skipped_stmt(ctx).map(|stmt| Item {
        span: stmt.span,
        kind: ItemKind::Stmt(stmt),
        exported: false,
        annotation: None,
        doc: None,
    })));
    let stray_close = one_of([Token::RBrace, Token::RParen, Token::RBracket]).validate(|_, e, emitter| {
        emitter.emit(ParseError::custom(
            e.span(),
            "E0105",
            "unmatched closing delimiter",
            "nothing opened this",
        ));
    });
    semicolons()
        .ignore_then(mode.or_not())
        .then(
            semicolons()
                .ignore_then(choice((item.map(Some), stray_close.to(None))))
                .then_ignore(semicolons())
                .repeated()
                .collect::<Vec<_>>(),
        )
        .then_ignore(end())
        .map(|(mode, items)| {
            let (mode, mode_span) = match mode {
                Some((mode, span)) => (mode, Some(span)),
                None => (Mode::Casual, None),
            };
            Program { mode, mode_span, items: items.into_iter().flatten().collect() }
        })
        .boxed()
}

/// `(a, b: Int = 1, ...rest)`, parentheses included.
fn parse_params<'t, 's: 't>(ty: P<'t, 's, TypeExpr>, expr: P<'t, 's, Expr>) -> P<'t, 's, Vec<Param>> {
    let param = just(Token::DotDotDot)
        .or_not()
        .then(expect_ident())
        .then(just(Token::Colon).ignore_then(ty).or_not())
        .then(just(Token::Eq).ignore_then(expr).or_not())
        .map_with(|(((dots, name), ty), default), e| Param {
            name,
            ty,
            default,
            variadic: dots.is_some(),
            span: e.span(),
        })
        .labelled(Label::Parameter);
    param
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect()
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .boxed()
}

/// What may precede a declaration: `export` and one `@fluid` / `@crystal`, in any order.
struct Prefix {
    exported: bool,
    annotation: Option<PhaseAnnotation>,
}

fn parse_prefix<'t, 's: 't>() -> P<'t, 's, Prefix> {
    let annotation = just(Token::At).ignore_then(expect_ident()).validate(|name, e, emitter| {
        let span = e.span();
        match name.name.as_str() {
            "fluid" => Some(PhaseAnnotation { phase: AnnotatedPhase::Fluid, span }),
            "crystal" => Some(PhaseAnnotation { phase: AnnotatedPhase::Crystal, span }),
            other => {
                emitter.emit(ParseError::custom(
                    name.span,
                    "E0106",
                    format!("unknown annotation '@{other}' (expected @fluid or @crystal)"),
                    "unknown annotation",
                ));
                None
            }
        }
    });
    // `export` and the annotation may come in either order.
    let part = choice((just(Token::Export).to(None), annotation.map(Some)));
    part.repeated()
        .collect::<Vec<_>>()
        .map(|parts| {
            let exported = parts.iter().any(Option::is_none);
            let annotation = parts.into_iter().flatten().flatten().next();
            Prefix { exported, annotation }
        })
        .boxed()
}

/// One top-level item or block statement: an optional prefix, then a declaration or a
/// statement. Misplaced `export` and annotations are reported here.
fn parse_item<'t, 's: 't>(r: &Rules<'t, 's>, stmt: P<'t, 's, Stmt>) -> P<'t, 's, Item> {
    let ctx = r.ctx;
    // Declarations and prefixed items start with one of these; everything else is a plain
    // statement, which then pays for no failed declaration attempts.
    let declaration_ahead = any().filter(|t: &Token<'s>| {
        matches!(
            t,
            Token::Fn
                | Token::Struct
                | Token::Enum
                | Token::Trait
                | Token::Impl
                | Token::Test
                | Token::Export
                | Token::At
        )
    });
    let decl = choice((
        parse_fn_decl(r).map(ItemKind::Fn),
        parse_struct(r).map(ItemKind::Struct),
        parse_enum(r).map(ItemKind::Enum),
        parse_trait(r).map(ItemKind::Trait),
        parse_impl(r).map(ItemKind::Impl),
        parse_test(r).map(ItemKind::Test),
        stmt.clone().map(ItemKind::Stmt),
    ));
    let declared = declaration_ahead.rewind().ignore_then(parse_prefix().then(decl).validate(
        move |(prefix, kind), e, emitter| {
            let span = e.span();
            check_prefix(&prefix, &kind, span, emitter);
            let doc = ctx.doc_before(span.start);
            Item { kind, span, exported: prefix.exported, annotation: prefix.annotation, doc }
        },
    ));
    let plain = stmt.map(move |stmt| Item {
        span: stmt.span,
        doc: ctx.doc_before(stmt.span.start),
        kind: ItemKind::Stmt(stmt),
        exported: false,
        annotation: None,
    });
    choice((declared.boxed(), plain.boxed())).boxed()
}

fn check_prefix(
    prefix: &Prefix,
    kind: &ItemKind,
    span: Span,
    emitter: &mut chumsky::input::Emitter<ParseError>,
) {
    let is_binding = matches!(kind, ItemKind::Stmt(Stmt { kind: StmtKind::Let { .. }, .. }));
    let exportable = is_binding
        || matches!(kind, ItemKind::Fn(_) | ItemKind::Struct(_) | ItemKind::Enum(_) | ItemKind::Trait(_));
    if prefix.exported && !exportable {
        emitter.emit(ParseError::custom(
            span,
            "E0107",
            "'export' must precede fn, struct, enum, trait, or variable binding",
            "cannot be exported",
        ));
    }
    if let Some(annotation) = &prefix.annotation {
        if !(is_binding || matches!(kind, ItemKind::Fn(_))) {
            emitter.emit(ParseError::custom(
                annotation.span,
                "E0108",
                "@fluid/@crystal annotation must precede fn or variable binding",
                "annotation on something else",
            ));
        }
    }
}

fn maybe_type_params<'t, 's: 't>() -> P<'t, 's, Vec<Ident>> {
    expect_ident()
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .collect()
        .delimited_by(just(Token::Lt), just(Token::Gt))
        .or_not()
        .map(Option::unwrap_or_default)
        .boxed()
}

/// `require cond, "msg"` / `ensure |r| cond, "msg"` between the signature and the body.
fn parse_contract<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, Contract> {
    let kind = select! {
        Token::Ident("require") => ContractKind::Require,
        Token::Ident("ensure") => ContractKind::Ensure,
    };
    kind.then(r.expr.clone())
        .then(just(Token::Comma).ignore_then(r.expr.clone()).or_not())
        .map_with(|((kind, cond), message), e| Contract { kind, cond, message, span: e.span() })
        .boxed()
}

fn parse_fn_decl<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, FnDecl> {
    just(Token::Fn)
        .ignore_then(expect_name())
        .then(maybe_type_params())
        .then(r.params.clone())
        .then(just(Token::Arrow).ignore_then(r.ty.clone()).or_not())
        .then(parse_contract(r).repeated().collect::<Vec<_>>())
        .then(r.block.clone())
        .map_with(|(((((name, type_params), params), ret), contracts), body), e| FnDecl {
            name,
            type_params,
            params,
            ret,
            contracts,
            body,
            span: e.span(),
        })
        .boxed()
}

fn parse_struct<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, StructDecl> {
    let field = expect_name()
        .then(just(Token::Colon).ignore_then(r.ty.clone()).or_not())
        .then_ignore(just(Token::Comma).or_not())
        .map_with(|(name, ty), e| FieldDecl { name, ty, span: e.span() });
    just(Token::Struct)
        .ignore_then(expect_ident())
        .then(maybe_type_params())
        .then(field.repeated().collect().delimited_by(just(Token::LBrace), just(Token::RBrace)))
        .map_with(|((name, type_params), fields), e| StructDecl { name, type_params, fields, span: e.span() })
        .boxed()
}

fn parse_enum<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, EnumDecl> {
    let payload =
        r.ty.clone()
            .separated_by(just(Token::Comma))
            .allow_trailing()
            .collect()
            .delimited_by(just(Token::LParen), just(Token::RParen));
    let variant = expect_ident()
        .then(payload.or_not())
        .then_ignore(just(Token::Comma).or_not())
        .map_with(|(name, payload), e| VariantDecl { name, payload, span: e.span() });
    just(Token::Enum)
        .ignore_then(expect_ident())
        .then(maybe_type_params())
        .then(variant.repeated().collect().delimited_by(just(Token::LBrace), just(Token::RBrace)))
        .map_with(|((name, type_params), variants), e| EnumDecl {
            name,
            type_params,
            variants,
            span: e.span(),
        })
        .boxed()
}

/// `trait Name { fn sig(...) -> T  fn with_default(...) { ... } }`
fn parse_trait<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, TraitDecl> {
    let method = just(Token::Fn)
        .ignore_then(expect_name())
        .then(r.params.clone())
        .then(just(Token::Arrow).ignore_then(r.ty.clone()).or_not())
        .then(r.block.clone().or_not())
        .then_ignore(one_of([Token::Semicolon, Token::Comma]).repeated())
        .map_with(|(((name, params), ret), body), e| TraitMethod { name, params, ret, body, span: e.span() });
    just(Token::Trait)
        .ignore_then(expect_ident())
        .then(method.repeated().collect().delimited_by(just(Token::LBrace), just(Token::RBrace)))
        .map_with(|(name, methods), e| TraitDecl { name, methods, span: e.span() })
        .boxed()
}

/// `impl Trait for Type { fn ... }` or `impl Type { fn ... }`.
fn parse_impl<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, ImplDecl> {
    let method = parse_fn_decl(r).then_ignore(semicolons());
    just(Token::Impl)
        .ignore_then(expect_ident())
        .then(just(Token::For).ignore_then(expect_ident()).or_not())
        .then(
            semicolons()
                .ignore_then(method.repeated().collect())
                .delimited_by(just(Token::LBrace), just(Token::RBrace)),
        )
        .map_with(|((first, second), methods), e| {
            let (trait_name, type_name) = match second {
                Some(type_name) => (Some(first), type_name),
                None => (None, first),
            };
            ImplDecl { trait_name, type_name, methods, span: e.span() }
        })
        .boxed()
}

/// `test "name" { ... }`
fn parse_test<'t, 's: 't>(r: &Rules<'t, 's>) -> P<'t, 's, TestDecl> {
    just(Token::Test)
        .ignore_then(expect_string(r.ctx))
        .then(r.block.clone())
        .map(|((name, name_span), body)| TestDecl { name, name_span, body })
        .boxed()
}
