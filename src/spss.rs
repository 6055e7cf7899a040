//! SPSS `.sav` / `.zsav` files (through the `ambers` crate) as a polars frame, with the same
//! conventions as Stata files (`stata.rs`):
//!
//! - numbers stay numbers (SPSS stores every number as a double), so expressions read the codes;
//! - system-missing values and the variable's user-missing values (discrete values or a range)
//!   become null;
//! - a variable with value labels gets a companion text column `<name>_label`;
//! - strings are decoded with the file's encoding; an empty string (or a user-missing string) is
//!   null; dates and times become text (ISO 8601).

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use ambers::{MissingSpec, Value};
use arrow::array::{Array, AsArray};
use arrow::datatypes::{DataType as ArrowType, Float64Type};
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::stata::LABEL_SUFFIX;

/// Parse `.sav` or `.zsav` bytes into a frame (see the module comment for what becomes what).
pub fn parse(path: &Path, bytes: &[u8]) -> Result<DataFrame> {
    let fail = |e: &dyn std::fmt::Display| {
        Error::input(path, format!("cannot read as an SPSS .sav file: {e}"))
    };
    let (batch, meta) =
        crate::error::contain_panic(|| ambers::read_sav_from_reader(Cursor::new(bytes)))
            .map_err(|m| fail(&m))?
            .map_err(|e| fail(&e))?;
    let mut out: Vec<Column> = Vec::new();
    for (field, array) in batch.schema().fields().iter().zip(batch.columns()) {
        let name = field.name();
        let missing = meta
            .variable_missing_values
            .get(name)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let is_missing_number = |x: f64| {
            missing.iter().any(|m| match m {
                MissingSpec::Value(v) => *v == x,
                MissingSpec::Range { lo, hi } => *lo <= x && x <= *hi,
                MissingSpec::StringValue(_) => false,
            })
        };
        match array.data_type() {
            ArrowType::Float64 => {
                let values: Vec<Option<f64>> = array
                    .as_primitive::<Float64Type>()
                    .iter()
                    .map(|v| v.filter(|x| x.is_finite() && !is_missing_number(*x)))
                    .collect();
                let labels: Option<BTreeMap<u64, &str>> =
                    meta.variable_value_labels.get(name).map(|l| {
                        l.iter()
                            .filter_map(|(v, text)| match v {
                                Value::Numeric(x) => Some((x.to_bits(), text.as_str())),
                                Value::String(_) => None,
                            })
                            .collect()
                    });
                out.push(Series::new(name.into(), &values).into());
                if let Some(labels) = labels {
                    let text: Vec<Option<String>> = values
                        .iter()
                        .map(|v| {
                            v.map(|x| {
                                labels
                                    .get(&x.to_bits())
                                    .map(|s| s.to_string())
                                    .unwrap_or_else(|| crate::lnob::cells::format_number(x))
                            })
                        })
                        .collect();
                    out.push(Series::new(format!("{name}{LABEL_SUFFIX}").into(), text).into());
                }
            }
            _ => {
                // Strings, and dates or times rendered as text.
                let text = arrow::compute::cast(array, &ArrowType::Utf8)
                    .map_err(|e| fail(&format!("variable `{name}`: {e}")))?;
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
                out.push(Series::new(name.into(), values).into());
            }
        }
    }
    let height = out.first().map_or(0, |c| c.len());
    DataFrame::new(height, out).map_err(|e| fail(&e))
}
