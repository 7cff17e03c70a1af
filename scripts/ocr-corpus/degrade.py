"""Scan damage, deterministic (numpy Generator seeded per page and level).

clean: the print as rendered (150 dpi PNG).
light: light scan: skew <= 0.5 deg, slight blur, light noise, JPEG q70, 150 dpi.
heavy: heavy scan: skew <= 1 deg, resampled to ~110 dpi, blur, noise, uneven
       contrast (greyish paper, an illumination gradient, faded ink), JPEG q30.
"""
import hashlib

import cv2
import numpy as np

LEVELS = ["clean", "light", "heavy"]
DPI = {"clean": 150, "light": 150, "heavy": 110}


def seed_of(*parts):
    return int.from_bytes(hashlib.sha256("/".join(map(str, parts)).encode()).digest()[:8], "little")


def rotate(img, angle, fill):
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=fill)


def degrade(png_path, level, key):
    """Returns (encoded image bytes, extension, params)."""
    img = cv2.imread(png_path, cv2.IMREAD_GRAYSCALE)
    if level == "clean":
        ok, buf = cv2.imencode(".png", img)
        return buf.tobytes(), "png", {"dpi": 150}
    rng = np.random.default_rng(seed_of(key, level))
    f = img.astype(np.float32)
    if level == "light":
        angle = float(rng.uniform(-0.5, 0.5))
        sigma = float(rng.uniform(0.45, 0.7))
        paper, ink = float(rng.uniform(244, 252)), float(rng.uniform(15, 35))
        noise, q, scale = 4.0, 70, 1.0
    else:
        angle = float(rng.uniform(-1.0, 1.0))
        sigma = float(rng.uniform(0.6, 0.85))
        paper, ink = float(rng.uniform(218, 238)), float(rng.uniform(25, 50))
        noise, q, scale = 7.0, 30, 110 / 150
    # ink and paper levels
    f = ink + (paper - ink) * (f / 255.0)
    if level == "heavy":
        # uneven contrast: a smooth illumination field (a darker corner, a brighter band)
        h, w = f.shape
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2) / np.hypot(w, h)
        field = 1.0 - float(rng.uniform(0.08, 0.16)) * d - float(rng.uniform(0, 0.05)) * (xx / w)
        f = f * field
        # fading: some ink spots lighter (toner running low)
        fade = cv2.GaussianBlur(rng.uniform(0, 1, (h // 40 + 1, w // 40 + 1)).astype(np.float32), (0, 0), 1.5)
        fade = cv2.resize(fade, (w, h), interpolation=cv2.INTER_CUBIC)
        f = f + (paper - f) * np.clip(fade - 0.6, 0, 1) * 0.8 * (f < 160)
    f = rotate(f, angle, float(paper if level == "light" else paper * 0.95))
    f = cv2.GaussianBlur(f, (0, 0), sigma)  # optics blur at the print's resolution
    if scale != 1.0:
        f = cv2.resize(f, (round(f.shape[1] * scale), round(f.shape[0] * scale)), interpolation=cv2.INTER_AREA)
    f = f + rng.normal(0, noise, f.shape).astype(np.float32)
    if level == "heavy":
        # a few dust specks
        h, w = f.shape
        for _ in range(int(rng.integers(20, 60))):
            y, x = int(rng.integers(0, h)), int(rng.integers(0, w))
            cv2.circle(f, (x, y), int(rng.integers(1, 3)), float(rng.uniform(60, 140)), -1)
    out = np.clip(f, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, q])
    return buf.tobytes(), "jpg", {"angle": round(angle, 3), "blur": round(sigma, 3), "jpeg_q": q,
                                  "dpi": DPI[level], "noise": noise}


def estimate_skew(gray):
    """Skew angle (degrees) of a page from its long horizontal ruling lines:
    the angle that makes the row profile of the dark pixels most peaked."""
    small = cv2.resize(gray, (gray.shape[1] // 2, gray.shape[0] // 2), interpolation=cv2.INTER_AREA)
    bw = cv2.adaptiveThreshold(small, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 25, 15)
    best, best_a = -1.0, 0.0
    h, w = bw.shape
    for a in np.arange(-1.5, 1.5001, 0.05):
        r = rotate(bw, float(a), 0)
        prof = r.sum(axis=1).astype(np.float64)
        score = float((prof ** 2).sum())
        if score > best:
            best, best_a = score, float(a)
    return round(best_a, 2)


def deskew(img_bytes):
    """Decode a scan, estimate its skew and rotate it straight. Returns (gray, angle)."""
    gray = cv2.imdecode(np.frombuffer(img_bytes, np.uint8), cv2.IMREAD_GRAYSCALE)
    a = estimate_skew(gray)
    if abs(a) < 0.05:
        return gray, 0.0
    border = int(np.median(gray[:20, :]))
    return rotate(gray, a, border), a
