//! UTF-8 read off the bytes where decoding characters would cost more.

/// The last `n` characters of `s` when all are ideographs U+4E00–U+9FFF
/// ([`crate::text::normalize::is_ideograph`]), read
/// off the bytes (U+4E00–U+9FFF are the three-byte sequences E4 B8..BF xx
/// through E9 BF BF) instead of decoding characters from the end.
pub fn ideograph_suffix(s: &str, n: usize) -> Option<&str> {
    let tail = s.get(s.len().checked_sub(3 * n)?..)?;
    tail.as_bytes()
        .chunks_exact(3)
        .all(|c| {
            matches!(
                c,
                [0xE4, 0xB8..=0xBF, 0x80..=0xBF] | [0xE5..=0xE9, 0x80..=0xBF, 0x80..=0xBF]
            )
        })
        .then_some(tail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::is_ideograph;

    #[test]
    fn ideograph_suffix_equals_a_character_walk() {
        let reference = |s: &str, n: usize| -> Option<String> {
            let chars: Vec<char> = s.chars().collect();
            let tail = chars.get(chars.len().checked_sub(n)?..)?;
            tail.iter()
                .all(|&c| is_ideograph(c))
                .then(|| tail.iter().collect())
        };
        let edge = [
            '\u{4dff}', '\u{4e00}', '\u{4fff}', '\u{5000}', '\u{9fff}', '\u{a000}', 'a', '，', '中',
        ];
        let mut rng = 7u64;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(rng % 9) {
                rng = rng
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                s.push(edge[(rng >> 33) as usize % edge.len()]);
            }
            for n in 0..4 {
                assert_eq!(
                    ideograph_suffix(&s, n).map(str::to_string),
                    reference(&s, n),
                    "{s:?} {n}"
                );
            }
        }
    }
}
