//! Emit: records as JSON Lines, and files written atomically.

use crate::record::Record;
use std::io::Write;
use std::path::Path;

/// One record as one JSON line (no trailing newline). Key order is the
/// contract's; floats are rounded to 3 decimals, so output is identical on
/// every machine.
pub fn to_json_line(record: &Record) -> String {
    // Serializing plain data (strings, numbers, maps) into a String cannot fail.
    serde_json::to_string(record).unwrap_or_else(|e| {
        format!(
            "{{\"error\":\"serialization failed: {}\"}}",
            e.to_string().replace('"', "'")
        )
    })
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, flushed and fsynced, then renamed over `path`. A run killed at
/// any moment leaves either the old file or the new one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".formsift-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // Make the rename itself durable.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.jsonl");
        std::fs::write(&p, "old").unwrap();
        write_atomic(&p, b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new\n");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn atomic_write_into_missing_dir_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no/such/dir/out.jsonl");
        assert!(write_atomic(&p, b"x").is_err());
    }
}
