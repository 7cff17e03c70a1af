#!/usr/bin/env python3
"""Glyph-similarity neighbours for formsift's OCR substitution costs.

    scripts/glyphs/build.sh            # sets up fonts + venv, then runs this

Writes crates/formsift/data/glyph-neighbours.txt (format in docs/glyphs.md):
for every character of the universe (GB2312 Hanzi, every non-ASCII character
of templates/, samples/ and the corpus, the symbols OCR confuses with Han
characters, full-width ASCII, ASCII letters and digits) its K nearest other
characters by blurred-pixel correlation, averaged over three CJK fonts.

Determinism: glyphs are rasterized by Pillow's bundled FreeType and raqm
(versions pinned with Pillow by build.sh); blur, scaling and sampling are
integer matrices applied exactly (float64 products of integers below 2**53),
the result is quantized to 0..LEVELS so that every dot product of two glyphs
is an integer below 2**24, which a float32 matrix product computes exactly
whatever the BLAS kernel, thread count or summation order; correlations are
then formed from those exact sums with correctly rounded float64 operations.
Same fonts + same Pillow => same bytes.
"""

import argparse
import glob
import math
import os
import subprocess
import sys
import time
import unicodedata
from fractions import Fraction

import numpy as np
from PIL import Image, ImageDraw, ImageFont, features

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(ROOT, "crates", "formsift", "data", "glyph-neighbours.txt")

SIZE = 40  # font size in px (one em)
CANVAS = 72  # square canvas the glyphs are placed on
CENTRE_Y = 34  # row of the mean Hanzi ink centroid (room below for descenders)
SIGMA = 1.5  # Gaussian blur, px
STRIDE = 2  # the blurred glyph is compared on every STRIDE-th row and column
GRID = CANVAS // STRIDE  # samples per side
NPIX = GRID * GRID
# Blurred pixels are quantized to 0..LEVELS, as many levels as keep every dot
# product of two glyphs (NPIX * LEVELS**2) exact in a float32 matrix product.
LEVELS = math.isqrt((2 ** 24 - 1) // NPIX)
# The glyph transforms tried when comparing two glyphs, per axis: shrink or
# grow by 12 % about the em box centre, or move by one pixel. OP_INV[i] is
# (approximately) the inverse of OPS[i].
OPS = [(Fraction(22, 25), 0), (Fraction(1), -1), (Fraction(1), 0), (Fraction(1), 1), (Fraction(28, 25), 0)]
OP_INV = [4, 3, 2, 1, 0]
IDENTITY = 2
# One of each (T, T^-1) pair of 2-D transforms (op on y, op on x); the score of
# a pair of glyphs a, b is the best correlation of T(a) with b or of a with T(b)
# over these T, which is thereby symmetric.
TRANSFORMS = [(i, j) for i in range(5) for j in range(5)
              if (i, j) <= (OP_INV[i], OP_INV[j])]
K = 16
THRESHOLD = 600  # minimum score (x1000) to list a neighbour; see docs/glyphs.md

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


def file_chars(log):
    """Every printable non-ASCII character of the templates, samples, corpus
    (at the top of the repository, or of a crate under crates/)."""
    paths = []
    for base in [ROOT] + sorted(glob.glob(os.path.join(ROOT, "crates", "*"))):
        paths += glob.glob(os.path.join(base, "templates", "*.toml"))
        paths += glob.glob(os.path.join(base, "samples", "*"))
        paths += glob.glob(os.path.join(base, "corpus", "base-forms.jsonl"))
    paths = sorted(p for p in paths if os.path.isfile(p))
    if not any(p.endswith(".toml") for p in paths):
        log("warning: no templates/*.toml found; their characters are not added")
    log(f"reading characters from {len(paths)} files")
    chars = set()
    for p in paths:
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


def universe(log=lambda s: None):
    chars = set(gb2312_hanzi())
    chars.update(file_chars(log))
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
                path, SIZE, index=i, layout_engine=ImageFont.Layout.RAQM
            )
        except OSError:
            sys.exit(f"font {family!r} not found in {path}")
        if f.getname()[0] == family:
            return f
        i += 1


TMP = 128  # scratch canvas for raw rendering
ORIGIN = (44, 88)  # pen position (left, baseline) on it


def wide(ch):
    """East Asian Ambiguous characters (— · × ≥ ○ ...) are set full width in
    Chinese text, as a Chinese font or word processor does: ask the font for
    its full-width form (OpenType 'fwid'; a no-op where it has none)."""
    return ord(ch) > 0x7F and unicodedata.east_asian_width(ch) == "A"


def raw(font, ch):
    img = Image.new("L", (TMP, TMP), 0)
    feats = ["fwid"] if wide(ch) else None
    ImageDraw.Draw(img).text(ORIGIN, ch, font=font, fill=255, anchor="ls", features=feats)
    return np.asarray(img, dtype=np.uint8)


def ink(a):
    """(crop, top, left) of the inked part of a raw rendering, or None."""
    ys, xs = np.nonzero(a)
    if len(ys) == 0:
        return None
    y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
    return a[y0:y1, x0:x1].copy(), y0, x0


def kernel(sigma):
    """Integer Gaussian taps (x1000), as far out as they round to >= 1."""
    taps = []
    x = 0
    while True:
        w = round(1000 * math.exp(-(x * x) / (2 * sigma * sigma)))
        if w < 1:
            break
        taps.append(w)
        x += 1
    return taps[:0:-1] + taps


TAPS = kernel(SIGMA)
WEIGHT = 64  # bilinear resampling weights are multiples of 1/WEIGHT


def axis_matrix(op, centre):
    """Integer (GRID, CANVAS) matrix taking one axis of a raw glyph to its
    transformed (op = (scale about centre, shift)), blurred, sampled form."""
    scale, shift = op
    res = np.zeros((CANVAS, CANVAS), dtype=np.int64)
    for i in range(CANVAS):
        u = centre + (i - centre) / scale - shift  # exact (Fraction)
        i0 = math.floor(u)
        w1 = round((u - i0) * WEIGHT)
        for j, w in ((i0, WEIGHT - w1), (i0 + 1, w1)):
            if 0 <= j < CANVAS and w:
                res[i, j] += w
    r = len(TAPS) // 2
    blur = np.zeros((CANVAS, CANVAS), dtype=np.int64)
    for i in range(CANVAS):
        for k, t in enumerate(TAPS):
            if 0 <= i + k - r < CANVAS:
                blur[i, i + k - r] = t
    return (blur @ res)[::STRIDE]


def transforms(canv):
    """{t: (n, GRID, GRID) uint8} for t in TRANSFORMS: the glyphs (n, CANVAS,
    CANVAS) under transform t = (op on y, op on x), blurred, sampled and
    quantized to 0..LEVELS (rounding half up).

    Every operand is an integer and every partial sum stays below 2**53, so
    the float64 matrix products are exact, whatever the BLAS."""
    n = canv.shape[0]
    full = 255 * (sum(TAPS) * WEIGHT) ** 2  # the largest possible value
    assert full * 2 * LEVELS < 2 ** 53
    x = canv.reshape(n * CANVAS, CANVAS).astype(np.float64)
    by_x = {}
    for j in sorted({t[1] for t in TRANSFORMS}):
        lx = axis_matrix(OPS[j], Fraction(CANVAS - 1, 2)).astype(np.float64)
        h = (x @ lx.T).reshape(n, CANVAS, GRID)
        by_x[j] = np.ascontiguousarray(h.transpose(1, 0, 2)).reshape(CANVAS, n * GRID)
    out = {}
    for t in TRANSFORMS:
        ly = axis_matrix(OPS[t[0]], Fraction(CENTRE_Y)).astype(np.float64)
        y = ly @ by_x[t[1]]  # (GRID, n * GRID)
        assert float(y.max()) <= full
        y = y.astype(np.int64)
        y *= 2 * LEVELS
        y += full
        y //= 2 * full
        out[t] = np.ascontiguousarray(y.reshape(GRID, n, GRID).transpose(1, 0, 2), dtype=np.uint8)
    return out


def render_all(chars, log):
    """Per font: the raw glyphs placed on the canvas, (n, CANVAS, CANVAS)
    uint8; and per font (family, characters drawn from the fallback)."""
    fb = ImageFont.truetype(FALLBACK[1], SIZE, layout_engine=ImageFont.Layout.RAQM)
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
        out.append(canv.astype(np.uint8))
        info.append((family, fell))
        log(f"  {family}: ink rows {lo[0]}-{hi[0]}, cols {lo[1]}-{hi[1]}; "
            f"{len(fell)} from {FALLBACK[0]}: {''.join(fell)}")
    return out, info


def scores(canvs, log):
    """(n, n) float64 matrix: mean over fonts of the best Pearson correlation
    of the two transformed, blurred glyphs (see TRANSFORMS). Symmetric; the
    diagonal is -inf.

    Exact: the sums are integers (float32 products below 2**24; the float64
    terms below 2**53), then one correctly rounded float64 product and
    division per entry. No result depends on the BLAS or the thread count."""
    n = canvs[0].shape[0]
    total = np.zeros((n, n), dtype=np.float64)
    best = np.empty((n, n), dtype=np.float64)
    num = np.empty((n, n), dtype=np.float64)
    tmp = np.empty((n, n), dtype=np.float64)
    g = np.empty((n, n), dtype=np.float32)
    for f, canv in enumerate(canvs):
        t0 = time.time()

        def stats(q):
            q = q.reshape(n, -1).astype(np.int64)
            sx = q.sum(axis=1)
            sxx = (q * q).sum(axis=1)
            return sx.astype(np.float64), np.sqrt((NPIX * sxx - sx * sx).astype(np.float64))

        qs = transforms(canv)
        q0 = qs[(IDENTITY, IDENTITY)]
        sx0, norm0 = stats(q0)
        # Only the samples where some untransformed glyph has ink matter to
        # the products with it: crop to them (a speed-up, no change).
        rows = np.nonzero(q0.any(axis=(0, 2)))[0]
        cols = np.nonzero(q0.any(axis=(0, 1)))[0]
        r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        a = np.ascontiguousarray(q0[:, r0:r1, c0:c1].reshape(n, -1), dtype=np.float32)
        best.fill(-np.inf)
        for t in TRANSFORMS:
            qt = qs[t]
            sxt, normt = stats(qt)
            b = np.ascontiguousarray(qt[:, r0:r1, c0:c1].reshape(n, -1), dtype=np.float32)
            np.matmul(a, b.T, out=g)  # sums of a * T(b): integers < 2**24, exact
            np.multiply(g, float(NPIX), out=num)
            np.multiply(sx0[:, None], sxt[None, :], out=tmp)
            num -= tmp  # n * sum(xy) - sum(x) sum(y), exact
            np.multiply(norm0[:, None], normt[None, :], out=tmp)
            num /= tmp  # corr(a, T(b))
            np.maximum(best, num, out=best)
        np.maximum(best, best.T, out=num)  # corr(T(a), b) too
        total += num
        log(f"  scored {FONTS[f][0]} in {time.time() - t0:.1f} s")
    total /= len(canvs)
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


def versions():
    """What the bytes depend on besides this script."""
    import PIL

    out = [f"Pillow {PIL.__version__} (FreeType {features.version('freetype2')}, "
           f"raqm {features.version('raqm')})", f"numpy {np.__version__}"]
    for pkg in ("fonts-noto-cjk", "fonts-wqy-zenhei", "fonts-dejavu-core"):
        try:
            v = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg],
                               capture_output=True, text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            v = "?"
        out.append(f"{pkg} {v}")
    return ", ".join(out)


def header(info):
    fonts = ", ".join(f for f, _ in info)
    fb = "; ".join(f"{f}: {''.join(c)}" for f, c in info if c)
    return [
        f"# formsift glyph neighbours v1: {fonts} ({FALLBACK[0]} for glyphs they lack) at "
        f"{SIZE} px, Gaussian blur sigma {SIGMA} sampled every {STRIDE} px, Pearson correlation "
        f"(best over 12 % scalings and 1 px shifts of either glyph) averaged over the fonts",
        f"# char TAB then up to {K} entries 'neighbour score', score = correlation x 1000 "
        f">= {THRESHOLD}, best first, ties by code point; scores are symmetric, lists are not",
        "# glyphs keep their height in the em box (- sits lower than 一) and are centred "
        "horizontally by ink; East Asian Ambiguous characters drawn full width ('fwid')",
        f"# drawn from {FALLBACK[0]}: {fb}",
        f"# made by scripts/glyphs/build.sh (see docs/glyphs.md) with {versions()}",
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--dump", help="also save glyph images and the score matrix (npz) here")
    args = ap.parse_args()
    t0 = time.time()
    log = lambda s: print(s, file=sys.stderr)
    if not features.check("raqm"):
        sys.exit("Pillow without raqm: the full-width ('fwid') forms need it")
    chars = universe(log)
    assert not any(c in "#\t\n\r " for c in chars)
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
