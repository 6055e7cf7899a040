//! Take-up calibrated to an administrative number of beneficiaries: the eligible units are taken
//! in the order of their seeded draws until their weight reaches the total, so the weighted
//! recipients exceed it by less than the last unit's weight (docs/methods.md, "Calibrated take-up").

use crate::results::programmes::Calibration;

/// Which units (weights `w`, seeded uniform draws `u`, one per unit) are recipients so that the
/// weighted number reaches `target` (at most Σ w), and the calibration achieved.
pub(super) fn to_total(w: &[f64], u: &[f64], target: f64) -> (Vec<bool>, Calibration) {
    let mut order: Vec<usize> = (0..w.len()).collect();
    // Ties (almost impossible with 53-bit draws) keep the units' order: the result is fixed.
    order.sort_by(|&a, &b| u[a].total_cmp(&u[b]).then(a.cmp(&b)));
    let mut taken = vec![false; w.len()];
    let mut achieved = 0.0;
    for &k in &order {
        if achieved >= target {
            break;
        }
        taken[k] = true;
        achieved += w[k];
    }
    let eligible: f64 = w.iter().sum();
    (
        taken,
        Calibration {
            target,
            achieved,
            take_up: if eligible > 0.0 {
                achieved / eligible
            } else {
                0.0
            },
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_units_by_draw_until_the_total_is_reached() {
        let w = [10.0, 20.0, 30.0, 40.0];
        let u = [0.9, 0.1, 0.5, 0.3];
        // Order by draw: unit 1 (20), unit 3 (40), unit 2 (30), unit 0 (10).
        let (taken, c) = to_total(&w, &u, 55.0);
        assert_eq!(taken, vec![false, true, false, true]);
        assert_eq!(c.achieved, 60.0);
        assert_eq!(c.take_up, 0.6);
        let (taken, c) = to_total(&w, &u, 60.0);
        assert_eq!(taken, vec![false, true, false, true]);
        assert_eq!(c.achieved, 60.0);
        let (_, c) = to_total(&w, &u, 100.0);
        assert_eq!(c.achieved, 100.0);
        assert_eq!(c.take_up, 1.0);
    }
}
