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

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

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
pub fn parse(path: &Path, bytes: &[u8]) -> Result<DataFrame> {
    let fail = |e: &dyn std::fmt::Display| {
        Error::input(
            path,
            format!("cannot read as a Stata .dta file (releases 102-119): {e}"),
        )
    };
    // Releases 117+ are framed by tags; a file cut short loses its closing tag even when the
    // reader would accept what is left.
    if bytes.starts_with(b"<stata_dta>") && !bytes.ends_with(b"</stata_dta>") {
        return Err(fail(
            &"the file ends before its closing </stata_dta> tag (truncated?)",
        ));
    }
    crate::error::contain_panic(|| read(bytes))
        .map_err(|m| fail(&m))?
        .map_err(|e| fail(&e))
        .and_then(|(names, columns, labels)| build(path, names, columns, labels))
}

type Parsed = (Vec<String>, Vec<Column>, Vec<Option<BTreeMap<i64, String>>>);

fn read(bytes: &[u8]) -> std::result::Result<Parsed, dta::stata::dta::dta_error::DtaError> {
    let schema_reader = DtaReader::new()
        .from_reader(Cursor::new(bytes))
        .read_header()?;
    let mut characteristics = schema_reader.read_schema()?;
    characteristics.skip_to_end()?;
    let mut records = characteristics.into_record_reader()?;
    let schema = records.schema().clone();
    let names: Vec<String> = schema
        .variables()
        .iter()
        .map(|v| v.name().to_string())
        .collect();
    let mut columns: Vec<Option<Column>> = (0..names.len()).map(|_| None).collect();
    while let Some(record) = records.read_record()? {
        for (slot, value) in columns.iter_mut().zip(record.values()) {
            push(slot, value);
        }
    }
    let mut columns: Vec<Column> = columns
        .into_iter()
        .map(|c| c.unwrap_or(Column::Float(Vec::new())))
        .collect();
    let mut long_strings = records.into_long_string_reader()?;
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
    let mut value_labels = long_strings.into_value_label_reader()?;
    let mut sets: BTreeMap<String, BTreeMap<i64, String>> = BTreeMap::new();
    while let Some(set) = value_labels.read_value_label_set()? {
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
    Ok((names, columns, labels))
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
