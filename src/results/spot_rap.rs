//! SPOT results of the RAP-grade projection (cost by scheme and year, real benefit values,
//! financing), the poverty breakdowns by person and household group, and the scenario comparison.

use serde::{Deserialize, Serialize};

/// One scheme of a scenario in one projection year.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct SchemeYear {
    /// Index of the scheme in the scenario's `schemes`.
    pub scheme: usize,
    pub year: i32,
    /// Recipients after phase-in (persons, or households for a household scheme).
    pub beneficiaries: f64,
    /// Share of the full caseload reached this year.
    pub phase_in: f64,
    /// Monthly benefit in current prices, and deflated to base-year prices.
    pub benefit_monthly_lcu: f64,
    pub benefit_monthly_real_lcu: f64,
    /// Transfers plus administration, local currency per year, and as % of GDP.
    pub cost_lcu: f64,
    pub cost_pct_gdp: f64,
}

/// A fiscal-space option against a scenario's cost in one year.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct FinancingYear {
    /// The option's id (`projection.financing`).
    pub option: String,
    pub year: i32,
    pub space_pct_gdp: f64,
    pub space_lcu: f64,
    pub cost_pct_gdp: f64,
    /// Space minus cost: positive when the option covers the scenario.
    pub gap_pct_gdp: f64,
    pub gap_lcu: f64,
}

/// A fiscal-space option as the spec names it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct FinancingOptionResult {
    pub id: String,
    pub label: String,
    pub pct_gdp: f64,
    pub growth_pp: f64,
}

/// Where the projection's population came from.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum PopulationSource {
    /// Three age groups (0–14, 15–64, 65+) at constant growth rates.
    Growth,
    /// A population table by age band (both sexes summed), from the spec or a CSV file.
    Table {
        /// The CSV file as written in the spec, when the table came from one.
        path: Option<String>,
        /// The bands' first and last ages.
        bands: Vec<(u32, u32)>,
    },
}

/// The scenario comparison's change figures, each linearised on the same sample (before and
/// after differ only by the transfers).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Comparison {
    /// Fall of the national headcount (before − after) and its linearised SE.
    pub headcount_reduction: f64,
    pub headcount_reduction_se: f64,
    /// Change of the Gini index (after − before) and its linearised SE.
    pub gini_change: f64,
    pub gini_change_se: f64,
    /// Cost in the base year and in the last projection year, % of GDP.
    pub cost_pct_gdp_now: f64,
    pub cost_pct_gdp_last: f64,
    pub last_year: i32,
}

/// What a breakdown splits persons by.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Dimension {
    Sex,
    AgeGroup,
    /// Persons in households with a child (younger than `age`).
    WithChildren {
        age: u32,
    },
    /// Persons in households with an older person (at least `age`).
    WithOlder {
        age: u32,
    },
    WithDisability,
    FemaleHeaded,
    Region,
    /// A circumstance of `spot.opportunity_circumstances`.
    Circumstance {
        id: String,
        label: String,
    },
}

/// A group within a dimension.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Level {
    /// A value as in the data (or a circumstance level's display label).
    Value {
        value: String,
    },
    /// An age group (`to` absent: and older).
    Ages {
        from: u32,
        to: Option<u32>,
    },
    /// In a household of the type, or not.
    Yes,
    No,
}

/// Poverty (national line) of one group after one scenario, and the change from before.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct BreakdownAfter {
    pub scenario: String,
    pub headcount: f64,
    pub headcount_se: f64,
    pub gap: f64,
    pub gap_se: f64,
    /// After − before, linearised as one statistic on the same sample.
    pub headcount_change: f64,
    pub headcount_change_se: f64,
}

/// One group of persons: its poverty before transfers and after each scenario, national line,
/// the group a domain of the wave's design (linearised SEs).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct BreakdownRow {
    pub dimension: Dimension,
    pub level: Level,
    /// Unweighted records and weighted persons of the group, and its share of all persons.
    pub n: u64,
    pub persons: f64,
    pub population_share: f64,
    pub headcount: f64,
    pub headcount_se: f64,
    pub gap: f64,
    pub gap_se: f64,
    pub after: Vec<BreakdownAfter>,
}
