//! How the SDG exports code a run's estimates: each indicator's SDMX series and each
//! circumstance's dimension and level codes, from what the spec and the catalogue declare and the
//! standard codes of the standard circumstances (sex, residence, wealth quintiles), checked
//! against the embedded SDG global DSD (`dsd`). The resolved mapping is carried in results.json,
//! so a re-render writes the same files.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    Brief, Circumstance, CircumstanceKind, DerivedValue, EstimateUnit, Format, Indicator, Spec,
};

mod dsd;
pub use dsd::{dsd, BREAKDOWNS, DSD, PERSON_DIMENSIONS};

/// A circumstance's SDMX coding as the spec writes it:
/// `sdmx = { dimension = "SEX", codes = { Female = "F", Male = "M" } }`, or
/// `sdmx = { dimension = "none" }` to keep it out of the SDMX file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SdmxMapping {
    pub dimension: String,
    /// Level → code of the dimension's codelist; a level without a code is left out.
    #[serde(default)]
    pub codes: BTreeMap<String, String>,
}

/// The resolved coding of a run, carried in results.json.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct SdgExport {
    /// REF_AREA: `brief.ref_area`, or for a synthetic brief without one its ISO3 code (which is
    /// no area of the DSD); absent otherwise.
    pub ref_area: Option<String>,
    pub indicators: Vec<SdgIndicator>,
    pub circumstances: Vec<SdgCircumstance>,
}

/// An indicator's series.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct SdgIndicator {
    pub indicator: String,
    /// The SERIES code; absent when the spec declares none (a national proxy measures no global
    /// series): the indicator is then left out of the SDMX file.
    pub series: Option<String>,
    /// Whether the series is one of the DSD's (false: a national series code).
    pub global: bool,
    /// UNIT_MEASURE: the series' unit in the DSD's constraints (PT, or PER_100_POP), else PT.
    pub unit_measure: String,
    /// Codes that describe the indicator's whole population (AGE = Y0T4 for children under 5),
    /// by dimension: declared in `sdmx_dimensions`, or the only code the series allows.
    pub fixed: BTreeMap<String, String>,
    /// The codes the series allows, by dimension, where the DSD's constraints restrict them.
    pub allowed: BTreeMap<String, Vec<String>>,
}

/// A circumstance's dimension and level codes, or why it has none.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct SdgCircumstance {
    pub circumstance: String,
    pub dimension: Option<String>,
    /// Level → code.
    pub codes: BTreeMap<String, String>,
    /// Why the circumstance is not coded, when it is not.
    pub uncoded: Option<Uncoded>,
}

/// Why an estimate is not in an SDG file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Uncoded {
    /// A numeric circumstance: its levels are single values, not bands (in neither file).
    Numeric,
    /// No declared coding and the levels are not a standard set.
    NoStandardLevels,
    /// The spec keeps it out (`dimension = "none"`).
    DeclaredNone,
    /// Female/Male levels of a household head's value: not the sex of the population counted.
    HeadOfHousehold,
    /// A person's dimension (SEX, AGE, education, disability) for a rate of households.
    HouseholdUnit,
    /// The series fixes the dimension for the whole population (AGE = Y0T4).
    FixedBySeries,
    /// The series does not take this code in the DSD's constraints.
    NotInSeries,
    /// The level has no code in the declared coding.
    NoCode,
    /// The indicator has no series.
    NoSeries,
    /// Fewer records than `uncertainty.min_n`, suppressed (`brief.sdg_small_cells`).
    SmallCell,
}

/// The coding of every indicator and circumstance, or the first field at fault.
pub fn resolve(spec: &Spec) -> Result<SdgExport, String> {
    let circumstances = spec
        .circumstances
        .iter()
        .map(|c| circumstance(spec, c))
        .collect::<Result<Vec<_>, _>>()?;
    let indicators = spec
        .indicators
        .iter()
        .map(indicator)
        .collect::<Result<Vec<_>, _>>()?;
    for (ind, coded) in spec.indicators.iter().zip(&indicators) {
        distinct_dimensions(ind, coded, &circumstances)?;
    }
    Ok(SdgExport {
        ref_area: ref_area(&spec.brief)?,
        indicators,
        circumstances,
    })
}

fn ref_area(b: &Brief) -> Result<Option<String>, String> {
    match &b.ref_area {
        Some(code) if !dsd().has_code("REF_AREA", code) => Err(format!(
            "brief.ref_area: \"{code}\" is not an area of the SDG codelist CL_AREA ({DSD}); \
             expected the country's M49 code, e.g. \"360\" for Indonesia"
        )),
        Some(code) => Ok(Some(code.clone())),
        None if b.synthetic => Ok(Some(b.iso3.clone())),
        None if b.formats.contains(&Format::Sdmx) => Err(
            "brief.ref_area: the SDMX export needs the country's code in the SDG area codelist \
             (its M49 code, e.g. \"360\" for Indonesia)"
                .into(),
        ),
        None => Ok(None),
    }
}

fn uncoded(c: &Circumstance, why: Uncoded) -> SdgCircumstance {
    SdgCircumstance {
        circumstance: c.id.clone(),
        dimension: None,
        codes: BTreeMap::new(),
        uncoded: Some(why),
    }
}

fn circumstance(spec: &Spec, c: &Circumstance) -> Result<SdgCircumstance, String> {
    let numeric = c.kind == CircumstanceKind::Numeric;
    let (dimension, codes) = match &c.sdmx {
        Some(m) if m.dimension == "none" => return Ok(uncoded(c, Uncoded::DeclaredNone)),
        Some(m) => (m.dimension.clone(), declared_codes(c, m)?),
        None if numeric => return Ok(uncoded(c, Uncoded::Numeric)),
        None => {
            let levels: Vec<(String, String)> = c
                .levels
                .iter()
                .map(|l| (l.clone(), c.level_label(l).to_string()))
                .collect();
            let Some((dimension, codes)) = dsd::standard_codes(&levels) else {
                return Ok(uncoded(c, Uncoded::NoStandardLevels));
            };
            let head_of = spec
                .derive
                .iter()
                .any(|d| d.name == c.column && matches!(d.value, DerivedValue::HeadOf(_)));
            if head_of && PERSON_DIMENSIONS.contains(&dimension) {
                return Ok(uncoded(c, Uncoded::HeadOfHousehold));
            }
            (dimension.to_string(), codes)
        }
    };
    Ok(SdgCircumstance {
        circumstance: c.id.clone(),
        dimension: Some(dimension),
        codes,
        uncoded: None,
    })
}

/// A declared coding, every dimension and code checked against the DSD.
fn declared_codes(c: &Circumstance, m: &SdmxMapping) -> Result<BTreeMap<String, String>, String> {
    let at = format!("circumstance '{}'.sdmx", c.id);
    if c.kind == CircumstanceKind::Numeric {
        return Err(format!(
            "{at}: a numeric circumstance has single values, not bands, for levels; band it with a \
             [[derive]] expression (e.g. '15-19', '20-24') and code the bands"
        ));
    }
    if !BREAKDOWNS.contains(&m.dimension.as_str()) {
        return Err(format!(
            "{at}.dimension: \"{}\" is not a breakdown dimension of the SDG DSD; expected one of {} \
             or \"none\"",
            m.dimension,
            BREAKDOWNS.join(", ")
        ));
    }
    if m.codes.is_empty() {
        return Err(format!(
            "{at}.codes: give each level's code of {}",
            m.dimension
        ));
    }
    let mut seen = BTreeMap::new();
    for (level, code) in &m.codes {
        if !c.levels.is_empty() && !c.levels.contains(level) {
            return Err(format!(
                "{at}.codes: \"{level}\" is not a level of the circumstance; its levels are {}",
                c.levels.join(", ")
            ));
        }
        if code == "_T" || !dsd().has_code(&m.dimension, code) {
            return Err(format!(
                "{at}.codes.{level}: \"{code}\" is not a level's code in the {} codelist of {DSD}{}",
                m.dimension,
                if code == "_T" { " (\"_T\" is the total)" } else { "" }
            ));
        }
        if let Some(other) = seen.insert(code, level) {
            return Err(format!(
                "{at}.codes: \"{other}\" and \"{level}\" both have the code \"{code}\""
            ));
        }
    }
    Ok(m.codes.clone())
}

/// Whether a text is an SDMX code: letters, digits and `_`, starting with a letter.
fn is_sdmx_id(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.len() <= 50
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn indicator(ind: &Indicator) -> Result<SdgIndicator, String> {
    let at = format!("indicator '{}'", ind.id);
    let mut out = SdgIndicator {
        indicator: ind.id.clone(),
        series: None,
        global: false,
        unit_measure: "PT".into(),
        fixed: BTreeMap::new(),
        allowed: BTreeMap::new(),
    };
    let Some(code) = &ind.sdmx_series else {
        if !ind.sdmx_dimensions.is_empty() {
            return Err(format!("{at}.sdmx_dimensions: needs an `sdmx_series`"));
        }
        return Ok(out);
    };
    if !is_sdmx_id(code) {
        return Err(format!(
            "{at}.sdmx_series: \"{code}\" is not an SDMX code (letters, digits and `_`, starting \
             with a letter)"
        ));
    }
    if let Some(s) = dsd().series.get(code) {
        global_series(&at, ind, code, s)?;
        out.global = true;
        out.allowed = s.allowed.clone();
        if !s.unit.is_empty() {
            out.unit_measure = s.unit.clone();
        }
    }
    out.series = Some(code.clone());
    out.fixed = fixed_dimensions(&at, ind, &out)?;
    Ok(out)
}

/// A global series must be the indicator's, of its unit, and a rate.
fn global_series(at: &str, ind: &Indicator, code: &str, s: &dsd::Series) -> Result<(), String> {
    if !s.indicators.contains(&ind.sdg) {
        let proxy = ind.sdg.split('.').count() != 3;
        return Err(format!(
            "{at}.sdmx_series: {code} is the global series \"{}\" of SDG {}, but the indicator has \
             sdg = \"{}\"{}",
            s.name,
            s.indicators.join(", "),
            ind.sdg,
            if proxy {
                ": a national proxy measures no global series; declare a national series code"
            } else {
                ""
            }
        ));
    }
    if s.name.starts_with("Proportion of population") && ind.unit == EstimateUnit::Households {
        return Err(format!(
            "{at}.sdmx_series: {code} is a share of the population (\"{}\"), but the indicator is \
             a rate of households (unit = \"households\"); estimate it over persons, or leave the \
             series out",
            s.name
        ));
    }
    if !matches!(s.unit.as_str(), "" | "PT" | "PER_100_POP") {
        return Err(format!(
            "{at}.sdmx_series: {code} is measured in {}, not as a percentage",
            s.unit
        ));
    }
    Ok(())
}

/// The codes of the indicator's population: declared, or the only one the series allows.
fn fixed_dimensions(
    at: &str,
    ind: &Indicator,
    coded: &SdgIndicator,
) -> Result<BTreeMap<String, String>, String> {
    let mut fixed = BTreeMap::new();
    for (dimension, code) in &ind.sdmx_dimensions {
        let field = format!("{at}.sdmx_dimensions.{dimension}");
        if !BREAKDOWNS.contains(&dimension.as_str()) {
            return Err(format!(
                "{field}: not a breakdown dimension of the SDG DSD; expected one of {}",
                BREAKDOWNS.join(", ")
            ));
        }
        if !dsd().has_code(dimension, code) {
            return Err(format!(
                "{field}: \"{code}\" is not in the {dimension} codelist of {DSD}"
            ));
        }
        if let Some(allowed) = coded.allowed.get(dimension).filter(|a| !a.contains(code)) {
            return Err(format!(
                "{field}: the series takes {dimension} = {} only",
                allowed.join(", ")
            ));
        }
        if ind.unit == EstimateUnit::Households && PERSON_DIMENSIONS.contains(&dimension.as_str()) {
            return Err(format!("{field}: a rate of households has no {dimension}"));
        }
        fixed.insert(dimension.clone(), code.clone());
    }
    implied_dimensions(at, coded, &mut fixed)?;
    Ok(fixed)
}

/// A dimension the series restricts to one code other than the total is the population's; one
/// it restricts to several must be declared.
fn implied_dimensions(
    at: &str,
    coded: &SdgIndicator,
    fixed: &mut BTreeMap<String, String>,
) -> Result<(), String> {
    for (dimension, allowed) in &coded.allowed {
        if fixed.contains_key(dimension) || allowed.iter().any(|a| a == "_T") {
            continue;
        }
        if let [only] = allowed.as_slice() {
            fixed.insert(dimension.clone(), only.clone());
            continue;
        }
        let example = format!("sdmx_dimensions = {{ {dimension} = \"{}\" }}", allowed[0]);
        let codes = allowed.join(", ");
        return Err(format!(
            "{at}.sdmx_dimensions: the series needs the population's {dimension}, one of {codes}; declare it, e.g. {example}"
        ));
    }
    Ok(())
}

/// The dimension an indicator's estimates by a circumstance are coded on, or why they are not.
pub fn coded_dimension<'a>(
    ind: &SdgIndicator,
    unit: EstimateUnit,
    c: &'a SdgCircumstance,
) -> Result<&'a str, Uncoded> {
    if ind.series.is_none() {
        return Err(Uncoded::NoSeries);
    }
    let dimension = c
        .dimension
        .as_deref()
        .ok_or(c.uncoded.unwrap_or(Uncoded::NoCode))?;
    if unit == EstimateUnit::Households && PERSON_DIMENSIONS.contains(&dimension) {
        return Err(Uncoded::HouseholdUnit);
    }
    if ind.fixed.contains_key(dimension) {
        return Err(Uncoded::FixedBySeries);
    }
    if ind
        .allowed
        .get(dimension)
        .is_some_and(|a| a.iter().all(|c| c == "_T"))
    {
        return Err(Uncoded::NotInSeries);
    }
    Ok(dimension)
}

/// Two circumstances of one indicator coded on the same dimension would give two rows one key.
fn distinct_dimensions(
    ind: &Indicator,
    coded: &SdgIndicator,
    circumstances: &[SdgCircumstance],
) -> Result<(), String> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for id in &ind.circumstances {
        let Some(c) = circumstances.iter().find(|c| &c.circumstance == id) else {
            continue;
        };
        let Ok(dimension) = coded_dimension(coded, ind.unit, c) else {
            continue;
        };
        if let Some(other) = seen.insert(dimension, id) {
            return Err(format!(
                "indicator '{}'.circumstances: '{other}' and '{id}' are both coded on the SDMX \
                 dimension {dimension}; set `sdmx = {{ dimension = \"none\" }}` on one of them",
                ind.id
            ));
        }
    }
    Ok(())
}
