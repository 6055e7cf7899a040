//! The World Bank variant of the D-index: D computed from the predicted probabilities of a
//! weighted logistic regression of the outcome on the circumstances (main effects), fitted by
//! Newton/IRLS on the cell table. Factors (ordered ones too) enter as treatment dummies with the
//! first level as baseline, numbers as numbers. The fit starts from the intercept-only solution and
//! halves a step whenever the deviance would rise (naive starts diverge on real data). Columns that
//! are exact linear combinations of earlier ones (a circumstance duplicating another) are dropped,
//! as R's `glm` does.

// Index loops read like the matrix formulas they implement.
#![allow(clippy::needless_range_loop)]

use serde::{Deserialize, Serialize};

use super::cells::CellTable;
use crate::estimate::cells::CircumstanceKind;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LogitFit {
    /// Coefficient names as R prints them (`(Intercept)`, `wealthQ2`, `age`, ...); dropped
    /// (aliased) columns are left out.
    pub names: Vec<String>,
    pub coefficients: Vec<f64>,
    pub iterations: usize,
    pub converged: bool,
    /// D-index from the fitted probabilities.
    pub d: f64,
}

/// Design matrix rows (one per cell) and column names.
fn design(table: &CellTable) -> (Vec<String>, Vec<Vec<f64>>) {
    let mut names = vec!["(Intercept)".to_string()];
    for v in &table.vars {
        match v.kind {
            CircumstanceKind::Numeric => names.push(v.id.clone()),
            _ => names.extend(v.levels.iter().skip(1).map(|l| format!("{}{l}", v.id))),
        }
    }
    let rows = table
        .cells
        .iter()
        .map(|c| {
            let mut x = vec![1.0];
            for (v, var) in table.vars.iter().enumerate() {
                let code = c.codes[v] as usize;
                match var.kind {
                    CircumstanceKind::Numeric => x.push(var.values[code]),
                    _ => x.extend((1..var.levels.len()).map(|l| if l == code { 1.0 } else { 0.0 })),
                }
            }
            x
        })
        .collect();
    (names, rows)
}

/// Solve (A) x = b for symmetric positive definite A restricted to `keep` columns (Cholesky).
fn solve(a: &[Vec<f64>], b: &[f64], keep: &[usize]) -> Vec<f64> {
    let k = keep.len();
    let mut l = vec![vec![0.0; k]; k];
    for i in 0..k {
        for j in 0..=i {
            let mut s = a[keep[i]][keep[j]];
            for m in 0..j {
                s -= l[i][m] * l[j][m];
            }
            l[i][j] = if i == j {
                s.max(f64::MIN_POSITIVE).sqrt()
            } else {
                s / l[j][j]
            };
        }
    }
    let mut y = vec![0.0; k];
    for i in 0..k {
        let mut s = b[keep[i]];
        for m in 0..i {
            s -= l[i][m] * y[m];
        }
        y[i] = s / l[i][i];
    }
    let mut x = vec![0.0; k];
    for i in (0..k).rev() {
        let mut s = y[i];
        for m in i + 1..k {
            s -= l[m][i] * x[m];
        }
        x[i] = s / l[i][i];
    }
    x
}

/// Columns that are not linear combinations of earlier ones, by a pivot-free Gram–Schmidt
/// on the weighted cross-product (tolerance relative to each column's norm, as R's 1e-7).
fn independent_columns(xtx: &[Vec<f64>]) -> Vec<usize> {
    let p = xtx.len();
    let mut keep: Vec<usize> = Vec::new();
    for j in 0..p {
        let mut trial = keep.clone();
        trial.push(j);
        // Schur complement of column j given the kept columns.
        let b: Vec<f64> = (0..p).map(|r| xtx[r][j]).collect();
        let coef = if keep.is_empty() {
            Vec::new()
        } else {
            solve(xtx, &b, &keep)
        };
        let explained: f64 = keep.iter().zip(&coef).map(|(&c, &x)| xtx[j][c] * x).sum();
        let residual = xtx[j][j] - explained;
        if residual > 1e-7 * xtx[j][j].max(f64::MIN_POSITIVE) {
            keep = trial;
        }
    }
    keep
}

/// Iteration limit, as R's `glm.control(maxit)` is 25 by default; 100 leaves room for the
/// halved steps of hard cases.
const MAX_ITERATIONS: usize = 100;

/// The weighted problem in a form that is numerically easy: the design matrix, and the cells with
/// their weights rescaled to mean 1 per record. Rescaling does not move the maximum-likelihood
/// estimate, but it keeps the deviance near the number of records instead of Σw (~1e7 with survey
/// weights in the hundreds), so its rounding noise stays below the gain of a Newton step.
struct Problem {
    x: Vec<Vec<f64>>,
    /// (w, wy) per cell, rescaled.
    cells: Vec<(f64, f64)>,
    /// Columns kept (not aliased).
    keep: Vec<usize>,
}

impl Problem {
    fn new(table: &CellTable, x: Vec<Vec<f64>>) -> Self {
        let records: u64 = table.cells.iter().map(|c| c.n).sum();
        let total_w: f64 = table.cells.iter().map(|c| c.w).sum();
        let scale = records as f64 / total_w;
        let cells: Vec<(f64, f64)> = table
            .cells
            .iter()
            .map(|c| (c.w * scale, c.wy * scale))
            .collect();
        let weights: Vec<f64> = cells.iter().map(|c| c.0).collect();
        let mut problem = Problem {
            x,
            cells,
            keep: Vec::new(),
        };
        problem.keep = independent_columns(&problem.cross(&weights));
        problem
    }

    /// X' diag(weights) X over all columns.
    fn cross(&self, weights: &[f64]) -> Vec<Vec<f64>> {
        let p = self.x.first().map_or(0, Vec::len);
        let mut a = vec![vec![0.0; p]; p];
        for (row, &w) in self.x.iter().zip(weights) {
            for i in 0..p {
                if row[i] == 0.0 {
                    continue;
                }
                for j in 0..=i {
                    a[i][j] += w * row[i] * row[j];
                }
            }
        }
        for i in 0..p {
            for j in 0..i {
                a[j][i] = a[i][j];
            }
        }
        a
    }

    fn eta(&self, beta: &[f64]) -> Vec<f64> {
        self.x
            .iter()
            .map(|row| self.keep.iter().zip(beta).map(|(&j, &b)| row[j] * b).sum())
            .collect()
    }

    /// −2 log-likelihood, in a form that stays finite for large |eta|.
    fn deviance(&self, eta: &[f64]) -> f64 {
        let log1p_exp = |z: f64| {
            if z > 0.0 {
                z + (-z).exp().ln_1p()
            } else {
                z.exp().ln_1p()
            }
        };
        self.cells
            .iter()
            .zip(eta)
            .map(|(&(w, wy), &e)| 2.0 * (wy * log1p_exp(-e) + (w - wy) * log1p_exp(e)))
            .sum()
    }

    /// The full Newton step from `eta`: (X'WX)⁻¹ X'(wy − w μ).
    fn newton_step(&self, eta: &[f64]) -> Vec<f64> {
        let p = self.x.first().map_or(0, Vec::len);
        let mu: Vec<f64> = eta.iter().map(|e| 1.0 / (1.0 + (-e).exp())).collect();
        let info: Vec<f64> = self
            .cells
            .iter()
            .zip(&mu)
            .map(|(&(w, _), m)| w * m * (1.0 - m))
            .collect();
        let mut grad = vec![0.0; p];
        for ((row, &(w, wy)), m) in self.x.iter().zip(&self.cells).zip(&mu) {
            let r = wy - w * m;
            for (g, v) in grad.iter_mut().zip(row) {
                *g += v * r;
            }
        }
        solve(&self.cross(&info), &grad, &self.keep)
    }

    /// Take as much of `step` as does not raise the deviance, halving it otherwise (naive full
    /// steps diverge on real data). A rise within the deviance's rounding noise is not a rise:
    /// rejecting it would shrink the last step of a converged fit to nothing.
    fn line_search(&self, beta: &[f64], step: &[f64], dev: f64) -> (Vec<f64>, Vec<f64>, f64) {
        let noise = 1e-12 * (dev.abs() + 0.1);
        let mut scale = 1.0;
        loop {
            let b: Vec<f64> = beta.iter().zip(step).map(|(b, s)| b + scale * s).collect();
            let e = self.eta(&b);
            let d = self.deviance(&e);
            if d <= dev + noise || scale < 1e-10 {
                return (b, e, d);
            }
            scale /= 2.0;
        }
    }
}

/// Fit the logit on the cells and compute D from its fitted probabilities.
///
/// Starts from the intercept-only solution. Stops when the Newton step vanishes, or, as R's
/// `glm.fit` does, when the relative change of the deviance |dev − dev_old| / (|dev| + 0.1) falls
/// below a tolerance (here 1e-14, far below R's default 1e-8, so the coefficients are at the
/// maximum) while the step is small. Under separation (a group where everyone, or no one, has the
/// outcome) the MLE is infinite: the steps stay near 1 and some |eta| grows past 30, and the fit
/// is reported as not converged.
pub fn fit(table: &CellTable) -> LogitFit {
    let (names, x) = design(table);
    let problem = Problem::new(table, x);
    let total_w: f64 = table.cells.iter().map(|c| c.w).sum();
    let pbar = table.cells.iter().map(|c| c.wy).sum::<f64>() / total_w;

    let mut beta = vec![0.0; problem.keep.len()];
    beta[0] = (pbar / (1.0 - pbar)).ln();
    let mut eta = problem.eta(&beta);
    let mut dev = problem.deviance(&eta);
    let mut iterations = 0;
    let mut converged = false;
    while iterations < MAX_ITERATIONS {
        iterations += 1;
        let step = problem.newton_step(&eta);
        let (new_beta, new_eta, new_dev) = problem.line_search(&beta, &step, dev);
        let relative_change = (new_dev - dev).abs() / (new_dev.abs() + 0.1);
        (beta, eta, dev) = (new_beta, new_eta, new_dev);
        let largest_step = step.iter().map(|s| s.abs()).fold(0.0, f64::max);
        if largest_step < 1e-10 || (relative_change < 1e-14 && largest_step < 1e-4) {
            converged = eta.iter().all(|e| e.abs() < 30.0);
            break;
        }
    }
    let d = table
        .cells
        .iter()
        .zip(&eta)
        .map(|(c, e)| c.w / total_w * (1.0 / (1.0 + (-e).exp()) - pbar).abs())
        .sum::<f64>()
        / (2.0 * pbar);
    LogitFit {
        names: problem.keep.iter().map(|&j| names[j].clone()).collect(),
        coefficients: beta,
        iterations,
        converged,
        d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimate::cells::{Cell, Variable};

    #[test]
    fn separation_is_reported_not_converged() {
        // Group b has the outcome for everyone: no finite maximum likelihood.
        let table = CellTable {
            vars: vec![Variable {
                id: "g".into(),
                label: "g".into(),
                kind: CircumstanceKind::Unordered,
                levels: vec!["a".into(), "b".into()],
                level_labels: vec!["a".into(), "b".into()],
                values: vec![0.0, 1.0],
                splits: true,
            }],
            cells: vec![
                Cell {
                    codes: vec![0],
                    n: 10,
                    w: 10.0,
                    wy: 4.0,
                },
                Cell {
                    codes: vec![1],
                    n: 10,
                    w: 10.0,
                    wy: 10.0,
                },
            ],
        };
        assert!(!fit(&table).converged);
        // Without separation the saturated fit reproduces the cell rates: D equals the cell D.
        let mut ok = table.clone();
        ok.cells[1].wy = 8.0;
        let f = fit(&ok);
        assert!(f.converged);
        let cell_d = crate::estimate::dindex::d_of_cells(&ok.cells, false);
        assert!((f.d - cell_d).abs() < 1e-12, "{} vs {cell_d}", f.d);
    }
}
