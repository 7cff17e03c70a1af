//! Typed errors, each naming its file (and line, where there is one).
//!
//! Only reading and decoding an input ([`InputError`]), loading a template
//! ([`TemplateError`]) and writing an output ([`Error::Output`]) can fail;
//! every stage after decoding reports odd input as diagnostics inside the
//! record instead.

use std::path::PathBuf;

/// Everything the library can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// One input gave no record; a batch goes on with the others.
    #[error(transparent)]
    Input(#[from] InputError),
    /// A template file cannot be used.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// An output (records, dead letter, state, summary) cannot be written,
    /// or a state file cannot be read; previous outputs are left as they
    /// were.
    #[error("cannot {action} {}: {source}", path.display())]
    Output {
        /// What was being done: `write`, `read`.
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    /// A short machine-readable name: an [`InputError::kind`], or
    /// `template`, `output`.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Input(e) => e.kind(),
            Error::Template(_) => "template",
            Error::Output { .. } => "output",
        }
    }

    pub fn output(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        Error::Output {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Why one input produced no record. Each variant names the input.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
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

impl InputError {
    /// The input the error is about.
    pub fn path(&self) -> &str {
        match self {
            InputError::Io { path, .. }
            | InputError::TooLarge { path, .. }
            | InputError::NotAFile { path }
            | InputError::NotUtf8 { path, .. }
            | InputError::Undetected { path, .. }
            | InputError::Undecodable { path, .. }
            | InputError::Empty { path }
            | InputError::NoForm { path } => path,
        }
    }

    /// A short machine-readable name, written to the dead letter:
    /// `unreadable`, `too_large`, `undecodable`, `empty`, `no_form`.
    pub fn kind(&self) -> &'static str {
        match self {
            InputError::Io { .. } | InputError::NotAFile { .. } => "unreadable",
            InputError::TooLarge { .. } => "too_large",
            InputError::NotUtf8 { .. }
            | InputError::Undetected { .. }
            | InputError::Undecodable { .. } => "undecodable",
            InputError::Empty { .. } => "empty",
            InputError::NoForm { .. } => "no_form",
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
