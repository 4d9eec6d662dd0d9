//! Unit tests of the parser's error messages and limits, through one `check` helper.

use super::{parse, MAX_DEPTH};

/// Parses `src` and compares the diagnostics, one `start..end: message` per line.
fn check(src: &str, expect: &str) {
    let (_, diags) = parse(src);
    let got: Vec<String> = diags
        .iter()
        .map(|d| format!("{}..{}: {}", d.primary.span.start, d.primary.span.end, d.message))
        .collect();
    let want: Vec<&str> = expect.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    assert_eq!(got, want, "\nsource: {src:?}");
}

#[test]
fn expected_and_found() {
    check("x = ", "4..4: expected expression, found end of file");
    check("f(1, 2", "6..6: expected ',' or ')', found end of file");
    check("let = 1", "4..5: expected identifier, '{' or '[', found '='");
    check("fn (", "4..4: expected parameter or ')', found end of file");
}

#[test]
fn several_errors_are_reported() {
    check(
        "a = (1 +)\nb = 2\nc = [,]\nd = 3",
        "8..9: expected expression, found ')'
         21..22: expected expression, '...' or ']', found ','",
    );
}

#[test]
fn misplaced_prefixes() {
    check("export 1 + 2", "0..12: 'export' must precede fn, struct, enum, trait, or variable binding");
    check("@crystal\nx = 1", "0..8: @fluid/@crystal annotation must precede fn or variable binding");
    check("@foo\nlet y = 1", "1..4: unknown annotation '@foo' (expected @fluid or @crystal)");
}

#[test]
fn assignment_targets() {
    check("f() = 1", "0..3: invalid assignment target");
    check("a.b[0].c = 1\nt.0 = 2", "");
}

#[test]
fn depth_limit_boundary() {
    // A chain just under the limit parses; one past it is refused.
    let ok = format!("x = a{}", " + a".repeat(MAX_DEPTH as usize - 10));
    check(&ok, "");
    let (_, diags) = parse(&format!("x = a{}", " + a".repeat(MAX_DEPTH as usize + 10)));
    assert!(diags.iter().any(|d| d.message == "expression nested too deeply"), "{diags:?}");
}

#[test]
fn docs_attach_to_the_next_item() {
    let (program, diags) = parse("/// One.\n/// Two.\nfn f() {}\n\n/// Orphan.\n\nlet x = 1");
    assert!(diags.is_empty());
    let items = program.expect("tree").items;
    assert_eq!(items[0].doc.as_deref(), Some("One.\nTwo."));
    // Blank lines do not detach a doc comment: it documents the next token's item.
    assert_eq!(items[1].doc.as_deref(), Some("Orphan."));
}

#[test]
fn mode_only_at_the_start() {
    let (program, diags) = parse("// header\n#mode strict\nflux x = 1");
    assert!(diags.is_empty());
    assert_eq!(program.expect("tree").mode, crate::syntax::ast::Mode::Strict);
    check("x = 1\n#mode strict", "6..18: expected statement, found '#mode'");
}
