//! Repair: recognise what the OCR damaged and put it back, saying what was
//! done. Label matching survives truncation (`预算单位及代` → `预算单位及代码`)
//! and visually confused characters (`顶目名称` → `项目名称`) by scoring a
//! cell against the whole template vocabulary, never against a list of known
//! typos. Digit confusions (`O`→`0`, `l`→`1`, …) are repaired in numeric
//! fields only.

use crate::record::RepairKind;
use crate::template::{char_bit, more_bits_than, LabelSet};

/// How well a cell matched a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchQuality {
    Exact,
    /// The cell is the label's beginning.
    Truncated,
    /// Same length, some characters differ.
    Confused,
    /// A beginning with some characters differing.
    TruncatedConfused,
}

impl MatchQuality {
    /// The repairs this match stands for (none for an exact match).
    pub fn repair_kinds(self) -> &'static [RepairKind] {
        match self {
            MatchQuality::Exact => &[],
            MatchQuality::Truncated => &[RepairKind::LabelTruncated],
            MatchQuality::Confused => &[RepairKind::LabelOcrConfusion],
            MatchQuality::TruncatedConfused => {
                &[RepairKind::LabelTruncated, RepairKind::LabelOcrConfusion]
            }
        }
    }
}

/// One candidate label for a cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelMatch {
    /// Index into the label list searched.
    pub label: usize,
    /// In (0, 1]; 1 is exact.
    pub score: f64,
    pub quality: MatchQuality,
}

/// Shortest cell (in characters) that may stand for a longer label.
const MIN_PARTIAL_CHARS: usize = 3;
/// A truncated cell keeps at least this share of the label...
const MIN_KEPT_SHARE: f64 = 0.5;
/// ...unless it is a clean beginning (no confused character): OCR cuts a
/// long label to its first 3 characters (`一般公` for `一般公共预算收入`).
/// Whether such a stub is unambiguous is decided against the whole
/// vocabulary ([`best_label`], `resolve`), not here.
const MIN_PREFIX_SHARE: f64 = 0.3;

/// Scores a folded cell against a folded label. `None` when the cell cannot
/// be that label.
pub fn score_label(cell: &[char], label: &[char]) -> Option<(f64, MatchQuality)> {
    let n = cell.len();
    if n > label.len() {
        return None;
    }
    // Count confused characters, giving up as soon as there are too many
    // (at most one per four): most cells are nowhere near most labels, and
    // this runs for every candidate of every cell.
    let allowed = n / 4;
    let mut mismatches = 0;
    for (a, b) in cell.iter().zip(label) {
        if a != b {
            mismatches += 1;
            if mismatches > allowed {
                return None;
            }
        }
    }
    if mismatches == 0 && n == label.len() {
        return Some((1.0, MatchQuality::Exact));
    }
    if n < MIN_PARTIAL_CHARS {
        return None;
    }
    let clean_prefix = mismatches == 0;
    let min_share = if clean_prefix {
        MIN_PREFIX_SHARE
    } else {
        MIN_KEPT_SHARE
    };
    if (n as f64) < min_share * label.len() as f64 {
        return None;
    }
    // A cut-short cell must keep its first character (else any short text
    // would match some label).
    if cell[0] != label[0] && n < label.len() {
        return None;
    }
    let kept = (n - mismatches) as f64 / label.len() as f64;
    let score = kept - 0.05 * mismatches as f64;
    let quality = match (n < label.len(), mismatches > 0) {
        (false, false) => MatchQuality::Exact,
        (true, false) => MatchQuality::Truncated,
        (false, true) => MatchQuality::Confused,
        (true, true) => MatchQuality::TruncatedConfused,
    };
    Some((score, quality))
}

/// Calls `each(set, match)` with every label of each of `sets` the folded
/// cell could be, in no particular order. The cell is decoded once for all
/// the sets, onto the stack; only the labels [`LabelSet::candidates`] names
/// are scored: this runs for every cell.
fn for_each_match(cell_key: &str, sets: &[&LabelSet], mut each: impl FnMut(usize, LabelMatch)) {
    if !may_match_any(cell_key, sets) {
        return;
    }
    // No label is longer than `max`: a longer cell is no label, and is
    // told after decoding `max + 1` characters, not all of them.
    let max = sets.iter().map(|l| l.max_chars()).max().unwrap_or(0);
    let mut stack = ['\0'; 24];
    let mut n = 0;
    let mut mask = 0u64;
    for c in cell_key.chars() {
        if n == max {
            return;
        }
        if let Some(slot) = stack.get_mut(n) {
            *slot = c;
        }
        mask |= char_bit(c);
        n += 1;
    }
    if n == 0 {
        return;
    }
    let heap: Vec<char>;
    let cell: &[char] = if n <= stack.len() {
        &stack[..n]
    } else {
        heap = cell_key.chars().collect();
        &heap
    };
    let allowed = n / 4;
    for (set, labels) in sets.iter().enumerate() {
        if n > labels.max_chars() {
            continue;
        }
        // A cell shorter than the label must start like it and be long
        // enough to stand for it.
        for i in labels.candidates(n, cell[0], mask, allowed, n >= MIN_PARTIAL_CHARS) {
            let label = &labels[i];
            // Each cell character outside the label is a confused position:
            // too many and the label is out, before any scoring.
            if more_bits_than(mask & !label.mask, allowed) {
                continue;
            }
            if let Some((score, quality)) = score_label(cell, &label.chars) {
                each(
                    set,
                    LabelMatch {
                        label: i,
                        score,
                        quality,
                    },
                );
            }
        }
    }
}

/// False when the folded cell surely matches no label of `sets`, told from
/// its first two characters and its length, before decoding it: most cells
/// match no label. A match keeps the label's first character, except a
/// label of the same length with that character confused
/// ([`LabelSet::may_match_confused`]).
// Inlined into the matcher: out of line it cost 2.3 k instructions per
// form (callgrind), a call per cell for a few compares.
#[inline(always)]
fn may_match_any(cell_key: &str, sets: &[&LabelSet]) -> bool {
    let mut chars = cell_key.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if sets.iter().any(|s| s.may_start_with(first)) {
        return true;
    }
    let second = chars.next();
    let n = 1 + usize::from(second.is_some()) + chars.count();
    sets.iter().any(|s| s.may_match_confused(n, second))
}

/// Every label the folded cell could be, best first (ties: template order).
pub fn match_labels(cell_key: &str, labels: &LabelSet) -> Vec<LabelMatch> {
    let mut out = Vec::new();
    for_each_match(cell_key, &[labels], |_, m| out.push(m));
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.label.cmp(&b.label)));
    out
}

/// The single best label, if one stands out (a tie between two different
/// labels is no match: the cell is ambiguous).
pub fn best_label(cell_key: &str, labels: &LabelSet) -> Option<LabelMatch> {
    let [best] = best_labels(cell_key, [labels]);
    best
}

/// [`best_label`] in each of several sets, decoding the cell once.
pub fn best_labels<const N: usize>(
    cell_key: &str,
    sets: [&LabelSet; N],
) -> [Option<LabelMatch>; N] {
    let mut best: [Option<LabelMatch>; N] = [None; N];
    let mut tied = [false; N];
    // A cell printing a label exactly (most label cells) is that label: no
    // other scores 1. Only the other sets are scored.
    let first = cell_key.chars().next();
    let mut open = sets;
    let mut open_at = [0; N];
    let mut n_open = 0;
    for (i, set) in sets.iter().enumerate() {
        let exact = first
            .is_some_and(|c| set.may_start_with(c))
            .then(|| set.exact(cell_key))
            .flatten();
        match exact {
            Some(label) => {
                best[i] = Some(LabelMatch {
                    label,
                    score: 1.0,
                    quality: MatchQuality::Exact,
                })
            }
            None => {
                open[n_open] = set;
                open_at[n_open] = i;
                n_open += 1;
            }
        }
    }
    if n_open == 0 {
        return best;
    }
    for_each_match(cell_key, &open[..n_open], |k, m| {
        let set = open_at[k];
        match best[set] {
            Some(b) if m.score < b.score => {}
            Some(b) if m.score == b.score => tied[set] = true,
            _ => {
                best[set] = Some(m);
                tied[set] = false;
            }
        }
    });
    for (b, t) in best.iter_mut().zip(tied) {
        if t {
            *b = None;
        }
    }
    best
}

/// Result of matching an option text against a vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionMatch {
    Exact(usize),
    /// A cut-short or confused spelling of exactly one option.
    Repaired(usize),
    /// Could be several options.
    Ambiguous,
    None,
}

/// Matches a folded option text (e.g. `市委市政府决`) against folded options.
pub fn match_option(text: &str, options: &[String]) -> OptionMatch {
    if let Some(i) = options.iter().position(|o| o == text) {
        return OptionMatch::Exact(i);
    }
    let t: Vec<char> = text.chars().collect();
    // (option, clean prefix?) for every option the text could be.
    let hits: Vec<(usize, bool)> = options
        .iter()
        .enumerate()
        .filter_map(|(i, o)| {
            let oc: Vec<char> = o.chars().collect();
            if t.len() > oc.len() && t.starts_with(&oc) && oc.len() >= 2 {
                // The option followed by OCR junk.
                return Some((i, true));
            }
            if t.len() == 2 && oc.len() > 2 && oc.starts_with(&t) {
                return Some((i, true));
            }
            score_label(&t, &oc).map(|(_, q)| (i, q == MatchQuality::Truncated))
        })
        .collect();
    let clean: Vec<usize> = hits.iter().filter(|h| h.1).map(|h| h.0).collect();
    let pick = if clean.is_empty() {
        hits.iter().map(|h| h.0).collect()
    } else {
        clean
    };
    match pick.as_slice() {
        [] => OptionMatch::None,
        [one] => OptionMatch::Repaired(*one),
        _ => OptionMatch::Ambiguous,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{LabelTarget, Template};

    #[test]
    fn the_prefilter_never_rules_out_a_match() {
        let t = Template::builtin();
        let sets = [
            &t.labels,
            &t.indicators.header_labels,
            &t.indicators.level1,
            &t.indicators.level2,
        ];
        let mut rng = crate::Xorshift(0x2545_f491_4f6c_dd1du64);
        let mut matched = 0;
        for set in sets {
            for label in set.iter() {
                let chars: Vec<char> = label.key.chars().collect();
                for _ in 0..40 {
                    let seed = rng.next();
                    // A prefix of the label with up to two characters
                    // replaced (the first among them, often).
                    let len = 1 + (seed % chars.len() as u64) as usize;
                    let mut v: Vec<char> = chars[..len].to_vec();
                    for k in 0..(seed >> 8) % 3 {
                        let at = ((seed >> (16 + 8 * k)) as usize) % len;
                        v[at] = ['某', 'x', '一', '指'][((seed >> (40 + k)) % 4) as usize];
                    }
                    let key: String = v.iter().collect();
                    // Scored against every label, without the index.
                    if set.iter().any(|l| score_label(&v, &l.chars).is_some()) {
                        matched += 1;
                        assert!(may_match_any(&key, &[set]), "{key:?} vs {}", label.key);
                    }
                }
            }
        }
        assert!(matched > 500, "{matched}");
    }

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    /// The indexed matcher finds exactly what scoring every label finds.
    #[test]
    fn indexed_matching_equals_scoring_the_whole_vocabulary() {
        let t = Template::builtin();
        let brute = |key: &str| -> Vec<(usize, MatchQuality)> {
            let cell = chars(key);
            let mut v: Vec<(usize, f64, MatchQuality)> = t
                .labels
                .iter()
                .enumerate()
                .filter_map(|(i, l)| score_label(&cell, &l.chars).map(|(s, q)| (i, s, q)))
                .collect();
            v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            v.into_iter().map(|(i, _, q)| (i, q)).collect()
        };
        let mut probes = Vec::new();
        let t_ind = &t.indicators;
        for l in t
            .labels
            .iter()
            .chain(t_ind.level1.iter())
            .chain(t_ind.level2.iter())
        {
            let c = &l.chars;
            for cut in 1..=c.len() {
                probes.push(c[..cut].iter().collect::<String>());
                // One character confused, at each position of the cut.
                for at in 0..cut {
                    let mut m = c[..cut].to_vec();
                    m[at] = '口';
                    probes.push(m.into_iter().collect());
                }
            }
        }
        assert!(probes.len() > 1000);
        for p in &probes {
            // Several sets at once give what each set gives alone.
            let sets = [&t.labels, &t.indicators.level1, &t.indicators.level2];
            let each = sets.map(|s| best_label(p, s));
            assert_eq!(best_labels(p, sets), each, "{p}");
            // The best is the one top score of scoring every label (the
            // exact lookup and the prefilters change nothing).
            for set in sets {
                let cell = chars(p);
                let mut scored: Vec<(f64, usize)> = set
                    .iter()
                    .enumerate()
                    .filter_map(|(i, l)| score_label(&cell, &l.chars).map(|(s, _)| (s, i)))
                    .collect();
                scored.sort_by(|a, b| b.0.total_cmp(&a.0));
                let want = match scored.as_slice() {
                    [(s, i), rest @ ..] if rest.first().is_none_or(|r| r.0 < *s) => Some(*i),
                    _ => None,
                };
                assert_eq!(best_label(p, set).map(|m| m.label), want, "{p}");
            }
            let got: Vec<(usize, MatchQuality)> = match_labels(p, &t.labels)
                .iter()
                .map(|m| (m.label, m.quality))
                .collect();
            assert_eq!(got, brute(p), "{p}");
        }
    }

    #[test]
    fn truncated_labels_match() {
        let (s, q) = score_label(&chars("预算单位及代"), &chars("预算单位及代码")).unwrap();
        assert_eq!(q, MatchQuality::Truncated);
        assert!(s > 0.8 && s < 1.0);
        assert!(score_label(&chars("预算"), &chars("预算单位及代码")).is_none());
        // A clean 3-character stub of an 8-character label.
        let (s, q) = score_label(&chars("一般公"), &chars("一般公共预算收入")).unwrap();
        assert_eq!(q, MatchQuality::Truncated);
        assert!((s - 3.0 / 8.0).abs() < 1e-9);
        // ...but not with a confused character in it.
        assert!(score_label(&chars("一股公"), &chars("一般公共预算收入")).is_none());
        assert!(score_label(&chars("一般公共"), &chars("一般公共预算收入十")).is_some());
        assert!(score_label(&chars("般公共"), &chars("一般公共预算收入")).is_none());
    }

    #[test]
    fn confused_labels_match() {
        let (_, q) = score_label(&chars("项目名祢"), &chars("项目名称")).unwrap();
        assert_eq!(q, MatchQuality::Confused);
        let (_, q) = score_label(&chars("顶目名称"), &chars("项目名称")).unwrap();
        assert_eq!(q, MatchQuality::Confused);
        assert!(score_label(&chars("顶目名"), &chars("项目名称")).is_none());
        assert!(score_label(&chars("项日名祢"), &chars("项目名称")).is_none());
        assert!(score_label(&chars("满意"), &chars("服务对象满意度")).is_none());
    }

    #[test]
    fn truncated_label_against_the_whole_vocabulary() {
        let t = Template::builtin();
        let m = best_label("预算单位及代", &t.labels).unwrap();
        assert_eq!(&*t.labels[m.label].text, "预算单位及代码");
        let m = best_label("实施单位及责", &t.labels).unwrap();
        assert_eq!(&*t.labels[m.label].text, "实施单位及责任人");
        // 项目资金 could be 项目资金(万元) or 项目资金来源; the closer completion ranks first.
        let c = match_labels("项目资金", &t.labels);
        assert_eq!(&*t.labels[c[0].label].text, "项目资金来源");
        assert_eq!(t.labels[c[0].label].target, LabelTarget::Scaffold);
    }

    #[test]
    fn options_match_truncated_and_ambiguous() {
        let opts: Vec<String> = ["法律法规", "市委市政府决定", "市委市政府领导指示", "其他"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(match_option("其他", &opts), OptionMatch::Exact(3));
        assert_eq!(match_option("法律法", &opts), OptionMatch::Repaired(0));
        assert_eq!(match_option("市委市政府", &opts), OptionMatch::Ambiguous);
        assert_eq!(
            match_option("市委市政府决", &opts),
            OptionMatch::Repaired(1)
        );
        assert_eq!(match_option("天气", &opts), OptionMatch::None);
    }
}
