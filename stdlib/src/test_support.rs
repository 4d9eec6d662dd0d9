//! Test helpers: a VM with the standard library installed, calls of natives and methods
//! by name, captured output, and a one-line rendering of results for data-driven checks.

use lattice_vm::{TypeTag, Value, Vm, VmResult};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// A VM with everything installed.
pub fn vm() -> Vm {
    let mut vm = Vm::new();
    crate::install(&mut vm);
    vm
}

/// A VM whose standard output lands in the returned buffer.
pub fn vm_with_output() -> (Vm, Arc<Mutex<Vec<u8>>>) {
    let mut vm = vm();
    let buf = Arc::new(Mutex::new(Vec::new()));
    vm.out = Box::new(SharedBuf(buf.clone()));
    (vm, buf)
}

struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Calls the native `name`.
pub fn call(vm: &mut Vm, name: &str, args: Vec<Value>) -> VmResult<Value> {
    let f = vm.native_value(name).unwrap_or_else(|| panic!("no native {name}"));
    vm.call_value(&f, args)
}

/// Calls builtin method `name` on `recv` (in place, as the VM does for a variable).
pub fn method(vm: &mut Vm, recv: &mut Value, name: &str, args: Vec<Value>) -> VmResult<Value> {
    let (f, _) = vm
        .method(TypeTag::of(recv), name)
        .unwrap_or_else(|| panic!("no method {name} on {}", recv.type_name()));
    f(vm, recv, &args)
}

/// The native `name` as a value, to pass as a callback.
pub fn native(vm: &Vm, name: &str) -> Value {
    vm.native_value(name).unwrap_or_else(|| panic!("no native {name}"))
}

/// A result as one line: the value's repr, or `error: message`.
pub fn show(r: VmResult<Value>) -> String {
    match r {
        Ok(v) => lattice_vm::display::repr(&v),
        Err(e) => format!("error: {}", e.message),
    }
}

/// Shorthands for building values.
pub fn s(text: &str) -> Value {
    Value::str(text)
}
pub fn i(n: i64) -> Value {
    Value::int(n)
}
pub fn f(x: f64) -> Value {
    Value::float(x)
}
pub fn arr(items: Vec<Value>) -> Value {
    Value::array(items)
}
pub fn ints(items: &[i64]) -> Value {
    Value::array(items.iter().map(|&n| Value::int(n)).collect())
}
pub fn strs(items: &[&str]) -> Value {
    Value::array(items.iter().map(|&t| Value::str(t)).collect())
}

/// Checks native calls: each case is (name, args, expected `show` text).
pub fn check_calls(cases: Vec<(&str, Vec<Value>, &str)>) {
    let mut vm = vm();
    for (name, args, want) in cases {
        let desc =
            format!("{name}({})", args.iter().map(lattice_vm::display::repr).collect::<Vec<_>>().join(", "));
        assert_eq!(show(call(&mut vm, name, args)), want, "{desc}");
    }
}

/// Checks method calls: each case is (receiver, method, args, expected `show` text).
pub fn check_methods(cases: Vec<(Value, &str, Vec<Value>, &str)>) {
    let mut vm = vm();
    for (mut recv, name, args, want) in cases {
        let desc = format!("{}.{name}(..)", lattice_vm::display::repr(&recv));
        assert_eq!(show(method(&mut vm, &mut recv, name, args)), want, "{desc}");
    }
}
