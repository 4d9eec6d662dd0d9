//! Sets: `Set::new()`, `Set::from(xs)` and the Set methods (`add`, `has`, `union` ...).
//!
//! A Set is a `LatMap` from a canonical key of each element to the element. The key is
//! the reference's structural hash key (type-tagged, strings hex-encoded, map entries
//! sorted), because the key decides the table slot and so the order a Set prints in:
//! `Set::from(["b", "a", "c"])` prints `Set{b, c, a}` in both implementations. Equal
//! values get equal keys (`1` and `1.0` too, as `==` says); the rare unequal values that
//! share a key take numbered slots, and equality (`==`) decides membership.

use crate::args::{arg, fail};
use crate::mutation::check_mutable;
use lattice_vm::compare::values_equal;
use lattice_vm::{LatMap, TypeTag, Value, Vm, VmResult};
use std::fmt::Write;
use std::sync::Arc;

pub fn install(vm: &mut Vm) {
    vm.register_static("Set", "new", set_new);
    vm.register_static("Set", "from", set_from);
    let reading: &[(&str, lattice_vm::MethodFn)] = &[
        ("len", len),
        ("length", len),
        ("has", has),
        ("contains", has),
        ("to_array", to_array),
        ("union", union),
        ("intersection", intersection),
        ("difference", difference),
        ("symmetric_difference", symmetric_difference),
        ("is_subset", is_subset),
        ("is_superset", is_superset),
    ];
    for (name, f) in reading {
        vm.register_method(TypeTag::Set, name, *f);
    }
    vm.register_mutating_method(TypeTag::Set, "add", add);
    vm.register_mutating_method(TypeTag::Set, "remove", remove);
    vm.register_mutating_method(TypeTag::Set, "clear", clear);
}

/// Nesting depth past which keys stop descending (a cycle-free but absurdly deep value).
const MAX_DEPTH: usize = 200;

/// The canonical key of `v` as a Set element.
pub fn set_key(v: &Value) -> String {
    let mut out = String::new();
    write_key(&mut out, v, 0);
    out
}

/// `tag`, byte length, `:`, hex bytes, `;`: an unambiguous encoding of any text.
fn write_blob(out: &mut String, tag: &str, bytes: &[u8]) {
    let _ = write!(out, "{tag}{}:", bytes.len());
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out.push(';');
}

fn write_key(out: &mut String, v: &Value, depth: usize) {
    if depth >= MAX_DEPTH {
        out.push_str("depth;");
        return;
    }
    match v {
        Value::Int(n, _) => {
            let _ = write!(out, "n{n};");
        }
        Value::Float(f, _) => {
            // Integral floats share the Int key, so `1.0` and `1` are one element.
            if f.fract() == 0.0 && crate::convert::fits_int(*f) {
                let _ = write!(out, "n{};", *f as i64);
            } else {
                let _ = write!(out, "f{:016x};", f.to_bits());
            }
        }
        Value::Bool(b, _) => out.push_str(if *b { "b1;" } else { "b0;" }),
        Value::Str(s, _) => write_blob(out, "s", s.as_bytes()),
        Value::Array(items, _) => write_seq(out, "a", '[', items, ']', depth),
        Value::Tuple(items, _) => write_seq(out, "q", '(', items, ')', depth),
        Value::Struct(s, _) => {
            write_blob(out, "r", s.def.name.as_bytes());
            let data: Vec<_> = s.def.fields.iter().zip(&s.fields).filter(|(_, v)| !v.is_callable()).collect();
            let _ = write!(out, "{}{{", data.len());
            for (name, v) in data {
                write_blob(out, "n", name.as_bytes());
                write_key(out, v, depth + 1);
            }
            out.push('}');
        }
        Value::Map(m, _) => {
            let mut entries: Vec<_> = m.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let _ = write!(out, "m{}{{", entries.len());
            for (k, v) in entries {
                write_blob(out, "k", k.as_bytes());
                write_key(out, v, depth + 1);
            }
            out.push('}');
        }
        Value::Set(m, _) => {
            let mut keys: Vec<String> = m
                .values()
                .map(|v| {
                    let mut k = String::new();
                    write_key(&mut k, v, depth + 1);
                    k
                })
                .collect();
            keys.sort();
            let _ = write!(out, "t{}{{", keys.len());
            for k in keys {
                let _ = write!(out, "{}:{k};", k.len());
            }
            out.push('}');
        }
        Value::Enum(e, _) => {
            write_blob(out, "e", e.enum_name.as_bytes());
            write_blob(out, "v", e.variant.as_bytes());
            write_seq(out, "", '(', &e.payload, ')', depth);
        }
        Value::Unit(_) => out.push_str("u;"),
        Value::Nil(_) | Value::Undef => out.push_str("n;"),
        Value::Range(r, _) => {
            let _ = write!(out, "g{}:{};", r.0, r.1);
        }
        Value::Buffer(b, _) => write_blob(out, "x", b),
        // Identity-compared values key by address.
        Value::Closure(c, _) => {
            let _ = write!(out, "c{:p};", Arc::as_ptr(c));
        }
        Value::Native(id, _) => {
            let _ = write!(out, "cnative{id};");
        }
        Value::Channel(c, _) => {
            let _ = write!(out, "h{:p};", Arc::as_ptr(c));
        }
        Value::Iterator(it, _) => {
            let _ = write!(out, "i{:p};", Arc::as_ptr(it));
        }
        Value::Cell(c) | Value::Ref(c, _) => {
            let _ = write!(out, "p{:p};", Arc::as_ptr(c));
        }
    }
}

fn write_seq(out: &mut String, tag: &str, open: char, items: &[Value], close: char, depth: usize) {
    let _ = write!(out, "{tag}{}{open}", items.len());
    for v in items {
        write_key(out, v, depth + 1);
    }
    out.push(close);
}

/// The table key of the `slot`th element whose canonical key is `key`: unequal values
/// with the same canonical key (closures inside otherwise equal structs, NaN) take
/// numbered slots `key`, `key#1`, `key#2` ... as in the reference.
fn slot_key(key: &str, slot: usize) -> String {
    if slot == 0 {
        key.to_string()
    } else {
        format!("{key}#{slot}")
    }
}

/// Where `v` is stored: `Ok(table key)` when an equal element is present, else
/// `Err(first free slot key)`.
fn locate(m: &LatMap, v: &Value) -> Result<String, String> {
    let key = set_key(v);
    for slot in 0.. {
        let k = slot_key(&key, slot);
        match m.get(&k) {
            None => return Err(k),
            Some(stored) if item_equal(stored, v, 0) => return Ok(k),
            Some(_) => {}
        }
    }
    unreachable!("the slot search ends at the first free slot")
}

/// Element equality for membership: `==`, except that a struct field named `eq`
/// holding a function (the struct's own equality method) is not data and is skipped.
fn item_equal(a: &Value, b: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    match (a, b) {
        (Value::Array(x, _), Value::Array(y, _)) | (Value::Tuple(x, _), Value::Tuple(y, _)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| item_equal(p, q, depth + 1))
        }
        (Value::Struct(x, _), Value::Struct(y, _)) => {
            x.def.name == y.def.name
                && x.def.fields == y.def.fields
                && x.def.fields.iter().zip(x.fields.iter().zip(&y.fields)).all(|(name, (p, q))| {
                    (name == "eq" && p.is_callable() && q.is_callable()) || item_equal(p, q, depth + 1)
                })
        }
        (Value::Enum(x, _), Value::Enum(y, _)) => {
            x.enum_name == y.enum_name
                && x.variant == y.variant
                && x.payload.len() == y.payload.len()
                && x.payload.iter().zip(&y.payload).all(|(p, q)| item_equal(p, q, depth + 1))
        }
        (Value::Map(x, _), Value::Map(y, _)) => {
            x.len() == y.len() && x.iter().all(|(k, p)| y.get(k).is_some_and(|q| item_equal(p, q, depth + 1)))
        }
        (Value::Set(x, _), Value::Set(y, _)) => {
            x.len() == y.len() && x.values().all(|p| locate(y, p).is_ok())
        }
        _ => values_equal(a, b),
    }
}

/// Whether the Set table `m` holds an element equal to `v`.
pub fn set_contains(m: &LatMap, v: &Value) -> bool {
    locate(m, v).is_ok()
}

/// Adds `v` unless an equal element is present; true when added.
pub fn set_insert(m: &mut LatMap, v: Value) -> bool {
    match locate(m, &v) {
        Ok(_) => false,
        Err(free) => {
            m.insert(&free, v);
            true
        }
    }
}

/// Removes the element equal to `v`, moving the last element of its slot chain into the
/// hole so the chain stays contiguous; true when something was removed.
pub fn set_remove(m: &mut LatMap, v: &Value) -> bool {
    let Ok(found) = locate(m, v) else {
        return false;
    };
    let key = set_key(v);
    let slot = if found == key { 0 } else { found[key.len() + 1..].parse::<usize>().unwrap_or(0) };
    let mut last = slot;
    while m.contains_key(&slot_key(&key, last + 1)) {
        last += 1;
    }
    m.remove(&found);
    if last != slot {
        if let Some(moved) = m.remove(&slot_key(&key, last)) {
            m.insert(&found, moved);
        }
    }
    true
}

/// A Set table holding `items` (later duplicates are dropped).
pub fn set_of(items: impl IntoIterator<Item = Value>) -> LatMap {
    let mut m = LatMap::new();
    for v in items {
        set_insert(&mut m, v);
    }
    m
}

fn set_new(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    Ok(Value::set(LatMap::new()))
}

/// `Set::from(xs)`: the distinct elements of an Array (or Tuple, Set, Range).
fn set_from(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let m = match arg(args, 0) {
        Value::Array(a, _) | Value::Tuple(a, _) => set_of(a.iter().cloned()),
        Value::Set(m, _) => (**m).clone(),
        Value::Range(r, _) => {
            if r.1.saturating_sub(r.0) > crate::args::MAX_BUILD as i64 {
                return fail("Set::from(): range is too large");
            }
            set_of((r.0..r.1).map(Value::int))
        }
        _ => LatMap::new(),
    };
    Ok(Value::set(m))
}

/// The receiver's table (methods are only dispatched on Sets).
fn table(recv: &Value) -> &LatMap {
    static EMPTY: std::sync::OnceLock<LatMap> = std::sync::OnceLock::new();
    match recv {
        Value::Set(m, _) => m,
        _ => EMPTY.get_or_init(LatMap::new),
    }
}

/// The other Set argument of a set operation.
fn other_set<'a>(args: &'a [Value], what: &str) -> VmResult<&'a LatMap> {
    match arg(args, 0) {
        Value::Set(m, _) => Ok(m),
        other => fail(format!("{what} expects a Set, got {}", other.type_name())),
    }
}

fn len(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::int(table(recv).len() as i64))
}

fn has(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    Ok(Value::bool(set_contains(table(recv), arg(args, 0))))
}

fn to_array(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    Ok(Value::array(table(recv).values().cloned().collect()))
}

fn add(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    check_mutable(recv, "add")?;
    if let Value::Set(m, _) = recv {
        let v = arg(args, 0);
        if !set_contains(m, v) {
            set_insert(Arc::make_mut(m), v.clone());
        }
    }
    Ok(Value::UNIT)
}

fn remove(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    check_mutable(recv, "remove")?;
    if let Value::Set(m, _) = recv {
        let v = arg(args, 0);
        if set_contains(m, v) {
            set_remove(Arc::make_mut(m), v);
        }
    }
    Ok(Value::UNIT)
}

fn clear(_: &mut Vm, recv: &mut Value, _: &[Value]) -> VmResult<Value> {
    check_mutable(recv, "clear")?;
    if let Value::Set(m, _) = recv {
        *m = Arc::new(LatMap::new());
    }
    Ok(Value::UNIT)
}

/// Elements of `a` for which `keep(b has it)` holds, in `a`'s order.
fn select<'a>(a: &'a LatMap, b: &'a LatMap, keep: bool) -> impl Iterator<Item = Value> + 'a {
    a.values().filter(move |v| set_contains(b, v) == keep).cloned()
}

fn union(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let b = other_set(args, "union()")?;
    let a = table(recv);
    Ok(Value::set(set_of(a.values().cloned().chain(b.values().cloned()))))
}

fn intersection(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let b = other_set(args, "intersection()")?;
    Ok(Value::set(set_of(select(table(recv), b, true))))
}

fn difference(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let b = other_set(args, "difference()")?;
    Ok(Value::set(set_of(select(table(recv), b, false))))
}

fn symmetric_difference(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let b = other_set(args, "symmetric_difference()")?;
    let a = table(recv);
    Ok(Value::set(set_of(select(a, b, false).chain(select(b, a, false)))))
}

fn is_subset(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let yes = match arg(args, 0) {
        Value::Set(b, _) => table(recv).values().all(|v| set_contains(b, v)),
        _ => false,
    };
    Ok(Value::bool(yes))
}

fn is_superset(_: &mut Vm, recv: &mut Value, args: &[Value]) -> VmResult<Value> {
    let yes = match arg(args, 0) {
        Value::Set(b, _) => b.values().all(|v| set_contains(table(recv), v)),
        _ => false,
    };
    Ok(Value::bool(yes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;
    use lattice_vm::Phase;

    fn from(vm: &mut Vm, items: Value) -> Value {
        let f = vm.static_fn("Set", "from").unwrap();
        f(vm, &[items]).unwrap()
    }

    #[test]
    fn order_matches_the_reference() {
        let mut vm = vm();
        assert_eq!(show(Ok(from(&mut vm, strs(&["b", "a", "c"])))), "Set{b, c, a}");
        assert_eq!(show(Ok(from(&mut vm, ints(&[3, 1, 2, 2, 1])))), "Set{1, 2, 3}");
    }

    #[test]
    fn unequal_values_with_one_key_take_slots() {
        let mut vm = vm();
        let def = std::sync::Arc::new(lattice_vm::StructDef {
            name: "Entry".into(),
            fields: vec!["id".into(), "cb".into()],
            field_types: vec![None, None],
            field_phases: vec![None, None],
        });
        let entry = |cb: &str, vm: &Vm| {
            let obj = lattice_vm::value::StructObj { def: def.clone(), fields: vec![i(1), native(vm, cb)] };
            Value::Struct(std::sync::Arc::new(obj), Phase::Unphased)
        };
        let (a, b, c) = (entry("len", &vm), entry("typeof", &vm), entry("repr", &vm));
        let mut set = from(&mut vm, arr(vec![a.clone(), b.clone()]));
        assert_eq!(show(method(&mut vm, &mut set, "len", vec![])), "2");
        method(&mut vm, &mut set, "add", vec![c.clone()]).unwrap();
        method(&mut vm, &mut set, "add", vec![a.clone()]).unwrap();
        assert_eq!(show(method(&mut vm, &mut set, "len", vec![])), "3");
        method(&mut vm, &mut set, "remove", vec![a.clone()]).unwrap();
        assert_eq!(show(method(&mut vm, &mut set, "len", vec![])), "2");
        assert_eq!(show(method(&mut vm, &mut set, "has", vec![a])), "false");
        assert_eq!(show(method(&mut vm, &mut set, "has", vec![b])), "true");
        assert_eq!(show(method(&mut vm, &mut set, "has", vec![c])), "true");
    }

    #[test]
    fn an_eq_method_field_is_not_data() {
        let mut vm = vm();
        let def = std::sync::Arc::new(lattice_vm::StructDef {
            name: "P".into(),
            fields: vec!["x".into(), "eq".into()],
            field_types: vec![None, None],
            field_phases: vec![None, None],
        });
        let p = |eq: &str, vm: &Vm| {
            let obj = lattice_vm::value::StructObj { def: def.clone(), fields: vec![i(1), native(vm, eq)] };
            Value::Struct(std::sync::Arc::new(obj), Phase::Unphased)
        };
        let (a, b) = (p("len", &vm), p("typeof", &vm));
        let set = from(&mut vm, arr(vec![a, b]));
        assert_eq!(show(Ok(set)), "Set{P { x: 1, eq: <closure||> }}");
    }

    #[test]
    fn keys_are_structural() {
        assert_eq!(set_key(&i(1)), set_key(&f(1.0)));
        assert_ne!(set_key(&s("1")), set_key(&i(1)));
        assert_ne!(set_key(&ints(&[1, 2])), set_key(&ints(&[12])));
        assert_eq!(set_key(&s("ab")), "s2:6162;");
    }

    #[test]
    fn set_methods() {
        let mut vm = vm();
        let a = from(&mut vm, ints(&[1, 2, 3]));
        let b = from(&mut vm, ints(&[2, 3, 4]));
        check_methods(vec![
            (a.clone(), "union", vec![b.clone()], "Set{1, 2, 3, 4}"),
            (a.clone(), "intersection", vec![b.clone()], "Set{2, 3}"),
            (a.clone(), "difference", vec![b.clone()], "Set{1}"),
            (a.clone(), "symmetric_difference", vec![b.clone()], "Set{1, 4}"),
            (a.clone(), "is_subset", vec![b.clone()], "false"),
            (a.clone(), "is_superset", vec![from(&mut vm, ints(&[1]))], "true"),
            (a.clone(), "has", vec![f(2.0)], "true"),
            (a.clone(), "len", vec![], "3"),
            (a.clone(), "to_array", vec![], "[1, 2, 3]"),
            (a.clone(), "union", vec![i(1)], "error: union() expects a Set, got Int"),
        ]);
        let mut x = a.clone();
        method(&mut vm, &mut x, "add", vec![i(9)]).unwrap();
        method(&mut vm, &mut x, "add", vec![i(9)]).unwrap();
        method(&mut vm, &mut x, "remove", vec![i(1)]).unwrap();
        assert_eq!(show(Ok(x.clone())), "Set{2, 3, 9}");
        assert_eq!(show(Ok(a)), "Set{1, 2, 3}", "copy-on-write keeps the original");
        let mut frozen = x.with_phase(Phase::Crystal);
        assert!(show(method(&mut vm, &mut frozen, "add", vec![i(1)])).contains("frozen"));
    }
}
