//! Templates are data: which labels a form prints, what type each field has,
//! the option vocabularies and the indicator hierarchy. The built-in
//! `perf-target` template is `templates/perf-target.toml`, compiled in; any
//! other can be loaded with `--template FILE`. No pipeline code knows a
//! form-specific string.
//!
//! [`spec`] is the file as written (serde); [`compile`] checks it and
//! builds the [`Template`] the pipeline reads: fields, one [`Vocabulary`]
//! per kind of printed word, the indicator hierarchy.

mod compile;
mod spec;

use crate::error::TemplateError;
use crate::vocab::Vocabulary;
use regex::Regex;
use serde::Deserialize;
use std::path::Path;
use std::sync::Arc;

const BUILTIN: &str = include_str!("../../templates/perf-target.toml");

/// How a field's value is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    Text,
    Number,
    Date,
    /// One ticked option out of `options`.
    Choice,
    /// Every ticked option, in form order.
    Choices,
}

/// Where a label's value sits when it is not in the label's own cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// In the cells to the right, up to the next label.
    #[default]
    Right,
    /// In the rows below, within the label's columns.
    Below,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct SumCheck {
    pub total: String,
    pub parts: Vec<String>,
}

/// Where a field's value comes from.
#[derive(Debug, Clone)]
pub enum FieldSource {
    /// Found next to one of its labels.
    Labels,
    /// The form's title line.
    Title,
    /// The first free line matching the pattern (group `value`).
    LinePattern(Regex),
}

/// One output field of the template.
#[derive(Debug, Clone)]
pub struct Field {
    /// Shared with every record (a clone is a reference count, not a copy).
    pub key: Arc<str>,
    pub kind: FieldType,
    pub labels: Vec<String>,
    pub source: FieldSource,
    /// Regex and group name cutting this field's part out of a shared cell.
    pub split: Option<(Regex, String)>,
    /// The choices of a `choice`/`choices` field (empty otherwise).
    pub options: Vocabulary,
    /// Index of the field whose column this field's cell shares; decides
    /// between fields that print the same label.
    pub column_of: Option<usize>,
    pub layout: Layout,
    pub optional: bool,
    /// What a right value of a text field looks like (`^[千万]?元$` for
    /// a unit): a value read that does not match is kept but goes to
    /// review (`value_suspect`).
    pub value_pattern: Option<Regex>,
    /// How many times more often than ordinary words the OCR misreads this
    /// field's characters (1 by default). Person names are read with no
    /// dictionary to fall back on: on real scans they are misread four to
    /// five times as often as the words around them.
    pub misread_risk: f64,
}

/// What a label stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelTarget {
    /// The fields printed under this label (several when a label repeats,
    /// like 其中:财政拨款 in the mid-term and the annual column).
    Fields(Vec<usize>),
    /// A label that structures the form but carries no value.
    Scaffold,
}

/// A list of word endings (folded) with what a check on every value needs
/// precomputed: the longest one, and which bytes they end with (a key whose
/// last byte ends none of them is not compared with each). Derefs to the
/// endings, in template order.
#[derive(Debug, Clone, Default)]
pub struct Endings {
    keys: Vec<String>,
    max_len: usize,
    /// Bit `b` of word `b / 64`: some ending's last byte is `b`.
    last_bytes: [u64; 4],
}

impl Endings {
    pub fn new(keys: Vec<String>) -> Endings {
        let mut last_bytes = [0u64; 4];
        for b in keys.iter().filter_map(|k| k.as_bytes().last()) {
            last_bytes[usize::from(*b / 64)] |= 1 << (b % 64);
        }
        Endings {
            max_len: keys.iter().map(String::len).max().unwrap_or(0),
            keys,
            last_bytes,
        }
    }

    /// Length in bytes of the longest ending (0 for none).
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// True when `key` ends with one of the endings and is longer than it.
    pub fn ends(&self, key: &str) -> bool {
        let Some(&last) = key.as_bytes().last() else {
            return false;
        };
        self.last_bytes[usize::from(last / 64)] & (1 << (last % 64)) != 0
            && self.keys.iter().any(|e| {
                // The last byte inline first: most endings differ there,
                // and `ends_with` is a call to memcmp.
                e.as_bytes().last() == Some(&last)
                    && key.len() > e.len()
                    && key.ends_with(e.as_str())
            })
    }
}

impl std::ops::Deref for Endings {
    type Target = [String];
    fn deref(&self) -> &[String] {
        &self.keys
    }
}

/// Role of a column in the indicator table's header row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderRole {
    Level1,
    Level2,
    Level3,
    Value,
}

/// The indicator part of a template.
#[derive(Debug, Clone)]
pub struct Indicators {
    /// The indicator table's column headers...
    pub header_labels: Vocabulary,
    /// ...and the role of each (same order).
    pub header_roles: Vec<HeaderRole>,
    pub horizons: Vec<Arc<str>>,
    pub default_horizon: Arc<str>,
    /// For each horizon, the fields whose content shows it is in use.
    pub horizon_evidence: Vec<(String, Vec<String>)>,
    /// Level-1 names, canonical spelling.
    pub level1: Vocabulary,
    /// Level-2 names, canonical spelling.
    pub level2: Vocabulary,
    /// `children[i]`: indices into `level2` under `level1[i]`.
    pub children: Vec<Vec<usize>>,
    /// Words an indicator value may print before its number (`≥`, `约`,
    /// `不低于`), folded. Anything else there is a misread sign (`之95%`
    /// for `≥95%`): the value goes to review. Empty: no check.
    pub value_prefixes: Vec<String>,
    /// (character read, sign printed): what OCR engines print for a sign
    /// before a number (`三95%` for `≥95%`). A value starting with one of
    /// these single characters right before its number gets the sign back,
    /// with a `symbol_confusion` repair, and goes to review.
    pub prefix_readings: Vec<(char, String)>,
}

impl Indicators {
    /// Level-1 indices that have `level2` index `l2` as a child.
    pub fn parents_of(&self, l2: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.level1.len()).filter(move |&i| self.children[i].contains(&l2))
    }

    /// True when level-1 `l1` has level-2 `l2` as a child.
    pub fn is_parent(&self, l1: usize, l2: usize) -> bool {
        self.children.get(l1).is_some_and(|c| c.contains(&l2))
    }
}

/// A compiled template.
#[derive(Debug, Clone)]
pub struct Template {
    pub(crate) id: Arc<str>,
    /// blake3 of the template's text: a changed template invalidates the
    /// results an incremental run kept.
    pub(crate) fingerprint: String,
    pub(crate) name: String,
    pub(crate) schema: Arc<str>,
    pub(crate) title_markers: Vec<String>,
    pub(crate) max_title_chars: usize,
    pub(crate) units: Vec<String>,
    /// The template's `dangling_endings`, folded.
    pub(crate) dangling_keys: Endings,
    pub(crate) fields: Vec<Field>,
    /// Every distinct field or scaffolding label...
    pub(crate) labels: Vocabulary,
    /// ...and what each stands for (same order).
    pub(crate) label_targets: Vec<LabelTarget>,
    pub(crate) sums: Vec<SumCheck>,
    pub(crate) indicators: Indicators,
    /// The field whose value names a form in reports (`golden check` prints
    /// it next to the form index); `None` when the template names none.
    pub(crate) display_field: Option<String>,
}

impl Template {
    /// The built-in `perf-target` template.
    pub fn builtin() -> Template {
        match Template::from_toml(BUILTIN, Path::new("templates/perf-target.toml")) {
            Ok(t) => t,
            // The built-in template is covered by tests; failing here is a build defect.
            Err(e) => panic!("built-in template is invalid: {e}"),
        }
    }

    /// Loads a template file.
    pub fn load(path: &Path) -> Result<Template, TemplateError> {
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Template::from_toml(&text, path)
    }

    /// Compiles a template from TOML text; `path` is only for messages.
    pub fn from_toml(text: &str, path: &Path) -> Result<Template, TemplateError> {
        let file: spec::TemplateFile = toml::from_str(text).map_err(|e| TemplateError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let mut t = compile::compile(file, path)?;
        t.fingerprint = blake3::hash(text.as_bytes()).to_hex().to_string();
        Ok(t)
    }

    pub(crate) fn field_index(&self, key: &str) -> Option<usize> {
        self.fields.iter().position(|f| *f.key == *key)
    }

    /// The template's id, written to every record's `template`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The form type's name, as the template file gives it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// blake3 of the template's text: a changed template invalidates the
    /// results an incremental run kept.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The field whose value names a form in reports, if the template
    /// names one.
    pub fn display_field(&self) -> Option<&str> {
        self.display_field.as_deref()
    }

    /// The output field keys, in record order.
    pub fn field_keys(&self) -> impl Iterator<Item = &str> {
        self.fields.iter().map(|f| &*f.key)
    }

    /// Level-2 indicator names filed under several level-1 names (their
    /// level 1 cannot be told from the level 2 alone), canonical spelling.
    pub fn level2_with_several_parents(&self) -> impl Iterator<Item = &str> {
        let ind = &self.indicators;
        (0..ind.level2.len())
            .filter(move |&i| ind.parents_of(i).count() > 1)
            .map(move |i| &*ind.level2[i].text)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn endings_end_keys_as_a_scan_of_all_of_them_would() {
        let keys: Vec<String> = ["的", "进行", "、", ":", "(", "ab"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let endings = Endings::new(keys.clone());
        assert_eq!(endings.max_len(), 6);
        for key in [
            "",
            "的",
            "目标的",
            "进行",
            "开展进行",
            "a、",
            "x:",
            "(",
            "((",
            "ab",
            "cab",
            "b",
            "的x",
            "行",
            "中文",
        ] {
            let naive = keys
                .iter()
                .any(|e| key.len() > e.len() && key.ends_with(e.as_str()));
            assert_eq!(endings.ends(key), naive, "{key:?}");
        }
        assert!(!Endings::new(Vec::new()).ends("的"));
    }

    use super::*;

    #[test]
    fn builtin_has_the_30_contract_fields_in_order() {
        let t = Template::builtin();
        let keys: Vec<&str> = t.fields.iter().map(|f| &*f.key).collect();
        assert_eq!(keys.len(), 30);
        assert_eq!(keys[0], "title");
        assert_eq!(keys[29], "signer_handler");
        assert_eq!(&*t.id, "perf-target");
        assert_eq!(t.display_field.as_deref(), Some("project_name"));
    }

    #[test]
    fn display_field_must_name_a_field() {
        let toml = "id = \"t\"\nname = \"t\"\ndisplay_field = \"nope\"\n[[field]]\nkey = \"a\"\ntype = \"text\"\nlabels = [\"A\"]\n";
        let err = Template::from_toml(toml, Path::new("t.toml")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.toml: invalid template: display_field `nope` is not a field of this template"
        );
    }

    #[test]
    fn shared_labels_map_to_several_fields() {
        let t = Template::builtin();
        let li = t.labels.exact("其中:财政拨款").unwrap();
        match &t.label_targets[li] {
            LabelTarget::Fields(v) => assert_eq!(v.len(), 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn hierarchy_is_loaded() {
        let t = Template::builtin();
        let ind = &t.indicators;
        let cost = ind
            .level2
            .iter()
            .position(|l| &*l.text == "成本指标")
            .unwrap();
        assert_eq!(ind.parents_of(cost).count(), 2);
    }

    #[test]
    fn bad_templates_are_reported_not_panicked() {
        let p = Path::new("x.toml");
        let e = Template::from_toml("id = 1", p).unwrap_err();
        assert!(e.to_string().contains("x.toml"));
        let e = Template::from_toml("id='a'\nname='b'\n[[field]]\nkey='k'\ntype='number'\n", p)
            .unwrap_err();
        assert!(e.to_string().contains("no labels"), "{e}");
        let e = Template::from_toml(
            "id='a'\nname='b'\n[[field]]\nkey='k'\ntype='choice'\nlabels=['x']\n",
            p,
        )
        .unwrap_err();
        assert!(e.to_string().contains("options"), "{e}");
        let e = Template::from_toml(
            "id='a'\nname='b'\n[[field]]\nkey='k'\ntype='text'\nlabels=['x']\nmisread_risk=-1\n",
            p,
        )
        .unwrap_err();
        assert!(e.to_string().contains("misread_risk"), "{e}");
        let ind = |readings: &str| {
            format!(
                "id='a'\nname='b'\n[[field]]\nkey='k'\ntype='text'\nlabels=['x']\n\
                 [indicators]\nvalue_prefixes=['≥']\nprefix_readings={readings}\n"
            )
        };
        let e = Template::from_toml(&ind("{ '≤' = ['么'] }"), p).unwrap_err();
        assert!(e.to_string().contains("not one of value_prefixes"), "{e}");
        let e = Template::from_toml(&ind("{ '≥' = ['之之'] }"), p).unwrap_err();
        assert!(e.to_string().contains("not one character"), "{e}");
    }
}
