#!/usr/bin/env python3
"""Measure formsift on corpus/synth2, per level and per rendering (or operator).

usage: python3 scripts/synth-noise/measure.py [--bin target/debug/formsift]
                                              [--corpus corpus/synth2] [--by rendering|operator]
                                              [--work target/synth2-eval]

Runs `formsift extract` on each level directory once, splits gold and
predictions with the gold line's meta (rendering, or each operator in
meta.operators), runs `formsift eval --json` on every slice and prints a
markdown table. Standard library only; writes only under --work.
"""
import argparse
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def base_name(path):
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def write_slice(work, name, gold, preds):
    """Gold lines of the slice, and the predictions for the same (file, form)."""
    keys = {(base_name(g["source"]["path"]), g["source"]["form_index"]) for g in gold}
    gp, pp = os.path.join(work, name + ".gold.jsonl"), os.path.join(work, name + ".pred.jsonl")
    with open(gp, "w", encoding="utf-8") as fh:
        for g in gold:
            fh.write(json.dumps(g, ensure_ascii=False) + "\n")
    with open(pp, "w", encoding="utf-8") as fh:
        for p in preds:
            if (base_name(p["source"]["path"]), p["source"]["form_index"]) in keys:
                fh.write(json.dumps(p, ensure_ascii=False) + "\n")
    return gp, pp


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "debug", "formsift"))
    ap.add_argument("--corpus", default=os.path.join(ROOT, "corpus", "synth2"))
    ap.add_argument("--by", choices=["rendering", "operator"], default="rendering")
    ap.add_argument("--work", default=os.path.join(ROOT, "target", "synth2-eval"))
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    print("| level | slice | forms | field acc. | non-blank acc. | ind. P | ind. R | ind. F1 "
          "| ECE | confident errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for level in ("light", "heavy"):
        d = os.path.join(args.corpus, level)
        pred_path = os.path.join(args.work, level + ".pred.jsonl")
        subprocess.run([args.bin, "extract", d, "-q", "-o", pred_path], check=True)
        with open(os.path.join(d, "gold.jsonl"), encoding="utf-8") as fh:
            gold = [json.loads(l) for l in fh if l.strip()]
        with open(pred_path, encoding="utf-8") as fh:
            preds = [json.loads(l) for l in fh if l.strip()]
        if args.by == "rendering":
            names = ["all"] + sorted({g["meta"]["rendering"] for g in gold},
                                     key=["tsv", "html", "pipe", "text"].index)
            pick = lambda g, n: n == "all" or g["meta"]["rendering"] == n  # noqa: E731
        else:
            seen = []
            for g in gold:
                seen += [o for o in g["meta"]["operators"] if o not in seen]
            names = ["all"] + seen
            pick = lambda g, n: n == "all" or n in g["meta"]["operators"]  # noqa: E731
        for name in names:
            sl = [g for g in gold if pick(g, name)]
            gp, pp = write_slice(args.work, "%s-%s" % (level, name), sl, preds)
            out = subprocess.run([args.bin, "eval", "--gold", gp, pp, "--json"], check=True,
                                 capture_output=True, text=True).stdout
            r = json.loads(out)
            print("| %s | %s | %d | %.2f%% | %.2f%% | %.3f | %.3f | %.3f | %.3f | %d of %d (%.1f%%) |" % (
                level, name, r["records"], 100 * r["field_accuracy"], 100 * r["nonblank_accuracy"],
                r["indicator_precision"], r["indicator_recall"], r["indicator_f1"], r["ece"],
                len(r["confident_errors"]), r["confident_answers"], 100 * r["confident_error_rate"]))


if __name__ == "__main__":
    main()
