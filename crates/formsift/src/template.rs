//! Templates are data: which labels a form prints, what type each field has,
//! the option vocabularies and the indicator hierarchy. The built-in
//! `perf-target` template is `templates/perf-target.toml`, compiled in; any
//! other can be loaded with `--template FILE`. No pipeline code knows a
//! form-specific string.

use crate::error::TemplateError;
use crate::text::normalize::fold_label;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind, StartKind};
use regex::Regex;
use rustc_hash::FxHashMap;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const BUILTIN: &str = include_str!("../templates/perf-target.toml");

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldSpec {
    key: String,
    #[serde(rename = "type")]
    kind: FieldType,
    #[serde(default)]
    labels: Vec<String>,
    source: Option<String>,
    line_pattern: Option<String>,
    split_pattern: Option<String>,
    split_group: Option<String>,
    #[serde(default)]
    options: Vec<String>,
    column_of: Option<String>,
    #[serde(default)]
    layout: Layout,
    #[serde(default)]
    optional: bool,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SegmentSpec {
    #[serde(default)]
    title_markers: Vec<String>,
    max_title_chars: Option<usize>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct TextSpec {
    #[serde(default)]
    units: Vec<String>,
    #[serde(default)]
    dangling_endings: Vec<String>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct SumCheck {
    pub total: String,
    pub parts: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ChecksSpec {
    #[serde(default)]
    sums: Vec<SumCheck>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Level1Spec {
    name: String,
    level2: Vec<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct IndicatorSpec {
    #[serde(default)]
    level1_header: Vec<String>,
    #[serde(default)]
    level2_header: Vec<String>,
    #[serde(default)]
    level3_header: Vec<String>,
    #[serde(default)]
    value_header: Vec<String>,
    #[serde(default)]
    horizons: Vec<String>,
    default_horizon: Option<String>,
    #[serde(default)]
    horizon_evidence: HashMap<String, Vec<String>>,
    #[serde(default)]
    level1: Vec<Level1Spec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    id: String,
    name: String,
    schema: Option<String>,
    /// The field that names a form in reports (e.g. `golden check`).
    display_field: Option<String>,
    #[serde(default)]
    segment: SegmentSpec,
    #[serde(default)]
    text: TextSpec,
    #[serde(default)]
    scaffolding: Vec<String>,
    #[serde(default)]
    field: Vec<FieldSpec>,
    #[serde(default)]
    checks: ChecksSpec,
    #[serde(default)]
    indicators: IndicatorSpec,
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
    pub options: Vec<String>,
    /// `options` folded, for matching ticked text (folded once here, not
    /// per form).
    pub option_keys: Vec<String>,
    /// Index of the field whose column this field's cell shares; decides
    /// between fields that print the same label.
    pub column_of: Option<usize>,
    pub layout: Layout,
    pub optional: bool,
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

/// One distinct label (after folding) of the template.
#[derive(Debug, Clone)]
pub struct Label {
    /// As written in the template (shared with the records that print it).
    pub text: Arc<str>,
    /// Folded, for matching.
    pub key: String,
    pub chars: Vec<char>,
    /// [`char_mask`] of `chars`: a cell with more characters outside it
    /// than the matcher allows confused is rejected without scoring.
    pub mask: u64,
    pub target: LabelTarget,
}

/// A 64-bit set of the characters of a text (one bit per character, by a
/// multiplicative hash). A character whose bit is not in a label's mask is
/// surely not in the label; the converse may fail (collisions), so a mask
/// can only rule a match out.
pub fn char_mask(chars: &[char]) -> u64 {
    chars.iter().fold(0, |m, &c| m | char_bit(c))
}

/// The bit of one character in a [`char_mask`].
pub fn char_bit(c: char) -> u64 {
    1u64 << ((c as u32).wrapping_mul(0x9E37_79B9) >> 26)
}

/// A set of characters as a 1024-bit filter (one bit per character, by a
/// multiplicative hash): like [`char_mask`], it can only rule a character
/// out. Sized so a few dozen members leave ~95% of the bits clear.
#[derive(Debug, Clone, Default)]
pub struct CharFilter([u64; 16]);

impl CharFilter {
    fn slot(c: char) -> (usize, u64) {
        let h = (c as u32).wrapping_mul(0x9E37_79B9) >> 22;
        ((h >> 6) as usize, 1u64 << (h & 63))
    }

    pub fn insert(&mut self, c: char) {
        let (word, bit) = CharFilter::slot(c);
        self.0[word] |= bit;
    }

    /// False when `c` is surely not in the set.
    pub fn may_contain(&self, c: char) -> bool {
        let (word, bit) = CharFilter::slot(c);
        self.0[word] & bit != 0
    }
}

/// A list of labels with an index for fuzzy matching: a cell can only be a
/// label as long as it (same length: any first character; longer: same
/// first character), so [`LabelSet::candidates`] names those and the
/// matcher scores a handful instead of the whole vocabulary. Derefs to the
/// labels, in template order.
#[derive(Debug, Clone, Default)]
pub struct LabelSet {
    labels: Vec<Label>,
    /// `by_len[n]`: labels of `n` folded characters.
    by_len: Vec<Vec<usize>>,
    /// `len_union[n]`: the union of the masks of `by_len[n]`.
    len_union: Vec<u64>,
    /// (first character, labels starting with it), sorted by character.
    by_first: Vec<(char, Vec<usize>)>,
    /// The first characters of the labels: a text starting otherwise holds
    /// no label at its start (exactly) and is told so without a lookup.
    firsts: CharFilter,
    /// The second characters of the labels of 4 to 7 characters (those
    /// allow one confusion: a cell confusing the first character must
    /// print the second).
    seconds: CharFilter,
    /// Folded key → label, for the keys no other label of the set shares:
    /// a cell printing one exactly is that label (an exact match outscores
    /// every other), found without scoring.
    unique: FxHashMap<String, usize>,
}

impl LabelSet {
    pub fn new(labels: Vec<Label>) -> LabelSet {
        let mut by_len: Vec<Vec<usize>> = Vec::new();
        let mut by_first: Vec<(char, Vec<usize>)> = Vec::new();
        for (i, l) in labels.iter().enumerate() {
            let n = l.chars.len();
            if by_len.len() <= n {
                by_len.resize(n + 1, Vec::new());
            }
            by_len[n].push(i);
            if let Some(&first) = l.chars.first() {
                match by_first.binary_search_by_key(&first, |e| e.0) {
                    Ok(at) => by_first[at].1.push(i),
                    Err(at) => by_first.insert(at, (first, vec![i])),
                }
            }
        }
        let len_union = by_len
            .iter()
            .map(|v| v.iter().fold(0, |m, &i| m | labels[i].mask))
            .collect();
        let mut firsts = CharFilter::default();
        for &(c, _) in &by_first {
            firsts.insert(c);
        }
        let mut seconds = CharFilter::default();
        for l in labels.iter().filter(|l| (4..8).contains(&l.chars.len())) {
            seconds.insert(l.chars[1]);
        }
        let mut unique: FxHashMap<String, usize> = FxHashMap::default();
        let mut shared = Vec::new();
        for (i, l) in labels.iter().enumerate() {
            if unique.insert(l.key.clone(), i).is_some() {
                shared.push(l.key.clone());
            }
        }
        for key in shared {
            unique.remove(&key);
        }
        LabelSet {
            labels,
            by_len,
            len_union,
            by_first,
            firsts,
            seconds,
            unique,
        }
    }

    /// False when the folded `key` surely does not start with a whole label
    /// (so neither equals one nor begins with one).
    pub fn may_start_with_label(&self, key: &str) -> bool {
        key.chars().next().is_some_and(|c| self.may_start_with(c))
    }

    /// The label whose folded key is exactly `key`, when no other label
    /// of the set has that key.
    pub fn exact(&self, key: &str) -> Option<usize> {
        self.unique.get(key).copied()
    }

    /// False when no label starts with `first`.
    pub fn may_start_with(&self, first: char) -> bool {
        self.firsts.may_contain(first)
    }

    /// For a folded key whose first character starts no label: false when
    /// it surely matches no label as the fuzzy matcher scores it. Only a
    /// label of the same length (`n` characters) can still match, with the
    /// first character confused, which takes four characters or more (one
    /// confusion per four), and under eight keeps the `second` character.
    pub fn may_match_confused(&self, n: usize, second: Option<char>) -> bool {
        n >= 4
            && self.by_len.get(n).is_some_and(|v| !v.is_empty())
            && (n >= 8 || second.is_some_and(|c| self.seconds.may_contain(c)))
    }

    /// Length in characters of the longest label.
    pub fn max_chars(&self) -> usize {
        self.by_len.len().saturating_sub(1)
    }

    /// Indices of the labels a folded cell of `n` characters, starting with
    /// `first` and holding the characters of `mask` ([`char_mask`]), may
    /// stand for: the labels of exactly `n` characters, then (when `longer`
    /// is set) the longer labels starting with `first`. A same-length label
    /// needs all but `allowed` of the cell's characters: when even all the
    /// same-length labels together lack more, none is named.
    pub fn candidates(
        &self,
        n: usize,
        first: char,
        mask: u64,
        allowed: usize,
        longer: bool,
    ) -> impl Iterator<Item = usize> + '_ {
        let same = match (self.by_len.get(n), self.len_union.get(n)) {
            (Some(v), Some(&union)) if !more_bits_than(mask & !union, allowed) => v.as_slice(),
            _ => &[],
        };
        let starting: &[usize] = if longer {
            self.by_first
                .binary_search_by_key(&first, |e| e.0)
                .map(|at| self.by_first[at].1.as_slice())
                .unwrap_or(&[])
        } else {
            &[]
        };
        same.iter().copied().chain(
            starting
                .iter()
                .copied()
                .filter(move |&i| self.labels[i].chars.len() > n),
        )
    }
}

/// `x.count_ones() > k`, clearing at most `k + 1` bits (the target CPU
/// baseline has no popcount instruction; `k` is 0 or 1 for most cells).
pub fn more_bits_than(mut x: u64, k: usize) -> bool {
    for _ in 0..=k {
        if x == 0 {
            return false;
        }
        x &= x - 1;
    }
    true
}

impl std::ops::Deref for LabelSet {
    type Target = [Label];
    fn deref(&self) -> &[Label] {
        &self.labels
    }
}

impl FromIterator<Label> for LabelSet {
    fn from_iter<I: IntoIterator<Item = Label>>(iter: I) -> LabelSet {
        LabelSet::new(iter.into_iter().collect())
    }
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
#[derive(Debug, Clone, Default)]
pub struct Indicators {
    /// (label, role) for the indicator table's column headers.
    pub headers: Vec<(Label, HeaderRole)>,
    /// The labels of `headers`, in the same order (for matching).
    pub header_labels: LabelSet,
    pub horizons: Vec<Arc<str>>,
    pub default_horizon: Arc<str>,
    /// For each horizon, the fields whose content shows it is in use.
    pub horizon_evidence: Vec<(String, Vec<String>)>,
    /// Level-1 names, canonical spelling.
    pub level1: LabelSet,
    /// Level-2 names, canonical spelling.
    pub level2: LabelSet,
    /// `children[i]`: indices into `level2` under `level1[i]`.
    pub children: Vec<Vec<usize>>,
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
    /// Every distinct field or scaffolding label.
    pub(crate) labels: LabelSet,
    /// Exact lookup: folded label → index into `labels`.
    pub(crate) label_index: FxHashMap<String, usize>,
    /// Leftmost-longest automaton over the folded labels (pattern i is
    /// `labels[i]`), for finding labels inside a line or at a cell's start.
    pub(crate) label_automaton: AhoCorasick,
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
        let file: TemplateFile = toml::from_str(text).map_err(|e| TemplateError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let mut t = compile(file, path.to_path_buf())?;
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

fn invalid(path: &Path, message: String) -> TemplateError {
    TemplateError::Invalid {
        path: path.to_path_buf(),
        message,
    }
}

fn make_label(text: &str, target: LabelTarget) -> Label {
    let key = fold_label(text);
    let chars: Vec<char> = key.chars().collect();
    Label {
        text: text.into(),
        mask: char_mask(&chars),
        chars,
        key,
        target,
    }
}

fn compile(file: TemplateFile, path: PathBuf) -> Result<Template, TemplateError> {
    let mut fields = Vec::with_capacity(file.field.len());
    let keys: Vec<&str> = file.field.iter().map(|f| &*f.key).collect();
    for (i, key) in keys.iter().enumerate() {
        if keys[..i].contains(key) {
            return Err(invalid(&path, format!("field `{key}` is defined twice")));
        }
    }
    if let Some(d) = &file.display_field {
        if !keys.contains(&d.as_str()) {
            return Err(invalid(
                &path,
                format!("display_field `{d}` is not a field of this template"),
            ));
        }
    }
    for spec in &file.field {
        let source = match (spec.source.as_deref(), &spec.line_pattern) {
            (Some("title"), _) => FieldSource::Title,
            (Some(other), _) => {
                return Err(invalid(
                    &path,
                    format!("field `{}`: unknown source `{other}`", spec.key),
                ))
            }
            (None, Some(p)) => {
                let re = Regex::new(p).map_err(|e| {
                    invalid(
                        &path,
                        format!("field `{}`: bad line_pattern: {e}", spec.key),
                    )
                })?;
                if !re.capture_names().any(|n| n == Some("value")) {
                    return Err(invalid(
                        &path,
                        format!("field `{}`: line_pattern needs a `value` group", spec.key),
                    ));
                }
                FieldSource::LinePattern(re)
            }
            (None, None) => {
                if spec.labels.is_empty() {
                    return Err(invalid(
                        &path,
                        format!("field `{}` has no labels, source or line_pattern", spec.key),
                    ));
                }
                FieldSource::Labels
            }
        };
        let split = match (&spec.split_pattern, &spec.split_group) {
            (Some(p), Some(g)) => {
                let re = Regex::new(p).map_err(|e| {
                    invalid(
                        &path,
                        format!("field `{}`: bad split_pattern: {e}", spec.key),
                    )
                })?;
                if !re.capture_names().any(|n| n == Some(g.as_str())) {
                    return Err(invalid(
                        &path,
                        format!("field `{}`: split_pattern has no group `{g}`", spec.key),
                    ));
                }
                Some((re, g.clone()))
            }
            (None, None) => None,
            _ => {
                return Err(invalid(
                    &path,
                    format!(
                        "field `{}`: split_pattern and split_group go together",
                        spec.key
                    ),
                ))
            }
        };
        if matches!(spec.kind, FieldType::Choice | FieldType::Choices) && spec.options.is_empty() {
            return Err(invalid(
                &path,
                format!("field `{}`: a choice needs options", spec.key),
            ));
        }
        let column_of = match &spec.column_of {
            Some(k) => Some(keys.iter().position(|x| x == k).ok_or_else(|| {
                invalid(
                    &path,
                    format!("field `{}`: column_of `{k}` is no field", spec.key),
                )
            })?),
            None => None,
        };
        fields.push(Field {
            key: spec.key.as_str().into(),
            kind: spec.kind,
            labels: spec.labels.clone(),
            source,
            split,
            options: spec.options.clone(),
            option_keys: spec
                .options
                .iter()
                .map(|o| crate::text::normalize::fold_key(o))
                .collect(),
            column_of,
            layout: spec.layout,
            optional: spec.optional,
        });
    }

    // Distinct labels: a label printed for several fields maps to all of them.
    let mut labels: Vec<Label> = Vec::new();
    let mut label_index: FxHashMap<String, usize> = FxHashMap::default();
    for (fi, f) in fields.iter().enumerate() {
        for text in &f.labels {
            let key = fold_label(text);
            if key.is_empty() {
                return Err(invalid(&path, format!("field `{}`: empty label", f.key)));
            }
            match label_index.get(&key) {
                Some(&li) => {
                    if let LabelTarget::Fields(v) = &mut labels[li].target {
                        if !v.contains(&fi) {
                            v.push(fi);
                        }
                    }
                }
                None => {
                    label_index.insert(key, labels.len());
                    labels.push(make_label(text, LabelTarget::Fields(vec![fi])));
                }
            }
        }
    }
    for text in &file.scaffolding {
        let key = fold_label(text);
        if key.is_empty() || label_index.contains_key(&key) {
            continue;
        }
        label_index.insert(key, labels.len());
        labels.push(make_label(text, LabelTarget::Scaffold));
    }
    let label_automaton = AhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .start_kind(StartKind::Both)
        .build(labels.iter().map(|l| l.key.as_str()))
        .map_err(|e| invalid(&path, format!("label automaton: {e}")))?;

    for check in &file.checks.sums {
        for k in std::iter::once(&check.total).chain(check.parts.iter()) {
            if !keys.contains(&k.as_str()) {
                return Err(invalid(&path, format!("check names unknown field `{k}`")));
            }
        }
    }

    let ind = &file.indicators;
    let mut headers = Vec::new();
    for (list, role) in [
        (&ind.level1_header, HeaderRole::Level1),
        (&ind.level2_header, HeaderRole::Level2),
        (&ind.level3_header, HeaderRole::Level3),
        (&ind.value_header, HeaderRole::Value),
    ] {
        for text in list {
            headers.push((make_label(text, LabelTarget::Scaffold), role));
        }
    }
    let mut level2: Vec<Label> = Vec::new();
    let mut children = Vec::new();
    let mut level1 = Vec::new();
    for l1 in &ind.level1 {
        level1.push(make_label(&l1.name, LabelTarget::Scaffold));
        let mut kids = Vec::new();
        for name in &l1.level2 {
            let key = fold_label(name);
            let idx = match level2.iter().position(|l| l.key == key) {
                Some(i) => i,
                None => {
                    level2.push(make_label(name, LabelTarget::Scaffold));
                    level2.len() - 1
                }
            };
            kids.push(idx);
        }
        children.push(kids);
    }
    let horizons = ind.horizons.clone();
    let default_horizon = ind
        .default_horizon
        .clone()
        .or_else(|| horizons.last().cloned())
        .unwrap_or_else(|| "annual".to_string());
    let mut horizon_evidence: Vec<(String, Vec<String>)> = ind
        .horizon_evidence
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    horizon_evidence.sort();
    for (h, ks) in &horizon_evidence {
        if !horizons.contains(h) {
            return Err(invalid(
                &path,
                format!("horizon_evidence: unknown horizon `{h}`"),
            ));
        }
        for k in ks {
            if !keys.contains(&k.as_str()) {
                return Err(invalid(
                    &path,
                    format!("horizon_evidence names unknown field `{k}`"),
                ));
            }
        }
    }

    Ok(Template {
        id: file.id.into(),
        fingerprint: String::new(),
        name: file.name,
        schema: file
            .schema
            .unwrap_or_else(|| crate::record::SCHEMA.to_string())
            .into(),
        title_markers: file
            .segment
            .title_markers
            .iter()
            .map(|m| fold_label(m))
            .collect(),
        max_title_chars: file.segment.max_title_chars.unwrap_or(60),
        units: file.text.units.iter().map(|u| fold_label(u)).collect(),
        dangling_keys: Endings::new(
            file.text
                .dangling_endings
                .iter()
                .map(|e| fold_label(e))
                .filter(|k| !k.is_empty())
                .collect(),
        ),
        fields,
        labels: LabelSet::new(labels),
        label_index,
        label_automaton,
        sums: file.checks.sums,
        indicators: Indicators {
            header_labels: headers.iter().map(|(l, _)| l.clone()).collect(),
            headers,
            horizons: horizons.into_iter().map(Arc::from).collect(),
            default_horizon: default_horizon.into(),
            horizon_evidence,
            level1: LabelSet::new(level1),
            level2: LabelSet::new(level2),
            children,
        },
        display_field: file.display_field,
    })
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
        let li = t.label_index["其中:财政拨款"];
        match &t.labels[li].target {
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
    }
}
