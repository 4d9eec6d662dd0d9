#!/usr/bin/env bash
# Regenerates src/ from grammar.js with the tree-sitter CLI (`cargo install tree-sitter-cli
# --locked`; not needed to build or test) and records grammar.js's hash, which
# tests/tree_sitter.rs compares so a stale parser.c is caught.
set -euo pipefail
cd "$(dirname "$0")"
tree-sitter generate
sha256sum grammar.js | cut -d' ' -f1 > src/grammar.js.sha256
