//! Sub-national results carry their uncertainty: on a crafted small survey, each region's rate SE
//! is the design-based SE of the region as a domain (checked against `Design::mean_se` and the
//! with-replacement formula by hand), flags follow the national rule, a tiny region gets no tree,
//! a region whose tree cannot split has no furthest-behind group, and no regional estimate
//! becomes a sentence of the brief.

use std::collections::HashMap;
use std::fs;

use crate::common::case::*;
use serde_json::Value;
use vnr_brief::estimate::variance::Design;

/// The region given to the first households of the latest wave.
const TINY: &str = "Pulau Kecil";
const TINY_HOUSEHOLDS: usize = 12;
/// The region made alike in every circumstance of `internet` (wealth and residence only).
const ALIKE: &str = "Barat Raya";

/// The latest CSV wave as (header, rows).
fn read_wave(case: &Case) -> (Vec<String>, Vec<Vec<String>>) {
    let mut out = (Vec::new(), Vec::new());
    case.edit_csv(WAVES[1], |header, rows| {
        out = (header.to_vec(), rows.clone());
    });
    out
}

/// The small demo case: its first households moved to a tiny region, and one region where every
/// household is in the middle quintile and urban, so a tree on wealth and residence cannot split.
fn crafted_case() -> Case {
    let case = Case::csv().edit(
        "catalogue = \"internet\"\ncircumstances = [\"wealth\", \"residence\", \"sex\", \"education\"]",
        "catalogue = \"internet\"\ncircumstances = [\"wealth\", \"residence\"]",
    );
    case.edit_csv(WAVES[1], |header, rows| {
        let at = |name: &str| header.iter().position(|h| h == name).unwrap();
        let (hh, region) = (at("hhid"), at("region"));
        let (wealth, urban) = (at("wealth_quintile"), at("urban"));
        let electricity = at("electricity");
        let mut first: Vec<String> = Vec::new();
        for row in rows.iter_mut() {
            if !first.contains(&row[hh]) && first.len() < TINY_HOUSEHOLDS {
                first.push(row[hh].clone());
            }
            if first.contains(&row[hh]) {
                row[region] = TINY.into();
                // One tiny household without electricity: the tiny region's rate is not constant.
                if row[hh] == first[0] {
                    row[electricity] = "0".into();
                }
            } else if row[region] == ALIKE {
                row[wealth] = "Q3".into();
                row[urban] = "Urban".into();
            }
        }
    });
    case.lock();
    case
}

/// Dense codes of a column's values, in order of first appearance.
fn codes(rows: &[Vec<String>], column: usize) -> Vec<u32> {
    let mut seen: HashMap<&str, u32> = HashMap::new();
    rows.iter()
        .map(|r| {
            let next = seen.len() as u32;
            *seen.entry(r[column].as_str()).or_insert(next)
        })
        .collect()
}

/// Electricity (households: heads' rows) in one region: every row's outcome and its weight, 0
/// outside the region and the population (a domain of the whole wave).
fn electricity_in(header: &[String], rows: &[Vec<String>], region: &str) -> (Vec<f64>, Vec<f64>) {
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (rel, reg, y, w) = (
        at("relation"),
        at("region"),
        at("electricity"),
        at("hh_weight"),
    );
    rows.iter()
        .map(|r| {
            let inside = r[rel] == "Head" && r[reg] == region;
            let weight = if inside { r[w].parse().unwrap() } else { 0.0 };
            (r[y].parse::<f64>().unwrap_or(0.0), weight)
        })
        .unzip()
}

/// The with-replacement linearised SE of a domain ratio, written out from its definition
/// (docs/methods.md section 13) on record-level values: z = w(y − R)/W, PSU totals, deviations
/// from the stratum mean over every PSU of the stratum, n_h/(n_h − 1).
fn se_by_hand(strata: &[u32], psus: &[u32], y: &[f64], w: &[f64]) -> f64 {
    let total_w: f64 = w.iter().sum();
    let ratio = y.iter().zip(w).map(|(y, w)| y * w).sum::<f64>() / total_w;
    let mut psu_total: HashMap<(u32, u32), f64> = HashMap::new();
    for i in 0..y.len() {
        *psu_total.entry((strata[i], psus[i])).or_insert(0.0) += w[i] * (y[i] - ratio) / total_w;
    }
    let mut by_stratum: HashMap<u32, Vec<f64>> = HashMap::new();
    for ((h, _), t) in psu_total {
        by_stratum.entry(h).or_default().push(t);
    }
    let var: f64 = by_stratum
        .values()
        .filter(|t| t.len() > 1)
        .map(|t| {
            let n = t.len() as f64;
            let mean = t.iter().sum::<f64>() / n;
            n / (n - 1.0) * t.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>()
        })
        .sum();
    var.sqrt()
}

fn indicator<'a>(results: &'a Value, id: &str) -> &'a Value {
    let wave = results["waves"].as_array().unwrap().last().unwrap();
    let all = wave["indicators"].as_array().unwrap();
    all.iter().find(|i| i["id"] == id).unwrap()
}

fn region<'a>(ind: &'a Value, name: &str) -> &'a Value {
    let all = ind["regions"].as_array().unwrap();
    all.iter().find(|r| r["region"] == name).unwrap()
}

#[track_caller]
fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-12 * b.abs(), "{what}: {a} vs {b}");
}

#[test]
fn regional_estimates_carry_their_uncertainty_and_a_tiny_region_no_group() {
    let case = crafted_case();
    let out = case.path("out");
    run_into(&case.spec_path(), &out);
    let text = fs::read_to_string(out.join("results.json")).unwrap();
    let results: Value = serde_json::from_str(&text).unwrap();
    let (header, rows) = read_wave(&case);
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (strata, psus) = (codes(&rows, at("province")), codes(&rows, at("psu")));
    let design = Design::from_codes(&strata, &psus);

    // Electricity: each region's SE is the SE of the region as a domain of the whole wave.
    let electricity = indicator(&results, "electricity");
    let regions = electricity["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 6, "five regions and the tiny one");
    let mut by_hand = 0;
    for r in regions {
        let name = r["region"].as_str().unwrap();
        let (y, w) = electricity_in(&header, &rows, name);
        let n = w.iter().filter(|&&w| w > 0.0).count() as u64;
        assert_eq!(r["n"].as_u64().unwrap(), n, "{name}: the same records");
        let (se, rate) = (r["rate_se"].as_f64().unwrap(), r["rate"].as_f64().unwrap());
        close(se, design.mean_se(&y, &w), name);
        let (lo, hi) = (r["ci"][0].as_f64().unwrap(), r["ci"][1].as_f64().unwrap());
        assert!(
            lo <= rate && rate <= hi && lo >= 0.0 && hi <= 1.0,
            "{name}: {lo} {hi}"
        );
        if rate < 1.0 {
            // Not everyone has access: a real SE, and the formula written out agrees.
            assert!(se > 0.0, "{name}: {r}");
            close(se, se_by_hand(&strata, &psus, &y, &w), "by hand");
            by_hand += 1;
        } else {
            assert_eq!(se, 0.0, "{name}: everyone alike");
            assert!(hi == 1.0 && lo < 1.0, "Clopper–Pearson at 100%: {r}");
        }
    }
    assert!(
        by_hand >= 2,
        "the tiny region and at least one other checked by hand"
    );
    let d_ses: Vec<f64> = regions
        .iter()
        .filter_map(|r| r["inequality"]["d_se"].as_f64())
        .collect();
    assert!(
        d_ses.iter().any(|&se| se > 0.0),
        "bootstrap SEs of regional D: {d_ses:?}"
    );

    // The tiny region: flagged for its records, no tree, the reason typed, no group.
    let tiny = region(electricity, TINY);
    assert!(tiny["n"].as_u64().unwrap() == TINY_HOUSEHOLDS as u64);
    assert_eq!(tiny["flag"]["reason"], "few_records", "{tiny}");
    assert_eq!(tiny["no_group"]["reason"], "few_records", "{tiny}");
    assert_eq!(tiny["no_group"]["min"], 98, "2 × minbucket 49");
    assert!(tiny["furthest_behind"].is_null());

    // A region alike in every circumstance: a tree is grown but cannot split; no group.
    let alike = region(indicator(&results, "internet"), ALIKE);
    assert!(alike["n"].as_u64().unwrap() >= 98, "{alike}");
    assert_eq!(alike["no_group"]["reason"], "no_split", "{alike}");
    assert!(alike["furthest_behind"].is_null());
    every_region_follows_the_rules(&results);
    the_brief_states_no_regional_finding(&fs::read_to_string(out.join("brief.md")).unwrap());

    // Same seed, same bootstrap: a rerun gives the same regional SEs, byte for byte.
    let again = case.path("again");
    run_into(&case.spec_path(), &again);
    assert_eq!(
        fs::read_to_string(again.join("results.json")).unwrap(),
        text
    );
}

/// Every region of every indicator: the flag follows the national rule, and a group exists
/// exactly when there is no reason for its absence, never the whole region ("everyone").
fn every_region_follows_the_rules(results: &Value) {
    let (min_n, max_cv) = (50, 0.30);
    let wave = results["waves"].as_array().unwrap().last().unwrap();
    let mut flagged = 0;
    for ind in wave["indicators"].as_array().unwrap() {
        for r in ind["regions"].as_array().unwrap() {
            let (n, rate) = (r["n"].as_u64().unwrap(), r["rate"].as_f64().unwrap());
            let cv = r["rate_se"].as_f64().unwrap() / rate;
            let want = if n < min_n {
                Some("few_records")
            } else if rate == 0.0 || cv > max_cv {
                Some("high_cv")
            } else {
                None
            };
            assert_eq!(r["flag"]["reason"].as_str(), want, "{}: {r}", ind["id"]);
            flagged += want.is_some() as usize;
            let behind = &r["furthest_behind"];
            assert_eq!(behind.is_null(), !r["no_group"].is_null(), "{r}");
            if !behind.is_null() {
                let conditions = behind["group"]["conditions"].as_array().unwrap();
                assert!(!conditions.is_empty(), "a group, not everyone: {r}");
                assert!(behind["se"].as_f64().unwrap() > 0.0, "{r}");
            }
        }
    }
    assert!(flagged > 0, "the case holds flagged regional rates");
}

/// The brief's regional tables print the tiny region's reason, never "Everyone", and mark the
/// flagged rates; no region is named in the Highlights, Priorities or the LNOB chapter's prose.
fn the_brief_states_no_regional_finding(md: &str) {
    let lnob = &md[md.find("## Who is furthest behind").unwrap()..];
    let lnob = &lnob[..lnob[3..].find("\n## ").unwrap()];
    let tiny_rows: Vec<&str> = lnob
        .lines()
        .filter(|l| l.starts_with(&format!("| {TINY} |")))
        .collect();
    assert!(!tiny_rows.is_empty(), "{lnob}");
    for row in tiny_rows {
        assert!(row.contains(" † |"), "flagged rate marked: {row}");
        let n = row.split(" | ").nth(1).unwrap();
        let reason = format!("| none: {n} records, fewer than the 98 a tree needs for one split |");
        assert!(row.ends_with(&reason), "{row}");
    }
    let alike_internet = lnob[lnob.find("### Internet use").unwrap()..]
        .lines()
        .find(|l| l.starts_with(&format!("| {ALIKE} |")))
        .unwrap();
    assert!(
        alike_internet
            .ends_with("| none: the tree found no split, so no group can be told apart |"),
        "{alike_internet}"
    );
    let names = [
        TINY,
        ALIKE,
        "Tengah Jaya",
        "Selatan Permai",
        "Utara Lestari",
        "Timur Jauh",
    ];
    for line in lnob.lines() {
        if names.iter().any(|n| line.starts_with(&format!("| {n} |"))) {
            assert!(!line.contains("Everyone"), "{line}");
        }
    }
    let prose: Vec<&str> = lnob.lines().filter(|l| !l.starts_with('|')).collect();
    for section in [
        section_of(md, "## Highlights"),
        section_of(md, "## Priorities"),
        &prose.join("\n"),
    ] {
        for name in names {
            assert!(!section.contains(name), "{name} named in\n{section}");
        }
    }
}

fn section_of<'a>(md: &'a str, heading: &str) -> &'a str {
    let rest = &md[md.find(heading).unwrap()..];
    &rest[..rest[3..].find("\n## ").map_or(rest.len(), |e| e + 3)]
}
