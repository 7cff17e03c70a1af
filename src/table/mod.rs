//! Table: one grid model for every rendering of a form's table.
//!
//! A [`Grid`] is rows of [`Cell`]s; each cell knows its first column, how
//! many columns it spans and the source line it came from. Builders (one
//! module per rendering) produce the same model, so everything downstream is
//! written once. Only non-empty cells are stored: a merged cell is one cell
//! with a span, and the empty cells of a row are the gaps between cells.
//!
//! [`layout`] splits a form's lines into grids and the free lines around
//! them (title, header and signature lines).

pub mod tsv;

use crate::segment::Line;

/// Which builder read a table; written to `source.format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Tsv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Tsv => "tsv",
        }
    }
}

/// One non-empty cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// First column, from 0.
    pub col: usize,
    /// Number of columns covered (≥ 1).
    pub span: usize,
    /// 1-based source line.
    pub line: usize,
    /// Printed text, as in the source.
    pub raw: String,
    /// Clean text (see [`crate::normalize::clean`]); never empty.
    pub text: String,
    /// `text` folded for matching (see [`crate::normalize::fold`]), computed
    /// once here because every later stage compares cells with labels.
    pub key: String,
}

impl Cell {
    /// A cell from its printed text; `None` when the text is empty once
    /// cleaned (tags only, spaces only).
    pub fn new(col: usize, span: usize, line: usize, raw: &str) -> Option<Cell> {
        let text = crate::normalize::clean(raw);
        if text.is_empty() {
            return None;
        }
        Some(Cell {
            col,
            span: span.max(1),
            line,
            raw: raw.to_string(),
            key: crate::normalize::fold_key(&text),
            text,
        })
    }

    /// One past the last column covered.
    pub fn end(&self) -> usize {
        self.col + self.span
    }
}

/// One table row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: usize,
    /// Non-empty cells, left to right.
    pub cells: Vec<Cell>,
}

/// A table.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub format: Format,
    pub rows: Vec<Row>,
}

/// A non-blank line outside every table.
#[derive(Debug, Clone, PartialEq)]
pub struct FreeLine {
    pub line: usize,
    pub raw: String,
}

/// A form's lines, sorted into tables and free lines.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub grids: Vec<Grid>,
    pub free: Vec<FreeLine>,
}

/// Finds the tables in a form's lines (skipping the title line) and keeps the
/// rest as free lines.
pub fn layout(lines: &[Line<'_>], skip: Option<usize>) -> Layout {
    let mut out = Layout::default();
    let mut i = 0;
    while i < lines.len() {
        if Some(i) == skip {
            i += 1;
            continue;
        }
        if tsv::is_row(lines[i].text) {
            let (grid, next) = tsv::build(lines, i, skip);
            if !grid.rows.is_empty() {
                out.grids.push(grid);
            }
            i = next;
            continue;
        }
        if !lines[i].text.trim().is_empty() {
            out.free.push(FreeLine {
                line: lines[i].no,
                raw: lines[i].text.to_string(),
            });
        }
        i += 1;
    }
    out
}
