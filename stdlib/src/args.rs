//! Argument access shared by natives and methods: reading an argument by position and
//! checking its type, with the error messages the builtins share.
//!
//! The VM does not check how many arguments a native receives, so every read here
//! tolerates a short list: a missing argument reads as `nil` and fails the type check
//! like any other wrong value.

use lattice_vm::{RuntimeError, Value, VmResult};

static NIL: Value = Value::NIL;

/// Argument `i`, or `nil` when the caller passed fewer.
pub fn arg(args: &[Value], i: usize) -> &Value {
    args.get(i).unwrap_or(&NIL)
}

/// An error result with `msg`.
pub fn fail<T>(msg: impl Into<String>) -> VmResult<T> {
    Err(RuntimeError::new(msg))
}

/// Argument `i` as an Int; `what` names the callee in the error (`"range()"`).
pub fn int(args: &[Value], i: usize, what: &str) -> VmResult<i64> {
    match arg(args, i) {
        Value::Int(n, _) => Ok(*n),
        other => fail(format!("{what} expects an Int, got {}", other.type_name())),
    }
}

/// Argument `i` as a String.
pub fn string<'a>(args: &'a [Value], i: usize, what: &str) -> VmResult<&'a str> {
    match arg(args, i) {
        Value::Str(s, _) => Ok(s.as_str()),
        other => fail(format!("{what} expects a String, got {}", other.type_name())),
    }
}

/// Argument `i` as a callable value (closure or native).
pub fn callable<'a>(args: &'a [Value], i: usize, what: &str) -> VmResult<&'a Value> {
    let v = arg(args, i);
    if v.is_callable() {
        Ok(v)
    } else {
        fail(format!("{what} expects a function, got {}", v.type_name()))
    }
}

/// Whether a predicate result counts as "yes": the builtins that filter or search want a
/// real `true`, as in the reference (a truthy non-Bool does not count).
pub fn is_true(v: &Value) -> bool {
    matches!(v, Value::Bool(true, _))
}

/// Largest string or collection a builtin will build on request (256 MiB of elements),
/// so a runaway size argument is an error instead of an out-of-memory abort.
pub const MAX_BUILD: usize = 1 << 28;
