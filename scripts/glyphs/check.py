#!/usr/bin/env python3
"""Checks crates/formsift/data/glyph-neighbours.txt; fails loudly if a
regeneration broke its format or degraded it.

    python3 scripts/glyphs/check.py [FILE]

Standard library only. Asserts:
  - the format (docs/glyphs.md): header line, one line per character sorted
    by code point, at most 16 entries 'neighbour score', best first, ties by
    code point, no self or repeated neighbour, scores 0..1000;
  - the universe: all 6763 GB2312 Hanzi, ASCII letters and digits, the
    confusable symbols;
  - scores are symmetric: where a lists b and b lists a, with the same score;
  - the classic confusion pairs are within each other's 16 nearest;
  - the file stays under 1 MB.
Prints the rank table of the classic pairs (Markdown) and symmetry figures.
"""

import os
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FILE = os.path.join(ROOT, "crates", "formsift", "data", "glyph-neighbours.txt")
HEADER = "# formsift glyph neighbours v1: "
K = 16
MAX_BYTES = 1_000_000

# (a, b): each must be within the other's K nearest. Optional ones are
# checked only when both characters are in the table.
CLASSIC = [
    ("目", "日"), ("拨", "拔"), ("其", "具"), ("社", "杜"),
    ("己", "已"), ("己", "巳"), ("已", "巳"), ("未", "末"), ("人", "入"),
    ("土", "士"), ("项", "顶"), ("0", "O"), ("1", "l"), ("5", "S"), ("8", "B"),
    ("□", "口"), ("☐", "口"), ("一", "—"),
]
OPTIONAL = [("额", "頟")]
SYMBOLS = "☐☑☒□■√✓✔×○●◇◆△▲—–-一丨|／/\\：:；;，,。.、（）()【】[]《》<>＞＜≥≤＝=%‰％℃～~·•"


def fail(msg):
    print(f"glyph-neighbours CHECK FAILED: {msg}", file=sys.stderr)
    sys.exit(1)


def parse(path):
    data = open(path, "rb").read()
    if len(data) >= MAX_BYTES:
        fail(f"{path} is {len(data)} bytes (limit {MAX_BYTES})")
    text = data.decode("utf-8")
    lines = text.split("\n")
    if lines[-1] != "":
        fail("no final newline")
    lines = lines[:-1]
    if not lines[0].startswith(HEADER):
        fail(f"first line does not start with {HEADER!r}")
    table = {}
    prev = None
    for no, line in enumerate(lines, 1):
        if line.startswith("#"):
            if table:
                fail(f"line {no}: comment after the first entry line")
            continue
        ch, tab, rest = line.partition("\t")
        if not tab or len(ch) != 1:
            fail(f"line {no}: not 'char TAB entries': {line[:40]!r}")
        if prev is not None and ord(ch) <= ord(prev):
            fail(f"line {no}: {ch!r} not after {prev!r} in code point order")
        prev = ch
        entries = []
        if rest:
            for e in rest.split(" "):
                n, s = e[:1], e[1:]
                if not n or not s.isdigit() or s != str(int(s)) or not 0 <= int(s) <= 1000:
                    fail(f"line {no} ({ch}): bad entry {e!r}")
                entries.append((n, int(s)))
        if len(entries) > K:
            fail(f"line {no} ({ch}): {len(entries)} entries")
        names = [n for n, _ in entries]
        if ch in names or len(set(names)) != len(names):
            fail(f"line {no} ({ch}): itself or a repeated neighbour")
        if entries != sorted(entries, key=lambda e: (-e[1], ord(e[0]))):
            fail(f"line {no} ({ch}): entries not best first, ties by code point")
        table[ch] = entries
    return table, len(data)


def gb2312_hanzi():
    out = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def rank(table, a, b):
    for i, (n, s) in enumerate(table.get(a, []), 1):
        if n == b:
            return i, s
    return None, None


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else FILE
    table, size = parse(path)

    want = set(gb2312_hanzi()) | set(SYMBOLS) | {chr(c) for c in range(0xFF01, 0xFF5F)}
    want |= set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    missing = sorted(want - set(table))
    if missing:
        fail(f"{len(missing)} characters missing, e.g. {''.join(missing[:20])}")
    for a, entries in table.items():
        for b, _ in entries:
            if b not in table:
                fail(f"{a}'s neighbour {b!r} has no line of its own")

    # symmetry
    listed = sum(len(e) for e in table.values())
    mutual = 0
    for a, entries in table.items():
        for b, s in entries:
            r, t = rank(table, b, a)
            if r is not None:
                mutual += 1
                if t != s:
                    fail(f"score({a},{b}) = {s} but score({b},{a}) = {t}")
    empty = "".join(a for a, e in table.items() if not e)
    indegree = {}
    for entries in table.values():
        for b, _ in entries:
            indegree[b] = indegree.get(b, 0) + 1
    hubs = sorted(indegree.items(), key=lambda kv: (-kv[1], ord(kv[0])))[:6]

    # classic pairs
    rows = []
    bad = []
    for a, b in CLASSIC + OPTIONAL:
        if (a, b) in OPTIONAL and (a not in table or b not in table):
            rows.append(f"| {a}/{b} | – | – | – | {b if b not in table else a} not in the table |")
            continue
        rab, s = rank(table, a, b)
        rba, t = rank(table, b, a)
        ok = rab is not None and rba is not None
        if not ok:
            bad.append(f"{a}/{b}")
        rows.append(f"| {a}/{b} | {s if s is not None else t if t is not None else '–'} | "
                    f"{rab or f'>{K}'} | {rba or f'>{K}'} | {'ok' if ok else 'FAIL'} |")

    print(f"{path}: {len(table)} characters, {listed} entries, {size} bytes")
    print(f"symmetry: {mutual} of {listed} entries ({mutual / listed:.1%}) are mutual "
          f"(b lists a where a lists b); every mutual pair has equal scores")
    print(f"characters with no neighbour above the threshold: {empty or 'none'}")
    print("most listed (in how many lines): " + ", ".join(f"{c} {k}" for c, k in hubs))
    print()
    print("| pair a/b | score | rank of b in a's list | rank of a in b's list | |")
    print("| --- | --- | --- | --- | --- |")
    print("\n".join(rows))
    if bad:
        fail(f"classic pairs not within each other's {K} nearest: {', '.join(bad)}")
    print(f"\nall checks passed")


if __name__ == "__main__":
    main()
