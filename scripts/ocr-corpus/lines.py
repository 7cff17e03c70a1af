"""Boxes into visual lines and reading order (shared by the renderings and the
accuracy report, so the OCR text and the true text are ordered alike)."""


def cluster_lines(boxes):
    """Group boxes into visual lines: a box joins the line whose vertical
    extent overlaps its own by more than half of the smaller height. Lines are
    returned top to bottom, each sorted left to right."""
    order = sorted(range(len(boxes)), key=lambda i: ((boxes[i]["y0"] + boxes[i]["y1"]) / 2, boxes[i]["x0"], i))
    lines = []  # each: [y0, y1, [idx]]
    for i in order:
        b = boxes[i]
        h = max(1.0, b["y1"] - b["y0"])
        best, best_ov = None, 0.0
        for ln in lines[-6:]:
            ov = min(ln[1], b["y1"]) - max(ln[0], b["y0"])
            lh = max(1.0, ln[1] - ln[0])
            if ov > 0.5 * min(h, lh) and ov > best_ov:
                # the box must not overlap horizontally a box already in the line
                if any(min(boxes[j]["x1"], b["x1"]) - max(boxes[j]["x0"], b["x0"]) > 0.3 * h for j in ln[2]):
                    continue
                best, best_ov = ln, ov
        if best is None:
            lines.append([b["y0"], b["y1"], [i]])
        else:
            best[2].append(i)
            # keep the line's extent the median-ish: do not let one tall box swallow the next line
            best[0] = (best[0] * (len(best[2]) - 1) + b["y0"]) / len(best[2])
            best[1] = (best[1] * (len(best[2]) - 1) + b["y1"]) / len(best[2])
    lines.sort(key=lambda ln: (ln[0] + ln[1]) / 2)
    return [sorted(ln[2], key=lambda i: (boxes[i]["x0"], i)) for ln in lines]


def reading_order(boxes):
    return [i for ln in cluster_lines(boxes) for i in ln]


def width(s):
    """Display width: CJK and other wide characters count 2 columns."""
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
