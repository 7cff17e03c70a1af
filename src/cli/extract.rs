//! `formsift extract`: files in, JSON Lines out — built for unattended runs
//! over large archive trees (parallel, ordered, resumable, nothing lost).

use formsift::batch::{self, BatchOptions, CachedEntry, InputResult, Outcome, Timings};
use formsift::emit::{self, AtomicFile};
use formsift::ingest;
use formsift::state::{PreviousState, StateWriter};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
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

    /// Use the template in FILE (TOML, see templates/perf-target.toml)
    /// instead of the built-in `perf-target`.
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,

    /// Decode every input as ENCODING (a WHATWG label: utf-8, gb18030, gbk,
    /// big5, utf-16le, …) instead of detecting it. Detection reads a BOM,
    /// then UTF-8, then GB18030/GBK/Big5; a file that decodes in none is
    /// reported with the line of its first bad byte. Example:
    /// `formsift extract --encoding gb18030 archive/`.
    #[arg(long, value_name = "ENCODING", value_parser = parse_encoding)]
    encoding: Option<&'static formsift::encoding_rs::Encoding>,

    /// Worker threads (default: all cores). Output order does not depend on it.
    #[arg(short = 'j', long, value_name = "N")]
    jobs: Option<usize>,

    /// Progress on stderr: `auto` draws a bar when stderr is a terminal,
    /// `always` also prints a progress line every few seconds to logs,
    /// `never` is silent.
    #[arg(long, value_enum, default_value_t = Progress::Auto)]
    progress: Progress,

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
enum Progress {
    Auto,
    Always,
    Never,
}

fn parse_encoding(label: &str) -> Result<&'static formsift::encoding_rs::Encoding, String> {
    ingest::encoding_for_label(label).ok_or_else(|| {
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

/// Counters for the summary.
#[derive(Default, serde::Serialize)]
struct Summary {
    files: usize,
    forms: usize,
    failed_files: usize,
    reused_files: usize,
    low_confidence_records: usize,
    bytes: u64,
    elapsed_s: f64,
    forms_per_s: f64,
    formsift: String,
    template: String,
}

/// Where records go.
enum Sink {
    Stdout(std::io::BufWriter<std::io::Stdout>),
    File(AtomicFile),
}

impl Sink {
    fn write_line(&mut self, line: &str) -> std::io::Result<()> {
        let w: &mut dyn Write = match self {
            Sink::Stdout(w) => w,
            Sink::File(f) => f,
        };
        w.write_all(line.as_bytes())?;
        w.write_all(b"\n")
    }
    fn finish(self) -> std::io::Result<()> {
        match self {
            Sink::Stdout(mut w) => w.flush(),
            Sink::File(f) => f.commit(),
        }
    }
}

fn fatal(what: &str, path: &Path, e: std::io::Error) -> ExitCode {
    eprintln!("formsift: cannot {what} {}: {e}", path.display());
    ExitCode::from(1)
}

/// Runs `extract`.
pub fn run(args: ExtractArgs) -> ExitCode {
    let started = Instant::now();
    let template = match super::load_template(args.template.as_deref()) {
        Ok(t) => t,
        Err(code) => return code,
    };
    if let Some(n) = args.jobs {
        // Fails only if a pool already exists; the existing pool is then used.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }

    // Inputs.
    let mut paths = args.paths.clone();
    if let Some(list) = &args.files_from {
        match read_list(list) {
            Ok(more) => paths.extend(more),
            Err(e) => return fatal("read", Path::new(list), e),
        }
    }
    if paths.is_empty() {
        eprintln!(
            "formsift: no input given (PATH… or --files-from FILE); see `formsift extract --help`"
        );
        return ExitCode::from(1);
    }
    let (mut inputs, walk_errors) = ingest::discover(&paths);
    if let Some((k, n)) = args.shard {
        inputs = batch::shard(inputs, k, n);
    }

    // Outputs: opened before any work, so a bad path fails fast.
    let mut sink = match &args.output {
        Some(p) => match AtomicFile::create(p) {
            Ok(f) => Sink::File(f),
            Err(e) => return fatal("write", p, e),
        },
        None => Sink::Stdout(std::io::BufWriter::with_capacity(
            1 << 20,
            std::io::stdout(),
        )),
    };
    let mut dead_letter = match &args.errors {
        Some(p) => match AtomicFile::create(p) {
            Ok(f) => Some(f),
            Err(e) => return fatal("write", p, e),
        },
        None => None,
    };
    let version = env!("CARGO_PKG_VERSION");
    let previous = match &args.state {
        Some(p) => match PreviousState::load(p, version, &template.fingerprint) {
            Ok(s) => {
                if let (Some(why), false) = (&s.invalid_reason, args.quiet) {
                    eprintln!(
                        "formsift: state {}: {why}; processing every input",
                        p.display()
                    );
                }
                Some(s)
            }
            Err(e) => return fatal("read", p, e),
        },
        None => None,
    };
    let mut state_out = match &args.state {
        Some(p) => match StateWriter::create(p, version, &template.fingerprint) {
            Ok(w) => Some(w),
            Err(e) => return fatal("write", p, e),
        },
        None => None,
    };

    let progress = make_progress(&args, inputs.len());
    let timings = args.timings.then(Timings::default);
    let opts = BatchOptions {
        max_file_size: args.max_file_size,
        encoding: args.encoding,
        serialize: true,
        ..BatchOptions::default()
    };
    let mut summary = Summary {
        formsift: version.to_string(),
        template: template.id.to_string(),
        ..Summary::default()
    };
    // Directories that could not be walked are failures like any input's.
    for e in &walk_errors {
        eprintln!("formsift: {e}");
        summary.files += 1;
        summary.failed_files += 1;
        if let Some(dl) = dead_letter.as_mut() {
            if let Err(err) = write_dead_letter(dl, e.path(), e.kind(), &e.to_string()) {
                return fatal(
                    "write",
                    args.errors.as_deref().unwrap_or(Path::new("-")),
                    err,
                );
            }
        }
    }
    let mut last_log = Instant::now();

    let reuse = previous.as_ref().map(|p| p as &dyn batch::Reuse);
    let result = batch::run(
        &inputs,
        &template,
        &opts,
        reuse,
        timings.as_ref(),
        |r: InputResult| {
            let t = Instant::now();
            summary.files += 1;
            summary.bytes += r.bytes;
            let done = summary.files;
            let entry = match r.outcome {
                Outcome::Records(records) => CachedEntry {
                    lines: records.iter().map(emit::to_json_line).collect(),
                    confidences: records.iter().map(|r| r.confidence).collect(),
                    error: None,
                },
                Outcome::Serialized(entry) => entry,
                Outcome::Failed(e) => CachedEntry {
                    lines: Vec::new(),
                    confidences: Vec::new(),
                    error: Some((e.kind().to_string(), e.to_string())),
                },
                Outcome::Cached(entry) => {
                    summary.reused_files += 1;
                    entry
                }
            };
            for line in &entry.lines {
                sink.write_line(line).map_err(|e| ("write output", e))?;
            }
            summary.forms += entry.lines.len();
            summary.low_confidence_records += entry
                .confidences
                .iter()
                .filter(|&&c| c < args.low_confidence)
                .count();
            if let Some((kind, message)) = &entry.error {
                summary.failed_files += 1;
                progress.suspend(|| eprintln!("formsift: {message}"));
                if let Some(dl) = dead_letter.as_mut() {
                    write_dead_letter(dl, &r.path, kind, message)
                        .map_err(|e| ("write dead letter", e))?;
                }
            }
            if let (Some(w), Some(h)) = (state_out.as_mut(), &r.hash) {
                w.add(&r.path, h, &entry).map_err(|e| ("write state", e))?;
            }
            if let Some(tm) = &timings {
                Timings::add(&tm.emit, t);
            }
            progress.inc(1);
            let secs = started.elapsed().as_secs_f64().max(1e-9);
            progress.set_message(format!(
                "{} forms, {:.0} forms/s, {} failed",
                summary.forms,
                summary.forms as f64 / secs,
                summary.failed_files
            ));
            if args.progress == Progress::Always
                && !args.quiet
                && progress.is_hidden()
                && last_log.elapsed() > Duration::from_secs(5)
            {
                last_log = Instant::now();
                eprintln!(
                    "formsift: {}/{} files, {} forms, {:.0} forms/s, {} failed",
                    done,
                    inputs.len() + walk_errors.len(),
                    summary.forms,
                    summary.forms as f64 / secs,
                    summary.failed_files
                );
            }
            Ok(())
        },
    );
    progress.finish_and_clear();
    if let Err((what, e)) = result {
        eprintln!("formsift: cannot {what}: {e}; previous outputs are left as they were");
        return ExitCode::from(1);
    }

    // Commit in dependency order: records, then the dead letter, then the
    // state that vouches for them.
    if let Err(e) = sink.finish() {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("formsift: cannot write output: {e}");
            return ExitCode::from(1);
        }
    }
    if let Some(dl) = dead_letter {
        if let Err(e) = dl.commit() {
            return fatal("write", args.errors.as_deref().unwrap_or(Path::new("-")), e);
        }
    }
    if let Some(w) = state_out {
        if let Err(e) = w.commit() {
            return fatal("write", args.state.as_deref().unwrap_or(Path::new("-")), e);
        }
    }

    summary.elapsed_s = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    summary.forms_per_s = (summary.forms as f64 / summary.elapsed_s.max(1e-9)).round();
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
        eprintln!("formsift: time per stage (summed over threads):");
        for (stage, secs) in t.report() {
            let per_form = if summary.forms > 0 {
                secs * 1e6 / summary.forms as f64
            } else {
                0.0
            };
            eprintln!("  {stage:<32} {secs:>9.3} s  {per_form:>9.1} µs/form");
        }
    }
    if let Some(p) = &args.summary_json {
        let json = serde_json::to_string_pretty(&summary).unwrap_or_default() + "\n";
        if let Err(e) = emit::write_atomic(p, json.as_bytes()) {
            return fatal("write", p, e);
        }
    }
    if summary.failed_files > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

fn write_dead_letter(
    out: &mut AtomicFile,
    path: &str,
    kind: &str,
    message: &str,
) -> std::io::Result<()> {
    let line = serde_json::json!({
        "source": path,
        "error": {"kind": kind, "message": message},
    });
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}

fn read_list(list: &str) -> std::io::Result<Vec<String>> {
    let text = if list == "-" {
        std::io::read_to_string(std::io::stdin())?
    } else {
        std::fs::read_to_string(list)?
    };
    Ok(text
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect())
}

fn make_progress(args: &ExtractArgs, total: usize) -> ProgressBar {
    let show = !args.quiet && args.progress != Progress::Never && std::io::stderr().is_terminal();
    if !show {
        return ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{elapsed_precise} [{bar:30}] {pos}/{len} files  {msg}  ETA {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
