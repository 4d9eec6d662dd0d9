//! Bytecode verification: run once per function before it can execute, on code from the
//! compiler and from LATC files alike.
//!
//! It walks every path through the code tracking the stack height (from the opcode
//! table's stack effects) and checks: heights agree where paths join and never drop below
//! the frame base; locals, captures and constants are addressed within bounds and with
//! the right kind; jumps land on instructions inside the function; capture descriptors
//! only follow `Closure`. After that the dispatch loop may index without further checks.

use crate::module::{Constant, Function};
use crate::opcode::Op;

pub fn verify(f: &Function) -> Result<(), String> {
    heights(f).map(|_| ())
}

/// Verifies `f` and returns the stack height (above the frame base) before each
/// instruction, `None` for unreachable ones. The loader's fusion pass reads these.
pub fn heights(f: &Function) -> Result<Vec<Option<i32>>, String> {
    let n = f.code.len();
    if n == 0 {
        return Err("function has no code".into());
    }
    if f.lines.len() != n {
        return Err("line table does not match the code".into());
    }
    let mut heights: Vec<Option<i32>> = vec![None; n];
    let mut work = vec![(0usize, f.params.len() as i32)];
    while let Some((pc, h)) = work.pop() {
        if pc >= n {
            return Err(format!("execution runs past the end of the code (at {pc})"));
        }
        match heights[pc] {
            Some(x) if x == h => continue,
            Some(x) => return Err(format!("stack height {h} differs from {x} at instruction {pc}")),
            None => heights[pc] = Some(h),
        }
        let op = f.code[pc];
        check_operands(f, op, h).map_err(|e| format!("instruction {pc} ({}): {e}", op.name()))?;
        let next = h + op.stack_effect();
        if next < 0 {
            return Err(format!("instruction {pc} ({}) pops below the frame", op.name()));
        }
        let target = |offset: i32| -> Result<usize, String> {
            let t = pc as i64 + 1 + offset as i64;
            if t < 0 || t as usize >= n {
                return Err(format!("jump at {pc} leaves the function"));
            }
            Ok(t as usize)
        };
        match op {
            // Returns and raises end the path.
            Op::Return {} | Op::Rethrow { .. } | Op::Throw {} => {}
            Op::Jump { offset } => work.push((target(offset)?, next)),
            Op::JumpIfFalse { offset } | Op::JumpIfTrue { offset } => {
                work.push((target(offset)?, next));
                work.push((pc + 1, next));
            }
            Op::AndJump { offset } | Op::OrJump { offset } | Op::NilJump { offset } => {
                work.push((target(offset)?, h));
                work.push((pc + 1, next));
            }
            Op::JumpIfNil { offset } | Op::ArgGiven { offset, .. } => {
                work.push((target(offset)?, h));
                work.push((pc + 1, h));
            }
            Op::IterNext { offset, .. } => {
                work.push((target(offset)?, h));
                work.push((pc + 1, next));
            }
            Op::TryBegin { offset } => {
                work.push((target(offset)?, h + 1));
                work.push((pc + 1, next));
            }
            Op::Closure { ncap, .. } => {
                for i in 0..ncap as usize {
                    match f.code.get(pc + 1 + i) {
                        Some(Op::Capture { local, idx }) => {
                            let ok = if *local == 1 {
                                (*idx as i32) < h
                            } else {
                                (*idx as usize) < f.upval_names.len()
                            };
                            if !ok {
                                return Err(format!("capture at {} is out of range", pc + 1 + i));
                            }
                            heights[pc + 1 + i] = Some(next);
                        }
                        _ => return Err(format!("closure at {pc} lacks its capture list")),
                    }
                }
                work.push((pc + 1 + ncap as usize, next));
            }
            Op::Capture { .. } => return Err(format!("stray capture descriptor at {pc}")),
            _ => work.push((pc + 1, next)),
        }
    }
    Ok(heights)
}

/// Where control may go from the jump-like instruction at `pc`, besides `pc + 1`.
pub fn jump_target(op: Op, pc: usize) -> Option<usize> {
    match op {
        Op::Jump { offset }
        | Op::JumpIfFalse { offset }
        | Op::JumpIfTrue { offset }
        | Op::AndJump { offset }
        | Op::OrJump { offset }
        | Op::NilJump { offset }
        | Op::JumpIfNil { offset }
        | Op::ArgGiven { offset, .. }
        | Op::IterNext { offset, .. }
        | Op::TryBegin { offset } => usize::try_from(pc as i64 + 1 + offset as i64).ok(),
        _ => None,
    }
}

fn check_operands(f: &Function, op: Op, h: i32) -> Result<(), String> {
    let value_const = |idx: u32| match f.constants.get(idx as usize) {
        Some(Constant::Int(_) | Constant::Float(_) | Constant::Str(_) | Constant::Names(_)) => Ok(()),
        _ => Err(format!("constant {idx} is not a value")),
    };
    let name = |idx: u32| match f.constants.get(idx as usize) {
        Some(Constant::Str(_)) => Ok(()),
        _ => Err(format!("constant {idx} is not a name")),
    };
    let local = |slot: u16, above: i32| {
        if (slot as i32) < h - above {
            Ok(())
        } else {
            Err(format!("local slot {slot} is outside the frame"))
        }
    };
    let upval = |idx: u16| {
        if (idx as usize) < f.upval_names.len() {
            Ok(())
        } else {
            Err(format!("capture {idx} does not exist"))
        }
    };
    match op {
        Op::Const { idx } => value_const(idx),
        Op::Pick { depth } => local(0, depth as i32),
        Op::GetLocal { slot } | Op::ArgGiven { slot, .. } => local(slot, 0),
        Op::SetLocal { slot } | Op::StoreLocal { slot } | Op::AddSetLocal { slot } => local(slot, 1),
        Op::IterNext { slot, .. } => local(slot, 1),
        Op::GetUpval { idx } | Op::SetUpval { idx } | Op::StoreUpval { idx } | Op::AddSetUpval { idx } => {
            upval(idx)
        }
        Op::GetGlobal { name: g }
        | Op::SetGlobal { name: g }
        | Op::DefGlobal { name: g }
        | Op::StoreGlobal { name: g }
        | Op::AddSetGlobal { name: g } => name(g),
        Op::SetGlobalPath { name: g, .. } | Op::GetGlobalPath { name: g, .. } => name(g),
        Op::SetLocalPath { slot, n } => local(slot, n as i32 + 1),
        Op::GetLocalPath { slot, n } => local(slot, n as i32),
        Op::SetUpvalPath { idx, .. } | Op::GetUpvalPath { idx, .. } => upval(idx),
        Op::Invoke { name: m, .. } | Op::GetField { name: m } | Op::GetFieldOpt { name: m } => name(m),
        Op::InvokeLocal { slot, name: m, argc } => local(slot, argc as i32).and(name(m)),
        Op::InvokeLocalPath { slot, n, name: m, argc } => local(slot, n as i32 + argc as i32).and(name(m)),
        Op::InvokeGlobal { global, name: m, .. } | Op::InvokeGlobalPath { global, name: m, .. } => {
            name(global).and(name(m))
        }
        Op::InvokeUpval { idx, name: m, .. } | Op::InvokeUpvalPath { idx, name: m, .. } => {
            upval(idx).and(name(m))
        }
        Op::Closure { func, ncap } => match f.constants.get(func as usize) {
            Some(Constant::Function(g)) if g.upval_names.len() == ncap as usize => Ok(()),
            _ => Err(format!("constant {func} is not a function with {ncap} captures")),
        },
        Op::MakeStruct { name: s, fields, .. } => name(s).and(match f.constants.get(fields as usize) {
            Some(Constant::Names(_)) => Ok(()),
            _ => Err("struct literal without field names".into()),
        }),
        Op::PathCall { ty, member, .. } | Op::PathGet { ty, member } => name(ty).and(name(member)),
        Op::DefStruct { def } => match f.constants.get(def as usize) {
            Some(Constant::Struct(_)) => Ok(()),
            _ => Err(format!("constant {def} is not a struct layout")),
        },
        Op::DefEnum { def } => match f.constants.get(def as usize) {
            Some(Constant::Enum(_)) => Ok(()),
            _ => Err(format!("constant {def} is not an enum layout")),
        },
        Op::DefMethod { ty, name: m } => name(ty).and(name(m)),
        Op::Import { path } => name(path),
        Op::CheckType { ty, what } => name(ty).and(name(what)),
        Op::Require { msg } | Op::Rethrow { prefix: msg } => name(msg),
        Op::MatchVariant { enum_name, variant, .. } => name(enum_name).and(name(variant)),
        Op::MatchHasField { name: m } | Op::PhaseChanged { name: m, .. } => name(m),
        _ => Ok(()),
    }
}

/// Verifies a function and every function nested in its constants.
pub fn verify_tree(f: &Function) -> Result<(), String> {
    verify(f).map_err(|e| format!("in '{}': {e}", f.name))?;
    for c in &f.constants {
        if let Constant::Function(g) = c {
            verify_tree(g)?;
        }
    }
    Ok(())
}
