//! Formats every reference program under `~/.cache/latref/programs` (or `$LATREF/programs`)
//! when it is on this machine, and skips quietly otherwise. The programs are read at test
//! time and never copied into the repository.
//!
//! For each program that parses: the output parses, its tree equals the input's with
//! spans ignored, and formatting the output again changes nothing. `LAT_FMT_VERBOSE=1`
//! prints each failure and the counts.

mod latref;
use latref::lat_files;
use std::path::PathBuf;

fn programs_dir() -> Option<PathBuf> {
    let dir = latref::dir()?.join("programs");
    dir.is_dir().then_some(dir)
}

#[test]
fn reference_programs_format_stably() {
    let Some(dir) = programs_dir() else { return };
    let mut files = Vec::new();
    lat_files(&dir, &mut files);
    files.sort();
    let verbose = std::env::var_os("LAT_FMT_VERBOSE").is_some();
    let (mut total, mut parsed, mut equal, mut stable) = (0, 0, 0, 0);
    let mut failures = Vec::new();
    for path in &files {
        let Ok(src) = std::fs::read_to_string(path) else { continue };
        total += 1;
        let (tree, diags) = lattice_compiler::parse(&src);
        if tree.is_none() || diags.iter().any(|d| d.is_error()) {
            continue;
        }
        match lattice_compiler::fmt::format(&src) {
            Ok(once) => {
                parsed += 1;
                let (again_tree, _) = lattice_compiler::parse(&once);
                if again_tree.is_some_and(|t| lattice_compiler::fmt::same_tree(tree.as_ref().unwrap(), &t)) {
                    equal += 1;
                }
                match lattice_compiler::fmt::format(&once) {
                    Ok(twice) if twice == once => stable += 1,
                    Ok(twice) => failures.push(format!(
                        "{}: not idempotent\n{}",
                        path.display(),
                        first_diff(&once, &twice)
                    )),
                    Err(d) => failures.push(format!(
                        "{}: output does not format: {:?}",
                        path.display(),
                        d[0].message
                    )),
                }
            }
            Err(d) => failures.push(format!("{}: {}", path.display(), d[0].message)),
        }
    }
    if verbose {
        for f in &failures {
            eprintln!("{f}");
        }
        eprintln!(
            "{total} programs, {parsed} formatted and reparsed, {equal} same tree, {stable} idempotent"
        );
    }
    assert!(failures.is_empty(), "{} failures, first: {}", failures.len(), failures[0]);
}

fn first_diff(a: &str, b: &str) -> String {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n- {x}\n+ {y}", i + 1);
        }
    }
    "length differs".into()
}
