//! Weighted distributional statistics (docs/methods.md, 'FGT poverty measures', 'Inequality:
//! Gini, Theil, mean, quantiles, shares' and 'Deciles, decile shares, Palma, S80/S20, bottom
//! 40%'). Inputs are parallel slices of values and positive weights; sums run in slice order so
//! results are reproducible.

/// Foster–Greer–Thorbecke index: Σ w·1[y < z]·((z − y)/z)^α / Σ w (strict `<`).
pub fn fgt(y: &[f64], w: &[f64], z: f64, alpha: f64) -> f64 {
    let mut num = 0.0;
    let mut den = 0.0;
    for (&yi, &wi) in y.iter().zip(w) {
        den += wi;
        if yi < z {
            let gap = (z - yi) / z;
            num += wi * if alpha == 0.0 { 1.0 } else { gap.powf(alpha) };
        }
    }
    num / den
}

/// FGT(0), FGT(1) and FGT(2) at one line in a single pass.
pub fn fgt012(y: &[f64], w: &[f64], z: f64) -> [f64; 3] {
    let (mut h, mut g, mut s, mut t) = (0.0, 0.0, 0.0, 0.0);
    for (&yi, &wi) in y.iter().zip(w) {
        t += wi;
        if yi < z {
            let gap = (z - yi) / z;
            h += wi;
            g += wi * gap;
            s += wi * gap * gap;
        }
    }
    [h / t, g / t, s / t]
}

/// Order of observations by value (stable, so equal values keep their input order).
pub fn order_by_value(y: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..y.len()).collect();
    idx.sort_by(|&a, &b| y[a].total_cmp(&y[b]));
    idx
}

/// Gini coefficient, World Bank PIP / laeken estimator:
/// G = (2·Σ w·y·R − Σ w²·y) / (N·T) − 1, R cumulative weight in ascending order of y,
/// N = Σ w, T = Σ w·y.
pub fn gini(y: &[f64], w: &[f64]) -> f64 {
    gini_ordered(y, w, &order_by_value(y))
}

/// Gini with the ascending order of `y` already known.
pub fn gini_ordered(y: &[f64], w: &[f64], order: &[usize]) -> f64 {
    let (mut cum_w, mut a, mut b, mut t) = (0.0, 0.0, 0.0, 0.0);
    for &i in order {
        cum_w += w[i];
        a += w[i] * y[i] * cum_w;
        b += w[i] * w[i] * y[i];
        t += w[i] * y[i];
    }
    (2.0 * a - b) / (cum_w * t) - 1.0
}

/// Weighted quantile as R's laeken computes it (and docs/methods.md states in 'Inequality: Gini,
/// Theil, mean, quantiles, shares'): with cumulative weight shares r_i in ascending order of y,
/// the first y with r_i > p; p = 0 gives the minimum and p = 1 the maximum. (laeken's source also
/// has an averaging branch for r_i == p, but it selects with `rw > p`, so that branch never runs;
/// this follows what it does.)
pub fn quantile(y: &[f64], w: &[f64], p: f64) -> f64 {
    let order = order_by_value(y);
    let n = order.len();
    if p <= 0.0 {
        return y[order[0]];
    }
    if p >= 1.0 {
        return y[order[n - 1]];
    }
    let total: f64 = w.iter().sum();
    let mut cum = 0.0;
    for &i in &order {
        cum += w[i];
        if cum / total > p {
            return y[i];
        }
    }
    y[order[n - 1]]
}

/// Theil T index: Σ w (y/μ) ln(y/μ) / Σ w (records with y = 0 contribute 0).
pub fn theil(y: &[f64], w: &[f64]) -> f64 {
    let mu = mean(y, w);
    let (mut s, mut t) = (0.0, 0.0);
    for (&yi, &wi) in y.iter().zip(w) {
        t += wi;
        if yi > 0.0 {
            let r = yi / mu;
            s += wi * r * r.ln();
        }
    }
    s / t
}

/// Decile group (1–10) of every record, as laeken and Eurostat define quantile groups: group k
/// holds the records with q((k−1)/10) < y ≤ q(k/10), q being `quantile`. Groups go by value, so
/// tied records are never split, and the record whose cumulative weight share first exceeds k/10
/// belongs to group k. (When a cumulative share hits k/10 exactly, as with ten equal weights, the
/// groups are unequal: that is laeken's rule too.)
pub fn deciles(y: &[f64], w: &[f64]) -> Vec<u8> {
    deciles_ordered(y, w, &order_by_value(y))
}

/// Deciles with the ascending order of the values already known.
pub fn deciles_ordered(y: &[f64], w: &[f64], order: &[usize]) -> Vec<u8> {
    let cuts = decile_cuts(y, w, order);
    y.iter()
        .map(|&yi| 1 + cuts.iter().filter(|&&q| yi > q).count() as u8)
        .collect()
}

/// q(0.1), …, q(0.9) in one pass over the sorted records, each the first y whose cumulative
/// weight share exceeds k/10 (the rule of `quantile`).
fn decile_cuts(y: &[f64], w: &[f64], order: &[usize]) -> Vec<f64> {
    let total: f64 = w.iter().sum();
    let mut cuts = Vec::with_capacity(9);
    let mut cum = 0.0;
    for &i in order {
        cum += w[i];
        while cuts.len() < 9 && cum / total > (cuts.len() + 1) as f64 / 10.0 {
            cuts.push(y[i]);
        }
    }
    // Rounding can leave the last share a hair under 0.9 only if the weights are degenerate;
    // the maximum is then the cut, as `quantile(·, 1)` would give.
    let last = order.last().map_or(0.0, |&i| y[i]);
    cuts.resize(9, last);
    cuts
}

/// Income shares by decile and the summary ratios built on them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Shares {
    pub decile_share: Vec<f64>,
    pub bottom40: f64,
    pub top10: f64,
    pub palma: f64,
    pub s80s20: f64,
}

pub fn shares(y: &[f64], w: &[f64], decile: &[u8]) -> Shares {
    let mut by = [0.0; 10];
    let mut total = 0.0;
    for ((&yi, &wi), &d) in y.iter().zip(w).zip(decile) {
        by[d as usize - 1] += wi * yi;
        total += wi * yi;
    }
    let share: Vec<f64> = by.iter().map(|b| b / total).collect();
    let bottom40: f64 = share[..4].iter().sum();
    let top10 = share[9];
    Shares {
        palma: top10 / bottom40,
        s80s20: (share[8] + share[9]) / (share[0] + share[1]),
        bottom40,
        top10,
        decile_share: share,
    }
}

/// Weighted mean.
pub fn mean(y: &[f64], w: &[f64]) -> f64 {
    let (mut s, mut t) = (0.0, 0.0);
    for (&yi, &wi) in y.iter().zip(w) {
        s += wi * yi;
        t += wi;
    }
    s / t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gini_of_one_to_n_is_exact() {
        // Welfare 1..n with unit weights: G = (2·Σ i² − Σ i)/(n·Σ i) − 1 = (n − 1)/(3n).
        for n in [2usize, 4, 10, 101] {
            let y: Vec<f64> = (1..=n).map(|i| i as f64).collect();
            let w = vec![1.0; n];
            let expected = (n as f64 - 1.0) / (3.0 * n as f64);
            assert!(
                (gini(&y, &w) - expected).abs() < 1e-14,
                "n = {n}: {}",
                gini(&y, &w)
            );
        }
    }

    #[test]
    fn fgt_by_hand() {
        // Line 10; incomes 5, 8, 10, 20 with weights 1, 2, 3, 4 (10 in all).
        let y = [5.0, 8.0, 10.0, 20.0];
        let w = [1.0, 2.0, 3.0, 4.0];
        assert!((fgt(&y, &w, 10.0, 0.0) - 0.3).abs() < 1e-15); // 10 is not below 10
        assert!((fgt(&y, &w, 10.0, 1.0) - (0.5 + 2.0 * 0.2) / 10.0).abs() < 1e-15);
        assert!((fgt(&y, &w, 10.0, 2.0) - (0.25 + 2.0 * 0.04) / 10.0).abs() < 1e-15);
        let all = fgt012(&y, &w, 10.0);
        for (alpha, v) in all.iter().enumerate() {
            assert!((v - fgt(&y, &w, 10.0, alpha as f64)).abs() < 1e-15);
        }
    }

    #[test]
    fn quantile_as_laeken() {
        let y = [3.0, 1.0, 2.0, 4.0];
        let w = [1.0, 1.0, 1.0, 1.0];
        assert_eq!(quantile(&y, &w, 0.5), 3.0); // share exactly 0.5 at 2 does not exceed 0.5
        assert_eq!(quantile(&y, &w, 0.49), 2.0);
        assert_eq!(quantile(&y, &w, 0.51), 3.0);
        assert_eq!(quantile(&y, &w, 0.0), 1.0);
        assert_eq!(quantile(&y, &w, 1.0), 4.0);
    }

    #[test]
    fn deciles_by_value_as_laeken() {
        // Eleven records of equal weight 1..=11 (shares k/11 never hit k/10): q(k/10) is the
        // (k+1)-th smallest value, so records 1 and 2 form group 1 and each later one its own.
        let y: Vec<f64> = (1..=11).rev().map(|i| i as f64).collect();
        let w = vec![1.0; 11];
        let d = deciles(&y, &w);
        assert_eq!(d, vec![10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1]);
        // Ten equal weights hit every k/10 exactly: q(k/10) is the (k+1)-th value, the two
        // smallest share group 1 and group 10 is empty, as laeken's qsr counts them.
        let y: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let d = deciles(&y, &[1.0; 10]);
        assert_eq!(d, vec![1, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        let s = shares(&y, &[1.0; 10], &d);
        // laeken: Σ y over y > q(0.8) = 8 is 9; over y ≤ q(0.2) = 2 it is 3.
        assert!((s.s80s20 - 3.0).abs() < 1e-15);
        assert!((s.bottom40 - 10.0 / 45.0).abs() < 1e-15);
        // Ties are never split: the three records of value 5 share one group (q(0.2) = 1 < 5 ≤ q(0.3)).
        let d = deciles(&[5.0, 5.0, 5.0, 1.0], &[1.0, 1.0, 1.0, 1.0]);
        assert_eq!(d, vec![3, 3, 3, 1]);
    }

    #[test]
    fn theil_of_equal_incomes_is_zero() {
        assert_eq!(theil(&[5.0, 5.0, 5.0], &[1.0, 2.0, 3.0]), 0.0);
        // Two people, incomes 1 and 3: μ = 2, T = (0.5 ln 0.5 + 1.5 ln 1.5)/2.
        let t = theil(&[1.0, 3.0], &[1.0, 1.0]);
        assert!((t - (0.5 * 0.5f64.ln() + 1.5 * 1.5f64.ln()) / 2.0).abs() < 1e-15);
    }
}
