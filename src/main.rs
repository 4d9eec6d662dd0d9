//! `lat`: the Lattice command-line tool. Parses arguments with clap and dispatches to the
//! subcommands; it is the only place that reads files, prints diagnostics and picks exit
//! codes (0 ok, 65 compile error, 70 runtime error, 74 IO error).

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// The Lattice programming language: values move between phases, fluid (`flux`) and
/// crystal (`fix`), like matter.
#[derive(Parser)]
#[command(name = "lat", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None => ExitCode::SUCCESS,
    }
}
