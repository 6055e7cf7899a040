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
