#!/usr/bin/env python3
"""Re-render a tab-flattened sample in the other shapes OCR engines print.

    python3 scripts/render-samples.py [samples/bazhong-2019-perf-targets.md]

Reads the tab-flattened sample and writes, beside it:

  <stem>.html          whole HTML document, each table a <table> with real
                       colspan/rowspan (one <tr> per line, first row <th>)
  <stem>.pipe.md       GFM pipe tables (merged cells as empty cells, ragged
                       rows keep their own width, `|` escaped)
  <stem>.aligned.txt   space-aligned text (CJK two columns wide, cells padded
                       to the width of their span)
  <stem>.gb18030.txt   the original, byte for byte re-encoded as GB18030

Lines outside tables are kept (as <h1>/<h2>/<p> in HTML). Table rows are read
as formsift's tsv builder reads them: a run of lines holding a tab (blank lines
inside skipped); a cell spans the empty cells after it. Every rendering is
built so that formsift's builder for it yields the same grid (column and span
of every cell); tests/renderings.rs checks that the records are the same.

Deterministic: same input, same bytes. Standard library only.
"""

import html
import re
import sys
import unicodedata
from pathlib import Path


def tsv_row(line):
    """Cells of a tab-flattened line: (col, span, raw), as src/table/tsv.rs."""
    fields = line.split("\t")
    cells = []
    for col, raw in enumerate(fields):
        if not raw.strip() or not clean(raw):
            continue
        if cells:
            c, _, r = cells[-1]
            cells[-1] = (c, col - c, r)
        cells.append((col, 1, raw))
    if cells:
        c, _, r = cells[-1]
        cells[-1] = (c, max(len(fields) - c, 1), r)
    return cells, len(fields)


def blocks(lines):
    """Splits lines into ('free', line) and ('table', [(cells, ncols)])."""
    out = []
    i = 0
    while i < len(lines):
        if "\t" in lines[i] and lines[i].strip():
            rows = []
            end = i
            j = i
            while j < len(lines):
                t = lines[j]
                if "\t" in t and t.strip():
                    rows.append(tsv_row(t))
                    j += 1
                    end = j
                elif not t.strip():
                    j += 1
                else:
                    break
            out.append(("table", rows))
            i = end
        else:
            out.append(("free", lines[i]))
            i += 1
    return out


CHECKED = re.compile(r"<input[^>]*checked[^>]*>", re.I)
UNCHECKED = re.compile(r"<input[^>]*checkbox[^>]*>", re.I)
TAG = re.compile(r"</?[A-Za-z][^>]*>")


def clean(raw):
    """Printed text without tags, checkboxes as marks, whitespace collapsed."""
    s = CHECKED.sub(" ☑ ", raw)
    s = UNCHECKED.sub(" ☐ ", s)
    s = TAG.sub(" ", s)
    s = html.unescape(s)
    return " ".join(s.replace("\u00a0", " ").replace("\u3000", " ").split())


def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def rowspans(rows):
    """rowspan of every cell: a cell reaches down over the rows that print
    nothing in its columns but do print something to its right (a label
    spanning the rows of its section)."""
    spans = {}
    for r, (cells, _) in enumerate(rows):
        for col, span, _ in cells:
            k = 1
            while r + k < len(rows):
                below = rows[r + k][0]
                hits = any(c < col + span and col < c + s for c, s, _ in below)
                right = any(c >= col + span for c, s, _ in below)
                if hits or not right:
                    break
                k += 1
            spans[(r, col)] = k
    return spans


def render_html(blks):
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        '<head><meta charset="utf-8"></head>',
        "<body>",
    ]
    for kind, item in blks:
        if kind == "free":
            text = item.strip()
            if not text:
                out.append("")
                continue
            m = re.match(r"^(#+)\s*(.*)$", text)
            if m:
                n = len(m.group(1))
                out.append(f"<h{n}>{html.escape(m.group(2), quote=False)}</h{n}>")
            else:
                out.append(f"<p>{html.escape(text, quote=False)}</p>")
            continue
        rows = item
        spans = rowspans(rows)
        occupied = {}  # (row, col) -> True, from rowspans above
        out.append('<table border="1">')
        for r, (cells, _) in enumerate(rows):
            tag = "th" if r == 0 else "td"
            parts = []
            col = 0
            for c, span, raw in cells:
                while col < c:
                    if not occupied.get((r, col)):
                        parts.append(f"<{tag}></{tag}>")
                    col += 1
                attrs = ""
                if span > 1:
                    attrs += f' colspan="{span}"'
                rs = spans[(r, c)]
                if rs > 1:
                    attrs += f' rowspan="{rs}"'
                    for k in range(1, rs):
                        for cc in range(c, c + span):
                            occupied[(r + k, cc)] = True
                text = raw.strip().replace("\u00a0", "&nbsp;")
                parts.append(f"<{tag}{attrs}>{text}</{tag}>")
                col = c + span
            out.append("<tr>" + "".join(parts) + "</tr>")
        out.append("</table>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def render_pipe(blks):
    out = []
    for kind, item in blks:
        if kind == "free":
            out.append(item)
            continue
        if out and out[-1].strip():
            out.append("")
        for r, (cells, ncols) in enumerate(item):
            fields = [""] * ncols
            for c, _, raw in cells:
                fields[c] = raw.strip().replace("|", "\\|")
            out.append("| " + " | ".join(fields) + " |")
            if r == 0:
                out.append("|" + "|".join(["---"] * ncols) + "|")
        out.append("")
    return "\n".join(out) + "\n"


def render_aligned(blks):
    out = []
    for kind, item in blks:
        if kind == "free":
            out.append(item)
            continue
        rows = [[(c, s, clean(raw)) for c, s, raw in cells] for cells, _ in item]
        ncols = max((c + s for cells in rows for c, s, _ in cells), default=0)
        w = [2] * ncols
        for cells in rows:
            for c, s, t in cells:
                if s == 1:
                    w[c] = max(w[c], width(t) + 2)
        # Spanning cells, narrowest span first: widen their last column when
        # the columns they cover are too narrow for them.
        spanning = sorted(
            ((s, c, t) for cells in rows for c, s, t in cells if s > 1),
            key=lambda x: (x[0], x[1]),
        )
        for s, c, t in spanning:
            need = width(t) + 2 - sum(w[c : c + s])
            if need > 0:
                w[c + s - 1] += need
        pos = [0]
        for x in w:
            pos.append(pos[-1] + x)
        if out and out[-1].strip():
            out.append("")
        for cells in rows:
            line = ""
            for c, s, t in cells:
                line += " " * (pos[c] - width(line)) + t
            if cells:
                c, s, _ = cells[-1]
                line += " " * (pos[c + s] - width(line))
            out.append(line)
        out.append("")
    return "\n".join(out) + "\n"


def main():
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "samples/bazhong-2019-perf-targets.md")
    raw = src.read_bytes()
    text = raw.decode("utf-8-sig")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    blks = blocks(lines)
    stem = src.with_suffix("")
    outputs = {
        stem.with_name(stem.name + ".html"): render_html(blks).encode("utf-8"),
        stem.with_name(stem.name + ".pipe.md"): render_pipe(blks).encode("utf-8"),
        stem.with_name(stem.name + ".aligned.txt"): render_aligned(blks).encode("utf-8"),
        stem.with_name(stem.name + ".gb18030.txt"): text.encode("gb18030"),
    }
    for path, data in outputs.items():
        path.write_bytes(data)
        print(f"wrote {path} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
