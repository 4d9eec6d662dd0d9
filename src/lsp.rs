//! `lat lsp`: runs the language server (crate `lattice-lsp`) on standard input and output.

use crate::EXIT_IO;
use std::process::ExitCode;

pub fn run() -> ExitCode {
    // The server learns the standard library's native names, so it never suggests
    // "did you mean" for a call of one.
    let mut vm = lattice_vm::Vm::new();
    lattice_stdlib::install(&mut vm);
    let natives = vm.native_names().map(str::to_string).collect();
    match lattice_lsp::run_stdio_with_natives(natives) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: language server: {err}");
            ExitCode::from(EXIT_IO)
        }
    }
}
