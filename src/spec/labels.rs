//! How the brief names what the data and the spec name: `[brief.labels.<language>]` gives, per
//! language, display labels for circumstances, their levels, indicators, scenarios, and the data
//! values of the wave's region and urban/rural columns. A brief in that language (by `run`, or by
//! `render --language` from a saved results.json) prints these instead of the spec's own labels or
//! the raw data values. Also the checks of an indicator's `covers`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::{Covers, EstimateUnit, Qualifier, Spec, Who, LANGUAGES};

/// Display labels for one language. Every map is keyed as the spec or the data names the thing:
/// circumstance, indicator and scenario ids, level codes (as in `levels`/`recode`), and region
/// and area values as they are in the survey file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    /// The brief's title, country name and source line in this language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Circumstance id → its label.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub circumstances: BTreeMap<String, String>,
    /// Circumstance id → (level code → label).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub levels: BTreeMap<String, BTreeMap<String, String>>,
    /// Indicator id → its label.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub indicators: BTreeMap<String, String>,
    /// Scenario id → its label.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub scenarios: BTreeMap<String, String>,
    /// A value of the wave's `region` column → how the brief names the region.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub regions: BTreeMap<String, String>,
    /// A value of the wave's `urban` column (e.g. "Rural") → how the brief names the area.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub areas: BTreeMap<String, String>,
}

/// `brief.labels`: languages known, and one label per level (a label naming two levels could not
/// be told apart). Names for ids or levels the spec does not have are left unused, so a spec can
/// drop a scenario or recode a circumstance without editing its vocabulary.
pub(super) fn validate_labels(spec: &Spec) -> Result<(), String> {
    for (language, v) in &spec.brief.labels {
        let at = format!("brief.labels.{language}");
        if !LANGUAGES.contains(&language.as_str()) {
            return Err(format!(
                "{at}: unknown language \"{language}\"; expected one of {}",
                LANGUAGES.join(", ")
            ));
        }
        for (id, levels) in &v.levels {
            let mut seen = BTreeSet::new();
            if let Some(l) = levels.values().find(|l| !seen.insert(l.as_str())) {
                return Err(format!(
                    "{at}.levels.{id}: the label \"{l}\" is given to two levels"
                ));
            }
        }
    }
    Ok(())
}

/// An indicator's `covers` agrees with its unit and reads as a population.
pub(super) fn validate_covers(spec: &Spec) -> Result<(), String> {
    for ind in &spec.indicators {
        let at = format!("indicator '{}'.covers", ind.id);
        check_covers(&at, &ind.covers, ind.unit)?;
    }
    Ok(())
}

fn check_covers(at: &str, c: &Covers, unit: EstimateUnit) -> Result<(), String> {
    let households = c.who == Who::Households;
    if households != (unit == EstimateUnit::Households) {
        return Err(format!(
            "{at}.who: \"households\" goes with unit = \"households\" and the others (people, \
             women, men, children) with unit = \"persons\"; found who = \"{}\" with unit = \"{}\"",
            serde_plain(&c.who),
            serde_plain(&unit)
        ));
    }
    if households && (c.min_age.is_some() || c.max_age.is_some() || c.with.is_some()) {
        return Err(format!(
            "{at}: households have no age or condition; give them for people, women, men or children"
        ));
    }
    if let (Some(lo), Some(hi)) = (c.min_age, c.max_age) {
        if lo > hi {
            return Err(format!("{at}: min_age {lo} is above max_age {hi}"));
        }
    }
    if c.who == Who::Children && c.max_age.is_none() {
        return Err(format!("{at}.max_age: children need the age they are under (e.g. max_age = 4 for children under 5)"));
    }
    let for_women = matches!(
        c.with,
        Some(Qualifier::DemandForFamilyPlanning | Qualifier::RecentLiveBirth)
    );
    if for_women && c.who != Who::Women {
        return Err(format!(
            "{at}.with: \"{}\" describes women; set who = \"women\"",
            serde_plain(&c.with)
        ));
    }
    Ok(())
}

/// A unit enum's name as the spec writes it.
fn serde_plain(v: &impl Serialize) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}
