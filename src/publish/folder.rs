//! Publishing an output folder: built complete in a temporary sibling, then swapped into place,
//! so a failed run leaves the previous brief untouched. A lock file beside the target keeps two
//! runs from publishing to it at once, and a run first finishes what a killed run left: a previous
//! brief moved aside but not replaced is moved back, stale temporary folders are removed.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Build the output with `build` (given the temporary folder), then move it to `out`.
pub fn publish(out: &Path, build: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let (parent, name) = split(out)?;
    std::fs::create_dir_all(&parent)
        .map_err(|e| Error::output(&parent, format!("cannot create the output folder: {e}")))?;
    let _lock = Lock::take(&parent, &name)?;
    fault_point("locked");
    recover(&parent, &name, out)?;
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    std::fs::create_dir(&tmp)
        .map_err(|e| Error::output(&tmp, format!("cannot create the output folder: {e}")))?;
    if let Err(e) = build(&tmp) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    fault_point("built");
    let had_old = out.exists();
    if had_old {
        std::fs::rename(out, &old).map_err(|e| {
            let _ = std::fs::remove_dir_all(&tmp);
            Error::output(out, format!("cannot replace the previous output: {e}"))
        })?;
    }
    fault_point("moved_old");
    if let Err(e) = std::fs::rename(&tmp, out) {
        if had_old {
            let _ = std::fs::rename(&old, out);
        }
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(Error::output(
            out,
            format!("cannot move the new output into place: {e}"),
        ));
    }
    fault_point("moved_new");
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}

/// The steps of `publish` at which a test may stop the process.
pub const FAULT_STEPS: [&str; 4] = ["locked", "built", "moved_old", "moved_new"];

/// Test hook: with `VNR_BRIEF_FAULT=publish:<step>` the process ends at that step the way a kill
/// ends it (no destructor runs: the lock and the temporary folders stay), so tests can check that
/// the next run recovers from every step.
fn fault_point(step: &str) {
    let wanted = std::env::var_os("VNR_BRIEF_FAULT");
    if wanted.is_some_and(|w| w.to_str() == Some(&format!("publish:{step}"))) {
        std::process::exit(137);
    }
}

fn split(out: &Path) -> Result<(PathBuf, String)> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out
        .file_name()
        .ok_or_else(|| Error::output(out, "the output path needs a folder name"))?
        .to_string_lossy()
        .into_owned();
    Ok((parent, name))
}

/// Leftovers of killed runs on the same target: `.NAME.old-PID` (a previous brief moved aside)
/// is moved back when the target is missing; `.NAME.tmp-PID` and any other `.old-` are removed.
/// Only names of this exact pattern are touched.
fn recover(parent: &Path, name: &str, out: &Path) -> Result<()> {
    let entries = std::fs::read_dir(parent)
        .map_err(|e| Error::output(parent, format!("cannot list the folder: {e}")))?;
    let (tmp_prefix, old_prefix) = (format!(".{name}.tmp-"), format!(".{name}.old-"));
    let is_pid = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mut leftovers: Vec<(bool, PathBuf)> = Vec::new();
    for entry in entries.flatten() {
        let file = entry.file_name().to_string_lossy().into_owned();
        if file.strip_prefix(&old_prefix).is_some_and(is_pid) {
            leftovers.push((true, entry.path()));
        } else if file.strip_prefix(&tmp_prefix).is_some_and(is_pid) {
            leftovers.push((false, entry.path()));
        }
    }
    leftovers.sort();
    for (is_old, path) in leftovers {
        if is_old && !out.exists() {
            std::fs::rename(&path, out).map_err(|e| {
                Error::output(
                    out,
                    format!(
                        "a killed run left the previous brief at {}; cannot move it back: {e}",
                        path.display()
                    ),
                )
            })?;
        } else {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
    Ok(())
}

/// `.NAME.lock` beside the target, holding the owner's process id; removed when dropped. A lock
/// whose process no longer runs (a killed run) is taken over.
struct Lock {
    path: PathBuf,
}

impl Lock {
    fn take(parent: &Path, name: &str) -> Result<Lock> {
        let path = parent.join(format!(".{name}.lock"));
        for _ in 0..2 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    let _ = writeln!(f, "{}", std::process::id());
                    return Ok(Lock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let owner = std::fs::read_to_string(&path).unwrap_or_default();
                    let owner = owner.trim();
                    if process_is_running(owner) {
                        return Err(Error::output(
                            &path,
                            format!(
                                "another vnr-brief run (process {owner}) is writing this output \
                                 folder; wait for it to finish"
                            ),
                        ));
                    }
                    // A killed run's lock: take it over.
                    let _ = std::fs::remove_file(&path);
                }
                Err(e) => {
                    return Err(Error::output(
                        &path,
                        format!("cannot create the lock file: {e}"),
                    ))
                }
            }
        }
        Err(Error::output(&path, "cannot take the lock file"))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Whether a process id (as text) names a running process. Where that cannot be told (no
/// `/proc`), a lock is taken to be live: refusing is safer than two runs on one folder.
fn process_is_running(pid: &str) -> bool {
    if pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return false; // not written by this tool's lock, or cut short by a kill
    }
    let proc = Path::new("/proc");
    if !proc.is_dir() {
        return true;
    }
    proc.join(pid).exists()
}
