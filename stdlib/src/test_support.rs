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
pub fn map(entries: Vec<(&str, Value)>) -> Value {
    let mut m = lattice_vm::LatMap::new();
    for (k, v) in entries {
        m.insert(k, v);
    }
    Value::map(m)
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

/// A loader over the real compiler, reading modules from the file system, for tests of
/// `lat_eval`, `require` and the embedded libraries.
pub struct TestLoader;

impl lattice_vm::Loader for TestLoader {
    fn load_module(
        &self,
        path: &str,
        from_dir: Option<&std::path::Path>,
    ) -> Result<(lattice_vm::Function, std::path::PathBuf), String> {
        let with_ext = if path.ends_with(".lat") { path.to_string() } else { format!("{path}.lat") };
        let file = from_dir
            .map(|d| d.join(&with_ext))
            .filter(|p| p.is_file())
            .unwrap_or_else(|| with_ext.clone().into());
        let src = match std::fs::read_to_string(&file) {
            Ok(src) => src,
            Err(_) => crate::embedded_lib(path)
                .ok_or_else(|| format!("import: cannot find '{with_ext}'"))?
                .to_string(),
        };
        let (func, diags) =
            lattice_compiler::compile_source(&src, &lattice_compiler::CompileOptions::default());
        let func = func
            .ok_or_else(|| format!("{path}: {:?}", diags.iter().map(|d| &d.message).collect::<Vec<_>>()))?;
        Ok((func, file))
    }
    fn compile_source(&self, src: &str) -> Result<lattice_vm::Function, String> {
        let opts = lattice_compiler::CompileOptions { repl: true, ..Default::default() };
        let (func, diags) = lattice_compiler::compile_source(src, &opts);
        func.ok_or_else(|| {
            let d = diags.iter().find(|d| d.is_error()).map(|d| d.message.clone()).unwrap_or_default();
            format!("<eval>:{d}")
        })
    }
    fn tokenize(&self, src: &str) -> Vec<String> {
        lattice_compiler::tokenize(src)
            .into_iter()
            .filter_map(|(_, s)| src.get(s.range()).map(str::to_string))
            .collect()
    }
    fn is_complete(&self, src: &str) -> bool {
        let (_, diags) = lattice_compiler::parse(src);
        let end = src.trim_end().len() as u32;
        !diags.iter().any(|d| d.is_error() && d.primary.span.start >= end)
    }
}

/// A VM with the standard library, a compiler behind `vm.loader`, and captured output.
pub fn vm_with_loader() -> (Vm, Arc<Mutex<Vec<u8>>>) {
    let (mut vm, out) = vm_with_output();
    vm.loader = Some(Arc::new(TestLoader));
    (vm, out)
}

/// Compiles and runs `src` as a main program; returns its output, then `error: msg`
/// when it failed.
pub fn run_program(src: &str) -> String {
    let (mut vm, out) = vm_with_loader();
    let opts = lattice_compiler::CompileOptions { entry: true, ..Default::default() };
    let (func, diags) = lattice_compiler::compile_source(src, &opts);
    let Some(func) = func else {
        return format!("compile error: {:?}", diags.iter().map(|d| d.message.clone()).collect::<Vec<_>>());
    };
    let result = vm.run_main(&func);
    vm.flush();
    let mut text = String::from_utf8_lossy(&out.lock().unwrap()).into_owned();
    if let Err(e) = result {
        text.push_str(&format!("error: {}", e.message));
    }
    text
}
