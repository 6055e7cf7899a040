//! The change in HOI between the first and the latest wave, split into its scale and
//! equalisation parts as the World Bank `hoi` tool's `decomp1` does (Paes de Barros et al. 2009),
//! on whole runs: the parts against the two waves' D and opportunity rates, their SEs against the
//! waves' own HOI SEs, and the annex against results.json. The hand-checked case is the unit
//! test `hoi_change_by_hand` in `src/estimate/dindex.rs`.

use std::collections::BTreeMap;

use serde_json::Value;

/// The demo spec (Markdown only, `extra` appended) on the 150-household waves of
/// `tests/fixtures/stata/`: results.json and the rows of `tables/progress.csv`.
fn run_demo(extra: &str) -> (Value, Vec<BTreeMap<String, String>>) {
    let (_dir, out) = crate::common::run_demo_into("stata", "csv", extra);
    let results =
        serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let text = std::fs::read_to_string(out.join("tables/progress.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows = lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            assert_eq!(cells.len(), header.len(), "progress.csv: {l}");
            header
                .iter()
                .zip(cells)
                .map(|(h, c)| (h.to_string(), c.to_string()))
                .collect()
        })
        .collect();
    (results, rows)
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * a.abs().max(b.abs()).max(1e-300)
}

#[test]
fn the_latest_wave_splits_its_hoi_change_into_scale_and_equalisation() {
    let (results, progress) = run_demo("");
    let waves = results["waves"].as_array().unwrap();
    assert_eq!(waves.len(), 2);
    let first: BTreeMap<&str, &Value> = waves[0]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_str().unwrap(), i))
        .collect();
    assert!(
        first.values().all(|i| i["hoi_change"].is_null()),
        "first wave"
    );
    let mut checked = 0;
    for ind in waves[1]["indicators"].as_array().unwrap() {
        let id = ind["id"].as_str().unwrap();
        let (h, a, b) = (
            &ind["hoi_change"],
            &first[id]["inequality"],
            &ind["inequality"],
        );
        let (p1, d1, p2, d2) = (
            f(&a["opportunity_rate"]),
            f(&a["d"]),
            f(&b["opportunity_rate"]),
            f(&b["d"]),
        );
        assert_eq!(f(&h["first_hoi"]), f(&a["hoi"]), "{id}");
        assert_eq!(
            (f(&h["first_opportunity_rate"]), f(&h["first_d"])),
            (p1, d1)
        );
        let (change, scale, eq) = (f(&h["change"]), f(&h["scale"]), f(&h["equalisation"]));
        // World Bank decomp1, first wave the base.
        assert!(close(scale, (p2 - p1) * (1.0 - d1), 1e-14), "{id}: scale");
        assert!(close(eq, p2 * (d1 - d2), 1e-14), "{id}: equalisation");
        assert!(
            (change - (f(&b["hoi"]) - f(&a["hoi"]))).abs() < 1e-15,
            "{id}"
        );
        assert!(
            (scale + eq - change).abs() < 1e-15,
            "{id}: parts sum to the change"
        );
        // The change's SE from each wave's replicates is each wave's own HOI SE: this ties the
        // first wave's replicates carried to the latest to the ones its hoi_se came from.
        let (s1, s2) = (f(&a["hoi_se"]), f(&b["hoi_se"]));
        let se = f(&h["change_se"]);
        assert!(close(se * se, s1 * s1 + s2 * s2, 1e-12), "{id}: change SE");
        for k in ["scale_se", "equalisation_se"] {
            assert!(f(&h[k]).is_finite() && f(&h[k]) > 0.0, "{id}: {k}");
        }
        // The annex carries the same numbers.
        let row = progress.iter().find(|r| r["indicator"] == id).unwrap();
        for (col, key) in [
            ("hoi_first", &h["first_hoi"]),
            ("hoi_latest", &b["hoi"]),
            ("hoi_change", &h["change"]),
            ("hoi_change_se", &h["change_se"]),
            ("hoi_scale", &h["scale"]),
            ("hoi_scale_se", &h["scale_se"]),
            ("hoi_equalisation", &h["equalisation"]),
            ("hoi_equalisation_se", &h["equalisation_se"]),
        ] {
            let cell: f64 = row[col].parse().unwrap_or_else(|_| panic!("{id} {col}"));
            assert!(close(cell, f(key), 1e-15), "{id}: {col} {cell} vs {key}");
        }
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} indicators");
    // The poverty row has no HOI.
    let poverty = progress
        .iter()
        .find(|r| r["indicator"] == "poverty")
        .unwrap();
    assert!(poverty["hoi_change"].is_empty() && poverty["hoi_scale_se"].is_empty());
}

#[test]
fn without_replicates_the_parts_have_no_standard_errors() {
    let (results, progress) = run_demo("[uncertainty]\nreplicates = 0\n");
    let latest = &results["waves"][1]["indicators"];
    for ind in latest.as_array().unwrap() {
        let h = &ind["hoi_change"];
        assert!(f(&h["change"]).is_finite(), "{}", ind["id"]);
        for k in ["change_se", "scale_se", "equalisation_se"] {
            assert!(h[k].is_null(), "{}: {k}", ind["id"]);
        }
    }
    assert!(progress.iter().all(|r| r["hoi_scale_se"].is_empty()));
}
