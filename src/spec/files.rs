//! A wave's survey files as the spec names them: the main file and the linked files
//! (`[[wave.file]]`), their format and CSV dialect, and the checks that need no data.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::checks::{check_relative_path, is_sha256, unique_ids};
use super::{FileFormat, Wave};

/// A file linked to a wave's main rows: each of its records (after `sum`, one per key) is joined
/// onto the main rows whose `on` columns equal its `keys` columns.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkedFile {
    /// What the file holds, in messages and the manifest: e.g. "household", "women",
    /// "children", "consumption".
    pub role: String,
    /// Relative to the spec's folder; may not leave it.
    pub path: PathBuf,
    pub format: Option<FileFormat>,
    pub sha256: Option<String>,
    /// Columns of this file that identify a record.
    pub keys: Vec<String>,
    /// The main file's columns matched against `keys`, in the same order (default: the same names).
    pub on: Option<Vec<String>>,
    /// Columns summed over the records of each key before the join (a module with one record
    /// per item, such as consumption items per household); only keys and these are read.
    #[serde(default)]
    pub sum: Vec<String>,
    /// Every main row must find a record (default: true for role "household", else false).
    pub required: Option<bool>,
    /// Expression selecting the records joined, in the file's own column names (e.g. a children's
    /// file's living children listed in the household, `b5 = 1 AND b16 > 0`); all when absent.
    pub rows: Option<String>,
    /// Columns renamed as they are taken (file name → name in the wave), for a column whose name
    /// another file of the wave also uses (a children's file's `v005` beside the women's `v005`).
    #[serde(default)]
    pub rename: std::collections::BTreeMap<String, String>,
    pub delimiter: Option<String>,
    #[serde(default)]
    pub decimal_comma: bool,
}

/// One survey file as it is read: where, in which format and CSV dialect, and its pinned hash.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSource {
    /// "main" for a wave's `path`, else the linked file's role.
    pub role: String,
    pub path: PathBuf,
    pub format: Option<FileFormat>,
    pub sha256: Option<String>,
    pub csv: CsvDialect,
    /// The columns to read, when known (see [`sources_reading`]); the others are skipped.
    pub columns: Option<std::collections::BTreeSet<String>>,
}

/// How a CSV file separates fields and writes decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvDialect {
    pub separator: u8,
    pub decimal_comma: bool,
}

impl Default for CsvDialect {
    fn default() -> Self {
        CsvDialect {
            separator: b',',
            decimal_comma: false,
        }
    }
}

/// The delimiters a CSV file may use, as written in a spec.
pub const DELIMITERS: &[(&str, u8)] = &[(",", b','), (";", b';'), ("\t", b'\t'), ("|", b'|')];

pub(super) fn dialect(delimiter: Option<&str>, decimal_comma: bool) -> CsvDialect {
    let separator = delimiter
        .and_then(|d| DELIMITERS.iter().find(|(name, _)| *name == d))
        .map_or(b',', |(_, b)| *b);
    CsvDialect {
        separator,
        decimal_comma,
    }
}

/// A file's format from its extension, when the spec does not name it.
pub fn format_from_extension(path: &std::path::Path) -> Option<FileFormat> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("csv") => Some(FileFormat::Csv),
        Some("parquet") => Some(FileFormat::Parquet),
        Some("dta") => Some(FileFormat::Stata),
        Some("sav") | Some("zsav") => Some(FileFormat::Spss),
        _ => None,
    }
}

impl LinkedFile {
    /// The main file's columns matched against `keys`.
    pub fn on(&self) -> &[String] {
        self.on.as_deref().unwrap_or(&self.keys)
    }

    pub fn required(&self) -> bool {
        self.required.unwrap_or(self.role == "household")
    }

    pub fn source(&self) -> FileSource {
        FileSource {
            role: self.role.clone(),
            path: self.path.clone(),
            format: self.format.or_else(|| format_from_extension(&self.path)),
            sha256: self.sha256.clone(),
            csv: dialect(self.delimiter.as_deref(), self.decimal_comma),
            columns: None,
        }
    }

    /// The file's own column names the spec reads: its keys, the columns `rows`, `sum` and
    /// `rename` name, and every column of `read` (the names the spec uses anywhere).
    fn reads(
        &self,
        read: &std::collections::BTreeSet<String>,
    ) -> std::collections::BTreeSet<String> {
        let mut own = read.clone();
        own.extend(self.keys.iter().cloned());
        own.extend(self.sum.iter().cloned());
        own.extend(self.rename.keys().cloned());
        if let Some(e) = self
            .rows
            .as_deref()
            .and_then(|r| super::parse_expr("", r).ok())
        {
            own.extend(e.meta().root_names().iter().map(|n| n.to_string()));
        }
        own
    }
}

/// A wave's files with the columns each is to read: only those the spec uses (a DHS recode has
/// thousands of variables, and one the spec never names cannot stop the run). The main file
/// reads every name the spec uses and the `on` columns of its linked files.
pub fn sources_reading(spec: &super::Spec, wave: &Wave) -> Vec<FileSource> {
    let read = super::read_from_files(spec, wave);
    let mut main = read.clone();
    for f in &wave.files {
        main.extend(f.on().iter().cloned());
    }
    let mut sources = wave.sources();
    sources[0].columns = Some(main);
    for (source, file) in sources[1..].iter_mut().zip(&wave.files) {
        source.columns = Some(file.reads(&read));
    }
    sources
}

/// One survey file's path, format, pinned checksum and CSV dialect (`at`: "wave 'x'" or
/// "wave 'x'.file 'role'").
pub(super) fn check_file(
    at: &str,
    path: &std::path::Path,
    format: Option<FileFormat>,
    sha256: Option<&str>,
    delimiter: Option<&str>,
    decimal_comma: bool,
) -> std::result::Result<(), String> {
    check_relative_path(&format!("{at}.path"), path)?;
    let excel = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["xlsx", "xls", "xlsm"].contains(&e.to_ascii_lowercase().as_str()));
    let Some(format) = format else {
        if excel {
            return Err(format!(
                "{at}.path: {} is an Excel workbook, which is not read; export the sheet as CSV \
                 (UTF-8) or Parquet and name that file",
                path.display()
            ));
        }
        return Err(format!(
            "{at}.format: cannot tell the format of {}; set format = \"csv\", \"parquet\", \"stata\" or \"spss\"",
            path.display()
        ));
    };
    if let Some(h) = sha256 {
        if !is_sha256(h) {
            return Err(format!(
                "{at}.sha256: expected 64 hex digits, found \"{h}\""
            ));
        }
    }
    if format != FileFormat::Csv && (delimiter.is_some() || decimal_comma) {
        return Err(format!(
            "{at}: delimiter and decimal_comma apply to CSV files only, and {} is {format:?}",
            path.display()
        ));
    }
    if let Some(d) = delimiter {
        if !DELIMITERS.iter().any(|(name, _)| *name == d) {
            return Err(format!(
                "{at}.delimiter: expected one of \",\", \";\", \"\\t\" (tab) or \"|\", found {d:?}"
            ));
        }
    }
    if decimal_comma && delimiter.unwrap_or(",") == "," {
        return Err(format!(
            "{at}.decimal_comma: a decimal comma needs a field delimiter other than \",\" (set \
             delimiter = \";\", as spreadsheets with a decimal comma export CSV)"
        ));
    }
    Ok(())
}

/// The `[[wave.file]]` entries: roles, keys and the columns matched.
pub(super) fn check_linked_files(at: &str, w: &Wave) -> std::result::Result<(), String> {
    unique_ids(
        &format!("{at}.file"),
        w.files.iter().map(|f| f.role.as_str()),
    )?;
    let mut paths = vec![&w.path];
    for f in &w.files {
        let at = format!("{at}.file '{}'", f.role);
        if f.role == "main" {
            return Err(format!(
                "{at}.role: \"main\" names the wave's own `path`; give the linked file another role"
            ));
        }
        let src = f.source();
        check_file(
            &at,
            &f.path,
            src.format,
            f.sha256.as_deref(),
            f.delimiter.as_deref(),
            f.decimal_comma,
        )?;
        if paths.contains(&&f.path) {
            return Err(format!(
                "{at}.path: {} is already a file of this wave",
                f.path.display()
            ));
        }
        paths.push(&f.path);
        if f.keys.is_empty() {
            return Err(format!(
                "{at}.keys: name the columns that identify a record of the file"
            ));
        }
        if f.on().len() != f.keys.len() {
            return Err(format!(
                "{at}.on: {} column(s) of the main file for {} key(s); expected one for each key",
                f.on().len(),
                f.keys.len()
            ));
        }
        if let Some(rows) = &f.rows {
            let _ = super::parse_expr(&format!("{at}.rows"), rows)?;
        }
        if let Some((from, _)) = f.rename.iter().find(|(from, _)| f.keys.contains(from)) {
            return Err(format!(
                "{at}.rename: `{from}` is a key; keys are matched under their own names"
            ));
        }
        if let Some((from, to)) = f.rename.iter().find(|(_, to)| !super::is_safe_id(to)) {
            return Err(format!(
                "{at}.rename: `{from}` = \"{to}\": expected a column name (letters, digits, `_`)"
            ));
        }
        if let Some(k) = f.sum.iter().find(|c| f.keys.contains(c)) {
            return Err(format!(
                "{at}.sum: `{k}` is a key; a key is matched, not summed"
            ));
        }
    }
    Ok(())
}
