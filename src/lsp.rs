//! `lat lsp`: runs the language server (crate `lattice-lsp`) on standard input and output.

use crate::EXIT_IO;
use std::process::ExitCode;

pub fn run() -> ExitCode {
    match lattice_lsp::run_stdio() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: language server: {err}");
            ExitCode::from(EXIT_IO)
        }
    }
}
