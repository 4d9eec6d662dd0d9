//! Inlay hints: parameter names at call sites and evident binding phases.

mod ide_fixture;
use lattice_compiler::ide::Analysis;
use lattice_compiler::Span;

#[test]
fn parameter_names_and_phases() {
    let src =
        "fn move_to(x, y) {}\nlet y = 2\nmove_to(1, y)\nlet frozen = freeze([1])\nlet warm = thaw(frozen)\n";
    let a = Analysis::standalone(src);
    let got: Vec<String> = a
        .inlay_hints(Span::new(0, src.len() as u32))
        .iter()
        .map(|h| format!("{} {:?}", h.label, h.kind))
        .collect();
    assert_eq!(got, vec!["x: Parameter", ": crystal Phase", ": fluid Phase"]);
}
