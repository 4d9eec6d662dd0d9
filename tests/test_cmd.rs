//! `lat test`: runs the fixture files under `tests/fixtures/test_cmd/` (test blocks,
//! `lib/test` suites, a file without tests, a folder) and checks the reported results and
//! the exit status.

use std::process::{Command, Output};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/test_cmd");

fn lat_test(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lat"))
        .arg("test")
        .args(args)
        .current_dir(FIXTURES)
        .output()
        .expect("run lat test")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn passing_test_blocks() {
    let out = lat_test(&["passing/math.lat"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    for name in ["adds", "sees top-level bindings", "each test gets a fresh program"] {
        assert!(text.contains(&format!("PASS  {name}\n")), "{text}");
    }
    assert!(text.ends_with("\n3 passed, 0 failed\n"), "{text}");
    assert!(!text.contains("main must not run"), "{text}");
}

#[test]
fn failures_name_the_file_line_and_message() {
    let out = lat_test(&["mixed/checks.lat"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("PASS  passes\n"), "{text}");
    assert!(text.contains("FAIL  wrong value\n"), "{text}");
    assert!(text.contains("mixed/checks.lat:11: assert_eq: expected 5, got 4"), "{text}");
    assert!(text.contains("| output of a failing test"), "a failing test's output is shown: {text}");
    assert!(text.contains("FAIL  runtime error\n"), "{text}");
    assert!(text.contains("mixed/checks.lat:16: division by zero"), "{text}");
    assert!(text.ends_with("\n1 passed, 2 failed\n"), "{text}");
}

#[test]
fn lib_test_suites_count_as_one_test() {
    let out = lat_test(&["passing/suite.lat"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("PASS  suite\n") && text.ends_with("\n1 passed, 0 failed\n"), "{text}");
    assert!(!text.contains("Running tests"), "a passing suite's output is hidden: {text}");

    let out = lat_test(&["mixed/failing_suite.lat"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL  failing_suite\n"), "{text}");
    assert!(text.contains("suite reported 1 failed"), "{text}");
}

#[test]
fn a_folder_runs_every_file_under_it() {
    let out = lat_test(&["."]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.ends_with("\n5 passed, 3 failed\n"), "{text}");
    assert!(!text.contains("plain.lat"), "files without tests are skipped: {text}");

    let out = lat_test(&["passing"]);
    assert!(out.status.success(), "{}", stdout(&out));
    assert!(stdout(&out).ends_with("\n4 passed, 0 failed\n"));
}

#[test]
fn filter_selects_tests_by_name() {
    let out = lat_test(&["--filter", "wrong", "mixed/checks.lat"]);
    let text = stdout(&out);
    assert!(text.contains("FAIL  wrong value") && !text.contains("PASS  passes"), "{text}");
    assert!(text.ends_with("\n0 passed, 1 failed\n"), "{text}");
}

#[test]
fn no_tests_is_an_error() {
    for path in ["empty/plain.lat", "empty"] {
        let out = lat_test(&[path]);
        assert_eq!(out.status.code(), Some(1), "{path}");
        assert!(stderr(&out).contains("no tests found"), "{path}: {}", stderr(&out));
    }
    let out = lat_test(&["no/such/file.lat"]);
    assert_eq!(out.status.code(), Some(74));
}
