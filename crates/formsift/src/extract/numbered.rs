//! Numbered indicator names in space-aligned text. An OCR box dump prints
//! each visual line on a line of its own: a name wrapped over two or three
//! lines (`1、接待来访群` / `众批次`) and the value beside it, wrapped on its
//! own and centred on the name (its first line may sit above the name's),
//! come out as several rows. Where a half's names are numbered, the number
//! marks where an indicator starts: the unnumbered name pieces under a
//! numbered one continue it, and the value pieces are shared out among the
//! indicators in order, each run centred on its name (the cheapest
//! contiguous split).
//!
//! Only halves whose named rows are mostly numbered, and which show wraps
//! (a quarter of their rows a name alone or a value alone), are regrouped;
//! others are left as they are.

/// One indicator row of one half as read line by line.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub half: usize,
    pub line: usize,
    /// Its name starts with a list number (`1、`, `2.`).
    pub numbered: bool,
    pub has_name: bool,
    pub has_value: bool,
}

/// An indicator rebuilt from pieces (indices into the input): the numbered
/// piece it starts at, the pieces whose names continue its name and the
/// pieces whose values make its value, each in line order.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub anchor: usize,
    pub names: Vec<usize>,
    pub values: Vec<usize>,
}

/// Lines a name may wrap over after its numbered first line.
const MAX_NAME_WRAP: usize = 2;
/// Cost of an indicator that gets no value.
const NO_VALUE: f64 = 1.0;
/// Cost of leaving a value to no indicator (above the first name).
const UNOWNED: f64 = 2.0;

/// The indicators the numbered halves' pieces make. Pieces of other halves
/// (and pieces a group does not take) are in no group.
pub fn regroup(pieces: &[Piece]) -> Vec<Group> {
    let halves = pieces.iter().map(|p| p.half + 1).max().unwrap_or(0);
    let mut out = Vec::new();
    for half in 0..halves {
        let idx: Vec<usize> = (0..pieces.len())
            .filter(|&i| pieces[i].half == half)
            .collect();
        let named = idx.iter().filter(|&&i| pieces[i].has_name).count();
        let numbered = idx.iter().filter(|&&i| pieces[i].numbered).count();
        // Rows with a name and no value or a value and no name show the
        // wrapping; one row per line (every row both) is left alone, its
        // unnumbered names being indicators of their own.
        let fragments = (idx.iter())
            .filter(|&&i| pieces[i].has_name != pieces[i].has_value)
            .count();
        if numbered < 2 || 2 * numbered < named || 4 * fragments < idx.len() {
            continue;
        }
        out.extend(regroup_half(pieces, &idx));
    }
    out.sort_by_key(|g| g.anchor);
    out
}

fn regroup_half(pieces: &[Piece], idx: &[usize]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    // Name lines of each group, for centring its value.
    let mut name_lines: Vec<Vec<usize>> = Vec::new();
    for &i in idx {
        let p = &pieces[i];
        if p.numbered {
            groups.push(Group {
                anchor: i,
                names: vec![i],
                values: Vec::new(),
            });
            name_lines.push(vec![p.line]);
        } else if p.has_name {
            if let (Some(g), Some(lines)) = (groups.last_mut(), name_lines.last_mut()) {
                let last = lines.last().copied().unwrap_or(p.line);
                let first = lines.first().copied().unwrap_or(p.line);
                if p.line > last && p.line - first <= MAX_NAME_WRAP {
                    g.names.push(i);
                    lines.push(p.line);
                }
            }
        }
    }
    let values: Vec<usize> = idx
        .iter()
        .copied()
        .filter(|&i| pieces[i].has_value)
        .collect();
    let value_lines: Vec<f64> = values.iter().map(|&i| pieces[i].line as f64).collect();
    let centres: Vec<f64> = name_lines.iter().map(|l| mean(l)).collect();
    for (k, owner) in split(&value_lines, &centres).into_iter().enumerate() {
        if let Some(g) = owner {
            groups[g].values.push(values[k]);
        }
    }
    groups
}

fn mean(lines: &[usize]) -> f64 {
    lines.iter().sum::<usize>() as f64 / lines.len().max(1) as f64
}

/// For each value line (ascending), the group (by centre, ascending) it
/// belongs to: contiguous runs in order, each as close to its group's
/// centre as can be; values before the first run may stay unowned.
fn split(values: &[f64], centres: &[f64]) -> Vec<Option<usize>> {
    super::contiguous::split(values.len(), centres.len(), UNOWNED, |g, run| {
        let run = &values[run];
        Some(if run.is_empty() {
            NO_VALUE
        } else {
            let centre = run.iter().sum::<f64>() / run.len() as f64;
            (centre - centres[g]).abs()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(line: usize, numbered: bool, name: bool, value: bool) -> Piece {
        Piece {
            half: 0,
            line,
            numbered,
            has_name: name,
            has_value: value,
        }
    }

    /// The layout of a box dump: `1、项目验收合` / `格率  100%`, then a
    /// value of four lines centred on the two-line name `2.系统运行稳定` /
    /// `性`, then `3.问题整改销号  100%` / `率`.
    #[test]
    fn wrapped_names_and_centred_values_regroup() {
        let pieces = vec![
            piece(10, true, true, false),  // 0: 1、项目验收合
            piece(11, false, true, true),  // 1: 格率 | 100%
            piece(12, false, false, true), // 2: 全年可用率
            piece(13, true, true, true),   // 3: 2.系统运行稳定 | ≥99.5%…
            piece(14, false, true, true),  // 4: 性 | 障恢复时间…
            piece(15, false, false, true), // 5: 4小时
            piece(16, true, true, true),   // 6: 3.问题整改销号 | 100%
            piece(17, false, true, false), // 7: 率
        ];
        let groups = regroup(&pieces);
        assert_eq!(
            groups,
            vec![
                Group {
                    anchor: 0,
                    names: vec![0, 1],
                    values: vec![1]
                },
                Group {
                    anchor: 3,
                    names: vec![3, 4],
                    values: vec![2, 3, 4, 5]
                },
                Group {
                    anchor: 6,
                    names: vec![6, 7],
                    values: vec![6]
                },
            ]
        );
    }

    /// A half whose names are mostly unnumbered, or printed one row per
    /// line (every row a name and a value), is left alone.
    #[test]
    fn unnumbered_or_unwrapped_halves_are_not_regrouped() {
        let pieces = vec![
            piece(1, true, true, true),
            piece(2, false, true, false),
            piece(3, false, true, true),
            piece(4, false, true, true),
        ];
        assert!(regroup(&pieces).is_empty());
        let pieces = vec![
            piece(1, true, true, true),
            piece(2, false, true, true),
            piece(3, true, true, true),
            piece(4, false, true, true),
        ];
        assert!(regroup(&pieces).is_empty());
    }

    #[test]
    fn split_is_contiguous_and_centred() {
        assert_eq!(
            split(&[1.0, 2.0, 4.0], &[1.5, 4.0]),
            vec![Some(0), Some(0), Some(1)]
        );
        // A value far above the first name stays unowned.
        assert_eq!(split(&[0.0, 9.0], &[9.0]), vec![None, Some(0)]);
        assert_eq!(split(&[], &[1.0]), Vec::<Option<usize>>::new());
        assert_eq!(split(&[5.0], &[]), vec![None]);
    }
}
