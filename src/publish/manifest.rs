//! The manifest: SHA-256 of every input, the spec, the lock file, the templates and every output,
//! with the tool version and the command that reproduces the brief. `verify` re-hashes them.

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::io::inputs::sha256_hex;

pub const MANIFEST: &str = "manifest.json";
/// The tool and version every manifest names; a folder is a previous brief only if its manifest
/// names this tool.
pub const TOOL: &str = "vnr-brief";
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    /// Relative to the output folder.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TemplateEntry {
    pub name: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    pub reproduce: String,
    /// The spec run; none for a brief re-rendered from a results.json.
    pub spec: Option<FileEntry>,
    pub lock: Option<FileEntry>,
    pub inputs: Vec<FileEntry>,
    /// "built-in" for the compiled-in templates, else their folder relative to this folder.
    pub template_source: String,
    pub templates: Vec<TemplateEntry>,
    pub outputs: Vec<FileEntry>,
}

/// Hash a file on disk into an entry whose path is `shown`.
pub fn entry(path: &Path, shown: String) -> Result<FileEntry> {
    let bytes =
        std::fs::read(path).map_err(|e| Error::output(path, format!("cannot read: {e}")))?;
    Ok(FileEntry {
        path: shown,
        sha256: sha256_hex(&bytes),
        bytes: bytes.len() as u64,
    })
}

/// Every file below `dir`, as sorted relative paths with forward slashes.
pub fn list_files(dir: &Path) -> Result<Vec<String>> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
        let entries =
            std::fs::read_dir(dir).map_err(|e| Error::output(dir, format!("cannot list: {e}")))?;
        for e in entries {
            let e = e.map_err(|e| Error::output(dir, e.to_string()))?;
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out)?;
            } else {
                let rel = p.strip_prefix(base).expect("below base");
                out.push(
                    rel.components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/"),
                );
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    out.sort();
    Ok(out)
}

/// `target` relative to the folder `base` (both made absolute first), e.g. `../../specs/demo.toml`.
pub fn relative_path(target: &Path, base: &Path) -> Result<String> {
    let abs = |p: &Path| -> Result<PathBuf> {
        let p = std::path::absolute(p).map_err(|e| Error::output(p, e.to_string()))?;
        Ok(normalise(&p))
    };
    let (t, b) = (abs(target)?, abs(base)?);
    let tc: Vec<Component> = t.components().collect();
    let bc: Vec<Component> = b.components().collect();
    let common = tc.iter().zip(&bc).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".into(); bc.len() - common];
    parts.extend(
        tc[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    Ok(parts.join("/"))
}

/// Remove `.` and resolve `..` lexically.
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

pub fn read(dir: &Path) -> Result<Manifest> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::input(&path, format!("cannot read the manifest: {e}")))?;
    serde_json::from_str(&text).map_err(|e| Error::input(&path, format!("malformed manifest: {e}")))
}

/// Re-hash every file the manifest lists. Returns the list of problems (empty = verified).
pub fn check(dir: &Path, m: &Manifest) -> Vec<String> {
    let mut problems = Vec::new();
    let mut all: Vec<(&str, &FileEntry)> = m.spec.iter().map(|s| ("spec", s)).collect();
    if let Some(l) = &m.lock {
        all.push(("lock file", l));
    }
    all.extend(m.inputs.iter().map(|e| ("input", e)));
    all.extend(m.outputs.iter().map(|e| ("output", e)));
    for (what, e) in all {
        let path = dir.join(&e.path);
        match std::fs::read(&path) {
            Err(err) => problems.push(format!("{what} {}: cannot read ({err})", e.path)),
            Ok(bytes) => {
                let found = sha256_hex(&bytes);
                if found != e.sha256 {
                    problems.push(format!(
                        "{what} {}: sha256 {found}, manifest says {}",
                        e.path, e.sha256
                    ));
                }
            }
        }
    }
    // Outputs present in the folder but not in the manifest are suspicious too.
    if let Ok(files) = list_files(dir) {
        for f in files {
            if f != MANIFEST && !m.outputs.iter().any(|e| e.path == f) {
                problems.push(format!(
                    "output {f}: present but not listed in the manifest"
                ));
            }
        }
    }
    problems
}
