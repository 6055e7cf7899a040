//! The results contract: `docs/results.schema.json` is the schema generated from the result
//! types (regenerate with `VNR_WRITE_SCHEMA=1 cargo test --test it schema::committed`), a run's results.json
//! validates against it, and a results.json of another shape or schema version is refused.

use std::fs;
use std::path::Path;

use crate::common::case::*;
use vnr_brief::app::pipeline;
use vnr_brief::results::{Results, SCHEMA_VERSION};

fn committed_schema_path() -> std::path::PathBuf {
    Path::new(ROOT).join("docs/results.schema.json")
}

#[test]
fn committed_schema_is_the_one_the_types_generate() {
    let generated = Results::json_schema();
    if std::env::var_os("VNR_WRITE_SCHEMA").is_some() {
        fs::write(committed_schema_path(), &generated).unwrap();
    }
    let committed = fs::read_to_string(committed_schema_path()).unwrap();
    assert!(
        committed == generated,
        "docs/results.schema.json is out of date: regenerate it with \
         VNR_WRITE_SCHEMA=1 cargo test --test it schema::committed (and raise SCHEMA_VERSION if the shape changed)"
    );
}

/// results.json of a small run (SPOT scenarios included), as JSON.
fn small_results() -> (Case, serde_json::Value) {
    let case = Case::csv().edit(
        "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
        "formats = [\"md\"]",
    );
    case.lock();
    let out = case.path("out");
    run_into(&case.spec_path(), &out);
    let text = fs::read_to_string(out.join("results.json")).unwrap();
    (case, serde_json::from_str(&text).unwrap())
}

#[test]
fn a_runs_results_validate_against_the_committed_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(committed_schema_path()).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let (_case, results) = small_results();
    assert_eq!(results["schema_version"], SCHEMA_VERSION);
    let errors: Vec<String> = validator
        .iter_errors(&results)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));

    // The schema has teeth: a flag with an unknown reason, a group given as text and a missing
    // field are each rejected.
    let first_group = "/waves/0/indicators/0/by_circumstance/0/groups/0";
    let mut bad_flag = results.clone();
    *bad_flag
        .pointer_mut(&format!("{first_group}/flag"))
        .unwrap() = serde_json::json!({"reason": "looked_wrong"});
    assert!(!validator.is_valid(&bad_flag));
    let mut text_group = results.clone();
    let leaf = "/waves/0/indicators/0/tree/leaves/0/group";
    *text_group.pointer_mut(leaf).unwrap() = serde_json::json!("Wealth: Poorest 20%");
    assert!(!validator.is_valid(&text_group));
    let mut missing = results.clone();
    missing.as_object_mut().unwrap().remove("summary");
    assert!(!validator.is_valid(&missing));
}

#[test]
fn results_of_another_schema_version_are_refused_by_render() {
    let (case, mut results) = small_results();
    results["schema_version"] = serde_json::json!(1);
    let old = case.path("old_results.json");
    fs::write(&old, serde_json::to_string(&results).unwrap()).unwrap();
    let err = pipeline::rerender(&old, &case.path("re"), None).unwrap_err();
    assert_error(
        &err,
        4,
        &[
            "old_results.json",
            "schema version 1",
            &format!("reads version {SCHEMA_VERSION}"),
        ],
    );
    assert!(!case.path("re").exists());
}
