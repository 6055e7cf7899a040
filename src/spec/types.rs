//! The spec's sections as parsed: brief, waves, macro figures, derived variables,
//! circumstances and indicators.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use crate::estimate::variance::LonelyPsu;

use super::*;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub brief: Brief,
    #[serde(rename = "wave")]
    pub waves: Vec<Wave>,
    #[serde(rename = "macro")]
    pub macro_figures: MacroFigures,
    #[serde(default)]
    pub derive: Vec<Derived>,
    #[serde(default, rename = "circumstance")]
    pub circumstances: Vec<Circumstance>,
    #[serde(default, rename = "indicator")]
    pub indicators: Vec<Indicator>,
    #[serde(default, rename = "scenario")]
    pub scenarios: Vec<Scenario>,
    /// Existing social-protection programmes recorded in the survey.
    #[serde(default, rename = "programme")]
    pub programmes: Vec<Programme>,
    #[serde(default)]
    pub lnob: LnobOptions,
    #[serde(default)]
    pub spot: SpotOptions,
    #[serde(default)]
    pub projection: Projection,
    #[serde(default)]
    pub uncertainty: Uncertainty,
}

/// Reliability rules and bootstrap settings.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Uncertainty {
    /// Estimates from fewer unweighted records are flagged.
    #[serde(default = "default_min_n")]
    pub min_n: u64,
    /// Estimates with a larger coefficient of variation are flagged.
    #[serde(default = "default_max_cv")]
    pub max_cv: f64,
    /// Bootstrap replicates for D, HOI and Shapley parts (0 = none).
    #[serde(default = "default_replicates")]
    pub replicates: usize,
    #[serde(default = "default_bootstrap_seed")]
    pub seed: u64,
    /// What a stratum with a single PSU adds to a linearised SE: "certainty" (nothing, the
    /// default) or "adjust" (its PSU's deviation from the population average), as R's
    /// `survey.lonely.psu`. The bootstrap keeps a lone PSU's weight under both.
    #[serde(default)]
    pub lonely_psu: LonelyPsu,
}

fn default_replicates() -> usize {
    200
}
fn default_bootstrap_seed() -> u64 {
    20_151_001
}

fn default_min_n() -> u64 {
    50
}
fn default_max_cv() -> f64 {
    0.30
}

impl Default for Uncertainty {
    fn default() -> Self {
        Uncertainty {
            min_n: default_min_n(),
            max_cv: default_max_cv(),
            replicates: default_replicates(),
            seed: default_bootstrap_seed(),
            lonely_psu: LonelyPsu::default(),
        }
    }
}

/// The unit of the rows in a survey file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RowUnit {
    Person,
    Household,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    Csv,
    Parquet,
    /// Stata `.dta`, releases 102–119.
    Stata,
    /// SPSS `.sav` (uncompressed or bytecode-compressed) and `.zsav`.
    Spss,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Wave {
    pub id: String,
    pub year: i32,
    /// Relative to the spec's folder; may not leave it.
    pub path: PathBuf,
    /// Inferred from the extension when absent.
    pub format: Option<FileFormat>,
    /// Optional pinned checksum; the lock file beside the spec is the usual place.
    pub sha256: Option<String>,
    pub unit: RowUnit,
    pub household_id: String,
    pub weight: String,
    pub strata: String,
    pub psu: String,
    /// Column giving each record's stratum its finite-population correction, as R's
    /// `svydesign(fpc = )`: the sampling fraction of PSUs (a value ≤ 1) or the number of PSUs in
    /// the stratum's population (> 1). Absent: sampling with replacement, no correction.
    pub fpc: Option<String>,
    pub household_size: String,
    pub welfare: String,
    /// Column of the sub-national region (for sub-national summaries).
    pub region: Option<String>,
    /// Column holding "Urban"/"Rural" (for urban/rural splits).
    pub urban: Option<String>,
    /// Column of age in years (needed by age-based schemes).
    pub age: Option<String>,
    /// Expression true on the household head's row (needed by `head_of` derived variables).
    pub head: Option<String>,
    /// National poverty line for this wave (monthly, per capita, local currency); defaults to
    /// `[macro].national_poverty_line`.
    pub poverty_line: Option<f64>,
    /// Field separator of a CSV file: ",", ";", tab or "|" (default ",").
    pub delimiter: Option<String>,
    /// A CSV file writes decimals with a comma (`3,5`), as spreadsheets in Indonesian and many
    /// other locales export them; needs a delimiter other than ",".
    #[serde(default)]
    pub decimal_comma: bool,
    /// Files linked to the rows of `path` (`[[wave.file]]`): a household file onto its members,
    /// a women's or children's file onto their member rows, a consumption module summed per
    /// household.
    #[serde(default, rename = "file")]
    pub files: Vec<LinkedFile>,
}

impl Wave {
    pub fn format(&self) -> Option<FileFormat> {
        self.format.or_else(|| format_from_extension(&self.path))
    }

    /// The wave's main file: one row per unit (person or household).
    pub fn source(&self) -> FileSource {
        FileSource {
            role: "main".into(),
            path: self.path.clone(),
            format: self.format(),
            sha256: self.sha256.clone(),
            csv: super::files::dialect(self.delimiter.as_deref(), self.decimal_comma),
            columns: None,
        }
    }

    /// Every file of the wave: the main file, then the linked files in spec order.
    pub fn sources(&self) -> Vec<FileSource> {
        std::iter::once(self.source())
            .chain(self.files.iter().map(LinkedFile::source))
            .collect()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MacroFigures {
    /// Nominal GDP, local currency, latest year.
    pub gdp: f64,
    pub gdp_per_capita: f64,
    pub government_revenue: f64,
    /// Local currency per international dollar (2021 PPP, private consumption).
    pub ppp_factor: f64,
    /// CPI of the survey period divided by CPI of 2021.
    pub cpi_ratio: f64,
    /// Monthly per-capita national poverty line, local currency.
    pub national_poverty_line: f64,
}

/// A derived variable: either an expression or the value of a column on the household head's row,
/// broadcast to every member of the household.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "DerivedEntry", into = "DerivedEntry")]
pub struct Derived {
    pub name: String,
    pub value: DerivedValue,
}

/// Where a derived variable's value comes from: the spec gives exactly one of `expr` and `head_of`.
#[derive(Debug, Clone, PartialEq)]
pub enum DerivedValue {
    /// `expr`: a polars SQL expression.
    Expr(String),
    /// `head_of`: the column whose value on the head's row is broadcast to the household.
    HeadOf(String),
}

/// A derived variable as written: both keys optional, so a wrong pair gets a message naming them.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DerivedEntry {
    pub name: String,
    pub expr: Option<String>,
    pub head_of: Option<String>,
}

impl TryFrom<DerivedEntry> for Derived {
    type Error = String;

    fn try_from(e: DerivedEntry) -> std::result::Result<Self, String> {
        let value = match (e.expr, e.head_of) {
            (Some(x), None) => DerivedValue::Expr(x),
            (None, Some(of)) => DerivedValue::HeadOf(of),
            _ => {
                return Err(format!(
                    "derive '{}': give exactly one of `expr` or `head_of`",
                    e.name
                ))
            }
        };
        Ok(Derived {
            name: e.name,
            value,
        })
    }
}

impl From<Derived> for DerivedEntry {
    fn from(d: Derived) -> Self {
        let (expr, head_of) = match d.value {
            DerivedValue::Expr(x) => (Some(x), None),
            DerivedValue::HeadOf(of) => (None, Some(of)),
        };
        DerivedEntry {
            name: d.name,
            expr,
            head_of,
        }
    }
}

/// How a circumstance's levels split a tree (defined with the cell tables that use it).
pub use crate::estimate::cells::CircumstanceKind;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Circumstance {
    pub id: String,
    pub column: String,
    pub label: String,
    pub kind: CircumstanceKind,
    /// Level order (required for ordered; optional for unordered, where it fixes display order).
    #[serde(default)]
    pub levels: Vec<String>,
    /// Display labels per level.
    #[serde(default)]
    pub labels: std::collections::BTreeMap<String, String>,
    /// Raw value → level.
    #[serde(default)]
    pub recode: std::collections::BTreeMap<String, String>,
    /// Level given to missing values; without it, records with a missing value leave the analysis
    /// (and the dropped count and weight share are reported).
    pub missing: Option<String>,
    /// `false`: the circumstance enters the D-index and its Shapley decomposition but never splits
    /// the tree (ESCAP's treatment of region).
    #[serde(default = "splits_by_default")]
    pub tree: bool,
    /// How the SDMX export codes the circumstance (`sdmx = { dimension = "SEX", codes = { Female
    /// = "F", Male = "M" } }`, or `{ dimension = "none" }`); sex, residence and wealth quintiles
    /// with standard levels are coded without it (`spec::sdmx`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdmx: Option<super::SdmxMapping>,
}

fn splits_by_default() -> bool {
    true
}

impl Circumstance {
    pub fn level_label<'a>(&'a self, level: &'a str) -> &'a str {
        self.labels.get(level).map(String::as_str).unwrap_or(level)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EstimateUnit {
    Households,
    Persons,
}

/// Whom an indicator's rate is a share of, for the words of the brief ("of households", "of
/// children under 5", "of women aged 15-49 with a demand for family planning"). Data, not words:
/// the presentation layer writes it in the brief's language. Without it, an indicator covers
/// households or people as its `unit` says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Covers {
    pub who: Who,
    /// Ages covered, both ends included; either end open when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_age: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u32>,
    /// A condition beyond age that defines the population.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<Qualifier>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Who {
    Households,
    People,
    Women,
    Men,
    Children,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    /// Women who want no more children or to wait, or who use contraception (DHS "demand").
    DemandForFamilyPlanning,
    /// Women with a live birth in the recall period (DHS: the last two or five years).
    RecentLiveBirth,
}

impl Covers {
    /// What an indicator covers when its spec says no more than its unit.
    pub fn of_unit(unit: EstimateUnit) -> Covers {
        let who = match unit {
            EstimateUnit::Households => Who::Households,
            EstimateUnit::Persons => Who::People,
        };
        Covers {
            who,
            min_age: None,
            max_age: None,
            with: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IndicatorKind {
    /// Higher is better (access to water, electricity, ...).
    Opportunity,
    /// Lower is better (stunting, child marriage): D-index is computed on the complement.
    Barrier,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "IndicatorEntry")]
pub struct Indicator {
    pub id: String,
    /// The catalogue entry it was built from, if any.
    pub catalogue: Option<String>,
    pub label: String,
    pub sdg: String,
    /// Expression selecting the indicator's reference population; all rows when absent.
    pub population: Option<String>,
    /// Expression giving the 0/1 (or boolean) outcome.
    pub outcome: String,
    pub unit: EstimateUnit,
    /// Whom the rate is a share of (the unit's households or people when the spec says no more).
    pub covers: Covers,
    pub kind: IndicatorKind,
    pub circumstances: Vec<String>,
    /// Role of a linked file (`[[wave.file]]`) whose records are the indicator's rows: only main
    /// rows that found a record of that file are in its population (women of a women's file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Column of the indicator's own weight (a women's or children's file weight), in place of
    /// the wave's; the wave's strata and PSUs stay the design.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weight: Option<String>,
    /// The SDMX SERIES code: a global series of the indicator's `sdg` (`specs/catalogue.toml`
    /// gives them), or a national code; without one the indicator stays out of the SDMX file.
    pub sdmx_series: Option<String>,
    /// Codes of the indicator's whole population by SDMX dimension (`{ AGE = "Y0T4" }`).
    pub sdmx_dimensions: std::collections::BTreeMap<String, String>,
}

/// An indicator as written in a spec or in the catalogue: every field optional, so a spec can
/// take a catalogue definition (`catalogue = "electricity"`) and override parts of it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorEntry {
    pub id: Option<String>,
    pub catalogue: Option<String>,
    pub label: Option<String>,
    pub sdg: Option<String>,
    pub population: Option<String>,
    pub outcome: Option<String>,
    pub unit: Option<EstimateUnit>,
    pub covers: Option<Covers>,
    pub kind: Option<IndicatorKind>,
    pub circumstances: Option<Vec<String>>,
    pub file: Option<String>,
    pub weight: Option<String>,
    pub sdmx_series: Option<String>,
    pub sdmx_dimensions: Option<std::collections::BTreeMap<String, String>>,
}

/// The built-in indicator catalogue (`specs/catalogue.toml`).
pub fn catalogue() -> &'static std::collections::BTreeMap<String, IndicatorEntry> {
    static CATALOGUE: std::sync::OnceLock<std::collections::BTreeMap<String, IndicatorEntry>> =
        std::sync::OnceLock::new();
    CATALOGUE.get_or_init(|| {
        toml::from_str(include_str!("../../specs/catalogue.toml")).expect("the catalogue parses")
    })
}

impl TryFrom<IndicatorEntry> for Indicator {
    type Error = String;

    fn try_from(e: IndicatorEntry) -> std::result::Result<Self, String> {
        let id = e.id.clone().ok_or("an [[indicator]] needs an `id`")?;
        let base = match &e.catalogue {
            Some(name) => catalogue().get(name).cloned().ok_or_else(|| {
                format!(
                    "indicator '{id}'.catalogue: no entry \"{name}\"; the catalogue has: {}",
                    catalogue().keys().cloned().collect::<Vec<_>>().join(", ")
                )
            })?,
            None => IndicatorEntry::default(),
        };
        let missing = |field: &str| {
            format!(
                "indicator '{id}': missing `{field}` (give it, or use `catalogue = \"...\"` for a standard definition)"
            )
        };
        let unit = e.unit.or(base.unit).ok_or_else(|| missing("unit"))?;
        Ok(Indicator {
            catalogue: e.catalogue,
            label: e.label.or(base.label).ok_or_else(|| missing("label"))?,
            sdg: e.sdg.or(base.sdg).ok_or_else(|| missing("sdg"))?,
            population: e.population.or(base.population),
            outcome: e
                .outcome
                .or(base.outcome)
                .ok_or_else(|| missing("outcome"))?,
            unit,
            covers: e
                .covers
                .or(base.covers)
                .unwrap_or_else(|| Covers::of_unit(unit)),
            kind: e.kind.or(base.kind).ok_or_else(|| missing("kind"))?,
            circumstances: e
                .circumstances
                .or(base.circumstances)
                .ok_or_else(|| missing("circumstances"))?,
            file: e.file.or(base.file),
            weight: e.weight.or(base.weight),
            sdmx_series: e.sdmx_series.or(base.sdmx_series),
            sdmx_dimensions: e
                .sdmx_dimensions
                .or(base.sdmx_dimensions)
                .unwrap_or_default(),
            id,
        })
    }
}
