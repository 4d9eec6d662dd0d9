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

/// A function exported by one file and used by another: each file's analysis finds its
/// own uses of the same definition (declared at the same span of the library).
#[test]
fn references_across_files() {
    let lib = "/// Doubles.\nexport fn double(x) { return x * 2 }\nprint(double(1))\n";
    let (main, offset) = analyse(
        "import { double } from \"lib/util\"\nprint(dou$0ble(2) + double(3))\n",
        &[("lib/util", lib)],
    );
    let (id, _) = main.symbol_at(offset).unwrap();
    let def = main.def(id);
    assert_eq!(def.file.as_deref(), Some("lib/util"));
    let here = main.defs_declared_at(Some("lib/util"), def.name_span);
    let in_main: Vec<String> = main.uses_of(&here, true).iter().map(|s| show(&main.src, *s)).collect();
    let lib_a = lattice_compiler::ide::Analysis::standalone(lib);
    let there = lib_a.defs_declared_at(None, def.name_span);
    let in_lib: Vec<String> = lib_a.uses_of(&there, true).iter().map(|s| show(lib, *s)).collect();
    insta::assert_snapshot!(format!("main:\n{}\nlib/util:\n{}", in_main.join("\n"), in_lib.join("\n")));
}
