//! `lat check`: parse and statically check files, render their diagnostics.
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(_files: &[PathBuf], _ast: bool) -> ExitCode {
    ExitCode::SUCCESS
}
