//! Emit: records as JSON Lines, and files written atomically.

pub mod json;

use crate::record::Record;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

impl Record {
    /// The record as one JSON line (no trailing newline), as `formsift
    /// extract` writes it. Key order is the contract's; floats are rounded
    /// to 3 decimals, so output is identical on every machine.
    pub fn to_json_line(&self) -> String {
        let mut out = String::with_capacity(8 * 1024);
        json::write_record(&mut out, self);
        out
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, flushed and fsynced, then renamed over `path`. A run killed at
/// any moment leaves either the old file or the new one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes)?;
    f.commit()
}

/// Temporary files of this process's open [`AtomicFile`]s, so an
/// interrupted run (SIGINT/SIGTERM, see [`remove_temp_files`]) can delete
/// them before it exits.
static OPEN_TEMPS: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Set once [`remove_temp_files`] ran: the process is exiting, and no
/// new temporary file may appear after the cleanup.
static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Creates the temporary file `p` and registers it, under the registry's
/// lock: the cleanup of an interrupted run either sees it or runs before
/// it exists, in which case it is never created.
fn create_registered(p: &Path) -> std::io::Result<File> {
    let mut v = OPEN_TEMPS
        .lock()
        .map_err(|_| std::io::Error::other("temp file registry poisoned"))?;
    if INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::Interrupted,
            "interrupted: no new output is started",
        ));
    }
    let file = File::create(p)?;
    v.push(p.to_path_buf());
    Ok(file)
}

fn unregister_temp(p: &Path) {
    if let Ok(mut v) = OPEN_TEMPS.lock() {
        v.retain(|x| x != p);
    }
}

/// Deletes the temporary files of every uncommitted [`AtomicFile`]; called
/// from a signal handler before the process exits, so an interrupted run
/// leaves only the previous outputs behind. From then on no new
/// [`AtomicFile`] can be created in the process (a worker racing the
/// cleanup gets an `Interrupted` error instead of a file left behind).
pub fn remove_temp_files() {
    if let Ok(v) = OPEN_TEMPS.lock() {
        INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
        for p in v.iter() {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// An output file written in place of `dest` only when complete.
///
/// Data goes to `.<name>.formsift-<pid>.tmp` in the same directory; `commit`
/// flushes, fsyncs and renames it over `dest` (then fsyncs the directory).
/// Dropped without `commit`, the temporary file is removed. A run killed
/// with SIGKILL leaves its temporary file behind; the next run writing the
/// same `dest` removes temporaries of processes that no longer exist. So the
/// previous `dest` is intact at every moment and never half-written.
pub struct AtomicFile {
    dest: PathBuf,
    /// `None` when writing straight to `dest` (see [`AtomicFile::create`]).
    tmp: Option<PathBuf>,
    out: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Opens the output. When `dest` exists and is not a regular file (a
    /// device such as `/dev/null` or `/dev/stdout`, a FIFO), it is written
    /// directly: renaming a temp file over it would replace the device.
    pub fn create(dest: &Path) -> std::io::Result<AtomicFile> {
        if let Ok(meta) = std::fs::metadata(dest) {
            if !meta.is_file() && !meta.is_dir() {
                let file = std::fs::OpenOptions::new().write(true).open(dest)?;
                return Ok(AtomicFile {
                    dest: dest.to_path_buf(),
                    tmp: None,
                    out: Some(BufWriter::with_capacity(1 << 20, file)),
                });
            }
        }
        let dir = parent_dir(dest);
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "output".to_string());
        let prefix = format!(".{name}.formsift-");
        remove_stale_temps(dir, &prefix);
        let tmp = dir.join(format!("{prefix}{}.tmp", std::process::id()));
        let file = create_registered(&tmp)?;
        Ok(AtomicFile {
            dest: dest.to_path_buf(),
            tmp: Some(tmp),
            out: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    /// Makes the file visible at `dest`, durably.
    pub fn commit(mut self) -> std::io::Result<()> {
        let Some(out) = self.out.take() else {
            return Ok(());
        };
        let file = out.into_inner().map_err(|e| e.into_error())?;
        let Some(tmp) = self.tmp.take() else {
            // A device or FIFO: written in place, nothing to rename.
            return Ok(());
        };
        file.sync_all()?;
        std::fs::rename(&tmp, &self.dest)?;
        unregister_temp(&tmp);
        if let Ok(d) = File::open(parent_dir(&self.dest)) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.out {
            Some(o) => o.write(buf),
            None => Err(std::io::Error::other("file already committed")),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.out {
            Some(o) => o.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let (Some(_), Some(tmp)) = (self.out.take(), &self.tmp) {
            let _ = std::fs::remove_file(tmp);
            unregister_temp(tmp);
        }
    }
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Removes `<prefix><pid>.tmp` files whose process is gone (Linux: no
/// `/proc/<pid>`). Elsewhere nothing is removed.
fn remove_stale_temps(dir: &Path, prefix: &str) {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(".tmp"))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_file(e.path());
        }
    }
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
    fn atomic_file_commits_or_leaves_the_old_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.jsonl");
        std::fs::write(&p, "old").unwrap();
        // A stale temp of a dead process is cleaned up.
        let stale = dir.path().join(".out.jsonl.formsift-999999999.tmp");
        std::fs::write(&stale, "half").unwrap();
        {
            let mut f = AtomicFile::create(&p).unwrap();
            f.write_all(b"partial").unwrap();
            // dropped without commit
        }
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "old");
        assert!(!stale.exists());
        let mut f = AtomicFile::create(&p).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn devices_are_written_in_place_not_replaced() {
        let null = Path::new("/dev/null");
        let mut f = AtomicFile::create(null).unwrap();
        f.write_all(b"discarded").unwrap();
        f.commit().unwrap();
        let meta = std::fs::metadata(null).unwrap();
        assert!(!meta.is_file(), "/dev/null was replaced by a regular file");
        write_atomic(null, b"x").unwrap();
        assert!(!std::fs::metadata(null).unwrap().is_file());
    }

    #[test]
    fn atomic_write_into_missing_dir_fails_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no/such/dir/out.jsonl");
        assert!(write_atomic(&p, b"x").is_err());
    }
}
