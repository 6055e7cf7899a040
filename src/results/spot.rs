//! SPOT results as data: the baseline distribution, and per scenario its schemes, poverty and
//! inequality after transfers, incidence by decile and area, reach to the groups followed, and
//! cost now and projected.

use serde::{Deserialize, Serialize};

use crate::estimate::measures::{Distribution, PovertyLine};
use crate::spec::SchemeKind;

/// Whom a scheme pays one benefit to.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PaidTo {
    Persons,
    Households,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct SchemeResult {
    /// The spec's label for the scheme, if it gives one (its kind names it otherwise).
    pub label: Option<String>,
    pub kind: SchemeKind,
    /// What one benefit is paid to.
    pub paid_to: PaidTo,
    pub benefit_monthly_lcu: f64,
    /// Eligible (after targeting) and recipients (after take-up), weighted, in `paid_to` units.
    pub eligible: f64,
    pub recipients: f64,
    pub recipients_n: u64,
    /// Transfers plus administration, local currency per year.
    pub cost_lcu: f64,
    /// Whether the scheme pays every household by its rules (no targeting, full take-up, someone
    /// eligible in every household): it then covers every group in full by design.
    pub covers_everyone: bool,
    /// The existing programme it removes, replaces, expands or tops up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programme: Option<super::programmes::ProgrammeChange>,
    /// Take-up calibrated to the administrative number of beneficiaries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<super::programmes::Calibration>,
}

/// One pre-transfer decile of persons in the incidence table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct DecileRow {
    pub decile: u8,
    /// Share of persons in the decile (0 for a decile with no record, in tiny samples).
    pub population_share: f64,
    pub mean_before: f64,
    pub mean_after: f64,
    /// Change of mean consumption, percent.
    pub change_pct: f64,
    /// Share of persons living in a household that receives a benefit.
    pub coverage: f64,
    /// Share of all transfers received by the decile.
    pub benefit_share: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct AreaRow {
    pub area: String,
    pub population_share: f64,
    pub headcount_before: f64,
    pub headcount_after: f64,
    /// Linearised SEs of the two headcounts, the area as a domain of the wave's design.
    pub headcount_before_se: f64,
    pub headcount_after_se: f64,
    pub coverage: f64,
}

/// How far a scenario reaches one group: a furthest-behind group of an indicator, the bottom 40%
/// or the rural population.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct GroupReach {
    /// Indicator id, or "bottom40" / "rural".
    pub id: String,
    /// What the group is furthest behind in (the indicator's label), if an indicator group.
    pub indicator: Option<String>,
    /// The indicator's furthest-behind group (none for the bottom 40% and an area).
    pub group: Option<super::lnob::Group>,
    /// The area's name as in the data, for an area group.
    pub area: Option<String>,
    /// Share of the group's records living in a household that receives a benefit.
    pub coverage: f64,
    /// Mean consumption gain of the group, percent.
    pub gain_pct: f64,
    pub headcount_before: f64,
    pub headcount_after: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct ScenarioResult {
    pub id: String,
    pub label: String,
    pub schemes: Vec<SchemeResult>,
    pub after: Distribution,
    pub deciles: Vec<DecileRow>,
    pub areas: Vec<AreaRow>,
    pub cost_lcu: f64,
    pub cost_pct_gdp: f64,
    pub cost_pct_revenue: f64,
    /// People receiving a benefit themselves, and people living in a household that does (weighted).
    pub direct_recipients: f64,
    pub people_in_recipient_households: f64,
    /// Money-metric poverty gap (national line) closed per unit of total cost.
    pub gap_closed_per_lcu: f64,
    /// Share of transfers reaching households poor before transfers (national line).
    pub share_to_poor: f64,
    /// Fall of the national headcount and its bootstrap standard error.
    pub headcount_reduction: f64,
    pub headcount_reduction_se: Option<f64>,
    pub projection: Vec<YearCost>,
    /// Reach to the furthest-behind groups, the bottom 40% and the rural population.
    pub reach: Vec<GroupReach>,
    /// Mean coverage over the indicators' furthest-behind groups.
    pub reach_furthest_behind: f64,
    /// Whether one of its schemes covers everyone by design (reach then ranks nothing).
    pub covers_everyone: bool,
    /// "Not poor" (national line) as an opportunity, after the scenario.
    pub not_poor: Option<super::lnob::Inequality>,
    /// Cost of each scheme in each projection year, with its benefit's nominal and real value.
    pub cost_by_scheme: Vec<super::spot_rap::SchemeYear>,
    /// Each fiscal-space option of the spec against the cost, year by year.
    pub financing: Vec<super::spot_rap::FinancingYear>,
    /// The comparison's changes with their linearised SEs.
    pub comparison: super::spot_rap::Comparison,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct SpotResult {
    pub wave: String,
    pub year: i32,
    pub lines: Vec<PovertyLine>,
    pub baseline: Distribution,
    pub baseline_deciles: Vec<DecileRow>,
    pub baseline_areas: Vec<AreaRow>,
    /// "Not poor" as an opportunity before any transfer (when the spec names circumstances).
    pub not_poor_baseline: Option<super::lnob::Inequality>,
    pub scenarios: Vec<ScenarioResult>,
    /// Existing programmes recorded in the survey (`[[programme]]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub programmes: Option<super::programmes::ProgrammesResult>,
    /// Where the projection's population came from, and the spec's fiscal-space options.
    pub projection_population: super::spot_rap::PopulationSource,
    pub financing_options: Vec<super::spot_rap::FinancingOptionResult>,
    /// Poverty by sex, age group, household type, region and circumstance, before and after.
    pub breakdowns: Vec<super::spot_rap::BreakdownRow>,
}

/// One year of a scheme's projected cost.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct YearCost {
    pub year: i32,
    pub beneficiaries: f64,
    pub cost_lcu: f64,
    pub gdp_lcu: f64,
    pub cost_pct_gdp: f64,
    /// Cost as % of government expenditure (with `projection.government_expenditure_share_gdp`).
    pub cost_pct_expenditure: Option<f64>,
}
