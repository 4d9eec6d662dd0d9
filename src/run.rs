//! `lat run FILE [ARGS]`: compile (or load a `.latc` file) and run on the VM.

use crate::render::render_diagnostics;
use crate::{EXIT_COMPILE, EXIT_IO, EXIT_RUNTIME};
use lattice_compiler::{compile_source, CompileOptions};
use lattice_vm::{Function, Vm};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

/// A VM with the standard library and the file loader installed.
pub fn new_vm(args: Vec<String>) -> Vm {
    let mut vm = Vm::new();
    lattice_stdlib::install(&mut vm);
    vm.loader = Some(Arc::new(crate::loader::FileLoader));
    vm.args = args;
    vm
}

/// Reads and compiles `file`; on failure prints why and returns the exit code.
pub fn load_program(file: &Path) -> Result<Function, ExitCode> {
    let bytes = std::fs::read(file).map_err(|e| {
        eprintln!("error: cannot read '{}': {e}", file.display());
        ExitCode::from(EXIT_IO)
    })?;
    if bytes.starts_with(b"LATC") {
        return lattice_vm::format::decode(&bytes).map_err(|e| {
            eprintln!("error: '{}' is not a valid LATC file: {e}", file.display());
            ExitCode::from(EXIT_COMPILE)
        });
    }
    let Ok(src) = String::from_utf8(bytes) else {
        eprintln!("error: '{}' is not valid UTF-8", file.display());
        return Err(ExitCode::from(EXIT_IO));
    };
    let (func, diags) = compile_source(&src, &CompileOptions { entry: true, ..CompileOptions::default() });
    if !diags.is_empty() {
        let color = std::io::stderr().is_terminal();
        eprint!("{}", render_diagnostics(&file.display().to_string(), &src, &diags, color));
    }
    func.ok_or(ExitCode::from(EXIT_COMPILE))
}

pub fn run(file: &Path, args: &[String]) -> ExitCode {
    let func = match load_program(file) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let mut argv = vec![file.display().to_string()];
    argv.extend(args.iter().cloned());
    let mut vm = new_vm(argv);
    let dir = file.parent().map(|p| p.to_path_buf()).unwrap_or_default();
    vm.module_dirs.push(dir);
    let result = vm.run_main(&func);
    vm.flush();
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) if e.exit_code.is_some() => ExitCode::from(e.exit_code.unwrap_or(0).clamp(0, 255) as u8),
        Err(e) => {
            eprint!("{}", e.report());
            ExitCode::from(EXIT_RUNTIME)
        }
    }
}

/// `lat compile FILE [-o OUT]`: writes the program's LATC bytes.
pub fn compile(file: &Path, output: Option<std::path::PathBuf>) -> ExitCode {
    let func = match load_program(file) {
        Ok(f) => f,
        Err(code) => return code,
    };
    if let Err(e) = lattice_vm::verify::verify_tree(&func) {
        eprintln!("error: internal compiler error: {e}");
        return ExitCode::from(EXIT_COMPILE);
    }
    let out = output.unwrap_or_else(|| file.with_extension("latc"));
    match std::fs::write(&out, lattice_vm::format::encode(&func)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: cannot write '{}': {e}", out.display());
            ExitCode::from(EXIT_IO)
        }
    }
}
