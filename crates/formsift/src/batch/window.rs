//! Windows: many inputs processed in parallel, results handed back in
//! input order, memory bounded.
//!
//! Inputs are taken in windows (a few per worker thread, capped in bytes);
//! each window is processed in parallel with rayon (files, and forms within a
//! file), then its results are passed to the caller's sink in input order
//! before the next window starts. So output order never depends on the
//! thread count and at most one window of results is held at a time.

use crate::error::InputError;
use crate::extractor::Extractor;
use crate::record::Record;
use rayon::prelude::*;

/// How inputs are grouped for parallel work.
#[derive(Debug, Clone)]
pub struct Windows {
    /// Inputs per parallel window, per worker thread.
    pub per_thread: usize,
    /// Cap on the bytes of one window.
    pub bytes: u64,
    /// Serialize records to JSON lines in the worker threads (so the
    /// ordered sink only writes bytes and does not hold the workers back).
    pub serialize: bool,
}

impl Default for Windows {
    fn default() -> Self {
        Windows {
            per_thread: 32,
            bytes: 256 * 1024 * 1024,
            serialize: false,
        }
    }
}

/// What became of one input.
#[derive(Debug)]
pub enum Outcome {
    /// Processed now.
    Records(Vec<Record>),
    /// Processed now and already serialized by the worker
    /// ([`Windows::serialize`]): the JSON lines and confidences.
    Serialized(CachedEntry),
    /// Could not be processed now.
    Failed(InputError),
    /// Unchanged since the run recorded in the state file: its output then.
    Cached(CachedEntry),
}

/// An input's output from an earlier run, kept in the state file.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CachedEntry {
    /// The JSON lines written for it, verbatim.
    #[serde(default)]
    pub lines: Vec<String>,
    /// Record confidences, for the summary.
    #[serde(default)]
    pub confidences: Vec<f64>,
    /// Set when the input failed: (kind, message).
    #[serde(default)]
    pub error: Option<(String, String)>,
}

impl CachedEntry {
    /// The entry for records processed now.
    pub fn of(records: &[Record]) -> CachedEntry {
        CachedEntry {
            lines: records.iter().map(Record::to_json_line).collect(),
            confidences: records.iter().map(|r| r.confidence).collect(),
            error: None,
        }
    }

    /// The entry for an input that failed now.
    pub fn failed(e: &InputError) -> CachedEntry {
        CachedEntry {
            lines: Vec::new(),
            confidences: Vec::new(),
            error: Some((e.kind().to_string(), e.to_string())),
        }
    }
}

/// One input's outcome.
#[derive(Debug)]
pub struct InputResult {
    pub path: String,
    /// blake3 of the input's bytes (when a state file is in use and the
    /// bytes could be read).
    pub hash: Option<String>,
    /// Size in bytes, when known.
    pub bytes: u64,
    pub outcome: Outcome,
}

/// Something that decides, before an input is processed, whether its
/// previous result can be reused (see [`super::state`]).
pub trait Reuse: Sync {
    /// Returns the cached output for an input whose bytes hash to `hash`.
    fn lookup(&self, path: &str, hash: &str) -> Option<CachedEntry>;
}

/// Processes one input completely.
pub fn process_input(
    path: &str,
    extractor: &Extractor,
    windows: &Windows,
    reuse: Option<&dyn Reuse>,
) -> InputResult {
    let result = |hash, bytes, outcome| InputResult {
        path: path.to_string(),
        hash,
        bytes,
        outcome,
    };
    let t0 = extractor.clock();
    let bytes = match crate::ingest::read_bytes(path, extractor.max_file_size()) {
        Ok(b) => b,
        Err(e) => return result(None, 0, Outcome::Failed(e)),
    };
    let size = bytes.len() as u64;
    let hash = reuse.map(|_| blake3::hash(&bytes).to_hex().to_string());
    extractor.lap(|t| &t.read, t0);
    if let (Some(r), Some(h)) = (reuse, &hash) {
        if let Some(entry) = r.lookup(path, h) {
            return result(hash, size, Outcome::Cached(entry));
        }
    }
    let outcome = match extractor.extract_bytes(path, bytes) {
        Ok(records) if windows.serialize => {
            let t = extractor.clock();
            let entry = CachedEntry::of(&records);
            extractor.lap(|t| &t.emit, t);
            Outcome::Serialized(entry)
        }
        Ok(records) => Outcome::Records(records),
        Err(e) => Outcome::Failed(e),
    };
    result(hash, size, outcome)
}

/// Runs every input and hands each result to `sink`, in input order.
/// `sink` returning an error stops the run (e.g. the output disk is full).
pub fn run<E>(
    inputs: &[String],
    extractor: &Extractor,
    windows: &Windows,
    reuse: Option<&dyn Reuse>,
    mut sink: impl FnMut(InputResult) -> Result<(), E>,
) -> Result<(), E> {
    let per_window = (rayon::current_num_threads() * windows.per_thread).max(1);
    let mut start = 0;
    while start < inputs.len() {
        // Window: up to `per_window` inputs and `window_bytes` bytes.
        let mut end = start;
        let mut bytes = 0u64;
        while end < inputs.len() && end - start < per_window {
            let size = std::fs::metadata(&inputs[end])
                .map(|m| m.len())
                .unwrap_or(0);
            if end > start && bytes + size > windows.bytes {
                break;
            }
            bytes += size;
            end += 1;
        }
        let results: Vec<InputResult> = (start..end)
            .into_par_iter()
            .map(|i| process_input(&inputs[i], extractor, windows, reuse))
            .collect();
        for r in results {
            sink(r)?;
        }
        start = end;
    }
    Ok(())
}

/// Keeps the inputs of shard `k` of `n` (0 ≤ k < n), chosen by a hash of the
/// path, so `n` machines given the same list split it without overlap.
pub fn shard(inputs: Vec<String>, k: u64, n: u64) -> Vec<String> {
    if n <= 1 {
        return inputs;
    }
    inputs
        .into_iter()
        .filter(|p| {
            let h = blake3::hash(p.as_bytes());
            let mut first = [0u8; 8];
            first.copy_from_slice(&h.as_bytes()[..8]);
            u64::from_le_bytes(first) % n == k
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_inputs() {
        let inputs: Vec<String> = (0..1000).map(|i| format!("dir/f{i}.md")).collect();
        let mut seen = Vec::new();
        for k in 0..4 {
            let part = shard(inputs.clone(), k, 4);
            assert!(part.len() > 150 && part.len() < 350, "{}", part.len());
            seen.extend(part);
        }
        seen.sort();
        let mut all = inputs.clone();
        all.sort();
        assert_eq!(seen, all);
        assert_eq!(shard(inputs.clone(), 0, 1), inputs);
    }

    #[test]
    fn results_come_back_in_input_order_whatever_the_threads() {
        let dir = tempfile::tempdir().unwrap();
        let extractor = Extractor::builtin();
        let mut inputs = Vec::new();
        for i in 0..40 {
            let p = dir.path().join(format!("f{i:02}.md"));
            let body = if i % 7 == 3 {
                "no form here\n".to_string()
            } else {
                format!("# 项目支出绩效目标表\n项目名称\t\tP{i}\n")
            };
            std::fs::write(&p, body).unwrap();
            inputs.push(p.to_string_lossy().into_owned());
        }
        let windows = Windows {
            per_thread: 3,
            ..Windows::default()
        };
        let mut order = Vec::new();
        run::<()>(&inputs, &extractor, &windows, None, |r| {
            order.push(r.path);
            Ok(())
        })
        .unwrap();
        assert_eq!(order, inputs);
    }
}
