//! Normalize: turn a cell's printed text into clean text, and clean text into
//! a *folded* key for matching.
//!
//! Two forms of every text exist on purpose:
//! - **clean** text is what values are made of: tags and entities gone,
//!   checkboxes as `☑`/`☐`, whitespace collapsed, no space between two CJK
//!   characters, full-width ASCII letters and digits made half-width.
//!   Punctuation is kept as printed (the contract says so).
//! - **folded** text is only for comparing with template labels: NFKC (so
//!   `（：` equal `(:`), no whitespace, ASCII lower-cased. [`clean_offset`]
//!   maps a key offset back to the clean text so a match can cut the clean
//!   value out.

use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

/// Marker for a ticked box in clean text.
pub const CHECKED: char = '☑';
/// Marker for an empty box in clean text.
pub const UNCHECKED: char = '☐';

/// Cleans one cell or line of printed text.
pub fn clean(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    clean_into(raw, &mut out);
    out
}

/// [`clean`] into `out` (cleared first), so a caller can reuse one buffer.
/// Returns true when the clean text is surely its own folded key
/// ([`fold_key`]), told on the way: then the caller need not fold it.
pub fn clean_into(raw: &str, out: &mut String) -> bool {
    out.clear();
    // Most cells hold no tag, entity or checkbox: one pass does them, and
    // gives up on the first byte that needs the full treatment.
    if let Some(folds_to_itself) = collapse(raw, true, out) {
        return folds_to_itself;
    }
    out.clear();
    let no_tags = strip_tags(raw);
    let decoded = decode_entities(&no_tags);
    let marked = mark_checkboxes(&decoded);
    collapse(&marked, false, out).unwrap_or(false)
}

/// Offset of the first `byte` (ASCII, so a character boundary) in `s`:
/// `memchr`, cheaper than `str::find` with a `char` on the tag-bearing cells
/// (a dozen searches each).
fn find_byte(byte: u8, s: &str) -> Option<usize> {
    memchr::memchr(byte, s.as_bytes())
}

/// Removes HTML tags, turning checkbox `<input>`s into markers and `<br>`
/// into a space. A `<` that does not open a tag is kept as text.
fn strip_tags(s: &str) -> Cow<'_, str> {
    if find_byte(b'<', s).is_none() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = find_byte(b'<', rest) {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let opens_tag = after
            .chars()
            .next()
            .map(|c| c.is_ascii_alphabetic() || c == '/' || c == '!')
            .unwrap_or(false);
        match (opens_tag, find_byte(b'>', after)) {
            (true, Some(j)) => {
                let tag = &after[..j];
                if starts_with_ignore_case(tag, "input") && contains_ignore_case(tag, "checkbox") {
                    out.push(' ');
                    out.push(if contains_ignore_case(tag, "checked") {
                        CHECKED
                    } else {
                        UNCHECKED
                    });
                    out.push(' ');
                } else if ["br", "/p", "/div", "/td", "/th"]
                    .iter()
                    .any(|t| starts_with_ignore_case(tag, t))
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
    Cow::Owned(out)
}

/// ASCII case-insensitive `starts_with` (`needle` lower-case), without
/// lower-casing a copy of every tag.
fn starts_with_ignore_case(hay: &str, needle: &str) -> bool {
    hay.as_bytes()
        .get(..needle.len())
        .is_some_and(|h| h.eq_ignore_ascii_case(needle.as_bytes()))
}

/// ASCII case-insensitive `contains` (`needle` lower-case, not empty): a
/// comparison only where the needle's first letter is, in either case.
fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    let Some(&first) = needle.first() else {
        return true;
    };
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), hay).any(|at| {
        hay.get(at..at + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
}

/// Decodes the HTML entities OCR output uses (named basics and numeric).
pub fn decode_entities(s: &str) -> Cow<'_, str> {
    if find_byte(b'&', s).is_none() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = find_byte(b'&', rest) {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = find_byte(b';', after).filter(|&j| j > 0 && j <= 10);
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
    Cow::Owned(out)
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
fn mark_checkboxes(s: &str) -> Cow<'_, str> {
    let mut s = Cow::Borrowed(s);
    if find_byte(b'[', &s).is_some() {
        s = Cow::Owned(
            s.replace("[x]", " ☑ ")
                .replace("[X]", " ☑ ")
                .replace("[√]", " ☑ ")
                .replace("[ ]", " ☐ ")
                .replace("[]", " ☐ "),
        );
    }
    // Every symbol `checkbox_marker` rewrites starts with byte E2 or F0:
    // only characters there are decoded.
    let bytes = s.as_bytes();
    let has_symbol = memchr::memchr2_iter(0xE2, 0xF0, bytes).any(|at| {
        s.get(at..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| checkbox_marker(c).is_some())
    });
    if !has_symbol {
        return s;
    }
    Cow::Owned(s.chars().map(|c| checkbox_marker(c).unwrap_or(c)).collect())
}

/// The canonical marker for a plain-text checkbox symbol.
fn checkbox_marker(c: char) -> Option<char> {
    match c {
        '■' | '√' | '✓' | '✔' | '☒' | '🗹' => Some(CHECKED),
        '□' => Some(UNCHECKED),
        _ => None,
    }
}

/// True for the checkbox symbols [`mark_checkboxes`] rewrites or keeps.
fn is_checkbox_symbol(c: char) -> bool {
    c == CHECKED || c == UNCHECKED || checkbox_marker(c).is_some()
}

/// True for the unified ideographs U+4E00–U+9FFF, which cleaning and folding
/// leave as they are (the fast paths of several stages rest on that).
pub fn is_ideograph(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// True for the numerals 一…十 that open a Chinese list number (`一、`).
fn is_cn_numeral(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
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

pub fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}'
}

/// Collapses whitespace (NBSP, U+3000, tabs …) to single spaces, drops spaces
/// between two CJK characters, makes full-width ASCII alphanumerics
/// half-width, and trims.
#[cfg(test)]
fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    collapse(s, false, &mut out);
    out
}

/// What [`collapse`] must do at a byte, when it starts a character.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ByteClass {
    /// An ASCII character kept as it is.
    Plain,
    /// ASCII whitespace.
    Space,
    /// `<`, `&`, `[`: may open a tag, an entity or a checkbox.
    Markup,
    /// Lead byte of a character that is never a space, full-width ASCII or a
    /// checkbox; the value is its UTF-8 length.
    Other(u8),
    /// Lead byte of a character that may be one of those: decode it.
    Decode,
}

const BYTE_CLASS: [ByteClass; 256] = {
    let mut t = [ByteClass::Plain; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' => ByteClass::Space,
            b'<' | b'&' | b'[' => ByteClass::Markup,
            // Continuation bytes never start a character.
            0x00..=0xBF => ByteClass::Plain,
            // U+0085, U+00A0 (C2); U+1680 (E1); U+2000–U+205F and the
            // checkbox symbols U+221A–U+2714 (E2); U+3000 (E3); full-width
            // ASCII and U+FEFF (EF); U+1F5F9 (F0).
            0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF | 0xF0 => ByteClass::Decode,
            0xC0..=0xDF => ByteClass::Other(2),
            0xE0..=0xEF => ByteClass::Other(3),
            _ => ByteClass::Other(4),
        };
        b += 1;
    }
    t
};

/// The whitespace and full-width pass of [`clean`], in one walk over the
/// bytes that copies runs of unchanged text instead of pushing characters
/// one by one (every cell of every form passes through here). With `bail`
/// set it returns `None` at the first tag, entity or checkbox, which need
/// the full treatment first. Otherwise it returns whether the output is
/// surely its own folded key: only ideographs (U+4000–U+9FFF) and ASCII
/// other than capitals and spaces, which [`fold_key`] copies as they are.
/// `out` must be empty.
fn collapse(s: &str, bail: bool, out: &mut String) -> Option<bool> {
    let bytes = s.as_bytes();
    // Start of the run of bytes not yet copied to `out`.
    let mut run = 0;
    // A space was seen after some output and not yet written.
    let mut pending = false;
    let mut folds_to_itself = true;
    let mut i = 0;
    while i < bytes.len() {
        // The common case first: an ideograph (lead byte E4–E9) with no
        // space pending is copied as part of the run.
        if !pending && (0xE4..=0xE9).contains(&bytes[i]) {
            i += 3;
            continue;
        }
        let (c, len) = match BYTE_CLASS[bytes[i] as usize] {
            ByteClass::Plain => {
                if pending {
                    folds_to_itself &= !push_pending_space(out, bytes[i] as char);
                    pending = false;
                }
                folds_to_itself &= !bytes[i].is_ascii_uppercase();
                i += 1;
                continue;
            }
            ByteClass::Other(len) => {
                if pending {
                    let next = s[i..].chars().next().unwrap_or(' ');
                    folds_to_itself &= !push_pending_space(out, next);
                    pending = false;
                }
                // Ideographs after a space come here.
                folds_to_itself &= (0xE4..=0xE9).contains(&bytes[i]);
                i += len as usize;
                continue;
            }
            ByteClass::Markup if bail => return None,
            ByteClass::Markup | ByteClass::Space => (bytes[i] as char, 1),
            ByteClass::Decode => {
                let Some(c) = s[i..].chars().next() else {
                    return Some(false);
                };
                if !may_change(c) {
                    // CJK punctuation and the like: kept as printed.
                    folds_to_itself = false;
                    if pending {
                        push_pending_space(out, c);
                        pending = false;
                    }
                    i += c.len_utf8();
                    continue;
                }
                if bail && is_checkbox_symbol(c) {
                    return None;
                }
                (c, c.len_utf8())
            }
        };
        if is_space(c) {
            out.push_str(&s[run..i]);
            i += len;
            run = i;
            pending = !out.is_empty();
            continue;
        }
        // Markup kept as text, or a full-width character.
        folds_to_itself = false;
        let h = halfwidth_alnum(c);
        if pending {
            push_pending_space(out, h);
            pending = false;
        }
        if h != c {
            out.push_str(&s[run..i]);
            out.push(h);
            i += len;
            run = i;
        } else {
            i += len;
        }
    }
    // After a trailing space `run` is the end: nothing is left to copy.
    out.push_str(&s[run..]);
    Some(folds_to_itself)
}

/// True for the characters behind a [`ByteClass::Decode`] lead byte that
/// [`collapse`] may change or hand to the full treatment: spaces, full-width
/// ASCII, checkbox symbols. One range test, cheaper than asking each.
fn may_change(c: char) -> bool {
    matches!(c as u32,
        0x85 | 0xA0 | 0x1680
        | 0x2000..=0x205F   // spaces, zero-width space
        | 0x2200..=0x27FF   // √ ■ □ ☐ ☑ ☒ ✓ ✔
        | 0x3000
        | 0xFEFF
        | 0xFF01..=0xFF5E   // full-width ASCII
        | 0x1F5F9)
}

/// Writes the space that separated the last output character from `next`,
/// unless both are CJK (no space is kept between two CJK characters).
/// Called with the text up to the space already in `out`.
/// Returns whether it wrote one.
fn push_pending_space(out: &mut String, next: char) -> bool {
    let prev_cjk = out.chars().next_back().is_some_and(is_cjk);
    let write = !(prev_cjk && is_cjk(next));
    if write {
        out.push(' ');
    }
    write
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

/// NFKC of `c` where it is one character known without the normalizer:
/// ASCII, the unified ideographs and most CJK punctuation stay as they are,
/// full-width ASCII variants become ASCII. `None`: ask the normalizer.
fn nfkc_fast(c: char) -> Option<char> {
    match c as u32 {
        0x00..=0x7F | 0x4E00..=0x9FFF | 0x3001..=0x3035 => Some(c),
        // Dashes and quotes, arrows, math operators, box drawing, shapes,
        // symbols and dingbats (the checkbox marks ☐ ☑ among them) that NFKC
        // leaves alone; a test checks every one against the normalizer.
        0x2012..=0x2016 | 0x2018..=0x2023 | 0x2190..=0x222B | 0x2231..=0x22FF | 0x2500..=0x27BF => {
            Some(c)
        }
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0),
        _ => None,
    }
}

/// Byte offset in `clean` of the character that produced byte `key_at` of
/// its folded key (`clean.len()` past the end): what a whole
/// offset map would hold, found by walking the text instead of building the
/// map (callers need one or two offsets, not all of them).
pub fn clean_offset(clean: &str, key_at: usize) -> usize {
    let mut produced = 0;
    for (offset, c) in clean.char_indices() {
        let len = folded_len(c);
        if len > 0 && key_at < produced + len {
            return offset;
        }
        produced += len;
    }
    clean.len()
}

/// Bytes `c` contributes to a folded key (as [`fold`] folds it).
fn folded_len(c: char) -> usize {
    if is_space(c) {
        return 0;
    }
    if c.is_ascii() || is_ideograph(c) {
        return fold_char(c).len_utf8();
    }
    if let Some(f) = nfkc_fast(c) {
        return fold_char(f).len_utf8();
    }
    std::iter::once(c)
        .nfkc()
        .filter(|&f| !is_space(f))
        .map(|f| fold_char(f).len_utf8())
        .sum()
}

/// Characters OCR engines print for the vertical ruling of a table cell.
const RULE_MARKS: [char; 3] = ['|', '｜', '丨'];
const QUOTES: [char; 6] = ['“', '”', '"', '‘', '’', '\''];

/// `text` without the cell ruling an OCR engine read at its edges (`|`,
/// `｜`, `丨`, and a stray quote mark right next to one: Tesseract's
/// `“|医疗保障局本级`). A rule mark inside the text stays.
pub fn trim_rule_marks(text: &str) -> &str {
    let edge = |c: char| c.is_whitespace() || RULE_MARKS.contains(&c);
    let mut t = text;
    loop {
        let before = t.len();
        t = t.trim_start_matches(edge);
        let mut chars = t.chars();
        if let (Some(q), Some(r)) = (chars.next(), chars.next()) {
            if QUOTES.contains(&q) && RULE_MARKS.contains(&r) {
                t = &t[q.len_utf8()..];
            }
        }
        t = t.trim_end_matches(edge);
        let mut back = t.chars().rev();
        if let (Some(q), Some(r)) = (back.next(), back.next()) {
            if QUOTES.contains(&q) && RULE_MARKS.contains(&r) {
                t = &t[..t.len() - q.len_utf8()];
            }
        }
        if t.len() == before {
            return t;
        }
    }
}

/// True when `text` may start or end with a rule mark or a quote: the
/// cheap test before [`trim_rule_marks`].
pub fn may_have_rule_marks(text: &str) -> bool {
    let marked =
        |c: Option<char>| c.is_some_and(|c| RULE_MARKS.contains(&c) || QUOTES.contains(&c));
    marked(text.chars().next()) || marked(text.chars().next_back())
}

/// The folded key alone, without the map back (cheaper: most callers only
/// compare keys). Runs of bytes that fold to themselves (ASCII other than
/// capitals and spaces, the ideographs U+4000–U+9FFF) are copied whole.
pub fn fold_key(clean: &str) -> String {
    let mut key = String::with_capacity(clean.len());
    fold_key_into(clean, &mut key);
    key
}

/// [`fold_key`] appended to `key`, so a caller can keep text and key in one
/// buffer or reuse one.
pub fn fold_key_into(clean: &str, key: &mut String) {
    let bytes = clean.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if (0xE4..=0xE9).contains(&b) {
            // U+4000–U+9FFF (most of the text): NFKC and `fold_char` leave
            // them as they are.
            i += 3;
            continue;
        }
        if folds_to_itself_ascii(b) {
            i += 1;
            continue;
        }
        key.push_str(&clean[run..i]);
        let Some(c) = clean[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        run = i;
        if is_space(c) {
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
    key.push_str(clean.get(run..).unwrap_or(""));
}

/// True for an ASCII byte that folding keeps as it is (not a capital, not
/// whitespace): a text of such bytes is its own key.
pub fn folds_to_itself_ascii(b: u8) -> bool {
    b < 0x80 && !(b.is_ascii_uppercase() || b.is_ascii_whitespace() || b == 0x0B)
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
        // OCR engines read a parenthesis as one of the CJK brackets
        // (Tesseract: `(` → `〈` / `《` / `【`, measured on real scans); in a
        // label or an option word they mean the same.
        '〈' | '《' | '【' | '〔' | '〖' => '(',
        '〉' | '》' | '】' | '〕' | '〗' => ')',
        _ => c,
    }
}

/// Characters OCR engines print for the digit 1 of a list number.
const ONE_READINGS: [char; 4] = ['工', 'l', 'i', '|'];

/// Length in bytes of a leading `1.` / `1、` as OCR engines misprint it
/// (Tesseract reads `1.` as `工.`) in a folded key, 0 when there is none.
/// Kept apart from [`enumerator_len`]: a label read this way is a misread
/// label, which the noise estimate must see.
fn misread_enumerator_len(key: &str) -> usize {
    let Some(first) = key.chars().next().filter(|c| ONE_READINGS.contains(c)) else {
        return 0;
    };
    let n = first.len_utf8();
    match key[n..].chars().next() {
        Some(c @ ('.' | '、')) => n + c.len_utf8(),
        _ => 0,
    }
}

/// Length in bytes of a leading list number (`1.`, `2、`, `(3)`, `一、`) in
/// a folded key, 0 when there is none.
pub fn enumerator_len(key: &str) -> usize {
    let bytes = key.as_bytes();
    // A list number starts with `(`, a digit or a numeral 一…十 (lead byte
    // E4 or E5): any other non-ASCII start is told by its first byte.
    if bytes
        .first()
        .is_none_or(|&b| b >= 0x80 && b != 0xE4 && b != 0xE5)
    {
        return 0;
    }
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
        let cn = key.chars().take_while(|&c| is_cn_numeral(c)).count();
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
    // Text starting with an ideograph other than a numeral (most names) has
    // no list number: an ideograph folds to itself. Skips the fold.
    if clean
        .chars()
        .next()
        .is_some_and(|c| is_ideograph(c) && !is_cn_numeral(c) && !ONE_READINGS.contains(&c))
    {
        return clean;
    }
    let key = fold_key(clean);
    let n = match enumerator_len(&key) {
        0 => misread_enumerator_len(&key),
        n => n,
    };
    if n == 0 {
        return clean;
    }
    clean[clean_offset(clean, n)..].trim_start()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference definition of folding: the key and, for every key byte,
    /// the clean-text offset of the character that produced it
    /// ([`clean_offset`] and [`fold_key`] must agree with it).
    #[derive(Debug, Clone, Default)]
    struct Folded {
        key: String,
        /// `map[i]` is the byte offset in the clean text of the character that
        /// produced byte `i` of `key`; `map[key.len()]` is the clean text's length.
        map: Vec<usize>,
    }

    impl Folded {
        /// The clean text from the character that produced `key[at..]` on.
        fn clean_from<'a>(&self, clean: &'a str, at: usize) -> &'a str {
            let start = self.map.get(at).copied().unwrap_or(clean.len());
            clean.get(start..).unwrap_or("")
        }
    }

    /// Folds clean text into a matching key.
    fn fold(clean: &str) -> Folded {
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
    fn checkbox_symbols_start_with_the_bytes_mark_checkboxes_looks_for() {
        let mut buf = [0u8; 4];
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if checkbox_marker(c).is_some() {
                let first = c.encode_utf8(&mut buf).as_bytes()[0];
                assert!(first == 0xE2 || first == 0xF0, "{c:?}");
            }
        }
    }

    #[test]
    fn contains_ignore_case_finds_any_case() {
        assert!(contains_ignore_case("input type=\"CheckBox\"", "checkbox"));
        assert!(contains_ignore_case("INPUT CHECKED", "checked"));
        assert!(!contains_ignore_case("input type=\"check\"", "checkbox"));
        assert!(!contains_ignore_case("c", "checkbox"));
        assert!(contains_ignore_case("xcheckbox", "checkbox"));
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
    fn cell_ruling_read_as_marks_is_trimmed() {
        for (read, want) in [
            ("“|医疗保障局本级", "医疗保障局本级"),
            ("|统计局本级", "统计局本级"),
            ("群众满意|", "群众满意"),
            ("丨 说题整改率 ｜", "说题整改率"),
            ("|", ""),
            // Quotes and bars that belong to the text stay.
            ("“十四五”规划", "“十四五”规划"),
            ("为“十四五”", "为“十四五”"),
            ("a|b", "a|b"),
        ] {
            assert_eq!(trim_rule_marks(read), want, "{read}");
            if read != want {
                assert!(may_have_rule_marks(read), "{read}");
            }
        }
    }

    #[test]
    fn cjk_brackets_fold_to_parentheses() {
        // As Tesseract reads `填报单位（盖章）：` on real scans.
        for read in [
            "填报单位〈盖章):",
            "填报单位《盖章）：",
            "填报单位【盖章】:",
        ] {
            assert_eq!(fold_key(read), "填报单位(盖章):", "{read}");
            assert_eq!(fold(read).key, "填报单位(盖章):", "{read}");
        }
        let c = "〈盖章〉 某局";
        let f = fold(c);
        let at = f.key.find('某').unwrap();
        assert_eq!(f.clean_from(c, at), "某局");
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

    /// The character-by-character definitions the run-copying
    /// [`collapse_whitespace`] and [`fold_key`] must agree with.
    fn collapse_reference(s: &str) -> String {
        let mut out = String::new();
        let (mut pending, mut prev_cjk) = (false, false);
        for c in s.chars() {
            if is_space(c) {
                pending = !out.is_empty();
                continue;
            }
            let c = halfwidth_alnum(c);
            let cjk = is_cjk(c);
            if pending && !(prev_cjk && cjk) {
                out.push(' ');
            }
            pending = false;
            out.push(c);
            prev_cjk = cjk;
        }
        out
    }

    fn fold_key_reference(s: &str) -> String {
        s.chars()
            .flat_map(|c| std::iter::once(c).nfkc().collect::<Vec<_>>())
            .filter(|&c| !is_space(c))
            .map(fold_char)
            .collect()
    }

    #[test]
    fn run_copying_agrees_with_the_reference_on_random_text() {
        // Characters from every branch: ASCII (spaces, capitals, VT), the
        // lead bytes that may change (C2, E1, E2, E3, EF), ideographs, 4-byte
        // characters, compatibility ideographs, dashes.
        let alphabet: Vec<char> = "aZ 9\t\u{b}\n.:（）：，、 \u{a0}\u{85}\u{1680}\u{2003}\u{200b}\u{2028}\u{3000}\u{feff}\
             ＡＺａｚ０９－–―─ 中国年度万元㐀\u{4dc0}\u{f900}\u{2f800}𠀀①☑☐é<>&;[]x■□√🗹"
            .chars()
            .collect();
        let mut rng = crate::Xorshift(0x2545_f491_4f6c_dd1du64);
        let mut plain = 0;
        for _ in 0..20_000 {
            let s = rng.text(&alphabet, 12, 5);
            assert_eq!(collapse_whitespace(&s), collapse_reference(&s), "{s:?}");
            // A text said to fold to itself does.
            let mut clean_text = String::new();
            if clean_into(&s, &mut clean_text) {
                assert_eq!(fold_key(&clean_text), clean_text, "{s:?}");
                plain += 1;
            }
            assert_eq!(fold_key(&s), fold_key_reference(&s), "{s:?}");
            let folded = fold(&s);
            assert_eq!(fold_key(&s), folded.key, "{s:?}");
            for (at, &want) in folded.map.iter().enumerate() {
                assert_eq!(clean_offset(&s, at), want, "{s:?} at {at}");
            }
            // The one-pass fast path of `clean` agrees with the full one.
            let full = collapse_whitespace(&mark_checkboxes(&decode_entities(&strip_tags(&s))));
            assert_eq!(clean(&s), full, "{s:?}");
        }
        assert!(plain > 100, "{plain}");
    }

    #[test]
    fn the_nfkc_fast_path_agrees_with_the_normalizer() {
        let mut checked = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if let Some(f) = nfkc_fast(c) {
                let slow: String = std::iter::once(c).nfkc().collect();
                assert_eq!(slow, f.to_string(), "U+{:04X}", c as u32);
                checked += 1;
            }
        }
        // ASCII, the ideographs, CJK and full-width punctuation, symbols.
        assert!(checked > 22_000, "{checked}");
    }

    #[test]
    fn enumerators() {
        assert_eq!(strip_enumerator("1. 重点案件办理"), "重点案件办理");
        assert_eq!(strip_enumerator("2、落实"), "落实");
        assert_eq!(strip_enumerator("(3)调研"), "调研");
        assert_eq!(strip_enumerator("一、总则"), "总则");
        assert_eq!(strip_enumerator("10.92万元"), "10.92万元");
        assert_eq!(strip_enumerator("24小时"), "24小时");
        // 1. as Tesseract prints it; the character alone is no number.
        assert_eq!(strip_enumerator("工.发放补助人数"), "发放补助人数");
        assert_eq!(strip_enumerator("工、资金拨付"), "资金拨付");
        assert_eq!(strip_enumerator("工作经费"), "工作经费");
        assert_eq!(strip_enumerator("l.发放"), "发放");
    }
}
