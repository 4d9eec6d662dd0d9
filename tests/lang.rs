//! The language test harness: runs every `tests/lang/**/*.lat` case and every
//! `examples/*.lat` program and compares what it prints with the expectation comments in
//! the file (clox/Wren style; `tests/README.md` lists the directives).
//!
//! Each file runs in two suites. `direct` runs the source with `lat run`; `roundtrip`
//! compiles it in-process, encodes the function to LATC bytes, decodes them again (the
//! re-encoding must give the same bytes) and runs the decoded file with `lat run`, so
//! every case also exercises the bytecode format. Programs run in a child process under
//! a timeout, so a crash, a hang or a stack overflow fails one case, not the harness.
//! Compile errors (`// error:`) are checked in-process against the diagnostics' lines.
//!
//! Each suite has a skip list naming the implementation bug that makes a case fail; a
//! skipped case shows up as ignored and can still be run with `cargo test --test lang --
//! --ignored` to see whether the bug is gone.

use lattice_compiler::{compile_source, CompileOptions, LineIndex};
use libtest_mimic::{Arguments, Failed, Trial};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Cases the `direct` suite skips, each with the bug that makes it fail. Paths are
/// relative to `tests/` (or start with `examples/`).
const SKIP_DIRECT: &[(&str, &str)] = &[];

/// Cases the `roundtrip` suite skips, on top of those `SKIP_DIRECT` lists (a case that
/// fails directly fails here too).
const SKIP_ROUNDTRIP: &[(&str, &str)] = &[];

/// How long one program may run before it counts as hung (debug builds are slow).
const TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Clone, Copy, PartialEq)]
enum Suite {
    Direct,
    Roundtrip,
}

impl Suite {
    fn name(self) -> &'static str {
        match self {
            Suite::Direct => "direct",
            Suite::Roundtrip => "roundtrip",
        }
    }

    fn skip_reason(self, key: &str) -> Option<&'static str> {
        let find = |list: &[(&str, &'static str)]| list.iter().find(|(k, _)| *k == key).map(|(_, r)| *r);
        match self {
            Suite::Direct => find(SKIP_DIRECT),
            Suite::Roundtrip => find(SKIP_DIRECT).or_else(|| find(SKIP_ROUNDTRIP)),
        }
    }
}

/// What a test file expects, read from its comments.
#[derive(Default, Debug)]
struct Expectations {
    stdout: Vec<String>,
    runtime_error: Option<String>,
    /// `(line, message)` of each expected compile diagnostic.
    compile_errors: Vec<(usize, String)>,
    stdin: Vec<String>,
    skip: Option<String>,
    nontest: bool,
}

/// Reads the directives of a test file. Directives may follow code on the same line.
fn parse_expectations(src: &str) -> Expectations {
    let mut exp = Expectations::default();
    for (i, line) in src.lines().enumerate() {
        let line_no = i + 1;
        let Some(pos) = line.find("// ") else { continue };
        let comment = &line[pos + 3..];
        if let Some(rest) = comment.strip_prefix("expect runtime error: ") {
            exp.runtime_error = Some(rest.trim_end().to_string());
        } else if let Some(rest) = comment.strip_prefix("expect: ") {
            exp.stdout.push(rest.trim_end().to_string());
        } else if comment.trim_end() == "expect:" {
            exp.stdout.push(String::new());
        } else if let Some(rest) = comment.strip_prefix("error: ") {
            exp.compile_errors.push((line_no, rest.trim_end().to_string()));
        } else if let Some(rest) = comment.strip_prefix("error[L") {
            if let Some((num, msg)) = rest.split_once("]: ") {
                if let Ok(n) = num.parse() {
                    exp.compile_errors.push((n, msg.trim_end().to_string()));
                }
            }
        } else if let Some(rest) = comment.strip_prefix("stdin: ") {
            exp.stdin.push(rest.to_string());
        } else if let Some(rest) = comment.strip_prefix("skip: ") {
            exp.skip = Some(rest.trim().to_string());
        } else if comment.trim_end() == "nontest" {
            exp.nontest = true;
        }
    }
    exp
}

/// The finished child process: exit status, stdout, stderr, or `None` when it timed out.
struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `lat run FILE` in `cwd`, feeding `stdin`, under `TIMEOUT`.
fn run_lat(file: &Path, cwd: &Path, stdin: &[String]) -> Result<Outcome, String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lat"))
        .arg("run")
        .arg(file)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start lat: {e}"))?;
    let mut input = String::new();
    for line in stdin {
        input.push_str(line);
        input.push('\n');
    }
    let mut pipe_in = child.stdin.take().expect("piped stdin");
    let writer = std::thread::spawn(move || {
        // The program may exit without reading its input; a broken pipe is fine.
        let _ = pipe_in.write_all(input.as_bytes());
    });
    let mut pipe_out = child.stdout.take().expect("piped stdout");
    let mut pipe_err = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe_out.read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe_err.read_to_end(&mut buf);
        buf
    });
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("timed out after {TIMEOUT:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("cannot wait for lat: {e}")),
        }
    };
    let _ = writer.join();
    let stdout = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    Ok(Outcome { code: status.code(), stdout, stderr })
}

/// Checks the compile diagnostics of a file that expects `// error:` lines.
fn check_compile_errors(src: &str, exp: &Expectations) -> Result<(), String> {
    let (func, diags) = compile_source(src, &CompileOptions { entry: true, ..CompileOptions::default() });
    let index = LineIndex::new(src);
    let found: Vec<(usize, String)> = diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| (index.line_col(src, d.primary.span.start).0 as usize, d.message.clone()))
        .collect();
    if func.is_some() {
        return Err("expected a compile error, but the program compiled".into());
    }
    let mut problems = Vec::new();
    for (line, msg) in &exp.compile_errors {
        if !found.iter().any(|(l, m)| l == line && m.contains(msg.as_str())) {
            problems.push(format!("missing error on line {line}: {msg}"));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let listed: Vec<String> = found.iter().map(|(l, m)| format!("  line {l}: {m}")).collect();
    Err(format!("{}\ndiagnostics found:\n{}", problems.join("\n"), listed.join("\n")))
}

/// Compares a finished run with the expectations.
fn check_outcome(out: &Outcome, exp: &Expectations) -> Result<(), String> {
    let actual: Vec<&str> = out.stdout.lines().collect();
    let mut problems = Vec::new();
    if actual != exp.stdout.iter().map(String::as_str).collect::<Vec<_>>() {
        problems.push(diff_lines(&exp.stdout, &actual));
    }
    match &exp.runtime_error {
        Some(msg) => {
            if out.code == Some(0) {
                problems.push(format!("expected runtime error '{msg}', but the program succeeded"));
            } else if !out.stderr.contains(msg.as_str()) {
                problems.push(format!("expected runtime error '{msg}'"));
            }
        }
        None if out.code != Some(0) => problems.push(format!("exited with {:?}", out.code)),
        None => {}
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(format!("{}\n--- stderr ---\n{}", problems.join("\n"), out.stderr))
}

/// A readable account of where two outputs part.
fn diff_lines(expected: &[String], actual: &[&str]) -> String {
    let mut text = String::from("stdout differs:\n");
    let n = expected.len().max(actual.len());
    for i in 0..n {
        let e = expected.get(i).map(String::as_str);
        let a = actual.get(i).copied();
        let mark = if e == a { ' ' } else { '!' };
        text.push_str(&format!(
            "{mark} {:>3} expected: {:<30} actual: {}\n",
            i + 1,
            e.map(|s| format!("{s:?}")).unwrap_or_else(|| "(nothing)".into()),
            a.map(|s| format!("{s:?}")).unwrap_or_else(|| "(nothing)".into())
        ));
    }
    text
}

/// Compiles in-process and writes decoded-then-re-encoded LATC bytes for `lat run`.
fn roundtrip_file(src: &str, name: &str) -> Result<PathBuf, String> {
    let (func, diags) = compile_source(src, &CompileOptions { entry: true, ..CompileOptions::default() });
    let Some(func) = func else {
        let msgs: Vec<String> = diags.iter().map(|d| d.message.clone()).collect();
        return Err(format!("does not compile: {}", msgs.join("; ")));
    };
    let bytes = lattice_vm::format::encode(&func);
    let decoded = lattice_vm::format::decode(&bytes).map_err(|e| format!("decode failed: {e}"))?;
    if lattice_vm::format::encode(&decoded) != bytes {
        return Err("decode(encode(f)) encodes to different bytes".into());
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("lang-roundtrip");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let out = dir.join(format!("{}.latc", name.replace(['/', '\\'], "__")));
    std::fs::write(&out, &bytes).map_err(|e| e.to_string())?;
    Ok(out)
}

fn run_case(path: &Path, key: &str, suite: Suite) -> Result<(), Failed> {
    let src = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let exp = parse_expectations(&src);
    let dir = path.parent().unwrap_or(Path::new("."));
    if !exp.compile_errors.is_empty() {
        check_compile_errors(&src, &exp)?;
        let out = run_lat(path, dir, &[])?;
        if out.code != Some(65) {
            return Err(format!("lat run should exit 65 on a compile error, got {:?}", out.code).into());
        }
        return Ok(());
    }
    if key.starts_with("examples/") && exp.stdout.is_empty() && exp.runtime_error.is_none() {
        return Err("an example must state its output with `// expect:` lines".into());
    }
    let file = match suite {
        Suite::Direct => path.to_path_buf(),
        Suite::Roundtrip => roundtrip_file(&src, key)?,
    };
    // Running from the file's folder lets a `.latc` copy find the modules it imports.
    let out = run_lat(&file, dir, &exp.stdin)?;
    check_outcome(&out, &exp).map_err(Failed::from)
}

/// Every `.lat` file under `dir`, sorted, recursively.
fn lat_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            lat_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "lat") {
            out.push(p);
        }
    }
}

/// The test cases: `tests/lang/**` (helper modules under `modules/` and `// nontest`
/// files excluded) and `examples/*.lat`, keyed by their path from `tests/` or the root.
fn collect_cases() -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    lat_files(&root.join("tests/lang"), &mut files);
    lat_files(&root.join("examples"), &mut files);
    let mut cases = Vec::new();
    for file in files {
        let rel = file.strip_prefix(root).unwrap_or(&file).to_string_lossy().replace('\\', "/");
        let key = rel.strip_prefix("tests/").unwrap_or(&rel).to_string();
        if key.starts_with("lang/modules/") {
            continue;
        }
        let nontest = std::fs::read_to_string(&file).map(|s| parse_expectations(&s).nontest).unwrap_or(false);
        if !nontest {
            cases.push((key, file));
        }
    }
    cases
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    let mut unknown_skips: Vec<&str> = Vec::new();
    let cases = collect_cases();
    for (key, _) in SKIP_DIRECT.iter().chain(SKIP_ROUNDTRIP) {
        if !cases.iter().any(|(k, _)| k == key) {
            unknown_skips.push(key);
        }
    }
    for suite in [Suite::Direct, Suite::Roundtrip] {
        for (key, path) in &cases {
            let file_skip = std::fs::read_to_string(path).ok().and_then(|s| parse_expectations(&s).skip);
            let ignored = file_skip.is_some() || suite.skip_reason(key).is_some();
            let (key2, path2) = (key.clone(), path.clone());
            let trial =
                Trial::test(format!("{}::{}", suite.name(), key), move || run_case(&path2, &key2, suite))
                    .with_ignored_flag(ignored);
            trials.push(trial);
        }
    }
    // A skip entry for a file that no longer exists is a stale list: fail loudly.
    trials.push(Trial::test("skip_lists_name_existing_files", move || {
        if unknown_skips.is_empty() {
            Ok(())
        } else {
            Err(format!("skip lists name missing files: {unknown_skips:?}").into())
        }
    }));
    libtest_mimic::run(&args, trials).exit();
}
