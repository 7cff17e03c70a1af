//! The template file as written (TOML, deserialized with serde): the shapes
//! `compile` reads. Unknown keys are errors, so a typo in a template is
//! reported, not ignored. The reference is `docs/templates.md`.

use super::{FieldType, Layout, SumCheck};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FieldSpec {
    pub(super) key: String,
    #[serde(rename = "type")]
    pub(super) kind: FieldType,
    #[serde(default)]
    pub(super) labels: Vec<String>,
    pub(super) source: Option<String>,
    pub(super) line_pattern: Option<String>,
    pub(super) split_pattern: Option<String>,
    pub(super) split_group: Option<String>,
    #[serde(default)]
    pub(super) options: Vec<String>,
    pub(super) column_of: Option<String>,
    #[serde(default)]
    pub(super) layout: Layout,
    #[serde(default)]
    pub(super) optional: bool,
    pub(super) value_pattern: Option<String>,
    pub(super) misread_risk: Option<f64>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct SegmentSpec {
    #[serde(default)]
    pub(super) title_markers: Vec<String>,
    pub(super) max_title_chars: Option<usize>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct TextSpec {
    #[serde(default)]
    pub(super) units: Vec<String>,
    #[serde(default)]
    pub(super) dangling_endings: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct ChecksSpec {
    #[serde(default)]
    pub(super) sums: Vec<SumCheck>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Level1Spec {
    pub(super) name: String,
    pub(super) level2: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct IndicatorSpec {
    #[serde(default)]
    pub(super) level1_header: Vec<String>,
    #[serde(default)]
    pub(super) level2_header: Vec<String>,
    #[serde(default)]
    pub(super) level3_header: Vec<String>,
    #[serde(default)]
    pub(super) value_header: Vec<String>,
    #[serde(default)]
    pub(super) horizons: Vec<String>,
    pub(super) default_horizon: Option<String>,
    #[serde(default)]
    pub(super) horizon_evidence: HashMap<String, Vec<String>>,
    #[serde(default)]
    pub(super) value_prefixes: Vec<String>,
    #[serde(default)]
    pub(super) prefix_readings: HashMap<String, Vec<String>>,
    #[serde(default)]
    pub(super) level1: Vec<Level1Spec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct TemplateFile {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) schema: Option<String>,
    /// The field that names a form in reports (e.g. `golden check`).
    pub(super) display_field: Option<String>,
    #[serde(default)]
    pub(super) segment: SegmentSpec,
    #[serde(default)]
    pub(super) text: TextSpec,
    #[serde(default)]
    pub(super) scaffolding: Vec<String>,
    #[serde(default)]
    pub(super) field: Vec<FieldSpec>,
    #[serde(default)]
    pub(super) checks: ChecksSpec,
    #[serde(default)]
    pub(super) indicators: IndicatorSpec,
}
