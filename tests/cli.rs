//! End-to-end tests: the `formsift` binary on the real sample and on bad input.

use serde_json::Value;
use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};

const SAMPLE: &str = "samples/bazhong-2019-perf-targets.md";

mod common;
use common::{formsift, json_lines as records};

#[test]
fn sample_output_equals_golden_byte_for_byte() {
    let out = formsift(&["extract", SAMPLE]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let golden = std::fs::read_to_string("golden/bazhong-2019-perf-targets.md.jsonl").unwrap();
    let got = String::from_utf8(out.stdout).unwrap();
    for (i, (g, e)) in got.lines().zip(golden.lines()).enumerate() {
        assert_eq!(g, e, "record {i} differs from golden");
    }
    assert_eq!(got.lines().count(), golden.lines().count());
}

// --- the seed expectations, compared as `record.md` says ---------------------

const NUMERIC: &[&str] = &[
    "midterm_total",
    "midterm_fiscal",
    "midterm_other",
    "annual_total",
    "annual_fiscal",
    "annual_other",
    "prior_years_budget",
    "sources_total",
    "sources_general_budget",
    "sources_gov_fund",
    "sources_state_capital",
    "sources_social_insurance",
    "sources_other",
];

/// Text compared without whitespace and with full-width ASCII folded, as the
/// contract's checker does (NFKC, tags and whitespace removed).
fn canon(v: &Value) -> String {
    match v {
        Value::String(s) => {
            use unicode_normalization::UnicodeNormalization;
            s.nfkc().filter(|c| !c.is_whitespace()).collect()
        }
        Value::Number(n) => format!("num:{}", n.as_f64().unwrap()),
        other => other.to_string(),
    }
}

fn strip_enum(s: &str) -> String {
    let re = regex::Regex::new(r"^\s*\d+\s*[.、．]\s*").unwrap();
    re.replace(s, "").into_owned()
}

fn ind_key(i: &Value) -> (String, String, String, String) {
    let l3 = match &i["level3"] {
        Value::String(s) => Value::String(strip_enum(s)),
        v => v.clone(),
    };
    (
        i["horizon"].as_str().unwrap_or("").to_string(),
        canon(&i["level2"]),
        canon(&l3),
        canon(&i["value"]),
    )
}

#[test]
fn sample_matches_seed_expectations_on_all_fields_and_indicators() {
    let out = formsift(&["extract", SAMPLE]);
    assert!(out.status.success());
    let got = records(&out.stdout);
    let expected: Vec<Value> = std::fs::read_to_string("tests/data/seed-expected.jsonl")
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(got.len(), expected.len());
    let mut fields_ok = 0;
    let mut inds_ok = 0;
    let mut problems = Vec::new();
    for (e, g) in expected.iter().zip(&got) {
        let idx = &e["source"]["form_index"];
        assert_eq!(&g["source"]["form_index"], idx);
        for (k, ev) in e["fields"].as_object().unwrap() {
            let cell = &g["fields"][k];
            let c = cell["confidence"].as_f64().expect("confidence");
            assert!((0.0..=1.0).contains(&c));
            let gv = &cell["value"];
            if NUMERIC.contains(&k.as_str()) && !(gv.is_null() || gv.is_number()) {
                problems.push(format!("#{idx} {k}: not a number: {gv}"));
                continue;
            }
            let same = match (ev, gv) {
                (Value::Array(a), Value::Array(b)) => {
                    a.iter().map(canon).collect::<Vec<_>>()
                        == b.iter().map(canon).collect::<Vec<_>>()
                }
                _ => canon(ev) == canon(gv),
            };
            if same {
                fields_ok += 1;
            } else {
                problems.push(format!("#{idx} {k}: expected {ev}, got {gv}"));
            }
        }
        let mut want: HashMap<_, usize> = HashMap::new();
        let mut level1 = HashMap::new();
        for i in e["indicators"].as_array().unwrap() {
            *want.entry(ind_key(i)).or_default() += 1;
            level1.insert(ind_key(i), i["level1"].clone());
        }
        let mut have: HashMap<_, usize> = HashMap::new();
        let mut got_level1 = HashMap::new();
        for i in g["indicators"].as_array().unwrap() {
            let c = i["confidence"].as_f64().expect("indicator confidence");
            assert!((0.0..=1.0).contains(&c));
            *have.entry(ind_key(i)).or_default() += 1;
            got_level1.insert(ind_key(i), i["level1"].clone());
        }
        for (k, n) in &want {
            let m = (*n).min(*have.get(k).unwrap_or(&0));
            let l1_ok = k.1 == "成本指标" || level1.get(k) == got_level1.get(k);
            if m == *n && l1_ok {
                inds_ok += n;
            } else {
                problems.push(format!("#{idx} indicator {k:?}: missing or wrong level1"));
            }
        }
        let extra: usize = have
            .iter()
            .map(|(k, n)| n.saturating_sub(*want.get(k).unwrap_or(&0)))
            .sum();
        assert_eq!(extra, 0, "#{idx}: unexpected indicators");
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(fields_ok, 180);
    assert_eq!(inds_ok, 52);
}

#[test]
fn every_record_lists_unmapped_and_flags_the_truncated_indicator() {
    let out = formsift(&["extract", SAMPLE]);
    let recs = records(&out.stdout);
    for r in &recs {
        assert!(
            r["unmapped"].as_array().unwrap().is_empty(),
            "{}",
            r["unmapped"]
        );
        let min = r["fields"]
            .as_object()
            .unwrap()
            .values()
            .map(|f| f["confidence"].as_f64().unwrap())
            .chain(
                r["indicators"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["confidence"].as_f64().unwrap()),
            )
            .fold(1.0, f64::min);
        assert_eq!(r["confidence"].as_f64().unwrap(), min);
    }
    let w = &recs[0]["warnings"][0];
    assert_eq!(w["kind"], "value_truncated");
    assert_eq!(w["path"], "indicators[1].level3");
    assert_eq!(w["message"], "ends mid-phrase: 落实执纪监督问责相关文");
}

#[test]
fn bad_inputs_are_named_and_the_rest_still_runs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(SAMPLE, d.join("a-good.md")).unwrap();
    std::fs::write(d.join("b-empty.md"), "").unwrap();
    std::fs::write(
        d.join("c-gbk.txt"),
        b"\xcf\xee\xc4\xbf\xc3\xfb\xb3\xc6\t\t\xb2\xe2",
    )
    .unwrap();
    std::fs::write(d.join("d-noform.md"), "just a note\nnothing tabular\n").unwrap();
    std::fs::write(d.join("e-ignored.pdf"), "x").unwrap();
    // Neither UTF-8 nor GB18030/GBK/Big5: 0xFF starts no character in any of them.
    std::fs::write(d.join("f-undecodable.md"), b"ok\n\xff\xfe\xff").unwrap();
    let out = formsift(&["extract", d.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("b-empty.md: file is empty"), "{err}");
    // GBK is detected and decoded: one row of a form is no form, and the
    // message proves the text was read rather than rejected as bytes.
    assert!(err.contains("c-gbk.txt: no form found"), "{err}");
    assert!(
        err.contains("f-undecodable.md: not valid UTF-8 (first bad byte at offset 3, line 2) and not GB18030/GBK/Big5 either"),
        "{err}"
    );
    assert!(err.contains("d-noform.md: no form found"), "{err}");
    assert!(!err.contains("e-ignored"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(records(&out.stdout).len(), 6);
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    let out = formsift(&["extract", "no/such/file.md"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no/such/file.md: cannot read"), "{err}");
}

#[test]
fn stdin_and_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("out.jsonl");
    std::fs::write(&out_path, "previous run\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_formsift"))
        .args(["extract", "-", "-o", out_path.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let sample = std::fs::read(SAMPLE).unwrap();
    child.stdin.take().unwrap().write_all(&sample).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let written = std::fs::read(&out_path).unwrap();
    let recs = records(&written);
    assert_eq!(recs.len(), 6);
    assert_eq!(recs[0]["source"]["path"], "-");
    // Only the output file is left behind: no temporary files.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn template_file_makes_a_new_form_type_without_code() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = dir.path().join("leave.toml");
    std::fs::write(
        &tpl,
        r#"
id = "leave-request"
name = "请假申请表"
[segment]
title_markers = ["请假申请表"]
[[field]]
key = "title"
type = "text"
source = "title"
[[field]]
key = "applicant"
type = "text"
labels = ["申请人"]
[[field]]
key = "days"
type = "number"
labels = ["请假天数"]
[[field]]
key = "kind"
type = "choice"
labels = ["假别"]
options = ["事假", "病假", "年假"]
"#,
    )
    .unwrap();
    let doc = dir.path().join("leave.md");
    std::fs::write(
        &doc,
        "# 请假申请表\n申请人\t张三\t请假天数\t３ 天\n假别\t[ ] 事假 [x] 病假 [ ] 年假\n",
    )
    .unwrap();
    let out = formsift(&[
        "extract",
        "--template",
        tpl.to_str().unwrap(),
        doc.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let r = &records(&out.stdout)[0];
    assert_eq!(r["template"], "leave-request");
    assert_eq!(r["fields"]["applicant"]["value"], "张三");
    assert_eq!(r["fields"]["kind"]["value"], "病假");
    // "3 天": 天 is no unit of this template, so the number is unreadable and kept raw.
    assert_eq!(r["fields"]["days"]["value"], Value::Null);
    assert_eq!(r["fields"]["days"]["raw"], "3 天");
    assert_eq!(r["fields"].as_object().unwrap().len(), 4);
}

#[test]
fn invalid_template_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let tpl = dir.path().join("bad.toml");
    std::fs::write(&tpl, "id = [").unwrap();
    let out = formsift(&["extract", "--template", tpl.to_str().unwrap(), SAMPLE]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml: invalid template"), "{err}");
}

#[test]
fn help_teaches_with_examples() {
    let out = formsift(&["extract", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "--output",
        "--template",
        "Examples:",
        "Exit status",
        "stdin",
    ] {
        assert!(help.contains(needle), "--help lacks {needle}:\n{help}");
    }
}

#[test]
fn hostile_bytes_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("tabs.md", "\t".repeat(200_000).into_bytes()),
        ("deep.html", "<div>".repeat(50_000).into_bytes()),
        ("binary.md", (0u8..=255).cycle().take(10_000).collect()),
        (
            "title-only.md",
            "# 项目支出绩效目标表\n# 项目支出绩效目标表\n".as_bytes().to_vec(),
        ),
        (
            "ragged.md",
            "# 项目支出绩效目标表\n项目名称\n\t\t\t\t\t\t\t\t\t\t数量指标\n绩效指标\t二级指标\t三级指标\n\t数量指标\n<input checked\n&#xFFFFFFFF; &#0;\n"
                .as_bytes()
                .to_vec(),
        ),
    ];
    for (name, bytes) in &cases {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let out = formsift(&["extract", dir.path().to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert!(out.status.code() == Some(0) || out.status.code() == Some(2));
    // The two titled files give records; each is valid JSON.
    let recs = records(&out.stdout);
    assert!(recs.len() >= 3, "{}", recs.len());
}

// --- --calibration FILE ---------------------------------------------------

/// A table given with `--calibration` replaces the built-in one: the
/// identity table leaves the raw evidence, so a repaired value keeps its
/// raw score while the default output maps it through the fitted steps.
/// A table that is not one is an error naming the file, exit 1.
#[test]
fn calibration_file_replaces_the_builtin_table() {
    let dir = tempfile::tempdir().unwrap();
    let identity = dir.path().join("identity.json");
    std::fs::write(
        &identity,
        r#"{"about":"identity","fields":[],"indicators":[]}"#,
    )
    .unwrap();
    let default = records(&formsift(&["extract", SAMPLE]).stdout);
    let out = formsift(&[
        "extract",
        SAMPLE,
        "--calibration",
        identity.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let raw = records(&out.stdout);
    assert_eq!(raw.len(), default.len());
    let conf = |r: &Value, f: &str| r["fields"][f]["confidence"].as_f64().unwrap();
    let changed = (raw.iter().zip(&default))
        .flat_map(|(a, b)| {
            ["project_name", "annual_total", "category"].map(|f| (conf(a, f), conf(b, f)))
        })
        .filter(|(a, b)| a != b)
        .count();
    assert!(changed > 0, "the identity table changed no confidence");
    // The values themselves do not depend on the table.
    for (a, b) in raw.iter().zip(&default) {
        assert_eq!(
            a["fields"]["project_name"]["value"],
            b["fields"]["project_name"]["value"]
        );
    }

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "not json").unwrap();
    let out = formsift(&["extract", SAMPLE, "--calibration", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot read calibration table") && err.contains("bad.json"),
        "{err}"
    );
    let out = formsift(&["extract", SAMPLE, "--calibration", "/no/such/table.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/table.json"));
}
