//! Completion: scope, members after `.`, variants after `::`, and broken input.

mod ide_fixture;
use ide_fixture::analyse;

fn complete(fixture: &str) -> Vec<String> {
    let (a, offset) = analyse(fixture, &[]);
    a.completions(offset).into_iter().map(|c| format!("{:?} {}", c.kind, c.label)).collect()
}

fn names_in_scope(fixture: &str) -> String {
    // Only the file's own names (builtins and keywords are appended after them).
    complete(fixture)
        .into_iter()
        .take_while(|c| !c.starts_with("Function abs"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn locals_params_and_globals() {
    insta::assert_snapshot!(names_in_scope(
        "let g = 1\nfn helper() {}\nfn f(param) {\n    let local = 2\n    let later$0 = 3\n}\nlet after = 4\n"
    ));
}

#[test]
fn builtins_and_keywords_are_offered() {
    let all = complete("fn f() {\n    $0\n}\n");
    assert!(all.contains(&"Function print".to_string()));
    assert!(all.contains(&"Keyword flux".to_string()));
}

#[test]
fn fields_and_methods_after_dot() {
    insta::assert_snapshot!(complete(
        "struct P { x: Int, y: Int }\nimpl P {\n    fn len(self) -> Int { return 0 }\n}\nfn f(p: P) {\n    p.$0\n}\n"
    )
    .join("\n"));
}

#[test]
fn variants_after_path() {
    insta::assert_snapshot!(complete("enum Color { Red, Green(Int) }\nlet c = Color::$0\n").join("\n"));
}

#[test]
fn module_exports_after_dot() {
    let (a, offset) = analyse(
        "import \"lib/m\" as m\nm.$0\n",
        &[("lib/m", "export fn helper(x) { return x }\nfn private() {}\n")],
    );
    let got: Vec<String> = a.completions(offset).into_iter().map(|c| c.label).collect();
    assert_eq!(got, vec!["helper"]);
}

#[test]
fn no_completion_inside_strings() {
    assert!(complete("let s = \"ab$0c\"\n").is_empty());
}
