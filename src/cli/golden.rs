//! `formsift golden check` / `formsift golden bless`: the terminal side of
//! golden-file regression (the comparison and its printing are `formsift_qa::golden`).

use super::Failure;
use clap::{Args, Subcommand, ValueEnum};
use formsift_qa::golden::{self, print::Printer, FileStatus, Options, Report};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args)]
pub struct GoldenArgs {
    #[command(subcommand)]
    command: GoldenCommand,
}

#[derive(Subcommand)]
enum GoldenCommand {
    /// Extract every sample and compare it with its golden file, field by field.
    ///
    /// For `samples/<path>` the golden file is `golden/<path>.jsonl`
    /// (samples/x.md → golden/x.md.jsonl). Each difference is one line:
    /// kind, sample, form (index and name), field or indicator,
    /// old → new value, old → new confidence. Then a summary.
    ///
    /// Kinds: changed (a value), new / missing (a form, field, indicator,
    /// unmapped text or warning that appeared or disappeared), confidence
    /// (drift; fails only beyond --confidence-tolerance), detail (line
    /// numbers, raw text, repairs, file bytes: reported, never failing).
    /// New samples, golden files without a sample, and samples that fail to
    /// extract are reported with the command that fixes them.
    ///
    /// Examples:
    ///   formsift golden check
    ///   formsift golden check --only 'samples/2019-*' --only '*.html'
    ///   formsift golden check --samples corpus/ --golden corpus-golden/ --format json
    ///   formsift golden check --confidence-tolerance 0   # any drift fails
    ///
    /// Exit status: 0 when everything matches (confidence within the
    /// tolerance); 1 when differences were found, a sample failed to
    /// extract or a golden file is unreadable — or on a usage error.
    #[command(verbatim_doc_comment)]
    Check(CheckArgs),

    /// Rewrite the golden files whose sample output changed, and say what changed.
    ///
    /// Golden files that already hold today's output are not touched. New
    /// samples get a golden file; with --prune, golden files whose sample
    /// is gone are deleted. Review the result with `git diff golden/`.
    ///
    /// Examples:
    ///   formsift golden bless
    ///   formsift golden bless --only samples/new-scan.md
    ///   formsift golden bless --only '*.html' --prune
    ///
    /// Exit status: 0 when every selected golden file is up to date
    /// afterwards; 1 when a sample failed to extract, a file could not be
    /// written, or on a usage error.
    #[command(verbatim_doc_comment)]
    Bless(BlessArgs),
}

#[derive(Args)]
struct CommonArgs {
    /// Directory of sample documents (searched recursively for .md
    /// .markdown .txt .html .htm).
    #[arg(long, value_name = "DIR", default_value = "samples")]
    samples: PathBuf,

    /// Directory of golden files (`<sample path>.jsonl`).
    #[arg(long, value_name = "DIR", default_value = "golden")]
    golden: PathBuf,

    /// Only these samples: a glob over the sample's path (`samples/x.md`)
    /// or its path inside the samples directory (`x.md`). Repeatable.
    #[arg(long, value_name = "PATTERN")]
    only: Vec<String>,

    /// Use the template in FILE instead of the built-in `perf-target`.
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,

    /// Output: `text` for people, `json` (one JSON object) for CI.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Colours: `auto` = when stdout is a terminal and NO_COLOR is unset.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    common: CommonArgs,

    /// Largest confidence change that does not fail the check.
    #[arg(long, value_name = "X", default_value_t = golden::DEFAULT_TOLERANCE, value_parser = parse_tolerance, allow_negative_numbers = true)]
    confidence_tolerance: f64,
}

#[derive(Args)]
pub struct BlessArgs {
    #[command(flatten)]
    common: CommonArgs,

    /// Also delete golden files whose sample is gone.
    #[arg(long)]
    prune: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn parse_tolerance(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x.is_finite() && (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("`{s}` is not a number between 0 and 1")),
    }
}

/// Runs `golden check` or `golden bless`.
pub fn run(args: GoldenArgs) -> Result<ExitCode, Failure> {
    match args.command {
        GoldenCommand::Check(a) => check(a),
        GoldenCommand::Bless(a) => bless(a),
    }
}

/// Extracts every selected sample and compares it with its golden file.
fn compare(common: &CommonArgs, tolerance: f64) -> Result<(Report, Printer), Failure> {
    let extractor = super::extractor(common.template.as_deref())?;
    let mut opts = Options::new(&common.samples, &common.golden);
    opts.tolerance = tolerance;
    opts.only = common.only.clone();
    let report = golden::check(&opts, &extractor)?;
    let json = common.format == Format::Json;
    let color = match common.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    } && !json;
    let printer = Printer::new(color, &opts, common.template.as_deref());
    Ok((report, printer))
}

fn check(args: CheckArgs) -> Result<ExitCode, Failure> {
    let (report, printer) = compare(&args.common, args.confidence_tolerance)?;
    super::write_stdout(&printer.check(&report, args.common.format == Format::Json))?;
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn bless(args: BlessArgs) -> Result<ExitCode, Failure> {
    let (report, printer) = compare(&args.common, golden::DEFAULT_TOLERANCE)?;
    let (done, errors) = golden::bless(&report, args.prune);
    let sample_failed = (report.files.iter()).any(|f| f.status == FileStatus::SampleFailed);
    let ok = errors.is_empty() && !sample_failed && report.errors.is_empty();
    let json = args.common.format == Format::Json;
    super::write_stdout(&printer.bless(&report, &done, &errors, ok, json))?;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
