//! Glyph similarity: which printed characters an OCR engine may read for a
//! vocabulary character because they look alike (目/日, 拨/拔, 签/答, ☐/口).
//!
//! The table (`data/glyph-neighbours.txt`, made by `scripts/glyphs/`, see
//! `docs/glyphs.md`) lists for every GB2312 character, symbol and ASCII
//! alphanumeric its visually closest characters with a score (pixel
//! correlation × 1000 of the rendered glyphs). It is compiled in; a template
//! loads only the lines of the characters its vocabularies use.
//!
//! Similarity only makes a substitution *cheaper* ([`super::fuzzy`]); it is
//! never the only substitution allowed: a third of real OCR substitutions
//! are the recognizer's language model, not the glyph.

use rustc_hash::FxHashMap;

const TABLE: &str = include_str!("../../data/glyph-neighbours.txt");

/// Solid shapes, kept out of the look-alikes of other characters.
const SOLID_SHAPES: &[char] = &['■', '●', '◆', '▲', '★'];

/// Score (correlation × 1000) from which two glyphs count as look-alikes.
pub const NEAR: u16 = 850;

/// The look-alikes of a set of characters.
#[derive(Debug, Clone, Default)]
pub struct Confusions {
    /// (vocabulary character, printed character) → score.
    near: FxHashMap<(char, char), u16>,
    /// Vocabulary character → its look-alikes (score ≥ [`NEAR`]).
    lists: FxHashMap<char, Vec<char>>,
}

impl Confusions {
    /// The look-alikes of every character of `chars`, from the compiled-in
    /// table.
    pub fn of(chars: impl IntoIterator<Item = char>) -> Confusions {
        let mut near = FxHashMap::default();
        let mut lists: FxHashMap<char, Vec<char>> = FxHashMap::default();
        for c in chars {
            if lists.contains_key(&c) {
                continue;
            }
            let mut list = Vec::new();
            for (other, score) in neighbours(TABLE, c) {
                // Blurred, a solid shape correlates with any dense
                // ideograph; it is a checkbox mark, not a misread word.
                if SOLID_SHAPES.contains(&other) && !SOLID_SHAPES.contains(&c) {
                    continue;
                }
                near.insert((c, other), score);
                if score >= NEAR {
                    list.push(other);
                }
            }
            lists.insert(c, list);
        }
        Confusions { near, lists }
    }

    /// How alike `printed` looks to the vocabulary character `word`: the
    /// table's score (1000 for the same character, 0 when not listed).
    pub fn score(&self, word: char, printed: char) -> u16 {
        if word == printed {
            return 1000;
        }
        self.near.get(&(word, printed)).copied().unwrap_or(0)
    }

    /// The look-alikes of the vocabulary character `c`.
    pub fn near_of(&self, c: char) -> impl Iterator<Item = char> + '_ {
        self.lists.get(&c).into_iter().flatten().copied()
    }

    /// True when `printed` is a look-alike of `word` (or the same).
    pub fn is_near(&self, word: char, printed: char) -> bool {
        self.score(word, printed) >= NEAR
    }
}

/// The entries of `c`'s line in `table`: (neighbour, score), best first.
/// Lines are sorted by code point, so the line is found by bisection over
/// byte offsets.
fn neighbours(table: &str, c: char) -> impl Iterator<Item = (char, u16)> + '_ {
    find_line(table, c)
        .into_iter()
        .flat_map(|line| line.split(['\t', ' ']).skip(1))
        .filter_map(|entry| {
            let mut chars = entry.chars();
            let other = chars.next()?;
            let score = chars.as_str().parse::<u16>().ok()?;
            Some((other, score))
        })
}

/// The line of `table` that starts with `c` followed by a tab.
fn find_line(table: &str, c: char) -> Option<&str> {
    // The data lines start after the comment lines.
    let body_at = table
        .match_indices('\n')
        .map(|(i, _)| i + 1)
        .find(|&i| !table[i..].starts_with('#'))?;
    let body = &table[body_at..];
    let (mut lo, mut hi) = (0usize, body.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        // The start of the line holding byte `mid`.
        // (Newlines are single bytes, so both ends are character
        // boundaries wherever `mid` falls.)
        let bytes = body.as_bytes();
        let start = memchr::memrchr(b'\n', &bytes[..mid]).map_or(0, |i| i + 1);
        let end = memchr::memchr(b'\n', &bytes[start..]).map_or(body.len(), |i| start + i);
        let line = body.get(start..end)?;
        let first = line.chars().next()?;
        match first.cmp(&c) {
            std::cmp::Ordering::Equal if line[first.len_utf8()..].starts_with('\t') => {
                return Some(line);
            }
            std::cmp::Ordering::Less | std::cmp::Ordering::Equal => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bisection finds every line the plain scan finds.
    #[test]
    fn every_line_is_found_by_bisection() {
        let mut n = 0;
        for line in TABLE.lines().filter(|l| !l.starts_with('#')) {
            let c = line.chars().next().unwrap();
            assert_eq!(find_line(TABLE, c), Some(line), "{c}");
            n += 1;
        }
        assert!(n > 6_000, "{n}");
        assert_eq!(find_line(TABLE, '\u{1}'), None);
        assert_eq!(find_line(TABLE, '\u{10FFFF}'), None);
    }

    #[test]
    fn classic_look_alikes_are_near() {
        let c = Confusions::of("项目拨签般口☐".chars());
        for (word, printed) in [
            ('目', '日'),
            ('拨', '拔'),
            ('签', '答'),
            ('☐', '口'),
            ('项', '顶'),
        ] {
            assert!(
                c.is_near(word, printed),
                "{word}/{printed}: {}",
                c.score(word, printed)
            );
        }
        assert!(!c.is_near('目', '水'));
        assert_eq!(c.score('目', '目'), 1000);
        // Characters the table was not asked for have no neighbours.
        assert_eq!(c.score('水', '氷'), 0);
    }
}
