//! Typed values: turn the clean text found for a field into its value.

use crate::record::{Evidence, Repair, RepairKind, Value};
use crate::template::{Field, FieldType, Template};
use crate::text::normalize::{clean, fold_key, CHECKED, UNCHECKED};
use crate::text::numbers::{format_number, prints_as, read_number, NumberRead};
use crate::vocab::{OptionMatch, Vocabulary};
use regex::Regex;
use std::sync::OnceLock;

/// A field value read from text, before scoring.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub value: Value,
    pub evidence: Evidence,
    pub repairs: Vec<Repair>,
    /// True when the value is not literally the text (so `raw` is kept).
    pub changed: bool,
    /// Warnings as (kind, message).
    pub warnings: Vec<(String, String)>,
    /// Several boxes ticked in a single-choice group.
    pub ambiguous: bool,
}

impl Parsed {
    fn new(value: Value, evidence: Evidence) -> Self {
        Parsed {
            value,
            evidence,
            repairs: Vec::new(),
            changed: false,
            warnings: Vec::new(),
            ambiguous: false,
        }
    }
    fn blank() -> Self {
        Parsed::new(Value::Null, Evidence::Blank)
    }
    fn unparsed(field: &Field, text: &str, what: &str) -> Self {
        let mut p = Parsed::new(Value::Null, Evidence::Unparsed);
        p.changed = true;
        p.warnings.push((
            "unparsed_value".to_string(),
            format!("{}: cannot read {what} from: {text}", field.key),
        ));
        p
    }
}

/// Reads the field's value from its clean text.
pub fn parse(field: &Field, text: &str, template: &Template) -> Parsed {
    let text = text.trim();
    match field.kind {
        FieldType::Text => parse_text(field, text),
        FieldType::Number => parse_number(field, text, template),
        FieldType::Date => parse_date(field, text),
        FieldType::Choice | FieldType::Choices => parse_choice(field, text),
    }
}

fn parse_text(field: &Field, text: &str) -> Parsed {
    if text.is_empty() {
        return Parsed::blank();
    }
    match &field.split {
        None => Parsed::new(Value::Text(text.to_string()), Evidence::Found),
        Some((re, group)) => split_part(field, text, re.captures(text).and_then(|c| c.name(group))),
    }
}

/// The value of a field cut out of `text` (`part`: what its group matched).
fn split_part(field: &Field, text: &str, part: Option<regex::Match<'_>>) -> Parsed {
    match part {
        Some(m) if !m.as_str().trim().is_empty() => {
            let mut p = Parsed::new(Value::Text(m.as_str().trim().to_string()), Evidence::Found);
            p.changed = true;
            p.repairs.push(Repair::new(RepairKind::ValueSplit));
            p
        }
        _ => Parsed::unparsed(field, text, "its part"),
    }
}

/// [`parse`] for several fields read from one text (name and code printed
/// in one cell): the fields that cut their parts out with the same pattern
/// share one regex search instead of one each.
pub fn parse_many(fields: &[&Field], text: &str, template: &Template) -> Vec<Parsed> {
    let t = text.trim();
    let mut shared: Option<(&str, Option<regex::Captures<'_>>)> = None;
    fields
        .iter()
        .map(|f| match (&f.kind, &f.split) {
            (FieldType::Text, Some((re, group))) if !t.is_empty() => {
                if shared.as_ref().is_none_or(|(p, _)| *p != re.as_str()) {
                    shared = Some((re.as_str(), re.captures(t)));
                }
                let part = shared
                    .as_ref()
                    .and_then(|(_, c)| c.as_ref())
                    .and_then(|c| c.name(group));
                split_part(f, t, part)
            }
            _ => parse(f, text, template),
        })
        .collect()
}

fn parse_number(field: &Field, text: &str, template: &Template) -> Parsed {
    match read_number(text, &template.units) {
        NumberRead::Blank => {
            let mut p = Parsed::blank();
            p.changed = !text.is_empty();
            p
        }
        NumberRead::Clean(n) => {
            let mut p = Parsed::new(Value::Number(n), Evidence::Found);
            p.changed = !prints_as(text, n);
            p
        }
        NumberRead::Repaired(n) => {
            let mut p = Parsed::new(Value::Number(n), Evidence::Found);
            p.changed = true;
            p.repairs.push(Repair::change(
                RepairKind::DigitConfusion,
                text,
                &format_number(n),
            ));
            p
        }
        NumberRead::Unparsed => Parsed::unparsed(field, text, "a number"),
    }
}

fn date_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        // On a folded key, which holds no whitespace: `\s*` between the
        // parts would only make the automaton bigger.
        Regex::new(r"\d{4}[年./\-]\d{1,2}[月./\-]\d{1,2}").unwrap_or_else(|e| {
            // A constant pattern: failing here is a build defect caught by tests.
            panic!("date regex: {e}")
        })
    })
}

fn parse_date(field: &Field, text: &str) -> Parsed {
    if text.is_empty() {
        return Parsed::blank();
    }
    let key = fold_key(text);
    // The (fast, DFA) search finds where the date is; its three numbers are
    // the runs between the separators (which no digit contains), so no
    // capturing search is needed.
    let Some(m) = date_regex().find(&key) else {
        return Parsed::unparsed(field, text, "a date");
    };
    let mut parts = m
        .as_str()
        .split(['年', '月', '.', '/', '-'])
        .map(|p| p.parse::<u32>().ok());
    let mut num = || parts.next().flatten();
    match (num(), num(), num()) {
        (Some(y), Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d) => {
            let mut p = Parsed::new(
                Value::Text(format!("{y:04}-{m:02}-{d:02}")),
                Evidence::Found,
            );
            p.changed = true;
            p
        }
        _ => Parsed::unparsed(field, text, "a date"),
    }
}

/// A checkbox item: its state (`None` when no box was printed) and text.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxItem {
    pub checked: Option<bool>,
    pub text: String,
}

/// Characters OCR engines print for an empty box (☐ □ come back as 口, 囗,
/// Tesseract's 吕) and for a ticked one (☑ as 回, Tesseract's 国 and 图);
/// read as marks only right before an option.
const EMPTY_BOX_READINGS: &[char] = &['口', '囗', '吕'];
const TICKED_BOX_READINGS: &[char] = &['回', '国', '图'];

/// Splits clean text at the checkbox marks: the canonical ☑/☐ that
/// `normalize` makes of every printed style, and the characters OCR prints
/// for boxes when one stands right before one of `options`.
pub fn box_items(text: &str, options: &Vocabulary) -> Vec<BoxItem> {
    let mut items = Vec::new();
    // The item being read: its box, and where its text starts.
    let mut checked = None;
    let mut start = 0;
    let mut push = |checked: Option<bool>, part: &str| {
        if checked.is_some() || !part.trim().is_empty() {
            items.push(BoxItem {
                checked,
                text: clean(part),
            });
        }
    };
    for (i, c) in text.char_indices() {
        let mark = match c {
            CHECKED => Some(true),
            UNCHECKED => Some(false),
            _ if EMPTY_BOX_READINGS.contains(&c) => {
                starts_option(&text[i + c.len_utf8()..], options).then_some(false)
            }
            _ if TICKED_BOX_READINGS.contains(&c) => {
                starts_option(&text[i + c.len_utf8()..], options).then_some(true)
            }
            _ => None,
        };
        if let Some(ticked) = mark {
            push(checked, &text[start..i]);
            checked = Some(ticked);
            start = i + c.len_utf8();
        }
    }
    push(checked, &text[start..]);
    items
}

/// True when `rest` (after spaces) begins with the first two characters of
/// an option.
fn starts_option(rest: &str, options: &Vocabulary) -> bool {
    let key = fold_key(rest.trim_start());
    let mut head = key.chars();
    let two: String = head.by_ref().take(2).collect();
    two.chars().count() == 2 && options.iter().any(|o| o.key.starts_with(&two))
}

/// Splits items that print several options with no mark between them
/// (`新增项目延续项目`: the OCR lost the boxes): each option after the first
/// becomes an item of its own with no box read.
fn split_unmarked(items: Vec<BoxItem>, options: &Vocabulary) -> Vec<BoxItem> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let key = fold_key(&item.text);
        let starts = option_starts(&key, options);
        if starts.len() < 2 {
            out.push(item);
            continue;
        }
        for (k, &at) in starts.iter().enumerate() {
            let end = starts.get(k + 1).copied().unwrap_or(key.len());
            out.push(BoxItem {
                checked: if k == 0 { item.checked } else { None },
                text: key[at..end].to_string(),
            });
        }
    }
    out
}

/// Byte offsets in `key` where an option is printed whole, left to right,
/// not overlapping. What comes before the first is an option of its own
/// when it reads as one with confusions (`新增项日` before `延续项目`),
/// else it belongs to the first (the first starts at 0).
fn option_starts(key: &str, options: &Vocabulary) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut at = 0;
    while at < key.len() {
        match options.word_at_start(&key[at..]) {
            Some((_, len)) => {
                starts.push(at);
                at += len;
            }
            None => at += key[at..].chars().next().map_or(1, char::len_utf8),
        }
    }
    if let Some(first) = starts.first_mut() {
        let head = &key[..*first];
        let confused = matches!(options.option(head), OptionMatch::Repaired(_));
        if confused && head.chars().count() >= 2 {
            starts.insert(0, 0);
        } else {
            *first = 0;
        }
    }
    starts
}

fn parse_choice(field: &Field, text: &str) -> Parsed {
    if text.is_empty() {
        return Parsed::blank();
    }
    let items = split_unmarked(box_items(text, &field.options), &field.options);
    let any_box = items.iter().any(|i| i.checked.is_some());
    let mut ticks = Ticks::default();
    for item in &items {
        ticks.read(field, item, any_box);
    }
    let mut p = ticks.value(field, text, any_box);
    p.changed = true;
    p
}

/// The options of a choice group by what their boxes show.
#[derive(Default)]
struct Ticks {
    /// Ticked (or, with no box printed anywhere, listed) options.
    chosen: Vec<String>,
    /// Options whose box was not read (no mark before them while other
    /// options have one: the OCR dropped it).
    unread: Vec<String>,
    /// Options read as not ticked.
    empty: usize,
    repairs: Vec<Repair>,
    warnings: Vec<(String, String)>,
}

impl Ticks {
    fn read(&mut self, field: &Field, item: &BoxItem, any_box: bool) {
        let option = match field.options.option(&fold_key(&item.text)) {
            OptionMatch::Exact(i) => Some((i, false)),
            OptionMatch::Repaired(i) => Some((i, true)),
            OptionMatch::Ambiguous | OptionMatch::None => None,
        };
        let state = if any_box { item.checked } else { Some(true) };
        let Some((i, repaired)) = option else {
            // Text that is no option only matters where it was ticked.
            if state == Some(true) {
                self.warnings.push(unknown_option(field, &item.text));
            }
            return;
        };
        let name = &field.options[i].text;
        match state {
            Some(true) => {
                if repaired {
                    let r = Repair::change(RepairKind::LabelTruncated, &item.text, name);
                    self.repairs.push(r);
                }
                push_unique(&mut self.chosen, name);
            }
            Some(false) => self.empty += 1,
            None => push_unique(&mut self.unread, name),
        }
    }

    /// The field's value. A group whose ticks cannot be told apart — no
    /// tick read, a box not read, several ticks in a single choice — gets
    /// its likeliest reading flagged ambiguous (confidence capped for
    /// review), never a confident guess. An option printed with no box
    /// while others show theirs is likelier ticked than not: OCR reads an
    /// empty box as 口 reliably and drops the tick more often.
    fn value(mut self, field: &Field, text: &str, any_box: bool) -> Parsed {
        let unread = std::mem::take(&mut self.unread);
        let mut p = match field.kind {
            FieldType::Choices => {
                let mut all = self.chosen.clone();
                for u in &unread {
                    push_unique(&mut all, u);
                }
                // Every option in the order printed.
                all.sort_by_key(|o| field.options.iter().position(|w| &*w.text == o));
                let mut p = Parsed::new(Value::List(all), Evidence::Found);
                if !unread.is_empty() || (any_box && self.chosen.is_empty()) {
                    p.ambiguous = true;
                    p.warnings.push(unreadable(field, &unread));
                }
                p
            }
            _ => self.single(field, text, any_box, &unread),
        };
        p.repairs.extend(self.repairs);
        p.warnings.extend(self.warnings);
        p
    }

    fn single(&mut self, field: &Field, text: &str, any_box: bool, unread: &[String]) -> Parsed {
        match (self.chosen.len(), unread) {
            (1, []) => Parsed::new(Value::Text(self.chosen.remove(0)), Evidence::Found),
            // A tick read, and an option whose box was not: the tick
            // stands, for review.
            (1, _) => {
                let mut p = Parsed::new(Value::Text(self.chosen.remove(0)), Evidence::Found);
                p.ambiguous = true;
                p.warnings.push(unreadable(field, unread));
                p
            }
            // The one box not read: the tick the OCR dropped. Among boxes
            // read empty it is not for review (OCR reads an empty box as 口
            // reliably; on the OCR corpus's tune split this reading was
            // right 366 times of 366, both engines).
            (0, [one]) => {
                let mut p = Parsed::new(Value::Text(one.clone()), Evidence::Found);
                p.repairs.push(Repair::new(RepairKind::InferredFromContext));
                if self.empty == 0 {
                    p.ambiguous = true;
                    p.warnings.push(unreadable(field, unread));
                }
                p
            }
            // Every box read empty (a tick read as an empty box?), or boxes
            // before text that is no option: blank, for review.
            (0, []) if any_box && self.warnings.is_empty() => {
                let mut p = Parsed::blank();
                p.ambiguous = true;
                p.warnings.push(unreadable(field, unread));
                p
            }
            (0, _) if unread.is_empty() => Parsed::unparsed(field, text, "a ticked option"),
            (0, _) => {
                let mut p = Parsed::blank();
                p.ambiguous = true;
                p.warnings.push(unreadable(field, unread));
                p
            }
            // Several ticks in a single choice: no guess.
            _ => {
                let mut p = Parsed::blank();
                p.ambiguous = true;
                let all = self.chosen.iter().chain(unread).cloned();
                p.warnings.push((
                    "several_ticked".to_string(),
                    format!(
                        "{}: several boxes ticked in a single-choice group: {}",
                        field.key,
                        all.collect::<Vec<_>>().join(", ")
                    ),
                ));
                p
            }
        }
    }
}

fn unknown_option(field: &Field, text: &str) -> (String, String) {
    let shown = if text.is_empty() { "(empty)" } else { text };
    (
        "unknown_option".to_string(),
        format!("{}: ticked text is no single option: {shown}", field.key),
    )
}

fn unreadable(field: &Field, unread: &[String]) -> (String, String) {
    let message = if unread.is_empty() {
        format!("{}: no box read as ticked", field.key)
    } else {
        format!("{}: box not read for: {}", field.key, unread.join(", "))
    };
    ("ticks_unreadable".to_string(), message)
}

fn push_unique(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field<'a>(t: &'a Template, key: &str) -> &'a Field {
        &t.fields[t.field_index(key).unwrap()]
    }

    #[test]
    fn boxes_as_ocr_prints_them() {
        let t = Template::builtin();
        let ty = field(&t, "project_type");
        // √ kept, the empty box read as 口.
        let p = parse(ty, "☑新增项目口延续项目", &t);
        assert_eq!(
            (p.value, p.ambiguous),
            (Value::Text("新增项目".into()), false)
        );
        // The ticked box read as 回.
        let p = parse(field(&t, "project_term"), "回一次性口经常性", &t);
        assert_eq!(
            (p.value, p.ambiguous),
            (Value::Text("一次性".into()), false)
        );
        // The tick dropped: the one option without a box while the other
        // box reads empty is the ticked one (inferred, not for review).
        let p = parse(ty, "新增项目口延续项目", &t);
        assert_eq!(
            (p.value, p.ambiguous),
            (Value::Text("新增项目".into()), false)
        );
        assert!(p.warnings.is_empty());
        assert_eq!(p.repairs[0].kind, RepairKind::InferredFromContext);
        // Tesseract's readings: 国 or 图 for a ticked box, 吕 for an empty one.
        let p = parse(ty, "吕新增项目国延续项目", &t);
        assert_eq!(
            (p.value, p.ambiguous),
            (Value::Text("延续项目".into()), false)
        );
        let p = parse(
            field(&t, "basis"),
            "口法律法规图市委市政府决定口上级文件要求",
            &t,
        );
        assert_eq!(p.value, Value::List(vec!["市委市政府决定".into()]));
        // 国 starting an option's own text is no box.
        let p = parse(field(&t, "declaring_unit"), "国家税务总局某市税务局", &t);
        assert_eq!(p.value, Value::Text("国家税务总局某市税务局".into()));
        // Every box read empty: no guess.
        let p = parse(ty, "口新增项目口延续项目", &t);
        assert_eq!((p.value, p.ambiguous), (Value::Null, true));
        // A multiple choice with a box not read: the option counts as
        // ticked (a dropped tick is likelier than a dropped empty box),
        // flagged.
        let p = parse(
            field(&t, "basis"),
            "法律法规☑市委市政府决定口上级文件要求",
            &t,
        );
        let want = vec!["法律法规".to_string(), "市委市政府决定".to_string()];
        assert_eq!((p.value, p.ambiguous), (Value::List(want), true));
        // Every box lost: two options, no mark between them — no guess.
        let p = parse(ty, "新增项目延续项目", &t);
        assert_eq!((p.value, p.ambiguous), (Value::Null, true));
        // One tick read, the other box lost: the tick stands, flagged.
        let p = parse(ty, "新增项目☑延续项目", &t);
        assert_eq!(
            (p.value, p.ambiguous),
            (Value::Text("延续项目".into()), true)
        );
        // The option after the empty box printed with a confusion (目 read
        // 日), the tick before the next one dropped: still inferred.
        let p = parse(ty, "口新增项日延续项目", &t);
        assert_eq!(
            (p.value, p.ambiguous),
            (Value::Text("延续项目".into()), false)
        );
        // A box before text that is no option, nothing ticked: no
        // confident blank.
        let p = parse(ty, "口新增某某延续项目", &t);
        assert!(p.ambiguous, "{:?}", p.value);
        // 口 inside a word is no box.
        let p = parse(field(&t, "declaring_unit"), "人口和计划生育委员会", &t);
        assert_eq!(p.value, Value::Text("人口和计划生育委员会".into()));
    }

    #[test]
    fn single_and_multiple_choice() {
        let t = Template::builtin();
        let p = parse(field(&t, "project_type"), "☐ 新增项目 ☑ 延续项目", &t);
        assert_eq!(p.value, Value::Text("延续项目".into()));
        let p = parse(
            field(&t, "basis"),
            "☐ 法律法规 ☑ 市委市政府决定 ☑ 上级文件要求 ☐ 市委市政府",
            &t,
        );
        assert_eq!(
            p.value,
            Value::List(vec!["市委市政府决定".into(), "上级文件要求".into()])
        );
        assert!(p.warnings.is_empty());
        let p = parse(field(&t, "project_term"), "☑ 一次性 ☑ 经常性", &t);
        assert!(p.ambiguous);
        let p = parse(field(&t, "project_term"), "☐ 一次性 ☐ 经常性", &t);
        assert_eq!(p.value, Value::Null);
        assert_eq!(p.evidence, Evidence::Blank);
        let p = parse(field(&t, "project_term"), "经常性", &t);
        assert_eq!(p.value, Value::Text("经常性".into()));
    }

    #[test]
    fn split_name_and_code() {
        let t = Template::builtin();
        let p = parse(field(&t, "budget_unit_name"), "某某局机关201001", &t);
        assert_eq!(p.value, Value::Text("某某局机关".into()));
        let p = parse(field(&t, "budget_unit_code"), "某某局机关 201001", &t);
        assert_eq!(p.value, Value::Text("201001".into()));
        assert_eq!(p.repairs[0].kind, RepairKind::ValueSplit);
        let p = parse(field(&t, "budget_unit_code"), "某某局机关", &t);
        assert_eq!(p.value, Value::Null);
        assert_eq!(p.evidence, Evidence::Unparsed);
    }

    #[test]
    fn numbers_and_blank_amounts() {
        let t = Template::builtin();
        let f = field(&t, "annual_total");
        assert_eq!(parse(f, "8 万元", &t).value, Value::Number(8.0));
        let p = parse(f, "万元", &t);
        assert_eq!((p.value, p.evidence), (Value::Null, Evidence::Blank));
        let p = parse(f, "1O.5", &t);
        assert_eq!(p.value, Value::Number(10.5));
        assert_eq!(p.repairs[0].kind, RepairKind::DigitConfusion);
        assert_eq!(parse(f, "见附件", &t).evidence, Evidence::Unparsed);
    }

    #[test]
    fn parse_many_equals_parse_field_by_field() {
        let t = Template::builtin();
        let fields = [
            field(&t, "budget_unit_name"),
            field(&t, "budget_unit_code"),
            field(&t, "project_name"),
            field(&t, "budget_unit_code"),
        ];
        for text in [
            "某某局机关204017",
            "  某某局 204017 ",
            "某某局",
            "",
            "204017",
            "1. 办结",
            "某某县交通局٣٠١٠٠٢",
        ] {
            let many = parse_many(&fields, text, &t);
            let one: Vec<Parsed> = fields.iter().map(|f| parse(f, text, &t)).collect();
            assert_eq!(many, one, "{text:?}");
        }
        // A code in other decimal digits is still cut off the name.
        let name = parse(field(&t, "budget_unit_name"), "某某县交通局٣٠١٠٠٢", &t);
        assert_eq!(name.value, Value::Text("某某县交通局".into()));
    }

    #[test]
    fn dates() {
        let t = Template::builtin();
        let f = field(&t, "declared_on");
        assert_eq!(
            parse(f, "2019年2月22日", &t).value,
            Value::Text("2019-02-22".into())
        );
        assert_eq!(
            parse(f, "2019-2-3", &t).value,
            Value::Text("2019-02-03".into())
        );
        assert_eq!(parse(f, "2019年13月22日", &t).evidence, Evidence::Unparsed);
        assert_eq!(
            parse(f, "2019.12.1至2020/1/31", &t).value,
            Value::Text("2019-12-01".into())
        );
        assert_eq!(parse(f, "2019年0月5日", &t).evidence, Evidence::Unparsed);
        // `\d` is any decimal digit: a date in other digits is found (and,
        // not being readable as a number, is unparsed), not skipped.
        assert_eq!(
            parse(f, "٢٠١٩年1月1日，2020年2月3日", &t).evidence,
            Evidence::Unparsed
        );
        // Full-width digits and spaces, as OCR prints them.
        assert_eq!(
            parse(f, "申报日期：２０１９ 年\u{3000}2 月 22 日", &t).value,
            Value::Text("2019-02-22".into())
        );
    }
}
