//! Neovim as a real client of `lat lsp`: runs `editors/nvim/test/run.sh`, which starts a
//! headless `nvim -u NONE` with the plugin on the runtimepath and checks ftdetect, the
//! ftplugin, diagnostics, hover and go-to-definition across an import.
//!
//! Skipped (with a note, passing) when `nvim` is not on PATH, so machines without Neovim
//! stay green; `.ci/run` installs it where apt-get is available.

use std::path::Path;
use std::process::Command;

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
        .unwrap_or(false)
}

#[test]
fn neovim_lsp_client() {
    if !on_path("nvim") {
        eprintln!("note: nvim is not on PATH; skipping the Neovim LSP client test");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("editors/nvim/test/run.sh");
    let out = Command::new("bash")
        .arg(&script)
        .env("LAT", env!("CARGO_BIN_EXE_lat"))
        .output()
        .expect("run editors/nvim/test/run.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "Neovim LSP test failed ({}):\n{stdout}\n{stderr}", out.status);
    assert!(stdout.contains("all checks passed"), "unexpected output:\n{stdout}\n{stderr}");
}
