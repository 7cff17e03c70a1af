//! The output model: one [`Record`] per form, exactly as `record.md` (the
//! output contract) lays it out. Serialization order is the contract's order,
//! so output is byte-for-byte deterministic.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::sync::Arc;

/// Schema identifier written into every record.
pub const SCHEMA: &str = "formsift.record/1";

/// A field's value: blank, text, a number, or a list of ticked options.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Text(String),
    Number(f64),
    List(Vec<String>),
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }
}

/// A value as JSON: integers without a fraction (`8`, not `8.0`), a
/// non-finite number as `null`.
impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => s.serialize_unit(),
            Value::Text(t) => s.serialize_str(t),
            Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => s.serialize_i64(*n as i64),
            Value::Number(n) if n.is_finite() => s.serialize_f64(*n),
            Value::Number(_) => s.serialize_unit(),
            Value::List(items) => s.collect_seq(items),
        }
    }
}

/// Kinds of repair, as listed in `record.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RepairKind {
    /// A label cut short by the OCR was completed from the template.
    LabelTruncated,
    /// A label with visually confused characters was matched to the template.
    LabelOcrConfusion,
    /// Cells shifted sideways were put back by what they contain.
    ColumnShift,
    /// A value spread over several cells was joined.
    CellSplitMerged,
    /// One cell held several values (name and code) and was split.
    ValueSplit,
    /// Letters confused with digits in a numeric value were read as digits.
    DigitConfusion,
    /// The value was not printed and was inferred from its context.
    InferredFromContext,
    /// A sign before a number read as another character (`三95%`) was
    /// given back from the template's `prefix_readings`.
    SymbolConfusion,
}

impl RepairKind {
    pub const ALL: [RepairKind; 8] = [
        RepairKind::LabelTruncated,
        RepairKind::LabelOcrConfusion,
        RepairKind::ColumnShift,
        RepairKind::CellSplitMerged,
        RepairKind::ValueSplit,
        RepairKind::DigitConfusion,
        RepairKind::InferredFromContext,
        RepairKind::SymbolConfusion,
    ];

    /// The name written to the record (as serde writes it).
    pub fn as_str(self) -> &'static str {
        match self {
            RepairKind::LabelTruncated => "label_truncated",
            RepairKind::LabelOcrConfusion => "label_ocr_confusion",
            RepairKind::ColumnShift => "column_shift",
            RepairKind::CellSplitMerged => "cell_split_merged",
            RepairKind::ValueSplit => "value_split",
            RepairKind::DigitConfusion => "digit_confusion",
            RepairKind::InferredFromContext => "inferred_from_context",
            RepairKind::SymbolConfusion => "symbol_confusion",
        }
    }
}

/// One change made on the way from the printed text to the value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Repair {
    pub kind: RepairKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
}

impl Repair {
    pub fn new(kind: RepairKind) -> Self {
        Repair {
            kind,
            from: None,
            to: None,
        }
    }
    pub fn change(kind: RepairKind, from: &str, to: &str) -> Self {
        Repair {
            kind,
            from: Some(from.to_string()),
            to: Some(to.to_string()),
        }
    }
}

/// What the scorer knows about how a value was found; turned into a
/// confidence by [`crate::score`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Evidence {
    /// Read from a cell found under its label.
    #[default]
    Found,
    /// The label was found and its cell is empty.
    Blank,
    /// The label was not found in the form (optional field).
    AbsentOptional,
    /// The label was not found in the form (field every form should have).
    AbsentRequired,
    /// The value could not be parsed as the field's type.
    Unparsed,
}

/// One output field: value plus provenance and confidence.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldValue {
    pub value: Value,
    pub confidence: f64,
    /// The text the value came from, when the value differs from it.
    pub raw: Option<String>,
    pub repairs: Vec<Repair>,
    /// 1-based source line of the value (or of its label when blank).
    pub line: Option<usize>,
    pub evidence: Evidence,
    /// Set when the value looks cut short; lowers confidence.
    pub truncated: bool,
    /// Set when a cross-check involving this field failed.
    pub check_failed: bool,
    /// Set when a single-choice group had several boxes ticked.
    pub ambiguous: bool,
    /// (grid, row) of the value's cell, when it came from a table.
    pub row: Option<(usize, usize)>,
}

impl FieldValue {
    pub fn new(value: Value, evidence: Evidence) -> Self {
        FieldValue {
            value,
            confidence: 0.0,
            raw: None,
            repairs: Vec::new(),
            line: None,
            evidence,
            truncated: false,
            check_failed: false,
            ambiguous: false,
            row: None,
        }
    }
}

impl Serialize for FieldValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("value", &self.value)?;
        m.serialize_entry("confidence", &round3(self.confidence))?;
        if let Some(raw) = &self.raw {
            m.serialize_entry("raw", raw)?;
        }
        if !self.repairs.is_empty() {
            m.serialize_entry("repairs", &self.repairs)?;
        }
        if let Some(line) = self.line {
            m.serialize_entry("line", &line)?;
        }
        m.end()
    }
}

/// One 绩效指标 row (or half-row).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    pub horizon: Arc<str>,
    pub level1: Option<Arc<str>>,
    pub level2: Option<Arc<str>>,
    pub level3: Option<String>,
    pub value: Option<String>,
    #[serde(serialize_with = "ser_conf")]
    pub confidence: f64,
    pub line: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub repairs: Vec<Repair>,
    #[serde(skip)]
    pub truncated: bool,
    /// Set when only the row's position put it in its half while the other
    /// half would have been as consistent (a continuation row); lowers
    /// confidence.
    #[serde(skip)]
    pub position_only: bool,
    /// (grid, row) the indicator was read from: identifies its cells when
    /// several rows share a source line (a table printed on one line).
    #[serde(skip)]
    pub row: Option<(usize, usize)>,
}

fn ser_conf<S: Serializer>(c: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round3(*c))
}

/// Rounds to 3 decimals so floats print the same everywhere.
pub fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Non-empty text of the form that went into no field or indicator.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unmapped {
    pub line: usize,
    pub text: String,
}

/// Something a reviewer should look at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    pub kind: String,
    pub path: String,
    pub message: String,
}

/// Where a record came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    /// Shared by the records of one file.
    pub path: Arc<str>,
    pub form_index: usize,
    pub line_start: usize,
    pub line_end: usize,
    pub format: &'static str,
}

/// What a form shows of the OCR's character errors: its labels are known
/// words, so the edits they needed estimate how many characters of its
/// values (which cannot be checked) were misread too. Not written out;
/// `score` lowers confidences with it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OcrNoise {
    /// Characters of the labels read (the words they matched).
    pub label_chars: f32,
    /// Edit cost of reading them ([`crate::vocab::WordMatch::cost`]).
    pub label_cost: f32,
}

impl OcrNoise {
    /// The estimated share of characters misread: the labels' edit cost
    /// per character, smoothed toward a clean print's (half a character in
    /// two hundred) so one form's few labels do not decide alone.
    pub fn char_error_rate(&self) -> f64 {
        const PRIOR_COST: f64 = 0.5;
        const PRIOR_CHARS: f64 = 200.0;
        (self.label_cost as f64 + PRIOR_COST) / (self.label_chars as f64 + PRIOR_CHARS)
    }
}

/// One form's record.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub schema: Arc<str>,
    pub template: Arc<str>,
    pub source: Source,
    pub confidence: f64,
    /// In template order; every template field is present.
    pub fields: Vec<(Arc<str>, FieldValue)>,
    pub indicators: Vec<Indicator>,
    pub unmapped: Vec<Unmapped>,
    pub warnings: Vec<Warning>,
    pub(crate) ocr: OcrNoise,
}

impl Record {
    pub fn field(&self, key: &str) -> Option<&FieldValue> {
        self.fields
            .iter()
            .find(|(k, _)| **k == *key)
            .map(|(_, v)| v)
    }
    pub fn field_mut(&mut self, key: &str) -> Option<&mut FieldValue> {
        self.fields
            .iter_mut()
            .find(|(k, _)| **k == *key)
            .map(|(_, v)| v)
    }
}

struct OrderedFields<'a>(&'a [(Arc<str>, FieldValue)]);

impl Serialize for OrderedFields<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl Serialize for Record {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("schema", &self.schema)?;
        m.serialize_entry("template", &self.template)?;
        m.serialize_entry("source", &self.source)?;
        m.serialize_entry("confidence", &round3(self.confidence))?;
        m.serialize_entry("fields", &OrderedFields(&self.fields))?;
        m.serialize_entry("indicators", &self.indicators)?;
        m.serialize_entry("unmapped", &self.unmapped)?;
        m.serialize_entry("warnings", &self.warnings)?;
        m.end()
    }
}
