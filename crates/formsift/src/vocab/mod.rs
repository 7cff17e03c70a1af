//! Vocabulary: the words a template expects to see printed (labels,
//! options, column headers, indicator level names), and every way the
//! pipeline looks printed text up in them:
//!
//! - **exact**: a folded text that is a word ([`Vocabulary::exact`]);
//! - **prefix**: a word at the start of a text, or every word inside a line
//!   ([`Vocabulary::word_at_start`], [`Vocabulary::words_in`]);
//! - **fuzzy**: what an OCR'd text, cut short or with characters confused,
//!   may stand for ([`Vocabulary::matches`], [`Vocabulary::best`],
//!   [`Vocabulary::option`]), by the one rule in [`fuzzy::score`], against
//!   the *whole* vocabulary — never a list of known typos.
//!
//! Texts are compared as folded keys ([`crate::text::normalize::fold_key`]).

mod fuzzy;
pub mod glyphs;
mod index;

pub use fuzzy::{MatchQuality, WordMatch};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Anchored, Input, MatchKind, StartKind};
use glyphs::Confusions;
use index::{char_mask, Index};
use rustc_hash::FxHashMap;
use std::ops::Range;
use std::sync::Arc;

/// A Han character (CJK ideograph, not punctuation).
fn is_han(c: char) -> bool {
    crate::text::normalize::is_cjk(c) && !matches!(c as u32, 0x3000..=0x303F | 0xFF00..=0xFFEF)
}

/// One word of a vocabulary.
#[derive(Debug, Clone)]
pub struct Word {
    /// As written in the template (shared with the records that print it).
    pub text: Arc<str>,
    /// Folded, for matching.
    pub key: String,
    pub chars: Vec<char>,
    /// A 64-bit set of `chars`: a cell with more characters outside it than
    /// the matcher allows confused is rejected without scoring.
    pub mask: u64,
}

impl Word {
    /// A word printed as `text`, compared as `key` (its folded form).
    pub fn new(text: &str, key: String) -> Word {
        let chars: Vec<char> = key.chars().collect();
        Word {
            text: text.into(),
            mask: char_mask(&chars),
            chars,
            key,
        }
    }
}

/// Result of matching an option text against a choice's vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionMatch {
    Exact(usize),
    /// A cut-short or confused spelling of exactly one option.
    Repaired(usize),
    /// Could be several options.
    Ambiguous,
    None,
}

/// A list of words (in template order) with what every lookup needs.
/// Derefs to the words.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    words: Vec<Word>,
    index: Index,
    /// The look-alikes of the words' characters (shared by a template's
    /// vocabularies).
    glyphs: Arc<Confusions>,
    /// Folded key → word, for the keys no other word shares: a text that
    /// is one exactly is that word (an exact match outscores every other),
    /// found without scoring.
    unique: FxHashMap<String, usize>,
    /// Leftmost-longest automaton over the keys (pattern i is word i), for
    /// the vocabularies searched inside texts ([`Vocabulary::searchable`]);
    /// the others use the plain scan it is tested against.
    automaton: Option<AhoCorasick>,
}

/// Longest text the fuzzy start and end searches look at, in characters:
/// more than any word plus its budget (the spans live on the stack).
const FUZZY_SPAN_CAP: usize = 48;

impl Vocabulary {
    pub fn new(words: Vec<Word>) -> Vocabulary {
        let mut unique: FxHashMap<String, usize> = FxHashMap::default();
        let mut shared = Vec::new();
        for (i, w) in words.iter().enumerate() {
            if unique.insert(w.key.clone(), i).is_some() {
                shared.push(w.key.clone());
            }
        }
        for key in shared {
            unique.remove(&key);
        }
        let glyphs = Arc::new(Confusions::default());
        Vocabulary {
            index: Index::new(&words, &glyphs),
            words,
            unique,
            glyphs,
            automaton: None,
        }
    }

    /// The same vocabulary, its fuzzy lookups aware of which printed
    /// characters look like its words' characters.
    pub fn with_glyphs(mut self, glyphs: Arc<Confusions>) -> Vocabulary {
        self.index = Index::new(&self.words, &glyphs);
        self.glyphs = glyphs;
        self
    }

    /// Every character of every word.
    pub fn chars(&self) -> impl Iterator<Item = char> + '_ {
        self.words.iter().flat_map(|w| w.chars.iter().copied())
    }

    /// The same vocabulary with an automaton for the prefix lookups, for
    /// vocabularies searched in every cell and line (labels, headers);
    /// building one costs more than a plain scan saves on a few lookups.
    pub fn searchable(mut self) -> Result<Vocabulary, aho_corasick::BuildError> {
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Both)
            .build(self.words.iter().map(|w| w.key.as_str()))?;
        self.automaton = Some(automaton);
        Ok(self)
    }

    /// False when the folded `key` surely does not start with a whole word
    /// (so neither equals one nor begins with one).
    pub fn may_start_a_word(&self, key: &str) -> bool {
        key.chars()
            .next()
            .is_some_and(|c| self.index.may_start_with(c))
    }

    /// The word whose folded key is exactly `key`, when no other word has
    /// that key.
    pub fn exact(&self, key: &str) -> Option<usize> {
        if !self.may_start_a_word(key) {
            return None;
        }
        self.unique.get(key).copied()
    }

    /// The longest word `key` starts with: (word, end of the word in `key`).
    pub fn word_at_start(&self, key: &str) -> Option<(usize, usize)> {
        if !self.may_start_a_word(key) {
            return None;
        }
        match &self.automaton {
            Some(ac) => {
                let m = ac.find(Input::new(key).anchored(Anchored::Yes))?;
                Some((m.pattern().as_usize(), m.end()))
            }
            None => self.longest_prefix_of(key),
        }
    }

    /// [`Vocabulary::word_at_start`] by scanning the words: the longest
    /// word `key` starts with, the first in vocabulary order on a tie.
    fn longest_prefix_of(&self, key: &str) -> Option<(usize, usize)> {
        let mut best: Option<(usize, usize)> = None;
        for (i, w) in self.words.iter().enumerate() {
            let longer = best.is_none_or(|(_, len)| w.key.len() > len);
            if !w.key.is_empty() && longer && key.starts_with(w.key.as_str()) {
                best = Some((i, w.key.len()));
            }
        }
        best
    }

    /// Every word inside `key`, leftmost-longest, left to right,
    /// non-overlapping: (where, word).
    pub fn words_in(&self, key: &str) -> Vec<(Range<usize>, usize)> {
        match &self.automaton {
            Some(ac) => (ac.find_iter(key))
                .map(|m| (m.range(), m.pattern().as_usize()))
                .collect(),
            None => self.words_in_by_scan(key),
        }
    }

    /// [`Vocabulary::words_in`] by trying every character boundary.
    fn words_in_by_scan(&self, key: &str) -> Vec<(Range<usize>, usize)> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < key.len() {
            match self.longest_prefix_of(&key[at..]) {
                Some((word, len)) => {
                    out.push((at..at + len, word));
                    at += len;
                }
                None => at += key[at..].chars().next().map_or(1, char::len_utf8),
            }
        }
        out
    }

    /// Every word the folded cell could be, best first (ties: vocabulary
    /// order).
    pub fn matches(&self, cell_key: &str) -> Vec<WordMatch> {
        let mut out = Vec::new();
        fuzzy::for_each_match(cell_key, &[self], |_, m| out.push(m));
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.word.cmp(&b.word)));
        out
    }

    /// The single best word, if one stands out (a tie between two
    /// different words is no match: the cell is ambiguous).
    pub fn best(&self, cell_key: &str) -> Option<WordMatch> {
        let [best] = Vocabulary::best_in_each(cell_key, [self]);
        best
    }

    /// A whole word (4 characters or more) printed with confusions at the
    /// start of `key` and followed by something that is no Han character
    /// (a colon, a number — the word's value): the best such word, unique,
    /// with the byte offset where it ends in `key`. For cells like
    /// `年度资金总頟：8万元` that [`Vocabulary::word_at_start`] (exact) misses.
    pub fn fuzzy_word_at_start(&self, key: &str) -> Option<(WordMatch, usize)> {
        let mut chars = [(0, '\0'); FUZZY_SPAN_CAP];
        let limit = (self.index.max_chars() + 4).min(FUZZY_SPAN_CAP);
        let mut n = 0;
        for (slot, ic) in chars.iter_mut().zip(key.char_indices().take(limit)) {
            *slot = ic;
            n += 1;
        }
        let chars = &chars[..n];
        // A word may be chars[..k] only where it ends before a character
        // that is no Han (its value).
        let ends_word = |k: usize| chars.get(k).is_none_or(|&(_, c)| !is_han(c));
        let viable = self.viable_spans(n, |k| chars[k - 1].1, ends_word)?;
        let span = |k: usize| (0..k, chars.get(k).map_or(key.len(), |&(b, _)| b));
        // Every span starts where the key does: one anchor set for all.
        let mut first = ['\0'; 3];
        for (f, &(_, c)) in first.iter_mut().zip(chars) {
            *f = c;
        }
        let anchors = self.index.anchored_words(&first[..n.min(3)]);
        self.best_fuzzy(chars, &viable[..=n], anchors, span)
    }

    /// `viable[k]` (k in 1..=n): a span of `k` characters, its k-th from
    /// the word's near end being `nth(k)`, may hold a word — `may_end(k)`,
    /// and no more of its characters foreign to every word than
    /// look-alikes within the budget. `None` when no length is viable
    /// (most value cells).
    fn viable_spans(
        &self,
        n: usize,
        nth: impl Fn(usize) -> char,
        may_end: impl Fn(usize) -> bool,
    ) -> Option<[bool; FUZZY_SPAN_CAP + 1]> {
        let mut viable = [false; FUZZY_SPAN_CAP + 1];
        let mut foreign = 0;
        let lengths = viable.iter_mut().enumerate().take(n + 1).skip(1);
        for (k, v) in lengths {
            foreign += usize::from(!self.index.may_hold(nth(k)));
            *v = may_end(k) && fuzzy::within_budget(k, foreign);
        }
        viable.contains(&true).then_some(viable)
    }

    /// A whole word (4 characters or more) printed with confusions at the
    /// end of `key` (the text before a colon on a free line,
    /// `…科室负责人答字`): the best such word, unique, with the byte offset
    /// where it starts in `key`.
    pub fn fuzzy_word_at_end(&self, key: &str) -> Option<(WordMatch, usize)> {
        let max = self.index.max_chars();
        let limit = (max + fuzzy::budget(max) as usize + 1).min(FUZZY_SPAN_CAP);
        let mut chars = [(0, '\0'); FUZZY_SPAN_CAP];
        let mut n = 0;
        for (slot, ic) in chars.iter_mut().zip(key.char_indices().rev().take(limit)) {
            *slot = ic;
            n += 1;
        }
        let chars = &mut chars[..n];
        chars.reverse();
        let chars = &*chars;
        let viable = self.viable_spans(n, |k| chars[n - k].1, |_| true)?;
        let all = index::WordSet::all();
        self.best_fuzzy(chars, &viable[..=n], all, |k| (n - k..n, chars[n - k].0))
    }

    /// The best unique whole-word fuzzy match among spans of `chars`: for
    /// each word of `m` characters and budget `b`, the spans of `k` in
    /// `m - b ..= m + b` characters that are `viable[k]`, placed by
    /// `span(k)` (a character range, with a byte offset to return).
    fn best_fuzzy(
        &self,
        chars: &[(usize, char)],
        viable: &[bool],
        candidates: index::WordSet,
        span: impl Fn(usize) -> (Range<usize>, usize),
    ) -> Option<(WordMatch, usize)> {
        // masks[k]: the characters of chars[..k]. `masks[end] & !masks[start]`
        // holds no more than the span's characters (those also printed
        // before it drop out), so counting its foreign bits can only keep a
        // candidate, never rule a match out wrongly.
        let mut masks = [0u64; FUZZY_SPAN_CAP + 1];
        for (k, &(_, c)) in chars.iter().enumerate() {
            masks[k + 1] = masks[k] | index::char_bit(c);
        }
        let mut best: Option<(WordMatch, usize)> = None;
        let mut tied = false;
        let mut text = ['\0'; FUZZY_SPAN_CAP];
        for i in candidates.iter(self.words.len()) {
            let w = &self.words[i];
            let m = w.chars.len();
            if m < 4 {
                continue;
            }
            let b = fuzzy::budget(m) as usize;
            for k in m.saturating_sub(b).max(1)..=m + b {
                if !viable.get(k).copied().unwrap_or(false) {
                    continue;
                }
                let (range, offset) = span(k);
                let span_mask = masks[range.end] & !masks[range.start];
                if index::more_bits_than(span_mask & !self.index.near_mask(i), b) {
                    continue;
                }
                let text = &mut text[..k];
                for (t, &(_, c)) in text.iter_mut().zip(&chars[range]) {
                    *t = c;
                }
                let text = &*text;
                if !fuzzy::shares_enough(text, w.mask)
                    || !fuzzy::anchored(text, &w.chars, &self.glyphs)
                {
                    continue;
                }
                let Some((score, quality, cost)) = fuzzy::score(text, &w.chars, &self.glyphs)
                else {
                    continue;
                };
                if !matches!(quality, MatchQuality::Confused | MatchQuality::Exact) {
                    continue;
                }
                let m = WordMatch {
                    word: i,
                    score,
                    quality,
                    cost,
                };
                match &best {
                    Some((b, _)) if b.score > score => {}
                    Some((b, _)) if b.score == score && b.word == i => {}
                    Some((b, _)) if b.score == score => tied = true,
                    _ => {
                        best = Some((m, offset));
                        tied = false;
                    }
                }
            }
        }
        best.filter(|_| !tied)
    }

    /// [`Vocabulary::best`] in each of several vocabularies, decoding the
    /// cell once.
    pub fn best_in_each<const N: usize>(
        cell_key: &str,
        sets: [&Vocabulary; N],
    ) -> [Option<WordMatch>; N] {
        let mut best: [Option<WordMatch>; N] = [None; N];
        let mut tied = [false; N];
        // A cell printing a word exactly (most label cells) is that word: no
        // other scores 1. Only the other sets are scored.
        let mut open = sets;
        let mut open_at = [0; N];
        let mut n_open = 0;
        for (i, set) in sets.iter().enumerate() {
            match set.exact(cell_key) {
                Some(word) => best[i] = Some(WordMatch::exact(word)),
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
        fuzzy::for_each_match(cell_key, &open[..n_open], |k, m| {
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

    /// Which option a folded ticked text (e.g. `市委市政府决`) is. Besides
    /// the fuzzy rule, an option followed by OCR junk, and a 2-character
    /// beginning, count as the option when only one fits.
    pub fn option(&self, text: &str) -> OptionMatch {
        if let Some(i) = self.words.iter().position(|o| o.key == text) {
            return OptionMatch::Exact(i);
        }
        let t: Vec<char> = text.chars().collect();
        // (option, clean prefix?) for every option the text could be.
        let hits: Vec<(usize, bool)> = (self.words.iter().enumerate())
            .filter_map(|(i, o)| {
                let oc = &o.chars;
                if t.len() > oc.len() && t.starts_with(oc) && oc.len() >= 2 {
                    // The option followed by OCR junk.
                    return Some((i, true));
                }
                if t.len() == 2 && oc.len() > 2 && oc.starts_with(&t) {
                    return Some((i, true));
                }
                fuzzy::score(&t, oc, &self.glyphs)
                    .map(|(_, q, _)| (i, q == MatchQuality::Truncated))
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
}

impl std::ops::Deref for Vocabulary {
    type Target = [Word];
    fn deref(&self) -> &[Word] {
        &self.words
    }
}

#[cfg(test)]
mod tests;
