//! The interactive REPL that `lat` starts when given no subcommand.
//!
//! Each entry (one line, or several while a construct is still open) is compiled as a
//! REPL chunk and run on one long-lived `Vm`; top-level names are globals of the VM's main
//! namespace, so definitions persist from entry to entry. An expression's value is shown
//! as `=> repr`, unless it is Unit or nil (statements, `print`). Errors are printed and
//! the session goes on; only `exit(n)`, `:quit` or end of input end it.
//!
//! On a terminal the line editor is rustyline, with history kept in `~/.lattice_history`,
//! tab completion of keywords and global names, and multi-line input decided by
//! [`is_incomplete`]. When standard input is not a terminal (a script piped in, a test),
//! lines are read plainly, with the same multi-line rule and no prompt or banner.
//!
//! This module does not format values itself (`lattice_vm::display::repr` does) and does
//! not render diagnostics itself (`crate::render` does).

use crate::render::render_diagnostics;
use lattice_compiler::{compile_source, CompileOptions, Diagnostic, TokenKind};
use lattice_vm::{Value, Vm};
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::FileHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Editor, Helper};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Starts the REPL on standard input; returns when input ends or the program exits.
pub fn run() -> ExitCode {
    let mut session = Session::new();
    let result = if std::io::stdin().is_terminal() { interactive(&mut session) } else { piped(&mut session) };
    session.vm.flush();
    result
}

/// Parse errors that mean "the construct is not finished yet": unterminated block comment,
/// triple-quoted string, string literal and string interpolation.
const UNTERMINATED: &[&str] = &["E0003", "E0005", "E0006", "E0008"];

/// Whether `src` stops in the middle of a construct, so the REPL should read another line
/// before compiling: an unclosed bracket, an unterminated string or comment, or a parse
/// error at the very end of the input (`1 +`, `let x =`).
pub fn is_incomplete(src: &str) -> bool {
    let mut depth = 0i32;
    for (kind, _) in lattice_compiler::tokenize(src) {
        match kind {
            TokenKind::LParen | TokenKind::LBrace | TokenKind::LBracket => depth += 1,
            TokenKind::RParen | TokenKind::RBrace | TokenKind::RBracket => depth -= 1,
            _ => {}
        }
    }
    if depth > 0 {
        return true;
    }
    if depth < 0 {
        // Too many closers can never be completed: compile it and show the error.
        return false;
    }
    let end = src.trim_end().len();
    let (_, diags) = lattice_compiler::parse(src);
    diags
        .iter()
        .filter(|d| d.is_error())
        .any(|d| UNTERMINATED.contains(&d.code) || d.primary.span.start as usize >= end)
}

/// Whether the entry's last item is an expression statement, the only kind whose value
/// the REPL shows (a chunk ending in a definition returns its exports, not a value).
fn ends_in_expression(src: &str) -> bool {
    use lattice_compiler::syntax::ast::{ItemKind, StmtKind};
    let (program, _) = lattice_compiler::parse(src);
    let last = program.and_then(|p| p.items.into_iter().last());
    matches!(last.map(|i| i.kind), Some(ItemKind::Stmt(s)) if matches!(s.kind, StmtKind::Expr(_)))
}

/// One REPL session: the VM whose globals persist between entries.
struct Session {
    vm: Vm,
    /// Set when the program called `exit(n)`.
    exit: Option<u8>,
}

impl Session {
    fn new() -> Session {
        let mut vm = crate::run::new_vm(vec!["<repl>".to_string()]);
        if let Ok(dir) = std::env::current_dir() {
            vm.module_dirs.push(dir);
        }
        Session { vm, exit: None }
    }

    /// Compiles and runs one entry, printing its value or its errors.
    fn eval(&mut self, src: &str) {
        let (func, diags) = compile_source(src, &CompileOptions { repl: true, ..CompileOptions::default() });
        self.report(src, &diags);
        let Some(func) = func else { return };
        let shows_value = ends_in_expression(src);
        let result = self.vm.run_main(&func);
        self.vm.flush();
        match result {
            Ok(Value::Unit(_)) | Ok(Value::Nil(_)) => {}
            Ok(value) if shows_value => println!("=> {}", lattice_vm::display::repr(&value)),
            Ok(_) => {}
            Err(e) if e.exit_code.is_some() => self.exit = Some(e.exit_code.unwrap_or(0).clamp(0, 255) as u8),
            Err(e) => eprint!("{}", e.report()),
        }
        let _ = std::io::stdout().flush();
    }

    fn report(&self, src: &str, diags: &[Diagnostic]) {
        if !diags.is_empty() {
            eprint!("{}", render_diagnostics("<repl>", src, diags, std::io::stderr().is_terminal()));
        }
    }

    /// Names for tab completion: keywords and every global the VM knows.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> =
            lattice_compiler::ide::builtins::KEYWORDS.iter().map(|(k, _)| k.to_string()).collect();
        names.extend(self.vm.global_names.iter().filter(|n| !n.is_empty()).cloned());
        names.sort();
        names.dedup();
        names
    }

    fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit.unwrap_or(0))
    }
}

/// Whether an entry is a REPL command that ends the session.
fn is_quit(line: &str) -> bool {
    matches!(line.trim(), ":quit" | ":q")
}

/// Reads entries from a non-terminal standard input: no prompt, no banner. A blank line
/// ends an unfinished entry early (its error is then shown).
fn piped(session: &mut Session) -> ExitCode {
    let stdin = std::io::stdin();
    let mut buffer = String::new();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        if buffer.is_empty() && is_quit(&line) {
            return session.exit_code();
        }
        buffer.push_str(&line);
        buffer.push('\n');
        if !line.trim().is_empty() && is_incomplete(&buffer) {
            continue;
        }
        let entry = std::mem::take(&mut buffer);
        if !entry.trim().is_empty() {
            session.eval(&entry);
        }
        if session.exit.is_some() {
            return session.exit_code();
        }
    }
    if !buffer.trim().is_empty() {
        session.eval(&buffer);
    }
    session.exit_code()
}

/// The rustyline helper: completion of names, and multi-line input while incomplete.
struct ReplHelper {
    names: Vec<String>,
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _ctx: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let start = line[..pos]
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(0);
        let word = &line[start..pos];
        if word.is_empty() {
            return Ok((pos, Vec::new()));
        }
        let matches = self
            .names
            .iter()
            .filter(|n| n.starts_with(word))
            .map(|n| Pair { display: n.clone(), replacement: n.clone() })
            .collect();
        Ok((start, matches))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {}

impl Validator for ReplHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        // A blank last line submits an unfinished entry, so a typo cannot trap the user.
        if input.ends_with('\n') || !is_incomplete(input) {
            Ok(ValidationResult::Valid(None))
        } else {
            Ok(ValidationResult::Incomplete)
        }
    }
}

impl Helper for ReplHelper {}

fn history_path() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".lattice_history"))
}

/// The terminal REPL on rustyline.
fn interactive(session: &mut Session) -> ExitCode {
    let mut editor: Editor<ReplHelper, FileHistory> = match Editor::new() {
        Ok(editor) => editor,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return piped(session);
        }
    };
    editor.set_helper(Some(ReplHelper { names: session.names() }));
    let history = history_path();
    if let Some(path) = &history {
        // A missing history file is normal on the first run.
        let _ = editor.load_history(path);
    }
    println!(
        "Lattice {} — enter expressions or definitions; Tab completes, Ctrl-D exits.",
        env!("CARGO_PKG_VERSION")
    );
    loop {
        match editor.readline("lattice> ") {
            Ok(line) => {
                if line.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(line.as_str());
                if is_quit(&line) {
                    break;
                }
                session.eval(&line);
                if session.exit.is_some() {
                    break;
                }
                if let Some(helper) = editor.helper_mut() {
                    helper.names = session.names();
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                break;
            }
        }
    }
    if let Some(path) = &history {
        if let Err(e) = editor.save_history(path) {
            eprintln!("warning: cannot save history to {}: {e}", path.display());
        }
    }
    session.exit_code()
}

#[cfg(test)]
mod tests {
    use super::is_incomplete;

    fn check(src: &str, incomplete: bool) {
        assert_eq!(is_incomplete(src), incomplete, "is_incomplete({src:?})");
    }

    #[test]
    fn open_constructs_are_incomplete() {
        check("fn f() {\n", true);
        check("let xs = [1, 2,\n", true);
        check("print(1,\n", true);
        check("let s = \"abc\n", true);
        check("let s = \"\"\"\n  text\n", true);
        check("/* comment\n", true);
        check("1 +\n", true);
        check("let x =\n", true);
    }

    #[test]
    fn finished_or_hopeless_input_is_complete() {
        check("1 + 2\n", false);
        check("fn f() {\n    1\n}\n", false);
        check("let s = \"a { b\"\n", false);
        check("print(\"${1 + 2}\")\n", false);
        check("let bad = )\n", false);
        check("}\n", false);
    }
}
