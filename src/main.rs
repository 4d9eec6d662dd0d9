//! `lat`: the Lattice command-line tool. Parses arguments with clap and dispatches to the
//! subcommands; it is the only place that reads files, prints diagnostics and picks exit
//! codes (0 ok, 65 compile error, 70 runtime error, 74 IO error).

mod alloc;
mod check;
mod fmt;
mod loader;
mod lsp;
mod render;
mod repl;
mod run;
mod test_cmd;

/// See Cargo.toml: small, short-lived allocations dominate Lattice programs.
#[global_allocator]
static GLOBAL: alloc::MiMalloc = alloc::MiMalloc;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit status for a program that does not compile (BSD `EX_DATAERR`).
pub const EXIT_COMPILE: u8 = 65;
/// Exit status for a runtime error (BSD `EX_SOFTWARE`).
pub const EXIT_RUNTIME: u8 = 70;
/// Exit status for a file that cannot be read or written (BSD `EX_IOERR`).
pub const EXIT_IO: u8 = 74;

/// The Lattice programming language: values move between phases, fluid (`flux`) and
/// crystal (`fix`), like matter.
#[derive(Parser)]
#[command(name = "lat", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check source files for syntax and static errors without running them.
    ///
    /// Exits 0 when every file is valid, 65 when any has errors, 74 when a file cannot be
    /// read.
    Check {
        /// The `.lat` files to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print the syntax tree of each valid file (for debugging and snapshots).
        #[arg(long)]
        ast: bool,
    },
    /// Run a program (`.lat` source or compiled `.latc`).
    ///
    /// Exits 0 on success, 65 when the program does not compile, 70 on a runtime error
    /// (after printing the error and a stack trace), 74 when the file cannot be read.
    Run {
        /// The program to run.
        file: PathBuf,
        /// Arguments for the program (`args()` returns them after the file name).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Compile a program to a LATC bytecode file.
    ///
    /// The output is deterministic: compiling the same source twice gives the same bytes.
    Compile {
        /// The `.lat` source to compile.
        file: PathBuf,
        /// Where to write the bytecode (default: the source path with `.latc`).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Rewrite `.lat` files in the canonical layout (4-space indent, attached braces).
    ///
    /// `-` formats standard input to standard output; a directory (default `.`) is
    /// searched for `.lat` files. Exits 1 under `--check` when a file would change, 65 when
    /// a file does not parse (it is left untouched), 74 on an IO error.
    Fmt {
        /// Files or directories to format, or `-` for standard input.
        files: Vec<PathBuf>,
        /// Change nothing; list the files that would change and exit 1 if any would.
        #[arg(long)]
        check: bool,
    },
    /// Run the language server on standard input and output (for editors).
    Lsp,
    /// Run the `test "name" { }` blocks (and `lib/test` suites) of a file or of every
    /// `.lat` file under a folder.
    ///
    /// Exits 0 when every test passed, 1 when any failed or none was found.
    Test {
        /// A `.lat` file or a folder to search (default: the current folder).
        path: Option<PathBuf>,
        /// Run only the tests whose name contains this text.
        #[arg(long)]
        filter: Option<String>,
        /// Show what passing tests print, not only failing ones.
        #[arg(long)]
        verbose: bool,
    },
    /// Print the bytecode of a program (`.lat` or `.latc`), one instruction per line.
    Disasm {
        /// The program to disassemble.
        file: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Check { files, ast }) => check::run(&files, ast),
        Some(Command::Run { file, args }) => run::run(&file, &args),
        Some(Command::Compile { file, output }) => run::compile(&file, output),
        Some(Command::Fmt { files, check }) => fmt::run(&files, check),
        Some(Command::Lsp) => lsp::run(),
        Some(Command::Test { path, filter, verbose }) => {
            test_cmd::run(&path.unwrap_or_else(|| PathBuf::from(".")), &test_cmd::Options { filter, verbose })
        }
        Some(Command::Disasm { file }) => match run::load_program(&file) {
            Ok(f) => {
                print!("{}", lattice_vm::disasm::disassemble(&f));
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        None => repl::run(),
    }
}
