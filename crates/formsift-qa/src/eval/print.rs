//! The eval report as text for people (the JSON form is the report's own
//! serialization).

use super::Report;
use std::fmt::Write as _;

fn pct(x: f64) -> String {
    format!("{:.2}%", x * 100.0)
}

/// The human-readable report.
pub fn text_report(r: &Report, max_errors: usize) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "records      {} gold, {} missing from predictions, {} extra",
        r.records, r.records_missing, r.records_extra
    );
    let _ = writeln!(
        s,
        "fields       {}/{} right ({}); non-blank {}/{} ({})",
        r.fields_correct,
        r.fields_total,
        pct(r.field_accuracy),
        r.nonblank_correct,
        r.nonblank_total,
        pct(r.nonblank_accuracy)
    );
    let _ = writeln!(
        s,
        "indicators   precision {:.4}  recall {:.4}  F1 {:.4}  ({} right of {} predicted, {} gold)",
        r.indicator_precision,
        r.indicator_recall,
        r.indicator_f1,
        r.indicators_tp,
        r.indicators_predicted,
        r.indicators_gold
    );
    let _ = writeln!(
        s,
        "calibration  ECE {:.4}  Brier {:.4}  ({} scored values, {} bins)",
        r.ece,
        r.brier,
        r.calibration_items,
        super::BINS
    );
    let _ = writeln!(
        s,
        "confident errors (confidence >= {} and wrong): {} of {} confident answers ({})",
        super::CONFIDENT,
        r.confident_errors.len(),
        r.confident_answers,
        pct(r.confident_error_rate)
    );
    let _ = writeln!(
        s,
        "routing      {} records exactly right; {} auto-accepted (record confidence >= {}): {} straight through ({} of all), {} wrong",
        r.records_exact,
        r.records_auto,
        super::CONFIDENT,
        r.straight_through,
        pct(r.straight_through_rate),
        r.wrong_auto_accepted
    );
    breakdown(&mut s, r);
    per_field(&mut s, r);
    bins(&mut s, r);
    if !r.confident_errors.is_empty() {
        let _ = writeln!(s, "\nconfident errors:");
        for e in r.confident_errors.iter().take(max_errors) {
            let _ = writeln!(
                s,
                "  {}#{} {} ({:.3}): expected {}, got {}",
                e.file, e.form_index, e.path, e.confidence, e.expected, e.got
            );
        }
        if r.confident_errors.len() > max_errors {
            let _ = writeln!(
                s,
                "  … {} more (see --json)",
                r.confident_errors.len() - max_errors
            );
        }
    }
    s
}

/// The per-field accuracy table.
fn per_field(s: &mut String, r: &Report) {
    let _ = writeln!(s, "\nper field:");
    let _ = writeln!(
        s,
        "  {:<28} {:>6} {:>6} {:>9} {:>11} {:>9}",
        "field", "n", "right", "accuracy", "non-blank", "mean conf"
    );
    for f in &r.per_field {
        let _ = writeln!(
            s,
            "  {:<28} {:>6} {:>6} {:>9} {:>11} {:>9.3}",
            f.field,
            f.total,
            f.correct,
            pct(f.accuracy),
            format!("{}/{}", f.nonblank_correct, f.nonblank_total),
            f.mean_confidence
        );
    }
}

/// The calibration bins that hold values.
fn bins(s: &mut String, r: &Report) {
    let _ = writeln!(s, "\ncalibration bins:");
    let _ = writeln!(
        s,
        "  {:<11} {:>6} {:>9} {:>9}",
        "confidence", "n", "mean conf", "accuracy"
    );
    for b in r.bins.iter().filter(|b| b.count > 0) {
        let _ = writeln!(
            s,
            "  [{:.1}, {:.1}) {:>6} {:>9.3} {:>9.3}",
            b.lo, b.hi, b.count, b.mean_confidence, b.accuracy
        );
    }
}

/// The headline numbers per group of records (`--by`).
fn breakdown(s: &mut String, r: &Report) {
    if r.breakdown.is_empty() {
        return;
    }
    let _ = writeln!(s, "\nby group:");
    let _ = writeln!(
        s,
        "  {:<28} {:>5} {:>8} {:>9} {:>6} {:>6} {:>11} {:>9} {:>6}",
        "group",
        "forms",
        "fields",
        "non-blank",
        "ind F1",
        "ECE",
        "conf. wrong",
        "straight",
        "wrong>"
    );
    for b in &r.breakdown {
        let _ = writeln!(
            s,
            "  {:<28} {:>5} {:>8} {:>9} {:>6.3} {:>6.3} {:>11} {:>9} {:>6}",
            format!("{}={}", b.key, b.value),
            b.records,
            pct(b.field_accuracy),
            pct(b.nonblank_accuracy),
            b.indicator_f1,
            b.ece,
            format!("{} ({})", b.confident_errors, pct(b.confident_error_rate)),
            pct(b.straight_through_rate),
            b.wrong_auto_accepted
        );
    }
}
