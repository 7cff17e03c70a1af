#!/usr/bin/env bash
# Runs formsift on the sample and compares with the contract's expected values
# using the checker from ../shared (available to developers and CI only).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${SHARED:-../shared}
bin=${FORMSIFT:-target/release/formsift}
[ -x "$bin" ] || cargo build --release
out=$(mktemp)
"$bin" extract samples/bazhong-2019-perf-targets.md > "$out"
"$shared/tools/check-expected" "$shared/spec/seed-expected.jsonl" "$out"
rm -f "$out"
