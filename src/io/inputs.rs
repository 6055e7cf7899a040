//! Inputs: read each survey file once, hash the bytes, check the hash against the lock file (or the
//! spec's pinned `sha256`), and parse the same bytes, so the checksum is of what was analysed.

use std::collections::BTreeMap;
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
    for source in spec.spec.waves.iter().flat_map(|w| w.sources()) {
        let path = spec.resolve(&source.path);
        inside(&path, spec.dir())?;
        let bytes = read_input(&path)?;
        lock.inputs
            .insert(source.path.display().to_string(), sha256_hex(&bytes));
    }
    let path = lock_path(spec);
    let body = toml::to_string(&lock).expect("lock serialises");
    let text = format!(
        "# Written by `vnr-brief lock`: SHA-256 of every input named by {}.\n\
         # `vnr-brief run` refuses an input whose bytes no longer match. Re-run `lock` only when a\n\
         # change is deliberate (a new or corrected survey wave).\n{body}",
        spec.path.file_name().unwrap_or_default().to_string_lossy()
    );
    write_atomically(&path, text.as_bytes())?;
    Ok((path, lock))
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
    let frame = parse_bytes_with(&path, format, source.csv, bytes)?;
    Ok(Input {
        spec_path: source.path.clone(),
        sha256: found,
        bytes: size,
        frame,
    })
}

/// Refuse CSV bytes that are not text or that end part-way through a record, before polars sees
/// them: polars fills the missing fields of a short last record with nulls, takes an
/// unterminated quoted field for a whole one, and parses a long run of NUL bytes in quadratic
/// time.
///
/// The scan follows polars' reading of a CSV file (separator `,`, quote `"`, records ended by
/// `\n`, an optional `\r` before it being part of the last field): a quote opens a quoted field
/// only at the start of a field, and inside one each quote toggles quoting (so `""` is a quote).
/// Every record must have the header's number of fields; blank lines before the header are
/// skipped, a blank line after it (a row of nulls to polars) is refused unless the file has a
/// single column.
fn check_csv_text(path: &Path, bytes: &[u8], separator: u8) -> Result<()> {
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(Error::input(
            path,
            format!(
                "expected a CSV text file, found a NUL byte at byte offset {at} (binary \
                 content, or a file padded with zeros)"
            ),
        ));
    }
    let mut scan = CsvScan {
        separator,
        ..CsvScan::default()
    };
    // The header first: a file read with the wrong separator is then named as such.
    check_header_names(bytes, separator)
        .and_then(|()| bytes.iter().try_for_each(|&b| scan.byte(b)))
        .and_then(|()| scan.finish())
        .map_err(|what| Error::input(path, format!("cannot parse as CSV: {what}")))
}

/// polars renames a repeated column name (`sex`, `sex_duplicated_0`), so a spec naming it would
/// read whichever copy polars kept: a repeated name is refused.
fn check_header_names(bytes: &[u8], separator: u8) -> std::result::Result<(), String> {
    let names = header_fields(bytes, separator);
    if let [one] = names.as_slice() {
        if let Some(other) = [b';', b'\t', b'|', b',']
            .into_iter()
            .find(|&s| s != separator && one.as_bytes().contains(&s))
        {
            return Err(format!(
                "the header is one field, `{one}`, holding {:?}: the file seems to separate \
                 fields with {:?}; set the file's delimiter = {:?} in the spec (and \
                 decimal_comma = true if numbers are written 3,5)",
                other as char,
                other as char,
                if other == b'\t' {
                    "\\t".to_string()
                } else {
                    (other as char).to_string()
                }
            ));
        }
    }
    for (i, name) in names.iter().enumerate() {
        if let Some(j) = names[..i].iter().position(|n| n == name) {
            return Err(format!(
                "the header names column `{name}` twice (fields {} and {}); expected unique \
                 column names",
                j + 1,
                i + 1
            ));
        }
    }
    Ok(())
}

/// The header's field names: the first non-blank record, split on separators outside quotes,
/// quotes removed (`""` inside quotes is a quote).
fn header_fields(bytes: &[u8], separator: u8) -> Vec<String> {
    let start = bytes
        .iter()
        .position(|&b| b != b'\n' && b != b'\r')
        .unwrap_or(bytes.len());
    let (mut fields, mut field) = (Vec::new(), Vec::new());
    let (mut in_quotes, mut prev_quote) = (false, false);
    for &b in &bytes[start..] {
        match b {
            b'"' if in_quotes => in_quotes = false,
            b'"' => {
                if prev_quote {
                    field.push(b'"');
                }
                in_quotes = true;
            }
            b'\n' if !in_quotes => {
                fields.push(
                    String::from_utf8_lossy(&field)
                        .trim_end_matches('\r')
                        .to_string(),
                );
                break;
            }
            s if s == separator && !in_quotes => {
                fields.push(String::from_utf8_lossy(&field).to_string());
                field.clear();
            }
            _ => field.push(b),
        }
        prev_quote = b == b'"' && !in_quotes;
    }
    fields
}

/// Where [`check_csv_text`] is in the file: lines, the current record and its fields, quoting.
struct CsvScan {
    /// Physical line of the current byte.
    line: usize,
    /// Line the current record starts on.
    record_line: usize,
    /// Fields so far in the current record.
    fields: usize,
    header: Option<usize>,
    /// Nothing but `\r` so far in the current record.
    blank: bool,
    at_field_start: bool,
    field_quoted: bool,
    in_quotes: bool,
    quote_line: usize,
    separator: u8,
}

impl Default for CsvScan {
    fn default() -> Self {
        CsvScan {
            line: 1,
            record_line: 1,
            fields: 1,
            header: None,
            blank: true,
            at_field_start: true,
            field_quoted: false,
            in_quotes: false,
            quote_line: 0,
            separator: b',',
        }
    }
}

impl CsvScan {
    /// Take one byte; a record with the wrong number of fields is refused at its line end.
    fn byte(&mut self, b: u8) -> std::result::Result<(), String> {
        if self.in_quotes {
            match b {
                b'"' => self.in_quotes = false,
                b'\n' => self.line += 1,
                _ => {}
            }
            return Ok(());
        }
        match b {
            s if s == self.separator => {
                self.fields += 1;
                self.blank = false;
                self.at_field_start = true;
                self.field_quoted = false;
            }
            b'\n' => self.end_record()?,
            b'\r' => {}
            b'"' => {
                if self.at_field_start {
                    self.quote_line = self.line;
                }
                if self.at_field_start || self.field_quoted {
                    self.field_quoted = true;
                    self.in_quotes = true;
                }
                self.blank = false;
                self.at_field_start = false;
            }
            _ => {
                self.blank = false;
                self.at_field_start = false;
            }
        }
        Ok(())
    }

    /// A line end outside quotes: the record is checked against the header (or is the header).
    fn end_record(&mut self) -> std::result::Result<(), String> {
        let (record_line, fields, blank) = (self.record_line, self.fields, self.blank);
        match self.header {
            // Blank lines before the header are skipped.
            None if blank => {}
            None => self.header = Some(fields),
            // A blank line has one empty field: a row of nulls to polars.
            Some(h) if blank && h > 1 => {
                return Err(format!(
                    "line {record_line} is blank, expected the \
                     header's {h} fields"
                ))
            }
            Some(h) if !blank && h != fields => {
                return Err(mismatch(record_line, fields, h, false))
            }
            Some(_) => {}
        }
        self.line += 1;
        self.record_line = self.line;
        self.fields = 1;
        self.blank = true;
        self.at_field_start = true;
        self.field_quoted = false;
        Ok(())
    }

    /// The end of the file: no quoted field left open, no last record cut short.
    fn finish(&self) -> std::result::Result<(), String> {
        let (record_line, fields) = (self.record_line, self.fields);
        if self.in_quotes {
            let quote_line = self.quote_line;
            return Err(format!(
                "the file ends inside a quoted field opened on line \
                 {quote_line} (the closing quote is missing: the file is truncated?)"
            ));
        }
        if !self.blank {
            if let Some(h) = self.header.filter(|&h| h != fields) {
                return Err(mismatch(record_line, fields, h, true));
            }
            if self.at_field_start && self.header.is_some() {
                return Err(format!(
                    "the file ends right after a separator on line \
                     {record_line}, with no line end (the file is truncated?)"
                ));
            }
        }
        Ok(())
    }
}

/// A record whose number of fields is not the header's (`last`: the file ends inside it).
fn mismatch(record_line: usize, fields: usize, header: usize, last: bool) -> String {
    if last {
        format!(
            "the file ends in the middle of line {record_line}: it has {fields} fields, \
             expected the header's {header} (the file is truncated?)"
        )
    } else {
        format!(
            "line {record_line} has {fields} fields, expected the header's {header} (a \
             record cut short, or a stray separator)"
        )
    }
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
    if EXCEL_MAGIC.iter().any(|m| bytes.starts_with(m)) {
        return Err(Error::input(
            path,
            "this is an Excel workbook (or another zip or OLE container), not a survey file \
             vnr-brief reads; export the sheet as CSV (UTF-8) or Parquet and name that file",
        ));
    }
    let frame = match format {
        FileFormat::Csv => {
            check_csv_text(path, &bytes, csv.separator)?;
            crate::error::contain_panic(|| {
                CsvReadOptions::default()
                    .with_has_header(true)
                    .with_infer_schema_length(Some(10_000))
                    .map_parse_options(|o| {
                        o.with_separator(csv.separator)
                            .with_decimal_comma(csv.decimal_comma)
                    })
                    .into_reader_with_file_handle(Cursor::new(bytes))
                    .finish()
            })
            .map_err(|m| Error::input(path, format!("cannot parse as CSV (reader failed: {m})")))?
            .map_err(|e| Error::input(path, format!("cannot parse as CSV: {e}")))?
        }
        FileFormat::Parquet => {
            crate::error::contain_panic(|| ParquetReader::new(Cursor::new(bytes)).finish())
                .map_err(|m| {
                    Error::input(
                        path,
                        format!("cannot parse as Parquet (reader failed: {m})"),
                    )
                })?
                .map_err(|e| Error::input(path, format!("cannot parse as Parquet: {e}")))?
        }
        FileFormat::Stata => crate::io::stata::parse(path, &bytes)?,
        FileFormat::Spss => crate::io::spss::parse(path, &bytes)?,
    };
    if frame.height() == 0 {
        return Err(Error::input(path, "the file has no data rows"));
    }
    check_text_cells(path, &frame)?;
    Ok(frame)
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
