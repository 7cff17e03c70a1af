#!/usr/bin/env bash
# Fuzz the whole pipeline with cargo-fuzz (libFuzzer), seeded with samples/.
#
# usage: scripts/fuzz.sh [SECONDS]   (default 1800)
# Needs: cargo install cargo-fuzz, and a nightly toolchain (rustup toolchain
# install nightly). Crashes land in fuzz/artifacts/pipeline/; reproduce one
# with: cargo +nightly fuzz run pipeline fuzz/artifacts/pipeline/<file>
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-1800}
mkdir -p fuzz/corpus/pipeline
cp samples/* fuzz/corpus/pipeline/ 2>/dev/null || true
cargo +nightly fuzz run pipeline fuzz/corpus/pipeline -- \
  -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048
