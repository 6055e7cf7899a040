//! `vnr-brief init`: a starter spec from survey files. A DHS member recode gets the dhs profile
//! and, once the TODOs are filled in, runs; another layout gets its design columns guessed from
//! their names and every column listed; a `;`/decimal-comma CSV gets its dialect; a second file
//! becomes a linked file on the shared columns; inputs are locked; an existing spec is never
//! replaced.

use std::fs;

use vnr_brief::app::init::init;
use vnr_brief::app::pipeline::{self, RunOptions};
use vnr_brief::io::inputs;

use crate::common::case::ROOT;

#[test]
fn a_dhs_member_recode_gets_the_profile_and_runs_once_filled_in() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("data")).unwrap();
    let data = dir.path().join("data/pr.dta");
    fs::copy(format!("{ROOT}/specs/data/dhs_example_pr.dta"), &data).unwrap();
    let spec = dir.path().join("dhs.toml");
    let said = init(std::slice::from_ref(&data), &spec).unwrap();
    assert!(said.contains("DHS household member recode"), "{said}");
    let text = fs::read_to_string(&spec).unwrap();
    assert!(text.contains("profile = \"dhs\""), "{text}");
    assert!(text.contains("path = \"data/pr.dta\""), "{text}");
    // Value labels of the Stata file are listed with their codes.
    assert!(
        text.contains("hv025") && text.contains("labels: 1 = "),
        "{text}"
    );
    let lock = fs::read_to_string(dir.path().join("dhs.lock")).unwrap();
    let sha = inputs::sha256_hex(&fs::read(&data).unwrap());
    assert!(
        lock.contains(&format!("\"data/pr.dta\" = \"{sha}\"")),
        "{lock}"
    );
    // Filled in, the starter spec runs.
    let filled = text
        .replace(
            "id = \"TODO\"            # e.g. \"2024\"\n# year = TODO",
            "id = \"2024\"\nyear = 2024 #",
        )
        .replace("iso3 = \"TODO\"", "iso3 = \"XDH\"")
        .replace(
            "reference_date = \"TODO\"",
            "reference_date = \"2026-06-30\"",
        )
        .replace("language = \"en\"", "language = \"en\"\nformats = [\"md\"]")
        // The macro figures (positive numbers, used by scenarios only).
        .replace(" = 0 ", " = 1 ");
    fs::write(&spec, filled).unwrap();
    pipeline::run(
        &spec,
        &RunOptions {
            out: Some(dir.path().join("out")),
            templates: None,
            formats: None,
        },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert!(init(&[data], &spec)
        .unwrap_err()
        .to_string()
        .contains("already exists"));
}

#[test]
fn another_layout_gets_guessed_design_columns_and_every_column_listed() {
    let dir = tempfile::tempdir().unwrap();
    let flat = dir.path().join("survey.csv");
    vnr_brief::app::cli::write_synth(&flat, 60, 7, 0).unwrap();
    let spec = dir.path().join("starter.toml");
    init(std::slice::from_ref(&flat), &spec).unwrap();
    let text = fs::read_to_string(&spec).unwrap();
    for line in [
        "unit = \"person\"",
        "household_id = \"hhid\"",
        "weight = \"hh_weight\"",
        "psu = \"psu\"",
        "household_size = \"hhsize\"",
        "welfare = \"consumption_pc\"",
        "strata = \"TODO\"",
    ] {
        assert!(text.contains(line), "{line} missing:\n{text}");
    }
    assert!(!text.contains("profile ="), "{text}");
    let header = fs::read_to_string(&flat).unwrap();
    for column in header.lines().next().unwrap().split(',') {
        assert!(
            text.contains(&format!("#   {column} ")),
            "column {column} not listed:\n{text}"
        );
    }
}

#[test]
fn a_semicolon_file_and_a_linked_file_are_described() {
    let dir = tempfile::tempdir().unwrap();
    let files =
        vnr_brief::app::cli::write_synth_linked(&dir.path().join("s.csv"), 40, 3, 0).unwrap();
    // individuals, households (`;` and decimal comma), consumption
    let order = vec![files[0].clone(), files[1].clone(), files[2].clone()];
    let spec = dir.path().join("s.toml");
    init(&order, &spec).unwrap();
    let text = fs::read_to_string(&spec).unwrap();
    let household = text
        .find("path = \"s_households.csv\"")
        .expect("linked file");
    let after = &text[household..];
    assert!(after.contains("keys = [\"hhid\"]"), "{text}");
    assert!(
        after.contains("delimiter = \";\"") && after.contains("decimal_comma = true"),
        "{text}"
    );
    assert_eq!(text.matches("[[wave.file]]").count(), 2, "{text}");
    let lock = fs::read_to_string(dir.path().join("s.lock")).unwrap();
    assert_eq!(lock.matches(" = \"").count(), 3, "{lock}");
}

#[test]
fn a_file_outside_the_spec_folder_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let flat = data.path().join("survey.csv");
    vnr_brief::app::cli::write_synth(&flat, 20, 7, 0).unwrap();
    let other = tempfile::tempdir().unwrap();
    let err = init(&[flat], &other.path().join("x.toml"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("outside the spec's folder"), "{err}");
}
