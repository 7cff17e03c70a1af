//! `formsift extract`: files in, JSON Lines out — built for unattended runs
//! over large archive trees (parallel, ordered, resumable, nothing lost).

use super::Failure;
use formsift::{run_batch, BatchOptions, Encoding, Observer, Summary, Timings};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct ExtractArgs {
    /// Input files or directories (searched recursively for .md .markdown
    /// .txt .html .htm, in sorted order); `-` reads stdin. Tables may be
    /// tab-flattened, HTML, GFM pipe or space-aligned, mixed in one file.
    #[arg(value_name = "PATH")]
    paths: Vec<String>,

    /// Read more input paths from FILE, one per line (`-` for stdin).
    #[arg(long, value_name = "FILE")]
    files_from: Option<String>,

    /// Write JSON Lines to FILE instead of stdout. The file is replaced
    /// atomically (temporary file in the same directory, fsync, rename): a
    /// run killed at any moment leaves the previous FILE intact.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Dead letter: write one JSON line per input that failed, with
    /// `source`, `error.kind` (unreadable, undecodable, too_large, empty,
    /// no_form) and `error.message`.
    #[arg(long, value_name = "FILE")]
    errors: Option<PathBuf>,

    /// Refuse inputs larger than this (bytes; K, M, G suffixes accepted).
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = parse_size)]
    max_file_size: u64,

    /// Incremental runs: remember each input's content hash and output in
    /// FILE; on the next run, inputs whose bytes did not change are not
    /// processed again (everything is, when formsift or the template
    /// changed). The output equals a full run's.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,

    /// Take only shard K of N (0 ≤ K < N) of the inputs, chosen by a hash of
    /// each path, so N machines or array-job tasks split one corpus.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    shard: Option<(u64, u64)>,

    /// Turn evidence into confidence with the table in FILE (JSON, written
    /// by `formsift calibrate -o FILE`) instead of the built-in one: fit
    /// confidences to your own labelled scans without rebuilding.
    #[arg(long, value_name = "FILE")]
    calibration: Option<PathBuf>,

    /// Use the template in FILE (TOML; see docs/templates.md and crates/formsift/templates/perf-target.toml)
    /// instead of the built-in `perf-target`.
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,

    /// Decode every input as ENCODING (a WHATWG label: utf-8, gb18030, gbk,
    /// big5, utf-16le, …) instead of detecting it. Detection reads a BOM,
    /// then UTF-8, then GB18030/GBK/Big5; a file that decodes in none is
    /// reported with the line of its first bad byte. Example:
    /// `formsift extract --encoding gb18030 archive/`.
    #[arg(long, value_name = "ENCODING", value_parser = parse_encoding)]
    encoding: Option<&'static Encoding>,

    /// Worker threads (default: all cores). Output order does not depend on it.
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    jobs: Option<u32>,

    /// Progress on stderr: `auto` draws a bar when stderr is a terminal,
    /// `always` also prints a progress line every few seconds to logs,
    /// `never` is silent.
    #[arg(long, value_enum, default_value_t = ProgressMode::Auto)]
    progress: ProgressMode,

    /// No progress and no summary line (errors are still printed).
    #[arg(short, long)]
    quiet: bool,

    /// Write the run's summary (files, forms, failures, low-confidence
    /// records, elapsed) as JSON to FILE, for a scheduler.
    #[arg(long, value_name = "FILE")]
    summary_json: Option<PathBuf>,

    /// Records whose confidence is below this count as low-confidence in the
    /// summary.
    #[arg(long, value_name = "P", default_value_t = 0.5)]
    low_confidence: f64,

    /// Print the time spent in each stage (summed over threads) at the end.
    #[arg(long)]
    timings: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum ProgressMode {
    Auto,
    Always,
    Never,
}

fn parse_encoding(label: &str) -> Result<&'static Encoding, String> {
    formsift::encoding_for_label(label).ok_or_else(|| {
        format!("unknown encoding `{label}` (try utf-8, gb18030, gbk, big5, utf-16le)")
    })
}

fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let (num, mult) = match s.chars().last().map(|c| c.to_ascii_uppercase()) {
        Some('K') => (&s[..s.len() - 1], 1u64 << 10),
        Some('M') => (&s[..s.len() - 1], 1 << 20),
        Some('G') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.trim()
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| format!("`{s}` is not a size (examples: 1048576, 512K, 64M, 2G)"))
}

fn parse_shard(s: &str) -> Result<(u64, u64), String> {
    let err = || format!("`{s}` is not K/N with 0 ≤ K < N (example: 0/4)");
    let (k, n) = s.split_once('/').ok_or_else(err)?;
    let k: u64 = k.trim().parse().map_err(|_| err())?;
    let n: u64 = n.trim().parse().map_err(|_| err())?;
    if n == 0 || k >= n {
        return Err(err());
    }
    Ok((k, n))
}

/// Draws progress on stderr: a bar on a terminal, a line every 5 s in logs
/// with `--progress always`; failures and notices are printed above it.
struct Progress {
    bar: ProgressBar,
    /// Log lines when stderr is no terminal (`--progress always`).
    log_lines: bool,
    quiet: bool,
    started: Instant,
    last_log: Instant,
    total: usize,
}

impl Progress {
    fn new(args: &ExtractArgs) -> Progress {
        let show =
            !args.quiet && args.progress != ProgressMode::Never && std::io::stderr().is_terminal();
        let bar = if show {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} files  {msg}  ETA {eta}",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        } else {
            ProgressBar::hidden()
        };
        Progress {
            log_lines: !args.quiet && args.progress == ProgressMode::Always && bar.is_hidden(),
            bar,
            quiet: args.quiet,
            started: Instant::now(),
            last_log: Instant::now(),
            total: 0,
        }
    }
}

impl Observer for Progress {
    fn started(&mut self, total: usize) {
        self.total = total;
        self.bar.set_length(total as u64);
    }

    fn progressed(&mut self, s: &Summary) {
        let rate = s.forms as f64 / self.started.elapsed().as_secs_f64().max(1e-9);
        self.bar.inc(1);
        let failed = s.failed_files;
        (self.bar).set_message(format!(
            "{} forms, {rate:.0} forms/s, {failed} failed",
            s.forms
        ));
        if self.log_lines && self.last_log.elapsed() > Duration::from_secs(5) {
            self.last_log = Instant::now();
            eprintln!(
                "formsift: {}/{} files, {} forms, {rate:.0} forms/s, {failed} failed",
                s.files, self.total, s.forms
            );
        }
    }

    fn failed(&mut self, message: &str) {
        self.bar.suspend(|| eprintln!("formsift: {message}"));
    }

    fn notice(&mut self, message: &str) {
        if !self.quiet {
            self.bar.suspend(|| eprintln!("formsift: {message}"));
        }
    }
}

/// Runs `extract`.
pub fn run(args: ExtractArgs) -> Result<ExitCode, Failure> {
    if !(0.0..=1.0).contains(&args.low_confidence) {
        return Err(Failure::Usage(format!(
            "--low-confidence {} is not between 0 and 1",
            args.low_confidence
        )));
    }
    let timings = args.timings.then(|| Arc::new(Timings::default()));
    let mut extractor = super::extractor(args.template.as_deref())?
        .with_encoding(args.encoding)
        .with_max_file_size(args.max_file_size);
    if let Some(t) = &timings {
        extractor = extractor.with_timings(t.clone());
    }
    if let Some(path) = &args.calibration {
        extractor = extractor.with_calibration(super::load_calibration(path)?);
    }
    if let Some(n) = args.jobs {
        // Fails only if a pool already exists; the existing pool is then used.
        let _ = (rayon::ThreadPoolBuilder::new())
            .num_threads(n as usize)
            .build_global();
    }
    let mut paths = args.paths.clone();
    if let Some(list) = &args.files_from {
        paths.extend(read_list(list)?);
    }
    if paths.is_empty() {
        return Err(Failure::Usage(
            "no input given (PATH… or --files-from FILE); see `formsift extract --help`".into(),
        ));
    }
    let opts = BatchOptions {
        output: args.output.clone(),
        dead_letter: args.errors.clone(),
        state: args.state.clone(),
        summary_json: args.summary_json.clone(),
        shard: args.shard,
        low_confidence: args.low_confidence,
        ..BatchOptions::default()
    };
    let mut progress = Progress::new(&args);
    let summary = run_batch(&extractor, &paths, &opts, &mut progress);
    progress.bar.finish_and_clear();
    let summary = summary?;
    if !args.quiet {
        eprintln!(
            "formsift: {} files, {} forms, {} failed files, {} low-confidence records (< {}), {} reused, {:.2} s",
            summary.files,
            summary.forms,
            summary.failed_files,
            summary.low_confidence_records,
            args.low_confidence,
            summary.reused_files,
            summary.elapsed_s
        );
    }
    if let Some(t) = &timings {
        print_timings(t, summary.forms);
    }
    Ok(if summary.failed_files > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_timings(t: &Timings, forms: usize) {
    eprintln!("formsift: time per stage (summed over threads):");
    for (stage, secs) in t.report() {
        let per_form = if forms > 0 {
            secs * 1e6 / forms as f64
        } else {
            0.0
        };
        eprintln!("  {stage:<32} {secs:>9.3} s  {per_form:>9.1} µs/form");
    }
}

fn read_list(list: &str) -> Result<Vec<String>, Failure> {
    let text = if list == "-" {
        std::io::read_to_string(std::io::stdin())
    } else {
        std::fs::read_to_string(list)
    };
    let text = text.map_err(|source| Failure::ReadList {
        path: list.to_string(),
        source,
    })?;
    Ok(text
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect())
}
