//! SPOT measures against R on four generated cases (`tests/reference/spot_reference.R`):
//! laeken's Gini and weighted quantiles, FGT as weighted means, Theil, decile shares by laeken's
//! quantile groups (with cumulative shares hitting k/10 exactly and ties), Palma, S80/S20 against
//! laeken's `qsr`; and the ILO costing arithmetic.

use serde_json::Value;
use vnr_brief::analysis::spot::projection::annual_cost;
use vnr_brief::estimate::stats;

const CASES: &[&str] = &[
    "one_to_n",
    "lognormal",
    "equal_weights_ties",
    "small_weights",
];

fn load(name: &str) -> (Vec<f64>, Vec<f64>, Value) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/spot/");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}{name}.json")).unwrap())
            .unwrap();
    let csv = std::fs::read_to_string(format!("{dir}{name}.csv")).unwrap();
    let (mut y, mut w) = (Vec::new(), Vec::new());
    for line in csv.lines().skip(1) {
        let mut it = line.split(',');
        y.push(it.next().unwrap().parse().unwrap());
        w.push(it.next().unwrap().parse().unwrap());
    }
    (y, w, json)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn measures_match_r() {
    for name in CASES {
        let (y, w, j) = load(name);
        let gini = stats::gini(&y, &w);
        assert!(
            close(gini, j["gini"].as_f64().unwrap(), 1e-10),
            "{name}: Gini {gini} vs {}",
            j["gini"]
        );
        assert!(
            close(stats::mean(&y, &w), j["mean"].as_f64().unwrap(), 1e-12),
            "{name}: mean"
        );
        for (p, q) in j["quantiles"].as_object().unwrap() {
            let p: f64 = p.parse().unwrap();
            assert_eq!(
                stats::quantile(&y, &w, p),
                q.as_f64().unwrap(),
                "{name}: quantile {p}"
            );
        }
        for f in j["fgt"].as_array().unwrap() {
            let z = f["z"].as_f64().unwrap();
            let got = stats::fgt012(&y, &w, z);
            for (a, key) in ["fgt0", "fgt1", "fgt2"].iter().enumerate() {
                assert!(
                    close(got[a], f[*key].as_f64().unwrap(), 1e-10),
                    "{name}: {key} at {z}"
                );
            }
        }
        assert!(
            close(stats::theil(&y, &w), j["theil"].as_f64().unwrap(), 1e-10),
            "{name}: Theil"
        );
        let s = &j["shares"];
        let shares = stats::shares(&y, &w, &stats::deciles(&y, &w));
        for (d, expected) in s["decile_share"].as_array().unwrap().iter().enumerate() {
            assert!(
                close(shares.decile_share[d], expected.as_f64().unwrap(), 1e-12),
                "{name}: decile {}",
                d + 1
            );
        }
        for (got, key) in [
            (shares.bottom40, "bottom40"),
            (shares.top10, "top10"),
            (shares.palma, "palma"),
            (shares.s80s20, "s80s20"),
            (shares.s80s20, "qsr_laeken"),
        ] {
            assert!(
                close(got, s[key].as_f64().unwrap(), 1e-12),
                "{name}: {key} {got} vs {}",
                s[key]
            );
        }
    }
}

#[test]
fn ilo_costing_arithmetic() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/spot/ilo.json");
    let j: Value = serde_json::from_str(&std::fs::read_to_string(dir).unwrap()).unwrap();
    let cost = annual_cost(
        j["population"].as_f64().unwrap(),
        j["take_up"].as_f64().unwrap(),
        j["benefit_year"].as_f64().unwrap() / 12.0,
        j["admin"].as_f64().unwrap(),
    );
    assert!((cost - 7_236_432_000.0).abs() < 1e-3, "{cost}");
    assert!((cost - j["cost"].as_f64().unwrap()).abs() < 1e-3);
}
