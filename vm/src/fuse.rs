//! Load-time fusion of common instruction sequences into single in-memory instructions
//! (superinstructions). Files always hold the plain lowering; only the loaded copy is
//! fused, so the self-hosted compiler never has to know about these forms.
//!
//! A fused instruction replaces the first instruction of its sequence and leaves the
//! others in place: a jump into the middle of a sequence still finds valid code, and a
//! fused instruction whose operands turn out not to be Ints behaves as the plain first
//! instruction, letting the original sequence run.

use crate::module::Function;
use crate::opcode::{BinKind, Op};

/// `FusedIntOp`'s code for `%` (beyond the `BinKind` range).
pub const MOD: u8 = 9;

pub fn fuse(code: &mut [Op]) {
    for i in 0..code.len() {
        let window = &code[i..code.len().min(i + 5)];
        let fused = match window {
            [Op::GetLocal { slot: arr }, Op::GetLocal { slot: idx }, Op::SmallInt { value }, op, Op::Index {}, ..]
                if matches!(op, Op::Add {} | Op::Sub {}) && *value != i32::MIN =>
            {
                let value = if matches!(op, Op::Sub {}) { -*value } else { *value };
                Some(Op::FusedIndexLocalOffset { arr: *arr, idx: *idx, value })
            }
            [Op::GetLocal { slot: a }, Op::GetLocal { slot: b }, cmp, Op::JumpIfFalse { offset }, ..]
                if BinKind::of(cmp).is_some_and(|k| k as u8 >= BinKind::Lt as u8) =>
            {
                let cmp = BinKind::of(cmp).map_or(0, |k| k as u8);
                Some(Op::FusedLocalLocalCmpJump { a: *a, b: *b, cmp, offset: *offset })
            }
            [Op::GetLocal { slot: arr }, Op::GetLocal { slot: idx }, Op::Index {}, ..] => {
                Some(Op::FusedIndexLocalLocal { arr: *arr, idx: *idx })
            }
            [Op::Const { idx }, Op::AddSetLocal { slot }, ..] => {
                Some(Op::FusedAppendConst { slot: *slot, idx: *idx })
            }
            [Op::SmallInt { value }, Op::AddSetLocal { slot }, ..] => {
                Some(Op::FusedIncLocal { slot: *slot, value: *value })
            }
            [Op::SmallInt { value }, op, ..] if BinKind::of(op).is_some() || matches!(op, Op::Mod {}) => {
                let op = BinKind::of(op).map_or(MOD, |k| k as u8);
                Some(Op::FusedIntOp { value: *value, op })
            }
            [Op::GetLocal { slot }, Op::SmallInt { value }, cmp, Op::JumpIfFalse { offset }, ..]
                if BinKind::of(cmp).is_some_and(|k| k as u8 >= BinKind::Lt as u8) =>
            {
                // The jump is relative to the instruction after it: 3 further on.
                let cmp = BinKind::of(cmp).map_or(0, |k| k as u8);
                Some(Op::FusedLocalIntCmpJump { slot: *slot, value: *value, cmp, offset: *offset })
            }
            [Op::GetLocal { slot }, Op::SmallInt { value }, op, ..]
                if matches!(BinKind::of(op), Some(BinKind::Add | BinKind::Sub)) =>
            {
                let op = BinKind::of(op).map_or(0, |k| k as u8);
                Some(Op::FusedLocalIntArith { slot: *slot, value: *value, op })
            }
            [Op::GetLocal { slot: a }, Op::GetLocal { slot: b }, op, ..] if BinKind::of(op).is_some() => {
                let op = BinKind::of(op).map_or(0, |k| k as u8);
                Some(Op::FusedLocalLocalOp { a: *a, b: *b, op })
            }
            _ => None,
        };
        if let Some(f) = fused {
            code[i] = f;
        }
    }
}

/// Native id of the marker `FusedGlobalCallee` pushes for "the running closure".
/// Never a real native: only the `Call` it was paired with ever sees it.
pub const SELF_CALLEE: u32 = u32::MAX;

/// Turns each `GetGlobal` that only feeds the callee slot of a later `Call` in straight
/// line code into `FusedGlobalCallee`. The marker it may push must reach that `Call` and
/// nothing else, so the pairing is strict: the instructions between stay above the
/// callee's stack slot, none of them copies or reorders stack entries (`Dup`, `Pick`,
/// `Swap`, `PopUnder`), no jump from outside lands between the two and no jump between
/// them leaves. `heights` are the verifier's stack heights for `f`.
pub fn pair_global_callees(f: &mut Function, heights: &[Option<i32>]) {
    let code = &f.code;
    let mut found = Vec::new();
    for (i, op) in code.iter().enumerate() {
        let (Op::GetGlobal { name }, Some(h)) = (*op, heights[i]) else { continue };
        let mut call = None;
        for (j, op) in code.iter().enumerate().skip(i + 1) {
            let Some(hj) = heights[j] else { break };
            if let Op::Call { argc } = *op {
                if hj == h + 1 + argc as i32 {
                    call = Some(j);
                    break;
                }
            }
            let touches = matches!(
                *op,
                Op::Dup {}
                    | Op::Swap {}
                    | Op::PopUnder { .. }
                    | Op::Pick { .. }
                    | Op::Return {}
                    | Op::Throw {}
                    | Op::Rethrow { .. }
            );
            if hj <= h || touches || hj + op.stack_effect() <= h {
                break;
            }
        }
        let Some(j) = call else { continue };
        let crosses = code.iter().enumerate().any(|(k, op)| {
            let inside = k > i && k < j;
            crate::verify::jump_target(*op, k).is_some_and(|t| inside != (t > i && t <= j))
        });
        if !crosses {
            found.push((i, name));
        }
    }
    for (i, name) in found {
        f.code[i] = Op::FusedGlobalCallee { name };
    }
}
