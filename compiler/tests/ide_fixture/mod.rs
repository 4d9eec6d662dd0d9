//! Shared by the `ide_*` tests: fixtures that mark the cursor with `$0`, an in-memory file
//! system for imports, and a readable rendering of spans for snapshots.

#![allow(dead_code)]

use lattice_compiler::ide::Analysis;
use lattice_compiler::{LineIndex, Span};

/// The text without its `$0` marker, and the marker's offset.
pub fn cursor(fixture: &str) -> (String, u32) {
    let at = fixture.find("$0").expect("fixture needs a $0 cursor");
    (fixture.replacen("$0", "", 1), at as u32)
}

/// Analyses `main` (with a `$0` cursor) where `files` are the importable files.
pub fn analyse(main: &str, files: &[(&str, &str)]) -> (Analysis, u32) {
    let (src, offset) = cursor(main);
    let files: Vec<(String, String)> = files.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect();
    let vfs = move |path: &str| files.iter().find(|(p, _)| p == path).map(|(_, t)| t.clone());
    (Analysis::new(&src, &vfs), offset)
}

/// `line:col "text"` for a span of `src`.
pub fn show(src: &str, span: Span) -> String {
    let idx = LineIndex::new(src);
    let (l, c) = idx.line_col(src, span.start);
    format!("{l}:{c} {:?}", &src[span.range()])
}
