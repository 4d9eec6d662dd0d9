//! Keeps the handbook from rotting: every `{{#include}}` in `handbook/src` names a file
//! that exists (and an anchor that exists in it), every included program is one the
//! `lang` harness runs (an example or a `tests/lang` case), and every chapter listed in
//! `SUMMARY.md` exists.
//!
//! It does not build the book (mdBook is not a dependency); it checks only what the
//! build would fail on, or silently get wrong.

use std::path::{Path, PathBuf};

fn handbook_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("handbook/src")
}

/// Every Markdown file under `dir`, recursively.
fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read handbook dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            markdown_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

/// The argument of each `{{#include ARG}}` in `text`, with its line number.
fn includes(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        while let Some(start) = rest.find("{{#include ") {
            let after = &rest[start + "{{#include ".len()..];
            let Some(end) = after.find("}}") else { break };
            found.push((i + 1, after[..end].trim().to_string()));
            rest = &after[end..];
        }
    }
    found
}

/// Checks one include argument (`path`, `path:anchor` or `path:from:to`) relative to the
/// chapter that contains it.
fn check_include(chapter: &Path, arg: &str) -> Result<(), String> {
    let mut parts = arg.splitn(2, ':');
    let rel = parts.next().unwrap_or_default();
    let selector = parts.next();
    let target = chapter.parent().unwrap_or(Path::new(".")).join(rel);
    let text = std::fs::read_to_string(&target).map_err(|_| format!("{rel} does not exist"))?;
    if let Some(anchor) = selector.filter(|s| !s.chars().next().is_some_and(|c| c.is_ascii_digit())) {
        if !text.contains(&format!("ANCHOR: {anchor}")) || !text.contains(&format!("ANCHOR_END: {anchor}")) {
            return Err(format!("{rel} has no anchor '{anchor}'"));
        }
    }
    if rel.ends_with(".lat") {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let canonical = target.canonicalize().map_err(|e| e.to_string())?;
        let tested = [root.join("examples"), root.join("tests/lang")]
            .iter()
            .filter_map(|d| d.canonicalize().ok())
            .any(|d| canonical.starts_with(d));
        if !tested {
            return Err(format!("{rel} is not under examples/ or tests/lang/, so no test runs it"));
        }
    }
    Ok(())
}

#[test]
fn every_include_names_an_existing_tested_file() {
    let mut chapters = Vec::new();
    markdown_files(&handbook_src(), &mut chapters);
    chapters.sort();
    let mut problems = Vec::new();
    let mut count = 0;
    for chapter in &chapters {
        let text = std::fs::read_to_string(chapter).expect("read chapter");
        for (line, arg) in includes(&text) {
            count += 1;
            if let Err(e) = check_include(chapter, &arg) {
                problems.push(format!("{}:{line}: {e}", chapter.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(count > 0, "the handbook includes no code at all");
}

#[test]
fn every_summary_entry_exists() {
    let src = handbook_src();
    let summary = std::fs::read_to_string(src.join("SUMMARY.md")).expect("read SUMMARY.md");
    let mut missing = Vec::new();
    for piece in summary.split("](").skip(1) {
        let Some(end) = piece.find(')') else { continue };
        let link = &piece[..end];
        if !link.is_empty() && !src.join(link).is_file() {
            missing.push(link.to_string());
        }
    }
    assert!(missing.is_empty(), "SUMMARY.md links to missing chapters: {missing:?}");
}
