//! Map methods (`get`, `set`, `has`, `remove`, `keys`, `merge`, `map`, `filter` ...) and
//! `Map::new()`.
//!
//! Keys are strings. A non-String key given to a method is turned into its display form
//! (`m.set(1, x)` uses key `"1"`), the same rule `m[1]` follows in the VM. Callbacks get
//! `(key, value)`, and entries are visited in the map's own order.

use crate::args::{arg, callable, is_true};
use crate::mutation::check_mutable;
use lattice_vm::display::to_display;
use lattice_vm::{LatMap, Phase, TypeTag, Value, Vm, VmResult};
use std::borrow::Cow;
use std::sync::Arc;

pub fn install(vm: &mut Vm) {
    vm.register_static("Map", "new", map_new);
    let reading: &[(&str, lattice_vm::MethodFn)] = &[
        ("len", len),
        ("length", len),
        ("is_empty", is_empty),
        ("get", get),
        ("has", has),
        ("contains", has),
        ("keys", keys),
        ("values", values),
        ("entries", entries),
        ("for_each", for_each),
        ("filter", filter),
        ("map", map),
        ("any", any),
        ("all", all),
    ];
    for (name, f) in reading {
        vm.register_method(TypeTag::Map, name, *f);
    }
    vm.register_mutating_method(TypeTag::Map, "set", set);
    vm.register_mutating_method(TypeTag::Map, "remove", remove);
    vm.register_mutating_method(TypeTag::Map, "delete", remove);
    vm.register_mutating_method(TypeTag::Map, "merge", merge);
    vm.register_mutating_method(TypeTag::Map, "clear", clear);
}

fn map_new(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    Ok(Value::map(LatMap::new()))
}

/// The key a value stands for.
pub fn key_of(v: &Value) -> Cow<'_, str> {
    match v {
        Value::Str(s, _) => Cow::Borrowed(s.as_str()),
        other => Cow::Owned(to_display(other)),
    }
}

/// The receiver's table as a shared handle.
fn table(recv: &Value) -> Arc<LatMap> {
    match recv {
        Value::Map(m, _) => m.clone(),
        _ => Arc::new(LatMap::new()),
    }
}

fn len(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::int(table(recv).len() as i64))
}

fn is_empty(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::bool(table(recv).is_empty()))
}

/// The value at a key, nil when absent.
fn get(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    Ok(table(recv).get(&key_of(arg(args, 0))).cloned().unwrap_or(Value::NIL))
}

fn has(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    Ok(Value::bool(table(recv).contains_key(&key_of(arg(args, 0)))))
}

fn keys(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::array(table(recv).keys().map(Value::str).collect()))
}

fn values(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::array(table(recv).values().cloned().collect()))
}

/// `[[key, value], ...]`.
fn entries(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    let pairs = table(recv).iter().map(|(k, v)| Value::array(vec![Value::str(k), v.clone()])).collect();
    Ok(Value::array(pairs))
}

/// Like `check_mutable`, but a crystal map's `freeze ... except` keys (whose values stay
/// fluid) may still be set or removed, as index assignment allows; the map stays crystal.
fn check_key_mutable(recv: &Value, key: &str, method: &str) -> VmResult<()> {
    if let Value::Map(m, Phase::Crystal) = recv {
        if m.get(key).is_some_and(|v| !v.is_crystal()) {
            return Ok(());
        }
    }
    check_mutable(recv, method)
}

fn set(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let key = key_of(arg(args, 0)).into_owned();
    check_key_mutable(recv, &key, "set")?;
    if let Value::Map(m, _) = recv {
        Arc::make_mut(m).insert(&key, arg(args, 1).clone());
    }
    Ok(Value::UNIT)
}

fn remove(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    check_key_mutable(recv, &key_of(arg(args, 0)), "remove")?;
    if let Value::Map(m, _) = recv {
        let key = key_of(arg(args, 0));
        if m.contains_key(&key) {
            Arc::make_mut(m).remove(&key);
        }
    }
    Ok(Value::UNIT)
}

/// Copies every entry of the argument Map into the receiver (its values win).
fn merge(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    check_mutable(recv, "merge")?;
    if let (Value::Map(m, _), Value::Map(other, _)) = (recv, arg(args, 0)) {
        let m = Arc::make_mut(m);
        for (k, v) in other.iter() {
            m.insert(k, v.clone());
        }
    }
    Ok(Value::UNIT)
}

fn clear(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    check_mutable(recv, "clear")?;
    if let Value::Map(m, _) = recv {
        *m = Arc::new(LatMap::new());
    }
    Ok(Value::UNIT)
}

/// Calls `f(key, value)`.
fn call_entry(vm: &mut Vm, f: &Value, k: &str, v: &Value) -> VmResult<Value> {
    vm.call_value(f, vec![Value::str(k), v.clone()])
}

fn for_each(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let f = callable(args, 0, "for_each()")?.clone();
    for (k, v) in table(recv).iter() {
        call_entry(vm, &f, k, v)?;
    }
    Ok(Value::UNIT)
}

/// A new Map of the entries for which `f(key, value)` is true.
fn filter(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let f = callable(args, 0, "filter()")?.clone();
    let mut out = LatMap::new();
    for (k, v) in table(recv).iter() {
        if is_true(&call_entry(vm, &f, k, v)?) {
            out.insert(k, v.clone());
        }
    }
    Ok(Value::map(out))
}

/// A new Map with each value replaced by `f(key, value)`.
fn map(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let f = callable(args, 0, "map()")?.clone();
    let mut out = LatMap::new();
    for (k, v) in table(recv).iter() {
        let r = call_entry(vm, &f, k, v)?;
        out.insert(k, r);
    }
    Ok(Value::map(out))
}

fn any(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let f = callable(args, 0, "any()")?.clone();
    for (k, v) in table(recv).iter() {
        if is_true(&call_entry(vm, &f, k, v)?) {
            return Ok(Value::TRUE);
        }
    }
    Ok(Value::FALSE)
}

fn all(vm: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let f = callable(args, 0, "all()")?.clone();
    for (k, v) in table(recv).iter() {
        if !is_true(&call_entry(vm, &f, k, v)?) {
            return Ok(Value::FALSE);
        }
    }
    Ok(Value::TRUE)
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use lattice_vm::{Phase, Value, Vm, VmResult};

    fn new_map(vm: &mut Vm) -> Value {
        let f = vm.static_fn("Map", "new").unwrap();
        f(vm, &[]).unwrap()
    }

    fn value_is_big(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
        Ok(Value::bool(args[1].as_int().unwrap_or(0) > 1))
    }

    fn key_len(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
        Ok(Value::int(args[0].as_str().unwrap_or("").len() as i64))
    }

    #[test]
    fn map_methods() {
        let mut vm = vm();
        vm.register_native("t_big", value_is_big);
        vm.register_native("t_key_len", key_len);
        let mut m = new_map(&mut vm);
        method(&mut vm, &mut m, "set", vec![s("b"), i(1)]).unwrap();
        method(&mut vm, &mut m, "set", vec![s("a"), i(2)]).unwrap();
        method(&mut vm, &mut m, "set", vec![i(7), s("seven")]).unwrap();
        let snapshot = m.clone();
        let big = native(&vm, "t_big");
        let klen = native(&vm, "t_key_len");
        let cases = vec![
            ("len", vec![], "3"),
            ("get", vec![s("a")], "2"),
            ("get", vec![s("zz")], "nil"),
            ("get", vec![i(7)], "\"seven\""),
            ("has", vec![s("b")], "true"),
            ("keys", vec![], "[b, 7, a]"),
            ("values", vec![], "[1, seven, 2]"),
            ("entries", vec![], "[[b, 1], [7, seven], [a, 2]]"),
            ("filter", vec![big], "{\"a\": 2}"),
            ("map", vec![klen], "{\"b\": 1, \"7\": 1, \"a\": 1}"),
        ];
        for (name, args, want) in cases {
            assert_eq!(show(method(&mut vm, &mut m, name, args)), want, "{name}");
        }
        method(&mut vm, &mut m, "remove", vec![s("b")]).unwrap();
        let mut other = new_map(&mut vm);
        method(&mut vm, &mut other, "set", vec![s("a"), i(9)]).unwrap();
        method(&mut vm, &mut m, "merge", vec![other]).unwrap();
        assert_eq!(show(Ok(m.clone())), "{\"7\": seven, \"a\": 9}");
        assert_eq!(show(Ok(snapshot)), "{\"b\": 1, \"7\": seven, \"a\": 2}");
        let mut frozen = m.with_phase(Phase::Crystal);
        assert!(
            show(method(&mut vm, &mut frozen, "set", vec![s("x"), i(1)])).contains("mutating method 'set'")
        );
        let mut sub = new_map(&mut vm).with_phase(Phase::Sublimated);
        assert!(show(method(&mut vm, &mut sub, "remove", vec![s("x")])).contains("sublimated"));
    }
}
