//! Match patterns: literals (negative numbers too), ranges, bindings, `_`,
//! `Enum::Variant(p, q)`, `[a, ...rest]` and `{field: pat, other}`.
//!
//! Any pattern may carry a phase qualifier, `fluid x` or `crystal [a, b]`, which also
//! requires the value to have that phase.

use super::{expect_ident, expect_name, guard, Ctx, Label, P};
use crate::syntax::ast::*;
use crate::syntax::token::Token;
use chumsky::prelude::*;

/// The pattern grammar; `expr` parses the end of a range pattern (`1..limit`).
pub(super) fn parse_pattern<'t, 's: 't>(ctx: &'t Ctx<'t>, expr: P<'t, 's, Expr>) -> P<'t, 's, Pattern> {
    recursive(|pattern| {
        let pattern = pattern.boxed();
        let literal = parse_literal(ctx);
        let range_end = expr.clone();
        let literal_or_range =
            literal.then(just(Token::DotDot).ignore_then(range_end.clone()).or_not()).map(|(start, end)| {
                match end {
                    Some(end) => PatternKind::Range { start, end },
                    None => PatternKind::Literal(start),
                }
            });
        // `alias.Enum::Variant`: enum values carry their enum's and variant's names, which
        // is all a pattern compares, so the module qualifier is accepted and not kept.
        let variant = expect_ident()
            .then_ignore(just(Token::Dot))
            .or_not()
            .ignore_then(expect_ident())
            .then_ignore(just(Token::ColonColon))
            .then(expect_name())
            .then(
                pattern
                    .clone()
                    .separated_by(just(Token::Comma))
                    .allow_trailing()
                    .collect::<Vec<_>>()
                    .delimited_by(just(Token::LParen), just(Token::RParen))
                    .or_not(),
            )
            .map(|((enum_name, variant), payload)| PatternKind::Variant { enum_name, variant, payload });
        // `lo..hi` with a named lower bound, as the reference allows.
        let named_range =
            expect_ident().then_ignore(just(Token::DotDot)).then(range_end).map(|(name, end)| {
                PatternKind::Range { start: Expr { kind: ExprKind::Ident(name.name), span: name.span }, end }
            });
        let binding = expect_ident().map(|name| match name.name.as_str() {
            "_" => PatternKind::Wildcard,
            _ => PatternKind::Binding(name),
        });
        let array = parse_array(pattern.clone());
        let fields = parse_struct(pattern);
        let plain = choice((
            literal_or_range.boxed(),
            variant.boxed(),
            named_range.boxed(),
            binding.boxed(),
            array,
            fields,
        ));
        // `fluid x` / `crystal [a, b]`: the value must also have that phase. Without a
        // pattern after it, `fluid` is just a binding named `fluid`.
        let phase = select! {
            Token::Ident("fluid") => AnnotatedPhase::Fluid,
            Token::Ident("crystal") => AnnotatedPhase::Crystal,
        };
        let body = choice((phase.then(plain.clone()).map(|(p, k)| (Some(p), k)), plain.map(|k| (None, k))))
            .map_with(|(phase, kind), e| Pattern { kind, phase, span: e.span() })
            .labelled(Label::Pattern)
            .boxed();
        guard(body)
    })
    .boxed()
}

/// A literal, with an optional leading minus on numbers.
fn parse_literal<'t, 's: 't>(ctx: &'t Ctx<'t>) -> P<'t, 's, Expr> {
    let plain = select! {
        Token::Int(v) => ExprKind::Int(v),
        Token::Float(v) => ExprKind::Float(v),
        Token::Str(i) => ExprKind::Str(ctx.string(i)),
        Token::True => ExprKind::Bool(true),
        Token::False => ExprKind::Bool(false),
        Token::Nil => ExprKind::Nil,
    };
    let negative = just(Token::Minus).ignore_then(select! {
        Token::Int(v) => ExprKind::Int(v.wrapping_neg()),
        Token::Float(v) => ExprKind::Float(-v),
    });
    choice((negative, plain)).map_with(|kind, e| Expr { kind, span: e.span() }).boxed()
}

/// `[p, q, ...rest]`, `[first, ...]`, `[..._, last]`.
fn parse_array<'t, 's: 't>(pattern: P<'t, 's, Pattern>) -> P<'t, 's, PatternKind> {
    // `...rest` binds the rest; `...` and `..._` skip it.
    let rest = just(Token::DotDotDot).ignore_then(expect_ident().or_not()).map(|name| match name {
        Some(n) if n.name == "_" => Elem::Rest(None),
        other => Elem::Rest(other),
    });
    let elem = choice((rest, pattern.map(|p| Elem::One(Box::new(p)))));
    elem.separated_by(just(Token::Comma))
        .allow_trailing()
        .collect::<Vec<_>>()
        .delimited_by(just(Token::LBracket), just(Token::RBracket))
        .try_map(|elems, span| {
            let mut out = Vec::new();
            let mut rest = None;
            let mut rest_index = 0;
            for elem in elems {
                match elem {
                    Elem::One(p) => out.push(*p),
                    Elem::Rest(name) if rest.is_none() => {
                        rest = Some(name);
                        rest_index = out.len();
                    }
                    Elem::Rest(_) => {
                        return Err(super::ParseError::custom(
                            span,
                            "E0104",
                            "an array pattern may have only one `...` rest",
                            "second rest pattern in this array",
                        ))
                    }
                }
            }
            if rest.is_none() {
                rest_index = out.len();
            }
            Ok(PatternKind::Array { elems: out, rest, rest_index })
        })
        .boxed()
}

enum Elem {
    One(Box<Pattern>),
    Rest(Option<Ident>),
}

/// `{ name, role: "admin" }`: only when the braces hold `name:`, `name,` or `name}`.
fn parse_struct<'t, 's: 't>(pattern: P<'t, 's, Pattern>) -> P<'t, 's, PatternKind> {
    let field = expect_name().then(just(Token::Colon).ignore_then(pattern).or_not());
    field
        .separated_by(just(Token::Comma))
        .allow_trailing()
        .at_least(1)
        .collect()
        .delimited_by(just(Token::LBrace), just(Token::RBrace))
        .map(|fields| PatternKind::Struct { fields })
        .boxed()
}
