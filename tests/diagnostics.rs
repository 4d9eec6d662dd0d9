//! Snapshots of rendered diagnostics: each case is a small program and what `lat check`
//! prints for it (uncoloured ariadne output), so message wording, spans and labels are
//! reviewed together. Also checks the exit statuses: 0 valid, 65 invalid, 74 unreadable.
//!
//! Review changes with `cargo insta review`.

use std::path::PathBuf;
use std::process::Command;

/// Runs `lat check case.lat` on `src` in a fresh directory; returns the status and stderr.
fn lat_check(name: &str, src: &str) -> (i32, String) {
    let dir = std::env::temp_dir().join(format!("lat-diag-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("case.lat"), src).expect("write case");
    let out = Command::new(env!("CARGO_BIN_EXE_lat"))
        .args(["check", "case.lat"])
        .current_dir(&dir)
        .output()
        .expect("run lat");
    let _ = std::fs::remove_dir_all(&dir);
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The source and the rendered diagnostics, in two sections.
fn report(name: &str, src: &str) -> String {
    let (status, stderr) = lat_check(name, src);
    format!("{src}\n----- exit {status} -----\n{stderr}")
}

macro_rules! diagnostic {
    ($name:ident, $src:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(report(stringify!($name), $src));
        }
    };
}

diagnostic!(missing_expression, "fn main() {\n    let x = (1 + )\n    print(x)\n}\n");
diagnostic!(unclosed_block, "fn main() {\n    if ready {\n        go()\n}\n");
diagnostic!(several_errors_in_one_file, "let a = [1,, 2]\nlet b = 3\nfn f( { }\nlet c = }\n");
diagnostic!(invalid_hex_escape, "fn main() {\n    print(\"\\xZZ\")\n}\n");
diagnostic!(unterminated_string, "let s = \"never closed\nprint(s)\n");
diagnostic!(unexpected_character, "let price = 5 $ 3\n");
diagnostic!(unknown_annotation, "@invalid\nlet x = 1\n");
diagnostic!(strict_let, "#mode strict\nprint(\"never printed\")\nlet x = 5\n");
diagnostic!(
    strict_freeze_consumes,
    "#mode strict\nflux data = [1, 2, 3]\nfix frozen = freeze(data)\nprint(data)\n"
);
diagnostic!(strict_assign_to_fix, "#mode strict\nfix limit = 10\nlimit = 20\n");
diagnostic!(strict_thaw_fluid, "#mode strict\nflux x = 42\nflux y = thaw(x)\n");
diagnostic!(break_outside_loop, "fn main() {\n    break\n}\n");
diagnostic!(closure_body_is_a_block, "let f = |x| { key: x }\n");
diagnostic!(nesting_too_deep, &format!("x = {}1{}\n", "(".repeat(500), ")".repeat(500)));

#[test]
fn exit_statuses() {
    assert_eq!(lat_check("valid", "let x = { a: 1 }\nprint(x.a)\n").0, 0);
    assert_eq!(lat_check("invalid", "let = 1\n").0, 65);
    let missing = PathBuf::from("/nonexistent/lattice/case.lat");
    let out = Command::new(env!("CARGO_BIN_EXE_lat")).arg("check").arg(missing).output().expect("run lat");
    assert_eq!(out.status.code(), Some(74));
}

#[test]
fn ast_dump() {
    let dir = std::env::temp_dir().join(format!("lat-diag-{}-ast", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("case.lat"), "let x = 1 + 2\n").expect("write case");
    let out = Command::new(env!("CARGO_BIN_EXE_lat"))
        .args(["check", "--ast", "case.lat"])
        .current_dir(&dir)
        .output()
        .expect("run lat");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(out.status.success());
    insta::assert_snapshot!(String::from_utf8_lossy(&out.stdout));
}
