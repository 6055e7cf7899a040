//! Linearised variables of distribution measures (docs/methods.md, 'Linearised standard errors
//! of the distribution measures'). The linearised variable of a statistic θ(w) is its derivative
//! with respect to each record's weight, u_k = ∂θ/∂w_k (Deville 1999); the design SE of θ is then
//! the SE of the total Σ w_k u_k, computed from PSU totals like any other total. For statistics
//! built on quantiles, the quantile's own move is included through its influence function
//! (Osier 2009): for a lower partial total the density cancels, for the at-risk-of-poverty rate
//! it does not and is estimated with a Gaussian kernel.
//!
//! Every function takes values `y` and weights `w` as parallel slices (records in any order) and
//! returns one value per record, in the same order.

use crate::estimate::stats;

/// Weighted mean: u = (y − μ)/N.
pub fn mean(y: &[f64], w: &[f64]) -> Vec<f64> {
    let n: f64 = w.iter().sum();
    let mu = stats::mean(y, w);
    y.iter().map(|&yi| (yi - mu) / n).collect()
}

/// FGT(α) at a fixed line z: u = (g − P)/N with g = 1[y < z]((z − y)/z)^α.
pub fn fgt(y: &[f64], w: &[f64], z: f64, alpha: u8) -> Vec<f64> {
    let n: f64 = w.iter().sum();
    let g = |yi: f64| {
        if yi < z {
            ((z - yi) / z).powi(alpha as i32)
        } else {
            0.0
        }
    };
    let p = y.iter().zip(w).map(|(&yi, &wi)| wi * g(yi)).sum::<f64>() / n;
    y.iter().map(|&yi| (g(yi) - p) / n).collect()
}

/// The Gini coefficient of `stats::gini_ordered`, differentiated exactly with respect to each
/// weight: with A = Σ w y R (R the cumulative weight in ascending order of y), B = Σ w² y,
/// G = (2A − B)/(N T) − 1, ∂A/∂w_k = y_k R_k + (T − T_<k), ∂B/∂w_k = 2 w_k y_k and
/// ∂(N T)/∂w_k = T + N y_k. Tied records get the same value: within a tie, y_k R_k − T_<k does
/// not depend on the order.
pub fn gini(y: &[f64], w: &[f64], order: &[usize]) -> Vec<f64> {
    let g = stats::gini_ordered(y, w, order);
    let n: f64 = order.iter().map(|&i| w[i]).sum();
    let t: f64 = order.iter().map(|&i| w[i] * y[i]).sum();
    let mut u = vec![0.0; y.len()];
    let (mut cum_w, mut cum_t) = (0.0, 0.0);
    for &k in order {
        let below_t = cum_t; // T_<k
        cum_w += w[k];
        cum_t += w[k] * y[k];
        let d_a = y[k] * cum_w + (t - below_t);
        let d_b = 2.0 * w[k] * y[k];
        u[k] = ((2.0 * d_a - d_b) - (g + 1.0) * (t + n * y[k])) / (n * t);
    }
    u
}

/// The lower partial total T_p = Σ w y 1[y ≤ q_p] at the quantile q_p of share p, with the
/// quantile's influence −(1[y ≤ q] − p)/(N f(q)) times ∂T_p/∂q = q N f(q): the density cancels
/// and u = 1[y ≤ q](y − q) + p q.
pub fn lower_total(y: &[f64], q: f64, p: f64) -> Vec<f64> {
    y.iter()
        .map(|&yi| if yi <= q { yi - q } else { 0.0 } + p * q)
        .collect()
}

/// The ratio a/b of two statistics with linearised variables `ua` and `ub`: u = (ua − (a/b) ub)/b.
pub fn ratio(a: f64, ua: &[f64], b: f64, ub: &[f64]) -> Vec<f64> {
    let r = a / b;
    ua.iter().zip(ub).map(|(x, z)| (x - r * z) / b).collect()
}

/// Gaussian kernel density of the weighted values at `at`, with bandwidth h.
pub fn density(y: &[f64], w: &[f64], at: f64, h: f64) -> f64 {
    let n: f64 = w.iter().sum();
    let s: f64 = y
        .iter()
        .zip(w)
        .map(|(&yi, &wi)| {
            let x = (at - yi) / h;
            wi * (-0.5 * x * x).exp()
        })
        .sum();
    s / (n * h * (2.0 * std::f64::consts::PI).sqrt())
}

/// Kernel bandwidth of Osier (2009), as R's convey uses it: the weighted standard deviation of
/// y over N^(1/5), N the sum of weights.
pub fn bandwidth(y: &[f64], w: &[f64]) -> f64 {
    let (mut n, mut s, mut s2) = (0.0, 0.0, 0.0);
    for (&yi, &wi) in y.iter().zip(w) {
        n += wi;
        s += wi * yi;
        s2 += wi * yi * yi;
    }
    ((s2 - s * s / n) / n).sqrt() / n.powf(0.2)
}

/// The at-risk-of-poverty rate at `share` of the median: the rate of records with y below
/// t = share × median, and its linearised variable
/// u = (1[y < t] − ARPR)/N + f(t) · share · u_median, u_median = −(1[y ≤ m] − ½)/(N f(m)).
pub fn at_risk_rate(y: &[f64], w: &[f64], median: f64, share: f64) -> (f64, Vec<f64>) {
    let n: f64 = w.iter().sum();
    let t = share * median;
    let rate = y
        .iter()
        .zip(w)
        .filter(|&(&yi, _)| yi < t)
        .map(|(_, &wi)| wi)
        .sum::<f64>()
        / n;
    let h = bandwidth(y, w);
    let (f_median, f_line) = (density(y, w, median, h), density(y, w, t, h));
    let u = y
        .iter()
        .map(|&yi| {
            let below = if yi < t { 1.0 } else { 0.0 };
            let at_or_below_median = if yi <= median { 1.0 } else { 0.0 };
            let u_median = -(at_or_below_median - 0.5) / (n * f_median);
            (below - rate) / n + f_line * share * u_median
        })
        .collect();
    (rate, u)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Central-difference derivative of a statistic with respect to each weight.
    fn numerical(w: &[f64], stat: impl Fn(&[f64]) -> f64) -> Vec<f64> {
        (0..w.len())
            .map(|k| {
                let h = 1e-6 * w[k];
                let (mut up, mut down) = (w.to_vec(), w.to_vec());
                up[k] += h;
                down[k] -= h;
                (stat(&up) - stat(&down)) / (2.0 * h)
            })
            .collect()
    }

    #[test]
    fn gini_variable_is_the_derivative_of_the_gini() {
        // Ties (two 3s) and unequal weights.
        let y = [5.0, 1.0, 3.0, 9.0, 3.0, 2.0];
        let w = [1.0, 2.5, 0.5, 1.5, 2.0, 1.0];
        let exact = gini(&y, &w, &stats::order_by_value(&y));
        let approx = numerical(&w, |wt| stats::gini(&y, wt));
        for (e, a) in exact.iter().zip(&approx) {
            assert!((e - a).abs() < 1e-8, "{e} vs {a}");
        }
    }

    #[test]
    fn mean_and_fgt_variables_are_derivatives() {
        let y = [5.0, 8.0, 10.0, 20.0];
        let w = [1.0, 2.0, 3.0, 4.0];
        // Central differences with a step of 1e-6 of the weight: accurate to ~1e-8 here.
        let approx = numerical(&w, |wt| stats::mean(&y, wt));
        for (e, a) in mean(&y, &w).iter().zip(&approx) {
            assert!((e - a).abs() < 1e-7, "{e} vs {a}");
        }
        let approx = numerical(&w, |wt| stats::fgt(&y, wt, 10.0, 2.0));
        for (e, a) in fgt(&y, &w, 10.0, 2).iter().zip(&approx) {
            assert!((e - a).abs() < 1e-7, "{e} vs {a}");
        }
    }

    #[test]
    fn lower_total_holds_the_quantile_fixed_part_and_its_move() {
        // y ≤ q: y − q + p q; above: p q. At q = 3, p = 0.5: 1 → −2 + 1.5, 5 → 1.5.
        let u = lower_total(&[1.0, 3.0, 5.0], 3.0, 0.5);
        assert_eq!(u, vec![-0.5, 1.5, 1.5]);
    }
}
