//! One benefit scheme on the survey: who is eligible, who passes targeting and take-up, what
//! each household receives, and the scheme's cost and recipients by age.

use polars::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_core::Rng;

use super::population::{column_f64, Population};
use super::projection::{self, ByAge, SchemeBase};
use super::simulate::Inputs;
use super::{PaidTo, SchemeResult};
use crate::error::{Error, Result};
use crate::estimate::stats;
use crate::spec::{BenefitUnit, MacroFigures, Scheme, SchemeKind};
use crate::survey::Survey;

/// What a scenario's schemes pay, filled scheme by scheme.
pub(super) struct Payments {
    /// Monthly transfers per household.
    pub(super) transfers: Vec<f64>,
    /// Whether each person receives a benefit directly.
    pub(super) direct: Vec<bool>,
    pub(super) schemes: Vec<SchemeResult>,
    /// Each scheme's recipients by age and benefit, for the cost projection.
    pub(super) bases: Vec<SchemeBase>,
}

impl Payments {
    pub(super) fn new(pop: &Population) -> Payments {
        Payments {
            transfers: vec![0.0; pop.welfare.len()],
            direct: vec![false; pop.household.len()],
            schemes: Vec::new(),
            bases: Vec::new(),
        }
    }

    /// Pay scheme `s` (spec field `field`) to its eligible, targeted and covered persons or
    /// households, drawing targeting errors and take-up from `rng`.
    pub(super) fn pay_scheme(
        &mut self,
        inputs: &Inputs,
        s: &Scheme,
        field: &str,
        rng: &mut ChaCha8Rng,
    ) -> Result<()> {
        let (survey, pop) = (inputs.survey, inputs.pop);
        let eligible = eligible_persons(s, survey, field)?;
        let national_line = inputs.lines[0].monthly_lcu;
        let benefit = monthly_benefit(s, &inputs.spec.macro_figures, national_line);
        let in_target = match s.target_bottom {
            Some(share) => Some(targeted(s, share, survey, pop, rng)?),
            None => None,
        };
        let per_household = s.kind == SchemeKind::Household;
        let (mut elig_w, mut rec_w, mut rec_n) = (0.0, 0.0, 0u64);
        let mut by_age = ByAge::default();
        let mut base = SchemeBase::new(benefit, s.admin_cost);
        let mut paid_household = vec![false; pop.welfare.len()];
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
            if s.coverage < 1.0 && uniform(rng) >= s.coverage {
                continue;
            }
            rec_w += w;
            rec_n += 1;
            self.transfers[h] += benefit;
            if benefit > 0.0 {
                self.direct[i] = true;
                paid_household[h] = true;
            }
            let age = pop.age.as_ref().map_or(30.0, |a| a[i]);
            count_by_age(&mut by_age, age, w);
            base.count(age, w);
        }
        let cost = projection::annual_cost(rec_w, 1.0, benefit, s.admin_cost);
        self.schemes.push(SchemeResult {
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
            // No draw decided who is paid: full coverage is the scheme's design, not chance.
            covers_everyone: in_target.is_none()
                && s.coverage >= 1.0
                && paid_household.iter().all(|&p| p),
        });
        self.bases.push(SchemeBase {
            recipients: by_age,
            indexation: s.indexation,
            phase_in: s.phase_in.clone(),
            ..base
        });
        Ok(())
    }
}

/// Persons who meet the scheme's eligibility rule, refusing a scheme nobody qualifies for.
fn eligible_persons(s: &Scheme, survey: &Survey, field: &str) -> Result<Vec<bool>> {
    let eligible = survey.eval_mask(field, eligibility(s, survey, field)?)?;
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
    Ok(eligible)
}

/// Add a recipient's weight to its age group: children 0–14, working age 15–64, 65+. A missing
/// age (NaN) fails both comparisons and counts as 65+.
fn count_by_age(by_age: &mut ByAge, age: f64, w: f64) {
    let slot = if age < 15.0 {
        &mut by_age.children
    } else if age < 65.0 {
        &mut by_age.working
    } else {
        &mut by_age.elderly
    };
    *slot += w;
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
    let age = || {
        let name = survey.wave.age.as_deref().ok_or_else(|| {
            Error::data(
                survey.context(),
                format!(
                    "{field}: age-based schemes need `age` (the age column) in wave '{}'",
                    survey.wave.id
                ),
            )
        })?;
        Ok::<_, Error>(col(name))
    };
    let flag = |default: &str| col(s.column.as_deref().unwrap_or(default)).eq(lit(1));
    let mut e = match s.kind {
        SchemeKind::Child | SchemeKind::OldAge => {
            let mut e = lit(true);
            if let Some(lo) = s.min_age {
                e = e.and(age()?.gt_eq(lit(lo)));
            }
            if let Some(hi) = s.max_age {
                e = e.and(age()?.lt_eq(lit(hi)));
            }
            e
        }
        SchemeKind::Disability => flag("disability"),
        SchemeKind::Maternity => flag("recent_birth"),
        SchemeKind::Universal => lit(true),
        SchemeKind::Household => {
            let head = parse(
                &format!("wave '{}'.head", survey.wave.id),
                survey.wave.head.as_deref().ok_or_else(|| {
                    Error::data(
                        survey.context(),
                        format!(
                            "{field}: a household scheme needs `head` (an expression true on the head's row) in wave '{}'",
                            survey.wave.id
                        ),
                    )
                })?,
            )?;
            match &s.eligible {
                Some(x) => head.and(parse(&format!("{field}.eligible"), x)?),
                None => head,
            }
        }
        SchemeKind::Custom => parse(
            &format!("{field}.eligible"),
            s.eligible.as_deref().ok_or_else(|| {
                Error::data(
                    survey.context(),
                    format!("{field}.eligible: a custom scheme needs an eligibility expression"),
                )
            })?,
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

pub(super) fn uniform(rng: &mut ChaCha8Rng) -> f64 {
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
