//! Hover: signatures, doc comments, binding phases, builtins and phase keywords.

mod ide_fixture;
use ide_fixture::analyse;

fn hover(fixture: &str) -> String {
    let (a, offset) = analyse(fixture, &[]);
    match a.hover(offset) {
        Some(h) => format!("{}\n{}", ide_fixture::show(&a.src, h.range), h.markdown),
        None => "no hover".into(),
    }
}

#[test]
fn function_with_doc_comment() {
    insta::assert_snapshot!(hover(
        "/// Adds two numbers.\nfn add(a: Int, b: Int) -> Int { return a + b }\nprint(a$0dd(1, 2))\n"
    ));
}

#[test]
fn phase_of_bindings() {
    insta::assert_snapshot!("flux", hover("fn f() {\n    flux count = 0\n    count$0 += 1\n}\n"));
    insta::assert_snapshot!("fix", hover("fix LIMIT = 10\nprint(LIM$0IT)\n"));
}

#[test]
fn field_through_typed_parameter() {
    insta::assert_snapshot!(hover("struct Point {\n    /// not a doc\n    x: Int,\n    y: Int\n}\nfn norm(p: Point) { return p.x$0 * p.x }\n"));
}

#[test]
fn builtin_and_keyword() {
    insta::assert_snapshot!("builtin", hover("print(le$0n([1]))\n"));
    insta::assert_snapshot!("keyword", hover("let x = fre$0eze([1])\n"));
}
