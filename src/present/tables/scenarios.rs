//! The annex tables of the benefit simulation (SPOT): scenarios, poverty lines, deciles, areas,
//! reach, the not-poor opportunity and the cost projection. Every table lists the baseline (where
//! it has one) before the scenarios, in the spec's order.

use super::{int, num, opt, s, Cell, Kind, Table};
use crate::error::Result;
use crate::estimate::measures::Distribution;
use crate::present::words::Words;
use crate::results::lnob::Inequality;
use crate::results::spot::{AreaRow, DecileRow, GroupReach, SpotResult};

use Kind::{Index, Money, People, Percent, Proportion as P, Ratio};

/// The SPOT tables in annex order; the not-poor table only when it has rows.
pub(super) fn tables(spot: &SpotResult, words: &Words) -> Result<Vec<Table>> {
    let mut out = vec![
        scenarios(spot),
        poverty_lines(spot, words)?,
        relative_poverty(spot),
        quantiles(spot),
        deciles(spot),
        areas(spot),
        reach(spot, words)?,
    ];
    let not_poor = not_poor(spot);
    if !not_poor.rows.is_empty() {
        out.push(not_poor);
    }
    out.push(projection(spot));
    out.extend(super::rap::tables(spot));
    Ok(out)
}

/// Table 3: poverty, inequality and cost of the baseline and of each scenario.
fn scenarios(spot: &SpotResult) -> Table {
    let mut t = Table::new(
        "scenarios.csv",
        &[
            "wave",
            "scenario",
            "label",
            "headcount_national",
            "headcount_national_se",
            "headcount_reduction",
            "headcount_reduction_se",
            "gini",
            "gini_se",
            "gini_bootstrap_se",
            "palma",
            "palma_se",
            "palma_bootstrap_se",
            "theil",
            "bottom40_share",
            "bottom40_share_se",
            "s80s20",
            "s80s20_se",
            "mean_welfare",
            "mean_welfare_se",
            "bottom40_mean",
            "bottom40_mean_se",
            "cost_lcu",
            "cost_pct_gdp",
            "cost_pct_revenue",
            "direct_recipients",
            "people_in_recipient_households",
            "share_to_poor",
            "gap_closed_per_lcu",
        ],
    );
    // Reduction and cost are blank for the baseline.
    t.push(scenario_row(
        &spot.wave,
        "baseline",
        "Before transfers",
        &spot.baseline,
        Default::default(),
        Default::default(),
    ));
    let base_reduction = spot.baseline.poverty.first().map(|f| f.headcount);
    for sc in &spot.scenarios {
        let reduction = base_reduction
            .zip(sc.after.poverty.first())
            .map(|(b, a)| b - a.headcount);
        t.push(scenario_row(
            &spot.wave,
            &sc.id,
            &sc.label,
            &sc.after,
            [opt(reduction, P), opt(sc.headcount_reduction_se, P)],
            [
                num(sc.cost_lcu, Money),
                num(sc.cost_pct_gdp, Percent),
                num(sc.cost_pct_revenue, Percent),
                num(sc.direct_recipients, People),
                num(sc.people_in_recipient_households, People),
                num(sc.share_to_poor, P),
                num(sc.gap_closed_per_lcu, Ratio),
            ],
        ));
    }
    t
}

fn scenario_row(
    wave: &str,
    id: &str,
    label: &str,
    d: &Distribution,
    reduction: [Cell; 2],
    cost: [Cell; 7],
) -> Vec<Cell> {
    let national = d.poverty.first();
    let mut row = vec![
        s(wave),
        s(id),
        s(label),
        opt(national.map(|f| f.headcount), P),
        opt(national.map(|f| f.headcount_se), P),
    ];
    row.extend(reduction);
    row.extend([
        num(d.gini, Index),
        num(d.gini_se, Index),
        opt(d.gini_bootstrap_se, Index),
        num(d.palma, Ratio),
        num(d.palma_se, Ratio),
        opt(d.palma_bootstrap_se, Ratio),
        num(d.theil, Index),
        num(d.bottom40_share, P),
        num(d.bottom40_share_se, P),
        num(d.s80s20, Ratio),
        num(d.s80s20_se, Ratio),
        num(d.mean_welfare, Money),
        num(d.mean_welfare_se, Money),
        num(d.bottom40_mean, Money),
        num(d.bottom40_mean_se, Money),
    ]);
    row.extend(cost);
    row
}

/// Table 4: every poverty line's measures, for the baseline and each scenario.
fn poverty_lines(spot: &SpotResult, words: &Words) -> Result<Table> {
    let mut t = Table::new(
        "poverty_lines.csv",
        &[
            "wave",
            "scenario",
            "line",
            "monthly_lcu",
            "headcount",
            "headcount_se",
            "gap",
            "gap_se",
            "severity",
            "severity_se",
        ],
    );
    let line_labels = spot
        .lines
        .iter()
        .map(|l| words.poverty_line(l))
        .collect::<Result<Vec<_>>>()?;
    let mut push = |id: &str, d: &Distribution| {
        for ((line, label), fgt) in spot.lines.iter().zip(&line_labels).zip(&d.poverty) {
            t.push(vec![
                s(&spot.wave),
                s(id),
                s(label),
                num(line.monthly_lcu, Money),
                num(fgt.headcount, P),
                num(fgt.headcount_se, P),
                num(fgt.gap, P),
                num(fgt.gap_se, P),
                num(fgt.severity, Index),
                num(fgt.severity_se, Index),
            ]);
        }
    };
    push("baseline", &spot.baseline);
    for sc in &spot.scenarios {
        push(&sc.id, &sc.after);
    }
    Ok(t)
}

/// Every wave's distribution, then each scenario's, in the order of the scenarios table.
fn distributions(spot: &SpotResult) -> Vec<(&str, &Distribution)> {
    std::iter::once(("baseline", &spot.baseline))
        .chain(spot.scenarios.iter().map(|sc| (sc.id.as_str(), &sc.after)))
        .collect()
}

/// Relative poverty (SDG 10.2.1 at half the median; the at-risk-of-poverty rate at 60%) and
/// the relative median poverty gap, for the baseline and each scenario.
fn relative_poverty(spot: &SpotResult) -> Table {
    let mut t = Table::new(
        "relative_poverty.csv",
        &[
            "wave",
            "scenario",
            "share_of_median",
            "threshold_monthly_lcu",
            "headcount",
            "headcount_se",
            "median_gap",
            "median_gap_se",
        ],
    );
    for (id, d) in distributions(spot) {
        for r in &d.relative_poverty {
            t.push(vec![
                s(&spot.wave),
                s(id),
                num(r.share_of_median, P),
                num(r.threshold, Money),
                num(r.headcount, P),
                num(r.headcount_se, P),
                opt(r.median_gap, P),
                opt(r.median_gap_se, P),
            ]);
        }
    }
    t
}

/// Welfare deciles: each decile group's upper bound (P10 … P90, with Woodruff SEs; none for the
/// top group) and its share of all welfare, for the baseline and each scenario.
fn quantiles(spot: &SpotResult) -> Table {
    let mut t = Table::new(
        "quantiles.csv",
        &[
            "wave",
            "scenario",
            "decile",
            "upper_bound",
            "upper_bound_se",
            "welfare_share",
        ],
    );
    for (id, d) in distributions(spot) {
        for (k, share) in d.decile_shares.iter().enumerate() {
            let q = d.quantiles.get(k);
            t.push(vec![
                s(&spot.wave),
                s(id),
                int(k as i64 + 1),
                opt(q.map(|q| q.value), Money),
                opt(q.and_then(|q| q.se), Money),
                num(*share, P),
            ]);
        }
    }
    t
}

/// Incidence by pre-transfer decile.
fn deciles(spot: &SpotResult) -> Table {
    let mut t = Table::new(
        "deciles.csv",
        &[
            "wave",
            "scenario",
            "decile",
            "population_share",
            "mean_before",
            "mean_after",
            "change_pct",
            "coverage",
            "benefit_share",
        ],
    );
    let mut push = |id: &str, rows: &[DecileRow]| {
        for r in rows {
            t.push(vec![
                s(&spot.wave),
                s(id),
                int(r.decile),
                num(r.population_share, P),
                num(r.mean_before, Money),
                num(r.mean_after, Money),
                num(r.change_pct, Percent),
                num(r.coverage, P),
                num(r.benefit_share, P),
            ]);
        }
    };
    push("baseline", &spot.baseline_deciles);
    for sc in &spot.scenarios {
        push(&sc.id, &sc.deciles);
    }
    t
}

/// Poverty and coverage by area.
fn areas(spot: &SpotResult) -> Table {
    let mut t = Table::new(
        "areas.csv",
        &[
            "wave",
            "scenario",
            "area",
            "population_share",
            "headcount_before",
            "headcount_before_se",
            "headcount_after",
            "headcount_after_se",
            "coverage",
        ],
    );
    let mut push = |id: &str, rows: &[AreaRow]| {
        for r in rows {
            t.push(vec![
                s(&spot.wave),
                s(id),
                s(&r.area),
                num(r.population_share, P),
                num(r.headcount_before, P),
                num(r.headcount_before_se, P),
                num(r.headcount_after, P),
                num(r.headcount_after_se, P),
                num(r.coverage, P),
            ]);
        }
    };
    push("baseline", &spot.baseline_areas);
    for sc in &spot.scenarios {
        push(&sc.id, &sc.areas);
    }
    t
}

/// Each scenario's reach to the groups it follows.
fn reach(spot: &SpotResult, words: &Words) -> Result<Table> {
    let mut t = Table::new(
        "reach.csv",
        &[
            "wave",
            "scenario",
            "group_id",
            "indicator",
            "group",
            "coverage",
            "gain_pct",
            "headcount_before",
            "headcount_after",
        ],
    );
    for sc in &spot.scenarios {
        for g in &sc.reach {
            t.push(vec![
                s(&spot.wave),
                s(&sc.id),
                s(&g.id),
                g.indicator.as_deref().map_or(Cell::Empty, s),
                s(&reach_group(words, g)?),
                num(g.coverage, P),
                num(g.gain_pct, Percent),
                num(g.headcount_before, P),
                num(g.headcount_after, P),
            ]);
        }
    }
    Ok(t)
}

/// Whom a scenario's reach row follows, in words: an indicator's furthest-behind group, the
/// bottom 40% or an area's population.
fn reach_group(words: &Words, g: &GroupReach) -> Result<String> {
    match (&g.group, &g.area) {
        (Some(group), _) => words.group(group),
        (None, Some(area)) => words.area_population(area),
        (None, None) => words.bottom40(),
    }
}

/// Not being poor as an opportunity: its rate, D-index and HOI, where computed.
fn not_poor(spot: &SpotResult) -> Table {
    let mut t = Table::new(
        "not_poor.csv",
        &[
            "wave",
            "scenario",
            "not_poor_rate",
            "d",
            "d_se",
            "hoi",
            "hoi_se",
        ],
    );
    let mut row = |id: &str, ineq: &Inequality| {
        t.push(vec![
            s(&spot.wave),
            s(id),
            num(ineq.opportunity_rate, P),
            num(ineq.d, Index),
            opt(ineq.d_se, Index),
            num(ineq.hoi, P),
            opt(ineq.hoi_se, P),
        ]);
    };
    if let Some(ineq) = &spot.not_poor_baseline {
        row("baseline", ineq);
    }
    for sc in &spot.scenarios {
        if let Some(ineq) = &sc.not_poor {
            row(&sc.id, ineq);
        }
    }
    t
}

/// Each scenario's cost over the projection horizon.
fn projection(spot: &SpotResult) -> Table {
    let mut t = Table::new(
        "projection.csv",
        &[
            "scenario",
            "year",
            "beneficiaries",
            "cost_lcu",
            "gdp_lcu",
            "cost_pct_gdp",
        ],
    );
    for sc in &spot.scenarios {
        for y in &sc.projection {
            t.push(vec![
                s(&sc.id),
                int(y.year),
                num(y.beneficiaries, People),
                num(y.cost_lcu, Money),
                num(y.gdp_lcu, Money),
                num(y.cost_pct_gdp, Percent),
            ]);
        }
    }
    t
}
