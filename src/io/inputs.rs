//! Inputs: read each survey file once, hash the bytes, check the hash against the lock file (or the
//! spec's pinned `sha256`), and parse the same bytes, so the checksum is of what was analysed.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::spec::{CsvDialect, FileFormat, FileSource, LoadedSpec};

/// Largest input accepted (bytes); protects against a wrong path pointing at a huge file.
pub const MAX_INPUT_BYTES: u64 = 4 << 30;

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// The lock file: the SHA-256 of every input a spec names, kept beside the spec.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    /// Input path (as written in the spec) → SHA-256.
    pub inputs: BTreeMap<String, String>,
}

/// `specs/demo.toml` → `specs/demo.lock`. (`spec::load` refuses a spec named `*.lock`, which
/// would be its own lock file.)
pub fn lock_path(spec: &LoadedSpec) -> PathBuf {
    spec.path.with_extension("lock")
}

pub fn read_lock(spec: &LoadedSpec) -> Result<Option<Lock>> {
    let path = lock_path(spec);
    if !path.exists() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path)
        .map_err(|e| Error::input(&path, format!("cannot read lock file: {e}")))?;
    let lock: Lock = toml::from_str(&text)
        .map_err(|e| Error::input(&path, format!("malformed lock file: {e}")))?;
    Ok(Some(lock))
}

/// `vnr-brief lock SPEC`: hash every input and write the lock file beside the spec.
/// Returns the lock path and the recorded hashes.
pub fn write_lock(spec: &LoadedSpec) -> Result<(PathBuf, Lock)> {
    let mut lock = Lock::default();
    let population = spec.spec.projection.population_source();
    for source in spec
        .spec
        .waves
        .iter()
        .flat_map(|w| w.sources())
        .chain(population)
    {
        let path = spec.resolve(&source.path);
        inside(&path, spec.dir())?;
        let bytes = read_input(&path)?;
        lock.inputs
            .insert(source.path.display().to_string(), sha256_hex(&bytes));
    }
    let path = lock_path(spec);
    write_lock_text(&path, &spec.path, &lock)?;
    Ok((path, lock))
}

/// Write `lock` to `path`, with the comment that says what it is for the spec at `spec_path`.
pub fn write_lock_text(path: &Path, spec_path: &Path, lock: &Lock) -> Result<()> {
    let body = toml::to_string(lock).expect("lock serialises");
    let text = format!(
        "# Written by `vnr-brief lock`: SHA-256 of every input named by {}.\n\
         # `vnr-brief run` refuses an input whose bytes no longer match. Re-run `lock` only when a\n\
         # change is deliberate (a new or corrected survey wave).\n{body}",
        spec_path.file_name().unwrap_or_default().to_string_lossy()
    );
    write_atomically(path, text.as_bytes())
}

/// A file named in the spec must be inside the spec's folder once symbolic links are resolved:
/// the spec's paths are relative and without `..`, and a link must not lead around that.
pub fn inside(path: &Path, root: &Path) -> Result<()> {
    let (Ok(file), Ok(root)) = (std::fs::canonicalize(path), std::fs::canonicalize(root)) else {
        return Ok(()); // a missing file is reported by the read, with its own message
    };
    if file.starts_with(&root) {
        Ok(())
    } else {
        Err(Error::input(
            path,
            format!(
                "a symbolic link leads outside the spec's folder (to {}); copy the file into the \
                 folder instead",
                file.display()
            ),
        ))
    }
}

fn read_input(path: &Path) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path)
        .map_err(|e| Error::input(path, format!("cannot open input: {e}")))?;
    if !meta.is_file() {
        return Err(Error::input(path, "expected a file"));
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(Error::input(
            path,
            format!(
                "file is {} bytes, above the {} byte limit for one survey file",
                meta.len(),
                MAX_INPUT_BYTES
            ),
        ));
    }
    std::fs::read(path).map_err(|e| Error::input(path, format!("cannot read input: {e}")))
}

/// One loaded input file.
#[derive(Debug, Clone)]
pub struct Input {
    /// As written in the spec (relative to the spec's folder).
    pub spec_path: PathBuf,
    pub sha256: String,
    pub bytes: u64,
    pub frame: DataFrame,
}

/// Load one survey file of a wave: read once, verify the checksum, parse from memory.
pub fn load_file(
    spec: &LoadedSpec,
    lock: Option<&Lock>,
    wave_id: &str,
    source: &FileSource,
) -> Result<Input> {
    let path = spec.resolve(&source.path);
    inside(&path, spec.dir())?;
    let bytes = read_input(&path)?;
    let found = sha256_hex(&bytes);
    let key = source.path.display().to_string();
    let expected = source
        .sha256
        .clone()
        .or_else(|| lock.and_then(|l| l.inputs.get(&key).cloned()));
    match expected {
        None => {
            return Err(Error::input(
                &path,
                format!(
                    "no checksum recorded for this input; record it with `vnr-brief lock {}`",
                    spec.path.display()
                ),
            ))
        }
        Some(exp) if exp != found => {
            return Err(Error::Checksum {
                file: path,
                spec: spec.path.clone(),
                expected: exp,
                found,
            })
        }
        Some(_) => {}
    }
    let format = source.format.ok_or_else(|| {
        Error::spec(
            &spec.path,
            format!(
                "wave '{wave_id}'.format: cannot tell the format of {}; set format = \"csv\", \"parquet\", \"stata\" or \"spss\"",
                source.path.display()
            ),
        )
    })?;
    let size = bytes.len() as u64;
    let frame = parse_columns(&path, format, source.csv, bytes, source.columns.as_ref())?;
    Ok(Input {
        spec_path: source.path.clone(),
        sha256: found,
        bytes: size,
        frame,
    })
}

/// Parse CSV (comma-separated, decimal point), Parquet, Stata or SPSS bytes into a frame,
/// naming the file on failure.
pub fn parse_bytes(path: &Path, format: FileFormat, bytes: Vec<u8>) -> Result<DataFrame> {
    parse_bytes_with(path, format, CsvDialect::default(), bytes)
}

/// The magic bytes of Excel workbooks: a zip container (.xlsx) and an OLE compound file (.xls).
const EXCEL_MAGIC: [&[u8]; 2] = [b"PK\x03\x04", b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"];

/// [`parse_bytes`] with a CSV file's field separator and decimal mark.
pub fn parse_bytes_with(
    path: &Path,
    format: FileFormat,
    csv: CsvDialect,
    bytes: Vec<u8>,
) -> Result<DataFrame> {
    parse_columns(path, format, csv, bytes, None)
}

/// [`parse_bytes_with`] reading only the named columns (and, for a variable with value labels,
/// its `_label` column) when `columns` is given: CSV and Stata files do not build the others, so
/// a column the spec never uses cannot fail the read; Parquet and SPSS files drop them after
/// reading.
pub fn parse_columns(
    path: &Path,
    format: FileFormat,
    csv: CsvDialect,
    bytes: Vec<u8>,
    columns: Option<&BTreeSet<String>>,
) -> Result<DataFrame> {
    if EXCEL_MAGIC.iter().any(|m| bytes.starts_with(m)) {
        return Err(Error::input(
            path,
            "this is an Excel workbook (or another zip or OLE container), not a survey file \
             vnr-brief reads; export the sheet as CSV (UTF-8) or Parquet and name that file",
        ));
    }
    let frame = match format {
        FileFormat::Csv => {
            super::csv_check::check_csv_text(path, &bytes, csv.separator)?;
            read_csv(path, csv, bytes, columns)?
        }
        FileFormat::Parquet => {
            let frame =
                crate::error::contain_panic(|| ParquetReader::new(Cursor::new(bytes)).finish())
                    .map_err(|m| {
                        Error::input(
                            path,
                            format!("cannot parse as Parquet (reader failed: {m})"),
                        )
                    })?
                    .map_err(|e| Error::input(path, format!("cannot parse as Parquet: {e}")))?;
            keep_columns(path, frame, columns)?
        }
        FileFormat::Stata => crate::io::stata::parse_columns(path, &bytes, columns)?,
        FileFormat::Spss => keep_columns(path, crate::io::spss::parse(path, &bytes)?, columns)?,
    };
    if frame.height() == 0 {
        return Err(Error::input(path, "the file has no data rows"));
    }
    check_text_cells(path, &frame)?;
    Ok(frame)
}

/// A CSV file, reading only `columns` (those of its header the spec names) when given.
fn read_csv(
    path: &Path,
    csv: CsvDialect,
    bytes: Vec<u8>,
    columns: Option<&BTreeSet<String>>,
) -> Result<DataFrame> {
    let options = || {
        CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(10_000))
            .map_parse_options(|o| {
                o.with_separator(csv.separator)
                    .with_decimal_comma(csv.decimal_comma)
            })
    };
    let read = |options: CsvReadOptions, bytes: Vec<u8>| {
        crate::error::contain_panic(|| {
            options
                .into_reader_with_file_handle(Cursor::new(bytes))
                .finish()
        })
        .map_err(|m| Error::input(path, format!("cannot parse as CSV (reader failed: {m})")))?
        .map_err(|e| Error::input(path, format!("cannot parse as CSV: {e}")))
    };
    let Some(wanted) = columns else {
        return read(options(), bytes);
    };
    // The header first (one row), then only the columns wanted.
    let header = read(options().with_n_rows(Some(1)), bytes.clone())?;
    let kept: Vec<PlSmallStr> = header
        .get_column_names()
        .into_iter()
        .filter(|c| wanted.contains(c.as_str()))
        .cloned()
        .collect();
    read(options().with_columns(Some(kept.into())), bytes)
}

/// The columns of a frame the spec reads (and their `_label` columns), when `columns` is given.
fn keep_columns(
    path: &Path,
    frame: DataFrame,
    columns: Option<&BTreeSet<String>>,
) -> Result<DataFrame> {
    let Some(wanted) = columns else {
        return Ok(frame);
    };
    let kept: Vec<PlSmallStr> = frame
        .get_column_names()
        .into_iter()
        .filter(|c| crate::io::stata::wanted(wanted, c))
        .cloned()
        .collect();
    frame
        .select(kept)
        .map_err(|e| Error::input(path, e.to_string()))
}

/// A control character (other than tab and line ends) in a text cell would be copied into the
/// brief's tables and charts, where it is invalid (SVG and XML refuse it) or invisible.
fn check_text_cells(path: &Path, frame: &DataFrame) -> Result<()> {
    let is_control = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    for column in frame.columns() {
        let Ok(text) = column.str() else { continue };
        let found = text
            .iter()
            .enumerate()
            .find_map(|(row, v)| Some((row, v?.chars().find(|&c| is_control(c))?)));
        if let Some((row, c)) = found {
            return Err(Error::input(
                path,
                format!(
                    "column `{}`, data row {}: the text holds the control character U+{:04X}; \
                     expected printable text (clean the value at its source)",
                    column.name(),
                    row + 1,
                    c as u32
                ),
            ));
        }
    }
    Ok(())
}

/// Write a file via a temporary sibling and a rename, so readers never see half a file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| Error::output(&tmp, format!("cannot write: {e}")))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::output(path, format!("cannot write: {e}"))
    })
}
