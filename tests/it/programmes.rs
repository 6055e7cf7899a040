//! Existing programmes: SDG 1.3.1 coverage on a six-person survey worked out on paper; a removed
//! programme restores pre-transfer welfare bit for bit; replace, expand and top-up on the same
//! survey; take-up calibrated to an administrative total within one household's weight, and a
//! total above the eligible refused; the figures against R `survey` on a synthetic survey; and
//! the SUSENAS example's tables repeat byte for byte.

use std::path::Path;

use serde_json::Value;
use vnr_brief::analysis::spot;
use vnr_brief::io::inputs;
use vnr_brief::results::programmes::{CoverageGroup, ProgrammeResult, ProgrammesResult};
use vnr_brief::spec::{self, FileFormat};
use vnr_brief::survey;

use crate::common::case::ROOT;

/// Three households, one stratum of two PSUs. Household 1 (weight 10, two persons) receives the
/// household cash transfer `cct`, 30 a month; household 2 (weight 20, one person aged 70) a
/// person-level pension of 50 a month; household 3 (weight 5, three persons) nothing.
const DATA: &str = "\
hhid,psu,stratum,w,size,cons,age,relation,disability,cct,cct_amount,pension,pension_amount,score
1,1,A,10,2,100.3,30,Head,0,1,30,0,0,1.0
1,1,A,10,2,100.3,3,Child,0,1,30,0,0,1.0
2,1,A,20,1,300.7,70,Head,0,0,0,1,50,3.0
3,2,A,5,3,50.1,40,Head,1,0,0,0,0,2.0
3,2,A,5,3,50.1,2,Child,0,0,0,0,0,2.0
3,2,A,5,3,50.1,1,Child,0,0,0,0,0,2.0
";

const PROGRAMMES: &str = r#"
[[programme]]
id = "cct"
label = "Cash transfer"
receipt = "cct = 1"
amount = "cct_amount"
level = "household"
admin_beneficiaries = 20
admin_spending = 7200
admin_year = 2024

[[programme]]
id = "pension"
label = "Social pension"
receipt = "pension = 1"
amount = "pension_amount * 12"
level = "person"
period = "year"
pension = true
"#;

fn spec_text(welfare: &str, rest: &str) -> String {
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
welfare = "{welfare}"
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
id = "age"
column = "age"
label = "Age"
kind = "numeric"

[[indicator]]
id = "x"
label = "x"
sdg = "1.1.1"
outcome = "disability = 1"
unit = "persons"
kind = "opportunity"
circumstances = ["age"]

[spot]
seed = 5
international_lines = [3.0]

{rest}
"#
    )
}

fn prepared(text: &str, data: &str) -> (spec::Spec, survey::Survey) {
    let parsed = spec::parse(text).unwrap();
    spec::validate(&parsed).unwrap();
    let frame = inputs::parse_bytes(
        Path::new("d.csv"),
        FileFormat::Csv,
        data.as_bytes().to_vec(),
    )
    .unwrap();
    let wave = parsed.waves[0].clone();
    let s = survey::from_frame(&parsed, &wave, frame).unwrap();
    (parsed, s)
}

fn simulate(rest: &str) -> spot::SpotResult {
    let (parsed, s) = prepared(&spec_text("cons", rest), DATA);
    spot::simulate_wave(&parsed, &s).unwrap()
}

fn simulate_err(rest: &str) -> String {
    let (parsed, s) = prepared(&spec_text("cons", rest), DATA);
    spot::simulate_wave(&parsed, &s).unwrap_err().to_string()
}

fn group(p: &ProgrammeResult, g: CoverageGroup) -> f64 {
    p.coverage.iter().find(|c| c.group == g).unwrap().rate.value
}

const NONE: &str = r#"
[[scenario]]
id = "none"
label = "Nothing"
[[scenario.scheme]]
kind = "universal"
benefit = 0
"#;

#[test]
fn sdg_1_3_1_coverage_by_hand() {
    let r = simulate(&format!("{PROGRAMMES}{NONE}"));
    let p: &ProgrammesResult = r.programmes.as_ref().unwrap();
    // Pre-transfer welfare: household 1, 100.3 − 30/2 = 85.3 (poor at 120); household 2,
    // 300.7 − 50 = 250.7 (not poor); household 3, 50.1 (poor, no programme).
    // Persons (weights): household 1, 20; household 2, 20; household 3, 15; 55 in all.
    let all = p.programmes.last().unwrap();
    assert_eq!(all.id, "all");
    let eq = |a: f64, b: f64| assert!((a - b).abs() < 1e-15, "{a} vs {b}");
    // Population covered: households 1 and 2, 40 of 55.
    eq(group(all, CoverageGroup::Population), 40.0 / 55.0);
    // The poor before transfers: 20 (household 1) + 15 (household 3); covered 20 of 35.
    eq(group(all, CoverageGroup::Poor), 20.0 / 35.0);
    eq(p.headcount_pre_transfer.value, 35.0 / 55.0);
    // Vulnerable (below 1.5 × 120 = 180): the same 35 persons.
    eq(group(all, CoverageGroup::Vulnerable), 20.0 / 35.0);
    // Children 0–14: the child of household 1 (10) and two of household 3 (5 + 5): 10 of 20.
    eq(group(all, CoverageGroup::Children), 0.5);
    // Older persons 65+ receiving a pension: the head of household 2, 20 of 20.
    eq(group(all, CoverageGroup::OlderPersons), 1.0);
    // Persons with a disability: the head of household 3 (5), not covered.
    eq(group(all, CoverageGroup::Disability), 0.0);
    // Leakage: of the 40 persons covered, household 2's 20 are not poor. Undercoverage: 15 of 35.
    eq(all.leakage.value, 0.5);
    eq(all.undercoverage.value, 15.0 / 35.0);
    assert_eq!((all.leakage.n, all.undercoverage.n), (3, 5));
    // The cash transfer alone: 20 of 55, no older persons row (not a pension).
    let cct = &p.programmes[0];
    eq(group(cct, CoverageGroup::Population), 20.0 / 55.0);
    assert!(cct
        .coverage
        .iter()
        .all(|c| c.group != CoverageGroup::OlderPersons));
    // Spending: 10 households × 30 × 12 = 3600 a year, half the administrative 7200; recipients
    // 10 households against 20.
    eq(cct.spending_lcu, 3600.0);
    eq(cct.spending_ratio.unwrap(), 0.5);
    eq(cct.recipients, 10.0);
    eq(cct.beneficiaries_ratio.unwrap(), 0.5);
    // The pension, annual in the data: 20 × 50 × 12 a year; recipients are persons.
    eq(p.programmes[1].spending_lcu, 12_000.0);
    eq(p.programmes[1].recipients, 20.0);
    // Overlap: no household receives both.
    assert_eq!(p.overlap.len(), 1);
    eq(p.overlap[0].share.value, 0.0);
    // Incidence by pre-transfer decile: all of the cash transfer goes to household 1's decile.
    let shares: f64 = cct.deciles.iter().map(|d| d.spending_share).sum();
    eq(shares, 1.0);
    // SEs: one stratum, two PSUs (households 1 and 2; household 3). The population coverage's
    // linearised PSU totals are z_1 = (40 − r·40)/55 and z_2 = (0 − r·15)/55, r = 40/55; the
    // variance is (2/1)·Σ(z − z̄)² = (z_1 − z_2)², z̄ their mean, so SE = |z_1 − z_2|.
    let r_: f64 = 40.0 / 55.0;
    let (z1, z2): (f64, f64) = ((40.0 - r_ * 40.0) / 55.0, (0.0 - r_ * 15.0) / 55.0);
    let se = (z1 - z2).abs();
    let got = all.coverage[0].rate.se;
    assert!((got - se).abs() < 1e-15, "{got} vs {se}");
}

/// Welfare after removing both programmes, computed in the data as the engine computes
/// pre-transfer welfare (consumption minus the transfers per capita).
#[test]
fn removing_every_programme_restores_pre_transfer_welfare_bit_for_bit() {
    let remove = r#"
[[scenario]]
id = "remove"
label = "Remove both"
[[scenario.scheme]]
kind = "household"
benefit = 0
programme = "cct"
action = "remove"
[[scenario.scheme]]
kind = "universal"
benefit = 0
programme = "pension"
action = "remove"
"#;
    let r = simulate(&format!("{PROGRAMMES}{remove}"));
    let sc = &r.scenarios[0];
    // The same survey with welfare = consumption − (cct + pension)/size, and no programme.
    let derived = r#"
[[derive]]
name = "pre"
expr = "cons - (0.0 + cct_amount * cct + pension_amount * pension) / size"
"#;
    // (The pension's recipient lives alone: the row's amount is the household's.)
    let (parsed, s) = prepared(&spec_text("pre", &format!("{derived}{NONE}")), DATA);
    let pre = spot::baseline(&parsed, &s).unwrap();
    assert_eq!(
        serde_json::to_string(&sc.after).unwrap(),
        serde_json::to_string(&pre).unwrap(),
        "welfare after removing the programmes is pre-transfer welfare"
    );
    assert_eq!(sc.schemes[0].cost_lcu, 0.0);
    let change = sc.schemes[0].programme.as_ref().unwrap();
    assert_eq!(change.removed_lcu, 3600.0);
    // And the pre-transfer headcount is the headcount after the removal.
    let p = r.programmes.as_ref().unwrap();
    assert_eq!(
        p.headcount_pre_transfer.value,
        sc.after.poverty[0].headcount
    );
}

fn scheme(action: &str, kind: &str, benefit: f64) -> String {
    format!(
        r#"
[[scenario]]
id = "s"
label = "s"
[[scenario.scheme]]
kind = "{kind}"
benefit = {benefit}
programme = "cct"
action = "{action}"
"#
    )
}

#[test]
fn replace_expand_and_top_up_by_hand() {
    // Replace the cash transfer (30 a household) with 80 a household: household 1 gets
    // 100.3 − 15 + 40 = 125.3, out of poverty; the others unchanged. Mean of persons:
    // (20 × 125.3 + 20 × 300.7 + 15 × 50.1)/55.
    let r = simulate(&format!(
        "{PROGRAMMES}{}",
        scheme("replace", "household", 80.0)
    ));
    let sc = &r.scenarios[0];
    let mean = (20.0 * (100.3 - 30.0 / 2.0 + 80.0 / 2.0) + 20.0 * 300.7 + 15.0 * 50.1) / 55.0;
    assert!((sc.after.mean_welfare - mean).abs() < 1e-12);
    assert_eq!(sc.schemes[0].recipients, 10.0);
    assert!((sc.after.poverty[0].headcount - 15.0 / 55.0).abs() < 1e-15);
    assert_eq!(
        sc.schemes[0].programme.as_ref().unwrap().removed_lcu,
        3600.0
    );
    // Top up by 10: household 1 only, 100.3 + 5; nothing removed.
    let r = simulate(&format!(
        "{PROGRAMMES}{}",
        scheme("top_up", "household", 10.0)
    ));
    let sc = &r.scenarios[0];
    assert_eq!(sc.schemes[0].recipients, 10.0);
    let mean = (20.0 * (100.3 + 5.0) + 20.0 * 300.7 + 15.0 * 50.1) / 55.0;
    assert!((sc.after.mean_welfare - mean).abs() < 1e-12);
    assert_eq!(sc.schemes[0].programme.as_ref().unwrap().removed_lcu, 0.0);
    // Expand with 90 a household: households 2 and 3 (weights 20 and 5), not household 1.
    let r = simulate(&format!(
        "{PROGRAMMES}{}",
        scheme("expand", "household", 90.0)
    ));
    let sc = &r.scenarios[0];
    assert_eq!(sc.schemes[0].recipients, 25.0);
    let mean = (20.0 * 100.3 + 20.0 * (300.7 + 90.0) + 15.0 * (50.1 + 30.0)) / 55.0;
    assert!((sc.after.mean_welfare - mean).abs() < 1e-12);
    // Household 3: 50.1 + 30 = 80.1, still poor; household 1 stays poor: 35/55.
    assert!((sc.after.poverty[0].headcount - 35.0 / 55.0).abs() < 1e-15);
}

fn calibrated(target: f64) -> String {
    format!(
        r#"
[[scenario]]
id = "cal"
label = "Calibrated"
[[scenario.scheme]]
kind = "household"
label = "Grant"
benefit = 10
admin_beneficiaries = {target}
"#
    )
}

#[test]
fn take_up_is_calibrated_to_the_administrative_total_within_one_weight() {
    // Households weigh 10, 20 and 5 (35 in all); every target is reached, never by a whole
    // household's weight more.
    for target in [1.0, 5.0, 12.0, 25.0, 30.0, 35.0] {
        let r = simulate(&calibrated(target));
        let c = r.scenarios[0].schemes[0].calibration.clone().unwrap();
        assert_eq!(c.target, target);
        assert!(c.achieved >= target, "{target}: {c:?}");
        let last = [10.0, 20.0, 5.0]
            .into_iter()
            .filter(|&w| c.achieved - w < target)
            .count();
        assert!(
            last > 0,
            "{target}: the last household taken was not needed: {c:?}"
        );
        assert!(c.achieved - target < 20.0);
        assert_eq!(r.scenarios[0].schemes[0].recipients, c.achieved);
        assert!((c.take_up - c.achieved / 35.0).abs() < 1e-15);
    }
    // The same seed, the same recipients.
    assert_eq!(simulate(&calibrated(12.0)), simulate(&calibrated(12.0)));
}

#[test]
fn an_administrative_total_above_the_eligible_is_refused() {
    let err = simulate_err(&calibrated(36.0));
    for needle in [
        "scenario 'cal'.scheme[0].admin_beneficiaries",
        "'Grant'",
        "36",
        "35",
    ] {
        assert!(err.contains(needle), "{needle:?} not in: {err}");
    }
}

#[test]
fn a_scheme_naming_an_unknown_programme_is_refused() {
    let text = spec_text(
        "cons",
        &format!("{PROGRAMMES}{}", scheme("remove", "household", 0.0)),
    )
    .replace(
        "programme = \"cct\"\naction",
        "programme = \"nope\"\naction",
    );
    let err = spec::validate(&spec::parse(&text).unwrap()).unwrap_err();
    assert!(
        err.contains("scenario 's'.scheme[0].programme") && err.contains("nope"),
        "{err}"
    );
    let text = spec_text(
        "cons",
        &format!("{PROGRAMMES}{}", scheme("remove", "household", 0.0)),
    )
    .replace("action = \"remove\"\n", "");
    let err = spec::validate(&spec::parse(&text).unwrap()).unwrap_err();
    assert!(err.contains("scenario 's'.scheme[0].action"), "{err}");
}

/// The R reference (tests/reference/programmes_reference.R) on tests/fixtures/programmes_survey.csv.
#[test]
fn coverage_targeting_and_incidence_equal_r_survey() {
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{ROOT}/tests/fixtures/programmes_reference.json"))
            .unwrap(),
    )
    .unwrap();
    let data =
        std::fs::read_to_string(format!("{ROOT}/tests/fixtures/programmes_survey.csv")).unwrap();
    let text = spec_text("consumption_pc", &format!("{SUSENAS_PROGRAMMES}{NONE}"))
        .replace("strata = \"stratum\"", "strata = \"province\"")
        .replace("weight = \"w\"", "weight = \"hh_weight\"")
        .replace("household_size = \"size\"", "household_size = \"hhsize\"")
        .replace("head = \"relation = 'Head'\"", "head = \"line = 1\"")
        .replace(
            "national_poverty_line = 120",
            "national_poverty_line = 600000",
        );
    let text =
        format!("{text}\n[[derive]]\nname = \"consumption_pc\"\nexpr = \"value_month / hhsize\"\n");
    let (parsed, s) = prepared(&text, &data);
    let r = spot::simulate_wave(&parsed, &s).unwrap();
    // A rerun gives the same results, byte for byte.
    let again = spot::simulate_wave(&parsed, &s).unwrap();
    assert_eq!(
        serde_json::to_string(&r).unwrap(),
        serde_json::to_string(&again).unwrap()
    );
    let p = r.programmes.unwrap();
    let close = |got: f64, want: &Value, what: &str| {
        let want = want.as_f64().unwrap_or_else(|| panic!("{what}: {want}"));
        assert!(
            (got - want).abs() <= 1e-9 * want.abs().max(1e-3),
            "{what}: {got} vs R {want}"
        );
    };
    close(
        p.headcount_pre_transfer.value,
        &reference["headcount_pre_transfer"]["value"],
        "pre-transfer headcount",
    );
    close(
        p.headcount_pre_transfer.se,
        &reference["headcount_pre_transfer"]["se"],
        "pre-transfer headcount SE",
    );
    let mut compared = 0;
    for q in &p.programmes {
        let want = &reference[q.id.as_str()];
        for c in &q.coverage {
            let key = serde_json::to_value(c.group).unwrap();
            let w = &want[key.as_str().unwrap()];
            close(c.rate.value, &w["value"], &format!("{} {key}", q.id));
            close(c.rate.se, &w["se"], &format!("{} {key} SE", q.id));
            compared += 2;
        }
        for (name, rate) in [("leakage", &q.leakage), ("undercoverage", &q.undercoverage)] {
            close(
                rate.value,
                &want[name]["value"],
                &format!("{} {name}", q.id),
            );
            close(rate.se, &want[name]["se"], &format!("{} {name} SE", q.id));
            compared += 2;
        }
        for (d, w) in q
            .deciles
            .iter()
            .zip(want["spending_share"].as_array().unwrap())
        {
            close(
                d.spending_share,
                &w["value"],
                &format!("{} decile {}", q.id, d.decile),
            );
            close(
                d.spending_share_se,
                &w["se"],
                &format!("{} decile {} SE", q.id, d.decile),
            );
            compared += 2;
        }
        close(
            q.spending_lcu,
            &want["spending_lcu"],
            &format!("{} spending", q.id),
        );
    }
    let o = &p.overlap[0];
    assert_eq!((o.first.as_str(), o.second.as_str()), ("pkh", "bpnt"));
    close(
        o.share.value,
        &reference["overlap_pkh_bpnt"]["value"],
        "overlap",
    );
    close(
        o.share.se,
        &reference["overlap_pkh_bpnt"]["se"],
        "overlap SE",
    );
    close(
        o.share_of_first.value,
        &reference["overlap_pkh_bpnt_of_first"]["value"],
        "overlap of first",
    );
    close(
        o.share_of_first.se,
        &reference["overlap_pkh_bpnt_of_first"]["se"],
        "overlap of first SE",
    );
    // Four programmes' rows (three and all), each with its groups, targeting and deciles.
    assert!(compared > 120, "{compared}");
}

/// The SUSENAS example's three programmes, as in specs/susenas_example.toml.
const SUSENAS_PROGRAMMES: &str = r#"
[[programme]]
id = "pkh"
label = "Family Hope Programme"
receipt = "pkh = 1"
amount = "pkh_amount"
level = "household"
period = "year"

[[programme]]
id = "bpnt"
label = "Food assistance"
receipt = "bpnt = 1"
amount = "bpnt_amount"
level = "household"

[[programme]]
id = "aslut"
label = "Social pension"
receipt = "pension_social = 1"
amount = "pension_amount"
level = "person"
pension = true
"#;
