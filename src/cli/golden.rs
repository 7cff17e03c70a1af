//! `formsift golden check` / `formsift golden bless`: the terminal side of
//! golden-file regression (the comparison itself is `formsift::golden`).

use clap::{Args, Subcommand, ValueEnum};
use formsift_qa::golden::{
    self, BlessAction, Blessed, DiffKind, Difference, FileReport, FileStatus, Options, Report,
};
use serde_json::Value as Json;
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
pub fn run(args: GoldenArgs) -> ExitCode {
    match args.command {
        GoldenCommand::Check(a) => check(a),
        GoldenCommand::Bless(a) => bless(a),
    }
}

fn prepare(common: &CommonArgs, tolerance: f64) -> Result<Report, ExitCode> {
    let template = super::load_template(common.template.as_deref())?;
    let mut opts = Options::new(&common.samples, &common.golden);
    opts.tolerance = tolerance;
    opts.only = common.only.clone();
    golden::check(&opts, &template).map_err(|e| {
        eprintln!("formsift: {e}");
        ExitCode::from(1)
    })
}

fn check(args: CheckArgs) -> ExitCode {
    let report = match prepare(&args.common, args.confidence_tolerance) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let out = Printer::new(&args.common, report.tolerance);
    let text = match args.common.format {
        Format::Json => {
            let mut doc = out.report_json(&report);
            doc["command"] = Json::from("check");
            format!("{doc}\n")
        }
        Format::Text => {
            let mut s = String::new();
            for f in &report.files {
                s.push_str(&out.file(f, false));
            }
            s.push_str(&out.walk_errors(&report));
            s.push_str(&out.summary(&report));
            if report.ok {
                s.push_str(&format!("golden check: {}\n", out.paint(GREEN, "ok")));
            } else {
                s.push_str(&format!(
                    "golden check: {} — review the lines above; if the changes are intended: {}\n",
                    out.paint(RED, "FAILED"),
                    out.paint(CYAN, &out.bless_cmd(&[])),
                ));
            }
            s
        }
    };
    if !write_stdout(&text) {
        return ExitCode::from(1);
    }
    if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn bless(args: BlessArgs) -> ExitCode {
    let report = match prepare(&args.common, golden::DEFAULT_TOLERANCE) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let (done, errors) = golden::bless(&report, args.prune);
    let out = Printer::new(&args.common, report.tolerance);
    let sample_failed = report
        .files
        .iter()
        .any(|f| f.status == FileStatus::SampleFailed);
    let ok = errors.is_empty() && !sample_failed && report.errors.is_empty();
    let text = match args.common.format {
        Format::Json => {
            let mut doc = out.report_json(&report);
            doc["command"] = Json::from("bless");
            doc["blessed"] = serde_json::to_value(&done).unwrap_or(Json::Null);
            doc["write_errors"] =
                Json::Array(errors.iter().map(|e| Json::from(e.to_string())).collect());
            doc["ok"] = Json::Bool(ok);
            format!("{doc}\n")
        }
        Format::Text => {
            let mut s = String::new();
            for f in &report.files {
                s.push_str(&out.file(f, true));
                if let Some(b) = done.iter().find(|b| b.golden == f.golden) {
                    s.push_str(&out.blessed(b, f));
                }
            }
            s.push_str(&out.walk_errors(&report));
            for e in &errors {
                s.push_str(&format!("{} {e}\n", out.paint(RED, &pad("error"))));
            }
            let count = |a: BlessAction| done.iter().filter(|b| b.action == a).count();
            let untouched = report
                .files
                .iter()
                .filter(|f| f.status == FileStatus::Unchanged)
                .count();
            s.push_str(&format!(
                "golden bless: {} rewritten, {} created, {} removed, {} already up to date{}\n",
                count(BlessAction::Rewritten),
                count(BlessAction::Created),
                count(BlessAction::Removed),
                untouched,
                if ok {
                    String::new()
                } else {
                    format!("; {}", out.paint(RED, "some files could not be blessed"))
                }
            ));
            s
        }
    };
    if !write_stdout(&text) || !ok {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

fn write_stdout(text: &str) -> bool {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => true,
        Err(e) => {
            eprintln!("formsift: cannot write stdout: {e}");
            false
        }
    }
}

const RED: &str = "31";
const GREEN: &str = "32";
const YELLOW: &str = "33";
const CYAN: &str = "36";
const DIM: &str = "2";

/// Width of the first column (the kind of line).
const KIND_WIDTH: usize = 10;

fn pad(kind: &str) -> String {
    format!("{kind:<KIND_WIDTH$}")
}

/// Renders reports as text (optionally coloured) or JSON.
struct Printer {
    color: bool,
    /// Flags to repeat in suggested commands (`--samples X` when not the default…).
    flags: Vec<String>,
    tolerance: f64,
}

impl Printer {
    fn new(common: &CommonArgs, tolerance: f64) -> Self {
        let color = match common.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        } && common.format == Format::Text;
        let mut flags = Vec::new();
        if common.samples.as_os_str() != "samples" {
            flags.push(format!(
                "--samples {}",
                quote(&common.samples.to_string_lossy())
            ));
        }
        if common.golden.as_os_str() != "golden" {
            flags.push(format!(
                "--golden {}",
                quote(&common.golden.to_string_lossy())
            ));
        }
        if let Some(t) = &common.template {
            flags.push(format!("--template {}", quote(&t.to_string_lossy())));
        }
        Printer {
            color,
            flags,
            tolerance,
        }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// `formsift golden bless [flags] [extra…]`.
    fn bless_cmd(&self, extra: &[String]) -> String {
        let mut parts = vec!["formsift golden bless".to_string()];
        parts.extend(self.flags.iter().cloned());
        parts.extend(extra.iter().cloned());
        parts.join(" ")
    }

    /// The command that fixes a file's state, if there is one.
    fn fix(&self, f: &FileReport) -> Option<String> {
        let only = format!("--only {}", quote(&f.sample));
        match f.status {
            FileStatus::Unchanged => None,
            FileStatus::Changed | FileStatus::NewSample | FileStatus::GoldenUnreadable => {
                Some(self.bless_cmd(&[only]))
            }
            FileStatus::OrphanGolden => Some(self.bless_cmd(&["--prune".into(), only])),
            FileStatus::SampleFailed => Some(format!(
                "repair {}, or remove it and run: {}",
                f.sample,
                self.bless_cmd(&["--prune".into(), only])
            )),
        }
    }

    fn fix_line(&self, label: &str, cmd: &str) -> String {
        format!(
            "{} {label}: {}\n",
            " ".repeat(KIND_WIDTH),
            self.paint(CYAN, cmd)
        )
    }

    /// All lines of one file: its differences or its state, then the fix.
    fn file(&self, f: &FileReport, blessing: bool) -> String {
        let mut s = String::new();
        let fix = self.fix(f).unwrap_or_default();
        match f.status {
            FileStatus::Unchanged => {}
            FileStatus::Changed => {
                for d in &f.differences {
                    s.push_str(&self.difference(&f.sample, d));
                    s.push('\n');
                }
                if !blessing {
                    let label = if f.fails {
                        "if intended, run"
                    } else {
                        "nothing fails; to record it, run"
                    };
                    s.push_str(&self.fix_line(label, &fix));
                }
            }
            FileStatus::NewSample => {
                s.push_str(&format!(
                    "{} {}: no golden file {} ({} form{})\n",
                    self.paint(YELLOW, &pad("new sample")),
                    f.sample,
                    f.golden,
                    f.forms,
                    plural(f.forms)
                ));
                if !blessing {
                    s.push_str(&self.fix_line("create it", &fix));
                }
            }
            FileStatus::OrphanGolden => {
                s.push_str(&format!(
                    "{} {}: its sample {} is gone\n",
                    self.paint(RED, &pad("orphan")),
                    f.golden,
                    f.sample
                ));
                s.push_str(&self.fix_line("restore the sample, or delete it", &fix));
            }
            FileStatus::SampleFailed | FileStatus::GoldenUnreadable => {
                s.push_str(&format!(
                    "{} {}\n",
                    self.paint(RED, &pad("error")),
                    f.error.as_deref().unwrap_or("unknown error")
                ));
                if !(blessing && f.status == FileStatus::GoldenUnreadable) {
                    let label = if f.status == FileStatus::SampleFailed {
                        "fix"
                    } else {
                        "rewrite it from today's output"
                    };
                    s.push_str(&self.fix_line(label, &fix));
                }
            }
        }
        s
    }

    /// One difference as one line (no newline).
    fn difference(&self, sample: &str, d: &Difference) -> String {
        let (word, color) = match (d.kind, d.fails) {
            (DiffKind::Changed, _) => ("changed", RED),
            (DiffKind::Missing, _) => ("missing", RED),
            (DiffKind::New, _) => ("new", YELLOW),
            (DiffKind::Confidence, true) => ("confidence", YELLOW),
            (DiffKind::Confidence, false) => ("confidence", DIM),
            (DiffKind::Detail, _) => ("detail", DIM),
        };
        let mut where_ = sample.to_string();
        if let Some(i) = d.form_index {
            where_.push_str(&format!(" form {i}"));
            if let Some(name) = &d.form_name {
                where_.push_str(&format!(" ({name})"));
            }
        }
        let conf = match (d.old_confidence, d.new_confidence) {
            (Some(a), Some(b)) if d.kind == DiffKind::Confidence => {
                let drift = ((a - b).abs() * 1000.0).round() / 1000.0;
                let verdict = if d.fails { "beyond" } else { "within" };
                format!(
                    " (confidence {a} → {b}, drift {drift} {verdict} ±{})",
                    self.tolerance
                )
            }
            (Some(a), Some(b)) => format!(" (confidence {a} → {b})"),
            (Some(a), None) => format!(" (confidence {a})"),
            (None, Some(b)) => format!(" (confidence {b})"),
            (None, None) => String::new(),
        };
        let what = match (d.kind, &d.old, &d.new) {
            (DiffKind::New, _, _) if d.item == "form" => "form not in golden".to_string(),
            (DiffKind::Missing, _, _) if d.item == "form" => {
                "form in golden, no longer extracted".to_string()
            }
            (_, Some(o), Some(n)) => format!("{}: {} → {}", d.item, show(o), show(n)),
            (DiffKind::Confidence, None, Some(n)) => format!("{}: {}", d.item, show(n)),
            (_, None, Some(n)) => format!("{}: {}", d.item, show(n)),
            (_, Some(o), None) => format!("{}: {}", d.item, show(o)),
            (_, None, None) => d.item.clone(),
        };
        format!("{} {where_}: {what}{conf}", self.paint(color, &pad(word)))
    }

    fn blessed(&self, b: &Blessed, f: &FileReport) -> String {
        let line = match b.action {
            BlessAction::Created => format!(
                "{} {} ({} form{})",
                self.paint(GREEN, &pad("created")),
                b.golden,
                f.forms,
                plural(f.forms)
            ),
            BlessAction::Rewritten if f.status == FileStatus::GoldenUnreadable => format!(
                "{} {} (replaced the unreadable file)",
                self.paint(GREEN, &pad("blessed")),
                b.golden
            ),
            BlessAction::Rewritten => format!(
                "{} {} ({} difference{})",
                self.paint(GREEN, &pad("blessed")),
                b.golden,
                f.differences.len(),
                plural(f.differences.len())
            ),
            BlessAction::Removed => format!("{} {}", self.paint(GREEN, &pad("removed")), b.golden),
        };
        format!("{line}\n")
    }

    fn walk_errors(&self, report: &Report) -> String {
        report
            .errors
            .iter()
            .map(|e| format!("{} {e}\n", self.paint(RED, &pad("error"))))
            .collect()
    }

    fn summary(&self, report: &Report) -> String {
        let s = &report.summary;
        format!(
            "summary: {} file{}, {} form{}, {} field{}, {} indicator{} compared; \
             {} changed, {} new, {} missing, {} confidence drift{} beyond ±{} ({} within), \
             {} detail{}; {} new sample{}, {} orphan golden file{}, {} error{}\n",
            s.files,
            plural(s.files),
            s.forms,
            plural(s.forms),
            s.fields,
            plural(s.fields),
            s.indicators,
            plural(s.indicators),
            s.changed,
            s.new,
            s.missing,
            s.confidence_beyond_tolerance,
            plural(s.confidence_beyond_tolerance),
            report.tolerance,
            s.confidence_within_tolerance,
            s.details,
            plural(s.details),
            s.new_samples,
            plural(s.new_samples),
            s.orphan_goldens,
            plural(s.orphan_goldens),
            s.errors,
            plural(s.errors),
        )
    }

    /// The report as JSON, each file with the command that fixes it.
    fn report_json(&self, report: &Report) -> Json {
        let mut doc = serde_json::to_value(report).unwrap_or(Json::Null);
        if let Some(files) = doc.get_mut("files").and_then(Json::as_array_mut) {
            for (j, f) in files.iter_mut().zip(&report.files) {
                j["fix"] = self.fix(f).map(Json::from).unwrap_or(Json::Null);
            }
        }
        doc
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A value as compact JSON (strings quoted, so `null` and `"null"` differ).
fn show(v: &Json) -> String {
    v.to_string()
}

/// Quotes a shell word when it needs it.
fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_alphanumeric() || "_-./:@%+=,".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}
