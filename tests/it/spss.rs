//! SPSS input: files written by ReadStat (uncompressed, bytecode-compressed, zlib .zsav) read back
//! to the values `tests/reference/make_spss_fixtures.py` put in them, user-missing codes and
//! ranges become null; a survey saved as .sav gives the same results as the same survey as CSV.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde_json::Value;
use vnr_brief::io::inputs;
use vnr_brief::spec::FileFormat;

use crate::common;

fn fixture(dir: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
        .join(name)
}

fn column_as_json(frame: &DataFrame, name: &str) -> Vec<Value> {
    let c = frame.column(name).unwrap();
    match c.dtype() {
        DataType::String => c
            .str()
            .unwrap()
            .iter()
            .map(|s| s.map_or(Value::Null, Value::from))
            .collect(),
        _ => c
            .cast(&DataType::Float64)
            .unwrap()
            .f64()
            .unwrap()
            .iter()
            .map(|x| x.map_or(Value::Null, Value::from))
            .collect(),
    }
}

#[test]
fn plain_bytecode_and_zlib_files_read_to_the_written_values() {
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("spss", "expected.json")).unwrap())
            .unwrap();
    for file in want["files"].as_array().unwrap() {
        let path = fixture("spss", file.as_str().unwrap());
        let frame = inputs::parse_bytes(&path, FileFormat::Spss, std::fs::read(&path).unwrap())
            .unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<Value> = frame
            .get_column_names()
            .iter()
            .map(|n| Value::from(n.as_str()))
            .collect();
        assert_eq!(Value::from(names), want["columns"], "{file}");
        for c in want["columns"].as_array().unwrap() {
            let c = c.as_str().unwrap();
            let got = column_as_json(&frame, c);
            let expected = want[c].as_array().unwrap();
            assert_eq!(got.len(), expected.len(), "{file}: {c}");
            for (g, e) in got.iter().zip(expected) {
                match (g.as_f64(), e.as_f64()) {
                    (Some(g), Some(e)) => assert_eq!(g, e, "{file}: {c}"),
                    _ => assert_eq!(g, e, "{file}: {c}"),
                }
            }
        }
    }
}

#[test]
fn broken_files_are_refused_with_the_file_named() {
    let path = fixture("spss", "bytecode.sav");
    let bytes = std::fs::read(&path).unwrap();
    for cut in [0, 10, 100, bytes.len() / 2] {
        let err = inputs::parse_bytes(&path, FileFormat::Spss, bytes[..cut].to_vec())
            .expect_err("a truncated file is refused");
        let msg = err.to_string();
        assert!(
            msg.contains("bytecode.sav") && msg.contains("SPSS .sav"),
            "{msg}"
        );
        assert_eq!(err.exit_code(), 4);
    }
    let err = inputs::parse_bytes(&path, FileFormat::Spss, b"$FL2 garbage".repeat(20))
        .expect_err("garbage is refused");
    assert!(err.to_string().contains("cannot read as an SPSS .sav file"));
}

#[test]
fn a_survey_as_sav_gives_the_results_of_the_same_survey_as_csv() {
    let csv = common::run_demo_on("stata", "csv");
    let sav = common::run_demo_on("spss", "sav");
    for part in ["waves", "spot", "summary"] {
        assert_eq!(csv[part], sav[part], "{part} differs between CSV and .sav");
    }
}
