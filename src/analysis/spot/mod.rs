//! SPOT: simulate non-contributory benefit schemes on the survey (static, no behavioural response)
//! and measure their effect on poverty, inequality and consumption, their reach and their cost,
//! now and projected (docs/methods.md, sections from 'SPOT: the population as households' on).
//!
//! The microdata are read once into a `Population` (persons and households); each scenario then
//! works on plain arrays: transfers per household, welfare after transfers, measures.

mod breakdowns;
mod calibrate;
mod compare;
mod groups;
mod incidence;
mod population;
mod programmes;
pub mod projection;
mod rap;
mod schemes;
mod simulate;

use crate::error::Result;
use crate::estimate::measures;
pub use crate::estimate::measures::PovertyLine;
pub use crate::estimate::measures::{Distribution, Fgt};
pub use crate::results::spot::{
    AreaRow, DecileRow, GroupReach, PaidTo, ScenarioResult, SchemeResult, SpotResult,
};
use crate::spec::Spec;
use crate::survey::Survey;
use groups::{followed, reach, Followed, NotPoor};
use incidence::{areas, incidence};
use population::{population, Population};
pub use rap::{population_rows, with_population_csv};
use simulate::{simulate, Inputs, Simulated};

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
        &spec.spot.relative_lines,
        &hd,
    ))
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
    let observed = programmes::observed(spec, survey, pop)?;
    let prepared = rap::prepare(spec, survey, pop)?;
    let inputs = Inputs {
        spec,
        survey,
        pop,
        lines,
        hd: &hd,
        programmes: &observed,
        prepared: &prepared,
    };
    let (scenarios, afters): (Vec<ScenarioResult>, Vec<(String, Vec<f64>)>) = spec
        .scenarios
        .iter()
        .enumerate()
        .map(|(i, sc)| {
            let simulated = simulate(&inputs, i as u64, sc)?;
            let after = (sc.id.clone(), simulated.after.clone());
            Ok((
                with_reach(&inputs, simulated, &follow, not_poor.as_ref()),
                after,
            ))
        })
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .unzip();
    let afters: Vec<(String, &[f64])> = afters
        .iter()
        .map(|(id, y)| (id.clone(), y.as_slice()))
        .collect();
    Ok(SpotResult {
        breakdowns: breakdowns::breakdowns(spec, survey, pop, &set.design, national_line, &afters)?,
        projection_population: prepared.source(),
        financing_options: rap::financing_options(spec),
        wave: survey.wave.id.clone(),
        year: survey.wave.year,
        baseline: measures::distribution(
            &pop.welfare,
            &pop.persons,
            lines,
            &spec.spot.relative_lines,
            &hd,
        ),
        baseline_deciles: incidence(pop, &pop.welfare, &no_transfers),
        baseline_areas: areas(pop, &hd, &pop.welfare, &no_transfers, national_line),
        not_poor_baseline: not_poor
            .as_ref()
            .map(|np| np.inequality(pop, &pop.welfare, national_line)),
        lines: lines.clone(),
        scenarios,
        programmes: existing_programmes(spec, survey, &set, &hd, &observed)?,
    })
}

/// Coverage and targeting of the existing programmes (none without `[[programme]]`).
fn existing_programmes(
    spec: &Spec,
    survey: &Survey,
    set: &Setting,
    hd: &measures::HouseholdDesign,
    observed: &programmes::Observed,
) -> Result<Option<crate::results::programmes::ProgrammesResult>> {
    if spec.programmes.is_empty() {
        return Ok(None);
    }
    // Persons as units of the same design: a row's PSU is its record's.
    let rows =
        measures::HouseholdDesign::new(set.design.record_psu.clone(), &set.design, &set.replicates);
    let frame = programmes::Frame {
        pop: &set.pop,
        rows: &rows,
        households: hd,
        line: set.lines[0].monthly_lcu,
    };
    programmes::analyse(spec, survey, &frame, observed).map(Some)
}

/// A simulated scenario's result with how far it reaches each followed group (and, on average,
/// the furthest-behind groups) and the "not poor" inequality after transfers.
fn with_reach(
    inputs: &Inputs,
    simulated: Simulated,
    follow: &[Followed],
    not_poor: Option<&NotPoor>,
) -> ScenarioResult {
    let Simulated {
        result: mut r,
        after,
        transfers,
    } = simulated;
    let (pop, national_line) = (inputs.pop, inputs.lines[0].monthly_lcu);
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
    r.not_poor = not_poor.map(|np| np.inequality(pop, &after, national_line));
    r
}
