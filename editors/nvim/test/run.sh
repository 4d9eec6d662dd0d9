#!/usr/bin/env bash
# Headless Neovim as a real LSP client of `lat lsp`: opens a file with an error and a file
# that imports another, then checks diagnostics, hover and go-to-definition across files.
#
#   editors/nvim/test/run.sh            # uses $LAT, else target/debug/lat (built if missing)
#
# Exits non-zero when a check fails; needs `nvim` (0.7+) on PATH.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
LAT="${LAT:-$target/debug/lat}"
if [ ! -x "$LAT" ]; then
    (cd "$root" && cargo build --quiet --bin lat)
fi
LAT="$(cd "$(dirname "$LAT")" && pwd)/$(basename "$LAT")"
command -v nvim >/dev/null || { echo "nvim is not on PATH" >&2; exit 2; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/project/.git"
cat >"$work/project/util.lat" <<'LAT'
/// Adds two numbers.
fn add(a, b) {
    return a + b
}
LAT
cat >"$work/project/main.lat" <<'LAT'
import { add } from "util.lat"

let total = add(1, 2)
print(total)
LAT
cat >"$work/project/broken.lat" <<'LAT'
let ok = 1
let bad = (ok +
LAT

export LAT LATTICE_NVIM_TEST_DIR="$work/project"
export XDG_STATE_HOME="$work/state" XDG_DATA_HOME="$work/data" XDG_CACHE_HOME="$work/cache"
export XDG_CONFIG_HOME="$work/config"
# -u NONE: no user config; the plugin comes in through the runtimepath alone.
timeout 120 nvim --headless -u NONE -i NONE -n \
    --cmd "set runtimepath^=$root/editors/nvim" \
    -c "luafile $here/lsp_test.lua" </dev/null
