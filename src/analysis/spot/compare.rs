//! The scenario comparison: each scenario's fall of the national headcount and change of the
//! Gini index, each linearised as one statistic on the same sample (the difference of the two
//! linearised variables; before and after share every weight), and its cost now and in the
//! last projection year.

use super::population::Population;
use crate::estimate::measures::HouseholdDesign;
use crate::estimate::{linearise, stats};
use crate::results::spot::YearCost;
use crate::results::spot_rap::Comparison;

/// Cost in the first and last projection years.
pub(super) struct Ends {
    now: f64,
    last: f64,
    last_year: i32,
}

impl Ends {
    pub(super) fn of(path: &[YearCost]) -> Ends {
        let (first, last) = (path.first(), path.last());
        Ends {
            now: first.map_or(0.0, |y| y.cost_pct_gdp),
            last: last.map_or(0.0, |y| y.cost_pct_gdp),
            last_year: last.map_or(0, |y| y.year),
        }
    }
}

/// SE of θ_after − θ_before from the two linearised variables (one value per household).
pub(super) fn change_se(hd: &HouseholdDesign, w: &[f64], before: &[f64], after: &[f64]) -> f64 {
    let mut t = vec![0.0; hd.design.psus()];
    for h in 0..w.len() {
        t[hd.psu[h] as usize] += w[h] * (after[h] - before[h]);
    }
    hd.design.se_of_psu_totals(&t)
}

pub(super) fn comparison(
    pop: &Population,
    hd: &HouseholdDesign,
    after: &[f64],
    line: f64,
    ends: &Ends,
) -> Comparison {
    let (y, w) = (&pop.welfare, &pop.persons);
    let (order_before, order_after) = (stats::order_by_value(y), stats::order_by_value(after));
    let (fgt_before, fgt_after) = (
        linearise::fgt(y, w, line, 0),
        linearise::fgt(after, w, line, 0),
    );
    let (gini_before, gini_after) = (
        linearise::gini(y, w, &order_before),
        linearise::gini(after, w, &order_after),
    );
    Comparison {
        headcount_reduction: stats::fgt(y, w, line, 0.0) - stats::fgt(after, w, line, 0.0),
        headcount_reduction_se: change_se(hd, w, &fgt_before, &fgt_after),
        gini_change: stats::gini_ordered(after, w, &order_after)
            - stats::gini_ordered(y, w, &order_before),
        gini_change_se: change_se(hd, w, &gini_before, &gini_after),
        cost_pct_gdp_now: ends.now,
        cost_pct_gdp_last: ends.last,
        last_year: ends.last_year,
    }
}
