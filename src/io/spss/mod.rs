//! SPSS `.sav` / `.zsav` files (through the `ambers` crate) as a polars frame, with the same
//! conventions as Stata files (`io::stata`):
//!
//! - numbers stay numbers (SPSS stores every number as a double), so expressions read the codes;
//! - system-missing values and the variable's user-missing values (discrete values or a range)
//!   become null;
//! - a variable with value labels gets a companion text column `<name>_label`;
//! - strings are decoded with the file's encoding; an empty string (or a user-missing string) is
//!   null; dates and times become text (ISO 8601).

mod data;
mod layout;

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use ambers::{MissingSpec, SpssMetadata, Value};
use arrow::array::{Array, ArrayRef, AsArray};
use arrow::datatypes::{DataType as ArrowType, Float64Type};
use arrow::record_batch::RecordBatch;
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::io::stata::LABEL_SUFFIX;
use layout::Layout;

/// Parse `.sav` or `.zsav` bytes into a frame (see the module comment for what becomes what).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<DataFrame> {
    let fail = |e: &dyn std::fmt::Display| {
        Error::input(path, format!("cannot read as an SPSS .sav file: {e}"))
    };
    let (batch, meta) = read_framed(bytes).map_err(|why| fail(&why))?;
    let mut out: Vec<Column> = Vec::new();
    for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
        let name = field.name();
        let missing = meta
            .variable_missing_values
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        match array.data_type() {
            ArrowType::Float64 => out.extend(numeric_columns(name, array, missing, &meta)),
            // Strings, and dates or times rendered as text.
            _ => out.push(text_column(name, array, missing).map_err(|why| fail(&why))?),
        }
    }
    let height = out.first().map_or(0, |c| c.len());
    DataFrame::new(height, out).map_err(|e| fail(&e))
}

/// The rows and dictionary `ambers` reads, once the file's own framing agrees with them; the
/// error text explains a failed read by where the file's framing breaks.
fn read_framed(bytes: &[u8]) -> std::result::Result<(RecordBatch, SpssMetadata), String> {
    let read = crate::error::contain_panic(|| ambers::read_sav_from_reader(Cursor::new(bytes)))?;
    // `ambers` reads the data section to its end, drops a partial last case without a word and
    // only warns when the header's case count disagrees: the file's own framing decides here.
    let layout = Layout::read(bytes);
    let (batch, meta) = match (read, &layout) {
        (Ok(read), _) => read,
        // A dictionary cut short fails in `ambers` with a bare I/O error; say where it ends.
        (Err(e), Err(why)) => return Err(format!("{why} ({e})")),
        (Err(e), Ok(layout)) => {
            return Err(match layout.check_data(bytes, None) {
                Err(why) => format!("{why} ({e})"),
                Ok(()) => e.to_string(),
            })
        }
    };
    layout.and_then(|layout| layout.check_data(bytes, Some(batch.num_rows())))?;
    Ok((batch, meta))
}

/// A numeric variable with its user-missing values as null, and its `<name>_label` companion
/// when it has value labels.
fn numeric_columns(
    name: &str,
    array: &ArrayRef,
    missing: &[MissingSpec],
    meta: &SpssMetadata,
) -> Vec<Column> {
    let is_missing_number = |x: f64| {
        missing.iter().any(|m| match m {
            MissingSpec::Value(v) => *v == x,
            MissingSpec::Range { lo, hi } => *lo <= x && x <= *hi,
            MissingSpec::StringValue(_) => false,
        })
    };
    let values: Vec<Option<f64>> = array
        .as_primitive::<Float64Type>()
        .iter()
        .map(|v| v.filter(|x| x.is_finite() && !is_missing_number(*x)))
        .collect();
    let labels: Option<BTreeMap<u64, &str>> = meta.variable_value_labels.get(name).map(|l| {
        l.iter()
            .filter_map(|(v, text)| match v {
                Value::Numeric(x) => Some((x.to_bits(), text.as_str())),
                Value::String(_) => None,
            })
            .collect()
    });
    let mut out: Vec<Column> = vec![Series::new(name.into(), &values).into()];
    if let Some(labels) = labels {
        let text: Vec<Option<String>> = values
            .iter()
            .map(|v| {
                v.map(|x| {
                    labels
                        .get(&x.to_bits())
                        .map(|s| s.to_string())
                        .unwrap_or_else(|| crate::io::format_code(x))
                })
            })
            .collect();
        out.push(Series::new(format!("{name}{LABEL_SUFFIX}").into(), text).into());
    }
    out
}

/// A string (or date, or time) variable as text, trimmed, with empty and user-missing strings
/// as null.
fn text_column(
    name: &str,
    array: &ArrayRef,
    missing: &[MissingSpec],
) -> std::result::Result<Column, String> {
    let text = arrow::compute::cast(array, &ArrowType::Utf8)
        .map_err(|e| format!("variable `{name}`: {e}"))?;
    let missing_text: Vec<&str> = missing
        .iter()
        .filter_map(|m| match m {
            MissingSpec::StringValue(s) => Some(s.trim_end()),
            _ => None,
        })
        .collect();
    let values: Vec<Option<String>> = text
        .as_string::<i32>()
        .iter()
        .map(|v| {
            // SPSS pads strings with spaces.
            v.map(str::trim_end)
                .filter(|s| !s.is_empty() && !missing_text.contains(s))
                .map(str::to_string)
        })
        .collect();
    Ok(Series::new(name.into(), values).into())
}
