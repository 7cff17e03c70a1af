"""OCR engines with a result cache.

rapid:      RapidOCR (rapidocr-onnxruntime, PP-OCRv4 det/rec models shipped in
            the wheel, offline, CPU). One box per detected text line.
tesseract:  Tesseract 5 with chi_sim, TSV output (word boxes); the words of a
            Tesseract line are joined into boxes where they sit close together.

Results are cached in target/ocr-corpus/cache/<engine>/<sha256>.json, the key
being a hash of the image bytes and the engine settings. Boxes are
{"t": text, "x0", "y0", "x1", "y1", "score"} in the image's pixels.
"""
import csv
import hashlib
import io
import json
import os
import subprocess
import tempfile

RAPID_SETTINGS = {"engine": "rapidocr-onnxruntime", "version": "1.4.4", "use_cls": True,
                  "threads": 2, "text_score": 0.5}
TESS_SETTINGS = {"engine": "tesseract", "lang": "chi_sim", "psm": 11, "oem": 1, "dpi": None,
                 "join_gap": 0.6}

_rapid = None


def _rapid_engine():
    global _rapid
    if _rapid is None:
        from rapidocr_onnxruntime import RapidOCR
        _rapid = RapidOCR(intra_op_num_threads=RAPID_SETTINGS["threads"],
                          inter_op_num_threads=1, text_score=RAPID_SETTINGS["text_score"])
    return _rapid


def _key(img_bytes, settings):
    h = hashlib.sha256(img_bytes)
    h.update(json.dumps(settings, sort_keys=True).encode())
    return h.hexdigest()


def run_rapid(img_bytes):
    import cv2
    import numpy as np
    img = cv2.imdecode(np.frombuffer(img_bytes, np.uint8), cv2.IMREAD_COLOR)
    res, _ = _rapid_engine()(img, use_cls=RAPID_SETTINGS["use_cls"])
    out = []
    for quad, text, score in res or []:
        xs = [p[0] for p in quad]
        ys = [p[1] for p in quad]
        out.append({"t": text, "x0": round(min(xs), 1), "y0": round(min(ys), 1), "x1": round(max(xs), 1),
                    "y1": round(max(ys), 1), "score": round(float(score), 4)})
    return out


def _is_cjk(ch):
    return "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"


def run_tesseract(img_bytes, dpi):
    with tempfile.TemporaryDirectory(prefix="ocr-corpus-tess-") as d:
        path = os.path.join(d, "page.png")
        with open(path, "wb") as fh:
            fh.write(img_bytes)
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        cmd = ["tesseract", path, "stdout", "-l", TESS_SETTINGS["lang"], "--psm", str(TESS_SETTINGS["psm"]),
               "--oem", str(TESS_SETTINGS["oem"]), "--dpi", str(dpi), "tsv"]
        res = subprocess.run(cmd, capture_output=True, check=True, env=env)
    rows = list(csv.DictReader(io.StringIO(res.stdout.decode("utf-8")), delimiter="\t",
                               quoting=csv.QUOTE_NONE))
    words = []
    for r in rows:
        if r["level"] != "5":
            continue
        t = (r["text"] or "").strip()
        if not t:
            continue
        x, y, w, h = (int(r[k]) for k in ("left", "top", "width", "height"))
        words.append({"line": (r["block_num"], r["par_num"], r["line_num"]), "t": t, "x0": x, "y0": y,
                      "x1": x + w, "y1": y + h, "conf": float(r["conf"])})
    # Join the words of one Tesseract line into boxes where the gap between
    # them is small (CJK words are single characters or short runs).
    out, cur = [], None
    for w in words:
        if cur is not None and cur["line"] == w["line"]:
            hgt = max(cur["y1"] - cur["y0"], w["y1"] - w["y0"], 8)
            gap = w["x0"] - cur["x1"]
            if gap < TESS_SETTINGS["join_gap"] * hgt:
                sep = "" if (_is_cjk(cur["t"][-1]) or _is_cjk(w["t"][0]) or gap < 0.25 * hgt) else " "
                cur["t"] += sep + w["t"]
                cur["x1"] = max(cur["x1"], w["x1"])
                cur["y0"] = min(cur["y0"], w["y0"])
                cur["y1"] = max(cur["y1"], w["y1"])
                cur["confs"].append(w["conf"])
                continue
        if cur is not None:
            out.append(cur)
        cur = dict(w, confs=[w["conf"]])
    if cur is not None:
        out.append(cur)
    return [{"t": b["t"], "x0": b["x0"], "y0": b["y0"], "x1": b["x1"], "y1": b["y1"],
             "score": round(sum(b["confs"]) / len(b["confs"]) / 100.0, 4)} for b in out]


def ocr(engine, img_bytes, cache_dir, dpi):
    """OCR boxes of an image, from the cache when the same bytes and settings were seen."""
    settings = dict(RAPID_SETTINGS if engine == "rapid" else TESS_SETTINGS)
    if engine == "tesseract":
        settings["dpi"] = dpi
    key = _key(img_bytes, settings)
    path = os.path.join(cache_dir, engine, key[:2], key + ".json")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as fh:
            return json.load(fh), True
    boxes = run_rapid(img_bytes) if engine == "rapid" else run_tesseract(img_bytes, dpi)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(boxes, fh, ensure_ascii=False)
    os.replace(tmp, path)
    return boxes, False
