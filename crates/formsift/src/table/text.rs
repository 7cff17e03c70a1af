//! Builder for space-aligned text tables: cells separated by runs of two or
//! more spaces or by an ideographic space (U+3000), columns inferred from the
//! rows around.
//!
//! Positions are display columns (a CJK character is two wide, as on the
//! monospaced page the OCR read). Every cell start in the block proposes a
//! column boundary; starts one column apart are one boundary (OCR jitter).
//! A cell's column is the boundary it starts at and it spans every boundary
//! up to the next cell of its row (the last cell: up to the row's printed
//! width, trailing spaces included) — the same grid the tab-flattened and
//! pipe renderings give. Single spaces and NBSP stay inside a cell
//! (`20 万元`).
//!
//! A block is a run of non-blank lines that each hold two or more cells,
//! start indented (a row whose only cell sits in a later column) or end in
//! two or more spaces (a lone cell padded to the width of its span). A blank
//! line ends it: prose around a table is not pulled in. It must hold at
//! least two rows of two or more cells, so a stray line with a double space
//! (`申报单位：X      申报时间：Y`) is no table but a free line.

use super::sniff::{self, pieces, Piece};
use super::{Builder, Cell, Format, Grid, Layout, Row};
use crate::text::lines::Line;

fn row_like(pieces: &[Piece<'_>], width: usize) -> bool {
    match pieces {
        [] => false,
        [only] => only.start >= 2 || width >= only.end + 2,
        _ => true,
    }
}

/// The space-aligned table builder.
pub struct Aligned;

impl Builder for Aligned {
    /// Two cells need a gap of two spaces or a U+3000 between them; every
    /// free line of every form is asked, so look for one before measuring.
    fn starts(&self, lines: &[Line<'_>], i: usize, _skip: Option<usize>) -> bool {
        sniff::has_cell_gap(lines[i].text)
    }

    fn build(
        &self,
        lines: &[Line<'_>],
        start: usize,
        skip: Option<usize>,
        out: &mut Layout,
    ) -> Option<usize> {
        let (grid, next) = build(lines, start, skip)?;
        out.grids.push(grid);
        Some(next)
    }
}

/// Reads the space-aligned table starting at `start`, if there is one.
/// Returns the grid and the index of the first line after it.
fn build(lines: &[Line<'_>], start: usize, skip: Option<usize>) -> Option<(Grid, usize)> {
    let line = lines.get(start)?.text;
    let (first, _) = pieces(line);
    if first.len() < 2 || lines[start].text.contains('\t') {
        return None;
    }
    let mut rows: Vec<(usize, Vec<Piece<'_>>, usize)> = Vec::new();
    let mut end = start;
    while end < lines.len() && Some(end) != skip {
        let text = lines[end].text;
        if text.trim().is_empty() || sniff::is_tsv_row(text) || sniff::is_html_start(text) {
            break;
        }
        let (p, width) = pieces(text);
        if !row_like(&p, width) {
            break;
        }
        rows.push((lines[end].no, p, width));
        end += 1;
    }
    if rows.iter().filter(|(_, p, _)| p.len() >= 2).count() < 2 {
        return None;
    }

    // Column boundaries: distinct cell starts, those within one column of
    // the first start of a boundary merged into it.
    let mut starts: Vec<usize> = rows
        .iter()
        .flat_map(|(_, p, _)| p.iter().map(|p| p.start))
        .collect();
    starts.sort_unstable();
    starts.dedup();
    let mut bounds: Vec<usize> = Vec::new();
    for s in starts {
        match bounds.last() {
            Some(&b) if s - b <= 1 => {}
            _ => bounds.push(s),
        }
    }
    let column_of = |pos: usize| bounds.partition_point(|&b| b <= pos).saturating_sub(1);

    let mut grid = Grid {
        format: Format::Text,
        rows: Vec::new(),
    };
    for (line, ps, width) in &rows {
        let cols: Vec<usize> = ps.iter().map(|p| column_of(p.start)).collect();
        let row_end = bounds.partition_point(|&b| b < *width);
        let mut row = Row {
            line: *line,
            cells: Vec::new(),
        };
        for (k, p) in ps.iter().enumerate() {
            let col = cols[k];
            let next = cols.get(k + 1).copied().unwrap_or(row_end);
            if let Some(cell) = Cell::new(col, next.saturating_sub(col), *line, p.text) {
                row.cells.push(cell);
            }
        }
        if !row.cells.is_empty() {
            grid.rows.push(row);
        }
    }
    Some((grid, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::text::lines::split_lines;

    fn cells(g: &Grid) -> Vec<(usize, usize, usize, &str)> {
        g.rows
            .iter()
            .flat_map(|r| r.cells.iter())
            .map(|c| (c.line, c.col, c.span, c.text()))
            .collect()
    }

    #[test]
    fn columns_are_inferred_from_the_rows_around() {
        let src = "项目名称      经费\n  属性      延续      x\n            一次性    y   \n";
        let lines = split_lines(src);
        let (g, next) = build(&lines, 0, None).unwrap();
        assert_eq!(next, 3);
        assert_eq!(g.format, Format::Text);
        // Boundaries at display columns 0, 2, 12, 14, 22.
        assert_eq!(
            cells(&g),
            vec![
                (1, 0, 3, "项目名称"),
                (1, 3, 1, "经费"),
                (2, 1, 1, "属性"),
                (2, 2, 2, "延续"),
                (2, 4, 1, "x"),
                (3, 2, 2, "一次性"),
                (3, 4, 1, "y"),
            ]
        );
    }

    #[test]
    fn one_column_of_jitter_is_one_boundary() {
        let lines = split_lines("a    b\n c    d\n");
        let (g, _) = build(&lines, 0, None).unwrap();
        let c = cells(&g);
        assert_eq!((c[2].1, c[3].1), (0, 1), "{c:?}");
    }

    #[test]
    fn prose_with_one_double_space_is_no_table() {
        let lines = split_lines("Hello.  World\nplain line\n");
        assert!(build(&lines, 0, None).is_none());
        let lines = split_lines("单位：万元\n");
        assert!(build(&lines, 0, None).is_none());
    }

    #[test]
    fn a_flush_left_single_cell_line_or_a_blank_line_ends_the_table() {
        let lines = split_lines("a  b\nc  d\n单位领导签字：王\n");
        let (g, next) = build(&lines, 0, None).unwrap();
        assert_eq!(next, 2);
        assert_eq!(g.rows.len(), 2);
        let lines = split_lines("a  b\nc  d\n\ne  f\n");
        assert_eq!(build(&lines, 0, None).unwrap().1, 2);
    }

    #[test]
    fn a_lone_cell_padded_to_its_span_is_a_row() {
        let lines = split_lines("a    b\nwide    \nc    d\n");
        let (g, next) = build(&lines, 0, None).unwrap();
        assert_eq!(next, 3);
        assert_eq!(
            cells(&g),
            vec![
                (1, 0, 1, "a"),
                (1, 1, 1, "b"),
                (2, 0, 2, "wide"),
                (3, 0, 1, "c"),
                (3, 1, 1, "d")
            ]
        );
    }
}
