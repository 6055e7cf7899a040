//! SPOT: simulate non-contributory benefit schemes on the survey (static, no behavioural response)
//! and measure their effect on poverty, inequality and consumption, their reach and their cost,
//! now and projected (docs/methods.md, sections from 'SPOT: the population as households' on).
//!
//! The microdata are read once into a `Population` (persons and households); each scenario then
//! works on plain arrays: transfers per household, welfare after transfers, measures.

pub mod projection;

use std::collections::HashMap;

use polars::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use crate::error::{Error, Result};
use crate::estimate::measures;
pub use crate::estimate::measures::PovertyLine;
pub use crate::estimate::measures::{Distribution, Fgt};
use crate::estimate::stats;
pub use crate::results::spot::{
    AreaRow, DecileRow, GroupReach, PaidTo, ScenarioResult, SchemeResult, SpotResult,
};
use crate::spec::{BenefitUnit, MacroFigures, Scenario, Scheme, SchemeKind, Spec};
use crate::survey::{Survey, HH_SIZE, HH_WEIGHT, PERSON_WEIGHT, WELFARE};
use projection::{ByAge, SchemeBase};

/// Poverty lines for a wave: the national line and the international lines converted from 2021
/// PPP dollars a day to local currency per month.
pub fn poverty_lines(spec: &Spec, survey: &Survey) -> Vec<PovertyLine> {
    let m = &spec.macro_figures;
    let mut lines = vec![PovertyLine {
        id: "national".into(),
        usd_per_day: None,
        monthly_lcu: survey.wave.poverty_line.unwrap_or(m.national_poverty_line),
    }];
    for &usd in &spec.spot.international_lines {
        lines.push(PovertyLine {
            id: format!("usd{usd:.2}"),
            usd_per_day: Some(usd),
            monthly_lcu: usd * m.ppp_factor * m.cpi_ratio * 365.0 / 12.0,
        });
    }
    lines
}

/// The survey as arrays: persons, and households (in order of first appearance).
struct Population {
    household: Vec<usize>,
    person_weight: Vec<f64>,
    age: Option<Vec<f64>>,
    /// Per household: welfare per capita, size, summed person weights, household weight,
    /// urban/rural code, pre-transfer decile of its members, poor before transfers.
    welfare: Vec<f64>,
    size: Vec<f64>,
    persons: Vec<f64>,
    hh_weight: Vec<f64>,
    area: Option<(Vec<String>, Vec<usize>)>,
    decile: Vec<u8>,
    poor: Vec<bool>,
    /// First row of each household (the row its household-level values come from).
    first_row: Vec<usize>,
}

fn column_f64(survey: &Survey, name: &str) -> Result<Vec<f64>> {
    Ok(survey
        .f64_column(name)?
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect())
}

/// Household index of every row (households numbered in order of first appearance) and each
/// household's first row. Integer ids are hashed as integers, others as text.
fn household_index(survey: &Survey) -> Result<(Vec<usize>, Vec<usize>)> {
    let name = &survey.wave.household_id;
    let column = survey
        .frame
        .column(name)
        .map_err(|e| Error::data(survey.context(), e.to_string()))?;
    let missing = |row: usize| {
        Error::data(
            survey.context(),
            format!(
                "household_id column `{name}`: data row {} has no household id",
                row + 1
            ),
        )
    };
    fn number<K: std::hash::Hash + Eq>(
        ids: impl Iterator<Item = Option<K>>,
        missing: impl Fn(usize) -> Error,
    ) -> Result<(Vec<usize>, Vec<usize>)> {
        let mut index: HashMap<K, usize> = HashMap::new();
        let (mut household, mut first_row) = (Vec::new(), Vec::new());
        for (row, id) in ids.enumerate() {
            let id = id.ok_or_else(|| missing(row))?;
            let next = index.len();
            let h = *index.entry(id).or_insert(next);
            if h == next {
                first_row.push(row);
            }
            household.push(h);
        }
        Ok((household, first_row))
    }
    if column.dtype().is_integer() {
        let ids = column
            .cast(&DataType::Int64)
            .map_err(|e| Error::data(survey.context(), e.to_string()))?;
        number(ids.i64().expect("i64").iter(), missing)
    } else {
        let ids = column
            .cast(&DataType::String)
            .map_err(|e| Error::data(survey.context(), e.to_string()))?;
        number(ids.str().expect("string").iter(), missing)
    }
}

fn population(survey: &Survey, national_line: f64) -> Result<Population> {
    let (household, first_row) = household_index(survey)?;
    let person_weight = column_f64(survey, PERSON_WEIGHT)?;
    let welfare_rows = column_f64(survey, WELFARE)?;
    let size_rows = column_f64(survey, HH_SIZE)?;
    let hh_weight_rows = column_f64(survey, HH_WEIGHT)?;
    let nh = first_row.len();
    let mut persons = vec![0.0; nh];
    for (i, &h) in household.iter().enumerate() {
        persons[h] += person_weight[i];
    }
    let welfare: Vec<f64> = first_row.iter().map(|&r| welfare_rows[r]).collect();
    let area = match &survey.wave.urban {
        Some(col) => {
            let text = survey
                .frame
                .column(col)
                .and_then(|c| c.cast(&DataType::String))
                .map_err(|e| Error::data(survey.context(), e.to_string()))?;
            let text = text.str().expect("string");
            let mut names: Vec<String> = Vec::new();
            let mut codes = Vec::with_capacity(nh);
            for &r in &first_row {
                let v = text.get(r).unwrap_or("(missing)").to_string();
                let code = match names.iter().position(|n| *n == v) {
                    Some(c) => c,
                    None => {
                        names.push(v);
                        names.len() - 1
                    }
                };
                codes.push(code);
            }
            // Name order, so the table does not depend on which area comes first in the file.
            let mut order: Vec<usize> = (0..names.len()).collect();
            order.sort_by(|&a, &b| names[a].cmp(&names[b]));
            let mut rank = vec![0; names.len()];
            for (new, &old) in order.iter().enumerate() {
                rank[old] = new;
            }
            let sorted: Vec<String> = order.iter().map(|&o| names[o].clone()).collect();
            Some((sorted, codes.into_iter().map(|c| rank[c]).collect()))
        }
        None => None,
    };
    let age = match &survey.wave.age {
        Some(col) => Some(column_f64(survey, col)?),
        None => None,
    };
    Ok(Population {
        decile: stats::deciles(&welfare, &persons),
        poor: welfare.iter().map(|&y| y < national_line).collect(),
        size: first_row.iter().map(|&r| size_rows[r]).collect(),
        hh_weight: first_row.iter().map(|&r| hh_weight_rows[r]).collect(),
        welfare,
        persons,
        household,
        person_weight,
        age,
        area,
        first_row,
    })
}

/// What every SPOT computation on a wave starts from: its poverty lines, the survey as
/// arrays, the design and the bootstrap replicates.
struct Setting {
    lines: Vec<PovertyLine>,
    pop: Population,
    design: crate::estimate::variance::Design,
    replicates: crate::estimate::variance::Replicates,
}

impl Setting {
    fn new(spec: &Spec, survey: &Survey) -> Result<Setting> {
        let lines = poverty_lines(spec, survey);
        let pop = population(survey, lines[0].monthly_lcu)?;
        let design = survey.design.clone();
        let replicates = crate::estimate::variance::Replicates::rescaled_bootstrap(
            &design,
            spec.uncertainty.replicates,
            spec.uncertainty.seed,
        );
        Ok(Setting {
            lines,
            pop,
            design,
            replicates,
        })
    }

    fn household_design(&self) -> measures::HouseholdDesign<'_> {
        measures::HouseholdDesign::new(
            self.pop
                .first_row
                .iter()
                .map(|&r| self.design.record_psu[r])
                .collect(),
            &self.design,
            &self.replicates,
        )
    }
}

/// Poverty and inequality before any transfer, for one wave (all waves get this, for change).
pub fn baseline(spec: &Spec, survey: &Survey) -> Result<Distribution> {
    let set = Setting::new(spec, survey)?;
    let hd = set.household_design();
    Ok(measures::distribution(
        &set.pop.welfare,
        &set.pop.persons,
        &set.lines,
        &hd,
    ))
}

/// A group of survey records followed through the scenarios.
struct Followed {
    id: String,
    indicator: Option<String>,
    group: Option<crate::results::lnob::Group>,
    area: Option<String>,
    rows: Vec<u32>,
}

/// Records of the groups to follow: the indicators' furthest-behind groups, then the bottom 40%
/// (pre-transfer deciles 1–4) and the rural population.
fn followed(pop: &Population, groups: &[crate::analysis::lnob::BehindGroup]) -> Vec<Followed> {
    let mut out: Vec<Followed> = groups
        .iter()
        .map(|g| Followed {
            id: g.indicator.clone(),
            indicator: Some(g.indicator_label.clone()),
            group: Some(g.group.clone()),
            area: None,
            rows: g.rows.clone(),
        })
        .collect();
    let all = 0..pop.household.len() as u32;
    out.push(Followed {
        id: "bottom40".into(),
        indicator: None,
        group: None,
        area: None,
        rows: all
            .clone()
            .filter(|&r| pop.decile[pop.household[r as usize]] <= 4)
            .collect(),
    });
    if let Some((names, codes)) = &pop.area {
        if let Some(k) = names.iter().position(|n| n.eq_ignore_ascii_case("rural")) {
            out.push(Followed {
                id: "rural".into(),
                indicator: None,
                group: None,
                area: Some(names[k].clone()),
                rows: all
                    .filter(|&r| codes[pop.household[r as usize]] == k)
                    .collect(),
            });
        }
    }
    out
}

fn reach(
    pop: &Population,
    g: &Followed,
    after: &[f64],
    transfers: &[f64],
    line: f64,
) -> GroupReach {
    let (mut w, mut covered, mut gain, mut base, mut before, mut post) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for &r in &g.rows {
        let h = pop.household[r as usize];
        let wr = pop.person_weight[r as usize];
        w += wr;
        if transfers[h] > 0.0 {
            covered += wr;
        }
        gain += wr * (after[h] - pop.welfare[h]);
        base += wr * pop.welfare[h];
        if pop.welfare[h] < line {
            before += wr;
        }
        if after[h] < line {
            post += wr;
        }
    }
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    GroupReach {
        id: g.id.clone(),
        indicator: g.indicator.clone(),
        group: g.group.clone(),
        area: g.area.clone(),
        coverage: ratio(covered, w),
        gain_pct: 100.0 * ratio(gain, base),
        headcount_before: ratio(before, w),
        headcount_after: ratio(post, w),
    }
}

/// "Not poor" as an opportunity over the spec's circumstances: cells of persons, outcome
/// welfare ≥ line. The persons' cells are found once; each scenario only re-sums them.
struct NotPoor {
    /// The cell table's shape (cells and their codes); weights are filled per use.
    template: crate::estimate::cells::CellTable,
    /// (row, cell index) of every person with all circumstances known.
    members: Vec<(usize, u32)>,
}

impl NotPoor {
    fn new(spec: &Spec, survey: &Survey) -> Result<Option<NotPoor>> {
        let ids = &spec.spot.opportunity_circumstances;
        if ids.is_empty() {
            return Ok(None);
        }
        let encoded = crate::analysis::lnob::cells::encode_selected(spec, survey, ids)?;
        let chosen: Vec<&crate::analysis::lnob::cells::Encoded> = encoded.iter().collect();
        let rows: Vec<usize> = (0..survey.records())
            .filter(|&i| chosen.iter().all(|e| e.codes[i].is_some()))
            .collect();
        let codes: Vec<Vec<u32>> = chosen
            .iter()
            .map(|e| {
                rows.iter()
                    .map(|&i| e.codes[i].expect("complete"))
                    .collect()
            })
            .collect();
        let vars: Vec<crate::estimate::cells::Variable> = chosen
            .iter()
            .map(|e| crate::estimate::cells::Variable::from(*e))
            .collect();
        let ones = vec![1.0; rows.len()];
        let template = crate::estimate::cells::CellTable::from_records(vars, &codes, &ones, &ones);
        let members = rows
            .iter()
            .enumerate()
            .map(|(k, &row)| {
                let key: Vec<u32> = codes.iter().map(|c| c[k]).collect();
                let cell = template
                    .cells
                    .binary_search_by(|c| c.codes.cmp(&key))
                    .expect("every record has a cell");
                (row, cell as u32)
            })
            .collect();
        Ok(Some(NotPoor { template, members }))
    }

    fn inequality(
        &self,
        pop: &Population,
        welfare: &[f64],
        line: f64,
    ) -> crate::results::lnob::Inequality {
        let mut table = self.template.clone();
        for c in table.cells.iter_mut() {
            c.w = 0.0;
            c.wy = 0.0;
        }
        for &(row, cell) in &self.members {
            let w = pop.person_weight[row];
            let c = &mut table.cells[cell as usize];
            c.w += w;
            if welfare[pop.household[row]] >= line {
                c.wy += w;
            }
        }
        crate::analysis::lnob::inequality(&table, false, false)
    }
}

/// Simulate every scenario of the spec on one wave.
pub fn simulate_wave(spec: &Spec, survey: &Survey) -> Result<SpotResult> {
    simulate_wave_for(spec, survey, &[])
}

/// `simulate_wave`, following the given furthest-behind groups through every scenario.
pub fn simulate_wave_for(
    spec: &Spec,
    survey: &Survey,
    groups: &[crate::analysis::lnob::BehindGroup],
) -> Result<SpotResult> {
    let set = Setting::new(spec, survey)?;
    let (lines, pop) = (&set.lines, &set.pop);
    let national_line = lines[0].monthly_lcu;
    let hd = set.household_design();
    let no_transfers = vec![0.0; pop.welfare.len()];
    let follow = followed(pop, groups);
    let not_poor = NotPoor::new(spec, survey)?;
    let scenarios = spec
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, sc)| {
            let (mut r, after, transfers) = simulate(spec, survey, pop, lines, &hd, i as u64, sc)?;
            r.reach = follow
                .iter()
                .map(|g| reach(pop, g, &after, &transfers, national_line))
                .collect();
            let behind: Vec<f64> = r
                .reach
                .iter()
                .filter(|g| g.indicator.is_some())
                .map(|g| g.coverage)
                .collect();
            r.reach_furthest_behind = if behind.is_empty() {
                0.0
            } else {
                behind.iter().sum::<f64>() / behind.len() as f64
            };
            r.not_poor = not_poor
                .as_ref()
                .map(|np| np.inequality(pop, &after, national_line));
            Ok(r)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(SpotResult {
        wave: survey.wave.id.clone(),
        year: survey.wave.year,
        baseline: measures::distribution(&pop.welfare, &pop.persons, lines, &hd),
        baseline_deciles: incidence(pop, &pop.welfare, &no_transfers),
        baseline_areas: areas(pop, &pop.welfare, &no_transfers, national_line),
        not_poor_baseline: not_poor
            .as_ref()
            .map(|np| np.inequality(pop, &pop.welfare, national_line)),
        lines: lines.clone(),
        scenarios,
    })
}

fn monthly_benefit(s: &Scheme, m: &MacroFigures, national_line: f64) -> f64 {
    match s.benefit_unit {
        BenefitUnit::LcuMonth => s.benefit,
        BenefitUnit::PctGdpPerCapita => s.benefit / 100.0 * m.gdp_per_capita / 12.0,
        BenefitUnit::PctPovertyLine => s.benefit / 100.0 * national_line,
    }
}

/// The categorical eligibility of a scheme as an expression over person rows (before targeting
/// and take-up).
fn eligibility(s: &Scheme, survey: &Survey, field: &str) -> Result<Expr> {
    let parse = |f: &str, text: &str| {
        crate::spec::parse_expr(f, text).map_err(|m| Error::data(survey.context(), m))
    };
    let age = || col(survey.wave.age.as_deref().expect("validated"));
    let flag = |default: &str| col(s.column.as_deref().unwrap_or(default)).eq(lit(1));
    let mut e = match s.kind {
        SchemeKind::Child | SchemeKind::OldAge => {
            let mut e = lit(true);
            if let Some(lo) = s.min_age {
                e = e.and(age().gt_eq(lit(lo)));
            }
            if let Some(hi) = s.max_age {
                e = e.and(age().lt_eq(lit(hi)));
            }
            e
        }
        SchemeKind::Disability => flag("disability"),
        SchemeKind::Maternity => flag("recent_birth"),
        SchemeKind::Universal => lit(true),
        SchemeKind::Household => {
            let head = parse(
                &format!("wave '{}'.head", survey.wave.id),
                survey.wave.head.as_deref().expect("validated"),
            )?;
            match &s.eligible {
                Some(x) => head.and(parse(&format!("{field}.eligible"), x)?),
                None => head,
            }
        }
        SchemeKind::Custom => parse(
            &format!("{field}.eligible"),
            s.eligible.as_deref().expect("validated"),
        )?,
    };
    if let Some(x) = &s.exclude {
        e = e.and(
            parse(&format!("{field}.exclude"), x)?
                .fill_null(lit(false))
                .not(),
        );
    }
    Ok(e)
}

fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// Households that pass poverty targeting: the bottom `share` of persons ranked by the score
/// (each household in or out as a whole, by the midpoint of its weight range), then exclusion
/// and inclusion errors drawn once per household.
fn targeted(
    s: &Scheme,
    share: f64,
    survey: &Survey,
    pop: &Population,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<bool>> {
    let score: Vec<f64> = match &s.target_score {
        Some(col) => {
            let rows = column_f64(survey, col)?;
            pop.first_row.iter().map(|&r| rows[r]).collect()
        }
        None => pop.welfare.clone(),
    };
    if let Some(h) = score.iter().position(|v| !v.is_finite()) {
        return Err(Error::data(
            survey.context(),
            format!(
                "target_score column `{}`: household at data row {} has no score",
                s.target_score.as_deref().unwrap_or(""),
                pop.first_row[h] + 1
            ),
        ));
    }
    let order = stats::order_by_value(&score);
    let total: f64 = pop.persons.iter().sum();
    let mut inside = vec![false; score.len()];
    let mut cum = 0.0;
    for &h in &order {
        cum += pop.persons[h];
        inside[h] = (cum - pop.persons[h] / 2.0) / total < share;
    }
    if s.exclusion_error > 0.0 || s.inclusion_error > 0.0 {
        for t in inside.iter_mut() {
            let u = uniform(rng);
            *t = if *t {
                u >= s.exclusion_error
            } else {
                u < s.inclusion_error
            };
        }
    }
    Ok(inside)
}

fn simulate(
    spec: &Spec,
    survey: &Survey,
    pop: &Population,
    lines: &[PovertyLine],
    hd: &measures::HouseholdDesign,
    scenario_index: u64,
    sc: &Scenario,
) -> Result<(ScenarioResult, Vec<f64>, Vec<f64>)> {
    let m = &spec.macro_figures;
    let national_line = lines[0].monthly_lcu;
    let nh = pop.welfare.len();
    // Monthly transfers per household, and whether each person receives a benefit directly.
    let mut transfers = vec![0.0; nh];
    let mut direct = vec![false; pop.household.len()];
    let mut schemes = Vec::new();
    let mut bases = Vec::new();
    for (k, s) in sc.schemes.iter().enumerate() {
        let field = format!("scenario '{}'.scheme[{k}]", sc.id);
        let eligible = survey.eval_mask(&field, eligibility(s, survey, &field)?)?;
        // A scheme nobody qualifies for costs nothing and changes nothing: almost always a
        // mistaken age range or eligibility rule, so say so instead of reporting a zero effect.
        if !eligible.iter().any(|&ok| ok) {
            return Err(Error::data(
                survey.context(),
                format!(
                    "{field}{}: no one is eligible in this survey; expected at least one person to meet its age range and eligibility rule",
                    s.label.as_deref().map(|l| format!(" ('{l}')")).unwrap_or_default()
                ),
            ));
        }
        let benefit = monthly_benefit(s, m, national_line);
        // One ChaCha stream per (scenario, scheme): a scheme's draws do not shift when another
        // scheme is added. Full coverage and no targeting errors draw nothing, so the result
        // cannot depend on the seed.
        let mut rng =
            ChaCha8Rng::seed_from_u64(spec.spot.seed ^ (scenario_index << 32) ^ ((k as u64) << 16));
        let in_target = match s.target_bottom {
            Some(share) => Some(targeted(s, share, survey, pop, &mut rng)?),
            None => None,
        };
        let per_household = s.kind == SchemeKind::Household;
        let (mut elig_w, mut rec_w, mut rec_n) = (0.0, 0.0, 0u64);
        let mut by_age = ByAge::default();
        for (i, &ok) in eligible.iter().enumerate() {
            let h = pop.household[i];
            if !ok || in_target.as_ref().is_some_and(|t| !t[h]) {
                continue;
            }
            let w = if per_household {
                pop.hh_weight[h]
            } else {
                pop.person_weight[i]
            };
            elig_w += w;
            if s.coverage < 1.0 && uniform(&mut rng) >= s.coverage {
                continue;
            }
            rec_w += w;
            rec_n += 1;
            transfers[h] += benefit;
            if benefit > 0.0 {
                direct[i] = true;
            }
            let age = pop.age.as_ref().map_or(30.0, |a| a[i]);
            let slot = if age < 15.0 {
                &mut by_age.children
            } else if age < 65.0 {
                &mut by_age.working
            } else {
                &mut by_age.elderly
            };
            *slot += w;
        }
        let cost = projection::annual_cost(rec_w, 1.0, benefit, s.admin_cost);
        schemes.push(SchemeResult {
            label: s.label.clone(),
            kind: s.kind,
            paid_to: if per_household {
                PaidTo::Households
            } else {
                PaidTo::Persons
            },
            benefit_monthly_lcu: benefit,
            eligible: elig_w,
            recipients: rec_w,
            recipients_n: rec_n,
            cost_lcu: cost,
        });
        bases.push(SchemeBase {
            recipients: by_age,
            benefit_month: benefit,
            admin: s.admin_cost,
        });
    }
    let cost_lcu: f64 = schemes.iter().map(|s| s.cost_lcu).sum();
    let after: Vec<f64> = (0..nh)
        .map(|h| pop.welfare[h] + transfers[h] / pop.size[h])
        .collect();

    let direct_recipients = direct
        .iter()
        .zip(&pop.person_weight)
        .filter(|(d, _)| **d)
        .map(|(_, w)| w)
        .sum();
    let people_in_recipient_households = (0..nh)
        .filter(|&h| transfers[h] > 0.0)
        .map(|h| pop.persons[h])
        .sum();
    let gap = |y: &[f64]| -> f64 {
        (0..nh)
            .map(|h| pop.persons[h] * (national_line - y[h]).max(0.0))
            .sum()
    };
    let gap_closed_annual = (gap(&pop.welfare) - gap(&after)) * 12.0;
    let paid: f64 = (0..nh).map(|h| pop.hh_weight[h] * transfers[h]).sum();
    let paid_to_poor: f64 = (0..nh)
        .filter(|&h| pop.poor[h])
        .map(|h| pop.hh_weight[h] * transfers[h])
        .sum();
    let result = ScenarioResult {
        reach: Vec::new(),
        reach_furthest_behind: 0.0,
        not_poor: None,
        id: sc.id.clone(),
        label: sc.label.clone(),
        schemes,
        after: measures::distribution(&after, &pop.persons, lines, hd),
        deciles: incidence(pop, &after, &transfers),
        areas: areas(pop, &after, &transfers, national_line),
        cost_lcu,
        cost_pct_gdp: 100.0 * cost_lcu / m.gdp,
        cost_pct_revenue: 100.0 * cost_lcu / m.government_revenue,
        direct_recipients,
        people_in_recipient_households,
        gap_closed_per_lcu: if cost_lcu > 0.0 {
            gap_closed_annual / cost_lcu
        } else {
            0.0
        },
        share_to_poor: if paid > 0.0 { paid_to_poor / paid } else { 0.0 },
        headcount_reduction: stats::fgt(&pop.welfare, &pop.persons, national_line, 0.0)
            - stats::fgt(&after, &pop.persons, national_line, 0.0),
        headcount_reduction_se: hd.bootstrap_se(&pop.persons, |wr| {
            stats::fgt(&pop.welfare, wr, national_line, 0.0)
                - stats::fgt(&after, wr, national_line, 0.0)
        }),
        projection: projection::project(&bases, m.gdp, survey.wave.year, &spec.projection),
    };
    Ok((result, after, transfers))
}

/// Incidence by fixed pre-transfer decile of persons.
fn incidence(pop: &Population, after: &[f64], transfers: &[f64]) -> Vec<DecileRow> {
    let mut acc = [[0.0f64; 5]; 10]; // persons, Σw·y, Σw·y', covered persons, transfers
    for h in 0..pop.welfare.len() {
        let a = &mut acc[pop.decile[h] as usize - 1];
        let w = pop.persons[h];
        a[0] += w;
        a[1] += w * pop.welfare[h];
        a[2] += w * after[h];
        if transfers[h] > 0.0 {
            a[3] += w;
        }
        a[4] += pop.hh_weight[h] * transfers[h];
    }
    let total_transfers: f64 = acc.iter().map(|a| a[4]).sum();
    let total_persons: f64 = acc.iter().map(|a| a[0]).sum();
    // An empty decile (possible only in tiny samples) reports zeros rather than 0/0.
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    acc.iter()
        .enumerate()
        .map(|(d, a)| DecileRow {
            decile: d as u8 + 1,
            population_share: a[0] / total_persons,
            mean_before: ratio(a[1], a[0]),
            mean_after: ratio(a[2], a[0]),
            change_pct: 100.0 * ratio(a[2] - a[1], a[1]),
            coverage: ratio(a[3], a[0]),
            benefit_share: ratio(a[4], total_transfers),
        })
        .collect()
}

/// Poverty and coverage by area (urban/rural), when the wave names the column.
fn areas(pop: &Population, after: &[f64], transfers: &[f64], line: f64) -> Vec<AreaRow> {
    let Some((names, codes)) = &pop.area else {
        return Vec::new();
    };
    let total: f64 = pop.persons.iter().sum();
    names
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let (mut w, mut before, mut post, mut covered) = (0.0, 0.0, 0.0, 0.0);
            for h in (0..codes.len()).filter(|&h| codes[h] == k) {
                let p = pop.persons[h];
                w += p;
                if pop.welfare[h] < line {
                    before += p;
                }
                if after[h] < line {
                    post += p;
                }
                if transfers[h] > 0.0 {
                    covered += p;
                }
            }
            AreaRow {
                area: name.clone(),
                population_share: w / total,
                headcount_before: before / w,
                headcount_after: post / w,
                coverage: covered / w,
            }
        })
        .collect()
}
