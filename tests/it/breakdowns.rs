//! Poverty breakdowns by sex, age group, household type, region and circumstance: every rate,
//! poverty gap and change before → after, and their linearised SEs, equal R `survey`'s
//! `svyby(~poor, ~group, design, svymean)` on the same survey (tests/reference/breakdowns_reference.R).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use crate::common::case::{Case, ROOT};

/// Two scenarios without draws, so R can pay them too: a child benefit (ages 0-5) and a
/// universal transfer of 10% of the poverty line.
const SCENARIOS: &str = r#"
[[scenario]]
id = "child"
label = "Child benefit (0-5)"
[[scenario.scheme]]
kind = "child"
min_age = 0
max_age = 5
benefit = 150000

[[scenario]]
id = "universal"
label = "Universal transfer"
[[scenario.scheme]]
kind = "universal"
benefit = 10
benefit_unit = "pct_poverty_line"

"#;

/// The demo spec on the small synthetic CSV waves, Markdown only, with `SCENARIOS`.
pub fn case() -> Case {
    let mut case = Case::csv().edit(
        "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
        "formats = [\"md\"]",
    );
    let start = case.spec_text.find("[[scenario]]").unwrap();
    let end = case.spec_text.find("[projection]").unwrap();
    case.spec_text.replace_range(start..end, SCENARIOS);
    case
}

type Key = (String, String, String);

fn read(path: &Path) -> BTreeMap<Key, BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let row: BTreeMap<String, String> = header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect();
            let key = (
                row["dimension"].clone(),
                row["level"].clone(),
                row["scenario"].clone(),
            );
            (key, row)
        })
        .collect()
}

#[test]
fn breakdowns_equal_r_svyby_to_1e_9() {
    let case = case();
    // The R reference read this very file.
    let fixture = Path::new(ROOT).join("tests/fixtures/breakdowns");
    assert_eq!(
        fs::read(case.path("data/nusantara_2024.csv")).unwrap(),
        fs::read(fixture.join("survey_2024.csv")).unwrap(),
        "the fixture survey is not the wave the test runs on"
    );
    case.lock_and_run_results();
    let ours = read(&case.path("out/tables/poverty_breakdowns.csv"));
    let reference = read(&fixture.join("reference.csv"));
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        reference.keys().collect::<Vec<_>>(),
        "the same groups and scenarios"
    );
    let mut compared = 0;
    for (key, r) in &reference {
        let o = &ours[key];
        assert_eq!(o["n"], r["n"], "{key:?}: n");
        for col in [
            "headcount",
            "headcount_se",
            "gap",
            "gap_se",
            "headcount_change",
            "headcount_change_se",
        ] {
            if r[col].is_empty() {
                assert!(o[col].is_empty(), "{key:?}: {col} should be blank");
                continue;
            }
            let (a, b): (f64, f64) = (o[col].parse().unwrap(), r[col].parse().unwrap());
            assert!((a - b).abs() < 1e-9, "{key:?} {col}: ours {a}, R {b}");
            compared += 1;
        }
    }
    // 11 dimensions, 30-odd groups, baseline + 2 scenarios: several hundred numbers.
    assert!(compared > 300, "only {compared} values compared");
}

#[test]
fn breakdowns_need_their_columns() {
    let case = case().edit("sex = \"sex\"  ", "sex = \"gender\"  ");
    let err = case.lock_and_run_err();
    crate::common::case::assert_error(&err, 5, &["spot.breakdowns.sex", "`gender`"]);
}
