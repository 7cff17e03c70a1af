#!/usr/bin/env bash
# Extract a corpus split and print the evaluation report, per noise level and
# overall.
#
#   scripts/eval.sh            # the held-out test split (the numbers in README)
#   scripts/eval.sh tune       # the tuning split
#   scripts/eval.sh test --json
#
# Predictions are kept in target/eval/<split>-<level>.jsonl.
set -euo pipefail
cd "$(dirname "$0")/.."
split="${1:-test}"
shift || true
cargo build --quiet
bin=target/debug/formsift
out=target/eval
mkdir -p "$out"
golds=()
preds=()
for level in light heavy; do
  dir="corpus/$split/$level"
  [ -d "$dir" ] || { echo "eval.sh: no corpus at $dir (run scripts/gen_corpus.py)" >&2; exit 1; }
  "$bin" extract "$dir" -o "$out/$split-$level.jsonl"
  echo "== $split / $level noise =="
  "$bin" eval --gold "$dir/gold.jsonl" "$out/$split-$level.jsonl" --max-errors 20 "$@"
  echo
  golds+=("$dir/gold.jsonl")
  preds+=("$out/$split-$level.jsonl")
done
cat "${golds[@]}" > "$out/$split-all.gold.jsonl"
cat "${preds[@]}" > "$out/$split-all.jsonl"
echo "== $split / all =="
"$bin" eval --gold "$out/$split-all.gold.jsonl" "$out/$split-all.jsonl" --max-errors 20 "$@"
