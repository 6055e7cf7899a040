//! Every sentence of the brief is a claim: these tests craft a survey that would tempt the brief
//! into a claim its numbers do not support, and check that the brief does not make it.

mod common;

use std::fs;

use common::case::*;

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
    // Table 4 has the wave's rates and no change or interval column.
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
