//! The spec: one TOML file naming the survey wave(s), the circumstances, the indicators and the
//! social-protection scenarios. Parsing rejects unknown keys (with their line); `validate` checks
//! every value and cross-reference that can be checked without the data.
//!
//! Expressions (derived variables, population filters, outcomes, custom eligibility) are single
//! polars SQL expressions, e.g. `CASE WHEN water_source IN ('Piped','Borehole') THEN 1 ELSE 0 END`
//! or `age BETWEEN 20 AND 35`. Only one expression is ever parsed, never a full SQL statement, so a
//! spec cannot read other files through table functions.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

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
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Brief {
    pub title: String,
    pub country: String,
    pub iso3: String,
    pub currency: String,
    #[serde(default = "default_language")]
    pub language: String,
    /// The document date (YYYY-MM-DD). Outputs never carry the wall-clock time.
    pub reference_date: String,
    #[serde(default = "default_formats")]
    pub formats: Vec<String>,
    /// Marks a brief built on synthetic data; the brief says so on its first page.
    #[serde(default)]
    pub synthetic: bool,
    /// Source line printed under every chart and table.
    pub source: String,
    /// A folder of report templates replacing the built-in ones (same layout as
    /// `report_templates/`), relative to the spec's folder; `--templates` overrides it.
    #[serde(default)]
    pub templates: Option<PathBuf>,
}

/// The languages a brief can be written in.
pub const LANGUAGES: &[&str] = &["en", "id"];

fn default_language() -> String {
    "en".into()
}
fn default_formats() -> Vec<String> {
    vec!["md".into(), "typ".into(), "pdf".into()]
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
}

impl Wave {
    pub fn format(&self) -> Option<FileFormat> {
        self.format.or_else(|| {
            match self
                .path
                .extension()
                .and_then(|e| e.to_str())
                .map(|e| e.to_ascii_lowercase())
                .as_deref()
            {
                Some("csv") => Some(FileFormat::Csv),
                Some("parquet") => Some(FileFormat::Parquet),
                Some("dta") => Some(FileFormat::Stata),
                Some("sav") | Some("zsav") => Some(FileFormat::Spss),
                _ => None,
            }
        })
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
#[serde(deny_unknown_fields)]
pub struct Derived {
    pub name: String,
    pub expr: Option<String>,
    pub head_of: Option<String>,
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
    pub kind: IndicatorKind,
    pub circumstances: Vec<String>,
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
    pub kind: Option<IndicatorKind>,
    pub circumstances: Option<Vec<String>>,
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
        Ok(Indicator {
            catalogue: e.catalogue,
            label: e.label.or(base.label).ok_or_else(|| missing("label"))?,
            sdg: e.sdg.or(base.sdg).ok_or_else(|| missing("sdg"))?,
            population: e.population.or(base.population),
            outcome: e
                .outcome
                .or(base.outcome)
                .ok_or_else(|| missing("outcome"))?,
            unit: e.unit.or(base.unit).ok_or_else(|| missing("unit"))?,
            kind: e.kind.or(base.kind).ok_or_else(|| missing("kind"))?,
            circumstances: e
                .circumstances
                .or(base.circumstances)
                .ok_or_else(|| missing("circumstances"))?,
            id,
        })
    }
}

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
    /// Circumstances for treating "not poor" as an opportunity: its D-index, HOI and Shapley parts
    /// before and after each scenario (empty: not computed).
    #[serde(default)]
    pub opportunity_circumstances: Vec<String>,
}

fn default_seed() -> u64 {
    20_301_231
}
fn default_intl_lines() -> Vec<f64> {
    vec![3.00, 4.20, 8.30]
}

impl Default for SpotOptions {
    fn default() -> Self {
        SpotOptions {
            seed: default_seed(),
            international_lines: default_intl_lines(),
            opportunity_circumstances: Vec::new(),
        }
    }
}

/// A spec as loaded from disk: its parsed content plus where it came from.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    pub spec: Spec,
    pub path: PathBuf,
    /// The raw bytes parsed (hashed into the manifest).
    pub bytes: Vec<u8>,
}

impl LoadedSpec {
    pub fn dir(&self) -> &Path {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
    }

    /// The spec's name: its file stem (`specs/demo.toml` → `demo`).
    pub fn name(&self) -> String {
        self.path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("brief")
            .to_string()
    }

    /// Resolve a path named in the spec, relative to the spec's folder.
    pub fn resolve(&self, relative: &Path) -> PathBuf {
        self.dir().join(relative)
    }
}

/// Read, parse and validate a spec file.
pub fn load(path: &Path) -> Result<LoadedSpec> {
    if path.extension().is_some_and(|e| e == "lock") {
        return Err(Error::spec(
            path,
            "a spec cannot end in .lock (that name is kept for its lock file); name it .toml",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::spec(path, format!("cannot read: {e}")))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Error::spec(path, "not UTF-8 text; a spec is a TOML file"))?;
    let spec = parse(text).map_err(|m| Error::spec(path, m))?;
    validate(&spec).map_err(|m| Error::spec(path, m))?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if !is_safe_id(stem) {
        return Err(Error::spec(
            path,
            format!(
                "the file name \"{stem}\" names the brief and its output folder: use letters, \
                 digits, `_`, `-` and `.` only (rename the file)"
            ),
        ));
    }
    Ok(LoadedSpec {
        spec,
        path: path.to_path_buf(),
        bytes,
    })
}

/// Parse TOML text into a spec (syntax, types and unknown keys; the message carries the line).
/// A top-level `profile = "<name>"` first fills the spec from a built-in survey profile.
pub fn parse(text: &str) -> std::result::Result<Spec, String> {
    let message = |e: toml::de::Error| e.to_string().trim_end().to_string();
    let mut table: toml::Table = toml::from_str(text).map_err(message)?;
    match table.remove("profile") {
        // Without a profile, parse the text itself so messages keep their line numbers.
        None => toml::from_str::<Spec>(text).map_err(message),
        Some(name) => {
            let name = name
                .as_str()
                .ok_or("profile: expected a profile name such as \"dhs\"")?;
            apply_profile(&mut table, name)?;
            Spec::deserialize(toml::Value::Table(table)).map_err(message)
        }
    }
}

/// Built-in survey profiles: name → TOML (see `specs/profiles/`).
const PROFILES: &[(&str, &str)] = &[("dhs", include_str!("../../specs/profiles/dhs.toml"))];

/// Fill a spec from a survey profile: wave fields the waves do not set, and derived variables,
/// circumstances and indicators the spec does not define under the same name or id.
fn apply_profile(spec: &mut toml::Table, name: &str) -> std::result::Result<(), String> {
    let text = PROFILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            let known: Vec<&str> = PROFILES.iter().map(|(n, _)| *n).collect();
            format!("profile: unknown profile \"{name}\"; expected one of {known:?}")
        })?;
    let profile: toml::Table = toml::from_str(text).expect("built-in profiles parse");
    if let Some(refused) = profile
        .get("profile")
        .and_then(|p| p.get("scenarios_refused"))
        .and_then(|r| r.as_str())
    {
        if spec.get("scenario").is_some() {
            return Err(format!(
                "scenario: not available with profile \"{name}\": {refused}"
            ));
        }
    }
    if let (Some(defaults), Some(toml::Value::Array(waves))) = (
        profile.get("wave").and_then(|w| w.as_table()),
        spec.get_mut("wave"),
    ) {
        for wave in waves.iter_mut().filter_map(|w| w.as_table_mut()) {
            for (key, value) in defaults {
                wave.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
    }
    for (section, key) in [
        ("derive", "name"),
        ("circumstance", "id"),
        ("indicator", "id"),
    ] {
        let Some(toml::Value::Array(from_profile)) = profile.get(section) else {
            continue;
        };
        let own = match spec
            .entry(section)
            .or_insert_with(|| toml::Value::Array(Vec::new()))
        {
            toml::Value::Array(a) => a,
            _ => {
                return Err(format!(
                    "{section}: expected an array of tables ([[{section}]])"
                ))
            }
        };
        let defined: std::collections::BTreeSet<String> = own
            .iter()
            .filter_map(|t| t.get(key).and_then(|v| v.as_str()).map(str::to_string))
            .collect();
        // The profile's entries first (derived variables may build on each other in order).
        let mut merged: Vec<toml::Value> = from_profile
            .iter()
            .filter(|t| {
                t.get(key)
                    .and_then(|v| v.as_str())
                    .is_none_or(|id| !defined.contains(id))
            })
            .cloned()
            .collect();
        merged.append(own);
        *own = merged;
    }
    Ok(())
}

/// Parse one polars SQL expression, naming the spec field on failure.
pub fn parse_expr(field: &str, text: &str) -> std::result::Result<polars::prelude::Expr, String> {
    crate::error::contain_panic(|| polars::sql::sql_expr(text))
        .map_err(|m| {
            format!("{field}: cannot parse expression `{text}` (polars failed internally: {m})")
        })?
        .map_err(|e| format!("{field}: cannot parse expression `{text}`: {e}"))
}

/// An id that becomes part of a file name or is printed verbatim into a document: letters,
/// digits, `_`, `-` and `.`, not starting with `.` or `-`.
pub fn is_safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && !id.starts_with(['.', '-'])
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Every text of the spec free of control characters (a tab or newline is allowed in an
/// expression): they would reach SVG, Typst and CSV output, where some are invalid.
fn no_control_characters(spec: &Spec) -> std::result::Result<(), String> {
    fn walk(v: &serde_json::Value, at: &str) -> std::result::Result<(), String> {
        match v {
            serde_json::Value::String(s) => match s
                .chars()
                .find(|c| c.is_control() && !matches!(c, '\n' | '\t'))
            {
                Some(c) => Err(format!(
                    "{at}: contains the control character U+{:04X}; remove it",
                    c as u32
                )),
                None => Ok(()),
            },
            serde_json::Value::Array(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, x)| walk(x, &format!("{at}[{i}]"))),
            serde_json::Value::Object(map) => map.iter().try_for_each(|(k, x)| {
                let at = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                walk(x, &at)
            }),
            _ => Ok(()),
        }
    }
    let value = serde_json::to_value(spec).map_err(|e| e.to_string())?;
    walk(&value, "")
}

/// Ids that name files or are printed verbatim must be safe ids.
fn safe_ids(spec: &Spec) -> std::result::Result<(), String> {
    let ids = spec
        .waves
        .iter()
        .map(|w| ("wave", &w.id))
        .chain(spec.circumstances.iter().map(|c| ("circumstance", &c.id)))
        .chain(spec.indicators.iter().map(|i| ("indicator", &i.id)))
        .chain(spec.scenarios.iter().map(|s| ("scenario", &s.id)));
    for (what, id) in ids {
        if !is_safe_id(id) {
            return Err(format!(
                "{what} \"{id}\": an id names files of the brief; use letters, digits, `_`, `-` \
                 and `.` only (at most 100, not starting with `.` or `-`)"
            ));
        }
    }
    Ok(())
}

/// Checks that need no data. Returns the first problem found, naming the field.
pub fn validate(spec: &Spec) -> std::result::Result<(), String> {
    no_control_characters(spec)?;
    safe_ids(spec)?;
    validate_brief(spec)?;
    validate_waves(spec)?;
    validate_macro(spec)?;
    validate_variables(spec)?;
    validate_indicators(spec)?;
    validate_scenarios(spec)?;
    validate_options(spec)?;
    Ok(())
}

/// Checks of the brief section: language, date, templates, formats, ISO code.
fn validate_brief(spec: &Spec) -> std::result::Result<(), String> {
    let b = &spec.brief;
    // One built-in strings file per language (report_templates/strings/<language>.toml).
    if !LANGUAGES.contains(&b.language.as_str()) {
        return Err(format!(
            "brief.language: expected \"en\" (English) or \"id\" (Bahasa Indonesia), found \"{}\"",
            b.language
        ));
    }
    if !is_iso_date(&b.reference_date) {
        return Err(format!(
            "brief.reference_date: expected a date as YYYY-MM-DD, found \"{}\"",
            b.reference_date
        ));
    }
    if let Some(t) = &b.templates {
        check_relative_path("brief.templates", t)?;
    }
    for f in &b.formats {
        if !["md", "typ", "pdf"].contains(&f.as_str()) {
            return Err(format!(
                "brief.formats: unknown format \"{f}\"; expected any of \"md\", \"typ\", \"pdf\""
            ));
        }
    }
    if b.iso3.len() != 3 || !b.iso3.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(format!(
            "brief.iso3: expected three upper-case letters, found \"{}\"",
            b.iso3
        ));
    }

    Ok(())
}

/// Checks of the waves: ids, paths, formats, checksums, years.
fn validate_waves(spec: &Spec) -> std::result::Result<(), String> {
    if spec.waves.is_empty() {
        return Err("wave: at least one [[wave]] is required".into());
    }
    unique_ids("wave", spec.waves.iter().map(|w| w.id.as_str()))?;
    for w in &spec.waves {
        let at = format!("wave '{}'", w.id);
        check_relative_path(&format!("{at}.path"), &w.path)?;
        if w.format().is_none() {
            return Err(format!(
                "{at}.format: cannot tell the format of {}; set format = \"csv\", \"parquet\", \"stata\" or \"spss\"",
                w.path.display()
            ));
        }
        if let Some(h) = &w.sha256 {
            if !is_sha256(h) {
                return Err(format!(
                    "{at}.sha256: expected 64 hex digits, found \"{h}\""
                ));
            }
        }
        if let Some(head) = &w.head {
            parse_expr(&format!("{at}.head"), head).map(drop)?;
        }
        if let Some(line) = w.poverty_line {
            amount(&format!("{at}.poverty_line"), line)?;
        }
    }
    let mut years: Vec<i32> = spec.waves.iter().map(|w| w.year).collect();
    years.sort_unstable();
    if years.windows(2).any(|p| p[0] == p[1]) {
        return Err("wave: two waves have the same year".into());
    }

    Ok(())
}

/// Checks of the macro figures: magnitudes.
fn validate_macro(spec: &Spec) -> std::result::Result<(), String> {
    let m = &spec.macro_figures;
    for (field, x) in [
        ("macro.gdp", m.gdp),
        ("macro.gdp_per_capita", m.gdp_per_capita),
        ("macro.government_revenue", m.government_revenue),
        ("macro.national_poverty_line", m.national_poverty_line),
    ] {
        amount(field, x)?;
    }
    for (field, x) in [
        ("macro.ppp_factor", m.ppp_factor),
        ("macro.cpi_ratio", m.cpi_ratio),
    ] {
        within(field, x, RATIO_RANGE, "a conversion factor")?;
    }

    Ok(())
}

/// Checks of derived variables and circumstances.
fn validate_variables(spec: &Spec) -> std::result::Result<(), String> {
    for (i, d) in spec.derive.iter().enumerate() {
        let at = format!("derive[{i}] '{}'", d.name);
        match (&d.expr, &d.head_of) {
            (Some(e), None) => {
                parse_expr(&format!("{at}.expr"), e).map(drop)?;
            }
            (None, Some(_)) => {
                if spec.waves.iter().any(|w| w.head.is_none()) {
                    return Err(format!(
                        "{at}.head_of: needs `head` (an expression true on the head's row) in every [[wave]]"
                    ));
                }
            }
            _ => return Err(format!("{at}: give exactly one of `expr` or `head_of`")),
        }
    }
    unique_ids("derive", spec.derive.iter().map(|d| d.name.as_str()))?;

    unique_ids(
        "circumstance",
        spec.circumstances.iter().map(|c| c.id.as_str()),
    )?;
    for c in &spec.circumstances {
        let at = format!("circumstance '{}'", c.id);
        if c.kind == CircumstanceKind::Ordered && c.levels.is_empty() {
            return Err(format!(
                "{at}.levels: an ordered circumstance needs its levels listed in order"
            ));
        }
        if c.kind == CircumstanceKind::Numeric && (!c.levels.is_empty() || !c.recode.is_empty()) {
            return Err(format!(
                "{at}: a numeric circumstance takes no `levels` or `recode`"
            ));
        }
        unique_ids(&format!("{at}.levels"), c.levels.iter().map(String::as_str))?;
        if !c.levels.is_empty() {
            for (from, to) in &c.recode {
                if !c.levels.contains(to) {
                    return Err(format!(
                        "{at}.recode: \"{from}\" maps to \"{to}\", which is not among the levels {:?}",
                        c.levels
                    ));
                }
            }
            if let Some(miss) = &c.missing {
                if !c.levels.contains(miss) {
                    return Err(format!(
                        "{at}.missing: \"{miss}\" is not among the levels {:?}",
                        c.levels
                    ));
                }
            }
        }
    }

    Ok(())
}

/// Checks of indicators: expressions and circumstances.
fn validate_indicators(spec: &Spec) -> std::result::Result<(), String> {
    if spec.indicators.is_empty() {
        return Err("indicator: at least one [[indicator]] is required".into());
    }
    unique_ids("indicator", spec.indicators.iter().map(|i| i.id.as_str()))?;
    let known: BTreeSet<&str> = spec.circumstances.iter().map(|c| c.id.as_str()).collect();
    for ind in &spec.indicators {
        let at = format!("indicator '{}'", ind.id);
        if let Some(p) = &ind.population {
            parse_expr(&format!("{at}.population"), p).map(drop)?;
        }
        parse_expr(&format!("{at}.outcome"), &ind.outcome).map(drop)?;
        if ind.circumstances.is_empty() {
            return Err(format!(
                "{at}.circumstances: name at least one circumstance"
            ));
        }
        for c in &ind.circumstances {
            if !known.contains(c.as_str()) {
                return Err(format!(
                    "{at}.circumstances: unknown circumstance \"{c}\"; known: {}",
                    known.iter().copied().collect::<Vec<_>>().join(", ")
                ));
            }
        }
        unique_ids(
            &format!("{at}.circumstances"),
            ind.circumstances.iter().map(String::as_str),
        )?;
        if ind.circumstances.len() > MAX_CIRCUMSTANCES_PER_INDICATOR {
            return Err(format!(
                "{at}.circumstances: expected at most {MAX_CIRCUMSTANCES_PER_INDICATOR} circumstances \
                 (the Shapley decomposition evaluates every subset: 2^k of them), found {}",
                ind.circumstances.len()
            ));
        }
    }

    Ok(())
}

/// Checks of scenarios and their schemes.
fn validate_scenarios(spec: &Spec) -> std::result::Result<(), String> {
    unique_ids("scenario", spec.scenarios.iter().map(|s| s.id.as_str()))?;
    for sc in &spec.scenarios {
        if sc.schemes.is_empty() {
            return Err(format!(
                "scenario '{}': needs at least one [[scenario.scheme]]",
                sc.id
            ));
        }
        for (i, s) in sc.schemes.iter().enumerate() {
            validate_scheme(&format!("scenario '{}'.scheme[{i}]", sc.id), s, spec)?;
        }
    }

    Ok(())
}

/// Checks of tree, projection, SPOT and uncertainty options.
fn validate_options(spec: &Spec) -> std::result::Result<(), String> {
    let known: BTreeSet<&str> = spec.circumstances.iter().map(|c| c.id.as_str()).collect();
    let l = &spec.lnob;
    if l.maxdepth == 0 || l.maxdepth > 30 {
        return Err(format!(
            "lnob.maxdepth: expected 1 to 30, found {}",
            l.maxdepth
        ));
    }
    if l.minbucket_divisor == 0 {
        return Err("lnob.minbucket_divisor: must be at least 1".into());
    }
    if let Some(cp) = l.cp {
        // As rpart: a negative cp switches the complexity stop off; 1 or more forbids any split.
        if !(cp.is_finite() && (-1.0..1.0).contains(&cp)) {
            return Err(format!("lnob.cp: expected a number in [-1, 1), found {cp}"));
        }
    }
    if let Some(m) = l.minsplit {
        if !(2..=1_000_000_000).contains(&m) {
            return Err(format!(
                "lnob.minsplit: expected a whole number of records from 2 to 1e9, found {m}"
            ));
        }
    }
    let p = &spec.projection;
    if p.horizon > 50 {
        return Err(format!(
            "projection.horizon: expected at most 50 years, found {}",
            p.horizon
        ));
    }
    for (name, x) in [
        ("real_gdp_growth", p.real_gdp_growth),
        ("inflation", p.inflation),
        ("growth_children", p.growth_children),
        ("growth_working", p.growth_working),
        ("growth_elderly", p.growth_elderly),
    ] {
        if !(x.is_finite() && x > -0.5 && x < 1.0) {
            return Err(format!(
                "projection.{name}: expected a yearly rate between -0.5 and 1, found {x}"
            ));
        }
    }
    for c in &spec.spot.opportunity_circumstances {
        if !known.contains(c.as_str()) {
            return Err(format!(
                "spot.opportunity_circumstances: unknown circumstance \"{c}\"; known: {}",
                known.iter().copied().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    for (i, line) in spec.spot.international_lines.iter().enumerate() {
        within(
            &format!("spot.international_lines[{i}]"),
            *line,
            (1e-3, 1e4),
            "a daily line in 2021 PPP dollars",
        )?;
    }
    let u = &spec.uncertainty;
    if u.replicates > MAX_REPLICATES {
        return Err(format!(
            "uncertainty.replicates: expected at most {MAX_REPLICATES} bootstrap replicates, found {}",
            u.replicates
        ));
    }
    Ok(())
}

fn validate_scheme(at: &str, s: &Scheme, spec: &Spec) -> std::result::Result<(), String> {
    if !(s.benefit.is_finite() && s.benefit >= 0.0) {
        return Err(format!(
            "{at}.benefit: expected a non-negative number, found {}",
            s.benefit
        ));
    }
    let benefit_max = match s.benefit_unit {
        BenefitUnit::LcuMonth => AMOUNT_RANGE.1,
        BenefitUnit::PctGdpPerCapita | BenefitUnit::PctPovertyLine => 1e4,
    };
    if s.benefit > benefit_max {
        return Err(format!(
            "{at}.benefit: expected at most {benefit_max:e} in {}, found {:e}",
            s.benefit_unit.describe(),
            s.benefit
        ));
    }
    if !(s.coverage > 0.0 && s.coverage <= 1.0) {
        return Err(format!(
            "{at}.coverage: expected a share in (0, 1], found {}",
            s.coverage
        ));
    }
    if !(s.admin_cost.is_finite() && (0.0..=1.0).contains(&s.admin_cost)) {
        return Err(format!(
            "{at}.admin_cost: expected a share of transfers in [0, 1], found {}",
            s.admin_cost
        ));
    }
    let needs_age = matches!(s.kind, SchemeKind::Child | SchemeKind::OldAge);
    if needs_age {
        if s.min_age.is_none() && s.max_age.is_none() {
            return Err(format!(
                "{at}: a {:?} scheme needs min_age and/or max_age",
                s.kind
            ));
        }
        if let Some(w) = spec.waves.iter().find(|w| w.age.is_none()) {
            return Err(format!(
                "{at}: age-based schemes need `age` (the age column) in wave '{}'",
                w.id
            ));
        }
    }
    if let (Some(lo), Some(hi)) = (s.min_age, s.max_age) {
        if lo > hi {
            return Err(format!("{at}: min_age {lo} is above max_age {hi}"));
        }
    }
    if s.kind == SchemeKind::Custom && s.eligible.is_none() {
        return Err(format!(
            "{at}.eligible: a custom scheme needs an eligibility expression"
        ));
    }
    if s.kind != SchemeKind::Custom && s.eligible.is_some() {
        return Err(format!(
            "{at}.eligible: only custom schemes take an eligibility expression"
        ));
    }
    if let Some(e) = &s.eligible {
        parse_expr(&format!("{at}.eligible"), e).map(drop)?;
    }
    if let Some(e) = &s.exclude {
        parse_expr(&format!("{at}.exclude"), e).map(drop)?;
    }
    if spec.waves.iter().any(|w| w.unit == RowUnit::Household) {
        return Err(format!(
            "{at}: schemes are simulated on person-level files; a wave has unit = \"household\""
        ));
    }
    Ok(())
}

/// Most bootstrap replicates a spec may ask for: the multipliers take replicates × PSUs numbers
/// (2,000 × 50,000 PSUs is 800 MB), and 1,000 already gives SEs to a few per cent.
pub const MAX_REPLICATES: usize = 2_000;
/// Most circumstances one indicator may name. The Shapley decomposition (and the logit D) is
/// evaluated on all 2^k subsets, in every bootstrap replicate: on two 2,000-household waves a
/// debug build takes 24 s with 7, 51 s with 8 and 104 s with 9, and 15 ran for over 10 minutes.
pub const MAX_CIRCUMSTANCES_PER_INDICATOR: usize = 8;
/// Money amounts (local currency): positive and within what any economy's accounts hold, so every
/// cost, share and chart computed from them stays finite.
const AMOUNT_RANGE: (f64, f64) = (1e-6, 1e18);
/// Conversion factors (PPP, CPI ratios).
const RATIO_RANGE: (f64, f64) = (1e-9, 1e9);

fn amount(field: &str, x: f64) -> std::result::Result<(), String> {
    within(field, x, AMOUNT_RANGE, "an amount in local currency")
}

/// A positive number in `[lo, hi]`, the message saying what it stands for.
fn within(
    field: &str,
    x: f64,
    (lo, hi): (f64, f64),
    what: &str,
) -> std::result::Result<(), String> {
    if !(x.is_finite() && x > 0.0) {
        Err(format!("{field}: expected a positive number, found {x}"))
    } else if !(lo..=hi).contains(&x) {
        Err(format!(
            "{field}: expected {what} between {lo:e} and {hi:e}, found {x:e}"
        ))
    } else {
        Ok(())
    }
}

fn unique_ids<'a>(
    what: &str,
    ids: impl Iterator<Item = &'a str>,
) -> std::result::Result<(), String> {
    let mut seen = BTreeSet::new();
    for id in ids {
        if id.trim().is_empty() {
            return Err(format!("{what}: an id is empty"));
        }
        if !seen.insert(id) {
            return Err(format!("{what}: \"{id}\" is given twice"));
        }
    }
    Ok(())
}

/// Paths in a spec stay inside the spec's folder: no absolute paths, no `..`.
fn check_relative_path(field: &str, p: &Path) -> std::result::Result<(), String> {
    let escapes = p.is_absolute()
        || p.components().any(|c| {
            matches!(
                c,
                Component::ParentDir | Component::RootDir | Component::Prefix(_)
            )
        });
    if escapes {
        return Err(format!(
            "{field}: \"{}\" leaves the spec's folder; give a path relative to the spec, without `..`",
            p.display()
        ));
    }
    Ok(())
}

pub fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if !s.is_ascii() || b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| {
        let part = &s[r];
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    match (num(0..4), num(5..7), num(8..10)) {
        (Some(y), Some(m), Some(d)) => (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m),
        _ => false,
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}
