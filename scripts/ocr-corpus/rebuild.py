"""Rebuild what an OCR pipeline hands on from a page image and its OCR boxes.

Table structure (the usual non-learned pipeline, MinerU-like output):
  * binarise, open with long thin kernels -> horizontal / vertical ruling masks;
  * ruling positions = clusters of line segments; the grid = every row line x
    every column line inside the table's bounding box;
  * a border segment between two neighbouring grid cells is present when the
    mask covers most of it; grid cells joined by missing borders are one
    merged cell (rowspan/colspan); a join that is not a rectangle is undone;
  * each OCR box goes to the cell it overlaps most (boxes whose centre lies
    outside the table are non-table lines); a cell's boxes are joined in
    reading order.

Three renderings per page:
  html  markdown paragraphs + <table> with colspan/rowspan;
  tsv   the same grid tab-flattened (a merged cell followed by empty cells);
  text  space-aligned lines placed purely by box position (no table).
Nothing here changes what the OCR read.
"""
import html as htmlmod
import statistics

import cv2
import numpy as np

from lines import cluster_lines, width


def _segments(mask, horizontal):
    n, labels, stats, cent = cv2.connectedComponentsWithStats(mask, connectivity=8)
    segs = []
    for i in range(1, n):
        x, y, w, h, area = stats[i]
        if horizontal:
            segs.append((y + h / 2.0, x, x + w, w, area / max(1, w)))
        else:
            segs.append((x + w / 2.0, y, y + h, h, area / max(1, h)))
    return segs


def _cluster(values, tol):
    """values: list of (pos, weight). Returns sorted cluster centres."""
    out = []
    for pos, wgt in sorted(values):
        if out and pos - out[-1][0] <= tol:
            p, w = out[-1]
            out[-1] = [(p * w + pos * wgt) / (w + wgt), w + wgt]
        else:
            out.append([pos, wgt])
    return [p for p, w in out]


THICK = 8


def detect_table(gray, dpi):
    """Returns None or dict(xs, ys, cells=[(r, c, rs, cs)], bbox)."""
    k = dpi / 150.0
    bw = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 12)
    hk = cv2.getStructuringElement(cv2.MORPH_RECT, (max(15, int(45 * k)), 1))
    vk = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(12, int(27 * k))))
    # bridge one-pixel breaks along the line direction before opening
    hmask = cv2.morphologyEx(cv2.morphologyEx(bw, cv2.MORPH_CLOSE, cv2.getStructuringElement(
        cv2.MORPH_RECT, (5, 1))), cv2.MORPH_OPEN, hk)
    vmask = cv2.morphologyEx(cv2.morphologyEx(bw, cv2.MORPH_CLOSE, cv2.getStructuringElement(
        cv2.MORPH_RECT, (1, 5))), cv2.MORPH_OPEN, vk)
    # a ruling line is thin across its direction: drop what lies in thick runs
    # the other way (blurred text blobs, the crossing lines' own width)
    t = max(5, int(round(THICK * k)))
    hmask = cv2.morphologyEx(cv2.bitwise_and(hmask, cv2.bitwise_not(cv2.morphologyEx(
        bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, t))))), cv2.MORPH_OPEN, hk)
    vmask = cv2.morphologyEx(cv2.bitwise_and(vmask, cv2.bitwise_not(cv2.morphologyEx(
        bw, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (t, 1))))), cv2.MORPH_OPEN, vk)
    grid = cv2.bitwise_or(hmask, vmask)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate(grid, np.ones((3, 3), np.uint8)))
    if n < 2:
        return None
    big = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    x, y, w, h, _ = stats[big]
    if w < gray.shape[1] * 0.3 or h < 40 * k:
        return None
    bx0, by0, bx1, by1 = x, y, x + w, y + h
    inside = (labels == big).astype(np.uint8)
    hmask = hmask * inside
    vmask = vmask * inside
    tol = max(3, int(6 * k))
    # ruling lines are long and thin; runs of blurred text are thick blobs
    thin = 4.5 * k + 1.5
    hs = [(p, ln) for p, a, b, ln, th in _segments(hmask, True) if ln >= 60 * k and th <= thin]
    vs = [(p, ln) for p, a, b, ln, th in _segments(vmask, False) if ln >= 30 * k and th <= thin]
    ys = _cluster(hs, tol)
    xs = _cluster(vs, tol)
    # the table's outer frame always counts
    if not ys or ys[0] - by0 > tol:
        ys = [by0 + 1.0] + ys
    if by1 - ys[-1] > tol:
        ys.append(by1 - 1.0)
    if not xs or xs[0] - bx0 > tol:
        xs = [bx0 + 1.0] + xs
    if bx1 - xs[-1] > tol:
        xs.append(bx1 - 1.0)
    R, C = len(ys) - 1, len(xs) - 1
    if R < 1 or C < 1:
        return None
    band = max(2, int(3 * k))

    def hcover(yline, xa, xb):
        ya = int(round(yline))
        xa, xb = int(xa + (xb - xa) * 0.15), int(xb - (xb - xa) * 0.15)
        if xb <= xa:
            return 1.0
        sl = hmask[max(0, ya - band):ya + band + 1, xa:xb]
        return float((sl.max(axis=0) > 0).mean()) if sl.size else 0.0

    def vcover(xline, ya, yb):
        xa = int(round(xline))
        ya, yb = int(ya + (yb - ya) * 0.15), int(yb - (yb - ya) * 0.15)
        if yb <= ya:
            return 1.0
        sl = vmask[ya:yb, max(0, xa - band):xa + band + 1]
        return float((sl.max(axis=1) > 0).mean()) if sl.size else 0.0

    # right[r][c]: border between (r,c) and (r,c+1); down[r][c]: between (r,c) and (r+1,c)
    right = [[vcover(xs[c + 1], ys[r], ys[r + 1]) > 0.5 for c in range(C - 1)] for r in range(R)]
    down = [[hcover(ys[r + 1], xs[c], xs[c + 1]) > 0.5 for c in range(C)] for r in range(R - 1)]
    parent = list(range(R * C))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    for r in range(R):
        for c in range(C):
            if c + 1 < C and not right[r][c]:
                parent[find(r * C + c)] = find(r * C + c + 1)
            if r + 1 < R and not down[r][c]:
                parent[find(r * C + c)] = find((r + 1) * C + c)
    groups = {}
    for i in range(R * C):
        groups.setdefault(find(i), []).append(i)
    cells = []
    for g in groups.values():
        rows = [i // C for i in g]
        cols = [i % C for i in g]
        r0, r1, c0, c1 = min(rows), max(rows), min(cols), max(cols)
        if (r1 - r0 + 1) * (c1 - c0 + 1) == len(g):
            cells.append((r0, c0, r1 - r0 + 1, c1 - c0 + 1))
        else:  # not a rectangle: keep the grid cells apart
            cells.extend((i // C, i % C, 1, 1) for i in g)
    cells.sort()
    return {"xs": xs, "ys": ys, "cells": cells, "bbox": (bx0, by0, bx1, by1)}


def _join_cell(boxes):
    """A cell's boxes in reading order: boxes of one visual line joined by a
    space, lines joined directly between two wide characters, else by a space."""
    out = ""
    for ln in cluster_lines(boxes):
        line = " ".join(boxes[i]["t"].strip() for i in ln if boxes[i]["t"].strip())
        if not line:
            continue
        if out:
            wide = width(out[-1]) == 2 and width(line[0]) == 2
            out += ("" if wide else " ") + line
        else:
            out = line
    return out


def assign(table, boxes):
    """Split boxes into (cell texts {cell: text}, non-table boxes before, after)."""
    before, after, per_cell = [], [], {}
    if table is None:
        return {}, list(boxes), []
    xs, ys = table["xs"], table["ys"]
    bx0, by0, bx1, by1 = table["bbox"]
    rects = [(xs[c], ys[r], xs[c + cs], ys[r + rs]) for r, c, rs, cs in table["cells"]]
    for b in boxes:
        cx, cy = (b["x0"] + b["x1"]) / 2, (b["y0"] + b["y1"]) / 2
        if not (bx0 <= cx <= bx1 and by0 <= cy <= by1):
            (before if cy < by0 else after).append(b)
            continue
        best, best_a = None, -1.0
        for k, (x0, y0, x1, y1) in enumerate(rects):
            a = max(0.0, min(x1, b["x1"]) - max(x0, b["x0"])) * max(0.0, min(y1, b["y1"]) - max(y0, b["y0"]))
            if a > best_a:
                best, best_a = k, a
        per_cell.setdefault(best, []).append(b)
    texts = {table["cells"][k]: _join_cell(bs) for k, bs in per_cell.items()}
    return texts, before, after


def _lines_text(boxes):
    return [" ".join(boxes[i]["t"].strip() for i in ln if boxes[i]["t"].strip()) for ln in cluster_lines(boxes)]


def _char_size(b):
    """Font size of a box as its width per CJK character (text runs horizontally)."""
    w = width(b["t"].strip())
    return 2.0 * (b["x1"] - b["x0"]) / w if w else 0.0


def _heading_lines(boxes, all_boxes):
    """Indexes of visual lines printed larger than the page's body text
    (characters at least 1.25 times as wide as the page's median)."""
    sizes = [_char_size(b) for b in all_boxes if width(b["t"].strip()) >= 4]
    if not sizes:
        return set()
    med = statistics.median(sizes)
    out = set()
    for n, ln in enumerate(cluster_lines(boxes)):
        ls = [_char_size(boxes[i]) for i in ln if width(boxes[i]["t"].strip()) >= 4]
        if ls and statistics.median(ls) > 1.25 * med:
            out.add(n)
    return out


def render_html(table, texts, before, after, all_boxes):
    out = []
    heads = _heading_lines(before, all_boxes)
    for n, line in enumerate(_lines_text(before)):
        if line:
            out.append(("# " if n in heads else "") + htmlmod.escape(line, quote=False))
    if table is not None:
        rows = {}
        for cell in table["cells"]:
            rows.setdefault(cell[0], []).append(cell)
        t = ["<table>"]
        for r in range(len(table["ys"]) - 1):
            tds = []
            for cell in sorted(rows.get(r, []), key=lambda c: c[1]):
                _, _, rs, cs = cell
                attrs = (' rowspan="%d"' % rs if rs > 1 else "") + (' colspan="%d"' % cs if cs > 1 else "")
                tds.append("<td%s>%s</td>" % (attrs, htmlmod.escape(texts.get(cell, ""), quote=False)))
            t.append("<tr>%s</tr>" % "".join(tds))
        t.append("</table>")
        out.append("\n".join(t))
    for line in _lines_text(after):
        if line:
            out.append(htmlmod.escape(line, quote=False))
    return "\n\n".join(out)


def render_tsv(table, texts, before, after):
    out = [ln for ln in _lines_text(before) if ln]
    if table is not None:
        R, C = len(table["ys"]) - 1, len(table["xs"]) - 1
        grid = [[""] * C for _ in range(R)]
        for cell in table["cells"]:
            grid[cell[0]][cell[1]] = texts.get(cell, "").replace("\t", " ")
        out.extend("\t".join(row) for row in grid)
    out.extend(ln for ln in _lines_text(after) if ln)
    return "\n".join(out)


def render_text(boxes):
    """Space-aligned text: boxes placed at their x position (one column = half
    a CJK character), at least 2 spaces between boxes on a visual line."""
    if not boxes:
        return ""
    units = [(b["x1"] - b["x0"]) / width(b["t"].strip()) for b in boxes if width(b["t"].strip()) >= 4]
    unit = statistics.median(units) if units else 10.0
    left = min(b["x0"] for b in boxes)
    out = []
    for ln in cluster_lines(boxes):
        s = ""
        for i in ln:
            t = boxes[i]["t"].strip()
            if not t:
                continue
            col = int(round((boxes[i]["x0"] - left) / unit))
            if s:
                col = max(col, width(s) + 2)
            s += " " * (col - width(s)) + t
        out.append(s.rstrip())
    return "\n".join(out)
