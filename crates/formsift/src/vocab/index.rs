//! The index behind fuzzy lookups, a fast path: which words a cell can
//! possibly match, told from its length, first characters and a 64-bit
//! character mask, so the matcher scores a handful of candidates instead of
//! the whole vocabulary and rules most cells out before decoding them. It
//! only ever rules matches *out*: `tests` check it against scoring every
//! word ([`super::fuzzy::score`]).

use super::Word;

/// A 64-bit set of the characters of a text (one bit per character, by a
/// multiplicative hash). A character whose bit is not in a label's mask is
/// surely not in the label; the converse may fail (collisions), so a mask
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
    /// `len_union[n]`: the union of the masks of `by_len[n]`.
    len_union: Vec<u64>,
    /// (first character, words starting with it), sorted by character.
    by_first: Vec<(char, Vec<usize>)>,
    /// The first characters of the words: a text starting otherwise holds
    /// no word at its start (exactly) and is told so without a lookup.
    firsts: CharFilter,
    /// The second characters of the words of 4 to 7 characters (those
    /// allow one confusion: a cell confusing the first character must
    /// print the second).
    seconds: CharFilter,
}

impl Index {
    pub fn new(words: &[Word]) -> Index {
        let mut by_len: Vec<Vec<usize>> = Vec::new();
        let mut by_first: Vec<(char, Vec<usize>)> = Vec::new();
        for (i, l) in words.iter().enumerate() {
            let n = l.chars.len();
            if by_len.len() <= n {
                by_len.resize(n + 1, Vec::new());
            }
            by_len[n].push(i);
            if let Some(&first) = l.chars.first() {
                match by_first.binary_search_by_key(&first, |e| e.0) {
                    Ok(at) => by_first[at].1.push(i),
                    Err(at) => by_first.insert(at, (first, vec![i])),
                }
            }
        }
        let len_union = by_len
            .iter()
            .map(|v| v.iter().fold(0, |m, &i| m | words[i].mask))
            .collect();
        let mut firsts = CharFilter::default();
        for &(c, _) in &by_first {
            firsts.insert(c);
        }
        let mut seconds = CharFilter::default();
        for l in words.iter().filter(|l| (4..8).contains(&l.chars.len())) {
            seconds.insert(l.chars[1]);
        }
        Index {
            by_len,
            len_union,
            by_first,
            firsts,
            seconds,
        }
    }

    /// False when no word starts with `first`.
    pub fn may_start_with(&self, first: char) -> bool {
        self.firsts.may_contain(first)
    }

    /// For a folded key whose first character starts no word: false when
    /// it surely matches no word as the fuzzy matcher scores it. Only a
    /// word of the same length (`n` characters) can still match, with the
    /// first character confused, which takes four characters or more (one
    /// confusion per four), and under eight keeps the `second` character.
    pub fn may_match_confused(&self, n: usize, second: Option<char>) -> bool {
        n >= 4
            && self.by_len.get(n).is_some_and(|v| !v.is_empty())
            && (n >= 8 || second.is_some_and(|c| self.seconds.may_contain(c)))
    }

    /// Length in characters of the longest word.
    pub fn max_chars(&self) -> usize {
        self.by_len.len().saturating_sub(1)
    }

    /// Indices of the words a folded cell of `n` characters, starting with
    /// `first` and holding the characters of `mask` ([`char_mask`]), may
    /// stand for: the words of exactly `n` characters, then (when `longer`
    /// is set) the longer words starting with `first`. A same-length word
    /// needs all but `allowed` of the cell's characters: when even all the
    /// same-length words together lack more, none is named.
    pub fn candidates<'a>(
        &'a self,
        words: &'a [Word],
        n: usize,
        first: char,
        mask: u64,
        allowed: usize,
        longer: bool,
    ) -> impl Iterator<Item = usize> + 'a {
        let same = match (self.by_len.get(n), self.len_union.get(n)) {
            (Some(v), Some(&union)) if !more_bits_than(mask & !union, allowed) => v.as_slice(),
            _ => &[],
        };
        let starting: &[usize] = if longer {
            self.by_first
                .binary_search_by_key(&first, |e| e.0)
                .map(|at| self.by_first[at].1.as_slice())
                .unwrap_or(&[])
        } else {
            &[]
        };
        same.iter().copied().chain(
            starting
                .iter()
                .copied()
                .filter(move |&i| words[i].chars.len() > n),
        )
    }
}
