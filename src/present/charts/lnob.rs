//! Bar charts of the indicators: rates by wave, and the D-index in its Shapley parts.

use super::bars::Bars;
use super::{ChartContext, ChartFile, BLUE, ORANGE, PALETTE};
use crate::error::Result;

/// Indicator rates, latest wave against the previous one.
pub(super) fn rates_chart(c: &ChartContext) -> Result<ChartFile> {
    let (results, t, dir, source, numbers) = (c.results, c.t, c.dir, &c.source, &c.numbers);
    let latest = results.latest();
    let mut series = vec![];
    if results.waves.len() > 1 {
        let prev = &results.waves[results.waves.len() - 2];
        series.push((
            prev.id.clone(),
            ORANGE,
            latest
                .indicators
                .iter()
                .map(|ind| {
                    prev.indicators
                        .iter()
                        .find(|p| p.id == ind.id)
                        .map_or(0.0, |p| 100.0 * p.rate)
                })
                .collect(),
        ));
    }
    series.push((
        latest.id.clone(),
        BLUE,
        latest.indicators.iter().map(|i| 100.0 * i.rate).collect(),
    ));
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
            * 2.3)
            .max(0.05),
        stacked: true,
        numbers: numbers.clone(),
    };
    d.write(dir, "dindex")
}
