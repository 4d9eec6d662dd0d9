//! In-place access to `root[k1][k2]...`, where the root is a local, a global or a captured
//! cell. Writes make each level unique on the way down (`Arc::make_mut`), so a nested
//! write copies only levels that are really shared, and check phases at the level being
//! changed: crystal containers refuse writes (R1), sublimated ones refuse new keys (R8),
//! crystal alloy fields refuse assignment.

use crate::calls::Place;
use crate::error::{RuntimeError, VmResult};
use crate::value::{Phase, Value};
use crate::vm::Vm;
use std::sync::Arc;

/// Reads `place[keys...]` (a copy of the handle).
pub fn read(vm: &Vm, place: &Place, keys: &[Value]) -> VmResult<Value> {
    let mut v = match place {
        Place::Local(i) => match &vm.stack[*i] {
            Value::Cell(c) => crate::ops::read_cell(c),
            v => v.clone(),
        },
        Place::Global(i) => match &vm.globals[*i] {
            Value::Undef => return Err(crate::ops::undefined_global(vm, *i as u32)),
            v => v.clone(),
        },
        Place::Cell(c) => crate::ops::read_cell(c),
    };
    for k in keys {
        v = crate::ops::index(&v, k)?;
    }
    Ok(v)
}

/// Applies `f` to the value at `place[keys...]`, made unique for writing.
pub fn with_mut<R>(
    vm: &mut Vm,
    place: &Place,
    keys: &[Value],
    f: impl FnOnce(&mut Value) -> R,
) -> VmResult<R> {
    let cell = match place {
        Place::Local(i) => match &mut vm.stack[*i] {
            Value::Cell(c) => c.clone(),
            root => return apply_at(root, keys, f),
        },
        Place::Global(i) => match &mut vm.globals[*i] {
            Value::Undef => return Err(crate::ops::undefined_global(vm, *i as u32)),
            root => return apply_at(root, keys, f),
        },
        Place::Cell(c) => c.clone(),
    };
    let mut guard = cell.lock().map_err(|_| RuntimeError::new("captured variable is poisoned"))?;
    apply_at(&mut guard, keys, f)
}

/// Applies `f` at `c[keys...]`. A `Ref` on the way is entered through its lock; when the
/// next level is itself a `Ref`, the outer lock is released first, so two tasks walking
/// `a[0][..]` and `b[0][..]` through Refs that point at each other cannot deadlock.
/// Writing through a Ref to a crystal value writes to a fluid copy (the crystal value
/// other handles see is untouched).
fn apply_at<R>(c: &mut Value, keys: &[Value], f: impl FnOnce(&mut Value) -> R) -> VmResult<R> {
    let Some((key, rest)) = keys.split_first() else { return Ok(f(c)) };
    if let Value::Ref(r, _) = c {
        let r = r.clone();
        let mut inner = r.lock().map_err(|_| RuntimeError::new("reference is poisoned"))?;
        if inner.is_crystal() {
            *inner = crate::phase::thaw(&inner);
        }
        let child = child_mut(&mut inner, key)?;
        if let Value::Ref(..) = child {
            let mut next = child.clone();
            drop(inner);
            return apply_at(&mut next, rest, f);
        }
        return apply_at(child, rest, f);
    }
    let child = child_mut(c, key)?;
    apply_at(child, rest, f)
}

fn child_mut<'a>(c: &'a mut Value, key: &Value) -> VmResult<&'a mut Value> {
    match (c, key) {
        (Value::Array(a, _), Value::Int(i, _)) => {
            let len = a.len();
            if *i < 0 || *i as usize >= len {
                return Err(RuntimeError::new(format!("array index out of bounds: {i} (len {len})")));
            }
            Ok(&mut Arc::make_mut(a)[*i as usize])
        }
        (Value::Map(m, _), Value::Str(k, _)) => {
            let m = Arc::make_mut(m);
            if !m.contains_key(k) {
                m.insert(k, Value::NIL);
            }
            Ok(m.get_mut(k).expect("inserted above"))
        }
        (Value::Struct(s, _), Value::Str(k, _)) => {
            let idx = s
                .def
                .field_index(k)
                .ok_or_else(|| RuntimeError::new(format!("struct {} has no field '{k}'", s.def.name)))?;
            Ok(&mut Arc::make_mut(s).fields[idx])
        }
        (c, k) => Err(RuntimeError::new(format!("cannot index {} with {}", c.type_name(), k.type_name()))),
    }
}

/// `place[k1]..[kn] = value`. Stack: k1..kn value =>
pub fn set_path(vm: &mut Vm, place: Place, n: u8, name: &dyn Fn() -> String) -> VmResult<()> {
    let value = vm.stack.pop().unwrap_or_default();
    if n == 1 {
        // The common `a[i] = v` / `s.f = v`: no key vector to build.
        let key = vm.stack.pop().unwrap_or_default();
        return with_mut(vm, &place, &[], |container| set_child(container, &key, value, name))?;
    }
    let keys = vm.stack.split_off(vm.stack.len() - n as usize);
    let Some((last, parents)) = keys.split_last() else {
        return Err(RuntimeError::new("empty assignment path"));
    };
    with_mut(vm, &place, parents, |container| set_child(container, last, value, name))?
}

/// Reads `place[k1]..[kn]`, leaving the keys on the stack. Stack: k1..kn => k1..kn value
pub fn get_path(vm: &mut Vm, place: Place, n: u8) -> VmResult<Value> {
    let keys = vm.stack[vm.stack.len() - n as usize..].to_vec();
    read(vm, &place, &keys)
}

fn crystal_error(name: &dyn Fn() -> String) -> RuntimeError {
    RuntimeError::new(format!("cannot modify '{}': it is crystal (frozen)", name()))
}

fn set_child(c: &mut Value, key: &Value, mut value: Value, name: &dyn Fn() -> String) -> VmResult<()> {
    if let Value::Ref(r, p) = c {
        if *p == Phase::Crystal {
            return Err(crystal_error(name));
        }
        let r = r.clone();
        let mut inner = r.lock().map_err(|_| RuntimeError::new("reference is poisoned"))?;
        if inner.is_crystal() {
            *inner = crate::phase::thaw(&inner);
        }
        return set_child(&mut inner, key, value, name);
    }
    let phase = c.phase();
    // A crystal struct or map may still hold fluid fields (defects of `freeze ...
    // except`): those are checked field by field below. Everything else is refused.
    let defect_ok = || match (&*c, key) {
        (Value::Struct(s, _), Value::Str(k, _)) => {
            s.def.field_index(k).is_some_and(|i| !s.fields[i].is_crystal())
        }
        (Value::Map(m, _), Value::Str(k, _)) => m.get(k).is_some_and(|v| !v.is_crystal()),
        _ => false,
    };
    if phase == Phase::Crystal && !defect_ok() {
        return Err(crystal_error(name));
    }
    if phase == Phase::Sublimated {
        return Err(RuntimeError::new(format!(
            "cannot assign into '{}': it is sublimated (its structure is locked)",
            name()
        )));
    }
    match (c, key) {
        (Value::Array(a, _), Value::Int(i, _)) => {
            let len = a.len();
            if *i < 0 || *i as usize >= len {
                return Err(RuntimeError::new(format!("array index out of bounds: {i} (len {len})")));
            }
            // Replacing an element changes the (fluid) array, not the element: a crystal
            // element may be replaced, as in the reference (which has no in-place
            // freezing of array elements, unlike struct fields and map keys).
            Arc::make_mut(a)[*i as usize] = value;
            Ok(())
        }
        (Value::Array(a, _), Value::Range(r, _)) => {
            if phase == Phase::Sublimated {
                return Err(RuntimeError::new(format!("cannot resize '{}': it is sublimated", name())));
            }
            let items = match value {
                Value::Array(v, _) => v.to_vec(),
                other => vec![other],
            };
            let len = a.len() as i64;
            let (s, e) = (r.0.clamp(0, len) as usize, r.1.clamp(0, len) as usize);
            Arc::make_mut(a).splice(s..e.max(s), items);
            Ok(())
        }
        (Value::Map(m, _), Value::Str(k, _)) => {
            if phase == Phase::Sublimated && !m.contains_key(k) {
                return Err(RuntimeError::new(format!(
                    "cannot add key '{k}' to '{}': it is sublimated",
                    name()
                )));
            }
            if phase == Phase::Fluid && !value.is_crystal() {
                value.set_phase(Phase::Fluid);
            }
            // One probe for an existing key; a new key probes again to insert.
            let m = Arc::make_mut(m);
            match m.get_mut(k) {
                // A crystal value under a key is what `freeze(m["k"])` leaves: that key is
                // frozen in place.
                Some(slot) if slot.is_crystal() => return Err(crystal_error(name)),
                Some(slot) => *slot = value,
                None => {
                    m.insert(k, value);
                }
            }
            Ok(())
        }
        (Value::Map(..), _) => Err(RuntimeError::new("invalid index assignment: map keys must be strings")),
        (Value::Struct(s, _), Value::Str(k, _)) => {
            let idx = s
                .def
                .field_index(k)
                .ok_or_else(|| RuntimeError::new(format!("struct {} has no field '{k}'", s.def.name)))?;
            // A crystal field is a `fix` field or one frozen in place (`freeze(s.f)`).
            if s.fields[idx].is_crystal() {
                return Err(RuntimeError::new(format!(
                    "cannot assign to field '{k}' of '{}': it is crystal (frozen)",
                    name()
                )));
            }
            if !value.is_crystal() && (s.def.field_phases[idx] == Some(Phase::Fluid) || phase == Phase::Fluid)
            {
                value.set_phase(Phase::Fluid);
            }
            Arc::make_mut(s).fields[idx] = value;
            Ok(())
        }
        (Value::Buffer(b, _), Value::Int(i, _)) => {
            let len = b.len();
            let byte = value.as_int().ok_or_else(|| RuntimeError::new("buffer values must be integers"))?;
            if *i < 0 || *i as usize >= len {
                return Err(RuntimeError::new(format!("buffer index out of bounds: {i} (len {len})")));
            }
            Arc::make_mut(b)[*i as usize] = byte as u8;
            Ok(())
        }
        (Value::Str(..), _) => Err(RuntimeError::new("strings are immutable: cannot assign to an index")),
        (Value::Tuple(..), _) => Err(RuntimeError::new("tuples are immutable: cannot assign to an element")),
        (c, k) => {
            Err(RuntimeError::new(format!("cannot assign to index {} of {}", k.type_name(), c.type_name())))
        }
    }
}
