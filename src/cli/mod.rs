//! Command-line layer: flag parsing and one module per subcommand. Each
//! subcommand wires flags to a library call and prints what it returns; no
//! extraction logic lives here, and errors are reported once, by
//! [`run`].

pub mod calibrate;
pub mod eval;
pub mod extract;
pub mod golden;

use clap::{Parser, Subcommand};
use formsift::{Extractor, Template};
use std::path::Path;
use std::process::ExitCode;

/// Why a subcommand stopped: printed once as `formsift: <message>`, exit
/// status 1.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error(transparent)]
    Formsift(#[from] formsift::Error),
    #[error(transparent)]
    Golden(#[from] formsift_qa::golden::GoldenError),
    #[error(transparent)]
    Eval(#[from] formsift_qa::eval::EvalError),
    #[error("cannot read {path}: {source}")]
    ReadList {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write stdout: {0}")]
    Stdout(std::io::Error),
    #[error("{0}")]
    Usage(String),
    #[error("cannot read calibration table {path}: {message}")]
    Calibration { path: String, message: String },
}

/// A calibration table written by `formsift calibrate -o FILE`.
pub fn load_calibration(path: &Path) -> Result<formsift::Calibration, Failure> {
    let fail = |message: String| Failure::Calibration {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    formsift::Calibration::from_json(&text).map_err(|e| fail(e.to_string()))
}

/// `--template FILE`, or the built-in template.
pub fn load_template(path: Option<&Path>) -> Result<Template, Failure> {
    match path {
        Some(p) => Ok(Template::load(p).map_err(formsift::Error::from)?),
        None => Ok(Template::builtin()),
    }
}

/// An extractor for `--template FILE`, or the built-in template.
pub fn extractor(template: Option<&Path>) -> Result<Extractor, Failure> {
    Ok(Extractor::new(load_template(template)?))
}

/// Writes `text` to standard output; a reader that stopped early (`| head`)
/// is not an error.
pub fn write_stdout(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Failure::Stdout(e)),
        _ => Ok(()),
    }
}

/// Turn noisy OCR'd form tables into clean JSON Lines records.
///
/// Each record is one form: every template field with its value, a
/// confidence (the probability the value is exactly right), where it came
/// from, what was repaired, and any text that went nowhere.
#[derive(Parser)]
#[command(name = "formsift", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Extract one record per form from OCR output files.
    ///
    /// Examples:
    ///   formsift extract samples/bazhong-2019-perf-targets.md
    ///   formsift extract samples/ -o out.jsonl
    ///   cat scan.md | formsift extract - > out.jsonl
    ///   formsift extract --template my-form.toml scans/
    ///   formsift extract --encoding gb18030 legacy-scans/
    ///
    /// Nightly ingest (parallel, resumable, nothing lost):
    ///   formsift extract /archive -o out/records.jsonl --errors out/dead.jsonl \
    ///       --state out/state.jsonl --summary-json out/summary.json --progress always
    ///   find /archive -name '*.md' | formsift extract --files-from - --shard 0/4 -o part0.jsonl
    ///
    /// Exit status: 0 when every input gave records; 2 when some inputs
    /// failed (each is named on stderr and in --errors, the others still
    /// run); 1 on a usage error or when an output or the template cannot be
    /// used (previous outputs are then left as they were).
    #[command(verbatim_doc_comment)]
    Extract(extract::ExtractArgs),

    /// Golden-file regression: compare sample output with approved records.
    ///
    /// `golden check` extracts every document in samples/ and compares it,
    /// field by field, with golden/<sample path>.jsonl; `golden bless`
    /// rewrites the golden files that changed.
    ///
    /// Examples:
    ///   formsift golden check
    ///   formsift golden check --format json
    ///   formsift golden bless --only samples/new-scan.md
    #[command(verbatim_doc_comment)]
    Golden(golden::GoldenArgs),
    /// Score predictions against gold labels: accuracy, indicator F1 and
    /// whether the confidences can be trusted.
    ///
    /// Reports field accuracy (all fields and non-blank ones), a per-field
    /// table, indicator precision/recall/F1, expected calibration error
    /// (10 bins), Brier score, and every confident error (confidence >= 0.9
    /// and wrong) with its file, form and field. Records are matched by
    /// file name and form_index; values are compared as docs/record.md says.
    ///
    /// Examples:
    ///   formsift extract corpus/test/heavy -o pred.jsonl
    ///   formsift eval --gold corpus/test/heavy/gold.jsonl pred.jsonl
    ///   formsift eval --gold gold.jsonl pred.jsonl --json | jq .ece
    ///   scripts/eval.sh            # the whole held-out test split
    ///
    /// Exit status: 0 when the report was printed; 1 when an input cannot
    /// be read (the message names the file and line).
    #[command(verbatim_doc_comment)]
    Eval(eval::EvalArgs),

    /// Refit the confidence table on labelled documents.
    ///
    /// Extracts every document the gold files name with raw evidence
    /// scores, compares with the gold, and fits raw score -> probability
    /// (isotonic, smoothed toward the raw score) separately for fields and
    /// indicators. The table is compiled in: rebuild after refitting.
    ///
    /// Examples:
    ///   formsift calibrate --gold corpus/tune/light/gold.jsonl --gold corpus/tune/heavy/gold.jsonl
    ///   formsift calibrate --gold my-gold.jsonl -o /tmp/table.json --prior-weight 20
    #[command(verbatim_doc_comment)]
    Calibrate(calibrate::CalibrateArgs),
}

/// Parses the command line, runs the subcommand and reports its failure.
pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors; a usage error exits 1
            // (2 is kept for "some inputs failed").
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Extract(args) => extract::run(args),
        Command::Golden(args) => golden::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Calibrate(args) => calibrate::run(args),
    };
    result.unwrap_or_else(|e| {
        eprintln!("formsift: {e}");
        ExitCode::from(1)
    })
}
