//! The cross-cutting summary of a run: progress between waves (poverty included, grouped by
//! Goal), the most unequal indicators, recurring circumstances, the largest gaps, and the
//! scenarios ranked by efficiency and by reach.

use serde::{Deserialize, Serialize};

mod relation;
mod shared_prosperity;

use super::lnob::{Group, GroupChangeTest, IndicatorResult};
use super::spot::SpotResult;
use super::WaveResults;
pub(crate) use relation::relation;
pub use relation::GroupRelation;
pub use shared_prosperity::{Growth, SharedProsperity, WaveWelfare};

/// Cross-cutting figures the Highlights, Progress and Next steps sections cite.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Summary {
    /// Latest-wave indicators, most unequal (largest D) first.
    pub indicators_by_d: Vec<String>,
    /// Change of each indicator's rate from the first to the latest wave.
    pub progress: Vec<Progress>,
    /// Scenarios by national poverty headcount reduction per % of GDP spent, best first.
    pub scenarios_by_efficiency: Vec<Efficiency>,
    /// National poverty headcount (before any simulated transfer) in every wave, and its change.
    pub poverty: Option<Progress>,
    /// Mean welfare per capita, overall and of the bottom 40%, in every wave (with a
    /// social-protection section), and SDG 10.1.1 between the first and the latest wave.
    pub welfare_by_wave: Vec<WaveWelfare>,
    pub shared_prosperity: Option<SharedProsperity>,
    /// Scenarios by mean coverage of the indicators' furthest-behind groups, best first, among
    /// those whose coverage is not total by design.
    pub scenarios_by_reach: Vec<Reach>,
    /// The scenarios left out of that ranking: one of their schemes pays every household, so
    /// they cover every group in full by design.
    pub scenarios_covering_everyone: Vec<Reach>,
    /// Circumstances that define the furthest-behind group of several indicators (latest wave),
    /// most frequent first.
    pub recurring_circumstances: Vec<Recurring>,
    /// Indicators with the largest gap between the furthest-ahead and furthest-behind groups
    /// (latest wave), largest first.
    pub largest_gaps: Vec<Gap>,
    /// The progress entries (poverty included) grouped by SDG Goal, in Goal order, for the
    /// "Progress on Goals and targets" chapter.
    pub goals: Vec<GoalProgress>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct GoalProgress {
    /// The Goal number (1–17), from the indicator's SDG code.
    pub goal: u32,
    pub progress: Vec<Progress>,
}

/// "7.1.1" → 7; `None` for a code that does not start with a Goal number.
fn goal_of(sdg: &str) -> Option<u32> {
    sdg.split('.')
        .next()
        .and_then(|g| g.trim().parse().ok())
        .filter(|g| (1..=17).contains(g))
}

/// Progress entries by Goal; entries without a Goal number come last, under Goal 0.
fn by_goal(progress: &[Progress], poverty: Option<&Progress>) -> Vec<GoalProgress> {
    let mut goals: std::collections::BTreeMap<u32, Vec<Progress>> = Default::default();
    for p in poverty.into_iter().chain(progress) {
        let goal = goal_of(&p.sdg).unwrap_or(0);
        goals.entry(goal).or_default().push(p.clone());
    }
    let mut out: Vec<GoalProgress> = goals
        .into_iter()
        .map(|(goal, progress)| GoalProgress { goal, progress })
        .collect();
    // Goal 0 (no Goal number) after the numbered Goals.
    out.sort_by_key(|g| if g.goal == 0 { u32::MAX } else { g.goal });
    out
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Recurring {
    pub circumstance: String,
    pub label: String,
    /// Labels of the indicators whose furthest-behind group this circumstance defines.
    pub indicators: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Gap {
    pub indicator: String,
    pub label: String,
    pub sdg: String,
    /// Rate of the furthest-ahead minus the furthest-behind group.
    pub gap: f64,
    pub behind: Group,
    pub behind_rate: f64,
    pub ahead: Group,
    pub ahead_rate: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Reach {
    pub scenario: String,
    pub label: String,
    pub reach_furthest_behind: f64,
    pub cost_pct_gdp: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Progress {
    pub indicator: String,
    pub label: String,
    pub sdg: String,
    pub rates: Vec<WaveRate>,
    /// Latest minus first rate (share; ×100 for percentage points), its standard error (the
    /// waves are independent samples), 95% interval and whether it excludes zero.
    pub change: f64,
    pub change_se: f64,
    pub change_ci: (f64, f64),
    pub significant: bool,
    /// How the latest wave's furthest-behind group relates to the first wave's (by their
    /// conditions; none with one wave or without a group in either), and the groups themselves.
    pub furthest_behind_relation: Option<GroupRelation>,
    /// The test of a change of group, when the groups differ: the first wave's group estimated
    /// in the latest wave against the latest wave's group.
    pub furthest_behind_test: Option<GroupChangeTest>,
    pub furthest_behind_first: Option<Group>,
    pub furthest_behind_latest: Option<Group>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct WaveRate {
    pub wave: String,
    pub rate: f64,
    pub se: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
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
    pub fn build(
        waves: &[WaveResults],
        spot: Option<&SpotResult>,
        poverty_by_wave: Vec<WaveRate>,
        welfare_by_wave: Vec<WaveWelfare>,
    ) -> Self {
        let latest = waves.last().expect("at least one wave");
        let mut by_d: Vec<&IndicatorResult> = latest.indicators.iter().collect();
        by_d.sort_by(|a, b| b.inequality.d.total_cmp(&a.inequality.d));
        let progress: Vec<Progress> = latest
            .indicators
            .iter()
            .map(|ind| indicator_progress(waves, ind))
            .collect();
        let poverty = poverty_progress(poverty_by_wave);
        Summary {
            goals: by_goal(&progress, poverty.as_ref()),
            recurring_circumstances: recurring_circumstances(latest),
            largest_gaps: largest_gaps(latest),
            scenarios_by_reach: scenarios_by_reach(spot, false),
            scenarios_covering_everyone: scenarios_by_reach(spot, true),
            poverty,
            shared_prosperity: shared_prosperity::shared_prosperity(&welfare_by_wave),
            welfare_by_wave,
            indicators_by_d: by_d.iter().map(|i| i.id.clone()).collect(),
            progress,
            scenarios_by_efficiency: scenarios_by_efficiency(spot),
        }
    }
}

/// A latest-wave indicator's rate in every wave, its change since the first wave and whether its
/// furthest-behind group stayed the same.
fn indicator_progress(waves: &[WaveResults], ind: &IndicatorResult) -> Progress {
    let first = &waves[0];
    let furthest_group =
        |ind: &IndicatorResult| ind.tree.furthest_behind.as_ref().map(|l| l.group.clone());
    let rates = waves
        .iter()
        .filter_map(|w| {
            w.indicators
                .iter()
                .find(|i| i.id == ind.id)
                .map(|i| WaveRate {
                    wave: w.id.clone(),
                    rate: i.rate,
                    se: i.rate_se,
                })
        })
        .collect::<Vec<_>>();
    let earlier = first.indicators.iter().find(|i| i.id == ind.id);
    let (change, change_se) = match (waves.len() > 1, earlier) {
        (true, Some(e)) => (
            ind.rate - e.rate,
            (ind.rate_se.powi(2) + e.rate_se.powi(2)).sqrt(),
        ),
        _ => (0.0, 0.0),
    };
    let change_ci = crate::estimate::variance::ci95(change, change_se);
    Progress {
        change_se,
        change_ci,
        significant: change_se > 0.0 && (change_ci.0 > 0.0 || change_ci.1 < 0.0),
        indicator: ind.id.clone(),
        label: ind.label.clone(),
        sdg: ind.sdg.clone(),
        change,
        furthest_behind_relation: match (waves.len() > 1, earlier.and_then(furthest_group)) {
            (true, Some(first)) => furthest_group(ind).map(|latest| relation(&first, &latest)),
            _ => None,
        },
        furthest_behind_test: ind.earlier_group_test.clone(),
        furthest_behind_first: earlier.and_then(furthest_group),
        furthest_behind_latest: furthest_group(ind),
        rates,
    }
}

/// The national poverty headcount in every wave and its change (none without waves).
fn poverty_progress(poverty_by_wave: Vec<WaveRate>) -> Option<Progress> {
    (!poverty_by_wave.is_empty()).then(|| {
        let (a, b) = (
            &poverty_by_wave[0],
            poverty_by_wave.last().expect("non-empty"),
        );
        let change = b.rate - a.rate;
        let change_se = if poverty_by_wave.len() > 1 {
            (a.se.powi(2) + b.se.powi(2)).sqrt()
        } else {
            0.0
        };
        let change_ci = crate::estimate::variance::ci95(change, change_se);
        Progress {
            indicator: "poverty".into(),
            label: "Poverty headcount, national line".into(),
            sdg: "1.2.1".into(),
            change,
            change_se,
            change_ci,
            significant: change_se > 0.0 && (change_ci.0 > 0.0 || change_ci.1 < 0.0),
            furthest_behind_relation: None,
            furthest_behind_test: None,
            furthest_behind_first: None,
            furthest_behind_latest: None,
            rates: poverty_by_wave.clone(),
        }
    })
}

/// Scenarios by headcount reduction per % of GDP, best first.
fn scenarios_by_efficiency(spot: Option<&SpotResult>) -> Vec<Efficiency> {
    let mut out: Vec<Efficiency> = spot
        .map(|s| {
            s.scenarios
                .iter()
                .map(|sc| {
                    let reduction = s.baseline.poverty[0].headcount - sc.after.poverty[0].headcount;
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
    out.sort_by(|a, b| b.pp_per_pct_gdp.total_cmp(&a.pp_per_pct_gdp));
    out
}

/// Scenarios by mean coverage of the furthest-behind groups: those covering everyone by design
/// (`covering_everyone`), or the others.
fn scenarios_by_reach(spot: Option<&SpotResult>, covering_everyone: bool) -> Vec<Reach> {
    let mut out: Vec<Reach> = spot
        .map(|s| {
            s.scenarios
                .iter()
                .filter(|sc| sc.covers_everyone == covering_everyone)
                .map(|sc| Reach {
                    scenario: sc.id.clone(),
                    label: sc.label.clone(),
                    reach_furthest_behind: sc.reach_furthest_behind,
                    cost_pct_gdp: sc.cost_pct_gdp,
                })
                .collect()
        })
        .unwrap_or_default();
    // Best reach first; at equal reach, the cheaper scenario.
    out.sort_by(|a, b| {
        b.reach_furthest_behind
            .total_cmp(&a.reach_furthest_behind)
            .then(a.cost_pct_gdp.total_cmp(&b.cost_pct_gdp))
    });
    out
}

/// Count, per circumstance, the indicators whose furthest-behind group it helps define.
fn recurring_circumstances(wave: &WaveResults) -> Vec<Recurring> {
    let mut by_circumstance: std::collections::BTreeMap<&str, Recurring> = Default::default();
    for ind in &wave.indicators {
        let Some(leaf) = &ind.tree.furthest_behind else {
            continue;
        };
        let mut seen = std::collections::BTreeSet::new();
        for c in &leaf.group.conditions {
            if !seen.insert(c.circumstance.as_str()) {
                continue; // the same circumstance split twice on the path counts once
            }
            by_circumstance
                .entry(c.circumstance.as_str())
                .or_insert_with(|| Recurring {
                    circumstance: c.circumstance.clone(),
                    label: c.label.clone(),
                    indicators: Vec::new(),
                })
                .indicators
                .push(ind.label.clone());
        }
    }
    let mut out: Vec<Recurring> = by_circumstance.into_values().collect();
    // Most frequent first; ties keep the circumstances' id order (stable sort of a BTreeMap).
    out.sort_by_key(|r| std::cmp::Reverse(r.indicators.len()));
    out
}

/// Indicators by the gap between their furthest-ahead and furthest-behind groups.
fn largest_gaps(wave: &WaveResults) -> Vec<Gap> {
    let mut out: Vec<Gap> = wave
        .indicators
        .iter()
        .filter_map(|ind| {
            let (behind, ahead) = (
                ind.tree.furthest_behind.as_ref()?,
                ind.tree.furthest_ahead.as_ref()?,
            );
            Some(Gap {
                indicator: ind.id.clone(),
                label: ind.label.clone(),
                sdg: ind.sdg.clone(),
                gap: ind.tree.gap,
                behind: behind.group.clone(),
                behind_rate: behind.rate,
                ahead: ahead.group.clone(),
                ahead_rate: ahead.rate,
            })
        })
        .collect();
    out.sort_by(|a, b| b.gap.total_cmp(&a.gap));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: &str, sdg: &str) -> Progress {
        Progress {
            indicator: id.into(),
            label: id.into(),
            sdg: sdg.into(),
            rates: vec![],
            change: 0.0,
            change_se: 0.0,
            change_ci: (0.0, 0.0),
            significant: false,
            furthest_behind_relation: None,
            furthest_behind_test: None,
            furthest_behind_first: None,
            furthest_behind_latest: None,
        }
    }

    #[test]
    fn progress_grouped_by_goal_in_goal_order() {
        let progress = [
            p("water", "6.1.1"),
            p("power", "7.1.1"),
            p("sanitation", "6.2.1"),
            p("x", "local"),
        ];
        let poverty = p("poverty", "1.2.1");
        let goals = by_goal(&progress, Some(&poverty));
        let ids: Vec<(u32, Vec<&str>)> = goals
            .iter()
            .map(|g| {
                (
                    g.goal,
                    g.progress.iter().map(|p| p.indicator.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            ids,
            vec![
                (1, vec!["poverty"]),
                (6, vec!["water", "sanitation"]),
                (7, vec!["power"]),
                (0, vec!["x"]),
            ]
        );
        assert_eq!(goal_of("17.8.1"), Some(17));
        assert_eq!(goal_of("18.1"), None);
    }
}
