//! The RAP-grade projection on a whole run: a population table from a CSV file (hashed and
//! locked like a survey file), phase-in and indexation per scheme with the real value path,
//! cost as % of GDP and of expenditure, the financing view; a bad population file is refused
//! naming the file and the column; a rerun is byte-identical. The hand-computed ILO RAP example
//! is `analysis::spot::rap::tests::hand_computed_rap_example` (its types are crate-private).

use std::fs;

use serde_json::Value;

use crate::common::case::{assert_error, Case};

/// Five-year bands to 80+ for 2024-2034, every band growing 1% a year from `base` persons.
fn population_csv(base: f64, count_column: &str) -> String {
    let mut out = format!("year,age_from,age_to,sex,{count_column}\n");
    for year in 2024..=2034 {
        let g = 1.01f64.powi(year - 2024);
        for band in 0..17u32 {
            let (from, to) = (5 * band, if band == 16 { 120 } else { 5 * band + 4 });
            for sex in ["female", "male"] {
                out.push_str(&format!("{year},{from},{to},{sex},{}\n", base * g));
            }
        }
    }
    out
}

fn case(count_column: &str) -> Case {
    let case = Case::csv()
        .edit(
            "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
            "formats = [\"md\"]",
        )
        .edit(
            "[projection]\n",
            "[projection]\npopulation_csv = \"data/population.csv\"\n",
        )
        // The child benefit phased in over three years and not indexed; the pension on wages.
        .edit(
            "max_age = 5\nbenefit = 150000\n",
            "max_age = 5\nbenefit = 150000\nphase_in = [0.25, 0.5, 1.0]\nindexation = \"none\"\n",
        )
        .edit(
            "benefit = 300000\nadmin_cost = 0.03\n",
            "benefit = 300000\nadmin_cost = 0.03\nindexation = \"wages\"\n",
        );
    fs::write(
        case.path("data/population.csv"),
        population_csv(1.0e6, count_column),
    )
    .unwrap();
    case
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-12 * b.abs().max(1.0),
        "{what}: {a} vs {b}"
    );
}

#[test]
fn table_phase_in_and_indexation_follow_the_rap_formulas() {
    let r = case("count").lock_and_run_results();
    let spot = &r["spot"];
    assert_eq!(spot["projection_population"]["kind"], "table");
    assert_eq!(spot["projection_population"]["path"], "data/population.csv");
    let input = r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["role"] == "population");
    assert!(
        input.is_some(),
        "the population file is an input of the run"
    );
    let f = |v: &Value| v.as_f64().unwrap();
    let (inflation, wages) = (0.03f64, 0.07f64);
    let child = &spot["scenarios"][0];
    assert_eq!(child["id"], "child");
    let years = child["cost_by_scheme"].as_array().unwrap();
    assert_eq!(years.len(), 11);
    let full0 = f(&years[0]["beneficiaries"]) / 0.25;
    for (t, y) in years.iter().enumerate() {
        let phase = [0.25, 0.5, 1.0][t.min(2)];
        close(f(&y["phase_in"]), phase, "phase-in");
        // Every band grows 1% a year, so the full caseload does too.
        close(
            f(&y["beneficiaries"]),
            full0 * phase * 1.01f64.powi(t as i32),
            "caseload",
        );
        close(f(&y["benefit_monthly_lcu"]), 150000.0, "not indexed");
        let real = 150000.0 / (1.0 + inflation).powi(t as i32);
        close(f(&y["benefit_monthly_real_lcu"]), real, "real value");
        let cost = f(&y["beneficiaries"]) * 150000.0 * 12.0 * 1.03;
        close(f(&y["cost_lcu"]), cost, "cost");
    }
    let pension = &spot["scenarios"][1]["cost_by_scheme"][10];
    close(
        f(&pension["benefit_monthly_lcu"]),
        300000.0 * (1.0 + wages).powi(10),
        "wage index",
    );
    // Totals, % of expenditure and the financing view.
    for sc in spot["scenarios"].as_array().unwrap() {
        for (t, y) in sc["projection"].as_array().unwrap().iter().enumerate() {
            let by_scheme: f64 = sc["cost_by_scheme"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|s| s["year"] == y["year"])
                .map(|s| f(&s["cost_lcu"]))
                .sum();
            close(f(&y["cost_lcu"]), by_scheme, "total = sum of schemes");
            let gdp = f(&y["gdp_lcu"]);
            close(
                f(&y["cost_pct_expenditure"]),
                100.0 * f(&y["cost_lcu"]) / (0.15 * gdp),
                "% exp",
            );
            let revenue = &sc["financing"][t];
            assert_eq!(revenue["option"], "revenue");
            let space = 0.3 + 0.05 * t as f64;
            close(f(&revenue["space_pct_gdp"]), space, "space");
            close(
                f(&revenue["gap_lcu"]),
                space / 100.0 * gdp - f(&y["cost_lcu"]),
                "gap",
            );
        }
        let c = &sc["comparison"];
        close(
            f(&c["cost_pct_gdp_last"]),
            f(&sc["projection"][10]["cost_pct_gdp"]),
            "last",
        );
        assert_eq!(c["last_year"], 2034);
    }
}

#[test]
fn a_population_file_without_its_count_column_is_refused_by_name() {
    let err = case("persons").lock_and_run_err();
    assert_error(&err, 4, &["population.csv", "column `count`", "missing"]);
}

#[test]
fn a_changed_population_file_is_refused_and_a_rerun_is_byte_identical() {
    let case = case("count");
    case.lock_and_run_results();
    let first = crate::common::case::snapshot(&case.path("out"));
    fs::rename(case.path("out"), case.path("first")).unwrap();
    case.lock_and_run_results();
    assert_eq!(
        first,
        crate::common::case::snapshot(&case.path("out")),
        "rerun differs"
    );
    let cost = fs::read_to_string(case.path("out/tables/cost_projection.csv")).unwrap();
    assert!(
        cost.starts_with("scenario,scheme,scheme_label,kind,year,"),
        "{cost}"
    );
    assert_eq!(
        cost.lines().count(),
        1 + 11 * 7,
        "11 years of the 7 schemes of 5 scenarios"
    );
    fs::write(
        case.path("data/population.csv"),
        population_csv(2.0e6, "count"),
    )
    .unwrap();
    let err = case.run_err();
    assert_error(&err, 4, &["population.csv"]);
}
