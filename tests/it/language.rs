//! Language is presentation only: `results.json` holds no words, so rendering an English run's
//! results in Indonesian gives, byte for byte, what a run with `language = "id"` writes — brief
//! (Markdown, Typst, PDF), charts, annex tables and results.json alike. Only the manifest differs
//! (it records how the folder was made).

use std::fs;

use crate::common::case::*;
use vnr_brief::app::pipeline;

#[test]
fn render_in_indonesian_equals_a_run_in_indonesian() {
    let case = Case::csv();
    case.lock();
    let en = case.path("en");
    run_into(&case.spec_path(), &en);
    let rendered = case.path("rendered");
    pipeline::rerender_in(&en.join("results.json"), &rendered, None, Some("id")).unwrap();

    // The same spec with language = "id" (same file name, so the same spec name).
    let id_dir = case.path("id_spec");
    fs::create_dir_all(id_dir.join("data")).unwrap();
    for w in WAVES {
        let f = format!("data/{w}.csv");
        fs::copy(case.path(&f), id_dir.join(&f)).unwrap();
    }
    fs::copy(case.path("demo.lock"), id_dir.join("demo.lock")).unwrap();
    let id_spec = id_dir.join("demo.toml");
    fs::write(
        &id_spec,
        case.spec_text
            .replace("language = \"en\"", "language = \"id\""),
    )
    .unwrap();
    let id = case.path("id");
    run_into(&id_spec, &id);

    let files = |dir: &std::path::Path| {
        let mut out: Vec<(std::path::PathBuf, Option<Vec<u8>>)> = snapshot(dir)
            .into_iter()
            .filter(|(p, _)| !p.ends_with("manifest.json"))
            .map(|(p, b)| (p.strip_prefix(dir).unwrap().to_path_buf(), b))
            .collect();
        out.sort();
        out
    };
    let (a, b) = (files(&rendered), files(&id));
    assert_eq!(
        a.iter().map(|(p, _)| p).collect::<Vec<_>>(),
        b.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    for ((path, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{} differs", path.display());
    }
    assert!(
        a.len() > 30,
        "a whole brief was compared ({} files)",
        a.len()
    );
    // And it is Indonesian: the brief's fixed text comes from strings/id.toml.
    let md = fs::read_to_string(rendered.join("brief.md")).unwrap();
    assert!(md.contains("Ringkasan bukti"), "not rendered in Indonesian");
    let md_en = fs::read_to_string(en.join("brief.md")).unwrap();
    assert_ne!(md, md_en);
}

#[test]
fn an_unknown_language_is_refused() {
    let case = Case::csv().edit(
        "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
        "formats = [\"md\"]",
    );
    case.lock();
    let en = case.path("en");
    run_into(&case.spec_path(), &en);
    let err = pipeline::rerender_in(&en.join("results.json"), &case.path("x"), None, Some("fr"))
        .unwrap_err();
    assert_error(&err, 4, &["--language", "\"fr\""]);
    assert!(!case.path("x").exists());
}

/// `[brief.labels.id]` (the demo spec gives one) names the title, circumstances, levels,
/// indicators and areas in an Indonesian brief, from a run or from `render --language id` of an
/// English run alike; the English brief and results.json keep the spec's own labels.
#[test]
fn spec_labels_name_things_in_the_language_written() {
    let case = Case::csv().edit(
        "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
        "formats = [\"md\"]",
    );
    case.lock();
    let en = case.path("en");
    run_into(&case.spec_path(), &en);
    let rendered = case.path("rendered");
    pipeline::rerender_in(&en.join("results.json"), &rendered, None, Some("id")).unwrap();
    let md_en = fs::read_to_string(en.join("brief.md")).unwrap();
    let md_id = fs::read_to_string(rendered.join("brief.md")).unwrap();
    for (text, en_has, id_has) in [
        ("Leaving no one behind", true, false),
        ("Tidak meninggalkan seorang pun", false, true),
        ("Access to electricity", true, false),
        ("Akses listrik", false, true),
        ("Penduduk Perdesaan", false, true),
        ("Rural", true, false),
        ("Poorest 20%", true, false),
        ("20% termiskin", false, true),
    ] {
        assert_eq!(md_en.contains(text), en_has, "English brief and {text:?}");
        assert_eq!(
            md_id.contains(text),
            id_has,
            "Indonesian brief and {text:?}"
        );
    }
    // The annex tables are written from the same names.
    let leaves = fs::read_to_string(rendered.join("tables/tree_leaves.csv")).unwrap();
    assert!(leaves.contains("Kekayaan: 20% termiskin"), "{leaves}");
    assert!(!leaves.contains("Wealth"));
    let results = fs::read_to_string(en.join("results.json")).unwrap();
    assert!(results.contains("\"label\": \"Access to electricity\""));
    // The date in words, in each language.
    assert!(md_en.contains("30 June 2026"), "English date");
    assert!(md_id.contains("30 Juni 2026"), "Indonesian date");
}

#[test]
fn spec_labels_are_checked() {
    let levels = "residence = { Rural = \"Perdesaan\", Urban = \"Perkotaan\" }\nhead_education";
    for (from, to, needles) in [
        (
            "[brief.labels.id]\n",
            "[brief.labels.fr]\n[brief.labels.id]\n",
            &["brief.labels.fr", "\"fr\""][..],
        ),
        (
            levels,
            "residence = { Rural = \"Desa\", Urban = \"Desa\" }\nhead_education",
            &["brief.labels.id.levels.residence", "\"Desa\"", "two levels"][..],
        ),
    ] {
        assert_error(&Case::csv().edit(from, to).load_err(), 3, needles);
    }
}

/// Whom an indicator covers must agree with its unit and read as a population.
#[test]
fn covers_is_checked_against_the_unit() {
    for (covers, needles) in [
        (
            "{ who = \"children\", max_age = 4 }",
            &["indicator 'electricity'.covers.who", "\"households\""][..],
        ),
        (
            "{ who = \"households\", min_age = 15 }",
            &["indicator 'electricity'.covers", "no age"][..],
        ),
    ] {
        let case = Case::csv().edit(
            "catalogue = \"electricity\"",
            &format!("catalogue = \"electricity\"\ncovers = {covers}"),
        );
        assert_error(&case.load_err(), 3, needles);
    }
}
