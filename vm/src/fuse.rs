//! Load-time fusion of common instruction sequences into single in-memory instructions
//! (superinstructions). Files always hold the plain lowering; only the loaded copy is
//! fused, so the self-hosted compiler never has to know about these forms.
//!
//! A fused instruction replaces the first instruction of its sequence and leaves the
//! others in place: a jump into the middle of a sequence still finds valid code, and a
//! fused instruction whose operands turn out not to be Ints behaves as the plain first
//! instruction, letting the original sequence run.

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
