#!/usr/bin/env python3
"""Glyph-similarity neighbours for formsift's OCR substitution costs.

    scripts/glyphs/build.sh            # sets up fonts + venv, then runs this

Writes crates/formsift/data/glyph-neighbours.txt (format in docs/glyphs.md):
for every character of the universe (GB2312 Hanzi, every non-ASCII character
of templates/, samples/ and the corpus, the symbols OCR confuses with Han
characters, full-width ASCII, ASCII letters and digits) its K nearest other
characters by blurred-pixel correlation, averaged over three CJK fonts.

Determinism: glyphs are rasterized by Pillow's bundled FreeType (version
pinned by build.sh), blurred with an integer kernel in integer arithmetic and
quantized to 0..63, so every dot product is an integer below 2**24 and a
float32 matrix product computes it exactly whatever the BLAS kernel, thread
count or summation order; correlations are then formed from exact integer
sums with correctly rounded float64 operations. Same fonts + same Pillow =>
same bytes.
"""

import argparse
import glob
import math
import os
import sys
import time
import unicodedata

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "crates", "formsift", "data", "glyph-neighbours.txt")

SIZE = 40  # font size in px (one em)
CANVAS = 64  # square canvas (64*64*63**2 < 2**24)
CENTRE_Y = 30  # row of the mean Hanzi ink centroid (room for descenders)
SIGMA = 1.5  # Gaussian blur
RADIUS = 4  # kernel half-width (~2.7 sigma)
LEVELS = 63  # blurred pixels quantized to 0..LEVELS (keeps sums < 2**24)
SHIFT = 1  # best of the (2*SHIFT+1)**2 relative offsets of the two glyphs
K = 16
THRESHOLD = 500  # minimum score (x1000) to list a neighbour; see docs/glyphs.md

FONTS = [
    # (label, file, family name of the face inside the collection)
    ("Noto Sans CJK SC", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    ("Noto Serif CJK SC", "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    ("WenQuanYi Zen Hei", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
]
FALLBACK = ("DejaVu Sans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

# Symbols and punctuation OCR confuses with Han characters and each other.
SYMBOLS = (
    "☐☑☒□■√✓✔×○●◇◆△▲—–-一丨|／/\\：:；;，,。.、（）()【】[]《》<>＞＜≥≤＝=%‰％℃～~·•"
)


def gb2312_hanzi():
    """All 6763 Hanzi of GB2312: level 1 rows 0xB0-0xD7, level 2 0xD8-0xF7."""
    out = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue  # the 5 unused cells at the end of row 0xD7
            out.append(ch)
    assert len(out) == 6763, len(out)
    return out


def file_chars():
    """Every printable non-ASCII character of the templates, samples, corpus."""
    paths = sorted(
        glob.glob(os.path.join(ROOT, "templates", "*.toml"))
        + glob.glob(os.path.join(ROOT, "samples", "*"))
        + [os.path.join(ROOT, "corpus", "base-forms.jsonl")]
    )
    chars = set()
    for p in paths:
        if not os.path.isfile(p):
            continue
        raw = open(p, "rb").read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        chars.update(text)
    return {
        c
        for c in chars
        if ord(c) > 0x7F and unicodedata.category(c)[0] not in "ZC"
    }


def universe():
    chars = set(gb2312_hanzi())
    chars.update(file_chars())
    chars.update(SYMBOLS)
    chars.update(chr(c) for c in range(0xFF01, 0xFF5F))  # full-width ASCII
    chars.update("0123456789")
    chars.update(chr(c) for c in range(ord("A"), ord("Z") + 1))
    chars.update(chr(c) for c in range(ord("a"), ord("z") + 1))
    return sorted(chars)


def load_face(path, family):
    i = 0
    while True:
        try:
            f = ImageFont.truetype(
                path, SIZE, index=i, layout_engine=ImageFont.Layout.BASIC
            )
        except OSError:
            sys.exit(f"font {family!r} not found in {path}")
        if f.getname()[0] == family:
            return f
        i += 1


TMP = 128  # scratch canvas for raw rendering
ORIGIN = (44, 88)  # pen position (left, baseline) on it


def raw(font, ch):
    img = Image.new("L", (TMP, TMP), 0)
    ImageDraw.Draw(img).text(ORIGIN, ch, font=font, fill=255, anchor="ls")
    return np.asarray(img, dtype=np.uint8)


def ink(a):
    """(crop, top, left) of the inked part of a raw rendering, or None."""
    ys, xs = np.nonzero(a)
    if len(ys) == 0:
        return None
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    return a[y0:y1, x0:x1].copy(), y0, x0


def kernel():
    k = [round(1000 * math.exp(-(x * x) / (2 * SIGMA * SIGMA))) for x in range(-RADIUS, RADIUS + 1)]
    return np.array(k, dtype=np.int64)


KER = kernel()


def blur_quantize(a):
    """Separable integer Gaussian blur, then rounding to 0..LEVELS."""
    h, w = a.shape
    p = np.zeros((h + 2 * RADIUS, w), dtype=np.int64)
    p[RADIUS:RADIUS + h] = a
    v = sum(int(KER[i]) * p[i:i + h] for i in range(2 * RADIUS + 1))
    p = np.zeros((h, w + 2 * RADIUS), dtype=np.int64)
    p[:, RADIUS:RADIUS + w] = v
    b = sum(int(KER[i]) * p[:, i:i + w] for i in range(2 * RADIUS + 1))
    d = 255 * int(KER.sum()) ** 2
    return (b * (2 * LEVELS) + d) // (2 * d)  # round half up, exact


def render_all(chars, log):
    """Per font: (n, CANVAS*CANVAS) uint8 glyph images; per font info."""
    fb = ImageFont.truetype(FALLBACK[1], SIZE, layout_engine=ImageFont.Layout.BASIC)
    fb_notdef = raw(fb, "\U0010FFFD")
    hanzi = set(gb2312_hanzi())
    out = []
    info = []
    for family, path in FONTS:
        font = load_face(path, family)
        notdef = raw(font, "\U0010FFFD")
        glyphs = []
        fell = []
        for ch in chars:
            a = raw(font, ch)
            g = None if np.array_equal(a, notdef) else ink(a)
            if g is None:  # missing from this font: .notdef or nothing drawn
                b = raw(fb, ch)
                g = None if np.array_equal(b, fb_notdef) else ink(b)
                if g is None:
                    sys.exit(f"{ch!r} U+{ord(ch):04X}: in neither {family} nor {FALLBACK[0]}")
                fell.append(ch)
            glyphs.append(g)
        # Vertical placement: one offset per font (so every glyph keeps its
        # height within the em box), chosen so that the mean ink centroid of
        # the GB2312 Hanzi lands at row CENTRE_Y of the canvas.
        num = den = 0
        for ch, (c, y0, _) in zip(chars, glyphs):
            if ch in hanzi:
                r = c.sum(axis=1, dtype=np.int64)
                num += int((r * np.arange(y0, y0 + len(r))).sum())
                den += int(r.sum())
        dy = math.floor(CENTRE_Y + 0.5 - num / den)
        canv = np.zeros((len(chars), CANVAS, CANVAS), dtype=np.int64)
        lo = [CANVAS, CANVAS]
        hi = [0, 0]
        for i, (c, y0, x0) in enumerate(glyphs):
            h, w = c.shape
            top = y0 + dy
            left = (CANVAS - w) // 2  # horizontal: ink bounding box centred
            lo = [min(lo[0], top), min(lo[1], left)]
            hi = [max(hi[0], top + h), max(hi[1], left + w)]
            ys0, ys1 = max(top, 0), min(top + h, CANVAS)
            xs0, xs1 = max(left, 0), min(left + w, CANVAS)
            if (ys0, ys1, xs0, xs1) != (top, top + h, left, left + w):
                log(f"  {family}: {chars[i]!r} U+{ord(chars[i]):04X} clipped by the canvas")
            canv[i, ys0:ys1, xs0:xs1] = c[ys0 - top:ys1 - top, xs0 - left:xs1 - left]
        q = np.stack([blur_quantize(c) for c in canv]).astype(np.uint8)
        # shifts must not push ink off the canvas (the sums would change)
        ring = np.ones((CANVAS, CANVAS), dtype=bool)
        ring[SHIFT:-SHIFT, SHIFT:-SHIFT] = False
        bad = [chars[i] for i in np.nonzero(q[:, ring].any(axis=1))[0]]
        if bad:
            sys.exit(f"{family}: blurred ink within {SHIFT} px of the edge: {''.join(bad)}")
        out.append(q.reshape(len(chars), -1))
        info.append((family, fell))
        log(f"  {family}: ink rows {lo[0]}-{hi[0]}, cols {lo[1]}-{hi[1]}; "
            f"{len(fell)} from {FALLBACK[0]}: {''.join(fell)}")
    return out, info


def shifted(a, dy, dx):
    """Glyph images (n, CANVAS, CANVAS) moved by (dy, dx); ink never leaves."""
    return np.roll(a, (dy, dx), axis=(1, 2))


def scores(imgs, log):
    """(n, n) float64 matrix: mean over fonts of the best Pearson correlation
    of the two blurred glyphs over relative shifts within +-SHIFT px.
    Symmetric; the diagonal is -inf."""
    n = imgs[0].shape[0]
    npix = CANVAS * CANVAS
    half = [(dy, dx) for dy in range(-SHIFT, SHIFT + 1) for dx in range(-SHIFT, SHIFT + 1)
            if (dy, dx) > (0, 0)]  # the other half are the transposes
    total = np.zeros((n, n), dtype=np.float64)
    for f, q in enumerate(imgs):
        t0 = time.time()
        q3 = q.reshape(n, CANVAS, CANVAS)
        # Crop to the inked region (plus SHIFT): only speeds the products up.
        rows = np.nonzero(q3.any(axis=(0, 2)))[0]
        cols = np.nonzero(q3.any(axis=(0, 1)))[0]
        r0, r1 = rows[0] - SHIFT, rows[-1] + 1 + SHIFT
        c0, c1 = cols[0] - SHIFT, cols[-1] + 1 + SHIFT
        a = q3[:, r0:r1, c0:c1].reshape(n, -1).astype(np.float32)
        sx = q.sum(axis=1, dtype=np.int64)
        sxx = (q.astype(np.int64) ** 2).sum(axis=1)
        norm = np.sqrt((npix * sxx - sx * sx).astype(np.float64))
        outer = np.outer(sx, sx)  # int64, exact
        denom = np.outer(norm, norm)

        def corr(b):
            g = a @ b.T  # integers < 2**24: exact in float32
            assert float(g.max()) < 2 ** 24
            num = npix * g.astype(np.int64) - outer
            return num / denom

        best = corr(a)
        for dy, dx in half:
            b = shifted(q3, dy, dx)[:, r0:r1, c0:c1].reshape(n, -1).astype(np.float32)
            m = corr(b)
            np.maximum(best, m, out=best)
            np.maximum(best, m.T, out=best)
        total += best
        log(f"  scored {FONTS[f][0]} in {time.time() - t0:.1f} s")
    total /= len(imgs)
    np.fill_diagonal(total, -np.inf)
    return total


def neighbours(total, k=K, threshold=THRESHOLD):
    """Per row: [(index, score x1000)] best first, ties by index (= code point)."""
    s = np.rint(total * 1000)
    s[~np.isfinite(s)] = -10 ** 6
    s = s.astype(np.int64)
    out = []
    for i in range(len(s)):
        row = s[i]
        cand = np.argpartition(-row, k + 64)[: k + 64]
        cut = row[cand].min()
        idx = np.nonzero(row >= max(cut, threshold))[0]
        order = idx[np.lexsort((idx, -row[idx]))][:k]
        out.append([(int(j), int(row[j])) for j in order])
    return out


def header(info):
    fonts = ", ".join(f for f, _ in info)
    fb = "; ".join(f"{f}: {''.join(c)}" for f, c in info if c)
    return [
        f"# formsift glyph neighbours v1: {fonts} (fallback {FALLBACK[0]}) at {SIZE} px, "
        f"Gaussian blur sigma {SIGMA}, Pearson correlation of the blurred glyphs, best of "
        f"+-{SHIFT} px shifts, averaged over the fonts",
        f"# char TAB then up to {K} entries 'neighbour score' (score = correlation x 1000, "
        f">= {THRESHOLD}), best first, ties by code point; made by scripts/glyphs/build.sh, "
        f"see docs/glyphs.md",
        f"# glyphs drawn from {FALLBACK[0]} where a font lacks them: {fb}",
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--dump", help="also save glyph images and the score matrix (npz) here")
    args = ap.parse_args()
    t0 = time.time()
    log = lambda s: print(s, file=sys.stderr)
    chars = universe()
    log(f"{len(chars)} characters")
    imgs, info = render_all(chars, log)
    log(f"rendered in {time.time() - t0:.1f} s")
    total = scores(imgs, log)
    if args.dump:
        np.savez(args.dump, chars=np.array(chars), total=total, *imgs)
    nb = neighbours(total)
    lines = header(info)
    for ch, row in zip(chars, nb):
        lines.append(ch + "\t" + " ".join(f"{chars[j]}{v}" for j, v in row))
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    with open(args.out, "wb") as f:
        f.write(data)
    log(f"wrote {os.path.relpath(args.out, ROOT)}: {len(chars)} lines, {len(data)} bytes, "
        f"{sum(len(r) for r in nb)} entries; {time.time() - t0:.1f} s in all")


if __name__ == "__main__":
    main()
