//! The DHS profile: a spec that names only a DHS-style PR file gets the design, circumstances and
//! indicators from `specs/profiles/dhs.toml`, and its rates match the ones computed independently
//! by `tests/reference/make_dhs_fixture.py` (pandas, same definitions).

use std::path::Path;

use serde_json::Value;
use vnr_brief::app::pipeline::{self, RunOptions};
use vnr_brief::io::inputs;
use vnr_brief::spec;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn example_copy(edit: impl Fn(String) -> String) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    std::fs::copy(
        Path::new(ROOT).join("specs/data/dhs_example_pr.dta"),
        dir.path().join("data/dhs_example_pr.dta"),
    )
    .unwrap();
    let text = std::fs::read_to_string(Path::new(ROOT).join("specs/dhs_example.toml")).unwrap();
    let spec = dir.path().join("dhs.toml");
    std::fs::write(&spec, edit(text)).unwrap();
    (dir, spec)
}

#[test]
fn dhs_profile_rates_match_the_independent_computation() {
    let (dir, spec) = example_copy(|t| t);
    inputs::write_lock(&spec::load(&spec).unwrap()).unwrap();
    let out = dir.path().join("out");
    pipeline::run(
        &spec,
        &RunOptions {
            out: Some(out.clone()),
            templates: None,
            formats: None,
        },
    )
    .unwrap();
    let results: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(ROOT).join("tests/fixtures/dhs/expected.json")).unwrap(),
    )
    .unwrap();
    let wave = &results["waves"][0];
    assert_eq!(wave["records"], expected["records"]);
    assert_eq!(wave["households"], expected["households"]);
    let indicators = wave["indicators"].as_array().unwrap();
    // The five PR indicators and the profile's secondary completion at 36 and over.
    assert_eq!(indicators.len(), 6);
    for ind in indicators {
        let want = &expected[ind["id"].as_str().unwrap()];
        let (got, rate) = (
            ind["rate"].as_f64().unwrap(),
            want["rate"].as_f64().unwrap(),
        );
        assert!((got - rate).abs() < 1e-12, "{}: {got} vs {rate}", ind["id"]);
        assert_eq!(ind["n"], want["n"], "{}", ind["id"]);
        // Circumstance levels carry the profile's labels, not the codes.
        let wealth = &ind["by_circumstance"][0];
        let poorest = match wealth["circumstance"].as_str().unwrap() {
            "wealth" => "Poorest 20%",
            _ => "Bottom 40%",
        };
        assert_eq!(wealth["groups"][0]["label"], poorest);
    }
    // Region names come from the file's value labels (hv024_label).
    let regions: Vec<&str> = indicators[0]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["region"].as_str().unwrap())
        .collect();
    assert_eq!(regions, ["Central", "Islands", "Northern", "Southern"]);
    assert!(
        results["spot"].is_null(),
        "no scenarios with the DHS profile"
    );
    assert!(out.join("brief.pdf").is_file());
    // Words that match the measure: a household indicator's group is a share of households,
    // a person indicator's a share of the people it covers, never "of the population".
    let brief = std::fs::read_to_string(out.join("brief.md")).unwrap();
    let behind: Vec<&str> = brief
        .lines()
        .filter(|l| l.starts_with("Furthest behind: "))
        .collect();
    assert_eq!(behind.len(), 6, "{behind:?}");
    for (line, ind) in behind.iter().zip(indicators) {
        let noun = match ind["unit"].as_str().unwrap() {
            "households" => "% of households, n = ",
            _ => "% of people",
        };
        assert!(line.contains(noun), "{}: {line}", ind["id"]);
    }
    assert!(!brief.contains("of the population"));
}

#[test]
fn dhs_profile_refuses_scenarios_and_unknown_profiles() {
    let (_dir, spec) = example_copy(|t| {
        t + "\n[[scenario]]\nid = \"child\"\nlabel = \"Child benefit\"\n[[scenario.scheme]]\nkind = \"child\"\nmin_age = 0\nmax_age = 5\nbenefit = 1000\n"
    });
    let err = spec::load(&spec).unwrap_err().to_string();
    assert!(
        err.contains("scenario: not available with profile \"dhs\""),
        "{err}"
    );
    assert!(
        err.contains("HV270") && err.contains("consumption"),
        "{err}"
    );

    let (_dir, spec) = example_copy(|t| t.replace("profile = \"dhs\"", "profile = \"lsms\""));
    let err = spec::load(&spec).unwrap_err();
    assert_eq!(err.exit_code(), 3);
    assert!(
        err.to_string().contains("unknown profile \"lsms\""),
        "{err}"
    );
}

#[test]
fn a_spec_overrides_a_profile_definition_by_id() {
    let (_dir, spec) = example_copy(|t| {
        t + "\n[[indicator]]\nid = \"dhs_electricity\"\nlabel = \"Electricity (own definition)\"\nsdg = \"7.1.1\"\npopulation = \"hv101 = 1\"\noutcome = \"hv206 = 1\"\nunit = \"households\"\nkind = \"opportunity\"\ncircumstances = [\"wealth\"]\n"
    });
    let loaded = spec::load(&spec).unwrap();
    let own: Vec<_> = loaded
        .spec
        .indicators
        .iter()
        .filter(|i| i.id == "dhs_electricity")
        .collect();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].label, "Electricity (own definition)");
    assert_eq!(loaded.spec.indicators.len(), 6);
    // Without a women's or children's file, none of their indicators or circumstances.
    assert!(loaded.spec.indicators.iter().all(|i| i.file.is_none()));
    assert!(loaded.spec.circumstances.iter().all(|c| c.id != "religion"));
    // Wave fields come from the profile where the wave does not set them.
    assert_eq!(loaded.spec.waves[0].psu, "hv021");
    assert_eq!(loaded.spec.waves[0].weight, "dhs_weight");
}

const FULL_FILES: [&str; 3] = ["dhs_full_pr.dta", "dhs_full_ir.dta", "dhs_full_kr.dta"];

fn full_expected() -> Value {
    let path = Path::new(ROOT).join("tests/fixtures/dhs/full_expected.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn dhs_with_women_and_children_files_matches_the_independent_computation() {
    let (_dir, spec) = crate::mics::example_copy("dhs_full_example.toml", &FULL_FILES, |t| t);
    let results = crate::mics::lock_and_run(&spec).unwrap();
    let expected = full_expected();
    let wave = &results["waves"][0];
    assert_eq!(wave["records"], expected["records"]);
    let links = wave["links"].as_array().unwrap();
    assert_eq!(links[0]["role"], "women");
    assert_eq!(links[0]["records"], expected["women"]);
    assert_eq!(links[0]["orphan_records"], 0);
    // The KR's dead children and children living elsewhere are not joined (`rows`).
    assert_eq!(links[1]["role"], "children");
    assert_eq!(links[1]["records"], expected["children_joined"]);
    assert!(expected["births"].as_u64() > expected["children_joined"].as_u64());
    assert_eq!(links[1]["matched_rows"], expected["children_joined"]);
    let checked = crate::mics::assert_reference(wave, &expected);
    assert_eq!(checked, 16);
    // The PR's five, the 36+ completion and fifteen women's and children's indicators.
    assert_eq!(wave["indicators"].as_array().unwrap().len(), 21);
}

#[test]
fn a_childrens_file_without_its_row_filter_is_refused_at_the_missing_key() {
    let (_dir, spec) = crate::mics::example_copy("dhs_full_example.toml", &FULL_FILES, |t| {
        t.replace("rows = \"b5 = 1 AND b16 > 0\"\n", "")
    });
    let err = crate::mics::lock_and_run(&spec).unwrap_err().to_string();
    assert!(err.contains("file 'children'"), "{err}");
    assert!(err.contains("a key (v001, v002, b16) is missing"), "{err}");
    // Keeping the dead children out but not the living ones elsewhere (B16 = 0): line 0 is no
    // member's line, so those records are counted as matching no row.
    let (_dir, spec) = crate::mics::example_copy("dhs_full_example.toml", &FULL_FILES, |t| {
        t.replace("rows = \"b5 = 1 AND b16 > 0\"", "rows = \"b5 = 1\"")
    });
    let results = crate::mics::lock_and_run(&spec).unwrap();
    let link = &results["waves"][0]["links"][1];
    assert_eq!(
        link["orphan_records"],
        full_expected()["children_elsewhere"],
        "{link}"
    );
    assert!(link["orphan_records"].as_u64().unwrap() > 0);
    // Without the rename, the KR's v005 is the women's file's (taken first): children have none.
    let (_dir, spec) = crate::mics::example_copy("dhs_full_example.toml", &FULL_FILES, |t| {
        t.replace("rename = { v005 = \"kr_v005\" }\n", "")
    });
    let err = crate::mics::lock_and_run(&spec).unwrap_err().to_string();
    assert!(err.contains("kr_v005"), "{err}");
}
