//! Find references and document highlight.

mod ide_fixture;
use ide_fixture::{analyse, show};

#[test]
fn references_with_and_without_declaration() {
    let (a, offset) =
        analyse("fn f() {\n    flux n$0 = 0\n    n += 1\n    print(n)\n}\nlet n = 5\nprint(n)\n", &[]);
    let with: Vec<String> = a.references(offset, true).iter().map(|r| show(&a.src, r.span)).collect();
    insta::assert_snapshot!(with.join("\n"));
    assert_eq!(a.references(offset, false).len(), 2);
}

#[test]
fn highlights_mark_writes() {
    let (a, offset) = analyse("flux total = 0\nfor i in 0..3 { total += i }\nprint(tot$0al)\n", &[]);
    let got: Vec<String> =
        a.highlights(offset).iter().map(|h| format!("{} write={}", show(&a.src, h.span), h.write)).collect();
    insta::assert_snapshot!(got.join("\n"));
}
