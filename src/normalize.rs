//! Normalize: turn a cell's printed text into clean text, and clean text into
//! a *folded* key for matching.
//!
//! Two forms of every text exist on purpose:
//! - **clean** text is what values are made of: tags and entities gone,
//!   checkboxes as `☑`/`☐`, whitespace collapsed, no space between two CJK
//!   characters, full-width ASCII letters and digits made half-width.
//!   Punctuation is kept as printed (the contract says so).
//! - **folded** text is only for comparing with template labels: NFKC (so
//!   `（：` equal `(:`), no whitespace, ASCII lower-cased. A [`Folded`] keeps a
//!   map back to the clean text so a match can cut the clean value out.

use unicode_normalization::UnicodeNormalization;

/// Marker for a ticked box in clean text.
pub const CHECKED: char = '☑';
/// Marker for an empty box in clean text.
pub const UNCHECKED: char = '☐';

/// Cleans one cell or line of printed text.
pub fn clean(raw: &str) -> String {
    // Most cells hold no tag, entity or checkbox: skip those passes. (Every
    // checkbox symbol is encoded with lead byte E2 or F0; a byte test is
    // cheaper than a char search.)
    if !raw
        .bytes()
        .any(|b| matches!(b, b'<' | b'&' | b'[' | 0xE2 | 0xF0))
    {
        return collapse_whitespace(raw);
    }
    let no_tags = strip_tags(raw);
    let decoded = decode_entities(&no_tags);
    let marked = mark_checkboxes(&decoded);
    collapse_whitespace(&marked)
}

/// Removes HTML tags, turning checkbox `<input>`s into markers and `<br>`
/// into a space. A `<` that does not open a tag is kept as text.
fn strip_tags(s: &str) -> String {
    if !s.contains('<') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let opens_tag = after
            .chars()
            .next()
            .map(|c| c.is_ascii_alphabetic() || c == '/' || c == '!')
            .unwrap_or(false);
        match (opens_tag, after.find('>')) {
            (true, Some(j)) => {
                let tag = &after[..j];
                let lower = tag.to_ascii_lowercase();
                if lower.starts_with("input") && lower.contains("checkbox") {
                    out.push(' ');
                    out.push(if lower.contains("checked") {
                        CHECKED
                    } else {
                        UNCHECKED
                    });
                    out.push(' ');
                } else if lower.starts_with("br")
                    || lower.starts_with("/p")
                    || lower.starts_with("/div")
                    || lower.starts_with("/td")
                    || lower.starts_with("/th")
                {
                    out.push(' ');
                }
                rest = &after[j + 1..];
            }
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes the HTML entities OCR output uses (named basics and numeric).
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(';').filter(|&j| j > 0 && j <= 10);
        let decoded = end.and_then(|j| entity(&after[..j]).map(|c| (c, j)));
        match decoded {
            Some((c, j)) => {
                out.push(c);
                rest = &after[j + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = if let Some(hex) = num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
            u32::from_str_radix(hex, 16).ok()?
        } else {
            num.parse::<u32>().ok()?
        };
        return char::from_u32(code);
    }
    Some(match name {
        "nbsp" => '\u{a0}',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "ldquo" => '“',
        "rdquo" => '”',
        "mdash" => '—',
        "middot" => '·',
        _ => return None,
    })
}

/// Turns the plain-text checkbox styles into the two canonical markers.
fn mark_checkboxes(s: &str) -> String {
    if !s.contains(['[', '■', '□', '√', '✓', '✔', '☒', '🗹', '☑', '☐']) {
        return s.to_string();
    }
    let s = s
        .replace("[x]", " ☑ ")
        .replace("[X]", " ☑ ")
        .replace("[√]", " ☑ ")
        .replace("[ ]", " ☐ ")
        .replace("[]", " ☐ ");
    s.chars()
        .map(|c| match c {
            '■' | '√' | '✓' | '✔' | '☒' | '🗹' => CHECKED,
            '□' => UNCHECKED,
            c => c,
        })
        .collect()
}

/// True for characters between which no space is kept.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F   // CJK symbols and punctuation
        | 0x3400..=0x4DBF // extension A
        | 0x4E00..=0x9FFF // unified ideographs
        | 0xF900..=0xFAFF // compatibility ideographs
        | 0xFF01..=0xFF0F | 0xFF1A..=0xFF20 | 0xFF3B..=0xFF40 | 0xFF5B..=0xFF65 // full-width punctuation
        | 0x20000..=0x2FA1F)
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}'
}

/// Collapses whitespace (NBSP, U+3000, tabs …) to single spaces, drops spaces
/// between two CJK characters, makes full-width ASCII alphanumerics
/// half-width, and trims.
fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut prev_cjk = false;
    for c in s.chars() {
        if is_space(c) {
            pending_space = !out.is_empty();
            continue;
        }
        let c = halfwidth_alnum(c);
        let cjk = is_cjk(c);
        if pending_space {
            if !(prev_cjk && cjk) {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c);
        prev_cjk = cjk;
    }
    out
}

/// Full-width ASCII letters and digits to half-width; everything else as is.
pub fn halfwidth_alnum(c: char) -> char {
    match c {
        '０'..='９' | 'Ａ'..='Ｚ' | 'ａ'..='ｚ' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        _ => c,
    }
}

/// A folded key and its map back to the clean text it came from.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    pub key: String,
    /// `map[i]` is the byte offset in the clean text of the character that
    /// produced byte `i` of `key`; `map[key.len()]` is the clean text's length.
    pub map: Vec<usize>,
}

impl Folded {
    /// The clean text from the character that produced `key[at..]` on.
    pub fn clean_from<'a>(&self, clean: &'a str, at: usize) -> &'a str {
        let start = self.map.get(at).copied().unwrap_or(clean.len());
        clean.get(start..).unwrap_or("")
    }
}

/// Folds clean text into a matching key.
pub fn fold(clean: &str) -> Folded {
    let mut key = String::with_capacity(clean.len());
    let mut map = Vec::with_capacity(clean.len() + 1);
    let mut buf = [0u8; 4];
    for (offset, c) in clean.char_indices() {
        if is_space(c) {
            continue;
        }
        // The (costly) normalizer is skipped where NFKC is known.
        if c.is_ascii() || ('\u{4e00}'..='\u{9fff}').contains(&c) {
            let s = fold_char(c).encode_utf8(&mut buf);
            key.push_str(s);
            map.extend(std::iter::repeat_n(offset, s.len()));
            continue;
        }
        if let Some(f) = nfkc_fast(c) {
            let s = fold_char(f).encode_utf8(&mut buf);
            key.push_str(s);
            map.extend(std::iter::repeat_n(offset, s.len()));
            continue;
        }
        for f in std::iter::once(c).nfkc() {
            if is_space(f) {
                continue;
            }
            let f = fold_char(f);
            let s = f.encode_utf8(&mut buf);
            key.push_str(s);
            map.extend(std::iter::repeat_n(offset, s.len()));
        }
    }
    map.push(clean.len());
    Folded { key, map }
}

/// NFKC of `c` where it is one character known without the normalizer:
/// ASCII, the unified ideographs and most CJK punctuation stay as they are,
/// full-width ASCII variants become ASCII. `None`: ask the normalizer.
fn nfkc_fast(c: char) -> Option<char> {
    match c as u32 {
        0x00..=0x7F | 0x4E00..=0x9FFF | 0x3001..=0x3035 => Some(c),
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0),
        _ => None,
    }
}

/// The folded key alone, without the map back (cheaper: most callers only
/// compare keys).
pub fn fold_key(clean: &str) -> String {
    let mut key = String::with_capacity(clean.len());
    for c in clean.chars() {
        if is_space(c) {
            continue;
        }
        if c.is_ascii() || ('\u{4e00}'..='\u{9fff}').contains(&c) {
            key.push(fold_char(c));
            continue;
        }
        if let Some(f) = nfkc_fast(c) {
            key.push(fold_char(f));
            continue;
        }
        for f in std::iter::once(c).nfkc() {
            if !is_space(f) {
                key.push(fold_char(f));
            }
        }
    }
    key
}

/// Folds a template label the same way cell text is folded.
pub fn fold_label(label: &str) -> String {
    fold_key(&clean(label))
}

fn fold_char(c: char) -> char {
    match c {
        'A'..='Z' => c.to_ascii_lowercase(),
        // Dash variants print alike.
        '–' | '―' | '─' | '－' => '—',
        _ => c,
    }
}

/// Length in bytes of a leading list number (`1.`, `2、`, `(3)`, `一、`) in
/// a folded key, 0 when there is none.
pub fn enumerator_len(key: &str) -> usize {
    let bytes = key.as_bytes();
    let mut i = 0;
    if let Some(inner) = key.strip_prefix('(') {
        let digits = inner.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 && digits <= 2 && inner[digits..].starts_with(')') {
            return digits + 2;
        }
        return 0;
    }
    while i < bytes.len() && bytes[i].is_ascii_digit() && i < 2 {
        i += 1;
    }
    if i == 0 {
        let cn = key
            .chars()
            .take_while(|c| "一二三四五六七八九十".contains(*c))
            .count();
        if cn == 0 || cn > 2 {
            return 0;
        }
        i = key.chars().take(cn).map(char::len_utf8).sum();
        return match key[i..].chars().next() {
            Some('、') => i + '、'.len_utf8(),
            _ => 0,
        };
    }
    match key[i..].chars().next() {
        // A digit followed by a dot and another digit is a decimal, not a list number.
        Some('.') if key[i + 1..].starts_with(|c: char| c.is_ascii_digit()) => 0,
        Some(c @ ('.' | '、' | ')')) => i + c.len_utf8(),
        _ => 0,
    }
}

/// Removes a leading list number from clean text: `1. 重点案件` → `重点案件`.
pub fn strip_enumerator(clean: &str) -> &str {
    let f = fold(clean);
    let n = enumerator_len(&f.key);
    if n == 0 {
        return clean;
    }
    f.clean_from(clean, n).trim_start()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_strips_tags_and_marks_checkboxes() {
        let raw =
            r#"<input type="checkbox"/> 新增项目 <input checked="" type="checkbox"/> 延续项目"#;
        assert_eq!(clean(raw), "☐ 新增项目 ☑ 延续项目");
        assert_eq!(clean("<b>项目名称</b>"), "项目名称");
        assert_eq!(clean("a<br/>b"), "a b");
        assert_eq!(clean("1 < 2"), "1 < 2");
    }

    #[test]
    fn clean_whitespace_nbsp_and_cjk() {
        assert_eq!(
            clean("年度资金总额： \u{a0}20 \u{a0}\u{a0}万元"),
            "年度资金总额： 20 万元"
        );
        assert_eq!(clean("  办结 信访\u{3000}案件 "), "办结信访案件");
        assert_eq!(clean("AB 岗"), "AB 岗");
        assert_eq!(clean("ＡＢ１２"), "AB12");
        assert_eq!(clean("1. 办结"), "1. 办结");
    }

    #[test]
    fn entities_are_decoded() {
        assert_eq!(
            clean("a&amp;b&nbsp;c &#x4E2D;&#25991; &bogus;"),
            "a&b c 中文 &bogus;"
        );
    }

    #[test]
    fn plain_checkbox_styles() {
        assert_eq!(clean("■一次性 □经常性"), "☑一次性 ☐经常性");
        assert_eq!(clean("[x] 一次性 [ ] 经常性"), "☑ 一次性 ☐ 经常性");
    }

    #[test]
    fn fold_maps_back_to_clean_text() {
        let c = "其中：财政拨款 8 万元";
        let f = fold(c);
        assert_eq!(f.key, "其中:财政拨款8万元");
        let at = f.key.find('8').unwrap();
        assert_eq!(f.clean_from(c, at), "8 万元");
    }

    #[test]
    fn fold_key_equals_fold() {
        for s in [
            "其中：财政拨款 8 万元",
            "ＡＢ（１）",
            "a\u{3000}b",
            "中长期目标（20**年—20**年）",
            "①②",
        ] {
            assert_eq!(fold_key(s), fold(s).key, "{s}");
        }
        // The fast path agrees with the normalizer on every character it covers.
        for c in (0u32..0x80)
            .chain(0x3001..0x3036)
            .chain(0xFF01..0xFF5F)
            .chain(0x4E00..0x4E80)
        {
            let c = char::from_u32(c).unwrap();
            let slow: String = std::iter::once(c).nfkc().collect();
            assert_eq!(
                nfkc_fast(c).map(String::from),
                Some(slow),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn enumerators() {
        assert_eq!(strip_enumerator("1. 重点案件办理"), "重点案件办理");
        assert_eq!(strip_enumerator("2、落实"), "落实");
        assert_eq!(strip_enumerator("(3)调研"), "调研");
        assert_eq!(strip_enumerator("一、总则"), "总则");
        assert_eq!(strip_enumerator("10.92万元"), "10.92万元");
        assert_eq!(strip_enumerator("24小时"), "24小时");
    }
}
