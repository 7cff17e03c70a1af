//! End-to-end tests of `formsift eval` and `formsift calibrate`, and the
//! issue #4 targets on the held-out test split of the noisy corpus.

use serde_json::Value;

mod common;
use common::formsift;

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

const GOLD: &str = r#"{"source":{"path":"x/a.md","form_index":0},"fields":{"title":"T","amount":8},"indicators":[{"horizon":"annual","level1":"产出指标","level2":"数量指标","level3":"n","value":"v"}]}
"#;
const PRED: &str = r#"{"source":{"path":"a.md","form_index":0},"fields":{"title":{"value":"T","confidence":0.99},"amount":{"value":9,"confidence":0.95}},"indicators":[{"horizon":"annual","level1":"产出指标","level2":"数量指标","level3":"n","value":"v","confidence":0.7}]}
"#;

#[test]
fn eval_prints_tables_and_json_with_exact_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let gold = write(dir.path(), "gold.jsonl", GOLD);
    let pred = write(dir.path(), "pred.jsonl", PRED);
    let out = formsift(&["eval", "--gold", &gold, &pred]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("fields       1/2 right (50.00%)"), "{text}");
    assert!(
        text.contains("precision 1.0000  recall 1.0000  F1 1.0000"),
        "{text}"
    );
    assert!(
        text.contains("a.md#0 fields.amount (0.950): expected 8, got 9"),
        "{text}"
    );

    let out = formsift(&["eval", "--gold", &gold, &pred, "--json"]);
    assert!(out.status.success());
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["fields_correct"], 1);
    assert_eq!(r["field_accuracy"], 0.5);
    assert_eq!(r["indicator_f1"], 1.0);
    assert_eq!(r["confident_errors"].as_array().unwrap().len(), 1);
    // Items: 0.99 right, 0.95 wrong (bin 9: mean 0.97, accuracy 0.5), 0.7 right.
    let ece = r["ece"].as_f64().unwrap();
    assert!(
        (ece - (2.0 / 3.0 * 0.47 + 1.0 / 3.0 * 0.3)).abs() < 1e-6,
        "{ece}"
    );
}

#[test]
fn eval_names_the_bad_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let gold = write(dir.path(), "gold.jsonl", GOLD);
    let bad = write(dir.path(), "bad.jsonl", "\n{\"source\":\n");
    let out = formsift(&["eval", "--gold", &gold, &bad]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("bad.jsonl:2: not a JSON object"), "{err}");
    let out = formsift(&["eval", "--gold", "/nonexistent/g.jsonl", &bad]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("/nonexistent/g.jsonl: cannot read"), "{err}");
}

#[test]
fn calibrate_writes_a_monotone_table() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("cal.json");
    let out = formsift(&[
        "calibrate",
        "--gold",
        "tests/data/seed-expected.jsonl",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t: Value = serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap()).unwrap();
    for kind in ["fields", "indicators"] {
        let steps = t[kind].as_array().unwrap();
        assert!(!steps.is_empty(), "{kind}");
        let n: u64 = steps.iter().map(|s| s["n"].as_u64().unwrap()).sum();
        // The sample: 6 forms × 30 fields, 52 indicators.
        assert_eq!(n, if kind == "fields" { 180 } else { 52 });
        for w in steps.windows(2) {
            assert!(w[0]["p"].as_f64() < w[1]["p"].as_f64());
        }
    }
    let out = formsift(&["calibrate", "--gold", "/nonexistent/g.jsonl"]);
    assert_eq!(out.status.code(), Some(1));
}

/// `formsift extract DOCS` scored by `formsift eval --json` against
/// `DOCS/gold.jsonl`.
fn extract_and_eval(docs: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let pred = dir.path().join("pred.jsonl");
    let out = formsift(&["extract", docs, "-o", pred.to_str().unwrap()]);
    assert!(out.status.success(), "{docs}");
    let gold = format!("{docs}/gold.jsonl");
    let out = formsift(&["eval", "--gold", &gold, pred.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{docs}");
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The share of scored values by which confidence exceeds accuracy, bin
/// by bin (the overconfident half of the ECE).
fn overconfidence(r: &Value) -> f64 {
    let bins = r["bins"].as_array().unwrap();
    let n: f64 = bins.iter().map(|b| b["count"].as_f64().unwrap()).sum();
    let over: f64 = (bins.iter())
        .map(|b| {
            let gap = b["mean_confidence"].as_f64().unwrap() - b["accuracy"].as_f64().unwrap();
            b["count"].as_f64().unwrap() * gap.max(0.0)
        })
        .sum();
    over / n
}

/// On real OCR output of held-out forms (the OCR corpus's test split,
/// never tuned or calibrated on): a value scored 0.9 or more is wrong at
/// most 1% of the time on a good engine and 6% on a poor one, and no
/// wrong record is auto-accepted.
#[test]
fn held_out_real_ocr_is_never_confidently_wrong_as_a_record() {
    for (engine, max_rate) in [("rapid", 0.01), ("tesseract", 0.06)] {
        let r = extract_and_eval(&format!("corpus/ocr/test/{engine}/clean"));
        assert_eq!(r["records_missing"], 0, "{engine}");
        let rate = r["confident_error_rate"].as_f64().unwrap();
        assert!(rate <= max_rate, "{engine}: {rate}");
        assert_eq!(r["wrong_auto_accepted"], 0, "{engine}");
        assert!(overconfidence(&r) <= 0.05, "{engine}: {r}");
    }
}

/// The issue #4 targets, on the held-out test split (never tuned on).
#[test]
fn held_out_test_split_meets_the_targets() {
    for (level, min_acc) in [("light", 0.99), ("heavy", 0.97)] {
        let r = extract_and_eval(&format!("corpus/test/{level}"));
        assert_eq!(r["records"], 68, "{level}");
        assert_eq!(r["records_missing"], 0, "{level}");
        assert!(
            r["field_accuracy"].as_f64().unwrap() >= min_acc,
            "{level}: {r}"
        );
        assert!(r["indicator_f1"].as_f64().unwrap() >= 0.97, "{level}: {r}");
        // The built-in table is fitted on real OCR as well as on this
        // generator's noise, so here it is underconfident (ECE ~0.1) —
        // the safe side. It must never be overconfident.
        assert!(overconfidence(&r) <= 0.03, "{level}: {r}");
        assert_eq!(
            r["confident_errors"].as_array().unwrap().len(),
            0,
            "{level}: {}",
            r["confident_errors"]
        );
    }
}
