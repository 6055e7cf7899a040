//! The parts of the SDG global data structure (DSD `IAEG-SDGs:SDG(1.14)`) the SDMX export checks
//! codes against: the codelists of the dimensions it writes, and every series with its indicator,
//! unit and the codes the global content constraints allow it. Embedded from `dsd.tsv`, written by
//! `tests/reference/make_sdg_dsd.py` from the DSD's structure message.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The DSD whose codes are embedded, as SDMX writes a structure reference.
pub const DSD: &str = "IAEG-SDGs:SDG(1.14)";

/// The dimensions a circumstance (or an indicator's population) can be coded on, in DSD order.
pub const BREAKDOWNS: [&str; 6] = [
    "SEX",
    "AGE",
    "URBANISATION",
    "INCOME_WEALTH_QUANTILE",
    "EDUCATION_LEV",
    "DISABILITY_STATUS",
];

/// Dimensions that describe a person: a household has none of them, so a household rate is never
/// coded on them.
pub const PERSON_DIMENSIONS: [&str; 4] = ["SEX", "AGE", "EDUCATION_LEV", "DISABILITY_STATUS"];

/// A series of the DSD's SERIES codelist.
#[derive(Debug, Clone)]
pub struct Series {
    /// The global indicators the series measures ("7.1.1").
    pub indicators: Vec<String>,
    /// Its UNIT_MEASURE in the content constraints (empty when they do not list the series).
    pub unit: String,
    /// Per breakdown dimension, the codes allowed; absent when any code is.
    pub allowed: BTreeMap<String, Vec<String>>,
    pub name: String,
}

/// The embedded codelists and series.
pub struct Dsd {
    codes: BTreeMap<String, BTreeSet<String>>,
    pub series: BTreeMap<String, Series>,
}

impl Dsd {
    /// Whether `code` is in the codelist of `dimension` (REF_AREA included).
    pub fn has_code(&self, dimension: &str, code: &str) -> bool {
        self.codes.get(dimension).is_some_and(|c| c.contains(code))
    }
}

/// The DSD, parsed once.
pub fn dsd() -> &'static Dsd {
    static DSD_TABLE: OnceLock<Dsd> = OnceLock::new();
    DSD_TABLE.get_or_init(|| parse(include_str!("dsd.tsv")))
}

fn parse(text: &str) -> Dsd {
    let mut codes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut series = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split('\t').collect();
        match f[0] {
            "CODE" => {
                codes.entry(f[1].into()).or_default().insert(f[2].into());
            }
            "SERIES" => {
                let allowed = BREAKDOWNS
                    .iter()
                    .zip(&f[4..10])
                    .filter(|(_, a)| !a.is_empty() && **a != "ALL")
                    .map(|(d, a)| (d.to_string(), a.split(';').map(String::from).collect()))
                    .collect();
                let s = Series {
                    indicators: f[2].split(';').map(String::from).collect(),
                    unit: f[3].into(),
                    allowed,
                    name: f[10].into(),
                };
                series.insert(f[1].to_string(), s);
            }
            _ => {}
        }
    }
    Dsd { codes, series }
}

/// The standard codes of a circumstance whose levels (or their display labels) are exactly a
/// standard set, case aside: Female/Male (SEX), Urban/Rural (URBANISATION), Q1–Q5
/// (INCOME_WEALTH_QUANTILE). Anything else (education, age bands, disability) is declared by
/// the spec: level names alone cannot tell an age band from a household-size band.
pub fn standard_codes(
    levels: &[(String, String)],
) -> Option<(&'static str, BTreeMap<String, String>)> {
    const SETS: [(&str, &[(&str, &str)]); 3] = [
        ("SEX", &[("female", "F"), ("male", "M")]),
        ("URBANISATION", &[("urban", "U"), ("rural", "R")]),
        (
            "INCOME_WEALTH_QUANTILE",
            &[
                ("q1", "Q1"),
                ("q2", "Q2"),
                ("q3", "Q3"),
                ("q4", "Q4"),
                ("q5", "Q5"),
            ],
        ),
    ];
    let by = |name: &dyn Fn(&(String, String)) -> String| {
        SETS.iter().find_map(|(dimension, set)| {
            let codes: Option<BTreeMap<String, String>> = levels
                .iter()
                .map(|l| {
                    let n = name(l).to_lowercase();
                    set.iter()
                        .find(|(s, _)| *s == n)
                        .map(|(_, code)| (l.0.clone(), code.to_string()))
                })
                .collect();
            codes
                .filter(|c| c.len() == set.len() && levels.len() == set.len())
                .map(|c| (*dimension, c))
        })
    };
    by(&|l| l.0.clone()).or_else(|| by(&|l| l.1.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_dsd_has_the_codes_and_constraints_of_1_14() {
        let d = dsd();
        assert!(d.has_code("SEX", "F") && d.has_code("URBANISATION", "R"));
        assert!(d.has_code("INCOME_WEALTH_QUANTILE", "Q5") && d.has_code("AGE", "Y0T4"));
        assert!(d.has_code("DISABILITY_STATUS", "PD") && d.has_code("REF_AREA", "360"));
        assert!(!d.has_code("SEX", "X") && !d.has_code("AGE", "Y3T4"));
        let stunting = &d.series["SH_STA_STNT"];
        assert_eq!(stunting.indicators, ["2.2.1"]);
        assert_eq!(stunting.unit, "PT");
        assert_eq!(stunting.allowed["AGE"], ["Y0T4"]);
        assert!(!stunting.allowed.contains_key("SEX"));
        assert_eq!(d.series["IT_USE_II99"].unit, "PER_100_POP");
        assert_eq!(d.series["SH_STA_BRTC"].allowed["URBANISATION"], ["_T"]);
        assert_eq!(d.series.len(), 783);
    }

    #[test]
    fn standard_levels_are_recognised_by_name_or_label_and_only_whole() {
        let l = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let (d, c) = standard_codes(&l(&[("Female", "Female"), ("Male", "Male")])).unwrap();
        assert_eq!(
            (d, c["Female"].as_str(), c["Male"].as_str()),
            ("SEX", "F", "M")
        );
        let (d, c) = standard_codes(&l(&[("1", "Urban"), ("2", "Rural")])).unwrap();
        assert_eq!(
            (d, c["1"].as_str(), c["2"].as_str()),
            ("URBANISATION", "U", "R")
        );
        assert!(standard_codes(&l(&[("Female", "F"), ("Male", "M"), ("Other", "O")])).is_none());
        assert!(standard_codes(&l(&[("1-2", "1-2"), ("7+", "7+")])).is_none());
    }
}
