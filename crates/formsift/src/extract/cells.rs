//! Cell classification: is a cell a template label, a label followed by its
//! value (`年度资金总额： 8 万元`), or a plain value?

use crate::template::Template;
use crate::text::normalize::enumerator_len;
use crate::vocab::{MatchQuality, WordMatch};

/// Lowest score for a cut-short or confused label to count.
pub const MIN_LABEL_SCORE: f64 = 0.3;

/// A label shorter than this (in folded UTF-8 bytes: 4 Han characters) must
/// be followed by a separator to count as a label with its value in one cell.
const SHORT_LABEL_BYTES: usize = 12;

/// What one cell is.
#[derive(Debug, Clone, PartialEq)]
pub enum CellClass {
    Value,
    Label {
        /// Candidate labels, best first (indices into `Template::labels`).
        cands: Candidates,
        /// Clean text after the label in the same cell, if any.
        inline: Option<String>,
    },
}

/// A cell's candidate labels: one (an exact label, most cells) without a
/// list to allocate, or several.
pub type Candidates = super::OneOrMany<WordMatch>;

impl CellClass {
    pub fn is_label(&self) -> bool {
        matches!(self, CellClass::Label { .. })
    }
}

/// [`classify`] for a text whose folded key is known.
pub fn classify_key(text: &str, full_key: &str, template: &Template) -> CellClass {
    let skip = enumerator_len(full_key);
    let key = &full_key[skip..];
    if key.is_empty() {
        return CellClass::Value;
    }
    // Most cells start with no label's first character: neither the exact
    // lookup nor the anchored search can then match.
    let may_start = template.labels.may_start_a_word(key);
    // 1. The whole cell is a label, exactly or cut short / confused.
    if let Some(label) = may_start.then(|| template.labels.exact(key)).flatten() {
        return CellClass::Label {
            cands: super::OneOrMany::One(WordMatch::exact(label)),
            inline: None,
        };
    }
    let cands: Vec<WordMatch> = template
        .labels
        .matches(key)
        .into_iter()
        .filter(|m| m.score >= MIN_LABEL_SCORE)
        .collect();
    if let Some(first) = cands.first() {
        if first.quality == MatchQuality::Exact {
            let exact = cands
                .iter()
                .copied()
                .filter(|m| m.quality == MatchQuality::Exact)
                .collect();
            return CellClass::Label {
                cands: super::OneOrMany::Many(exact),
                inline: None,
            };
        }
        return CellClass::Label {
            cands: super::OneOrMany::Many(cands),
            inline: None,
        };
    }
    // 2. The cell starts with a label and goes on with its value.
    if let Some((label, end)) = may_start
        .then(|| template.labels.word_at_start(key))
        .flatten()
    {
        let rest = &text[crate::text::normalize::clean_offset(text, skip + end)..];
        // A short label run straight into more Han text is a word of a
        // longer phrase (单位 in 单位养护成本), not a label with its value.
        let short = end < SHORT_LABEL_BYTES;
        if short
            && rest
                .chars()
                .next()
                .is_some_and(|c| crate::text::normalize::is_cjk(c) && c.is_alphabetic())
        {
            return CellClass::Value;
        }
        let value = strip_label_tail(rest);
        return CellClass::Label {
            cands: super::OneOrMany::One(WordMatch::exact(label)),
            inline: (!value.is_empty()).then(|| value.to_string()),
        };
    }
    // 3. The cell starts with a label printed with confusions, and goes on
    // with its value after a colon or a number (`年度资金总頟：8万元`).
    if let Some((m, end)) = template.labels.fuzzy_word_at_start(key) {
        let rest = &text[crate::text::normalize::clean_offset(text, skip + end)..];
        let value = strip_label_tail(rest);
        return CellClass::Label {
            cands: super::OneOrMany::One(m),
            inline: (!value.is_empty()).then(|| value.to_string()),
        };
    }
    CellClass::Value
}

/// What follows a label in its own cell, without the colon, without a
/// bracketed qualifier such as `（20**年—20**年）` or `（万元）` that belongs
/// to the label, and without the ruling between them read as `|`.
pub fn strip_label_tail(rest: &str) -> &str {
    let mut r = crate::text::normalize::trim_rule_marks(rest);
    if let Some(q) = bracketed_prefix(r) {
        let after = r[q..].trim_start();
        if after.is_empty() || after.starts_with([':', '：']) {
            r = after;
        }
    }
    crate::text::normalize::trim_rule_marks(r.trim_start_matches([':', '：']))
}

/// Byte length of a leading `(...)` / `（...）` group, if `s` starts with one.
fn bracketed_prefix(s: &str) -> Option<usize> {
    let close = if s.starts_with('(') {
        ')'
    } else if s.starts_with('（') {
        '）'
    } else {
        return None;
    };
    s.find(close).map(|i| i + close.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Classifies a cell's clean text.
    fn classify(text: &str, template: &Template) -> CellClass {
        classify_key(text, &crate::text::normalize::fold_key(text), template)
    }

    fn label_text(c: &CellClass, t: &Template) -> (String, Option<String>) {
        match c {
            CellClass::Label { cands, inline } => {
                (t.labels[cands[0].word].text.to_string(), inline.clone())
            }
            CellClass::Value => ("<value>".into(), None),
        }
    }

    #[test]
    fn whole_label_inline_value_and_plain_value() {
        let t = Template::builtin();
        assert_eq!(
            label_text(&classify("项目名称", &t), &t),
            ("项目名称".into(), None)
        );
        assert_eq!(
            label_text(&classify("年度资金总额： 8 万元", &t), &t),
            ("年度资金总额".into(), Some("8 万元".into()))
        );
        assert_eq!(
            label_text(&classify("其中: 财政拨款 13 万元", &t), &t),
            ("其中:财政拨款".into(), Some("13 万元".into()))
        );
        assert_eq!(
            label_text(&classify("中期资金总额:", &t), &t),
            ("中期资金总额".into(), None)
        );
        assert_eq!(classify("某区某某局王五", &t), CellClass::Value);
        assert_eq!(classify("8", &t), CellClass::Value);
    }

    #[test]
    fn a_short_label_inside_a_phrase_is_no_label() {
        let t = Template::builtin();
        // 单位 (amount_unit's label) opening an indicator name.
        assert_eq!(classify("单位养护成本", &t), CellClass::Value);
        assert_eq!(
            label_text(&classify("单位：万元", &t), &t),
            ("单位".into(), Some("万元".into()))
        );
        // A long label run into its value still counts.
        assert_eq!(
            label_text(&classify("实施单位及责任人某局张三", &t), &t),
            ("实施单位及责任人".into(), Some("某局张三".into()))
        );
    }

    #[test]
    fn truncated_label_beats_a_shorter_exact_prefix() {
        let t = Template::builtin();
        // 预算单位 is a synonym, but the cell is 预算单位及代码 cut short.
        assert_eq!(
            label_text(&classify("预算单位及代", &t), &t),
            ("预算单位及代码".into(), None)
        );
        assert_eq!(
            label_text(&classify("3.国有资本经营预", &t), &t),
            ("国有资本经营预算收入".into(), None)
        );
    }

    #[test]
    fn bracketed_qualifier_stays_with_the_label() {
        let t = Template::builtin();
        assert_eq!(
            label_text(&classify("中长期目标（2019年—2021年）", &t), &t).1,
            None
        );
        assert_eq!(strip_label_tail("（万元）：5"), "5");
        assert_eq!(strip_label_tail(" (含数字) 说明"), "(含数字) 说明");
    }
}
