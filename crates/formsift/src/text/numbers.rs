//! Numbers: reading an amount from OCR'd text (units, padding, thousands
//! separators, letters confused with digits) and printing one as JSON does.

use super::normalize::fold_key;

/// Characters OCR prints for digits, and the digit meant.
const DIGIT_LOOKALIKES: &[(char, char)] = &[
    ('O', '0'),
    ('o', '0'),
    ('D', '0'),
    ('l', '1'),
    ('I', '1'),
    ('i', '1'),
    ('|', '1'),
    ('S', '5'),
    ('s', '5'),
    ('B', '8'),
    // Keys are folded (lower-cased) before repair.
    ('b', '8'),
    ('Z', '2'),
    ('z', '2'),
    ('G', '6'),
    ('g', '9'),
];

/// A numeric reading of a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum NumberRead {
    Blank,
    Clean(f64),
    /// Read after replacing look-alike letters by digits.
    Repaired(f64),
    Unparsed,
}

/// Reads a number from clean text: units (`万元`), spaces, NBSP padding and
/// thousands separators are dropped; look-alike letters become digits.
pub fn read_number(clean: &str, units: &[String]) -> NumberRead {
    // One buffer, cut and filtered in place.
    let mut key = fold_key(clean);
    if let Some(unit) = units.iter().find(|u| key.ends_with(u.as_str())) {
        key.truncate(key.len() - unit.len());
    }
    if key.contains(',') {
        key.retain(|c| c != ',');
    }
    if key.is_empty() {
        return NumberRead::Blank;
    }
    if let Some(n) = parse_plain(&key) {
        return NumberRead::Clean(n);
    }
    // Repair only when at least one real digit is there: a word is not a number.
    if !key.chars().any(|c| c.is_ascii_digit()) {
        return NumberRead::Unparsed;
    }
    let fixed: String = key
        .chars()
        .map(|c| {
            DIGIT_LOOKALIKES
                .iter()
                .find(|(l, _)| *l == c)
                .map(|(_, d)| *d)
                .unwrap_or(c)
        })
        .collect();
    match parse_plain(&fixed) {
        Some(n) => NumberRead::Repaired(n),
        None => NumberRead::Unparsed,
    }
}

fn parse_plain(s: &str) -> Option<f64> {
    let body = s.strip_prefix('-').unwrap_or(s);
    let mut parts = body.split('.');
    let int = parts.next()?;
    let frac = parts.next();
    if parts.next().is_some() || int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Some(f) = frac {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A number as JSON prints it (no `.0` for integers).
pub fn format_number(n: f64) -> String {
    if is_integer(n) {
        itoa::Buffer::new().format(n as i64).to_string()
    } else {
        format!("{n}")
    }
}

fn is_integer(n: f64) -> bool {
    n.fract() == 0.0 && n.abs() < 9.0e15
}

/// True when `text` folds to exactly how `n` prints ([`format_number`]):
/// the value is the text as written. Runs for every number of every form,
/// so the common case (plain ASCII digits, which fold to themselves, and
/// an integer) allocates nothing.
pub fn prints_as(text: &str, n: f64) -> bool {
    let plain = text.bytes().all(super::normalize::folds_to_itself_ascii);
    match (plain, is_integer(n)) {
        (true, true) => text == itoa::Buffer::new().format(n as i64),
        _ => fold_key(text) == format_number(n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_units_padding_and_confusions() {
        let units = vec!["万元".to_string(), "元".to_string()];
        assert_eq!(
            read_number(" 20 \u{a0} 万元", &units),
            NumberRead::Clean(20.0)
        );
        assert_eq!(read_number("万元", &units), NumberRead::Blank);
        assert_eq!(read_number("", &units), NumberRead::Blank);
        assert_eq!(read_number("1,234.5", &units), NumberRead::Clean(1234.5));
        assert_eq!(read_number("１３", &units), NumberRead::Clean(13.0));
        assert_eq!(read_number("1O", &units), NumberRead::Repaired(10.0));
        assert_eq!(read_number("2l.S", &units), NumberRead::Repaired(21.5));
        assert_eq!(read_number("8B8", &units), NumberRead::Repaired(888.0));
        assert_eq!(read_number("待定", &units), NumberRead::Unparsed);
        assert_eq!(read_number("OO", &units), NumberRead::Unparsed);
        assert_eq!(read_number("1.2.3", &units), NumberRead::Unparsed);
    }
}
