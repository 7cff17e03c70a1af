#!/usr/bin/env bash
# Evaluate on the real-OCR corpus (corpus/ocr: forms rendered, rasterised,
# degraded and read back by two OCR engines; see docs/ocr-corpus.md).
#
#   scripts/eval-ocr.sh              # test split, built-in calibration table
#   scripts/eval-ocr.sh tune         # the tuning split
#   scripts/eval-ocr.sh test --holdout-engine
#       # each engine held out whole: the table is refitted on the synthetic
#       # tune split plus the OTHER engine's OCR tune split, then this
#       # engine's test split is read with it (--calibration).
#
# One line per engine / noise level / rendering: forms, field accuracy,
# indicator F1, ECE, values scored >= 0.9 and the share of them wrong,
# records exactly right, straight through (record confidence >= 0.9 and
# exactly right) and wrong records auto-accepted. Predictions and reports
# are kept in target/eval-ocr/.
set -euo pipefail
cd "$(dirname "$0")/.."
split="${1:-test}"
mode="${2:-}"
cargo build --quiet
bin=target/debug/formsift
out=target/eval-ocr
mkdir -p "$out"

calibration_for() { # engine -> extra extract args
  local engine=$1
  [ "$mode" = "--holdout-engine" ] || return 0
  local other g table="$out/calibration-without-$engine.json"
  local golds=(--gold corpus/tune/light/gold.jsonl --gold corpus/tune/heavy/gold.jsonl)
  for other in corpus/ocr/tune/*; do
    [ "$(basename "$other")" = "$engine" ] && continue
    for g in "$other"/*/gold.jsonl; do golds+=(--gold "$g"); done
  done
  "$bin" calibrate "${golds[@]}" -o "$table" >/dev/null 2>&1
  echo "--calibration $table"
}

printf '%-10s %-6s %-6s %5s %8s %6s %6s %14s %6s %14s %5s\n' \
  engine level render forms fields indF1 ECE "conf>=0.9 wrong" exact "straight-thru" wrong
for engine_dir in corpus/ocr/"$split"/*; do
  engine=$(basename "$engine_dir")
  cal=$(calibration_for "$engine")
  for dir in "$engine_dir"/clean "$engine_dir"/light "$engine_dir"/heavy; do
    [ -f "$dir/gold.jsonl" ] || continue
    level=$(basename "$dir")
    pred="$out/$split${mode:+-holdout}-$engine-$level.jsonl"
    # shellcheck disable=SC2086
    "$bin" extract "$dir" -q $cal -o "$pred" 2>"${pred%.jsonl}.stderr" || true
    for render in html tsv text all; do
      gold="$dir/gold.jsonl"
      if [ "$render" != all ]; then
        gold="$out/gold-$render.jsonl"
        grep "\"path\": \"[^\"]*\.$render\.[a-z]*\"" "$dir/gold.jsonl" > "$gold" || true
      fi
      "$bin" eval --gold "$gold" "$pred" --json > "$out/report.json" 2>/dev/null || true
      python3 - "$engine" "$level" "$render" "$out/report.json" <<'EOF'
import json, sys
engine, level, render, path = sys.argv[1:5]
r = json.load(open(path))
print(f'{engine:<10} {level:<6} {render:<6} {r["records"]:5} {r["field_accuracy"]:8.2%} '
      f'{r["indicator_f1"]:6.3f} {r["ece"]:6.3f} {r["confident_answers"]:7} {r["confident_error_rate"]:6.2%} '
      f'{r["records_exact"]:6} {r["straight_through"]:6} ({r["straight_through_rate"]:5.1%}) {r["wrong_auto_accepted"]:5}')
EOF
    done
  done
done
