//! The vocabulary's lookups against their definitions: the index and the
//! exact lookup never change what scoring every word finds.

use super::fuzzy::score;
use super::*;
use crate::template::{LabelTarget, Template};

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

/// The index and the character masks never rule out a word that scoring
/// finds: random cuts and confusions (look-alikes, arbitrary characters,
/// dropped and doubled characters) of every word.
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
        for word in set.iter() {
            let chars: Vec<char> = word.key.chars().collect();
            for _ in 0..40 {
                let seed = rng.next();
                let len = 1 + (seed % chars.len() as u64) as usize;
                let mut v: Vec<char> = chars[..len].to_vec();
                for k in 0..(seed >> 8) % 3 {
                    let at = ((seed >> (16 + 8 * k)) as usize) % v.len();
                    match (seed >> (40 + 2 * k)) % 4 {
                        0 => v[at] = ['某', 'x', '一', '指'][((seed >> 50) % 4) as usize],
                        1 => v[at] = set.glyphs.near_of(v[at]).next().unwrap_or('口'),
                        2 if v.len() > 1 => {
                            v.remove(at);
                        }
                        _ => v.insert(at, v[at]),
                    }
                }
                let key: String = v.iter().collect();
                let brute: Vec<usize> = (set.iter().enumerate())
                    .filter(|(_, w)| score(&v, &w.chars, &set.glyphs).is_some())
                    .map(|(i, _)| i)
                    .collect();
                let mut indexed: Vec<usize> = set.matches(&key).iter().map(|m| m.word).collect();
                indexed.sort();
                assert_eq!(indexed, brute, "{key:?} from {}", word.key);
                matched += usize::from(!brute.is_empty());
            }
        }
    }
    assert!(matched > 500, "{matched}");
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
            .filter_map(|(i, l)| {
                score(&cell, &l.chars, &t.labels.glyphs).map(|(s, q, _)| (i, s, q))
            })
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
        let each = sets.map(|s| s.best(p));
        assert_eq!(Vocabulary::best_in_each(p, sets), each, "{p}");
        // The best is the one top score of scoring every label (the
        // exact lookup and the prefilters change nothing).
        for set in sets {
            let cell = chars(p);
            let mut scored: Vec<(f64, usize)> = set
                .iter()
                .enumerate()
                .filter_map(|(i, l)| score(&cell, &l.chars, &set.glyphs).map(|(s, _, _)| (s, i)))
                .collect();
            scored.sort_by(|a, b| b.0.total_cmp(&a.0));
            let want = match scored.as_slice() {
                [(s, i), rest @ ..] if rest.first().is_none_or(|r| r.0 < *s) => Some(*i),
                _ => None,
            };
            assert_eq!(set.best(p).map(|m| m.word), want, "{p}");
        }
        let got: Vec<(usize, MatchQuality)> = t
            .labels
            .matches(p)
            .iter()
            .map(|m| (m.word, m.quality))
            .collect();
        assert_eq!(got, brute(p), "{p}");
    }
}

/// The rule with the look-alikes of the words given.
fn rule(cell: &str, word: &str) -> Option<(f64, MatchQuality, f32)> {
    let glyphs = glyphs::Confusions::of(word.chars());
    score(&chars(cell), &chars(word), &glyphs)
}

#[test]
fn truncated_labels_match() {
    let (s, q, _) = rule("预算单位及代", "预算单位及代码").unwrap();
    assert_eq!(q, MatchQuality::Truncated);
    assert!((s - 6.0 / 7.0).abs() < 1e-9);
    assert!(rule("预算", "预算单位及代码").is_none());
    // A clean 3-character stub of an 8-character label.
    let (s, q, _) = rule("一般公", "一般公共预算收入").unwrap();
    assert_eq!(q, MatchQuality::Truncated);
    assert!((s - 3.0 / 8.0).abs() < 1e-9);
    // ...but not with a confused character in it: too little kept.
    assert!(rule("一股公", "一般公共预算收入").is_none());
    assert!(rule("一般公共", "一般公共预算收入十").is_some());
    // A stub must keep the word's beginning.
    assert!(rule("般公共", "一般公共预算收入").is_none());
    // Cut short with a look-alike first character: half kept.
    let (_, q, cost) = rule("顶目名", "项目名称").unwrap();
    assert_eq!((q, cost), (MatchQuality::TruncatedConfused, 0.5));
    // An arbitrary first character in a cut-short cell is too much.
    assert!(rule("水目名称预", "项目名称预算").is_none());
}

#[test]
fn confused_dropped_and_doubled_characters_match() {
    for (cell, word, cost) in [
        ("项目名祢", "项目名称", 0.5),
        ("顶目名称", "项目名称", 0.5),
        // Two look-alikes in four characters cost one edit.
        ("项日名祢", "项目名称", 1.0),
        // Any character, the first included.
        ("水目名称", "项目名称", 1.0),
        ("社会保基金收入", "社会保险基金收入", 1.0),
        ("社会保险险基金收入", "社会保险基金收入", 1.0),
        ("科室负责人答字", "科室负责人签字", 0.5),
    ] {
        let (_, q, c) = rule(cell, word).unwrap_or_else(|| panic!("{cell} / {word}"));
        assert_eq!((q, c), (MatchQuality::Confused, cost), "{cell} / {word}");
    }
    // One arbitrary edit per four characters, no more.
    assert!(rule("水日名祢", "项目名称").is_none());
    assert!(rule("满意", "服务对象满意度").is_none());
    // Short words only exactly (or one look-alike in three characters).
    assert!(rule("合汁", "合计").is_none());
    assert!(rule("其化", "其他").is_none());
}

#[test]
fn truncated_label_against_the_whole_vocabulary() {
    let t = Template::builtin();
    let m = t.labels.best("预算单位及代").unwrap();
    assert_eq!(&*t.labels[m.word].text, "预算单位及代码");
    let m = t.labels.best("实施单位及责").unwrap();
    assert_eq!(&*t.labels[m.word].text, "实施单位及责任人");
    // 项目资金 could be 项目资金(万元) or 项目资金来源; the closer completion ranks first.
    let c = t.labels.matches("项目资金");
    assert_eq!(&*t.labels[c[0].word].text, "项目资金来源");
    assert_eq!(t.label_targets[c[0].word], LabelTarget::Scaffold);
}

#[test]
fn options_match_truncated_and_ambiguous() {
    let words = ["法律法规", "市委市政府决定", "市委市政府领导指示", "其他"]
        .iter()
        .map(|s| Word::new(s, s.to_string()))
        .collect();
    let opts = Vocabulary::new(words);
    assert_eq!(opts.option("其他"), OptionMatch::Exact(3));
    assert_eq!(opts.option("法律法"), OptionMatch::Repaired(0));
    assert_eq!(opts.option("市委市政府"), OptionMatch::Ambiguous);
    assert_eq!(opts.option("市委市政府决"), OptionMatch::Repaired(1));
    assert_eq!(opts.option("天气"), OptionMatch::None);
}

/// The automaton finds what the plain scans find, on every label, cut and
/// confusion of the built-in template, inside lines of several labels.
#[test]
fn the_automaton_equals_the_plain_scans() {
    let t = Template::builtin();
    let plain = Vocabulary::new(t.labels.to_vec());
    assert!(t.labels.automaton.is_some() && plain.automaton.is_none());
    let mut probes: Vec<String> = Vec::new();
    for w in t.labels.iter() {
        let c = &w.chars;
        for cut in 1..=c.len() {
            let s: String = c[..cut].iter().collect();
            probes.push(format!("{s}:x{}", w.key));
            probes.push(format!("x{s}{}", w.key));
        }
    }
    probes.push(t.labels.iter().map(|w| w.key.as_str()).collect());
    probes.push(String::new());
    for p in &probes {
        assert_eq!(t.labels.word_at_start(p), plain.word_at_start(p), "{p}");
        assert_eq!(t.labels.words_in(p), plain.words_in(p), "{p}");
    }
}

/// The best unique whole-word match over `spans` by scoring every word on
/// every span, no prefilter: what `best_fuzzy` must find.
fn brute_fuzzy(set: &Vocabulary, key: &str, at_end: bool) -> Option<(usize, usize)> {
    let chars: Vec<(usize, char)> = key.char_indices().collect();
    let n = chars.len();
    let mut best: Option<(f64, usize, usize)> = None;
    let mut tied = false;
    for (i, w) in set.iter().enumerate() {
        let m = w.chars.len();
        if m < 4 {
            continue;
        }
        let b = fuzzy::budget(m) as usize;
        for k in m.saturating_sub(b).max(1)..=m + b {
            if k > n {
                continue;
            }
            let (range, offset) = if at_end {
                (n - k..n, chars[n - k].0)
            } else {
                if chars.get(k).is_some_and(|&(_, c)| is_han(c)) {
                    continue;
                }
                (0..k, chars.get(k).map_or(key.len(), |&(b, _)| b))
            };
            let text: Vec<char> = chars[range].iter().map(|&(_, c)| c).collect();
            let Some((s, q, _)) = score(&text, &w.chars, &set.glyphs) else {
                continue;
            };
            if !matches!(q, MatchQuality::Confused | MatchQuality::Exact) {
                continue;
            }
            match best {
                Some((bs, _, _)) if bs > s => {}
                Some((bs, bw, _)) if bs == s && bw == i => {}
                Some((bs, _, _)) if bs == s => tied = true,
                _ => {
                    best = Some((s, i, offset));
                    tied = false;
                }
            }
        }
    }
    best.filter(|_| !tied).map(|(_, w, o)| (w, o))
}

/// The searches for a confused label at the start of a cell (before its
/// value) and at the end of a line's text (before a colon) find what
/// scoring every word on every span finds: their prefilters only rule out.
#[test]
fn fuzzy_word_searches_equal_scoring_every_span() {
    let t = Template::builtin();
    let mut rng = crate::Xorshift(0x9e37_79b9_7f4a_7c15u64);
    let tails = ["：8万元", "12", "", "（万元）：3", "≥95%", "，用于"];
    let heads = ["", "单位", "负责人", "9"];
    let mut found = 0;
    for word in t.labels.iter() {
        let chars: Vec<char> = word.key.chars().collect();
        for _ in 0..30 {
            let seed = rng.next();
            let mut v = chars.clone();
            for k in 0..(seed >> 8) % 3 {
                let at = ((seed >> (16 + 8 * k)) as usize) % v.len();
                match (seed >> (40 + 2 * k)) % 4 {
                    0 => v[at] = ['某', 'x', '一', '指'][((seed >> 50) % 4) as usize],
                    1 => v[at] = t.labels.glyphs.near_of(v[at]).next().unwrap_or('口'),
                    2 if v.len() > 1 => {
                        v.remove(at);
                    }
                    _ => v.insert(at, v[at]),
                }
            }
            let text: String = v.iter().collect();
            let tail = tails[(seed % tails.len() as u64) as usize];
            let head = heads[((seed >> 4) % heads.len() as u64) as usize];
            let start = format!("{text}{tail}");
            let got = t
                .labels
                .fuzzy_word_at_start(&start)
                .map(|(m, o)| (m.word, o));
            assert_eq!(got, brute_fuzzy(&t.labels, &start, false), "{start:?}");
            let end = format!("{head}{text}");
            let got = t.labels.fuzzy_word_at_end(&end).map(|(m, o)| (m.word, o));
            assert_eq!(got, brute_fuzzy(&t.labels, &end, true), "{end:?}");
            found += usize::from(got.is_some());
        }
    }
    assert!(found > 200, "{found}");
}

/// The anchor index keeps every word [`fuzzy::anchored`] keeps, for cells
/// starting with any three characters of the vocabulary (and look-alikes
/// and strangers); its sets list their members in ascending order.
#[test]
fn anchor_sets_hold_every_anchored_word() {
    let t = Template::builtin();
    for set in [&t.labels, &t.indicators.level1, &t.indicators.level2] {
        let mut alphabet: Vec<char> = set.chars().collect();
        alphabet.extend(set.chars().flat_map(|c| set.glyphs.near_of(c)).take(200));
        alphabet.extend(['某', 'x', '1', '口']);
        alphabet.sort();
        alphabet.dedup();
        let mut rng = crate::Xorshift(0x9e37_79b9_7f4a_7c15u64);
        for _ in 0..4000 {
            let seed = rng.next();
            let pick = |k: u32| alphabet[((seed >> k) as usize) % alphabet.len()];
            let len = 1 + (seed % 10) as usize;
            let cell: Vec<char> = (0..len).map(|k| pick(8 * (k as u32 % 7))).collect();
            let anchors = set.index.anchored_words(&cell[..len.min(3)]);
            let members: Vec<usize> = anchors.iter(set.len()).collect();
            assert!(members.windows(2).all(|w| w[0] < w[1]));
            for (i, w) in set.iter().enumerate() {
                if fuzzy::anchored(&cell, &w.chars, &set.glyphs) {
                    assert!(anchors.contains(i), "{cell:?} vs {}", w.key);
                    assert!(members.contains(&i));
                }
            }
        }
    }
}
