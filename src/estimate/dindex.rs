//! ESCAP's cell D-index, the Human Opportunity Index and the Shapley decomposition of D by
//! circumstance. All computed on a cell table; each coalition's D collapses the cells.

use serde::Serialize;

use super::cells::{Cell, CellTable};
use super::variance::Replicates;

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

/// The change in HOI between two waves split as Paes de Barros et al. (2009) do (the World Bank
/// `hoi` tool's `decomp1`), the first wave the base: with HOI = p̄(1 − D),
/// scale = (p̄₂ − p̄₁)(1 − D₁), the change had inequality stayed as in the first wave, and
/// equalisation = p̄₂(D₁ − D₂), the rest. They sum to HOI₂ − HOI₁.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct HoiChange {
    pub change: f64,
    pub scale: f64,
    pub equalisation: f64,
}

/// The decomposition of the change from `first` to `latest`, each an (opportunity rate p̄, D).
pub fn hoi_change(first: (f64, f64), latest: (f64, f64)) -> HoiChange {
    let ((p1, d1), (p2, d2)) = (first, latest);
    HoiChange {
        change: p2 * (1.0 - d2) - p1 * (1.0 - d1),
        scale: (p2 - p1) * (1.0 - d1),
        equalisation: p2 * (d1 - d2),
    }
}

/// Bootstrap SEs of the three parts from each wave's replicates of (p̄, D). The waves are
/// independent samples, so to first order the variance of a part is the sum of two variances:
/// over the first wave's replicates with the latest wave held at its estimate, and the reverse.
/// Pairing replicate r of one wave with replicate r of the other is not used: both waves draw
/// their replicates from the same seed, so on a repeated PSU frame the pairs share their draws.
/// None when a wave has fewer than two replicates.
pub fn hoi_change_se(
    first: (f64, f64),
    first_reps: &[(f64, f64)],
    latest: (f64, f64),
    latest_reps: &[(f64, f64)],
) -> Option<HoiChange> {
    if first_reps.len() < 2 || latest_reps.len() < 2 {
        return None;
    }
    let of_first: Vec<HoiChange> = first_reps.iter().map(|&r| hoi_change(r, latest)).collect();
    let of_latest: Vec<HoiChange> = latest_reps.iter().map(|&r| hoi_change(first, r)).collect();
    let se = |part: fn(&HoiChange) -> f64| {
        let a: Vec<f64> = of_first.iter().map(part).collect();
        let b: Vec<f64> = of_latest.iter().map(part).collect();
        (Replicates::se(&a).powi(2) + Replicates::se(&b).powi(2)).sqrt()
    };
    Some(HoiChange {
        change: se(|h| h.change),
        scale: se(|h| h.scale),
        equalisation: se(|h| h.equalisation),
    })
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

    #[test]
    fn hoi_change_by_hand() {
        // Wave 1: rates 0.8 and 0.4, equal weights: p̄ = 0.6, D = 1/6, HOI = 0.5 (as above).
        // Wave 2: rates 0.9 and 0.7: p̄ = 0.8, D = (0.1 + 0.1)/2 / 1.6 = 1/16, HOI = 0.75.
        // Change 0.25 = scale (0.8 − 0.6)(1 − 1/6) = 1/6 + equalisation 0.8 (1/6 − 1/16) = 1/12.
        let h = hoi_change((0.6, 1.0 / 6.0), (0.8, 1.0 / 16.0));
        assert!((h.change - 0.25).abs() < 1e-15, "{h:?}");
        assert!((h.scale - 1.0 / 6.0).abs() < 1e-15, "{h:?}");
        assert!((h.equalisation - 1.0 / 12.0).abs() < 1e-15, "{h:?}");
        // Two replicates per wave. Scale over wave 1's, wave 2 held: (0.8 − 0.5)(1 − 0.2) = 0.24
        // and (0.8 − 0.7)(1 − 0.1) = 0.09, SD 0.15/√2; over wave 2's: (0.9 − 0.6)·5/6 = 0.25 and
        // (0.7 − 0.6)·5/6 = 1/12, SD (1/6)/√2. Var = 0.0225/2 + (1/36)/2.
        let first_reps = [(0.5, 0.2), (0.7, 0.1)];
        let latest_reps = [(0.9, 0.05), (0.7, 0.075)];
        let se = hoi_change_se(
            (0.6, 1.0 / 6.0),
            &first_reps,
            (0.8, 1.0 / 16.0),
            &latest_reps,
        )
        .expect("two replicates each");
        let scale_var: f64 = 0.0225 / 2.0 + (1.0 / 36.0) / 2.0;
        assert!((se.scale - scale_var.sqrt()).abs() < 1e-15, "{se:?}");
        // Equalisation over wave 1's: 0.8 (0.2 − 1/16) = 0.11 and 0.8 (0.1 − 1/16) = 0.03, SD
        // 0.08/√2; over wave 2's: 0.9 (1/6 − 0.05) = 0.105 and 0.7 (1/6 − 0.075) = 0.064166…,
        // SD 0.0408333…/√2.
        let d2: f64 = 0.105 - 0.7 * (1.0 / 6.0 - 0.075);
        let eq_var = 0.0064 / 2.0 + d2 * d2 / 2.0;
        assert!((se.equalisation - eq_var.sqrt()).abs() < 1e-15, "{se:?}");
        // Change over wave 1's: 0.75 − 0.5·0.8 = 0.35 and 0.75 − 0.7·0.9 = 0.12, SD 0.23/√2; over
        // wave 2's: 0.9·0.95 − 0.5 = 0.355 and 0.7·0.925 − 0.5 = 0.1475, SD 0.2075/√2.
        let ch_var: f64 = 0.23f64.powi(2) / 2.0 + 0.2075f64.powi(2) / 2.0;
        assert!((se.change - ch_var.sqrt()).abs() < 1e-15, "{se:?}");
        assert_eq!(
            hoi_change_se((0.6, 0.1), &first_reps[..1], (0.8, 0.1), &latest_reps),
            None
        );
    }
}
