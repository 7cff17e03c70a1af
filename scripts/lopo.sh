#!/usr/bin/env bash
# Leave one noise operator out: for each operator of the synthetic corpus
# (gold meta.operators), refit the calibration table on the tune split
# WITHOUT the forms that operator touched (plus the OCR tune split), then
# read the test forms it touched with that table. The extraction itself is
# fitted on nothing, so what changes is the confidence: the report is, per
# operator, the test forms' field accuracy, indicator F1, values scored
# >= 0.9 that are wrong, and wrong records auto-accepted.
#
#   scripts/lopo.sh            # every operator
#   scripts/lopo.sh row_shifted label_confused
#
# Work files in target/lopo/. Needs python3 (gold filtering).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=target/debug/formsift
out=target/lopo
mkdir -p "$out"

filter() { # gold operator keep|drop > out
  python3 - "$1" "$2" "$3" <<'EOF'
import json, sys
path, op, mode = sys.argv[1:4]
for line in open(path, encoding="utf-8"):
    ops = json.loads(line).get("meta", {}).get("operators", [])
    if (op in ops) == (mode == "keep"):
        sys.stdout.write(line)
EOF
}

ops=("$@")
if [ ${#ops[@]} -eq 0 ]; then
  mapfile -t ops < <(cat corpus/tune/*/gold.jsonl corpus/test/*/gold.jsonl | python3 -c '
import json, sys
ops = set()
for line in sys.stdin:
    ops.update(json.loads(line).get("meta", {}).get("operators", []))
print("\n".join(sorted(ops)))')
fi

ocr_golds=()
for g in corpus/ocr/tune/*/*/gold.jsonl; do ocr_golds+=(--gold "$g"); done

cat corpus/tune/light/gold.jsonl corpus/tune/heavy/gold.jsonl > "$out/tune-all.jsonl"
cat corpus/test/light/gold.jsonl corpus/test/heavy/gold.jsonl > "$out/test-all.jsonl"

printf '%-22s %5s %8s %6s %10s %7s %6s\n' operator forms fields indF1 "conf>=0.9" wrong "wrong-auto"
for op in "${ops[@]}"; do
  tune="$out/tune-without-$op.jsonl"
  test="$out/test-with-$op.jsonl"
  filter "$out/tune-all.jsonl" "$op" drop > "$tune"
  filter "$out/test-all.jsonl" "$op" keep > "$test"
  [ -s "$test" ] || { printf '%-22s  (no test form)\n' "$op"; continue; }
  "$bin" calibrate --gold "$tune" "${ocr_golds[@]}" -o "$out/table-$op.json" >/dev/null 2>&1
  # The documents of the test forms (each file holds several forms; the
  # evaluation only scores the gold ones).
  mapfile -t docs < <(python3 -c '
import json, sys
seen = []
for line in open(sys.argv[1], encoding="utf-8"):
    p = json.loads(line)["source"]["path"]
    if p not in seen:
        seen.append(p)
print("\n".join(seen))' "$test")
  "$bin" extract "${docs[@]}" -q --calibration "$out/table-$op.json" -o "$out/pred-$op.jsonl"
  "$bin" eval --gold "$test" "$out/pred-$op.jsonl" --json > "$out/report-$op.json" 2>/dev/null || true
  python3 - "$op" "$out/report-$op.json" <<'EOF'
import json, sys
op, path = sys.argv[1:3]
r = json.load(open(path))
print(f'{op:<22} {r["records"]:5} {r["field_accuracy"]:8.2%} {r["indicator_f1"]:6.3f} '
      f'{r["confident_answers"]:10} {r["confident_error_rate"]:7.2%} {r["wrong_auto_accepted"]:6}')
EOF
done
