//! Batch runs: the protocol of an unattended run over many inputs.
//!
//! [`run_batch`] discovers the inputs, processes them in parallel windows
//! ([`window`]), writes records in input order, a dead letter line per
//! failed input, the incremental state ([`state`]) and a summary. Every
//! output is an [`AtomicFile`]: nothing replaces a previous output until
//! the run is complete, and outputs are committed in dependency order —
//! records, then the dead letter, then the state that vouches for them,
//! then the summary. The caller (the CLI) only draws progress, through an
//! [`Observer`].

pub(crate) mod state;
pub(crate) mod window;

use crate::emit::AtomicFile;
use crate::error::Error;
use crate::extractor::Extractor;
use state::{PreviousState, StateWriter};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use window::{CachedEntry, InputResult, Outcome, Windows};

/// Where a batch run's outputs go, and what it counts.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Records (JSON Lines); `None` writes to standard output.
    pub output: Option<PathBuf>,
    /// Dead letter: one JSON line per input that failed.
    pub dead_letter: Option<PathBuf>,
    /// Incremental state: inputs whose bytes did not change since the run
    /// that wrote it are not processed again.
    pub state: Option<PathBuf>,
    /// The run's [`Summary`] as JSON.
    pub summary_json: Option<PathBuf>,
    /// Take only shard K of N (by a hash of each path).
    pub shard: Option<(u64, u64)>,
    /// Records below this confidence count as low-confidence.
    pub low_confidence: f64,
    /// How inputs are grouped for parallel work.
    pub windows: Windows,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            output: None,
            dead_letter: None,
            state: None,
            summary_json: None,
            shard: None,
            low_confidence: 0.5,
            windows: Windows {
                serialize: true,
                ..Windows::default()
            },
        }
    }
}

/// What a batch run did; also written as JSON by `--summary-json`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Summary {
    /// Inputs seen, failed ones included.
    pub files: usize,
    pub forms: usize,
    pub failed_files: usize,
    /// Inputs whose output was reused from the state file.
    pub reused_files: usize,
    pub low_confidence_records: usize,
    pub bytes: u64,
    pub elapsed_s: f64,
    pub forms_per_s: f64,
    /// Version of formsift that ran.
    pub formsift: String,
    /// Id of the template used.
    pub template: String,
}

/// Told about a run as it goes (a progress bar, log lines). Every method
/// has a default that does nothing.
pub trait Observer {
    /// The inputs are known: `total` of them (failed directories included).
    fn started(&mut self, _total: usize) {}
    /// One more input is done; `summary` counts so far.
    fn progressed(&mut self, _summary: &Summary) {}
    /// An input failed; the message names it and says why.
    fn failed(&mut self, _message: &str) {}
    /// Something the user should know that is not a failure.
    fn notice(&mut self, _message: &str) {}
}

/// An observer that ignores everything.
impl Observer for () {}

/// Runs `extractor` over `paths` (files, directories walked recursively,
/// `-` for standard input) and writes the outputs `opts` names.
///
/// One input that fails never stops the run: it is counted, reported to
/// `observer` and written to the dead letter. Only an output that cannot
/// be written (or a state file that cannot be read) stops it, with every
/// previous output left as it was.
pub fn run_batch(
    extractor: &Extractor,
    paths: &[String],
    opts: &BatchOptions,
    observer: &mut dyn Observer,
) -> Result<Summary, Error> {
    let started = Instant::now();
    let (mut inputs, walk_errors) = crate::ingest::discover(paths);
    if let Some((k, n)) = opts.shard {
        inputs = window::shard(inputs, k, n);
    }
    let (mut outputs, previous) = Outputs::open(extractor, opts, observer)?;
    let mut summary = Summary {
        formsift: env!("CARGO_PKG_VERSION").to_string(),
        template: extractor.template().id.to_string(),
        ..Summary::default()
    };
    observer.started(inputs.len() + walk_errors.len());
    // Directories that could not be walked are failures like any input's.
    for e in &walk_errors {
        summary.files += 1;
        outputs.fail(&mut summary, e.path(), e.kind(), &e.to_string(), observer)?;
    }
    let reuse = previous.as_ref().map(|p| p as &dyn window::Reuse);
    window::run(
        &inputs,
        extractor,
        &opts.windows,
        reuse,
        |r: InputResult| {
            let t = extractor.clock();
            outputs.take(&mut summary, r, opts.low_confidence, observer)?;
            extractor.lap(|t| &t.emit, t);
            observer.progressed(&summary);
            Ok::<(), Error>(())
        },
    )?;
    outputs.commit()?;
    summary.elapsed_s = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    summary.forms_per_s = (summary.forms as f64 / summary.elapsed_s.max(1e-9)).round();
    if let Some(p) = &opts.summary_json {
        let json = serde_json::to_string_pretty(&summary).unwrap_or_default() + "\n";
        crate::emit::write_atomic(p, json.as_bytes()).map_err(|e| Error::output("write", p, e))?;
    }
    Ok(summary)
}

/// Where records go.
enum Sink {
    Stdout(std::io::BufWriter<std::io::Stdout>),
    File(AtomicFile, PathBuf),
}

impl Sink {
    fn path(&self) -> &Path {
        match self {
            Sink::Stdout(_) => Path::new("-"),
            Sink::File(_, p) => p,
        }
    }

    fn write_line(&mut self, line: &str) -> std::io::Result<()> {
        let w: &mut dyn Write = match self {
            Sink::Stdout(w) => w,
            Sink::File(f, _) => f,
        };
        w.write_all(line.as_bytes())?;
        w.write_all(b"\n")
    }

    fn finish(self) -> std::io::Result<()> {
        match self {
            Sink::Stdout(mut w) => match w.flush() {
                // A reader that stopped early (`| head`) is not a failure.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other,
            },
            Sink::File(f, _) => f.commit(),
        }
    }
}

/// A run's open outputs, all uncommitted until [`Outputs::commit`].
struct Outputs {
    sink: Sink,
    dead_letter: Option<(AtomicFile, PathBuf)>,
    state: Option<(StateWriter, PathBuf)>,
}

impl Outputs {
    /// Opens every output before any work, so a bad path fails fast; and
    /// loads the previous run's state, whose outputs may be reused.
    fn open(
        extractor: &Extractor,
        opts: &BatchOptions,
        observer: &mut dyn Observer,
    ) -> Result<(Outputs, Option<PreviousState>), Error> {
        let create = |p: &PathBuf| {
            AtomicFile::create(p)
                .map(|f| (f, p.clone()))
                .map_err(|e| Error::output("write", p, e))
        };
        let sink = match &opts.output {
            Some(p) => {
                let (f, p) = create(p)?;
                Sink::File(f, p)
            }
            None => Sink::Stdout(std::io::BufWriter::with_capacity(
                1 << 20,
                std::io::stdout(),
            )),
        };
        let dead_letter = opts.dead_letter.as_ref().map(create).transpose()?;
        let version = env!("CARGO_PKG_VERSION");
        let fingerprint = &extractor.fingerprint();
        let (previous, state) = match &opts.state {
            Some(p) => {
                let prev = PreviousState::load(p, version, fingerprint)
                    .map_err(|e| Error::output("read", p, e))?;
                if let Some(why) = &prev.invalid_reason {
                    observer.notice(&format!(
                        "state {}: {why}; processing every input",
                        p.display()
                    ));
                }
                let writer = StateWriter::create(p, version, fingerprint)
                    .map_err(|e| Error::output("write", p, e))?;
                (Some(prev), Some((writer, p.clone())))
            }
            None => (None, None),
        };
        let outputs = Outputs {
            sink,
            dead_letter,
            state,
        };
        Ok((outputs, previous))
    }

    /// Writes one input's outcome: its records, or its dead-letter line;
    /// and its state entry.
    fn take(
        &mut self,
        summary: &mut Summary,
        r: InputResult,
        low_confidence: f64,
        observer: &mut dyn Observer,
    ) -> Result<(), Error> {
        summary.files += 1;
        summary.bytes += r.bytes;
        let entry = match r.outcome {
            Outcome::Records(records) => CachedEntry::of(&records),
            Outcome::Serialized(entry) => entry,
            Outcome::Failed(e) => CachedEntry::failed(&e),
            Outcome::Cached(entry) => {
                summary.reused_files += 1;
                entry
            }
        };
        for line in &entry.lines {
            let written = self.sink.write_line(line);
            written.map_err(|e| Error::output("write", self.sink.path(), e))?;
        }
        summary.forms += entry.lines.len();
        summary.low_confidence_records += (entry.confidences.iter())
            .filter(|&&c| c < low_confidence)
            .count();
        if let Some((kind, message)) = &entry.error {
            self.fail(summary, &r.path, kind, message, observer)?;
        }
        if let (Some((w, p)), Some(h)) = (self.state.as_mut(), &r.hash) {
            w.add(&r.path, h, &entry)
                .map_err(|e| Error::output("write", p, e))?;
        }
        Ok(())
    }

    /// Counts and reports a failed input, and writes its dead-letter line.
    fn fail(
        &mut self,
        summary: &mut Summary,
        path: &str,
        kind: &str,
        message: &str,
        observer: &mut dyn Observer,
    ) -> Result<(), Error> {
        summary.failed_files += 1;
        observer.failed(message);
        if let Some((f, p)) = self.dead_letter.as_mut() {
            write_dead_letter(f, path, kind, message).map_err(|e| Error::output("write", p, e))?;
        }
        Ok(())
    }

    /// Commits in dependency order: records, then the dead letter, then the
    /// state that vouches for them.
    fn commit(self) -> Result<(), Error> {
        let sink_path = self.sink.path().to_path_buf();
        self.sink
            .finish()
            .map_err(|e| Error::output("write", &sink_path, e))?;
        if let Some((f, p)) = self.dead_letter {
            f.commit().map_err(|e| Error::output("write", &p, e))?;
        }
        if let Some((w, p)) = self.state {
            w.commit().map_err(|e| Error::output("write", &p, e))?;
        }
        Ok(())
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
