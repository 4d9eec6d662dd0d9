//! Calls that need more than the loop's fast path: argument fitting (defaults, variadics,
//! type checks), method dispatch, struct and enum construction, `Type::member` paths and
//! imports.
//!
//! Method dispatch order for `recv.name(args)`:
//! 1. a struct's callable field `name` (it receives `self` when its first parameter is
//!    named `self`), then the struct type's `impl` methods;
//! 2. a Map's own entry `name` when it holds a function (module maps: `m.f(x)`);
//! 3. `impl` methods of an enum type;
//! 4. the builtin methods of the receiver's type.
//!
//! Builtin methods receive their receiver by `&mut`, so `xs.push(v)` on a variable mutates
//! it in place; the `*Local`/`*Global`/`*Path` invoke ops locate that variable.

use crate::error::{RuntimeError, VmResult};
use crate::map::LatMap;
use crate::module::{Constant, Function};
use crate::value::{Closure, Phase, StructObj, Value};
use crate::vm::{TypeTag, Vm};
use std::sync::{Arc, Mutex};

/// Where a variable lives, for in-place operations.
pub enum Place {
    /// Absolute index into the VM stack.
    Local(usize),
    Global(usize),
    Cell(Arc<Mutex<Value>>),
}

pub fn not_callable(v: &Value) -> RuntimeError {
    RuntimeError::new(format!("cannot call a value of type {}", v.type_name()))
}

/// Fits `argc` arguments on top of the stack to `func`'s parameters: missing optional
/// parameters become `Undef` (filled by the callee's default code), extra arguments of a
/// variadic function become one Array, annotated parameters are type-checked.
pub fn fit_arguments(vm: &mut Vm, func: &Function, argc: usize) -> VmResult<()> {
    let variadic = func.is_variadic();
    let fixed = func.arity();
    if (argc > fixed && !variadic) || argc < func.required() {
        return Err(RuntimeError::new(format!(
            "function '{}' expected {} arguments but got {argc}",
            func.name,
            if variadic { format!("at least {}", func.required()) } else { fixed.to_string() }
        )));
    }
    let rest = if variadic && argc > fixed {
        vm.stack.split_off(vm.stack.len() - (argc - fixed))
    } else {
        Vec::new()
    };
    for _ in argc.min(fixed)..fixed {
        vm.stack.push(Value::Undef);
    }
    if variadic {
        vm.stack.push(Value::array(rest));
    }
    let base = vm.stack.len() - func.params.len();
    for (i, p) in func.params.iter().enumerate() {
        if let Some(ty) = &p.ty {
            let v = &vm.stack[base + i];
            if matches!(v, Value::Undef)
                || p.variadic
                || crate::types::Kind::parse(ty).is_some_and(|k| k.accepts(v))
            {
                continue;
            }
            if let Some(msg) = crate::types::mismatch(vm, v, ty) {
                return Err(RuntimeError::new(format!(
                    "function '{}' parameter '{}' expects {msg}",
                    func.name, p.name
                )));
            }
        }
    }
    Ok(())
}

/// Defines a global. Defining a function whose parameters carry phase constraints over
/// another such function of the same name adds an overload (phase-dependent dispatch)
/// instead of replacing it.
pub fn define_global(vm: &mut Vm, slot: u32, v: Value) -> VmResult<()> {
    let old = &vm.globals[slot as usize];
    if let (Value::Closure(prev, _), Value::Closure(new, p)) = (old, &v) {
        if phase_constrained(&prev.func) && phase_constrained(&new.func) && new.next.is_none() {
            let merged =
                Closure { func: new.func.clone(), captures: new.captures.clone(), next: Some(prev.clone()) };
            vm.globals[slot as usize] = Value::Closure(Arc::new(merged), *p);
            return Ok(());
        }
    }
    vm.globals[slot as usize] = v;
    Ok(())
}

fn phase_constrained(f: &Function) -> bool {
    f.params.iter().any(|p| p.ty.as_deref().is_some_and(|t| t.starts_with('(')))
}

/// The first overload (newest first) whose annotated parameters accept the `argc`
/// arguments on top of the stack; the newest when none does (its checks then report).
pub fn pick_overload(vm: &Vm, first: Arc<Closure>, argc: usize) -> Arc<Closure> {
    let args = &vm.stack[vm.stack.len() - argc..];
    let mut cur = Some(first.clone());
    while let Some(c) = cur {
        let fits = c.func.params.len() == argc
            && c.func
                .params
                .iter()
                .zip(args)
                .all(|(p, v)| p.ty.as_deref().is_none_or(|t| crate::types::mismatch(vm, v, t).is_none()));
        if fits {
            return c;
        }
        cur = c.next.clone();
    }
    first
}

/// Replaces the Array on top with its elements; returns how many.
pub fn spread_args(vm: &mut Vm, args: Value) -> VmResult<usize> {
    let items = crate::ops::iterate_eager(vm, &args)?;
    let n = items.len();
    vm.stack.extend(items);
    Ok(n)
}

/// Calls the callable at `stack[len - argc - 1]` with the `argc` values above it.
/// Returns true when a Lattice frame was pushed (the loop must reload its frame).
pub fn call_at(vm: &mut Vm, argc: usize) -> VmResult<bool> {
    let fidx = vm.stack.len() - argc - 1;
    match &vm.stack[fidx] {
        Value::Closure(..) => {
            vm.push_frame(argc)?;
            Ok(true)
        }
        Value::Native(id, _) => {
            let id = *id;
            let r = vm.call_native(id, argc)?;
            vm.stack.push(r);
            Ok(false)
        }
        other => Err(not_callable(other)),
    }
}

/// Finds a user-level callable for `recv.name`: (function, pass receiver as `self`).
fn user_method(vm: &Vm, recv: &Value, name: &str) -> Option<(Value, bool)> {
    match recv {
        Value::Struct(s, _) => {
            if let Some(i) = s.def.field_index(name) {
                let f = &s.fields[i];
                if f.is_callable() {
                    let takes_self = match f {
                        Value::Closure(c, _) => c.func.params.first().is_some_and(|p| p.name == "self"),
                        _ => false,
                    };
                    return Some((f.clone(), takes_self));
                }
            }
            vm.struct_method(s, name).map(|f| (f.clone(), true))
        }
        Value::Map(m, _) => m.get(name).filter(|f| f.is_callable()).map(|f| (f.clone(), false)),
        Value::Enum(e, _) => {
            vm.user_methods.get(&*e.enum_name).and_then(|m| m.get(name)).map(|f| (f.clone(), true))
        }
        _ => None,
    }
}

fn no_method(vm: &Vm, recv: &Value, name: &str) -> RuntimeError {
    let tag = TypeTag::of(recv);
    let candidates: Vec<&str> = vm.method_names().filter(|(t, _)| *t == tag).map(|(_, n)| n).collect();
    let mut msg = format!("{} has no method '{name}'", recv.type_name());
    if let Some(s) = crate::suggest::closest(name, candidates.into_iter()) {
        msg.push_str(&format!(" (did you mean '{s}'?)"));
    }
    RuntimeError::new(msg)
}

/// `recv.name(args)` with the receiver on the stack below the arguments.
pub fn invoke(vm: &mut Vm, name: &str, argc: usize) -> VmResult<bool> {
    let ridx = vm.stack.len() - argc - 1;
    if let Value::Ref(r, _) = &vm.stack[ridx] {
        let r = r.clone();
        return invoke_ref(vm, r, name, argc);
    }
    if let Some((f, takes_self)) = user_method(vm, &vm.stack[ridx], name) {
        if takes_self {
            vm.stack.insert(ridx, f);
            return call_at(vm, argc + 1);
        }
        vm.stack[ridx] = f;
        return call_at(vm, argc);
    }
    let Some((f, mutating)) = vm.method(TypeTag::of(&vm.stack[ridx]), name) else {
        // `impl Trait for Int { fn doubled(self) }`: methods on builtin types.
        let ty = vm.stack[ridx].type_name();
        if let Some(f) = vm.user_methods.get(ty).and_then(|m| m.get(name)).cloned() {
            vm.stack.insert(ridx, f);
            return call_at(vm, argc + 1);
        }
        return Err(no_method(vm, &vm.stack[ridx], name));
    };
    // A temporary is no place: the `freeze ... except` keys of a crystal map are open to
    // mutating methods only through a variable (`make().set(k, v)` is refused).
    if mutating && vm.stack[ridx].is_crystal() {
        return Err(RuntimeError::new(format!(
            "cannot call mutating method '{name}' on a crystal (frozen) value (use thaw() to make it mutable)"
        )));
    }
    let args = vm.stack.split_off(ridx + 1);
    let mut recv = vm.stack.pop().unwrap_or_default();
    let r = f(vm, &mut recv, &args)?;
    vm.stack.push(r);
    Ok(false)
}

/// A method call on a Ref: `get`/`set` act on the box, anything else on the value
/// inside it, in place, so every copy of the Ref sees the change.
fn invoke_ref(vm: &mut Vm, r: Arc<Mutex<Value>>, name: &str, argc: usize) -> VmResult<bool> {
    let args = vm.stack.split_off(vm.stack.len() - argc);
    vm.stack.pop();
    let lock_err = || RuntimeError::new("reference is poisoned");
    match name {
        "inner_type" => {
            let t = r.lock().map_err(|_| lock_err())?.type_name().to_string();
            vm.stack.push(Value::str(t));
            return Ok(false);
        }
        // With arguments, `get`/`set` are the contents' own methods (a Map's get(k)).
        "get" | "deref" if args.is_empty() => {
            let v = r.lock().map_err(|_| lock_err())?.clone();
            vm.stack.push(v);
            return Ok(false);
        }
        "set" if args.len() == 1 => {
            *r.lock().map_err(|_| lock_err())? = args.into_iter().next().unwrap_or(Value::NIL);
            vm.stack.push(Value::UNIT);
            return Ok(false);
        }
        _ => {}
    }
    let inner = r.lock().map_err(|_| lock_err())?.clone();
    match vm.method(TypeTag::of(&inner), name) {
        Some((f, mutating)) if user_method(vm, &inner, name).is_none() => {
            drop(inner);
            if !args.iter().any(Value::is_callable) {
                // No callback can run Lattice code that touches this Ref, so the method
                // works on the contents under the lock: other tasks never see them half
                // changed or missing.
                let mut guard = r.lock().map_err(|_| lock_err())?;
                if mutating && guard.is_crystal() {
                    *guard = crate::phase::thaw(&guard);
                }
                let result = f(vm, &mut guard, &args);
                drop(guard);
                vm.stack.push(result?);
                return Ok(false);
            }
            // A callback may reach this Ref again: run without holding its lock.
            let mut target = std::mem::take(&mut *r.lock().map_err(|_| lock_err())?);
            // A Ref owns its contents: mutating a crystal value through it changes a fluid
            // copy, and other holders of the crystal value keep theirs.
            if mutating && target.is_crystal() {
                target = crate::phase::thaw(&target);
            }
            let result = f(vm, &mut target, &args);
            *r.lock().map_err(|_| lock_err())? = target;
            vm.stack.push(result?);
            Ok(false)
        }
        _ => {
            vm.stack.push(inner);
            vm.stack.extend(args);
            invoke(vm, name, argc)
        }
    }
}

/// `place[k1]..[kn].name(args)`, mutating the addressed value in place when the method
/// is a mutating builtin. Stack: k1..kn a1..am.
pub fn invoke_place(vm: &mut Vm, place: Place, nkeys: usize, name: &str, argc: usize) -> VmResult<bool> {
    if nkeys == 0 {
        if let Place::Local(at) = place {
            if let Some(done) = invoke_local_builtin(vm, at, name, argc) {
                return done.map(|()| false);
            }
        }
    }
    let args = vm.stack.split_off(vm.stack.len() - argc);
    let keys = vm.stack.split_off(vm.stack.len() - nkeys);
    let current = crate::paths::read(vm, &place, &keys)?;
    if let Value::Ref(r, _) = &current {
        let r = r.clone();
        vm.stack.push(current);
        vm.stack.extend(args);
        return invoke_ref(vm, r, name, argc);
    }
    let builtin =
        if user_method(vm, &current, name).is_some() { None } else { vm.method(TypeTag::of(&current), name) };
    match builtin {
        Some((f, true)) => {
            vm.check_pressure(&place, name)?;
            drop(current);
            // Through a Ref other tasks may look at the value while the method runs, so
            // it works on a copy that is written back; elsewhere the value is taken out,
            // keeping it uniquely held so the method mutates without copying.
            let shared = !keys.is_empty() && matches!(crate::paths::read(vm, &place, &[])?, Value::Ref(..));
            let take = if shared { |v: &mut Value| v.clone() } else { std::mem::take };
            let mut recv = crate::paths::with_mut(vm, &place, &keys, take)?;
            let r = f(vm, &mut recv, &args);
            crate::paths::with_mut(vm, &place, &keys, |slot| *slot = recv)?;
            vm.stack.push(r?);
            Ok(false)
        }
        Some((f, false)) => {
            let mut recv = current;
            let r = f(vm, &mut recv, &args)?;
            vm.stack.push(r);
            Ok(false)
        }
        None => {
            vm.stack.push(current);
            vm.stack.extend(args);
            invoke(vm, name, argc)
        }
    }
}

/// `local.name(args)` where the local holds a value of a builtin type with no callable
/// member of that name (`marks.push(1)`, `s.len()`): the builtin method runs on the slot
/// itself, with no copy of the receiver and no allocation. `None` when the call needs
/// the general path (struct, enum and map members, Refs, captured locals, user methods).
fn invoke_local_builtin(vm: &mut Vm, at: usize, name: &str, argc: usize) -> Option<VmResult<()>> {
    // A captured local lives in a cell: a non-mutating method works on a copy of the
    // cell's value (`ch.send(v)` on a channel a closure also uses); mutating ones take
    // the general path, which writes back through the cell.
    let captured = match &vm.stack[at] {
        Value::Cell(cell) => Some(cell.lock().ok()?.clone()),
        _ => None,
    };
    let recv = captured.as_ref().unwrap_or(&vm.stack[at]);
    let plain = match recv {
        Value::Struct(..) | Value::Enum(..) | Value::Ref(..) | Value::Cell(..) | Value::Undef => false,
        Value::Map(m, _) => !m.get(name).is_some_and(Value::is_callable),
        _ => true,
    };
    if !plain {
        return None;
    }
    let (f, mutating) = vm.method(TypeTag::of(recv), name)?;
    if mutating {
        if captured.is_some() {
            return None;
        }
        if let Err(e) = vm.check_pressure(&Place::Local(at), name) {
            return Some(Err(e));
        }
    }
    let mut args = std::mem::take(&mut vm.arg_buf);
    vm.move_args(&mut args, argc);
    let r = match captured {
        Some(mut recv) => f(vm, &mut recv, &args),
        None if mutating => {
            // Taken out of its slot so the method sees it uniquely held and mutates in place.
            let mut recv = std::mem::take(&mut vm.stack[at]);
            let r = f(vm, &mut recv, &args);
            vm.stack[at] = recv;
            r
        }
        None => {
            let mut recv = vm.stack[at].clone();
            f(vm, &mut recv, &args)
        }
    };
    args.clear();
    vm.give_back_args(args);
    Some(r.map(|v| vm.stack.push(v)))
}

pub fn make_struct(
    vm: &mut Vm,
    func: &Function,
    name: u32,
    fields: u32,
    values: Vec<Value>,
) -> VmResult<Value> {
    let sname = func.const_str(name);
    let Some(def) = vm.find_struct(func.module, sname) else {
        let mut msg = format!("undefined struct '{sname}'");
        if let Some(s) = crate::suggest::closest(sname, vm.structs.keys().map(String::as_str)) {
            msg.push_str(&format!(" (did you mean '{s}'?)"));
        }
        return Err(RuntimeError::new(msg));
    };
    let names: &[String] = match func.constants.get(fields as usize) {
        Some(Constant::Names(n)) => n,
        _ => &[],
    };
    let mut slots: Vec<Option<Value>> = vec![None; def.fields.len()];
    for (fname, v) in names.iter().zip(values) {
        match def.field_index(fname) {
            Some(i) if slots[i].is_some() => {
                return Err(RuntimeError::new(format!("struct {sname}: field '{fname}' is given twice")))
            }
            Some(i) => slots[i] = Some(v),
            None => return Err(RuntimeError::new(format!("struct {sname} has no field '{fname}'"))),
        }
    }
    let mut out = Vec::with_capacity(slots.len());
    for (i, slot) in slots.into_iter().enumerate() {
        // A callable field may be left out (methods supplied per value are optional).
        let Some(mut v) =
            slot.or_else(|| def.field_types[i].as_deref().filter(|t| *t == "Fn").map(|_| Value::NIL))
        else {
            return Err(RuntimeError::new(format!("struct {sname}: missing field '{}'", def.fields[i])));
        };
        // A `fix` field freezes what it is given (as the reference does), so the phase
        // part of its annotation always holds; the type part is still checked.
        if def.field_phases[i] == Some(Phase::Crystal) {
            crate::phase::freeze(&mut v);
        }
        if let Some(ty) = &def.field_types[i] {
            if !matches!(v, Value::Nil(_)) {
                if let Some(msg) = crate::types::mismatch(vm, &v, ty) {
                    return Err(RuntimeError::new(format!(
                        "struct {sname} field '{}' expects {msg}",
                        def.fields[i]
                    )));
                }
            }
        }
        if def.field_phases[i] == Some(Phase::Fluid) {
            v.set_phase(Phase::Fluid);
        }
        out.push(v);
    }
    Ok(Value::Struct(Arc::new(StructObj { def, fields: out }), Phase::Unphased))
}

/// `Type::member(args)`: an enum variant, a builtin static (`Map::new`) or an `impl`
/// function. Stack: a1..an => result.
pub fn path_call(vm: &mut Vm, func: &Function, ty: u32, member: u32, argc: usize) -> VmResult<bool> {
    let (ty, member) = (func.const_str(ty), func.const_str(member));
    if let Some(def) = vm.find_enum(func.module, ty) {
        if let Some((vname, arity)) = def.variants.iter().find(|(n, _)| n == member) {
            let payload = vm.stack.split_off(vm.stack.len() - argc);
            if let Some(n) = arity {
                if *n as usize != argc {
                    return Err(RuntimeError::new(format!(
                        "variant {ty}::{vname} expects {n} values but got {argc}"
                    )));
                }
            }
            vm.stack.push(Value::enum_value(def.name.as_str().into(), vname.as_str().into(), payload));
            return Ok(false);
        }
    }
    if let Some(f) = type_function(vm, func, ty, member) {
        let at = vm.stack.len() - argc;
        vm.stack.insert(at, f);
        return call_at(vm, argc);
    }
    if let Some(f) = vm.static_fn(ty, member) {
        let args = vm.stack.split_off(vm.stack.len() - argc);
        let r = f(vm, &args)?;
        vm.stack.push(r);
        return Ok(false);
    }
    Err(RuntimeError::new(format!("unknown function or variant '{ty}::{member}'")))
}

pub fn path_get(vm: &mut Vm, func: &Function, ty: u32, member: u32) -> VmResult<Value> {
    let (ty, member) = (func.const_str(ty), func.const_str(member));
    if let Some(def) = vm.find_enum(func.module, ty) {
        if let Some((vname, arity)) = def.variants.iter().find(|(n, _)| n == member) {
            if arity.is_some_and(|n| n > 0) {
                return Err(RuntimeError::new(format!("variant {ty}::{vname} needs a payload")));
            }
            return Ok(Value::enum_value(def.name.as_str().into(), vname.as_str().into(), Vec::new()));
        }
    }
    if let Some(f) = type_function(vm, func, ty, member) {
        return Ok(f);
    }
    Err(RuntimeError::new(format!("unknown variant or function '{ty}::{member}'")))
}

/// `Type::member` from an `impl` block: of the struct `Type` names in `func`'s module
/// first, then of any type by that name.
fn type_function(vm: &Vm, func: &Function, ty: &str, member: &str) -> Option<Value> {
    let own = vm
        .struct_def(func.module, ty)
        .and_then(|def| vm.struct_methods.get(&(Arc::as_ptr(def) as usize)))
        .and_then(|m| m.get(member));
    own.or_else(|| vm.user_methods.get(ty).and_then(|m| m.get(member))).cloned()
}

/// `import "path"`: a built-in module's functions, or a file module's exports (run once,
/// then cached).
pub fn import(vm: &mut Vm, path: &str) -> VmResult<Value> {
    if let Some(exports) = vm.builtin_module_exports(path) {
        return Ok(exports);
    }
    let loader = vm
        .loader
        .clone()
        .ok_or_else(|| RuntimeError::new(format!("cannot import '{path}': no module loader")))?;
    let from = vm.module_dirs.last().cloned();
    let (func, canonical) = loader.load_module(path, from.as_deref()).map_err(RuntimeError::new)?;
    if let Some(v) = vm.cached_module(&canonical) {
        return Ok(v);
    }
    if !vm.begin_loading(&canonical) {
        return Err(RuntimeError::new(format!("circular import of '{path}'")));
    }
    let mut ns = vm.module_namespace();
    let linked = vm.link(&func, &mut ns).map_err(|e| {
        vm.end_loading(&canonical);
        RuntimeError::new(format!("invalid bytecode in '{path}': {e}"))
    })?;
    vm.module_dirs.push(canonical.parent().map(|p| p.to_path_buf()).unwrap_or_default());
    let result = vm.run_function(linked);
    vm.module_dirs.pop();
    vm.end_loading(&canonical);
    let exports = match result? {
        v @ Value::Map(..) => v,
        _ => Value::map(LatMap::new()),
    };
    vm.cache_module(canonical, exports.clone());
    Ok(exports)
}
