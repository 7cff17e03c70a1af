//! Truncation: text values the OCR (or a cell's width) cut short. A value
//! ends mid-phrase when it ends with a word that cannot close a phrase
//! (template `dangling_endings`), or when its last characters appear in
//! another cell of the form followed by more of the phrase. Such values
//! stay as printed (nothing is invented) and get a `value_truncated`
//! warning.

use crate::record::{Record, Warning};
use crate::table;
use crate::template::{FieldSource, Template};
use crate::text::normalize::{fold_key, is_cjk};
use std::sync::Arc;

/// Minimum length (characters) of a value's ending looked up elsewhere in
/// the form to tell it was cut short.
const TRUNCATION_PROBE_CHARS: usize = 6;

/// Flags text values that end mid-phrase: they end with a word that cannot
/// close a phrase (template `dangling_endings`), or their last characters
/// appear elsewhere in the form followed by more text (the same phrase,
/// printed whole in another cell).
pub(super) fn flag_truncated(record: &mut Record, layout: &table::Layout, template: &Template) {
    let corpus = Corpus::new(layout);
    let check =
        |text: &str, origin: Origin| -> bool { looks_truncated(text, origin, &corpus, template) };

    let mut warnings = Vec::new();
    for (i, (key, fv)) in record.fields.iter_mut().enumerate() {
        let Some(text) = fv.value.as_text() else {
            continue;
        };
        // Fields are in template order; the lookup by key is the fallback.
        let index = (template
            .fields
            .get(i)
            .is_some_and(|f| Arc::ptr_eq(&f.key, key) || f.key == *key))
        .then_some(i)
        .or_else(|| template.field_index(key));
        let is_free_text = index
            .map(|i| {
                let f = &template.fields[i];
                f.kind == crate::template::FieldType::Text
                    && f.split.is_none()
                    && matches!(f.source, FieldSource::Labels)
            })
            .unwrap_or(false);
        let origin = match fv.row {
            Some((g, r)) => Origin::Row(g, r),
            None => Origin::Line(fv.line.unwrap_or(0)),
        };
        if is_free_text && check(text, origin) {
            fv.truncated = true;
            warnings.push(truncation_warning(["fields.", key].concat(), text));
        }
    }
    for (i, ind) in record.indicators.iter_mut().enumerate() {
        for (name, text) in [("level3", &ind.level3), ("value", &ind.value)] {
            if let Some(t) = text {
                let origin = match ind.row {
                    Some((g, r)) => Origin::Row(g, r),
                    None => Origin::Line(ind.line),
                };
                if check(t, origin) {
                    ind.truncated = true;
                    warnings.push(truncation_warning(format!("indicators[{i}].{name}"), t));
                }
            }
        }
    }
    record.warnings.extend(warnings);
}

fn truncation_warning(path: String, text: &str) -> Warning {
    Warning {
        kind: "value_truncated".into(),
        path,
        message: ["ends mid-phrase: ", text].concat(),
    }
}

/// Where a text of the form sits: a table row, or a free line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Row(usize, usize),
    Line(usize),
}

/// Every text of a form, folded and joined (one search per probe instead of
/// one per text), with where each text sits.
struct Corpus {
    joined: String,
    /// (byte offset in `joined`, origin), ascending.
    starts: Vec<(usize, Origin)>,
}

impl Corpus {
    fn new(layout: &table::Layout) -> Corpus {
        // Sized once: the keys and a separator each.
        let keys = layout
            .grids
            .iter()
            .flat_map(|g| &g.rows)
            .flat_map(|r| &r.cells)
            .map(|c| c.key().len())
            .chain(layout.free.iter().map(|f| f.key.len()));
        let (texts, bytes) = keys.fold((0, 0), |(n, b), len| (n + 1, b + len + 1));
        let mut c = Corpus {
            joined: String::with_capacity(bytes),
            starts: Vec::with_capacity(texts),
        };
        let mut add = |origin: Origin, key: &str| {
            c.starts.push((c.joined.len(), origin));
            c.joined.push_str(key);
            // A separator that no folded text contains ends each text.
            c.joined.push('\u{1}');
        };
        for (g, grid) in layout.grids.iter().enumerate() {
            for (r, row) in grid.rows.iter().enumerate() {
                for cell in &row.cells {
                    add(Origin::Row(g, r), cell.key());
                }
            }
        }
        for fl in &layout.free {
            add(Origin::Line(fl.line), &fl.key);
        }
        c
    }

    fn origin_at(&self, offset: usize) -> Origin {
        let i = self.starts.partition_point(|(o, _)| *o <= offset);
        self.starts[i.saturating_sub(1)].1
    }
}

fn looks_truncated(text: &str, origin: Origin, corpus: &Corpus, template: &Template) -> bool {
    // Ideographs fold to themselves: a text ending in enough of them ends its
    // key with the same bytes, so the ending is read off the text and the
    // text is not folded whole.
    let ending = crate::fast::utf8::ideograph_suffix(text, TRUNCATION_PROBE_CHARS)
        .filter(|e| template.dangling_keys.max_len() < e.len());
    let folded;
    let key = match ending {
        Some(e) => e,
        None => {
            folded = fold_key(text);
            folded.as_str()
        }
    };
    if template.dangling_keys.ends(key) {
        return true;
    }
    // A line outside the table has no cell width to be cut at: only its
    // wording (a dangling ending) can show a value was cut short.
    if matches!(origin, Origin::Line(_)) {
        return false;
    }
    // The ending read off the text is the probe itself.
    let tail = match ending {
        Some(e) => e,
        None => {
            if !key.chars().next_back().is_some_and(is_han) {
                return false;
            }
            let Some((tail_at, _)) = key.char_indices().nth_back(TRUNCATION_PROBE_CHARS - 1) else {
                return false;
            };
            &key[tail_at..]
        }
    };
    let continued_elsewhere =
        crate::fast::search::any_occurrence(corpus.joined.as_bytes(), tail.as_bytes(), |at| {
            // The same row often repeats a name in its value; only another
            // row's (or line's) text is evidence.
            corpus.origin_at(at) != origin
                && corpus
                    .joined
                    .get(at + tail.len()..)
                    .is_some_and(|rest| continues_phrase(rest, template))
        });
    continued_elsewhere
}

/// True when `rest` (what follows a phrase elsewhere) carries the phrase on:
/// it starts with a Han character that is neither a joining word (的, 和 …,
/// from `dangling_endings`) nor the start of a template label.
fn continues_phrase(rest: &str, template: &Template) -> bool {
    let Some(c) = rest.chars().next() else {
        return false;
    };
    if !is_han(c) {
        return false;
    }
    let first = rest.as_bytes().first();
    let joins = template
        .dangling_keys
        .iter()
        .any(|e| e.as_bytes().first() == first && rest.starts_with(e.as_str()));
    let label = template.labels.word_at_start(rest).is_some();
    !joins && !label
}

fn is_han(c: char) -> bool {
    is_cjk(c) && !matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFFEF)
}
