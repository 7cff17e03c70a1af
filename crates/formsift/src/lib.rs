//! formsift: noisy OCR'd form tables in, clean JSON Lines records out.
//!
//! The pipeline is a chain of small stages, data flowing one way:
//!
//! ```text
//! ingest → segment → table → normalize → repair → extract → score → emit
//! ```
//!
//! Only [`ingest`] can fail (I/O, decoding); every later stage takes odd input
//! in its stride and reports what it saw as diagnostics inside the record.
//! The CLI (`src/main.rs`) is a thin shell over [`run_file`] and [`emit`].
//!
//! ```
//! use formsift::{template::Template, process_text};
//! let template = Template::builtin();
//! let text = "# 巴中市市级部门预算项目支出绩效目标表\n\n项目名称\t\t示例项目\t\t\n";
//! let records = process_text("demo.md", text, &template).unwrap();
//! assert_eq!(records[0].field("project_name").unwrap().value.as_text(), Some("示例项目"));
//! ```

pub mod batch;
pub mod emit;
pub mod error;
pub mod extract;
pub mod ingest;
pub mod normalize;
pub mod record;
pub mod repair;
pub mod score;
pub mod segment;
pub mod state;
pub mod table;
pub mod template;

/// Test-only: a path under the repository root (the samples and corpus
/// live there, beside the workspace's crates).
#[cfg(test)]
pub(crate) fn repo_path(rel: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// Test-only: a xorshift64 generator, so the property tests that compare a
/// fast path with its definition on random text are reproducible.
#[cfg(test)]
pub(crate) struct Xorshift(pub u64);

#[cfg(test)]
impl Xorshift {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A string of under `max_len` characters of `alphabet`, each picked by
    /// `bits` bits of one draw.
    pub fn text(&mut self, alphabet: &[char], max_len: u64, bits: usize) -> String {
        let seed = self.next();
        (0..(seed % max_len) as usize)
            .map(|k| alphabet[((seed >> (k * bits)) as usize) % alphabet.len()])
            .collect()
    }
}

pub use encoding_rs;
pub use error::IngestError;
pub use record::Record;

use template::Template;

/// Runs every stage after ingest on one decoded document.
///
/// Returns one record per form, in document order. Fails only when the text
/// holds no form at all ([`IngestError::NoForm`]).
pub fn process_text(
    path_label: &str,
    text: &str,
    template: &Template,
) -> Result<Vec<Record>, IngestError> {
    process_text_timed(path_label, text, template, None)
}

/// [`process_text`], adding the time spent per stage to `timings`. Forms of
/// one document are processed in parallel; their order is kept.
pub fn process_text_timed(
    path_label: &str,
    text: &str,
    template: &Template,
    timings: Option<&batch::Timings>,
) -> Result<Vec<Record>, IngestError> {
    process_text_with(
        path_label,
        text,
        template,
        timings,
        score::Calibration::builtin(),
    )
}

/// [`process_text_timed`] with the calibration table given:
/// [`score::Calibration::identity`] leaves the raw evidence scores, which is
/// what a refit (`formsift calibrate`) is fitted on.
pub fn process_text_with(
    path_label: &str,
    text: &str,
    template: &Template,
    timings: Option<&batch::Timings>,
    calibration: &score::Calibration,
) -> Result<Vec<Record>, IngestError> {
    use rayon::prelude::*;
    use std::time::Instant;
    let t0 = Instant::now();
    let lines = segment::split_lines(text);
    let forms = segment::segment(&lines, template);
    if let Some(t) = timings {
        batch::Timings::add(&t.segment, t0);
    }
    if forms.is_empty() {
        return Err(IngestError::NoForm {
            path: path_label.to_string(),
        });
    }
    // One copy of the path, shared by the file's records.
    let shared_path: std::sync::Arc<str> = path_label.into();
    let records = forms
        .par_iter()
        .map(|form| {
            // The clock is read only when timings are asked for.
            let t1 = timings.map(|_| Instant::now());
            let mut record = extract::extract_form(&shared_path, form, template);
            let t2 = timings.map(|_| Instant::now());
            score::finish_with(&mut record, template, calibration);
            if let (Some(t), Some(t1), Some(t2)) = (timings, t1, t2) {
                t.extract.fetch_add(
                    (t2 - t1).as_nanos() as u64,
                    std::sync::atomic::Ordering::Relaxed,
                );
                batch::Timings::add(&t.score, t2);
            }
            record
        })
        .collect();
    Ok(records)
}

/// Reads, decodes and processes one input (a file path, or `-` for stdin).
pub fn run_file(path_label: &str, template: &Template) -> Result<Vec<Record>, IngestError> {
    run_file_encoded(path_label, template, None)
}

/// [`run_file`] with the input's encoding named (`None`: detected, see
/// [`ingest::decode`]).
pub fn run_file_encoded(
    path_label: &str,
    template: &Template,
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<Vec<Record>, IngestError> {
    let text = ingest::read_input_as(path_label, encoding)?;
    process_text(path_label, &text, template)
}
