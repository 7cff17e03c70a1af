//! Builder for HTML `<table>`s, inline in markdown or as a whole `.html`
//! file, parsed with scraper (html5ever): the HTML5 parsing algorithm
//! repairs what OCR engines print (missing `</td>`/`</tr>`, stray text).
//!
//! `colspan`/`rowspan` are expanded with the HTML table algorithm: a cell
//! lands in the first column its row has free, and is stored once, at its
//! origin, with its `span` and `rowspan`. Cell text keeps `<br>` and checkbox
//! `<input>`s for [`crate::text::normalize::clean`]; other tags go, entities are
//! decoded by the parser. A table nested in a cell is read as text of that
//! cell. Text inside a table but in no cell (a `<caption>`, text the parser
//! moves out of the table) and text around the table on its first and last
//! lines become free lines: nothing is dropped.
//!
//! The parser keeps no source positions, so the line of a row (a cell) is
//! the line of the k-th `<tr` (`<td`/`<th`) tag in the source when the
//! parsed and printed counts agree, else the line where the table starts.

use super::{sniff, Builder, Cell, Format, FreeLine, Grid, Layout, Row};
use crate::text::lines::Line;
use ego_tree::iter::Edge;
use scraper::{Html, Node};

/// Most columns a table may have; wider spans are cut (hostile `colspan`),
/// and a cell that finds no column left becomes a free line.
const MAX_COLS: usize = 1000;
/// Largest `rowspan` honoured (the HTML standard's limit).
const MAX_ROWSPAN: usize = 65_534;

/// The HTML table builder.
pub struct HtmlTables;

impl Builder for HtmlTables {
    fn starts(&self, lines: &[Line<'_>], i: usize, _skip: Option<usize>) -> bool {
        sniff::is_html_start(lines[i].text)
    }

    fn build(
        &self,
        lines: &[Line<'_>],
        start: usize,
        skip: Option<usize>,
        out: &mut Layout,
    ) -> Option<usize> {
        Some(build(lines, start, skip, out))
    }
}

/// Reads the HTML block starting at `start` (through the line that closes its
/// outermost `<table>`, or, when it is never closed, through the last line
/// that prints a table tag). Pushes its grids and free text to `out` and
/// returns the index of the first line after the block.
fn build(lines: &[Line<'_>], start: usize, skip: Option<usize>, out: &mut Layout) -> usize {
    let end = block_end(lines, start, skip);
    let block = &lines[start..end];
    let mut text = String::new();
    let mut line_starts = Vec::with_capacity(block.len());
    for l in block {
        line_starts.push((text.len(), l.no));
        text.push_str(l.text);
        text.push('\n');
    }
    let first_line = block.first().map(|l| l.no).unwrap_or(0);
    let line_at = |offset: usize| -> usize {
        let k = line_starts.partition_point(|&(o, _)| o <= offset);
        line_starts
            .get(k.saturating_sub(1))
            .map(|&(_, n)| n)
            .unwrap_or(first_line)
    };
    // Only the tables go to the parser; text before the first `<table` and
    // after the last `</table>` of the block are free lines of their own.
    let lower = text.to_ascii_lowercase();
    let lo = lower.find("<table").unwrap_or(0);
    let hi = lower
        .rfind("</table")
        .filter(|&i| i >= lo)
        .and_then(|i| lower[i..].find('>').map(|j| i + j + 1))
        .unwrap_or(text.len());
    push_free(out, first_line, &text[..lo]);
    let tables = &text[lo..hi];
    let tr_lines: Vec<usize> = tag_offsets(tables, &["<tr"])
        .into_iter()
        .map(|o| line_at(lo + o))
        .collect();
    let cell_lines: Vec<usize> = tag_offsets(tables, &["<td", "<th"])
        .into_iter()
        .map(|o| line_at(lo + o))
        .collect();

    let doc = Html::parse_fragment(tables);
    let parsed = parse_tables(&doc);
    let tr_ok = parsed.tr_count == tr_lines.len();
    let cell_ok = parsed.cell_count == cell_lines.len();
    for table in parsed.tables {
        let mut grid = Grid {
            format: Format::Html,
            rows: Vec::new(),
        };
        let nrows = table.rows.len();
        let mut pending: Vec<usize> = Vec::new();
        for (r, prow) in table.rows.iter().enumerate() {
            let row_line = if tr_ok {
                tr_lines.get(prow.tr_index).copied()
            } else {
                None
            };
            let mut row = Row {
                line: row_line.unwrap_or(first_line),
                cells: Vec::new(),
            };
            let mut col = 0;
            for pc in &prow.cells {
                while pending.get(col).is_some_and(|&n| n > 0) {
                    col += 1;
                }
                if col >= MAX_COLS {
                    // No room left: the text is kept, as a free line.
                    push_free(out, row.line, &pc.raw);
                    continue;
                }
                let span = pc.colspan.clamp(1, MAX_COLS - col);
                let rowspan = match pc.rowspan {
                    0 => nrows - r,
                    n => n.min(nrows - r).min(MAX_ROWSPAN),
                }
                .max(1);
                if pending.len() < col + span {
                    pending.resize(col + span, 0);
                }
                for p in &mut pending[col..col + span] {
                    *p = rowspan;
                }
                let line = if cell_ok {
                    cell_lines.get(pc.cell_index).copied()
                } else {
                    None
                }
                .or(row_line)
                .unwrap_or(first_line);
                if let Some(cell) = Cell::new(col, span, line, &pc.raw) {
                    row.cells.push(cell.with_rowspan(rowspan));
                }
                col += span;
            }
            for p in &mut pending {
                *p = p.saturating_sub(1);
            }
            if let Some(first) = row.cells.first() {
                if row_line.is_none() {
                    row.line = first.line;
                }
                grid.rows.push(row);
            }
        }
        if !grid.rows.is_empty() {
            out.grids.push(grid);
        }
    }
    push_free(out, first_line, &parsed.stray);
    push_free(out, line_at(hi), &text[hi..]);
    end
}

fn push_free(out: &mut Layout, line: usize, raw: &str) {
    if let Some(fl) = FreeLine::new(line, raw) {
        out.free.push(fl);
    }
}

/// End (exclusive) of the HTML block that starts at `start`.
fn block_end(lines: &[Line<'_>], start: usize, skip: Option<usize>) -> usize {
    let mut depth: i64 = 0;
    let mut last_tag = start;
    let mut i = start;
    while i < lines.len() && (i == start || Some(i) != skip) {
        let lower = lines[i].text.to_ascii_lowercase();
        let opens = count(&lower, "<table") as i64;
        let closes = count(&lower, "</table") as i64;
        depth += opens - closes;
        if opens + closes > 0
            || ["<tr", "<td", "<th", "</t", "<caption", "<tbody", "<thead"]
                .iter()
                .any(|t| lower.contains(t))
        {
            last_tag = i;
        }
        if depth <= 0 {
            return i + 1;
        }
        i += 1;
    }
    last_tag + 1
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

/// Byte offsets of the opening tags `<name` (followed by space, `/` or `>`),
/// in source order.
fn tag_offsets(text: &str, names: &[&str]) -> Vec<usize> {
    let lower = text.to_ascii_lowercase();
    let b = lower.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(k) = lower[i..].find('<') {
        let at = i + k;
        for n in names {
            let end = at + n.len();
            if lower[at..].starts_with(n)
                && b.get(end)
                    .is_some_and(|&c| c == b'>' || c == b'/' || c.is_ascii_whitespace())
            {
                out.push(at);
                break;
            }
        }
        i = at + 1;
    }
    out
}

struct ParsedCell {
    raw: String,
    colspan: usize,
    rowspan: usize,
    /// Position among all `td`/`th` elements of the fragment.
    cell_index: usize,
}

struct ParsedRow {
    /// Position among all `tr` elements of the fragment.
    tr_index: usize,
    cells: Vec<ParsedCell>,
}

struct ParsedTable {
    rows: Vec<ParsedRow>,
}

#[derive(Default)]
struct Parsed {
    tables: Vec<ParsedTable>,
    tr_count: usize,
    cell_count: usize,
    /// Text outside every cell.
    stray: String,
}

fn span_attr(v: Option<&str>, default: usize) -> usize {
    v.and_then(|s| {
        let digits: String = s
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        digits.parse::<usize>().ok()
    })
    .unwrap_or(default)
}

/// Walks the parsed fragment once, iteratively (deep nesting cannot blow the
/// stack): top-level tables, their rows and cells, cell text.
fn parse_tables(doc: &Html) -> Parsed {
    let mut p = Parsed::default();
    // Depth of nested tables at the current node (1 = inside a top-level table).
    let mut table_depth = 0usize;
    // Depth of nested tables at which the open cell was opened.
    let mut cell_open: Option<usize> = None;
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => {
                    let name = el.name();
                    match name {
                        "table" => {
                            table_depth += 1;
                            if table_depth == 1 {
                                p.tables.push(ParsedTable { rows: Vec::new() });
                            } else if let Some(c) = current_cell(&mut p, cell_open) {
                                c.raw.push(' ');
                            }
                        }
                        "tr" => {
                            let idx = p.tr_count;
                            p.tr_count += 1;
                            if table_depth == 1 {
                                if let Some(t) = p.tables.last_mut() {
                                    t.rows.push(ParsedRow {
                                        tr_index: idx,
                                        cells: Vec::new(),
                                    });
                                }
                            }
                        }
                        "td" | "th" => {
                            let idx = p.cell_count;
                            p.cell_count += 1;
                            if table_depth == 1 {
                                let row = p.tables.last_mut().and_then(|t| t.rows.last_mut());
                                if let Some(row) = row {
                                    row.cells.push(ParsedCell {
                                        raw: String::new(),
                                        colspan: span_attr(el.attr("colspan"), 1),
                                        rowspan: span_attr(el.attr("rowspan"), 1),
                                        cell_index: idx,
                                    });
                                    cell_open = Some(1);
                                }
                            } else if let Some(c) = current_cell(&mut p, cell_open) {
                                c.raw.push(' ');
                            }
                        }
                        "br" => push_text(&mut p, cell_open, " <br> "),
                        "input" => {
                            let is_box = el
                                .attr("type")
                                .is_some_and(|t| t.eq_ignore_ascii_case("checkbox"));
                            if is_box {
                                let tag = if el.attr("checked").is_some() {
                                    r#" <input checked="" type="checkbox"/> "#
                                } else {
                                    r#" <input type="checkbox"/> "#
                                };
                                push_text(&mut p, cell_open, tag);
                            }
                        }
                        _ => {}
                    }
                }
                Node::Text(t) => {
                    let escaped = t.text.replace('&', "&amp;").replace('<', "&lt;");
                    push_text(&mut p, cell_open, &escaped);
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    match el.name() {
                        "table" => table_depth = table_depth.saturating_sub(1),
                        "td" | "th" if table_depth == 1 => cell_open = None,
                        "p" | "div" | "li" | "td" | "th" | "tr" | "caption" => {
                            push_text(&mut p, cell_open, " ")
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    p
}

fn current_cell(p: &mut Parsed, cell_open: Option<usize>) -> Option<&mut ParsedCell> {
    cell_open?;
    p.tables
        .last_mut()
        .and_then(|t| t.rows.last_mut())
        .and_then(|r| r.cells.last_mut())
}

/// Appends text to the open cell, or to the stray text outside every cell.
fn push_text(p: &mut Parsed, cell_open: Option<usize>, s: &str) {
    match current_cell(p, cell_open) {
        Some(c) => c.raw.push_str(s),
        None => p.stray.push_str(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::text::lines::split_lines;

    fn grids(src: &str) -> Layout {
        let lines = split_lines(src);
        let mut out = Layout::default();
        let next = build(&lines, 0, None, &mut out);
        assert!(next > 0);
        out
    }

    fn cells(g: &Grid) -> Vec<(usize, usize, usize, usize, &str)> {
        g.rows
            .iter()
            .flat_map(|r| r.cells.iter())
            .map(|c| (c.line, c.col, c.span, c.rowspan, c.text()))
            .collect()
    }

    #[test]
    fn colspan_and_rowspan_expand_into_the_grid() {
        let l = grids(
            "<table>\n<tr><td rowspan=\"2\">A</td><td colspan=\"2\">B</td></tr>\n<tr><td>C</td><td>D</td></tr>\n<tr><td>E</td><td></td><td>F</td></tr>\n</table>\n",
        );
        assert_eq!(l.grids.len(), 1);
        assert_eq!(l.grids[0].format, Format::Html);
        assert_eq!(
            cells(&l.grids[0]),
            vec![
                (2, 0, 1, 2, "A"),
                (2, 1, 2, 1, "B"),
                (3, 1, 1, 1, "C"),
                (3, 2, 1, 1, "D"),
                (4, 0, 1, 1, "E"),
                (4, 2, 1, 1, "F"),
            ]
        );
        assert!(l.free.is_empty());
    }

    #[test]
    fn unclosed_cells_rows_and_table_are_repaired() {
        let l =
            grids("<table>\n<tr><th>项目名称<td colspan=3>经费\n<tr><td>属性<td>延续\n\nafter\n");
        // The block ends at the last line with a table tag.
        assert_eq!(
            cells(&l.grids[0]),
            vec![
                (2, 0, 1, 1, "项目名称"),
                (2, 1, 3, 1, "经费"),
                (3, 0, 1, 1, "属性"),
                (3, 1, 1, 1, "延续"),
            ]
        );
    }

    #[test]
    fn inline_tags_br_entities_and_checkboxes() {
        let l = grids(
            "<table><tr><td><b>项目</b><span>名称</span></td><td>A&amp;B&nbsp;C<br>第二行</td>\
             <td><input type=\"checkbox\"/> 新增 <input checked type=\"checkbox\"> 延续</td>\
             <td>1 &lt; 2</td></tr></table>",
        );
        let texts: Vec<&str> = l.grids[0].rows[0].cells.iter().map(|c| c.text()).collect();
        assert_eq!(
            texts,
            vec!["项目名称", "A&B C 第二行", "☐ 新增 ☑ 延续", "1 < 2"]
        );
    }

    #[test]
    fn text_around_and_outside_cells_is_kept_as_free_lines() {
        let l = grids("前言 <table><caption>说明</caption><tr><td>x</td></tr></table> 后记");
        let free: Vec<&str> = l.free.iter().map(|f| f.raw.as_str()).collect();
        assert_eq!(free, vec!["前言", "说明", "后记"]);
        assert_eq!(cells(&l.grids[0]), vec![(1, 0, 1, 1, "x")]);
    }

    #[test]
    fn nested_table_is_text_of_its_cell() {
        let l =
            grids("<table><tr><td>a<table><tr><td>b</td></tr></table></td><td>c</td></tr></table>");
        assert_eq!(l.grids.len(), 1);
        assert_eq!(
            cells(&l.grids[0]),
            vec![(1, 0, 1, 1, "a b"), (1, 1, 1, 1, "c")]
        );
    }

    #[test]
    fn hostile_spans_are_bounded() {
        let l = grids("<table><tr><td colspan=99999999>a</td><td rowspan=0>b</td></tr><tr><td>c</td></tr></table>");
        let c = cells(&l.grids[0]);
        assert_eq!(c, vec![(1, 0, MAX_COLS, 1, "a"), (1, 0, 1, 1, "c")]);
        let free: Vec<&str> = l.free.iter().map(|f| f.raw.as_str()).collect();
        assert_eq!(free, vec!["b"]);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let src = "<table><tr><td>".repeat(2_000);
        let l = grids(&src);
        assert!(l.grids.len() <= 1);
    }
}
