//! A stable merge sort whose comparison may fail or call back into Lattice, for
//! `sort`, `sort(cmp)` and `sort_by`. The standard library's sort cannot be used: its
//! comparator cannot return an error, and a Lattice comparator can raise one (or be
//! inconsistent, which must not panic).

use lattice_vm::compare::compare;
use lattice_vm::{RuntimeError, Value, VmResult};
use std::cmp::Ordering;

/// Sorts `items` so that no element is followed by one it is `after`; equal elements
/// keep their order. `after(a, b)` says whether `a` belongs after `b`.
pub fn merge_sort(
    items: Vec<Value>,
    after: &mut dyn FnMut(&Value, &Value) -> VmResult<bool>,
) -> VmResult<Vec<Value>> {
    if items.len() <= 1 {
        return Ok(items);
    }
    let mut left = items;
    let right = left.split_off(left.len() / 2);
    let left = merge_sort(left, after)?;
    let right = merge_sort(right, after)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut l, mut r) = (left.into_iter().peekable(), right.into_iter().peekable());
    while let (Some(a), Some(b)) = (l.peek(), r.peek()) {
        // Taking from the left unless it belongs after the right keeps the sort stable.
        let take_right = after(a, b)?;
        out.extend(if take_right { r.next() } else { l.next() });
    }
    out.extend(l);
    out.extend(r);
    Ok(out)
}

/// The default order of `sort()`: numbers by value, strings bytewise; anything else,
/// and NaN, cannot be sorted.
pub fn natural_after(a: &Value, b: &Value) -> VmResult<bool> {
    let numeric = |v: &Value| matches!(v, Value::Int(..) | Value::Float(..));
    match (a, b) {
        (Value::Str(x, _), Value::Str(y, _)) => Ok(x.as_str() > y.as_str()),
        _ if numeric(a) && numeric(b) => match compare(a, b) {
            Some(o) => Ok(o == Ordering::Greater),
            None => Err(RuntimeError::new("sort: cannot compare NaN")),
        },
        _ => Err(RuntimeError::new("sort: cannot compare mixed types")),
    }
}

/// Reads a comparator's answer as an ordering sign: a negative or positive number, or a
/// Bool meaning "less than" (`|a, b| a < b`).
pub fn comparator_sign(v: &Value) -> Ordering {
    match v {
        Value::Int(n, _) => n.cmp(&0),
        Value::Float(f, _) => f.partial_cmp(&0.0).unwrap_or(Ordering::Equal),
        Value::Bool(true, _) => Ordering::Less,
        Value::Bool(false, _) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(v: &[i64]) -> Vec<Value> {
        v.iter().map(|&n| Value::int(n)).collect()
    }

    #[test]
    fn sorts_stably_and_reports_errors() {
        let sorted = merge_sort(ints(&[5, 3, 9, 1, 3]), &mut natural_after).unwrap();
        let got: Vec<i64> = sorted.iter().filter_map(Value::as_int).collect();
        assert_eq!(got, [1, 3, 3, 5, 9]);
        let mixed = vec![Value::int(1), Value::str("a")];
        assert!(merge_sort(mixed, &mut natural_after).is_err());
        // An inconsistent comparator gives some order, never a panic.
        let mut flip = false;
        let mut chaos = |_: &Value, _: &Value| {
            flip = !flip;
            Ok(flip)
        };
        assert_eq!(merge_sort(ints(&[4, 2, 7, 1, 9, 3]), &mut chaos).unwrap().len(), 6);
    }
}
