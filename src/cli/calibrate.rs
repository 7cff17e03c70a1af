//! `formsift calibrate`: refit the confidence table on labelled documents.

use formsift_qa::eval;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct CalibrateArgs {
    /// Gold labels (repeatable). Each record's `source.path` names the
    /// document to extract, relative to the working directory.
    #[arg(long, value_name = "GOLD.jsonl", required = true)]
    gold: Vec<PathBuf>,

    /// Where to write the fitted table (JSON).
    #[arg(
        short,
        long,
        value_name = "FILE",
        default_value = "templates/perf-target.calibration.json"
    )]
    output: PathBuf,

    /// Pseudo-items of prior (the raw score) in every step: small tuning
    /// sets cannot push a rare kind of evidence to certainty.
    #[arg(long, value_name = "W", default_value_t = 20.0)]
    prior_weight: f64,

    /// Template to extract with (default: the built-in `perf-target`).
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
}

/// Runs `calibrate`. Exit 0 when the table was written, 1 otherwise.
pub fn run(args: CalibrateArgs) -> ExitCode {
    let template = match super::load_template(args.template.as_deref()) {
        Ok(t) => t,
        Err(code) => return code,
    };
    let (cal, report) = match eval::refit(&args.gold, &template, args.prior_weight.max(0.0)) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("formsift: {e}");
            return ExitCode::from(1);
        }
    };
    let json = match serde_json::to_string_pretty(&cal) {
        Ok(s) => s + "\n",
        Err(e) => {
            eprintln!("formsift: cannot serialize the table: {e}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = formsift::emit::write_atomic(&args.output, json.as_bytes()) {
        eprintln!("formsift: cannot write {}: {e}", args.output.display());
        return ExitCode::from(1);
    }
    eprintln!(
        "formsift: fitted on {} forms ({} scored values; raw scores: ECE {:.4}, accuracy {:.2}%): {} field steps, {} indicator steps -> {}",
        report.records,
        report.calibration_items,
        report.ece,
        report.field_accuracy * 100.0,
        cal.fields.len(),
        cal.indicators.len(),
        args.output.display()
    );
    eprintln!("formsift: rebuild (cargo build) to compile the new table in");
    ExitCode::SUCCESS
}
