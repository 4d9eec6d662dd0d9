//! Snapshot tests of `lat disasm`: the bytecode the compiler emits for small programs,
//! frozen with insta under `tests/snapshots/disasm/`. A change in codegen or in the
//! disassembler's text shows up here as a diff to review with `cargo insta review`.
//!
//! The programs are small on purpose: each shows the lowering of one construct, so a diff
//! points at the construct whose code changed.

use std::path::PathBuf;
use std::process::Command;

/// Runs `lat disasm` on `src` (written to a temporary file) and returns its stdout.
fn disasm(name: &str, src: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("disasm");
    std::fs::create_dir_all(&dir).expect("create temp dir");
    let file = dir.join(format!("{name}.lat"));
    std::fs::write(&file, src).expect("write program");
    let out = Command::new(env!("CARGO_BIN_EXE_lat")).arg("disasm").arg(&file).output().expect("run lat");
    assert!(out.status.success(), "lat disasm failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 disassembly")
}

/// Snapshots the source and its disassembly together, so the `.snap` file reads alone.
fn check(name: &str, src: &str) {
    let text = disasm(name, src);
    insta::with_settings!({
        snapshot_path => "snapshots/disasm",
        prepend_module_to_snapshot => false,
        description => src.trim_end(),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn arithmetic() {
    check("arithmetic", "let a = 1 + 2 * 3\nprint(a - 4 / 2)\n");
}

#[test]
fn locals_and_globals() {
    check(
        "locals_and_globals",
        "flux g = 1\nfn f(x: Int) -> Int {\n    let y = x + g\n    return y\n}\nprint(f(2))\n",
    );
}

#[test]
fn if_else() {
    check("if_else", "let n = 3\nif n > 2 {\n    print(\"big\")\n} else {\n    print(\"small\")\n}\n");
}

#[test]
fn while_loop() {
    check(
        "while_loop",
        "fn count() {\n    flux i = 0\n    while i < 3 {\n        i += 1\n    }\n}\ncount()\n",
    );
}

#[test]
fn for_in() {
    check("for_in", "for x in [1, 2] {\n    print(x)\n}\n");
}

#[test]
fn closure_capture() {
    check(
        "closure_capture",
        "fn counter() -> Fn {\n    flux n = 0\n    return |d| {\n        n += d\n        n\n    }\n}\nprint(counter()(5))\n",
    );
}

#[test]
fn struct_and_field() {
    check(
        "struct_and_field",
        "struct P { x: Int, y: Int }\nflux p = P { x: 1, y: 2 }\np.x = 5\nprint(p.y)\n",
    );
}

#[test]
fn match_enum() {
    check(
        "match_enum",
        "enum Shape { Dot, Square(Int) }\nfn area(s: any) -> Int {\n    match s {\n        Shape::Square(w) => w * w,\n        _ => 0\n    }\n}\nprint(area(Shape::Square(3)))\n",
    );
}

#[test]
fn try_catch_defer() {
    check(
        "try_catch_defer",
        "fn f() {\n    defer { print(\"bye\") }\n    let r = try { 1 / 0 } catch e { e }\n}\nf()\n",
    );
}

#[test]
fn phases() {
    check("phases", "flux xs = [1]\nfreeze(xs)\nfix y = thaw(xs)\nprint(phase_of(y))\n");
}
