//! Stage tests for extract, on small hand-made forms.

use super::*;
use crate::record::RepairKind;
use crate::segment::segment;
use crate::text::lines::split_lines;

fn run(text: &str) -> Vec<Record> {
    let t = Template::builtin();
    let lines = split_lines(text);
    segment(&lines, &t)
        .iter()
        .map(|f| {
            let layout = crate::table::layout(&f.lines, f.title);
            let mut r = extract_form(&"t.md".into(), f, &layout, &t);
            crate::score::finish_with(&mut r, &t, crate::score::Calibration::builtin());
            r
        })
        .collect()
}

fn val<'a>(r: &'a Record, key: &str) -> &'a Value {
    &r.field(key).unwrap().value
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

const HEAD: &str = "# 某市市级部门预算项目支出绩效目标表\n";
const IND_HEADER: &str =
    "绩效指标\t一级指标\t二级指标\t三级指标\t指标值\t二级指标\t三级指标\t指标值\n";

#[test]
fn label_value_rows_and_shared_labels_by_column() {
    let doc = format!(
        "{HEAD}项目名称\t\t测试项目\t\t\t\n\
         项目资金（万元）\t\t中期资金总额： 30 万元\t\t\t年度资金总额： 12.5 万元\t\n\
         \t\t其中：财政拨款 20 万元\t\t\t其中：财政拨款 10 万元\t\n\
         \t\t其他资金 10 万元\t\t\t其他资金 2.5 万元\t\n"
    );
    let r = &run(&doc)[0];
    assert_eq!(val(r, "project_name"), &text("测试项目"));
    assert_eq!(val(r, "midterm_total"), &Value::Number(30.0));
    assert_eq!(val(r, "midterm_fiscal"), &Value::Number(20.0));
    assert_eq!(val(r, "midterm_other"), &Value::Number(10.0));
    assert_eq!(val(r, "annual_total"), &Value::Number(12.5));
    assert_eq!(val(r, "annual_fiscal"), &Value::Number(10.0));
    assert_eq!(val(r, "annual_other"), &Value::Number(2.5));
    assert!(r.unmapped.is_empty(), "{:?}", r.unmapped);
    assert!(
        r.warnings.iter().all(|w| w.kind != "check_failed"),
        "{:?}",
        r.warnings
    );
}

#[test]
fn blank_amount_is_null_with_confidence_and_raw() {
    let doc =
        format!("{HEAD}项目资金\t\t中期资金总额： \u{a0}\u{a0} 万元\t\t年度资金总额： 8 万元\n");
    let r = &run(&doc)[0];
    let f = r.field("midterm_total").unwrap();
    assert_eq!(f.value, Value::Null);
    assert_eq!(f.evidence, Evidence::Blank);
    assert!(f.confidence > 0.9);
    assert_eq!(f.raw.as_deref(), Some("万元"));
    assert_eq!(val(r, "annual_total"), &Value::Number(8.0));
}

#[test]
fn truncated_label_is_repaired_and_scores_lower() {
    let doc = format!("{HEAD}预算单位及代\t\t某某局201001\t\t实施单位及责任人\t\t张三\n");
    let r = &run(&doc)[0];
    assert_eq!(val(r, "budget_unit_name"), &text("某某局"));
    assert_eq!(val(r, "budget_unit_code"), &text("201001"));
    let name = r.field("budget_unit_name").unwrap();
    assert_eq!(name.repairs[0].kind, RepairKind::LabelTruncated);
    assert_eq!(name.repairs[0].from.as_deref(), Some("预算单位及代"));
    assert_eq!(name.repairs[0].to.as_deref(), Some("预算单位及代码"));
    assert_eq!(name.raw.as_deref(), Some("某某局201001"));
    // The same form with the label printed whole scores the value higher.
    let whole = doc.replace("预算单位及代\t", "预算单位及代码\t");
    let r = &run(&whole)[0];
    let clean = r.field("budget_unit_name").unwrap();
    assert_eq!(clean.value, text("某某局"));
    assert!(!clean
        .repairs
        .iter()
        .any(|r| r.kind == RepairKind::LabelTruncated));
    assert!(name.confidence < clean.confidence);
}

#[test]
fn header_lines_with_several_labels_on_one_line() {
    let doc = format!(
        "{HEAD}（专项类）\n申报单位（盖章）：某某局 \u{a0}\u{a0} 申报时间：2020年3月5日 \u{a0} 单位：万元\n\
         项目名称\t\tX\n单位领导签字： 李四\n经办人签字:王五\n第 3 页\n"
    );
    let r = &run(&doc)[0];
    assert_eq!(val(r, "category"), &text("专项类"));
    assert_eq!(val(r, "declaring_unit"), &text("某某局"));
    assert_eq!(val(r, "declared_on"), &text("2020-03-05"));
    assert_eq!(val(r, "amount_unit"), &text("万元"));
    assert_eq!(val(r, "signer_unit_leader"), &text("李四"));
    assert_eq!(val(r, "signer_handler"), &text("王五"));
    assert_eq!(r.field("declared_on").unwrap().line, Some(3));
    assert_eq!(
        r.unmapped,
        vec![Unmapped {
            line: 7,
            text: "第 3 页".into()
        }]
    );
}

#[test]
fn sources_below_their_headers_and_goals_under_their_column() {
    let doc = format!(
        "{HEAD}项目资金\t合计\t1. 一般公共预算收\t2. 政府性基金预算\t3. 国有资本经营预\t4. 社会保险基金收\t5. 其他收入\n\
         \t30\t20\t\t\t\t10\n\
         总体目标\t中长期目标（20**年—20**年）\t\t\t年度目标\t\t\n\
         \t三年建成\t\t\t完成一期\t\t\n"
    );
    let r = &run(&doc)[0];
    assert_eq!(val(r, "sources_total"), &Value::Number(30.0));
    assert_eq!(val(r, "sources_general_budget"), &Value::Number(20.0));
    assert_eq!(val(r, "sources_gov_fund"), &Value::Null);
    assert_eq!(val(r, "sources_other"), &Value::Number(10.0));
    assert_eq!(val(r, "goal_midterm"), &text("三年建成"));
    assert_eq!(val(r, "goal_annual"), &text("完成一期"));
    assert!(r.unmapped.is_empty(), "{:?}", r.unmapped);
}

#[test]
fn sum_mismatch_is_flagged() {
    let doc = format!("{HEAD}项目资金\t合计\t1. 一般公共预算收入\t5. 其他收入\n\t30\t20\t5\n");
    let r = &run(&doc)[0];
    let w: Vec<&str> = r.warnings.iter().map(|w| w.kind.as_str()).collect();
    assert!(w.contains(&"check_failed"), "{w:?}");
    // Routed to a person (below 0.9), and below the same kind of value
    // whose check passed.
    let failed = r.field("sources_total").unwrap().confidence;
    assert!(
        failed <= crate::score::ScoreModel::default().review_cap,
        "{failed}"
    );
    let ok = &run(&format!(
        "{HEAD}年度资金总额： 25 万元\n项目资金\t合计\t1. 一般公共预算收入\t5. 其他收入\n\t25\t20\t5\n"
    ))[0];
    let passed = ok.field("sources_total").unwrap().confidence;
    assert!(failed < passed, "{failed} < {passed}");
    assert!(ok.warnings.iter().all(|w| w.kind != "check_failed"));
}

#[test]
fn indicators_both_halves_and_carried_levels() {
    let doc = format!(
        "{HEAD}{IND_HEADER}\
         \t产出指标\t数量指标\t培训人次\t500人\t数量指标\t1. 培训班\t3期\n\
         \t\t\t\t\t\t2、考核\t1次\n\
         满意度指标\t服务对象满意度\t\t\t服务对象满意度\t\t≥90%\n"
    );
    let r = &run(&doc)[0];
    type Row<'a> = (
        &'a str,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
    );
    let got: Vec<Row> = r
        .indicators
        .iter()
        .map(|i| {
            (
                &*i.horizon,
                i.level1.as_deref(),
                i.level2.as_deref(),
                i.level3.as_deref(),
                i.value.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "midterm",
                Some("产出指标"),
                Some("数量指标"),
                Some("培训人次"),
                Some("500人")
            ),
            (
                "annual",
                Some("产出指标"),
                Some("数量指标"),
                Some("培训班"),
                Some("3期")
            ),
            (
                "annual",
                Some("产出指标"),
                Some("数量指标"),
                Some("考核"),
                Some("1次")
            ),
            (
                "annual",
                Some("满意度指标"),
                Some("服务对象满意度"),
                None,
                Some("≥90%")
            ),
        ]
    );
    assert!(r.unmapped.is_empty(), "{:?}", r.unmapped);
}

#[test]
fn missing_level1_is_inferred_from_level2() {
    // No 产出指标 cell at all: the level 2 names its parent.
    let doc = format!(
        "{HEAD}年度目标\n\t完成\n{IND_HEADER}\
         \t\t\t\t\t\t\t\t数量指标\t\t巡查平台\t每月\n"
    );
    let r = &run(&doc)[0];
    assert_eq!(r.indicators.len(), 1);
    let i = &r.indicators[0];
    assert_eq!(i.level1.as_deref(), Some("产出指标"));
    assert_eq!(i.level2.as_deref(), Some("数量指标"));
    assert_eq!(&*i.horizon, "annual");
    assert!(i
        .repairs
        .iter()
        .any(|r| r.kind == RepairKind::InferredFromContext));
    assert!(i.confidence < 0.96);
}

#[test]
fn shifted_row_goes_back_by_content() {
    // Only the annual half is used (年度目标 filled); a row printed in the
    // mid-term columns is moved back, and a level-1 name in the level-1
    // column with one child names its level 2.
    let doc = format!(
        "{HEAD}总体目标\t中长期目标\t\t\t年度目标\t\t\t\n\t\t\t\t完成工作\t\t\t\n{IND_HEADER}\
         \t产出指标\t数量指标\t\t\t数量指标\t巡查\t每月\n\
         \t\t\t出具报告\t每季度\t\t\t\n\
         \t成本指标\t\t\t\t控制成本\t按合同\n"
    );
    let r = &run(&doc)[0];
    assert_eq!(r.indicators.len(), 3);
    let shifted = &r.indicators[1];
    assert_eq!(&*shifted.horizon, "annual");
    assert_eq!(shifted.level2.as_deref(), Some("数量指标"));
    assert_eq!(shifted.level3.as_deref(), Some("出具报告"));
    assert_eq!(shifted.repairs[0].kind, RepairKind::ColumnShift);
    assert!(shifted.confidence < r.indicators[0].confidence);
    let cost = &r.indicators[2];
    assert_eq!(cost.level1.as_deref(), Some("成本指标"));
    assert_eq!(cost.level2.as_deref(), Some("成本指标"));
    assert_eq!(cost.value.as_deref(), Some("按合同"));
}

#[test]
fn truncated_value_is_warned_and_scored_lower() {
    let doc = format!(
        "{HEAD}年度目标\n\t组织开展安全生产专项检查工作\n{IND_HEADER}\
         \t产出指标\t数量指标\t\t\t数量指标\t督促安全生产专项检\t6次\n\
         \t\t\t\t\t\t完整的名称\t6次\n"
    );
    let r = &run(&doc)[0];
    let w: Vec<&Warning> = r
        .warnings
        .iter()
        .filter(|w| w.kind == "value_truncated")
        .collect();
    assert_eq!(w.len(), 1, "{:?}", r.warnings);
    assert_eq!(w[0].path, "indicators[0].level3");
    assert!(r.indicators[0].confidence < r.indicators[1].confidence);
}

#[test]
fn duplicate_label_goes_to_unmapped() {
    let doc = format!("{HEAD}项目名称\t\t甲\n项目名称\t\t乙\n");
    let r = &run(&doc)[0];
    assert_eq!(val(r, "project_name"), &text("甲"));
    let texts: Vec<&str> = r.unmapped.iter().map(|u| u.text.as_str()).collect();
    assert_eq!(texts, vec!["项目名称", "乙"]);
    assert!(r.warnings.iter().any(|w| w.kind == "duplicate_label"));
}

#[test]
fn every_field_is_present_even_when_absent() {
    let r = &run(&format!("{HEAD}项目名称\t\t甲\n"))[0];
    assert_eq!(r.fields.len(), 30);
    let missing = r.field("project_type").unwrap();
    assert_eq!(missing.value, Value::Null);
    assert!(missing.confidence <= crate::score::ScoreModel::default().review_cap);
    assert!(missing.confidence < r.field("project_name").unwrap().confidence);
    assert!(r
        .warnings
        .iter()
        .any(|w| w.kind == "field_not_found" && w.path == "fields.project_type"));
}

#[test]
fn a_row_shifted_right_keeps_its_halves_in_order() {
    // The 财政拨款 row moved two cells right: its left cell now sits nearer
    // the annual anchor, but it is still the mid-term half.
    let doc = format!(
        "{HEAD}项目资金（万元）\t\t中期资金总额： 万元\t\t\t年度资金总额： 293 万元\n\
         \t\t\t\t其中：财政拨款 万元\t\t\t其中：财政拨款 293 万元\n"
    );
    let r = &run(&doc)[0];
    assert_eq!(val(r, "annual_fiscal"), &Value::Number(293.0));
    assert_eq!(val(r, "midterm_fiscal"), &Value::Null);
}

#[test]
fn a_value_split_past_a_row_final_label_is_joined() {
    // 年度目标 ends its row (trailing tabs lost); the value below was split
    // into two cells, the second right of the label's own column.
    let doc = format!(
        "{HEAD}总体目标\t中长期目标\t\t\t\t年度目标\n\
         \t\t\t\t\t全面完成培训任务，\t参训人员合格率达95%以上\n"
    );
    let r = &run(&doc)[0];
    assert_eq!(
        val(r, "goal_annual"),
        &text("全面完成培训任务，参训人员合格率达95%以上")
    );
    let f = r.field("goal_annual").unwrap();
    assert!(f
        .repairs
        .iter()
        .any(|x| x.kind == RepairKind::CellSplitMerged));
}

#[test]
fn an_indicator_name_opening_with_a_short_label_stays_an_indicator() {
    let doc = format!(
        "{HEAD}单位：万元\n{IND_HEADER}\t成本指标\t成本指标\t\t\t成本指标\t单位养护成本\t1.2万元/公里\n"
    );
    let r = &run(&doc)[0];
    assert_eq!(val(r, "amount_unit"), &text("万元"));
    assert_eq!(r.indicators.len(), 1);
    assert_eq!(r.indicators[0].level3.as_deref(), Some("单位养护成本"));
}

#[test]
fn a_free_line_value_is_not_cut_at_a_cell_width() {
    // The unit's name reappears, longer, in a cell: that is another name,
    // not evidence that the free line was cut short.
    let doc = format!(
        "{HEAD}单位（盖章）：市卫生健康委员会\n预算单位及代码\t\t卫生健康委员会机关105003\n"
    );
    let r = &run(&doc)[0];
    assert_eq!(val(r, "declaring_unit"), &text("市卫生健康委员会"));
    assert!(
        r.warnings.iter().all(|w| w.kind != "value_truncated"),
        "{:?}",
        r.warnings
    );
    // A dangling ending still counts on a free line.
    let doc = format!("{HEAD}单位（盖章）：市卫生健康委员会和\n");
    let r = &run(&doc)[0];
    assert!(r
        .warnings
        .iter()
        .any(|w| w.kind == "value_truncated" && w.path == "fields.declaring_unit"));
}

#[test]
fn a_continuation_row_with_two_pairs_is_one_indicator_per_half() {
    let doc = format!(
        "{HEAD}{IND_HEADER}\t产出指标\t质量指标\t问题整改率\t≥95%\t质量指标\t验收合格率\t100%\n\
         \t\t\t甲率\t1%\t乙率\t2%\n"
    );
    let r = &run(&doc)[0];
    let got: Vec<(&str, &str, &str)> = r
        .indicators
        .iter()
        .map(|i| {
            (
                &*i.horizon,
                i.level3.as_deref().unwrap_or(""),
                i.value.as_deref().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("midterm", "问题整改率", "≥95%"),
            ("annual", "验收合格率", "100%"),
            ("midterm", "甲率", "1%"),
            ("annual", "乙率", "2%")
        ]
    );
}

#[test]
fn a_shifted_row_keeps_its_level1_by_count_not_column() {
    // 成本指标 is a level-1 and a level-2 name; the row moved two cells
    // right, so its level-1 cell sits near a level-2 column.
    let doc = format!(
        "{HEAD}{IND_HEADER}\t产出指标\t数量指标\t甲\t1\t数量指标\t乙\t2\n\
         \t\t\t成本指标\t成本指标\t人均成本\t≤800元\t成本指标\n"
    );
    let r = &run(&doc)[0];
    let last = r.indicators.last().unwrap();
    assert_eq!(last.level3.as_deref(), Some("人均成本"));
    assert_eq!(&*last.horizon, "midterm");
    assert_eq!(last.level1.as_deref(), Some("成本指标"));
}

#[test]
fn a_level2_name_followed_by_text_is_no_level1() {
    // Shifted two cells left with its level-1 cell lost: 成本指标 at column 0
    // sits nearest the level-1 column, but text follows it.
    let doc = format!(
        "{HEAD}{IND_HEADER}\t产出指标\t数量指标\t甲\t1\t数量指标\t乙\t2\n\
         成本指标\t单位成本\t1.2万元\t成本指标\t单位成本\t1.3万元\n"
    );
    let r = &run(&doc)[0];
    let got: Vec<(&str, &str)> = r.indicators[2..]
        .iter()
        .map(|i| (&*i.horizon, i.value.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(got, [("midterm", "1.2万元"), ("annual", "1.3万元")]);
}

#[test]
fn a_lone_level2_placed_by_position_in_a_two_half_form_is_capped() {
    let doc = format!(
        "{HEAD}{IND_HEADER}\t产出指标\t数量指标\t甲\t1\t数量指标\t乙\t2\n\
         成本指标\t\t\t成本指标\t项目成本\t控制在预算内\n"
    );
    let r = &run(&doc)[0];
    let last = r.indicators.last().unwrap();
    assert_eq!(last.value.as_deref(), Some("控制在预算内"));
    assert!(last.position_only);
    assert!(last.confidence <= crate::score::ScoreModel::default().position_only_cap);
    // The rows placed by their level-2 cells are not.
    assert!(!r.indicators[0].position_only);
}

/// A label cut short whose rest is printed on the line below (a wrapped
/// header cell the rendering split into rows): the rest is the label's,
/// the value is the number under it — in tab-flattened rows and in
/// space-aligned text.
#[test]
fn the_rest_of_a_wrapped_label_below_it_is_not_its_value() {
    let tsv = format!(
        "{HEAD}项目资金来源\t合计\t1.一般公\t2.政府性基金预算收入\n\t\t共预算收入\t\n\t20\t20\t\n"
    );
    let text = format!(
        "{HEAD}项目资金来源  合计  1.一般公      2.政府性基金预算收入\n\
         \x20                   共预算收入\n\
         \x20             20    20\n"
    );
    for doc in [tsv, text] {
        let r = &run(&doc)[0];
        assert_eq!(val(r, "sources_total"), &Value::Number(20.0), "{doc}");
        assert_eq!(
            val(r, "sources_general_budget"),
            &Value::Number(20.0),
            "{doc}"
        );
        assert_eq!(val(r, "sources_gov_fund"), &Value::Null, "{doc}");
    }
}

/// A label whose colon the OCR dropped still labels a value of its
/// field's shape that ends the line (`单位万元`); text of another shape
/// after it is no value of that label.
#[test]
fn a_label_without_its_colon_before_a_value_of_its_shape() {
    let doc = format!("{HEAD}申报单位：某局  申报时间：2019年3月5日  单位万元\n");
    let r = &run(&doc)[0];
    assert_eq!(val(r, "amount_unit"), &text("万元"));
    let doc = format!("{HEAD}申报单位：某局  申报时间：2019年3月5日  单位合计\n");
    let r = &run(&doc)[0];
    assert_eq!(val(r, "amount_unit"), &Value::Null);
}
