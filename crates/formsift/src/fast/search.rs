//! Substring searches the hot paths need and the standard library does
//! not make cheap: a character in a text, an ASCII word in any case, many
//! short needles over one small text. Target-specific SIMD is behind the
//! `simd` feature, with a portable path beside it.

/// `s.contains(c)`, by `memchr` on the last byte of `c`'s encoding (for a
/// CJK character, `str::contains` builds a substring searcher per call).
/// UTF-8 is self-synchronizing: a whole character's bytes found anywhere
/// are that character.
pub fn contains_char(s: &str, c: char) -> bool {
    let mut buf = [0u8; 4];
    let needle = c.encode_utf8(&mut buf).as_bytes();
    let Some((&last, head)) = needle.split_last() else {
        return false;
    };
    let bytes = s.as_bytes();
    memchr::memchr_iter(last, bytes)
        .any(|i| i >= head.len() && bytes.get(i - head.len()..i) == Some(head))
}

/// Case-insensitive search for an ASCII needle.
pub fn find_ci(hay: &str, needle: &str, from: usize) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() || h.len() < n.len() {
        return None;
    }
    let last = h.len() - n.len();
    if from > last {
        return None;
    }
    // Every line of every document is asked whether it opens a table: jump
    // between occurrences of the needle's first byte (`<`) with memchr
    // instead of comparing at every position.
    if !n[0].is_ascii_alphabetic() {
        return memchr::memchr_iter(n[0], &h[from..=last])
            .map(|k| from + k)
            .find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n));
    }
    (from..=last).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// True when `pred` holds at some start offset of `needle` in `hay`
/// (non-overlapping, left to right).
///
/// Built for many short searches, each with a new needle over a small text
/// (one form's): building `memmem`'s whole searcher would cost more than
/// searching. With the `simd` feature on x86-64 (AVX2, checked at run
/// time) only the SIMD "packed pair" prefilter is built and each candidate
/// compared; otherwise, and for 1-byte needles, `memmem`. The two paths
/// are tested against each other and a naive scan. (Alternatives tried and
/// their costs: `docs/performance.md`.)
pub fn any_occurrence(hay: &[u8], needle: &[u8], pred: impl FnMut(usize) -> bool) -> bool {
    if needle.is_empty() {
        return false;
    }
    #[cfg(all(feature = "simd", target_arch = "x86_64"))]
    let mut pred = pred;
    #[cfg(all(feature = "simd", target_arch = "x86_64"))]
    if let Some(finder) = memchr::arch::x86_64::avx2::packedpair::Finder::new(needle) {
        let mut from = 0;
        while let Some(rest) = hay.get(from..).filter(|r| r.len() >= needle.len()) {
            let found = if rest.len() >= finder.min_haystack_len() {
                finder.find(rest, needle)
            } else {
                rest.windows(needle.len()).position(|w| w == needle)
            };
            let Some(at) = found else {
                return false;
            };
            if pred(from + at) {
                return true;
            }
            from += at + needle.len();
        }
        return false;
    }
    any_occurrence_portable(hay, needle, pred)
}

/// [`any_occurrence`] without target-specific code.
pub fn any_occurrence_portable(hay: &[u8], needle: &[u8], pred: impl FnMut(usize) -> bool) -> bool {
    !needle.is_empty() && { memchr::memmem::find_iter(hay, needle) }.any(pred)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_ci_equals_a_naive_search() {
        let naive = |h: &str, n: &str, from: usize| {
            (from..=h.len().saturating_sub(n.len())).find(|&i| {
                h.len() >= n.len()
                    && h.as_bytes()[i..i + n.len()].eq_ignore_ascii_case(n.as_bytes())
            })
        };
        for h in [
            "",
            "<",
            "<TABLE>",
            "x<tAbLe",
            "<ta<table",
            "项目<table>名称",
            "<tabl",
            "a<b<c<table",
        ] {
            for n in ["<table", "table", "<"] {
                for from in 0..3 {
                    assert_eq!(find_ci(h, n, from), naive(h, n, from), "{h} {n} {from}");
                }
            }
        }
    }

    #[test]
    fn contains_char_equals_str_contains() {
        let alphabet: Vec<char> = "a 中丁一表𠀀\u{a0}\u{3000}é".chars().collect();
        let mut rng = crate::Xorshift(0x9e37_79b9_7f4a_7c15u64);
        for _ in 0..20_000 {
            let s = rng.text(&alphabet, 12, 4);
            for c in ['中', 'a', '表', '𠀀', '\u{a0}', '\u{3000}'] {
                assert_eq!(contains_char(&s, c), s.contains(c), "{s:?} {c:?}");
            }
        }
    }

    #[test]
    fn any_occurrence_equals_a_naive_scan_on_both_paths() {
        // Haystacks long enough for the SIMD prefilter and short ones.
        let alphabet: Vec<char> = "中文表格绩效目标指标值ab\u{1}".chars().collect();
        let mut rng = crate::Xorshift(0x2545_f491_4f6c_dd1du64);
        let mut draw = |max: u64| -> String {
            let n = rng.next() % max;
            (0..n)
                .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
                .collect()
        };
        for _ in 0..5_000 {
            let hay = draw(200);
            let needle = draw(4);
            let (h, n) = (hay.as_bytes(), needle.as_bytes());
            // Non-overlapping occurrences, left to right, as memmem finds them.
            let mut naive = Vec::new();
            let mut at = 0;
            while !n.is_empty() && at + n.len() <= h.len() {
                if &h[at..at + n.len()] == n {
                    naive.push(at);
                    at += n.len();
                } else {
                    at += 1;
                }
            }
            for stop in [0usize, 1, 2] {
                let want = naive.get(stop).is_some();
                let mut seen = 0;
                let got = any_occurrence(h, n, |_| {
                    seen += 1;
                    seen > stop
                });
                assert_eq!(got, want, "{hay:?} {needle:?}");
                let mut seen = 0;
                let portable = any_occurrence_portable(h, n, |_| {
                    seen += 1;
                    seen > stop
                });
                assert_eq!(portable, want, "{hay:?} {needle:?}");
            }
        }
    }

    #[test]
    fn any_occurrence_visits_what_a_naive_search_finds() {
        // Non-overlapping, left to right: what `str::match_indices` finds.
        // Long enough for the SIMD path, with matches near both ends (the
        // short tail is searched without SIMD).
        let hay_text =
            "办结信访案件数\u{1}信访案件办结率\u{1}办结信访案件数量多\u{1}aXa件数\u{1}数数数"
                .repeat(7);
        let hay = hay_text.as_bytes();
        for needle in [
            "数数",
            "办结信访案件数",
            "件数",
            "案件",
            "a",
            "Xa件数",
            "不在",
            "\u{1}",
        ] {
            let n = needle.as_bytes();
            let naive: Vec<usize> = hay_text.match_indices(needle).map(|(i, _)| i).collect();
            let mut got = Vec::new();
            let found = any_occurrence(hay, n, |at| {
                got.push(at);
                false
            });
            assert!(!found);
            assert_eq!(got, naive, "{needle}");
            // Stops at the first offset the predicate accepts.
            let mut seen = 0;
            assert_eq!(
                any_occurrence(hay, n, |_| {
                    seen += 1;
                    true
                }),
                !naive.is_empty()
            );
            assert_eq!(seen, naive.len().min(1));
        }
        assert!(!any_occurrence(hay, b"", |_| true));
    }
}
