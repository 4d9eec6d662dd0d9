//! `Analysis::diagnostics`: parse errors on broken files, static checks on parsing ones.

mod ide_fixture;
use lattice_compiler::ide::Analysis;

fn check(src: &str) -> String {
    let a = Analysis::standalone(src);
    a.diagnostics
        .iter()
        .map(|d| format!("{} {} at {}\n", d.code, d.message, ide_fixture::show(src, d.primary.span)))
        .collect()
}

#[test]
fn parse_errors_are_reported() {
    insta::assert_snapshot!(check("fn f( {\n  let = 3\n}\n"));
}

#[test]
fn strict_mode_checks_run_on_valid_files() {
    insta::assert_snapshot!(check("#mode strict\nlet x = 1\n"));
}

#[test]
fn clean_file_has_none() {
    assert_eq!(check("fn f(a) { return a + 1 }\nprint(f(2))\n"), "");
}
