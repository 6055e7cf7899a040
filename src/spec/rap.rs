//! The spec's RAP-grade projection inputs (a population table by age band and sex, fiscal-space
//! options, per-scheme indexation) and the poverty breakdowns' columns.

use serde::{Deserialize, Serialize};

/// How a scheme's benefit is uprated each year of the projection.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Indexation {
    /// With `projection.inflation` (constant real value; the default).
    #[default]
    Prices,
    /// With `projection.wage_growth` (nominal).
    Wages,
    /// Not uprated: the nominal benefit stays, its real value falls with prices.
    None,
}

/// Sex of a population-table row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PopulationSex {
    Female,
    Male,
    /// Both sexes together (a table without a split by sex).
    All,
}

/// One row of a population projection: persons of one sex aged `age_from`–`age_to` (single
/// years: equal) in one year.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PopulationRow {
    pub year: i32,
    pub age_from: u32,
    /// Last age of the band (inclusive); an open top band gives a high age such as 120.
    pub age_to: u32,
    #[serde(default = "all")]
    pub sex: PopulationSex,
    pub count: f64,
}

fn all() -> PopulationSex {
    PopulationSex::All
}

/// A fiscal-space option (ILO/UNICEF/UN Women's fiscal space options): resources it makes
/// available each year, as % of GDP, starting at `pct_gdp` and growing by `growth_pp` points a
/// year.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FinancingOption {
    pub id: String,
    pub label: String,
    pub pct_gdp: f64,
    #[serde(default)]
    pub growth_pp: f64,
}

/// Columns the poverty breakdowns read (`[spot.breakdowns]`); each is optional and its
/// breakdowns are left out without it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Breakdowns {
    /// Person's sex column and the value that marks a female.
    pub sex: Option<String>,
    #[serde(default = "female")]
    pub female: String,
    /// 0/1 disability column (households with a person with disability).
    pub disability: Option<String>,
    /// Lower bounds of the age groups after the first (default 15 and 65: 0–14, 15–64, 65+).
    #[serde(default = "age_bands")]
    pub age_bands: Vec<u32>,
    /// A child is younger than this; an older person at least `older_age`.
    #[serde(default = "child_age")]
    pub child_age: u32,
    #[serde(default = "older_age")]
    pub older_age: u32,
}

fn female() -> String {
    "Female".into()
}
fn age_bands() -> Vec<u32> {
    vec![15, 65]
}
fn child_age() -> u32 {
    18
}
fn older_age() -> u32 {
    65
}

impl Default for Breakdowns {
    fn default() -> Self {
        Breakdowns {
            sex: None,
            female: female(),
            disability: None,
            age_bands: age_bands(),
            child_age: child_age(),
            older_age: older_age(),
        }
    }
}

/// Checks of the projection's RAP inputs, the schemes' phase-in and the breakdowns' age bands.
pub(super) fn validate(spec: &super::Spec) -> std::result::Result<(), String> {
    let p = &spec.projection;
    if let Some(g) = p.wage_growth {
        if !(g.is_finite() && g > -0.5 && g < 1.0) {
            return Err(format!(
                "projection.wage_growth: expected a yearly rate between -0.5 and 1, found {g}"
            ));
        }
    }
    if let Some(x) = p.government_expenditure_share_gdp {
        if !(x.is_finite() && x > 0.0 && x <= 100.0) {
            return Err(format!(
                "projection.government_expenditure_share_gdp: expected a percentage of GDP above 0 and at most 100, found {x}"
            ));
        }
    }
    if !p.population.is_empty() && p.population_csv.is_some() {
        return Err("projection: give the population either as [[projection.population]] rows or as population_csv, not both".into());
    }
    for (i, r) in p.population.iter().enumerate() {
        check_row(r).map_err(|m| format!("projection.population[{i}].{m}"))?;
    }
    let mut ids = std::collections::BTreeSet::new();
    for (i, f) in p.financing.iter().enumerate() {
        let at = format!("projection.financing[{i}]");
        if !super::is_safe_id(&f.id) || !ids.insert(f.id.as_str()) {
            return Err(format!(
                "{at}.id: expected a unique id of letters, digits, '_' or '-', found \"{}\"",
                f.id
            ));
        }
        if !(f.pct_gdp.is_finite() && (0.0..=100.0).contains(&f.pct_gdp)) {
            return Err(format!(
                "{at}.pct_gdp: expected a percentage of GDP from 0 to 100, found {}",
                f.pct_gdp
            ));
        }
        if !(f.growth_pp.is_finite() && (-10.0..=10.0).contains(&f.growth_pp)) {
            return Err(format!(
                "{at}.growth_pp: expected percentage points of GDP a year from -10 to 10, found {}",
                f.growth_pp
            ));
        }
    }
    for sc in &spec.scenarios {
        for (k, s) in sc.schemes.iter().enumerate() {
            check_phase_in(&s.phase_in)
                .map_err(|m| format!("scenario '{}'.scheme[{k}].phase_in: {m}", sc.id))?;
        }
    }
    let bands = &spec.spot.breakdowns.age_bands;
    if bands.first() == Some(&0) || bands.windows(2).any(|w| w[0] >= w[1]) {
        return Err(format!(
            "spot.breakdowns.age_bands: expected increasing ages above 0 (the lower bounds of the groups after 0), found {bands:?}"
        ));
    }
    Ok(())
}

/// One population row's values (the caller adds where it is).
pub fn check_row(r: &PopulationRow) -> std::result::Result<(), String> {
    if r.age_from > r.age_to || r.age_to > 150 {
        return Err(format!(
            "age_to: expected age_from <= age_to <= 150, found {}-{}",
            r.age_from, r.age_to
        ));
    }
    if !(r.count.is_finite() && (0.0..=1e12).contains(&r.count)) {
        return Err(format!(
            "count: expected a number of persons from 0 to 1e12, found {}",
            r.count
        ));
    }
    if !(1900..=2200).contains(&r.year) {
        return Err(format!(
            "year: expected a year from 1900 to 2200, found {}",
            r.year
        ));
    }
    Ok(())
}

fn check_phase_in(shares: &[f64]) -> std::result::Result<(), String> {
    if shares.len() > 51 {
        return Err(format!(
            "expected at most 51 yearly shares, found {}",
            shares.len()
        ));
    }
    match shares
        .iter()
        .find(|x| !(x.is_finite() && (0.0..=1.0).contains(*x)))
    {
        Some(x) => Err(format!("expected shares from 0 to 1, found {x}")),
        None => Ok(()),
    }
}

impl super::Projection {
    /// The population CSV as an input file (hashed, locked and verified like a survey file).
    pub fn population_source(&self) -> Option<super::FileSource> {
        self.population_csv.as_ref().map(|path| super::FileSource {
            role: "population".into(),
            path: path.clone(),
            format: Some(super::FileFormat::Csv),
            sha256: None,
            csv: super::CsvDialect::default(),
            columns: None,
        })
    }
}
