//! `vnr-brief init DATA…`: a starter spec from survey files. A DHS household member recode gets
//! the `dhs` profile; any other layout gets a wave whose design fields are guessed from column
//! names (each marked to check) and, as comments, every column with its type, distinct values,
//! examples and value labels. The first file is the wave's main file, the others linked files on
//! the columns they share with it. The inputs are locked beside the spec.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::io::inputs::{self, Lock};
use crate::spec::{self, CsvDialect, FileFormat};

/// One survey file as `init` read it.
struct Scanned {
    /// Relative to the spec's folder.
    path: PathBuf,
    format: FileFormat,
    csv: CsvDialect,
    sha256: String,
    frame: DataFrame,
}

/// Write the starter spec `out` (which must not exist) for `files`, and its lock file; returns
/// a summary for the terminal.
pub fn init(files: &[PathBuf], out: &Path) -> Result<String> {
    if out.extension().and_then(|e| e.to_str()) != Some("toml") {
        return Err(Error::output(
            out,
            "expected a spec file name ending in .toml",
        ));
    }
    if out.exists() {
        return Err(Error::output(
            out,
            "already exists; init never replaces a spec (choose another name)",
        ));
    }
    if files.is_empty() {
        return Err(Error::output(out, "name at least one survey file"));
    }
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let scanned = files
        .iter()
        .map(|f| scan(f, dir))
        .collect::<Result<Vec<_>>>()?;
    let text = spec_text(&scanned);
    let mut lock = Lock::default();
    for s in &scanned {
        lock.inputs
            .insert(s.path.display().to_string(), s.sha256.clone());
    }
    inputs::write_atomically(out, text.as_bytes())?;
    let lock_path = out.with_extension("lock");
    inputs::write_lock_text(&lock_path, out, &lock)?;
    let layout = match detect(&scanned[0].frame) {
        Layout::DhsMembers => {
            "a DHS household member recode: the dhs profile fills the design and indicators"
        }
        Layout::Other(_) => {
            "the design fields are guessed from column names: check every line marked CHECK or TODO"
        }
    };
    Ok(format!(
        "{} written ({layout}); inputs locked in {}\n  next: edit the spec, then `vnr-brief check {}` and `vnr-brief run {}`",
        out.display(),
        lock_path.display(),
        out.display(),
        out.display()
    ))
}

/// Read, hash and parse one file; its path must lie inside the spec's folder.
fn scan(file: &Path, dir: &Path) -> Result<Scanned> {
    let abs = |p: &Path| {
        std::fs::canonicalize(p).map_err(|e| Error::input(p, format!("cannot open: {e}")))
    };
    let (file_abs, dir_abs) = (abs(file)?, abs(dir)?);
    let path = file_abs
        .strip_prefix(&dir_abs)
        .map_err(|_| {
            Error::input(
                file,
                format!(
                    "is outside the spec's folder {}; a spec names its files by paths inside its folder (move the file, or write the spec beside the data)",
                    dir.display()
                ),
            )
        })?
        .to_path_buf();
    let format = spec::format_from_extension(&path).ok_or_else(|| {
        Error::input(file, "cannot tell the format from the extension; expected .csv, .parquet, .dta, .sav or .zsav (an Excel workbook: export the sheet as CSV)")
    })?;
    let bytes =
        std::fs::read(&file_abs).map_err(|e| Error::input(file, format!("cannot read: {e}")))?;
    let csv = if format == FileFormat::Csv {
        sniff_csv(&bytes)
    } else {
        CsvDialect::default()
    };
    let sha256 = inputs::sha256_hex(&bytes);
    let frame = inputs::parse_bytes_with(file, format, csv, bytes)?;
    Ok(Scanned {
        path,
        format,
        csv,
        sha256,
        frame,
    })
}

/// A CSV file's separator from its header line (the most frequent of `,`, `;`, tab, `|`), and a
/// decimal comma when fields are `;`-separated and the second line holds digits around a comma.
fn sniff_csv(bytes: &[u8]) -> CsvDialect {
    let mut lines = bytes.split(|&b| b == b'\n');
    let header = lines.next().unwrap_or_default();
    let separator = [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|s| (header.iter().filter(|b| *b == s).count(), *s == b','))
        .unwrap_or(b',');
    let second = lines.next().unwrap_or_default();
    let decimal_comma = separator != b','
        && second
            .windows(3)
            .any(|w| w[0].is_ascii_digit() && w[1] == b',' && w[2].is_ascii_digit());
    CsvDialect {
        separator,
        decimal_comma,
    }
}

enum Layout {
    DhsMembers,
    /// Another layout, with a note naming it when it is recognised (a DHS or MICS file the
    /// profiles do not cover yet).
    Other(Option<&'static str>),
}

fn has(frame: &DataFrame, names: &[&str]) -> bool {
    names.iter().all(|n| frame.schema().get(n).is_some())
}

fn detect(frame: &DataFrame) -> Layout {
    if has(frame, &["hv001", "hv002", "hvidx", "hv005"]) {
        Layout::DhsMembers
    } else if has(frame, &["hv001", "hv002", "hv005"]) {
        Layout::Other(Some("a DHS household recode (HR): the dhs profile reads the household member recode (PR), which holds the household's variables too; run init on the PR file"))
    } else if has(frame, &["v001", "v002", "v003", "v005"]) {
        Layout::Other(Some("a DHS women's recode (IR/KR/BR): not covered by the dhs profile yet; link it to the PR file as a [[wave.file]] with keys = [\"v001\", \"v002\", \"v003\"] and on = [\"hv001\", \"hv002\", \"hvidx\"]"))
    } else if has(frame, &["hh1", "hh2"]) {
        Layout::Other(Some("a MICS file (HH1 cluster, HH2 household): there is no MICS profile yet; map the design below by hand (weight hhweight/wmweight/chweight, PSU hh1, strata stratum)"))
    } else {
        Layout::Other(None)
    }
}

/// The spec's text.
fn spec_text(files: &[Scanned]) -> String {
    let main = &files[0];
    let mut out = String::new();
    let names: Vec<String> = files.iter().map(|f| f.path.display().to_string()).collect();
    let _ = writeln!(
        out,
        "# Starter spec written by `vnr-brief init` from {}.",
        names.join(", ")
    );
    let _ = writeln!(out, "# Fill in every TODO and check every CHECK, then `vnr-brief check` and `vnr-brief run` it.");
    let _ = writeln!(out, "# The inputs' SHA-256 are in the lock file beside this spec; the README describes each field.\n");
    let layout = detect(&main.frame);
    if let Layout::DhsMembers = layout {
        out.push_str("profile = \"dhs\"\n\n");
    }
    out.push_str(BRIEF);
    out.push_str("\n[[wave]]\nid = \"TODO\"            # e.g. \"2024\"\n# year = TODO           # the survey year\n");
    let _ = writeln!(out, "path = {:?}", main.path.display().to_string());
    dialect_lines(&mut out, main);
    match layout {
        Layout::DhsMembers => {}
        Layout::Other(note) => {
            if let Some(note) = note {
                let _ = writeln!(out, "# NOTE: this looks like {note}.");
            }
            design_lines(&mut out, &main.frame);
        }
    }
    for f in &files[1..] {
        linked_lines(&mut out, main, f);
    }
    out.push_str(MACRO);
    for f in files {
        columns_comment(&mut out, f);
    }
    out
}

const BRIEF: &str = "[brief]
title = \"TODO: title of the brief\"
country = \"TODO\"
iso3 = \"TODO\"               # three upper-case letters, e.g. \"IDN\"
currency = \"TODO\"           # e.g. \"IDR\"
language = \"en\"             # or \"id\"
reference_date = \"TODO\"     # the document date, YYYY-MM-DD
source = \"TODO: survey name and year; author's calculations\"
";

const MACRO: &str = "
# Needed only by social-protection scenarios ([[scenario]]); see specs/demo.toml for a full example
# with circumstances, indicators and scenarios.
[macro]
gdp = 0                      # TODO: nominal GDP, local currency
gdp_per_capita = 0           # TODO
government_revenue = 0       # TODO
ppp_factor = 1               # TODO: local currency per international dollar (2021 PPP)
cpi_ratio = 1                # TODO: CPI of the survey period / CPI of 2021
national_poverty_line = 0    # TODO: monthly, per capita, local currency
";

fn dialect_lines(out: &mut String, f: &Scanned) {
    if f.format == FileFormat::Csv && f.csv != CsvDialect::default() {
        let d = match f.csv.separator {
            b'\t' => "\\t".to_string(),
            s => (s as char).to_string(),
        };
        let _ = writeln!(
            out,
            "delimiter = {d:?}           # read from the header line"
        );
        if f.csv.decimal_comma {
            out.push_str("decimal_comma = true       # numbers are written 3,5\n");
        }
    }
}

/// A design field's guess: the first column whose lower-case name is one of `exact`, else one that
/// contains one of `within`.
fn guess<'a>(columns: &'a [String], exact: &[&str], within: &[&str]) -> Option<&'a str> {
    let lower = |c: &String| c.to_ascii_lowercase();
    columns
        .iter()
        .find(|c| exact.contains(&lower(c).as_str()))
        .or_else(|| {
            columns
                .iter()
                .find(|c| within.iter().any(|w| lower(c).contains(w)))
        })
        .map(String::as_str)
}

fn column_names(frame: &DataFrame) -> Vec<String> {
    frame
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect()
}

fn household_id(frame: &DataFrame) -> Option<String> {
    let columns = column_names(frame);
    guess(
        &columns,
        &[
            "hhid",
            "hh_id",
            "household_id",
            "idhh",
            "id_hh",
            "urut",
            "hhno",
        ],
        &["hhid"],
    )
    .map(str::to_string)
}

/// The wave's design fields with the column guessed for each.
fn guessed_fields(columns: &[String], hh: Option<String>) -> Vec<(&'static str, Option<String>)> {
    let g = |exact: &[&str], within: &[&str]| guess(columns, exact, within).map(str::to_string);
    vec![
        ("household_id", hh),
        (
            "weight",
            g(
                &[
                    "weight",
                    "wt",
                    "hhwt",
                    "fwt",
                    "wert",
                    "hh_weight",
                    "hhweight",
                ],
                &["weight"],
            ),
        ),
        ("strata", g(&["strata", "stratum"], &["strat"])),
        ("psu", g(&["psu", "cluster", "ea"], &["psu"])),
        (
            "household_size",
            g(
                &["hhsize", "hh_size", "household_size"],
                &["hhsize", "size"],
            ),
        ),
        (
            "welfare",
            g(
                &[],
                &["consumption", "expenditure", "welfare", "income", "kapita"],
            ),
        ),
        ("region", g(&["region", "province", "prov"], &["region"])),
        (
            "urban",
            g(&["urban", "urban_rural", "area", "residence"], &["urban"]),
        ),
        ("age", g(&["age", "umur"], &[])),
    ]
}

fn design_lines(out: &mut String, frame: &DataFrame) {
    let columns = column_names(frame);
    let hh = household_id(frame);
    let unit = match &hh {
        Some(h) => match frame.column(h).and_then(|c| c.n_unique()) {
            Ok(n) if n < frame.height() => "person",
            _ => "household",
        },
        None => "person",
    };
    let fields = guessed_fields(&columns, hh);
    let _ = writeln!(
        out,
        "unit = {unit:?}            # CHECK: \"person\" when a household has several rows"
    );
    for (field, column) in fields {
        let optional = matches!(field, "region" | "urban" | "age");
        match (column.as_deref(), optional) {
            (Some(c), _) => {
                let _ = writeln!(
                    out,
                    "{field} = {c:?}   # CHECK: guessed from the column name"
                );
            }
            (None, false) => {
                let _ = writeln!(out, "{field} = \"TODO\"   # the column holding it");
            }
            (None, true) => {
                let _ = writeln!(
                    out,
                    "# {field} = \"TODO\"   # optional: the column holding it"
                );
            }
        }
    }
    out.push_str("# head = \"TODO\"   # an expression true on the household head's row, e.g. \"relation = 'Head'\"\n");
}

/// A `[[wave.file]]` for a linked file: keys are the columns it shares with the main file.
fn linked_lines(out: &mut String, main: &Scanned, f: &Scanned) {
    let main_columns = column_names(&main.frame);
    let shared: Vec<String> = column_names(&f.frame)
        .into_iter()
        .filter(|c| main_columns.contains(c))
        .collect();
    let role = f
        .path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("file")
        .to_ascii_lowercase();
    let _ = writeln!(out, "\n[[wave.file]]\nrole = {role:?}   # CHECK: e.g. \"household\", \"women\", \"consumption\"");
    let _ = writeln!(out, "path = {:?}", f.path.display().to_string());
    if shared.is_empty() {
        out.push_str("keys = [\"TODO\"]   # no column name is shared with the main file: name the keys, and `on` the main file's\n");
    } else {
        let _ = writeln!(out, "keys = {shared:?}   # CHECK: the columns shared with the main file; keep the ones that identify a record");
    }
    out.push_str(
        "# sum = [\"TODO\"]   # for a module with several records per key: the columns to add up\n",
    );
    dialect_lines(out, f);
}

/// Every column of a file as a comment: name, type, distinct values, examples or value labels.
fn columns_comment(out: &mut String, f: &Scanned) {
    let _ = writeln!(
        out,
        "\n# Columns of {} ({} rows):",
        f.path.display(),
        f.frame.height()
    );
    let names = column_names(&f.frame);
    let labels: BTreeMap<&str, &str> = names
        .iter()
        .filter_map(|n| n.strip_suffix("_label").map(|code| (code, n.as_str())))
        .filter(|(code, _)| names.iter().any(|n| n == code))
        .collect();
    for name in &names {
        if name.ends_with("_label") && labels.values().any(|l| l == name) {
            continue;
        }
        let Ok(column) = f.frame.column(name) else {
            continue;
        };
        let kind = match column.dtype() {
            d if d.is_integer() => "whole numbers",
            d if d.is_float() => "numbers",
            DataType::String => "text",
            DataType::Boolean => "true/false",
            _ => "other",
        };
        let distinct = column.n_unique().unwrap_or(0);
        let shown = match labels.get(name.as_str()) {
            Some(label) => value_labels(&f.frame, name, label),
            None => examples(column),
        };
        let missing = column.null_count();
        let _ = writeln!(
            out,
            "#   {name:<24} {kind:<13} {distinct:>7} distinct{}  {shown}",
            if missing > 0 {
                format!(", {missing} missing")
            } else {
                String::new()
            }
        );
    }
}

/// A value as a spec would write it: text bare, a whole number stored as a double as `1`.
fn show(v: &AnyValue) -> String {
    match v {
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        AnyValue::Float64(x) => crate::io::format_code(*x),
        AnyValue::Float32(x) => crate::io::format_code(f64::from(*x)),
        other => other.to_string(),
    }
}

/// The first few distinct values in file order.
fn examples(column: &Column) -> String {
    let mut seen: Vec<String> = Vec::new();
    for i in 0..column.len() {
        let Ok(v) = column.get(i) else { break };
        if v.is_null() {
            continue;
        }
        let text = show(&v);
        if !seen.contains(&text) {
            seen.push(text);
        }
        if seen.len() == 4 {
            break;
        }
    }
    let mut text = format!("e.g. {}", seen.join(", "));
    if text.chars().count() > 70 {
        text = text.chars().take(67).collect::<String>() + "...";
    }
    text
}

/// "1 = Urban, 2 = Rural": the code and label pairs of a labelled column (at most 8).
fn value_labels(frame: &DataFrame, code: &str, label: &str) -> String {
    let pairs = frame
        .clone()
        .lazy()
        .select([col(code), col(label)])
        .unique_stable(None, UniqueKeepStrategy::First)
        .sort([code], SortMultipleOptions::default())
        .limit(9)
        .collect();
    let Ok(pairs) = pairs else {
        return String::new();
    };
    let (Ok(c), Ok(l)) = (pairs.column(code), pairs.column(label)) else {
        return String::new();
    };
    let mut shown: Vec<String> = (0..pairs.height().min(8))
        .filter_map(|i| {
            Some(format!(
                "{} = {}",
                show(&c.get(i).ok()?),
                show(&l.get(i).ok()?)
            ))
        })
        .collect();
    if pairs.height() > 8 {
        shown.push("...".into());
    }
    format!("labels: {}", shown.join(", "))
}
