//! `lat test [PATH]`: runs the `test "name" { ... }` blocks of a file, or of every `.lat`
//! file under a folder, and files that run a `lib/test` suite.
//!
//! Each test runs alone in a fresh VM: the program is the file's items other than its
//! tests (functions, types, top-level statements) followed by the test's body as one
//! block, compiled from the file's own syntax tree so that lines in errors are the
//! file's lines. `fn main` is not called. A test passes when that program finishes
//! without a runtime error. What a test prints is captured and shown only when it fails
//! (or always under `--verbose`).
//!
//! A file with no `test` blocks that imports `lib/test` is one test: it passes when it
//! runs without error and its suite reported no failure (no `✗` line, and a zero in the
//! `N passed, M failed` summary that `lib/test`'s `run` prints).
//!
//! Exit codes: 0 when every test passed, 1 when any failed or none was found, 65 when a
//! named file does not compile, 74 when a path cannot be read.

use crate::render::render_diagnostics;
use crate::{EXIT_COMPILE, EXIT_IO};
use lattice_compiler::syntax::ast::{Expr, ExprKind, Item, ItemKind, Program, Stmt, StmtKind};
use lattice_compiler::CompileOptions;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

/// Exit status when a test failed or none was found.
const EXIT_FAILED: u8 = 1;

/// How `lat test` was asked to run.
pub struct Options {
    /// Run only tests whose name contains this text.
    pub filter: Option<String>,
    /// Show what passing tests print too.
    pub verbose: bool,
}

/// The outcome of one test.
enum Outcome {
    Pass,
    /// The message, and the line of the test's code where it failed (0 when unknown).
    Fail(String, u32),
}

/// Counts over the whole run.
#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
    /// Files that would not compile (counted as failed too).
    broken: usize,
}

pub fn run(path: &Path, opts: &Options) -> ExitCode {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: cannot read '{}': {e}", path.display());
            return ExitCode::from(EXIT_IO);
        }
    };
    let explicit = !meta.is_dir();
    let files = if explicit { vec![path.to_path_buf()] } else { lat_files(path) };
    let color = std::io::stdout().is_terminal();
    let mut tally = Tally::default();
    for file in &files {
        if let Err(code) = run_file(file, explicit, opts, color, &mut tally) {
            return code;
        }
    }
    let total = tally.passed + tally.failed;
    if total == 0 {
        if tally.broken == 0 {
            let what = if explicit { "in" } else { "under" };
            eprintln!(
                "error: no tests found {what} '{}' (no `test \"name\" {{ }}` blocks and no `lib/test` suites{})",
                path.display(),
                if opts.filter.is_some() { " matching the filter" } else { "" }
            );
        }
        return ExitCode::from(if explicit && tally.broken > 0 { EXIT_COMPILE } else { EXIT_FAILED });
    }
    println!();
    println!("{} passed, {} failed", tally.passed, tally.failed);
    if tally.failed > 0 {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

/// Every `.lat` file under `dir`, sorted, skipping hidden folders and `target`.
fn lat_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let p = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if p.is_dir() {
                if !name.starts_with('.') && name != "target" {
                    stack.push(p);
                }
            } else if name.ends_with(".lat") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Whether the program imports `lib/test`.
fn imports_lib_test(program: &Program) -> bool {
    program.items.iter().any(|item| match &item.kind {
        ItemKind::Stmt(Stmt { kind: StmtKind::Import(imp), .. }) => {
            let p = imp.path.strip_suffix(".lat").unwrap_or(&imp.path);
            p.strip_prefix("./").unwrap_or(p) == "lib/test"
        }
        _ => false,
    })
}

/// Runs the tests of one file, adding to `tally`. `Err` stops the whole run.
fn run_file(
    file: &Path,
    explicit: bool,
    opts: &Options,
    color: bool,
    tally: &mut Tally,
) -> Result<(), ExitCode> {
    let shown = file.display().to_string();
    let src = match std::fs::read(file).map(String::from_utf8) {
        Ok(Ok(s)) => s,
        Ok(Err(_)) if !explicit => return Ok(()),
        Ok(Err(_)) => {
            eprintln!("error: '{shown}' is not valid UTF-8");
            return Err(ExitCode::from(EXIT_IO));
        }
        Err(e) => {
            eprintln!("error: cannot read '{shown}': {e}");
            return Err(ExitCode::from(EXIT_IO));
        }
    };
    let (program, mut diags) = lattice_compiler::parse(&src);
    if let Some(p) = &program {
        if !diags.iter().any(|d| d.is_error()) {
            diags.extend(lattice_compiler::check(p));
        }
    }
    let program = program.filter(|_| !diags.iter().any(|d| d.is_error()));
    let Some(program) = program else {
        // In a folder, only files that look like tests are worth a complaint.
        if explicit || src.contains("test \"") || src.contains("lib/test") {
            eprint!("{}", render_diagnostics(&shown, &src, &diags, std::io::stderr().is_terminal()));
            println!("{} {shown}: does not compile", paint("FAIL", "31", color));
            tally.broken += 1;
            if !explicit {
                tally.failed += 1;
            }
        }
        return Ok(());
    };
    let tests: Vec<&Item> = program.items.iter().filter(|i| matches!(i.kind, ItemKind::Test(_))).collect();
    let suite = tests.is_empty() && imports_lib_test(&program);
    if tests.is_empty() && !suite {
        return Ok(());
    }
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let line_index = lattice_compiler::LineIndex::new(&src);
    let mut header_done = false;
    let mut header = |color: bool| {
        if !std::mem::replace(&mut header_done, true) {
            println!("{}", paint(&shown, "1", color));
        }
    };
    if suite {
        let name = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        if opts.filter.as_deref().is_some_and(|f| !name.contains(f)) {
            return Ok(());
        }
        let (outcome, output) = run_program(&program, &src, &dir, None);
        let outcome = match outcome {
            Outcome::Pass => match suite_failure(&output) {
                Some(msg) => Outcome::Fail(msg, 0),
                None => Outcome::Pass,
            },
            fail => fail,
        };
        header(color);
        report(&shown, &name, &outcome, &output, opts.verbose, color, tally);
        return Ok(());
    }
    for item in tests {
        let ItemKind::Test(t) = &item.kind else { continue };
        if opts.filter.as_deref().is_some_and(|f| !t.name.contains(f)) {
            continue;
        }
        let (mut outcome, output) = run_program(&program, &src, &dir, Some(item));
        if let Outcome::Fail(_, line @ 0) = &mut outcome {
            *line = line_index.line_col(&src, t.name_span.start).0;
        }
        header(color);
        report(&shown, &t.name, &outcome, &output, opts.verbose, color, tally);
    }
    Ok(())
}

/// Prints one test's result line (and its output when it failed or under `verbose`).
fn report(
    file: &str,
    name: &str,
    outcome: &Outcome,
    output: &str,
    verbose: bool,
    color: bool,
    tally: &mut Tally,
) {
    match outcome {
        Outcome::Pass => {
            tally.passed += 1;
            println!("  {}  {name}", paint("PASS", "32", color));
        }
        Outcome::Fail(msg, line) => {
            tally.failed += 1;
            let at = if *line > 0 { format!("{file}:{line}") } else { file.to_string() };
            println!("  {}  {name}", paint("FAIL", "31", color));
            println!("        {at}: {msg}");
        }
    }
    if (verbose || matches!(outcome, Outcome::Fail(..))) && !output.is_empty() {
        for line in output.lines() {
            println!("      | {line}");
        }
    }
    let _ = std::io::stdout().flush();
}

fn paint(text: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// Why a `lib/test` suite's output says it failed, if it does.
fn suite_failure(output: &str) -> Option<String> {
    for line in output.lines() {
        let t = line.trim();
        // lib/test's summary: "N passed, M failed, T total".
        let mut words = t.split(", ");
        if let (Some(p), Some(f)) = (words.next(), words.next()) {
            let passed = p.strip_suffix(" passed").and_then(|n| n.parse::<u64>().ok());
            let failed = f.strip_suffix(" failed").and_then(|n| n.parse::<u64>().ok());
            if let (Some(_), Some(n)) = (passed, failed) {
                if n > 0 {
                    return Some(format!("suite reported {n} failed"));
                }
            }
        }
    }
    // A failed case's line: `✗ name: message` (`u2717` where the escape is not decoded).
    let failed = output
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with('\u{2717}') || l.starts_with("u2717 "))
        .count();
    (failed > 0).then(|| format!("suite reported {failed} failed"))
}

/// Compiles and runs the file's non-test items plus, when given, one test's body, in a
/// fresh VM with its output captured.
fn run_program(program: &Program, src: &str, dir: &Path, test: Option<&Item>) -> (Outcome, String) {
    let mut items: Vec<Item> =
        program.items.iter().filter(|i| !matches!(i.kind, ItemKind::Test(_))).cloned().collect();
    if let Some(Item { kind: ItemKind::Test(t), span, .. }) = test {
        let body = Expr { kind: ExprKind::Block(t.body.clone()), span: t.body.span };
        items.push(Item {
            kind: ItemKind::Stmt(Stmt { kind: StmtKind::Expr(body), span: *span }),
            span: *span,
            exported: false,
            annotation: None,
            doc: None,
        });
    }
    let program = Program { items, ..program.clone() };
    let (func, diags) = lattice_compiler::compile(&program, src, &CompileOptions::default());
    let Some(func) = func else {
        let msg =
            diags.iter().find(|d| d.is_error()).map_or("does not compile".into(), |d| d.message.clone());
        return (Outcome::Fail(msg, 0), String::new());
    };
    let mut vm = crate::run::new_vm(vec![]);
    let buf = Arc::new(Mutex::new(Vec::new()));
    vm.out = Box::new(Capture(buf.clone()));
    vm.module_dirs.push(dir.to_path_buf());
    let result = vm.run_main(&func);
    vm.flush();
    drop(vm);
    let output = String::from_utf8_lossy(&buf.lock().map(|b| b.clone()).unwrap_or_default()).into_owned();
    let outcome = match result {
        Ok(_) => Outcome::Pass,
        Err(e) if e.exit_code == Some(0) => Outcome::Pass,
        Err(e) if e.exit_code.is_some() => Outcome::Fail(e.message, 0),
        Err(e) => {
            let line = e.trace.first().map_or(0, |f| f.line);
            Outcome::Fail(e.message, line)
        }
    };
    (outcome, output)
}

/// A `Write` into a shared buffer, for a VM's captured output.
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
