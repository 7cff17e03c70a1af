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
use std::borrow::Cow;

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
    let (mut rows, end) = block(lines, start, skip);
    if rows.iter().filter(|r| r.pieces.len() >= 2).count() < 2 {
        return None;
    }
    let bounds = boundaries(&rows);
    merge_wrapped(&mut rows);
    join_straddling(&mut rows);
    let column_of = |pos: usize| bounds.partition_point(|&b| b <= pos).saturating_sub(1);
    let mut grid = Grid {
        format: Format::Text,
        rows: Vec::new(),
    };
    let table_end = rows.iter().map(|r| r.width).max().unwrap_or(0);
    for (i, r) in rows.iter().enumerate() {
        // The line's own pieces, and those of later lines of its band.
        let mut ps: Vec<&Printed> = (r.pieces.iter())
            .filter(|p| !p.merged() && p.moved_to.is_none())
            .chain(
                rows[i + 1..]
                    .iter()
                    .flat_map(|l| l.pieces.iter())
                    .filter(|p| !p.merged() && p.moved_to == Some(i)),
            )
            .collect();
        ps.sort_by_key(|p| p.start);
        let cols: Vec<usize> = ps.iter().map(|p| column_of(p.start)).collect();
        let row_end = bounds.partition_point(|&b| b < r.width);
        let mut row = Row {
            line: r.line,
            cells: Vec::new(),
        };
        for (k, p) in ps.iter().enumerate() {
            let col = cols[k];
            let next = cols.get(k + 1).copied().unwrap_or(row_end);
            // Pieces joined into a line above still take room on this one.
            let next_on_line = (r.pieces.iter()).map(|q| q.start).find(|&s| s > p.start);
            let edge = right_edge(&rows, i, p, next_on_line, table_end);
            if let Some(cell) = Cell::new(col, next.saturating_sub(col), r.line, &p.text) {
                row.cells.push(cell.at(p.start, p.end, edge));
            }
        }
        if !row.cells.is_empty() {
            grid.rows.push(row);
        }
    }
    Some((grid, end))
}

/// Where a piece's cell ends on the page: the next piece on its line, or
/// else the nearest cell start after its text on the lines around (within
/// two), or the table's right edge. A sparse line (a centred label, a row
/// of values) alone would stretch its cells to the next text far away.
fn right_edge(
    rows: &[BlockLine<'_>],
    i: usize,
    p: &Printed<'_>,
    next_on_line: Option<usize>,
    table_end: usize,
) -> usize {
    if let Some(next) = next_on_line {
        return next;
    }
    let around = rows[i.saturating_sub(2)..(i + 3).min(rows.len())].iter();
    (around.flat_map(|r| r.pieces.iter()))
        .map(|q| q.start)
        .filter(|&s| s >= p.end)
        .min()
        .unwrap_or(table_end.max(p.end))
}

/// One printed line of a block.
struct Printed<'a> {
    start: usize,
    end: usize,
    text: Cow<'a, str>,
    /// Set once the piece's text went into another piece, which holds the
    /// joined text: (line index in the block, piece index) of that piece —
    /// the first line of a wrapped cell, or the last line of a cell
    /// straddling its row ([`join_straddling`]).
    merged_into: Option<(usize, usize)>,
    /// Set when the piece belongs to the row of an earlier line of its
    /// band ([`join_band`]).
    moved_to: Option<usize>,
}

impl Printed<'_> {
    fn merged(&self) -> bool {
        self.merged_into.is_some()
    }
}

struct BlockLine<'a> {
    line: usize,
    pieces: Vec<Printed<'a>>,
    width: usize,
}

/// The block's lines from `start`: non-blank lines that each look like a
/// row (two or more cells, indented, or padded to a span), and a lone
/// short cell between two such lines (a label centred in a merged cell, a
/// wrapped label's last line). Returns them and the index after the block.
fn block<'a>(lines: &[Line<'a>], start: usize, skip: Option<usize>) -> (Vec<BlockLine<'a>>, usize) {
    let mut rows: Vec<BlockLine<'a>> = Vec::new();
    let mut end = start;
    let ends_block = |text: &str| {
        text.trim().is_empty() || sniff::is_tsv_row(text) || sniff::is_html_start(text)
    };
    while end < lines.len() && Some(end) != skip {
        let text = lines[end].text;
        if ends_block(text) {
            break;
        }
        let (p, width) = pieces(text);
        let sandwiched = || {
            p.len() == 1
                && p[0].text.chars().count() <= SHORT_LONE_CELL
                && (lines.get(end + 1))
                    .filter(|next| Some(end + 1) != skip && !ends_block(next.text))
                    .is_some_and(|next| pieces(next.text).0.len() >= 2)
        };
        if !row_like(&p, width) && !sandwiched() {
            break;
        }
        let pieces = (p.into_iter())
            .map(|p| Printed {
                start: p.start,
                end: p.end,
                text: Cow::Borrowed(p.text),
                merged_into: None,
                moved_to: None,
            })
            .collect();
        rows.push(BlockLine {
            line: lines[end].no,
            pieces,
            width,
        });
        end += 1;
    }
    (rows, end)
}

/// Longest lone cell (characters) taken into a block between two rows.
const SHORT_LONE_CELL: usize = 10;

/// Column boundaries: distinct cell starts, those within one column of the
/// first start of a boundary merged into it.
fn boundaries(rows: &[BlockLine<'_>]) -> Vec<usize> {
    let mut starts: Vec<usize> = (rows.iter())
        .flat_map(|r| r.pieces.iter().map(|p| p.start))
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
    bounds
}

/// Joins the lines of wrapped cells: a piece continues the piece right
/// above it when both start at the same column and the one above is full —
/// its text reaches (within two columns) the next column boundary, where
/// the printed cell ended and its text wrapped. A piece opening a list item
/// (`2、`) or following a full stop starts anew.
fn merge_wrapped(rows: &mut [BlockLine<'_>]) {
    let table_end = rows.iter().map(|r| r.width).max().unwrap_or(0);
    if padded_layout(rows) || !has_fragment_line(rows) {
        return;
    }
    let wraps = wrapped_lines(rows, table_end);
    for i in 1..rows.len() {
        if !wraps[i] {
            continue;
        }
        let mut band: Option<usize> = None;
        // A line of word tails only: each continues the cell above it,
        // whether or not that cell's text looks like it reached its edge.
        let tails_only = rows[i].pieces.iter().all(|p| is_fragment(&p.text, 3));
        for k in 0..rows[i].pieces.len() {
            let p = &rows[i].pieces[k];
            let Some((li, j)) = above(rows, i, p) else {
                continue;
            };
            let q = &rows[li].pieces[j];
            let closed = q
                .text
                .ends_with(['。', '；', ';', '.', '!', '！', '?', '？']);
            if starts_row(rows, li, i, table_end)
                || !(tails_only || may_fill(rows, li, j, p, table_end))
                || closed
                || !may_continue(&p.text)
            {
                continue;
            }
            let root = q.merged_into.unwrap_or((li, j));
            let tail = p.text.trim().to_string();
            let first = &mut rows[root.0].pieces[root.1];
            first.text = Cow::Owned(format!("{}{tail}", first.text));
            rows[i].pieces[k].merged_into = Some(root);
            band = Some(band.map_or(root.0, |b: usize| b.min(root.0)));
        }
        if let Some(b) = band {
            join_band(rows, b, i);
        }
    }
}

/// Joins a two-line cell printed around the row it belongs to: a box dump
/// centres a cell's lines on its row, so a value of two lines beside a
/// one-line label comes out as a lone line above the row and a lone line
/// below it, both in a gap of the row (`自然资源和规划局机关` /
/// `预算单位及代码 … 实施单位及责任人 …` / `131008`). The two lines become
/// one piece, read with the row (on its line).
fn join_straddling(rows: &mut [BlockLine<'_>]) {
    if padded_layout(rows) {
        return;
    }
    let alive = |r: &BlockLine<'_>| -> Vec<usize> {
        (0..r.pieces.len())
            .filter(|&k| !r.pieces[k].merged() && r.pieces[k].moved_to.is_none())
            .collect()
    };
    for i in 1..rows.len().saturating_sub(1) {
        let (up, mid, down) = (alive(&rows[i - 1]), alive(&rows[i]), alive(&rows[i + 1]));
        let ([a], [b]) = (up.as_slice(), down.as_slice()) else {
            continue;
        };
        if mid.len() < 2 {
            continue;
        }
        let (pa, pb) = (&rows[i - 1].pieces[*a], &rows[i + 1].pieces[*b]);
        let overlap = pa.end.min(pb.end).saturating_sub(pa.start.max(pb.start));
        let narrower = (pa.end - pa.start).min(pb.end - pb.start);
        let (lo, hi) = (pa.start.min(pb.start), pa.end.max(pb.end));
        let in_gap = !(mid.iter()).any(|&k| {
            let q = &rows[i].pieces[k];
            q.start < hi && lo < q.end
        });
        let between = (mid.iter()).any(|&k| rows[i].pieces[k].end <= lo);
        if 2 * overlap < narrower
            || !in_gap
            || !between
            || !may_continue(&pb.text)
            || pa.text.trim_end().ends_with([':', '：'])
        {
            continue;
        }
        let joined = format!("{}{}", pa.text.trim_end(), pb.text.trim());
        let (a, b) = (*a, *b);
        let lower = &mut rows[i + 1].pieces[b];
        lower.text = Cow::Owned(joined);
        lower.moved_to = Some(i);
        rows[i - 1].pieces[a].merged_into = Some((i + 1, b));
    }
}

/// True when most lines of the block are padded with spaces to the
/// table's width: a tool that sized every cell laid it out one row per
/// line, and its full cells are cut short, not wrapped.
fn padded_layout(rows: &[BlockLine<'_>]) -> bool {
    let padded = (rows.iter())
        .filter(|r| r.pieces.last().is_some_and(|p| r.width > p.end + 1))
        .count();
    2 * padded > rows.len()
}

/// True when some line of the block holds nothing but one to three word
/// fragments of one or two Han characters (`入`, `标`, `来源`): the last
/// lines of cells wrapped at their width, which a rendering printing one
/// row per line never shows. Only such a block is searched for wraps.
fn has_fragment_line(rows: &[BlockLine<'_>]) -> bool {
    rows.iter().any(|r| {
        (1..=3).contains(&r.pieces.len()) && r.pieces.iter().all(|p| is_fragment(&p.text, 3))
    })
}

/// The pieces left on line `i`, a line that continued wrapped cells of the
/// band starting at line `b`, belong to that band's row when nothing is
/// printed above them there: single-line cells of a row whose other cells
/// wrapped sit centred on one of its middle lines (`合计` beside a wrapped
/// `1.一般公共预算收入`, a value beside a wrapped indicator name).
fn join_band(rows: &mut [BlockLine<'_>], b: usize, i: usize) {
    let free = |rows: &[BlockLine<'_>], p: &Printed<'_>| {
        !(rows[b].pieces.iter()).any(|q| q.moved_to.is_none() && q.start < p.end && p.start < q.end)
    };
    for k in 0..rows[i].pieces.len() {
        let p = &rows[i].pieces[k];
        if p.merged() || !free(rows, p) {
            continue;
        }
        rows[i].pieces[k].moved_to = Some(b);
    }
}

/// The piece a wrapped line `p` (on line `i`) continues: the nearest piece
/// above in its column, on the line above or the one before when nothing
/// in between is printed where `p` is (a single-line cell of the other
/// half may sit between a wrapped cell's lines).
fn above(rows: &[BlockLine<'_>], i: usize, p: &Printed<'_>) -> Option<(usize, usize)> {
    for li in (i.saturating_sub(2)..i).rev() {
        if let Some(j) = (rows[li].pieces.iter()).position(|q| below(q, p)) {
            return Some((li, j));
        }
        let blocked = (rows[li].pieces.iter()).any(|q| q.start < p.end && p.start < q.end);
        if blocked {
            return None;
        }
    }
    None
}

/// True when `lower` is a new table row, not the wrapped lines of cells
/// above: one of its pieces sits right under a piece of `upper` that does
/// not fill its cell (so cannot go on), or is a number under a word (a
/// value under its label).
fn starts_row(rows: &[BlockLine<'_>], li: usize, i: usize, end: usize) -> bool {
    let (upper, lower) = (&rows[li], &rows[i]);
    // A label awaiting its value opens a row of label-value pairs.
    let awaits_value = |p: &Printed<'_>| p.text.trim_end().ends_with([':', '：']);
    if lower.pieces.iter().any(awaits_value) {
        return true;
    }
    // A piece printed inside the width of a piece above without being its
    // next line is a cell of a new row.
    let inside = |u: &Printed<'_>, r: &Printed<'_>| r.start > u.start + 1 && r.start < u.end;
    let under_some = |r: &Printed<'_>| upper.pieces.iter().any(|u| below(u, r));
    if (lower.pieces.iter()).any(|r| !under_some(r) && upper.pieces.iter().any(|u| inside(u, r))) {
        return true;
    }
    // A line of nothing but word tails (`金来源`, `入`) ends cells wrapped
    // over three lines, even under a cell that looks short of its edge (a
    // centred label in a wide column, as an OCR box dump prints it).
    let tails_only = lower.pieces.iter().all(|r| is_fragment(&r.text, 3));
    lower.pieces.iter().any(|r| {
        (upper.pieces.iter().enumerate()).any(|(j, u)| {
            below(u, r)
                && ((!tails_only && !may_fill(rows, li, j, r, end))
                    || number_under_word(&u.text, &r.text))
        })
    })
}

/// True when piece `j` of line `li` may fill its cell, so that `r` under
/// it may be its next line: it reaches its edge ([`is_full`]), or it is
/// the last piece of its line — no neighbour shows where its cell ends —
/// and words (no number, no label; a list number allowed), with words
/// centred under it.
fn may_fill(rows: &[BlockLine<'_>], li: usize, j: usize, r: &Printed<'_>, end: usize) -> bool {
    let line = &rows[li];
    let u = &line.pieces[j];
    let words = |t: &str| {
        let key = crate::text::normalize::fold_key(t);
        let body = key
            .get(crate::text::normalize::enumerator_len(&key)..)
            .unwrap_or("");
        !body.contains(|c: char| c.is_ascii_digit() || c == ':')
    };
    let edge_unknown = j + 1 == line.pieces.len()
        && words(&u.text)
        && words(&r.text)
        && (r.start + r.end).abs_diff(u.start + u.end) <= 6;
    edge_unknown || is_full(rows, li, j, end)
}

/// One to `max` Han characters and nothing else: a word's tail.
fn is_fragment(text: &str, max: usize) -> bool {
    let t = text.trim();
    (1..=max).contains(&t.chars().count()) && t.chars().all(crate::text::normalize::is_ideograph)
}

/// Which lines continue wrapped cells of the lines above: those holding
/// the tail of a text that did not fit — a piece under a full piece and
/// less than half as long. Where a new row would print whole cells, a wrap
/// leaves a short tail; the other pieces of such a line (the middle lines
/// of cells wrapped over three) are joined with it.
fn wrapped_lines(rows: &[BlockLine<'_>], end: usize) -> Vec<bool> {
    let chars = |t: &str| t.trim().chars().count();
    // continues[i][k]: piece k of line i continues a wrapped cell, as
    // shown by its own tail or by the lines below.
    let mut continues: Vec<Vec<bool>> = rows.iter().map(|r| vec![false; r.pieces.len()]).collect();
    for i in (1..rows.len()).rev() {
        for (k, p) in rows[i].pieces.iter().enumerate() {
            let Some((li, j)) = above(rows, i, p) else {
                continue;
            };
            if !is_full(rows, li, j, end) {
                continue;
            }
            let tail = 2 * chars(&p.text) < chars(&rows[li].pieces[j].text);
            continues[i][k] = tail && may_continue(&p.text);
        }
    }
    continues.iter().map(|c| c.iter().any(|&x| x)).collect()
}

/// A piece starting with a digit under one ending in a word: a value
/// below its label, not the label's next line. A label is short: under a
/// sentence (`…满意度稳定在` / `95%以上`) the number is its wrapped tail.
fn number_under_word(upper: &str, lower: &str) -> bool {
    const LABEL_CHARS: usize = 12;
    lower.trim_start().starts_with(|c: char| c.is_ascii_digit())
        && (upper.trim_end().chars().next_back()).is_some_and(|c| !c.is_ascii_digit())
        && upper.trim().chars().count() <= LABEL_CHARS
}

/// True when piece `j` of line `li` fills its cell: its text reaches the
/// cell's right edge — the next piece on its line, the spaces a padded
/// rendering printed after it, or the nearest cell start after it on the
/// lines around.
fn is_full(rows: &[BlockLine<'_>], li: usize, j: usize, table_end: usize) -> bool {
    let line = &rows[li];
    let q = &line.pieces[j];
    // The cell's right edge: the next piece on its line, else the nearest
    // cell start after it on the lines around (a wide merged cell's text
    // stops far from the next column).
    let around = rows[li.saturating_sub(4)..(li + 5).min(rows.len())].iter();
    let near = (around.flat_map(|r| r.pieces.iter()))
        .map(|p| p.start)
        .filter(|&s| s >= q.end)
        .min();
    let edge = match line.pieces.get(j + 1) {
        Some(next) => near.unwrap_or(next.start).min(next.start),
        None if line.width > q.end => line.width,
        None => near.unwrap_or(table_end),
    };
    // A cell narrower than two characters cannot tell wrapping apart; the
    // slack allows a character and a half (half of it on each side for
    // centred text).
    q.end >= q.start + 4 && q.end + 3 >= edge
}

/// True when `p` sits in the column of `q`, the piece above it: starting
/// where it starts (left-aligned cells), or centred where it is centred
/// (centred cells wrap each line about the middle).
fn below(q: &Printed<'_>, p: &Printed<'_>) -> bool {
    // A wrapped line is never wider than the cell's first line.
    let narrower = p.end - p.start <= q.end - q.start + 1;
    let centred = (p.start + p.end).abs_diff(q.start + q.end) <= 6
        && p.start + 1 >= q.start
        && p.end <= q.end + 2;
    // An OCR box dump prints each line where its box was found: a wrapped
    // line centred in its cell may sit a few columns off the line above.
    // Lying mostly under it, its middle within five columns of the one
    // above's, counts.
    let overlap = q.end.min(p.end).saturating_sub(q.start.max(p.start));
    let mostly = 2 * overlap >= p.end - p.start
        && (p.start + p.end).abs_diff(q.start + q.end) <= 10
        && p.start + 4 >= q.start
        && p.end <= q.end + 4;
    narrower && (q.start.abs_diff(p.start) <= 1 || centred || mostly)
}

/// False for a text that cannot be the next line of a wrapped cell: one
/// opening a numbered item (`2、`), or a label awaiting its value (ending
/// in a colon).
fn may_continue(text: &str) -> bool {
    !opens_item(text) && !text.trim_end().ends_with([':', '：'])
}

/// True for text that opens a numbered item (`1.`, `2、`, `(3)`, `一、`).
fn opens_item(text: &str) -> bool {
    let key = crate::text::normalize::fold_key(text);
    crate::text::normalize::enumerator_len(&key) > 0
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

    /// A box dump (one visual line per line): cells wrapped at their
    /// width continue on the next lines, in the same column.
    #[test]
    fn wrapped_cells_are_joined() {
        // The middle line shows its wrap by a tail beside it (算收入).
        let src = concat!(
            "合计  1.一般公  2.政府性基金预  5.其他收入\n",
            "      共预算收  算收入\n",
            "      入\n",
            "71    50        21\n",
        );
        let lines = split_lines(src);
        let (g, next) = build(&lines, 0, None).unwrap();
        assert_eq!(next, 4);
        let texts: Vec<(usize, &str)> = (g.rows.iter())
            .flat_map(|r| r.cells.iter().map(|c| (c.line, c.text())))
            .collect();
        assert_eq!(
            texts,
            vec![
                (1, "合计"),
                (1, "1.一般公共预算收入"),
                (1, "2.政府性基金预算收入"),
                (1, "5.其他收入"),
                (4, "71"),
                (4, "50"),
                (4, "21"),
            ]
        );
    }

    /// An OCR box dump prints each line of a centred cell where its box
    /// was: a few columns off the line above (险基金收 starts three
    /// columns left of 4.社会保), the last cell of a line short of where
    /// its column ends, and a third line of word tails under cells that do
    /// not look full.
    #[test]
    fn centred_wraps_of_a_box_dump_are_joined() {
        let src = concat!(
            "                  1.一般公  2.政府性基金预  3.国有资本经营预  4.社会保\n",
            " 项目资   合计    共预算收     算收入         算收入       险基金收             5.其他收入\n",
            " 金来源              入                                      入\n",
            "          212.3    212.3\n",
        );
        let lines = split_lines(src);
        let (g, _) = build(&lines, 0, None).unwrap();
        let texts: Vec<&str> = (g.rows.iter())
            .flat_map(|r| r.cells.iter().map(|c| c.text()))
            .collect();
        assert_eq!(
            texts,
            vec![
                "项目资金来源",
                "合计",
                "1.一般公共预算收入",
                "2.政府性基金预算收入",
                "3.国有资本经营预算收入",
                "4.社会保险基金收入",
                "5.其他收入",
                "212.3",
                "212.3",
            ]
        );
    }

    /// A two-line value centred on its one-line label: its lines above and
    /// below the row, in a gap of the row, are one cell of it.
    #[test]
    fn a_value_straddling_its_row_is_joined_into_it() {
        let src = concat!(
            "     项目名称    医保基金监管专项经费\n",
            "                 自然资源和规划局机关\n",
            "  预算单位及代码                     实施单位及责任人     罗娟晓\n",
            "                 131008\n",
            "    项目属性     新增项目             项目期限       一次性\n",
        );
        let lines = split_lines(src);
        let (g, _) = build(&lines, 0, None).unwrap();
        let rows: Vec<Vec<&str>> = (g.rows.iter())
            .map(|r| r.cells.iter().map(|c| c.text()).collect())
            .collect();
        assert_eq!(
            rows[1],
            vec![
                "预算单位及代码",
                "自然资源和规划局机关131008",
                "实施单位及责任人",
                "罗娟晓"
            ]
        );
        assert_eq!(rows.len(), 3);
        // Read on the label's line.
        assert!(g.rows[1].cells.iter().all(|c| c.line == 3));
    }

    /// A sentence wrapped before a number (`…稳定在` / `95%以上`) goes on;
    /// a number under a short label is its value, a new row.
    #[test]
    fn a_number_under_a_sentence_continues_it() {
        let src = concat!(
            "总体目  分年度推进，逐步实现全域覆盖，满意度稳定在  全年完成培训任务，受益群众覆盖全部\n",
            "  标    95%以上，三年内全面完成，群众获得感明显提升  乡镇\n",
            "        完成\n",
            "合计    一般公共\n",
            "8       8\n",
        );
        let lines = split_lines(src);
        let (g, _) = build(&lines, 0, None).unwrap();
        let texts: Vec<&str> = (g.rows.iter())
            .flat_map(|r| r.cells.iter().map(|c| c.text()))
            .collect();
        assert!(
            texts.contains(&"分年度推进，逐步实现全域覆盖，满意度稳定在95%以上，三年内全面完成，群众获得感明显提升完成"),
            "{texts:?}"
        );
        assert!(
            texts.contains(&"8") && texts.contains(&"一般公共"),
            "{texts:?}"
        );
    }

    /// One row per line: a cell that fills its width above another is
    /// two rows, told by the cells beside them, by a number under a word,
    /// or by lines padded to the table's width.
    #[test]
    fn full_cells_one_row_per_line_are_not_joined() {
        for src in [
            // The cell beside the lower one sits under a cell that does not
            // fill its width: a new row.
            "三级指标    值\n2.落实相关  6次/年\n办结率      达100%\n",
            // A number under a label.
            "合计  一般公共\n8     8\n",
            // A header row under a long last cell is no wrap of it.
            "总体目标  年度目标\n          提升服务质量和群众满意度\n一级指标  二级指标  三级指标\n",
            // Padded lines.
            "a          网民满意度  网民访问互动  \n           群众满意    群众对政府    \n",
        ] {
            let lines = split_lines(src);
            let (g, _) = build(&lines, 0, None).unwrap();
            let n: usize = g.rows.iter().map(|r| r.cells.len()).sum();
            let printed = src.split_whitespace().count();
            assert_eq!(n, printed, "{src}");
        }
    }
}
