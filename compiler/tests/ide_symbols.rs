//! Document symbols (the outline) and folding ranges.

mod ide_fixture;
use lattice_compiler::ide::{Analysis, Symbol};

fn outline(syms: &[Symbol], depth: usize, out: &mut String) {
    for s in syms {
        out.push_str(&format!("{}{:?} {}\n", "  ".repeat(depth), s.kind, s.name));
        outline(&s.children, depth + 1, out);
    }
}

const SRC: &str = "import \"a\" as a\nimport \"b\" as b\n\n// one\n// two\nstruct P {\n    x: Int,\n    y: Int\n}\nenum E { A, B }\nimpl P {\n    fn len(self) {\n        return 0\n    }\n}\nfix MAX = 3\ntest \"t\" { assert(true) }\n/* a\n   block */\n";

#[test]
fn outline_of_a_file() {
    let mut out = String::new();
    outline(&Analysis::standalone(SRC).document_symbols(), 0, &mut out);
    insta::assert_snapshot!(out);
}

#[test]
fn folding_ranges() {
    let a = Analysis::standalone(SRC);
    let got: Vec<String> = a
        .folding_ranges()
        .iter()
        .map(|f| format!("{:?} {}", f.kind, ide_fixture::show(SRC, f.span).lines().next().unwrap()))
        .collect();
    insta::assert_snapshot!(got.join("\n"));
}

#[test]
fn workspace_symbol_query() {
    let a = Analysis::outline_only(SRC);
    let found: Vec<String> = a
        .matching_symbols("e")
        .iter()
        .map(|m| format!("{} {:?} in {:?} score {}", m.name, m.kind, m.container, m.score))
        .collect();
    insta::assert_snapshot!(found.join("\n"));
    assert_eq!(a.matching_symbols("MAX")[0].name, "MAX");
    assert!(a.matching_symbols("zz").is_empty());
}

#[test]
fn match_scores_rank_exact_prefix_substring_fuzzy() {
    use lattice_compiler::ide::match_score;
    let order: Vec<Option<u32>> = ["parse", "parse_expr", "reparse", "p_a_r_s_e", "other"]
        .iter()
        .map(|n| match_score("parse", n))
        .collect();
    assert!(order[0] < order[1] && order[1] < order[2] && order[2] < order[3], "{order:?}");
    assert_eq!(order[4], None);
    assert_eq!(match_score("", "anything"), Some(1));
    assert_eq!(match_score("PE", "parse_expr"), Some(1001));
}
