//! One scenario on a wave: its schemes paid, then welfare after transfers and the scenario's
//! effect on poverty, inequality and incidence, its cost and its projection.

use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;

use super::incidence::{areas, incidence};
use super::population::Population;
use super::projection;
use super::schemes::Payments;
use super::{PovertyLine, ScenarioResult};
use crate::error::Result;
use crate::estimate::{measures, stats};
use crate::spec::{Scenario, Spec};
use crate::survey::Survey;

/// What every scenario of a wave is simulated with.
pub(super) struct Inputs<'a> {
    pub(super) spec: &'a Spec,
    pub(super) survey: &'a Survey,
    pub(super) pop: &'a Population,
    /// The national line first, then the international lines.
    pub(super) lines: &'a [PovertyLine],
    pub(super) hd: &'a measures::HouseholdDesign<'a>,
    /// The existing programmes the survey records (none without `[[programme]]`).
    pub(super) programmes: &'a super::programmes::Observed,
    /// The projection's population table, when the spec has one.
    pub(super) prepared: &'a super::rap::Prepared,
}

/// A simulated scenario: its result (reach and "not poor" still empty), and per household the
/// welfare after transfers and the monthly transfers received.
pub(super) struct Simulated {
    pub(super) result: ScenarioResult,
    pub(super) after: Vec<f64>,
    pub(super) transfers: Vec<f64>,
}

/// Simulate scenario `sc` (the `scenario_index`-th of the spec).
pub(super) fn simulate(inputs: &Inputs, scenario_index: u64, sc: &Scenario) -> Result<Simulated> {
    let pop = inputs.pop;
    let mut payments = Payments::new(pop);
    for (k, s) in sc.schemes.iter().enumerate() {
        let field = format!("scenario '{}'.scheme[{k}]", sc.id);
        // One ChaCha stream per (scenario, scheme): a scheme's draws do not shift when another
        // scheme is added. Full coverage and no targeting errors draw nothing, so the result
        // cannot depend on the seed.
        let mut rng = ChaCha8Rng::seed_from_u64(
            inputs.spec.spot.seed ^ (scenario_index << 32) ^ ((k as u64) << 16),
        );
        payments.pay_scheme(inputs, s, &field, &mut rng)?;
    }
    // Observed transfers removed come off welfare (0 − 0 keeps every other scenario's bits).
    let after: Vec<f64> = (0..pop.welfare.len())
        .map(|h| pop.welfare[h] + (payments.transfers[h] - payments.removed[h]) / pop.size[h])
        .collect();
    let result = scenario_result(inputs, sc, &mut payments, &after);
    Ok(Simulated {
        result,
        after,
        transfers: payments.transfers,
    })
}

/// The scenario's figures from what its schemes paid and the welfare after transfers.
fn scenario_result(
    inputs: &Inputs,
    sc: &Scenario,
    payments: &mut Payments,
    after: &[f64],
) -> ScenarioResult {
    let (pop, hd, m) = (inputs.pop, inputs.hd, &inputs.spec.macro_figures);
    let national_line = inputs.lines[0].monthly_lcu;
    let transfers = &payments.transfers;
    let nh = pop.welfare.len();
    let schemes = std::mem::take(&mut payments.schemes);
    let projected = project(inputs, payments);
    let last = super::compare::Ends::of(&projected.totals);
    let covers_everyone = schemes.iter().any(|s| s.covers_everyone);
    let cost_lcu: f64 = schemes.iter().map(|s| s.cost_lcu).sum();
    let direct_recipients = payments
        .direct
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
    let gap_closed_annual = (gap(&pop.welfare) - gap(after)) * 12.0;
    let paid: f64 = (0..nh).map(|h| pop.hh_weight[h] * transfers[h]).sum();
    let paid_to_poor: f64 = (0..nh)
        .filter(|&h| pop.poor[h])
        .map(|h| pop.hh_weight[h] * transfers[h])
        .sum();
    ScenarioResult {
        reach: Vec::new(),
        reach_furthest_behind: 0.0,
        covers_everyone,
        not_poor: None,
        id: sc.id.clone(),
        label: sc.label.clone(),
        schemes,
        after: measures::distribution(
            after,
            &pop.persons,
            inputs.lines,
            &inputs.spec.spot.relative_lines,
            hd,
        ),
        deciles: incidence(pop, after, transfers),
        areas: areas(pop, hd, after, transfers, national_line),
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
            - stats::fgt(after, &pop.persons, national_line, 0.0),
        headcount_reduction_se: hd.bootstrap_se(&pop.persons, |wr| {
            stats::fgt(&pop.welfare, wr, national_line, 0.0)
                - stats::fgt(after, wr, national_line, 0.0)
        }),
        projection: projected.totals,
        cost_by_scheme: projected.schemes,
        financing: projected.financing,
        comparison: super::compare::comparison(pop, hd, after, national_line, &last),
    }
}

/// The cost projection of what a scenario's schemes pay.
fn project(inputs: &Inputs, payments: &Payments) -> projection::Projected {
    projection::project(
        &payments.bases,
        inputs.spec.macro_figures.gdp,
        inputs.survey.wave.year,
        &inputs.spec.projection,
        inputs.prepared,
    )
}
