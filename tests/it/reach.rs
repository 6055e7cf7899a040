//! LNOB × SPOT on the demo: a scheme paid exactly to one furthest-behind group covers all of it;
//! the D-index of "not poor" matches a direct computation from the records.

use std::collections::BTreeMap;
use std::path::Path;

use vnr_brief::app::pipeline;
use vnr_brief::present::words::Words;
use vnr_brief::results::lnob::{Allowed, Condition};
use vnr_brief::spec::{self, Scenario};

fn demo() -> spec::LoadedSpec {
    spec::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("specs/demo.toml")).unwrap()
}

#[test]
fn a_scheme_for_one_group_covers_exactly_that_group() {
    let mut loaded = demo();
    // Stunting's furthest-behind group in the demo is the poorest fifth of children under five
    // (checked below); pay every one of them.
    let extra: Scenario = toml::from_str(
        r#"
id = "stunting_group"
label = "Benefit for the poorest children under 5"
[[scheme]]
kind = "custom"
eligible = "age < 5 AND haz IS NOT NULL AND wealth_quintile = 'Q1'"
benefit = 100000
"#,
    )
    .unwrap();
    loaded.spec.scenarios = vec![extra];
    let surveys = pipeline::load_surveys(&loaded).unwrap();
    let results = pipeline::analyse(&loaded, &surveys).unwrap();
    let stunting = results
        .latest()
        .indicators
        .iter()
        .find(|i| i.id == "stunting")
        .unwrap();
    let group = &stunting.tree.furthest_behind.as_ref().unwrap().group;
    assert_eq!(
        group.conditions,
        vec![Condition {
            circumstance: "wealth".into(),
            label: "Wealth".into(),
            allowed: Allowed::Levels(vec!["Poorest 20%".into()]),
        }]
    );
    let en = vnr_brief::present::render::builtin_strings("en").unwrap();
    assert_eq!(Words::new(&en).group(group).unwrap(), "Wealth: Poorest 20%");
    let sc = &results.spot.as_ref().unwrap().scenarios[0];
    let group = sc.reach.iter().find(|g| g.id == "stunting").unwrap();
    assert_eq!(group.coverage, 1.0, "every member of the group is paid");
    assert!(group.gain_pct > 0.0);
    // Groups that only partly overlap are partly covered.
    let water = sc.reach.iter().find(|g| g.id == "basic_water").unwrap();
    assert!(
        water.coverage > 0.0 && water.coverage < 1.0,
        "{}",
        water.coverage
    );
}

#[test]
fn not_poor_dindex_matches_a_direct_computation() {
    let loaded = demo();
    let surveys = pipeline::load_surveys(&loaded).unwrap();
    let results = pipeline::analyse(&loaded, &surveys).unwrap();
    let spot = results.spot.as_ref().unwrap();
    let got = spot.not_poor_baseline.as_ref().unwrap();

    // Directly from the records: cells keyed by the circumstances' raw text values.
    let s = surveys.last().unwrap();
    let line = spot.lines[0].monthly_lcu;
    let text = |c: &str| -> Vec<Option<String>> {
        let col = s
            .frame
            .column(c)
            .unwrap()
            .cast(&polars::prelude::DataType::String)
            .unwrap();
        col.str()
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    };
    let cols: Vec<Vec<Option<String>>> = ["urban", "head_educ", "head_sex", "hh_size_group"]
        .iter()
        .map(|c| text(c))
        .collect();
    let welfare = s.f64_column(vnr_brief::survey::WELFARE).unwrap();
    let weight = s.f64_column(vnr_brief::survey::PERSON_WEIGHT).unwrap();
    let mut cells: BTreeMap<Vec<String>, (f64, f64)> = BTreeMap::new();
    for i in 0..s.records() {
        let key: Option<Vec<String>> = cols.iter().map(|c| c[i].clone()).collect();
        let Some(key) = key else { continue };
        let w = weight.get(i).unwrap();
        let y = if welfare.get(i).unwrap() >= line {
            1.0
        } else {
            0.0
        };
        let e = cells.entry(key).or_insert((0.0, 0.0));
        e.0 += w;
        e.1 += w * y;
    }
    let total: f64 = cells.values().map(|c| c.0).sum();
    let pbar = cells.values().map(|c| c.1).sum::<f64>() / total;
    let d: f64 = cells
        .values()
        .map(|c| c.0 / total * (c.1 / c.0 - pbar).abs())
        .sum::<f64>()
        / (2.0 * pbar);
    assert!((got.opportunity_rate - pbar).abs() < 1e-12);
    assert!((got.d - d).abs() < 1e-12, "{} vs {d}", got.d);
    // Every scenario raises the not-poor rate and, here, lowers its inequality.
    for sc in &spot.scenarios {
        let np = sc.not_poor.as_ref().unwrap();
        assert!(np.opportunity_rate >= got.opportunity_rate, "{}", sc.id);
        assert!(np.d <= got.d, "{}: {} vs {}", sc.id, np.d, got.d);
    }
}
