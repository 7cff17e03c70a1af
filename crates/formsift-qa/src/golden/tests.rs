//! Golden comparison on hand-made records (no sample strings).

use super::*;
use formsift::Template;
use serde_json::json;

fn rec(index: u64, fields: Json, indicators: Json) -> Json {
    json!({
        "schema": "formsift.record/1",
        "template": "t",
        "source": {"path": "samples/a.md", "form_index": index, "line_start": 1, "line_end": 9, "format": "tsv"},
        "confidence": 0.5,
        "fields": fields,
        "indicators": indicators,
        "unmapped": [],
        "warnings": []
    })
}

fn golden(records: &[Json]) -> Vec<GoldenRecord> {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    parse_golden("golden/a.md.jsonl", &text).unwrap()
}

fn base() -> Json {
    rec(
        0,
        json!({
            "name": {"value": "alpha", "confidence": 0.98, "line": 3},
            "total": {"value": 8, "confidence": 0.9, "line": 4},
        }),
        json!([
            {"horizon": "annual", "level1": "L1", "level2": "q", "level3": "x", "value": "v1", "confidence": 0.9, "line": 7},
            {"horizon": "annual", "level1": "L1", "level2": "q", "level3": "y", "value": "v2", "confidence": 0.9, "line": 8},
        ]),
    )
}

fn diff(old: &Json, new: &Json, tol: f64) -> (Vec<Difference>, Compared) {
    diff_records(
        &golden(std::slice::from_ref(old)),
        std::slice::from_ref(new),
        tol,
        Some("name"),
    )
}

#[test]
fn identical_records_have_no_difference() {
    let (d, c) = diff(&base(), &base(), 0.05);
    assert_eq!(d, vec![]);
    assert_eq!(
        c,
        Compared {
            forms: 1,
            fields: 2,
            indicators: 2
        }
    );
}

#[test]
fn changed_value_is_reported_with_both_confidences() {
    let mut new = base();
    new["fields"]["total"]["value"] = json!(9);
    new["fields"]["total"]["confidence"] = json!(0.8);
    new["fields"]["total"]["line"] = json!(5);
    let (d, _) = diff(&base(), &new, 0.05);
    // The line moved too, but a value change is reported alone.
    assert_eq!(
        d,
        vec![Difference {
            kind: DiffKind::Changed,
            fails: true,
            form_index: Some(0),
            form_name: Some("alpha".into()),
            item: "total".into(),
            old: Some(json!(8)),
            new: Some(json!(9)),
            old_confidence: Some(0.9),
            new_confidence: Some(0.8),
        }]
    );
}

#[test]
fn integer_and_float_spellings_of_a_number_are_equal() {
    let mut new = base();
    new["fields"]["total"]["value"] = json!(8.0);
    assert_eq!(diff(&base(), &new, 0.05).0, vec![]);
}

#[test]
fn confidence_drift_fails_only_beyond_tolerance() {
    let mut new = base();
    new["fields"]["total"]["confidence"] = json!(0.86);
    let (d, _) = diff(&base(), &new, 0.05);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].kind, DiffKind::Confidence);
    assert!(!d[0].fails, "0.04 is within 0.05");
    assert_eq!(d[0].new, Some(json!(8)));
    // Exactly the tolerance is still within it (no float noise).
    new["fields"]["total"]["confidence"] = json!(0.85);
    assert!(!diff(&base(), &new, 0.05).0[0].fails);
    new["fields"]["total"]["confidence"] = json!(0.849);
    assert!(diff(&base(), &new, 0.05).0[0].fails);
    // Tolerance 0: any drift fails.
    new["fields"]["total"]["confidence"] = json!(0.899);
    assert!(diff(&base(), &new, 0.0).0[0].fails);
}

#[test]
fn field_added_and_removed() {
    let mut new = base();
    let fields = new["fields"].as_object_mut().unwrap();
    fields.remove("total");
    fields.insert("extra".into(), json!({"value": null, "confidence": 0.97}));
    let (d, c) = diff(&base(), &new, 0.05);
    let got: Vec<_> = d
        .iter()
        .map(|d| (d.kind, d.item.as_str(), d.old.clone(), d.new.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (DiffKind::Missing, "total", Some(json!(8)), None),
            (DiffKind::New, "extra", None, Some(Json::Null)),
        ]
    );
    assert_eq!(c.fields, 1);
}

#[test]
fn provenance_changes_are_details_that_do_not_fail() {
    let mut new = base();
    new["fields"]["name"]["line"] = json!(30);
    new["fields"]["name"]["raw"] = json!("alpha!");
    new["source"]["line_end"] = json!(10);
    let (d, _) = diff(&base(), &new, 0.05);
    let got: Vec<_> = d
        .iter()
        .map(|d| {
            (
                d.kind,
                d.fails,
                d.item.as_str(),
                d.old.clone(),
                d.new.clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                DiffKind::Detail,
                false,
                "source.line_end",
                Some(json!(9)),
                Some(json!(10))
            ),
            (
                DiffKind::Detail,
                false,
                "name.line",
                Some(json!(3)),
                Some(json!(30))
            ),
            (
                DiffKind::Detail,
                false,
                "name.raw",
                None,
                Some(json!("alpha!"))
            ),
        ]
    );
}

#[test]
fn indicators_are_a_multiset_so_order_does_not_matter() {
    let mut new = base();
    new["indicators"].as_array_mut().unwrap().reverse();
    assert_eq!(diff(&base(), &new, 0.05).0, vec![]);
}

#[test]
fn indicator_value_change_under_the_same_name_is_one_change() {
    let mut new = base();
    new["indicators"][1]["value"] = json!("v2 changed");
    let (d, _) = diff(&base(), &new, 0.05);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].kind, DiffKind::Changed);
    assert_eq!(d[0].item, "indicators[annual q/y]");
    assert_eq!(d[0].old, Some(json!("v2")));
    assert_eq!(d[0].new, Some(json!("v2 changed")));
}

#[test]
fn indicator_added_removed_and_level1_changed() {
    let mut new = base();
    new["indicators"][0]["level3"] = json!("x2");
    new["indicators"][1]["level1"] = json!("L9");
    new["indicators"]
        .as_array_mut()
        .unwrap()
        .push(json!({"horizon": "midterm", "level1": null, "level2": null, "level3": null, "value": "w", "confidence": 0.5, "line": 9}));
    let (d, _) = diff(&base(), &new, 0.05);
    let got: Vec<_> = d
        .iter()
        .map(|d| (d.kind, d.item.as_str(), d.old.clone(), d.new.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                DiffKind::Changed,
                "indicators[annual q/y].level1",
                Some(json!("L1")),
                Some(json!("L9"))
            ),
            (
                DiffKind::Missing,
                "indicators[annual q/x]",
                Some(json!("v1")),
                None
            ),
            (
                DiffKind::New,
                "indicators[annual q/x2]",
                None,
                Some(json!("v1"))
            ),
            (
                DiffKind::New,
                "indicators[midterm —/—]",
                None,
                Some(json!("w"))
            ),
        ]
    );
}

#[test]
fn duplicate_indicators_count_twice() {
    let mut old = base();
    let dup = old["indicators"][0].clone();
    old["indicators"].as_array_mut().unwrap().push(dup);
    let (d, _) = diff(&old, &base(), 0.05);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].kind, DiffKind::Missing);
    assert_eq!(d[0].item, "indicators[annual q/x]");
}

#[test]
fn unmapped_and_warnings_are_items() {
    let mut new = base();
    new["unmapped"] = json!([{"line": 12, "text": "page 3"}]);
    new["warnings"] = json!([{"kind": "check_failed", "path": "fields.total", "message": "m"}]);
    let (d, _) = diff(&base(), &new, 0.05);
    let got: Vec<_> = d
        .iter()
        .map(|d| (d.kind, d.fails, d.item.as_str(), d.new.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (DiffKind::New, true, "unmapped", Some(json!("page 3"))),
            (
                DiffKind::New,
                true,
                "warnings",
                Some(json!({"kind": "check_failed", "path": "fields.total", "message": "m"}))
            ),
        ]
    );
    // The same unmapped text on another line is a detail only.
    let mut moved = new.clone();
    moved["unmapped"][0]["line"] = json!(13);
    let (d, _) = diff(&new, &moved, 0.05);
    assert_eq!(d.len(), 1);
    assert_eq!((d[0].kind, d[0].fails), (DiffKind::Detail, false));
}

#[test]
fn forms_added_and_removed_are_named() {
    let mut second = base();
    second["source"]["form_index"] = json!(1);
    second["fields"]["name"]["value"] = json!("beta");
    let (d, c) = diff_records(
        &golden(&[base(), second.clone()]),
        &[base()],
        0.05,
        Some("name"),
    );
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].kind, d[0].form_index, d[0].form_name.as_deref()),
        (DiffKind::Missing, Some(1), Some("beta"))
    );
    assert_eq!(c.forms, 1);
    let (d, _) = diff_records(&golden(&[base()]), &[base(), second], 0.05, None);
    assert_eq!(
        (d[0].kind, d[0].item.as_str(), d[0].form_name.as_deref()),
        (DiffKind::New, "form", None)
    );
}

#[test]
fn schema_change_fails() {
    let mut new = base();
    new["schema"] = json!("formsift.record/2");
    let (d, _) = diff(&base(), &new, 0.05);
    assert_eq!(
        (d[0].kind, d[0].item.as_str()),
        (DiffKind::Changed, "schema")
    );
}

#[test]
fn golden_parse_errors_name_file_and_line() {
    let err = parse_golden("g.jsonl", "{\"source\":{\"form_index\":0}}\n\n{oops\n").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("g.jsonl:3: not a formsift record: "),
        "{err}"
    );
    let err = parse_golden("g.jsonl", "[1]\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "g.jsonl:1: not a formsift record: not a JSON object"
    );
    let err = parse_golden("g.jsonl", "{\"source\":{}}\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "g.jsonl:1: not a formsift record: no source.form_index"
    );
    let err = parse_golden(
        "g.jsonl",
        "{\"source\":{\"form_index\":0}}\n{\"source\":{\"form_index\":0}}\n",
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "g.jsonl:2: form_index 0 already appears on line 1"
    );
    // Blank lines and CRLF are fine.
    let ok = parse_golden("g.jsonl", "\r\n{\"source\":{\"form_index\":4}}\r\n").unwrap();
    assert_eq!((ok[0].line, ok[0].form_index), (2, 4));
}

#[test]
fn golden_path_keeps_the_sample_extension_and_subdirectories() {
    assert_eq!(
        golden_path(Path::new("golden"), "x.md"),
        PathBuf::from("golden/x.md.jsonl")
    );
    assert_eq!(
        golden_path(Path::new("/g"), "sub/x.html"),
        PathBuf::from("/g/sub/x.html.jsonl")
    );
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn pairing_labels_samples_by_directory_name_even_when_absolute() {
    let dir = tempfile::tempdir().unwrap();
    let samples = dir.path().join("corpus");
    write(&samples.join("b.md"), "x");
    write(&samples.join("sub/a.html"), "x");
    write(&samples.join("ignored.pdf"), "x");
    let gold = dir.path().join("gold");
    write(&gold.join("b.md.jsonl"), "");
    write(&gold.join("gone.txt.jsonl"), "");
    write(&gold.join("README"), "");
    let opts = Options::new(samples.join("."), &gold);
    let (pairs, errors) = pair_files(&opts).unwrap();
    assert!(errors.is_empty());
    let got: Vec<_> = pairs
        .iter()
        .map(|p| (p.label.as_str(), p.sample.is_some(), p.golden_exists))
        .collect();
    assert_eq!(
        got,
        vec![
            ("corpus/b.md", true, true),
            ("corpus/gone.txt", false, true),
            ("corpus/sub/a.html", true, false),
        ]
    );
    assert_eq!(pairs[2].golden, gold.join("sub/a.html.jsonl"));
}

#[test]
fn missing_samples_dir_and_file_as_golden_dir_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let err = pair_files(&Options::new(dir.path().join("nope"), dir.path())).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("nope: samples directory not found (give another with --samples DIR)"),
        "{err}"
    );
    let file = dir.path().join("golden");
    std::fs::write(&file, "").unwrap();
    let err = pair_files(&Options::new(dir.path(), &file)).unwrap_err();
    assert!(matches!(err, GoldenError::GoldenDir { .. }), "{err}");
}

#[test]
fn only_filter_matches_label_or_relative_path() {
    let pair = |rel: &str| Pair {
        rel: rel.into(),
        label: format!("samples/{rel}"),
        sample: None,
        golden: PathBuf::new(),
        golden_exists: false,
    };
    let f = OnlyFilter::new(&["*.html".into(), "samples/sub/b.md".into()]).unwrap();
    assert!(f.matches(&pair("x/a.html")));
    assert!(f.matches(&pair("sub/b.md")));
    assert!(!f.matches(&pair("b.md")));
    assert!(OnlyFilter::new(&[]).unwrap().matches(&pair("b.md")));
    let err = OnlyFilter::new(&["a[".into()]).unwrap_err();
    assert!(err.to_string().starts_with("--only `a[`: "), "{err}");
}

#[test]
fn only_patterns_that_select_nothing_and_bad_tolerance_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("samples/a.md"), "x");
    let mut opts = Options::new(dir.path().join("samples"), dir.path().join("golden"));
    opts.only = vec!["*.htm".into(), "b*".into()];
    let err = check(&opts, &Extractor::builtin()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "no sample or golden file matches --only *.htm, b*"
    );
    opts.only.clear();
    opts.tolerance = f64::NAN;
    let err = check(&opts, &Extractor::builtin()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "confidence tolerance NaN is not between 0 and 1"
    );
}

#[test]
fn check_and_bless_round_trip_on_a_tiny_template() {
    let tpl = Template::from_toml(
        "id = \"t\"\nname = \"t\"\ndisplay_field = \"who\"\n[segment]\ntitle_markers = [\"FORM\"]\n[[field]]\nkey = \"who\"\ntype = \"text\"\nlabels = [\"Who\"]\n",
        Path::new("t.toml"),
    )
    .map(Extractor::new)
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let samples = dir.path().join("samples");
    let gold = dir.path().join("golden");
    write(
        &samples.join("one.md"),
        "# FORM\nWho\tann\n# FORM\nWho\tbob\n",
    );
    write(&samples.join("bad.md"), "");
    let opts = Options::new(&samples, &gold);
    let report = check(&opts, &tpl).unwrap();
    assert!(!report.ok);
    let status: Vec<_> = report
        .files
        .iter()
        .map(|f| (f.sample.as_str(), f.status))
        .collect();
    assert_eq!(
        status,
        vec![
            ("samples/bad.md", FileStatus::SampleFailed),
            ("samples/one.md", FileStatus::NewSample),
        ]
    );
    assert_eq!(
        report.files[0].error.as_deref(),
        Some("samples/bad.md: file is empty")
    );
    let (done, errors) = bless(&report, false);
    assert!(errors.is_empty());
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].action, BlessAction::Created);
    let written = std::fs::read_to_string(gold.join("one.md.jsonl")).unwrap();
    assert_eq!(written.lines().count(), 2);
    assert!(written.contains("\"path\":\"samples/one.md\""), "{written}");

    // Now clean (bad.md aside), and a second bless touches nothing.
    std::fs::remove_file(samples.join("bad.md")).unwrap();
    let report = check(&opts, &tpl).unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.summary.forms, 2);
    assert_eq!(report.summary.fields, 2);
    assert!(bless(&report, true).0.is_empty());

    // A changed sample: reported with the form's name, then blessed.
    write(
        &samples.join("one.md"),
        "# FORM\nWho\tann\n# FORM\nWho\tcy\n",
    );
    let report = check(&opts, &tpl).unwrap();
    let d = &report.files[0].differences;
    assert_eq!(d.len(), 1);
    assert_eq!(
        (
            d[0].form_index,
            d[0].form_name.as_deref(),
            d[0].old.clone(),
            d[0].new.clone()
        ),
        (Some(1), Some("cy"), Some(json!("bob")), Some(json!("cy")))
    );
    assert_eq!(report.summary.changed, 1);
    let (done, _) = bless(&report, false);
    assert_eq!(done[0].action, BlessAction::Rewritten);
    assert!(check(&opts, &tpl).unwrap().ok);

    // Sample gone: orphan; bless without --prune keeps it, with it removes it.
    std::fs::remove_file(samples.join("one.md")).unwrap();
    let report = check(&opts, &tpl).unwrap();
    assert_eq!(report.files[0].status, FileStatus::OrphanGolden);
    assert_eq!(report.summary.orphan_goldens, 1);
    assert!(bless(&report, false).0.is_empty());
    assert!(gold.join("one.md.jsonl").exists());
    let (done, _) = bless(&report, true);
    assert_eq!(done[0].action, BlessAction::Removed);
    assert!(!gold.join("one.md.jsonl").exists());
}

#[test]
fn reformatted_golden_is_a_detail_not_a_failure() {
    let tpl = Template::from_toml(
        "id = \"t\"\nname = \"t\"\n[segment]\ntitle_markers = [\"FORM\"]\n[[field]]\nkey = \"who\"\ntype = \"text\"\nlabels = [\"Who\"]\n",
        Path::new("t.toml"),
    )
    .map(Extractor::new)
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let samples = dir.path().join("samples");
    let gold = dir.path().join("golden");
    write(&samples.join("one.md"), "# FORM\nWho\tann\n");
    let opts = Options::new(&samples, &gold);
    bless(&check(&opts, &tpl).unwrap(), false);
    let path = gold.join("one.md.jsonl");
    let text = std::fs::read_to_string(&path).unwrap();
    let pretty: Json = serde_json::from_str(&text).unwrap();
    std::fs::write(&path, format!("{}\r\n", pretty)).unwrap();
    let report = check(&opts, &tpl).unwrap();
    assert!(report.ok);
    assert_eq!(report.files[0].status, FileStatus::Changed);
    assert_eq!(report.files[0].differences[0].item, "file");
    assert_eq!(report.summary.details, 1);
    let (done, _) = bless(&report, false);
    assert_eq!(done[0].action, BlessAction::Rewritten);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn unreadable_golden_names_the_line_and_bless_repairs_it() {
    let tpl = Template::from_toml(
        "id = \"t\"\nname = \"t\"\n[segment]\ntitle_markers = [\"FORM\"]\n[[field]]\nkey = \"who\"\ntype = \"text\"\nlabels = [\"Who\"]\n",
        Path::new("t.toml"),
    )
    .map(Extractor::new)
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let samples = dir.path().join("samples");
    let gold = dir.path().join("golden");
    write(&samples.join("one.md"), "# FORM\nWho\tann\n");
    write(&gold.join("one.md.jsonl"), "<<<<<<< HEAD\n");
    let opts = Options::new(&samples, &gold);
    let report = check(&opts, &tpl).unwrap();
    assert_eq!(report.files[0].status, FileStatus::GoldenUnreadable);
    let err = report.files[0].error.clone().unwrap();
    assert!(
        err.ends_with("one.md.jsonl:1: not a formsift record: expected value at line 1 column 1"),
        "{err}"
    );
    assert_eq!(report.summary.errors, 1);
    bless(&report, false);
    assert!(check(&opts, &tpl).unwrap().ok);
}
