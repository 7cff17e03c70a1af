//! Every rendering of the six sample forms gives the same records as the
//! tab-flattened original: the renderings (made by scripts/render-samples.py)
//! are read by different builders, yet every field value, every indicator,
//! `unmapped`, `warnings` and every confidence must come out the same. Only
//! `source` (path, lines, format) and the `line` provenance may differ.

use formsift::Extractor;
use serde_json::Value;
use std::collections::HashMap;
use std::process::Command;

mod common;

const ORIGINAL: &str = "samples/bazhong-2019-perf-targets.md";

/// (file, the `source.format` its tables must report)
const RENDERINGS: &[(&str, &str)] = &[
    ("samples/bazhong-2019-perf-targets.html", "html"),
    ("samples/bazhong-2019-perf-targets.pipe.md", "markdown"),
    ("samples/bazhong-2019-perf-targets.aligned.txt", "text"),
    ("samples/bazhong-2019-perf-targets.gb18030.txt", "tsv"),
];

/// Records of `bytes` as if read from a file (written to a temp file).
fn records_of(label: &str, bytes: &[u8]) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("input");
    std::fs::write(&file, bytes).expect("write");
    let path = file.to_str().expect("utf-8 path");
    records_labelled(label, path)
}

fn records(path: &str) -> Vec<Value> {
    records_labelled(path, path)
}

fn records_labelled(label: &str, path: &str) -> Vec<Value> {
    Extractor::builtin()
        .extract_file(path)
        .unwrap_or_else(|e| panic!("{label}: {e}"))
        .iter()
        .map(|r| serde_json::from_str(&r.to_json_line()).expect("valid JSON"))
        .collect()
}

/// `v` without any of `keys`, at every depth.
fn without_keys(v: &Value, keys: &[&str]) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !keys.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), without_keys(v, keys)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(|x| without_keys(x, keys)).collect()),
        other => other.clone(),
    }
}

/// The record without positions (`source`, every `line`), and without
/// confidences for space-aligned text: there every indicator's row rests
/// on position (capped for review) and a blank value may sit on another
/// line, so the same values score lower — never higher.
fn comparable(v: &Value, text: bool) -> Value {
    if text {
        without_keys(v, &["line", "source", "confidence"])
    } else {
        without_keys(v, &["line", "source"])
    }
}

/// Whether `got` (a rendering of `original`) is the same record beyond
/// positions, and for text no more confident.
fn same_record(original: &Value, got: &Value, text: bool) -> bool {
    let conf = |r: &Value| r["confidence"].as_f64().unwrap_or(f64::NAN);
    comparable(original, text) == comparable(got, text)
        && (!text || conf(got) <= conf(original) + 1e-9)
}

fn indicator_multiset(r: &Value) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for i in r["indicators"].as_array().expect("indicators") {
        let key = ["horizon", "level1", "level2", "level3", "value"]
            .iter()
            .map(|k| i[*k].to_string())
            .collect::<Vec<_>>()
            .join(" / ");
        *m.entry(key).or_default() += 1;
    }
    m
}

#[test]
fn every_rendering_gives_the_original_field_values_and_indicators() {
    let original = records(ORIGINAL);
    assert_eq!(original.len(), 6);
    let mut forms_equal = 0;
    let mut fields_compared = 0;
    let mut problems = Vec::new();
    for (path, format) in RENDERINGS {
        let got = records(path);
        assert_eq!(got.len(), original.len(), "{path}: number of forms");
        for (i, (o, g)) in original.iter().zip(&got).enumerate() {
            assert_eq!(g["source"]["form_index"], i, "{path}");
            assert_eq!(g["source"]["path"], *path);
            assert_eq!(g["source"]["format"], *format, "{path} form {i}");
            let of = o["fields"].as_object().expect("fields");
            let gf = g["fields"].as_object().expect("fields");
            assert_eq!(
                of.keys().collect::<Vec<_>>(),
                gf.keys().collect::<Vec<_>>(),
                "{path} form {i}: field keys"
            );
            let mut same = true;
            for (k, ov) in of {
                fields_compared += 1;
                if ov["value"] != gf[k]["value"] {
                    same = false;
                    problems.push(format!(
                        "{path} form {i} {k}: {} != {}",
                        ov["value"], gf[k]["value"]
                    ));
                }
            }
            if indicator_multiset(o) != indicator_multiset(g) {
                same = false;
                problems.push(format!("{path} form {i}: indicators differ"));
            }
            // Stronger still: the whole record (raw, repairs, confidences,
            // unmapped, warnings) is the same.
            if !same_record(o, g, *format == "text") {
                same = false;
                problems.push(format!("{path} form {i}: record differs beyond positions"));
            }
            forms_equal += usize::from(same);
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(fields_compared, 4 * 6 * 30);
    assert_eq!(forms_equal, 24);
}

/// Field values and indicators of two runs, form by form.
fn same_values(label: &str, a: &[Value], b: &[Value]) -> Vec<String> {
    let mut problems = Vec::new();
    if a.len() != b.len() {
        return vec![format!("{label}: {} forms, not {}", b.len(), a.len())];
    }
    for (i, (o, g)) in a.iter().zip(b).enumerate() {
        for (k, ov) in o["fields"].as_object().expect("fields") {
            if ov["value"] != g["fields"][k]["value"] {
                problems.push(format!("{label} form {i} {k}"));
            }
        }
        if indicator_multiset(o) != indicator_multiset(g) {
            problems.push(format!("{label} form {i}: indicators"));
        }
    }
    problems
}

/// What else OCR output does to the same renderings: CRLF and a BOM, UTF-16,
/// trailing spaces stripped, no delimiter rows, a table on one line.
#[test]
fn variants_of_the_renderings_give_the_same_records() {
    let original = records(ORIGINAL);
    let read = |p: &str| std::fs::read_to_string(p).expect("sample");
    let pipe = read("samples/bazhong-2019-perf-targets.pipe.md");
    let aligned = read("samples/bazhong-2019-perf-targets.aligned.txt");
    let html = read("samples/bazhong-2019-perf-targets.html");

    let mut crlf_bom = b"\xEF\xBB\xBF".to_vec();
    crlf_bom.extend(pipe.replace('\n', "\r\n").into_bytes());
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(aligned.encode_utf16().flat_map(u16::to_le_bytes));
    let rstripped: String = aligned
        .lines()
        .map(|l| l.trim_end().to_string() + "\n")
        .collect();
    let no_delimiter: String = pipe
        .lines()
        .filter(|l| !l.starts_with("|---"))
        .map(|l| l.to_string() + "\n")
        .collect();
    let mut one_line = String::new();
    for l in html.lines() {
        one_line.push_str(l);
        let in_table = l.starts_with("<table") || l.starts_with("<tr");
        if !in_table {
            one_line.push('\n');
        }
    }

    let mut problems = Vec::new();
    for (label, bytes) in [
        ("pipe, CRLF + BOM", crlf_bom),
        ("aligned, UTF-16LE", utf16),
        ("aligned, trailing spaces stripped", rstripped.into_bytes()),
        ("pipe, no delimiter rows", no_delimiter.into_bytes()),
    ] {
        let got = records_of(label, &bytes);
        problems.extend(same_values(label, &original, &got));
        for (i, (o, g)) in original.iter().zip(&got).enumerate() {
            if !same_record(o, g, label.starts_with("aligned")) {
                problems.push(format!("{label} form {i}: record differs beyond positions"));
            }
        }
    }
    // Each HTML table on one line: every cell shares a line, yet the
    // records are the same (cells are told apart by grid row, not by line),
    // warnings such as value_truncated included.
    let got = records_of("html, one line per table", one_line.as_bytes());
    assert!(one_line
        .lines()
        .any(|l| l.starts_with("<table") && l.ends_with("</table>")));
    problems.extend(same_values("html, one line per table", &original, &got));
    for (i, (o, g)) in original.iter().zip(&got).enumerate() {
        if !same_record(o, g, false) {
            problems.push(format!(
                "html, one line per table form {i}: record differs beyond positions"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn renderings_match_their_golden_files() {
    for (path, _) in RENDERINGS {
        let (got, _) = common::extract_ok(path);
        let name = path.trim_start_matches("samples/");
        let golden = std::fs::read_to_string(format!("golden/{name}.jsonl")).expect("golden file");
        assert_eq!(got.lines().count(), golden.lines().count(), "{path}");
        for (i, (g, e)) in got.lines().zip(golden.lines()).enumerate() {
            assert_eq!(g, e, "{path}: record {i} differs from golden");
        }
    }
}

#[test]
fn the_gb18030_rendering_is_really_gb18030_and_forcing_the_wrong_encoding_fails() {
    let bytes = std::fs::read("samples/bazhong-2019-perf-targets.gb18030.txt").expect("sample");
    assert!(std::str::from_utf8(&bytes).is_err(), "must not be UTF-8");
    let out = Command::new(env!("CARGO_BIN_EXE_formsift"))
        .args([
            "extract",
            "--encoding",
            "utf-8",
            "samples/bazhong-2019-perf-targets.gb18030.txt",
        ])
        .output()
        .expect("run formsift");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("samples/bazhong-2019-perf-targets.gb18030.txt: not valid UTF-8 (first bad byte at offset 5, line 3)"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "no mojibake records");

    let forced = Command::new(env!("CARGO_BIN_EXE_formsift"))
        .args([
            "extract",
            "--encoding",
            "GB18030",
            "samples/bazhong-2019-perf-targets.gb18030.txt",
        ])
        .output()
        .expect("run formsift");
    assert!(forced.status.success());
    let golden =
        std::fs::read("golden/bazhong-2019-perf-targets.gb18030.txt.jsonl").expect("golden");
    assert_eq!(forced.stdout, golden);

    let unknown = Command::new(env!("CARGO_BIN_EXE_formsift"))
        .args(["extract", "--encoding", "klingon", ORIGINAL])
        .output()
        .expect("run formsift");
    assert_eq!(unknown.status.code(), Some(1));
    let err = String::from_utf8_lossy(&unknown.stderr);
    assert!(err.contains("unknown encoding `klingon`"), "{err}");
}
