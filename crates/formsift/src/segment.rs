//! Segment: split a document into forms.
//!
//! A form starts at its title line (a short line holding one of the
//! template's title markers, with or without `#` heading marks) and runs to
//! the line before the next title. Lines before the first title belong to the
//! first form, so stray OCR lines end up in some form's `unmapped` instead of
//! vanishing. A document with no title but with a table that prints the
//! template's labels is one untitled form.

use crate::fast::search::contains_char;
use crate::table::sniff::{first_cells, is_table_markup};
use crate::template::Template;
use crate::text::lines::Line;
use crate::text::normalize::{clean, fold_key, is_ideograph, is_space};

/// One form's share of the document.
#[derive(Debug, Clone)]
pub struct Form<'a> {
    /// Position of the form in its file, from 0.
    pub index: usize,
    pub lines: Vec<Line<'a>>,
    /// Position in `lines` of the title line, if the form has one.
    pub title: Option<usize>,
    /// The title line's clean text (empty without a title): found while
    /// segmenting, kept so extraction does not clean the line again.
    pub title_text: String,
}

impl Form<'_> {
    /// First and last non-blank line numbers.
    pub fn line_range(&self) -> (usize, usize) {
        let nonblank = |l: &&Line| !l.text.trim().is_empty();
        let first = self.lines.iter().find(nonblank).map(|l| l.no);
        let last = self.lines.iter().rev().find(nonblank).map(|l| l.no);
        (first.unwrap_or(0), last.unwrap_or(0))
    }
}

/// The title text of a line, if the line is a form title.
pub fn title_text(line: &str, template: &Template) -> Option<String> {
    // Called on every line of every document: the cheap byte tests first.
    if line.bytes().all(|b| b.is_ascii_whitespace())
        || memchr::memchr2(b'\t', b'|', line.as_bytes()).is_some()
        || (line.contains('<') && is_table_markup(line))
    {
        return None;
    }
    if surely_no_marker(line, template) {
        return None;
    }
    marked_title(line, template)
}

/// [`title_text`] past its cheap tests: the line cleaned, folded and
/// searched for a marker.
fn marked_title(line: &str, template: &Template) -> Option<String> {
    let body = line.trim_start().trim_start_matches('#');
    let cleaned = clean(body);
    let key = fold_key(&cleaned);
    if key.is_empty() || key.chars().count() > template.max_title_chars {
        return None;
    }
    template
        .title_markers
        .iter()
        .any(|m| key.contains(m.as_str()))
        .then_some(cleaned)
}

/// True when the line cannot hold a title marker, told without cleaning and
/// folding it: every marker ends in an ideograph the line does not print,
/// and every character of the line folds to itself or to ASCII (so no
/// entity, compatibility ideograph or radical could fold into one).
fn surely_no_marker(line: &str, template: &Template) -> bool {
    let lasts = || template.title_markers.iter().map(|m| m.chars().next_back());
    if !lasts().all(|c| c.is_some_and(is_ideograph)) {
        return false;
    }
    all_fold_plainly(line) && !lasts().flatten().any(|c| contains_char(line, c))
}

/// `line.chars().all(folds_plainly)`, read off the bytes where it can: ASCII
/// and the ideographs U+4E00–U+9FFF (lead bytes E4 B8.. to E9) need no
/// decoding. Runs for every line outside a table.
fn all_fold_plainly(line: &str) -> bool {
    let bytes = line.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b < 0x80 {
            if b == b'&' {
                return false;
            }
            i += 1;
        } else if (0xE5..=0xE9).contains(&b)
            || (b == 0xE4 && bytes.get(i + 1).is_some_and(|&n| n >= 0xB8))
        {
            i += 3;
        } else {
            let Some(c) = line.get(i..).and_then(|rest| rest.chars().next()) else {
                return false;
            };
            if !folds_plainly(c) {
                return false;
            }
            i += c.len_utf8();
        }
    }
    true
}

/// True for a character that cleaning and folding turn into itself, into
/// ASCII or into nothing (never into another ideograph): ASCII but `&` (an
/// entity may encode anything), whitespace (NBSP pads OCR'd numbers; a key
/// holds no space), CJK punctuation but 〶 and 〸〹〺 (NFKC: 〒, 十卄卅),
/// the unified ideographs, full-width ASCII.
fn folds_plainly(c: char) -> bool {
    (c.is_ascii() && c != '&')
        || is_space(c)
        || matches!(c as u32,
            0x3000..=0x3035 | 0x3037 | 0x303B..=0x303F | 0x4E00..=0x9FFF | 0xFF01..=0xFF5E)
}

/// Splits the document's lines into forms. Returns no form when there is no
/// title and no line that prints a template label in a table row.
pub fn segment<'a>(lines: &[Line<'a>], template: &Template) -> Vec<Form<'a>> {
    let mut starts: Vec<(usize, String)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| title_text(l.text, template).map(|t| (i, t)))
        .collect();
    if starts.is_empty() {
        return if looks_like_form(lines, template) {
            vec![Form {
                index: 0,
                lines: lines.to_vec(),
                title: None,
                title_text: String::new(),
            }]
        } else {
            Vec::new()
        };
    }
    let mut forms = Vec::with_capacity(starts.len());
    for k in 0..starts.len() {
        let s = starts[k].0;
        let from = if k == 0 { 0 } else { s };
        let to = starts.get(k + 1).map(|n| n.0).unwrap_or(lines.len());
        forms.push(Form {
            index: k,
            lines: lines[from..to].to_vec(),
            title: Some(s - from),
            title_text: std::mem::take(&mut starts[k].1),
        });
    }
    forms
}

/// True when at least two table rows (of any rendering) start with a
/// template label: printed exactly, or a label of four characters or more
/// printed with confusions (a heavy scan garbles the title and the labels
/// alike: `预卫单信及代码`).
fn looks_like_form(lines: &[Line<'_>], template: &Template) -> bool {
    let is_label = |first: &&str| {
        let key = fold_key(&clean(first));
        template.labels.exact(&key).is_some()
            || template.labels.best(&key).is_some_and(|m| {
                m.quality == crate::vocab::MatchQuality::Confused
                    && template.labels[m.word].chars.len() >= 4
            })
    };
    let hits = lines
        .iter()
        .flat_map(|l| first_cells(l.text))
        .filter(is_label)
        .take(2)
        .count();
    hits >= 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines::split_lines;

    #[test]
    fn the_byte_walk_equals_the_character_walk() {
        // Every branch: ASCII, `&`, ideographs either side of U+4E00 (lead
        // byte E4), CJK punctuation in and out of the set, full-width, others.
        let alphabet: Vec<char> = "a &\t中丁一㐀\u{4dc0}\u{4dff}、〶〸　（Ａé☑𠀀\u{a0}\u{2003}"
            .chars()
            .collect();
        let mut rng = crate::Xorshift(0x9e37_79b9_7f4a_7c15u64);
        for _ in 0..20_000 {
            let s = rng.text(&alphabet, 9, 6);
            assert_eq!(all_fold_plainly(&s), s.chars().all(folds_plainly), "{s:?}");
            for c in ['中', 'a', '表', '𠀀', '\u{a0}'] {
                assert_eq!(contains_char(&s, c), s.contains(c), "{s:?} {c:?}");
            }
        }
    }

    #[test]
    fn the_marker_prefilter_never_rejects_a_title() {
        let t = Template::builtin();
        let mut lines: Vec<String> = Vec::new();
        for f in std::fs::read_dir(crate::repo_path("samples")).unwrap() {
            let p = f.unwrap().path();
            if let Ok(text) = std::fs::read_to_string(&p) {
                lines.extend(text.lines().map(str::to_string));
            }
        }
        for extra in [
            "# 巴中市市级部门预算项目支出绩效目标&#34920;",
            "巴中市市级部门预算项目支出绩效目标⾯",
            "巴中市市级部门预算项目支出绩效目标\u{f900}",
            "单位：万元",
            "绩效目标表",
            "ＡＢ 绩 效 目 标 表",
        ] {
            lines.push(extra.to_string());
        }
        assert!(lines.len() > 100);
        for l in &lines {
            if surely_no_marker(l, &t) {
                assert_eq!(marked_title(l, &t), None, "{l}");
            }
        }
        // A template whose marker ends in 十, and lines printing it through
        // characters that fold to it (〸 U+3038, ⼗ U+2F17).
        let ten = Template::from_toml(
            "id = \"t\"\nname = \"t\"\n[segment]\ntitle_markers = [\"统计十\"]\n\
             [[field]]\nkey = \"title\"\ntype = \"text\"\nsource = \"title\"\n",
            std::path::Path::new("ten.toml"),
        )
        .unwrap();
        for l in ["某县统计〸", "某县统计⼗", "某县统计十"] {
            assert!(!surely_no_marker(l, &ten), "{l}");
            assert!(title_text(l, &ten).is_some(), "{l}");
        }
        // Every character the prefilter takes for plain folds to itself or
        // to ASCII, so it cannot hide an ideograph of a marker.
        for c in (0x20u32..0x80)
            .chain(0x3000..0x3040)
            .chain(0x4E00..0xA000)
            .chain(0xFF01..0xFF5F)
            .filter_map(char::from_u32)
        {
            let line = c.to_string();
            if folds_plainly(c) {
                let key = fold_key(&clean(&line));
                assert!(
                    key == fold_key(&line) && (key.is_ascii() || key == line),
                    "U+{:04X}",
                    c as u32
                );
            }
        }
    }

    #[test]
    fn titles_with_or_without_heading_marks() {
        let t = Template::builtin();
        assert!(title_text("## 巴中市市级部门预算项目支出绩效目标表", &t).is_some());
        assert!(title_text("某某县县级部门预算项目支出绩效目标表", &t).is_some());
        assert!(title_text("<b>巴中市市级部门预算项目支出绩效目标表</b>", &t).is_some());
        assert!(title_text("项目名称\t\t项目支出绩效目标表", &t).is_none());
        assert!(title_text("第 3 页", &t).is_none());
        // Spaces of any kind fold to nothing: the marker is still found.
        assert!(title_text("项目支出绩效\u{a0}目标表", &t).is_some());
        assert!(title_text("单位：\u{a0}万元", &t).is_none());
        assert!(title_text("<tr><td colspan=\"8\">项目支出绩效目标表</td></tr>", &t).is_none());
        assert!(title_text("<h2>项目支出绩效目标表</h2>", &t).is_some());
        assert!(title_text("<thead>项目支出绩效目标表", &t).is_some());
        assert!(title_text("<title>项目支出绩效目标表</title>", &t).is_none());
        assert!(title_text("<caption>项目支出绩效目标表</caption>", &t).is_none());
    }

    #[test]
    fn forms_split_at_titles_and_preamble_goes_to_first() {
        let t = Template::builtin();
        let text = "第 1 页\n# 项目支出绩效目标表\na\n# 项目支出绩效目标表\nb\n";
        let lines = split_lines(text);
        let forms = segment(&lines, &t);
        assert_eq!(forms.len(), 2);
        assert_eq!(forms[0].lines.len(), 3);
        assert_eq!(forms[0].title, Some(1));
        assert_eq!(forms[1].line_range(), (4, 5));
        assert_eq!(forms[1].index, 1);
    }

    #[test]
    fn no_title_no_table_is_no_form() {
        let t = Template::builtin();
        let lines = split_lines("just some text\nand more\n");
        assert!(segment(&lines, &t).is_empty());
    }

    #[test]
    fn untitled_table_with_garbled_labels_is_one_form() {
        let t = Template::builtin();
        // The title unreadable, the labels read with confusions.
        let src = "洛阳市市级部门预算项上支出绩效目\n\t立项然据\t某局\n\t项目马性\t新增项目\n";
        let lines = split_lines(src);
        assert_eq!(segment(&lines, &t).len(), 1);
        // Two cells that merely share characters with labels are no form.
        let src = "\t预算\t1\n\t名称\t2\n";
        assert!(segment(&split_lines(src), &t).is_empty());
    }

    #[test]
    fn untitled_table_is_one_form() {
        let t = Template::builtin();
        let lines = split_lines("项目名称\t\tX\n项目属性\t\tY\n");
        assert_eq!(segment(&lines, &t).len(), 1);
    }

    #[test]
    fn untitled_tables_in_every_rendering_are_forms() {
        let t = Template::builtin();
        for doc in [
            "| 项目名称 | X |\n|---|---|\n| 项目属性 | Y |\n",
            "<table>\n<tr><td colspan=\"2\">项目名称</td><td>X</td></tr>\n<tr><th>项目属性<td>Y\n</table>\n",
            "项目名称    X\n项目属性\u{3000}Y\n",
        ] {
            let lines = split_lines(doc);
            assert_eq!(segment(&lines, &t).len(), 1, "{doc}");
        }
        // One label row is not a form; nor is prose.
        let lines = split_lines("| 项目名称 | X |\n|---|---|\n| 备注 | Y |\n");
        assert!(segment(&lines, &t).is_empty());
    }

    #[test]
    fn an_untitled_one_line_html_table_is_a_form() {
        let t = Template::builtin();
        let lines = split_lines(
            "<html><body><table><tr><td>项目名称</td><td>X</td></tr><tr><td>项目属性<td>Y</table></body></html>",
        );
        assert_eq!(segment(&lines, &t).len(), 1);
    }
}
