"""corpus/ocr/REPORT.md: OCR character accuracy, checkbox fate, and (when
measured) the formsift baseline on the corpus.

    python3 scripts/ocr-corpus/report.py            # rewrite REPORT.md from target/ocr-corpus/stats.json
    python3 scripts/ocr-corpus/report.py --baseline # also run target/release/formsift on the corpus
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ENGINES = ["rapid", "tesseract"]
LEVELS = ["clean", "light", "heavy"]
RENDERINGS = [("html", ".html.md"), ("tsv", ".tsv.txt"), ("text", ".text.txt")]
FATES = ["kept", "口", "回", "other", "dropped"]


def pct(a, b):
    return "%.1f%%" % (100.0 * a / b) if b else "–"


def baseline(root, target, splits=("test", "tune")):
    """Run formsift extract + eval per split x engine x level x rendering; store JSON summaries."""
    exe = os.path.join(root, "target", "release", "formsift")
    if not os.path.exists(exe):
        print("baseline: %s not found, skipped" % exe)
        return
    busy = subprocess.run(["pgrep", "-x", "cargo"], capture_output=True).stdout.strip()
    if busy:
        print("baseline: note: cargo is running; using the existing binary as it is")
    out = {"binary_mtime": time.strftime("%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(exe))),
           "splits": list(splits), "rows": []}
    with tempfile.TemporaryDirectory(prefix="ocr-corpus-baseline-") as tmp:
      for split in splits:
        for e in ENGINES:
            for lv in LEVELS:
                d = os.path.join(root, "corpus", "ocr", split, e, lv)
                pred = os.path.join(tmp, "pred-%s-%s.jsonl" % (e, lv))
                t0 = time.time()
                subprocess.run([exe, "extract", os.path.relpath(d, root), "-q", "-o", pred], cwd=root,
                               capture_output=True)
                secs = time.time() - t0
                with open(os.path.join(d, "gold.jsonl"), encoding="utf-8") as fh:
                    gold = [json.loads(x) for x in fh if x.strip()]
                with open(pred, encoding="utf-8") as fh:
                    preds = [x for x in fh if x.strip()]
                for kind, suffix in RENDERINGS:
                    g = os.path.join(tmp, "g.jsonl")
                    p = os.path.join(tmp, "p.jsonl")
                    with open(g, "w", encoding="utf-8") as fh:
                        fh.writelines(json.dumps(x, ensure_ascii=False) + "\n" for x in gold
                                      if x["meta"]["rendering"] == kind)
                    with open(p, "w", encoding="utf-8") as fh:
                        fh.writelines(x if x.endswith("\n") else x + "\n" for x in preds
                                      if json.loads(x)["source"]["path"].endswith(suffix))
                    res = subprocess.run([exe, "eval", "--gold", g, p, "--json"], cwd=root, capture_output=True)
                    if res.returncode != 0:
                        out["rows"].append({"split": split, "engine": e, "level": lv, "rendering": kind,
                                            "error": res.stderr.decode()[:300]})
                        continue
                    r = json.loads(res.stdout)
                    out["rows"].append({"split": split, "engine": e, "level": lv, "rendering": kind,
                                        "records": r["records"],
                                        "missing": r["records_missing"], "extra": r["records_extra"],
                                        "field_accuracy": r["field_accuracy"],
                                        "nonblank_accuracy": r["nonblank_accuracy"],
                                        "indicator_f1": r["indicator_f1"],
                                        "indicator_precision": r["indicator_precision"],
                                        "indicator_recall": r["indicator_recall"], "ece": r["ece"],
                                        "confident_errors": len(r["confident_errors"]),
                                        "calibration_items": r["calibration_items"],
                                        "per_field": {x["field"]: [x["correct"], x["total"]]
                                                      for x in r["per_field"]},
                                        "extract_seconds": round(secs, 2)})
    with open(os.path.join(target, "baseline.json"), "w", encoding="utf-8") as fh:
        json.dump(out, fh, ensure_ascii=False, indent=1)
    print("baseline: %d rows" % len(out["rows"]))


def write_report(root, target, build_seconds=None):
    with open(os.path.join(target, "stats.json"), encoding="utf-8") as fh:
        stats = json.load(fh)
    with open(os.path.join(root, "corpus", "ocr", "base-forms.jsonl"), encoding="utf-8") as fh:
        bases = [json.loads(x) for x in fh if x.strip()]
    L = []
    w = L.append
    pages = {(s["base"], s["page"]) for s in stats}
    nforms = len({s["base"] for s in stats})
    w("# Real-OCR corpus: report")
    w("")
    w("Generated by `scripts/ocr-corpus/build.sh` (see `docs/ocr-corpus.md`). %d base forms "
      "(%d tune, %d test), %d printed pages; each page scanned at 3 levels and read by 2 engines; "
      "3 renderings per (form, level, engine)." % (
          nforms, sum(1 for b in bases if b["split"] == "tune"), sum(1 for b in bases if b["split"] == "test"),
          len(pages)))
    w("")
    w("## OCR character accuracy")
    w("")
    w("1 − edit distance / true length, whitespace removed, over all pages. The true text is every "
      "character printed on the page (measured in the browser); true and OCR boxes that overlap are "
      "compared as one group, each side in reading order, so the score does not depend on how two "
      "columns of wrapped cells interleave. Text the OCR missed entirely counts as deleted, text it "
      "found where nothing is printed as inserted. *strict* compares characters as printed; *NFKC* "
      "folds both sides first (（ = (, ： = :, full-width digits), which is how formsift compares values; "
      "the per-font columns are strict.")
    w("")
    agg = collections.defaultdict(lambda: [0, 0])
    for s in stats:
        for k in [(s["engine"], s["level"], "all"), (s["engine"], s["level"], s["font"])]:
            agg[k][0] += s["dist"]
            agg[k][1] += s["length"]
        agg[(s["engine"], s["level"], "nfkc")][0] += s["dist_nfkc"]
        agg[(s["engine"], s["level"], "nfkc")][1] += s["length"]
    fonts = sorted({s["font"] for s in stats})
    w("| engine | level | strict | NFKC | " + " | ".join(fonts) + " | chars |")
    w("| --- | --- | ---: | ---: | " + " | ".join("---:" for _ in fonts) + " | ---: |")
    for e in ENGINES:
        for lv in LEVELS:
            d, n = agg[(e, lv, "all")]
            row = ["%.2f%%" % (100 * (1 - d / n)) if n else "–"]
            fd, fn = agg[(e, lv, "nfkc")]
            row.append("%.2f%%" % (100 * (1 - fd / fn)) if fn else "–")
            for f in fonts:
                fd, fn = agg[(e, lv, f)]
                row.append("%.2f%%" % (100 * (1 - fd / fn)) if fn else "–")
            w("| %s | %s | %s | %d |" % (e, lv, " | ".join(row), n))
    w("")
    w("Most frequent one-for-one substitutions (true → read, after NFKC, checkbox marks excluded):")
    w("")
    for e in ENGINES:
        for lv in LEVELS:
            c = collections.Counter(x for s in stats if s["engine"] == e and s["level"] == lv
                                    for x in s.get("subs", []) if x[0] not in "☑☐□■√")
            w("- %s %s: %s" % (e, lv, ", ".join("%s→%s ×%d" % (k[0], k[1], v) for k, v in c.most_common(12))))
    w("")
    w("## Checkbox fate")
    w("")
    w("What became of each printed mark (ticked ☑ / √ / ■, unticked ☐ / □), from the alignment of "
      "the OCR text with the true text: kept as printed, read as 口 or 回, read as another character "
      "(V, v, Y, 0, …), or dropped.")
    w("")
    fate = collections.defaultdict(collections.Counter)
    others = collections.defaultdict(collections.Counter)
    for s in stats:
        for kind, glyph, f, got in s["marks"]:
            fate[(s["engine"], s["level"], glyph, kind)][f] += 1
            if f == "other":
                others[(s["engine"], glyph)][got] += 1
    w("| engine | level | mark | n | kept | 口 | 回 | other | dropped |")
    w("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    glyphs = [("☑", "on"), ("√", "on"), ("■", "on"), ("☐", "off"), ("□", "off")]
    for e in ENGINES:
        for lv in LEVELS:
            for g, kind in glyphs:
                c = fate.get((e, lv, g, kind))
                if not c:
                    continue
                n = sum(c.values())
                w("| %s | %s | %s (%s) | %d | %s |" % (e, lv, g, "ticked" if kind == "on" else "unticked", n,
                                                      " | ".join(pct(c[f], n) for f in FATES)))
    w("")
    w("Most frequent “other” readings: " + "; ".join(
        "%s %s → %s" % (e, g, ", ".join("%s ×%d" % (k or "∅", v) for k, v in others[(e, g)].most_common(5)))
        for e in ENGINES for g, _ in glyphs if others.get((e, g))) + ".")
    w("")
    w("## Table reconstruction")
    w("")
    grid = collections.Counter((s["engine"], s["level"], s["table_rows"] > 0) for s in stats)
    skew = [abs(s["skew"] + s["deskew"]) for s in stats if s["level"] != "clean" and s["engine"] == "rapid"]
    w("Pages with a detected table: " + ", ".join(
        "%s %d/%d" % (lv, grid[("rapid", lv, True)], grid[("rapid", lv, True)] + grid[("rapid", lv, False)])
        for lv in LEVELS) + " (pages holding only the signature lines have none). "
      "Residual skew after deskewing: mean %.3f°, max %.3f°." % (
          sum(skew) / max(1, len(skew)), max(skew or [0])))
    w("")
    w("Rebuilt grid rows = printed table rows (a wrong count means a ruling line lost or a run of text "
      "taken for one):")
    w("")
    w("| level | " + " | ".join(ENGINES) + " |")
    w("| --- | " + " | ".join("---:" for _ in ENGINES) + " |")
    for lv in LEVELS:
        row = []
        for e in ENGINES:
            ps = [s for s in stats if s["engine"] == e and s["level"] == lv and s.get("true_rows")]
            ok = sum(1 for s in ps if s["table_rows"] == s["true_rows"])
            row.append("%d/%d" % (ok, len(ps)))
        w("| %s | %s |" % (lv, " | ".join(row)))
    w("")
    bl_path = os.path.join(target, "baseline.json")
    if os.path.exists(bl_path):
        with open(bl_path, encoding="utf-8") as fh:
            bl = json.load(fh)
        w("## Baseline: today's formsift on the corpus")
        w("")
        w("`target/release/formsift` (built %s) run per split × engine × level: `formsift extract "
          "corpus/ocr/%s/ENGINE/LEVEL -q -o pred.jsonl`, then `formsift eval` against the gold lines "
          "of one rendering (gold and predictions filtered by path suffix). Field accuracy over all 30 "
          "fields (blank ones included) and over non-blank gold values; indicator F1; ECE of the "
          "confidences; confident errors = wrong values with confidence ≥ 0.9." % (
              bl["binary_mtime"], "SPLIT"))
        w("")
        for split in bl["splits"]:
          w("### %s split" % split)
          w("")
          w("| engine | level | rendering | records | fields | non-blank | indicator F1 | ECE | confident errors |")
          w("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
          for r in bl["rows"]:
            if r["split"] != split:
                continue
            if "error" in r:
                w("| %s | %s | %s | error: %s | | | | | |" % (r["engine"], r["level"], r["rendering"],
                                                           r["error"].replace("|", "/").replace("\n", " ")))
                continue
            w("| %s | %s | %s | %d%s | %.1f%% | %.1f%% | %.3f | %.3f | %d |" % (
                r["engine"], r["level"], r["rendering"], r["records"],
                (" (%d missing)" % r["missing"]) if r["missing"] else "",
                100 * r["field_accuracy"], 100 * r["nonblank_accuracy"], r["indicator_f1"], r["ece"],
                r["confident_errors"]))
          w("")
        # per-field accuracy on the test split, all engines/levels/renderings pooled
        pf = collections.defaultdict(lambda: [0, 0])
        for r in bl["rows"]:
            if r.get("split") == "test" and "per_field" in r:
                for k, (c, n) in r["per_field"].items():
                    pf[(r["rendering"], k)][0] += c
                    pf[(r["rendering"], k)][1] += n
        if pf:
            keys = []
            for (rk, k) in pf:
                if k not in keys:
                    keys.append(k)
            w("Per-field accuracy on the test split (both engines, all levels pooled):")
            w("")
            w("| field | html | tsv | text |")
            w("| --- | ---: | ---: | ---: |")
            for k in keys:
                w("| %s | %s |" % (k, " | ".join(pct(*pf[(rk, k)]) for rk in ("html", "tsv", "text"))))
            w("")
    path = os.path.join(root, "corpus", "ocr", "REPORT.md")
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(L) + "\n")
    print("wrote", os.path.relpath(path, root))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", action="store_true")

    a = ap.parse_args()
    target = os.path.join(ROOT, "target", "ocr-corpus")
    if a.baseline:
        baseline(ROOT, target)
    write_report(ROOT, target)
    sys.exit(0)
