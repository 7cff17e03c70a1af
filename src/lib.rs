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

pub mod emit;
pub mod error;
pub mod eval;
pub mod extract;
pub mod ingest;
pub mod normalize;
pub mod record;
pub mod repair;
pub mod score;
pub mod segment;
pub mod table;
pub mod template;

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
    let lines = segment::split_lines(text);
    let forms = segment::segment(&lines, template);
    if forms.is_empty() {
        return Err(IngestError::NoForm {
            path: path_label.to_string(),
        });
    }
    let records = forms
        .iter()
        .map(|form| {
            let mut record = extract::extract_form(path_label, form, template);
            score::finish(&mut record, template);
            record
        })
        .collect();
    Ok(records)
}

/// Reads, decodes and processes one input (a file path, or `-` for stdin).
pub fn run_file(path_label: &str, template: &Template) -> Result<Vec<Record>, IngestError> {
    let text = ingest::read_input(path_label)?;
    process_text(path_label, &text, template)
}
