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

use std::cell::Cell;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use dta::stata::dta::byte_order::ByteOrder;
use dta::stata::dta::dta_reader::DtaReader;
use dta::stata::dta::long_string_ref::LongStringRef;
use dta::stata::dta::long_string_table::LongStringTable;
use dta::stata::dta::value::Value;
use dta::stata::stata_byte::StataByte;
use dta::stata::stata_double::StataDouble;
use dta::stata::stata_float::StataFloat;
use dta::stata::stata_int::StataInt;
use dta::stata::stata_long::StataLong;
use polars::prelude::*;

use crate::error::{Error, Result};

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

/// Bytes one observation takes in the data section.
fn row_len(schema: &dta::stata::dta::schema::Schema) -> usize {
    use dta::stata::dta::variable_type::VariableType as T;
    schema
        .variables()
        .iter()
        .map(|v| match v.variable_type() {
            T::Byte => 1,
            T::Int => 2,
            T::Long | T::Float => 4,
            T::Double | T::LongString => 8,
            T::FixedString(width) => usize::from(width),
        })
        .sum()
}

/// Observations the data section of a 117+ file holds according to its `<map>` (14 offsets
/// after the header; 9 is `<data>`, 10 `<strls>`); None if unknown.
fn observations_in_map(bytes: &[u8], track: &Track) -> Option<u64> {
    let facts = track.header.get()?;
    let body = bytes.get(track.map_at.get()?..)?.strip_prefix(b"<map>")?;
    let offset = |k: usize| -> Option<u64> {
        let b: [u8; 8] = body.get(k * 8..k * 8 + 8)?.try_into().ok()?;
        Some(if facts.big_endian {
            u64::from_be_bytes(b)
        } else {
            u64::from_le_bytes(b)
        })
    };
    let row_len = u64::try_from(track.row_len.get()?).ok()?;
    // The section is `<data>`, the rows, `</data>`.
    let data = offset(10)?.checked_sub(offset(9)?)?.checked_sub(13)?;
    (row_len > 0 && data % row_len == 0).then_some(data / row_len)
}

/// An error from `dta`, with what the file's framing says about it.
fn explain(bytes: &[u8], track: &Track, e: &dyn std::fmt::Display) -> String {
    let len = bytes.len();
    if let Some(facts) = track.header.get() {
        let declared = facts.observations;
        if let Some(found) = observations_in_map(bytes, track) {
            if found != declared {
                return format!(
                    "the header declares {declared} observations but the data section holds \
                     {found} ({e})"
                );
            }
        }
        if let (Some(at), Some(row_len)) = (track.data_at.get(), track.row_len.get()) {
            let need = u64::try_from(row_len)
                .ok()
                .and_then(|r| r.checked_mul(declared));
            let left = u64::try_from(len.saturating_sub(at)).ok();
            if let (Some(need), Some(left)) = (need, left) {
                if need > left {
                    return format!(
                        "the header declares {declared} observations of {row_len} bytes \
                         ({need} bytes from byte {at}) but the file has only {left} bytes \
                         left there: it is truncated, or the count is wrong ({e})"
                    );
                }
            }
        }
    }
    if track.pos.get() >= len || track.cut_at.get().is_some() {
        let tag = if bytes.starts_with(b"<stata_dta>") && !bytes.ends_with(b"</stata_dta>") {
            " before its closing </stata_dta> tag"
        } else {
            ""
        };
        return format!("the file ends at byte {len}{tag}: it is truncated ({e})");
    }
    e.to_string()
}

/// Before release 117 the value labels run from the end of the data to the end of the file,
/// one table after another with no count or end marker: a table is `u16 n, name[9], pad[1],
/// n × 10 bytes` before release 108, then `u32 length, name[9 or 33 from 110], pad[3], length
/// bytes`. Walk them from `at` and refuse a table that runs past the end of the file or cannot be
/// one (unnamed, or too short to hold its counts): cut short, trailing bytes, or the end of the
/// data misplaced by a wrong observation count.
fn check_old_label_tables(
    bytes: &[u8],
    mut at: usize,
    facts: HeaderFacts,
) -> std::result::Result<(), String> {
    let start = at;
    let len = bytes.len();
    let int = |at: usize, width: usize| -> Option<usize> {
        let b = bytes.get(at..at.checked_add(width)?)?;
        let push = |acc: u64, &x: &u8| (acc << 8) | u64::from(x);
        let value = if facts.big_endian {
            b.iter().fold(0, push)
        } else {
            b.iter().rev().fold(0, push)
        };
        usize::try_from(value).ok()
    };
    while at < len {
        let (head, name_at, payload) = if facts.release < 108 {
            (12, at + 2, int(at, 2).map(|n| n * 10))
        } else {
            (
                4 + if facts.release >= 110 { 33 } else { 9 } + 3,
                at + 4,
                int(at, 4),
            )
        };
        // A table has a name, and from 108 a payload of at least `n` and `txtlen`.
        let unnamed = bytes.get(name_at).is_some_and(|&b| b == 0);
        if unnamed || payload.is_some_and(|p| facts.release >= 108 && p < 8) {
            return Err(format!(
                "the header declares {} observations, after which the value labels start at \
                 byte {start}; the bytes at {at} are not a value-label table (no name, or too \
                 short): trailing data, a damaged file, or the wrong number of observations",
                facts.observations
            ));
        }
        let end = payload
            .and_then(|p| p.checked_add(head))
            .and_then(|n| n.checked_add(at));
        match end {
            Some(end) if end <= len => at = end,
            _ => {
                let need = end.map_or_else(|| "more".to_string(), |e| (e - at).to_string());
                return Err(format!(
                    "the header declares {} observations, after which the value labels \
                     start at byte {start}; the table at byte {at} needs {need} bytes but the \
                     file ends {} bytes later: the file is truncated, has trailing data, or \
                     declares the wrong number of observations",
                    facts.observations,
                    len - at
                ));
            }
        }
    }
    Ok(())
}

/// After a successful read: the declared observations were all read, no read stopped part-way
/// and nothing follows the end of the file's structure.
fn check_end(bytes: &[u8], track: &Track, parsed: &Parsed) -> std::result::Result<(), String> {
    let len = bytes.len();
    let facts = track
        .header
        .get()
        .ok_or("internal: the header was not recorded")?;
    if u64::try_from(parsed.rows).ok() != Some(facts.observations) {
        return Err(format!(
            "the header declares {} observations but {} were read",
            facts.observations, parsed.rows
        ));
    }
    if let Some(at) = track.cut_at.get() {
        return Err(format!(
            "the file ends at byte {len}, part-way through the field that starts at byte {at}: \
             it is truncated"
        ));
    }
    let pos = track.pos.get();
    if facts.release >= 117 {
        const CLOSE: &[u8] = b"</stata_dta>";
        let rest = bytes.get(pos..).unwrap_or_default();
        if rest.len() < CLOSE.len() && CLOSE.starts_with(rest) {
            return Err(format!(
                "the file ends at byte {len}, before its closing </stata_dta> tag (expected at \
                 byte {pos}): it is truncated"
            ));
        }
        if !rest.starts_with(CLOSE) {
            return Err(format!(
                "expected the closing </stata_dta> tag at byte {pos}, after the value labels; \
                 found other bytes"
            ));
        }
        if rest.len() > CLOSE.len() {
            return Err(format!(
                "the file goes on for {} bytes after its closing </stata_dta> tag (byte {pos}): \
                 trailing data",
                rest.len() - CLOSE.len()
            ));
        }
    } else {
        if pos != len {
            return Err(format!(
                "the reader stopped at byte {pos} of {len}: unread trailing data"
            ));
        }
        // A file cut exactly between two value-label tables reads cleanly (see
        // `check_old_label_tables`); the tables the variables name are the only witness.
        if let Some((var, set)) = parsed.dangling.first() {
            return Err(format!(
                "variable `{var}` uses the value labels `{set}`, which are not in the file: the \
                 file may be truncated (before release 117 a .dta file has no end marker after \
                 its value labels)"
            ));
        }
    }
    Ok(())
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
    let dta = |e: dta::stata::dta::dta_error::DtaError| explain(bytes, track, &e);
    let schema_reader = DtaReader::new()
        .from_reader(Tracked { bytes, track })
        .read_header()
        .map_err(dta)?;
    let header = schema_reader.header();
    let facts = HeaderFacts {
        release: header.release() as u8,
        observations: header.observation_count(),
        big_endian: header.byte_order() == ByteOrder::BigEndian,
    };
    track.header.set(Some(facts));
    track.map_at.set(Some(track.pos.get()));
    let mut characteristics = schema_reader.read_schema().map_err(dta)?;
    track.row_len.set(Some(row_len(characteristics.schema())));
    characteristics.skip_to_end().map_err(dta)?;
    let mut records = characteristics.into_record_reader().map_err(dta)?;
    track.data_at.set(Some(track.pos.get()));
    let schema = records.schema().clone();
    let names: Vec<String> = schema
        .variables()
        .iter()
        .map(|v| v.name().to_string())
        .collect();
    let mut columns: Vec<Option<Column>> = (0..names.len()).map(|_| None).collect();
    let mut rows = 0usize;
    while let Some(record) = records.read_record().map_err(dta)? {
        rows += 1;
        for (slot, value) in columns.iter_mut().zip(record.values()) {
            push(slot, value);
        }
    }
    let mut columns: Vec<Column> = columns
        .into_iter()
        .map(|c| c.unwrap_or(Column::Float(Vec::new())))
        .collect();
    let mut long_strings = records.into_long_string_reader().map_err(dta)?;
    let encoding = long_strings.encoding();
    let mut table = LongStringTable::for_reading();
    long_strings.read_remaining_into(&mut table).map_err(dta)?;
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
    let mut value_labels = long_strings.into_value_label_reader().map_err(dta)?;
    if facts.release < 117 {
        check_old_label_tables(bytes, track.pos.get(), facts)?;
    }
    let mut sets: BTreeMap<String, BTreeMap<i64, String>> = BTreeMap::new();
    while let Some(set) = value_labels.read_value_label_set().map_err(dta)? {
        let entries = set
            .entries()
            .iter()
            .map(|e| (e.value() as i64, e.label().to_string()))
            .collect();
        sets.insert(set.name().to_string(), entries);
    }
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
