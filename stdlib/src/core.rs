//! Core builtins: output (`print`, `print_raw`, `eprint`, `input`), introspection
//! (`typeof`, `phase_of`, `to_string`, `repr`, `len`, `version`), assertions and exits
//! (`assert`, `debug_assert`, `exit`, `panic`), error values (`error`, `is_error`,
//! `throw`), `pi` (R11) and `range`.
//!
//! Test assertions (`assert_eq` ...) live in `testing.rs`, functional helpers in
//! `functional.rs`, struct reflection in `reflect.rs`.

use crate::args::{arg, fail, MAX_BUILD};
use lattice_vm::display::{repr as repr_text, to_display};
use lattice_vm::{LatMap, RuntimeError, Value, Vm, VmResult};
use std::io::{BufRead, Write};

pub fn install(vm: &mut Vm) {
    vm.register_native("print", print);
    vm.register_native("print_raw", print_raw);
    vm.register_native("eprint", eprint);
    vm.register_native("input", input);
    vm.register_native("typeof", type_of);
    vm.register_native("phase_of", phase_of);
    vm.register_native("to_string", to_string);
    vm.register_native("repr", repr);
    vm.register_native("len", len);
    vm.register_native("assert", assert);
    vm.register_native("debug_assert", debug_assert);
    vm.register_native("exit", exit);
    vm.register_native("panic", panic);
    vm.register_native("version", version);
    vm.register_native("error", error);
    vm.register_native("is_error", is_error);
    vm.register_native("throw", throw);
    vm.register_native("pi", pi);
    vm.register_native("range", range);
}

/// The language version this toolchain implements; programs print it and compare it with
/// the reference implementation's.
pub const LANGUAGE_VERSION: &str = "0.6.4";

/// The arguments as `print` shows them: display forms joined by single spaces.
pub fn join_display(args: &[Value]) -> String {
    args.iter().map(to_display).collect::<Vec<_>>().join(" ")
}

fn print(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let mut line = join_display(args);
    line.push('\n');
    vm.write_out(&line);
    Ok(Value::UNIT)
}

fn print_raw(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    vm.write_out(&join_display(args));
    vm.flush();
    Ok(Value::UNIT)
}

fn eprint(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    // Flush first so stdout and stderr interleave in program order.
    vm.flush();
    let _ = writeln!(std::io::stderr(), "{}", join_display(args));
    Ok(Value::UNIT)
}

/// `input(prompt?)`: one line from standard input without its line ending; nil at EOF.
fn input(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    if let Value::Str(prompt, _) = arg(args, 0) {
        vm.write_out(prompt);
    }
    vm.flush();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => Ok(Value::NIL),
        Ok(_) => {
            let trimmed = line.strip_suffix('\n').unwrap_or(&line);
            let trimmed = trimmed.strip_suffix('\r').unwrap_or(trimmed);
            Ok(Value::str(trimmed))
        }
    }
}

fn type_of(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    Ok(Value::str(arg(args, 0).type_name()))
}

fn phase_of(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    Ok(Value::str(arg(args, 0).phase().name()))
}

fn to_string(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    Ok(Value::str(to_display(arg(args, 0))))
}

/// `repr(v)`: strings quoted; a struct with a callable `repr` field is asked for its own
/// text (a non-String answer falls back to the default form).
fn repr(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let v = arg(args, 0);
    if let Value::Struct(s, _) = v {
        if let Some(i) = s.def.field_index("repr") {
            let f = s.fields[i].clone();
            if f.is_callable() {
                let call_args = if takes_no_params(&f) { vec![] } else { vec![v.clone()] };
                if let Value::Str(text, _) = vm.call_value(&f, call_args)? {
                    return Ok(Value::Str(text, lattice_vm::Phase::Unphased));
                }
            }
        }
    }
    Ok(Value::str(repr_text(v)))
}

/// Whether `f` is a Lattice closure declared without parameters.
pub fn takes_no_params(f: &Value) -> bool {
    matches!(f, Value::Closure(c, _) if c.func.params.is_empty())
}

/// `len(v)`: bytes of a String, elements of a collection; 0 for anything else, as in the
/// reference.
fn len(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let n = match arg(args, 0) {
        Value::Str(s, _) => s.len(),
        Value::Array(a, _) | Value::Tuple(a, _) => a.len(),
        Value::Map(m, _) | Value::Set(m, _) => m.len(),
        Value::Buffer(b, _) => b.len(),
        Value::Range(r, _) => r.1.saturating_sub(r.0).max(0) as usize,
        _ => 0,
    };
    Ok(Value::int(n as i64))
}

/// The reference's assertion truth: a Bool is itself, an Int is non-zero, and any other
/// value except nil passes (so `0.0` and `""` pass, unlike `if`).
fn assertion_holds(v: &Value) -> bool {
    match v {
        Value::Bool(b, _) => *b,
        Value::Int(n, _) => *n != 0,
        Value::Nil(_) => false,
        _ => true,
    }
}

fn assert(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    if assertion_holds(arg(args, 0)) {
        return Ok(Value::UNIT);
    }
    let msg = match arg(args, 1) {
        Value::Str(m, _) => m.as_str(),
        _ => "assertion failed",
    };
    fail(format!("assertion failed: {msg}"))
}

fn debug_assert(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    if !vm.assertions || assertion_holds(arg(args, 0)) {
        return Ok(Value::UNIT);
    }
    let msg = match arg(args, 1) {
        Value::Str(m, _) => m.as_str(),
        _ => "debug assertion failed",
    };
    fail(format!("debug assertion failed: {msg}"))
}

fn exit(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    vm.flush();
    let code = match arg(args, 0) {
        Value::Int(n, _) => *n as i32,
        _ => 0,
    };
    Err(RuntimeError::exit(code))
}

/// `panic(msg)`: an error with exactly `msg` as its message.
fn panic(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    match arg(args, 0) {
        Value::Str(m, _) => fail(m.as_str()),
        Value::Nil(_) => fail("panic"),
        other => fail(to_display(other)),
    }
}

fn version(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    Ok(Value::str(LANGUAGE_VERSION))
}

/// `error(v)`: the error value of the Result convention, `{"tag": "err", "value": v}`.
fn error(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let mut m = LatMap::new();
    m.insert("tag", Value::str("err"));
    m.insert("value", arg(args, 0).clone());
    Ok(Value::map(m))
}

fn is_error(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let yes = match arg(args, 0) {
        Value::Map(m, _) => m.get("tag").and_then(Value::as_str) == Some("err"),
        _ => false,
    };
    Ok(Value::bool(yes))
}

fn throw(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    Err(lattice_vm::ops::thrown(arg(args, 0).clone()))
}

fn pi(_: &mut Vm, _: &[Value]) -> VmResult<Value> {
    Ok(Value::float(std::f64::consts::PI))
}

/// `range(start, end, step?)`: the Array of Ints from `start` up to (not including) `end`;
/// the default step is 1 or -1, whichever walks towards `end`.
fn range(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let usage = "range() expects (start: Int, end: Int, step?: Int)";
    let (Value::Int(start, _), Value::Int(end, _)) = (arg(args, 0), arg(args, 1)) else {
        return fail(usage);
    };
    let (start, end) = (*start, *end);
    let step = match args.get(2) {
        None => {
            if start <= end {
                1
            } else {
                -1
            }
        }
        Some(Value::Int(s, _)) => *s,
        Some(_) => return fail("range() step must be Int"),
    };
    if step == 0 {
        return fail("range() step cannot be zero");
    }
    let n = range_len(start, end, step);
    if n > MAX_BUILD as u64 {
        return fail("range() is too large");
    }
    let mut out = Vec::with_capacity(n as usize);
    let mut cur = start;
    for _ in 0..n {
        out.push(Value::int(cur));
        cur = cur.wrapping_add(step);
    }
    Ok(Value::array(out))
}

/// How many values `start, start+step, ...` lie strictly before `end`.
pub fn range_len(start: i64, end: i64, step: i64) -> u64 {
    let (dist, stride) = if step > 0 && start < end {
        (end.abs_diff(start), step.unsigned_abs())
    } else if step < 0 && start > end {
        (start.abs_diff(end), step.unsigned_abs())
    } else {
        return 0;
    };
    dist / stride + u64::from(dist % stride != 0)
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use lattice_vm::Value;

    #[test]
    fn core_calls() {
        check_calls(vec![
            ("typeof", vec![i(1)], "\"Int\""),
            ("typeof", vec![f(1.5)], "\"Float\""),
            ("typeof", vec![], "\"Nil\""),
            ("to_string", vec![f(10.0)], "\"10\""),
            ("to_string", vec![arr(vec![s("a"), f(1.5)])], "\"[a, 1.5]\""),
            ("repr", vec![s("hi")], "\"\"hi\"\""),
            ("len", vec![s("héllo")], "6"),
            ("len", vec![ints(&[1, 2])], "2"),
            ("len", vec![i(5)], "0"),
            ("assert", vec![Value::TRUE], "()"),
            ("assert", vec![f(0.0)], "()"),
            ("assert", vec![Value::FALSE], "error: assertion failed: assertion failed"),
            ("assert", vec![i(0), s("boom")], "error: assertion failed: boom"),
            ("panic", vec![s("bad thing")], "error: bad thing"),
            ("version", vec![], "\"0.6.4\""),
            ("is_error", vec![i(1)], "false"),
            ("pi", vec![], "3.14159"),
            ("range", vec![i(0), i(5)], "[0, 1, 2, 3, 4]"),
            ("range", vec![i(5), i(0)], "[5, 4, 3, 2, 1]"),
            ("range", vec![i(0), i(10), i(3)], "[0, 3, 6, 9]"),
            ("range", vec![i(0), i(10), i(-1)], "[]"),
            ("range", vec![i(0), i(1), i(0)], "error: range() step cannot be zero"),
            ("range", vec![i(i64::MIN), i(i64::MAX)], "error: range() is too large"),
            ("range", vec![s("a"), i(2)], "error: range() expects (start: Int, end: Int, step?: Int)"),
            ("throw", vec![s("oops")], "error: oops"),
        ]);
    }

    #[test]
    fn error_values_round_trip() {
        let mut vm = vm();
        let e = call(&mut vm, "error", vec![s("bad")]).unwrap();
        assert_eq!(show(Ok(e.clone())), "{\"tag\": err, \"value\": bad}");
        assert_eq!(show(call(&mut vm, "is_error", vec![e])), "true");
    }

    #[test]
    fn print_joins_with_spaces() {
        let (mut vm, out) = vm_with_output();
        call(&mut vm, "print", vec![i(1), s("a"), f(2.5), Value::NIL]).unwrap();
        call(&mut vm, "print_raw", vec![s("x"), s("y")]).unwrap();
        vm.flush();
        assert_eq!(String::from_utf8_lossy(&out.lock().unwrap()), "1 a 2.5 nil\nx y");
    }

    #[test]
    fn exit_carries_its_code() {
        let mut vm = vm();
        let e = call(&mut vm, "exit", vec![i(3)]).unwrap_err();
        assert_eq!(e.exit_code, Some(3));
    }
}
