//! Level-2 names printed at the vertical middle of their rows. Space-aligned
//! text (an OCR box dump, one visual line per line) prints a merged level-2
//! cell on the line at the middle of the rows it spans — between two rows,
//! or below the first — so carrying the last level 2 printed down to the
//! rows under it gives the row printed above its label to the previous
//! group, and each later row to the group above its own.
//!
//! This pass re-owns the rows that print no level 2 of their own, in each
//! half separately, when the half looks centred (a row above every label,
//! or a label alone on its line between two rows; else the labels head
//! their rows and carrying stands): every label owns
//! a run of rows whose middle is its line, its own row among them when it
//! prints text. The runs are contiguous, in order, and between the
//! neighbouring labels' lines; the cheapest split (each label's distance
//! from its run's middle) wins, and a tie keeps the carried owner.

/// A level-2 name printed in one half of a row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LabelMark {
    pub half: usize,
    pub line: usize,
    pub level2: usize,
    /// The row also prints an indicator in this half (the label is at the
    /// top of its rows, not at their middle).
    pub with_text: bool,
}

/// An indicator row that printed no level 2 of its own (its level 2 was
/// carried down).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CarriedRow {
    pub half: usize,
    pub line: usize,
    pub level2: Option<usize>,
}

/// Cost per row of leaving it where carrying put it when no label can own
/// it (rows above every label).
const UNOWNED: f64 = 2.0;
/// Cost of moving a row to another owner: a tie keeps the carried one.
const MOVE: f64 = 0.01;

/// For each of `rows`, the level 2 its half's labels give it when that
/// differs from the carried one.
pub fn owners(labels: &[LabelMark], rows: &[CarriedRow]) -> Vec<Option<usize>> {
    let mut out = vec![None; rows.len()];
    let halves = rows.iter().map(|r| r.half).max().map_or(0, |h| h + 1);
    for half in 0..halves {
        let ls: Vec<&LabelMark> = labels.iter().filter(|l| l.half == half).collect();
        let idx: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].half == half).collect();
        let rs: Vec<&CarriedRow> = idx.iter().map(|&i| &rows[i]).collect();
        if !centred_layout(&ls, &rs) {
            continue;
        }
        for (k, owner) in split(&ls, &rs).into_iter().enumerate() {
            if owner.is_some() && owner != rs[k].level2 {
                out[idx[k]] = owner;
            }
        }
    }
    out
}

/// Whether a half prints its labels at the middle of their rows: a row
/// above every label (it has no level 2 to carry), or a label alone on its
/// line between two rows. Otherwise (a table printed top-aligned, one
/// label heading its rows) carrying stands.
fn centred_layout(labels: &[&LabelMark], rows: &[&CarriedRow]) -> bool {
    let row_at = |line: usize| rows.iter().any(|r| r.line == line);
    rows.iter().any(|r| r.level2.is_none())
        || (labels.iter())
            .any(|l| !l.with_text && l.line > 0 && row_at(l.line - 1) && row_at(l.line + 1))
}

/// The cheapest contiguous split of `rows` (in line order) among `labels`
/// (in line order): each row's new level 2, `None` for rows left unowned.
fn split(labels: &[&LabelMark], rows: &[&CarriedRow]) -> Vec<Option<usize>> {
    let owners = super::contiguous::split(rows.len(), labels.len(), UNOWNED, |k, run| {
        // A label's rows lie between its neighbours' lines.
        let above = k.checked_sub(1).map(|p| labels[p].line);
        let below = labels.get(k + 1).map(|l| l.line);
        let run = &rows[run];
        let inside = run
            .iter()
            .all(|r| above.is_none_or(|a| r.line > a) && below.is_none_or(|b| r.line < b));
        inside.then(|| run_cost(labels[k], run))
    });
    owners
        .into_iter()
        .map(|o| o.map(|k| labels[k].level2))
        .collect()
}

/// How badly `label` owning `run` fits: its line's distance from the
/// middle of its rows (its own row among them when it prints text).
fn run_cost(label: &LabelMark, run: &[&CarriedRow]) -> f64 {
    let (Some(first), Some(last)) = (run.first(), run.last()) else {
        return 0.0;
    };
    let moved = run
        .iter()
        .filter(|r| r.level2 != Some(label.level2))
        .count() as f64
        * MOVE;
    let (mut top, mut bottom) = (first.line, last.line);
    if label.with_text {
        top = top.min(label.line);
        bottom = bottom.max(label.line);
    }
    let middle = (top + bottom) as f64 / 2.0;
    (middle - label.line as f64).abs() + moved
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(line: usize, level2: usize, with_text: bool) -> LabelMark {
        LabelMark {
            half: 0,
            line,
            level2,
            with_text,
        }
    }

    fn row(line: usize, level2: Option<usize>) -> CarriedRow {
        CarriedRow {
            half: 0,
            line,
            level2,
        }
    }

    /// Labels alone between their rows (a box dump of merged cells): each
    /// owns the rows around it, not the ones below it.
    #[test]
    fn a_label_between_its_rows_owns_both() {
        // 22 养护里程 / 23 数量指标 / 24 抽检批次 / 25 质量指标 (no row) /
        // 26 资金拨付及时率 / 27 时效指标 / 28 完成时间
        let labels = [
            label(23, 0, false),
            label(25, 1, false),
            label(27, 2, false),
        ];
        let rows = [
            row(22, None),
            row(24, Some(0)),
            row(26, Some(1)),
            row(28, Some(2)),
        ];
        assert_eq!(owners(&labels, &rows), [Some(0), None, Some(2), None]);
    }

    /// Labels on the first row of their group, with text (a table printed
    /// top-aligned): carried ownership stands.
    #[test]
    fn labels_heading_their_rows_keep_carrying() {
        let labels = [label(10, 0, true), label(13, 1, true)];
        let rows = [row(11, Some(0)), row(12, Some(0)), row(14, Some(1))];
        assert_eq!(owners(&labels, &rows), [None, None, None]);
    }

    /// A label alone below the first row of a two-row group and a label
    /// with text later: the rows above the first label are owned by it.
    #[test]
    fn mixed_labels() {
        let labels = [label(5, 0, false), label(8, 1, true)];
        let rows = [row(4, None), row(6, Some(0)), row(9, Some(1))];
        assert_eq!(owners(&labels, &rows), [Some(0), None, None]);
    }

    /// Halves are split separately; a half without a label alone is left.
    #[test]
    fn halves_apart() {
        let labels = [
            LabelMark {
                half: 1,
                ..label(23, 0, false)
            },
            label(20, 3, true),
        ];
        let rows = [
            CarriedRow {
                half: 1,
                ..row(22, None)
            },
            row(22, Some(3)),
        ];
        assert_eq!(owners(&labels, &rows), [Some(0), None]);
    }

    /// A run never reaches past a neighbouring label, however well its
    /// middle would fit (26..38 has its middle at 32): a box dump where
    /// one group is empty and a level 2 with text sits among alone ones.
    #[test]
    fn runs_stay_between_their_neighbours() {
        let labels = [
            label(27, 0, false),
            label(30, 1, false),
            label(32, 2, false),
            label(34, 3, false),
            label(37, 4, false),
            label(39, 5, false),
            label(40, 6, true),
            label(41, 7, false),
        ];
        let rows = [
            row(26, None),
            row(28, Some(0)),
            row(29, None),
            row(31, Some(1)),
            row(33, Some(2)),
            row(35, Some(3)),
            row(36, Some(3)),
            row(38, Some(4)),
        ];
        let got = owners(&labels, &rows);
        assert_eq!(
            got,
            [Some(0), None, Some(1), None, Some(3), None, Some(4), None]
        );
    }
}
