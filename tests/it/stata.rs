//! Stata `.dta` input: files written by pandas (releases 114, 117, 118, 119; strL in 118) and by ReadStat
//! (tagged missing values) read back to the values `tests/reference/make_stata_fixtures.py` put
//! in them; a survey saved as .dta gives the same results as the same survey as CSV.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde_json::Value;
use vnr_brief::io::inputs;
use vnr_brief::spec::FileFormat;

use crate::common;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/stata")
        .join(name)
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("expected.json")).unwrap()).unwrap()
}

fn read(name: &str) -> DataFrame {
    let path = fixture(name);
    let bytes = std::fs::read(&path).unwrap();
    inputs::parse_bytes(&path, FileFormat::Stata, bytes).unwrap()
}

fn f64s(frame: &DataFrame, column: &str) -> Vec<Option<f64>> {
    let c = frame
        .column(column)
        .unwrap()
        .cast(&DataType::Float64)
        .unwrap();
    c.f64().unwrap().iter().collect()
}

fn strings(frame: &DataFrame, column: &str) -> Vec<Option<String>> {
    let c = frame.column(column).unwrap();
    c.str()
        .unwrap()
        .iter()
        .map(|s| s.map(str::to_string))
        .collect()
}

fn json_f64s(v: &Value) -> Vec<Option<f64>> {
    v.as_array().unwrap().iter().map(Value::as_f64).collect()
}

fn json_strings(v: &Value) -> Vec<Option<String>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().map(str::to_string))
        .collect()
}

#[test]
fn every_release_reads_to_the_written_values_and_labels() {
    let want = expected();
    for file in [
        "pandas_114.dta",
        "pandas_117.dta",
        "pandas_118.dta",
        "pandas_119.dta",
    ] {
        let frame = read(file);
        let names: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        let want_names: Vec<String> = json_strings(&want["columns"])
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(names, want_names, "{file}");
        for c in ["id", "urban", "water", "score"] {
            assert_eq!(f64s(&frame, c), json_f64s(&want[c]), "{file}: {c}");
        }
        for c in ["urban_label", "water_label", "name"] {
            assert_eq!(strings(&frame, c), json_strings(&want[c]), "{file}: {c}");
        }
        // Codes stay integers, so `water IN (11, 12)` and level names read "11", not "11.0".
        assert_eq!(frame.column("water").unwrap().dtype(), &DataType::Int64);
    }
}

#[test]
fn long_strings_and_tagged_missing_values() {
    let want = expected();
    let frame = read("pandas_118_strl.dta");
    assert_eq!(strings(&frame, "note"), json_strings(&want["strl_note"]));
    let frame = read("readstat_118_tagged.dta");
    assert_eq!(f64s(&frame, "income"), json_f64s(&want["tagged_income"]));
}

#[test]
fn truncated_and_foreign_files_are_refused_with_the_file_named() {
    let path = fixture("pandas_118.dta");
    let bytes = std::fs::read(&path).unwrap();
    for cut in [0, 10, 200, bytes.len() / 2, bytes.len() - 5] {
        let err = inputs::parse_bytes(&path, FileFormat::Stata, bytes[..cut].to_vec())
            .expect_err("a truncated file is refused");
        let msg = err.to_string();
        assert!(
            msg.contains("pandas_118.dta") && msg.contains("Stata .dta"),
            "{msg}"
        );
        assert_eq!(err.exit_code(), 4);
    }
    let err = inputs::parse_bytes(&path, FileFormat::Stata, b"hhid,age\n1,30\n".to_vec())
        .expect_err("a CSV is not a .dta");
    assert!(err.to_string().contains("cannot read as a Stata .dta file"));
}

#[test]
fn a_survey_as_dta_gives_the_results_of_the_same_survey_as_csv() {
    let csv = common::run_demo_on("stata", "csv");
    let dta = common::run_demo_on("stata", "dta");
    for part in ["waves", "spot", "summary"] {
        assert_eq!(csv[part], dta[part], "{part} differs between CSV and .dta");
    }
    assert_ne!(
        csv["inputs"], dta["inputs"],
        "different files, different hashes"
    );
}
