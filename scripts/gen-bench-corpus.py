#!/usr/bin/env python3
"""Write a benchmark corpus of N forms, ~50 forms per file.

usage: gen-bench-corpus.py --forms N --out DIR [--per-file 50] [--seed 1]
                           [--mixed] [--sample samples/bazhong-2019-perf-targets.md]

Each form is one of the sample's six forms (tab-flattened, as OCR printed
them) with its project name and amounts varied, so no two forms are
byte-identical and every code path of the real sample is exercised.

--mixed: every fourth file is tab-flattened as above; the others repeat the
sample's HTML, GFM pipe and space-aligned renderings (samples/*.html,
*.pipe.md, *.aligned.txt, made by scripts/render-samples.py), so the corpus
exercises every table builder.

Output is deterministic for a given seed. 100k forms take a few seconds.
(The labelled noisy corpus for accuracy is another script: gen_corpus.py.)
"""
import argparse
import os
import random
import re
import sys


def split_forms(text):
    """The sample's forms: each starts at a heading line naming the table."""
    lines = text.split("\n")
    starts = [i for i, l in enumerate(lines) if l.lstrip().startswith("#")]
    forms = []
    for k, s in enumerate(starts):
        e = starts[k + 1] if k + 1 < len(starts) else len(lines)
        forms.append("\n".join(lines[s:e]).rstrip("\n") + "\n")
    return forms


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--forms", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--per-file", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mixed", action="store_true")
    ap.add_argument("--sample", default=os.path.join(os.path.dirname(__file__), "..", "samples",
                                                     "bazhong-2019-perf-targets.md"))
    a = ap.parse_args(argv)
    rng = random.Random(a.seed)
    with open(a.sample, encoding="utf-8") as f:
        forms = split_forms(f.read())
    if not forms:
        sys.exit("no forms in the sample")
    # The project-name row (label cell, empty cell, value cell) and the
    # amounts; each form is cut once into pieces around them, so generating
    # a form is only a join.
    name_cell = re.compile(r"^((?:<b>)?项目名称(?:</b>)?\t\t)([^\t]*)", re.M)
    amount = re.compile(r"(年度资金总额[:：][\s\u00a0]*|财政拨款[\s\u00a0]*|预算安排[:：][\s\u00a0]*)(\d+)")
    pieces = []
    for base in forms:
        m = name_cell.search(base)
        if not m:
            sys.exit("a sample form has no project-name row")
        head, rest = base[: m.start(2)], base[m.start(2):]
        parts = amount.split(rest)
        # amount.split gives [text, prefix, number, text, prefix, number, ..., text]
        texts = [parts[0]] + [parts[i] + "{}" for i in range(1, len(parts), 3)]
        fixed = []
        for i in range(1, len(parts), 3):
            fixed.append(parts[i + 2])
        tmpl = parts[0] + "".join(parts[i] + "\x00" + parts[i + 2] for i in range(1, len(parts), 3))
        pieces.append((head, tmpl.split("\x00")))
    os.makedirs(a.out, exist_ok=True)
    written = 0
    file_no = 0
    total_bytes = 0
    renderings = []
    if a.mixed:
        stem = os.path.splitext(a.sample)[0]
        for ext in (".html", ".pipe.md", ".aligned.txt"):
            with open(stem + ext, encoding="utf-8") as f:
                renderings.append((ext, f.read().rstrip("\n") + "\n"))
    while written < a.forms:
        n = min(a.per_file, a.forms - written)
        if renderings and file_no % 4 != 0:
            ext, doc = renderings[file_no % 4 - 1]
            copies = max(1, n // len(forms))
            n = min(copies * len(forms), a.forms - written)
            data = "\n".join([doc] * copies) if ext != ".html" else doc * copies
            path = os.path.join(a.out, f"batch-{file_no // 1000:03d}", f"forms-{file_no:06d}{ext}")
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(data)
            total_bytes += len(data.encode("utf-8"))
            written += copies * len(forms)
            file_no += 1
            continue
        out = []
        for i in range(n):
            k = written + i
            head, segs = pieces[k % len(pieces)]
            money = str(rng.randint(1, 999))
            out.append(head + f"第{k}号" + money.join(segs))
        data = "\n".join(out)
        path = os.path.join(a.out, f"batch-{file_no // 1000:03d}", f"forms-{file_no:06d}.md")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(data)
        total_bytes += len(data.encode("utf-8"))
        written += n
        file_no += 1
    print(f"{written} forms in {file_no} files, {total_bytes / 1e6:.1f} MB -> {a.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
