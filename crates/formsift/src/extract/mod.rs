//! Extract: map a form's grid and free lines onto the template.
//!
//! 1. Every grid cell is classified ([`cells`]): label, label with its value,
//!    or plain value.
//! 2. Each label cell takes its value: from its own cell, else from the cells
//!    to its right (or below, for `layout = "below"` fields) up to the next
//!    label. Labels printed for several fields (其中:财政拨款 in the mid-term
//!    and annual columns) go to the field whose `column_of` anchor is
//!    nearest. Each label is used once per form.
//! 3. Free lines (outside the table) are scanned for `label：value` pairs.
//! 4. The indicator table is read by [`indicators`].
//! 5. Whatever text went nowhere is listed in `unmapped`.

pub mod cells;
mod centred;
mod contiguous;
pub mod indicators;
mod numbered;
mod truncation;
pub mod values;

use crate::record::{
    Evidence, FieldValue, OcrNoise, Record, Repair, Source, Unmapped, Value, Warning,
};
use crate::segment::Form;
use crate::table::{self, Format, Grid};
use crate::template::{FieldSource, LabelTarget, Layout, Template};
use crate::text::normalize::clean;
use crate::vocab::WordMatch;
use cells::{classify_key, strip_label_tail, Candidates, CellClass};
use std::ops::Range;
use std::sync::Arc;
use values::Parsed;

/// One value per cell of a grid, stored flat (one allocation per grid, not
/// one per row), read a row at a time.
#[derive(Debug, Clone)]
pub struct PerCell<T> {
    /// `starts[r]..starts[r + 1]`: row `r`'s values in `items`.
    starts: Vec<usize>,
    items: Vec<T>,
}

impl<T> PerCell<T> {
    /// The values of every cell of `grid`, row by row.
    pub fn build(grid: &Grid, value: impl FnMut(usize, &table::Cell) -> T) -> Self {
        Self::from_rows(&grid.rows, value)
    }

    /// The values of every cell of `rows`, row by row (`value` gets the
    /// index into `rows`).
    pub fn from_rows(rows: &[table::Row], mut value: impl FnMut(usize, &table::Cell) -> T) -> Self {
        let mut starts = Vec::with_capacity(rows.len() + 1);
        let mut items = Vec::with_capacity(rows.iter().map(|r| r.cells.len()).sum());
        starts.push(0);
        for (r, row) in rows.iter().enumerate() {
            items.extend(row.cells.iter().map(|c| value(r, c)));
            starts.push(items.len());
        }
        PerCell { starts, items }
    }

    /// Where row `r`'s values are in `items` (empty past the last row).
    fn span(&self, r: usize) -> std::ops::Range<usize> {
        match (self.starts.get(r), self.starts.get(r + 1)) {
            (Some(&a), Some(&b)) => a..b,
            _ => 0..0,
        }
    }

    /// Row `r`'s values (empty past the last row).
    pub fn row(&self, r: usize) -> &[T] {
        &self.items[self.span(r)]
    }

    /// Row `r`'s values, mutable (empty past the last row).
    pub fn row_mut(&mut self, r: usize) -> &mut [T] {
        let span = self.span(r);
        &mut self.items[span]
    }

    /// Every row's values, in order.
    pub fn rows(&self) -> impl Iterator<Item = &[T]> {
        self.starts.windows(2).map(|w| &self.items[w[0]..w[1]])
    }
}

/// Which cells of a grid have gone into the record.
#[derive(Debug, Clone)]
pub struct Consumed {
    cells: PerCell<bool>,
}

impl Consumed {
    pub fn new(grid: &Grid) -> Self {
        Consumed {
            cells: PerCell::build(grid, |_, _| false),
        }
    }
    pub fn mark(&mut self, row: usize, cell: usize) {
        if let Some(c) = self.cells.row_mut(row).get_mut(cell) {
            *c = true;
        }
    }
    pub fn is(&self, row: usize, cell: usize) -> bool {
        self.cells.row(row).get(cell).copied().unwrap_or(false)
    }
}

/// A field's value as found, before it becomes a [`FieldValue`].
#[derive(Debug, Clone)]
struct Slot {
    parsed: Parsed,
    /// The text the value came from, kept only when the record will print
    /// it (the value differs from it, or repairs were made).
    raw: Option<String>,
    line: usize,
    repairs: Vec<Repair>,
    /// Column of the label cell (grid fields only).
    col: Option<usize>,
    /// (grid, row) of the value (grid fields only).
    row: Option<(usize, usize)>,
}

/// Per-form extraction state.
struct State<'t> {
    template: &'t Template,
    slots: Vec<Option<Slot>>,
    /// `used_labels[i]`: label `i` has been read (a label fills once).
    used_labels: Vec<bool>,
    unmapped: Vec<Unmapped>,
    warnings: Vec<Warning>,
    /// The labels' edits so far.
    ocr: OcrNoise,
}

/// One value without a list to allocate (the common case: a label that
/// names one field, a cell that is exactly one label), or several.
/// Derefs to the slice.
#[derive(Debug, Clone, PartialEq)]
pub enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> std::ops::Deref for OneOrMany<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            OneOrMany::One(x) => std::slice::from_ref(x),
            OneOrMany::Many(xs) => xs,
        }
    }
}

/// What a label cell was resolved to.
enum Resolved {
    Scaffold,
    /// The field(s) it fills (several: fields cutting their parts out of
    /// one cell).
    Fields(OneOrMany<usize>),
}

impl Resolved {
    /// The fields filled (none for a scaffold label).
    fn fields(&self) -> &[usize] {
        match self {
            Resolved::Scaffold => &[],
            Resolved::Fields(fs) => fs,
        }
    }
}

impl<'t> State<'t> {
    /// Picks the first candidate label that is still free, and the field(s)
    /// it fills.
    ///
    /// `order` is (rank, count) of this cell among the cells of its row that
    /// print the same label: when as many of them as open fields are in the
    /// row, they go left to right to the fields ordered by anchor column,
    /// which survives a row shifted sideways (a nearest-anchor rule does not).
    fn resolve(
        &self,
        cands: &[WordMatch],
        col: Option<usize>,
        order: Option<(usize, usize)>,
    ) -> Option<(WordMatch, Resolved)> {
        for cand in cands {
            match &self.template.label_targets[cand.word] {
                LabelTarget::Scaffold => {
                    if !self.used_labels[cand.word] {
                        return Some((*cand, Resolved::Scaffold));
                    }
                }
                // Most labels name one field: no list of open ones to build.
                LabelTarget::Fields(fs) if fs.len() == 1 => {
                    if self.slots[fs[0]].is_none() {
                        return Some((*cand, Resolved::Fields(OneOrMany::One(fs[0]))));
                    }
                }
                LabelTarget::Fields(fs) => {
                    let open: Vec<usize> = fs
                        .iter()
                        .copied()
                        .filter(|&f| self.slots[f].is_none())
                        .collect();
                    if open.is_empty() {
                        continue;
                    }
                    // Fields cutting parts out of one cell are filled together.
                    if open
                        .iter()
                        .all(|&f| self.template.fields[f].split.is_some())
                    {
                        return Some((*cand, Resolved::Fields(OneOrMany::Many(open))));
                    }
                    if let Some((rank, count)) = order {
                        let mut anchored: Vec<(usize, usize)> = open
                            .iter()
                            .filter_map(|&f| self.anchor_col(f).map(|a| (a, f)))
                            .collect();
                        if anchored.len() == open.len() && open.len() == count - rank {
                            anchored.sort();
                            return Some((*cand, Resolved::Fields(OneOrMany::One(anchored[0].1))));
                        }
                    }
                    let best = open
                        .iter()
                        .copied()
                        .min_by_key(|&f| self.anchor_distance(f, col))
                        .unwrap_or(open[0]);
                    return Some((*cand, Resolved::Fields(OneOrMany::One(best))));
                }
            }
        }
        None
    }

    /// Column of the label of the field's `column_of` anchor, if found.
    fn anchor_col(&self, field: usize) -> Option<usize> {
        self.template.fields[field]
            .column_of
            .and_then(|a| self.slots[a].as_ref())
            .and_then(|s| s.col)
    }

    /// Column distance between a cell and the field's `column_of` anchor.
    fn anchor_distance(&self, field: usize, col: Option<usize>) -> usize {
        match (self.anchor_col(field), col) {
            (Some(a), Some(c)) => a.abs_diff(c),
            _ => usize::MAX / 2,
        }
    }

    fn fill(
        &mut self,
        fields: &[usize],
        text: &str,
        line: usize,
        repairs: &[Repair],
        col: Option<usize>,
    ) {
        let slot = |parsed: Parsed| Slot {
            raw: ((parsed.changed || !repairs.is_empty() || !parsed.repairs.is_empty())
                && !text.is_empty())
            .then(|| text.to_string()),
            parsed,
            line,
            repairs: repairs.to_vec(),
            col,
            row: None,
        };
        // Nearly every label fills one field: no lists to build.
        if let [f] = *fields {
            let parsed = values::parse(&self.template.fields[f], text, self.template);
            self.slots[f] = Some(slot(parsed));
            return;
        }
        let specs: Vec<&crate::template::Field> =
            fields.iter().map(|&f| &self.template.fields[f]).collect();
        let parsed = values::parse_many(&specs, text, self.template);
        for (&f, parsed) in fields.iter().zip(parsed) {
            self.slots[f] = Some(slot(parsed));
        }
    }

    /// Counts a label read toward the form's OCR noise: a whole word read
    /// adds its characters, a cut-short one the characters printed.
    fn read_label(&mut self, m: &WordMatch) {
        let word = self.template.labels[m.word].chars.len() as f32;
        let chars = match m.quality {
            crate::vocab::MatchQuality::Truncated => (word * m.score as f32).round(),
            _ => word,
        };
        self.ocr.label_chars += chars;
        self.ocr.label_cost += m.cost;
    }

    fn unmapped(&mut self, line: usize, text: &str) {
        let text = text.trim();
        if !text.is_empty() {
            self.unmapped.push(Unmapped {
                line,
                text: text.to_string(),
            });
        }
    }
}

fn label_repairs(m: &WordMatch, printed: &str, template: &Template) -> Vec<Repair> {
    let to = &template.labels[m.word].text;
    m.quality
        .repair_kinds()
        .iter()
        .map(|k| Repair::change(*k, printed, to))
        .collect()
}

/// Extracts one form, its lines already sorted into tables and free lines
/// (`layout`), into a record (confidence is filled in by `score`).
pub fn extract_form(
    path: &Arc<str>,
    form: &Form<'_>,
    layout: &table::Layout,
    template: &Template,
) -> Record {
    let mut st = State {
        template,
        slots: vec![None; template.fields.len()],
        used_labels: vec![false; template.labels.len()],
        unmapped: Vec::new(),
        warnings: Vec::new(),
        ocr: OcrNoise::default(),
    };
    fields_from_title(form, &mut st);
    // Grids: fields first (their values tell which indicator horizons are in use).
    let (sections, mut consumed) = fields_from_grids(layout, &mut st);
    for fl in &layout.free {
        fields_from_line(fl.line, &fl.text, &fl.key, &mut st);
    }
    let used_horizons = horizons_in_use(&st);
    let mut indicators = Vec::new();
    let mut last_header: Option<indicators::Header> = None;
    for (gi, grid) in layout.grids.iter().enumerate() {
        if let Some(section) = &sections[gi] {
            let carried = section.carried.then_some(last_header.as_ref()).flatten();
            let (read, header) = indicators::extract(
                grid,
                gi,
                section.rows.clone(),
                carried,
                template,
                &used_horizons,
                &mut consumed[gi],
            );
            indicators.extend(read);
            last_header = header;
        }
        for (r, row) in grid.rows.iter().enumerate() {
            for (ci, cell) in row.cells.iter().enumerate() {
                if !consumed[gi].is(r, ci) {
                    st.unmapped(cell.line, cell.text());
                }
            }
        }
    }
    let fields = assemble_fields(&mut st);
    let (line_start, line_end) = form.line_range();
    let first_format = layout.grids.first().map(|g| g.format);
    let mut record = Record {
        schema: template.schema.clone(),
        template: template.id.clone(),
        source: Source {
            path: path.clone(),
            form_index: form.index,
            line_start,
            line_end,
            format: first_format.unwrap_or(Format::Tsv).as_str(),
        },
        confidence: 0.0,
        fields,
        indicators,
        unmapped: std::mem::take(&mut st.unmapped),
        warnings: std::mem::take(&mut st.warnings),
        ocr: st.ocr,
    };
    record.unmapped.sort_by_key(|u| u.line);
    truncation::flag_truncated(&mut record, layout, template);
    record
}

/// Fields whose value is the form's title line.
fn fields_from_title(form: &Form<'_>, st: &mut State<'_>) {
    let Some(line) = form.title.and_then(|ti| form.lines.get(ti)) else {
        return;
    };
    for (fi, f) in st.template.fields.iter().enumerate() {
        if matches!(f.source, FieldSource::Title) {
            st.fill(&[fi], &form.title_text, line.no, &[], None);
        }
    }
}

/// The rows of a grid that hold its indicator table.
#[derive(Debug, Clone)]
struct Section {
    rows: Range<usize>,
    /// Set when the grid prints no header of its own: it goes on from the
    /// previous grid's indicator table (the next page) and is read with
    /// that table's header.
    carried: bool,
}

/// Edit cost per character charged to the noise estimate for a required
/// label not found: as if half its characters were misread.
const UNREAD_LABEL_COST: f32 = 0.5;

/// Fields from every grid's label cells. Returns each grid's indicator
/// section (read later, once the fields tell which horizons are in use)
/// and which of its cells went into the record.
fn fields_from_grids(
    layout: &table::Layout,
    st: &mut State<'_>,
) -> (Vec<Option<Section>>, Vec<Consumed>) {
    let template = st.template;
    let mut sections: Vec<Option<Section>> = Vec::with_capacity(layout.grids.len());
    let mut consumed: Vec<Consumed> = Vec::with_capacity(layout.grids.len());
    for (gi, grid) in layout.grids.iter().enumerate() {
        let previous = gi
            .checked_sub(1)
            .and_then(|p| sections.get(p))
            .cloned()
            .flatten();
        let open = previous.is_some_and(|s| s.rows.end == layout.grids[gi - 1].rows.len());
        let section = match indicator_section(grid, template) {
            Some(rows) => Some(Section {
                rows,
                carried: false,
            }),
            None if open => continued_section(grid, template),
            None => None,
        };
        // Rows of the indicator table are read by `indicators`, not as labels.
        let classes = PerCell::build(grid, |r, c| {
            if section.as_ref().is_some_and(|s| s.rows.contains(&r)) {
                CellClass::Value
            } else {
                classify_key(c.text(), c.key(), template)
            }
        });
        let mut used = Consumed::new(grid);
        let rows = section.as_ref().map(|s| s.rows.clone());
        fields_from_grid(grid, gi, &classes, &rows, st, &mut used);
        sections.push(section);
        consumed.push(used);
    }
    (sections, consumed)
}

/// Rows of the indicator table: from its header row to the end of the grid,
/// or to the first later row that prints a field label exactly (signatures
/// inside the table).
fn indicator_section(grid: &Grid, template: &Template) -> Option<Range<usize>> {
    let start = grid
        .rows
        .iter()
        .position(|r| indicators::is_header_row(&r.cells, template))?;
    Some(start..section_end(grid, start + 1, template))
}

/// A grid with no indicator header right after a grid whose indicator
/// table ran to its end: when a row before any field label prints a
/// level-1 or level-2 name, the table goes on here (the next page, which
/// may start with the rest of a row cut by the page break).
fn continued_section(grid: &Grid, template: &Template) -> Option<Section> {
    let end = section_end(grid, 0, template);
    let ind = &template.indicators;
    let names = |c: &table::Cell| {
        let key = &c.key()[crate::text::normalize::enumerator_len(c.key())..];
        let [l1, l2] = crate::vocab::Vocabulary::best_in_each(key, [&ind.level1, &ind.level2]);
        l1.or(l2).is_some_and(|m| m.score >= 0.5)
    };
    let rows = grid.rows.get(..end)?;
    if !rows.iter().any(|r| r.cells.iter().any(names)) {
        return None;
    }
    Some(Section {
        rows: 0..end,
        carried: true,
    })
}

/// The end of an indicator section whose rows start at `from`: the first
/// row that prints a field label (signatures inside the table), else the
/// grid's end.
fn section_end(grid: &Grid, from: usize, template: &Template) -> usize {
    (from..grid.rows.len())
        .find(|&r| {
            grid.rows[r].cells.iter().any(|c| {
                let key = &c.key()[crate::text::normalize::enumerator_len(c.key())..];
                if !template.labels.may_start_a_word(key) {
                    return false;
                }
                let exact = template.labels.exact(key);
                exact.is_some_and(|l| matches!(template.label_targets[l], LabelTarget::Fields(_)))
                    || starts_with_field_label(key, template)
            })
        })
        .unwrap_or(grid.rows.len())
}

/// True when the key starts with a field label followed by a colon (a
/// `label：value` cell such as a signature).
fn starts_with_field_label(key: &str, template: &Template) -> bool {
    template
        .labels
        .word_at_start(key)
        .map(|(word, end)| {
            key[end..].starts_with(':')
                && matches!(template.label_targets[word], LabelTarget::Fields(_))
        })
        .unwrap_or(false)
}

/// (rank, count) of the label cell `ci` among the cells of its row that
/// print the same label first: which of a repeated label's fields it is.
fn label_order(row: &[CellClass], ci: usize, cands: &Candidates) -> Option<(usize, usize)> {
    let first = cands.first()?;
    let same = |c: &CellClass| match c {
        CellClass::Label { cands: cs, .. } => cs.first().map(|m| m.word) == Some(first.word),
        CellClass::Value => false,
    };
    let rank = row[..ci].iter().filter(|c| same(c)).count();
    let count = row.iter().filter(|c| same(c)).count();
    Some((rank, count))
}

fn fields_from_grid(
    grid: &Grid,
    grid_index: usize,
    classes: &PerCell<CellClass>,
    section: &Option<Range<usize>>,
    st: &mut State<'_>,
    consumed: &mut Consumed,
) {
    let in_section = |r: usize| section.as_ref().map(|s| s.contains(&r)).unwrap_or(false);
    for (r, row) in grid.rows.iter().enumerate() {
        if in_section(r) {
            continue;
        }
        for (ci, cell) in row.cells.iter().enumerate() {
            if consumed.is(r, ci) {
                continue;
            }
            let CellClass::Label { cands, inline } = &classes.row(r)[ci] else {
                continue;
            };
            let order = label_order(classes.row(r), ci, cands);
            let Some((m, resolved)) = st.resolve(cands, Some(cell.col), order) else {
                st.warnings.push(Warning {
                    kind: "duplicate_label".into(),
                    path: ["line ", itoa::Buffer::new().format(cell.line)].concat(),
                    message: ["label printed again, kept in unmapped: ", cell.text()].concat(),
                });
                continue;
            };
            consumed.mark(r, ci);
            st.used_labels[m.word] = true;
            let fields = resolved.fields();
            if fields.is_empty() {
                continue;
            }
            st.read_label(&m);
            let mut repairs = label_repairs(&m, cell.text(), st.template);
            let (text, line, value_row) = match inline {
                Some(t) => (t.clone(), cell.line, r),
                None => {
                    let layout = st.template.fields[fields[0]].layout;
                    let rest = label_rest(cell.key(), &st.template.labels[m.word].key);
                    let below = Below {
                        in_section: &in_section,
                        label_rest: rest,
                    };
                    let taken = match layout {
                        Layout::Right => take_right(grid, classes, r, ci, consumed),
                        Layout::Below => take_below(grid, classes, r, ci, &below, consumed),
                    };
                    let (line, value_row) = taken
                        .first()
                        .map(|(l, row, _)| (*l, *row))
                        .unwrap_or((cell.line, r));
                    let texts: Vec<&str> = taken.iter().map(|(_, _, t)| *t).collect();
                    if texts.len() > 1
                        && st.template.fields[fields[0]].kind == crate::template::FieldType::Text
                    {
                        repairs.push(Repair::new(crate::record::RepairKind::CellSplitMerged));
                    }
                    (clean(&texts.join(" ")), line, value_row)
                }
            };
            st.fill(fields, &text, line, &repairs, Some(cell.col));
            for &f in fields {
                if let Some(slot) = st.slots[f].as_mut() {
                    slot.row = Some((grid_index, value_row));
                }
            }
        }
    }
}

/// Value cells right of `ci`, up to the next label cell.
fn take_right<'g>(
    grid: &'g Grid,
    classes: &PerCell<CellClass>,
    r: usize,
    ci: usize,
    consumed: &mut Consumed,
) -> Vec<(usize, usize, &'g str)> {
    let mut out = Vec::new();
    let row = &grid.rows[r];
    for (cj, (c, class)) in row
        .cells
        .iter()
        .zip(classes.row(r))
        .enumerate()
        .skip(ci + 1)
    {
        if class.is_label() || consumed.is(r, cj) {
            break;
        }
        consumed.mark(r, cj);
        out.push((c.line, r, c.text()));
    }
    out
}

/// What a search below a label needs to know.
struct Below<'a> {
    /// Rows of the indicator table (no values there).
    in_section: &'a dyn Fn(usize) -> bool,
    /// The folded rest of a label printed cut short (`一般公` of
    /// 一般公共预算收入 leaves `共预算收入`): a cell under it printing that
    /// rest is the label's own next line, wrapped, not its value.
    label_rest: Option<&'a str>,
}

/// The rest of `word` after the printed label `key` (its list number
/// skipped) when the label was printed cut short.
fn label_rest<'w>(key: &str, word: &'w str) -> Option<&'w str> {
    let key = &key[crate::text::normalize::enumerator_len(key)..];
    word.strip_prefix(key)
        .filter(|r| !r.is_empty() && !key.is_empty())
}

/// Cells that continue a label cut short (`共预算收`, then `入`): consumed
/// while they spell the rest of it.
struct LabelWrap<'a> {
    rest: Option<&'a str>,
}

impl<'a> LabelWrap<'a> {
    fn of(below: &Below<'a>) -> LabelWrap<'a> {
        LabelWrap {
            rest: below.label_rest,
        }
    }

    /// Adds value cell `c` (of row `r`) to `out`, unless it is the label's
    /// own next line, which is consumed with the label.
    fn take<'g>(&mut self, out: &mut Vec<(usize, usize, &'g str)>, r: usize, c: &'g table::Cell) {
        if out.is_empty() && self.continues(c.key()) {
            return;
        }
        out.push((c.line, r, c.text()));
    }

    /// True (and the rest shortened) when `key` goes on spelling the label.
    fn continues(&mut self, key: &str) -> bool {
        match self.rest {
            Some(rest) if !key.is_empty() && rest.starts_with(key) => {
                self.rest = Some(&rest[key.len()..]).filter(|r| !r.is_empty());
                true
            }
            _ => false,
        }
    }
}

/// Value cells below the label, within its columns, down to the next row
/// that prints a label.
fn take_below<'g>(
    grid: &'g Grid,
    classes: &PerCell<CellClass>,
    r: usize,
    ci: usize,
    below: &Below<'_>,
    consumed: &mut Consumed,
) -> Vec<(usize, usize, &'g str)> {
    let label = &grid.rows[r].cells[ci];
    if let Some(x) = label.x {
        return take_below_placed(grid, classes, r, x, below, consumed);
    }
    let in_section = below.in_section;
    let mut wrap = LabelWrap::of(below);
    // The last cell of a row whose trailing tabs were lost reaches to the
    // row's end: its span is unknown, not one column.
    let last = ci + 1 == grid.rows[r].cells.len();
    let (from, to) = (label.col, if last { usize::MAX } else { label.end() });
    let mut out = Vec::new();
    for (r2, (row, row_classes)) in grid.rows.iter().zip(classes.rows()).enumerate().skip(r + 1) {
        if in_section(r2) || row_classes.iter().any(|c| c.is_label()) {
            break;
        }
        for (cj, c) in row.cells.iter().enumerate() {
            if c.col >= from && c.col < to && !consumed.is(r2, cj) {
                consumed.mark(r2, cj);
                wrap.take(&mut out, r2, c);
            }
        }
    }
    out
}

/// [`take_below`] for cells placed on the page (space-aligned text): the
/// value cells whose owner in the label's row is the label — the label
/// they start under (left-aligned), else the one whose middle is nearest
/// theirs (centred) — down to the next row that prints a label under it.
/// Values centred in a merged cell, and labels of other columns centred on
/// lines of their own, are common there.
fn take_below_placed<'g>(
    grid: &'g Grid,
    classes: &PerCell<CellClass>,
    r: usize,
    label_at: table::Place,
    below: &Below<'_>,
    consumed: &mut Consumed,
) -> Vec<(usize, usize, &'g str)> {
    let in_section = below.in_section;
    let mut wrap = LabelWrap::of(below);
    // The cells a value may belong to: those of the label's row, and the
    // labels of the rows passed on the way down (labels of the same band,
    // centred on lines of their own).
    let mut heads: Vec<table::Place> = (grid.rows[r].cells.iter()).filter_map(|c| c.x).collect();
    let owner = |heads: &[table::Place], p: table::Place| -> Option<table::Place> {
        let aligned = heads.iter().find(|h| h.start.abs_diff(p.start) <= 1);
        aligned
            .or_else(|| heads.iter().min_by_key(|h| h.mid2().abs_diff(p.mid2())))
            .copied()
    };
    let overlaps = |c: &table::Cell| {
        c.x.is_none_or(|p| p.start < label_at.edge && p.edge > label_at.start)
    };
    let mut out = Vec::new();
    for (r2, (row, row_classes)) in grid.rows.iter().zip(classes.rows()).enumerate().skip(r + 1) {
        let label_under =
            (row.cells.iter().zip(row_classes)).any(|(c, k)| k.is_label() && overlaps(c));
        if in_section(r2) || label_under {
            break;
        }
        for (cj, c) in row.cells.iter().enumerate() {
            let mine = c.x.is_some_and(|p| owner(&heads, p) == Some(label_at));
            if mine && !row_classes[cj].is_label() && !consumed.is(r2, cj) {
                consumed.mark(r2, cj);
                wrap.take(&mut out, r2, c);
            }
        }
        let labels = (row.cells.iter().zip(row_classes)).filter(|(_, k)| k.is_label());
        heads.extend(labels.filter_map(|(c, _)| c.x));
    }
    out
}

/// Reads `label：value` pairs (and pattern fields) from a line outside the table.
fn fields_from_line(line: usize, text: &str, key: &str, st: &mut State<'_>) {
    let template = st.template;
    for (fi, f) in template.fields.iter().enumerate() {
        if let FieldSource::LinePattern(re) = &f.source {
            if st.slots[fi].is_none() {
                // The DFA search rules out most lines; only a line that
                // matches pays for the capturing search.
                let captures = re.find(text).and_then(|_| re.captures(text));
                if let Some(v) = captures.as_ref().and_then(|c| c.name("value")) {
                    let v = v.as_str().to_string();
                    st.fill(&[fi], &v, line, &[], None);
                    return;
                }
            }
        }
    }
    let hits = labels_on_line(key, template);
    let Some(first_start) = hits.first().map(|(at, _)| at.start) else {
        st.unmapped(line, text);
        return;
    };
    let offset = |i: usize| crate::text::normalize::clean_offset(text, i);
    st.unmapped(line, &text[..offset(first_start)]);
    for (k, (at, m)) in hits.iter().enumerate() {
        let label = m.word;
        let stop = (hits.get(k + 1)).map_or(text.len(), |h| offset(h.0.start));
        let start = offset(at.end).min(stop);
        let value = strip_label_tail(&text[start..stop]).to_string();
        match st.resolve(&[*m], None, None) {
            Some((_, Resolved::Scaffold)) => {
                st.used_labels[label] = true;
                st.unmapped(line, &value);
            }
            Some((_, resolved)) => {
                st.used_labels[label] = true;
                st.read_label(m);
                let printed = &text[offset(at.start)..offset(at.end)];
                let repairs = label_repairs(m, printed, template);
                st.fill(resolved.fields(), &value, line, &repairs, None);
            }
            None => {
                let seg_start = offset(at.start);
                st.unmapped(line, &text[seg_start..stop]);
            }
        }
    }
}

/// The labels of a free line: printed exactly at its start or before a
/// colon, or printed with confusions right before a colon
/// (`…科室负责人答字：徐平`), in line order.
/// True when label `word`, printed without its colon, ends the line with
/// a value of the shape its field takes (`…单位万元`: the OCR dropped the
/// colon): the field's `value_pattern` matches all of `rest`.
fn ends_with_its_value(template: &Template, word: usize, rest: &str) -> bool {
    let Some(LabelTarget::Fields(fields)) = template.label_targets.get(word) else {
        return false;
    };
    let pattern = fields
        .first()
        .and_then(|&f| template.fields[f].value_pattern.as_ref());
    !rest.is_empty() && pattern.is_some_and(|re| re.is_match(rest))
}

fn labels_on_line(key: &str, template: &Template) -> Vec<(Range<usize>, WordMatch)> {
    let mut hits: Vec<(Range<usize>, WordMatch)> = (template.labels.words_in(key).into_iter())
        .filter(|(at, w)| {
            at.start == 0
                || key[at.end..].starts_with(':')
                || ends_with_its_value(template, *w, &key[at.end..])
        })
        .map(|(at, w)| (at, WordMatch::exact(w)))
        .collect();
    for (colon, _) in key.match_indices(':') {
        if hits.iter().any(|(at, _)| at.end == colon) {
            continue;
        }
        // The text before the colon, back to the previous label's colon.
        let from = (hits.iter().map(|(at, _)| at.end))
            .chain(key[..colon].rfind(':').map(|c| c + 1))
            .filter(|&e| e <= colon)
            .max()
            .unwrap_or(0);
        if let Some((m, start)) = template.labels.fuzzy_word_at_end(&key[from..colon]) {
            hits.push((from + start..colon, m));
        }
    }
    hits.sort_by_key(|(at, _)| at.start);
    hits
}

/// Horizons the form's fields show in use (template `horizon_evidence`).
fn horizons_in_use<'t>(st: &State<'t>) -> Vec<&'t str> {
    let t = st.template;
    t.indicators
        .horizon_evidence
        .iter()
        .filter(|(_, keys)| {
            keys.iter().any(|k| {
                t.field_index(k)
                    .and_then(|i| st.slots[i].as_ref())
                    .map(|s| !s.parsed.value.is_null())
                    .unwrap_or(false)
            })
        })
        .map(|(h, _)| h.as_str())
        .collect()
}

fn assemble_fields(st: &mut State<'_>) -> Vec<(Arc<str>, FieldValue)> {
    let template = st.template;
    let mut out = Vec::with_capacity(template.fields.len());
    for (fi, f) in template.fields.iter().enumerate() {
        let fv = match st.slots[fi].take() {
            Some(slot) => {
                let p = slot.parsed;
                let mut fv = FieldValue::new(p.value, p.evidence);
                fv.repairs = slot.repairs;
                fv.repairs.extend(p.repairs);
                fv.raw = slot.raw;
                fv.line = Some(slot.line);
                fv.row = slot.row;
                fv.ambiguous = p.ambiguous;
                for (kind, message) in p.warnings {
                    st.warnings.push(Warning {
                        kind,
                        path: ["fields.", &f.key].concat(),
                        message,
                    });
                }
                fv
            }
            None => {
                if !f.optional {
                    // A required label not read at all counts toward the
                    // form's noise too: the labels matched alone would
                    // make a print garbled past recognition look clean.
                    let chars = f.labels.first().map_or(0, |l| l.chars().count()) as f32;
                    st.ocr.label_chars += chars;
                    st.ocr.label_cost += chars * UNREAD_LABEL_COST;
                    st.warnings.push(Warning {
                        kind: "field_not_found".into(),
                        path: ["fields.", &f.key].concat(),
                        message: ["no label of `", &f.key, "` found in the form"].concat(),
                    });
                }
                let evidence = if f.optional {
                    Evidence::AbsentOptional
                } else {
                    Evidence::AbsentRequired
                };
                FieldValue::new(Value::Null, evidence)
            }
        };
        out.push((f.key.clone(), fv));
    }
    out
}

#[cfg(test)]
mod tests;
