//! The tree-sitter grammar in `editors/tree-sitter-lattice`: its committed `src/parser.c`
//! (compiled by the grammar crate's build script, no CLI needed) is current with
//! `grammar.js`, its queries compile, and it parses without an ERROR or MISSING node every
//! reference program under `~/.cache/latref/programs` (or `$LATREF/programs`; skipped
//! when absent, never copied into the repository) and every program in `examples/`
//! and `stdlib/lib/`.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tree_sitter::{Language, Node, Parser, Query, Tree};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn language() -> Language {
    tree_sitter_lattice::LANGUAGE.into()
}

fn parse(src: &str) -> Tree {
    let mut parser = Parser::new();
    parser.set_language(&language()).expect("grammar ABI is supported by the tree-sitter crate");
    parser.parse(src, None).expect("parse")
}

/// The first ERROR or MISSING node, as `line:col kind`.
fn first_error(node: Node) -> Option<String> {
    if !node.has_error() {
        return None;
    }
    if node.is_error() || node.is_missing() {
        let p = node.start_position();
        let what = if node.is_missing() { format!("MISSING {}", node.kind()) } else { "ERROR".to_string() };
        return Some(format!("{}:{} {what}", p.row + 1, p.column + 1));
    }
    let mut cursor = node.walk();
    let found = node.children(&mut cursor).find_map(first_error);
    found
}

fn lat_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            lat_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "lat") {
            out.push(path);
        }
    }
}

/// Parses every file; returns the failures as `path line:col ERROR`.
fn parse_all(files: &[PathBuf]) -> Vec<String> {
    let mut failures = Vec::new();
    for path in files {
        let src = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Some(at) = first_error(parse(&src).root_node()) {
            failures.push(format!("{} {at}", path.display()));
        }
    }
    failures
}

#[test]
fn committed_parser_matches_grammar_js() {
    let dir = root().join("editors/tree-sitter-lattice");
    let grammar = std::fs::read(dir.join("grammar.js")).unwrap();
    let digest: String = Sha256::digest(&grammar).iter().map(|b| format!("{b:02x}")).collect();
    let recorded = std::fs::read_to_string(dir.join("src/grammar.js.sha256")).unwrap();
    assert_eq!(
        recorded.trim(),
        digest,
        "grammar.js changed since src/parser.c was generated: run editors/tree-sitter-lattice/generate.sh"
    );
}

#[test]
fn queries_compile() {
    let lang = language();
    for (name, source) in [
        ("highlights", tree_sitter_lattice::HIGHLIGHTS_QUERY),
        ("folds", tree_sitter_lattice::FOLDS_QUERY),
        ("indents", tree_sitter_lattice::INDENTS_QUERY),
    ] {
        if let Err(e) = Query::new(&lang, source) {
            panic!("queries/{name}.scm: {e}");
        }
    }
}

#[test]
fn parses_every_construct() {
    let src = r#"#mode strict
import { add, sub } from "math.lat"
import "lib/fn" as F
/// Documented.
export fn f<T>(a: Int, b: fix Map = {}, c: (~|*) [String], ...rest) -> Fn(Int) -> Int
    require a > 0, "positive"
    ensure |r| { r >= 0 }
{
    return |x| x + a
}
@crystal
fix cfg = freeze({ port: 8080, "host": "localhost" }) where |v| v.has("port") except ["port"]
struct Point { x: Int, y: flux Float, repr: Fn }
enum Shape { Circle(Float), Rect(Float, Float), Empty }
trait Area { fn area(self) -> Float; fn name(self) { "shape" } }
impl Area for Point { fn area(self) -> Float { 0.0 } }
test "points" { assert(Point { x: 1, y: 2.0, repr: fn(s) { "" } }.x == 1) }
flux [head, ...tail] = [1, ...rest, 3]
let {x, y} = p
let t = (1, 'raw ${not}', """
    multi ${line}
    """)
let s = "a ${t.0} b ${ "nested ${x}" } \u{e9} $"
let area = match shape {
    Shape::Circle(r) if r > 0.0 => 3.14 * r * r,
    Shape::Rect(w, h) => w * h,
    [first, ...] => first,
    { kind: "box", size } => size,
    crystal v => v,
    -1 | 0..10 => 0.0,
    _ => { 0.0 }
}
let r = try { risky()? } catch e { print(e) }
anneal(cfg) |c| { c }
crystallize(data) { print(phase_of(data)) }
borrow(data) { data.push(1) }
let sub = sublimate(thaw(clone(data)))
let built = forge { flux m = Map::new(); freeze(m) }
scope {
    spawn { ch.send(freeze(1)) }
}
let got = select {
    msg from ch => { msg }
    timeout(100) => { nil }
    default => { 0 }
}
for i in 0..10 { if i % 2 == 0 { continue } else if i > 8 { break } }
while a?.b?[0] ?? false { a.c[1] <<= ~x & 0xFF ^ y | z >> 1 }
loop { defer { close() }; break }
if x == Y { z }
"#;
    let tree = parse(src);
    // `-1 | 0..10` is not a pattern; everything else must parse.
    let err = first_error(tree.root_node());
    assert_eq!(err.as_deref(), Some("30:8 ERROR"), "{}", tree.root_node().to_sexp());
    let fixed = src.replace("-1 | 0..10", "0..10");
    let tree = parse(&fixed);
    assert_eq!(first_error(tree.root_node()), None, "{}", tree.root_node().to_sexp());
    let sexp = tree.root_node().to_sexp();
    for kind in [
        "mode_directive",
        "import_statement",
        "function_declaration",
        "contract",
        "closure_expression",
        "freeze_expression",
        "except_clause",
        "struct_declaration",
        "enum_declaration",
        "trait_declaration",
        "impl_block",
        "test_declaration",
        "struct_literal",
        "function_expression",
        "array_binding",
        "struct_binding",
        "raw_string",
        "interpolation",
        "escape_sequence",
        "variant_pattern",
        "array_pattern",
        "struct_pattern",
        "phase_pattern",
        "range_pattern",
        "wildcard_pattern",
        "try_catch_expression",
        "try_expression",
        "anneal_expression",
        "crystallize_expression",
        "borrow_expression",
        "sublimate_expression",
        "thaw_expression",
        "clone_expression",
        "forge_expression",
        "scope_expression",
        "spawn_expression",
        "select_expression",
        "map_literal",
        "phase_constraint",
        "function_type",
        "assignment_statement",
    ] {
        assert!(sexp.contains(&format!("({kind}")), "no {kind} in {sexp}");
    }
    // `if x == Y { z }`: a condition and a block, not a struct literal.
    let root = tree.root_node();
    let last = root.named_child(root.named_child_count() as u32 - 1).unwrap();
    assert_eq!(
        last.to_sexp(),
        "(expression_statement (if_expression condition: (binary_expression left: (identifier) \
         right: (identifier)) consequence: (block (expression_statement (identifier)))))"
    );
}

#[test]
fn examples_and_stdlib_parse_without_errors() {
    let mut files = Vec::new();
    lat_files(&root().join("examples"), &mut files);
    lat_files(&root().join("stdlib/lib"), &mut files);
    files.sort();
    assert!(!files.is_empty());
    let failures = parse_all(&files);
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), files.len(), failures.join("\n"));
}

#[test]
fn reference_programs_parse_without_errors() {
    let dir = std::env::var_os("LATREF")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/latref")))
        .map(|d| d.join("programs"));
    let Some(dir) = dir.filter(|d| d.is_dir()) else {
        eprintln!("note: no reference programs on this machine; skipping");
        return;
    };
    let mut files = Vec::new();
    lat_files(&dir, &mut files);
    files.sort();
    let failures = parse_all(&files);
    eprintln!("{} of {} reference programs parse without ERROR", files.len() - failures.len(), files.len());
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), files.len(), failures.join("\n"));
}
