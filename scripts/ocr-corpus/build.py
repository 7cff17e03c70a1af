#!/usr/bin/env python3
"""Build the real-OCR corpus: base forms -> printed pages (Chromium) -> scans
(clean / light / heavy) -> OCR (RapidOCR, Tesseract) -> html / tsv / text
renderings + gold, and the accuracy report.

Run through scripts/ocr-corpus/build.sh (which installs what this needs).

usage: build.py [--only BASE[,BASE...]] [--baseline]

Outputs (paths relative to the repository root):
  corpus/ocr/base-forms.jsonl
  corpus/ocr/{tune,test}/{rapid,tesseract}/{clean,light,heavy}/<base>-<font>.{html.md,tsv.txt,text.txt}
  corpus/ocr/{tune,test}/{rapid,tesseract}/{clean,light,heavy}/gold.jsonl
  corpus/ocr/REPORT.md
  target/ocr-corpus/pages/<base>/...        page HTML, PNG, scans (not in git)
  target/ocr-corpus/cache/...               OCR and Chromium results
  target/ocr-corpus/stats.json              per-page accuracy and checkbox fate
"""
import argparse
import json
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
ROOT = os.path.dirname(os.path.dirname(HERE))

import cv2  # noqa: E402

import render  # noqa: E402
from degrade import DPI, LEVELS, degrade, deskew  # noqa: E402
from forms import FIELD_KEYS, load_base_forms  # noqa: E402
from ocr import ocr  # noqa: E402
from rebuild import assign, detect_table, render_html, render_text, render_tsv  # noqa: E402
from score import page_score, transform_boxes  # noqa: E402

ENGINES = ["rapid", "tesseract"]
RENDERINGS = [("html", ".html.md"), ("tsv", ".tsv.txt"), ("text", ".text.txt")]
TARGET = os.path.join(ROOT, "target", "ocr-corpus")
OUT = os.path.join(ROOT, "corpus", "ocr")


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", help="comma-separated base numbers (a trial run; gold files are not rewritten)")
    ap.add_argument("--baseline", action="store_true", help="after building, measure target/release/formsift")
    args = ap.parse_args()
    t_start = time.time()
    render.CACHE_DIR = os.path.join(TARGET, "cache")
    forms = load_base_forms(ROOT)
    only = {int(x) for x in args.only.split(",")} if args.only else None
    if only is None:
        for split in ("tune", "test"):
            shutil.rmtree(os.path.join(OUT, split), ignore_errors=True)
        lines = []
        for f in forms:
            lines.append(json.dumps({"split": f["split"], "base": f["base"], "origin": f["origin"],
                                     "fields": f["fields"], "indicators": f["indicators"]},
                                    ensure_ascii=False))
        write(os.path.join(OUT, "base-forms.jsonl"), "\n".join(lines) + "\n")
    golds = {}
    stats = []
    ocr_new = {"rapid": [0, 0.0], "tesseract": [0, 0.0]}
    for form in forms:
        b = form["base"]
        if only is not None and b not in only:
            continue
        t0 = time.time()
        pdir = os.path.join(TARGET, "pages", "%03d" % b)
        r = render.render_form(form, pdir)
        name = "%03d-%s" % (b, r["font"])
        for level in LEVELS:
            parts = {e: {k: [] for k, _ in RENDERINGS} for e in ENGINES}
            for p, page in enumerate(r["pages"]):
                scan, ext, prm = degrade(page["png"], level, "%d/%d" % (b, p))
                with open(os.path.join(pdir, "scan-%s-%d.%s" % (level, p, ext)), "wb") as fh:
                    fh.write(scan)
                gray, angle = deskew(scan)
                ok, buf = cv2.imencode(".png", gray)
                img = buf.tobytes()
                with open(os.path.join(pdir, "ocr-input-%s-%d.png" % (level, p)), "wb") as fh:
                    fh.write(img)
                dpi = DPI[level]
                table = detect_table(gray, dpi)
                truth = transform_boxes(page["boxes"], (render.PAGE_W, render.PAGE_H), prm.get("angle", 0.0),
                                        dpi / 150.0, angle, (gray.shape[1], gray.shape[0]))
                for e in ENGINES:
                    t1 = time.time()
                    boxes, hit = ocr(e, img, os.path.join(TARGET, "cache"), dpi)
                    if not hit:
                        ocr_new[e][0] += 1
                        ocr_new[e][1] += time.time() - t1
                    with open(os.path.join(pdir, "ocr-%s-%s-%d.json" % (e, level, p)), "w", encoding="utf-8") as fh:
                        json.dump(boxes, fh, ensure_ascii=False)
                    texts, before, after = assign(table, boxes)
                    parts[e]["html"].append(render_html(table, texts, before, after, boxes))
                    parts[e]["tsv"].append(render_tsv(table, texts, before, after))
                    parts[e]["text"].append(render_text(boxes))
                    sc = page_score(truth, boxes)
                    stats.append({"base": b, "page": p, "level": level, "engine": e, "font": r["font"],
                                  "checkbox_style": r["checkbox_style"], "split": form["split"],
                                  "dist": sc["dist"], "dist_nfkc": sc["dist_nfkc"], "length": sc["length"], "marks": sc["marks"], "subs": ["".join(x) for x in sc["subs"]],
                                  "table_rows": len(table["ys"]) - 1 if table else 0,
                                  "true_rows": page["rows"][1] - page["rows"][0],
                                  "table_cols": len(table["xs"]) - 1 if table else 0,
                                  "skew": prm.get("angle", 0.0), "deskew": angle})
            for e in ENGINES:
                d = os.path.join(OUT, form["split"], e, level)
                for kind, suffix in RENDERINGS:
                    rel = os.path.relpath(os.path.join(d, name + suffix), ROOT)
                    write(os.path.join(ROOT, rel), "\n\n".join(x for x in parts[e][kind] if x) + "\n")
                    fields = {k: form["fields"][k] for k in FIELD_KEYS}
                    golds.setdefault(d, []).append({
                        "source": {"path": rel, "form_index": 0}, "base": b, "fields": fields,
                        "indicators": form["indicators"],
                        "meta": {"engine": e, "level": level, "rendering": kind, "font": r["font_family"],
                                 "split": form["split"], "checkbox_style": r["checkbox_style"]}})
        log("base %d: %d page(s), font %s, boxes %s, %.1fs" % (b, r["npages"], r["font"], r["checkbox_style"],
                                                              time.time() - t0))
    if only is None:
        for d, gs in sorted(golds.items()):
            gs.sort(key=lambda g: g["source"]["path"])
            write(os.path.join(d, "gold.jsonl"), "".join(json.dumps(g, ensure_ascii=False) + "\n" for g in gs))
        write(os.path.join(TARGET, "stats.json"), json.dumps(stats, ensure_ascii=False))
    log("OCR run (not cached): rapid %d pages %.0fs, tesseract %d pages %.0fs" % (
        ocr_new["rapid"][0], ocr_new["rapid"][1], ocr_new["tesseract"][0], ocr_new["tesseract"][1]))
    log("built in %.0fs" % (time.time() - t_start))
    if only is None:
        import report
        if args.baseline:
            report.baseline(ROOT, TARGET)
        report.write_report(ROOT, TARGET)


if __name__ == "__main__":
    main()
