//! SPOT: simulate non-contributory benefit schemes on the survey (static, no behavioural response)
//! and measure their effect on poverty and inequality and their cost (DESIGN.md §4).

use polars::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::spec::{BenefitUnit, MacroFigures, Scenario, Scheme, SchemeKind, Spec};
use crate::stats;
use crate::survey::{Survey, HH_SIZE, PERSON_WEIGHT, WELFARE};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PovertyLine {
    pub id: String,
    pub label: String,
    /// Monthly, per capita, local currency.
    pub monthly_lcu: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fgt {
    pub line: String,
    pub headcount: f64,
    pub gap: f64,
    pub severity: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Distribution {
    pub poverty: Vec<Fgt>,
    pub gini: f64,
    pub mean_welfare: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SchemeResult {
    pub label: String,
    pub kind: SchemeKind,
    pub benefit_monthly_lcu: f64,
    /// Eligible persons (weighted) and recipients (weighted and unweighted).
    pub eligible: f64,
    pub recipients: f64,
    pub recipients_n: u64,
    /// Transfers plus administration, local currency per year.
    pub cost_lcu: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScenarioResult {
    pub id: String,
    pub label: String,
    pub schemes: Vec<SchemeResult>,
    pub after: Distribution,
    pub cost_lcu: f64,
    pub cost_pct_gdp: f64,
    pub cost_pct_revenue: f64,
    /// People receiving a benefit themselves, and people living in a household that does (weighted).
    pub direct_recipients: f64,
    pub people_in_recipient_households: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SpotResult {
    pub wave: String,
    pub lines: Vec<PovertyLine>,
    pub baseline: Distribution,
    pub scenarios: Vec<ScenarioResult>,
}

/// Poverty lines for a wave: the national line and the international lines converted from 2021
/// PPP dollars a day to local currency per month.
pub fn poverty_lines(spec: &Spec, survey: &Survey) -> Vec<PovertyLine> {
    let m = &spec.macro_figures;
    let mut lines = vec![PovertyLine {
        id: "national".into(),
        label: "National poverty line".into(),
        monthly_lcu: survey.wave.poverty_line.unwrap_or(m.national_poverty_line),
    }];
    for &usd in &spec.spot.international_lines {
        lines.push(PovertyLine {
            id: format!("usd{:.2}", usd),
            label: format!("${usd:.2} a day (2021 PPP)"),
            monthly_lcu: usd * m.ppp_factor * m.cpi_ratio * 365.0 / 12.0,
        });
    }
    lines
}

/// Person-level arrays the simulation needs, extracted once.
struct People {
    welfare: Vec<f64>,
    weight: Vec<f64>,
    hh_size: Vec<f64>,
    /// Household index of each person (0..households), and the number of households.
    household: Vec<usize>,
    households: usize,
}

fn people(survey: &Survey) -> Result<People> {
    let get = |name: &str| -> Result<Vec<f64>> {
        Ok(survey
            .f64_column(name)?
            .iter()
            .map(|v| v.unwrap_or(0.0))
            .collect())
    };
    let ids = survey
        .frame
        .column(&survey.wave.household_id)
        .map_err(|e| Error::data(survey.context(), e.to_string()))?
        .cast(&DataType::String)
        .map_err(|e| Error::data(survey.context(), e.to_string()))?;
    let ids = ids.str().expect("string");
    let mut index = std::collections::HashMap::new();
    let mut household = Vec::with_capacity(ids.len());
    for (row, id) in ids.iter().enumerate() {
        let id = id.ok_or_else(|| {
            Error::data(
                survey.context(),
                format!(
                    "household_id column `{}`: data row {} has no household id",
                    survey.wave.household_id,
                    row + 1
                ),
            )
        })?;
        let next = index.len();
        household.push(*index.entry(id.to_string()).or_insert(next));
    }
    Ok(People {
        welfare: get(WELFARE)?,
        weight: get(PERSON_WEIGHT)?,
        hh_size: get(HH_SIZE)?,
        households: index.len(),
        household,
    })
}

fn distribution(welfare: &[f64], weight: &[f64], lines: &[PovertyLine]) -> Distribution {
    Distribution {
        poverty: lines
            .iter()
            .map(|l| Fgt {
                line: l.id.clone(),
                headcount: stats::fgt(welfare, weight, l.monthly_lcu, 0.0),
                gap: stats::fgt(welfare, weight, l.monthly_lcu, 1.0),
                severity: stats::fgt(welfare, weight, l.monthly_lcu, 2.0),
            })
            .collect(),
        gini: stats::gini(welfare, weight),
        mean_welfare: stats::mean(welfare, weight),
    }
}

/// Simulate every scenario of the spec on one wave.
pub fn simulate_wave(spec: &Spec, survey: &Survey) -> Result<SpotResult> {
    let lines = poverty_lines(spec, survey);
    let p = people(survey)?;
    let baseline = distribution(&p.welfare, &p.weight, &lines);
    let national_line = lines[0].monthly_lcu;
    let scenarios = spec
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, sc)| simulate(spec, survey, &p, &lines, national_line, i as u64, sc))
        .collect::<Result<Vec<_>>>()?;
    Ok(SpotResult {
        wave: survey.wave.id.clone(),
        lines,
        baseline,
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

/// The eligibility expression of a scheme (before coverage).
fn eligibility(s: &Scheme, survey: &Survey, field: &str) -> Result<Expr> {
    let parse = |f: &str, text: &str| {
        crate::spec::parse_expr(f, text).map_err(|m| Error::data(survey.context(), m))
    };
    let age = || col(survey.wave.age.as_deref().expect("validated"));
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
        SchemeKind::Disability => col(s.column.as_deref().unwrap_or("disability")).eq(lit(1)),
        SchemeKind::Universal => lit(true),
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

fn simulate(
    spec: &Spec,
    survey: &Survey,
    p: &People,
    lines: &[PovertyLine],
    national_line: f64,
    scenario_index: u64,
    sc: &Scenario,
) -> Result<ScenarioResult> {
    let m = &spec.macro_figures;
    let mut per_household = vec![0.0; p.households];
    let mut recipient = vec![false; p.welfare.len()];
    let mut schemes = Vec::new();
    let mut cost_lcu = 0.0;
    for (k, s) in sc.schemes.iter().enumerate() {
        let field = format!("scenario '{}'.scheme[{k}]", sc.id);
        let eligible = survey.eval_mask(&field, eligibility(s, survey, &field)?)?;
        let benefit = monthly_benefit(s, m, national_line);
        // One ChaCha stream per (scenario, scheme): a scheme's draws do not shift when another
        // scheme is added. Full coverage draws nothing, so it cannot depend on the seed.
        let mut rng =
            ChaCha8Rng::seed_from_u64(spec.spot.seed ^ (scenario_index << 32) ^ ((k as u64) << 16));
        let (mut elig_w, mut rec_w, mut rec_n, mut transfers) = (0.0, 0.0, 0u64, 0.0);
        for i in 0..eligible.len() {
            if !eligible[i] {
                continue;
            }
            elig_w += p.weight[i];
            if s.coverage < 1.0 {
                let u = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                if u >= s.coverage {
                    continue;
                }
            }
            rec_w += p.weight[i];
            rec_n += 1;
            transfers += p.weight[i] * benefit * 12.0;
            per_household[p.household[i]] += benefit;
            if benefit > 0.0 {
                recipient[i] = true;
            }
        }
        let cost = transfers * (1.0 + s.admin_cost);
        cost_lcu += cost;
        schemes.push(SchemeResult {
            label: s.label.clone().unwrap_or_else(|| format!("{:?}", s.kind)),
            kind: s.kind,
            benefit_monthly_lcu: benefit,
            eligible: elig_w,
            recipients: rec_w,
            recipients_n: rec_n,
            cost_lcu: cost,
        });
    }
    let welfare_after: Vec<f64> = (0..p.welfare.len())
        .map(|i| p.welfare[i] + per_household[p.household[i]] / p.hh_size[i])
        .collect();
    let direct_recipients = (0..recipient.len())
        .filter(|&i| recipient[i])
        .map(|i| p.weight[i])
        .sum();
    let people_in_recipient_households = (0..p.welfare.len())
        .filter(|&i| per_household[p.household[i]] > 0.0)
        .map(|i| p.weight[i])
        .sum();
    Ok(ScenarioResult {
        id: sc.id.clone(),
        label: sc.label.clone(),
        schemes,
        after: distribution(&welfare_after, &p.weight, lines),
        cost_lcu,
        cost_pct_gdp: 100.0 * cost_lcu / m.gdp,
        cost_pct_revenue: 100.0 * cost_lcu / m.government_revenue,
        direct_recipients,
        people_in_recipient_households,
    })
}
