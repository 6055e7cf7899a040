//! `Results`: the contract between analysis and presentation. Plain serde structs, written as
//! `results.json`; templates and charts read only this, so a brief can be re-rendered from the
//! JSON without the data.

use serde::{Deserialize, Serialize};

pub mod lnob;
pub mod programmes;
pub mod spot;
pub mod spot_rap;
mod summary;

use crate::spec::{Brief, MacroFigures};
use lnob::IndicatorResult;
use spot::SpotResult;
pub(crate) use summary::relation;
pub use summary::{
    Efficiency, Gap, GoalProgress, GroupRelation, Growth, Progress, Reach, Recurring,
    SharedProsperity, Summary, WaveRate, WaveWelfare,
};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Results {
    /// Version of this contract (`SCHEMA_VERSION`); `docs/results.schema.json` describes it.
    pub schema_version: u32,
    pub tool: String,
    pub version: String,
    pub spec_name: String,
    pub brief: Brief,
    pub macro_figures: MacroFigures,
    pub inputs: Vec<InputRecord>,
    /// One entry per wave, oldest first.
    pub waves: Vec<WaveResults>,
    /// Social-protection simulation on the latest wave (absent when the spec has no scenarios).
    pub spot: Option<SpotResult>,
    pub summary: Summary,
    /// The reliability rules the flags follow.
    pub uncertainty: crate::spec::Uncertainty,
    /// How the SDG exports (SDMX-CSV, Open SDG) code the indicators and circumstances.
    pub sdg_export: crate::spec::SdgExport,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct InputRecord {
    pub wave: String,
    /// The linked file's role (`[[wave.file]]`); absent for the wave's main file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// What joining a linked file onto the wave's main rows did.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct LinkResult {
    pub role: String,
    /// Records of the file (after summing, one per key).
    pub records: u64,
    /// Main rows that found a record, and those that did not.
    pub matched_rows: u64,
    pub unmatched_rows: u64,
    /// Records of the file that match no main row.
    pub orphan_records: u64,
    /// The columns the join added to the main rows.
    pub columns: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct WaveResults {
    pub id: String,
    pub year: i32,
    pub records: u64,
    pub households: u64,
    /// Strata, PSUs and the strata resting on a single PSU.
    pub design: crate::estimate::variance::DesignSummary,
    /// The linked files' joins (`[[wave.file]]`); absent for a wave of one file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<LinkResult>,
    pub indicators: Vec<IndicatorResult>,
}

/// The version of the results contract: raised whenever `results.json` changes shape.
/// 1 had groups, flags and some labels as English text; 2 holds them as data; 4 replaces
/// `same_furthest_behind` with the relation of the two waves' groups and its test, and adds each
/// wave's `design` and `uncertainty.lonely_psu`; 5 gives regions their rate's SE, interval and
/// flag, D's bootstrap SE, the furthest-behind leaf's SE and flag, and `no_group`; 6 adds a wave's
/// linked files (`inputs[].role`, `waves[].links`) and types `brief.formats`; 9 adds each
/// indicator's `covers`, `brief.labels`, `sdg_export` (the SDMX coding of the SDG exports) and
/// the `sdmx` and `opensdg` formats, existing programmes (`spot.programmes`), schemes'
/// programme actions and calibration, and SPOT's breakdowns, RAP projection and comparison.
pub const SCHEMA_VERSION: u32 = 9;

impl Results {
    /// The JSON Schema of `results.json`, generated from these types.
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(Results);
        let mut s = serde_json::to_string_pretty(&schema).expect("the schema serialises");
        s.push('\n');
        s
    }

    /// Parse a `results.json`, refusing another schema version with a message that says so.
    pub fn from_json(text: &str) -> std::result::Result<Results, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        match value.get("schema_version").and_then(|v| v.as_u64()) {
            Some(v) if v == SCHEMA_VERSION as u64 => {}
            found => {
                let found = found.map_or("none".to_string(), |v| v.to_string());
                return Err(format!(
                    "schema version {found}, but this vnr-brief reads version {SCHEMA_VERSION}; \
                     run the spec again to write a current results.json"
                ));
            }
        }
        // From the text, not the Value: float_roundtrip keeps every number exact.
        let results: Results = serde_json::from_str(text)
            .map_err(|e| format!("not a results.json of this tool: {e}"))?;
        results.check_ids()?;
        Ok(results)
    }

    /// The ids the templates print verbatim (file names of charts, the spec's name) are safe ids,
    /// as the spec's validation makes them: a hand-edited results.json cannot inject markup.
    fn check_ids(&self) -> std::result::Result<(), String> {
        let ids = std::iter::once(&self.spec_name)
            .chain(self.waves.iter().map(|w| &w.id))
            .chain(
                self.waves
                    .iter()
                    .flat_map(|w| w.indicators.iter().map(|i| &i.id)),
            )
            .chain(
                self.spot
                    .iter()
                    .flat_map(|s| s.scenarios.iter().map(|sc| &sc.id)),
            );
        for id in ids {
            if !crate::spec::is_safe_id(id) {
                return Err(format!(
                    "the id \"{id}\" is not one a spec allows (letters, digits, `_`, `-`, `.`)"
                ));
            }
        }
        Ok(())
    }

    pub fn latest(&self) -> &WaveResults {
        self.waves.last().expect("at least one wave")
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("results serialise");
        s.push('\n');
        s
    }
}
