#!/bin/sh
# Builds lattice-<version>.vsix with vsce. Needs node and network access to npm; not run
# in CI. Install the result with `code --install-extension lattice-*.vsix`.
set -eu
cd "$(dirname "$0")"
npm install --no-audit --no-fund
npx --yes @vscode/vsce package --allow-missing-repository
