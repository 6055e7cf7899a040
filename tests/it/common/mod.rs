//! Shared by the input-format tests: the demo spec run on the 150-household synthetic waves kept
//! in `tests/fixtures/<folder>/` in a given file format; `case` holds the scratch spec folder
//! and assertions of the bad-input and adversarial tests.
// Each test binary uses a part of these helpers.
#![allow(dead_code)]

pub mod case;

use std::path::{Path, PathBuf};

use serde_json::Value;
use vnr_brief::app::pipeline::{self, RunOptions};
use vnr_brief::io::inputs;

/// Run the demo spec (Markdown only) on `tests/fixtures/<folder>/nusantara_{2021,2024}.<ext>`;
/// returns results.json.
pub fn run_demo_on(folder: &str, ext: &str) -> Value {
    let (_dir, out) = run_demo_into(folder, ext, "");
    serde_json::from_str(&std::fs::read_to_string(out.join("results.json")).unwrap()).unwrap()
}

/// `run_demo_on` with `extra` appended to the spec; returns the scratch folder (dropped, it is
/// deleted) and the output folder inside it.
pub fn run_demo_into(folder: &str, ext: &str, extra: &str) -> (tempfile::TempDir, PathBuf) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    for w in ["nusantara_2021", "nusantara_2024"] {
        std::fs::copy(
            root.join(format!("tests/fixtures/{folder}/{w}.{ext}")),
            dir.path().join(format!("data/{w}.{ext}")),
        )
        .unwrap();
    }
    let demo = std::fs::read_to_string(root.join("specs/demo.toml"))
        .unwrap()
        .replace(".parquet\"", &format!(".{ext}\""))
        .replace(
            "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
            "formats = [\"md\"]",
        );
    let spec = dir.path().join("s.toml");
    std::fs::write(&spec, format!("{demo}\n{extra}")).unwrap();
    inputs::write_lock(&vnr_brief::spec::load(&spec).unwrap()).unwrap();
    let out = dir.path().join("out");
    let opts = RunOptions {
        out: Some(out.clone()),
        templates: None,
        formats: None,
    };
    pipeline::run(&spec, &opts).unwrap();
    (dir, out)
}
