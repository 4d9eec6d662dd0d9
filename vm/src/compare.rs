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
        (Value::Int(x, _), Value::Float(y, _)) | (Value::Float(y, _), Value::Int(x, _)) => (*x as f64) == *y,
        (Value::Bool(x, _), Value::Bool(y, _)) => x == y,
        (Value::Nil(_), Value::Nil(_)) | (Value::Unit(_), Value::Unit(_)) => true,
        (Value::Str(x, _), Value::Str(y, _)) => x == y,
        (Value::Array(x, _), Value::Array(y, _)) | (Value::Tuple(x, _), Value::Tuple(y, _)) => {
            Arc::ptr_eq(x, y)
                || (x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| eq_at(p, q, depth + 1)))
        }
        (Value::Map(x, _), Value::Map(y, _)) | (Value::Set(x, _), Value::Set(y, _)) => {
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
        (Value::Int(x, _), Value::Float(y, _)) => (*x as f64).partial_cmp(y),
        (Value::Float(x, _), Value::Int(y, _)) => x.partial_cmp(&(*y as f64)),
        (Value::Str(x, _), Value::Str(y, _)) => Some(x.as_str().cmp(y.as_str())),
        _ => None,
    }
}

/// A total order for sorting: numbers, then strings, then everything else by type name.
pub fn sort_order(a: &Value, b: &Value) -> Ordering {
    compare(a, b).unwrap_or_else(|| a.type_name().cmp(b.type_name()))
}
