//! Ingest: find the input files and turn their bytes into text.
//!
//! This is one of the two stages allowed to fail (the other is template
//! loading): an unreadable or undecodable input becomes an [`IngestError`]
//! naming the file, and the batch goes on with the next one.

use crate::error::IngestError;
use std::io::Read;
use std::path::{Path, PathBuf};

/// File extensions picked up when a directory is given.
pub const EXTENSIONS: &[&str] = &["md", "markdown", "txt", "html", "htm"];

/// Expands the command-line paths into the list of inputs, in order:
/// files as given, directories walked recursively with entries sorted by
/// name, `-` kept as stdin. Directory entries that cannot be read are
/// returned as errors rather than silently skipped.
pub fn discover(paths: &[String]) -> (Vec<String>, Vec<IngestError>) {
    let mut inputs = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p == "-" {
            inputs.push(p.clone());
            continue;
        }
        let path = Path::new(p);
        if path.is_dir() {
            let mut found = Vec::new();
            walk(path, &mut found, &mut errors, 0);
            found.sort();
            inputs.extend(found.into_iter().map(|f| f.to_string_lossy().into_owned()));
        } else {
            inputs.push(p.clone());
        }
    }
    (inputs, errors)
}

/// Directory depth past which the walk stops (guards against link loops).
const MAX_DEPTH: usize = 64;

fn walk(dir: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<IngestError>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(source) => {
            errors.push(IngestError::Io {
                path: dir.to_string_lossy().into_owned(),
                source,
            });
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        // Symlinked directories are not followed: a link loop must not hang.
        let is_link = std::fs::symlink_metadata(&path)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false);
        if path.is_dir() {
            if !is_link {
                walk(&path, out, errors, depth + 1);
            }
        } else if has_known_extension(&path) {
            out.push(path);
        }
    }
}

fn has_known_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        .unwrap_or(false)
}

/// Default largest input accepted (bytes).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

/// Reads an input (`-` is stdin) within the default size limit and decodes
/// it to text.
pub fn read_input(path_label: &str) -> Result<String, IngestError> {
    decode(path_label, read_bytes(path_label, DEFAULT_MAX_FILE_SIZE)?)
}

/// Reads one input within the size limit (`-` is stdin).
pub fn read_bytes(path: &str, max: u64) -> Result<Vec<u8>, IngestError> {
    let io = |source| IngestError::Io {
        path: path.to_string(),
        source,
    };
    let too_large = |size| IngestError::TooLarge {
        path: path.to_string(),
        size,
        max,
    };
    if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .take(max.saturating_add(1))
            .read_to_end(&mut buf)
            .map_err(io)?;
        if buf.len() as u64 > max {
            return Err(too_large(buf.len() as u64));
        }
        return Ok(buf);
    }
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(IngestError::NotAFile {
            path: path.to_string(),
        });
    }
    if meta.len() > max {
        return Err(too_large(meta.len()));
    }
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut buf = Vec::with_capacity(meta.len() as usize + 1);
    // `take` guards against a file that grew since the metadata call.
    (&mut file)
        .take(max.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(io)?;
    if buf.len() as u64 > max {
        return Err(too_large(buf.len() as u64));
    }
    Ok(buf)
}

/// Decodes bytes as UTF-8 (a leading BOM is dropped). Empty input and
/// invalid UTF-8 are errors naming the file and where the problem is.
pub fn decode(path_label: &str, bytes: Vec<u8>) -> Result<String, IngestError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(IngestError::Empty {
            path: path_label.to_string(),
        });
    }
    match std::str::from_utf8(body) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => {
            let offset = e.valid_up_to();
            let line = 1 + body[..offset].iter().filter(|&&b| b == b'\n').count();
            Err(IngestError::NotUtf8 {
                path: path_label.to_string(),
                offset,
                line,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_large_and_not_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.md");
        std::fs::write(&p, vec![b'x'; 100]).unwrap();
        let err = read_bytes(p.to_str().unwrap(), 10).unwrap_err();
        assert_eq!(err.kind(), "too_large");
        assert!(err.to_string().contains("100 bytes"), "{err}");
        let err = read_bytes(dir.path().to_str().unwrap(), 10).unwrap_err();
        assert_eq!(err.kind(), "unreadable");
    }

    #[test]
    fn bom_is_dropped() {
        let s = decode("a", b"\xEF\xBB\xBFhello".to_vec()).unwrap();
        assert_eq!(s, "hello");
    }

    #[test]
    fn empty_and_whitespace_only_are_errors() {
        assert!(matches!(
            decode("e.md", Vec::new()),
            Err(IngestError::Empty { .. })
        ));
        assert!(matches!(
            decode("e.md", b" \n\r\n".to_vec()),
            Err(IngestError::Empty { .. })
        ));
    }

    #[test]
    fn invalid_utf8_names_file_and_line() {
        let err = decode("bad.md", b"ok\nline two \xB0\xCD".to_vec()).unwrap_err();
        match &err {
            IngestError::NotUtf8 { path, offset, line } => {
                assert_eq!(path, "bad.md");
                assert_eq!(*offset, 12);
                assert_eq!(*line, 2);
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("bad.md"));
    }

    #[test]
    fn discover_walks_directories_sorted_and_filters_extensions() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("sub")).unwrap();
        std::fs::write(d.join("b.md"), "x").unwrap();
        std::fs::write(d.join("a.txt"), "x").unwrap();
        std::fs::write(d.join("c.pdf"), "x").unwrap();
        std::fs::write(d.join("sub/z.html"), "x").unwrap();
        let (inputs, errors) = discover(&[d.to_string_lossy().into_owned()]);
        assert!(errors.is_empty());
        let names: Vec<String> = inputs
            .iter()
            .map(|p| {
                Path::new(p)
                    .strip_prefix(d)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, vec!["a.txt", "b.md", "sub/z.html"]);
    }
}
