//! Lazy iterators: the constructors `iter`, `range_iter`, `repeat_iter` and the Iterator
//! methods, adapters (`map`, `filter`, `take`, `skip`, `enumerate`, `zip`) and consumers
//! (`next`, `collect`, `reduce`, `any`, `all`, `count`).
//!
//! An iterator value is shared state: copies of it advance together. An adapter reads
//! through the iterator it was built on (`IterState::Shared`), so other handles of that
//! iterator see what the adapter consumed, and `zip` hands back an item it could not
//! pair, as the reference does. The state is taken out of its lock while it advances,
//! because advancing may run a Lattice closure that touches the same iterator.

use crate::args::{arg, callable, fail, is_true};
use lattice_vm::iter::IterState;
use lattice_vm::{TypeTag, Value, Vm, VmResult};
use std::sync::{Arc, Mutex};

pub fn install(vm: &mut Vm) {
    vm.register_native("iter", iter);
    vm.register_native("range_iter", range_iter);
    vm.register_native("repeat_iter", repeat_iter);
    let methods: &[(&str, lattice_vm::MethodFn)] = &[
        ("next", next),
        ("collect", collect),
        ("to_array", collect),
        ("count", count),
        ("take", take),
        ("skip", skip),
        ("enumerate", enumerate),
        ("zip", zip),
        ("map", map),
        ("filter", filter),
        ("reduce", reduce),
        ("any", any),
        ("all", all),
    ];
    for (name, f) in methods {
        vm.register_method(TypeTag::Iterator, name, *f);
    }
}

/// A new iterator value over `state`.
pub fn iterator(state: IterState) -> Value {
    Value::Iterator(Arc::new(Mutex::new(state)), lattice_vm::Phase::Unphased)
}

/// The state an iterable value starts from, or None when it is not iterable.
fn state_of(v: &Value) -> Option<IterState> {
    let array = |items: Vec<Value>| IterState::Array { items: Arc::new(items), pos: 0 };
    Some(match v {
        Value::Array(items, _) => IterState::Array { items: items.clone(), pos: 0 },
        Value::Tuple(items, _) => IterState::Array { items: items.clone(), pos: 0 },
        Value::Map(m, _) => array(m.keys().map(Value::str).collect()),
        Value::Set(m, _) => array(m.values().cloned().collect()),
        Value::Str(s, _) => array(s.chars().map(|c| Value::str(c.to_string())).collect()),
        Value::Range(r, _) => IterState::Range { cur: r.0, end: r.1, step: 1 },
        Value::Iterator(state, _) => IterState::Shared(state.clone()),
        _ => return None,
    })
}

/// Moves the state out of a shared iterator while it advances.
fn take_state(state: &Mutex<IterState>) -> IterState {
    std::mem::take(&mut *state.lock().unwrap_or_else(|e| e.into_inner()))
}

fn put_state(state: &Mutex<IterState>, st: IterState) {
    *state.lock().unwrap_or_else(|e| e.into_inner()) = st;
}

/// Runs `f` with the receiver's state taken out, then puts the state back.
fn with_state<R>(recv: &Value, f: impl FnOnce(&mut IterState) -> VmResult<R>) -> VmResult<R> {
    let Value::Iterator(state, _) = recv else {
        return fail("expected an Iterator");
    };
    let mut st = take_state(state);
    let r = f(&mut st);
    put_state(state, st);
    r
}

/// A new iterator that reads through the receiver, built by `wrap`.
fn adapt(recv: &Value, wrap: impl FnOnce(Box<IterState>) -> IterState) -> VmResult<Value> {
    let Value::Iterator(state, _) = recv else {
        return fail("expected an Iterator");
    };
    Ok(iterator(wrap(Box::new(IterState::Shared(state.clone())))))
}

fn iter(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let v = arg(args, 0);
    if let Value::Iterator(..) = v {
        return Ok(v.clone());
    }
    match state_of(v) {
        Some(st) => Ok(iterator(st)),
        None => fail(format!("iter() cannot iterate over {}", v.type_name())),
    }
}

/// `range_iter(start, end, step?)`: like `range`, lazily.
fn range_iter(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let (Value::Int(start, _), Value::Int(end, _)) = (arg(args, 0), arg(args, 1)) else {
        return fail("range_iter() expects (start: Int, end: Int, step?: Int)");
    };
    let step = match args.get(2) {
        None => {
            if start <= end {
                1
            } else {
                -1
            }
        }
        Some(Value::Int(s, _)) => *s,
        Some(_) => return fail("range_iter() step must be Int"),
    };
    if step == 0 {
        return fail("range_iter() step cannot be zero");
    }
    Ok(iterator(IterState::Range { cur: *start, end: *end, step }))
}

/// `repeat_iter(v, count?)`: `v` forever, or `count` times.
fn repeat_iter(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let remaining = match args.get(1) {
        None => None,
        Some(Value::Int(n, _)) if *n < 0 => None,
        Some(Value::Int(n, _)) => Some(*n as u64),
        Some(_) => return fail("repeat_iter() count must be Int"),
    };
    Ok(iterator(IterState::Repeat { value: arg(args, 0).clone(), remaining }))
}

/// The next item, nil when exhausted.
fn next(vm: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    with_state(recv, |st| Ok(st.next(vm)?.unwrap_or(Value::NIL)))
}

/// Drains the rest into an Array.
fn collect(vm: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    with_state(recv, |st| {
        let mut out = Vec::new();
        while let Some(v) = st.next(vm)? {
            out.push(v);
            if out.len() > crate::args::MAX_BUILD {
                return fail("collect(): iterator is too long (infinite?)");
            }
        }
        Ok(Value::array(out))
    })
}

fn count(vm: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    with_state(recv, |st| {
        let mut n: i64 = 0;
        while st.next(vm)?.is_some() {
            n += 1;
            if n as u64 > crate::args::MAX_BUILD as u64 * 4 {
                return fail("count(): iterator is too long (infinite?)");
            }
        }
        Ok(Value::int(n))
    })
}

/// A count argument of `take`/`skip` (negative counts as 0).
fn count_arg(args: &[Value], what: &str) -> VmResult<u64> {
    match arg(args, 0) {
        Value::Int(n, _) => Ok((*n).max(0) as u64),
        _ => fail(format!("{what} expects an integer")),
    }
}

fn take(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let left = count_arg(args, ".take()")?;
    adapt(recv, |inner| IterState::Take { inner, left })
}

fn skip(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let skip = count_arg(args, ".skip()")?;
    adapt(recv, |inner| IterState::Skip { inner, skip })
}

fn enumerate(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    adapt(recv, |inner| IterState::Enumerate { inner, index: 0 })
}

/// Pairs with another iterator (or any iterable), stopping at the shorter.
fn zip(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let Some(b) = state_of(arg(args, 0)) else {
        return fail(".zip() expects an Iterator");
    };
    adapt(recv, |a| IterState::Zip { a, b: Box::new(b) })
}

fn map(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let f = callable(args, 0, ".map()")?.clone();
    adapt(recv, |inner| IterState::Map { inner, f })
}

fn filter(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let f = callable(args, 0, ".filter()")?.clone();
    adapt(recv, |inner| IterState::Filter { inner, f })
}

/// `reduce(f, init)` (or `reduce(init, f)`): folds the rest with `f(acc, x)`.
fn reduce(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let (f, init) = match (arg(args, 0), arg(args, 1)) {
        (f, init) if f.is_callable() => (f.clone(), init.clone()),
        (init, f) if f.is_callable() => (f.clone(), init.clone()),
        _ => return fail(".reduce() expects (closure, initial_value)"),
    };
    with_state(recv, |st| {
        let mut acc = init;
        while let Some(v) = st.next(vm)? {
            acc = vm.call_value(&f, vec![acc, v])?;
        }
        Ok(acc)
    })
}

/// Advances until `f` gives `want` (true for `any`, false for `all`).
fn search(vm: &mut Vm, recv: &Value, args: &[Value], want: bool, what: &str) -> VmResult<bool> {
    let f = callable(args, 0, what)?.clone();
    with_state(recv, |st| {
        while let Some(v) = st.next(vm)? {
            if is_true(&vm.call_value(&f, vec![v])?) == want {
                return Ok(true);
            }
        }
        Ok(false)
    })
}

fn any(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    Ok(Value::bool(search(vm, recv, args, true, ".any()")?))
}

fn all(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    Ok(Value::bool(!search(vm, recv, args, false, ".all()")?))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use lattice_vm::{Value, Vm, VmResult};

    fn double(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
        Ok(Value::int(args[0].as_int().unwrap_or(0) * 2))
    }
    fn gt4(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
        Ok(Value::bool(args[0].as_int().unwrap_or(0) > 4))
    }
    fn add(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
        Ok(Value::int(args[0].as_int().unwrap_or(0) + args[1].as_int().unwrap_or(0)))
    }

    /// Evaluates a chain: constructor call, then methods in order.
    fn chain(vm: &mut Vm, ctor: &str, args: Vec<Value>, steps: Vec<(&str, Vec<Value>)>) -> String {
        let mut v = match call(vm, ctor, args) {
            Ok(v) => v,
            Err(e) => return format!("error: {}", e.message),
        };
        for (name, args) in steps {
            match method(vm, &mut v, name, args) {
                Ok(r) => v = r,
                Err(e) => return format!("error: {}", e.message),
            }
        }
        show(Ok(v))
    }

    #[test]
    fn iterator_chains() {
        let mut vm = vm();
        vm.register_native("t_double", double);
        vm.register_native("t_gt4", gt4);
        vm.register_native("t_add", add);
        let (d, g, a) = (native(&vm, "t_double"), native(&vm, "t_gt4"), native(&vm, "t_add"));
        let cases = vec![
            (
                "iter",
                vec![ints(&[1, 2, 3, 4, 5])],
                vec![("map", vec![d.clone()]), ("filter", vec![g.clone()]), ("collect", vec![])],
                "[6, 8, 10]",
            ),
            ("range_iter", vec![i(1), i(10)], vec![("take", vec![i(3)]), ("collect", vec![])], "[1, 2, 3]"),
            ("range_iter", vec![i(0), i(10), i(3)], vec![("collect", vec![])], "[0, 3, 6, 9]"),
            ("range_iter", vec![i(5), i(0)], vec![("collect", vec![])], "[5, 4, 3, 2, 1]"),
            ("range_iter", vec![i(0), i(1), i(0)], vec![], "error: range_iter() step cannot be zero"),
            ("repeat_iter", vec![i(42)], vec![("take", vec![i(3)]), ("collect", vec![])], "[42, 42, 42]"),
            ("repeat_iter", vec![s("a"), i(2)], vec![("collect", vec![])], "[a, a]"),
            (
                "iter",
                vec![strs(&["a", "b"])],
                vec![("enumerate", vec![]), ("collect", vec![])],
                "[[0, a], [1, b]]",
            ),
            ("iter", vec![ints(&[1, 2, 3])], vec![("skip", vec![i(1)]), ("count", vec![])], "2"),
            ("iter", vec![ints(&[1, 2, 3])], vec![("reduce", vec![a.clone(), i(0)])], "6"),
            ("iter", vec![ints(&[1, 2, 3])], vec![("reduce", vec![i(10), a])], "16"),
            ("iter", vec![ints(&[1, 5])], vec![("any", vec![g.clone()])], "true"),
            ("iter", vec![ints(&[1, 5])], vec![("all", vec![g])], "false"),
            ("iter", vec![ints(&[])], vec![("next", vec![])], "nil"),
            ("iter", vec![s("ab")], vec![("collect", vec![])], "[a, b]"),
            ("iter", vec![i(3)], vec![], "error: iter() cannot iterate over Int"),
            ("iter", vec![ints(&[1])], vec![("take", vec![s("x")])], "error: .take() expects an integer"),
        ];
        for (ctor, args, steps, want) in cases {
            assert_eq!(chain(&mut vm, ctor, args, steps), want, "{ctor}");
        }
    }

    #[test]
    fn zip_and_shared_state() {
        let mut vm = vm();
        let mut a = call(&mut vm, "iter", vec![ints(&[1, 2, 3])]).unwrap();
        let b = call(&mut vm, "iter", vec![strs(&["x", "y"])]).unwrap();
        let mut z = method(&mut vm, &mut a, "zip", vec![b]).unwrap();
        assert_eq!(show(method(&mut vm, &mut z, "collect", vec![])), "[[1, x], [2, y]]");
        let mut it = call(&mut vm, "iter", vec![ints(&[1, 2, 3])]).unwrap();
        let mut copy = it.clone();
        assert_eq!(show(method(&mut vm, &mut it, "next", vec![])), "1");
        assert_eq!(show(method(&mut vm, &mut copy, "next", vec![])), "2", "copies advance together");
    }

    #[test]
    fn zip_hands_back_unpaired_items() {
        let mut vm = vm();
        // values.zip(values): pairs (1, 2), then 3 has no partner and stays readable.
        let mut values = call(&mut vm, "iter", vec![ints(&[1, 2, 3])]).unwrap();
        let mut alias = values.clone();
        let other = values.clone();
        let mut z = method(&mut vm, &mut values, "zip", vec![other]).unwrap();
        assert_eq!(show(method(&mut vm, &mut z, "collect", vec![])), "[[1, 2]]");
        assert_eq!(show(method(&mut vm, &mut alias, "next", vec![])), "3");
        // An empty left side never reads the right one.
        let mut empty = call(&mut vm, "iter", vec![ints(&[])]).unwrap();
        let mut right = call(&mut vm, "iter", vec![ints(&[7])]).unwrap();
        let mut z = method(&mut vm, &mut empty, "zip", vec![right.clone()]).unwrap();
        method(&mut vm, &mut z, "collect", vec![]).unwrap();
        assert_eq!(show(method(&mut vm, &mut right, "next", vec![])), "7");
    }
}
