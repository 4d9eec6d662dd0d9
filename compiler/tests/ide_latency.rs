//! How long each stage of `Analysis::new` takes on a large file: the reference's
//! self-hosted compiler (`~/.cache/latref/programs/compiler/latc.lat`, or `$LATC_LAT`).
//! Ignored by default; run it in release to see the figures the language server pays
//! before it can publish diagnostics:
//! `cargo test --release -p lattice-compiler --test ide_latency -- --ignored --nocapture`

use lattice_compiler::ide::Analysis;
use std::time::{Duration, Instant};

fn large_file() -> Option<String> {
    let path = match std::env::var_os("LATC_LAT") {
        Some(p) => std::path::PathBuf::from(p),
        None => std::path::PathBuf::from(std::env::var_os("HOME")?)
            .join(".cache/latref/programs/compiler/latc.lat"),
    };
    std::fs::read_to_string(path).ok()
}

/// The median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

#[test]
#[ignore = "a measurement, not a check; needs the reference's latc.lat"]
fn stages_on_latc_lat() {
    let Some(src) = large_file() else {
        eprintln!("latc.lat not found; set LATC_LAT");
        return;
    };
    let runs = 11;
    let (program, _) = lattice_compiler::parse(&src);
    let program = program.expect("latc.lat parses");
    let parse = median(runs, || drop(lattice_compiler::parse(&src)));
    let check = median(runs, || drop(lattice_compiler::check(&program)));
    let resolve = median(runs, || drop(lattice_compiler::ide::resolve::resolve(&program, &src, &|_| None)));
    let tokenize = median(runs, || drop(lattice_compiler::tokenize(&src)));
    let whole = median(runs, || drop(Analysis::standalone(&src)));
    // Imports read as empty files and no natives known: every unresolved name is looked
    // at, the worst case.
    let analysis = Analysis::new(&src, &|_| Some(String::new()));
    let typos = median(runs, || drop(analysis.typo_diagnostics(&|_| false)));
    eprintln!(
        "latc.lat ({} bytes): parse {parse:?}, check {check:?}, resolve {resolve:?}, tokenize {tokenize:?}; \
         Analysis::new {whole:?}; typo warnings {typos:?}",
        src.len()
    );
}
