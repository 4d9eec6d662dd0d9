//! `lat fmt`: rewrite `.lat` files in the canonical layout (`lattice_compiler::fmt`).
//!
//! Files are formatted in place; `-` reads standard input and writes standard output;
//! directories (and no argument, meaning `.`) are searched for `.lat` files, skipping
//! hidden directories and `target/`. With `--check` nothing is written and the names of
//! files that would change are printed. Exit status: 0 done (or nothing to change), 1 when
//! `--check` found a file to change, 65 when a file does not parse (it is left untouched
//! and its diagnostics are shown), 74 on a read or write error.

use crate::{EXIT_COMPILE, EXIT_IO};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What happened to one input, worst last.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Unchanged,
    Changed,
    WouldChange,
    Invalid,
    Io,
}

pub fn run(inputs: &[PathBuf], check: bool) -> ExitCode {
    let inputs = if inputs.is_empty() { vec![PathBuf::from(".")] } else { inputs.to_vec() };
    let mut worst = Outcome::Unchanged;
    for input in &inputs {
        let outcome = if input.as_os_str() == "-" {
            stdin(check)
        } else if input.is_dir() {
            let mut files = Vec::new();
            lat_files(input, &mut files);
            files.sort();
            files.iter().map(|f| file(f, check)).max().unwrap_or(Outcome::Unchanged)
        } else {
            file(input, check)
        };
        worst = worst.max(outcome);
    }
    match worst {
        Outcome::Unchanged | Outcome::Changed => ExitCode::SUCCESS,
        Outcome::WouldChange => ExitCode::from(1),
        Outcome::Invalid => ExitCode::from(EXIT_COMPILE),
        Outcome::Io => ExitCode::from(EXIT_IO),
    }
}

fn file(path: &Path, check: bool) -> Outcome {
    let name = path.display().to_string();
    let src = match std::fs::read_to_string(path) {
        Ok(src) => src,
        Err(err) => {
            eprintln!("error: cannot read {name}: {err}");
            return Outcome::Io;
        }
    };
    let formatted = match format(&name, &src) {
        Some(text) => text,
        None => return Outcome::Invalid,
    };
    if formatted == src {
        return Outcome::Unchanged;
    }
    if check {
        println!("{name}");
        return Outcome::WouldChange;
    }
    match std::fs::write(path, formatted) {
        Ok(()) => Outcome::Changed,
        Err(err) => {
            eprintln!("error: cannot write {name}: {err}");
            Outcome::Io
        }
    }
}

fn stdin(check: bool) -> Outcome {
    let mut src = String::new();
    if let Err(err) = std::io::stdin().read_to_string(&mut src) {
        eprintln!("error: cannot read standard input: {err}");
        return Outcome::Io;
    }
    let Some(formatted) = format("<stdin>", &src) else { return Outcome::Invalid };
    if check {
        return if formatted == src { Outcome::Unchanged } else { Outcome::WouldChange };
    }
    match std::io::stdout().write_all(formatted.as_bytes()) {
        Ok(()) => Outcome::Changed,
        Err(_) => Outcome::Io,
    }
}

/// The formatted text, or `None` after showing why the file cannot be formatted.
fn format(name: &str, src: &str) -> Option<String> {
    match lattice_compiler::fmt::format(src) {
        Ok(text) => Some(text),
        Err(diags) => {
            let color = std::io::stderr().is_terminal();
            eprint!("{}", crate::render::render_diagnostics(name, src, &diags, color));
            None
        }
    }
}

fn lat_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden =
            path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.') || n == "target");
        if path.is_dir() {
            if !hidden {
                lat_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "lat") {
            out.push(path);
        }
    }
}
