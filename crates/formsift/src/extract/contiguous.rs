//! The cheapest contiguous split of a sequence among groups, both in order:
//! which group each item goes to when every group takes one run of
//! consecutive items (possibly empty), items before the first group's run
//! may stay unowned, and a run's cost says how badly it fits its group.
//! Space-aligned text needs it twice: rows among the level-2 names centred
//! on them ([`super::centred`]) and value lines among numbered names
//! ([`super::numbered`]).

use std::ops::Range;

/// For each of `n` items, the group (of `m`) it belongs to, `None` for an
/// unowned item. `unowned` is the cost of leaving one item before the
/// first run; `cost(g, run)` the cost of group `g` taking items `run`, or
/// `None` when it cannot. Ties keep the earliest split point.
pub fn split(
    n: usize,
    m: usize,
    unowned: f64,
    cost: impl Fn(usize, Range<usize>) -> Option<f64>,
) -> Vec<Option<usize>> {
    // best[g][j]: items[..j] given to the first g groups; from: the split.
    let mut best = vec![vec![f64::INFINITY; n + 1]; m + 1];
    let mut from = vec![vec![0usize; n + 1]; m + 1];
    for (j, b) in best[0].iter_mut().enumerate() {
        *b = j as f64 * unowned;
    }
    for g in 1..=m {
        for j in 0..=n {
            for i in 0..=j {
                let Some(c) = cost(g - 1, i..j) else {
                    continue;
                };
                let total = best[g - 1][i] + c;
                if total < best[g][j] {
                    best[g][j] = total;
                    from[g][j] = i;
                }
            }
        }
    }
    let mut owner = vec![None; n];
    let mut j = n;
    for g in (1..=m).rev() {
        let i = from[g][j];
        for o in &mut owner[i..j] {
            *o = Some(g - 1);
        }
        j = i;
    }
    owner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_contiguous_in_order_and_cheapest() {
        let items = [1.0, 2.0, 4.0];
        let centres = [1.5, 4.0];
        let cost = |g: usize, r: Range<usize>| {
            let run = &items[r];
            let mean = run.iter().sum::<f64>() / run.len().max(1) as f64;
            Some(if run.is_empty() {
                1.0
            } else {
                (mean - centres[g]).abs()
            })
        };
        assert_eq!(split(3, 2, 2.0, cost), vec![Some(0), Some(0), Some(1)]);
        // No group: everything unowned; an impossible run is never taken.
        assert_eq!(split(2, 0, 2.0, |_, _| Some(0.0)), vec![None, None]);
        assert_eq!(
            split(1, 1, 2.0, |_, r| r.is_empty().then_some(0.0)),
            vec![None]
        );
    }
}
