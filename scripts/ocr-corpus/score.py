"""OCR character accuracy and checkbox fate of one page.

The page's true text is the set of boxes measured in the browser (every
printed run of characters with its position). True boxes are carried into the
scan's pixels (skew, rescale, deskew), then OCR boxes and true boxes that
overlap are grouped into connected components; inside a component both sides
are read in the same reading order and compared by edit distance. A true box
no OCR box covers counts as deleted, an OCR box over nothing printed as
inserted. accuracy = 1 - sum(edit distance) / true length (whitespace removed).
Comparing per component keeps the measure free of reading-order accidents
(two columns of wrapped cells read in another interleaving).
"""
import math
import re
import unicodedata

from rapidfuzz.distance import Levenshtein

from lines import reading_order

WS = re.compile(r"\s+")


def transform_boxes(boxes, src_size, angle, scale, deskew_angle, dst_size):
    """Map true boxes (print pixels) into the deskewed scan's pixels."""
    (w0, h0), (w1, h1) = src_size, dst_size

    def rot(x, y, a, cx, cy):
        # cv2.getRotationMatrix2D(center, a): positive a turns the image counter-clockwise
        t = math.radians(a)
        c, s = math.cos(t), math.sin(t)
        dx, dy = x - cx, y - cy
        return cx + c * dx + s * dy, cy - s * dx + c * dy

    out = []
    for b in boxes:
        cx, cy = (b["x0"] + b["x1"]) / 2, (b["y0"] + b["y1"]) / 2
        x, y = rot(cx, cy, angle, w0 / 2, h0 / 2)
        x, y = x * scale, y * scale
        x, y = rot(x, y, deskew_angle, w1 / 2, h1 / 2)
        hw, hh = (b["x1"] - b["x0"]) * scale / 2, (b["y1"] - b["y0"]) * scale / 2
        out.append(dict(b, x0=x - hw, x1=x + hw, y0=y - hh, y1=y + hh))
    return out


def _overlap(a, b):
    ix = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
    iy = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
    if ix <= 0 or iy <= 0:
        return 0.0
    ha, hb = a["y1"] - a["y0"], b["y1"] - b["y0"]
    return iy / max(1.0, min(ha, hb)) if ix > 0.25 * min(ha, hb) else 0.0


def components(true, ocr):
    n = len(true) + len(ocr)
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    for i, t in enumerate(true):
        for j, o in enumerate(ocr):
            if _overlap(t, o) > 0.5:
                parent[find(i)] = find(len(true) + j)
    groups = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    out = []
    for g in groups.values():
        ts = [i for i in g if i < len(true)]
        os_ = [i - len(true) for i in g if i >= len(true)]
        out.append((ts, os_))
    return out


def page_score(true, ocr):
    """Returns dict(dist, dist_nfkc, length, marks: [(kind 'on'/'off', glyph, fate, got)]).

    dist_nfkc: the same after NFKC folding of both sides (full-width and
    half-width punctuation alike: （ = (, ： = :), as formsift compares."""
    dist = length = dist_nfkc = 0
    marks, subs = [], []
    for ts, os_ in components(true, ocr):
        tb = [true[i] for i in ts]
        ob = [ocr[j] for j in os_]
        spans, tt = [], ""
        for i in reading_order(tb):
            t = WS.sub("", tb[i]["t"])
            spans.append((len(tt), tb[i]))
            tt += t
        ot = "".join(WS.sub("", ob[j]["t"]) for j in reading_order(ob))
        dist += Levenshtein.distance(tt, ot)
        ft, fo = unicodedata.normalize("NFKC", tt), unicodedata.normalize("NFKC", ot)
        dist_nfkc += Levenshtein.distance(ft, fo)
        for tag, i1, i2, j1, j2 in Levenshtein.opcodes(ft, fo):
            if tag == "replace" and i2 - i1 == j2 - j1:
                subs.extend(zip(ft[i1:i2], fo[j1:j2]))
        length += len(tt)
        mark_pos = [(p, b) for p, b in spans if b.get("box")]
        if mark_pos:
            ops = Levenshtein.opcodes(tt, ot)
            for p, b in mark_pos:
                for tag, i1, i2, j1, j2 in ops:
                    if i1 <= p < i2:
                        if tag == "equal":
                            fate, got = "kept", ot[j1 + p - i1]
                        elif tag == "delete":
                            fate, got = "dropped", ""
                        else:
                            k = j1 + min(p - i1, j2 - j1 - 1)
                            got = ot[k]
                            fate = {"口": "口", "回": "回"}.get(got, "other")
                        break
                else:
                    fate, got = "dropped", ""
                marks.append((b["box"], b["t"], fate, got))
    return {"dist": dist, "dist_nfkc": dist_nfkc, "length": length, "marks": marks, "subs": subs}
