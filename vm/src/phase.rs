//! Phase transitions on values: deep freeze, thaw, deep clone, sublimation.
//!
//! Invariant: a crystal container holds only crystal values. Freezing walks the value once
//! (making each shared level unique on the way, so other handles keep their phase); after
//! that, copying a crystal value is an `Arc` count increment and it may cross threads.

use crate::value::{Phase, Value};
use std::sync::Arc;

/// Nesting bound for the recursive walks; deeper structure is left as it is.
const MAX_DEPTH: usize = 10_000;

/// Makes `v` and everything inside it crystal. The top level is always walked, even
/// when already crystal, because `freeze ... except` leaves fluid fields (defects) in a
/// crystal container; deeper crystal values are skipped (they are crystal throughout).
pub fn freeze(v: &mut Value) {
    if v.is_crystal() {
        match v {
            Value::Map(m, _) if m.values().any(|x| !x.is_crystal()) => {}
            Value::Struct(s, _) if s.fields.iter().any(|x| !x.is_crystal()) => {}
            _ => return,
        }
        v.set_phase(Phase::Fluid);
    }
    set_deep(v, Phase::Crystal, 0);
}

/// `freeze(v) except [names]`: everything crystal but the named struct fields or map
/// keys (defects), which are made fluid.
pub fn freeze_except(v: &mut Value, names: &Value) -> Result<(), crate::error::RuntimeError> {
    // Defects are carved out while freezing; an already crystal value stays whole.
    if v.is_crystal() {
        return Ok(());
    }
    let names: Vec<String> = match names {
        Value::Array(items, _) => items.iter().map(crate::display::to_display).collect(),
        other => vec![crate::display::to_display(other)],
    };
    match v {
        Value::Struct(s, _) => {
            let s = Arc::make_mut(s);
            for (i, f) in s.fields.iter_mut().enumerate() {
                if names.iter().any(|n| *n == s.def.fields[i]) {
                    set_deep(f, Phase::Fluid, 0);
                } else {
                    freeze(f);
                }
            }
        }
        Value::Map(m, _) => {
            for (k, f) in Arc::make_mut(m).iter_mut() {
                if names.iter().any(|n| n == k) {
                    set_deep(f, Phase::Fluid, 0);
                } else {
                    freeze(f);
                }
            }
        }
        _ => {
            return Err(crate::error::RuntimeError::new(format!(
                "freeze ... except needs a struct or a map, got {}",
                v.type_name()
            )))
        }
    }
    v.set_phase(Phase::Crystal);
    Ok(())
}

/// A fluid copy of `v`, fluid all the way down.
pub fn thaw(v: &Value) -> Value {
    let mut copy = v.clone();
    set_deep(&mut copy, Phase::Fluid, 0);
    copy
}

/// Gives `v` and its contents `phase`. Crystal values are skipped when freezing: the
/// invariant says their contents are crystal already.
pub fn set_deep(v: &mut Value, phase: Phase, depth: usize) {
    if depth > MAX_DEPTH || (phase == Phase::Crystal && v.is_crystal()) {
        v.set_phase(phase);
        return;
    }
    match v {
        Value::Array(items, _) | Value::Tuple(items, _) => {
            for item in Arc::make_mut(items).iter_mut() {
                set_deep(item, phase, depth + 1);
            }
        }
        Value::Map(m, _) | Value::Set(m, _) => {
            for (_, item) in Arc::make_mut(m).iter_mut() {
                set_deep(item, phase, depth + 1);
            }
        }
        Value::Struct(s, _) => {
            for item in Arc::make_mut(s).fields.iter_mut() {
                set_deep(item, phase, depth + 1);
            }
        }
        Value::Enum(e, _) => {
            for item in Arc::make_mut(e).payload.iter_mut() {
                set_deep(item, phase, depth + 1);
            }
        }
        _ => {}
    }
    v.set_phase(phase);
}

/// A deep copy that shares nothing mutable with `v` (phases kept).
pub fn deep_clone(v: &Value) -> Value {
    clone_at(v, 0)
}

fn clone_at(v: &Value, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return v.clone();
    }
    match v {
        Value::Array(items, p) => {
            Value::Array(Arc::new(items.iter().map(|x| clone_at(x, depth + 1)).collect()), *p)
        }
        Value::Tuple(items, p) => {
            Value::Tuple(Arc::new(items.iter().map(|x| clone_at(x, depth + 1)).collect()), *p)
        }
        Value::Map(m, p) => {
            let mut copy = (**m).clone();
            for (_, item) in copy.iter_mut() {
                *item = clone_at(item, depth + 1);
            }
            Value::Map(Arc::new(copy), *p)
        }
        Value::Struct(s, p) => {
            let mut copy = (**s).clone();
            for item in copy.fields.iter_mut() {
                *item = clone_at(item, depth + 1);
            }
            Value::Struct(Arc::new(copy), *p)
        }
        _ => v.clone(),
    }
}
