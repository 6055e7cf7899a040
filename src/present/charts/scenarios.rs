//! Bar charts of the benefit scenarios: poverty before and after, incidence by decile, and reach.

use super::bars::Bars;
use super::{ChartContext, ChartFile, BLUE, GREEN, GREY, PALETTE, VERMILLION};
use crate::error::Result;
use crate::results::spot::{ScenarioResult, SpotResult};

/// Poverty headcount before and after each scenario.
pub(super) fn poverty_chart(c: &ChartContext, spot: &SpotResult) -> Result<ChartFile> {
    let (t, dir, source, numbers) = (c.t, c.dir, &c.source, &c.numbers);
    let before = 100.0 * spot.baseline.poverty[0].headcount;
    let bars = Bars {
        title: t.fill("charts.poverty_title", &[])?,
        x_label: t.fill("charts.poverty_axis", &[])?,
        source: source.clone(),
        rows: spot.scenarios.iter().map(|s| s.label.clone()).collect(),
        series: vec![
            (
                t.fill("charts.before", &[])?,
                GREY,
                vec![before; spot.scenarios.len()],
            ),
            (
                t.fill("charts.after", &[])?,
                GREEN,
                spot.scenarios
                    .iter()
                    .map(|s| 100.0 * s.after.poverty[0].headcount)
                    .collect(),
            ),
        ],
        x_max: (before * 1.1).max(1.0),
        stacked: false,
        intervals: Vec::new(),
        numbers: numbers.clone(),
    };
    bars.write(dir, "poverty_scenarios")
}

/// Incidence: change of mean consumption by pre-transfer decile, per scenario.
pub(super) fn incidence_chart(c: &ChartContext, spot: &SpotResult) -> Result<ChartFile> {
    let (t, dir, source, numbers) = (c.t, c.dir, &c.source, &c.numbers);
    let incidence = Bars {
        title: t.fill("charts.decile_title", &[])?,
        x_label: t.fill("charts.decile_axis", &[])?,
        source: source.clone(),
        rows: (1..=10)
            .map(|d| match d {
                1 => t.fill("charts.decile_poorest", &[]),
                10 => t.fill("charts.decile_richest", &[]),
                d => t.fill("charts.decile", &[("decile", &d.to_string())]),
            })
            .collect::<Result<_>>()?,
        series: spot
            .scenarios
            .iter()
            .enumerate()
            .map(|(k, sc)| {
                (
                    sc.label.clone(),
                    PALETTE[k % PALETTE.len()],
                    sc.deciles.iter().map(|d| d.change_pct.max(0.0)).collect(),
                )
            })
            .collect(),
        x_max: spot
            .scenarios
            .iter()
            .flat_map(|sc| sc.deciles.iter().map(|d| d.change_pct))
            .fold(0.0, f64::max)
            * 1.1
            + 0.5,
        stacked: false,
        intervals: Vec::new(),
        numbers: numbers.clone(),
    };
    incidence.write(dir, "decile_incidence")
}

/// Reach to the furthest behind, next to reach to the bottom 40%.
pub(super) fn reach_chart(c: &ChartContext, spot: &SpotResult) -> Result<ChartFile> {
    let (t, dir, source, numbers) = (c.t, c.dir, &c.source, &c.numbers);
    let coverage_of = |sc: &ScenarioResult, id: &str| {
        sc.reach
            .iter()
            .find(|g| g.id == id)
            .map_or(0.0, |g| 100.0 * g.coverage)
    };
    let reach = Bars {
        title: t.fill("charts.reach_title", &[])?,
        x_label: t.fill("charts.reach_axis", &[])?,
        source: source.clone(),
        rows: spot.scenarios.iter().map(|s| s.label.clone()).collect(),
        series: vec![
            (
                t.fill("charts.reach_furthest_behind", &[])?,
                VERMILLION,
                spot.scenarios
                    .iter()
                    .map(|s| 100.0 * s.reach_furthest_behind)
                    .collect(),
            ),
            (
                t.fill("charts.reach_bottom40", &[])?,
                BLUE,
                spot.scenarios
                    .iter()
                    .map(|s| coverage_of(s, "bottom40"))
                    .collect(),
            ),
        ],
        // Shares of a group: the axis ends at 100%.
        x_max: 100.0,
        stacked: false,
        intervals: Vec::new(),
        numbers: numbers.clone(),
    };
    reach.write(dir, "reach")
}
