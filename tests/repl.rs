//! Scripted REPL sessions: `lat` with no arguments and standard input piped in reads
//! entries line by line (no prompt, no banner), so a session's stdout and stderr can be
//! compared with what a user would see after each `=>`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `lat` with `input` on standard input and returns its output.
fn session(input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lat"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lat");
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write session");
    child.wait_with_output().expect("wait for lat")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn expressions_show_their_repr() {
    let out = session("42\n\"hello\"\n[1, 2, 3].map(|x| x * 2)\n1.0 / 4\nnil\nprint(\"side effect\")\n");
    assert_eq!(stdout(&out), "=> 42\n=> \"hello\"\n=> [2, 4, 6]\n=> 0.25\nside effect\n");
    assert!(out.status.success());
}

#[test]
fn definitions_persist_between_entries() {
    let input = "\
let x = 5
flux total = 0
fn double(n: Int) -> Int { return n * 2 }
struct P { x: Int }
double(x)
total = total + double(1)
total
P { x: x }
";
    let out = session(input);
    assert_eq!(stdout(&out), "=> 10\n=> 2\n=> P { x: 5 }\n", "stderr: {}", stderr(&out));
}

#[test]
fn unfinished_constructs_continue_on_the_next_line() {
    let input = "\
fn add(a: Int, b: Int) -> Int {
    return a + b
}
add(
  1,
  2)
let s = \"\"\"
    two
    lines
    \"\"\"
s
1 +
  41
";
    let out = session(input);
    assert_eq!(stdout(&out), "=> 3\n=> \"two\nlines\"\n=> 42\n", "stderr: {}", stderr(&out));
}

#[test]
fn errors_are_reported_and_the_session_goes_on() {
    let input = "\
1 / 0
let broken = )
fix k = 1
k = 2
undefined_name
\"still alive\"
k
";
    let out = session(input);
    assert_eq!(stdout(&out), "=> \"still alive\"\n=> 1\n");
    let err = stderr(&out);
    assert!(err.contains("division by zero"), "{err}");
    assert!(err.contains("expected expression"), "{err}");
    assert!(err.contains("cannot assign to 'k'"), "{err}");
    assert!(err.contains("undefined_name"), "{err}");
    assert!(out.status.success());
}

#[test]
fn a_blank_line_submits_an_unfinished_entry() {
    let out = session("fn broken( {\n\n\"next\"\n");
    assert_eq!(stdout(&out), "=> \"next\"\n");
    assert!(!stderr(&out).is_empty());
}

#[test]
fn exit_ends_the_session_with_its_status() {
    let out = session("print(\"bye\")\nexit(3)\nprint(\"not reached\")\n");
    assert_eq!(stdout(&out), "bye\n");
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn quit_command_ends_the_session() {
    let out = session("1\n:quit\n2\n");
    assert_eq!(stdout(&out), "=> 1\n");
    assert!(out.status.success());
}
