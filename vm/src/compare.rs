//! Equality and ordering of values, as `==`, `<`, `sort` and `contains` see them.
//!
//! Equality is structural for containers and ignores phases; Int and Float compare by
//! numeric value. Ordering is defined for numbers and for strings (bytewise); `sort` on
//! mixed arrays falls back to ordering by type name so it never fails halfway.

use crate::error::VmResult;
use crate::value::Value;
use crate::vm::Vm;
use std::cmp::Ordering;
use std::sync::Arc;

/// Depth bound for structural comparison of nested containers.
const MAX_DEPTH: usize = 500;

pub fn values_equal(a: &Value, b: &Value) -> bool {
    eq_at(a, b, 0)
}

fn eq_at(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match (a, b) {
        (Value::Int(x, _), Value::Int(y, _)) => x == y,
        (Value::Float(x, _), Value::Float(y, _)) => x == y,
        (Value::Int(x, _), Value::Float(y, _)) | (Value::Float(y, _), Value::Int(x, _)) => {
            int_float_cmp(*x, *y) == Some(Ordering::Equal)
        }
        (Value::Bool(x, _), Value::Bool(y, _)) => x == y,
        (Value::Nil(_), Value::Nil(_)) | (Value::Unit(_), Value::Unit(_)) => true,
        (Value::Str(x, _), Value::Str(y, _)) => x == y,
        (Value::Array(x, _), Value::Array(y, _)) | (Value::Tuple(x, _), Value::Tuple(y, _)) => {
            Arc::ptr_eq(x, y)
                || (x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| eq_at(p, q, depth + 1)))
        }
        (Value::Set(x, _), Value::Set(y, _)) => {
            Arc::ptr_eq(x, y) || (x.len() == y.len() && x.iter().all(|(k, v)| set_has(y, k, v, depth)))
        }
        (Value::Map(x, _), Value::Map(y, _)) => {
            Arc::ptr_eq(x, y)
                || (x.len() == y.len()
                    && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| eq_at(v, w, depth + 1))))
        }
        (Value::Struct(x, _), Value::Struct(y, _)) => {
            Arc::ptr_eq(x, y)
                || (x.def.name == y.def.name
                    && x.fields.len() == y.fields.len()
                    && x.fields.iter().zip(&y.fields).all(|(p, q)| eq_at(p, q, depth + 1)))
        }
        (Value::Enum(x, _), Value::Enum(y, _)) => {
            x.enum_name == y.enum_name
                && x.variant == y.variant
                && x.payload.len() == y.payload.len()
                && x.payload.iter().zip(&y.payload).all(|(p, q)| eq_at(p, q, depth + 1))
        }
        (Value::Range(x, _), Value::Range(y, _)) => x == y,
        (Value::Closure(x, _), Value::Closure(y, _)) => Arc::ptr_eq(x, y),
        (Value::Native(x, _), Value::Native(y, _)) => x == y,
        (Value::Channel(x, _), Value::Channel(y, _)) => Arc::ptr_eq(x, y),
        (Value::Iterator(x, _), Value::Iterator(y, _)) => Arc::ptr_eq(x, y),
        (Value::Buffer(x, _), Value::Buffer(y, _)) => x == y,
        (Value::Ref(x, _), Value::Ref(y, _)) => Arc::ptr_eq(x, y),
        _ => false,
    }
}

/// Whether Set table `m` holds an element equal to `v`, stored in `x` under key `k`.
/// Elements whose canonical keys collide but differ live in a chain of slots `key`,
/// `key#1`, `key#2`... (see the stdlib's `set`), in insertion order, so the chain of
/// `k`'s base key is searched.
fn set_has(m: &crate::map::LatMap, k: &str, v: &Value, depth: usize) -> bool {
    let base = match k.rsplit_once('#') {
        Some((b, n)) if !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()) => b,
        _ => k,
    };
    for slot in 0.. {
        let key = if slot == 0 { base.to_string() } else { format!("{base}#{slot}") };
        match m.get(&key) {
            None => return false,
            Some(w) if eq_at(v, w, depth + 1) => return true,
            Some(_) => {}
        }
    }
    false
}

/// `==` between two structs: a struct whose `eq` field holds a function decides, called
/// as `eq(left, right)` and its result taken for truth (as in the reference); otherwise
/// the structural comparison. Containers holding such structs still compare structurally.
pub fn struct_equal(vm: &mut Vm, a: &Value, b: &Value) -> VmResult<bool> {
    if let Value::Struct(s, _) = a {
        if let Some(f) = s.def.field_index("eq").map(|i| &s.fields[i]).filter(|f| f.is_callable()) {
            let f = f.clone();
            return Ok(vm.call_value(&f, vec![a.clone(), b.clone()])?.truthy());
        }
    }
    Ok(values_equal(a, b))
}

/// Ordering for `<` and friends: numbers and strings only.
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x, _), Value::Int(y, _)) => Some(x.cmp(y)),
        (Value::Float(x, _), Value::Float(y, _)) => x.partial_cmp(y),
        (Value::Int(x, _), Value::Float(y, _)) => int_float_cmp(*x, *y),
        (Value::Float(x, _), Value::Int(y, _)) => int_float_cmp(*y, *x).map(Ordering::reverse),
        (Value::Str(x, _), Value::Str(y, _)) => Some(x.as_str().cmp(y.as_str())),
        _ => None,
    }
}

/// Int against Float by exact value, with no rounding of the Int to a Float
/// (`9007199254740993 > 9007199254740992.0`); `None` against NaN.
fn int_float_cmp(i: i64, f: f64) -> Option<Ordering> {
    // 2^63: every Float at or above it exceeds every Int, and below -2^63 the reverse.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() {
        return None;
    }
    if f >= TWO_63 {
        return Some(Ordering::Less);
    }
    if f < -TWO_63 {
        return Some(Ordering::Greater);
    }
    let whole = f.trunc();
    // In range, so the conversion is exact.
    Some(i.cmp(&(whole as i64)).then_with(|| {
        let frac = f - whole;
        if frac > 0.0 {
            Ordering::Less
        } else if frac < 0.0 {
            Ordering::Greater
        } else {
            Ordering::Equal
        }
    }))
}

/// A total order for sorting: numbers, then strings, then everything else by type name.
pub fn sort_order(a: &Value, b: &Value) -> Ordering {
    compare(a, b).unwrap_or_else(|| a.type_name().cmp(b.type_name()))
}
