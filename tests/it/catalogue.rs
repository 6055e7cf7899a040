//! The indicator catalogue: every entry resolves, parses, reads only columns the standard
//! (synthetic) survey has, and gives a rate strictly between 0 and 1 on it.

use vnr_brief::analysis::lnob;
use vnr_brief::spec::{self, CircumstanceKind};
use vnr_brief::{survey, synth};

#[test]
fn every_catalogue_entry_runs_on_the_standard_survey() {
    let cat = spec::catalogue();
    assert!(cat.len() >= 16, "catalogue has {} entries", cat.len());
    let mut text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/specs/demo.toml")).unwrap();
    // Keep the demo's waves, macro figures and circumstances; replace its indicators with the
    // whole catalogue.
    let start = text.find("[[indicator]]").unwrap();
    let end = text.find("[lnob]").unwrap();
    let mut indicators = String::new();
    for name in cat.keys() {
        indicators.push_str(&format!(
            "[[indicator]]\nid = \"{name}\"\ncatalogue = \"{name}\"\ncircumstances = [\"wealth\", \"residence\"]\n\n"
        ));
    }
    text.replace_range(start..end, &indicators);
    let parsed = spec::parse(&text).unwrap();
    spec::validate(&parsed).unwrap();
    assert_eq!(parsed.indicators.len(), cat.len());

    let frame = synth::generate(&synth::SynthConfig {
        seed: 11,
        households: 3000,
        wave: 1,
    })
    .unwrap();
    let wave = parsed.waves[1].clone();
    let s = survey::from_frame(&parsed, &wave, frame).unwrap();
    let results = lnob::analyse_wave(&parsed, &s).unwrap();
    for r in &results {
        assert!(r.rate > 0.0 && r.rate < 1.0, "{}: rate {}", r.id, r.rate);
        assert!(r.n >= 50, "{}: only {} records", r.id, r.n);
    }
    assert!(parsed
        .circumstances
        .iter()
        .any(|c| c.kind == CircumstanceKind::Ordered));
}

#[test]
fn spec_fields_override_the_catalogue_and_unknown_entries_are_named() {
    let entry = |extra: &str| {
        format!("[[indicator]]\nid = \"x\"\ncatalogue = \"electricity\"\ncircumstances = [\"a\"]\n{extra}")
    };
    let ind: Vec<spec::Indicator> = toml::from_str::<
        std::collections::BTreeMap<String, Vec<spec::Indicator>>,
    >(&entry("label = \"Power\"\n"))
    .unwrap()
    .remove("indicator")
    .unwrap();
    assert_eq!(ind[0].label, "Power");
    assert_eq!(ind[0].sdg, "7.1.1");
    assert_eq!(ind[0].outcome, "electricity = 1");

    let err = toml::from_str::<std::collections::BTreeMap<String, Vec<spec::Indicator>>>(
        &entry("").replace("\"electricity\"", "\"electricty\""),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("no entry \"electricty\""), "{err}");
    assert!(err.contains("electricity"), "{err}");
}
