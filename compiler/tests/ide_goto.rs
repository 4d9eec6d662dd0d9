//! Go to definition: locals, shadowing, fields, variants, and names from imported files.

mod ide_fixture;
use ide_fixture::{analyse, show};

fn goto(fixture: &str, files: &[(&str, &str)]) -> String {
    let (a, offset) = analyse(fixture, files);
    match a.goto_definition(offset) {
        Some(t) => {
            let text = a.file_text(t.file.as_deref()).unwrap();
            format!("{} {}", t.file.as_deref().unwrap_or("this file"), show(text, t.span))
        }
        None => "none".into(),
    }
}

#[test]
fn shadowed_local() {
    let src = "fn f() {\n    let x = 1\n    if true {\n        let x = 2\n        print(x$0)\n    }\n}\n";
    assert_eq!(goto(src, &[]), "this file 4:13 \"x\"");
}

#[test]
fn parameter_and_global_function() {
    assert_eq!(goto("fn g(n) { return n$0 }\n", &[]), "this file 1:6 \"n\"");
    assert_eq!(goto("g$0(1)\nfn g(n) { return n }\n", &[]), "this file 2:4 \"g\"");
}

#[test]
fn struct_field_and_enum_variant() {
    assert_eq!(goto("struct P { x: Int }\nlet p = P { x: 1 }\nprint(p.x$0)\n", &[]), "this file 1:12 \"x\"");
    assert_eq!(goto("enum E { A, B }\nmatch v { E::B$0 => 1, _ => 2 }\n", &[]), "this file 1:13 \"B\"");
}

#[test]
fn across_imports() {
    let lib = ("lib/util", "/// Doubles.\nexport fn double(x) { return x * 2 }\n");
    assert_eq!(goto("import \"lib/util\" as u\nu.dou$0ble(2)\n", &[lib]), "lib/util 2:11 \"double\"");
    assert_eq!(
        goto("import { double } from \"lib/util\"\ndou$0ble(2)\n", &[lib]),
        "lib/util 2:11 \"double\""
    );
}

#[test]
fn broken_file_still_resolves() {
    let src = "fn f(a) {\n    let b = a$0 +\n}\nfn g( {\n";
    assert_eq!(goto(src, &[]), "this file 1:6 \"a\"");
}
