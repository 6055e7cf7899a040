//! Reading a spec file: TOML parsing, built-in survey profiles, then validation.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::*;
use crate::error::{Error, Result};

/// A spec as loaded from disk: its parsed content plus where it came from.
#[derive(Debug, Clone)]
pub struct LoadedSpec {
    pub spec: Spec,
    pub path: PathBuf,
    /// The raw bytes parsed (hashed into the manifest).
    pub bytes: Vec<u8>,
}

impl LoadedSpec {
    pub fn dir(&self) -> &Path {
        match self.path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
    }

    /// The spec's name: its file stem (`specs/demo.toml` → `demo`).
    pub fn name(&self) -> String {
        self.path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("brief")
            .to_string()
    }

    /// Resolve a path named in the spec, relative to the spec's folder.
    pub fn resolve(&self, relative: &Path) -> PathBuf {
        self.dir().join(relative)
    }
}

/// Read, parse and validate a spec file.
pub fn load(path: &Path) -> Result<LoadedSpec> {
    if path.extension().is_some_and(|e| e == "lock") {
        return Err(Error::spec(
            path,
            "a spec cannot end in .lock (that name is kept for its lock file); name it .toml",
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::spec(path, format!("cannot read: {e}")))?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| Error::spec(path, "not UTF-8 text; a spec is a TOML file"))?;
    let spec = parse(text).map_err(|m| Error::spec(path, m))?;
    validate(&spec).map_err(|m| Error::spec(path, m))?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    if !is_safe_id(stem) {
        return Err(Error::spec(
            path,
            format!(
                "the file name \"{stem}\" names the brief and its output folder: use letters, \
                 digits, `_`, `-` and `.` only (rename the file)"
            ),
        ));
    }
    Ok(LoadedSpec {
        spec,
        path: path.to_path_buf(),
        bytes,
    })
}

/// Parse TOML text into a spec (syntax, types and unknown keys; the message carries the line).
/// A top-level `profile = "<name>"` first fills the spec from a built-in survey profile.
pub fn parse(text: &str) -> std::result::Result<Spec, String> {
    let message = |e: toml::de::Error| e.to_string().trim_end().to_string();
    let mut table: toml::Table = toml::from_str(text).map_err(message)?;
    match table.remove("profile") {
        // Without a profile, parse the text itself so messages keep their line numbers.
        None => toml::from_str::<Spec>(text).map_err(message),
        Some(name) => {
            let name = name
                .as_str()
                .ok_or("profile: expected a profile name such as \"dhs\"")?;
            apply_profile(&mut table, name)?;
            Spec::deserialize(toml::Value::Table(table)).map_err(message)
        }
    }
}

/// Built-in survey profiles: name → TOML (see `specs/profiles/`).
const PROFILES: &[(&str, &str)] = &[
    ("dhs", include_str!("../../specs/profiles/dhs.toml")),
    ("mics", include_str!("../../specs/profiles/mics.toml")),
];

/// The roles of the linked files (`[[wave.file]]`) every wave of the spec has.
fn linked_in_every_wave(spec: &toml::Table) -> std::collections::BTreeSet<String> {
    let Some(toml::Value::Array(waves)) = spec.get("wave") else {
        return Default::default();
    };
    let roles = |w: &toml::Value| -> std::collections::BTreeSet<String> {
        w.get("file")
            .and_then(|f| f.as_array())
            .into_iter()
            .flatten()
            .filter_map(|f| f.get("role").and_then(|r| r.as_str()).map(str::to_string))
            .collect()
    };
    let mut all = waves.iter().map(roles);
    let first = all.next().unwrap_or_default();
    all.fold(first, |acc, r| acc.intersection(&r).cloned().collect())
}

/// A profile entry as it enters the spec, or none: an entry that `needs` a linked file (or an
/// indicator estimated over one, `file`) comes only when every wave links a file with that role,
/// so a DHS spec with only the household member file gets only the indicators that file holds.
fn with_files(
    entry: &toml::Value,
    roles: &std::collections::BTreeSet<String>,
) -> Option<toml::Value> {
    let mut entry = entry.clone();
    let needs = entry.as_table_mut()?.remove("needs");
    let needed: Vec<String> = match needs.as_ref().or_else(|| entry.get("file")) {
        Some(toml::Value::String(role)) => vec![role.clone()],
        Some(toml::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    needed.iter().all(|r| roles.contains(r)).then_some(entry)
}

/// Fill a spec from a survey profile: wave fields the waves do not set, and derived variables,
/// circumstances and indicators the spec does not define under the same name or id.
fn apply_profile(spec: &mut toml::Table, name: &str) -> std::result::Result<(), String> {
    let text = PROFILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            let known: Vec<&str> = PROFILES.iter().map(|(n, _)| *n).collect();
            format!("profile: unknown profile \"{name}\"; expected one of {known:?}")
        })?;
    let profile: toml::Table = toml::from_str(text).expect("built-in profiles parse");
    if let Some(refused) = profile
        .get("profile")
        .and_then(|p| p.get("scenarios_refused"))
        .and_then(|r| r.as_str())
    {
        if spec.get("scenario").is_some() {
            return Err(format!(
                "scenario: not available with profile \"{name}\": {refused}"
            ));
        }
    }
    if let (Some(defaults), Some(toml::Value::Array(waves))) = (
        profile.get("wave").and_then(|w| w.as_table()),
        spec.get_mut("wave"),
    ) {
        for wave in waves.iter_mut().filter_map(|w| w.as_table_mut()) {
            for (key, value) in defaults {
                wave.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
    }
    let roles = linked_in_every_wave(spec);
    for (section, key) in [
        ("derive", "name"),
        ("circumstance", "id"),
        ("indicator", "id"),
    ] {
        let Some(toml::Value::Array(from_profile)) = profile.get(section) else {
            continue;
        };
        let own = match spec
            .entry(section)
            .or_insert_with(|| toml::Value::Array(Vec::new()))
        {
            toml::Value::Array(a) => a,
            _ => {
                return Err(format!(
                    "{section}: expected an array of tables ([[{section}]])"
                ))
            }
        };
        let defined: std::collections::BTreeSet<String> = own
            .iter()
            .filter_map(|t| t.get(key).and_then(|v| v.as_str()).map(str::to_string))
            .collect();
        // The profile's entries first (derived variables may build on each other in order).
        let mut merged: Vec<toml::Value> = from_profile
            .iter()
            .filter(|t| {
                t.get(key)
                    .and_then(|v| v.as_str())
                    .is_none_or(|id| !defined.contains(id))
            })
            .filter_map(|t| with_files(t, &roles))
            .collect();
        merged.append(own);
        *own = merged;
    }
    Ok(())
}
