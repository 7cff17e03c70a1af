//! Builder for tab-flattened rows: one table row per line, cells separated by
//! `\t`, a merged cell printed as the cell followed by a run of empty cells.

use super::{Format, Grid, Row};
use crate::segment::Line;

/// True for a line that is a tab-flattened table row.
pub fn is_row(line: &str) -> bool {
    // Blank means whitespace only: `trim` would also walk the line from its
    // end; this stops at the first character that is not a space.
    memchr::memchr(b'\t', line.as_bytes()).is_some() && !line.chars().all(char::is_whitespace)
}

/// Builds one grid from the run of rows starting at `start`; blank lines
/// inside the run do not end it when another row follows. Returns the grid
/// and the index of the first line after it.
pub fn build(lines: &[Line<'_>], start: usize, skip: Option<usize>) -> (Grid, usize) {
    let mut rows = Vec::with_capacity(32);
    let mut i = start;
    let mut end = start;
    while i < lines.len() && Some(i) != skip {
        let text = lines[i].text;
        if is_row(text) {
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
    // `memchr` finds the tabs a SIMD word at a time; `split('\t')` walks
    // the CJK text in between.
    let bytes = text.as_bytes();
    let mut from = 0;
    let fields = memchr::memchr_iter(b'\t', bytes)
        .chain(std::iter::once(bytes.len()))
        .map(move |tab| {
            let field = text.get(from..tab).unwrap_or("");
            from = tab + 1;
            field
        });
    super::row_from_columns(fields, line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::segment::split_lines;

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
    fn a_million_tabs_do_not_blow_up() {
        let line = "\t".repeat(1_000_000) + "x";
        let row = parse_row(&line, 1);
        assert_eq!(row.cells.len(), 1);
        assert_eq!(row.cells[0].col, 1_000_000);
    }
}
