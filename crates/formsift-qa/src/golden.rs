//! Golden-file regression: extract every sample document and compare the
//! records with the ones a maintainer approved earlier ("golden" files),
//! field by field and indicator by indicator.
//!
//! Naming: the sample `<samples>/<rel>` has the golden file
//! `<golden>/<rel>.jsonl` (the sample's full file name plus `.jsonl`), so
//! `samples/x.md` and `samples/x.html` never share one. Inside a golden file
//! `source.path` is `<name of the samples directory>/<rel>` (for example
//! `samples/x.md`) whatever path the samples directory was given by, so
//! golden files hold no machine-specific path.
//!
//! What counts as a difference, per form (forms are matched by
//! `source.form_index`):
//!
//! - a field's `value` ([`DiffKind::Changed`]), a field or form that appears
//!   ([`DiffKind::New`]) or disappears ([`DiffKind::Missing`]);
//! - indicators, matched as a multiset of `(horizon, level2, level3, value)`
//!   as the contract's checker does: an indicator whose value changed under
//!   the same name is `Changed`, others are `New` / `Missing`; a matched
//!   indicator whose `level1` changed is `Changed`;
//!   `unmapped` texts and `warnings`, compared as multisets, are `New` /
//!   `Missing` items too;
//! - confidence drift ([`DiffKind::Confidence`]): fails only beyond the
//!   tolerance;
//! - provenance only ([`DiffKind::Detail`]: `line`, `raw`, `repairs`,
//!   `source.*`, or the golden file's bytes differing from what formsift
//!   writes): reported, never failing, rewritten by `bless`.
//!
//! The CLI (`formsift golden check` / `bless`) only prints a [`Report`];
//! everything here is pure apart from reading samples and golden files and,
//! in [`bless`], writing golden files.

use formsift::{Extractor, InputError};
use globset::{Glob, GlobMatcher};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};

/// Appended to a sample's file name to name its golden file.
pub const GOLDEN_SUFFIX: &str = ".jsonl";

/// Default `--confidence-tolerance`.
pub const DEFAULT_TOLERANCE: f64 = 0.05;

/// Why a golden run could not start or a golden file could not be used.
/// Each variant names the file (and line, when there is one).
#[derive(Debug, thiserror::Error)]
pub enum GoldenError {
    #[error("{path}: samples directory not found (give another with --samples DIR)")]
    SamplesDir { path: String },
    #[error("{path}: golden path exists but is not a directory")]
    GoldenDir { path: String },
    #[error("{path}: cannot read: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: not a formsift record: {message}")]
    Parse {
        path: String,
        line: usize,
        message: String,
    },
    #[error("{path}:{line}: form_index {index} already appears on line {first}")]
    DuplicateForm {
        path: String,
        line: usize,
        index: u64,
        first: usize,
    },
    #[error("{path}: cannot write: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: cannot remove: {source}")]
    Remove {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("--only `{pattern}`: {message}")]
    Pattern { pattern: String, message: String },
    #[error("no sample or golden file matches --only {patterns}")]
    NoMatch { patterns: String },
    #[error("confidence tolerance {value} is not between 0 and 1")]
    Tolerance { value: f64 },
    #[error(transparent)]
    Ingest(#[from] InputError),
}

/// Where the samples and golden files are, and what to compare.
#[derive(Debug, Clone)]
pub struct Options {
    pub samples_dir: PathBuf,
    pub golden_dir: PathBuf,
    /// Confidence drift allowed before a difference fails the check.
    pub tolerance: f64,
    /// Glob patterns (`*`, `?`, `[..]`, `{a,b}`) over the sample's path
    /// (`samples/x.md`) or its path inside the samples directory (`x.md`);
    /// empty means every sample.
    pub only: Vec<String>,
}

impl Options {
    pub fn new(samples_dir: impl Into<PathBuf>, golden_dir: impl Into<PathBuf>) -> Self {
        Options {
            samples_dir: samples_dir.into(),
            golden_dir: golden_dir.into(),
            tolerance: DEFAULT_TOLERANCE,
            only: Vec::new(),
        }
    }
}

/// One sample and its golden file; either may be missing on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// Path inside the samples directory, `/`-separated (`sub/x.md`).
    pub rel: String,
    /// The sample as golden files name it (`samples/sub/x.md`).
    pub label: String,
    /// The sample on disk, when it exists.
    pub sample: Option<PathBuf>,
    /// The golden file (`<golden>/<rel>.jsonl`), whether or not it exists.
    pub golden: PathBuf,
    pub golden_exists: bool,
}

/// The golden file of the sample at `rel` inside the samples directory.
pub fn golden_path(golden_dir: &Path, rel: &str) -> PathBuf {
    let mut p = golden_dir.to_path_buf();
    let mut parts = rel.split('/').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_some() {
            p.push(part);
        } else {
            p.push(format!("{part}{GOLDEN_SUFFIX}"));
        }
    }
    p
}

/// The name records carry in `source.path` for samples of `samples_dir`:
/// the directory's own name (`samples`), however it was spelled
/// (`./samples/`, `/abs/path/samples`). Empty for a root directory.
pub fn label_root(samples_dir: &Path) -> Result<String, GoldenError> {
    let missing = || GoldenError::SamplesDir {
        path: samples_dir.display().to_string(),
    };
    if !samples_dir.is_dir() {
        return Err(missing());
    }
    let canonical = std::fs::canonicalize(samples_dir).map_err(|_| missing())?;
    Ok(canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default())
}

fn join_label(root: &str, rel: &str) -> String {
    if root.is_empty() {
        rel.to_string()
    } else {
        format!("{root}/{rel}")
    }
}

/// `path` relative to `base`, `/`-separated.
fn rel_path(base: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(base).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        None
    } else {
        Some(parts.join("/"))
    }
}

/// Selects samples by `--only` glob patterns.
#[derive(Debug, Clone, Default)]
pub struct OnlyFilter(Vec<GlobMatcher>);

impl OnlyFilter {
    pub fn new(patterns: &[String]) -> Result<Self, GoldenError> {
        let mut matchers = Vec::with_capacity(patterns.len());
        for p in patterns {
            let glob = Glob::new(p).map_err(|e| GoldenError::Pattern {
                pattern: p.clone(),
                message: e.kind().to_string(),
            })?;
            matchers.push(glob.compile_matcher());
        }
        Ok(OnlyFilter(matchers))
    }

    /// True when no pattern was given or one matches the sample's label or
    /// its path inside the samples directory.
    pub fn matches(&self, pair: &Pair) -> bool {
        self.0.is_empty()
            || self
                .0
                .iter()
                .any(|m| m.is_match(&pair.label) || m.is_match(&pair.rel))
    }
}

/// Lists samples (the extensions `extract` reads) and golden files
/// (`*.jsonl`), paired by name, sorted by path inside the samples
/// directory. Unreadable directories are returned as errors beside the
/// pairs. Fails only when the samples directory does not exist.
pub fn pair_files(opts: &Options) -> Result<(Vec<Pair>, Vec<GoldenError>), GoldenError> {
    let root = label_root(&opts.samples_dir)?;
    if opts.golden_dir.exists() && !opts.golden_dir.is_dir() {
        return Err(GoldenError::GoldenDir {
            path: opts.golden_dir.display().to_string(),
        });
    }
    let mut errors = Vec::new();
    let mut samples: BTreeMap<String, PathBuf> = BTreeMap::new();
    let (found, walk_errors) =
        formsift::discover(&[opts.samples_dir.to_string_lossy().into_owned()]);
    errors.extend(walk_errors.into_iter().map(GoldenError::Ingest));
    for f in found {
        let path = PathBuf::from(&f);
        if let Some(rel) = rel_path(&opts.samples_dir, &path) {
            samples.insert(rel, path);
        }
    }
    let mut goldens: BTreeSet<String> = BTreeSet::new();
    if opts.golden_dir.is_dir() {
        let is_golden = |p: &Path| p.to_string_lossy().ends_with(GOLDEN_SUFFIX);
        let (files, walk_errors) = formsift::walk_files(&opts.golden_dir, &is_golden);
        errors.extend(
            walk_errors
                .into_iter()
                .map(|(dir, source)| GoldenError::Read {
                    path: dir.display().to_string(),
                    source,
                }),
        );
        for f in files {
            if let Some(rel) = rel_path(&opts.golden_dir, &f) {
                if let Some(stem) = rel.strip_suffix(GOLDEN_SUFFIX) {
                    if !stem.is_empty() && !stem.ends_with('/') {
                        goldens.insert(stem.to_string());
                    }
                }
            }
        }
    }
    let names: BTreeSet<&String> = samples.keys().chain(goldens.iter()).collect();
    let pairs = names
        .into_iter()
        .map(|rel| Pair {
            rel: rel.clone(),
            label: join_label(&root, rel),
            sample: samples.get(rel).cloned(),
            golden: golden_path(&opts.golden_dir, rel),
            golden_exists: goldens.contains(rel),
        })
        .collect();
    Ok((pairs, errors))
}

/// One record of a golden file and the line it sits on.
#[derive(Debug, Clone, PartialEq)]
pub struct GoldenRecord {
    pub line: usize,
    pub form_index: u64,
    pub record: Json,
}

/// Parses a golden file: one JSON object per non-blank line, each with a
/// `source.form_index` that no other line repeats. `path` only names the
/// file in errors.
pub fn parse_golden(path: &str, text: &str) -> Result<Vec<GoldenRecord>, GoldenError> {
    let mut out: Vec<GoldenRecord> = Vec::new();
    let mut seen: HashMap<u64, usize> = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let parse_err = |message: String| GoldenError::Parse {
            path: path.to_string(),
            line: n,
            message,
        };
        let record: Json = serde_json::from_str(line).map_err(|e| parse_err(e.to_string()))?;
        if !record.is_object() {
            return Err(parse_err("not a JSON object".into()));
        }
        let Some(index) = record
            .get("source")
            .and_then(|s| s.get("form_index"))
            .and_then(Json::as_u64)
        else {
            return Err(parse_err("no source.form_index".into()));
        };
        if let Some(&first) = seen.get(&index) {
            return Err(GoldenError::DuplicateForm {
                path: path.to_string(),
                line: n,
                index,
                first,
            });
        }
        seen.insert(index, n);
        out.push(GoldenRecord {
            line: n,
            form_index: index,
            record,
        });
    }
    Ok(out)
}

/// Renders records exactly as golden files hold them: one JSON object per
/// line in the contract's key order, floats rounded to 3 decimals, `\n`
/// line ends.
pub fn render(records: &[formsift::Record]) -> String {
    let mut out = String::new();
    for r in records {
        out.push_str(&r.to_json_line());
        out.push('\n');
    }
    out
}

/// What kind of difference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DiffKind {
    /// A value changed (field value, indicator value or level1, schema).
    Changed,
    /// Only the confidence moved.
    Confidence,
    /// In the new output, not in golden.
    New,
    /// In golden, not in the new output.
    Missing,
    /// Provenance only (lines, raw text, repairs, source, file bytes).
    Detail,
}

/// One difference between a golden record and the new one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    pub kind: DiffKind,
    /// Whether this difference fails `golden check`.
    pub fails: bool,
    /// The form (`source.form_index`); `None` for the whole file.
    pub form_index: Option<u64>,
    /// The form's name (the template's `display_field`), when it has one.
    pub form_name: Option<String>,
    /// `<field>`, `indicators[<horizon> <level2>/<level3>]`, `unmapped`,
    /// `warnings`, `form`, `source.<key>`, `<field>.line`, `file`.
    pub item: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_confidence: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_confidence: Option<f64>,
}

/// How much was compared (items present on both sides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Compared {
    pub forms: usize,
    pub fields: usize,
    pub indicators: usize,
}

/// Numbers compare by value (`8` equals `8.0`); everything else exactly.
pub fn json_eq(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).map(|w| json_eq(v, w)).unwrap_or(false))
        }
        _ => a == b,
    }
}

fn confidence(v: &Json) -> Option<f64> {
    v.get("confidence").and_then(Json::as_f64)
}

/// `Some(fails)` when the confidences differ.
fn drift(old: Option<f64>, new: Option<f64>, tolerance: f64) -> Option<bool> {
    match (old, new) {
        (Some(a), Some(b)) if a == b => None,
        (Some(a), Some(b)) => Some((a - b).abs() > tolerance + 1e-9),
        (None, None) => None,
        _ => Some(true),
    }
}

/// Builds the differences of one form.
struct FormDiff<'a> {
    index: u64,
    name: Option<String>,
    tolerance: f64,
    out: &'a mut Vec<Difference>,
}

impl FormDiff<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        kind: DiffKind,
        fails: bool,
        item: String,
        old: Option<Json>,
        new: Option<Json>,
        old_confidence: Option<f64>,
        new_confidence: Option<f64>,
    ) {
        self.out.push(Difference {
            kind,
            fails,
            form_index: Some(self.index),
            form_name: self.name.clone(),
            item,
            old,
            new,
            old_confidence,
            new_confidence,
        });
    }

    /// Confidence drift of one item whose value did not change.
    fn confidence(&mut self, item: &str, value: &Json, old: Option<f64>, new: Option<f64>) {
        if let Some(fails) = drift(old, new, self.tolerance) {
            self.push(
                DiffKind::Confidence,
                fails,
                item.to_string(),
                None,
                Some(value.clone()),
                old,
                new,
            );
        }
    }

    /// Provenance keys of two objects (all but `skip`) that differ.
    fn details(&mut self, item: &str, old: &Json, new: &Json, skip: &[&str]) {
        let empty = serde_json::Map::new();
        let o = old.as_object().unwrap_or(&empty);
        let n = new.as_object().unwrap_or(&empty);
        let mut keys: Vec<&String> = o.keys().collect();
        keys.extend(n.keys().filter(|k| !o.contains_key(*k)));
        for k in keys {
            if skip.contains(&k.as_str()) {
                continue;
            }
            let (a, b) = (o.get(k), n.get(k));
            let same = match (a, b) {
                (Some(a), Some(b)) => json_eq(a, b),
                _ => false,
            };
            if !same {
                self.push(
                    DiffKind::Detail,
                    false,
                    format!("{item}.{k}"),
                    a.cloned(),
                    b.cloned(),
                    None,
                    None,
                );
            }
        }
    }
}

fn form_name(record: &Json, display_field: Option<&str>) -> Option<String> {
    let key = display_field?;
    match record.get("fields")?.get(key)?.get("value")? {
        Json::String(s) => Some(s.clone()),
        Json::Null => None,
        other => Some(other.to_string()),
    }
}

/// Compares a golden file's records with new ones. Forms are matched by
/// `source.form_index`; `display_field` names forms in the report.
pub fn diff_records(
    old: &[GoldenRecord],
    new: &[Json],
    tolerance: f64,
    display_field: Option<&str>,
) -> (Vec<Difference>, Compared) {
    let old_by: BTreeMap<u64, &Json> = old.iter().map(|g| (g.form_index, &g.record)).collect();
    let mut new_by: BTreeMap<u64, &Json> = BTreeMap::new();
    for (i, r) in new.iter().enumerate() {
        let index = r
            .get("source")
            .and_then(|s| s.get("form_index"))
            .and_then(Json::as_u64)
            .unwrap_or(i as u64);
        new_by.entry(index).or_insert(r);
    }
    let indices: BTreeSet<u64> = old_by.keys().chain(new_by.keys()).copied().collect();
    let mut out = Vec::new();
    let mut compared = Compared::default();
    for index in indices {
        match (old_by.get(&index), new_by.get(&index)) {
            (Some(o), Some(n)) => {
                compared.forms += 1;
                let name = form_name(n, display_field).or_else(|| form_name(o, display_field));
                let mut d = FormDiff {
                    index,
                    name,
                    tolerance,
                    out: &mut out,
                };
                diff_form(&mut d, o, n, &mut compared);
            }
            (Some(o), None) => {
                let mut d = FormDiff {
                    index,
                    name: form_name(o, display_field),
                    tolerance,
                    out: &mut out,
                };
                d.push(
                    DiffKind::Missing,
                    true,
                    "form".into(),
                    None,
                    None,
                    confidence(o),
                    None,
                );
            }
            (None, Some(n)) => {
                let mut d = FormDiff {
                    index,
                    name: form_name(n, display_field),
                    tolerance,
                    out: &mut out,
                };
                d.push(
                    DiffKind::New,
                    true,
                    "form".into(),
                    None,
                    None,
                    None,
                    confidence(n),
                );
            }
            (None, None) => {}
        }
    }
    (out, compared)
}

fn diff_form(d: &mut FormDiff, old: &Json, new: &Json, compared: &mut Compared) {
    for key in ["schema", "template"] {
        let (a, b) = (
            old.get(key).unwrap_or(&Json::Null),
            new.get(key).unwrap_or(&Json::Null),
        );
        if !json_eq(a, b) {
            d.push(
                DiffKind::Changed,
                true,
                key.into(),
                Some(a.clone()),
                Some(b.clone()),
                None,
                None,
            );
        }
    }
    d.details(
        "source",
        old.get("source").unwrap_or(&Json::Null),
        new.get("source").unwrap_or(&Json::Null),
        &["form_index"],
    );
    diff_fields(d, old, new, compared);
    diff_indicators(d, old, new, compared);
    diff_bag(d, "unmapped", old, new, |u| {
        u.get("text").cloned().unwrap_or(Json::Null)
    });
    diff_bag(d, "warnings", old, new, Json::clone);
}

fn diff_fields(d: &mut FormDiff, old: &Json, new: &Json, compared: &mut Compared) {
    let empty = serde_json::Map::new();
    let o = old
        .get("fields")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    let n = new
        .get("fields")
        .and_then(Json::as_object)
        .unwrap_or(&empty);
    // Golden order first, then fields the template gained.
    let mut keys: Vec<&String> = o.keys().collect();
    keys.extend(n.keys().filter(|k| !o.contains_key(*k)));
    for key in keys {
        match (o.get(key), n.get(key)) {
            (Some(a), Some(b)) => {
                compared.fields += 1;
                let va = a.get("value").unwrap_or(&Json::Null);
                let vb = b.get("value").unwrap_or(&Json::Null);
                if !json_eq(va, vb) {
                    d.push(
                        DiffKind::Changed,
                        true,
                        key.clone(),
                        Some(va.clone()),
                        Some(vb.clone()),
                        confidence(a),
                        confidence(b),
                    );
                } else {
                    d.confidence(key, vb, confidence(a), confidence(b));
                    d.details(key, a, b, &["value", "confidence"]);
                }
            }
            (Some(a), None) => d.push(
                DiffKind::Missing,
                true,
                key.clone(),
                Some(a.get("value").cloned().unwrap_or(Json::Null)),
                None,
                confidence(a),
                None,
            ),
            (None, Some(b)) => d.push(
                DiffKind::New,
                true,
                key.clone(),
                None,
                Some(b.get("value").cloned().unwrap_or(Json::Null)),
                None,
                confidence(b),
            ),
            (None, None) => {}
        }
    }
}

fn list<'a>(record: &'a Json, key: &str) -> &'a [Json] {
    record
        .get(key)
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

fn text_of(v: Option<&Json>) -> String {
    match v {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Null) | None => "—".into(),
        Some(other) => other.to_string(),
    }
}

/// `indicators[<horizon> <level2>/<level3>]` (`—` for a missing level).
pub fn indicator_item(i: &Json) -> String {
    format!(
        "indicators[{} {}/{}]",
        text_of(i.get("horizon")),
        text_of(i.get("level2")),
        text_of(i.get("level3"))
    )
}

fn key_of(i: &Json, parts: &[&str]) -> String {
    parts
        .iter()
        .map(|p| i.get(*p).unwrap_or(&Json::Null).to_string())
        .collect::<Vec<_>>()
        .join("\u{1f}")
}

/// Pairs `new` items with `old` items of equal key, first come first
/// served. Returns the pairs and the unpaired indices of each side.
fn match_by<F: Fn(&Json) -> String>(
    old: &[usize],
    new: &[usize],
    old_items: &[Json],
    new_items: &[Json],
    key: F,
) -> (Vec<(usize, usize)>, Vec<usize>, Vec<usize>) {
    let mut slots: HashMap<String, VecDeque<usize>> = HashMap::new();
    for &i in old {
        slots.entry(key(&old_items[i])).or_default().push_back(i);
    }
    let mut pairs = Vec::new();
    let mut new_left = Vec::new();
    for &j in new {
        match slots
            .get_mut(&key(&new_items[j]))
            .and_then(VecDeque::pop_front)
        {
            Some(i) => pairs.push((i, j)),
            None => new_left.push(j),
        }
    }
    let paired: BTreeSet<usize> = pairs.iter().map(|p| p.0).collect();
    let old_left = old
        .iter()
        .copied()
        .filter(|i| !paired.contains(i))
        .collect();
    (pairs, old_left, new_left)
}

fn diff_indicators(d: &mut FormDiff, old: &Json, new: &Json, compared: &mut Compared) {
    let o = list(old, "indicators");
    let n = list(new, "indicators");
    compared.indicators += o.len();
    let all_o: Vec<usize> = (0..o.len()).collect();
    let all_n: Vec<usize> = (0..n.len()).collect();
    let (same, o_left, n_left) = match_by(&all_o, &all_n, o, n, |i| {
        key_of(i, &["horizon", "level2", "level3", "value"])
    });
    let mut same = same;
    same.sort_by_key(|p| p.1);
    for (i, j) in same {
        diff_same_indicator(d, &o[i], &n[j]);
    }
    // Same name, other value: one changed indicator, not one lost and one new.
    let (renamed, o_left, n_left) = match_by(&o_left, &n_left, o, n, |i| {
        key_of(i, &["horizon", "level2", "level3"])
    });
    let mut renamed = renamed;
    renamed.sort_by_key(|p| p.1);
    for (i, j) in renamed {
        let (a, b) = (&o[i], &n[j]);
        d.push(
            DiffKind::Changed,
            true,
            indicator_item(b),
            Some(a.get("value").cloned().unwrap_or(Json::Null)),
            Some(b.get("value").cloned().unwrap_or(Json::Null)),
            confidence(a),
            confidence(b),
        );
    }
    for i in o_left {
        d.push(
            DiffKind::Missing,
            true,
            indicator_item(&o[i]),
            Some(o[i].get("value").cloned().unwrap_or(Json::Null)),
            None,
            confidence(&o[i]),
            None,
        );
    }
    for j in n_left {
        d.push(
            DiffKind::New,
            true,
            indicator_item(&n[j]),
            None,
            Some(n[j].get("value").cloned().unwrap_or(Json::Null)),
            None,
            confidence(&n[j]),
        );
    }
}

/// One indicator matched by (horizon, level2, level3, value): a changed
/// level 1, a confidence drift, other details.
fn diff_same_indicator(d: &mut FormDiff, a: &Json, b: &Json) {
    let item = indicator_item(b);
    let (la, lb) = (
        a.get("level1").unwrap_or(&Json::Null),
        b.get("level1").unwrap_or(&Json::Null),
    );
    if !json_eq(la, lb) {
        d.push(
            DiffKind::Changed,
            true,
            format!("{item}.level1"),
            Some(la.clone()),
            Some(lb.clone()),
            confidence(a),
            confidence(b),
        );
    } else {
        let value = b.get("value").unwrap_or(&Json::Null);
        d.confidence(&item, value, confidence(a), confidence(b));
    }
    let compared = [
        "horizon",
        "level1",
        "level2",
        "level3",
        "value",
        "confidence",
    ];
    d.details(&item, a, b, &compared);
}

/// `unmapped` and `warnings`: multisets of what `shown` gives; an item only
/// on one side is new or missing; equal items on other lines are details.
fn diff_bag(d: &mut FormDiff, key: &str, old: &Json, new: &Json, shown: fn(&Json) -> Json) {
    let o = list(old, key);
    let n = list(new, key);
    let all_o: Vec<usize> = (0..o.len()).collect();
    let all_n: Vec<usize> = (0..n.len()).collect();
    let (pairs, o_left, n_left) = match_by(&all_o, &all_n, o, n, |v| shown(v).to_string());
    if pairs.iter().any(|&(i, j)| !json_eq(&o[i], &n[j])) {
        d.push(
            DiffKind::Detail,
            false,
            key.to_string(),
            old.get(key).cloned(),
            new.get(key).cloned(),
            None,
            None,
        );
    }
    for i in o_left {
        d.push(
            DiffKind::Missing,
            true,
            key.to_string(),
            Some(shown(&o[i])),
            None,
            None,
            None,
        );
    }
    for j in n_left {
        d.push(
            DiffKind::New,
            true,
            key.to_string(),
            None,
            Some(shown(&n[j])),
            None,
            None,
        );
    }
}

/// Where a sample and its golden file stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// The golden file holds exactly what formsift writes today.
    Unchanged,
    /// Differences found (see `differences` and `fails`).
    Changed,
    /// A sample without a golden file.
    NewSample,
    /// A golden file whose sample is gone.
    OrphanGolden,
    /// The sample could not be extracted (see `error`).
    SampleFailed,
    /// The golden file could not be read or parsed (see `error`).
    GoldenUnreadable,
}

/// The outcome for one sample / golden pair.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The sample as records name it (`samples/x.md`).
    pub sample: String,
    /// The golden file as it was given (`golden/x.md.jsonl`).
    pub golden: String,
    pub status: FileStatus,
    /// Whether this file fails `golden check`.
    pub fails: bool,
    /// Forms formsift extracts from the sample today.
    pub forms: usize,
    pub compared: Compared,
    pub differences: Vec<Difference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The golden file as `bless` would write it.
    #[serde(skip)]
    pub rendered: Option<String>,
    #[serde(skip)]
    pub golden_path: PathBuf,
}

/// Totals over all files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Summary {
    pub files: usize,
    pub forms: usize,
    pub fields: usize,
    pub indicators: usize,
    pub changed: usize,
    pub new: usize,
    pub missing: usize,
    pub confidence_beyond_tolerance: usize,
    pub confidence_within_tolerance: usize,
    pub details: usize,
    pub new_samples: usize,
    pub orphan_goldens: usize,
    pub errors: usize,
}

/// A whole `golden check` run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// True when nothing fails: exit 0.
    pub ok: bool,
    pub tolerance: f64,
    pub summary: Summary,
    pub files: Vec<FileReport>,
    /// Directories that could not be read.
    pub errors: Vec<String>,
}

/// Extracts every selected sample and compares it with its golden file.
///
/// Fails (before extracting anything) on a missing samples directory, a
/// tolerance outside 0..=1, a bad `--only` pattern, or patterns that select
/// nothing (a typo must not pass as "all clean").
pub fn check(opts: &Options, extractor: &Extractor) -> Result<Report, GoldenError> {
    if !(0.0..=1.0).contains(&opts.tolerance) {
        return Err(GoldenError::Tolerance {
            value: opts.tolerance,
        });
    }
    let filter = OnlyFilter::new(&opts.only)?;
    let (pairs, walk_errors) = pair_files(opts)?;
    let selected: Vec<&Pair> = pairs.iter().filter(|p| filter.matches(p)).collect();
    if selected.is_empty() && !opts.only.is_empty() {
        return Err(GoldenError::NoMatch {
            patterns: opts.only.join(", "),
        });
    }
    let files: Vec<FileReport> = selected
        .par_iter()
        .map(|p| check_pair(p, opts, extractor))
        .collect();
    let errors: Vec<String> = walk_errors.iter().map(ToString::to_string).collect();
    let mut summary = Summary {
        files: files.len(),
        errors: errors.len(),
        ..Summary::default()
    };
    for f in &files {
        summary.forms += f.compared.forms;
        summary.fields += f.compared.fields;
        summary.indicators += f.compared.indicators;
        match f.status {
            FileStatus::NewSample => summary.new_samples += 1,
            FileStatus::OrphanGolden => summary.orphan_goldens += 1,
            FileStatus::SampleFailed | FileStatus::GoldenUnreadable => summary.errors += 1,
            FileStatus::Unchanged | FileStatus::Changed => {}
        }
        for d in &f.differences {
            match (d.kind, d.fails) {
                (DiffKind::Changed, _) => summary.changed += 1,
                (DiffKind::New, _) => summary.new += 1,
                (DiffKind::Missing, _) => summary.missing += 1,
                (DiffKind::Confidence, true) => summary.confidence_beyond_tolerance += 1,
                (DiffKind::Confidence, false) => summary.confidence_within_tolerance += 1,
                (DiffKind::Detail, _) => summary.details += 1,
            }
        }
    }
    let ok = errors.is_empty() && files.iter().all(|f| !f.fails);
    Ok(Report {
        ok,
        tolerance: opts.tolerance,
        summary,
        files,
        errors,
    })
}

fn check_pair(pair: &Pair, opts: &Options, extractor: &Extractor) -> FileReport {
    let mut report = FileReport {
        sample: pair.label.clone(),
        golden: pair.golden.display().to_string(),
        status: FileStatus::Unchanged,
        fails: true,
        forms: 0,
        compared: Compared::default(),
        differences: Vec::new(),
        error: None,
        rendered: None,
        golden_path: pair.golden.clone(),
    };
    let Some(sample) = &pair.sample else {
        report.status = FileStatus::OrphanGolden;
        return report;
    };
    let (forms, extracted) = extract_sample(sample, &pair.label, extractor);
    report.forms = forms;
    let (new, rendered) = match extracted {
        Ok(x) => x,
        Err(e) => {
            report.status = FileStatus::SampleFailed;
            report.error = Some(e);
            return report;
        }
    };
    report.rendered = Some(rendered);
    if !pair.golden_exists {
        report.status = FileStatus::NewSample;
        return report;
    }
    let (old, text) = match read_golden(&report.golden, &pair.golden) {
        Ok(x) => x,
        Err(e) => {
            report.status = FileStatus::GoldenUnreadable;
            report.error = Some(e.to_string());
            return report;
        }
    };
    let (mut differences, compared) = diff_records(
        &old,
        &new,
        opts.tolerance,
        extractor.template().display_field(),
    );
    if differences.is_empty() && report.rendered.as_deref() != Some(text.as_str()) {
        differences.push(Difference {
            kind: DiffKind::Detail,
            fails: false,
            form_index: None,
            form_name: None,
            item: "file".into(),
            old: None,
            new: Some(Json::String(
                "same records, other bytes (key order, spacing, number format or line ends)".into(),
            )),
            old_confidence: None,
            new_confidence: None,
        });
    }
    report.compared = compared;
    report.fails = differences.iter().any(|d| d.fails);
    report.status = if differences.is_empty() {
        FileStatus::Unchanged
    } else {
        FileStatus::Changed
    };
    report.differences = differences;
    report
}

/// Extracts a sample: how many forms, and its records as JSON values
/// with the JSON Lines text they were read from (or why not).
fn extract_sample(
    sample: &Path,
    label: &str,
    extractor: &Extractor,
) -> (usize, Result<(Vec<Json>, String), String>) {
    let records = std::fs::read(sample)
        .map_err(|source| InputError::Io {
            path: label.to_string(),
            source,
        })
        .and_then(|bytes| extractor.extract_bytes(label, bytes));
    let records = match records {
        Ok(r) => r,
        Err(e) => return (0, Err(e.to_string())),
    };
    let rendered = render(&records);
    let new: Result<Vec<Json>, _> = rendered.lines().map(serde_json::from_str).collect();
    let result = match new {
        Ok(n) => Ok((n, rendered)),
        // Our own output always parses; say so loudly if it ever does not.
        Err(e) => Err(format!("{label}: output is not valid JSON: {e}")),
    };
    (records.len(), result)
}

/// Reads and parses a golden file: its records and its text.
fn read_golden(name: &str, path: &Path) -> Result<(Vec<GoldenRecord>, String), GoldenError> {
    let bytes = std::fs::read(path).map_err(|source| GoldenError::Read {
        path: name.to_string(),
        source,
    })?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    Ok((parse_golden(name, &text)?, text))
}

/// What `bless` did to one golden file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BlessAction {
    Created,
    Rewritten,
    Removed,
}

/// One golden file `bless` touched.
#[derive(Debug, Clone, Serialize)]
pub struct Blessed {
    pub golden: String,
    pub sample: String,
    pub action: BlessAction,
}

/// Writes the golden files of `report` that differ from today's output
/// (atomically, creating directories as needed) and, with `prune`, removes
/// golden files whose sample is gone. Files that are up to date are not
/// touched. Returns what was done and what failed.
pub fn bless(report: &Report, prune: bool) -> (Vec<Blessed>, Vec<GoldenError>) {
    let mut done = Vec::new();
    let mut errors = Vec::new();
    for f in &report.files {
        let action = match (f.status, &f.rendered) {
            (FileStatus::NewSample, Some(_)) => BlessAction::Created,
            (FileStatus::Changed | FileStatus::GoldenUnreadable, Some(_)) => BlessAction::Rewritten,
            (FileStatus::OrphanGolden, _) if prune => BlessAction::Removed,
            _ => continue,
        };
        let result = match (&f.rendered, action) {
            (_, BlessAction::Removed) => {
                std::fs::remove_file(&f.golden_path).map_err(|source| GoldenError::Remove {
                    path: f.golden.clone(),
                    source,
                })
            }
            (Some(text), _) => {
                write_golden(&f.golden_path, text).map_err(|source| GoldenError::Write {
                    path: f.golden.clone(),
                    source,
                })
            }
            (None, _) => continue,
        };
        match result {
            Ok(()) => done.push(Blessed {
                golden: f.golden.clone(),
                sample: f.sample.clone(),
                action,
            }),
            Err(e) => errors.push(e),
        }
    }
    (done, errors)
}

fn write_golden(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir)?;
        }
    }
    formsift::write_atomic(path, text.as_bytes())
}

pub mod print;

#[cfg(test)]
mod tests;
