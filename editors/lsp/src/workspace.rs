//! The files of the workspace as the server sees them: where an import points, which
//! `.lat` files the workspace folders hold (for workspace symbols and cross-file
//! references), and the text of a file, open documents first.
//!
//! Paths are compared after lexical normalisation (`a/./b/../c` is `a/c`), never through
//! the file system, so an unsaved open document is found like a saved one. The folder
//! walk is bounded: it skips hidden folders, `target` and `node_modules`, and stops after
//! [`MAX_FILES`] files.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// At most this many workspace files are looked at per request.
pub const MAX_FILES: usize = 2000;
/// Folders deeper than this below a workspace folder are not walked.
const MAX_DEPTH: usize = 12;

/// The texts of the open documents, by normalised path.
pub type OpenFiles = HashMap<PathBuf, Arc<str>>;

/// `path` with `.` and `..` components folded away.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Where `import "path"` in the file `from` points: next to that file, then the working
/// directory, with `.lat` added when missing (as `lat run` does). An open document counts
/// as existing even when it was never saved.
pub fn resolve_import(from: Option<&Path>, path: &str, open: &OpenFiles) -> Option<PathBuf> {
    let with_ext = if path.ends_with(".lat") { path.to_string() } else { format!("{path}.lat") };
    let mut candidates = Vec::new();
    if let Some(dir) = from.and_then(Path::parent) {
        candidates.push(dir.join(&with_ext));
        candidates.push(dir.join(path));
    }
    candidates.push(PathBuf::from(&with_ext));
    candidates.into_iter().map(|p| normalize(&p)).find(|p| open.contains_key(p) || p.is_file())
}

/// The text of `path`: the open document's, else the file's on disk.
pub fn read(path: &Path, open: &OpenFiles) -> Option<Arc<str>> {
    if let Some(text) = open.get(path) {
        return Some(text.clone());
    }
    std::fs::read_to_string(path).ok().map(Arc::from)
}

/// The `.lat` files under the workspace folders, in a stable order, at most [`MAX_FILES`].
pub fn lat_files(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for root in roots {
        walk(root, 0, &mut out);
    }
    out.sort();
    out.dedup();
    out
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if out.len() >= MAX_FILES {
            return;
        }
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(kind) = entry.file_type() else { continue };
        if kind.is_dir() {
            let skipped = name.starts_with('.') || name == "target" || name == "node_modules";
            if !skipped && depth < MAX_DEPTH {
                walk(&entry.path(), depth + 1, out);
            }
        } else if kind.is_file() && name.ends_with(".lat") {
            out.push(normalize(&entry.path()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_resolves_open_files() {
        assert_eq!(normalize(Path::new("/w/a/./b/../c.lat")), PathBuf::from("/w/a/c.lat"));
        let open = OpenFiles::from([(PathBuf::from("/nowhere/lib/util.lat"), Arc::from("fn f() {}"))]);
        let from = Path::new("/nowhere/app/main.lat");
        assert_eq!(
            resolve_import(Some(from), "../lib/util", &open),
            Some(PathBuf::from("/nowhere/lib/util.lat"))
        );
        assert_eq!(resolve_import(Some(from), "missing", &open), None);
    }

    #[test]
    fn walk_skips_build_and_hidden_folders() {
        let root = std::env::temp_dir().join(format!("lattice-lsp-walk-{}", std::process::id()));
        for dir in ["src", "target/debug", ".git", "node_modules/x"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
            std::fs::write(root.join(dir).join("f.lat"), "").unwrap();
        }
        std::fs::write(root.join("src/notes.txt"), "").unwrap();
        let found = lat_files(std::slice::from_ref(&root));
        let _ = std::fs::remove_dir_all(&root);
        assert_eq!(found, vec![normalize(&root.join("src/f.lat"))]);
    }
}
