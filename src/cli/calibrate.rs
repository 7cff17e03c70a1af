//! `formsift calibrate`: refit the confidence table on labelled documents.

use super::Failure;
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
        default_value = "crates/formsift/templates/perf-target.calibration.json"
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
pub fn run(args: CalibrateArgs) -> Result<ExitCode, Failure> {
    let extractor = super::extractor(args.template.as_deref())?;
    let (cal, report) = eval::refit(&args.gold, &extractor, args.prior_weight.max(0.0))?;
    let json = serde_json::to_string_pretty(&cal).unwrap_or_default() + "\n";
    formsift::write_atomic(&args.output, json.as_bytes())
        .map_err(|e| formsift::Error::output("write", &args.output, e))?;
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
    Ok(ExitCode::SUCCESS)
}
