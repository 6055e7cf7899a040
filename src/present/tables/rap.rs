//! The annex tables of the RAP projection (cost by scheme and year, financing), the poverty
//! breakdowns and the scenario comparison. Groups are written as ids and data values (machine
//! text), as the other annex tables write circumstances.

use super::{count, int, num, opt, s, Cell, Kind, Table};
use crate::results::spot::SpotResult;
use crate::results::spot_rap::{Dimension, Level};

use Kind::{Index, Money, People, Percent, Proportion as P};

/// The tables in annex order.
pub(super) fn tables(spot: &SpotResult) -> Vec<Table> {
    let mut out = vec![cost_projection(spot)];
    if !spot.financing_options.is_empty() {
        out.push(financing(spot));
    }
    out.push(comparison(spot));
    if !spot.breakdowns.is_empty() {
        out.push(breakdowns(spot));
    }
    out
}

/// Each scheme's cost, year by year, with its benefit's nominal and real value.
fn cost_projection(spot: &SpotResult) -> Table {
    let mut t = Table::new(
        "cost_projection.csv",
        &[
            "scenario",
            "scheme",
            "scheme_label",
            "kind",
            "year",
            "beneficiaries",
            "phase_in",
            "benefit_monthly_lcu",
            "benefit_monthly_real_lcu",
            "cost_lcu",
            "cost_pct_gdp",
            "cost_pct_expenditure",
        ],
    );
    for sc in &spot.scenarios {
        for y in &sc.cost_by_scheme {
            let scheme = &sc.schemes[y.scheme];
            let total = sc.projection.iter().find(|p| p.year == y.year);
            let share = total.and_then(|p| p.cost_pct_expenditure.map(|e| (e, p.cost_lcu)));
            t.push(vec![
                s(&sc.id),
                int(y.scheme as i64 + 1),
                scheme.label.as_deref().map_or(Cell::Empty, s),
                s(kind(scheme.kind)),
                int(y.year),
                num(y.beneficiaries, People),
                num(y.phase_in, P),
                num(y.benefit_monthly_lcu, Money),
                num(y.benefit_monthly_real_lcu, Money),
                num(y.cost_lcu, Money),
                num(y.cost_pct_gdp, Percent),
                // The scheme's part of the scenario's share of expenditure.
                opt(
                    share.map(|(e, c)| if c > 0.0 { e * y.cost_lcu / c } else { 0.0 }),
                    Percent,
                ),
            ]);
        }
    }
    t
}

fn kind(k: crate::spec::SchemeKind) -> &'static str {
    use crate::spec::SchemeKind::*;
    match k {
        Child => "child",
        OldAge => "old_age",
        Disability => "disability",
        Maternity => "maternity",
        Universal => "universal",
        Household => "household",
        Custom => "custom",
    }
}

/// Each fiscal-space option against each scenario's cost, year by year.
fn financing(spot: &SpotResult) -> Table {
    let mut t = Table::new(
        "financing.csv",
        &[
            "scenario",
            "option",
            "year",
            "space_pct_gdp",
            "cost_pct_gdp",
            "gap_pct_gdp",
            "space_lcu",
            "gap_lcu",
        ],
    );
    for sc in &spot.scenarios {
        for f in &sc.financing {
            t.push(vec![
                s(&sc.id),
                s(&f.option),
                int(f.year),
                num(f.space_pct_gdp, Percent),
                num(f.cost_pct_gdp, Percent),
                num(f.gap_pct_gdp, Percent),
                num(f.space_lcu, Money),
                num(f.gap_lcu, Money),
            ]);
        }
    }
    t
}

/// Every scenario on one row: poverty reduction and Gini change with linearised SEs, reach to
/// the furthest behind, cost now and in the last projection year.
fn comparison(spot: &SpotResult) -> Table {
    let mut t = Table::new(
        "scenario_comparison.csv",
        &[
            "scenario",
            "label",
            "headcount_reduction",
            "headcount_reduction_se",
            "gini_change",
            "gini_change_se",
            "reach_furthest_behind",
            "covers_everyone",
            "cost_pct_gdp",
            "last_year",
            "cost_pct_gdp_last_year",
        ],
    );
    for sc in &spot.scenarios {
        let c = &sc.comparison;
        t.push(vec![
            s(&sc.id),
            s(&sc.label),
            num(c.headcount_reduction, P),
            num(c.headcount_reduction_se, P),
            num(c.gini_change, Index),
            num(c.gini_change_se, Index),
            num(sc.reach_furthest_behind, P),
            Cell::Bool(sc.covers_everyone),
            num(c.cost_pct_gdp_now, Percent),
            int(c.last_year),
            num(c.cost_pct_gdp_last, Percent),
        ]);
    }
    t
}

/// The dimension and level of a breakdown row as machine text.
pub(crate) fn group_ids(d: &Dimension, l: &Level) -> (String, String) {
    let dim = match d {
        Dimension::Sex => "sex".to_string(),
        Dimension::AgeGroup => "age_group".into(),
        Dimension::WithChildren { .. } => "with_children".into(),
        Dimension::WithOlder { .. } => "with_older".into(),
        Dimension::WithDisability => "with_disability".into(),
        Dimension::FemaleHeaded => "female_headed".into(),
        Dimension::Region => "region".into(),
        Dimension::Circumstance { id, .. } => format!("circumstance:{id}"),
    };
    let level = match l {
        Level::Value { value } => value.clone(),
        Level::Ages { from, to: Some(to) } => format!("{from}-{to}"),
        Level::Ages { from, to: None } => format!("{from}+"),
        Level::Yes => "yes".into(),
        Level::No => "no".into(),
    };
    (dim, level)
}

/// Poverty (national line) by group before and after each scenario, with linearised SEs.
fn breakdowns(spot: &SpotResult) -> Table {
    let mut t = Table::new(
        "poverty_breakdowns.csv",
        &[
            "dimension",
            "level",
            "scenario",
            "n",
            "persons",
            "population_share",
            "headcount",
            "headcount_se",
            "gap",
            "gap_se",
            "headcount_change",
            "headcount_change_se",
        ],
    );
    for r in &spot.breakdowns {
        let (dim, level) = group_ids(&r.dimension, &r.level);
        let lead = |scenario: &str| {
            vec![
                s(&dim),
                s(&level),
                s(scenario),
                count(r.n),
                num(r.persons, People),
                num(r.population_share, P),
            ]
        };
        let mut row = lead("baseline");
        row.extend([
            num(r.headcount, P),
            num(r.headcount_se, P),
            num(r.gap, Index),
            num(r.gap_se, Index),
            Cell::Empty,
            Cell::Empty,
        ]);
        t.push(row);
        for a in &r.after {
            let mut row = lead(&a.scenario);
            row.extend([
                num(a.headcount, P),
                num(a.headcount_se, P),
                num(a.gap, Index),
                num(a.gap_se, Index),
                num(a.headcount_change, P),
                num(a.headcount_change_se, P),
            ]);
            t.push(row);
        }
    }
    t
}
