//! Operations the dispatch loop delegates: arithmetic beyond the Int fast paths,
//! comparison errors, indexing, field reads, assignment with phase checks (R1/R2),
//! iteration set-up, and the `?` operator.

use crate::display::to_display;
use crate::error::{RuntimeError, VmResult};
use crate::module::{Constant, Function};
use crate::value::{Phase, Value};
use crate::vm::Vm;
use std::cmp::Ordering;
use std::sync::{Arc, Mutex};

pub fn constant_value(func: &Function, idx: u32) -> VmResult<Value> {
    Ok(match func.constants.get(idx as usize) {
        Some(Constant::Int(n)) => Value::int(*n),
        Some(Constant::Float(f)) => Value::float(*f),
        Some(Constant::Str(s)) => Value::Str(s.clone(), Phase::Unphased),
        Some(Constant::Names(names)) => Value::array(names.iter().map(|n| Value::str(n.clone())).collect()),
        _ => return Err(RuntimeError::new(format!("constant {idx} is not a value"))),
    })
}

#[inline]
pub fn read_cell(c: &Arc<Mutex<Value>>) -> Value {
    c.lock().map(|v| v.clone()).unwrap_or_default()
}

/// Wraps the local in `slot` into a shared cell (once) and returns the cell.
pub fn box_local(slot: &mut Value) -> Arc<Mutex<Value>> {
    if let Value::Cell(c) = slot {
        return c.clone();
    }
    let cell = Arc::new(Mutex::new(std::mem::take(slot)));
    *slot = Value::Cell(cell.clone());
    cell
}

/// Stores `v` over `dst` with the binding rules: a crystal binding cannot be reassigned
/// (R1); a fluid binding makes the stored value fluid (R2).
pub fn assign_checked(dst: &mut Value, mut v: Value, name: impl FnOnce() -> String) -> VmResult<()> {
    match dst.phase() {
        Phase::Crystal => {
            Err(RuntimeError::new(format!("cannot assign to '{}': it is crystal (frozen)", name())))
        }
        // R2: the stored value takes the binding's phase. A crystal value becomes fluid
        // at its top level only (O(1)); its contents stay crystal, and copy-on-write keeps
        // other holders of the crystal value unaffected.
        Phase::Fluid => {
            v.set_phase(Phase::Fluid);
            *dst = v;
            Ok(())
        }
        _ => {
            *dst = v;
            Ok(())
        }
    }
}

pub fn undefined_global(vm: &Vm, slot: u32) -> RuntimeError {
    let name = &vm.global_names[slot as usize];
    let candidates = vm
        .global_names
        .iter()
        .zip(&vm.globals)
        .filter(|(_, v)| !matches!(v, Value::Undef))
        .map(|(n, _)| n.as_str());
    let mut msg = format!("undefined variable '{name}'");
    if let Some(s) = crate::suggest::closest(name, candidates) {
        msg.push_str(&format!(" (did you mean '{s}'?)"));
    }
    RuntimeError::new(msg)
}

fn type_error(op: &str, a: &Value, b: &Value) -> RuntimeError {
    RuntimeError::new(format!(
        "operands must be numbers for '{op}' (got {} and {})",
        a.type_name(),
        b.type_name()
    ))
}

pub fn add(a: &Value, b: &Value) -> VmResult<Value> {
    Ok(match (a, b) {
        (Value::Int(x, _), Value::Int(y, _)) => Value::int(x.wrapping_add(*y)),
        (Value::Float(x, _), Value::Float(y, _)) => Value::float(x + y),
        (Value::Int(x, _), Value::Float(y, _)) => Value::float(*x as f64 + y),
        (Value::Float(x, _), Value::Int(y, _)) => Value::float(x + *y as f64),
        (Value::Str(x, _), Value::Str(y, _)) => {
            let mut s = String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(y);
            Value::str(s)
        }
        (Value::Str(x, _), other) => Value::str(format!("{x}{}", to_display(other))),
        (other, Value::Str(y, _)) => Value::str(format!("{}{y}", to_display(other))),
        _ => return Err(type_error("+", a, b)),
    })
}

macro_rules! float_op {
    ($name:ident, $op:tt, $sym:literal, $int:ident) => {
        pub fn $name(a: &Value, b: &Value) -> VmResult<Value> {
            Ok(match (a, b) {
                (Value::Int(x, _), Value::Int(y, _)) => Value::int(x.$int(*y)),
                (Value::Float(x, _), Value::Float(y, _)) => Value::float(x $op y),
                (Value::Int(x, _), Value::Float(y, _)) => Value::float(*x as f64 $op y),
                (Value::Float(x, _), Value::Int(y, _)) => Value::float(x $op *y as f64),
                _ => return Err(type_error($sym, a, b)),
            })
        }
    };
}
float_op!(sub, -, "-", wrapping_sub);
float_op!(mul, *, "*", wrapping_mul);

pub fn div(a: &Value, b: &Value) -> VmResult<Value> {
    match (a, b) {
        (Value::Int(_, _), Value::Int(0, _)) => Err(RuntimeError::new("division by zero")),
        (Value::Int(x, _), Value::Int(y, _)) => Ok(Value::int(x.wrapping_div(*y))),
        (Value::Float(x, _), Value::Float(y, _)) => Ok(Value::float(x / y)),
        (Value::Int(x, _), Value::Float(y, _)) => Ok(Value::float(*x as f64 / y)),
        (Value::Float(x, _), Value::Int(y, _)) => Ok(Value::float(x / *y as f64)),
        _ => Err(type_error("/", a, b)),
    }
}

pub fn rem(a: &Value, b: &Value) -> VmResult<Value> {
    match (a, b) {
        (Value::Int(_, _), Value::Int(0, _)) => Err(RuntimeError::new("modulo by zero")),
        (Value::Int(x, _), Value::Int(y, _)) => Ok(Value::int(x.wrapping_rem(*y))),
        _ => Err(RuntimeError::new("operands must be integers for '%'")),
    }
}

pub fn neg(a: &Value) -> VmResult<Value> {
    match a {
        Value::Int(x, _) => Ok(Value::int(x.wrapping_neg())),
        Value::Float(x, _) => Ok(Value::float(-x)),
        _ => {
            Err(RuntimeError::new(format!("operand must be a number for unary '-' (got {})", a.type_name())))
        }
    }
}

pub fn bit_not(a: &Value) -> VmResult<Value> {
    match a {
        Value::Int(x, _) => Ok(Value::int(!x)),
        _ => Err(RuntimeError::new("operand must be an integer for '~'")),
    }
}

macro_rules! int_op {
    ($name:ident, $op:tt, $sym:literal) => {
        pub fn $name(a: &Value, b: &Value) -> VmResult<Value> {
            match (a, b) {
                (Value::Int(x, _), Value::Int(y, _)) => Ok(Value::int(x $op y)),
                _ => Err(RuntimeError::new(concat!("operands must be integers for '", $sym, "'"))),
            }
        }
    };
}
int_op!(bit_and, &, "&");
int_op!(bit_or, |, "|");
int_op!(bit_xor, ^, "^");

pub fn shift(a: &Value, b: &Value, left: bool) -> VmResult<Value> {
    let sym = if left { "<<" } else { ">>" };
    match (a, b) {
        (Value::Int(x, _), Value::Int(y, _)) => {
            if !(0..64).contains(y) {
                return Err(RuntimeError::new("shift amount out of range (0..63)"));
            }
            Ok(Value::int(if left { x.wrapping_shl(*y as u32) } else { x >> y }))
        }
        _ => Err(RuntimeError::new(format!("operands must be integers for '{sym}'"))),
    }
}

/// Ordering for `<`-style operators on non-Int/Int pairs.
pub fn compare_values(a: &Value, b: &Value, sym: &str) -> VmResult<Ordering> {
    match crate::compare::compare(a, b) {
        Some(o) => Ok(o),
        // An Int against NaN is unordered: every comparison is false, as between Floats.
        None if is_number(a) && is_number(b) => {
            Ok(if sym.starts_with('<') { Ordering::Greater } else { Ordering::Less })
        }
        None => Err(type_error(sym, a, b)),
    }
}

fn is_number(v: &Value) -> bool {
    matches!(v, Value::Int(..) | Value::Float(..))
}

/// All items of an iterable value (array, range, set, map keys, string chars, tuple).
pub fn iterate_eager(vm: &mut Vm, v: &Value) -> VmResult<Vec<Value>> {
    Ok(match v {
        Value::Ref(r, _) => return iterate_eager(vm, &read_cell(r)),
        Value::Array(a, _) | Value::Tuple(a, _) => a.to_vec(),
        Value::Range(r, _) => (r.0..r.1).map(Value::int).collect(),
        Value::Set(m, _) => m.values().cloned().collect(),
        Value::Map(m, _) => m.keys().map(Value::str).collect(),
        Value::Str(s, _) => s.chars().map(|c| Value::str(c.to_string())).collect(),
        Value::Iterator(state, _) => {
            let mut st = std::mem::take(&mut *state.lock().expect("iterator"));
            let mut out = Vec::new();
            let mut result = Ok(());
            loop {
                match st.next(vm) {
                    Ok(Some(x)) => out.push(x),
                    Ok(None) => break,
                    Err(e) => {
                        result = Err(e);
                        break;
                    }
                }
            }
            *state.lock().expect("iterator") = st;
            result?;
            out
        }
        other => return Err(RuntimeError::new(format!("cannot iterate over {}", other.type_name()))),
    })
}

/// The hidden state a `for` loop keeps: arrays, ranges and iterators as they are,
/// other iterables converted to an array of their items.
pub fn iter_init(v: Value) -> VmResult<Value> {
    Ok(match v {
        Value::Ref(r, _) => return iter_init(read_cell(&r)),
        Value::Array(..) | Value::Range(..) | Value::Iterator(..) => v,
        Value::Tuple(a, _) => Value::array(a.to_vec()),
        Value::Set(m, _) => Value::array(m.values().cloned().collect()),
        Value::Map(m, _) => Value::array(m.keys().map(Value::str).collect()),
        Value::Str(s, _) => Value::array(s.chars().map(|c| Value::str(c.to_string())).collect()),
        other => return Err(RuntimeError::new(format!("cannot iterate over {}", other.type_name()))),
    })
}

/// Resolves a possibly negative index against `len`.
fn index_in(i: i64, len: usize, what: &str) -> VmResult<usize> {
    if i >= 0 && (i as usize) < len {
        Ok(i as usize)
    } else {
        Err(RuntimeError::new(format!("{what} index out of bounds: {i} (len {len})")))
    }
}

fn slice_bounds(r: &(i64, i64), len: usize) -> (usize, usize) {
    let clamp = |x: i64| x.clamp(0, len as i64) as usize;
    let (s, e) = (clamp(r.0), clamp(r.1));
    (s, e.max(s))
}

pub fn index(obj: &Value, key: &Value) -> VmResult<Value> {
    match (obj, key) {
        (Value::Ref(r, _), k) => index(&read_cell(r), k),
        (Value::Array(a, _), Value::Int(i, _)) => Ok(a[index_in(*i, a.len(), "array")?].clone()),
        (Value::Array(a, p), Value::Range(r, _)) => {
            let (s, e) = slice_bounds(r, a.len());
            Ok(Value::Array(Arc::new(a[s..e].to_vec()), *p))
        }
        (Value::Tuple(a, _), Value::Int(i, _)) => Ok(a[index_in(*i, a.len(), "tuple")?].clone()),
        (Value::Str(s, _), Value::Int(i, _)) => {
            let i = index_in(*i, s.len(), "string")?;
            Ok(Value::str(String::from_utf8_lossy(&s.as_bytes()[i..=i]).into_owned()))
        }
        (Value::Str(s, _), Value::Range(r, _)) => {
            let (a, b) = slice_bounds(r, s.len());
            Ok(Value::str(String::from_utf8_lossy(&s.as_bytes()[a..b]).into_owned()))
        }
        (Value::Map(m, _), Value::Str(k, _)) => Ok(m.get(k).cloned().unwrap_or(Value::NIL)),
        (Value::Map(m, _), other) => Ok(m.get(&to_display(other)).cloned().unwrap_or(Value::NIL)),
        (Value::Buffer(b, _), Value::Int(i, _)) => Ok(Value::int(b[index_in(*i, b.len(), "buffer")?] as i64)),
        (Value::Struct(s, _), Value::Str(k, _)) => match s.def.field_index(k) {
            Some(i) => Ok(s.fields[i].clone()),
            None => Err(RuntimeError::new(format!("struct {} has no field '{k}'", s.def.name))),
        },
        (Value::Nil(_), _) => Err(RuntimeError::new("cannot index nil")),
        _ => Err(RuntimeError::new(format!("cannot index {} with {}", obj.type_name(), key.type_name()))),
    }
}

pub fn get_field(vm: &Vm, obj: &Value, name: &str) -> VmResult<Value> {
    match obj {
        Value::Ref(r, _) => get_field(vm, &read_cell(r), name),
        Value::Struct(s, _) => match s.def.field_index(name) {
            Some(i) => Ok(s.fields[i].clone()),
            None => {
                if let Some(m) = vm.struct_method(s, name) {
                    return Ok(m.clone());
                }
                let mut msg = format!("struct {} has no field '{name}'", s.def.name);
                if let Some(s) = crate::suggest::closest(name, s.def.fields.iter().map(String::as_str)) {
                    msg.push_str(&format!(" (did you mean '{s}'?)"));
                }
                Err(RuntimeError::new(msg))
            }
        },
        Value::Map(m, _) => Ok(m.get(name).cloned().unwrap_or(Value::NIL)),
        Value::Tuple(items, _) => match name.parse::<usize>() {
            Ok(i) if i < items.len() => Ok(items[i].clone()),
            _ => Err(RuntimeError::new(format!("tuple has no field '{name}'"))),
        },
        Value::Nil(_) => Err(RuntimeError::new(format!("cannot access field '{name}' on nil"))),
        other => Err(RuntimeError::new(format!("cannot access field '{name}' on {}", other.type_name()))),
    }
}

pub fn tuple_get(obj: &Value, index: usize) -> VmResult<Value> {
    match obj {
        Value::Tuple(items, _) | Value::Array(items, _) => items.get(index).cloned().ok_or_else(|| {
            RuntimeError::new(format!("tuple index {index} out of bounds (len {})", items.len()))
        }),
        Value::Struct(s, _) => {
            s.fields.get(index).cloned().ok_or_else(|| RuntimeError::new(format!("no field {index}")))
        }
        other => Err(RuntimeError::new(format!("cannot access .{index} on {}", other.type_name()))),
    }
}

/// `expr?`: `Ok(value)` of an ok Result map, `Err(map)` for an err map, which the caller
/// returns from the running function. Anything else is an error (as in the reference).
pub fn try_unwrap(v: Value) -> VmResult<Result<Value, Value>> {
    if let Value::Map(m, _) = &v {
        match m.get("tag").and_then(Value::as_str) {
            Some("ok") => return Ok(Ok(m.get("value").cloned().unwrap_or(Value::NIL))),
            Some("err") => return Ok(Err(v)),
            _ => {}
        }
    }
    Err(RuntimeError::new(format!(
        "'?' operator requires a result map with {{tag: \"ok\"|\"err\", value: ...}}, got {}",
        v.type_name()
    )))
}

/// The error `throw(v)` raises.
pub fn thrown(v: Value) -> RuntimeError {
    match v {
        Value::Str(s, _) => RuntimeError::new(s.to_string()),
        other => RuntimeError { thrown: Some(other.clone()), ..RuntimeError::new(to_display(&other)) },
    }
}

/// The common `+=` done in place: `n += k` on a fluid or unphased Int and `s += t` on
/// a fluid or unphased string. False (nothing done) for everything else, which
/// [`add_assign`] handles with all its checks.
#[inline(always)]
pub fn add_in_place(dst: &mut Value, v: &Value) -> bool {
    match (dst, v) {
        (Value::Str(s, Phase::Unphased | Phase::Fluid), Value::Str(t, _)) => {
            Arc::make_mut(s).push_str(t);
            true
        }
        (Value::Int(x, Phase::Unphased | Phase::Fluid), Value::Int(y, _)) => {
            *x = x.wrapping_add(*y);
            true
        }
        _ => false,
    }
}

/// `dst += v` for a variable: appends in place when `dst` is a uniquely held string
/// (so building a string by repeated `+=` is linear), else adds and assigns with the
/// binding rules of [`assign_checked`].
pub fn add_assign(dst: &mut Value, v: Value, name: impl FnOnce() -> String) -> VmResult<()> {
    if dst.is_crystal() {
        return assign_checked(dst, v, name);
    }
    if dst.phase() == Phase::Sublimated {
        return Err(RuntimeError::new(format!("cannot append to '{}': it is sublimated", name())));
    }
    match (&mut *dst, &v) {
        (Value::Int(x, _), Value::Int(y, _)) => {
            *x = x.wrapping_add(*y);
            Ok(())
        }
        (Value::Str(s, _), Value::Str(t, _)) => {
            Arc::make_mut(s).push_str(t);
            Ok(())
        }
        _ => {
            let sum = add(dst, &v)?;
            assign_checked(dst, sum, name)
        }
    }
}
