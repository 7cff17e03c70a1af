//! Builder for tab-flattened rows: one table row per line, cells separated by
//! `\t`, a merged cell printed as the cell followed by a run of empty cells.

use super::{sniff, Builder, Format, Grid, Layout, Row};
use crate::text::lines::Line;

/// The tab-flattened table builder.
pub struct Tsv;

impl Builder for Tsv {
    fn starts(&self, lines: &[Line<'_>], i: usize, _skip: Option<usize>) -> bool {
        sniff::is_tsv_row(lines[i].text)
    }

    fn build(
        &self,
        lines: &[Line<'_>],
        start: usize,
        skip: Option<usize>,
        out: &mut Layout,
    ) -> Option<usize> {
        let (grid, next) = build(lines, start, skip);
        if !grid.rows.is_empty() {
            out.grids.push(grid);
        }
        Some(next)
    }
}

/// Builds one grid from the run of rows starting at `start`; blank lines
/// inside the run do not end it when another row follows. Returns the grid
/// and the index of the first line after it.
fn build(lines: &[Line<'_>], start: usize, skip: Option<usize>) -> (Grid, usize) {
    let mut rows = Vec::with_capacity(32);
    let mut i = start;
    let mut end = start;
    while i < lines.len() && Some(i) != skip {
        let text = lines[i].text;
        if sniff::is_tsv_row(text) {
            rows.push(parse_row(text, lines[i].no));
            i += 1;
            end = i;
        } else if text.chars().all(char::is_whitespace) {
            i += 1;
        } else {
            break;
        }
    }
    let grid = Grid {
        format: Format::Tsv,
        rows,
    };
    (grid, end)
}

/// Splits one line into cells; each non-empty cell spans the empty cells
/// that follow it.
pub fn parse_row(text: &str, line: usize) -> Row {
    super::row_from_columns(Fields { text, at: Some(0) }, line)
}

/// The tab-separated fields of a line, as `split('\t')` gives them. A row
/// holds a dozen short fields, many empty: the tabs are found a word at a
/// time ([`crate::fast::swar::find_tab`]), cheaper than a `memchr` call per
/// field.
struct Fields<'a> {
    text: &'a str,
    /// Start of the next field; `None` once the last was given.
    at: Option<usize>,
}

impl<'a> Iterator for Fields<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let start = self.at?;
        let bytes = self.text.as_bytes();
        let end = crate::fast::swar::find_tab(bytes, start);
        self.at = end.map(|t| t + 1);
        let end = end.unwrap_or(bytes.len());
        Some(self.text.get(start..end).unwrap_or(""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::lines::split_lines;

    #[test]
    fn runs_of_empty_cells_are_spans() {
        let row = parse_row("项目名称\t\t经费\t\t\t\t\t", 9);
        assert_eq!(row.cells.len(), 2);
        assert_eq!((row.cells[0].col, row.cells[0].span), (0, 2));
        assert_eq!((row.cells[1].col, row.cells[1].span), (2, 6));
        assert_eq!(row.cells[1].line, 9);
    }

    #[test]
    fn leading_empty_cells_keep_columns() {
        let row = parse_row("\t\t\t\t\t1. 办结\t\t", 20);
        assert_eq!(row.cells.len(), 1);
        assert_eq!(row.cells[0].col, 5);
        assert_eq!(row.cells[0].span, 3);
    }

    #[test]
    fn tag_only_cells_are_empty() {
        let row = parse_row("<b></b>\tx", 1);
        assert_eq!(row.cells.len(), 1);
        assert_eq!(row.cells[0].col, 1);
    }

    #[test]
    fn a_run_of_rows_is_one_grid_and_blank_lines_inside_are_skipped() {
        let lines = split_lines("a\tb\n\nc\td\nfree text\ne\tf\n");
        let (grid, next) = build(&lines, 0, None);
        assert_eq!(grid.rows.len(), 2);
        assert_eq!(grid.rows[1].line, 3);
        assert_eq!(next, 3);
    }

    #[test]
    fn fields_split_at_every_tab_whatever_the_text() {
        // Tabs at every offset of a word, next to the bytes a carry could
        // disturb (0x08, 0x0A, 0x89, 0xFF in continuation position).
        let pieces = [
            "\t",
            "a",
            "\u{8}",
            "\n",
            "中",
            "é",
            "\u{1F5F9}",
            "\u{249}",
            "ÿ",
            "\t\t",
        ];
        let mut rng = crate::Xorshift(0x2545_f491_4f6c_dd1du64);
        for _ in 0..5_000 {
            let seed = rng.next();
            let line: String = (0..(seed % 24) as usize)
                .map(|k| pieces[((seed >> (k % 16 * 4)) as usize + k) % pieces.len()])
                .collect();
            let got: Vec<&str> = Fields {
                text: &line,
                at: Some(0),
            }
            .collect();
            let want: Vec<&str> = line.split('\t').collect();
            assert_eq!(got, want, "{line:?}");
        }
    }

    #[test]
    fn a_million_tabs_do_not_blow_up() {
        let line = "\t".repeat(1_000_000) + "x";
        let row = parse_row(&line, 1);
        assert_eq!(row.cells.len(), 1);
        assert_eq!(row.cells[0].col, 1_000_000);
    }
}
