//! Indicators: read the 绩效指标 part of the table.
//!
//! Cells are placed by what they contain, not by fixed column numbers: a
//! cell naming a level-1 or level-2 indicator is recognised from the
//! template's hierarchy wherever it sits, and the free-text cells after a
//! level-2 cell are that indicator's name and value. The header row's column
//! roles are used only where content cannot decide (which half of the table
//! a lone row belongs to), and a row whose position points at a horizon the
//! form does not use is moved to one it does, with a `column_shift` repair.

use super::{centred, numbered};
use super::{Consumed, PerCell};
use crate::record::{Indicator, Repair, RepairKind};
use crate::table::{Cell, Grid, Row};
use crate::template::{HeaderRole, Indicators, Template};
use crate::text::normalize::{enumerator_len, strip_enumerator};
use crate::vocab::{MatchQuality, Vocabulary, WordMatch};
use std::sync::Arc;

/// Column roles read from the indicator header row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Header {
    pub level1_col: Option<usize>,
    /// First column of each horizon (its level-2 header column), ascending.
    pub horizon_cols: Vec<usize>,
    /// Horizon name for each entry of `horizon_cols`.
    pub horizon_names: Vec<Arc<str>>,
    pub level3_cols: Vec<usize>,
    pub value_cols: Vec<usize>,
}

/// [`header_role`] of a folded key.
pub fn header_role_key(key: &str, template: &Template) -> Option<HeaderRole> {
    if let Some(m) = template.indicators.header_labels.best(key) {
        return Some(template.indicators.header_roles[m.word]);
    }
    // A header printed with its qualifier: 指标值（含数字及文字描述）.
    // This runs for every cell above the indicator table: a cell starting
    // with no header's first character is ruled out before any compare.
    if !template.indicators.header_labels.may_start_a_word(key) {
        return None;
    }
    let ind = &template.indicators;
    let (word, _) = ind.header_labels.word_at_start(key)?;
    Some(ind.header_roles[word])
}

/// True when the row looks like the indicator header (two or more roles).
pub fn is_header_row(cells: &[Cell], template: &Template) -> bool {
    cells.len() >= 2
        && cells
            .iter()
            .filter(|c| header_role_key(c.key(), template).is_some())
            .nth(1)
            .is_some()
}

fn read_header<'c>(
    cells: impl Iterator<Item = &'c Cell>,
    ind: &Indicators,
    template: &Template,
) -> Header {
    let mut h = Header::default();
    let mut level2_cols = Vec::new();
    for c in cells {
        match header_role_key(c.key(), template) {
            Some(HeaderRole::Level1) => h.level1_col = h.level1_col.or(Some(c.col)),
            Some(HeaderRole::Level2) => level2_cols.push(c.col),
            Some(HeaderRole::Level3) => h.level3_cols.push(c.col),
            Some(HeaderRole::Value) => h.value_cols.push(c.col),
            None => {}
        }
    }
    if level2_cols.len() == ind.horizons.len() && !level2_cols.is_empty() {
        h.horizon_names = ind.horizons.clone();
        h.horizon_cols = level2_cols;
    } else {
        // One half only, or a header the OCR mangled: a single horizon.
        h.horizon_names = vec![ind.default_horizon.clone()];
        h.horizon_cols = vec![level2_cols.first().copied().unwrap_or(0)];
    }
    h
}

impl Header {
    /// The horizon (index) whose columns hold `col`.
    fn horizon_at(&self, col: usize) -> usize {
        self.horizon_cols
            .iter()
            .rposition(|&start| col >= start)
            .unwrap_or(0)
    }

    /// The nearest column of `cols` that lies in horizon `h`.
    fn col_in(&self, cols: &[usize], h: usize) -> Option<usize> {
        cols.iter().copied().find(|&c| self.horizon_at(c) == h)
    }
}

/// What an indicator-table cell is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Level1(usize, MatchQuality),
    Level2(usize, MatchQuality),
    Text,
    /// The rest of a name wrapped from the line above (`可持续影` / `响`):
    /// part of that cell, read with it.
    WrappedRest,
}

fn classify(cell: &Cell, header: &Header, ind: &Indicators) -> Kind {
    // Indicator names are numbered (`3.服务对象满意度`); level names never.
    let numbered = enumerator_len(cell.key());
    if numbered > 0 {
        return Kind::Text;
    }
    let key = cell.key();
    // A level name printed exactly (most cells of the table that are not
    // indicator text) is that name: the other vocabulary only counts if it
    // has the name exactly too (成本指标), and no fuzzy search is needed.
    let exact = [ind.level1.exact(key), ind.level2.exact(key)].map(|e| e.map(WordMatch::exact));
    let [l1, l2] = if exact.iter().any(Option::is_some) {
        exact
    } else {
        Vocabulary::best_in_each(key, [&ind.level1, &ind.level2])
    };
    match (l1, l2) {
        (Some(a), Some(b)) => {
            // A name in both vocabularies (成本指标): its column decides.
            let d1 = header
                .level1_col
                .map(|c| c.abs_diff(cell.col))
                .unwrap_or(usize::MAX);
            let d2 = header
                .horizon_cols
                .iter()
                .map(|c| c.abs_diff(cell.col))
                .min()
                .unwrap_or(usize::MAX);
            if d1 < d2 {
                Kind::Level1(a.word, a.quality)
            } else {
                Kind::Level2(b.word, b.quality)
            }
        }
        (Some(a), None) => Kind::Level1(a.word, a.quality),
        (None, Some(b)) => Kind::Level2(b.word, b.quality),
        (None, None) => Kind::Text,
    }
}

/// A run of cells in one row: an optional level-2 cell and the text cells
/// after it.
struct Segment<'c> {
    level2: Option<(usize, &'c Cell, MatchQuality)>,
    texts: Vec<&'c Cell>,
    /// Set for the left (0) and right (1) pair of a continuation row split
    /// in two: the half is its order, not its position.
    half: Option<usize>,
}

/// Reads indicators from `rows` of `grid`: the header row first (and the
/// header rows right under it: a header printed over two lines), then the
/// indicator rows. A table that goes on from a previous one (the next page,
/// printed without its header) is read with that table's `carried` header.
/// Returns the indicators and the header used.
pub fn extract(
    grid: &Grid,
    grid_index: usize,
    rows: std::ops::Range<usize>,
    carried: Option<&Header>,
    template: &Template,
    used_horizons: &[&str],
    consumed: &mut Consumed,
) -> (Vec<Indicator>, Option<Header>) {
    let ind = &template.indicators;
    let section = grid.rows.get(rows.clone()).unwrap_or(&[]);
    let (header, data_from) = match carried {
        Some(h) => (h.clone(), 0),
        None => {
            // The header and the header rows under it (one header over two
            // lines, such as a box dump prints it).
            let band = 1
                + (section.iter().skip(1))
                    .take_while(|r| is_header_row(&r.cells, template))
                    .count();
            if section.is_empty() {
                return (Vec::new(), None);
            }
            for (r, row) in section.iter().enumerate().take(band) {
                for ci in 0..row.cells.len() {
                    consumed.mark(rows.start + r, ci);
                }
            }
            let cells = section.iter().take(band).flat_map(|r| r.cells.iter());
            (read_header(cells, ind, template), band)
        }
    };
    let lines_are_rows = grid.format == crate::table::Format::Text;
    let mut kinds = PerCell::from_rows(section, |_, c| classify(c, &header, ind));
    if lines_are_rows {
        join_wrapped_names(section, &mut kinds, template);
    }
    for (r, row) in section.iter().enumerate() {
        level1_by_count(kinds.row_mut(r), &row.cells, header.horizon_cols.len(), ind);
    }
    let used = horizons_in_use(&kinds, data_from, &header, used_horizons);
    let mut reader = Reader {
        ind,
        header: &header,
        used,
        grid_index,
        lines_are_rows,
        cur_l1: None,
        cur_l2: vec![None; header.horizon_cols.len()],
        labels: Vec::new(),
        carried: Vec::new(),
        numbered: Vec::new(),
        group_n: vec![0; header.horizon_cols.len()],
        out: Vec::with_capacity(2 * rows.len()),
    };
    for (offset, row) in section.iter().enumerate().skip(data_from) {
        reader.row(rows.start + offset, row, kinds.row(offset), consumed);
    }
    if reader.lines_are_rows {
        reader.recentre();
        reader.regroup_numbered();
    }
    (reader.out, Some(header))
}

/// Horizons (indices) in use: from the fields, and from rows that print a
/// level-2 cell for every horizon (their texts sit unambiguously in one
/// half).
fn horizons_in_use(
    kinds: &PerCell<Kind>,
    data_from: usize,
    header: &Header,
    used_horizons: &[&str],
) -> Vec<usize> {
    let mut used: Vec<usize> = (0..header.horizon_names.len())
        .filter(|&h| used_horizons.contains(&&*header.horizon_names[h]))
        .collect();
    let is_l2 = |k: &Kind| matches!(k, Kind::Level2(..));
    for row_kinds in kinds.rows().skip(data_from) {
        if row_kinds.iter().filter(|k| is_l2(k)).count() != header.horizon_cols.len() {
            continue;
        }
        // Half `h` runs from its level-2 cell to the next one (or the end).
        let mut starts = (0..row_kinds.len())
            .filter(|&i| is_l2(&row_kinds[i]))
            .peekable();
        let mut h = 0;
        while let Some(start) = starts.next() {
            let end = starts.peek().copied().unwrap_or(row_kinds.len());
            let has_text = (start + 1..end).any(|i| row_kinds[i] == Kind::Text);
            if has_text && !used.contains(&h) {
                used.push(h);
            }
            h += 1;
        }
    }
    used
}

/// The walk down the indicator table, row by row: the current level 1,
/// each half's current level 2, and how many indicators each half's
/// current level-2 group holds.
struct Reader<'a> {
    ind: &'a Indicators,
    header: &'a Header,
    /// Horizons in use ([`horizons_in_use`]).
    used: Vec<usize>,
    grid_index: usize,
    /// The grid was rebuilt from space-aligned text: rows are lines, and a
    /// merged level-2 cell is printed on whichever line its middle falls
    /// (above, on or below the rows it spans), so where its rows are rests
    /// on position alone.
    lines_are_rows: bool,
    cur_l1: Option<usize>,
    cur_l2: Vec<Option<usize>>,
    /// In space-aligned text only: where level-2 names were printed, and
    /// which indicators carried theirs down (index into `out`), for
    /// [`centred`].
    labels: Vec<centred::LabelMark>,
    carried: Vec<(usize, centred::CarriedRow)>,
    /// Per indicator in `out`: its name was printed with a list number
    /// (space-aligned text only, for [`numbered`]).
    numbered: Vec<bool>,
    /// Indicators read so far in each half's current level-2 group. A form
    /// fills a group from its level-2 row down, so a continuation row (no
    /// level-2 cell) cannot open a half whose group is still empty.
    group_n: Vec<usize>,
    out: Vec<Indicator>,
}

impl Reader<'_> {
    /// Reads row `r`: its level 1, then each segment (a level-2 cell and
    /// the texts after it) as one indicator of one half.
    fn row(&mut self, r: usize, row: &Row, row_kinds: &[Kind], consumed: &mut Consumed) {
        let l1_repairs = self.level1(r, row, row_kinds, consumed);
        let segments = split_continuation(segments(r, row, row_kinds, consumed), self.header);
        let n_l2 = segments.iter().filter(|s| s.level2.is_some()).count();
        let mut l2_seen = 0;
        for seg in &segments {
            let mut repairs = l1_repairs.clone();
            let (h, by_position) = self.half(seg, n_l2, &mut l2_seen, &mut repairs);
            self.segment(r, row, seg, h, by_position, repairs);
        }
    }

    /// A level-1 cell in the row starts a new block of level-2 rows.
    /// Returns the repairs its printing needed.
    fn level1(
        &mut self,
        r: usize,
        row: &Row,
        row_kinds: &[Kind],
        consumed: &mut Consumed,
    ) -> Vec<Repair> {
        let found = row_kinds.iter().enumerate().find_map(|(i, k)| match k {
            Kind::Level1(l, q) => Some((i, *l, *q)),
            _ => None,
        });
        let Some((ci, l1, q)) = found else {
            return Vec::new();
        };
        self.cur_l1 = Some(l1);
        self.cur_l2.iter_mut().for_each(|x| *x = None);
        self.group_n.iter_mut().for_each(|x| *x = 0);
        consumed.mark(r, ci);
        label_repairs(q, row.cells[ci].text(), &self.ind.level1[l1].text)
    }

    /// Which half of the table a segment belongs to, and whether the
    /// header's columns alone chose it. A half the form does not use is
    /// overruled (`column_shift`).
    fn half(
        &self,
        seg: &Segment,
        n_l2: usize,
        l2_seen: &mut usize,
        repairs: &mut Vec<Repair>,
    ) -> (usize, bool) {
        let header = self.header;
        if let Some(half) = seg.half {
            return (half, false);
        }
        if seg.level2.is_some() && n_l2 == header.horizon_cols.len() && n_l2 > 1 {
            *l2_seen += 1;
            return (*l2_seen - 1, false);
        }
        let pos = (seg.texts.first().map(|c| c.col))
            .or(seg.level2.map(|(_, c, _)| c.col))
            .unwrap_or(0);
        let by_pos = header.horizon_at(pos);
        if seg.texts.is_empty() || self.used.is_empty() || self.used.contains(&by_pos) {
            return (by_pos, true);
        }
        let default = (header.horizon_names.iter()).position(|n| *n == self.ind.default_horizon);
        let moved = default
            .filter(|d| self.used.contains(d))
            .unwrap_or(self.used[0]);
        repairs.push(Repair::change(
            RepairKind::ColumnShift,
            &header.horizon_names[by_pos],
            &header.horizon_names[moved],
        ));
        (moved, true)
    }

    /// True when only the row's position put segment `seg` in half `h`
    /// (its columns said `placed`). Fill order overruled the columns: two
    /// weak signals disagree. Or a continuation row while both halves'
    /// groups hold indicators: a row shifted by a whole half would look
    /// just like this one. Or a lone level-2 segment placed by its columns
    /// in a form whose halves are both in use (its twin cell was lost, so a
    /// shifted row cannot be told from an unshifted one). Or any row of
    /// space-aligned text (measured on real OCR: which row a centred level
    /// 2 or a wrapped name belongs to is still often misread there).
    fn position_only(
        &self,
        seg: &Segment,
        h: usize,
        placed: usize,
        continuation: bool,
        by_position: bool,
    ) -> bool {
        let other_half_busy = (0..self.group_n.len())
            .any(|o| o != h && self.group_n[o] > 0 && self.cur_l2[o].is_some());
        let lone_level2 = seg.level2.is_some() && !seg.texts.is_empty() && self.used.len() > 1;
        h != placed
            || (continuation && other_half_busy)
            || (by_position && lone_level2)
            || self.lines_are_rows
    }

    /// Reads one segment placed in half `placed` as an indicator (none for
    /// a segment without text, which only sets its half's level 2).
    fn segment(
        &mut self,
        r: usize,
        row: &Row,
        seg: &Segment,
        placed: usize,
        by_position: bool,
        mut repairs: Vec<Repair>,
    ) {
        let continuation = seg.level2.is_none() && !seg.texts.is_empty() && seg.half.is_none();
        let h = if continuation {
            let (group_n, cur_l2) = (&self.group_n, &self.cur_l2);
            fill_order_horizon(placed, group_n, cur_l2, self.header, &mut repairs)
        } else {
            placed
        };
        let position_only = self.position_only(seg, h, placed, continuation, by_position);
        if let Some((l2, _, _)) = seg.level2 {
            self.group_n[h] = 0;
            if self.lines_are_rows {
                self.labels.push(centred::LabelMark {
                    half: h,
                    line: row.line,
                    level2: l2,
                    with_text: !seg.texts.is_empty(),
                });
            }
        }
        let level2 = self.level2(seg, h, &mut repairs);
        self.infer_level1(level2, seg, &mut repairs);
        if seg.texts.is_empty() {
            return;
        }
        self.group_n[h] += 1;
        let (level3, value, extra) = name_and_value(seg, self.header, h);
        repairs.extend(extra);
        let value = value
            .map(|v| restore_sign(v, &self.ind.prefix_readings, &mut repairs))
            .map(|v| restore_percent(v, &mut repairs));
        if self.lines_are_rows {
            let first_numbered = seg
                .texts
                .first()
                .is_some_and(|c| enumerator_len(c.key()) > 0);
            self.numbered.push(level3.is_some() && first_numbered);
        }
        if self.lines_are_rows && seg.level2.is_none() {
            let row = centred::CarriedRow {
                half: h,
                line: row.line,
                level2,
            };
            self.carried.push((self.out.len(), row));
        }
        let ind = self.ind;
        self.out.push(Indicator {
            horizon: self.header.horizon_names[h].clone(),
            level1: self.cur_l1.map(|i| ind.level1[i].text.clone()),
            level2: level2.map(|i| ind.level2[i].text.clone()),
            level3,
            value,
            confidence: 0.0,
            line: row.line,
            repairs,
            truncated: false,
            position_only,
            row: Some((self.grid_index, r)),
        });
    }

    /// Gives the indicators that carried their level 2 down the level 2
    /// printed at the middle of their rows ([`centred`]), and the level 1
    /// above it when theirs is no parent of it.
    fn recentre(&mut self) {
        let rows: Vec<centred::CarriedRow> = self.carried.iter().map(|c| c.1).collect();
        let owners = centred::owners(&self.labels, &rows);
        let ind = self.ind;
        for ((at, _), owner) in self.carried.iter().zip(owners) {
            let (Some(l2), Some(out)) = (owner, self.out.get_mut(*at)) else {
                continue;
            };
            out.level2 = Some(ind.level2[l2].text.clone());
            let l1 =
                (out.level1.as_deref()).and_then(|t| ind.level1.iter().position(|w| &*w.text == t));
            if !l1.is_some_and(|l1| ind.is_parent(l1, l2)) {
                let mut parents = ind.parents_of(l2);
                if let (Some(p), None) = (parents.next(), parents.next()) {
                    out.level1 = Some(ind.level1[p].text.clone());
                }
            }
            out.repairs
                .push(Repair::new(RepairKind::InferredFromContext));
        }
    }

    /// Joins the rows of numbered indicators wrapped over several lines
    /// ([`numbered`]): each numbered name with the unnumbered name pieces
    /// under it and the value pieces centred on it. Pieces no indicator
    /// takes stay as they were read.
    fn regroup_numbered(&mut self) {
        let horizons = &self.header.horizon_names;
        let pieces: Vec<numbered::Piece> = (self.out.iter().zip(&self.numbered))
            .map(|(ind, &numbered)| numbered::Piece {
                half: horizons.iter().position(|h| *h == ind.horizon).unwrap_or(0),
                line: ind.line,
                numbered,
                has_name: ind.level3.is_some(),
                has_value: ind.value.is_some(),
            })
            .collect();
        let groups = numbered::regroup(&pieces);
        if groups.is_empty() {
            return;
        }
        let n = self.out.len();
        let (mut name_taken, mut value_taken) = (vec![false; n], vec![false; n]);
        let mut rebuilt: Vec<(usize, Indicator)> = Vec::with_capacity(n);
        let join = |parts: &[usize], get: &dyn Fn(&Indicator) -> Option<&str>| {
            let texts: Vec<&str> = parts.iter().filter_map(|&i| get(&self.out[i])).collect();
            (!texts.is_empty()).then(|| texts.concat())
        };
        for g in &groups {
            let mut ind = self.out[g.anchor].clone();
            ind.level3 = join(&g.names, &|i| i.level3.as_deref());
            ind.value = join(&g.values, &|i| i.value.as_deref());
            if g.names.len() > 1 || g.values.iter().any(|&v| v != g.anchor) {
                ind.repairs.push(Repair::new(RepairKind::CellSplitMerged));
            }
            g.names.iter().for_each(|&i| name_taken[i] = true);
            g.values.iter().for_each(|&i| value_taken[i] = true);
            rebuilt.push((g.anchor, ind));
        }
        let anchors: Vec<usize> = groups.iter().map(|g| g.anchor).collect();
        for (i, ind) in self.out.iter().enumerate() {
            let name_left = ind.level3.is_some() && !name_taken[i];
            let value_left = ind.value.is_some() && !value_taken[i];
            if anchors.contains(&i) || !(name_left || value_left) {
                continue;
            }
            let mut rest = ind.clone();
            if !name_left {
                rest.level3 = None;
            }
            if !value_left {
                rest.value = None;
            }
            rebuilt.push((i, rest));
        }
        rebuilt.sort_by_key(|r| r.0);
        self.out = rebuilt.into_iter().map(|r| r.1).collect();
    }

    /// The segment's level 2: printed, or carried down from the rows above
    /// in half `h`, or named by a level 1 with a single child.
    fn level2(&mut self, seg: &Segment, h: usize, repairs: &mut Vec<Repair>) -> Option<usize> {
        if let Some((l2, cell, q)) = seg.level2 {
            repairs.extend(label_repairs(q, cell.text(), &self.ind.level2[l2].text));
            self.cur_l2[h] = Some(l2);
            return Some(l2);
        }
        self.cur_l2[h].or_else(|| {
            let only = self
                .cur_l1
                .and_then(|l1| match self.ind.children[l1].as_slice() {
                    [one] => Some(*one),
                    _ => None,
                });
            if only.is_some() && !seg.texts.is_empty() {
                repairs.push(Repair::new(RepairKind::InferredFromContext));
            }
            only
        })
    }

    /// The current level 1 must be a parent of `level2`; else it is
    /// inferred from it.
    fn infer_level1(&mut self, level2: Option<usize>, seg: &Segment, repairs: &mut Vec<Repair>) {
        let Some(l2) = level2 else {
            return;
        };
        if self.cur_l1.is_some_and(|l1| self.ind.is_parent(l1, l2)) {
            return;
        }
        if let Some(p) = self.ind.parents_of(l2).next() {
            self.cur_l1 = Some(p);
            if !seg.texts.is_empty() {
                repairs.push(Repair::new(RepairKind::InferredFromContext));
            }
        }
    }
}

/// Splits a row into segments at its level-2 cells (the first segment
/// holds the texts before any), marking the cells read.
fn segments<'c>(
    r: usize,
    row: &'c Row,
    row_kinds: &[Kind],
    consumed: &mut Consumed,
) -> Vec<Segment<'c>> {
    let mut segments: Vec<Segment> = Vec::with_capacity(4);
    segments.push(Segment {
        level2: None,
        texts: Vec::new(),
        half: None,
    });
    for (ci, (cell, kind)) in row.cells.iter().zip(row_kinds).enumerate() {
        match kind {
            Kind::Level2(l2, q) => {
                consumed.mark(r, ci);
                segments.push(Segment {
                    level2: Some((*l2, cell, *q)),
                    texts: Vec::new(),
                    half: None,
                });
            }
            Kind::Text => {
                consumed.mark(r, ci);
                if let Some(seg) = segments.last_mut() {
                    seg.texts.push(cell);
                }
            }
            Kind::WrappedRest => consumed.mark(r, ci),
            Kind::Level1(..) => {}
        }
    }
    segments
}

/// Space-aligned text wraps a narrow cell's name over two lines
/// (`可持续影` over `响`, `服务对象` over `满意度`, `绩效` over `指标`): a
/// cell whose text, with the text of the cell under it on one of the next
/// two lines (their columns overlapping, nothing between), spells a level
/// name, a column header or a label of the template exactly is that word,
/// and the piece under it is its rest — never an indicator's name or
/// value.
fn join_wrapped_names(section: &[Row], kinds: &mut PerCell<Kind>, template: &Template) {
    for r in 0..section.len() {
        for ai in 0..section[r].cells.len() {
            let Some((rb, bi)) = piece_below(section, r, ai) else {
                continue;
            };
            let (a, b) = (&section[r].cells[ai], &section[rb].cells[bi]);
            if kinds.row(rb)[bi] == Kind::WrappedRest {
                continue;
            }
            if let Some(whole) = wrapped_word(&[a.key(), b.key()].concat(), template) {
                kinds.row_mut(r)[ai] = whole;
                kinds.row_mut(rb)[bi] = Kind::WrappedRest;
            }
        }
    }
}

/// The cell printed under `section[r].cells[ai]` on one of the next two
/// lines, their columns overlapping, with nothing printed between them in
/// those columns: (row, cell).
fn piece_below(section: &[Row], r: usize, ai: usize) -> Option<(usize, usize)> {
    let above = &section[r];
    let ax = above.cells[ai].x?;
    let overlaps = |c: &Cell| c.x.is_some_and(|x| x.start < ax.end && ax.start < x.end);
    for row in section.iter().enumerate().skip(r + 1) {
        let (rb, below) = row;
        if below.line > above.line + 2 {
            return None;
        }
        if let Some(bi) = below.cells.iter().position(overlaps) {
            return Some((rb, bi));
        }
    }
    None
}

/// What a name spelled over two lines is: a level name (its kind), or a
/// column header or label of the template (read as nothing).
fn wrapped_word(joined: &str, template: &Template) -> Option<Kind> {
    let ind = &template.indicators;
    if let Some(w) = ind.level2.exact(joined) {
        return Some(Kind::Level2(w, MatchQuality::Exact));
    }
    if let Some(w) = ind.level1.exact(joined) {
        return Some(Kind::Level1(w, MatchQuality::Exact));
    }
    (ind.header_labels.exact(joined))
        .or_else(|| template.labels.exact(joined))
        .map(|_| Kind::WrappedRest)
}

/// A row printing more level-2 cells than the table has halves, whose first
/// one is also a level-1 name (成本指标 under 成本指标), printed its level 1
/// there: a shifted row moves that cell off the level-1 column, so the
/// count decides, not the column.
fn level1_by_count(kinds: &mut [Kind], cells: &[Cell], halves: usize, ind: &Indicators) {
    // A level-1 cell is followed by a level-2 cell, never directly by an
    // indicator's name: in a row that also prints the other half's level-2
    // cell, a name in both vocabularies followed by text is the level 2 (a
    // row shifted left, its level-1 cell lost).
    for i in 0..kinds.len() {
        if let Kind::Level1(..) = kinds[i] {
            let twin_later = kinds[i + 1..].iter().any(|k| matches!(k, Kind::Level2(..)));
            if twin_later && kinds.get(i + 1) == Some(&Kind::Text) {
                let key = &cells[i].key()[enumerator_len(cells[i].key())..];
                if let Some(m) = ind.level2.best(key) {
                    kinds[i] = Kind::Level2(m.word, m.quality);
                }
            }
        }
    }
    let is_l2 = |k: &Kind| matches!(k, Kind::Level2(..));
    if kinds.iter().filter(|k| is_l2(k)).count() <= halves {
        return;
    }
    let Some(first) = kinds.iter().position(is_l2) else {
        return;
    };
    let key = &cells[first].key()[enumerator_len(cells[first].key())..];
    if let Some(m) = ind.level1.best(key) {
        kinds[first] = Kind::Level1(m.word, m.quality);
    }
}

/// A row without level-2 cells holding two name/value pairs is one
/// indicator per half (left pair, right pair), not one indicator with a
/// four-cell value.
fn split_continuation<'c>(segments: Vec<Segment<'c>>, header: &Header) -> Vec<Segment<'c>> {
    if header.horizon_cols.len() != 2
        || !segments
            .iter()
            .any(|s| s.level2.is_none() && s.texts.len() == 4)
    {
        return segments;
    }
    let mut out = Vec::with_capacity(segments.len() + 1);
    for seg in segments {
        if seg.level2.is_none() && seg.texts.len() == 4 {
            let (a, b) = seg.texts.split_at(2);
            for (texts, half) in [(a, 0), (b, 1)] {
                out.push(Segment {
                    level2: None,
                    texts: texts.to_vec(),
                    half: Some(half),
                });
            }
        } else {
            out.push(seg);
        }
    }
    out
}

/// The half a continuation row belongs to. Its position says `h`; but when
/// `h`'s current group is still empty while exactly one other half's group
/// already holds indicators, the row was shifted sideways (by a whole half,
/// so the header's columns cannot tell) and belongs to that other half.
fn fill_order_horizon(
    h: usize,
    group_n: &[usize],
    cur_l2: &[Option<usize>],
    header: &Header,
    repairs: &mut Vec<Repair>,
) -> usize {
    if group_n.get(h).copied().unwrap_or(0) > 0 {
        return h;
    }
    let open: Vec<usize> = (0..group_n.len())
        .filter(|&o| o != h && group_n[o] > 0 && cur_l2[o].is_some())
        .collect();
    match open.as_slice() {
        [other] => {
            repairs.push(Repair::change(
                RepairKind::ColumnShift,
                &header.horizon_names[h],
                &header.horizon_names[*other],
            ));
            *other
        }
        _ => h,
    }
}

fn label_repairs(q: MatchQuality, from: &str, to: &str) -> Vec<Repair> {
    q.repair_kinds()
        .iter()
        .map(|k| Repair::change(*k, from, to))
        .collect()
}

/// `value` with the sign before its number given back when the OCR read it
/// as another character the template lists for it (`三95%` → `≥95%`),
/// recorded as a `symbol_confusion` repair.
fn restore_sign(value: String, readings: &[(char, String)], repairs: &mut Vec<Repair>) -> String {
    let mut chars = value.char_indices();
    let Some((_, first)) = chars.next() else {
        return value;
    };
    let rest = chars.as_str();
    let number_next = rest.trim_start().starts_with(|c: char| c.is_ascii_digit());
    let at = readings.binary_search_by(|(c, _)| c.cmp(&first));
    match at {
        Ok(i) if number_next => {
            let sign = &readings[i].1;
            repairs.push(Repair::change(
                RepairKind::SymbolConfusion,
                &first.to_string(),
                sign,
            ));
            [sign.as_str(), rest.trim_start()].concat()
        }
        _ => value,
    }
}

/// `value` with a percent sign read as a digit and `%` given back
/// (`1009%` → `100%`, `959%` → `95%`): only a bare share (a sign, a
/// number, `%`) over 100 that is 100 or less without its last digit.
fn restore_percent(value: String, repairs: &mut Vec<Repair>) -> String {
    let Some(body) = value.strip_suffix(['%', '％']) else {
        return value;
    };
    let start = body
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(body.len());
    let (sign, digits) = body.split_at(start);
    let bare = sign.chars().count() <= 1 && !sign.chars().any(|c| c.is_alphanumeric());
    if !bare || digits.len() < 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return value;
    }
    let (kept, read) = digits.split_at(digits.len() - 1);
    let over = digits.parse::<u32>().is_ok_and(|n| n > 100);
    if !over || kept.parse::<u32>().map_or(true, |n| n > 100) {
        return value;
    }
    repairs.push(Repair::change(
        RepairKind::SymbolConfusion,
        &[read, "%"].concat(),
        "%",
    ));
    [sign, kept, "%"].concat()
}

/// Level-3 name and value from a segment's text cells.
fn name_and_value(
    seg: &Segment,
    header: &Header,
    h: usize,
) -> (Option<String>, Option<String>, Vec<Repair>) {
    let name = |c: &Cell| Some(strip_enumerator(c.text()).to_string());
    match seg.texts.as_slice() {
        [] => (None, None, Vec::new()),
        [only] => {
            // A lone text right after its level-2 cell is a name; further
            // right it is a value. Without a level-2 cell, the header's
            // columns decide.
            let is_name = match seg.level2 {
                Some((_, l2cell, _)) => only.col == l2cell.col + 1,
                None => {
                    let l3 = header.col_in(&header.level3_cols, h);
                    let v = header.col_in(&header.value_cols, h);
                    match (l3, v) {
                        (Some(a), Some(b)) => only.col.abs_diff(a) < only.col.abs_diff(b),
                        _ => false,
                    }
                }
            };
            if is_name {
                (name(only), None, Vec::new())
            } else {
                (None, Some(only.text().to_string()), Vec::new())
            }
        }
        [first, second] => (name(first), Some(second.text().to_string()), Vec::new()),
        [first, rest @ ..] => {
            let joined: Vec<&str> = rest.iter().map(|c| c.text()).collect();
            (
                name(first),
                Some(crate::text::normalize::clean(&joined.join(" "))),
                vec![Repair::new(RepairKind::CellSplitMerged)],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sign read as a character the template lists for it comes back,
    /// with a repair; anything else stays as printed.
    #[test]
    fn signs_read_as_characters_are_given_back() {
        // Sorted by character, as the template compiles them.
        let readings = vec![('么', "≤".to_string()), ('之', "≥".to_string())];
        let mut repairs = Vec::new();
        assert_eq!(
            restore_sign("之95%".into(), &readings, &mut repairs),
            "≥95%"
        );
        assert_eq!(
            restore_sign("么 0.5‰".into(), &readings, &mut repairs),
            "≤0.5‰"
        );
        assert_eq!(repairs.len(), 2);
        assert_eq!(repairs[0].kind, RepairKind::SymbolConfusion);
        assert_eq!(repairs[0].from.as_deref(), Some("之"));
        assert_eq!(repairs[0].to.as_deref(), Some("≥"));
        // Not before a number, or not a listed reading: unchanged.
        let mut none = Vec::new();
        for v in ["之后完成", "达95%", "95%", ""] {
            assert_eq!(restore_sign(v.into(), &readings, &mut none), v);
        }
        assert!(none.is_empty());
    }

    /// A percent sign read as a digit and `%` comes back when the share
    /// would otherwise be over 100.
    #[test]
    fn percent_read_as_a_digit_is_given_back() {
        let mut repairs = Vec::new();
        assert_eq!(restore_percent("1009%".into(), &mut repairs), "100%");
        assert_eq!(restore_percent("≥959%".into(), &mut repairs), "≥95%");
        assert_eq!(repairs.len(), 2);
        assert_eq!(repairs[0].from.as_deref(), Some("9%"));
        let mut none = Vec::new();
        for v in [
            "100%",
            "95%",
            "1503%",
            "增长1000%",
            "99.5%",
            "≥3000条",
            "达1009%",
        ] {
            assert_eq!(restore_percent(v.into(), &mut none), v);
        }
        assert!(none.is_empty());
    }
}
