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

mod html;
mod pipe;
pub mod sniff;
mod text;
mod tsv;

use crate::text::lines::Line;

/// Which builder read a table; written to `source.format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Tab-flattened rows ([`tsv`]).
    Tsv,
    /// An HTML `<table>` ([`html`]).
    Html,
    /// A GFM pipe table ([`pipe`]).
    Markdown,
    /// Space-aligned text ([`text`]).
    Text,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Tsv => "tsv",
            Format::Html => "html",
            Format::Markdown => "markdown",
            Format::Text => "text",
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
    /// Number of rows covered (≥ 1; only HTML `rowspan` gives more). The
    /// cell is stored once, in the row where it starts.
    pub rowspan: usize,
    /// 1-based source line (the printed text is there; the grid keeps only
    /// what later stages read).
    pub line: usize,
    /// Where the cell is printed on the page, when the rendering gives
    /// positions (space-aligned text): text centred in a merged cell is
    /// placed by them, not by its first column.
    pub x: Option<Place>,
    /// The clean text followed by its folded key, in one allocation (every
    /// cell of every form has both; two strings each doubled the cells'
    /// allocations).
    buf: String,
    /// Where the key starts in `buf`.
    split: usize,
}

impl Cell {
    /// A cell from its printed text; `None` when the text is empty once
    /// cleaned (tags only, spaces only).
    pub fn new(col: usize, span: usize, line: usize, raw: &str) -> Option<Cell> {
        // The clean text goes to a reused buffer first: its length sizes
        // the cell's one allocation.
        thread_local! {
            static SCRATCH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        let (buf, split) = SCRATCH.with_borrow_mut(|text| {
            let mut folds_to_itself = crate::text::normalize::clean_into(raw, text);
            if crate::text::normalize::may_have_rule_marks(text) {
                let trimmed = crate::text::normalize::trim_rule_marks(text);
                // A cell of nothing but a mark (a pipe table's `\|`) keeps it.
                if trimmed.len() != text.len() && !trimmed.is_empty() {
                    *text = trimmed.to_string();
                    folds_to_itself = false;
                }
            }
            if text.is_empty() {
                return None;
            }
            // A key is rarely longer than its text (NFKC expansions only).
            let mut buf = String::with_capacity(2 * text.len());
            buf.push_str(text);
            if folds_to_itself {
                // Many cells (ideographs, digits): the key is the text.
                buf.push_str(text);
            } else {
                crate::text::normalize::fold_key_into(text, &mut buf);
            }
            Some((buf, text.len()))
        })?;
        Some(Cell {
            col,
            span: span.max(1),
            rowspan: 1,
            x: None,
            line,
            buf,
            split,
        })
    }

    /// Clean text (see [`crate::text::normalize::clean`]); never empty.
    pub fn text(&self) -> &str {
        &self.buf[..self.split]
    }

    /// [`Cell::text`] folded for matching (see
    /// [`crate::text::normalize::fold_key`]), computed once here because every
    /// later stage compares cells with labels.
    pub fn key(&self) -> &str {
        &self.buf[self.split..]
    }

    /// The same cell placed on the page: its text at display columns
    /// `[start, end)`, its cell reaching to `edge`.
    pub fn at(mut self, start: usize, end: usize, edge: usize) -> Cell {
        let end = end.max(start + 1);
        self.x = Some(Place {
            start: start as u32,
            end: end as u32,
            edge: edge.max(end) as u32,
        });
        self
    }

    /// The same cell covering `rows` rows (HTML `rowspan`).
    pub fn with_rowspan(mut self, rows: usize) -> Cell {
        self.rowspan = rows.max(1);
        self
    }

    /// One past the last column covered.
    pub fn end(&self) -> usize {
        self.col + self.span
    }
}

/// Display columns of a cell's text and of its cell (space-aligned text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// First column of the text.
    pub start: u32,
    /// One past the text's last column.
    pub end: u32,
    /// One past the cell's last column (where the next cell begins).
    pub edge: u32,
}

impl Place {
    /// Twice the middle of the text (kept whole).
    pub fn mid2(&self) -> u32 {
        self.start + self.end
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
    /// Clean text, heading marks (`#`) removed; never empty.
    pub text: String,
    /// `text` folded for matching.
    pub key: String,
}

impl FreeLine {
    /// A free line from its printed text; `None` when nothing is left once
    /// cleaned.
    pub fn new(line: usize, raw: &str) -> Option<FreeLine> {
        let body = raw.trim_start().trim_start_matches('#');
        let mut text = String::with_capacity(body.len());
        let folds_to_itself = crate::text::normalize::clean_into(body, &mut text);
        if text.is_empty() {
            return None;
        }
        Some(FreeLine {
            line,
            raw: raw.trim().to_string(),
            key: if folds_to_itself {
                text.clone()
            } else {
                crate::text::normalize::fold_key(&text)
            },
            text,
        })
    }
}

/// A form's lines, sorted into tables and free lines.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub grids: Vec<Grid>,
    pub free: Vec<FreeLine>,
}

/// Builds a row from printed cells, one per column: a run of empty cells
/// after a cell is that cell's span (tab-flattened rows, pipe tables). The
/// last cell spans to the row's last column.
pub(crate) fn row_from_columns<'a>(fields: impl IntoIterator<Item = &'a str>, line: usize) -> Row {
    // Sized for a form's widest rows: growing from empty cost three
    // reallocations per row.
    let mut cells: Vec<Cell> = Vec::with_capacity(8);
    let mut ncols = 0;
    for (col, raw) in fields.into_iter().enumerate() {
        ncols = col + 1;
        // A blank (spaces only) cell comes back `None` from `Cell::new`.
        if raw.is_empty() {
            continue;
        }
        let Some(cell) = Cell::new(col, 1, line, raw) else {
            continue;
        };
        if let Some(prev) = cells.last_mut() {
            prev.span = col - prev.col;
        }
        cells.push(cell);
    }
    if let Some(last) = cells.last_mut() {
        last.span = ncols.saturating_sub(last.col).max(1);
    }
    Row { line, cells }
}

/// One rendering's table reader. Every builder produces the same model,
/// so nothing downstream knows which rendering a table came in.
trait Builder: Sync {
    /// Cheap test ([`sniff`]): may a table of this rendering start at line
    /// `i`?
    fn starts(&self, lines: &[Line<'_>], i: usize, skip: Option<usize>) -> bool;

    /// Reads the table starting at line `start` (never reading line `skip`,
    /// the title): pushes its grids, and any text of its block outside
    /// cells as free lines, to `out`, and returns the index of the first
    /// line after it; `None` (and nothing pushed) when there is no table
    /// there after all.
    fn build(
        &self,
        lines: &[Line<'_>],
        start: usize,
        skip: Option<usize>,
        out: &mut Layout,
    ) -> Option<usize>;
}

/// The builders, in the order they are tried at each line.
const BUILDERS: [&dyn Builder; 4] = [&html::HtmlTables, &pipe::Pipe, &tsv::Tsv, &text::Aligned];

/// Finds the tables in a form's lines (skipping the title line) and keeps the
/// rest as free lines. The rendering is detected per table, so one form may
/// mix them: an HTML `<table>` ([`html`]), a GFM pipe table with its
/// delimiter row ([`pipe`]), tab-flattened rows ([`tsv`]), or space-aligned
/// text ([`text`]), tried in that order at each line.
pub fn layout(lines: &[Line<'_>], skip: Option<usize>) -> Layout {
    let mut out = Layout::default();
    let mut i = 0;
    'lines: while i < lines.len() {
        if Some(i) == skip {
            i += 1;
            continue;
        }
        for builder in BUILDERS {
            if builder.starts(lines, i, skip) {
                if let Some(next) = builder.build(lines, i, skip, &mut out) {
                    i = next;
                    continue 'lines;
                }
            }
        }
        if let Some(fl) = FreeLine::new(lines[i].no, lines[i].text) {
            out.free.push(fl);
        }
        i += 1;
    }
    out
}
