//! The MICS6 profile: a spec that names the four standard MICS files (hl main, hh, wm, ch linked)
//! gets the design, MICS's weights and the indicators from `specs/profiles/mics.toml`, and every
//! rate (national, by circumstance level, by region) matches the one computed independently by
//! `tests/reference/make_mics_fixture.py` (pandas merges, same definitions). An indicator with its
//! own rows and weight (`file`, `weight`) gives what a wave built on that file alone gives.

use std::path::{Path, PathBuf};

use serde_json::Value;
use vnr_brief::analysis::lnob;
use vnr_brief::app::pipeline::{self, RunOptions};
use vnr_brief::io::inputs;
use vnr_brief::{spec, survey, synth};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A copy of an example spec (edited) and its data files in a temporary folder.
pub(crate) fn example_copy(
    spec_name: &str,
    data: &[&str],
    edit: impl Fn(String) -> String,
) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    for f in data {
        std::fs::copy(
            Path::new(ROOT).join("specs/data").join(f),
            dir.path().join("data").join(f),
        )
        .unwrap();
    }
    let text = std::fs::read_to_string(Path::new(ROOT).join("specs").join(spec_name)).unwrap();
    let spec = dir.path().join(spec_name);
    std::fs::write(&spec, edit(text)).unwrap();
    (dir, spec)
}

/// Lock and run a spec; its results.json.
pub(crate) fn lock_and_run(spec: &Path) -> vnr_brief::error::Result<Value> {
    inputs::write_lock(&spec::load(spec)?)?;
    let out = spec.parent().unwrap().join("out");
    pipeline::run(
        spec,
        &RunOptions {
            out: Some(out.clone()),
            templates: None,
            formats: None,
        },
    )?;
    Ok(serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap())
}

fn close(got: &Value, want: &Value, what: &str) {
    let (g, w) = (got.as_f64().unwrap(), want.as_f64().unwrap());
    assert!((g - w).abs() < 1e-12, "{what}: {g} vs {w}");
}

/// Every indicator of `expected` is in the wave's results with the same rate and n, the same
/// rate and n in every level of every circumstance, and the same rate in every region.
pub(crate) fn assert_reference(wave: &Value, expected: &Value) -> usize {
    let indicators = wave["indicators"].as_array().unwrap();
    let mut checked = 0;
    for (id, want) in expected.as_object().unwrap() {
        if !want.is_object() {
            continue;
        }
        let got = indicators
            .iter()
            .find(|i| i["id"] == id.as_str())
            .unwrap_or_else(|| panic!("indicator {id} is not in the results"));
        close(&got["rate"], &want["rate"], id);
        assert_eq!(got["n"], want["n"], "{id}: n");
        for (circumstance, levels) in want["by"].as_object().unwrap() {
            let groups = &got["by_circumstance"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["circumstance"] == circumstance.as_str())
                .unwrap_or_else(|| panic!("{id}: no circumstance {circumstance}"))["groups"];
            let groups = groups.as_array().unwrap();
            assert_eq!(
                groups.len(),
                levels.as_object().unwrap().len(),
                "{id} {circumstance}"
            );
            for (level, w) in levels.as_object().unwrap() {
                let g = groups
                    .iter()
                    .find(|g| g["level"] == level.as_str())
                    .unwrap_or_else(|| panic!("{id} {circumstance}: no level {level}: {groups:?}"));
                close(
                    &g["rate"],
                    &w["rate"],
                    &format!("{id} {circumstance}={level}"),
                );
                assert_eq!(g["n"], w["n"], "{id} {circumstance}={level}");
            }
        }
        let regions = got["regions"].as_array().unwrap();
        assert_eq!(
            regions.len(),
            want["regions"].as_object().unwrap().len(),
            "{id}"
        );
        for (name, rate) in want["regions"].as_object().unwrap() {
            let r = regions
                .iter()
                .find(|r| r["region"] == name.as_str())
                .unwrap();
            close(&r["rate"], rate, &format!("{id} region {name}"));
        }
        checked += 1;
    }
    checked
}

const MICS_FILES: [&str; 4] = [
    "mics_example_hl.sav",
    "mics_example_hh.sav",
    "mics_example_wm.sav",
    "mics_example_ch.sav",
];

fn expected() -> Value {
    let text = std::fs::read_to_string(Path::new(ROOT).join("tests/fixtures/mics/expected.json"));
    serde_json::from_str(&text.unwrap()).unwrap()
}

#[test]
fn mics_profile_rates_match_the_independent_computation() {
    let (_dir, spec) = example_copy("mics_example.toml", &MICS_FILES, |t| t);
    let results = lock_and_run(&spec).unwrap();
    let expected = expected();
    let wave = &results["waves"][0];
    assert_eq!(wave["records"], expected["records"]);
    assert_eq!(wave["households"], expected["households"]);
    let links = wave["links"].as_array().unwrap();
    let roles: Vec<&str> = links.iter().map(|l| l["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["household", "women", "children"]);
    assert_eq!(links[1]["records"], expected["women"]);
    assert_eq!(links[2]["records"], expected["children"]);
    assert_eq!(links[1]["orphan_records"], 0);
    let checked = assert_reference(wave, &expected);
    assert_eq!(checked, 17);
    assert_eq!(wave["indicators"].as_array().unwrap().len(), 17);
    // Region names from the value labels of HH7.
    let regions: Vec<&str> = wave["indicators"][0]["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["region"].as_str().unwrap())
        .collect();
    assert_eq!(regions, ["East", "North", "South", "West"]);
}

#[test]
fn without_the_women_and_children_files_only_household_and_member_indicators_come() {
    let (_dir, spec) = example_copy("mics_example.toml", &MICS_FILES[..2], |t| {
        let cut = t.find("[[wave.file]]\nrole = \"women\"").unwrap();
        let end = t.find("[uncertainty]").unwrap();
        format!("{}{}", &t[..cut], &t[end..])
    });
    let loaded = spec::load(&spec).unwrap();
    let ids: Vec<&str> = loaded
        .spec
        .indicators
        .iter()
        .map(|i| i.id.as_str())
        .collect();
    assert_eq!(ids.len(), 6, "{ids:?}");
    assert!(ids
        .iter()
        .all(|i| !i.contains("stunting") && !i.contains("marriage")));
    assert!(loaded
        .spec
        .circumstances
        .iter()
        .all(|c| c.id != "disability"));
    let results = lock_and_run(&spec).unwrap();
    let mut e = expected();
    e.as_object_mut()
        .unwrap()
        .retain(|k, v| ids.contains(&k.as_str()) || !v.is_object());
    assert_eq!(assert_reference(&results["waves"][0], &e), 6);
}

#[test]
fn an_indicator_with_its_own_weight_needs_one_on_every_row_of_its_population() {
    // Without WM17 = 1, women not interviewed (wmweight 0) are in the population.
    let (_dir, spec) = example_copy("mics_example.toml", &MICS_FILES, |t| {
        t + "\n[[indicator]]\nid = \"mics_health_insurance\"\nlabel = \"Insurance\"\nsdg = \"3.8\"\n\
             file = \"women\"\nweight = \"wmweight\"\noutcome = \"WB18 = 1\"\nunit = \"persons\"\n\
             kind = \"opportunity\"\ncircumstances = [\"wealth_b40\"]\n"
    });
    let err = lock_and_run(&spec).unwrap_err().to_string();
    assert!(
        err.contains(
            "indicator 'mics_health_insurance'.weight: column `wmweight` must hold a weight"
        ),
        "{err}"
    );
    assert!(err.contains("value 0"), "{err}");
    // A role no file of the wave has.
    let (_dir, spec) = example_copy("mics_example.toml", &MICS_FILES, |t| {
        t.replace("role = \"children\"", "role = \"under5\"")
            + "\n[[indicator]]\nid = \"own\"\nlabel = \"Own\"\nsdg = \"2.2.1\"\nfile = \"children\"\n\
               weight = \"chweight\"\npopulation = \"UF17 = 1\"\noutcome = \"HAZ2 < -2\"\n\
               unit = \"persons\"\nkind = \"barrier\"\ncircumstances = [\"wealth_b40\"]\n"
    });
    let err = lock_and_run(&spec).unwrap_err().to_string();
    assert!(
        err.contains("indicator 'own'.file: wave '2024' links no file with role \"children\""),
        "{err}"
    );
}

#[test]
fn a_woman_twice_in_the_women_file_is_refused() {
    let (_dir, spec) = example_copy("mics_example.toml", &MICS_FILES, |t| {
        t.replace("keys = [\"HH1\", \"HH2\", \"LN\"]\non = [\"HH1\", \"HH2\", \"HL1\"]\n\n[[wave.file]]\nrole = \"children\"",
                  "keys = [\"HH1\", \"LN\"]\non = [\"HH1\", \"HL1\"]\n\n[[wave.file]]\nrole = \"children\"")
    });
    let err = lock_and_run(&spec).unwrap_err().to_string();
    assert!(
        err.contains("file 'women'") && err.contains("share a key"),
        "{err}"
    );
}

/// The synthetic demo wave with a women's marker and weight: rows of women 15-49 found a record
/// of a "women" file, whose weight is the household weight times a factor that varies by row.
fn demo_with_women() -> (spec::Spec, spec::Wave, polars::prelude::DataFrame) {
    use polars::prelude::*;
    let text = std::fs::read_to_string(Path::new(ROOT).join("specs/demo.toml")).unwrap();
    let parsed = spec::parse(&text).unwrap();
    let frame = synth::generate(&synth::SynthConfig {
        seed: 11,
        households: 3000,
        wave: 1,
    })
    .unwrap();
    let woman = col("sex")
        .eq(lit("Female"))
        .and(col("age").gt_eq(lit(15)))
        .and(col("age").lt_eq(lit(49)));
    let frame = frame
        .lazy()
        .with_row_index("row", None)
        .with_columns([
            woman.clone().alias(survey::link::marker("women").as_str()),
            when(woman)
                .then(
                    col("hh_weight")
                        * (lit(0.8) + (col("row") % lit(7)).cast(DataType::Float64) * lit(0.1)),
                )
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("w_women"),
        ])
        .collect()
        .unwrap();
    let wave = parsed.waves[1].clone();
    (parsed, wave, frame)
}

#[test]
fn an_indicator_with_its_own_rows_and_weight_equals_a_wave_of_that_file_alone() {
    use polars::prelude::*;
    let (mut parsed, wave, frame) = demo_with_women();
    let mut indicator = parsed.indicators[0].clone();
    indicator.id = "internet_women".into();
    indicator.population = None;
    indicator.outcome = "internet".into();
    indicator.unit = spec::EstimateUnit::Persons;
    indicator.circumstances = vec![
        "wealth".into(),
        "residence".into(),
        "education".into(),
        "age".into(),
    ];
    indicator.file = Some("women".into());
    indicator.weight = Some("w_women".into());
    parsed.indicators = vec![indicator.clone()];
    parsed.uncertainty.replicates = 30;
    let linked = survey::from_frame(&parsed, &wave, frame.clone()).unwrap();
    let a = lnob::analyse_wave(&parsed, &linked).unwrap();

    // The women alone: each woman her own one-person household, the women's weight the wave's.
    let women = frame
        .lazy()
        .filter(col(survey::link::marker("women").as_str()))
        .with_columns([
            col("row").cast(DataType::Int64).alias("woman_id"),
            lit(1i64).alias("one"),
        ])
        .collect()
        .unwrap();
    let mut alone_wave = wave.clone();
    alone_wave.household_id = "woman_id".into();
    alone_wave.household_size = "one".into();
    alone_wave.weight = "w_women".into();
    let mut alone_spec = parsed.clone();
    alone_spec.indicators[0].file = None;
    alone_spec.indicators[0].weight = None;
    let alone = survey::from_frame(&alone_spec, &alone_wave, women).unwrap();
    assert_eq!(
        alone.design.psus(),
        linked.design.psus(),
        "every PSU has women"
    );
    let b = lnob::analyse_wave(&alone_spec, &alone).unwrap();

    let (a, b) = (
        serde_json::to_value(&a[0]).unwrap(),
        serde_json::to_value(&b[0]).unwrap(),
    );
    assert!(a["rate_se"].as_f64().unwrap() > 0.0);
    assert!(a["inequality"]["d_se"].as_f64().unwrap() > 0.0);
    same(&a, &b, "indicator");
}

/// Two results are equal: numbers to 1e-12 (relative), everything else exactly.
fn same(a: &Value, b: &Value, at: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-12 * x.abs().max(1.0),
                "{at}: {x} vs {y}"
            );
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                same(x, y, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{at}"
            );
            for (k, v) in x {
                same(v, &y[k], &format!("{at}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}
