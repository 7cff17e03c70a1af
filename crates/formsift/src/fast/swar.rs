//! Word-at-a-time ("SIMD within a register") byte tests: eight bytes per
//! step in a plain `u64`, portable to every target. Each has its plain
//! definition in `tests`.

/// Offset of the first tab at or after `from`: `bytes[from..]` searched
/// eight bytes at a time (no byte of a multi-byte UTF-8 character is a
/// tab, so the offset is a character boundary).
pub fn find_tab(bytes: &[u8], from: usize) -> Option<usize> {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const TABS: u64 = 0x0909_0909_0909_0909;
    let mut i = from;
    while let Some(word) = bytes.get(i..).and_then(|rest| rest.first_chunk::<8>()) {
        let x = u64::from_le_bytes(*word) ^ TABS;
        // The high bit of each byte that is zero in `x` (a tab in the
        // word); exact per byte, no carry crosses a byte.
        let zero = !(((x & LOW7) + LOW7) | x) & HIGH;
        if zero != 0 {
            return Some(i + (zero.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    let rest = bytes.get(i..)?;
    rest.iter().position(|&b| b == b'\t').map(|p| i + p)
}

/// True when one of the eight bytes of `w` is below 0x20, `"` or `\`.
pub fn needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    (below_space | zero_byte(w ^ (ONES * b'"' as u64)) | zero_byte(w ^ (ONES * b'\\' as u64))) != 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_tab_equals_a_byte_walk() {
        let alphabet = [b'\t', b'a', 0x08, b'\n', 0x89, 0xFF, 0x00, 0x09 ^ 0x80];
        let mut rng = crate::Xorshift(0x9e37_79b9_7f4a_7c15u64);
        for _ in 0..20_000 {
            let seed = rng.next();
            let len = (seed % 40) as usize;
            let bytes: Vec<u8> = (0..len)
                .map(|k| alphabet[((seed >> (k % 20 * 3)) as usize + k) % alphabet.len()])
                .collect();
            for from in 0..=len + 1 {
                let want = bytes
                    .get(from..)
                    .and_then(|r| r.iter().position(|&b| b == b'\t'))
                    .map(|p| from + p);
                assert_eq!(find_tab(&bytes, from), want, "{bytes:?} {from}");
            }
        }
    }

    #[test]
    fn needs_escape_equals_a_byte_test() {
        let alphabet = [
            b'a', b'"', b'\\', 0x00, 0x1F, 0x20, 0x21, 0x7F, 0x80, 0xA2, 0xDC, 0xFF,
        ];
        let mut rng = crate::Xorshift(0x2545_f491_4f6c_dd1du64);
        for _ in 0..100_000 {
            let seed = rng.next();
            let word: [u8; 8] =
                std::array::from_fn(|k| alphabet[(seed >> (k * 4)) as usize % alphabet.len()]);
            let want = word.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
            assert_eq!(needs_escape(u64::from_le_bytes(word)), want, "{word:?}");
        }
    }
}
