//! Benchmark of the analyses at SUSENAS scale (~350,000 households, ~1.2M persons), after loading:
//! LNOB for every indicator of the demo spec (cells, trees, D-index, full Shapley, per-province
//! trees) and SPOT for its scenarios. Run with `cargo bench` (release build).
//!
//! Environment: `VNR_BENCH_HOUSEHOLDS` (default 350000); `VNR_BENCH_CSV=path` also writes the
//! generated wave as CSV for the R comparison in `benches/lnob_bench.R`.

use std::path::Path;
use std::time::Instant;

use vnr_brief::inputs::Input;
use vnr_brief::{lnob, spec, spot, survey, synth};

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
    let input = Input {
        spec_path: wave.path.clone(),
        sha256: String::new(),
        bytes: 0,
        frame,
    };
    let t = Instant::now();
    let survey = survey::prepare(&loaded.spec, &wave, input).expect("survey");
    println!(
        "prepared the survey (derived variables) in {:.2} s",
        t.elapsed().as_secs_f64()
    );

    let mut best_lnob = f64::INFINITY;
    let mut best_spot = f64::INFINITY;
    for _ in 0..3 {
        let t = Instant::now();
        let results = lnob::analyse_wave(&loaded.spec, &survey).expect("lnob");
        best_lnob = best_lnob.min(t.elapsed().as_secs_f64());
        assert_eq!(results.len(), loaded.spec.indicators.len());
        let t = Instant::now();
        let s = spot::simulate_wave(&loaded.spec, &survey).expect("spot");
        best_spot = best_spot.min(t.elapsed().as_secs_f64());
        assert_eq!(s.scenarios.len(), loaded.spec.scenarios.len());
    }
    println!(
        "LNOB, {} indicators (cells, national + 14 province trees, D, HOI, full Shapley): {:.3} s (best of 3)",
        loaded.spec.indicators.len(),
        best_lnob
    );
    println!(
        "SPOT, {} scenarios: {:.3} s (best of 3)",
        loaded.spec.scenarios.len(),
        best_spot
    );
}
