//! Compiling a template file into the [`Template`] the pipeline reads: every
//! reference checked (a field named twice, an unknown `column_of`, a check
//! naming no field are errors with the file's path), labels made distinct
//! (a label printed for several fields maps to all of them), one
//! [`Vocabulary`] per kind of printed word.

use super::spec::{FieldSpec, IndicatorSpec, TemplateFile};
use super::{
    Endings, Field, FieldSource, FieldType, HeaderRole, Indicators, LabelTarget, Template,
};
use crate::error::TemplateError;
use crate::text::normalize::{fold_key, fold_label};
use crate::vocab::glyphs::Confusions;
use crate::vocab::{Vocabulary, Word};
use regex::Regex;
use std::path::Path;
use std::sync::Arc;

/// Checks `file` and builds its template (the fingerprint is the caller's).
pub(super) fn compile(file: TemplateFile, path: &Path) -> Result<Template, TemplateError> {
    let invalid = |message: String| TemplateError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let keys: Vec<&str> = file.field.iter().map(|f| &*f.key).collect();
    check_keys(&keys, file.display_field.as_deref()).map_err(invalid)?;
    let fields = (file.field.iter())
        .map(|spec| compile_field(spec, &keys))
        .collect::<Result<Vec<Field>, String>>()
        .map_err(invalid)?;
    let (labels, label_targets) = compile_labels(&fields, &file.scaffolding).map_err(invalid)?;
    for check in &file.checks.sums {
        for k in std::iter::once(&check.total).chain(check.parts.iter()) {
            if !keys.contains(&k.as_str()) {
                return Err(invalid(format!("check names unknown field `{k}`")));
            }
        }
    }
    let mut indicators = compile_indicators(&file.indicators, &keys).map_err(invalid)?;
    let mut fields = fields;
    let labels = attach_glyphs(labels, &mut fields, &mut indicators);
    let folded = |list: &[String]| -> Vec<String> { list.iter().map(|m| fold_label(m)).collect() };
    let dangling = folded(&file.text.dangling_endings);
    Ok(Template {
        id: file.id.into(),
        fingerprint: String::new(),
        name: file.name,
        schema: (file.schema.as_deref())
            .unwrap_or(crate::record::SCHEMA)
            .into(),
        title_markers: folded(&file.segment.title_markers),
        max_title_chars: file.segment.max_title_chars.unwrap_or(60),
        units: folded(&file.text.units),
        dangling_keys: Endings::new(dangling.into_iter().filter(|k| !k.is_empty()).collect()),
        fields,
        labels,
        label_targets,
        sums: file.checks.sums,
        indicators,
        display_field: file.display_field,
    })
}

/// Field keys are distinct, and `display_field` names one of them.
fn check_keys(keys: &[&str], display_field: Option<&str>) -> Result<(), String> {
    for (i, key) in keys.iter().enumerate() {
        if keys[..i].contains(key) {
            return Err(format!("field `{key}` is defined twice"));
        }
    }
    match display_field {
        Some(d) if !keys.contains(&d) => Err(format!(
            "display_field `{d}` is not a field of this template"
        )),
        _ => Ok(()),
    }
}

/// One field: where its value comes from, how a shared cell splits, its
/// options, the field it shares a column with.
fn compile_field(spec: &FieldSpec, keys: &[&str]) -> Result<Field, String> {
    let key = &spec.key;
    let source = field_source(spec)?;
    let split = match (&spec.split_pattern, &spec.split_group) {
        (Some(p), Some(g)) => {
            let re = Regex::new(p).map_err(|e| format!("field `{key}`: bad split_pattern: {e}"))?;
            if !re.capture_names().any(|n| n == Some(g.as_str())) {
                return Err(format!("field `{key}`: split_pattern has no group `{g}`"));
            }
            Some((re, g.clone()))
        }
        (None, None) => None,
        _ => {
            return Err(format!(
                "field `{key}`: split_pattern and split_group go together"
            ))
        }
    };
    if matches!(spec.kind, FieldType::Choice | FieldType::Choices) && spec.options.is_empty() {
        return Err(format!("field `{key}`: a choice needs options"));
    }
    let column_of = match &spec.column_of {
        Some(k) => Some(
            (keys.iter().position(|x| x == k))
                .ok_or_else(|| format!("field `{key}`: column_of `{k}` is no field"))?,
        ),
        None => None,
    };
    let value_pattern = (spec.value_pattern.as_deref())
        .map(|p| Regex::new(p).map_err(|e| format!("field `{key}`: bad value_pattern: {e}")))
        .transpose()?;
    let misread_risk = spec.misread_risk.unwrap_or(1.0);
    if !(misread_risk.is_finite() && misread_risk >= 0.0) {
        return Err(format!(
            "field `{key}`: misread_risk must be a number >= 0, not {misread_risk}"
        ));
    }
    let options = spec.options.iter().map(|o| Word::new(o, fold_key(o)));
    Ok(Field {
        key: key.as_str().into(),
        kind: spec.kind,
        labels: spec.labels.clone(),
        source,
        split,
        options: Vocabulary::new(options.collect()),
        column_of,
        layout: spec.layout,
        optional: spec.optional,
        value_pattern,
        misread_risk,
    })
}

/// A field's `source` / `line_pattern` / `labels`: exactly one way to find
/// its value.
fn field_source(spec: &FieldSpec) -> Result<FieldSource, String> {
    let key = &spec.key;
    match (spec.source.as_deref(), &spec.line_pattern) {
        (Some("title"), _) => Ok(FieldSource::Title),
        (Some(other), _) => Err(format!("field `{key}`: unknown source `{other}`")),
        (None, Some(p)) => {
            let re = Regex::new(p).map_err(|e| format!("field `{key}`: bad line_pattern: {e}"))?;
            if !re.capture_names().any(|n| n == Some("value")) {
                return Err(format!("field `{key}`: line_pattern needs a `value` group"));
            }
            Ok(FieldSource::LinePattern(re))
        }
        (None, None) if spec.labels.is_empty() => Err(format!(
            "field `{key}` has no labels, source or line_pattern"
        )),
        (None, None) => Ok(FieldSource::Labels),
    }
}

/// The distinct labels of the fields and the scaffolding, with what each
/// stands for: a label printed for several fields maps to all of them; a
/// scaffolding label that is also a field's label is the field's.
fn compile_labels(
    fields: &[Field],
    scaffolding: &[String],
) -> Result<(Vocabulary, Vec<LabelTarget>), String> {
    let mut words: Vec<Word> = Vec::new();
    let mut targets: Vec<LabelTarget> = Vec::new();
    let position = |words: &[Word], key: &str| words.iter().position(|w| w.key == key);
    for (fi, f) in fields.iter().enumerate() {
        for text in &f.labels {
            let key = fold_label(text);
            if key.is_empty() {
                return Err(format!("field `{}`: empty label", f.key));
            }
            match position(&words, &key) {
                Some(li) => {
                    if let LabelTarget::Fields(v) = &mut targets[li] {
                        if !v.contains(&fi) {
                            v.push(fi);
                        }
                    }
                }
                None => {
                    words.push(Word::new(text, key));
                    targets.push(LabelTarget::Fields(vec![fi]));
                }
            }
        }
    }
    for text in scaffolding {
        let key = fold_label(text);
        if !key.is_empty() && position(&words, &key).is_none() {
            words.push(Word::new(text, key));
            targets.push(LabelTarget::Scaffold);
        }
    }
    Ok((searchable(words)?, targets))
}

/// The indicator table: header labels and their roles, the level-1 names
/// and the level-2 names under each (a level-2 name under several level-1
/// names is one word), the horizons and what shows each is in use.
fn compile_indicators(ind: &IndicatorSpec, keys: &[&str]) -> Result<Indicators, String> {
    let mut headers = Vec::new();
    let mut header_roles = Vec::new();
    for (list, role) in [
        (&ind.level1_header, HeaderRole::Level1),
        (&ind.level2_header, HeaderRole::Level2),
        (&ind.level3_header, HeaderRole::Level3),
        (&ind.value_header, HeaderRole::Value),
    ] {
        for text in list {
            headers.push(Word::new(text, fold_label(text)));
            header_roles.push(role);
        }
    }
    let mut level1 = Vec::new();
    let mut level2: Vec<Word> = Vec::new();
    let mut children = Vec::new();
    for l1 in &ind.level1 {
        level1.push(Word::new(&l1.name, fold_label(&l1.name)));
        let mut kids = Vec::new();
        for name in &l1.level2 {
            let key = fold_label(name);
            let idx = match level2.iter().position(|l| l.key == key) {
                Some(i) => i,
                None => {
                    level2.push(Word::new(name, key));
                    level2.len() - 1
                }
            };
            kids.push(idx);
        }
        children.push(kids);
    }
    let horizons = ind.horizons.clone();
    let default_horizon = (ind.default_horizon.clone())
        .or_else(|| horizons.last().cloned())
        .unwrap_or_else(|| "annual".to_string());
    let horizon_evidence = horizon_evidence(ind, &horizons, keys)?;
    Ok(Indicators {
        header_labels: searchable(headers)?,
        header_roles,
        horizons: horizons.into_iter().map(Into::into).collect(),
        default_horizon: default_horizon.into(),
        horizon_evidence,
        level1: Vocabulary::new(level1),
        level2: Vocabulary::new(level2),
        children,
        value_prefixes: (ind.value_prefixes.iter())
            .map(|p| crate::text::normalize::fold_key(p))
            .collect(),
        prefix_readings: prefix_readings(ind)?,
    })
}

/// `prefix_readings` as (character read, sign), sorted: each reading one
/// character, each sign one of `value_prefixes`.
fn prefix_readings(ind: &IndicatorSpec) -> Result<Vec<(char, String)>, String> {
    let mut out = Vec::new();
    for (sign, readings) in &ind.prefix_readings {
        if !ind.value_prefixes.contains(sign) {
            return Err(format!(
                "indicators.prefix_readings: `{sign}` is not one of value_prefixes"
            ));
        }
        for r in readings {
            let mut chars = r.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => out.push((c, sign.clone())),
                _ => {
                    return Err(format!(
                        "indicators.prefix_readings.{sign}: `{r}` is not one character"
                    ))
                }
            }
        }
    }
    out.sort();
    Ok(out)
}

/// `horizon_evidence`, sorted by horizon, each naming a known horizon and
/// known fields.
fn horizon_evidence(
    ind: &IndicatorSpec,
    horizons: &[String],
    keys: &[&str],
) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut evidence: Vec<(String, Vec<String>)> = (ind.horizon_evidence.iter())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    evidence.sort();
    for (h, ks) in &evidence {
        if !horizons.contains(h) {
            return Err(format!("horizon_evidence: unknown horizon `{h}`"));
        }
        if let Some(k) = ks.iter().find(|k| !keys.contains(&k.as_str())) {
            return Err(format!("horizon_evidence names unknown field `{k}`"));
        }
    }
    Ok(evidence)
}

/// Makes every vocabulary of the template aware of the look-alikes of its
/// characters (one table for all of them, from the compiled-in glyph
/// data).
fn attach_glyphs(labels: Vocabulary, fields: &mut [Field], ind: &mut Indicators) -> Vocabulary {
    let chars: Vec<char> = (labels.chars())
        .chain(ind.header_labels.chars())
        .chain(ind.level1.chars())
        .chain(ind.level2.chars())
        .chain(fields.iter().flat_map(|f| f.options.chars()))
        .collect();
    let glyphs = Arc::new(Confusions::of(chars));
    let with = |v: &mut Vocabulary| {
        let taken = std::mem::replace(v, Vocabulary::new(Vec::new()));
        *v = taken.with_glyphs(glyphs.clone());
    };
    for f in fields.iter_mut() {
        with(&mut f.options);
    }
    with(&mut ind.header_labels);
    with(&mut ind.level1);
    with(&mut ind.level2);
    labels.with_glyphs(glyphs.clone())
}

/// A vocabulary searched inside every cell and line: with its automaton.
fn searchable(words: Vec<Word>) -> Result<Vocabulary, String> {
    (Vocabulary::new(words).searchable()).map_err(|e| format!("label automaton: {e}"))
}
