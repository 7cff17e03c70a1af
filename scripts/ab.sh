#!/usr/bin/env bash
# Two builds of formsift timed against each other, runs interleaved.
#
# usage: scripts/ab.sh OLD_BIN NEW_BIN [FORMS] [JOBS]
#   OLD_BIN, NEW_BIN  two formsift binaries (e.g. a release build of an
#                     older commit copied aside, and target/release/formsift)
#   FORMS             benchmark corpus size (default 100000; written by
#                     scripts/bench.sh or here if missing)
#   JOBS              threads (-j, default 1)
#   RUNS=N            pairs of runs (default 5)
#
# On a shared machine the speed of the host moves between minutes and between
# days by more than most optimizations gain, so two builds timed an hour apart
# cannot be compared. Here every old run is followed at once by a new run;
# the report is the median of the per-pair ratios, which the host's drift
# mostly cancels out of.
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:?usage: scripts/ab.sh OLD_BIN NEW_BIN [FORMS] [JOBS]}
new=${2:?usage: scripts/ab.sh OLD_BIN NEW_BIN [FORMS] [JOBS]}
forms=${3:-100000}
jobs=${4:-1}
runs=${RUNS:-5}
corpus=target/bench/corpus-$forms
if [ ! -d "$corpus" ]; then
  python3 scripts/gen-bench-corpus.py --forms "$forms" --out "$corpus"
fi
cat "$corpus"/*/* > /dev/null

wall() { # $1 = binary; prints wall seconds of one run
  /usr/bin/time -f '%e' "$1" extract "$corpus" -j "$jobs" -q -o /dev/null 2>&1 >/dev/null | tail -n 1
}

pairs=()
for k in $(seq 1 "$runs"); do
  a=$(wall "$old")
  b=$(wall "$new")
  echo "pair $k: old $a s, new $b s"
  pairs+=("$a $b")
done
printf '%s\n' "${pairs[@]}" | python3 -c '
import statistics, sys
forms = int(sys.argv[1])
pairs = [tuple(map(float, l.split())) for l in sys.stdin if l.strip()]
old = statistics.median(a for a, _ in pairs)
new = statistics.median(b for _, b in pairs)
ratios = sorted(a / b for a, b in pairs)
print(f"old median {old:.2f} s ({old * 1e6 / forms:.1f} us/form), "
      f"new median {new:.2f} s ({new * 1e6 / forms:.1f} us/form)")
print(f"new is {statistics.median(ratios):.3f}x the speed of old "
      f"(median of {len(ratios)} pairs; {ratios[0]:.3f}x-{ratios[-1]:.3f}x)")
' "$forms"
