//! Functional helpers: `identity(x)`, `pipe(x, f, g, ...)` (`g(f(x))`) and
//! `compose(f, g)`, which returns a new function computing `f(g(x))`.
//!
//! A native cannot capture values, so `compose` builds a tiny Lattice closure by hand:
//! two captured cells (`f`, `g`) and the code `f(g(x))`. It is a real closure value, so
//! it prints, compares and travels like any other.

use crate::args::{arg, callable};
use lattice_vm::module::ParamInfo;
use lattice_vm::value::Closure;
use lattice_vm::{Function, Op, Phase, Value, Vm, VmResult};
use std::sync::{Arc, Mutex};

pub fn install(vm: &mut Vm) {
    vm.register_native("identity", identity);
    vm.register_native("pipe", pipe);
    vm.register_native("compose", compose);
}

fn identity(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    Ok(arg(args, 0).clone())
}

/// Threads the first argument through the functions that follow, left to right.
fn pipe(vm: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let mut v = arg(args, 0).clone();
    for i in 1..args.len() {
        let f = callable(args, i, "pipe()")?;
        v = vm.call_value(f, vec![v])?;
    }
    Ok(v)
}

fn compose(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
    let f = callable(args, 0, "compose()")?.clone();
    let g = callable(args, 1, "compose()")?.clone();
    let code = vec![
        Op::GetUpval { idx: 0 },
        Op::GetUpval { idx: 1 },
        Op::GetLocal { slot: 0 },
        Op::Call { argc: 1 },
        Op::Call { argc: 1 },
        Op::Return {},
    ];
    let func = Function {
        name: "compose".into(),
        params: vec![ParamInfo { name: "x".into(), ..ParamInfo::default() }],
        lines: vec![0; code.len()],
        code,
        upval_names: vec!["f".into(), "g".into()],
        max_stack: 4,
        ..Function::default()
    };
    let closure = Closure {
        func: Arc::new(func),
        captures: vec![Arc::new(Mutex::new(f)), Arc::new(Mutex::new(g))],
        next: None,
    };
    Ok(Value::Closure(Arc::new(closure), Phase::Unphased))
}

#[cfg(test)]
mod tests {
    use crate::test_support::*;
    use lattice_vm::{Value, Vm, VmResult};

    fn inc(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
        Ok(Value::int(args[0].as_int().unwrap_or(0) + 1))
    }
    fn double(_: &mut Vm, args: &[Value]) -> VmResult<Value> {
        Ok(Value::int(args[0].as_int().unwrap_or(0) * 2))
    }

    #[test]
    fn pipe_and_compose() {
        let mut vm = vm();
        vm.register_native("t_inc", inc);
        vm.register_native("t_double", double);
        let (inc, dbl) = (native(&vm, "t_inc"), native(&vm, "t_double"));
        assert_eq!(show(call(&mut vm, "identity", vec![s("x")])), "\"x\"");
        assert_eq!(show(call(&mut vm, "pipe", vec![i(3), inc.clone(), dbl.clone()])), "8");
        assert_eq!(
            show(call(&mut vm, "pipe", vec![i(3), i(4)])),
            "error: pipe() expects a function, got Int"
        );
        let h = call(&mut vm, "compose", vec![inc, dbl]).unwrap();
        assert_eq!(show(vm.call_value(&h, vec![i(3)])), "7", "compose(f, g)(x) is f(g(x))");
    }
}
