//! `formsift eval`: gold labels + predictions in, accuracy and calibration out.

use formsift_qa::eval::{self, Report, Rules};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct EvalArgs {
    /// Gold labels: JSON Lines, one object per form with `source.path`,
    /// `source.form_index`, `fields` (key → value) and `indicators`
    /// (the shape of tests/data/seed-expected.jsonl).
    #[arg(long, value_name = "GOLD.jsonl")]
    gold: PathBuf,

    /// Predictions: the output of `formsift extract`.
    #[arg(value_name = "PRED.jsonl")]
    pred: PathBuf,

    /// Print the report as one JSON object instead of tables.
    #[arg(long)]
    json: bool,

    /// Template whose indicator hierarchy sets the comparison rules
    /// (default: the built-in `perf-target`).
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,

    /// List at most N confident errors in the text report (all in --json).
    #[arg(long, value_name = "N", default_value_t = 50)]
    max_errors: usize,
}

/// Runs `eval`. Exit 0 when the report was printed, 1 when an input cannot
/// be read.
pub fn run(args: EvalArgs) -> ExitCode {
    let template = match super::load_template(args.template.as_deref()) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let loaded =
        eval::load_jsonl(&args.gold).and_then(|g| eval::load_jsonl(&args.pred).map(|p| (g, p)));
    let (gold, pred) = match loaded {
        Ok(x) => x,
        Err(e) => {
            eprintln!("formsift: {e}");
            return ExitCode::from(1);
        }
    };
    let report = eval::evaluate(&gold, &pred, &Rules::from_template(&template));
    let out = if args.json {
        match serde_json::to_string(&report) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("formsift: cannot serialize the report: {e}");
                return ExitCode::from(1);
            }
        }
    } else {
        text_report(&report, args.max_errors)
    };
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
    {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("formsift: cannot write stdout: {e}");
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
}

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
        eval::BINS
    );
    let _ = writeln!(
        s,
        "confident errors (confidence >= {} and wrong): {}",
        eval::CONFIDENT,
        r.confident_errors.len()
    );
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
