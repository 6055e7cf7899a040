//! Bar charts of the indicators: rates by wave, and the D-index in its Shapley parts.

use super::bars::Bars;
use super::{ChartContext, ChartFile, BLUE, ORANGE, PALETTE};
use crate::error::Result;
use crate::estimate::variance::proportion_ci;
use crate::results::WaveResults;

/// A wave's rate of each of the latest wave's indicators, in percent, with its 95% interval
/// (the boundary-safe logit interval the tables print); zero where the wave lacks the indicator.
fn wave_rates(wave: &WaveResults, latest: &WaveResults) -> (Vec<f64>, Vec<(f64, f64)>) {
    latest
        .indicators
        .iter()
        .map(
            |ind| match wave.indicators.iter().find(|p| p.id == ind.id) {
                Some(p) => {
                    let (lo, hi) = proportion_ci(p.rate, p.rate_se, p.n);
                    (100.0 * p.rate, (100.0 * lo, 100.0 * hi))
                }
                None => (0.0, (0.0, 0.0)),
            },
        )
        .unzip()
}

/// Indicator rates with their 95% intervals, latest wave against the previous one.
pub(super) fn rates_chart(c: &ChartContext) -> Result<ChartFile> {
    let (results, t, dir, source, numbers) = (c.results, c.t, c.dir, &c.source, &c.numbers);
    let latest = results.latest();
    let (mut series, mut intervals) = (vec![], vec![]);
    if results.waves.len() > 1 {
        let prev = &results.waves[results.waves.len() - 2];
        let (rates, cis) = wave_rates(prev, latest);
        series.push((prev.id.clone(), ORANGE, rates));
        intervals.push(cis);
    }
    let (rates, cis) = wave_rates(latest, latest);
    series.push((latest.id.clone(), BLUE, rates));
    intervals.push(cis);
    let bars = Bars {
        title: t.fill("charts.rates_title", &[])?,
        x_label: t.fill("charts.rates_axis", &[])?,
        source: source.clone(),
        rows: latest
            .indicators
            .iter()
            .map(|i| format!("{} ({})", i.label, i.sdg))
            .collect(),
        series,
        x_max: 100.0,
        stacked: false,
        intervals,
        numbers: numbers.clone(),
    };
    bars.write(dir, "indicator_rates")
}

/// D-index by indicator, split into its Shapley parts by circumstance.
pub(super) fn dindex_chart(c: &ChartContext) -> Result<ChartFile> {
    let (results, t, dir, source, numbers) = (c.results, c.t, c.dir, &c.source, &c.numbers);
    let latest = results.latest();
    let mut circumstances: Vec<(String, String)> = Vec::new();
    for ind in &latest.indicators {
        for part in &ind.inequality.shapley {
            if !circumstances.iter().any(|(id, _)| *id == part.circumstance) {
                circumstances.push((part.circumstance.clone(), part.label.clone()));
            }
        }
    }
    let series = circumstances
        .iter()
        .enumerate()
        .map(|(k, (id, label))| {
            let values = latest
                .indicators
                .iter()
                .map(|ind| {
                    ind.inequality
                        .shapley
                        .iter()
                        .find(|p| &p.circumstance == id)
                        .map_or(0.0, |p| p.value.max(0.0))
                })
                .collect();
            (label.clone(), PALETTE[k % PALETTE.len()], values)
        })
        .collect();
    let d = Bars {
        title: t.fill("charts.d_title", &[("wave", &latest.id)])?,
        x_label: t.fill("charts.d_axis", &[])?,
        source: source.clone(),
        rows: latest.indicators.iter().map(|i| i.label.clone()).collect(),
        series,
        x_max: (latest
            .indicators
            .iter()
            .map(|i| i.inequality.d)
            .fold(0.0, f64::max)
            * 1.1)
            .max(0.05),
        stacked: true,
        intervals: Vec::new(),
        numbers: numbers.clone(),
    };
    d.write(dir, "dindex")
}
