//! Signature help in calls of user functions, methods and builtins, with the active
//! parameter.

mod ide_fixture;
use ide_fixture::analyse;

fn help(fixture: &str) -> String {
    let (a, offset) = analyse(fixture, &[]);
    match a.signature_help(offset) {
        Some(s) => format!("{} active={} ({:?})", s.label, s.active, s.params.get(s.active)),
        None => "none".into(),
    }
}

#[test]
fn active_parameter_moves_with_commas() {
    let src = "fn area(w: Int, h: Int) -> Int { return w * h }\n";
    assert_eq!(help(&format!("{src}area($0")), "fn area(w: Int, h: Int) active=0 (Some(\"w: Int\"))");
    assert_eq!(
        help(&format!("{src}area(1, [2, 3]$0")),
        "fn area(w: Int, h: Int) active=1 (Some(\"h: Int\"))"
    );
}

#[test]
fn methods_hide_self() {
    let src = "struct P { x: Int }\nimpl P {\n    fn add(self, n: Int) -> Int { return self.x + n }\n}\nfn f(p: P) { p.add($0) }\n";
    assert_eq!(help(src), "fn add(n: Int) active=0 (Some(\"n: Int\"))");
}

#[test]
fn builtins() {
    assert_eq!(help("pow(2, $0)"), "fn pow(base, exp) active=1 (Some(\"exp\"))");
}

#[test]
fn outside_calls_there_is_none() {
    assert_eq!(help("let x = [1, $0]"), "none");
}
