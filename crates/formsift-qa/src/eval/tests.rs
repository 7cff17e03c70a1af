//! Hand-made gold/prediction pairs with every number worked out by hand.

use super::*;

fn load(text: &str) -> Vec<Loaded> {
    parse_jsonl(text, Path::new("t.jsonl")).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

const GOLD: &str = r#"{"source":{"path":"corpus/x/a.md","form_index":0},"fields":{"title":"巴中 市","amount":8,"basis":["a","b"],"blank":null},"indicators":[{"horizon":"annual","level1":"产出指标","level2":"数量指标","level3":"1. 案件","value":"3起"},{"horizon":"annual","level1":"产出指标","level2":"成本指标","level3":"成本","value":"8万"},{"horizon":"annual","level1":"效益指标","level2":"社会效益","level3":"x","value":"y"}]}

{"source":{"path":"corpus/x/a.md","form_index":1},"fields":{"title":"x","blank":null},"indicators":[{"horizon":"annual","level1":"产出指标","level2":"数量指标","level3":"q","value":"r"}]}
"#;

const PRED: &str = r#"{"source":{"path":"a.md","form_index":0},"fields":{"title":{"value":"<b>巴中市</b>","confidence":0.95},"amount":{"value":"8","confidence":0.92},"basis":{"value":["a","b"],"confidence":0.5},"blank":{"value":null,"confidence":0.97}},"indicators":[{"horizon":"annual","level1":"产出指标","level2":"数量指标","level3":"案件","value":"3 起","confidence":0.9},{"horizon":"annual","level1":"成本指标","level2":"成本指标","level3":"成本","value":"8万","confidence":0.6},{"horizon":"annual","level1":"产出指标","level2":"社会效益","level3":"x","value":"y","confidence":0.95},{"horizon":"annual","level1":"满意度指标","level2":"服务对象满意度","level3":"z","value":"w","confidence":0.3}]}
{"source":{"path":"b.md","form_index":0},"fields":{},"indicators":[]}
"#;

fn report() -> Report {
    let rules = Rules::from_template(&Template::builtin());
    evaluate(&load(GOLD), &load(PRED), &rules)
}

#[test]
fn counts_fields_records_and_indicators() {
    let r = report();
    assert_eq!(r.records, 2);
    assert_eq!(r.records_missing, 1);
    assert_eq!(r.records_extra, 1);
    assert_eq!((r.fields_correct, r.fields_total), (3, 6));
    assert!(close(r.field_accuracy, 0.5));
    assert_eq!((r.nonblank_correct, r.nonblank_total), (2, 4));
    assert_eq!(
        (r.indicators_tp, r.indicators_predicted, r.indicators_gold),
        (2, 4, 4)
    );
    assert!(close(r.indicator_precision, 0.5));
    assert!(close(r.indicator_recall, 0.5));
    assert!(close(r.indicator_f1, 0.5));
}

#[test]
fn per_field_table_in_gold_order() {
    let r = report();
    let names: Vec<&str> = r.per_field.iter().map(|s| s.field.as_str()).collect();
    assert_eq!(names, ["title", "amount", "basis", "blank"]);
    let title = &r.per_field[0];
    assert_eq!((title.correct, title.total), (1, 2));
    assert!(close(title.mean_confidence, 0.95));
    let amount = &r.per_field[1];
    // "8" (a string) is not the number 8.
    assert_eq!((amount.correct, amount.total), (0, 1));
    let blank = &r.per_field[3];
    assert_eq!(
        (blank.correct, blank.total, blank.nonblank_total),
        (1, 2, 0)
    );
}

#[test]
fn calibration_error_and_brier_score() {
    let r = report();
    assert_eq!(r.calibration_items, 8);
    assert_eq!(r.bins.len(), 10);
    assert_eq!(r.bins[9].count, 5);
    assert!(close(r.bins[9].mean_confidence, 0.938));
    assert!(close(r.bins[9].accuracy, 0.6));
    assert_eq!(
        r.bins.iter().map(|b| b.count).collect::<Vec<_>>(),
        [0, 0, 0, 1, 0, 1, 1, 0, 0, 5]
    );
    // 5/8·|0.6−0.938| + 1/8·0.5 + 1/8·0.4 + 1/8·0.3
    assert!(close(r.ece, 0.36125), "{}", r.ece);
    assert!((r.brier - 2.2623 / 8.0).abs() < 2e-6, "{}", r.brier);
}

#[test]
fn lists_confident_errors_with_file_form_and_path() {
    let r = report();
    let got: Vec<(&str, u64, &str, f64)> = r
        .confident_errors
        .iter()
        .map(|e| (e.file.as_str(), e.form_index, e.path.as_str(), e.confidence))
        .collect();
    assert_eq!(
        got,
        [
            ("a.md", 0, "fields.amount", 0.92),
            ("a.md", 0, "indicators[2]", 0.95)
        ]
    );
    assert_eq!(r.confident_errors[0].expected, serde_json::json!(8));
}

#[test]
fn perfect_predictions_score_perfectly() {
    let gold = load(GOLD);
    // Gold itself, with confidence 1 everywhere, as predictions.
    let pred: Vec<Loaded> = gold
        .iter()
        .map(|g| {
            let mut rec = g.record.clone();
            let fields: serde_json::Map<String, Json> = g.record["fields"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        serde_json::json!({"value": v, "confidence": 1.0}),
                    )
                })
                .collect();
            rec["fields"] = Json::Object(fields);
            for i in rec["indicators"].as_array_mut().unwrap() {
                i["confidence"] = serde_json::json!(1.0);
            }
            Loaded {
                key: g.key.clone(),
                line: g.line,
                record: rec,
            }
        })
        .collect();
    let r = evaluate(&gold, &pred, &Rules::default());
    assert_eq!((r.fields_correct, r.fields_total), (6, 6));
    assert!(close(r.indicator_f1, 1.0));
    assert!(close(r.ece, 0.0));
    assert!(close(r.brier, 0.0));
    assert!(r.confident_errors.is_empty());
}

#[test]
fn duplicate_predictions_are_false_positives() {
    let gold = load(
        r#"{"source":{"path":"a.md","form_index":0},"fields":{},"indicators":[{"horizon":"annual","level1":"A","level2":"B","level3":"c","value":"d"}]}"#,
    );
    let pred = load(
        r#"{"source":{"path":"a.md","form_index":0},"fields":{},"indicators":[{"horizon":"annual","level1":"A","level2":"B","level3":"c","value":"d","confidence":0.5},{"horizon":"annual","level1":"A","level2":"B","level3":"c","value":"d","confidence":0.95}]}"#,
    );
    let r = evaluate(&gold, &pred, &Rules::default());
    assert_eq!(r.indicators_tp, 1);
    assert!(close(r.indicator_precision, 0.5));
    assert!(close(r.indicator_recall, 1.0));
    // The confident one is credited; the duplicate at 0.5 is the error.
    assert!(r.confident_errors.is_empty());
    assert_eq!(r.bins[5].count, 1);
    assert!(close(r.bins[5].accuracy, 0.0));
}

#[test]
fn a_missing_or_out_of_range_confidence_is_wrong() {
    let gold = load(r#"{"source":{"path":"a.md","form_index":0},"fields":{"x":"1","y":"2"}}"#);
    let pred = load(
        r#"{"source":{"path":"a.md","form_index":0},"fields":{"x":{"value":"1"},"y":{"value":"2","confidence":1.5}}}"#,
    );
    let r = evaluate(&gold, &pred, &Rules::default());
    assert_eq!((r.fields_correct, r.fields_total), (0, 2));
    assert_eq!(r.calibration_items, 0);
}

#[test]
fn bad_input_names_file_and_line() {
    let e = parse_jsonl(
        "\n{\"source\":{\"path\":\"a\",\"form_index\":0}}\n{oops\n",
        Path::new("g.jsonl"),
    )
    .unwrap_err();
    assert!(matches!(e, EvalError::Json { line: 3, .. }), "{e}");
    assert!(
        e.to_string().starts_with("g.jsonl:3: not a JSON object"),
        "{e}"
    );
    let e = parse_jsonl("[1,2]\n", Path::new("g.jsonl")).unwrap_err();
    assert!(matches!(e, EvalError::Json { line: 1, .. }));
    let e = parse_jsonl("{\"fields\":{}}\n", Path::new("p.jsonl")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "p.jsonl:1: record has no source.path / source.form_index"
    );
    let e = load_jsonl(Path::new("/nonexistent/gold.jsonl")).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("/nonexistent/gold.jsonl: cannot read"),
        "{e}"
    );
}

#[test]
fn empty_inputs_give_zeros_not_nan() {
    let r = evaluate(&[], &[], &Rules::default());
    assert_eq!(r.fields_total, 0);
    assert_eq!(r.field_accuracy, 0.0);
    assert_eq!(r.ece, 0.0);
    assert_eq!(r.brier, 0.0);
    assert_eq!(r.indicator_f1, 0.0);
}

/// Two records, one exactly right at 0.95, one wrong at 0.93, one right
/// below the routing threshold; grouped by engine and by operator.
const ROUTE_GOLD: &str = r#"{"source":{"path":"r/a.md","form_index":0},"fields":{"x":"1"},"indicators":[],"meta":{"engine":"rapid","operators":["o1","o2"]}}
{"source":{"path":"r/b.md","form_index":0},"fields":{"x":"2"},"indicators":[{"horizon":"annual","level1":"产出指标","level2":"数量指标","level3":"q","value":"r"}],"meta":{"engine":"rapid","operators":["o2"]}}
{"source":{"path":"r/c.md","form_index":0},"fields":{"x":"3"},"indicators":[],"meta":{"engine":"tesseract","operators":[]}}
"#;

const ROUTE_PRED: &str = r#"{"source":{"path":"a.md","form_index":0},"confidence":0.95,"fields":{"x":{"value":"1","confidence":0.95}},"indicators":[]}
{"source":{"path":"b.md","form_index":0},"confidence":0.93,"fields":{"x":{"value":"2","confidence":0.97}},"indicators":[{"horizon":"annual","level1":"产出指标","level2":"数量指标","level3":"q","value":"rr","confidence":0.93}]}
{"source":{"path":"c.md","form_index":0},"confidence":0.5,"fields":{"x":{"value":"3","confidence":0.5}},"indicators":[]}
"#;

#[test]
fn routing_counts_straight_through_and_wrong_auto_accepted_records() {
    let rules = Rules::default();
    let r = evaluate(&load(ROUTE_GOLD), &load(ROUTE_PRED), &rules);
    assert_eq!(r.records_exact, 2);
    assert_eq!(r.records_auto, 2);
    assert_eq!(r.straight_through, 1);
    assert!(close(r.straight_through_rate, 1.0 / 3.0));
    // b.md: every field right, but its indicator's value is wrong.
    assert_eq!(r.wrong_auto_accepted, 1);
    // Confident answers: x of a and b (0.95, 0.97) and b's indicator
    // (0.93, wrong).
    assert_eq!(r.confident_answers, 3);
    assert!(close(r.confident_error_rate, 1.0 / 3.0));
}

#[test]
fn breakdown_groups_records_by_each_meta_value() {
    let rules = Rules::default();
    let r = evaluate_by(&load(ROUTE_GOLD), &load(ROUTE_PRED), &rules, &[]);
    let groups: Vec<(String, String, usize)> = (r.breakdown.iter())
        .map(|b| (b.key.clone(), b.value.clone(), b.records))
        .collect();
    assert_eq!(
        groups,
        vec![
            ("engine".into(), "rapid".into(), 2),
            ("engine".into(), "tesseract".into(), 1),
            ("operators".into(), "o1".into(), 1),
            ("operators".into(), "o2".into(), 2),
        ]
    );
    let o2 = &r.breakdown[3];
    assert_eq!(o2.wrong_auto_accepted, 1);
    assert!(close(o2.straight_through_rate, 0.5));
    // Only the keys asked for.
    let r = evaluate_by(
        &load(ROUTE_GOLD),
        &load(ROUTE_PRED),
        &rules,
        &["engine".into()],
    );
    assert_eq!(r.breakdown.len(), 2);
    // The whole report is the same as without a breakdown.
    assert_eq!(r.records_exact, 2);
}
