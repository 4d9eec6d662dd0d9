//! Test assertions: `assert_eq`, `assert_ne`, `assert_true`, `assert_false`,
//! `assert_nil`, `assert_throws`, `assert_contains`, `assert_type`. Each returns Unit
//! when it holds and raises an error naming what it saw otherwise; `assert_throws`
//! returns the caught error's message.

use crate::args::{arg, fail};
use crate::core::takes_no_params;
use lattice_vm::compare::values_equal;
use lattice_vm::display::to_display;
use lattice_vm::{Value, Vm, VmResult};

pub fn install(vm: &mut Vm) {
    vm.register_native("assert_eq", assert_eq);
    vm.register_native("assert_ne", assert_ne);
    vm.register_native("assert_true", assert_true);
    vm.register_native("assert_false", assert_false);
    vm.register_native("assert_nil", assert_nil);
    vm.register_native("assert_throws", assert_throws);
    vm.register_native("assert_contains", assert_contains);
    vm.register_native("assert_type", assert_type);
}

fn assert_eq(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    if args.len() < 2 {
        return fail("assert_eq() expects 2 arguments");
    }
    if !values_equal(&args[0], &args[1]) {
        return fail(format!("assert_eq: expected {}, got {}", to_display(&args[1]), to_display(&args[0])));
    }
    Ok(Value::UNIT)
}

fn assert_ne(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    if args.len() < 2 {
        return fail("assert_ne() expects 2 arguments");
    }
    if values_equal(&args[0], &args[1]) {
        return fail(format!("assert_ne: values are equal: {}", to_display(&args[0])));
    }
    Ok(Value::UNIT)
}

fn assert_true(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    match arg(args, 0) {
        Value::Bool(true, _) => Ok(Value::UNIT),
        other => fail(format!("assert_true: expected true, got {}", to_display(other))),
    }
}

fn assert_false(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    match arg(args, 0) {
        Value::Bool(false, _) => Ok(Value::UNIT),
        other => fail(format!("assert_false: expected false, got {}", to_display(other))),
    }
}

fn assert_nil(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    match arg(args, 0) {
        Value::Nil(_) => Ok(Value::UNIT),
        other => fail(format!("assert_nil: expected nil, got {}", to_display(other))),
    }
}

/// Calls the closure (with one nil argument when it declares a parameter) and expects it
/// to fail, by raising or by returning an `error(...)` value. Returns the message.
fn assert_throws(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let f = arg(args, 0);
    if !f.is_callable() {
        return fail("assert_throws() expects a closure argument");
    }
    let call_args =
        if takes_no_params(f) || matches!(f, Value::Native(..)) { vec![] } else { vec![Value::NIL] };
    match vm.call_value(f, call_args) {
        Err(e) if e.exit_code.is_some() => Err(e),
        Err(e) => Ok(match e.thrown {
            Some(v) => v,
            None => Value::str(e.message),
        }),
        Ok(Value::Map(m, _)) if m.get("tag").and_then(Value::as_str) == Some("err") => {
            Ok(m.get("value").cloned().unwrap_or_else(|| Value::str("error")))
        }
        Ok(_) => fail("assert_throws: expected an error but none was thrown"),
    }
}

fn assert_contains(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    if args.len() < 2 {
        return fail("assert_contains() expects 2 arguments");
    }
    let found = match (&args[0], &args[1]) {
        (Value::Str(h, _), Value::Str(n, _)) => h.contains(n.as_str()),
        (Value::Str(..), _) => false,
        (Value::Array(items, _), needle) => items.iter().any(|v| values_equal(v, needle)),
        _ => return fail("assert_contains: first argument must be a String or Array"),
    };
    if !found {
        return fail(format!(
            "assert_contains: {} does not contain {}",
            to_display(&args[0]),
            to_display(&args[1])
        ));
    }
    Ok(Value::UNIT)
}

/// Passes when the type name (or a struct's own name) is the expected one.
fn assert_type(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let Value::Str(want, _) = arg(args, 1) else {
        return fail("assert_type() expects (value, type_name_string)");
    };
    let v = arg(args, 0);
    if let Value::Struct(s, _) = v {
        if s.def.name == **want {
            return Ok(Value::UNIT);
        }
    }
    if v.type_name() != want.as_str() {
        return fail(format!("assert_type: expected type {want}, got {}", v.type_name()));
    }
    Ok(Value::UNIT)
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use lattice_vm::Value;

    #[test]
    fn assertions() {
        let mut vm = vm();
        let boom = native(&vm, "panic");
        let fine = native(&vm, "version");
        assert_eq!(show(call(&mut vm, "assert_throws", vec![boom])), "\"panic\"");
        assert_eq!(
            show(call(&mut vm, "assert_throws", vec![fine])),
            "error: assert_throws: expected an error but none was thrown"
        );
        check_calls(vec![
            ("assert_eq", vec![i(1), f(1.0)], "()"),
            ("assert_eq", vec![i(1), i(2)], "error: assert_eq: expected 2, got 1"),
            ("assert_ne", vec![s("a"), s("a")], "error: assert_ne: values are equal: a"),
            ("assert_true", vec![i(1)], "error: assert_true: expected true, got 1"),
            ("assert_false", vec![Value::FALSE], "()"),
            ("assert_nil", vec![Value::NIL], "()"),
            ("assert_nil", vec![i(0)], "error: assert_nil: expected nil, got 0"),
            ("assert_contains", vec![s("hello"), s("ell")], "()"),
            (
                "assert_contains",
                vec![ints(&[1, 2]), i(3)],
                "error: assert_contains: [1, 2] does not contain 3",
            ),
            (
                "assert_contains",
                vec![i(1), i(1)],
                "error: assert_contains: first argument must be a String or Array",
            ),
            ("assert_type", vec![i(1), s("Int")], "()"),
            ("assert_type", vec![i(1), s("String")], "error: assert_type: expected type String, got Int"),
        ]);
    }
}
