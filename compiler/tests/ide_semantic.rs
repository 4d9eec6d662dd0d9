//! Semantic tokens: names classified by resolution, phase keywords set apart.

mod ide_fixture;
use lattice_compiler::ide::Analysis;

#[test]
fn tokens_of_a_small_program() {
    let src = "/// doc\nfn f(p) {\n    flux n = p // c\n    fix m = freeze(n)\n    print(m, \"s\", 1)\n}\n";
    let a = Analysis::standalone(src);
    let got: Vec<String> = a
        .semantic_tokens()
        .iter()
        .map(|t| format!("{} {:?} mods={}", ide_fixture::show(src, t.span), t.kind, t.modifiers))
        .collect();
    insta::assert_snapshot!(got.join("\n"));
}
