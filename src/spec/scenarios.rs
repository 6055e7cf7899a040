//! Scenario, scheme and option sections of the spec (each with its defaults).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub id: String,
    pub label: String,
    #[serde(rename = "scheme")]
    pub schemes: Vec<Scheme>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SchemeKind {
    Child,
    OldAge,
    Disability,
    /// Mothers of a recent birth (a 0/1 column, default `recent_birth`).
    Maternity,
    Universal,
    /// One benefit per household (not per person), optionally for households matching `eligible`
    /// on the head's row.
    Household,
    Custom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BenefitUnit {
    /// Local currency per person per month.
    LcuMonth,
    /// Percent of GDP per capita, per year.
    PctGdpPerCapita,
    /// Percent of the national (monthly) poverty line.
    PctPovertyLine,
}

impl BenefitUnit {
    /// As written in a spec, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            BenefitUnit::LcuMonth => "lcu_month (local currency per month)",
            BenefitUnit::PctGdpPerCapita => "pct_gdp_per_capita (% of GDP per capita per year)",
            BenefitUnit::PctPovertyLine => "pct_poverty_line (% of the national poverty line)",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    pub kind: SchemeKind,
    pub label: Option<String>,
    pub min_age: Option<i64>,
    pub max_age: Option<i64>,
    /// 0/1 column marking disability (disability schemes).
    pub column: Option<String>,
    /// Expression for people excluded although otherwise eligible (e.g. `contributory_pension = 1`).
    pub exclude: Option<String>,
    /// Eligibility expression (custom schemes).
    pub eligible: Option<String>,
    pub benefit: f64,
    #[serde(default = "default_benefit_unit")]
    pub benefit_unit: BenefitUnit,
    #[serde(default = "one")]
    pub coverage: f64,
    #[serde(default)]
    pub admin_cost: f64,
    /// Poverty targeting: only households in the bottom share of persons ranked by `target_score`
    /// (default: pre-transfer welfare per capita) qualify.
    pub target_bottom: Option<f64>,
    /// Column ranking households for targeting (a proxy-means-test score; lower = poorer).
    pub target_score: Option<String>,
    /// Share of targeted households wrongly left out, drawn with the seed.
    #[serde(default)]
    pub exclusion_error: f64,
    /// Share of non-targeted households wrongly let in, drawn with the seed.
    #[serde(default)]
    pub inclusion_error: f64,
    /// The existing programme (`[[programme]]` id) the scheme acts on, and how.
    pub programme: Option<String>,
    pub action: Option<super::ProgrammeAction>,
    /// Administrative number of beneficiaries (persons, or households for a household scheme):
    /// take-up is calibrated so the weighted recipients reach it.
    pub admin_beneficiaries: Option<f64>,
    /// How the benefit is uprated in the projection (default: prices).
    #[serde(default)]
    pub indexation: super::Indexation,
    /// Share of the full caseload reached in projection years 0, 1, …; the last value holds
    /// after the list (empty: full from the start).
    #[serde(default)]
    pub phase_in: Vec<f64>,
}

/// Cost projection (ILO RAP style).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Projection {
    /// Years projected after the base year.
    #[serde(default = "default_horizon")]
    pub horizon: u32,
    /// Real GDP growth a year.
    #[serde(default = "default_real_growth")]
    pub real_gdp_growth: f64,
    /// Inflation a year (benefits are indexed to it; nominal GDP grows with it).
    #[serde(default = "default_inflation")]
    pub inflation: f64,
    /// Population growth a year for ages 0–14, 15–64 and 65+.
    #[serde(default = "default_growth_children")]
    pub growth_children: f64,
    #[serde(default = "default_growth_working")]
    pub growth_working: f64,
    #[serde(default = "default_growth_elderly")]
    pub growth_elderly: f64,
    /// Nominal wage growth a year, for schemes indexed to wages (default: nominal GDP growth).
    pub wage_growth: Option<f64>,
    /// Government expenditure as % of GDP, for cost as % of expenditure.
    pub government_expenditure_share_gdp: Option<f64>,
    /// Population by year, age band and sex (`[[projection.population]]`); replaces the three
    /// growth rates when given.
    #[serde(default)]
    pub population: Vec<super::PopulationRow>,
    /// The same table as a CSV file (columns year, age_from, age_to, sex, count), relative to the
    /// spec's folder, hashed and locked like the survey files.
    pub population_csv: Option<std::path::PathBuf>,
    /// Fiscal-space options set against the cost (`[[projection.financing]]`).
    #[serde(default)]
    pub financing: Vec<super::FinancingOption>,
}

fn default_horizon() -> u32 {
    10
}
fn default_real_growth() -> f64 {
    0.05
}
fn default_inflation() -> f64 {
    0.03
}
fn default_growth_children() -> f64 {
    -0.002
}
fn default_growth_working() -> f64 {
    0.009
}
fn default_growth_elderly() -> f64 {
    0.035
}

impl Default for Projection {
    fn default() -> Self {
        Projection {
            horizon: default_horizon(),
            real_gdp_growth: default_real_growth(),
            inflation: default_inflation(),
            growth_children: default_growth_children(),
            growth_working: default_growth_working(),
            growth_elderly: default_growth_elderly(),
            wage_growth: None,
            government_expenditure_share_gdp: None,
            population: Vec::new(),
            population_csv: None,
            financing: Vec::new(),
        }
    }
}

fn default_benefit_unit() -> BenefitUnit {
    BenefitUnit::LcuMonth
}
fn one() -> f64 {
    1.0
}

/// Tree controls; the defaults are ESCAP's.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LnobOptions {
    #[serde(default = "default_minbucket_floor")]
    pub minbucket_floor: usize,
    #[serde(default = "default_minbucket_divisor")]
    pub minbucket_divisor: usize,
    #[serde(default = "default_maxdepth")]
    pub maxdepth: usize,
    /// Complexity parameter; `None` means ESCAP's 1/N. Negative: no complexity stop (rpart).
    pub cp: Option<f64>,
    /// Smallest node (records) that may be split; `None` means ESCAP's ⌊2·max(floor, N/divisor)⌋.
    pub minsplit: Option<usize>,
    /// Also compute the World Bank variant of D (from a weighted logit's fitted probabilities).
    #[serde(default)]
    pub world_bank: bool,
}

fn default_minbucket_floor() -> usize {
    49
}
fn default_minbucket_divisor() -> usize {
    11
}
fn default_maxdepth() -> usize {
    6
}

impl Default for LnobOptions {
    fn default() -> Self {
        LnobOptions {
            minbucket_floor: default_minbucket_floor(),
            minbucket_divisor: default_minbucket_divisor(),
            maxdepth: default_maxdepth(),
            cp: None,
            minsplit: None,
            world_bank: false,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpotOptions {
    /// Seed for drawing recipients when coverage is below 100%.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// International poverty lines, 2021 PPP dollars a day.
    #[serde(default = "default_intl_lines")]
    pub international_lines: Vec<f64>,
    /// Relative poverty lines as shares of the median: 0.5 is SDG 10.2.1's line, 0.6 the EU's
    /// at-risk-of-poverty threshold.
    #[serde(default = "default_relative_lines")]
    pub relative_lines: Vec<f64>,
    /// Circumstances for treating "not poor" as an opportunity: its D-index, HOI and Shapley parts
    /// before and after each scenario (empty: not computed).
    #[serde(default)]
    pub opportunity_circumstances: Vec<String>,
    /// Columns for the poverty breakdowns by sex, household type and disability.
    #[serde(default)]
    pub breakdowns: super::Breakdowns,
}

fn default_seed() -> u64 {
    20_301_231
}
fn default_intl_lines() -> Vec<f64> {
    vec![3.00, 4.20, 8.30]
}
fn default_relative_lines() -> Vec<f64> {
    vec![0.5, 0.6]
}

impl Default for SpotOptions {
    fn default() -> Self {
        SpotOptions {
            seed: default_seed(),
            international_lines: default_intl_lines(),
            relative_lines: default_relative_lines(),
            opportunity_circumstances: Vec::new(),
            breakdowns: Default::default(),
        }
    }
}
