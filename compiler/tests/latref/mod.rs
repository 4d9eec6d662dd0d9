//! Where the reference implementation's programs and corpus are on this machine
//! (`$LATREF`, else `~/.cache/latref`; prepared by `../shared/conformance/prepare.sh`),
//! for the tests that run over them and skip quietly without them.

use std::path::{Path, PathBuf};

/// The prepared reference folder, if there is one.
pub fn dir() -> Option<PathBuf> {
    let dir = std::env::var_os("LATREF")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/latref")))?;
    dir.is_dir().then_some(dir)
}

/// Every `.lat` file under `dir`, recursively, appended to `out`.
pub fn lat_files(dir: &Path, out: &mut Vec<PathBuf>) {
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
