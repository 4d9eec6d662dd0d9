//! LATC files from the outside: `lat compile` is deterministic, and the loader treats a
//! file as untrusted input.
//!
//! The fuzz-style test takes the valid bytes of several programs, truncates them at every
//! length and corrupts them at many positions (a fixed-seed xorshift generator, so a
//! failure reproduces), and decodes each variant in-process: decoding must return an error
//! or a verified function, never panic. Variants that still decode are then run by `lat
//! run` in a child process under a timeout: the program may fail or loop (a hostile file
//! can say `loop {}`), but the process must not crash or panic.

use lattice_compiler::{compile_source, CompileOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Programs whose bytes are mangled: between them they use most kinds of constant,
/// nested functions, captures, structs, enums, jumps and handlers.
const PROGRAMS: &[(&str, &str)] = &[
    ("hello", "print(\"hello\")\n"),
    (
        "closures",
        "fn make(n: Int) -> Fn {\n    flux c = n\n    return |d| { c += d\n c }\n}\nlet f = make(1)\nprint(f(2), f(3.5))\n",
    ),
    (
        "types",
        "struct P { x: Int, y: Float }\nenum E { A, B(Int) }\nlet p = P { x: 1, y: 2.5 }\nlet e = E::B(3)\nprint(match e { E::B(v) => v + p.x, _ => 0 })\n",
    ),
    (
        "control",
        "flux out = []\nfor i in 0..4 {\n    if i % 2 == 0 { continue }\n    out.push(try { 10 / i } catch e { -1 })\n}\nwhile out.len() < 5 { out.push(nil) }\nprint(out)\n",
    ),
];

/// Exit status of a Rust panic; a crash by signal has no status at all.
const PANIC_STATUS: i32 = 101;

fn compile(src: &str) -> Vec<u8> {
    let (func, diags) = compile_source(src, &CompileOptions { entry: true, ..CompileOptions::default() });
    let func = func.unwrap_or_else(|| panic!("test program does not compile: {diags:?}"));
    lattice_vm::format::encode(&func)
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// xorshift64*: small, deterministic, good enough to pick positions and bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn compile_twice_gives_identical_bytes() {
    let dir = temp_dir("latc-determinism");
    let lat = env!("CARGO_BIN_EXE_lat");
    for (name, src) in PROGRAMS {
        let file = dir.join(format!("{name}.lat"));
        std::fs::write(&file, src).expect("write program");
        let mut outputs = Vec::new();
        for round in 0..2 {
            let out = dir.join(format!("{name}.{round}.latc"));
            let status =
                Command::new(lat).arg("compile").arg(&file).arg("-o").arg(&out).status().expect("run lat");
            assert!(status.success(), "lat compile {name} failed");
            outputs.push(std::fs::read(&out).expect("read latc"));
        }
        assert_eq!(outputs[0], outputs[1], "{name}: two compilations differ");
        assert_eq!(outputs[0], compile(src), "{name}: lat compile differs from the library's bytes");
    }
}

#[test]
fn valid_files_decode_and_reencode_identically() {
    for (name, src) in PROGRAMS {
        let bytes = compile(src);
        let func = lattice_vm::format::decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(lattice_vm::format::encode(&func), bytes, "{name}: re-encoding differs");
    }
}

/// Decodes `bytes`, turning a panic into an error message that names the variant.
fn decode_no_panic(bytes: &[u8], what: &str) -> Result<bool, String> {
    let result = std::panic::catch_unwind(|| lattice_vm::format::decode(bytes).is_ok());
    result.map_err(|payload| {
        let msg = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        format!("decode panicked on {what}: {msg}")
    })
}

#[test]
fn truncated_files_are_rejected() {
    let mut problems = Vec::new();
    for (name, src) in PROGRAMS {
        let bytes = compile(src);
        for len in 0..bytes.len() {
            match decode_no_panic(&bytes[..len], &format!("{name} truncated to {len} bytes")) {
                Ok(true) => problems.push(format!("{name} truncated to {len} bytes decodes")),
                Ok(false) => {}
                Err(e) => problems.push(e),
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Runs a decodable corrupt file and reports a crash or a panic; a runtime error or a
/// timeout is an acceptable end for a corrupt program.
fn run_corrupt(file: &Path) -> Result<(), String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lat"))
        .arg("run")
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    loop {
        match child.try_wait().map_err(|e| e.to_string())? {
            Some(status) => {
                let mut err = String::new();
                if let Some(mut pipe) = child.stderr.take() {
                    use std::io::Read;
                    let _ = pipe.read_to_string(&mut err);
                }
                return match status.code() {
                    Some(PANIC_STATUS) => {
                        let at = err.lines().skip_while(|l| !l.contains("panicked")).take(2);
                        Err(format!("panicked: {}", at.collect::<Vec<_>>().join(" ")))
                    }
                    None => Err("killed by a signal (crash or stack overflow)".into()),
                    Some(_) => Ok(()),
                };
            }
            None if start.elapsed() > Duration::from_secs(5) => {
                let _ = child.kill();
                let _ = child.wait();
                return Ok(());
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    }
}

// This test once found that a huge `MakeMap` count overflowed the stack-effect arithmetic;
// stack effects now saturate and the verifier rejects such files.
#[test]
fn corrupted_files_never_panic() {
    const FLIPS_PER_PROGRAM: usize = 600;
    const MAX_RUNS: usize = 120;
    let dir = temp_dir("latc-fuzz");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut problems = Vec::new();
    let mut runnable = Vec::new();
    for (name, src) in PROGRAMS {
        let bytes = compile(src);
        for round in 0..FLIPS_PER_PROGRAM {
            let mut bad = bytes.clone();
            // One to three corrupted bytes: a flipped bit, a random byte, or 0xFF (which
            // makes lengths and counts huge).
            for _ in 0..1 + rng.below(3) {
                let pos = rng.below(bad.len());
                bad[pos] = match rng.below(3) {
                    0 => bad[pos] ^ (1 << rng.below(8)),
                    1 => rng.next() as u8,
                    _ => 0xFF,
                };
            }
            let what = format!("{name} variant {round}");
            match decode_no_panic(&bad, &what) {
                Ok(true) if bad != bytes && runnable.len() < MAX_RUNS => runnable.push((what, bad)),
                Ok(_) => {}
                Err(e) => problems.push(e),
            }
        }
    }
    for (i, (what, bad)) in runnable.iter().enumerate() {
        let file = dir.join(format!("variant{i}.latc"));
        std::fs::write(&file, bad).expect("write variant");
        if let Err(e) = run_corrupt(&file) {
            problems.push(format!("{what} (saved as {}): {e}", file.display()));
        }
    }
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}
