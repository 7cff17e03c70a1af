//! Fuzzy lookups: the rule that decides whether a printed text is a
//! vocabulary word — cut short, characters confused, dropped or doubled —
//! and the searches that apply it to a vocabulary through its
//! [`Index`](super::index::Index).
//!
//! The rule is a weighted edit distance: a substitution costs 1, or half
//! when the printed character is a look-alike of the word's
//! ([`super::glyphs`]); a character dropped or added costs 1; the part of
//! the word after a cell that was cut short costs nothing but lowers the
//! share kept. A cell of `n` characters may cost up to one per four
//! characters.

use super::glyphs::Confusions;
use super::index::{char_bit, more_bits_than};
use super::Vocabulary;
use crate::record::RepairKind;

/// How well a cell matched a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchQuality {
    Exact,
    /// The cell is the word's beginning.
    Truncated,
    /// The whole word, some characters confused, dropped or added.
    Confused,
    /// A beginning with some characters confused, dropped or added.
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
    /// Edit cost of the printed text against the word (0 when exact or
    /// cleanly cut short): what the OCR got wrong, for the noise estimate.
    pub cost: f32,
}

impl WordMatch {
    /// The word printed exactly.
    pub fn exact(word: usize) -> WordMatch {
        WordMatch {
            word,
            score: 1.0,
            quality: MatchQuality::Exact,
            cost: 0.0,
        }
    }
}

/// Shortest cell (in characters) that may stand for a longer word.
const MIN_PARTIAL_CHARS: usize = 3;

/// A cut-short cell with confusions keeps at least this share of the
/// word...
const MIN_KEPT_SHARE: f64 = 0.5;

/// ...unless it is a clean beginning (no confused character): OCR cuts a
/// long label to its first 3 characters (`一般公` for `一般公共预算收入`).
/// Whether such a stub is unambiguous is decided against the whole
/// vocabulary ([`Vocabulary::best`](super::Vocabulary::best), `extract`'s
/// `resolve`), not here.
const MIN_PREFIX_SHARE: f64 = 0.3;

/// Cost of a substitution by a look-alike ([`Confusions::is_near`]).
const NEAR_SUB: f32 = 0.5;
/// Cost of any other substitution, and of a character dropped or added.
const EDIT: f32 = 1.0;

/// The largest edit cost a cell of `n` characters may carry: one per four
/// characters; a 3-character cell may hold one look-alike.
pub fn budget(n: usize) -> f32 {
    match n {
        0..=2 => 0.0,
        3 => NEAR_SUB,
        _ => (n / 4) as f32,
    }
}

/// Cost of reading `printed` where the word has `word`.
fn sub_cost(word: char, printed: char, glyphs: &Confusions) -> f32 {
    if word == printed {
        0.0
    } else if glyphs.is_near(word, printed) {
        NEAR_SUB
    } else {
        EDIT
    }
}

/// **The fuzzy rule**, the one place that decides how far a printed text
/// may differ from a vocabulary word and still be it: cut short (a clean
/// beginning keeping 30% of the word, at least 3 characters; with
/// confusions, 50% and a first character that is the word's or a
/// look-alike), or with characters confused, dropped or added at a cost of
/// at most [`budget`]. Returns the score and the kind of match, `None` when
/// the cell cannot be that word.
pub fn score(
    cell: &[char],
    word: &[char],
    glyphs: &Confusions,
) -> Option<(f64, MatchQuality, f32)> {
    let (n, m) = (cell.len(), word.len());
    if n == 0 || m == 0 {
        return None;
    }
    if cell == word {
        return Some((1.0, MatchQuality::Exact, 0.0));
    }
    if n < m && word.starts_with(cell) {
        let ok = n >= MIN_PARTIAL_CHARS && (n as f64) >= MIN_PREFIX_SHARE * m as f64;
        return ok.then_some((n as f64 / m as f64, MatchQuality::Truncated, 0.0));
    }
    let allowed = budget(n);
    if allowed == 0.0 || n > m + allowed as usize {
        return None;
    }
    let (cost, kept) = align(cell, word, allowed, glyphs)?;
    let truncated = kept < m;
    if truncated
        && (kept < MIN_PARTIAL_CHARS
            || (kept as f64) < MIN_KEPT_SHARE * m as f64
            || sub_cost(word[0], cell[0], glyphs) >= EDIT)
    {
        return None;
    }
    let score = (kept as f64 - cost as f64) / m as f64 - 0.05 * cost as f64;
    let quality = if truncated {
        MatchQuality::TruncatedConfused
    } else {
        MatchQuality::Confused
    };
    Some((score, quality, cost))
}

/// The cheapest alignment of the whole cell with a beginning of the word
/// (the word's tail after it unprinted): (cost, word characters covered).
/// The cell's last character must stand for a word character: characters
/// after the word are its value (`以前年度预算安排：8`), not noise. The whole
/// word wins a tie. `None` when every alignment costs more than `allowed`.
fn align(cell: &[char], word: &[char], allowed: f32, glyphs: &Confusions) -> Option<(f32, usize)> {
    let (n, m) = (cell.len(), word.len());
    // One row of the edit-distance table at a time: row[j] aligns the
    // cell's first i characters with the word's first j; `ends[j]` the
    // same with the last cell character matched or substituted, not added.
    // Words are short: the rows live on the stack.
    const MAX: usize = 48;
    if m >= MAX {
        return None;
    }
    let mut prev = [0.0f32; MAX];
    for (j, p) in prev.iter_mut().enumerate().take(m + 1) {
        *p = j as f32 * EDIT;
    }
    let mut row = [0.0f32; MAX];
    let mut ends = [f32::INFINITY; MAX];
    for i in 1..=n {
        row[0] = i as f32 * EDIT;
        let mut best_in_row = row[0];
        for j in 1..=m {
            let sub = prev[j - 1] + sub_cost(word[j - 1], cell[i - 1], glyphs);
            let added = prev[j] + EDIT;
            let dropped = row[j - 1] + EDIT;
            ends[j] = sub.min(dropped);
            row[j] = ends[j].min(added);
            best_in_row = best_in_row.min(row[j]);
        }
        // Every later row costs at least this row's best.
        if best_in_row > allowed {
            return None;
        }
        std::mem::swap(&mut prev, &mut row);
    }
    // The whole word first, then shorter beginnings.
    let mut best: Option<(f32, usize)> = None;
    for j in (1..=m).rev() {
        let c = ends[j];
        if c <= allowed && best.is_none_or(|(b, _)| c < b) {
            best = Some((c, j));
        }
    }
    best
}

/// Whether a span of `n` characters, `foreign` of them in no word (each
/// at least a look-alike's half edit), can still be within its budget.
pub(super) fn within_budget(n: usize, foreign: usize) -> bool {
    foreign as f32 * NEAR_SUB <= budget(n)
}

/// False when the cell surely cannot align with the word within its budget,
/// told from their first characters: with at most one edit (cells under
/// eight characters) the word's first character is the cell's first (or a
/// look-alike), or one character was added or dropped before it; with
/// more, one of the first three characters of each side still agree.
pub(super) fn anchored(cell: &[char], word: &[char], glyphs: &Confusions) -> bool {
    let (Some(&c0), Some(&w0)) = (cell.first(), word.first()) else {
        return false;
    };
    if c0 == w0 || glyphs.is_near(w0, c0) {
        return true;
    }
    let (c1, w1) = (cell.get(1).copied(), word.get(1).copied());
    if cell.len() < 8 {
        return c1 == Some(w0) || Some(c0) == w1 || (c1.is_some() && c1 == w1);
    }
    let wh = &word[..word.len().min(3)];
    cell.iter().take(3).any(|c| wh.contains(c))
}

/// False when the cell surely cannot align with the word within its
/// budget, told from how many of its characters the word holds: every
/// cell character that is not the word's costs at least a look-alike's
/// half edit, so at most twice the budget of them may be foreign.
/// `word_mask` is the word's [`char_mask`](super::index::char_mask): a
/// collision only counts a character in, never out.
pub(super) fn shares_enough(cell: &[char], word_mask: u64) -> bool {
    let foreign = cell
        .iter()
        .filter(|&&c| char_bit(c) & word_mask == 0)
        .count();
    within_budget(cell.len(), foreign)
}

/// Calls `each(set, match)` with every word of each of `sets` the folded
/// cell could be, in no particular order. The cell is decoded once for all
/// the sets, onto the stack; only the words the index names are scored:
/// this runs for every cell.
pub(super) fn for_each_match(
    cell_key: &str,
    sets: &[&Vocabulary],
    mut each: impl FnMut(usize, WordMatch),
) {
    // No word is longer than `max` (plus the characters a cell may add):
    // a longer cell is no word, told after decoding that many characters.
    let max = sets.iter().map(|v| v.index.max_chars()).max().unwrap_or(0);
    let limit = max + budget(max + 8) as usize;
    let mut stack = ['\0'; 32];
    let mut n = 0;
    let mut mask = 0u64;
    for c in cell_key.chars() {
        if n == limit {
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
    // Characters that are neither in the word nor look-alikes of its
    // characters each cost a full edit.
    let foreign_allowed = budget(n) as usize;
    for (set, words) in sets.iter().enumerate() {
        // Most cells (names, amounts, sentences) hold characters no word
        // of the vocabulary has: ruled out at once.
        if more_bits_than(mask & !words.index.union_near(), foreign_allowed) {
            continue;
        }
        // Nor can a cell with more characters in no word than its budget
        // allows in look-alikes.
        let foreign = cell.iter().filter(|&&c| !words.index.may_hold(c)).count();
        if !within_budget(n, foreign) {
            continue;
        }
        let anchors = words.index.anchored_words(&cell[..n.min(3)]);
        let cands = anchors.and(words.index.candidate_set(n));
        for i in cands.iter(words.len()) {
            let w = &words[i];
            if more_bits_than(mask & !words.index.near_mask(i), foreign_allowed)
                || !shares_enough(cell, w.mask)
                || !anchored(cell, &w.chars, &words.glyphs)
            {
                continue;
            }
            if let Some((score, quality, cost)) = score(cell, &w.chars, &words.glyphs) {
                let m = WordMatch {
                    word: i,
                    score,
                    quality,
                    cost,
                };
                each(set, m);
            }
        }
    }
}
