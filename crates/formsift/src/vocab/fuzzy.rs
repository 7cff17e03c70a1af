//! Fuzzy lookups: the rule that decides whether a printed text is a
//! vocabulary word (cut short, characters confused), and the search that
//! applies it to a vocabulary through its [`Index`](super::index::Index).

use super::index::{char_bit, more_bits_than};
use super::Vocabulary;
use crate::record::RepairKind;

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

/// One word a cell may be.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WordMatch {
    /// Index of the word in the vocabulary searched.
    pub word: usize,
    /// In (0, 1]; 1 is exact.
    pub score: f64,
    pub quality: MatchQuality,
}

impl WordMatch {
    /// The word printed exactly.
    pub fn exact(word: usize) -> WordMatch {
        WordMatch {
            word,
            score: 1.0,
            quality: MatchQuality::Exact,
        }
    }
}

/// Shortest cell (in characters) that may stand for a longer label.
const MIN_PARTIAL_CHARS: usize = 3;

/// A truncated cell keeps at least this share of the label...
const MIN_KEPT_SHARE: f64 = 0.5;

/// ...unless it is a clean beginning (no confused character): OCR cuts a
/// long label to its first 3 characters (`一般公` for `一般公共预算收入`).
/// Whether such a stub is unambiguous is decided against the whole
/// vocabulary ([`Vocabulary::best`](super::Vocabulary::best), `extract`'s `resolve`), not here.
const MIN_PREFIX_SHARE: f64 = 0.3;

/// **The fuzzy rule**, the one place that decides how far a printed text
/// may differ from a vocabulary word and still be it: cut short (a clean
/// beginning keeping 30% of the word, at least 3 characters; with a
/// confused character, 50%), or with up to one confused character per
/// four. `None` when the cell cannot be that word.
pub fn score(cell: &[char], label: &[char]) -> Option<(f64, MatchQuality)> {
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
/// the sets, onto the stack; only the words [`Index::candidates`](super::index::Index::candidates) names
/// are scored: this runs for every cell.
pub(super) fn for_each_match(
    cell_key: &str,
    sets: &[&Vocabulary],
    mut each: impl FnMut(usize, WordMatch),
) {
    if !may_match_any(cell_key, sets) {
        return;
    }
    // No label is longer than `max`: a longer cell is no label, and is
    // told after decoding `max + 1` characters, not all of them.
    let max = sets.iter().map(|v| v.index.max_chars()).max().unwrap_or(0);
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
        if n > labels.index.max_chars() {
            continue;
        }
        // A cell shorter than the label must start like it and be long
        // enough to stand for it.
        let longer = n >= MIN_PARTIAL_CHARS;
        for i in (labels.index).candidates(&labels.words, n, cell[0], mask, allowed, longer) {
            let label = &labels[i];
            // Each cell character outside the label is a confused position:
            // too many and the label is out, before any scoring.
            if more_bits_than(mask & !label.mask, allowed) {
                continue;
            }
            if let Some((score, quality)) = score(cell, &label.chars) {
                each(
                    set,
                    WordMatch {
                        word: i,
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
/// ([`Index::may_match_confused`](super::index::Index::may_match_confused)).
// Inlined into the matcher: out of line it is a call per cell for a few
// compares.
#[inline(always)]
pub(super) fn may_match_any(cell_key: &str, sets: &[&Vocabulary]) -> bool {
    let mut chars = cell_key.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if sets.iter().any(|s| s.index.may_start_with(first)) {
        return true;
    }
    let second = chars.next();
    let n = 1 + usize::from(second.is_some()) + chars.count();
    sets.iter().any(|s| s.index.may_match_confused(n, second))
}
