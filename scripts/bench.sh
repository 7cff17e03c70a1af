#!/usr/bin/env bash
# Throughput, scaling, memory and instruction counts of `formsift extract`.
#
# usage: scripts/bench.sh [FORMS] [CALLGRIND_FORMS]
#   FORMS            corpus size for the timed runs (default 100000)
#   CALLGRIND_FORMS  corpus size for the instruction count (default 600)
#
# Prints a Markdown table: forms/s and MB/s at -j 1 and -j 2, the scaling
# ratio, peak RSS, per-stage time per form (--timings), and instructions per
# form from valgrind --tool=callgrind (stable run to run, unlike seconds).
set -euo pipefail
cd "$(dirname "$0")/.."
forms=${1:-100000}
cg_forms=${2:-600}
work=target/bench
mkdir -p "$work"

cargo build --release --quiet
bin=target/release/formsift

corpus="$work/corpus-$forms"
if [ ! -d "$corpus" ]; then
  start=$(date +%s.%N)
  python3 scripts/gen-bench-corpus.py --forms "$forms" --out "$corpus"
  echo "corpus generated in $(echo "$(date +%s.%N) - $start" | bc) s"
fi
bytes=$(du -sb "$corpus" | cut -f1)

run() { # $1 = jobs; prints "wall_s peak_rss_kb"
  local log="$work/time-j$1.txt"
  /usr/bin/time -v "$bin" extract "$corpus" -j "$1" -q -o /dev/null --timings 2> "$log" >/dev/null
  local wall rss
  wall=$(grep 'Elapsed (wall clock)' "$log" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep 'Maximum resident set size' "$log" | awk '{print $NF}')
  echo "$wall $rss"
}

read -r w1 r1 < <(run 1)
read -r w2 r2 < <(run 2)

python3 - "$forms" "$bytes" "$w1" "$r1" "$w2" "$r2" <<'EOF'
import sys
forms, size, w1, r1, w2, r2 = int(sys.argv[1]), int(sys.argv[2]), *map(float, sys.argv[3:])
mb = size / 1e6
print(f"corpus: {forms} forms, {mb:.1f} MB (tab-flattened)")
print()
print("| run | wall s | forms/s | MB/s | µs/form | peak RSS MB |")
print("|---|---|---|---|---|---|")
for j, w, r in ((1, w1, r1), (2, w2, r2)):
    print(f"| -j {j} | {w:.2f} | {forms / w:,.0f} | {mb / w:.1f} | {w * 1e6 / forms:.1f} | {r / 1024:.1f} |")
print()
print(f"scaling -j1 -> -j2: {w1 / w2:.2f}x")
EOF
echo
echo "per-stage time at -j 1 (summed over threads):"
sed -n '/time per stage/,/Command being timed/p' "$work/time-j1.txt" | sed '1d;$d'

if command -v valgrind >/dev/null; then
  small="$work/corpus-cg-$cg_forms"
  [ -d "$small" ] || python3 scripts/gen-bench-corpus.py --forms "$cg_forms" --out "$small" >/dev/null
  valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
    "$bin" extract "$small" -j 1 -q -o /dev/null 2> "$work/callgrind.log" || true
  ir=$(grep -oE 'Collected : [0-9]+' "$work/callgrind.log" | awk '{print $3}')
  # Fixed cost (process start, template compile) measured on one form.
  one="$work/corpus-cg-1"
  [ -d "$one" ] || python3 scripts/gen-bench-corpus.py --forms 1 --out "$one" >/dev/null
  valgrind --tool=callgrind --callgrind-out-file="$work/callgrind1.out" \
    "$bin" extract "$one" -j 1 -q -o /dev/null 2> "$work/callgrind1.log" || true
  ir1=$(grep -oE 'Collected : [0-9]+' "$work/callgrind1.log" | awk '{print $3}')
  echo
  echo "callgrind: $ir instructions for $cg_forms forms, $ir1 for 1 form"
  echo "instructions per form (marginal): $(( (ir - ir1) / (cg_forms - 1) ))"
  echo "profile: callgrind_annotate $work/callgrind.out | head -40"
fi
