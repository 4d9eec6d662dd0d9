//! Runs the front end over the reference programs and the conformance corpus, when they are
//! on this machine (`~/.cache/latref`, or `$LATREF`); skips quietly otherwise.
//!
//! Every reference program must parse and pass the static checks. Corpus programs are
//! counted; the test fails when fewer than 99.5% are accepted or when an invalid one from
//! `static-error-ids.txt` is accepted by more than one miss. `LAT_CORPUS_VERBOSE=1` prints
//! each failure.

mod latref;
use latref::lat_files;
use std::path::Path;

fn accepts(src: &str) -> Result<(), String> {
    let (program, mut diags) = lattice_compiler::parse(src);
    if let Some(program) = &program {
        if diags.is_empty() {
            diags.extend(lattice_compiler::check(program));
        }
    }
    match (program, diags.first()) {
        (Some(_), None) => Ok(()),
        (_, Some(d)) => Err(format!("{} at {}..{}", d.message, d.primary.span.start, d.primary.span.end)),
        (None, None) => Err("no tree".into()),
    }
}

/// The `"id"` and `"source"` of each JSON line, decoded just enough for this test.
fn cases(text: &str) -> Vec<(String, String)> {
    text.lines().filter_map(|line| Some((json_field(line, "id")?, json_field(line, "source")?))).collect()
}

fn json_field(line: &str, key: &str) -> Option<String> {
    let start = line.find(&format!("\"{key}\": \""))? + key.len() + 5;
    let mut out = String::new();
    let mut chars = line[start..].chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                'r' => out.push('\r'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    let code = u32::from_str_radix(&hex, 16).ok()?;
                    out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                }
                other => out.push(other),
            },
            c => out.push(c),
        }
    }
    None
}

fn ids(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

#[test]
fn reference_programs_and_corpus() {
    let Some(dir) = latref::dir().filter(|d| d.join("cases.jsonl").exists()) else { return };
    let verbose = std::env::var_os("LAT_CORPUS_VERBOSE").is_some();
    let mut files = Vec::new();
    lat_files(&dir.join("programs"), &mut files);
    files.sort();
    let mut rejected = Vec::new();
    for file in &files {
        let src = std::fs::read_to_string(file).unwrap_or_default();
        if let Err(e) = accepts(&src) {
            rejected.push(format!("{}: {e}", file.display()));
        }
    }
    let conformance = Path::new("/work/shared/conformance");
    let invalid = ids(&conformance.join("static-error-ids.txt"));
    let skip = ids(&conformance.join("deviations.txt"));
    let text = std::fs::read_to_string(dir.join("cases.jsonl")).unwrap_or_default();
    let (mut ok, mut total, mut caught, mut invalid_total) = (0, 0, 0, 0);
    for (id, src) in cases(&text) {
        if skip.contains(&id) {
            continue;
        }
        let result = accepts(&src);
        if invalid.contains(&id) {
            invalid_total += 1;
            if result.is_err() {
                caught += 1;
            } else if verbose {
                eprintln!("accepted invalid {id}");
            }
            continue;
        }
        total += 1;
        match result {
            Ok(()) => ok += 1,
            Err(e) if verbose => eprintln!("rejected {id}: {e}"),
            Err(_) => {}
        }
    }
    eprintln!(
        "reference programs accepted: {}/{}\ncorpus accepted: {ok}/{total}\ninvalid rejected: {caught}/{invalid_total}",
        files.len() - rejected.len(),
        files.len()
    );
    assert!(rejected.is_empty(), "rejected reference programs:\n{}", rejected.join("\n"));
    assert!(ok * 1000 >= total * 995, "only {ok} of {total} corpus programs accepted");
    assert!(caught + 1 >= invalid_total, "only {caught} of {invalid_total} invalid programs rejected");
}

/// Every program of the design post's cases parses; the `strict_*` error cases are
/// rejected by the static checks and the other strict case is accepted.
#[test]
fn seed_cases() {
    let Ok(text) = std::fs::read_to_string("/work/shared/conformance/seed.jsonl") else { return };
    for (id, src) in cases(&text) {
        let (program, diags) = lattice_compiler::parse(&src);
        assert!(diags.is_empty(), "{id} does not parse: {diags:?}");
        let checked = lattice_compiler::check(&program.expect("a tree"));
        let must_fail = id.contains("strict_") && !id.contains("strict_ok");
        assert_eq!(!checked.is_empty(), must_fail, "{id}: {checked:?}");
    }
}
