//! `vnr-brief verify`: check a brief folder against its manifest (inputs, templates, outputs),
//! and with `--rerun` run its spec again and require byte-identical outputs.

use std::path::{Path, PathBuf};

use super::pipeline::{run, RunOptions};
use crate::error::{Error, Result};
use crate::io::inputs;
use crate::present::render::{self, TemplateSource};
use crate::publish::manifest::{self, Manifest};

/// The template folder a manifest names, relative to the brief folder; none for the built-in ones.
fn template_folder(dir: &Path, m: &Manifest) -> Option<PathBuf> {
    (m.template_source != render::BUILT_IN).then(|| dir.join(&m.template_source))
}

/// The formats a run wrote, as its results.json records them (a run with `--format` wrote
/// other formats than its spec names); none when results.json cannot be read, and the spec's
/// formats are used.
fn formats_written(dir: &Path) -> Option<Vec<crate::spec::Format>> {
    let text = std::fs::read_to_string(dir.join("results.json")).ok()?;
    let results: serde_json::Value = serde_json::from_str(&text).ok()?;
    results["brief"]["formats"]
        .as_array()?
        .iter()
        .map(|f| crate::spec::Format::try_from(f.as_str()?.to_string()).ok())
        .collect()
}

/// Re-hash the templates the manifest lists: the built-in ones of this build, or the files of
/// the template folder it names.
fn check_templates(dir: &Path, m: &Manifest) -> Vec<String> {
    let folder = template_folder(dir, m);
    let source = match &folder {
        Some(folder) => TemplateSource::Folder(folder),
        None => TemplateSource::Default,
    };
    // Texts only: the run that wrote the manifest compiled them already.
    let texts = match render::load_templates(&source, &[]) {
        Ok(t) => t.texts,
        Err(e) => return vec![format!("templates: cannot read them again ({e})")],
    };
    m.templates
        .iter()
        .filter_map(|t| {
            let found = texts
                .get(&t.name)
                .map(|text| inputs::sha256_hex(text.as_bytes()));
            match found {
                Some(h) if h == t.sha256 => None,
                Some(h) => Some(format!(
                    "template {} ({}): sha256 {h}, manifest says {}",
                    t.name, m.template_source, t.sha256
                )),
                None => Some(format!(
                    "template {}: not found in {}",
                    t.name, m.template_source
                )),
            }
        })
        .collect()
}

/// The SHA-256 of a brief's manifest. The manifest proves integrity only (anyone who changes a
/// brief can rewrite its manifest consistently); this digest, published through another channel,
/// is what ties a folder to the brief its authors released.
pub fn manifest_digest(dir: &Path) -> Result<String> {
    let path = dir.join(manifest::MANIFEST);
    let bytes = std::fs::read(&path)
        .map_err(|e| Error::input(&path, format!("cannot read the manifest: {e}")))?;
    Ok(inputs::sha256_hex(&bytes))
}

/// `verify --digest HEX`: the manifest must be the one whose digest was published.
pub fn check_digest(dir: &Path, published: &str) -> Result<()> {
    let found = manifest_digest(dir)?;
    if found.eq_ignore_ascii_case(published.trim()) {
        Ok(())
    } else {
        Err(Error::Verify(format!(
            "{}: sha256 {found}, the published digest is {published}: this is not the brief \
             that was released",
            dir.join(manifest::MANIFEST).display()
        )))
    }
}

/// A new, empty folder under the system's temporary folder (never one that already exists).
fn scratch_folder() -> Result<PathBuf> {
    let base = std::env::temp_dir();
    for k in 0..1000 {
        let dir = base.join(format!("vnr-brief-verify-{}-{k}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(Error::output(&dir, format!("cannot create: {e}"))),
        }
    }
    Err(Error::output(&base, "cannot create a scratch folder"))
}

/// `vnr-brief verify DIR [--rerun]`: re-hash everything the manifest lists; with `rerun`, run the
/// spec again into a scratch folder and require byte-identical outputs.
pub fn verify(dir: &Path, rerun: bool) -> Result<String> {
    let m = manifest::read(dir)?;
    let mut problems = manifest::check(dir, &m);
    problems.extend(check_templates(dir, &m));
    let mut report = format!(
        "{}: {} inputs, {} templates, {} outputs checked against {}",
        dir.display(),
        m.inputs.len(),
        m.templates.len(),
        m.outputs.len(),
        manifest::MANIFEST
    );
    if rerun && problems.is_empty() {
        let Some(spec) = &m.spec else {
            return Err(Error::Verify(
                "--rerun: this folder was re-rendered from a results.json, not run from a spec; \
                 there is nothing to run again"
                    .into(),
            ));
        };
        let spec_path = dir.join(&spec.path);
        let scratch = scratch_folder()?;
        let templates = template_folder(dir, &m);
        let fresh = scratch.join("out");
        run(
            &spec_path,
            &RunOptions {
                out: Some(fresh.clone()),
                templates,
                formats: formats_written(dir),
            },
        )?;
        let fresh_files = manifest::list_files(&fresh)?;
        for f in &fresh_files {
            if f == manifest::MANIFEST {
                continue; // its paths are relative to a different folder
            }
            let a = std::fs::read(fresh.join(f)).ok();
            let b = std::fs::read(dir.join(f)).ok();
            if a != b {
                problems.push(format!("rerun: {f} differs"));
            }
        }
        for e in &m.outputs {
            if !fresh_files.contains(&e.path) {
                problems.push(format!("rerun: {} was not produced again", e.path));
            }
        }
        let _ = std::fs::remove_dir_all(&scratch);
        report.push_str("; rerun gave byte-identical outputs");
    }
    if problems.is_empty() {
        Ok(report)
    } else {
        Err(Error::Verify(problems.join("\n")))
    }
}
