//! rpart's surrogate splits (`choose_surg`), which variable importance counts.

use serde::Serialize;

use super::{goes_left, Rule, Split};
use crate::estimate::cells::{CellTable, CircumstanceKind};

/// A surrogate split: the split of another variable that best mimics the primary's directions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Surrogate {
    pub var: usize,
    pub rule: Rule,
    /// Weighted share of the node's records sent the same way as by the primary split.
    pub agreement: f64,
    /// Agreement beyond "go with the majority": (agreement − majority) / (1 − majority).
    pub adjusted: f64,
}

/// Per level of one variable: the records and weight the primary split sends left, and right.
struct LevelSides {
    nl: Vec<u64>,
    wl: Vec<f64>,
    nr: Vec<u64>,
    wr: Vec<f64>,
}

impl LevelSides {
    fn tally(table: &CellTable, cells: &[usize], left_of: &[bool], v: usize) -> Self {
        let k = table.vars[v].levels.len();
        let mut s = LevelSides {
            nl: vec![0; k],
            wl: vec![0.0; k],
            nr: vec![0; k],
            wr: vec![0.0; k],
        };
        for (&c, &l) in cells.iter().zip(left_of) {
            let cell = &table.cells[c];
            let lv = cell.codes[v] as usize;
            if l {
                s.nl[lv] += cell.n;
                s.wl[lv] += cell.w;
            } else {
                s.nr[lv] += cell.n;
                s.wr[lv] += cell.w;
            }
        }
        s
    }

    fn present(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.nl.len()).filter(|&l| self.nl[l] + self.nr[l] > 0)
    }

    /// Unordered factor: each level to its better side. rpart keeps the split only if it has at
    /// least two agreeing and two disagreeing records (so an exact copy of the primary is no
    /// surrogate: see rpart's choose_surg).
    fn unordered_agreement(&self, right_default: bool) -> (f64, Rule, bool) {
        let (mut agree, mut agree_n, mut disagree_n) = (0.0, 0u64, 0u64);
        let (mut left, mut right) = (Vec::new(), Vec::new());
        for l in self.present() {
            let (wl, wr) = (self.wl[l], self.wr[l]);
            if wl < wr || (wl == wr && right_default) {
                agree += wr;
                agree_n += self.nr[l];
                disagree_n += self.nl[l];
                right.push(l as u32);
            } else {
                agree += wl;
                agree_n += self.nl[l];
                disagree_n += self.nr[l];
                left.push(l as u32);
            }
        }
        let rule = Rule::Levels { left, right };
        (agree, rule, disagree_n > 1 && agree_n > 1)
    }

    /// Ordered factor or number: thresholds between present values, at least two records on
    /// each side; "success" only if some threshold beats going with the majority.
    fn threshold_agreement(&self, values: &[f64], t_left: f64, t_right: f64) -> (f64, Rule, bool) {
        let present: Vec<usize> = self.present().collect();
        let mut agree = t_left.max(t_right);
        let mut success = false;
        let mut rule = Rule::Threshold {
            threshold: f64::NAN,
            below_left: true,
        };
        let (mut below_n, mut below_l, mut below_r) = (0u64, 0.0, 0.0);
        let total_n: u64 = present.iter().map(|&l| self.nl[l] + self.nr[l]).sum();
        for (i, &l) in present.iter().enumerate() {
            if i > 0 && below_n >= 2 && total_n - below_n >= 2 {
                // "< cut goes right" agrees on: left-sent at or above the cut, right-sent below.
                let below_right = (t_left - below_l) + below_r;
                let below_left = below_l + (t_right - below_r);
                let threshold = (values[present[i - 1]] + values[l]) / 2.0;
                if below_right > agree {
                    agree = below_right;
                    success = true;
                    rule = Rule::Threshold {
                        threshold,
                        below_left: false,
                    };
                } else if below_left > agree {
                    agree = below_left;
                    success = true;
                    rule = Rule::Threshold {
                        threshold,
                        below_left: true,
                    };
                }
            }
            below_n += self.nl[l] + self.nr[l];
            below_l += self.wl[l];
            below_r += self.wr[l];
        }
        (agree, rule, success)
    }
}

/// rpart's surrogate splits of a node (its `choose_surg` with the default `surrogatestyle = 0`
/// and no missing values): for every other variable, the split that best agrees (by weight) with
/// the primary split's directions; kept if its adjusted agreement beats "go with the majority".
/// Returns the best `max` by agreement, ties to the first.
pub(super) fn surrogates(
    table: &CellTable,
    cells: &[usize],
    primary: &Split,
    max: usize,
) -> Vec<Surrogate> {
    let left_of: Vec<bool> = cells
        .iter()
        .map(|&c| goes_left(&table.cells[c], table, primary))
        .collect();
    let (mut t_left, mut t_right) = (0.0, 0.0);
    for (&c, &l) in cells.iter().zip(&left_of) {
        if l {
            t_left += table.cells[c].w;
        } else {
            t_right += table.cells[c].w;
        }
    }
    let total = t_left + t_right;
    let majority = t_left.max(t_right) / total;
    let mut kept: Vec<Surrogate> = Vec::new();
    for (v, var) in table.vars.iter().enumerate() {
        if v == primary.var || !var.splits {
            continue;
        }
        let sides = LevelSides::tally(table, cells, &left_of, v);
        let (agree, rule, success) = if var.kind == CircumstanceKind::Unordered {
            sides.unordered_agreement(t_left <= t_right)
        } else {
            sides.threshold_agreement(&var.values, t_left, t_right)
        };
        if !success {
            continue;
        }
        let agreement = agree / total;
        let adj = (agreement - majority) / (1.0 - majority);
        if adj <= 1e-10 {
            continue;
        }
        let at = kept
            .iter()
            .position(|s| agreement > s.agreement)
            .unwrap_or(kept.len());
        if at < max {
            let s = Surrogate {
                var: v,
                rule,
                agreement,
                adjusted: adj,
            };
            kept.insert(at, s);
            kept.truncate(max);
        }
    }
    kept
}
