//! Every sentence of the brief is a claim: these tests craft a survey that would tempt the brief
//! into a claim its numbers do not support, and check that the brief does not make it.

use std::fs;

use crate::common::case::*;

/// The demo spec with its 2021 wave removed: one wave only.
fn single_wave_case() -> Case {
    let case = Case::csv();
    let start = case.spec_text.find("[[wave]]").unwrap();
    let second = start + 8 + case.spec_text[start + 8..].find("[[wave]]").unwrap();
    let text = format!("{}{}", &case.spec_text[..start], &case.spec_text[second..]);
    Case {
        spec_text: text,
        ..case
    }
}

#[test]
fn one_wave_reports_no_change() {
    let case = single_wave_case();
    case.lock();
    let out = case.path("out");
    run_into(&case.spec_path(), &out);
    let md = fs::read_to_string(out.join("brief.md")).unwrap();
    assert!(
        md.contains("Only one survey wave (2024) is available"),
        "the Progress chapter says that only one wave is available"
    );
    let progress = &md[md.find("## Progress on Goals").unwrap()..];
    let progress = &progress[..progress[3..].find("\n## ").unwrap()];
    // Table 2 has the wave's rates and no change or interval column.
    assert!(
        progress.contains("| SDG | Indicator | 2024 |\n"),
        "{progress}"
    );
    for never in [
        "Change (pp)",
        "+0.0",
        "95% confidence interval of the change",
    ] {
        assert!(!progress.contains(never), "{never:?} in\n{progress}");
    }
    let typ = fs::read_to_string(out.join("brief.typ")).unwrap();
    assert!(!typ.contains("Change (pp)"));
}

/// The Priorities and Highlights sections of a brief.
fn section<'a>(md: &'a str, heading: &str) -> &'a str {
    let start = md.find(heading).unwrap();
    let rest = &md[start..];
    &rest[..rest[3..].find("\n## ").map_or(rest.len(), |e| e + 3)]
}

/// For the three most unequal indicators of the last wave: (label, reliable, reportable) of the
/// furthest-behind group, from results.json alone (1.96 × the SE of the difference).
fn top_three(results: &serde_json::Value) -> Vec<(String, bool, bool)> {
    let wave = results["waves"].as_array().unwrap().last().unwrap();
    let order = results["summary"]["indicators_by_d"].as_array().unwrap();
    order
        .iter()
        .take(3)
        .filter_map(|id| {
            let ind = wave["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["id"] == *id)?;
            let leaf = &ind["tree"]["furthest_behind"];
            if leaf.is_null() {
                return None;
            }
            let reliable = leaf["flag"].is_null();
            let gap = (leaf["rate"].as_f64().unwrap() - ind["rate"].as_f64().unwrap()).abs();
            let apart = gap > 1.959963984540054 * leaf["difference_se"].as_f64().unwrap();
            Some((
                ind["label"].as_str().unwrap().to_string(),
                reliable,
                reliable && apart,
            ))
        })
        .collect()
}

fn run_spec(spec: &std::path::Path, out: &std::path::Path) -> (String, serde_json::Value) {
    run_into(spec, out);
    let md = fs::read_to_string(out.join("brief.md")).unwrap();
    let results = serde_json::from_str(&fs::read_to_string(out.join("results.json")).unwrap());
    (md, results.unwrap())
}

#[test]
fn a_priority_needs_a_reliable_estimate_and_a_real_gap() {
    // The DHS example (240 households): basic drinking water's furthest-behind group is at
    // 40.0% against 43.0% nationally, a gap within sampling error.
    let dir = tempfile::tempdir().unwrap();
    let spec = std::path::Path::new(ROOT).join("specs/dhs_example.toml");
    let (md, results) = run_spec(&spec, &dir.path().join("out"));
    let priorities = section(&md, "## Priorities");
    let top = top_three(&results);
    assert!(
        top.iter().any(|(_, _, reportable)| !reportable),
        "the example must hold a group that is not a finding: {top:?}"
    );
    for (label, _, reportable) in &top {
        let named = priorities.contains(&format!("- {label}: reach"));
        assert_eq!(named, *reportable, "{label} in\n{priorities}");
    }
    assert!(!priorities.contains("Basic drinking water"), "{priorities}");
    // The example has no consumption or scenarios: no chapter or method sentence about them.
    for never in [
        "## Social protection scenarios",
        "The spec defines",
        "Poverty is measured",
    ] {
        assert!(!md.contains(never), "{never:?} in the DHS brief");
    }
}

#[test]
fn unreliable_groups_never_headline() {
    // 300 households a wave: small leaves, some flagged.
    let case = Case::csv();
    case.lock();
    let (md, results) = run_spec(&case.spec_path(), &case.path("out"));
    let highlights = section(&md, "## Highlights");
    let priorities = section(&md, "## Priorities");
    let top = top_three(&results);
    // Both branches are exercised: a flagged group and a reportable one.
    assert!(
        top.iter().any(|t| !t.1) && top.iter().any(|t| t.2),
        "{top:?}"
    );
    for (label, reliable, reportable) in &top {
        let line = highlights
            .lines()
            .find(|l| l.contains(&format!("**{label}**")))
            .unwrap_or_else(|| panic!("{label} not in\n{highlights}"));
        assert_eq!(line.contains("Furthest behind:"), *reliable, "{line}");
        assert_eq!(
            line.contains("not reliable enough to report"),
            !reliable,
            "{line}"
        );
        assert_eq!(
            priorities.contains(&format!("- {label}: reach")),
            *reportable
        );
    }
    if top.iter().all(|t| !t.2) {
        assert!(
            priorities.contains("so no priority group is named"),
            "{priorities}"
        );
    }
}

/// Who lacks electricity in a crafted wave: the households in a wealth quintile and/or an area.
type Behind<'a> = (Option<&'a str>, Option<&'a str>);

/// The demo spec on small CSV waves where access to electricity is set by wealth and residence
/// alone: none in the group given per wave, all elsewhere. Electricity's tree then finds exactly
/// that group (small leaves allowed, only wealth and residence as circumstances).
fn electricity_case(behind_2021: Behind, behind_2024: Behind) -> Case {
    let case = Case::csv()
        .edit(
            "catalogue = \"electricity\"\ncircumstances = [\"wealth\", \"residence\", \"head_education\", \"head_sex\", \"household_size\"]",
            "catalogue = \"electricity\"\ncircumstances = [\"wealth\", \"residence\"]",
        )
        .edit(
            "world_bank = true",
            "world_bank = true\nminbucket_floor = 10\nminbucket_divisor = 30",
        );
    for (wave, (quintile, area)) in WAVES.iter().zip([behind_2021, behind_2024]) {
        case.edit_csv(wave, |header, rows| {
            let at = |name: &str| header.iter().position(|h| h == name).unwrap();
            let (q, u, e) = (at("wealth_quintile"), at("urban"), at("electricity"));
            for row in rows.iter_mut() {
                let behind =
                    quintile.is_none_or(|x| row[q] == x) && area.is_none_or(|a| row[u] == a);
                row[e] = if behind { "0" } else { "1" }.into();
            }
        });
    }
    case.lock();
    case
}

/// The electricity line of the Progress chapter, and electricity's progress entry.
fn electricity_progress(case: &Case) -> (String, serde_json::Value) {
    let (md, results) = run_spec(&case.spec_path(), &case.path("out"));
    let progress = section(&md, "## Progress on Goals");
    let line = progress
        .lines()
        .find(|l| l.contains("**Access to electricity**"))
        .unwrap_or_else(|| panic!("no electricity line in\n{progress}"))
        .to_string();
    let entry = results["summary"]["progress"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["indicator"] == "electricity")
        .unwrap()
        .clone();
    (line, entry)
}

/// Household-weighted share of urban households among the poorest 20% of a CSV wave (heads'
/// rows), computed from the file.
fn urban_share_of_poorest(case: &Case, wave: &str) -> f64 {
    let (mut urban, mut all) = (0.0, 0.0);
    case.edit_csv(wave, |header, rows| {
        let at = |name: &str| header.iter().position(|h| h == name).unwrap();
        for row in rows.iter() {
            if row[at("relation")] == "Head" && row[at("wealth_quintile")] == "Q1" {
                let w: f64 = row[at("hh_weight")].parse().unwrap();
                all += w;
                if row[at("urban")] == "Urban" {
                    urban += w;
                }
            }
        }
    });
    urban / all
}

const NEVER_CLAIMED: [&str; 3] = ["changed", "narrowed", "widened"];

#[test]
fn a_wider_group_alike_in_rate_is_not_a_change() {
    // 2021: the rural poorest; 2024: all the poorest, a wider group containing it, in which the
    // rural poorest lack electricity no more often than the rest (none has it).
    let (line, entry) = electricity_progress(&electricity_case(
        (Some("Q1"), Some("Rural")),
        (Some("Q1"), None),
    ));
    assert_eq!(entry["furthest_behind_relation"], "widened", "{entry}");
    let test = &entry["furthest_behind_test"];
    assert_eq!(test["significant"], false, "{test}");
    assert_eq!(test["difference"], 0.0, "{test}");
    assert!(
        line.contains(
            "The groups found furthest behind differ (2021: Wealth: Poorest 20% · Residence: \
             Rural; 2024: Wealth: Poorest 20%), but in 2024 the difference between their rates is \
             not significant (0.0% for the 2024 group against 0.0% for the 2021 group"
        ),
        "{line}"
    );
    for never in NEVER_CLAIMED {
        assert!(!line.contains(never), "{never:?} in {line}");
    }
}

#[test]
fn a_narrower_group_further_behind_is_narrowed_never_changed() {
    // 2021: all the poorest; 2024: only the rural poorest, so in 2024 the poorest as a whole
    // have electricity as often as their urban share.
    let case = electricity_case((Some("Q1"), None), (Some("Q1"), Some("Rural")));
    let (line, entry) = electricity_progress(&case);
    assert_eq!(entry["furthest_behind_relation"], "narrowed", "{entry}");
    let test = &entry["furthest_behind_test"];
    let urban = urban_share_of_poorest(&case, WAVES[1]);
    assert!(urban > 0.05 && urban < 0.95, "{urban}");
    let earlier = test["earlier_rate"].as_f64().unwrap();
    assert!((earlier - urban).abs() < 1e-12, "{earlier} against {urban}");
    assert_eq!(test["latest_rate"], 0.0);
    assert!((test["difference"].as_f64().unwrap() + urban).abs() < 1e-12);
    assert_eq!(test["significant"], true, "{test}");
    let expected = format!(
        "The group furthest behind narrowed to Wealth: Poorest 20% · Residence: Rural (in 2021: \
         Wealth: Poorest 20%): in 2024 its rate is 0.0% against {:.1}% for the 2021 group, a \
         difference of -{:.1} percentage points",
        100.0 * urban,
        100.0 * urban
    );
    assert!(line.contains(&expected), "{expected}\nnot in\n{line}");
    assert!(!line.contains("changed"), "{line}");
}

#[test]
fn a_different_group_further_behind_is_a_change() {
    // 2021: the poorest; 2024: the rural population, which overlaps it.
    let (line, entry) =
        electricity_progress(&electricity_case((Some("Q1"), None), (None, Some("Rural"))));
    assert_eq!(entry["furthest_behind_relation"], "overlapping", "{entry}");
    assert_eq!(entry["furthest_behind_test"]["significant"], true);
    assert!(
        line.contains(
            "The group furthest behind changed to Residence: Rural (in 2021: Wealth: Poorest 20%)"
        ),
        "{line}"
    );
}

const UNIVERSAL: &str = "Universal basic transfer (10% of the poverty line)";

/// The line of a section that starts with `start` (after the bullet).
fn line_starting<'a>(section: &'a str, start: &str) -> &'a str {
    section
        .lines()
        .find(|l| l.starts_with(&format!("- {start}")))
        .unwrap_or_else(|| panic!("no line starting {start:?} in\n{section}"))
}

#[test]
fn a_universal_scheme_is_never_the_best_reach() {
    let case = Case::csv();
    case.lock();
    let (md, results) = run_spec(&case.spec_path(), &case.path("out"));
    let summary = &results["summary"];
    let ids = |key: &str| -> Vec<String> {
        summary[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["scenario"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids("scenarios_covering_everyone"), ["universal"]);
    assert!(!ids("scenarios_by_reach").contains(&"universal".to_string()));
    // It covers everyone, so it would have ranked first.
    let universal = results["spot"]["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "universal")
        .unwrap();
    assert_eq!(universal["reach_furthest_behind"], 1.0);
    assert_eq!(universal["covers_everyone"], true);
    let best = summary["scenarios_by_reach"][0]["label"].as_str().unwrap();
    let not_ranked = format!(
        "Not ranked on reach (paying every household, so covering every group in full by \
         design): {UNIVERSAL}."
    );
    for (heading, start) in [
        ("## Highlights", "The scenario that best reaches"),
        ("## Priorities", "Reaching the furthest behind"),
    ] {
        let line = line_starting(section(&md, heading), start);
        assert!(line.contains(&format!("**{best}**")), "{line}");
        assert!(!line.contains(&format!("**{UNIVERSAL}**")), "{line}");
        assert!(line.contains(&not_ranked), "{line}");
    }
    let means = section(&md, "## Social protection scenarios");
    let reach_best = means
        .lines()
        .find(|l| l.contains("reaches the furthest-behind groups best"))
        .unwrap();
    assert!(
        reach_best.starts_with(&format!("**{best}**")),
        "{reach_best}"
    );
}

#[test]
fn with_universal_schemes_only_reach_is_by_design() {
    let case = Case::csv();
    // Keep the last scenario (the universal transfer) only.
    let first = case.spec_text.find("[[scenario]]").unwrap();
    let last = case.spec_text.rfind("[[scenario]]").unwrap();
    let text = format!("{}{}", &case.spec_text[..first], &case.spec_text[last..]);
    let case = Case {
        spec_text: text,
        ..case
    };
    case.lock();
    let (md, results) = run_spec(&case.spec_path(), &case.path("out"));
    assert_eq!(
        results["summary"]["scenarios_by_reach"],
        serde_json::json!([])
    );
    let by_design = "Every scenario simulated pays every household, so each covers the groups \
                     furthest behind in full by design: reach does not rank them.";
    for heading in [
        "## Highlights",
        "## Priorities",
        "## Social protection scenarios",
    ] {
        let text = section(&md, heading);
        assert!(text.contains(by_design), "{heading}:\n{text}");
        assert!(!text.contains("best reaches") && !text.contains("covers the most"));
    }
}

#[test]
fn efficiency_is_called_an_extrapolation_with_one_rounding() {
    let case = Case::csv();
    case.lock();
    let (md, results) = run_spec(&case.spec_path(), &case.path("out"));
    let best = &results["summary"]["scenarios_by_efficiency"][0];
    let (label, pp) = (
        best["label"].as_str().unwrap(),
        best["pp_per_pct_gdp"].as_f64().unwrap(),
    );
    let per_gdp = format!("{pp:.1} points per 1% of GDP");
    let highlight = line_starting(section(&md, "## Highlights"), "Of the social-protection");
    assert!(highlight.contains(&format!("**{label}**")), "{highlight}");
    assert!(
        highlight.contains(&format!(
            "or {per_gdp} if its effect is extrapolated linearly to a cost of 1% of GDP."
        )),
        "{highlight}"
    );
    let body = line_starting(
        section(&md, "## Social protection scenarios"),
        &format!("**{label}**"),
    );
    assert!(
        body.contains(&format!(
            "({per_gdp}, a linear extrapolation of its effect to a cost of 1% of GDP)"
        )),
        "{body}"
    );
    // The Typst brief prints the same number.
    let typ = fs::read_to_string(case.path("out/brief.typ")).unwrap();
    assert_eq!(
        typ.matches(&per_gdp).count(),
        2,
        "{per_gdp} twice in brief.typ"
    );
}

/// What the Progress chapter says of each wave's furthest-behind group, by the phrase it uses.
const GROUP_PHRASES: [&str; 7] = [
    "furthest behind is still",
    "narrowed to",
    "widened to",
    "changed to",
    "further behind still",
    "is not significant (",
    "found furthest behind in",
];

/// The phrase a progress entry's relation and test call for (none without a relation).
fn phrase_for(entry: &serde_json::Value) -> Option<&'static str> {
    let relation = entry["furthest_behind_relation"].as_str()?;
    let test = &entry["furthest_behind_test"];
    Some(match (relation, test.is_null()) {
        ("same", _) => GROUP_PHRASES[0],
        (_, true) => GROUP_PHRASES[6],
        _ if test["significant"] == false => GROUP_PHRASES[5],
        _ if test["latest_further_behind"] == false => GROUP_PHRASES[4],
        ("narrowed", _) => GROUP_PHRASES[1],
        ("widened", _) => GROUP_PHRASES[2],
        _ => GROUP_PHRASES[3],
    })
}

#[test]
fn every_group_sentence_of_the_demo_follows_its_test() {
    let case = Case::parquet();
    case.lock();
    let (md, results) = run_spec(&case.spec_path(), &case.path("out"));
    let progress = section(&md, "## Progress on Goals");
    let mut used = std::collections::BTreeMap::new();
    for entry in results["summary"]["progress"].as_array().unwrap() {
        let label = entry["label"].as_str().unwrap();
        let line = line_starting(progress, &format!("**{label}**"));
        let expected = phrase_for(entry);
        for phrase in GROUP_PHRASES {
            assert_eq!(
                line.contains(phrase),
                expected == Some(phrase),
                "{phrase:?}: {line}"
            );
        }
        if let Some(rate) = entry["furthest_behind_test"]["earlier_rate"].as_f64() {
            assert!(line.contains(&format!("{:.1}%", 100.0 * rate)), "{line}");
        }
        *used.entry(expected.unwrap_or("none")).or_insert(0) += 1;
    }
    // The demo's 13 indicators: 5 keep their group; of the 8 that do not, the earlier group is
    // further behind still in 4 and the difference is not significant in 4 (none "changed").
    let counts: Vec<(&str, i32)> = used.into_iter().collect();
    assert_eq!(
        counts,
        [
            ("further behind still", 4),
            ("furthest behind is still", 5),
            ("is not significant (", 4)
        ]
    );
}

/// The small demo waves with a 30-level circumstance of pure noise ("District 1" … "District
/// 30", from the row number alone) among the electricity indicator's circumstances.
fn noise_district_case(declare_levels: bool) -> Case {
    let levels: Vec<String> = (1..=30).map(|k| format!("\"District {k}\"")).collect();
    let declared = if declare_levels {
        format!("levels = [{}]\n", levels.join(", "))
    } else {
        String::new()
    };
    let case = Case::csv()
        .edit(
            "[[circumstance]]\nid = \"wealth\"",
            &format!(
                "[[circumstance]]\nid = \"district\"\ncolumn = \"district\"\nlabel = \"District\"\nkind = \"unordered\"\n{declared}\n[[circumstance]]\nid = \"wealth\""
            ),
        )
        .edit(
            "circumstances = [\"wealth\", \"residence\", \"head_education\", \"head_sex\", \"household_size\"]",
            "circumstances = [\"wealth\", \"residence\", \"head_education\", \"head_sex\", \"household_size\", \"district\"]",
        );
    for w in WAVES {
        case.edit_csv(w, |_, rows| {
            for (i, row) in rows.iter_mut().enumerate() {
                row.push(format!("District {}", (i * 7919 + 13) % 30 + 1));
            }
        });
        // The header gets the new column's name.
        let path = case.path(&format!("data/{w}.csv"));
        let text = fs::read_to_string(&path).unwrap();
        let (head, rest) = text.split_once('\n').unwrap();
        fs::write(&path, format!("{head},district\n{rest}")).unwrap();
    }
    case
}

#[test]
fn a_many_level_noise_circumstance_is_flagged_and_its_levels_read_in_natural_order() {
    let case = noise_district_case(false);
    case.lock();
    let out = case.path("out");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_vnr-brief"))
        .args(["run", case.spec_path().to_str().unwrap(), "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let said = String::from_utf8_lossy(&run.stdout);
    assert!(
        said.contains("warning: District has 30 levels"),
        "run warns:\n{said}"
    );
    let (md, results) = (
        fs::read_to_string(out.join("brief.md")).unwrap(),
        serde_json::from_str::<serde_json::Value>(
            &fs::read_to_string(out.join("results.json")).unwrap(),
        )
        .unwrap(),
    );
    let methods = section(&md, "## Data and methods");
    assert!(
        methods.contains("Circumstances to read with care: District has 30 levels"),
        "{methods}"
    );
    // Levels in natural order: District 1, 2, …, 10, 11, not 1, 10, 11, 2.
    let latest = results["waves"].as_array().unwrap().last().unwrap();
    let electricity = &latest["indicators"][0];
    let district = electricity["by_circumstance"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["circumstance"] == "district")
        .unwrap();
    let labels: Vec<&str> = district["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["label"].as_str().unwrap())
        .collect();
    let natural: Vec<String> = (1..=30).map(|k| format!("District {k}")).collect();
    assert_eq!(labels, natural);
    // `check` reads no data, but counts the levels a spec declares.
    let declared = noise_district_case(true);
    let check = std::process::Command::new(env!("CARGO_BIN_EXE_vnr-brief"))
        .args(["check", declared.write().to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success());
    assert!(said.contains("warning: District has 30 levels"), "{said}");
}

/// SDG 10.1.1 is stated with two waves only, and the bottom 40% is said to gain faster or more
/// slowly only when the interval of the difference excludes zero; one wave says nothing of it.
#[test]
fn shared_prosperity_is_a_finding_only_beyond_sampling_error() {
    let case = Case::csv().edit(
        "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
        "formats = [\"md\"]",
    );
    let results = case.lock_and_run_results();
    let md = fs::read_to_string(case.path("out/brief.md")).unwrap();
    let sp = &results["summary"]["shared_prosperity"];
    assert!(sp.is_object(), "two waves give SDG 10.1.1");
    assert!(md.contains("**Shared prosperity (SDG 10.1.1).** Between 2021 and 2024"));
    let (lo, hi) = (
        sp["premium"]["ci"][0].as_f64().unwrap(),
        sp["premium"]["ci"][1].as_f64().unwrap(),
    );
    let apart = lo > 0.0 || hi < 0.0;
    assert_eq!(sp["premium_significant"].as_bool(), Some(apart));
    assert_eq!(
        md.contains("is within sampling error: the survey cannot tell"),
        !apart
    );
    assert_eq!(
        md.contains("The bottom 40% gained faster:")
            || md.contains("The bottom 40% gained more slowly:"),
        apart
    );
    let one = single_wave_case().edit(
        "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
        "formats = [\"md\"]",
    );
    let results = one.lock_and_run_results();
    assert!(results["summary"]["shared_prosperity"].is_null());
    let md = fs::read_to_string(one.path("out/brief.md")).unwrap();
    assert!(!md.contains("SDG 10.1.1)."), "one wave states no growth");
}
