//! Typed errors. Only ingest (I/O, decoding) and template loading can fail;
//! every later stage reports odd input as diagnostics inside the record.

use std::path::PathBuf;

/// Why one input produced no record. Each variant names the input.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not valid UTF-8 (first bad byte at offset {offset}, line {line})")]
    NotUtf8 {
        path: String,
        offset: usize,
        line: usize,
    },
    #[error("{path}: too large ({size} bytes; the limit is {max} bytes, see --max-file-size)")]
    TooLarge { path: String, size: u64, max: u64 },
    #[error("{path}: not a regular file")]
    NotAFile { path: String },
    #[error("{path}: not valid UTF-8 (first bad byte at offset {offset}, line {line}) and not GB18030/GBK/Big5 either; name the encoding with --encoding")]
    Undetected {
        path: String,
        offset: usize,
        line: usize,
    },
    #[error("{path}: cannot decode as {encoding} (first bad byte at offset {offset}, line {line}); name the encoding with --encoding")]
    Undecodable {
        path: String,
        encoding: String,
        offset: usize,
        line: usize,
    },
    #[error("{path}: file is empty")]
    Empty { path: String },
    #[error("{path}: no form found (no title line and no table with the template's labels)")]
    NoForm { path: String },
}

impl IngestError {
    /// The input the error is about.
    pub fn path(&self) -> &str {
        match self {
            IngestError::Io { path, .. }
            | IngestError::TooLarge { path, .. }
            | IngestError::NotAFile { path }
            | IngestError::NotUtf8 { path, .. }
            | IngestError::Undetected { path, .. }
            | IngestError::Undecodable { path, .. }
            | IngestError::Empty { path }
            | IngestError::NoForm { path } => path,
        }
    }

    /// A short machine-readable name, used in error reports.
    pub fn kind(&self) -> &'static str {
        match self {
            IngestError::Io { .. } | IngestError::NotAFile { .. } => "unreadable",
            IngestError::TooLarge { .. } => "too_large",
            IngestError::NotUtf8 { .. }
            | IngestError::Undetected { .. }
            | IngestError::Undecodable { .. } => "undecodable",
            IngestError::Empty { .. } => "empty",
            IngestError::NoForm { .. } => "no_form",
        }
    }
}

/// Why a template file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("{path}: cannot read template: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: invalid template: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: invalid template: {message}")]
    Invalid { path: PathBuf, message: String },
}
