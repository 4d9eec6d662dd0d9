//! Signature help: the parameters of the function whose call the cursor is in, and which
//! of them the cursor is at. Found from the tokens, since the call is usually unfinished.

use super::builtins;
use super::{Analysis, DefKind};
use crate::syntax::token::TokenKind;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureHelp {
    /// The whole signature, `fn name(a, b) -> R`.
    pub label: String,
    /// Each parameter's text; each occurs in `label` in order.
    pub params: Vec<String>,
    /// The parameter the cursor is at.
    pub active: usize,
    pub doc: Option<String>,
}

impl Analysis {
    pub fn signature_help(&self, offset: u32) -> Option<SignatureHelp> {
        let end = self.tokens.partition_point(|(_, s)| s.end <= offset);
        let mut depth = 0usize;
        let mut commas = 0usize;
        for i in (0..end).rev() {
            match self.tokens[i].0 {
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => depth += 1,
                TokenKind::LBracket | TokenKind::LBrace if depth > 0 => depth -= 1,
                TokenKind::LBracket | TokenKind::LBrace => return None,
                TokenKind::LParen if depth > 0 => depth -= 1,
                TokenKind::LParen => return self.signature_of_callee(i, offset, commas),
                TokenKind::Comma if depth == 0 => commas += 1,
                _ => {}
            }
        }
        None
    }

    fn signature_of_callee(&self, paren: usize, offset: u32, active: usize) -> Option<SignatureHelp> {
        let (kind, span) = *self.tokens.get(paren.checked_sub(1)?)?;
        if kind != TokenKind::Ident {
            return None;
        }
        let name = self.text(span);
        let resolved =
            self.index.at(span.start).map(|(d, _)| d).or_else(|| self.index.lookup_at(offset, name));
        if let Some(d) = resolved {
            let def = self.def(d);
            if matches!(def.kind, DefKind::Function | DefKind::Method) {
                let mut params = def.params.clone();
                let is_method_call = paren >= 2 && self.tokens[paren - 2].0 == TokenKind::Dot;
                if is_method_call && params.first().is_some_and(|p| p == "self") {
                    params.remove(0);
                }
                let label = format!("fn {}({})", def.name, params.join(", "));
                return Some(SignatureHelp { label, params, active, doc: def.doc.clone() });
            }
        }
        let b = builtins::builtin(name)?;
        let params: Vec<String> = b.params.iter().map(|p| p.to_string()).collect();
        let active = if b.params.last().is_some_and(|p| p.starts_with("...")) {
            active.min(params.len() - 1)
        } else {
            active
        };
        Some(SignatureHelp { label: b.signature(), params, active, doc: Some(b.doc.to_string()) })
    }
}
