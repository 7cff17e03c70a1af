//! Hand-written samples of the malformed renderings OCR engines print, each
//! checked against its golden output byte for byte and on the values that
//! show the builder did its job:
//! - samples/malformed-html.md: UTF-8 BOM, CRLF, unclosed `<td>`/`<tr>`/
//!   `<table>`, colspan/rowspan, `<th>` mid-row, nested inline tags, entities,
//!   `<br>`, checkbox `<input>`s, full-width digits, NBSP and U+3000, page
//!   header/footer lines between forms;
//! - samples/ragged-pipe.md: a pipe table whose rows have too few and too
//!   many cells, an escaped `\|`, `[x]`/`□`/`■`/`√` checkboxes;
//! - samples/mixed-formats.md: four forms, tab-flattened, HTML, pipe and
//!   space-aligned (with U+3000 separators) plus a tab-flattened table in the
//!   same form, stray OCR lines between them.

use serde_json::Value;
use std::process::Command;

mod common;
use common::extract_ok as extract;

fn assert_golden(path: &str, got: &str) {
    let name = path.trim_start_matches("samples/");
    let golden = std::fs::read_to_string(format!("golden/{name}.jsonl")).expect("golden file");
    assert_eq!(got.lines().count(), golden.lines().count(), "{path}");
    for (i, (g, e)) in got.lines().zip(golden.lines()).enumerate() {
        assert_eq!(g, e, "{path}: record {i} differs from golden");
    }
}

fn value<'a>(r: &'a Value, key: &str) -> &'a Value {
    &r["fields"][key]["value"]
}

fn line(r: &Value, key: &str) -> u64 {
    r["fields"][key]["line"].as_u64().unwrap_or(0)
}

fn unmapped(r: &Value) -> Vec<(u64, String)> {
    r["unmapped"]
        .as_array()
        .expect("unmapped")
        .iter()
        .map(|u| {
            (
                u["line"].as_u64().unwrap_or(0),
                u["text"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn indicators(r: &Value) -> Vec<(String, String, String, String, String)> {
    r["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .map(|i| {
            let s = |k: &str| i[k].as_str().unwrap_or("").to_string();
            (
                s("horizon"),
                s("level1"),
                s("level2"),
                s("level3"),
                s("value"),
            )
        })
        .collect()
}

fn ind(h: &str, l1: &str, l2: &str, l3: &str, v: &str) -> (String, String, String, String, String) {
    (h.into(), l1.into(), l2.into(), l3.into(), v.into())
}

#[test]
fn malformed_html_with_bom_crlf_and_unclosed_tags() {
    let path = "samples/malformed-html.md";
    let raw = std::fs::read(path).expect("sample");
    assert!(raw.starts_with(b"\xEF\xBB\xBF"), "the sample keeps its BOM");
    assert!(
        raw.windows(2).any(|w| w == b"\r\n"),
        "the sample keeps CRLF"
    );
    let (text, recs) = extract(path);
    assert_golden(path, &text);
    assert_eq!(recs.len(), 2);
    let r = &recs[0];
    assert_eq!(r["source"]["format"], "html");
    assert_eq!(
        (
            r["source"]["line_start"].as_u64(),
            r["source"]["line_end"].as_u64()
        ),
        (Some(1), Some(26))
    );
    // Nested inline tags are gone; the origin row of the colspan'd cell is line 7.
    assert_eq!(value(r, "project_name"), "校园安全改造");
    assert_eq!(line(r, "project_name"), 7);
    // &nbsp; and full-width digits: the name/code split still works.
    assert_eq!(value(r, "budget_unit_name"), "某某县教育局");
    assert_eq!(value(r, "budget_unit_code"), "201001");
    // &amp; decoded; no space kept between CJK characters.
    assert_eq!(value(r, "implementer"), "基建股张三&李四");
    assert_eq!(value(r, "project_type"), "新增项目");
    // `<input checked type="checkbox">` after a `<br>` in the same cell.
    assert_eq!(value(r, "project_term"), "经常性");
    assert_eq!(
        value(r, "basis"),
        &serde_json::json!(["法律法规", "上级文件要求"])
    );
    // U+3000 and full-width digits around the amount; the rowspan'd label
    // leaves the rows below it to their own cells.
    assert_eq!(value(r, "annual_total"), 12);
    assert_eq!(value(r, "annual_fiscal"), 10);
    assert_eq!(value(r, "annual_other"), 2);
    assert_eq!(line(r, "annual_other"), 13);
    assert_eq!(value(r, "midterm_total"), &Value::Null);
    assert_eq!(value(r, "sources_total"), 12);
    assert_eq!(value(r, "sources_general_budget"), 10);
    assert_eq!(value(r, "sources_other"), 2);
    assert_eq!(value(r, "sources_gov_fund"), &Value::Null);
    // `<br/>` inside the cell joins the two printed lines.
    assert_eq!(value(r, "goal_annual"), "完成12所学校安防改造。");
    assert_eq!(value(r, "signer_handler"), "孙八");
    assert_eq!(
        indicators(r),
        vec![
            ind("annual", "产出指标", "数量指标", "改造学校数", "12所"),
            ind("annual", "产出指标", "质量指标", "验收合格率", "≥95%"),
        ]
    );
    // Page header and footer lines: unmapped, and the next form still starts
    // at its own title.
    assert_eq!(
        unmapped(r),
        vec![
            (1, "扫描件第 1 页".to_string()),
            (25, "— 1 —".to_string()),
            (26, "扫描件第 2 页".to_string()),
        ]
    );
    let r = &recs[1];
    assert_eq!(r["source"]["line_start"], 27);
    assert_eq!(r["source"]["format"], "html");
    assert_eq!(value(r, "title"), "某某县县级部门预算项目支出绩效目标表");
    // `&lt;` `&gt;` are text, not tags.
    assert_eq!(value(r, "project_name"), "教师<培训>经费");
    assert_eq!(value(r, "annual_total"), 8);
    assert_eq!(line(r, "annual_total"), 35);
    assert_eq!(value(r, "project_term"), "一次性");
    assert!(unmapped(r).is_empty());
}

#[test]
fn ragged_pipe_rows_lose_no_cell() {
    let path = "samples/ragged-pipe.md";
    let (text, recs) = extract(path);
    assert_golden(path, &text);
    assert_eq!(recs.len(), 1);
    let r = &recs[0];
    assert_eq!(r["source"]["format"], "markdown");
    // Escaped pipe.
    assert_eq!(value(r, "project_name"), "农村公路|桥梁养护");
    // These rows are wider than the 3-cell header: GFM would drop their tail.
    assert_eq!(value(r, "budget_unit_code"), "301002");
    assert_eq!(value(r, "implementer"), "养护站王五");
    assert_eq!(line(r, "implementer"), 9);
    assert_eq!(value(r, "project_type"), "延续项目");
    assert_eq!(value(r, "project_term"), "经常性");
    assert_eq!(value(r, "basis"), &serde_json::json!(["法律法规"]));
    assert_eq!(value(r, "midterm_total"), 60);
    assert_eq!(value(r, "annual_total"), 20);
    assert_eq!(value(r, "midterm_fiscal"), 60);
    assert_eq!(value(r, "annual_fiscal"), 20);
    assert_eq!(value(r, "annual_other"), &Value::Null);
    assert_eq!(
        indicators(r),
        vec![
            ind("midterm", "产出指标", "数量指标", "养护里程", "300公里"),
            ind("annual", "产出指标", "数量指标", "养护里程", "100公里"),
            ind(
                "annual",
                "满意度指标",
                "服务对象满意度",
                "群众满意度",
                "≥90% 备注：抽样"
            ),
        ]
    );
    assert!(unmapped(r).is_empty());
}

#[test]
fn one_file_mixes_renderings_form_by_form() {
    let path = "samples/mixed-formats.md";
    let (text, recs) = extract(path);
    assert_golden(path, &text);
    let formats: Vec<&str> = recs
        .iter()
        .map(|r| r["source"]["format"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(formats, vec!["tsv", "html", "markdown", "text"]);
    let names: Vec<&Value> = recs.iter().map(|r| value(r, "project_name")).collect();
    assert_eq!(
        names,
        vec![
            "图书馆免费开放",
            "村医补助",
            "河道保洁",
            "乡村学校少年宫运行"
        ]
    );
    let totals: Vec<f64> = recs
        .iter()
        .map(|r| value(r, "annual_total").as_f64().unwrap_or(-1.0))
        .collect();
    assert_eq!(totals, vec![15.0, 30.0, 4.5, 6.0]);
    // Stray OCR lines between forms end up in the form before them.
    assert_eq!(
        unmapped(&recs[0]),
        vec![
            (7, "OCR: 第 1 页 / 共 4 页".to_string()),
            (8, "==========".to_string())
        ]
    );
    assert_eq!(unmapped(&recs[1]), vec![(16, "---".to_string())]);
    assert_eq!(value(&recs[1], "signer_unit_leader"), "吴十");
    assert_eq!(value(&recs[2], "project_term"), "一次性");
    // Space-aligned form: the U+3000-separated row splits into its cells.
    let r = &recs[3];
    assert_eq!(value(r, "budget_unit_name"), "某某县教育局");
    assert_eq!(value(r, "implementer"), "基教股周九");
    assert_eq!(line(r, "implementer"), 29);
    assert_eq!(value(r, "annual_fiscal"), 6);
    // ... and its tab-flattened indicator table is read by the tsv builder.
    assert_eq!(
        indicators(r),
        vec![ind("annual", "产出指标", "数量指标", "开放天数", "200天")]
    );
    assert_eq!(value(r, "signer_handler"), "郑十一");
}

#[test]
fn hostile_renderings_never_panic() {
    let dir = tempfile::tempdir().expect("temp dir");
    let title = "# 项目支出绩效目标表\n";
    let cases: Vec<(&str, String)> = vec![
        (
            "wide.html",
            format!("{title}<table><tr>{}</tr></table>\n", "<td colspan=1000>x</td>".repeat(5_000)),
        ),
        (
            "rowspan.md",
            format!(
                "{title}<table>\n{}</table>\n",
                "<tr><td rowspan=0>a<td rowspan=65534>b<td rowspan=99999999>c\n".repeat(1_000)
            ),
        ),
        ("nested.html", format!("{title}{}", "<table><tr><td>".repeat(3_000))),
        (
            "pipes.md",
            format!(
                "{title}{}|\n{}|\n| b |\n",
                "| a ".repeat(20_000),
                "|---".repeat(20_000)
            ),
        ),
        ("aligned.txt", format!("{title}{}", format!("{}\n", "x  ".repeat(20_000)).repeat(3))),
        ("unterminated.md", format!("{title}<table><tr><td colspan=\"")),
        (
            "negative.md",
            format!("{title}<table><tr><td colspan=-5 rowspan=-1>项目名称<td colspan=\"2x\">x</table>\n"),
        ),
        ("delimiter-only.md", format!("{title}|---|---|\n|---|---|\n")),
    ];
    for (name, text) in &cases {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_formsift"))
        .args(["extract", dir.path().to_str().expect("utf-8 path")])
        .output()
        .expect("run formsift");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let recs: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(recs.len(), cases.len());
    // Files are read in name order: aligned, delimiter-only, negative, …
    let negative = &recs[2];
    assert!(negative["source"]["path"]
        .as_str()
        .unwrap_or("")
        .ends_with("negative.md"));
    assert_eq!(negative["source"]["format"], "html");
    assert_eq!(value(negative, "project_name"), "x");
}
