//! The library's front door: an [`Extractor`] is a compiled template plus
//! the options that change what a run produces (encoding, size limit,
//! calibration), and runs the stage chain on one input at a time.
//!
//! ```text
//! bytes ─ingest─▶ text ─segment─▶ forms ─table─▶ grids + free lines ─extract─▶ record ─score─▶ record
//! ```
//!
//! It is cheap to clone (the template is shared) and `Sync`: batch runs
//! share one across threads.

use crate::error::{Error, InputError};
use crate::record::Record;
use crate::score::Calibration;
use crate::template::Template;
use crate::{extract, ingest, score, segment, table};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

/// Extracts records from documents with one template.
///
/// ```
/// use formsift::Extractor;
/// let extractor = Extractor::builtin();
/// let text = "# 巴中市市级部门预算项目支出绩效目标表\n\n项目名称\t\t示例项目\t\t\n";
/// let records = extractor.extract_text("demo.md", text).unwrap();
/// let name = records[0].field("project_name").unwrap();
/// assert_eq!(name.value.as_text(), Some("示例项目"));
/// ```
#[derive(Debug, Clone)]
pub struct Extractor {
    template: Arc<Template>,
    calibration: Arc<Calibration>,
    /// Hash of a calibration table other than the built-in one: part of
    /// the fingerprint an incremental run checks.
    calibration_hash: Option<String>,
    encoding: Option<&'static encoding_rs::Encoding>,
    max_file_size: u64,
    timings: Option<Arc<Timings>>,
}

impl Extractor {
    /// An extractor for `template`, with the default options: encoding
    /// detected, inputs up to [`DEFAULT_MAX_FILE_SIZE`](crate::DEFAULT_MAX_FILE_SIZE),
    /// confidences through the built-in calibration table.
    pub fn new(template: Template) -> Extractor {
        Extractor {
            template: Arc::new(template),
            calibration: Arc::new(Calibration::builtin().clone()),
            calibration_hash: None,
            encoding: None,
            max_file_size: ingest::DEFAULT_MAX_FILE_SIZE,
            timings: None,
        }
    }

    /// An extractor for the built-in `perf-target` template.
    pub fn builtin() -> Extractor {
        Extractor::new(Template::builtin())
    }

    /// Decode every input as `encoding` instead of detecting it (`None`:
    /// detect).
    pub fn with_encoding(mut self, encoding: Option<&'static encoding_rs::Encoding>) -> Self {
        self.encoding = encoding;
        self
    }

    /// Refuse inputs larger than `bytes` (`too_large`).
    pub fn with_max_file_size(mut self, bytes: u64) -> Self {
        self.max_file_size = bytes;
        self
    }

    /// Turn evidence into confidence with `calibration`;
    /// [`Calibration::identity`] leaves the raw evidence scores, which is
    /// what a refit (`formsift calibrate`) is fitted on.
    pub fn with_calibration(mut self, calibration: Calibration) -> Self {
        self.calibration_hash = (&calibration != Calibration::builtin()).then(|| {
            let json = serde_json::to_vec(&calibration).unwrap_or_default();
            blake3::hash(&json).to_hex()[..16].to_string()
        });
        self.calibration = Arc::new(calibration);
        self
    }

    /// What the output depends on besides the input and formsift's
    /// version: the template's fingerprint, and the calibration table's
    /// when it is not the built-in one. An incremental run (`--state`)
    /// reprocesses everything when it changes.
    pub fn fingerprint(&self) -> String {
        match &self.calibration_hash {
            Some(h) => format!("{}+calibration:{h}", self.template.fingerprint),
            None => self.template.fingerprint.clone(),
        }
    }

    /// Add the time spent per stage to `timings` (summed over threads).
    pub fn with_timings(mut self, timings: Arc<Timings>) -> Self {
        self.timings = Some(timings);
        self
    }

    pub fn template(&self) -> &Template {
        &self.template
    }

    pub fn max_file_size(&self) -> u64 {
        self.max_file_size
    }

    /// Reads, decodes and extracts one input: a file path, or `-` for
    /// standard input.
    pub fn extract_file(&self, path: &str) -> Result<Vec<Record>, Error> {
        let bytes = ingest::read_bytes(path, self.max_file_size)?;
        Ok(self.extract_bytes(path, bytes)?)
    }

    /// Decodes and extracts one input's bytes; `path_label` names it in
    /// records and errors.
    pub fn extract_bytes(
        &self,
        path_label: &str,
        bytes: Vec<u8>,
    ) -> Result<Vec<Record>, InputError> {
        let t0 = self.clock();
        let text = ingest::decode_with(path_label, bytes, self.encoding)?;
        self.lap(|t| &t.decode, t0);
        self.extract_text(path_label, &text)
    }

    /// Runs every stage after decoding on one document: one record per
    /// form, in document order. Fails only when the text holds no form.
    pub fn extract_text(&self, path_label: &str, text: &str) -> Result<Vec<Record>, InputError> {
        use rayon::prelude::*;
        let t0 = self.clock();
        let lines = crate::text::lines::split_lines(text);
        let forms = segment::segment(&lines, &self.template);
        self.lap(|t| &t.segment, t0);
        if forms.is_empty() {
            return Err(InputError::NoForm {
                path: path_label.to_string(),
            });
        }
        // One copy of the path, shared by the file's records.
        let shared_path: Arc<str> = path_label.into();
        // Forms of one document are independent: processed in parallel,
        // collected in order.
        Ok(forms
            .par_iter()
            .map(|form| {
                let t1 = self.clock();
                let layout = table::layout(&form.lines, form.title);
                let mut record = extract::extract_form(&shared_path, form, &layout, &self.template);
                let t2 = self.lap(|t| &t.extract, t1);
                score::finish_with(&mut record, &self.template, &self.calibration);
                self.lap(|t| &t.score, t2);
                record
            })
            .collect())
    }

    /// The time now, when timings are asked for (the clock is not read
    /// otherwise).
    pub(crate) fn clock(&self) -> Option<Instant> {
        self.timings.as_ref().map(|_| Instant::now())
    }

    /// Adds the time since `since` to the counter `stage` picks; returns
    /// the time now (for the next stage).
    pub(crate) fn lap(
        &self,
        stage: impl Fn(&Timings) -> &AtomicU64,
        since: Option<Instant>,
    ) -> Option<Instant> {
        let (t, since) = (self.timings.as_deref()?, since?);
        let now = Instant::now();
        stage(t).fetch_add((now - since).as_nanos() as u64, Ordering::Relaxed);
        Some(now)
    }
}

/// Time spent per stage, summed over all threads (nanoseconds).
#[derive(Debug, Default)]
pub struct Timings {
    pub(crate) read: AtomicU64,
    pub(crate) decode: AtomicU64,
    pub(crate) segment: AtomicU64,
    pub(crate) extract: AtomicU64,
    pub(crate) score: AtomicU64,
    pub(crate) emit: AtomicU64,
}

impl Timings {
    /// (stage, seconds) in pipeline order.
    pub fn report(&self) -> Vec<(&'static str, f64)> {
        let s = |c: &AtomicU64| c.load(Ordering::Relaxed) as f64 / 1e9;
        vec![
            ("read", s(&self.read)),
            ("decode", s(&self.decode)),
            ("segment", s(&self.segment)),
            ("table+normalize+repair+extract", s(&self.extract)),
            ("score", s(&self.score)),
            ("emit", s(&self.emit)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An incremental run must notice a different calibration table: the
    /// fingerprint is the template's with the built-in table, and changes
    /// with any other.
    #[test]
    fn fingerprint_follows_the_calibration_table() {
        let builtin = Extractor::builtin();
        assert_eq!(builtin.fingerprint(), builtin.template().fingerprint());
        let same = Extractor::builtin().with_calibration(Calibration::builtin().clone());
        assert_eq!(same.fingerprint(), builtin.fingerprint());
        let identity = Extractor::builtin().with_calibration(Calibration::default());
        assert_ne!(identity.fingerprint(), builtin.fingerprint());
        assert!(identity
            .fingerprint()
            .starts_with(builtin.template().fingerprint()));
    }
}
