//! Stata `.dta` files (releases 102–119, through the `dta` crate) as a polars frame.
//!
//! - Numbers keep their codes: byte/int/long become Int64, float/double Float64, so spec
//!   expressions such as `hv201 IN (11, 12)` read the codes the survey documentation lists.
//! - Stata's missing values (`.` and the tagged `.a`–`.z`) become null.
//! - A variable with a value-label set gets a companion text column `<name>_label` holding the
//!   label of each value (the number itself where the set has no label for it, null where the
//!   value is missing): circumstances read the labels, outcomes read the codes.
//! - Strings (fixed and strL) are decoded with the file's encoding; an empty string is null, as in
//!   a CSV file.

mod checks;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use dta::stata::dta::byte_order::ByteOrder;
use dta::stata::dta::dta_error::{DtaError, Result as DtaResult};
use dta::stata::dta::dta_reader::DtaReader;
use dta::stata::dta::long_string_reader::LongStringReader;
use dta::stata::dta::long_string_ref::LongStringRef;
use dta::stata::dta::long_string_table::LongStringTable;
use dta::stata::dta::record_reader::RecordReader;
use dta::stata::dta::value::Value;
use dta::stata::dta::value_label_reader::ValueLabelReader;
use dta::stata::stata_byte::StataByte;
use dta::stata::stata_double::StataDouble;
use dta::stata::stata_float::StataFloat;
use dta::stata::stata_int::StataInt;
use dta::stata::stata_long::StataLong;
use polars::prelude::*;

use crate::error::{Error, Result};
use checks::{check_end, check_old_label_tables, explain, row_len};

/// Suffix of the text column holding a labelled variable's value labels.
pub const LABEL_SUFFIX: &str = "_label";

enum Column {
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Text(Vec<Option<String>>),
    /// strL references, resolved once the strL section has been read.
    LongText(Vec<Option<LongStringRef>>),
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// Parse `.dta` bytes into a frame (see the module comment for what becomes what).
///
/// A file is refused unless it was read to its end. `dta` reads exactly the observations the
/// header declares and fails on a section cut short, but it takes a value-label table cut
/// part-way for a clean end of file, stops at `</value_labels>` whatever follows, and sizes its
/// buffer from a table's declared length before reading it (4 GiB for trailing `0xFF` bytes).
/// So [`Tracked`] watches its reads, [`check_old_label_tables`] walks the tables of a file before
/// release 117 before `dta` reads them, and [`check_end`] looks at what is left.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<DataFrame> {
    parse_columns(path, bytes, None)
}

/// Whether a frame column is wanted: named, or the variable of a wanted `_label` column, or the
/// `_label` column of a wanted variable.
pub(crate) fn wanted(columns: &std::collections::BTreeSet<String>, name: &str) -> bool {
    columns.contains(name)
        || columns.contains(&format!("{name}{LABEL_SUFFIX}"))
        || name
            .strip_suffix(LABEL_SUFFIX)
            .is_some_and(|v| columns.contains(v))
}

/// [`parse`], building only the variables in `columns` (and their label columns) when given: the
/// others are read past, never built, so a variable the spec does not use cannot fail the read.
pub fn parse_columns(
    path: &Path,
    bytes: &[u8],
    columns: Option<&std::collections::BTreeSet<String>>,
) -> Result<DataFrame> {
    let fail = |e: &dyn std::fmt::Display| {
        Error::input(
            path,
            format!("cannot read as a Stata .dta file (releases 102-119): {e}"),
        )
    };
    let track = Track::default();
    let parsed = crate::error::contain_panic(|| read(bytes, &track))
        .map_err(|m| fail(&m))?
        .map_err(|why| fail(&why))?;
    check_end(bytes, &track, &parsed).map_err(|why| fail(&why))?;
    let keep = |name: &String| columns.is_none_or(|c| wanted(c, name));
    let mut parsed = parsed;
    let kept: Vec<bool> = parsed.names.iter().map(keep).collect();
    let mut flags = kept.iter();
    parsed
        .names
        .retain(|_| *flags.next().expect("one per name"));
    let mut flags = kept.iter();
    parsed
        .columns
        .retain(|_| *flags.next().expect("one per column"));
    let mut flags = kept.iter();
    parsed
        .labels
        .retain(|_| *flags.next().expect("one per label"));
    build(path, parsed.names, parsed.columns, parsed.labels)
}

/// What the reader learnt on its way through the file (for the checks and error messages).
#[derive(Default)]
struct Track {
    /// Bytes handed to the reader so far.
    pos: Cell<usize>,
    /// Offset of the first read that found only part of what it asked for: the file ends inside
    /// the field read there.
    cut_at: Cell<Option<usize>>,
    /// From the header, once read.
    header: Cell<Option<HeaderFacts>>,
    /// Offset of `<map>` (117+): where the header ends.
    map_at: Cell<Option<usize>>,
    /// Bytes per observation, from the variable types.
    row_len: Cell<Option<usize>>,
    /// Where the observations start.
    data_at: Cell<Option<usize>>,
}

#[derive(Clone, Copy)]
struct HeaderFacts {
    release: u8,
    observations: u64,
    big_endian: bool,
}

/// The file's bytes as the `dta` reader sees them, reporting to a [`Track`].
struct Tracked<'a> {
    bytes: &'a [u8],
    track: &'a Track,
}

impl Read for Tracked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let pos = self.track.pos.get();
        let rest = self.bytes.get(pos..).unwrap_or_default();
        let n = rest.len().min(buf.len());
        if n < buf.len() && n > 0 && self.track.cut_at.get().is_none() {
            self.track.cut_at.set(Some(pos));
        }
        if let (Some(to), Some(from)) = (buf.get_mut(..n), rest.get(..n)) {
            to.copy_from_slice(from);
        }
        self.track.pos.set(pos + n);
        Ok(n)
    }
}

/// What `read` hands back: names, columns and labels to build the frame from; the number of
/// observations read; variables whose value-label table is missing, as (variable, table).
struct Parsed {
    names: Vec<String>,
    columns: Vec<Column>,
    labels: Vec<Option<BTreeMap<i64, String>>>,
    rows: usize,
    dangling: Vec<(String, String)>,
}

fn read(bytes: &[u8], track: &Track) -> std::result::Result<Parsed, String> {
    let dta = |e: DtaError| explain(bytes, track, &e);
    let (facts, mut records) = open_records(bytes, track).map_err(dta)?;
    let schema = records.schema().clone();
    let names: Vec<String> = schema
        .variables()
        .iter()
        .map(|v| v.name().to_string())
        .collect();
    let (mut columns, rows) = read_columns(&mut records, names.len()).map_err(dta)?;
    let mut long_strings = records.into_long_string_reader().map_err(dta)?;
    resolve_long_strings(&mut long_strings, &mut columns).map_err(dta)?;
    let mut value_labels = long_strings.into_value_label_reader().map_err(dta)?;
    if facts.release < 117 {
        check_old_label_tables(bytes, track.pos.get(), facts)?;
    }
    let sets = read_label_sets(&mut value_labels).map_err(dta)?;
    let labels = schema
        .variables()
        .iter()
        .map(|v| sets.get(v.value_label_name()).cloned())
        .collect();
    let dangling = schema
        .variables()
        .iter()
        .filter(|v| !v.value_label_name().is_empty() && !sets.contains_key(v.value_label_name()))
        .map(|v| (v.name().to_string(), v.value_label_name().to_string()))
        .collect();
    Ok(Parsed {
        names,
        columns,
        labels,
        rows,
        dangling,
    })
}

/// Read the header, the variables and the characteristics, noting in `track` where the header
/// ends, how long an observation is and where the observations start.
fn open_records<'a>(
    bytes: &'a [u8],
    track: &'a Track,
) -> DtaResult<(HeaderFacts, RecordReader<Tracked<'a>>)> {
    let schema_reader = DtaReader::new()
        .from_reader(Tracked { bytes, track })
        .read_header()?;
    let header = schema_reader.header();
    let facts = HeaderFacts {
        release: header.release() as u8,
        observations: header.observation_count(),
        big_endian: header.byte_order() == ByteOrder::BigEndian,
    };
    track.header.set(Some(facts));
    track.map_at.set(Some(track.pos.get()));
    let mut characteristics = schema_reader.read_schema()?;
    track.row_len.set(Some(row_len(characteristics.schema())));
    characteristics.skip_to_end()?;
    let records = characteristics.into_record_reader()?;
    track.data_at.set(Some(track.pos.get()));
    Ok((facts, records))
}

/// Every observation into columns (typed by their first value); also the number read.
fn read_columns(
    records: &mut RecordReader<Tracked<'_>>,
    width: usize,
) -> DtaResult<(Vec<Column>, usize)> {
    let mut columns: Vec<Option<Column>> = (0..width).map(|_| None).collect();
    let mut rows = 0usize;
    while let Some(record) = records.read_record()? {
        rows += 1;
        for (slot, value) in columns.iter_mut().zip(record.values()) {
            push(slot, value);
        }
    }
    let columns = columns
        .into_iter()
        .map(|c| c.unwrap_or(Column::Float(Vec::new())))
        .collect();
    Ok((columns, rows))
}

/// Read the strL section and replace every column of strL references by their texts.
fn resolve_long_strings(
    long_strings: &mut LongStringReader<Tracked<'_>>,
    columns: &mut [Column],
) -> DtaResult<()> {
    let encoding = long_strings.encoding();
    let mut table = LongStringTable::for_reading();
    long_strings.read_remaining_into(&mut table)?;
    for column in columns.iter_mut() {
        if let Column::LongText(refs) = column {
            let texts = refs
                .iter()
                .map(|r| {
                    r.as_ref()
                        .and_then(|r| table.get(r))
                        .and_then(|s| s.data_str(encoding).map(|t| t.into_owned()))
                        .and_then(|t| non_empty(&t))
                })
                .collect();
            *column = Column::Text(texts);
        }
    }
    Ok(())
}

/// Every value-label table of the file, by name.
fn read_label_sets(
    value_labels: &mut ValueLabelReader<Tracked<'_>>,
) -> DtaResult<BTreeMap<String, BTreeMap<i64, String>>> {
    let mut sets: BTreeMap<String, BTreeMap<i64, String>> = BTreeMap::new();
    while let Some(set) = value_labels.read_value_label_set()? {
        let entries = set
            .entries()
            .iter()
            .map(|e| (e.value() as i64, e.label().to_string()))
            .collect();
        sets.insert(set.name().to_string(), entries);
    }
    Ok(sets)
}

/// Append one value to its column, creating the column from the first value's type.
fn push(slot: &mut Option<Column>, value: &Value) {
    let int = |x: Option<i64>, slot: &mut Option<Column>| {
        if let Column::Int(v) = slot.get_or_insert_with(|| Column::Int(Vec::new())) {
            v.push(x)
        }
    };
    let float = |x: Option<f64>, slot: &mut Option<Column>| {
        if let Column::Float(v) = slot.get_or_insert_with(|| Column::Float(Vec::new())) {
            v.push(x)
        }
    };
    match value {
        Value::Byte(StataByte::Present(x)) => int(Some(*x as i64), slot),
        Value::Byte(StataByte::Missing(_)) => int(None, slot),
        Value::Int(StataInt::Present(x)) => int(Some(*x as i64), slot),
        Value::Int(StataInt::Missing(_)) => int(None, slot),
        Value::Long(StataLong::Present(x)) => int(Some(*x as i64), slot),
        Value::Long(StataLong::Missing(_)) => int(None, slot),
        Value::Float(StataFloat::Present(x)) => float(Some(*x as f64), slot),
        Value::Float(StataFloat::Missing(_)) => float(None, slot),
        Value::Double(StataDouble::Present(x)) => float(Some(*x), slot),
        Value::Double(StataDouble::Missing(_)) => float(None, slot),
        Value::String(s) => {
            if let Column::Text(v) = slot.get_or_insert_with(|| Column::Text(Vec::new())) {
                v.push(non_empty(s))
            }
        }
        Value::LongStringRef(r) => {
            if let Column::LongText(v) = slot.get_or_insert_with(|| Column::LongText(Vec::new())) {
                v.push(Some(*r))
            }
        }
    }
}

fn build(
    path: &Path,
    names: Vec<String>,
    columns: Vec<Column>,
    labels: Vec<Option<BTreeMap<i64, String>>>,
) -> Result<DataFrame> {
    let mut out: Vec<polars::prelude::Column> = Vec::new();
    for ((name, column), labels) in names.iter().zip(columns).zip(labels) {
        let label_of = |code: Option<i64>| {
            code.map(|c| {
                labels
                    .as_ref()
                    .and_then(|l| l.get(&c).cloned())
                    .unwrap_or_else(|| c.to_string())
            })
        };
        match column {
            Column::Int(v) => {
                let text: Option<Vec<Option<String>>> = labels
                    .is_some()
                    .then(|| v.iter().map(|&c| label_of(c)).collect());
                out.push(Series::new(name.into(), v).into());
                if let Some(text) = text {
                    out.push(Series::new(format!("{name}{LABEL_SUFFIX}").into(), text).into());
                }
            }
            Column::Float(v) => {
                if labels.is_some() {
                    // Stata labels integer values only; a fractional value has no label.
                    let text: Vec<Option<String>> = v
                        .iter()
                        .map(|x| {
                            x.map(|x| {
                                if x.fract() == 0.0 {
                                    label_of(Some(x as i64)).unwrap_or_default()
                                } else {
                                    x.to_string()
                                }
                            })
                        })
                        .collect();
                    out.push(Series::new(name.into(), v).into());
                    out.push(Series::new(format!("{name}{LABEL_SUFFIX}").into(), text).into());
                } else {
                    out.push(Series::new(name.into(), v).into());
                }
            }
            Column::Text(v) => out.push(Series::new(name.into(), v).into()),
            Column::LongText(_) => unreachable!("resolved in read()"),
        }
    }
    // A label column must not shadow a variable of the same name.
    let mut seen = std::collections::BTreeSet::new();
    for c in &out {
        if !seen.insert(c.name().to_string()) {
            return Err(Error::input(
                path,
                format!(
                    "variable `{}` clashes with the value-label column made for `{}`; rename it",
                    c.name(),
                    c.name().trim_end_matches(LABEL_SUFFIX)
                ),
            ));
        }
    }
    let height = out.first().map_or(0, |c| c.len());
    DataFrame::new(height, out)
        .map_err(|e| Error::input(path, format!("cannot build a table: {e}")))
}
