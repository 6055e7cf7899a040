//! ESCAP's cell D-index, the Human Opportunity Index and the Shapley decomposition of D by
//! circumstance. All computed on a cell table; each coalition's D collapses the cells.

use serde::Serialize;

use super::cells::{Cell, CellTable};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DIndex {
    /// Overall rate of the opportunity (for a barrier: of its complement).
    pub pbar: f64,
    pub d: f64,
    pub hoi: f64,
    /// Shapley part of D per circumstance, in the indicator's circumstance order; sums to `d`.
    pub shapley: Vec<ShapleyPart>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ShapleyPart {
    pub circumstance: String,
    pub value: f64,
    /// value / D (0 when D = 0).
    pub share: f64,
}

/// D over a partition given as cells. `complement` analyses 1 − y (barrier indicators); D is the
/// same either way except for the overall rate in the denominator.
pub fn d_of_cells(cells: &[Cell], complement: bool) -> f64 {
    let w: f64 = cells.iter().map(|c| c.w).sum();
    let wy: f64 = cells.iter().map(|c| c.wy).sum();
    let p = wy / w;
    let pbar = if complement { 1.0 - p } else { p };
    if pbar <= 0.0 {
        return 0.0;
    }
    // Cells with no weight (possible in bootstrap replicates) carry no information.
    let spread: f64 = cells
        .iter()
        .filter(|c| c.w > 0.0)
        .map(|c| c.w / w * (c.rate() - p).abs())
        .sum();
    spread / (2.0 * pbar)
}

/// D, HOI and the Shapley decomposition over all of the table's variables.
pub fn analyse(table: &CellTable, complement: bool) -> DIndex {
    let m = table.vars.len();
    assert!(m < 20, "Shapley over {m} circumstances is too many subsets");
    // v(S) for every subset S, indexed by bitmask; v(∅) = 0.
    let mut v = vec![0.0; 1 << m];
    for (mask, value) in v.iter_mut().enumerate().skip(1) {
        let subset: Vec<usize> = (0..m).filter(|i| mask & (1 << i) != 0).collect();
        *value = d_of_cells(&table.collapse(&subset), complement);
    }
    let full = v[(1 << m) - 1];
    let p = table.rate();
    let pbar = if complement { 1.0 - p } else { p };

    // Shapley weights |S|!(m−|S|−1)!/m!
    let fact: Vec<f64> = (0..=m)
        .scan(1.0, |f, k| {
            if k > 0 {
                *f *= k as f64;
            }
            Some(*f)
        })
        .collect();
    let shapley = (0..m)
        .map(|i| {
            let bit = 1 << i;
            let mut phi = 0.0;
            for mask in 0..(1usize << m) {
                if mask & bit != 0 {
                    continue;
                }
                let s = mask.count_ones() as usize;
                let weight = fact[s] * fact[m - s - 1] / fact[m];
                phi += weight * (v[mask | bit] - v[mask]);
            }
            ShapleyPart {
                circumstance: table.vars[i].id.clone(),
                value: phi,
                share: if full > 0.0 { phi / full } else { 0.0 },
            }
        })
        .collect();
    DIndex {
        pbar,
        d: full,
        hoi: pbar * (1.0 - full),
        shapley,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimate::cells::CircumstanceKind;
    use crate::estimate::cells::Variable;

    fn var(id: &str, levels: &[&str]) -> Variable {
        Variable {
            id: id.into(),
            label: id.into(),
            kind: CircumstanceKind::Unordered,
            levels: levels.iter().map(|s| s.to_string()).collect(),
            level_labels: levels.iter().map(|s| s.to_string()).collect(),
            values: (0..levels.len()).map(|i| i as f64).collect(),
            splits: true,
        }
    }

    #[test]
    fn two_groups_exact() {
        // Rates 0.8 and 0.4 with equal weights: p̄ = 0.6, D = (0.5·0.2 + 0.5·0.2)/(2·0.6) = 1/6.
        let table = CellTable {
            vars: vec![var("g", &["a", "b"])],
            cells: vec![
                Cell {
                    codes: vec![0],
                    n: 10,
                    w: 5.0,
                    wy: 4.0,
                },
                Cell {
                    codes: vec![1],
                    n: 10,
                    w: 5.0,
                    wy: 2.0,
                },
            ],
        };
        let r = analyse(&table, false);
        assert!((r.pbar - 0.6).abs() < 1e-15);
        assert!((r.d - 1.0 / 6.0).abs() < 1e-15, "D = {}", r.d);
        assert!((r.hoi - 0.5).abs() < 1e-15, "HOI = {}", r.hoi);
        assert!((r.shapley[0].value - r.d).abs() < 1e-15);
    }

    #[test]
    fn barrier_uses_complement_rate() {
        // Stunting 0.2 and 0.6 → not stunted 0.8 and 0.4: the same D = 1/6 and HOI = 0.5.
        let table = CellTable {
            vars: vec![var("g", &["a", "b"])],
            cells: vec![
                Cell {
                    codes: vec![0],
                    n: 10,
                    w: 5.0,
                    wy: 1.0,
                },
                Cell {
                    codes: vec![1],
                    n: 10,
                    w: 5.0,
                    wy: 3.0,
                },
            ],
        };
        let r = analyse(&table, true);
        assert!((r.d - 1.0 / 6.0).abs() < 1e-15);
        assert!((r.hoi - 0.5).abs() < 1e-15);
    }

    #[test]
    fn equal_rates_give_zero() {
        let table = CellTable {
            vars: vec![var("g", &["a", "b"])],
            cells: vec![
                Cell {
                    codes: vec![0],
                    n: 3,
                    w: 2.0,
                    wy: 1.0,
                },
                Cell {
                    codes: vec![1],
                    n: 3,
                    w: 4.0,
                    wy: 2.0,
                },
            ],
        };
        let r = analyse(&table, false);
        assert_eq!(r.d, 0.0);
        assert_eq!(r.hoi, 0.5);
    }
}
