//! Keeps the editor files in step with the compiler: the TextMate grammar names every
//! keyword the IDE knows, and the VS Code extension declares the custom semantic token
//! type the server sends for phase keywords.

use std::path::PathBuf;

fn read(rel: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn grammar_has_every_keyword() {
    let grammar = read("vscode/syntaxes/lattice.tmLanguage.json");
    let parsed: serde_json::Value = serde_json::from_str(&grammar).expect("grammar is JSON");
    assert_eq!(parsed["scopeName"], "source.lattice");
    for (kw, _) in lattice_compiler::ide::KEYWORDS {
        assert!(
            grammar.contains(&format!("|{kw}|"))
                || grammar.contains(&format!("({kw}|"))
                || grammar.contains(&format!("|{kw})")),
            "keyword {kw} missing from the grammar"
        );
    }
}

#[test]
fn extension_declares_the_phase_token_type() {
    let manifest: serde_json::Value = serde_json::from_str(&read("vscode/package.json")).unwrap();
    let types = manifest["contributes"]["semanticTokenTypes"].as_array().unwrap();
    assert!(types.iter().any(|t| t["id"] == "phase" && t["superType"] == "keyword"));
    for file in ["vscode/language-configuration.json", "vscode/snippets/lattice.json"] {
        serde_json::from_str::<serde_json::Value>(&read(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
}
