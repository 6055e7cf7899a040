//! A scratch spec folder for the bad-input and adversarial tests: a copy of `specs/demo.toml`
//! (mutated by string replacement) with either the demo Parquet waves or small (300-household)
//! synthetic CSV waves written by `vnr_brief::app::cli::write_synth`, which data-level cases then edit
//! cell by cell; and the assertions those tests share.

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;
use vnr_brief::app::cli;
use vnr_brief::app::pipeline::{self, RunOptions};
use vnr_brief::io::inputs;
use vnr_brief::{spec, Error};

pub const DEMO: &str = include_str!("../../../specs/demo.toml");
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");
pub const WAVES: [&str; 2] = ["nusantara_2021", "nusantara_2024"];

/// A scratch folder holding `demo.toml` and its `data/`.
pub struct Case {
    pub dir: TempDir,
    pub spec_text: String,
}

impl Case {
    /// The demo spec with copies of the demo Parquet waves (no lock yet).
    pub fn parquet() -> Case {
        let case = Case::empty(DEMO.to_string());
        for w in WAVES {
            fs::copy(
                Path::new(ROOT).join(format!("specs/data/{w}.parquet")),
                case.path(&format!("data/{w}.parquet")),
            )
            .unwrap();
        }
        case
    }

    /// The demo spec pointed at two small synthetic CSV waves (no lock yet).
    pub fn csv() -> Case {
        let case = Case::empty(DEMO.replace(".parquet\"", ".csv\""));
        for (wave, w) in (0u32..).zip(WAVES) {
            cli::write_synth(&case.path(&format!("data/{w}.csv")), 300, 2030, wave).unwrap();
        }
        case
    }

    /// A spec folder with an empty `data/` (for checks that never read data).
    pub fn empty(spec_text: String) -> Case {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("data")).unwrap();
        Case { dir, spec_text }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn spec_path(&self) -> PathBuf {
        self.path("demo.toml")
    }

    /// Replace the first occurrence of `from` in the spec text (which must be there).
    pub fn edit(mut self, from: &str, to: &str) -> Case {
        assert!(
            self.spec_text.contains(from),
            "test bug: the spec has no {from:?}"
        );
        self.spec_text = self.spec_text.replacen(from, to, 1);
        self
    }

    /// Write the spec and return its path.
    pub fn write(&self) -> PathBuf {
        let p = self.spec_path();
        fs::write(&p, &self.spec_text).unwrap();
        p
    }

    /// Write the spec, then `spec::load` it, expecting a failure.
    pub fn load_err(&self) -> Error {
        let p = self.write();
        spec::load(&p).expect_err("the spec should be rejected")
    }

    /// Write the spec and record the lock file (the data must be as wanted by then).
    pub fn lock(&self) {
        let loaded = spec::load(&self.write()).expect("the spec is valid");
        inputs::write_lock(&loaded).expect("lock written");
    }

    /// Write the spec, lock the inputs as they are now, then run into `<tmp>/out`.
    pub fn lock_and_run_err(&self) -> Error {
        self.lock();
        self.run_err()
    }

    /// Write the spec, lock the inputs, run into `<tmp>/out` and return its results.json.
    pub fn lock_and_run_results(&self) -> serde_json::Value {
        self.lock();
        let out = self.path("out");
        pipeline::run(
            &self.write(),
            &RunOptions {
                out: Some(out.clone()),
                templates: None,
                formats: None,
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        serde_json::from_str(&fs::read_to_string(out.join("results.json")).unwrap()).unwrap()
    }

    /// Run into `<tmp>/out` (spec written first), expecting a failure.
    pub fn run_err(&self) -> Error {
        self.run_to_err(&self.path("out"), None)
    }

    pub fn run_to_err(&self, out: &Path, templates: Option<PathBuf>) -> Error {
        let p = self.write();
        pipeline::run(
            &p,
            &RunOptions {
                out: Some(out.to_path_buf()),
                templates,
                formats: None,
            },
        )
        .expect_err("the run should fail")
    }

    /// Set one cell of a CSV wave: `row` counts data rows from 1 (as the error messages do).
    pub fn set_cell(&self, wave: &str, column: &str, row: usize, value: &str) {
        self.edit_csv(wave, |header, rows| {
            let c = header.iter().position(|h| h == column).unwrap();
            rows[row - 1][c] = value.to_string();
        });
    }

    pub fn edit_csv(&self, wave: &str, f: impl FnOnce(&[String], &mut Vec<Vec<String>>)) {
        let path = self.path(&format!("data/{wave}.csv"));
        let text = fs::read_to_string(&path).unwrap();
        assert!(!text.contains('"'), "test bug: quoted CSV fields");
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .unwrap()
            .split(',')
            .map(str::to_string)
            .collect();
        let mut rows: Vec<Vec<String>> = lines
            .map(|l| l.split(',').map(str::to_string).collect())
            .collect();
        f(&header, &mut rows);
        let mut out = header.join(",");
        out.push('\n');
        for r in rows {
            out.push_str(&r.join(","));
            out.push('\n');
        }
        fs::write(path, out).unwrap();
    }
}

/// Assert the exit code and that the message contains every needle.
#[track_caller]
pub fn assert_error(err: &Error, code: u8, needles: &[&str]) {
    let msg = err.to_string();
    assert_eq!(err.exit_code(), code, "wrong exit code for: {msg}");
    for n in needles {
        assert!(msg.contains(n), "the message lacks {n:?}:\n{msg}");
    }
}

/// Every entry of a folder, recursively, with its bytes (files) or `None` (folders).
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Option<Vec<u8>>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                out.push((p.clone(), None));
                stack.push(p);
            } else {
                out.push((p.clone(), Some(fs::read(&p).unwrap())));
            }
        }
    }
    out.sort();
    out
}

/// Names in `dir` that look like leftovers of a half-finished publish (`.out.tmp-*`, `.out.old-*`).
pub fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && (n.contains(".tmp-") || n.contains(".old-")))
        .collect()
}

/// Run `spec` into `out` with the built-in templates; the run must succeed.
pub fn run_into(spec: &Path, out: &Path) {
    pipeline::run(
        spec,
        &RunOptions {
            out: Some(out.to_path_buf()),
            templates: None,
            formats: None,
        },
    )
    .expect("the run succeeds");
}

/// Copy a folder tree (a template folder to edit, say).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_dir(&p, &target);
        } else {
            fs::copy(&p, &target).unwrap();
        }
    }
}
