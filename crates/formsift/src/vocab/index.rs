//! The index behind the lookups, a fast path: which words a cell can
//! possibly match, told from its length and a 64-bit character mask, so
//! the matcher scores a handful of candidates instead of the whole
//! vocabulary; and a first-character filter that rules most cells out of
//! the exact and prefix lookups before any hashing. It only ever rules
//! matches *out*: `tests` check it against scoring every word
//! ([`super::fuzzy::score`]).

use super::fuzzy::budget;
use super::glyphs::Confusions;
use super::Word;
use rustc_hash::FxHashMap;

/// A 64-bit set of the characters of a text (one bit per character, by a
/// multiplicative hash). A character whose bit is not in a word's mask is
/// surely not in the word; the converse may fail (collisions), so a mask
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

/// The prefilter data of one vocabulary.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// `by_len[n]`: words of `n` folded characters.
    by_len: Vec<Vec<usize>>,
    /// The first characters of the words: a text starting otherwise holds
    /// no word at its start (exactly) and is told so without a lookup.
    firsts: CharFilter,
    /// Every character of every word: a span with more characters outside
    /// it than its budget allows in look-alikes holds no word.
    chars: CharFilter,
    /// Per word: the mask of its characters and of their look-alikes. A
    /// cell character outside it costs a full edit.
    near_masks: Vec<u64>,
    /// The union of `near_masks`: a cell with more characters outside it
    /// than its budget allows matches no word, told before any word is
    /// tried.
    union_near: u64,
    /// Per character: the words that hold it among their first three
    /// characters or as a look-alike of their first. A cell aligns with a
    /// word only if one of its first three characters is there
    /// ([`super::fuzzy::anchored`]); empty when the vocabulary has more
    /// words than a [`WordSet`] holds.
    anchors: FxHashMap<char, WordSet>,
    /// `candidate_sets[n]`: [`Index::candidates`] of a cell of `n`
    /// characters, for the lengths cells usually have.
    candidate_sets: Vec<WordSet>,
}

/// A set of word indices below [`WordSet::CAP`], or every word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordSet {
    bits: [u64; 4],
    all: bool,
}

impl WordSet {
    pub const CAP: usize = 256;

    pub fn all() -> WordSet {
        WordSet {
            bits: [0; 4],
            all: true,
        }
    }

    fn empty() -> WordSet {
        WordSet {
            bits: [0; 4],
            all: false,
        }
    }

    fn insert(&mut self, i: usize) {
        if let Some(b) = self.bits.get_mut(i / 64) {
            *b |= 1 << (i % 64);
        }
    }

    fn union(&mut self, other: &WordSet) {
        self.all |= other.all;
        for (a, b) in self.bits.iter_mut().zip(other.bits) {
            *a |= b;
        }
    }

    #[cfg(test)]
    pub fn contains(&self, i: usize) -> bool {
        self.all || (self.bits.get(i / 64)).is_some_and(|b| b & (1 << (i % 64)) != 0)
    }

    /// The words in both sets.
    pub fn and(self, other: WordSet) -> WordSet {
        match (self.all, other.all) {
            (true, _) => other,
            (_, true) => self,
            _ => {
                let mut bits = self.bits;
                for (a, b) in bits.iter_mut().zip(other.bits) {
                    *a &= b;
                }
                WordSet { bits, all: false }
            }
        }
    }

    /// The members in ascending order, of `n` words.
    pub fn iter(self, n: usize) -> impl Iterator<Item = usize> {
        let all = self.all.then_some(0..n).into_iter().flatten();
        let bits = (!self.all)
            .then_some(self.bits)
            .into_iter()
            .flat_map(|bits| {
                bits.into_iter().enumerate().flat_map(|(block, mut b)| {
                    std::iter::from_fn(move || {
                        let bit = b.trailing_zeros() as usize;
                        (b != 0).then(|| {
                            b &= b - 1;
                            block * 64 + bit
                        })
                    })
                })
            });
        all.chain(bits)
    }
}

impl Index {
    pub fn new(words: &[Word], glyphs: &Confusions) -> Index {
        let mut by_len: Vec<Vec<usize>> = Vec::new();
        let mut firsts = CharFilter::default();
        let mut chars = CharFilter::default();
        let mut near_masks = Vec::with_capacity(words.len());
        let mut anchors: FxHashMap<char, WordSet> = FxHashMap::default();
        let indexed = words.len() <= WordSet::CAP;
        for (i, w) in words.iter().enumerate() {
            if indexed {
                let first = w.chars.first().copied();
                let near = first.into_iter().flat_map(|c| glyphs.near_of(c));
                for c in w.chars.iter().take(3).copied().chain(near) {
                    anchors.entry(c).or_insert_with(WordSet::empty).insert(i);
                }
            }
            let n = w.chars.len();
            if by_len.len() <= n {
                by_len.resize(n + 1, Vec::new());
            }
            by_len[n].push(i);
            if let Some(&first) = w.chars.first() {
                firsts.insert(first);
            }
            w.chars.iter().for_each(|&c| chars.insert(c));
            let near = w.chars.iter().fold(w.mask, |m, &c| {
                glyphs.near_of(c).fold(m, |m, other| m | char_bit(other))
            });
            near_masks.push(near);
        }
        let mut index = Index {
            by_len,
            firsts,
            chars,
            union_near: near_masks.iter().fold(0, |m, &x| m | x),
            near_masks,
            anchors,
            candidate_sets: Vec::new(),
        };
        if indexed {
            let lengths = 2 * index.by_len.len() + 8;
            index.candidate_sets = (0..lengths).map(|n| index.candidate_set(n)).collect();
        }
        index
    }

    /// [`Index::candidates`] as a set (every word when the vocabulary is
    /// too large for one).
    pub fn candidate_set(&self, n: usize) -> WordSet {
        if self.anchors.is_empty() {
            return WordSet::all();
        }
        if let Some(set) = self.candidate_sets.get(n) {
            return *set;
        }
        let mut set = WordSet::empty();
        for i in self.candidates(n) {
            set.insert(i);
        }
        set
    }

    /// The words a cell whose first characters are `first` (up to three
    /// are looked at) may align with: a superset of those
    /// [`super::fuzzy::anchored`] keeps. Every word when the vocabulary is
    /// too large to index.
    pub fn anchored_words(&self, first: &[char]) -> WordSet {
        if self.anchors.is_empty() {
            return WordSet::all();
        }
        let mut set = WordSet::empty();
        for c in first.iter().take(3) {
            if let Some(s) = self.anchors.get(c) {
                set.union(s);
            }
        }
        set
    }

    /// False when no word starts with `first`.
    pub fn may_start_with(&self, first: char) -> bool {
        self.firsts.may_contain(first)
    }

    /// False when `c` is surely in no word.
    pub fn may_hold(&self, c: char) -> bool {
        self.chars.may_contain(c)
    }

    /// Length in characters of the longest word.
    pub fn max_chars(&self) -> usize {
        self.by_len.len().saturating_sub(1)
    }

    /// The union of every word's [`Index::near_mask`].
    pub fn union_near(&self) -> u64 {
        self.union_near
    }

    /// The mask of word `i`'s characters and their look-alikes.
    pub fn near_mask(&self, i: usize) -> u64 {
        self.near_masks.get(i).copied().unwrap_or(0)
    }

    /// Indices of the words a folded cell of `n` characters may stand for:
    /// the words of `n` characters, shorter ones the cell may have added
    /// characters to, and (from 3 characters) longer ones it may have been
    /// cut from or dropped characters of.
    pub fn candidates(&self, n: usize) -> impl Iterator<Item = usize> + '_ {
        let shortest = n.saturating_sub(budget(n) as usize).max(1);
        let longest = if n >= 3 { self.max_chars() } else { n };
        let range = shortest..(longest + 1).min(self.by_len.len());
        self.by_len
            .get(range)
            .into_iter()
            .flatten()
            .flatten()
            .copied()
    }
}
