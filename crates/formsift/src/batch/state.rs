//! Incremental runs: the state file remembers, for each input, the blake3
//! of its bytes and the output it gave, together with the formsift version
//! and the template's fingerprint. A re-run reuses the output of every input
//! whose bytes are unchanged (and reprocesses everything when the tool or
//! the template changed), so its output equals a full run's.
//!
//! Layout: JSON Lines. The first line is the header
//! `{"formsift_state":1,"formsift":"0.1.0","template":"<fingerprint>"}`;
//! each further line is one input:
//! `{"path":…,"hash":…,"lines":[…records as written…],"confidences":[…],"error":null}`.
//! Loading keeps only an index (path → hash, byte offset), not the entries,
//! so memory stays small however large the corpus.

use super::window::{CachedEntry, Reuse};
use crate::emit::AtomicFile;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const STATE_FORMAT: u32 = 1;

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Header {
    formsift_state: u32,
    formsift: String,
    template: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    path: String,
    hash: String,
    #[serde(flatten)]
    cached: CachedEntry,
}

/// The state of the previous run, indexed.
#[derive(Debug)]
pub struct PreviousState {
    file: PathBuf,
    index: HashMap<String, (String, u64, usize)>,
    /// Why nothing can be reused, when that is the case.
    pub invalid_reason: Option<String>,
}

impl PreviousState {
    /// Loads the index of `path`. A missing file is an empty state; a state
    /// written by another formsift version or for another template is kept
    /// but reuses nothing (`invalid_reason` says why).
    pub fn load(path: &Path, version: &str, template_fingerprint: &str) -> std::io::Result<Self> {
        let mut state = PreviousState {
            file: path.to_path_buf(),
            index: HashMap::new(),
            invalid_reason: None,
        };
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(state),
            Err(e) => return Err(e),
        };
        let mut reader = BufReader::new(file);
        let mut line = String::new();
        let mut offset = reader.read_line(&mut line)? as u64;
        let want = Header {
            formsift_state: STATE_FORMAT,
            formsift: version.to_string(),
            template: template_fingerprint.to_string(),
        };
        match serde_json::from_str::<Header>(line.trim_end()) {
            Ok(h) if h == want => {}
            Ok(h) => {
                state.invalid_reason = Some(if h.formsift != want.formsift {
                    format!(
                        "written by formsift {}, this is {}",
                        h.formsift, want.formsift
                    )
                } else {
                    "the template changed".to_string()
                });
                return Ok(state);
            }
            Err(_) => {
                state.invalid_reason = Some("not a formsift state file".to_string());
                return Ok(state);
            }
        }
        #[derive(Deserialize)]
        struct Key {
            path: String,
            hash: String,
        }
        loop {
            line.clear();
            let n = reader.read_line(&mut line)?;
            if n == 0 {
                break;
            }
            // A line that does not parse (a truncated file) is simply not reused.
            if let Ok(k) = serde_json::from_str::<Key>(line.trim_end()) {
                state.index.insert(k.path, (k.hash, offset, n));
            }
            offset += n as u64;
        }
        Ok(state)
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.index.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}

impl Reuse for PreviousState {
    fn lookup(&self, path: &str, hash: &str) -> Option<CachedEntry> {
        let (h, offset, len) = self.index.get(path)?;
        if h != hash {
            return None;
        }
        let mut f = std::fs::File::open(&self.file).ok()?;
        f.seek(SeekFrom::Start(*offset)).ok()?;
        let mut buf = vec![0u8; *len];
        f.read_exact(&mut buf).ok()?;
        let entry: Entry = serde_json::from_slice(&buf).ok()?;
        (entry.path == path && entry.hash == hash).then_some(entry.cached)
    }
}

/// Writes the new state, atomically, as the run goes.
pub struct StateWriter {
    out: AtomicFile,
}

impl StateWriter {
    pub fn create(path: &Path, version: &str, template_fingerprint: &str) -> std::io::Result<Self> {
        let mut out = AtomicFile::create(path)?;
        let header = Header {
            formsift_state: STATE_FORMAT,
            formsift: version.to_string(),
            template: template_fingerprint.to_string(),
        };
        serde_json::to_writer(&mut out, &header)?;
        out.write_all(b"\n")?;
        Ok(StateWriter { out })
    }

    pub fn add(&mut self, path: &str, hash: &str, cached: &CachedEntry) -> std::io::Result<()> {
        let entry = Entry {
            path: path.to_string(),
            hash: hash.to_string(),
            cached: cached.clone(),
        };
        serde_json::to_writer(&mut self.out, &entry)?;
        self.out.write_all(b"\n")
    }

    pub fn commit(self) -> std::io::Result<()> {
        self.out.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_invalidation() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("state.jsonl");
        let entry = CachedEntry {
            lines: vec!["{\"a\":1}".into()],
            confidences: vec![0.9],
            error: None,
        };
        let mut w = StateWriter::create(&p, "1.0", "tpl").unwrap();
        w.add("x.md", "h1", &entry).unwrap();
        w.add(
            "y.md",
            "h2",
            &CachedEntry {
                lines: vec![],
                confidences: vec![],
                error: Some(("no_form".into(), "y.md: no form".into())),
            },
        )
        .unwrap();
        w.commit().unwrap();

        let s = PreviousState::load(&p, "1.0", "tpl").unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s.lookup("x.md", "h1"), Some(entry));
        assert_eq!(s.lookup("x.md", "changed"), None);
        assert_eq!(s.lookup("z.md", "h1"), None);
        assert_eq!(s.lookup("y.md", "h2").unwrap().error.unwrap().0, "no_form");

        let other = PreviousState::load(&p, "1.1", "tpl").unwrap();
        assert!(other.is_empty());
        assert!(other.invalid_reason.unwrap().contains("1.1"));
        let other = PreviousState::load(&p, "1.0", "tpl2").unwrap();
        assert_eq!(
            other.invalid_reason.as_deref(),
            Some("the template changed")
        );
        let missing = PreviousState::load(&dir.path().join("none"), "1.0", "tpl").unwrap();
        assert!(missing.is_empty() && missing.invalid_reason.is_none());
    }
}
