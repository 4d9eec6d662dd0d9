//! Rename: edits every use, and refuses invalid names and names that would capture or be
//! captured.

mod ide_fixture;
use ide_fixture::analyse;

fn rename(fixture: &str, to: &str) -> Result<String, String> {
    let (a, offset) = analyse(fixture, &[]);
    let edits = a.rename(offset, to)?;
    let mut out = a.src.clone();
    for e in edits.iter().rev() {
        out.replace_range(e.span.range(), &e.text);
    }
    Ok(out)
}

#[test]
fn renames_declaration_and_uses() {
    let got = rename("fn f(count) {\n    return count$0 + count\n}\n", "n").unwrap();
    assert_eq!(got, "fn f(n) {\n    return n + n\n}\n");
}

#[test]
fn renames_fields_through_literals_and_access() {
    let got = rename("struct P { x$0: Int }\nlet p = P { x: 1 }\nprint(p.x)\n", "left").unwrap();
    assert_eq!(got, "struct P { left: Int }\nlet p = P { left: 1 }\nprint(p.left)\n");
}

#[test]
fn refuses_capture() {
    let err = rename("let a = 1\nfn f() {\n    let b$0 = 2\n    print(a + b)\n}\n", "a").unwrap_err();
    assert!(err.contains("clash"), "{err}");
    let err = rename("fn f() {\n    let x = 1\n    let y$0 = 2\n    print(x)\n}\n", "x").unwrap_err();
    assert!(err.contains("clash"), "{err}");
}

#[test]
fn refuses_bad_names() {
    assert!(rename("let a$0 = 1\n", "fix").is_err());
    assert!(rename("let a$0 = 1\n", "two words").is_err());
    assert!(rename("print$0(1)\n", "p").is_err());
}

/// Renaming a definition of another file: the importing file edits its uses (the import
/// list included) and still refuses a name that would clash with one of its own.
#[test]
fn renames_an_imported_definition() {
    let lib = ("lib/util", "export fn double(x) { return x * 2 }\n");
    let (a, offset) = analyse(
        "import { double } from \"lib/util\"\nfn twice(n) { return n }\nprint(dou$0ble(2))\n",
        &[lib],
    );
    let (id, _) = a.symbol_at(offset).unwrap();
    let ids = a.defs_declared_at(Some("lib/util"), a.def(id).name_span);
    let edits = a.rename_def(&ids, "dbl").unwrap();
    let mut out = a.src.clone();
    for e in edits.iter().rev() {
        out.replace_range(e.span.range(), &e.text);
    }
    assert_eq!(out, "import { dbl } from \"lib/util\"\nfn twice(n) { return n }\nprint(dbl(2))\n");
    let err = a.rename_def(&ids, "twice").unwrap_err();
    assert!(err.contains("clash"), "{err}");
}
