//! Builder for GFM pipe tables (`| a | b |` with a `|---|` delimiter row),
//! parsed with pulldown-cmark's tables extension.
//!
//! pulldown-cmark finds the table, its rows and each cell's source range
//! (escaped `\|`, code spans and inline HTML handled as GFM says). The
//! builder then reads each cell's printed text from the source, so `<br>`
//! and checkbox `<input>`s reach [`crate::text::normalize::clean`] as printed.
//! Merged cells arrive as empty cells: as in tab-flattened rows, a run of
//! empty cells after a cell is its span. Ragged rows keep their own width:
//! the cells GFM pads a short row with are not counted, and the cells past
//! the header's width (which GFM drops) are read back from the line, so no
//! text is lost. Rows printed without the delimiter row get one added.

use super::{row_from_columns, sniff, Builder, Format, Grid, Layout};
use crate::text::lines::Line;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;

/// The GFM pipe table builder.
pub struct Pipe;

impl Builder for Pipe {
    fn starts(&self, lines: &[Line<'_>], i: usize, skip: Option<usize>) -> bool {
        sniff::is_pipe_start(lines, i, skip)
    }

    fn build(
        &self,
        lines: &[Line<'_>],
        start: usize,
        skip: Option<usize>,
        out: &mut Layout,
    ) -> Option<usize> {
        build(lines, start, skip, out)
    }
}

/// Reads the pipe table starting at `start` (its header row) and pushes its
/// grid to `out`. Returns the index of the first line after the table, or
/// `None` when pulldown-cmark finds no table there. A table printed without
/// its delimiter row gets one (as wide as the header) before parsing.
fn build(lines: &[Line<'_>], start: usize, skip: Option<usize>, out: &mut Layout) -> Option<usize> {
    let has_delimiter = (lines.get(start + 1)).is_some_and(|l| sniff::is_pipe_delimiter(l.text));
    let mut end = start + 1;
    while end < lines.len()
        && ((has_delimiter && end == start + 1)
            || (Some(end) != skip && lines[end].text.contains('|')))
    {
        end += 1;
    }
    let (text, starts) = source_text(&lines[start..end], start, has_delimiter);
    // Entry of `starts` for the line holding a byte offset.
    let line_index = |offset: usize| {
        starts
            .partition_point(|&(o, _)| o <= offset)
            .saturating_sub(1)
    };
    let rows = cell_ranges(&text);
    let mut grid = Grid {
        format: Format::Markdown,
        rows: Vec::new(),
    };
    let mut last = None;
    for cells in &rows {
        let Some(first) = cells.first() else { continue };
        let li = line_index(first.start);
        let Some(Some(index)) = starts.get(li).map(|&(_, i)| i) else {
            continue;
        };
        let line_end = starts
            .get(li + 1)
            .map(|&(o, _)| o - 1)
            .unwrap_or(text.len());
        // Cells GFM added to pad a short row start past the line's end.
        let real: Vec<&Range<usize>> = cells.iter().filter(|r| r.start < line_end).collect();
        let mut raws: Vec<String> = real
            .iter()
            .map(|r| unescape(text.get(r.start..r.end.min(line_end)).unwrap_or("")))
            .collect();
        // Cells past the header's width, which GFM drops.
        let tail_from = real.last().map(|r| r.end.min(line_end)).unwrap_or(line_end);
        raws.extend(excess_cells(text.get(tail_from..line_end).unwrap_or("")));
        let row = row_from_columns(raws.iter().map(String::as_str), lines[index].no);
        last = Some(index);
        if !row.cells.is_empty() {
            grid.rows.push(row);
        }
    }
    let last = last?;
    if !grid.rows.is_empty() {
        out.grids.push(grid);
    }
    Some(last + 1)
}

/// The table's lines joined for the parser (a delimiter row added after
/// the header when the source has none), with each line's byte offset and
/// its index in the form's lines (`None` for the added delimiter row).
fn source_text(
    lines: &[Line<'_>],
    start: usize,
    has_delimiter: bool,
) -> (String, Vec<(usize, Option<usize>)>) {
    let mut text = String::new();
    let mut starts: Vec<(usize, Option<usize>)> = Vec::with_capacity(lines.len() + 1);
    for (k, l) in lines.iter().enumerate() {
        starts.push((text.len(), Some(start + k)));
        text.push_str(l.text);
        text.push('\n');
        if k == 0 && !has_delimiter {
            starts.push((text.len(), None));
            let n = excess_cells(l.text).len().max(1);
            text.push_str(&"|---".repeat(n));
            text.push_str("|\n");
        }
    }
    (text, starts)
}

/// The source range of every cell of the first table pulldown-cmark finds
/// in `text`, row by row (the header row first).
fn cell_ranges(text: &str) -> Vec<Vec<Range<usize>>> {
    let mut rows: Vec<Vec<Range<usize>>> = Vec::new();
    let mut in_table = false;
    for (event, range) in Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter() {
        match event {
            Event::Start(Tag::Table(_)) if rows.is_empty() => in_table = true,
            Event::End(TagEnd::Table) if in_table => break,
            Event::Start(Tag::TableHead | Tag::TableRow) if in_table => rows.push(Vec::new()),
            Event::Start(Tag::TableCell) if in_table => {
                if let Some(r) = rows.last_mut() {
                    r.push(range);
                }
            }
            _ => {}
        }
    }
    rows
}

/// A cell's printed text: trimmed, a leading `|` dropped, `\|` unescaped.
fn unescape(raw: &str) -> String {
    raw.trim()
        .trim_start_matches('|')
        .trim()
        .replace("\\|", "|")
}

/// Splits what follows the last cell GFM kept (`| x | y |`) into cells, at
/// unescaped pipes; the empty piece after a closing pipe is no cell.
fn excess_cells(rest: &str) -> Vec<String> {
    let rest = rest.trim();
    let rest = rest.strip_prefix('|').unwrap_or(rest);
    if rest.trim().is_empty() {
        return Vec::new();
    }
    let mut cells = Vec::new();
    let mut cur = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cur.push('|');
                chars.next();
            }
            '|' => cells.push(std::mem::take(&mut cur).trim().to_string()),
            c => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        cells.push(cur.trim().to_string());
    }
    cells
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines::split_lines;

    fn read(src: &str) -> (Layout, usize) {
        let lines = split_lines(src);
        assert!(sniff::is_pipe_start(&lines, 0, None));
        let mut out = Layout::default();
        let next = build(&lines, 0, None, &mut out).unwrap_or(0);
        (out, next)
    }

    fn cells(l: &Layout) -> Vec<(usize, usize, usize, &str)> {
        l.grids[0]
            .rows
            .iter()
            .flat_map(|r| r.cells.iter())
            .map(|c| (c.line, c.col, c.span, c.text()))
            .collect()
    }

    #[test]
    fn empty_cells_are_spans_and_rows_keep_their_lines() {
        let (l, next) =
            read("| 项目名称 |  | 经费 |  |\n|---|---|---|---|\n|  | 属性 |  | x |\n\nafter\n");
        assert_eq!(next, 3);
        assert_eq!(l.grids[0].format, Format::Markdown);
        assert_eq!(
            cells(&l),
            vec![
                (1, 0, 2, "项目名称"),
                (1, 2, 2, "经费"),
                (3, 1, 2, "属性"),
                (3, 3, 1, "x"),
            ]
        );
    }

    #[test]
    fn escaped_pipes_inline_html_and_checkboxes() {
        let (l, _) = read(
            "| a | b |\n|---|---|\n| x \\| y | <input checked=\"\" type=\"checkbox\"/> 延续<br>第二行 |\n",
        );
        let c = cells(&l);
        assert_eq!(c[2], (3, 0, 1, "x | y"));
        // `<br>` is a space, and no space is kept between two CJK characters.
        assert_eq!(c[3], (3, 1, 1, "☑ 延续第二行"));
    }

    #[test]
    fn ragged_rows_keep_their_width_and_every_cell() {
        let (l, _) = read("| a | b | c |\n|---|---|---|\n| x |\n| p | q | r | s | t \\| u |\n");
        assert_eq!(
            cells(&l),
            vec![
                (1, 0, 1, "a"),
                (1, 1, 1, "b"),
                (1, 2, 1, "c"),
                (3, 0, 1, "x"),
                (4, 0, 1, "p"),
                (4, 1, 1, "q"),
                (4, 2, 1, "r"),
                (4, 3, 1, "s"),
                (4, 4, 1, "t | u"),
            ]
        );
    }

    #[test]
    fn rows_without_outer_pipes() {
        let (l, next) = read("a | b\n--|--\nc | d\n");
        assert_eq!(next, 3);
        assert_eq!(cells(&l).len(), 4);
    }

    #[test]
    fn rows_without_a_delimiter_row_are_a_table() {
        let (l, next) = read("| 项目名称 |  | 经费 |\n| 属性 | \\| | x | y |\n| z |\nfree\n");
        assert_eq!(next, 3);
        assert_eq!(
            cells(&l),
            vec![
                (1, 0, 2, "项目名称"),
                (1, 2, 1, "经费"),
                (2, 0, 1, "属性"),
                (2, 1, 1, "|"),
                (2, 2, 1, "x"),
                (2, 3, 1, "y"),
                (3, 0, 1, "z"),
            ]
        );
        // One `| … |` line alone is no table.
        let lines = split_lines("| a | b |\nfree\n");
        assert!(!sniff::is_pipe_start(&lines, 0, None));
    }

    #[test]
    fn a_delimiter_alone_is_not_a_table() {
        let lines = split_lines("just text\n|---|---|\n");
        assert!(!sniff::is_pipe_start(&lines, 0, None));
        assert!(!sniff::is_pipe_delimiter("a | b"));
        assert!(sniff::is_pipe_delimiter("|:--|--:|"));
        assert!(sniff::is_pipe_delimiter(" --- | :-: "));
        assert!(!sniff::is_pipe_delimiter("|---||"));
        assert!(!sniff::is_pipe_delimiter("|"));
        assert!(!sniff::is_pipe_delimiter("|-x-|"));
    }
}
