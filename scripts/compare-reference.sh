#!/usr/bin/env bash
# Runs the reference implementation's lib/*.lat and examples/**/*.lat, and our drivers
# for its libraries (scripts/reference-drivers/), under the reference binary and under
# `lat`, and prints a Markdown table comparing stdout and exit code.
#
#   scripts/compare-reference.sh REF_GIT_DIR CLAT [LAT]
#
# REF_GIT_DIR: a git directory of github:ajokela/lattice (read with `git --git-dir`);
# CLAT: the reference binary; LAT: ours (default: target/release/lat of this checkout).
# Not part of CI: it needs the reference. handbook/src/reference/reference-comparison.md
# holds the last results with the reason for each difference.
#
# Every program runs from the root of an extracted copy of the reference tree (its
# examples import paths from there), with no standard input and a 30 s limit. Programs
# that need the network or a native extension are listed, not run. A driver runs twice
# under `lat`: next to the reference's lib/ (so both binaries run the same library),
# and, for the libraries we ship too, in a folder without lib/ (our embedded library).
# The reference exits 1 after a runtime error where `lat` exits 70 by design; the table
# shows both codes and counts a 1/70 pair as the same outcome.
set -uo pipefail
ref_git=${1:?usage: compare-reference.sh REF_GIT_DIR CLAT [LAT]}
clat=$(realpath "${2:?usage: compare-reference.sh REF_GIT_DIR CLAT [LAT]}")
here=$(cd "$(dirname "$0")" && pwd)
lat=$(realpath "${3:-$here/../target/release/lat}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/ref" "$work/embedded"
git --git-dir="$ref_git" archive HEAD lib examples 2>/dev/null | tar -x -C "$work/ref"
for d in "$here"/reference-drivers/*.lat; do
    cp "$d" "$work/ref/driver_$(basename "$d")"
    cp "$d" "$work/embedded/driver_$(basename "$d")"
done

# Programs not run, with the reason.
declare -A skip=(
    [examples/http_client.lat]="network (http://httpbin.org)"
    [examples/https_client.lat]="network (https://httpbin.org)"
    [examples/tls_client.lat]="network (httpbin.org:443)"
    [examples/http_server.lat]="network: serves port 8080 forever"
    [examples/http_middleware.lat]="network: serves port 8080 forever"
    [examples/orm_demo.lat]="native extension (sqlite)"
    [lib/orm.lat]="native extension (sqlite)"
    [examples/ballistics_lab/test_ballistics_repl_engine.lat]="needs the external ballistics engine"
    [examples/ballistics_lab/test_engine_backend.lat]="needs the external ballistics engine"
    [examples/ballistics_lab/test_conformance.lat]="needs the external ballistics engine"
    [examples/ballistics_lab/test_ballistics_repl.lat]="runs ./clat as a subprocess"
)
# Libraries we ship in stdlib/lib as well.
ours="test fn validate dotenv log template cli http_server"

# run DIR BIN... -> sets out and rc
run() {
    local dir=$1
    shift
    out=$(cd "$dir" && timeout 30 "$@" </dev/null 2>/dev/null)
    rc=$?
}

same_rc() { [ "$1" = "$2" ] || { [ "$1" = 1 ] && [ "$2" = 70 ]; }; }

verdict() { # ref_out ref_rc our_out our_rc
    if [ "$1" = "$3" ] && same_rc "$2" "$4"; then echo "same"; else echo "**differs**"; fi
}

echo "| program | reference exit | lat exit | stdout + exit |"
echo "|---|---|---|---|"
files=$(cd "$work/ref" && find lib examples -name '*.lat' \
    ! -path 'examples/ballistics_lab/*' | sort;
    cd "$work/ref" && ls examples/ballistics_lab/examples/*.lat examples/ballistics_lab/test_*.lat)
for f in $files; do
    if [ -n "${skip[$f]:-}" ]; then
        echo "| \`$f\` | – | – | not run: ${skip[$f]} |"
        continue
    fi
    run "$work/ref" "$clat" "$f"; ref_out=$out; ref_rc=$rc
    run "$work/ref" "$lat" run "$f"; our_out=$out; our_rc=$rc
    echo "| \`$f\` | $ref_rc | $our_rc | $(verdict "$ref_out" "$ref_rc" "$our_out" "$our_rc") |"
done
for d in "$here"/reference-drivers/*.lat; do
    name=$(basename "$d" .lat)
    f=driver_$name.lat
    run "$work/ref" "$clat" "$f"; ref_out=$out; ref_rc=$rc
    run "$work/ref" "$lat" run "$f"; our_out=$out; our_rc=$rc
    echo "| driver \`$name\` (reference lib/$name) | $ref_rc | $our_rc | $(verdict "$ref_out" "$ref_rc" "$our_out" "$our_rc") |"
    if [[ " $ours " == *" $name "* ]]; then
        run "$work/embedded" "$lat" run "$f"; emb_out=$out; emb_rc=$rc
        echo "| driver \`$name\` (our lib/$name) | $ref_rc | $emb_rc | $(verdict "$ref_out" "$ref_rc" "$emb_out" "$emb_rc") |"
    fi
done
