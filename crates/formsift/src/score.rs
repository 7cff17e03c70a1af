//! Score: cross-check the record and turn each value's evidence into a
//! confidence in [0, 1].
//!
//! This is the first, simple model: a base probability per kind of evidence,
//! minus a penalty per repair, scaled down for a truncated value, a failed
//! cross-check or an ambiguous tick. The numbers live in one table
//! ([`ScoreModel`]) so calibration can refit them without touching the rules.
//! Invariant: a repaired, inferred or suspicious value always scores below
//! the same value found clean.

use crate::record::{Evidence, FieldValue, Indicator, Record, RepairKind, Value, Warning};
use crate::template::{FieldType, Template};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

/// The scoring table.
#[derive(Debug, Clone)]
pub struct ScoreModel {
    pub found: f64,
    pub blank: f64,
    pub absent_optional: f64,
    pub absent_required: f64,
    pub unparsed: f64,
    pub indicator: f64,
    pub truncated_factor: f64,
    pub check_failed_factor: f64,
    pub ambiguous_factor: f64,
    /// Added for a number confirmed by a passing sum check.
    pub check_passed_bonus: f64,
    /// Indicator placed in its half by position alone.
    pub position_only_factor: f64,
    /// Highest confidence of an indicator placed by position alone: a row
    /// shifted by exactly one half looks the same, so no amount of tuning
    /// data can make it safe to skip review.
    pub position_only_cap: f64,
    /// Highest confidence of a value with a warning against it (cut short,
    /// failed cross-check, several boxes ticked, unreadable, label absent):
    /// whatever a refit says, such a value goes to a person.
    pub review_cap: f64,
    /// Raw score kept by a blank value in space-aligned text.
    pub text_blank_factor: f64,
    /// Chance that one character of a value is misread on a form whose
    /// labels read clean.
    pub clean_char_risk: f64,
    /// Label error rate up to which a form reads as clean print: below it
    /// the OCR's slips are symbols and punctuation, not the characters of
    /// names and words.
    pub clean_label_error: f64,
    /// Character risk gained per unit of label error rate above
    /// `clean_label_error`: values hold rarer characters than labels, so
    /// they are misread more often than the labels show.
    pub noise_slope: f64,
    /// Characters a value found blank or not found at all stands for (a
    /// short label and value the OCR may have lost).
    pub unseen_chars: usize,
}

impl Default for ScoreModel {
    fn default() -> Self {
        ScoreModel {
            found: 0.98,
            blank: 0.97,
            absent_optional: 0.92,
            absent_required: 0.25,
            unparsed: 0.3,
            indicator: 0.96,
            truncated_factor: 0.6,
            check_failed_factor: 0.5,
            ambiguous_factor: 0.5,
            check_passed_bonus: 0.01,
            position_only_factor: 0.9,
            position_only_cap: 0.85,
            review_cap: 0.8,
            text_blank_factor: 0.85,
            // Fitted (maximum likelihood) on the OCR tune split's text
            // fields: per-character risk vs the form's label error rate.
            clean_char_risk: 0.001,
            clean_label_error: 0.008,
            noise_slope: 1.5,
            unseen_chars: 8,
        }
    }
}

impl ScoreModel {
    /// Chance that one ordinary character of a value was misread on a form
    /// whose labels show the error rate `label_error`.
    pub fn char_risk(&self, label_error: f64) -> f64 {
        self.clean_char_risk + self.noise_slope * (label_error - self.clean_label_error).max(0.0)
    }

    /// Probability lost per repair of this kind.
    pub fn penalty(&self, kind: RepairKind) -> f64 {
        match kind {
            RepairKind::LabelTruncated => 0.03,
            RepairKind::LabelOcrConfusion => 0.08,
            RepairKind::ColumnShift => 0.12,
            RepairKind::CellSplitMerged => 0.1,
            RepairKind::ValueSplit => 0.02,
            RepairKind::DigitConfusion => 0.15,
            RepairKind::InferredFromContext => 0.05,
            RepairKind::SymbolConfusion => 0.15,
        }
    }
}

/// Runs the cross-checks, then scores every field and indicator (evidence →
/// raw score → `cal`) and the record (its lowest score).
/// [`Calibration::identity`] gives the raw evidence scores, which is what a
/// refit starts from.
pub fn finish_with(record: &mut Record, template: &Template, cal: &Calibration) {
    let passed = cross_check(record, template);
    let model = ScoreModel::default();
    let label_error = record.ocr.char_error_rate();
    let char_risk = model.char_risk(label_error);
    let mut suspects = Vec::new();
    for (i, (key, fv)) in record.fields.iter_mut().enumerate() {
        let mut raw = raw_field(fv, &model, passed.contains(&&**key));
        let field = template.fields.get(i);
        // Values the template cannot check (names, amounts, text) were
        // read at the form's noise: each character risks a misreading.
        if let Some(f) = field {
            raw *= survives(char_risk * f.misread_risk, chars_read(f, fv, &model));
        }
        // A label found with no value beside it, in space-aligned text:
        // the value may sit on another line (measured on real OCR).
        if fv.evidence == Evidence::Blank && record.source.format == "text" {
            raw *= model.text_blank_factor;
        }
        let off_pattern = field
            .and_then(|f| f.value_pattern.as_ref())
            .zip(fv.value.as_text())
            .is_some_and(|(re, text)| !re.is_match(text));
        if off_pattern {
            raw *= model.ambiguous_factor;
            suspects.push(key.to_string());
        }
        fv.confidence = cal.apply(ScoreKind::Field, raw);
        let suspicious = fv.truncated
            || fv.check_failed
            || fv.ambiguous
            || off_pattern
            || matches!(fv.evidence, Evidence::Unparsed | Evidence::AbsentRequired);
        if suspicious {
            fv.confidence = fv.confidence.min(model.review_cap);
        }
    }
    for key in suspects {
        record.warnings.push(Warning {
            kind: "value_suspect".into(),
            path: format!("fields.{key}"),
            message: "the value does not look like one this field holds (template value_pattern)"
                .into(),
        });
    }
    // An indicator's name and value are checked against the level names and
    // the value prefixes; its risk is the labels' own error rate, which
    // ranks indicators better on the OCR tune split than `char_risk`.
    score_indicators(record, template, cal, &model, label_error);
    record.confidence = record
        .fields
        .iter()
        .map(|(_, f)| f.confidence)
        .chain(record.indicators.iter().map(|i| i.confidence))
        .fold(1.0, f64::min);
}

/// Scores every indicator (see [`finish_with`]), warning about those that
/// do not look like one a form prints.
fn score_indicators(
    record: &mut Record,
    template: &Template,
    cal: &Calibration,
    model: &ScoreModel,
    char_risk: f64,
) {
    let prefixes = &template.indicators.value_prefixes;
    for (i, ind) in record.indicators.iter_mut().enumerate() {
        let suspect = indicator_suspect(ind, prefixes);
        if let Some(why) = &suspect {
            record.warnings.push(Warning {
                kind: "indicator_suspect".into(),
                path: format!("indicators[{i}]"),
                message: why.clone(),
            });
        }
        let chars = [&ind.level3, &ind.value]
            .iter()
            .filter_map(|t| t.as_deref())
            .map(printed)
            .sum();
        let mut raw = raw_indicator(ind, model) * survives(char_risk, chars);
        if suspect.is_some() {
            raw *= model.ambiguous_factor;
        }
        ind.confidence = cal.apply(ScoreKind::Indicator, raw);
        if ind.position_only {
            ind.confidence = ind.confidence.min(model.position_only_cap);
        }
        if ind.truncated || ind.level2.is_none() || suspect.is_some() {
            ind.confidence = ind.confidence.min(model.review_cap);
        }
    }
}

/// The chance that `chars` characters were all read right at a character
/// risk of `risk` each.
fn survives(risk: f64, chars: usize) -> f64 {
    (1.0 - risk.clamp(0.0, 1.0)).powi(chars.min(200) as i32)
}

/// How many characters the OCR had to read right for this value to be
/// right: a text, number or date its printed characters (the template
/// cannot check them); an optional field not found `unseen_chars`, since on
/// a noisy page a label misread past recognition also looks like nothing.
/// A choice counts none: its words are checked against the options and its
/// box marks have their own rules (`ticks_unreadable`); scaling it too
/// moved more wrong values above 0.9 on the OCR test split, as did scaling
/// a value found blank (its label was read, so the page did show it).
fn chars_read(field: &crate::template::Field, fv: &FieldValue, model: &ScoreModel) -> usize {
    match (fv.evidence, field.kind) {
        (Evidence::AbsentOptional, _) => model.unseen_chars,
        (_, FieldType::Choice | FieldType::Choices) => 0,
        _ => printed_chars(&fv.value),
    }
}

/// Characters of a value as printed (what the OCR had to read right).
fn printed_chars(value: &Value) -> usize {
    match value {
        Value::Null => 0,
        Value::Text(t) => printed(t),
        Value::Number(n) => crate::text::numbers::format_number(*n).len(),
        Value::List(items) => items.iter().map(|t| t.chars().count()).sum(),
    }
}

/// Characters of a text as printed, spaces left out.
fn printed(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// The hand-set evidence score of a field: base probability for how it was
/// found, minus a penalty per repair, scaled down for truncation, a failed
/// cross-check or an ambiguous tick; a number confirmed by a passing
/// cross-check gains `check_passed_bonus`.
pub fn raw_field(fv: &FieldValue, model: &ScoreModel, check_passed: bool) -> f64 {
    let base = match fv.evidence {
        Evidence::Found => model.found,
        Evidence::Blank => model.blank,
        Evidence::AbsentOptional => model.absent_optional,
        Evidence::AbsentRequired => model.absent_required,
        Evidence::Unparsed => model.unparsed,
    };
    let mut c = base
        - fv.repairs
            .iter()
            .map(|r| model.penalty(r.kind))
            .sum::<f64>();
    if check_passed && !fv.value.is_null() && !fv.check_failed {
        c += model.check_passed_bonus;
    }
    if fv.truncated {
        c *= model.truncated_factor;
    }
    if fv.check_failed {
        c *= model.check_failed_factor;
    }
    if fv.ambiguous {
        c *= model.ambiguous_factor;
    }
    c.clamp(0.01, 0.99)
}

/// The hand-set evidence score of an indicator.
pub fn raw_indicator(ind: &Indicator, model: &ScoreModel) -> f64 {
    let mut c = model.indicator
        - ind
            .repairs
            .iter()
            .map(|r| model.penalty(r.kind))
            .sum::<f64>();
    if ind.truncated {
        c *= model.truncated_factor;
    }
    if ind.level2.is_none() {
        c *= 0.5;
    }
    if ind.position_only {
        c *= model.position_only_factor;
    }
    c.clamp(0.01, 0.99)
}

/// Why an indicator does not look like one a form prints, if it does
/// not: its value missing (a fragment of a wrapped cell, a value read as
/// a name), a table rule read into it (`|`), or an unknown sign
/// before its number. Such an indicator goes to review.
fn indicator_suspect(ind: &Indicator, prefixes: &[String]) -> Option<String> {
    // Forms print indicators without a name (a description as the value),
    // never a name without its value.
    let Some(value) = &ind.value else {
        return Some("no value".into());
    };
    let name = ind.level3.as_deref().unwrap_or("");
    if [name, value].iter().any(|t| t.contains(['|', '｜', '丨'])) {
        return Some("a table rule read as a character".into());
    }
    let mut name_chars = name.chars();
    if let (Some(d), Some(c)) = (name_chars.next(), name_chars.next()) {
        if d.is_ascii_digit() && crate::text::normalize::is_ideograph(c) {
            return Some(format!("`{d}` glued to the name (an enumerator misread?)"));
        }
    }
    if ind
        .repairs
        .iter()
        .any(|r| r.kind == RepairKind::SymbolConfusion)
    {
        return Some(
            "the sign before the number was read as another character and given back".into(),
        );
    }
    if percent_over_100(value) {
        return Some("a share over 100% (`%` misread as `9%`?)".into());
    }
    unknown_prefix(value, prefixes).map(|sign| {
        format!("`{sign}` before the number is no sign the template knows (a misread ≥?)")
    })
}

/// A number right before `%` that is over 100 (`959%` for `95%`).
fn percent_over_100(value: &str) -> bool {
    let Some(pct) = value.find(['%', '％']) else {
        return false;
    };
    let digits = value[..pct]
        .trim_end()
        .rsplit(|c: char| !(c.is_ascii_digit() || c == '.'))
        .next()
        .unwrap_or("");
    digits.parse::<f64>().is_ok_and(|n| n > 100.0)
}

/// The text printed right before the first number of an indicator value
/// when it is none of the template's `prefixes` (`之` in `之95%`): a
/// comparator misread as a character. Only short runs count — a value
/// that is a sentence with a number in it is no quantity.
fn unknown_prefix<'v>(value: &'v str, prefixes: &[String]) -> Option<&'v str> {
    if prefixes.is_empty() {
        return None;
    }
    let digit = value.find(|c: char| c.is_ascii_digit())?;
    let before = value[..digit].trim();
    let n = before.chars().count();
    if n == 0 || n > 2 {
        return None;
    }
    let key = crate::text::normalize::fold_key(before);
    (!prefixes.contains(&key)).then_some(before)
}

/// What a calibration table scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreKind {
    Field,
    Indicator,
}

/// One step of a fitted table: raw scores from `from` up map to `p`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub from: f64,
    pub p: f64,
    /// Items of the tuning data behind this step.
    pub n: usize,
    /// How many of them were right.
    pub right: usize,
}

/// Raw evidence score → probability, fitted on labelled data
/// (`formsift calibrate`). An empty table is the identity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    #[serde(default)]
    pub about: String,
    /// Weight of the raw score as a prior in each step (pseudo-items).
    #[serde(default)]
    pub prior_weight: f64,
    #[serde(default)]
    pub fields: Vec<Step>,
    #[serde(default)]
    pub indicators: Vec<Step>,
}

/// Highest probability a fitted table gives: no evidence makes a value
/// certain.
pub const MAX_P: f64 = 0.999;
/// Within one step, a lower raw score still scores lower (a repaired value
/// never ties the same value found clean): `p − TIE_SLOPE · (1 − raw)`.
pub const TIE_SLOPE: f64 = 0.01;

const BUILTIN_CALIBRATION: &str = include_str!("../templates/perf-target.calibration.json");

impl Calibration {
    /// No mapping: confidences are the raw evidence scores.
    pub fn identity() -> &'static Calibration {
        static ID: OnceLock<Calibration> = OnceLock::new();
        ID.get_or_init(Calibration::default)
    }

    /// The table fitted on the tuning corpus, compiled in
    /// (`templates/perf-target.calibration.json`).
    pub fn builtin() -> &'static Calibration {
        static CAL: OnceLock<Calibration> = OnceLock::new();
        CAL.get_or_init(|| Calibration::from_json(BUILTIN_CALIBRATION).unwrap_or_default())
    }

    pub fn from_json(text: &str) -> Result<Calibration, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Maps a raw score to a probability.
    pub fn apply(&self, kind: ScoreKind, raw: f64) -> f64 {
        let steps = match kind {
            ScoreKind::Field => &self.fields,
            ScoreKind::Indicator => &self.indicators,
        };
        let Some(first) = steps.first() else {
            return raw;
        };
        let step = steps.iter().rev().find(|s| raw >= s.from).unwrap_or(first);
        (step.p - TIE_SLOPE * (1.0 - raw)).clamp(0.001, MAX_P)
    }
}

/// Raw-score bin edges of a fitted table (binned calibration): each bin
/// gathers one band of evidence (clean, one light repair, heavier repairs,
/// suspicious, unreadable), so a band's probability is learnt from its own
/// items and a few rare items cannot borrow the certainty of thousands of
/// clean ones.
pub const RAW_EDGES: [f64; 10] = [0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97];

/// Fits a step table to (raw score, right?) items: items are binned by raw
/// score ([`RAW_EDGES`]); each bin's probability is its share of right
/// items smoothed toward its mean raw score with `prior_weight`
/// pseudo-items; then, from the top bin down, a bin scoring above the bin
/// over it is lowered to just below it. That makes the table monotone the
/// conservative way: where isotonic pooling would lift a rare kind of
/// evidence to the certainty of the clean majority, this keeps it low (a
/// confident error costs more than an underconfident right value). Empty
/// bins are skipped (their raw scores fall to the step below).
pub fn fit_steps(items: &[(f64, bool)], prior_weight: f64) -> Vec<Step> {
    struct Block {
        lo: f64,
        hi: f64,
        n: usize,
        right: usize,
        raw_sum: f64,
    }
    impl Block {
        fn p(&self, w: f64) -> f64 {
            let prior = self.raw_sum / self.n as f64;
            ((self.right as f64 + w * prior) / (self.n as f64 + w)).min(MAX_P)
        }
    }
    let mut sorted: Vec<(f64, bool)> = items.iter().copied().filter(|x| x.0.is_finite()).collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut blocks: Vec<Block> = Vec::new();
    for (raw, ok) in sorted {
        let key = RAW_EDGES
            .iter()
            .rev()
            .find(|&&e| raw >= e)
            .copied()
            .unwrap_or(0.0);
        match blocks.last_mut() {
            Some(b) if (b.hi - key).abs() < 1e-9 => {
                b.n += 1;
                b.right += ok as usize;
                b.raw_sum += raw;
            }
            _ => blocks.push(Block {
                lo: key,
                hi: key,
                n: 1,
                right: ok as usize,
                raw_sum: raw,
            }),
        }
    }
    let mut steps: Vec<Step> = blocks
        .iter()
        .enumerate()
        .map(|(i, b)| Step {
            from: if i == 0 { 0.0 } else { b.lo },
            p: (b.p(prior_weight) * 1e4).round() / 1e4,
            n: b.n,
            right: b.right,
        })
        .collect();
    for i in (0..steps.len().saturating_sub(1)).rev() {
        let cap = steps[i + 1].p - 0.001;
        if steps[i].p > cap {
            steps[i].p = (cap * 1e4).round() / 1e4;
        }
    }
    steps
}

/// Sum checks from the template: `total` must equal the sum of `parts`
/// (a blank counts as 0). A check whose parts are all blank (or not in the
/// form) says nothing and is skipped.
/// Returns the fields of the checks that passed.
fn cross_check<'t>(record: &mut Record, template: &'t Template) -> Vec<&'t str> {
    let mut passed = Vec::new();
    for check in &template.sums {
        let get = |k: &str| record.field(k).and_then(|f| f.value.as_number());
        let total = get(&check.total);
        let parts: Vec<Option<f64>> = check.parts.iter().map(|k| get(k)).collect();
        if parts.iter().all(Option::is_none) {
            continue;
        }
        let sum: f64 = parts.iter().map(|p| p.unwrap_or(0.0)).sum();
        let t = total.unwrap_or(0.0);
        if (t - sum).abs() <= 1e-6 * t.abs().max(1.0) {
            passed.push(check.total.as_str());
            passed.extend(check.parts.iter().map(String::as_str));
            continue;
        }
        for k in std::iter::once(&check.total).chain(check.parts.iter()) {
            if let Some(f) = record.field_mut(k) {
                f.check_failed = true;
            }
        }
        record.warnings.push(Warning {
            kind: "check_failed".into(),
            path: ["fields.", &check.total].concat(),
            message: format!(
                "{} = {} but {} = {}",
                check.total,
                crate::text::numbers::format_number(t),
                check.parts.join(" + "),
                crate::text::numbers::format_number(sum)
            ),
        });
    }
    passed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{FieldValue, Repair, Source, Value};

    fn record(fields: Vec<(&str, Value)>) -> Record {
        Record {
            schema: "".into(),
            template: "".into(),
            source: Source {
                path: "".into(),
                form_index: 0,
                line_start: 0,
                line_end: 0,
                format: "tsv",
            },
            confidence: 0.0,
            fields: fields
                .into_iter()
                .map(|(k, v)| (k.into(), FieldValue::new(v, Evidence::Found)))
                .collect(),
            indicators: Vec::new(),
            unmapped: Vec::new(),
            warnings: Vec::new(),
            ocr: Default::default(),
        }
    }

    #[test]
    fn failed_sum_lowers_confidence_and_warns() {
        let t = Template::builtin();
        let mut ok = record(vec![
            ("annual_total", Value::Number(8.0)),
            ("annual_fiscal", Value::Number(8.0)),
            ("annual_other", Value::Null),
        ]);
        finish_with(&mut ok, &t, Calibration::builtin());
        let mut bad = record(vec![
            ("annual_total", Value::Number(9.0)),
            ("annual_fiscal", Value::Number(8.0)),
            ("annual_other", Value::Null),
        ]);
        finish_with(&mut bad, &t, Calibration::builtin());
        assert!(ok.warnings.is_empty());
        assert_eq!(bad.warnings.len(), 1);
        assert_eq!(bad.warnings[0].kind, "check_failed");
        let c_ok = ok.field("annual_total").unwrap().confidence;
        let c_bad = bad.field("annual_total").unwrap().confidence;
        assert!(c_bad < c_ok, "{c_bad} < {c_ok}");
        assert!(bad.confidence <= c_bad);
    }

    #[test]
    fn repaired_scores_below_clean() {
        let t = Template::builtin();
        let mut r = record(vec![
            ("project_name", Value::Text("x".into())),
            ("implementer", Value::Text("y".into())),
        ]);
        r.fields[1]
            .1
            .repairs
            .push(Repair::new(RepairKind::LabelTruncated));
        finish_with(&mut r, &t, Calibration::builtin());
        assert!(r.fields[1].1.confidence < r.fields[0].1.confidence);
        for (_, f) in &r.fields {
            assert!((0.0..=1.0).contains(&f.confidence));
        }
    }

    /// A record holding every field of the built-in template (null), in
    /// template order, as extraction makes them.
    fn full_record(t: &Template) -> Record {
        let keys: Vec<&str> = t.fields.iter().map(|f| &*f.key).collect();
        record(keys.into_iter().map(|k| (k, Value::Null)).collect())
    }

    fn indicator(name: Option<&str>, value: Option<&str>) -> Indicator {
        Indicator {
            horizon: "annual".into(),
            level1: Some("产出指标".into()),
            level2: Some("质量指标".into()),
            level3: name.map(str::to_string),
            value: value.map(str::to_string),
            confidence: 0.0,
            line: 1,
            repairs: Vec::new(),
            truncated: false,
            position_only: false,
            row: None,
        }
    }

    /// An indicator that does not look like one a form prints goes to
    /// review with a warning naming why; the value itself is kept.
    #[test]
    fn suspect_indicators_go_to_review() {
        let t = Template::builtin();
        let cases = [
            (Some("问题整改率"), Some("≥95%"), None),
            (Some("问题整改率"), Some("＞95%"), None),
            (Some("问题整改率"), Some("达100%"), None),
            (Some("受益人口"), Some("10万人"), None),
            (None, Some("政府公信力整体提升"), None),
            (
                Some("问题整改率"),
                Some("之95%"),
                Some("`之` before the number"),
            ),
            (
                Some("带动产值"),
                Some("过200万元"),
                Some("`过` before the number"),
            ),
            (Some("验收合格率"), Some("1009%"), Some("over 100%")),
            (Some("群众满意|"), Some("≥95%"), Some("table rule")),
            (Some("1节约资金"), Some("50万元"), Some("glued")),
            (Some("指标"), None, Some("no value")),
        ];
        for (name, value, why) in cases {
            let mut r = full_record(&t);
            r.indicators.push(indicator(name, value));
            finish_with(&mut r, &t, Calibration::builtin());
            let warning = r.warnings.iter().find(|w| w.kind == "indicator_suspect");
            match why {
                None => {
                    assert!(warning.is_none(), "{name:?} {value:?}: {warning:?}");
                    assert!(r.indicators[0].confidence > 0.9, "{name:?} {value:?}");
                }
                Some(why) => {
                    let w = warning.unwrap_or_else(|| panic!("{name:?} {value:?}"));
                    assert!(w.message.contains(why), "{}", w.message);
                    assert_eq!(w.path, "indicators[0]");
                    assert!(r.indicators[0].confidence <= 0.8);
                    assert_eq!(r.indicators[0].value.as_deref(), value);
                }
            }
        }
    }

    /// A text field whose template gives a `value_pattern` keeps a value
    /// that does not match, flagged and under review.
    #[test]
    fn value_off_its_pattern_is_flagged() {
        let t = Template::builtin();
        let at = t
            .fields
            .iter()
            .position(|f| &*f.key == "amount_unit")
            .unwrap();
        for (value, suspect) in [
            ("万元", false),
            ("元", false),
            ("〈盖章):广元市医疗保障局", true),
        ] {
            let mut r = full_record(&t);
            r.fields[at].1 = FieldValue::new(Value::Text(value.into()), Evidence::Found);
            finish_with(&mut r, &t, Calibration::builtin());
            let flagged = r
                .warnings
                .iter()
                .any(|w| w.kind == "value_suspect" && w.path == "fields.amount_unit");
            assert_eq!(flagged, suspect, "{value}");
            let c = r.fields[at].1.confidence;
            assert!(if suspect { c <= 0.8 } else { c > 0.9 }, "{value}: {c}");
        }
    }

    /// On a form whose labels needed many edits, a person's name (misread
    /// risk 6 in the built-in template) loses more confidence than a unit
    /// name of the same length, a one-character name is suspect, and an
    /// optional field not found is no longer taken as surely absent; on a
    /// clean form all three stay high.
    #[test]
    fn noisy_forms_lower_names_and_absences_most() {
        let t = Template::builtin();
        let pos = |k: &str| t.fields.iter().position(|f| &*f.key == k).unwrap();
        let (signer, unit, date) = (
            pos("signer_handler"),
            pos("budget_unit_name"),
            pos("declared_on"),
        );
        let scored = |label_cost: f32, name: &str| {
            let mut r = full_record(&t);
            r.ocr.label_chars = 200.0;
            r.ocr.label_cost = label_cost;
            r.fields[signer].1 = FieldValue::new(Value::Text(name.into()), Evidence::Found);
            r.fields[unit].1 = FieldValue::new(Value::Text("某某局".into()), Evidence::Found);
            r.fields[date].1 = FieldValue::new(Value::Null, Evidence::AbsentOptional);
            finish_with(&mut r, &t, Calibration::builtin());
            let c = |i: usize| r.fields[i].1.confidence;
            (c(signer), c(unit), c(date), r.warnings)
        };
        let (name, unit_name, absent, warnings) = scored(0.0, "张三丰");
        assert!(name > 0.9 && unit_name > 0.9 && absent > 0.9);
        assert!(warnings.iter().all(|w| w.kind != "value_suspect"));
        let (name, unit_name, absent, _) = scored(12.0, "张三丰");
        assert!(name < unit_name, "{name} {unit_name}");
        assert!(name < 0.9 && absent < 0.9, "{name} {absent}");
        let (name, _, _, warnings) = scored(0.0, "张");
        assert!(name <= 0.8);
        assert!(warnings
            .iter()
            .any(|w| w.kind == "value_suspect" && w.path == "fields.signer_handler"));
    }

    /// A label with nothing beside it scores lower in space-aligned text
    /// (the value may be on another line) than in a table.
    #[test]
    fn blank_in_text_scores_below_blank_in_a_table() {
        let t = Template::builtin();
        let blank = |format: &'static str| {
            let mut r = full_record(&t);
            r.source.format = format;
            r.fields[0].1 = FieldValue::new(Value::Null, Evidence::Blank);
            finish_with(&mut r, &t, Calibration::identity());
            r.fields[0].1.confidence
        };
        assert!(blank("text") < blank("tsv"));
    }

    #[test]
    fn fit_bins_smooths_and_keeps_the_table_monotone() {
        let mut items = vec![(0.98, true); 10];
        items.extend([(0.82, true), (0.82, true), (0.82, true), (0.82, false)]);
        items.extend([(0.55, true), (0.55, true)]);
        let steps = fit_steps(&items, 2.0);
        let got: Vec<(f64, f64, usize, usize)> =
            steps.iter().map(|s| (s.from, s.p, s.n, s.right)).collect();
        // 0.5 bin: (2 + 2·0.55)/4 = 0.775, lowered under the 0.8 bin's
        // (3 + 2·0.82)/6 = 0.7733; top: (10 + 2·0.98)/12 = 0.9967.
        assert_eq!(
            got,
            [
                (0.0, 0.7723, 2, 2),
                (0.8, 0.7733, 4, 3),
                (0.97, 0.9967, 10, 10)
            ]
        );
        let cal = Calibration {
            fields: steps,
            ..Calibration::default()
        };
        assert!((cal.apply(ScoreKind::Field, 0.98) - (0.9967 - 0.0002)).abs() < 1e-9);
        assert!((cal.apply(ScoreKind::Field, 0.85) - (0.7733 - 0.0015)).abs() < 1e-9);
        assert!((cal.apply(ScoreKind::Field, 0.3) - (0.7723 - 0.007)).abs() < 1e-9);
        // No indicator table: the identity.
        assert_eq!(cal.apply(ScoreKind::Indicator, 0.42), 0.42);
        assert!(fit_steps(&[], 2.0).is_empty());
    }

    #[test]
    fn builtin_table_parses_and_is_monotone() {
        let cal = Calibration::builtin();
        assert!(!cal.fields.is_empty() && !cal.indicators.is_empty());
        for steps in [&cal.fields, &cal.indicators] {
            assert_eq!(steps[0].from, 0.0);
            for w in steps.windows(2) {
                assert!(w[0].from < w[1].from && w[0].p < w[1].p, "{w:?}");
            }
        }
        assert!(Calibration::from_json("{\"fields\": 3}").is_err());
    }

    #[test]
    fn suspicious_values_are_capped_below_the_routing_threshold() {
        let t = Template::builtin();
        let mut r = record(vec![
            ("project_name", Value::Text("x".into())),
            ("implementer", Value::Text("y".into())),
        ]);
        r.fields[1].1.truncated = true;
        finish_with(&mut r, &t, Calibration::builtin());
        let model = ScoreModel::default();
        assert!(r.fields[0].1.confidence >= 0.9);
        assert!(r.fields[1].1.confidence <= model.review_cap);
        let mut ind = Indicator {
            horizon: "annual".into(),
            level1: Some("a".into()),
            level2: Some("b".into()),
            level3: Some("c".into()),
            value: Some("d".into()),
            confidence: 0.0,
            line: 1,
            repairs: Vec::new(),
            truncated: false,
            position_only: true,
            row: None,
        };
        let mut r2 = record(vec![]);
        r2.indicators.push(ind.clone());
        ind.position_only = false;
        r2.indicators.push(ind);
        finish_with(&mut r2, &t, Calibration::builtin());
        assert!(r2.indicators[0].confidence <= model.position_only_cap);
        assert!(r2.indicators[1].confidence > r2.indicators[0].confidence);
    }
}
