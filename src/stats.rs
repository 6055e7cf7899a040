//! Weighted distributional statistics (DESIGN.md §4). Inputs are parallel slices of values and
//! positive weights; sums run in slice order so results are reproducible.

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
    let order = order_by_value(y);
    let (mut cum_w, mut a, mut b, mut t) = (0.0, 0.0, 0.0, 0.0);
    for &i in &order {
        cum_w += w[i];
        a += w[i] * y[i] * cum_w;
        b += w[i] * w[i] * y[i];
        t += w[i] * y[i];
    }
    (2.0 * a - b) / (cum_w * t) - 1.0
}

/// Weighted quantile: the first y (in ascending order) whose cumulative weight share exceeds p.
pub fn quantile(y: &[f64], w: &[f64], p: f64) -> f64 {
    let order = order_by_value(y);
    let total: f64 = w.iter().sum();
    let mut cum = 0.0;
    for &i in &order {
        cum += w[i];
        if cum / total > p {
            return y[i];
        }
    }
    y[*order.last().expect("non-empty")]
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
        // Welfare 1..n with unit weights: G = (n − 1)/(3n)... for the PIP estimator
        // G = (2·Σ i·i − Σ i)/(n·Σ i) − 1 = (n − 1)/(3n)·... check n = 4: 0.25.
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
    }

    #[test]
    fn quantile_first_exceeding() {
        let y = [3.0, 1.0, 2.0, 4.0];
        let w = [1.0, 1.0, 1.0, 1.0];
        assert_eq!(quantile(&y, &w, 0.5), 3.0); // share 0.5 at 2 does not exceed 0.5
        assert_eq!(quantile(&y, &w, 0.49), 2.0);
        assert_eq!(quantile(&y, &w, 0.0), 1.0);
    }
}
