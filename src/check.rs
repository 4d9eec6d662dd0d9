//! `lat check`: parse and statically check files, render their diagnostics.
//!
//! Exit status: 0 when every file is valid, 65 when any has an error, 74 when a file
//! cannot be read (reading stops there). Diagnostics go to stderr, `--ast` trees to stdout.

use crate::{EXIT_COMPILE, EXIT_IO};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(files: &[PathBuf], ast: bool) -> ExitCode {
    let color = std::io::stderr().is_terminal();
    let mut failed = false;
    for file in files {
        let path = file.display().to_string();
        let src = match std::fs::read_to_string(file) {
            Ok(src) => src,
            Err(err) => {
                eprintln!("error: cannot read {path}: {err}");
                return ExitCode::from(EXIT_IO);
            }
        };
        let (program, mut diags) = lattice_compiler::parse(&src);
        if let Some(program) = &program {
            if !diags.iter().any(|d| d.is_error()) {
                diags.extend(lattice_compiler::check(program));
            }
            if ast {
                print!("{}", lattice_compiler::pretty_print(program));
            }
        }
        if diags.iter().any(|d| d.is_error()) || program.is_none() {
            failed = true;
        }
        if !diags.is_empty() {
            eprint!("{}", crate::render::render_diagnostics(&path, &src, &diags, color));
        }
    }
    if failed {
        ExitCode::from(EXIT_COMPILE)
    } else {
        ExitCode::SUCCESS
    }
}
