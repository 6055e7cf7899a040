//! Benchmark of the analyses at SUSENAS scale (~350,000 households, ~1.2M persons), after loading:
//! LNOB for every indicator of the demo spec (cells, trees, D-index, full Shapley, per-province
//! trees) and SPOT for its scenarios. Run with `cargo bench` (release build).
//!
//! Environment: `VNR_BENCH_HOUSEHOLDS` (default 350000); `VNR_BENCH_CSV=path` also writes the
//! generated wave as CSV for the R comparison in `benches/lnob_bench.R`.

use std::path::Path;
use std::time::Instant;

use vnr_brief::analysis::{lnob, spot};
use vnr_brief::{spec, survey, synth};

fn main() {
    let households: usize = std::env::var("VNR_BENCH_HOUSEHOLDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(350_000);
    let loaded = spec::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/specs/demo.toml"
    )))
    .expect("demo spec");
    let t = Instant::now();
    let mut frame = synth::generate(&synth::SynthConfig {
        seed: 2030,
        households,
        wave: 1,
    })
    .expect("synthetic survey");
    println!(
        "generated {} households, {} persons in {:.2} s",
        households,
        frame.height(),
        t.elapsed().as_secs_f64()
    );
    if let Ok(path) = std::env::var("VNR_BENCH_CSV") {
        use polars::prelude::*;
        let mut file = std::fs::File::create(&path).expect("csv file");
        CsvWriter::new(&mut file)
            .finish(&mut frame)
            .expect("csv written");
        println!("wrote {path}");
    }
    // Trees per province (14) rather than per region, as the benchmark target asks.
    let mut wave = loaded.spec.waves.last().expect("a wave").clone();
    wave.region = Some("province".into());
    let t = Instant::now();
    let survey = survey::from_frame(&loaded.spec, &wave, frame).expect("survey");
    println!(
        "prepared the survey (derived variables) in {:.2} s",
        t.elapsed().as_secs_f64()
    );

    // LNOB as the demo spec asks (World Bank logit D included), and without the logit.
    let mut plain = loaded.spec.clone();
    plain.lnob.world_bank = false;
    // Point estimates only (no bootstrap replicates), as the LNOB performance target is stated.
    let mut points = plain.clone();
    points.uncertainty.replicates = 0;
    // The R script's `--like-rust` work: point estimates with the logit D, no bootstrap.
    let mut points_wb = loaded.spec.clone();
    points_wb.uncertainty.replicates = 0;
    // SPOT: the demo's scenarios plus variants (higher benefits, partial take-up) up to ten.
    let mut ten = loaded.spec.clone();
    let base = ten.scenarios.clone();
    for (k, sc) in base.iter().enumerate() {
        let mut v = sc.clone();
        v.id = format!("{}_variant", sc.id);
        for s in &mut v.schemes {
            s.benefit *= 1.5;
            s.coverage = if k % 2 == 0 { 0.7 } else { s.coverage };
        }
        ten.scenarios.push(v);
    }
    let mut ten_points = ten.clone();
    ten_points.uncertainty.replicates = 0;
    // Without the LNOB × SPOT "not poor" D-index (issue 4's measures alone).
    let mut ten_measures = ten_points.clone();
    ten_measures.spot.opportunity_circumstances.clear();
    let best = |f: &dyn Fn()| {
        (0..3)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let n = loaded.spec.indicators.len();
    let lnob_all = best(&|| {
        assert_eq!(
            lnob::analyse_wave(&loaded.spec, &survey)
                .expect("lnob")
                .len(),
            n
        )
    });
    let lnob_plain =
        best(&|| assert_eq!(lnob::analyse_wave(&plain, &survey).expect("lnob").len(), n));
    let lnob_points =
        best(&|| assert_eq!(lnob::analyse_wave(&points, &survey).expect("lnob").len(), n));
    let lnob_points_wb = best(&|| {
        assert_eq!(
            lnob::analyse_wave(&points_wb, &survey).expect("lnob").len(),
            n
        )
    });
    let spot_measures = best(&|| {
        assert_eq!(
            spot::simulate_wave(&ten_measures, &survey)
                .expect("spot")
                .scenarios
                .len(),
            ten.scenarios.len()
        )
    });
    let spot_points = best(&|| {
        assert_eq!(
            spot::simulate_wave(&ten_points, &survey)
                .expect("spot")
                .scenarios
                .len(),
            ten.scenarios.len()
        )
    });
    let spot_ten = best(&|| {
        assert_eq!(
            spot::simulate_wave(&ten, &survey)
                .expect("spot")
                .scenarios
                .len(),
            ten.scenarios.len()
        )
    });
    println!(
        "LNOB, {n} indicators (cells, national + 14 province trees, D, HOI, full Shapley, linearised SEs): {lnob_points:.3} s (best of 3)"
    );
    println!(
        "LNOB, the same plus the World Bank logit D nationally and per province (no bootstrap): {lnob_points_wb:.3} s (best of 3)"
    );
    println!(
        "LNOB, point estimates plus {} bootstrap replicates of D, HOI and Shapley: {lnob_plain:.3} s (best of 3)",
        plain.uncertainty.replicates
    );
    println!("LNOB, bootstrap and the World Bank logit D together: {lnob_all:.3} s (best of 3)");
    println!(
        "SPOT, {} scenarios (poverty at 4 lines with linearised SEs, inequality, deciles, areas, bottom 40 and rural reach, projection): {spot_measures:.3} s (best of 3)",
        ten.scenarios.len()
    );
    println!(
        "SPOT, the same plus the 'not poor' D-index, HOI and Shapley before and after each scenario: {spot_points:.3} s (best of 3)"
    );
    println!(
        "SPOT, the same plus {} bootstrap replicates of Gini, Palma and the headcount reduction: {spot_ten:.3} s (best of 3)",
        ten.uncertainty.replicates
    );
}
