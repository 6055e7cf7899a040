//! `Results`: the contract between analysis and presentation. Plain serde structs, written as
//! `results.json`; templates and charts read only this, so a brief can be re-rendered from the
//! JSON without the data.

use serde::{Deserialize, Serialize};

use crate::lnob::IndicatorResult;
use crate::spec::{Brief, MacroFigures};
use crate::spot::SpotResult;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Results {
    pub tool: String,
    pub version: String,
    pub spec_name: String,
    pub brief: Brief,
    pub macro_figures: MacroFigures,
    pub inputs: Vec<InputRecord>,
    /// One entry per wave, oldest first.
    pub waves: Vec<WaveResults>,
    /// Social-protection simulation on the latest wave (absent when the spec has no scenarios).
    pub spot: Option<SpotResult>,
    pub summary: Summary,
}

/// Cross-cutting figures the Highlights, Progress and Next steps sections cite.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    /// Latest-wave indicators, most unequal (largest D) first.
    pub indicators_by_d: Vec<String>,
    /// Change of each indicator's rate from the first to the latest wave.
    pub progress: Vec<Progress>,
    /// Scenarios by national poverty headcount reduction per % of GDP spent, best first.
    pub scenarios_by_efficiency: Vec<Efficiency>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Progress {
    pub indicator: String,
    pub label: String,
    pub sdg: String,
    pub rates: Vec<WaveRate>,
    /// Latest minus first rate (share; ×100 for percentage points).
    pub change: f64,
    /// Whether the furthest-behind group (by its description) is the same in both waves.
    pub same_furthest_behind: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WaveRate {
    pub wave: String,
    pub rate: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Efficiency {
    pub scenario: String,
    pub label: String,
    /// Fall in the national headcount (share of people).
    pub headcount_reduction: f64,
    pub cost_pct_gdp: f64,
    /// Percentage points of headcount reduction per 1% of GDP.
    pub pp_per_pct_gdp: f64,
}

impl Summary {
    pub fn build(waves: &[WaveResults], spot: Option<&SpotResult>) -> Self {
        let latest = waves.last().expect("at least one wave");
        let first = &waves[0];
        let mut by_d: Vec<&crate::lnob::IndicatorResult> = latest.indicators.iter().collect();
        by_d.sort_by(|a, b| b.inequality.d.total_cmp(&a.inequality.d));
        let furthest_group = |ind: &crate::lnob::IndicatorResult| {
            ind.tree.furthest_behind.as_ref().map(|l| l.group.clone())
        };
        let progress = latest
            .indicators
            .iter()
            .map(|ind| {
                let rates = waves
                    .iter()
                    .filter_map(|w| {
                        w.indicators
                            .iter()
                            .find(|i| i.id == ind.id)
                            .map(|i| WaveRate {
                                wave: w.id.clone(),
                                rate: i.rate,
                            })
                    })
                    .collect::<Vec<_>>();
                let earlier = first.indicators.iter().find(|i| i.id == ind.id);
                Progress {
                    indicator: ind.id.clone(),
                    label: ind.label.clone(),
                    sdg: ind.sdg.clone(),
                    change: earlier.map_or(0.0, |e| ind.rate - e.rate),
                    same_furthest_behind: match (waves.len() > 1, earlier) {
                        (true, Some(e)) => Some(furthest_group(e) == furthest_group(ind)),
                        _ => None,
                    },
                    rates,
                }
            })
            .collect();
        let mut scenarios_by_efficiency: Vec<Efficiency> = spot
            .map(|s| {
                s.scenarios
                    .iter()
                    .map(|sc| {
                        let reduction =
                            s.baseline.poverty[0].headcount - sc.after.poverty[0].headcount;
                        Efficiency {
                            scenario: sc.id.clone(),
                            label: sc.label.clone(),
                            headcount_reduction: reduction,
                            cost_pct_gdp: sc.cost_pct_gdp,
                            pp_per_pct_gdp: if sc.cost_pct_gdp > 0.0 {
                                100.0 * reduction / sc.cost_pct_gdp
                            } else {
                                0.0
                            },
                        }
                    })
                    .collect()
            })
            .unwrap_or_default();
        scenarios_by_efficiency.sort_by(|a, b| b.pp_per_pct_gdp.total_cmp(&a.pp_per_pct_gdp));
        Summary {
            indicators_by_d: by_d.iter().map(|i| i.id.clone()).collect(),
            progress,
            scenarios_by_efficiency,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InputRecord {
    pub wave: String,
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WaveResults {
    pub id: String,
    pub year: i32,
    pub records: u64,
    pub households: u64,
    pub indicators: Vec<IndicatorResult>,
}

impl Results {
    pub fn latest(&self) -> &WaveResults {
        self.waves.last().expect("at least one wave")
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("results serialise");
        s.push('\n');
        s
    }
}
