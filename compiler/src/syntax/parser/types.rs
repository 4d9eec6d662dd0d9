//! Type annotations (all optional in Lattice, R13): `Int`, `[T]`, `Fn(A, B) -> R`,
//! `Map<String, Int>`, and the phase constraints written before a type: `flux`/`~`,
//! `fix`/`*`, `sublimated`, and unions such as `(~|*)`.

use super::{expect_ident, guard, Label, P};
use crate::syntax::ast::*;
use crate::syntax::token::Token;
use chumsky::prelude::*;

pub(super) fn parse_type<'t, 's: 't>() -> P<'t, 's, TypeExpr> {
    recursive(|ty| {
        let ty = ty.boxed();
        let array = ty
            .clone()
            .delimited_by(just(Token::LBracket), just(Token::RBracket))
            .map(|inner| TypeKind::Array(Box::new(inner)));
        let fn_word = choice((just(Token::Fn).ignored(), select! { Token::Ident("Fn") => () }));
        let function = fn_word
            .ignore_then(
                ty.clone()
                    .separated_by(just(Token::Comma))
                    .allow_trailing()
                    .collect::<Vec<_>>()
                    .delimited_by(just(Token::LParen), just(Token::RParen)),
            )
            .then(just(Token::Arrow).ignore_then(ty.clone()).or_not())
            .map(|(params, ret)| TypeKind::Fn { params, ret: ret.map(Box::new) });
        let args = ty
            .separated_by(just(Token::Comma))
            .at_least(1)
            .collect::<Vec<_>>()
            .delimited_by(just(Token::Lt), just(Token::Gt));
        let named = expect_ident()
            .then(args.or_not())
            .map(|(name, args)| TypeKind::Named { name, args: args.unwrap_or_default() });
        let base = choice((array.boxed(), function.boxed(), named.boxed()));
        let constrained = parse_phase()
            .then(base.clone().or_not())
            .map(|(phase, kind)| (Some(phase), kind.unwrap_or(TypeKind::Any)));
        let body = choice((constrained.boxed(), base.map(|kind| (None, kind)).boxed()))
            .map_with(|(phase, kind), e| TypeExpr { phase, kind, span: e.span() })
            .labelled(Label::Type)
            .boxed();
        guard(body)
    })
    .boxed()
}

/// One phase word or symbol, or a parenthesised union of them.
fn parse_phase<'t, 's: 't>() -> P<'t, 's, PhaseConstraint> {
    let none = PhaseConstraint { fluid: false, crystal: false, sublimated: false };
    let one = select! {
        Token::Flux => PhaseConstraint { fluid: true, ..none },
        Token::Tilde => PhaseConstraint { fluid: true, ..none },
        Token::Fix => PhaseConstraint { crystal: true, ..none },
        Token::Star => PhaseConstraint { crystal: true, ..none },
        Token::Ident("sublimated") => PhaseConstraint { sublimated: true, ..none },
    };
    let union = one
        .separated_by(just(Token::Pipe))
        .at_least(1)
        .collect::<Vec<_>>()
        .delimited_by(just(Token::LParen), just(Token::RParen))
        .map(move |parts| {
            parts.into_iter().fold(none, |acc, p| PhaseConstraint {
                fluid: acc.fluid || p.fluid,
                crystal: acc.crystal || p.crystal,
                sublimated: acc.sublimated || p.sublimated,
            })
        });
    choice((union, one)).boxed()
}
