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
