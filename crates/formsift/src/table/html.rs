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
    let block = Block::new(&lines[start..end]);
    let text = &block.text;
    // Only the tables go to the parser; text before the first `<table` and
    // after the last `</table>` of the block are free lines of their own.
    let lower = text.to_ascii_lowercase();
    let lo = lower.find("<table").unwrap_or(0);
    let hi = lower
        .rfind("</table")
        .filter(|&i| i >= lo)
        .and_then(|i| lower[i..].find('>').map(|j| i + j + 1))
        .unwrap_or(text.len());
    push_free(out, block.first_line, &text[..lo]);
    let tables = &text[lo..hi];
    let lines_of = |names: &[&str]| -> Vec<usize> {
        (tag_offsets(tables, names).into_iter())
            .map(|o| block.line_at(lo + o))
            .collect()
    };
    let (tr_lines, cell_lines) = (lines_of(&["<tr"]), lines_of(&["<td", "<th"]));
    let doc = Html::parse_fragment(tables);
    let parsed = parse_tables(&doc);
    // Source lines are trusted only when the parser saw the tags the
    // source prints.
    let lines = SourceLines {
        rows: (parsed.tr_count == tr_lines.len()).then_some(tr_lines),
        cells: (parsed.cell_count == cell_lines.len()).then_some(cell_lines),
        first: block.first_line,
    };
    for table in &parsed.tables {
        let grid = expand_spans(table, &lines, out);
        if !grid.rows.is_empty() {
            out.grids.push(grid);
        }
    }
    push_free(out, block.first_line, &parsed.stray);
    push_free(out, block.line_at(hi), &text[hi..]);
    end
}

/// A block of lines joined into one text, with where each line starts.
struct Block {
    text: String,
    /// (byte offset in `text`, line number), ascending.
    starts: Vec<(usize, usize)>,
    first_line: usize,
}

impl Block {
    fn new(block: &[Line<'_>]) -> Block {
        let mut text = String::new();
        let mut starts = Vec::with_capacity(block.len());
        for l in block {
            starts.push((text.len(), l.no));
            text.push_str(l.text);
            text.push('\n');
        }
        let first_line = block.first().map(|l| l.no).unwrap_or(0);
        Block {
            text,
            starts,
            first_line,
        }
    }

    /// The line holding byte `offset` of the text.
    fn line_at(&self, offset: usize) -> usize {
        let k = self.starts.partition_point(|&(o, _)| o <= offset);
        (self.starts.get(k.saturating_sub(1)))
            .map(|&(_, n)| n)
            .unwrap_or(self.first_line)
    }
}

/// The source line of the k-th `<tr` and of the k-th `<td`/`<th`, when the
/// parser's counts agree with the source's.
struct SourceLines {
    rows: Option<Vec<usize>>,
    cells: Option<Vec<usize>>,
    first: usize,
}

/// A parsed table laid out with the HTML table algorithm: a cell lands in
/// the first column its row has free, and is stored once, at its origin,
/// with its `span` and `rowspan`. A cell that finds no column left is kept
/// as a free line.
fn expand_spans(table: &ParsedTable, lines: &SourceLines, out: &mut Layout) -> Grid {
    let mut grid = Grid {
        format: Format::Html,
        rows: Vec::new(),
    };
    let nrows = table.rows.len();
    // Rows still covered by a rowspan, per column.
    let mut pending: Vec<usize> = Vec::new();
    for (r, prow) in table.rows.iter().enumerate() {
        let row_line = (lines.rows.as_ref()).and_then(|l| l.get(prow.tr_index).copied());
        let mut row = Row {
            line: row_line.unwrap_or(lines.first),
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
            pending[col..col + span].fill(rowspan);
            let line = (lines.cells.as_ref())
                .and_then(|l| l.get(pc.cell_index).copied())
                .or(row_line)
                .unwrap_or(lines.first);
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
    grid
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
    let mut w = Walker::default();
    for edge in doc.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(el) => w.open(el),
                Node::Text(t) => {
                    let escaped = t.text.replace('&', "&amp;").replace('<', "&lt;");
                    w.push_text(&escaped);
                }
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(el) = node.value() {
                    w.close(el.name());
                }
            }
        }
    }
    w.p
}

/// The state of [`parse_tables`]'s walk.
#[derive(Default)]
struct Walker {
    p: Parsed,
    /// Depth of nested tables at the current node (1 = inside a top-level
    /// table).
    table_depth: usize,
    /// Set while a top-level table's cell is open.
    cell_open: bool,
}

impl Walker {
    fn open(&mut self, el: &scraper::node::Element) {
        match el.name() {
            "table" => {
                self.table_depth += 1;
                if self.table_depth == 1 {
                    self.p.tables.push(ParsedTable { rows: Vec::new() });
                } else {
                    // A nested table is text of its cell.
                    self.push_to_cell(" ");
                }
            }
            "tr" => {
                let tr_index = self.p.tr_count;
                self.p.tr_count += 1;
                if self.table_depth == 1 {
                    if let Some(t) = self.p.tables.last_mut() {
                        t.rows.push(ParsedRow {
                            tr_index,
                            cells: Vec::new(),
                        });
                    }
                }
            }
            "td" | "th" => self.open_cell(el),
            "br" => self.push_text(" <br> "),
            "input"
                if el
                    .attr("type")
                    .is_some_and(|t| t.eq_ignore_ascii_case("checkbox")) =>
            {
                // Kept as printed, for `clean` to mark.
                self.push_text(if el.attr("checked").is_some() {
                    r#" <input checked="" type="checkbox"/> "#
                } else {
                    r#" <input type="checkbox"/> "#
                });
            }
            _ => {}
        }
    }

    fn open_cell(&mut self, el: &scraper::node::Element) {
        let cell_index = self.p.cell_count;
        self.p.cell_count += 1;
        if self.table_depth != 1 {
            self.push_to_cell(" ");
            return;
        }
        let row = (self.p.tables.last_mut()).and_then(|t| t.rows.last_mut());
        if let Some(row) = row {
            row.cells.push(ParsedCell {
                raw: String::new(),
                colspan: span_attr(el.attr("colspan"), 1),
                rowspan: span_attr(el.attr("rowspan"), 1),
                cell_index,
            });
            self.cell_open = true;
        }
    }

    fn close(&mut self, name: &str) {
        match name {
            "table" => self.table_depth = self.table_depth.saturating_sub(1),
            "td" | "th" if self.table_depth == 1 => self.cell_open = false,
            "p" | "div" | "li" | "td" | "th" | "tr" | "caption" => self.push_text(" "),
            _ => {}
        }
    }

    fn current_cell(&mut self) -> Option<&mut ParsedCell> {
        if !self.cell_open {
            return None;
        }
        (self.p.tables.last_mut())
            .and_then(|t| t.rows.last_mut())
            .and_then(|r| r.cells.last_mut())
    }

    /// Appends text to the open cell (nothing when none is open).
    fn push_to_cell(&mut self, s: &str) {
        if let Some(c) = self.current_cell() {
            c.raw.push_str(s);
        }
    }

    /// Appends text to the open cell, or to the stray text outside every
    /// cell.
    fn push_text(&mut self, s: &str) {
        match self.current_cell() {
            Some(c) => c.raw.push_str(s),
            None => self.p.stray.push_str(s),
        }
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
