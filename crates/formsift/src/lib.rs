//! formsift: noisy OCR'd form tables in, clean JSON Lines records out.
//!
//! The pipeline is a chain of small stages, data flowing one way:
//!
//! ```text
//! ingest → segment → table → extract (normalize, repair) → score → emit
//! ```
//!
//! Only reading and decoding an input, loading a template and writing an
//! output can fail ([`Error`]); every stage after decoding takes odd input
//! in its stride and reports what it saw as diagnostics inside the record.
//!
//! The public face is small: an [`Extractor`] (a [`Template`] plus options)
//! turns one document into [`Record`]s; [`run_batch`] runs one over many
//! inputs with the nightly-run protocol (ordered output, dead letter,
//! incremental state, atomic commits). See `ARCHITECTURE.md` for the map.
//!
//! ```
//! use formsift::{Extractor, Template};
//! let extractor = Extractor::new(Template::builtin());
//! let text = "# 巴中市市级部门预算项目支出绩效目标表\n\n项目名称\t\t示例项目\t\t\n";
//! let records = extractor.extract_text("demo.md", text).unwrap();
//! assert_eq!(records[0].field("project_name").unwrap().value.as_text(), Some("示例项目"));
//! println!("{}", records[0].to_json_line());
//! ```

mod batch;
mod emit;
mod error;
mod extract;
mod extractor;
mod fast;
mod ingest;
mod record;
mod score;
mod segment;
mod table;
mod template;
mod text;
mod vocab;

pub use batch::{run_batch, BatchOptions, Observer, Summary};
pub use emit::{remove_temp_files, write_atomic};
pub use encoding_rs::Encoding;
pub use error::{Error, InputError, TemplateError};
pub use extractor::{Extractor, Timings};
pub use ingest::{discover, encoding_for_label, walk_files, DEFAULT_MAX_FILE_SIZE, EXTENSIONS};
pub use record::{
    FieldValue, Indicator, Record, Repair, RepairKind, Source, Unmapped, Value, Warning, SCHEMA,
};
pub use score::{fit_steps, Calibration, ScoreKind, Step};
pub use template::Template;

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
