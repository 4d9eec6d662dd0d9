//! Array methods: the in-place mutators (`push`, `pop`, `insert`, `remove_at`), queries
//! (`len`, `contains`, `index_of`, `first`, `sum`, `min` ...), copies (`reverse`,
//! `slice`, `take`, `flat`, `zip`, `chunk`, `unique`, `sort`) and the higher-order
//! methods that call a Lattice function per element (`map`, `filter`, `reduce`,
//! `sort_by`, `group_by` ...).
//!
//! Predicates count only a real `true` as a match, as in the reference. Every method
//! that calls back into Lattice first takes its own handle on the elements, so the
//! callback may do anything to the original variable.

use crate::args::{arg, callable, fail, int, is_true};
use crate::mutation::check_mutable;
use crate::set::set_insert;
use crate::sort::{comparator_sign, merge_sort, natural_after};
use lattice_vm::compare::{compare, values_equal};
use lattice_vm::display::to_display;
use lattice_vm::{LatMap, TypeTag, Value, Vm, VmResult};
use std::cmp::Ordering;
use std::sync::Arc;

pub fn install(vm: &mut Vm) {
    let reading: &[(&str, lattice_vm::MethodFn)] = &[
        ("len", len),
        ("length", len),
        ("is_empty", is_empty),
        ("contains", contains),
        ("index_of", index_of),
        ("first", first),
        ("last", last),
        ("join", join),
        ("reverse", reverse),
        ("slice", slice),
        ("take", take),
        ("drop", drop),
        ("flat", flat),
        ("flatten", flat),
        ("zip", zip),
        ("unique", unique),
        ("chunk", chunk),
        ("enumerate", enumerate),
        ("sum", sum),
        ("min", min),
        ("max", max),
        ("sort", sort),
        ("sort_by", sort_by),
        ("map", map),
        ("flat_map", flat_map),
        ("filter", filter),
        ("reduce", reduce),
        ("each", each),
        ("for_each", for_each),
        ("find", find),
        ("find_index", find_index),
        ("any", any),
        ("all", all),
        ("partition", partition),
        ("group_by", group_by),
        ("to_array", to_array),
    ];
    for (name, f) in reading {
        vm.register_method(TypeTag::Array, name, *f);
    }
    vm.register_mutating_method(TypeTag::Array, "push", push);
    vm.register_mutating_method(TypeTag::Array, "pop", pop);
    vm.register_mutating_method(TypeTag::Array, "insert", insert);
    vm.register_mutating_method(TypeTag::Array, "remove_at", remove_at);
}

/// The receiver's elements as a shared handle (cheap: one count increment).
fn items(recv: &Value) -> Arc<Vec<Value>> {
    match recv {
        Value::Array(a, _) => a.clone(),
        _ => Arc::new(Vec::new()),
    }
}

/// The receiver's elements for in-place change (copied first if shared).
fn items_mut(recv: &mut Value) -> Option<&mut Vec<Value>> {
    match recv {
        Value::Array(a, _) => Some(Arc::make_mut(a)),
        _ => None,
    }
}

fn len(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::int(items(recv).len() as i64))
}

fn is_empty(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::bool(items(recv).is_empty()))
}

fn to_array(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::array(items(recv).to_vec()))
}

fn push(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    check_mutable(recv, "push")?;
    if let Some(v) = items_mut(recv) {
        v.push(arg(args, 0).clone());
    }
    Ok(Value::UNIT)
}

/// Removes and returns the last element; nil when empty.
fn pop(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    check_mutable(recv, "pop")?;
    Ok(items_mut(recv).and_then(Vec::pop).unwrap_or(Value::NIL))
}

/// `insert(i, v)`: `i` may be the length (append), not beyond.
fn insert(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    check_mutable(recv, "insert")?;
    let idx = int(args, 0, "insert()")?;
    let n = items(recv).len();
    if idx < 0 || idx as u64 > n as u64 {
        return fail(".insert() index out of bounds");
    }
    if let Some(v) = items_mut(recv) {
        v.insert(idx as usize, arg(args, 1).clone());
    }
    Ok(Value::UNIT)
}

/// Removes and returns element `i`; nil when out of range.
fn remove_at(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    check_mutable(recv, "remove_at")?;
    let idx = int(args, 0, "remove_at()")?;
    let n = items(recv).len();
    if idx < 0 || idx as u64 >= n as u64 {
        return Ok(Value::NIL);
    }
    Ok(items_mut(recv).map_or(Value::NIL, |v| v.remove(idx as usize)))
}

fn contains(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let needle = arg(args, 0);
    Ok(Value::bool(items(recv).iter().any(|v| values_equal(v, needle))))
}

fn index_of(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let needle = arg(args, 0);
    let pos = items(recv).iter().position(|v| values_equal(v, needle));
    Ok(Value::int(pos.map_or(-1, |p| p as i64)))
}

/// First element, Unit when empty.
fn first(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(items(recv).first().cloned().unwrap_or(Value::UNIT))
}

fn last(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(items(recv).last().cloned().unwrap_or(Value::UNIT))
}

/// Display forms joined by `sep` (no separator when `sep` is not a String).
fn join(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let sep = arg(args, 0).as_str().unwrap_or("");
    let parts: Vec<String> = items(recv).iter().map(to_display).collect();
    Ok(Value::str(parts.join(sep)))
}

fn reverse(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::array(items(recv).iter().rev().cloned().collect()))
}

/// `slice(start, end)`: elements `[start, end)`, both clamped to the array.
fn slice(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let all = items(recv);
    let n = all.len() as i64;
    let start = int(args, 0, "slice()")?.clamp(0, n);
    let end = match arg(args, 1) {
        Value::Nil(_) => n,
        _ => int(args, 1, "slice()")?,
    }
    .clamp(start, n);
    Ok(Value::array(all[start as usize..end as usize].to_vec()))
}

/// A count argument read leniently (non-Int is 0) and clamped to `0..=n`.
fn clamped_count(args: &[Value], n: usize) -> usize {
    match arg(args, 0) {
        Value::Int(k, _) => (*k).clamp(0, n as i64) as usize,
        _ => 0,
    }
}

fn take(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let all = items(recv);
    Ok(Value::array(all[..clamped_count(args, all.len())].to_vec()))
}

fn drop(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let all = items(recv);
    Ok(Value::array(all[clamped_count(args, all.len())..].to_vec()))
}

/// One level of nesting removed: Array elements are spliced in, others kept.
fn flat(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    let mut out = Vec::new();
    for v in items(recv).iter() {
        match v {
            Value::Array(inner, _) => out.extend(inner.iter().cloned()),
            other => out.push(other.clone()),
        }
    }
    Ok(Value::array(out))
}

/// Pairs `[a, b]` up to the shorter length.
fn zip(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let Value::Array(other, _) = arg(args, 0) else {
        return Ok(Value::array(Vec::new()));
    };
    let all = items(recv);
    let pairs = all.iter().zip(other.iter()).map(|(a, b)| Value::array(vec![a.clone(), b.clone()]));
    Ok(Value::array(pairs.collect()))
}

/// The first occurrence of each distinct value, in order.
fn unique(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    let mut seen = LatMap::new();
    let all = items(recv);
    let out = all.iter().filter(|v| set_insert(&mut seen, (*v).clone())).cloned().collect();
    Ok(Value::array(out))
}

/// Consecutive pieces of `size` elements (the last may be shorter); `[]` for a size
/// below 1.
fn chunk(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let size = match arg(args, 0) {
        Value::Int(k, _) if *k > 0 => usize::try_from(*k).unwrap_or(usize::MAX),
        _ => return Ok(Value::array(Vec::new())),
    };
    let out = items(recv).chunks(size).map(|c| Value::array(c.to_vec())).collect();
    Ok(Value::array(out))
}

fn enumerate(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    let out = items(recv)
        .iter()
        .enumerate()
        .map(|(i, v)| Value::array(vec![Value::int(i as i64), v.clone()]))
        .collect();
    Ok(Value::array(out))
}

/// Sum of the numeric elements (others skipped): an Int unless a Float is present.
fn sum(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    let (mut isum, mut fsum, mut has_float) = (0i64, 0.0f64, false);
    for v in items(recv).iter() {
        match v {
            Value::Int(n, _) => {
                isum = isum.wrapping_add(*n);
                fsum += *n as f64;
            }
            Value::Float(f, _) => {
                has_float = true;
                fsum += f;
            }
            _ => {}
        }
    }
    Ok(if has_float { Value::float(fsum) } else { Value::int(isum) })
}

/// The extreme numeric element by `want` (Less for min), keeping its type.
fn extreme(recv: &Value, name: &str, want: Ordering) -> VmResult<Value> {
    let all = items(recv);
    let Some(mut best) = all.first() else {
        return fail(format!("{name}() called on empty array"));
    };
    for v in all.iter() {
        if !matches!(v, Value::Int(..) | Value::Float(..)) {
            return fail(format!("{name}() requires numeric elements"));
        }
        match compare(v, best) {
            None => return fail(format!("{name}() cannot compare NaN")),
            Some(o) if o == want => best = v,
            Some(_) => {}
        }
    }
    Ok(best.clone())
}

fn min(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    extreme(recv, "min", Ordering::Less)
}

fn max(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    extreme(recv, "max", Ordering::Greater)
}

/// `sort()` in natural order, or `sort(cmp)` with a comparator returning a number's sign
/// or a "less than" Bool. Returns a sorted copy.
fn sort(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let all = items(recv).to_vec();
    let sorted = match args.first() {
        None | Some(Value::Nil(_)) => merge_sort(all, &mut natural_after)?,
        Some(_) => {
            let f = callable(args, 0, "sort()")?.clone();
            let mut after = |a: &Value, b: &Value| {
                let r = vm.call_value(&f, vec![a.clone(), b.clone()])?;
                Ok(comparator_sign(&r) == Ordering::Greater)
            };
            merge_sort(all, &mut after)?
        }
    };
    Ok(Value::array(sorted))
}

/// `sort_by(cmp)`: `cmp(a, b)` below zero (or `true`) puts `a` first.
fn sort_by(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let f = callable(args, 0, "sort_by()")?.clone();
    let mut after = |a: &Value, b: &Value| {
        let r = vm.call_value(&f, vec![b.clone(), a.clone()])?;
        Ok(comparator_sign(&r) == Ordering::Less)
    };
    Ok(Value::array(merge_sort(items(recv).to_vec(), &mut after)?))
}

/// Calls `f` with one element.
fn call1(vm: &mut Vm, f: &Value, v: &Value) -> VmResult<Value> {
    vm.call_value(f, vec![v.clone()])
}

fn map(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let f = callable(args, 0, "map()")?.clone();
    let all = items(recv);
    let mut out = Vec::with_capacity(all.len());
    for v in all.iter() {
        out.push(call1(vm, &f, v)?);
    }
    Ok(Value::array(out))
}

/// `map` whose Array results are spliced in (other results kept as they are).
fn flat_map(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let f = callable(args, 0, "flat_map()")?.clone();
    let mut out = Vec::new();
    for v in items(recv).iter() {
        match call1(vm, &f, v)? {
            Value::Array(inner, _) => out.extend(inner.iter().cloned()),
            other => out.push(other),
        }
    }
    Ok(Value::array(out))
}

fn filter(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let f = callable(args, 0, "filter()")?.clone();
    let mut out = Vec::new();
    for v in items(recv).iter() {
        if is_true(&call1(vm, &f, v)?) {
            out.push(v.clone());
        }
    }
    Ok(Value::array(out))
}

/// `reduce(f, init)` folds with `f(acc, x)`; `reduce(init, f)` is accepted too, and
/// `reduce(f)` starts from the first element (nil for an empty array).
fn reduce(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let (f, init) = match (arg(args, 0), args.get(1)) {
        (f, Some(init)) if f.is_callable() => (f.clone(), Some(init.clone())),
        (init, Some(f)) if f.is_callable() => (f.clone(), Some(init.clone())),
        (f, None) if f.is_callable() => (f.clone(), None),
        _ => return fail("reduce() expects a function and an initial value"),
    };
    let all = items(recv);
    let (mut acc, rest) = match init {
        Some(init) => (init, &all[..]),
        None => match all.split_first() {
            Some((first, rest)) => (first.clone(), rest),
            None => return Ok(Value::NIL),
        },
    };
    for v in rest {
        acc = vm.call_value(&f, vec![acc, v.clone()])?;
    }
    Ok(acc)
}

/// Calls `f` per element for its effect.
fn visit(vm: &mut Vm, recv: &Value, args: &[Value], what: &str) -> VmResult<()> {
    let f = callable(args, 0, what)?.clone();
    for v in items(recv).iter() {
        call1(vm, &f, v)?;
    }
    Ok(())
}

fn each(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    visit(vm, recv, args, "each()")?;
    Ok(Value::NIL)
}

fn for_each(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    visit(vm, recv, args, "for_each()")?;
    Ok(Value::UNIT)
}

/// Index of the first element matching the predicate argument.
fn position(vm: &mut Vm, recv: &Value, args: &[Value], what: &str) -> VmResult<Option<usize>> {
    let f = callable(args, 0, what)?.clone();
    for (i, v) in items(recv).iter().enumerate() {
        if is_true(&call1(vm, &f, v)?) {
            return Ok(Some(i));
        }
    }
    Ok(None)
}

/// First matching element, Unit when none matches.
fn find(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let pos = position(vm, recv, args, "find()")?;
    Ok(pos.and_then(|i| items(recv).get(i).cloned()).unwrap_or(Value::UNIT))
}

fn find_index(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let pos = position(vm, recv, args, "find_index()")?;
    Ok(Value::int(pos.map_or(-1, |i| i as i64)))
}

fn any(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    Ok(Value::bool(position(vm, recv, args, "any()")?.is_some()))
}

fn all(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let f = callable(args, 0, "all()")?.clone();
    for v in items(recv).iter() {
        if !is_true(&call1(vm, &f, v)?) {
            return Ok(Value::FALSE);
        }
    }
    Ok(Value::TRUE)
}

/// `[matching, rest]`.
fn partition(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let f = callable(args, 0, "partition()")?.clone();
    let (mut yes, mut no) = (Vec::new(), Vec::new());
    for v in items(recv).iter() {
        if is_true(&call1(vm, &f, v)?) {
            yes.push(v.clone());
        } else {
            no.push(v.clone());
        }
    }
    Ok(Value::array(vec![Value::array(yes), Value::array(no)]))
}

/// A Map from each key's display form to the elements with that key, in order.
fn group_by(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let f = callable(args, 0, "group_by()")?.clone();
    let mut groups = LatMap::new();
    for v in items(recv).iter() {
        let key = to_display(&call1(vm, &f, v)?);
        match groups.get_mut(&key) {
            Some(Value::Array(list, _)) => Arc::make_mut(list).push(v.clone()),
            _ => {
                groups.insert(&key, Value::array(vec![v.clone()]));
            }
        }
    }
    Ok(Value::map(groups))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use lattice_vm::{Phase, Value, Vm, VmResult};

    fn double(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
        Ok(Value::int(args[0].as_int().unwrap_or(0) * 2))
    }
    fn is_even(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
        Ok(Value::bool(args[0].as_int().unwrap_or(1) % 2 == 0))
    }
    fn add(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
        Ok(Value::int(args[0].as_int().unwrap_or(0) + args[1].as_int().unwrap_or(0)))
    }
    fn desc(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
        Ok(Value::int(args[1].as_int().unwrap_or(0) - args[0].as_int().unwrap_or(0)))
    }
    fn pair(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
        Ok(Value::array(vec![args[0].clone(), args[0].clone()]))
    }
    fn fails(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
        Err("callback failed".into())
    }

    /// A VM with test callbacks registered as natives.
    fn callback_vm() -> Vm {
        let mut vm = vm();
        vm.register_native("t_double", double);
        vm.register_native("t_even", is_even);
        vm.register_native("t_add", add);
        vm.register_native("t_desc", desc);
        vm.register_native("t_pair", pair);
        vm.register_native("t_fail", fails);
        vm
    }

    #[test]
    fn plain_methods() {
        check_methods(vec![
            (ints(&[1, 2, 3]), "len", vec![], "3"),
            (ints(&[1, 2, 3]), "contains", vec![f(2.0)], "true"),
            (ints(&[1, 2, 3]), "index_of", vec![i(3)], "2"),
            (ints(&[1, 2, 3]), "index_of", vec![i(9)], "-1"),
            (ints(&[]), "first", vec![], "()"),
            (ints(&[4, 5]), "last", vec![], "5"),
            (arr(vec![i(1), s("a"), f(2.5)]), "join", vec![s(", ")], "\"1, a, 2.5\""),
            (ints(&[1, 2, 3]), "reverse", vec![], "[3, 2, 1]"),
            (ints(&[1, 2, 3, 4, 5]), "slice", vec![i(1), i(3)], "[2, 3]"),
            (ints(&[1, 2, 3]), "slice", vec![i(-5), i(99)], "[1, 2, 3]"),
            (ints(&[1, 2, 3]), "slice", vec![i(2), i(1)], "[]"),
            (ints(&[1, 2, 3]), "take", vec![i(2)], "[1, 2]"),
            (ints(&[1, 2, 3]), "take", vec![i(-2)], "[]"),
            (ints(&[1, 2, 3]), "drop", vec![i(2)], "[3]"),
            (ints(&[1, 2, 3]), "drop", vec![i(99)], "[]"),
            (arr(vec![ints(&[1, 2]), i(3), ints(&[])]), "flat", vec![], "[1, 2, 3]"),
            (ints(&[1, 2, 3]), "zip", vec![strs(&["a", "b"])], "[[1, a], [2, b]]"),
            (ints(&[1, 2, 1, 3, 2]), "unique", vec![], "[1, 2, 3]"),
            (ints(&[1, 2, 3, 4, 5]), "chunk", vec![i(2)], "[[1, 2], [3, 4], [5]]"),
            (ints(&[1, 2]), "chunk", vec![i(0)], "[]"),
            (strs(&["a", "b"]), "enumerate", vec![], "[[0, a], [1, b]]"),
            (ints(&[1, 2, 3]), "sum", vec![], "6"),
            (arr(vec![i(1), f(1.5)]), "sum", vec![], "2.5"),
            (ints(&[]), "sum", vec![], "0"),
            (ints(&[3, 1, 2]), "min", vec![], "1"),
            (arr(vec![i(3), f(7.5)]), "max", vec![], "7.5"),
            (ints(&[]), "min", vec![], "error: min() called on empty array"),
            (arr(vec![s("a")]), "max", vec![], "error: max() requires numeric elements"),
            (ints(&[3, 1, 2]), "sort", vec![], "[1, 2, 3]"),
            (arr(vec![f(2.5), i(1), i(3)]), "sort", vec![], "[1, 2.5, 3]"),
            (strs(&["b", "c", "a"]), "sort", vec![], "[a, b, c]"),
            (arr(vec![i(1), s("a")]), "sort", vec![], "error: sort: cannot compare mixed types"),
        ]);
    }

    #[test]
    fn mutators_change_the_receiver() {
        let mut vm = vm();
        let original = ints(&[1, 2]);
        let mut xs = original.clone();
        method(&mut vm, &mut xs, "push", vec![i(3)]).unwrap();
        assert_eq!(show(Ok(xs.clone())), "[1, 2, 3]");
        assert_eq!(show(Ok(original)), "[1, 2]", "value semantics: the copy is untouched");
        assert_eq!(show(method(&mut vm, &mut xs, "pop", vec![])), "3");
        method(&mut vm, &mut xs, "insert", vec![i(0), i(0)]).unwrap();
        assert_eq!(show(Ok(xs.clone())), "[0, 1, 2]");
        assert_eq!(
            show(method(&mut vm, &mut xs, "insert", vec![i(9), i(0)])),
            "error: .insert() index out of bounds"
        );
        assert_eq!(show(method(&mut vm, &mut xs, "remove_at", vec![i(1)])), "1");
        assert_eq!(show(method(&mut vm, &mut xs, "remove_at", vec![i(7)])), "nil");
        assert_eq!(show(Ok(xs.clone())), "[0, 2]");
        let mut empty = ints(&[]);
        assert_eq!(show(method(&mut vm, &mut empty, "pop", vec![])), "nil");
        let mut frozen = xs.with_phase(Phase::Crystal);
        let err = show(method(&mut vm, &mut frozen, "push", vec![i(1)]));
        assert!(err.contains("mutating method 'push'") && err.contains("crystal") && err.contains("frozen"));
        let mut sub = ints(&[1]).with_phase(Phase::Sublimated);
        assert!(show(method(&mut vm, &mut sub, "pop", vec![])).contains("sublimated"));
    }

    #[test]
    fn higher_order_methods() {
        let mut vm = callback_vm();
        let cb = |vm: &Vm, name: &str| native(vm, name);
        let cases = vec![
            (ints(&[1, 2, 3]), "map", vec![cb(&vm, "t_double")], "[2, 4, 6]"),
            (ints(&[1, 2]), "flat_map", vec![cb(&vm, "t_pair")], "[1, 1, 2, 2]"),
            (ints(&[1, 2, 3, 4]), "filter", vec![cb(&vm, "t_even")], "[2, 4]"),
            (ints(&[1, 2, 3]), "reduce", vec![cb(&vm, "t_add"), i(10)], "16"),
            (ints(&[1, 2, 3]), "reduce", vec![i(10), cb(&vm, "t_add")], "16"),
            (ints(&[1, 2, 3]), "reduce", vec![cb(&vm, "t_add")], "6"),
            (ints(&[1, 3, 4]), "find", vec![cb(&vm, "t_even")], "4"),
            (ints(&[1, 3]), "find", vec![cb(&vm, "t_even")], "()"),
            (ints(&[1, 3, 4]), "find_index", vec![cb(&vm, "t_even")], "2"),
            (ints(&[1, 3]), "any", vec![cb(&vm, "t_even")], "false"),
            (ints(&[2, 4]), "all", vec![cb(&vm, "t_even")], "true"),
            (ints(&[1, 2, 3]), "partition", vec![cb(&vm, "t_even")], "[[2], [1, 3]]"),
            (ints(&[1, 2, 3]), "group_by", vec![cb(&vm, "t_even")], "{\"true\": [2], \"false\": [1, 3]}"),
            (ints(&[1, 3, 2]), "sort_by", vec![cb(&vm, "t_desc")], "[3, 2, 1]"),
            (ints(&[1, 3, 2]), "sort", vec![cb(&vm, "t_desc")], "[3, 2, 1]"),
            (ints(&[1, 2]), "map", vec![cb(&vm, "t_fail")], "error: callback failed"),
            (ints(&[1, 2]), "map", vec![i(3)], "error: map() expects a function, got Int"),
        ];
        for (mut recv, name, args, want) in cases {
            assert_eq!(show(method(&mut vm, &mut recv, name, args)), want, "{name}");
        }
    }
}
