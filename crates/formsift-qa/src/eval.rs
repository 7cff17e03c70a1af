//! Evaluation: compare predicted records with gold labels and measure what
//! users route on — accuracy, indicator precision/recall, and whether the
//! confidences can be trusted (calibration error, Brier score, confident
//! errors).
//!
//! Comparison rules are the contract's (`docs/record.md`, the logic of the
//! shared `check-expected` tool): records are matched by (file name of
//! `source.path`, `source.form_index`); text is compared after NFKC with HTML
//! tags and all whitespace removed; a gold number needs a JSON number; lists
//! compare element by element. Indicators are a multiset of (horizon, level2,
//! level3 without its list number, value); level1 must match too, except for
//! a level-2 name the template files under several level-1 names.
//!
//! A wrong indicator level1 makes that prediction wrong (a false positive and
//! a false negative). Every field of every gold record, and every predicted
//! indicator, is one calibration item (its confidence, right or wrong); a
//! gold indicator nobody predicted lowers recall but has no confidence.

use formsift::ScoreKind as Kind;
use formsift::{Extractor, Template};
use regex::Regex;
use serde::Serialize;
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use unicode_normalization::UnicodeNormalization;

/// Confidence at or above which a wrong value is a *confident error*.
pub const CONFIDENT: f64 = 0.9;
/// Number of equal-width bins for the expected calibration error.
pub const BINS: usize = 10;

/// Why a gold or prediction file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: not a JSON object: {message}")]
    Json {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{path}:{line}: record has no source.path / source.form_index")]
    NoSource { path: PathBuf, line: usize },
    #[error("document named by the gold: {0}")]
    Extract(#[from] formsift::Error),
}

/// One record of a JSON Lines file, keyed for matching.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// (file name of source.path, form_index).
    pub key: (String, u64),
    pub line: usize,
    pub record: Json,
}

/// Reads a JSON Lines file of records (gold or predicted). Blank lines are
/// skipped; anything else must be a JSON object with a `source`.
pub fn load_jsonl(path: &Path) -> Result<Vec<Loaded>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|source| EvalError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse_jsonl(&text, path)
}

/// [`load_jsonl`] on text already read; `path` only names it in errors.
pub fn parse_jsonl(text: &str, path: &Path) -> Result<Vec<Loaded>, EvalError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let record: Json = serde_json::from_str(line).map_err(|e| EvalError::Json {
            path: path.to_path_buf(),
            line: line_no,
            message: e.to_string(),
        })?;
        if !record.is_object() {
            return Err(EvalError::Json {
                path: path.to_path_buf(),
                line: line_no,
                message: "expected an object".into(),
            });
        }
        let src = &record["source"];
        let (Some(p), Some(fi)) = (src["path"].as_str(), src["form_index"].as_u64()) else {
            return Err(EvalError::NoSource {
                path: path.to_path_buf(),
                line: line_no,
            });
        };
        let base = p.rsplit(['/', '\\']).next().unwrap_or(p).to_string();
        out.push(Loaded {
            key: (base, fi),
            line: line_no,
            record,
        });
    }
    Ok(out)
}

/// Comparison settings taken from the template.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    /// Level-2 names filed under several level-1 names: their level1 is not
    /// compared.
    pub any_level1: HashSet<String>,
}

impl Rules {
    pub fn from_template(t: &Template) -> Rules {
        let any_level1 = t.level2_with_several_parents().map(canon_text).collect();
        Rules { any_level1 }
    }
}

/// The headline numbers of the records whose gold `meta` has `key` =
/// `value` (a list value, like the noise operators, puts a record in the
/// group of each element).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Breakdown {
    pub key: String,
    pub value: String,
    pub records: usize,
    pub field_accuracy: f64,
    pub nonblank_accuracy: f64,
    pub indicator_f1: f64,
    pub ece: f64,
    pub confident_errors: usize,
    pub confident_error_rate: f64,
    pub straight_through_rate: f64,
    pub wrong_auto_accepted: usize,
}

/// [`evaluate`], plus the report per value of each of `keys` in the gold
/// records' `meta` (all keys found when `keys` is empty).
pub fn evaluate_by(gold: &[Loaded], pred: &[Loaded], rules: &Rules, keys: &[String]) -> Report {
    let mut report = evaluate(gold, pred, rules);
    let mut groups: BTreeMap<(String, String), Vec<Loaded>> = BTreeMap::new();
    for g in gold {
        let Some(meta) = g.record["meta"].as_object() else {
            continue;
        };
        for (k, v) in meta {
            if !keys.is_empty() && !keys.contains(k) {
                continue;
            }
            let values: Vec<String> = match v {
                Json::String(s) => vec![s.clone()],
                Json::Array(a) => a
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
                Json::Number(n) => vec![n.to_string()],
                _ => Vec::new(),
            };
            for value in values {
                groups
                    .entry((k.clone(), value))
                    .or_default()
                    .push(g.clone());
            }
        }
    }
    for ((key, value), subset) in groups {
        let r = evaluate(&subset, pred, rules);
        report.breakdown.push(Breakdown {
            key,
            value,
            records: r.records,
            field_accuracy: r.field_accuracy,
            nonblank_accuracy: r.nonblank_accuracy,
            indicator_f1: r.indicator_f1,
            ece: r.ece,
            confident_errors: r.confident_errors.len(),
            confident_error_rate: r.confident_error_rate,
            straight_through_rate: r.straight_through_rate,
            wrong_auto_accepted: r.wrong_auto_accepted,
        });
    }
    report
}

/// Accuracy of one field key.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FieldStats {
    pub field: String,
    pub total: usize,
    pub correct: usize,
    pub nonblank_total: usize,
    pub nonblank_correct: usize,
    pub accuracy: f64,
    pub mean_confidence: f64,
}

/// One calibration bin.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Bin {
    pub lo: f64,
    pub hi: f64,
    pub count: usize,
    pub mean_confidence: f64,
    pub accuracy: f64,
}

/// A value scored ≥ [`CONFIDENT`] that is wrong.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ConfidentError {
    pub file: String,
    pub form_index: u64,
    /// `fields.KEY` or `indicators[i]` (index in the predicted record).
    pub path: String,
    pub expected: Json,
    pub got: Json,
    pub confidence: f64,
}

/// Everything `formsift eval` reports.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Report {
    pub records: usize,
    pub records_missing: usize,
    pub records_extra: usize,
    pub fields_total: usize,
    pub fields_correct: usize,
    pub field_accuracy: f64,
    pub nonblank_total: usize,
    pub nonblank_correct: usize,
    pub nonblank_accuracy: f64,
    pub per_field: Vec<FieldStats>,
    pub indicators_gold: usize,
    pub indicators_predicted: usize,
    pub indicators_tp: usize,
    pub indicator_precision: f64,
    pub indicator_recall: f64,
    pub indicator_f1: f64,
    pub calibration_items: usize,
    pub ece: f64,
    pub brier: f64,
    pub bins: Vec<Bin>,
    pub confident_errors: Vec<ConfidentError>,
    /// Scored values at confidence ≥ [`CONFIDENT`], and the share of them
    /// that are wrong.
    pub confident_answers: usize,
    pub confident_error_rate: f64,
    /// Records exactly right: every field, and the indicators as a
    /// multiset, level 1 included.
    pub records_exact: usize,
    /// Records a router would accept unseen: record confidence ≥
    /// [`CONFIDENT`].
    pub records_auto: usize,
    /// Records that go straight through: auto-accepted and exactly right;
    /// and its share of the gold records.
    pub straight_through: usize,
    pub straight_through_rate: f64,
    /// Auto-accepted records that are not exactly right: the defect users
    /// feel most.
    pub wrong_auto_accepted: usize,
    /// The same report per value of each `meta` key of the gold records
    /// (engine, level, rendering, noise operator …), when asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub breakdown: Vec<Breakdown>,
    /// Every scored value: (confidence, right?, field or indicator). Not
    /// printed; `formsift calibrate` fits its table on these.
    #[serde(skip)]
    pub items: Vec<(f64, bool, Kind)>,
}

fn tag_re() -> &'static Regex {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"<[^>]*>").ok())
        .as_ref()
        .unwrap_or_else(|| {
            // A constant pattern; a failure is a build defect caught by tests.
            unreachable!("tag pattern")
        })
}

fn enum_re() -> &'static Regex {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^\s*\d+\s*[.、．]\s*").ok())
        .as_ref()
        .unwrap_or_else(|| unreachable!("enumerator pattern"))
}

/// Text as compared: tags removed, NFKC, no whitespace.
pub fn canon_text(s: &str) -> String {
    tag_re()
        .replace_all(s, "")
        .nfkc()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// A value as compared.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Canon {
    Null,
    Bool(bool),
    /// Rounded to 9 decimals, as integer nanos (hashable).
    Num(i128),
    Str(String),
    List(Vec<Canon>),
    Other(String),
}

fn canon(v: &Json) -> Canon {
    match v {
        Json::Null => Canon::Null,
        Json::Bool(b) => Canon::Bool(*b),
        Json::Number(n) => match n.as_f64() {
            Some(f) => Canon::Num((f * 1e9).round() as i128),
            None => Canon::Other(n.to_string()),
        },
        Json::String(s) => Canon::Str(canon_text(s)),
        Json::Array(a) => Canon::List(a.iter().map(canon).collect()),
        Json::Object(_) => Canon::Other(v.to_string()),
    }
}

/// Is `got` right for the gold value `want`?
pub fn value_ok(want: &Json, got: &Json) -> bool {
    if want.is_number() && !got.is_number() {
        return false;
    }
    canon(want) == canon(got)
}

fn confidence_of(v: &Json) -> Option<f64> {
    v.as_f64().filter(|c| (0.0..=1.0).contains(c))
}

type IndKey = (Canon, Canon, Canon, Canon);

fn ind_key(i: &Json) -> IndKey {
    let l3 = match &i["level3"] {
        Json::String(s) => Json::String(enum_re().replace(s, "").into_owned()),
        other => other.clone(),
    };
    (
        canon(&i["horizon"]),
        canon(&i["level2"]),
        canon(&l3),
        canon(&i["value"]),
    )
}

/// Compares predictions with gold.
pub fn evaluate(gold: &[Loaded], pred: &[Loaded], rules: &Rules) -> Report {
    let mut r = Report::default();
    let pred_by_key: HashMap<&(String, u64), &Loaded> = pred.iter().map(|p| (&p.key, p)).collect();
    let gold_keys: HashSet<&(String, u64)> = gold.iter().map(|g| &g.key).collect();
    r.records = gold.len();
    r.records_extra = pred.iter().filter(|p| !gold_keys.contains(&p.key)).count();
    // (confidence, correct) for calibration.
    let mut items: Vec<(f64, bool, Kind)> = Vec::new();
    let mut tally = FieldTally::default();
    let mut sorted_gold: Vec<&Loaded> = gold.iter().collect();
    sorted_gold.sort_by(|a, b| a.key.cmp(&b.key));
    for g in sorted_gold {
        let p = pred_by_key.get(&g.key).copied();
        if p.is_none() {
            r.records_missing += 1;
        }
        let fields_ok = tally.record(g, p, &mut items, &mut r.confident_errors);
        let indicators_ok = indicators(g, p, rules, &mut r, &mut items);
        let exact = p.is_some() && fields_ok && indicators_ok;
        let auto = p.and_then(|p| confidence_of(&p.record["confidence"])) >= Some(CONFIDENT);
        r.records_exact += exact as usize;
        r.records_auto += auto as usize;
        r.straight_through += (auto && exact) as usize;
        r.wrong_auto_accepted += (auto && !exact) as usize;
    }
    r.straight_through_rate = ratio(r.straight_through, r.records);
    tally.finish(&mut r);
    r.field_accuracy = ratio(r.fields_correct, r.fields_total);
    r.nonblank_accuracy = ratio(r.nonblank_correct, r.nonblank_total);
    r.indicator_precision = ratio(r.indicators_tp, r.indicators_predicted);
    r.indicator_recall = ratio(r.indicators_tp, r.indicators_gold);
    let (p, rc) = (r.indicator_precision, r.indicator_recall);
    r.indicator_f1 = if p + rc > 0.0 {
        round6(2.0 * p * rc / (p + rc))
    } else {
        0.0
    };
    calibration(&items, &mut r);
    r.items = items;
    r
}

/// Field accuracy per key, and the confidence sums behind its mean.
#[derive(Default)]
struct FieldTally {
    per_field: Vec<FieldStats>,
    conf_sums: BTreeMap<String, (f64, usize)>,
}

impl FieldTally {
    /// Compares every gold field of one record with its prediction;
    /// returns whether all are right.
    fn record(
        &mut self,
        g: &Loaded,
        p: Option<&Loaded>,
        items: &mut Vec<(f64, bool, Kind)>,
        confident_errors: &mut Vec<ConfidentError>,
    ) -> bool {
        let Some(fields) = g.record["fields"].as_object() else {
            return true;
        };
        let mut all_ok = true;
        for (k, want) in fields {
            let cell = p.map(|p| &p.record["fields"][k]);
            let got = cell.map(|c| &c["value"]).unwrap_or(&Json::Null);
            let conf = cell.and_then(|c| confidence_of(&c["confidence"]));
            let ok = cell.is_some_and(|c| c.is_object()) && conf.is_some() && value_ok(want, got);
            all_ok &= ok;
            let s = self.stats(k);
            s.total += 1;
            s.correct += ok as usize;
            if !want.is_null() {
                s.nonblank_total += 1;
                s.nonblank_correct += ok as usize;
            }
            let Some(c) = conf else {
                continue;
            };
            items.push((c, ok, Kind::Field));
            let e = self.conf_sums.entry(k.clone()).or_default();
            e.0 += c;
            e.1 += 1;
            if !ok && c >= CONFIDENT {
                confident_errors.push(ConfidentError {
                    file: g.key.0.clone(),
                    form_index: g.key.1,
                    path: format!("fields.{k}"),
                    expected: want.clone(),
                    got: got.clone(),
                    confidence: c,
                });
            }
        }
        all_ok
    }

    /// The stats of field `k`, added in gold order on first sight.
    fn stats(&mut self, k: &str) -> &mut FieldStats {
        let idx = match self.per_field.iter().position(|s| s.field == k) {
            Some(i) => i,
            None => {
                self.per_field.push(FieldStats {
                    field: k.to_string(),
                    ..FieldStats::default()
                });
                self.per_field.len() - 1
            }
        };
        &mut self.per_field[idx]
    }

    /// Per-field accuracies and means, and the totals, into the report.
    fn finish(mut self, r: &mut Report) {
        for s in &mut self.per_field {
            s.accuracy = ratio(s.correct, s.total);
            if let Some((sum, n)) = self.conf_sums.get(&s.field) {
                s.mean_confidence = round6(sum / *n as f64);
            }
            r.fields_total += s.total;
            r.fields_correct += s.correct;
            r.nonblank_total += s.nonblank_total;
            r.nonblank_correct += s.nonblank_correct;
        }
        r.per_field = self.per_field;
    }
}

/// Compares one record's indicators (a multiset); returns whether they are
/// exactly the gold's.
fn indicators(
    g: &Loaded,
    p: Option<&Loaded>,
    rules: &Rules,
    r: &mut Report,
    items: &mut Vec<(f64, bool, Kind)>,
) -> bool {
    let empty = Vec::new();
    let want_list = g.record["indicators"].as_array().unwrap_or(&empty);
    let have_list = p
        .and_then(|p| p.record["indicators"].as_array())
        .unwrap_or(&empty);
    r.indicators_gold += want_list.len();
    r.indicators_predicted += have_list.len();
    // Gold: key → (count, level1 expected).
    let mut want: HashMap<IndKey, (usize, Canon)> = HashMap::new();
    for i in want_list {
        let e = want.entry(ind_key(i)).or_insert((0, canon(&i["level1"])));
        e.0 += 1;
    }
    let mut tp = 0;
    // Predictions grouped by key, best confidence first, so the confident
    // ones are the ones credited.
    let mut have: BTreeMap<IndKey, Vec<(usize, f64)>> = BTreeMap::new();
    for (n, i) in have_list.iter().enumerate() {
        let c = confidence_of(&i["confidence"]).unwrap_or(f64::NAN);
        have.entry(ind_key(i)).or_default().push((n, c));
    }
    for (key, preds) in have.iter_mut() {
        preds.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let (n_want, l1) = want.get(key).cloned().unwrap_or((0, Canon::Null));
        let level1_free = matches!(&key.1, Canon::Str(s) if rules.any_level1.contains(s));
        let mut credited = 0;
        for &(idx, c) in preds.iter() {
            let item = &have_list[idx];
            let ok =
                credited < n_want && !c.is_nan() && (level1_free || canon(&item["level1"]) == l1);
            if ok {
                credited += 1;
            }
            if c.is_nan() {
                continue;
            }
            items.push((c, ok, Kind::Indicator));
            if !ok && c >= CONFIDENT {
                r.confident_errors.push(ConfidentError {
                    file: g.key.0.clone(),
                    form_index: g.key.1,
                    path: format!("indicators[{idx}]"),
                    expected: Json::Null,
                    got: item.clone(),
                    confidence: c,
                });
            }
        }
        r.indicators_tp += credited;
        tp += credited;
    }
    tp == want_list.len() && tp == have_list.len()
}

fn calibration(items: &[(f64, bool, Kind)], r: &mut Report) {
    r.calibration_items = items.len();
    r.confident_answers = items.iter().filter(|i| i.0 >= CONFIDENT).count();
    let confident_wrong = (items.iter()).filter(|i| i.0 >= CONFIDENT && !i.1).count();
    r.confident_error_rate = ratio(confident_wrong, r.confident_answers);
    let mut bins: Vec<(f64, usize, usize)> = vec![(0.0, 0, 0); BINS];
    let mut brier = 0.0;
    for &(c, ok, _) in items {
        let b = ((c * BINS as f64) as usize).min(BINS - 1);
        bins[b].0 += c;
        bins[b].1 += 1;
        bins[b].2 += ok as usize;
        let y = if ok { 1.0 } else { 0.0 };
        brier += (c - y) * (c - y);
    }
    let n = items.len().max(1) as f64;
    let mut ece = 0.0;
    r.bins = bins
        .iter()
        .enumerate()
        .map(|(i, &(sum, count, right))| {
            let (mean, acc) = if count > 0 {
                (sum / count as f64, right as f64 / count as f64)
            } else {
                (0.0, 0.0)
            };
            ece += count as f64 / n * (acc - mean).abs();
            Bin {
                lo: i as f64 / BINS as f64,
                hi: (i + 1) as f64 / BINS as f64,
                count,
                mean_confidence: round6(mean),
                accuracy: round6(acc),
            }
        })
        .collect();
    r.ece = round6(ece);
    r.brier = round6(if items.is_empty() { 0.0 } else { brier / n });
}

/// Refits the calibration table: every document a gold file names (by its
/// `source.path`, relative to the working directory) is extracted with raw
/// scores, compared with the gold, and a step table is fitted per kind
/// ([`formsift::fit_steps`]). Returns the table and the report of the
/// raw scores.
pub fn refit(
    gold_paths: &[PathBuf],
    extractor: &Extractor,
    prior_weight: f64,
) -> Result<(formsift::Calibration, Report), EvalError> {
    // Raw evidence scores as confidences: what a refit is fitted on.
    let raw = (extractor.clone()).with_calibration(formsift::Calibration::identity().clone());
    let mut gold = Vec::new();
    for g in gold_paths {
        gold.extend(load_jsonl(g)?);
    }
    let mut docs: Vec<String> = gold
        .iter()
        .filter_map(|g| g.record["source"]["path"].as_str().map(str::to_string))
        .collect();
    docs.sort();
    docs.dedup();
    let mut pred = Vec::new();
    for d in &docs {
        for rec in raw.extract_file(d)? {
            let line = rec.to_json_line();
            pred.extend(parse_jsonl(&line, Path::new(d))?);
        }
    }
    let report = evaluate(&gold, &pred, &Rules::from_template(extractor.template()));
    let pick = |k: Kind| -> Vec<(f64, bool)> {
        report
            .items
            .iter()
            .filter(|i| i.2 == k)
            .map(|i| (i.0, i.1))
            .collect()
    };
    let cal = formsift::Calibration {
        about: format!(
            "Raw evidence score -> probability, fitted by `formsift calibrate` on {} ({} forms). Refit: see README, Calibration.",
            gold_paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            gold.len()
        ),
        prior_weight,
        fields: formsift::fit_steps(&pick(Kind::Field), prior_weight),
        indicators: formsift::fit_steps(&pick(Kind::Indicator), prior_weight),
    };
    Ok((cal, report))
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        round6(a as f64 / b as f64)
    }
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

mod print;
pub use print::text_report;

#[cfg(test)]
mod tests;
