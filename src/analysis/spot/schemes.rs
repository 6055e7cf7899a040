//! One benefit scheme on the survey: who is eligible, who passes targeting and take-up, what
//! each household receives, and the scheme's cost and recipients by age.

use polars::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_core::Rng;

use super::population::{column_f64, Population};
use super::programmes::ObservedProgramme;
use super::projection::{self, ByAge, SchemeBase};
use super::simulate::Inputs;
use super::{PaidTo, SchemeResult};
use crate::error::{Error, Result};
use crate::estimate::stats;
use crate::results::programmes::{Calibration, ProgrammeChange};
use crate::spec::{BenefitUnit, MacroFigures, ProgrammeAction, Scheme, SchemeKind};
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
    /// Monthly observed transfers of existing programmes taken away, per household.
    pub(super) removed: Vec<f64>,
}

impl Payments {
    pub(super) fn new(pop: &Population) -> Payments {
        Payments {
            transfers: vec![0.0; pop.welfare.len()],
            direct: vec![false; pop.household.len()],
            schemes: Vec::new(),
            bases: Vec::new(),
            removed: vec![0.0; pop.welfare.len()],
        }
    }

    /// Pay scheme `s` (spec field `field`) to its eligible, targeted and covered persons or
    /// households, drawing targeting errors and take-up from `rng`; a scheme acting on an
    /// existing programme first takes its observed transfer away (remove, replace) or restricts
    /// who is eligible to its recipients (replace, top up) or to the others (expand).
    pub(super) fn pay_scheme(
        &mut self,
        inputs: &Inputs,
        s: &Scheme,
        field: &str,
        rng: &mut ChaCha8Rng,
    ) -> Result<()> {
        let pop = inputs.pop;
        let acting = acting_on(inputs, s);
        let removed_lcu = match acting {
            Some((p, ProgrammeAction::Remove | ProgrammeAction::Replace)) => self.remove(pop, p),
            _ => 0.0,
        };
        let change = acting.map(|(p, action)| ProgrammeChange {
            programme: p.id.clone(),
            action,
            removed_lcu,
        });
        if s.action == Some(ProgrammeAction::Remove) {
            self.push_removal(s, change);
            return Ok(());
        }
        let national_line = inputs.lines[0].monthly_lcu;
        let benefit = monthly_benefit(s, &inputs.spec.macro_figures, national_line);
        let per_household = s.kind == SchemeKind::Household;
        let (units, targeted) = eligible_units(inputs, s, field, rng, acting)?;
        let (taken, calibration) = take_up(inputs, s, field, &units, rng)?;
        let elig_w: f64 = units.iter().map(|u| u.1).sum();
        let (mut rec_w, mut rec_n) = (0.0, 0u64);
        let mut by_age = ByAge::default();
        let mut base = SchemeBase::new(benefit, s.admin_cost);
        let mut paid_household = vec![false; pop.welfare.len()];
        for (&(i, w), _) in units.iter().zip(&taken).filter(|(_, &t)| t) {
            let h = pop.household[i];
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
            covers_everyone: !targeted
                && s.coverage >= 1.0
                && calibration.is_none()
                && acting.is_none()
                && paid_household.iter().all(|&p| p),
            programme: change,
            calibration,
        });
        self.bases.push(SchemeBase {
            recipients: by_age,
            indexation: s.indexation,
            phase_in: s.phase_in.clone(),
            ..base
        });
        Ok(())
    }

    /// Take programme `p`'s observed transfers away; returns them in local currency a year.
    fn remove(&mut self, pop: &Population, p: &ObservedProgramme) -> f64 {
        let mut annual = 0.0;
        for (h, &m) in p.monthly.iter().enumerate() {
            self.removed[h] += m;
            annual += pop.hh_weight[h] * m * 12.0;
        }
        annual
    }

    /// A scheme that only removes a programme: it pays no one and costs nothing.
    fn push_removal(&mut self, s: &Scheme, change: Option<ProgrammeChange>) {
        self.schemes.push(SchemeResult {
            label: s.label.clone(),
            kind: s.kind,
            paid_to: if s.kind == SchemeKind::Household {
                PaidTo::Households
            } else {
                PaidTo::Persons
            },
            benefit_monthly_lcu: 0.0,
            eligible: 0.0,
            recipients: 0.0,
            recipients_n: 0,
            cost_lcu: 0.0,
            covers_everyone: false,
            programme: change,
            calibration: None,
        });
        self.bases.push(SchemeBase {
            indexation: s.indexation,
            phase_in: s.phase_in.clone(),
            ..SchemeBase::new(0.0, 0.0)
        });
    }
}

/// The observed programme a scheme acts on, and how.
fn acting_on<'a>(
    inputs: &Inputs<'a>,
    s: &Scheme,
) -> Option<(&'a ObservedProgramme, ProgrammeAction)> {
    let id = s.programme.as_deref()?;
    Some((inputs.programmes.get(id)?, s.action?))
}

/// The units (row, weight: a person, or a household on its head's row) that pass eligibility,
/// targeting and the programme rule, and whether targeting applied.
fn eligible_units(
    inputs: &Inputs,
    s: &Scheme,
    field: &str,
    rng: &mut ChaCha8Rng,
    acting: Option<(&ObservedProgramme, ProgrammeAction)>,
) -> Result<(Vec<(usize, f64)>, bool)> {
    let (survey, pop) = (inputs.survey, inputs.pop);
    let eligible = eligible_persons(s, survey, field)?;
    let in_target = match s.target_bottom {
        Some(share) => Some(targeted(s, share, survey, pop, rng)?),
        None => None,
    };
    let per_household = s.kind == SchemeKind::Household;
    let receives = |i: usize| match acting {
        Some((p, _)) if per_household => p.household_receipt[pop.household[i]],
        Some((p, _)) => p.row_receipt[i],
        None => false,
    };
    let rule = |i: usize| match acting.map(|a| a.1) {
        Some(ProgrammeAction::Replace | ProgrammeAction::TopUp) => receives(i),
        Some(ProgrammeAction::Expand) => !receives(i),
        _ => true,
    };
    let units = eligible
        .iter()
        .enumerate()
        .filter(|&(i, &ok)| ok && rule(i) && in_target.as_ref().is_none_or(|t| t[pop.household[i]]))
        .map(|(i, _)| {
            let w = if per_household {
                pop.hh_weight[pop.household[i]]
            } else {
                pop.person_weight[i]
            };
            (i, w)
        })
        .collect();
    Ok((units, in_target.is_some()))
}

/// Which eligible units take the benefit up: all at full coverage; one draw per unit below it;
/// by the draws' order up to the administrative total when the scheme gives one.
fn take_up(
    inputs: &Inputs,
    s: &Scheme,
    field: &str,
    units: &[(usize, f64)],
    rng: &mut ChaCha8Rng,
) -> Result<(Vec<bool>, Option<Calibration>)> {
    if let Some(target) = s.admin_beneficiaries {
        let w: Vec<f64> = units.iter().map(|u| u.1).collect();
        let eligible: f64 = w.iter().sum();
        if target > eligible {
            return Err(Error::data(
                inputs.survey.context(),
                format!(
                    "{field}.admin_beneficiaries{}: the administrative total {target} is above the {eligible} eligible (weighted) in this survey; expected at most that many",
                    s.label.as_deref().map(|l| format!(" ('{l}')")).unwrap_or_default()
                ),
            ));
        }
        let u: Vec<f64> = units.iter().map(|_| uniform(rng)).collect();
        let (taken, c) = super::calibrate::to_total(&w, &u, target);
        return Ok((taken, Some(c)));
    }
    if s.coverage < 1.0 {
        return Ok((
            units.iter().map(|_| uniform(rng) < s.coverage).collect(),
            None,
        ));
    }
    Ok((vec![true; units.len()], None))
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
