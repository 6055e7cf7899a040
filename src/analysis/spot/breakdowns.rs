//! Poverty at the national line before and after each scenario by the groups SDG 1.2.1 and the
//! LNOB agenda ask for: sex, age group, household type (with children, with older persons, with
//! a person with disability, female-headed), region and each circumstance of
//! `spot.opportunity_circumstances`. Persons are the unit; every group is a domain of the wave's
//! design (PSUs without a member still count), with linearised SEs of the headcount, the gap and
//! the change before → after, the change linearised as one statistic (R: `svyby(~d, ~group,
//! design, svymean)` with d = poor after − poor before).

use polars::prelude::DataType;

use super::population::Population;
use crate::error::{Error, Result};
use crate::estimate::variance::Design;
use crate::results::spot_rap::{BreakdownAfter, BreakdownRow, Dimension, Level};
use crate::spec::{CircumstanceKind, Spec};
use crate::survey::Survey;

/// One way of splitting the records: each record's group code (None: in no group).
struct Split {
    dimension: Dimension,
    levels: Vec<Level>,
    codes: Vec<Option<usize>>,
}

/// Each record's poverty indicator and normalised gap at line z for household welfare `y`.
struct Poverty {
    poor: Vec<f64>,
    gap: Vec<f64>,
}

impl Poverty {
    fn new(pop: &Population, y: &[f64], z: f64) -> Poverty {
        let g = |h: usize| ((z - y[h]) / z).max(0.0);
        Poverty {
            poor: pop
                .household
                .iter()
                .map(|&h| f64::from(u8::from(y[h] < z)))
                .collect(),
            gap: pop.household.iter().map(|&h| g(h)).collect(),
        }
    }
}

/// The breakdowns for the scenarios' welfare after transfers (`after`: scenario id, welfare per
/// household), at the national line `z`.
pub(super) fn breakdowns(
    spec: &Spec,
    survey: &Survey,
    pop: &Population,
    design: &Design,
    z: f64,
    after: &[(String, &[f64])],
) -> Result<Vec<BreakdownRow>> {
    let before = Poverty::new(pop, &pop.welfare, z);
    let afters: Vec<(&str, Poverty)> = after
        .iter()
        .map(|(id, y)| (id.as_str(), Poverty::new(pop, y, z)))
        .collect();
    let total: f64 = pop.person_weight.iter().sum();
    let mut rows = Vec::new();
    for split in splits(spec, survey, pop)? {
        for (k, level) in split.levels.iter().enumerate() {
            let w: Vec<f64> = split
                .codes
                .iter()
                .zip(&pop.person_weight)
                .map(|(c, &w)| if *c == Some(k) { w } else { 0.0 })
                .collect();
            let n = split.codes.iter().filter(|c| **c == Some(k)).count() as u64;
            if n == 0 {
                continue;
            }
            rows.push(row(
                design,
                &split.dimension,
                level,
                &w,
                n,
                total,
                &before,
                &afters,
            ));
        }
    }
    Ok(rows)
}

/// Weighted mean of `y` over the domain whose weights are `w` (zero outside), and its SE.
fn estimate(design: &Design, y: &[f64], w: &[f64]) -> (f64, f64) {
    let n: f64 = w.iter().sum();
    let mean = y.iter().zip(w).map(|(y, w)| y * w).sum::<f64>() / n;
    (mean, design.mean_se(y, w))
}

#[allow(clippy::too_many_arguments)]
fn row(
    design: &Design,
    dimension: &Dimension,
    level: &Level,
    w: &[f64],
    n: u64,
    total: f64,
    before: &Poverty,
    afters: &[(&str, Poverty)],
) -> BreakdownRow {
    let persons: f64 = w.iter().sum();
    let (headcount, headcount_se) = estimate(design, &before.poor, w);
    let (gap, gap_se) = estimate(design, &before.gap, w);
    let after = afters
        .iter()
        .map(|(id, p)| {
            let (h, h_se) = estimate(design, &p.poor, w);
            let (g, g_se) = estimate(design, &p.gap, w);
            let d: Vec<f64> = p
                .poor
                .iter()
                .zip(&before.poor)
                .map(|(a, b)| a - b)
                .collect();
            let (change, change_se) = estimate(design, &d, w);
            BreakdownAfter {
                scenario: id.to_string(),
                headcount: h,
                headcount_se: h_se,
                gap: g,
                gap_se: g_se,
                headcount_change: change,
                headcount_change_se: change_se,
            }
        })
        .collect();
    BreakdownRow {
        dimension: dimension.clone(),
        level: level.clone(),
        n,
        persons,
        population_share: persons / total,
        headcount,
        headcount_se,
        gap,
        gap_se,
        after,
    }
}

/// Every split the wave's columns allow, in a fixed order.
fn splits(spec: &Spec, survey: &Survey, pop: &Population) -> Result<Vec<Split>> {
    let b = &spec.spot.breakdowns;
    let mut out = Vec::new();
    let sex = match &b.sex {
        Some(col) => Some(text(survey, col, "spot.breakdowns.sex")?),
        None => None,
    };
    if let Some(sex) = &sex {
        out.push(by_value(Dimension::Sex, sex));
    }
    if let Some(age) = &pop.age {
        out.push(age_groups(age, &b.age_bands));
        let child = age.iter().map(|&a| a < f64::from(b.child_age)).collect();
        out.push(household_type(
            Dimension::WithChildren { age: b.child_age },
            pop,
            child,
        ));
        let older = age.iter().map(|&a| a >= f64::from(b.older_age)).collect();
        out.push(household_type(
            Dimension::WithOlder { age: b.older_age },
            pop,
            older,
        ));
    }
    if let Some(col) = &b.disability {
        let d = numbers(survey, col, "spot.breakdowns.disability")?;
        out.push(household_type(
            Dimension::WithDisability,
            pop,
            d.iter().map(|&x| x == 1.0).collect(),
        ));
    }
    if let (Some(sex), Some(head)) = (&sex, &survey.wave.head) {
        let field = format!("wave '{}'.head", survey.wave.id);
        let expr =
            crate::spec::parse_expr(&field, head).map_err(|m| Error::data(survey.context(), m))?;
        let is_head = survey.eval_mask(&field, expr)?;
        let female: Vec<bool> = sex
            .iter()
            .zip(&is_head)
            .map(|(s, &h)| h && s.as_deref() == Some(b.female.as_str()))
            .collect();
        out.push(household_type(Dimension::FemaleHeaded, pop, female));
    }
    if let Some(col) = &survey.wave.region {
        let field = format!("wave '{}'.region", survey.wave.id);
        out.push(by_value(Dimension::Region, &text(survey, col, &field)?));
    }
    let ids = &spec.spot.opportunity_circumstances;
    for e in crate::analysis::lnob::cells::encode_selected(spec, survey, ids)? {
        if e.kind == CircumstanceKind::Numeric {
            continue; // one group per distinct value is no breakdown
        }
        out.push(Split {
            dimension: Dimension::Circumstance {
                id: e.id.clone(),
                label: e.label.clone(),
            },
            levels: e
                .level_labels
                .iter()
                .map(|l| Level::Value { value: l.clone() })
                .collect(),
            codes: e.codes.iter().map(|c| c.map(|c| c as usize)).collect(),
        });
    }
    Ok(out)
}

/// Groups by a text column's values (in value order; missing: in no group).
fn by_value(dimension: Dimension, values: &[Option<String>]) -> Split {
    let mut names: Vec<&String> = values.iter().flatten().collect();
    names.sort();
    names.dedup();
    let codes = values
        .iter()
        .map(|v| v.as_ref().and_then(|v| names.binary_search(&v).ok()))
        .collect();
    Split {
        dimension,
        levels: names
            .into_iter()
            .map(|v| Level::Value { value: v.clone() })
            .collect(),
        codes,
    }
}

/// Age groups with lower bounds 0 and `bands` (the last open above; missing age: no group).
fn age_groups(age: &[f64], bands: &[u32]) -> Split {
    let lows: Vec<u32> = std::iter::once(0).chain(bands.iter().copied()).collect();
    let levels = lows
        .iter()
        .enumerate()
        .map(|(k, &from)| Level::Ages {
            from,
            to: lows.get(k + 1).map(|&next| next - 1),
        })
        .collect();
    let codes = age
        .iter()
        .map(|&a| {
            (!a.is_nan()).then(|| lows.iter().rposition(|&lo| a >= f64::from(lo)).unwrap_or(0))
        })
        .collect();
    Split {
        dimension: Dimension::AgeGroup,
        levels,
        codes,
    }
}

/// Persons in households where some member has `member` true (Yes) or none has (No).
fn household_type(dimension: Dimension, pop: &Population, member: Vec<bool>) -> Split {
    let mut any = vec![false; pop.welfare.len()];
    for (i, &m) in member.iter().enumerate() {
        any[pop.household[i]] |= m;
    }
    Split {
        dimension,
        levels: vec![Level::Yes, Level::No],
        codes: pop
            .household
            .iter()
            .map(|&h| Some(if any[h] { 0 } else { 1 }))
            .collect(),
    }
}

fn column<'a>(survey: &'a Survey, col: &str, field: &str) -> Result<&'a polars::prelude::Column> {
    survey.frame.column(col).map_err(|_| {
        Error::data(
            survey.context(),
            format!("{field}: column `{col}` is not in the data (nor a derived variable)"),
        )
    })
}

fn text(survey: &Survey, col: &str, field: &str) -> Result<Vec<Option<String>>> {
    let c = column(survey, col, field)?
        .cast(&DataType::String)
        .map_err(|e| Error::data(survey.context(), format!("{field}: {e}")))?;
    Ok(c.str()
        .expect("string")
        .iter()
        .map(|v| v.map(str::to_string))
        .collect())
}

fn numbers(survey: &Survey, col: &str, field: &str) -> Result<Vec<f64>> {
    let c = column(survey, col, field)?
        .cast(&DataType::Float64)
        .map_err(|e| {
            Error::data(
                survey.context(),
                format!("{field}: expected a 0/1 column ({e})"),
            )
        })?;
    Ok(c.f64()
        .expect("f64")
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect())
}
