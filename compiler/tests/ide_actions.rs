//! Code actions: "did you mean" for unknown names, `freeze(x)` before a fluid `x` is sent
//! on a channel, and `fix`/`flux` for `let` in strict mode. Each snapshot shows the
//! offered titles and the file after applying each action.

mod ide_fixture;
use ide_fixture::analyse;
use lattice_compiler::Span;

/// Every action at the `$0` cursor: its title, then the file with its edits applied.
fn actions(fixture: &str) -> String {
    let (a, offset) = analyse(fixture, &[]);
    let mut out = String::new();
    for action in a.code_actions(Span::new(offset, offset), &|name| name == "assert_eq") {
        let mut text = a.src.clone();
        for e in action.edits.iter().rev() {
            text.replace_range(e.span.range(), &e.text);
        }
        let fixes = action.diagnostic.map(|d| format!(" (fixes {})", d.code)).unwrap_or_default();
        let star = if action.preferred { "*" } else { "" };
        out.push_str(&format!("== {star}{}{fixes}\n{text}", action.title));
    }
    out
}

#[test]
fn did_you_mean_a_visible_name() {
    insta::assert_snapshot!(actions("fn f() {\n    let count = 1\n    print(cuont$0 + 1)\n}\n"));
}

#[test]
fn did_you_mean_a_builtin() {
    insta::assert_snapshot!(actions("prnt$0(\"hi\")\n"));
}

#[test]
fn no_suggestion_for_far_or_known_names() {
    assert_eq!(actions("let count = 1\nprint(zebra$0)\n"), "");
    assert_eq!(actions("let count = 1\nprint$0(count)\n"), "");
}

#[test]
fn no_suggestion_for_natives_or_builtin_types() {
    // `assert_eq` is a native of the embedder (the test's `is_native` says so), close to
    // the builtin `assert`; `Mapp::new` names a type the IDE does not know.
    assert_eq!(actions("assert_eq$0(1, 1)\n"), "");
    assert_eq!(actions("let Map = 1\nlet m = Mapp$0::new()\n"), "");
}

#[test]
fn typos_are_warnings_unless_an_import_is_unreadable() {
    let (a, _) = analyse("let count = 1\nprint(cuont$0)\n", &[]);
    let got: Vec<String> = a
        .typo_diagnostics(&|_| false)
        .iter()
        .map(|d| {
            format!(
                "{} {:?} {} at {} help: {}",
                d.code,
                d.severity,
                d.message,
                ide_fixture::show(&a.src, d.primary.span),
                d.help.as_deref().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(got, ["E0901 Warning unknown name 'cuont' at 2:7 \"cuont\" help: did you mean `count`?"]);
    let (a, _) = analyse("import \"math\"\nlet count = 1\nprint(cuont$0)\n", &[]);
    assert!(a.typo_diagnostics(&|_| false).is_empty());
}

#[test]
fn freeze_a_flux_binding_before_send() {
    insta::assert_snapshot!(actions(
        "let ch = Channel::new()\nflux msg = [1, 2]\nmsg.push(3)\nch.send(ms$0g)\n"
    ));
}

#[test]
fn no_freeze_for_crystal_or_already_frozen_values() {
    assert_eq!(actions("let ch = Channel::new()\nfix msg = [1]\nch.send(msg$0)\n"), "");
    assert_eq!(actions("let ch = Channel::new()\nflux msg = [1]\nfreeze(msg)\nch.send(msg$0)\n"), "");
}

#[test]
fn strict_let_becomes_fix_when_never_written() {
    insta::assert_snapshot!(actions("#mode strict\nl$0et total = 10\nprint(total)\n"));
}

#[test]
fn strict_let_becomes_flux_when_written() {
    insta::assert_snapshot!(actions(
        "#mode strict\nfn f() {\n    $0let xs = []\n    xs.push(1)\n    return xs\n}\n"
    ));
}

#[test]
fn strict_destructuring_let() {
    insta::assert_snapshot!(actions("#mode strict\nlet$0 [a, b] = [1, 2]\nprint(a + b)\n"));
}
