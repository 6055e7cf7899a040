//! The scenario comparison in one view: for every scenario its fall in poverty and in the Gini
//! index (with 95% intervals, linearised on the same sample) beside its cost now and in the
//! last projection year.

use super::bars::Bars;
use super::{ChartContext, ChartFile, BLUE, GREEN, ORANGE, VERMILLION};
use crate::error::Result;
use crate::estimate::variance::ci95;
use crate::results::spot::SpotResult;

/// Fall in poverty (points), fall in the Gini index (Gini points × 100) and cost (% of GDP) now
/// and in the last projection year, per scenario. Bars start at zero: a rise shows as no bar,
/// and its interval still shows.
pub(super) fn comparison_chart(c: &ChartContext, spot: &SpotResult) -> Result<ChartFile> {
    let (t, sc) = (c.t, &spot.scenarios);
    let last_year = sc.first().map_or(0, |s| s.comparison.last_year).to_string();
    let poverty: Vec<(f64, f64)> = sc
        .iter()
        .map(|s| {
            let k = &s.comparison;
            (
                100.0 * k.headcount_reduction,
                100.0 * k.headcount_reduction_se,
            )
        })
        .collect();
    let gini: Vec<(f64, f64)> = sc
        .iter()
        .map(|s| {
            let k = &s.comparison;
            (-100.0 * k.gini_change, 100.0 * k.gini_change_se)
        })
        .collect();
    let interval = |v: &[(f64, f64)]| -> Vec<(f64, f64)> {
        v.iter()
            .map(|&(x, se)| {
                let (lo, hi) = ci95(x, se);
                (lo.max(0.0), hi.max(0.0))
            })
            .collect()
    };
    let now: Vec<f64> = sc.iter().map(|s| s.comparison.cost_pct_gdp_now).collect();
    let last: Vec<f64> = sc.iter().map(|s| s.comparison.cost_pct_gdp_last).collect();
    let top = poverty
        .iter()
        .chain(&gini)
        .map(|&(x, se)| x + 1.96 * se)
        .chain(now.iter().chain(&last).copied())
        .fold(0.0, f64::max);
    let bars = Bars {
        title: t.fill("charts.comparison_title", &[])?,
        x_label: t.fill("charts.comparison_axis", &[])?,
        source: c.source.clone(),
        rows: sc.iter().map(|s| s.label.clone()).collect(),
        series: vec![
            (
                t.fill("charts.comparison_poverty", &[])?,
                GREEN,
                poverty.iter().map(|p| p.0.max(0.0)).collect(),
            ),
            (
                t.fill("charts.comparison_gini", &[])?,
                BLUE,
                gini.iter().map(|g| g.0.max(0.0)).collect(),
            ),
            (t.fill("charts.comparison_cost_now", &[])?, ORANGE, now),
            (
                t.fill("charts.comparison_cost_last", &[("year", &last_year)])?,
                VERMILLION,
                last,
            ),
        ],
        x_max: top * 1.1 + 0.1,
        stacked: false,
        intervals: vec![interval(&poverty), interval(&gini)],
        numbers: c.numbers.clone(),
    };
    bars.write(c.dir, "scenario_comparison")
}
