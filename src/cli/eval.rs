//! `formsift eval`: gold labels + predictions in, accuracy and calibration out.

use super::Failure;
use formsift_qa::eval::{self, Rules};
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

    /// Also report per value of this key of the gold records' `meta`
    /// (repeatable; `all` for every key), e.g. `--by engine --by level
    /// --by rendering --by operators`.
    #[arg(long, value_name = "KEY")]
    by: Vec<String>,

    /// List at most N confident errors in the text report (all in --json).
    #[arg(long, value_name = "N", default_value_t = 50)]
    max_errors: usize,
}

/// Runs `eval`. Exit 0 when the report was printed, 1 when an input cannot
/// be read.
pub fn run(args: EvalArgs) -> Result<ExitCode, Failure> {
    let template = super::load_template(args.template.as_deref())?;
    let gold = eval::load_jsonl(&args.gold)?;
    let pred = eval::load_jsonl(&args.pred)?;
    let rules = Rules::from_template(&template);
    let report = if args.by.is_empty() {
        eval::evaluate(&gold, &pred, &rules)
    } else {
        let keys: Vec<String> = args.by.iter().filter(|k| *k != "all").cloned().collect();
        eval::evaluate_by(&gold, &pred, &rules, &keys)
    };
    let out = if args.json {
        serde_json::to_string(&report).unwrap_or_default() + "\n"
    } else {
        eval::text_report(&report, args.max_errors)
    };
    super::write_stdout(&out)?;
    Ok(ExitCode::SUCCESS)
}
