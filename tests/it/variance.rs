//! Design-based variance: the bootstrap agrees with linearisation on a large sample, and the same
//! seed gives the same replicates. (Linearised SEs against R `survey`: see the fixtures test.)

use vnr_brief::estimate::variance::Replicates;
use vnr_brief::{spec, survey, synth};

#[test]
fn bootstrap_se_of_a_rate_is_close_to_the_linearised_one() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/specs/demo.toml")).unwrap();
    let parsed = spec::parse(&text).unwrap();
    let frame = synth::generate(&synth::SynthConfig {
        seed: 5,
        households: 20_000,
        wave: 1,
    })
    .unwrap();
    let wave = parsed.waves[1].clone();
    let s = survey::from_frame(&parsed, &wave, frame).unwrap();
    let design = s.design.clone();
    assert!(design.psus() > 1000, "{} PSUs", design.psus());

    // Internet use among persons aged 5+, a domain of the whole sample.
    let age = s.f64_column("age").unwrap();
    let internet = s.f64_column("internet").unwrap();
    let w = s.f64_column(vnr_brief::survey::PERSON_WEIGHT).unwrap();
    let n = s.records();
    let mut y = vec![0.0; n];
    let mut wd = vec![0.0; n];
    for i in 0..n {
        if age.get(i).unwrap() >= 5.0 {
            y[i] = internet.get(i).unwrap();
            wd[i] = w.get(i).unwrap();
        }
    }
    let linearised = design.mean_se(&y, &wd);

    let reps = Replicates::rescaled_bootstrap(&design, 200, 42);
    let estimates: Vec<f64> = reps
        .multipliers
        .iter()
        .map(|m| {
            let (mut sw, mut swy) = (0.0, 0.0);
            for i in 0..n {
                let f = m[design.record_psu[i] as usize] * wd[i];
                sw += f;
                swy += f * y[i];
            }
            swy / sw
        })
        .collect();
    let bootstrap = Replicates::se(&estimates);
    let ratio = bootstrap / linearised;
    println!("internet 5+: linearised SE {linearised:.6}, bootstrap SE {bootstrap:.6} (ratio {ratio:.3})");
    assert!(
        (0.9..1.1).contains(&ratio),
        "bootstrap {bootstrap} vs linearised {linearised}"
    );

    let again = Replicates::rescaled_bootstrap(&design, 200, 42);
    assert_eq!(again.multipliers, reps.multipliers);
}

/// A scratch run of the small synthetic waves with a sampling-fraction column `f` (one value for
/// every stratum) and, when `fpc`, `wave.fpc = "f"` in both waves.
fn run_with_fraction(fpc: bool, f: &str) -> serde_json::Value {
    use crate::common::case::{Case, WAVES};
    let mut case = Case::csv().edit(
        "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
        "formats = [\"md\"]",
    );
    if fpc {
        assert_eq!(
            case.spec_text.matches("psu = \"psu\"\n").count(),
            WAVES.len()
        );
        case.spec_text = case
            .spec_text
            .replace("psu = \"psu\"\n", "psu = \"psu\"\nfpc = \"f\"\n");
    }
    for w in WAVES {
        case.edit_csv(w, |_, rows| {
            for r in rows.iter_mut() {
                r.push(f.to_string());
            }
        });
        // The header gets the column's name.
        let path = case.path(&format!("data/{w}.csv"));
        let text = std::fs::read_to_string(&path).unwrap();
        let (head, rest) = text.split_once('\n').unwrap();
        std::fs::write(&path, format!("{head},f\n{rest}")).unwrap();
    }
    case.lock_and_run_results()
}

/// With every stratum sampled at 10%, each linearised variance is 0.9 times the
/// with-replacement one (R's `svydesign(fpc = )`), and the rescaled bootstrap shrinks by the
/// same factor to first order.
#[test]
fn a_sampling_fraction_scales_every_se_by_the_finite_population_correction() {
    let plain = run_with_fraction(false, "0.1");
    let corrected = run_with_fraction(true, "0.1");
    let factor = 0.9f64.sqrt();
    let at = |v: &serde_json::Value, path: &[&str]| -> f64 {
        let mut x = v;
        for p in path {
            x = match p.parse::<usize>() {
                Ok(i) => &x[i],
                Err(_) => &x[*p],
            };
        }
        x.as_f64().unwrap_or_else(|| panic!("{path:?}: {x}"))
    };
    for path in [
        &["waves", "1", "indicators", "0", "rate_se"][..],
        &["waves", "0", "indicators", "2", "rate_se"],
        &["spot", "baseline", "poverty", "0", "headcount_se"],
        &["spot", "baseline", "gini_se"],
    ] {
        let ratio = at(&corrected, path) / at(&plain, path);
        assert!((ratio - factor).abs() < 1e-12, "{path:?}: ratio {ratio}");
    }
    let ratio = at(
        &corrected,
        &["waves", "1", "indicators", "0", "inequality", "d_se"],
    ) / at(
        &plain,
        &["waves", "1", "indicators", "0", "inequality", "d_se"],
    );
    assert!(
        (ratio - factor).abs() < 0.03,
        "bootstrap SE of D: ratio {ratio}"
    );
}
