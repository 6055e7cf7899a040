//! Which folder an output may replace. A run replaces its output folder whole, so the check must
//! be conservative: the folder is new, empty, or provably a brief this tool wrote (its manifest
//! parses as this tool's and lists every file in the folder), and it is neither one of the paths
//! the run reads or stands in (spec, lock file, inputs, templates, working folder) nor a parent of
//! one. Paths are compared after resolving symbolic links and `..`, never as written.

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::publish::manifest::{self, Manifest};

/// A path the output must not equal or contain, with what it is (for the message).
#[derive(Debug, Clone)]
pub struct Protected {
    pub what: String,
    pub path: PathBuf,
}

impl Protected {
    pub fn new(what: impl Into<String>, path: impl Into<PathBuf>) -> Self {
        Protected {
            what: what.into(),
            path: path.into(),
        }
    }
}

/// Refuse `out` unless replacing it can only remove a previous output of this tool.
pub fn check_target(out: &Path, protected: &[Protected]) -> Result<()> {
    let resolved = resolve(out)?;
    let cwd = std::env::current_dir()
        .map_err(|e| Error::output(out, format!("cannot read the working folder: {e}")))?;
    let cwd = Protected::new("the working folder", cwd);
    for p in protected.iter().chain(std::iter::once(&cwd)) {
        let p_resolved = resolve(&p.path)?;
        if p_resolved.starts_with(&resolved) {
            let relation = if p_resolved == resolved {
                "is"
            } else {
                "contains"
            };
            return Err(Error::output(
                out,
                format!(
                    "the output folder {relation} {} ({}); a run replaces its output folder, so \
                     choose another",
                    p.what,
                    p.path.display()
                ),
            ));
        }
    }
    check_replaceable(out)
}

/// The folder may be replaced: it does not exist, is empty, or is a previous brief.
fn check_replaceable(out: &Path) -> Result<()> {
    let meta = match std::fs::symlink_metadata(out) {
        // Nothing there (or a file in the way, which creating the folder reports).
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(())
        }
        Err(e) => return Err(Error::output(out, format!("cannot inspect: {e}"))),
        Ok(m) => m,
    };
    if meta.file_type().is_symlink() {
        return Err(Error::output(
            out,
            "is a symbolic link; give --out the folder itself (new, empty, or a previous brief's)",
        ));
    }
    if !meta.is_dir() {
        return Err(Error::output(
            out,
            "expected a folder, found a file; give --out a folder (new, or a previous brief's)",
        ));
    }
    let entries = walk(out)?;
    if entries.iter().all(|e| e.kind == EntryKind::Dir) {
        return Ok(()); // empty, or empty folders only: nothing a user could lose
    }
    let refuse = |why: String| {
        Error::output(
            out,
            format!(
                "the folder exists and is not a brief written by vnr-brief ({why}); refusing to \
                 replace it. Choose a new or empty folder."
            ),
        )
    };
    let manifest_path = out.join(manifest::MANIFEST);
    if !manifest_path.is_file() {
        return Err(refuse(format!("it has no {}", manifest::MANIFEST)));
    }
    let m: Manifest = std::fs::read_to_string(&manifest_path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .ok_or_else(|| refuse(format!("its {} is not this tool's", manifest::MANIFEST)))?;
    if m.tool != manifest::TOOL {
        return Err(refuse(format!(
            "its {} was written by \"{}\"",
            manifest::MANIFEST,
            m.tool
        )));
    }
    for e in &entries {
        let listed = e.path == manifest::MANIFEST || m.outputs.iter().any(|o| o.path == e.path);
        match e.kind {
            EntryKind::Dir => {}
            EntryKind::File if listed => {}
            EntryKind::File => {
                return Err(refuse(format!("{} is not listed in its manifest", e.path)))
            }
            EntryKind::Other => {
                return Err(refuse(format!(
                    "{} is a link or special file, which this tool never writes",
                    e.path
                )))
            }
        }
    }
    Ok(())
}

#[derive(Debug, PartialEq)]
enum EntryKind {
    File,
    Dir,
    Other,
}

struct Entry {
    /// Relative to the walked folder, with forward slashes (as in the manifest).
    path: String,
    kind: EntryKind,
}

/// Every entry below `dir`, links not followed.
fn walk(dir: &Path) -> Result<Vec<Entry>> {
    fn visit(dir: &Path, prefix: &str, out: &mut Vec<Entry>) -> Result<()> {
        let entries = std::fs::read_dir(dir)
            .map_err(|e| Error::output(dir, format!("cannot list the folder: {e}")))?;
        for entry in entries {
            let entry = entry.map_err(|e| Error::output(dir, format!("cannot list: {e}")))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = format!("{prefix}{name}");
            let kind = entry
                .file_type()
                .map_err(|e| Error::output(&entry.path(), format!("cannot inspect: {e}")))?;
            if kind.is_dir() {
                visit(&entry.path(), &format!("{path}/"), out)?;
                out.push(Entry {
                    path,
                    kind: EntryKind::Dir,
                });
            } else {
                let kind = if kind.is_file() {
                    EntryKind::File
                } else {
                    EntryKind::Other
                };
                out.push(Entry { path, kind });
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    visit(dir, "", &mut out)?;
    Ok(out)
}

/// The path as the file system sees it: absolute, symbolic links of its existing part resolved,
/// `.` and `..` of the rest applied. A path need not exist.
pub fn resolve(path: &Path) -> Result<PathBuf> {
    let abs = std::path::absolute(path)
        .map_err(|e| Error::output(path, format!("cannot resolve the path: {e}")))?;
    // Canonicalise the longest existing ancestor, then append what does not exist yet.
    let mut existing = abs.as_path();
    let mut rest: Vec<Component> = Vec::new();
    loop {
        if let Ok(canonical) = std::fs::canonicalize(existing) {
            let mut out = canonical;
            for c in rest.iter().rev() {
                match c {
                    Component::CurDir => {}
                    Component::ParentDir => {
                        out.pop();
                    }
                    other => out.push(other.as_os_str()),
                }
            }
            return Ok(out);
        }
        match (existing.parent(), existing.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last);
                existing = parent;
            }
            _ => return Ok(abs),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_applies_dotdot_after_links() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real/inner");
        std::fs::create_dir_all(&real).unwrap();
        std::os::unix::fs::symlink(&real, dir.path().join("link")).unwrap();
        let base = std::fs::canonicalize(dir.path()).unwrap();
        // link/.. is real/, not the folder holding the link.
        assert_eq!(
            resolve(&dir.path().join("link/../x")).unwrap(),
            base.join("real/x")
        );
        assert_eq!(
            resolve(&dir.path().join("new/a/../b")).unwrap(),
            base.join("new/b")
        );
    }
}
