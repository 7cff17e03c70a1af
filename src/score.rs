//! Score: cross-check the record and turn each value's evidence into a
//! confidence in [0, 1].
//!
//! This is the first, simple model: a base probability per kind of evidence,
//! minus a penalty per repair, scaled down for a truncated value, a failed
//! cross-check or an ambiguous tick. The numbers live in one table
//! ([`ScoreModel`]) so calibration can refit them without touching the rules.
//! Invariant: a repaired, inferred or suspicious value always scores below
//! the same value found clean.

use crate::record::{Evidence, Record, RepairKind, Warning};
use crate::template::Template;

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
}

impl Default for ScoreModel {
    fn default() -> Self {
        ScoreModel {
            found: 0.98,
            blank: 0.97,
            absent_optional: 0.92,
            absent_required: 0.5,
            unparsed: 0.3,
            indicator: 0.96,
            truncated_factor: 0.6,
            check_failed_factor: 0.5,
            ambiguous_factor: 0.5,
        }
    }
}

impl ScoreModel {
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
        }
    }
}

/// Runs the cross-checks, then scores every field and indicator and the
/// record (its lowest score).
pub fn finish(record: &mut Record, template: &Template) {
    cross_check(record, template);
    let model = ScoreModel::default();
    for (_, fv) in record.fields.iter_mut() {
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
        if fv.truncated {
            c *= model.truncated_factor;
        }
        if fv.check_failed {
            c *= model.check_failed_factor;
        }
        if fv.ambiguous {
            c *= model.ambiguous_factor;
        }
        fv.confidence = c.clamp(0.01, 0.99);
    }
    for ind in record.indicators.iter_mut() {
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
        ind.confidence = c.clamp(0.01, 0.99);
    }
    record.confidence = record
        .fields
        .iter()
        .map(|(_, f)| f.confidence)
        .chain(record.indicators.iter().map(|i| i.confidence))
        .fold(1.0, f64::min);
}

/// Sum checks from the template: `total` must equal the sum of `parts`
/// (a blank counts as 0). A check whose parts are all blank (or not in the
/// form) says nothing and is skipped.
fn cross_check(record: &mut Record, template: &Template) {
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
            continue;
        }
        for k in std::iter::once(&check.total).chain(check.parts.iter()) {
            if let Some(f) = record.field_mut(k) {
                f.check_failed = true;
            }
        }
        record.warnings.push(Warning {
            kind: "check_failed".into(),
            path: format!("fields.{}", check.total),
            message: format!(
                "{} = {} but {} = {}",
                check.total,
                crate::extract::values::format_number(t),
                check.parts.join(" + "),
                crate::extract::values::format_number(sum)
            ),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{FieldValue, Repair, Source, Value};

    fn record(fields: Vec<(&str, Value)>) -> Record {
        Record {
            schema: String::new(),
            template: String::new(),
            source: Source {
                path: String::new(),
                form_index: 0,
                line_start: 0,
                line_end: 0,
                format: "tsv".into(),
            },
            confidence: 0.0,
            fields: fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), FieldValue::new(v, Evidence::Found)))
                .collect(),
            indicators: Vec::new(),
            unmapped: Vec::new(),
            warnings: Vec::new(),
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
        finish(&mut ok, &t);
        let mut bad = record(vec![
            ("annual_total", Value::Number(9.0)),
            ("annual_fiscal", Value::Number(8.0)),
            ("annual_other", Value::Null),
        ]);
        finish(&mut bad, &t);
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
        finish(&mut r, &t);
        assert!(r.fields[1].1.confidence < r.fields[0].1.confidence);
        for (_, f) in &r.fields {
            assert!((0.0..=1.0).contains(&f.confidence));
        }
    }
}
