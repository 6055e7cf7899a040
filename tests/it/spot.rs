//! SPOT on hand-checkable data: a six-person survey whose poverty, cost and incidence can be worked
//! out on paper; zero benefits change nothing; full coverage does not depend on the seed; a
//! targeted scheme reaches only its target. (One stratum of two PSUs: a design of lone PSUs only
//! is refused.)

use std::path::Path;

use vnr_brief::analysis::spot;
use vnr_brief::io::inputs;
use vnr_brief::spec::{self, FileFormat};
use vnr_brief::survey;

const DATA: &str = "\
hhid,psu,stratum,w,size,cons,age,urban,relation,disability,score
1,1,A,10,2,100,30,Urban,Head,0,1.0
1,1,A,10,2,100,3,Urban,Child,0,1.0
2,1,A,20,1,300,70,Rural,Head,0,3.0
3,2,A,5,3,50,40,Rural,Head,1,2.0
3,2,A,5,3,50,2,Rural,Child,0,2.0
3,2,A,5,3,50,1,Rural,Child,0,2.0
";

fn spec_text(scenarios: &str, seed: u64) -> String {
    format!(
        r#"
[brief]
title = "t"
country = "c"
iso3 = "XXX"
currency = "LCU"
reference_date = "2026-01-01"
source = "s"

[[wave]]
id = "w"
year = 2024
path = "d.csv"
unit = "person"
household_id = "hhid"
weight = "w"
strata = "stratum"
psu = "psu"
household_size = "size"
welfare = "cons"
urban = "urban"
age = "age"
head = "relation = 'Head'"

[macro]
gdp = 1000000
gdp_per_capita = 1000
government_revenue = 100000
ppp_factor = 1
cpi_ratio = 1
national_poverty_line = 120

[[circumstance]]
id = "urban"
column = "urban"
label = "Residence"
kind = "unordered"

[[indicator]]
id = "x"
label = "x"
sdg = "1.1.1"
outcome = "disability = 1"
unit = "persons"
kind = "opportunity"
circumstances = ["urban"]

[spot]
seed = {seed}
international_lines = [3.0]

{scenarios}
"#
    )
}

fn simulate(scenarios: &str, seed: u64) -> spot::SpotResult {
    let parsed = spec::parse(&spec_text(scenarios, seed)).unwrap();
    spec::validate(&parsed).unwrap();
    let frame = inputs::parse_bytes(
        Path::new("d.csv"),
        FileFormat::Csv,
        DATA.as_bytes().to_vec(),
    )
    .unwrap();
    let wave = parsed.waves[0].clone();
    let s = survey::from_frame(&parsed, &wave, frame).unwrap();
    spot::simulate_wave(&parsed, &s).unwrap()
}

const CHILD: &str = r#"
[[scenario]]
id = "child"
label = "Child benefit"
[[scenario.scheme]]
kind = "child"
min_age = 0
max_age = 5
benefit = 60
admin_cost = 0.1
"#;

#[test]
fn child_benefit_by_hand() {
    let r = simulate(CHILD, 1);
    // Persons: household 1 (2 × 10, welfare 100), 2 (1 × 20, 300), 3 (3 × 5, 50): 55 in all.
    // Line 120: households 1 and 3 are poor: 35/55.
    let base = &r.baseline.poverty[0];
    assert!((base.headcount - 35.0 / 55.0).abs() < 1e-15);
    assert!((base.gap - (20.0 * (20.0 / 120.0) + 15.0 * (70.0 / 120.0)) / 55.0).abs() < 1e-15);
    let sc = &r.scenarios[0];
    // Household 1: +60/2 → 130, out of poverty; household 3: +120/3 → 90, still poor.
    let after = &sc.after.poverty[0];
    assert!((after.headcount - 15.0 / 55.0).abs() < 1e-15);
    assert!((after.gap - 15.0 * 0.25 / 55.0).abs() < 1e-15);
    assert!((after.severity - 15.0 * 0.0625 / 55.0).abs() < 1e-15);
    // Recipients: 3 children, weights 10 + 5 + 5; cost 20 × 60 × 12 × 1.1.
    let scheme = &sc.schemes[0];
    assert_eq!(scheme.recipients_n, 3);
    assert!((scheme.recipients - 20.0).abs() < 1e-12);
    assert!((sc.cost_lcu - 15_840.0).abs() < 1e-9);
    assert!((sc.cost_pct_gdp - 1.584).abs() < 1e-12);
    assert!((sc.cost_pct_revenue - 15.84).abs() < 1e-12);
    assert!((sc.direct_recipients - 20.0).abs() < 1e-12);
    assert!((sc.people_in_recipient_households - 35.0).abs() < 1e-12);
    // Money-metric gap closed a year: before 20·20 + 15·70 = 1450, after 15·30 = 450 → 1000 a
    // month, 12,000 a year, per 15,840 of cost.
    assert!((sc.gap_closed_per_lcu - 12_000.0 / 15_840.0).abs() < 1e-12);
    // All transfers go to households poor before transfers.
    assert_eq!(sc.share_to_poor, 1.0);
    // Urban: household 1 only (20 persons) — poor before, not after, covered.
    let urban = sc.areas.iter().find(|a| a.area == "Urban").unwrap();
    assert_eq!(
        (
            urban.headcount_before,
            urban.headcount_after,
            urban.coverage
        ),
        (1.0, 0.0, 1.0)
    );
    let rural = sc.areas.iter().find(|a| a.area == "Rural").unwrap();
    assert!((rural.headcount_after - 15.0 / 35.0).abs() < 1e-15);
    assert!((rural.coverage - 15.0 / 35.0).abs() < 1e-15);
    // Projection year 0 is the simulated cost.
    assert_eq!(sc.projection[0].year, 2024);
    assert!((sc.projection[0].cost_lcu - sc.cost_lcu).abs() < 1e-9);
    assert_eq!(sc.projection.len(), 11);
}

#[test]
fn incidence_by_pre_transfer_decile() {
    let r = simulate(CHILD, 1);
    let sc = &r.scenarios[0];
    let total_share: f64 = sc.deciles.iter().map(|d| d.benefit_share).sum();
    assert!((total_share - 1.0).abs() < 1e-12);
    // Household 3 (welfare 50, 15 of 55 persons) is the poorest: q(0.1) = q(0.2) = 50, so by
    // value all its members are in decile 1 and deciles 2 and 3 are empty.
    let d1 = &sc.deciles[0];
    assert!((d1.mean_before - 50.0).abs() < 1e-12 && (d1.mean_after - 90.0).abs() < 1e-12);
    assert!((d1.change_pct - 80.0).abs() < 1e-9);
    assert_eq!(d1.coverage, 1.0);
    assert!((d1.benefit_share - 0.5).abs() < 1e-12); // 5·120 of 10·60 + 5·120
    assert_eq!(sc.deciles[1].benefit_share, 0.0);
}

#[test]
fn zero_benefit_changes_nothing() {
    let r = simulate(&CHILD.replace("benefit = 60", "benefit = 0"), 1);
    let sc = &r.scenarios[0];
    assert_eq!(sc.after, r.baseline);
    assert_eq!(sc.cost_lcu, 0.0);
    assert_eq!(sc.direct_recipients, 0.0);
    assert!(sc
        .deciles
        .iter()
        .all(|d| d.change_pct == 0.0 && d.coverage == 0.0));
}

#[test]
fn full_coverage_does_not_depend_on_the_seed_and_partial_coverage_does_draw() {
    assert_eq!(simulate(CHILD, 1), simulate(CHILD, 99));
    let partial = CHILD.replace("admin_cost = 0.1", "admin_cost = 0.1\ncoverage = 0.5");
    let runs: Vec<u64> = (0..20)
        .map(|seed| simulate(&partial, seed).scenarios[0].schemes[0].recipients_n)
        .collect();
    assert!(
        runs.iter().any(|&n| n < 3),
        "some seed leaves a child out: {runs:?}"
    );
    assert_eq!(
        simulate(&partial, 5),
        simulate(&partial, 5),
        "same seed, same draw"
    );
}

#[test]
fn targeting_reaches_only_the_bottom() {
    // Bottom 30% of persons by welfare: household 3 (15 of 55 persons, midpoint 0.14) only.
    let targeted = r#"
[[scenario]]
id = "grant"
label = "Poverty-targeted household grant"
[[scenario.scheme]]
kind = "household"
benefit = 90
target_bottom = 0.3
"#;
    let sc = &simulate(targeted, 1).scenarios[0];
    assert_eq!(sc.schemes[0].recipients_n, 1);
    assert_eq!(sc.schemes[0].paid_to, spot::PaidTo::Households);
    assert!((sc.schemes[0].recipients - 5.0).abs() < 1e-12); // household weight of household 3
    assert!((sc.cost_lcu - 5.0 * 90.0 * 12.0).abs() < 1e-9);
    assert!((sc.people_in_recipient_households - 15.0).abs() < 1e-12);
    // Ranked by a score column instead: household 1 has the lowest score.
    let by_score = targeted.replace(
        "target_bottom = 0.3",
        "target_bottom = 0.3\ntarget_score = \"score\"",
    );
    let sc = &simulate(&by_score, 1).scenarios[0];
    assert!((sc.people_in_recipient_households - 20.0).abs() < 1e-12);
}
