//! A person-level file repeats its household's values on every member's row. The analyses take
//! them from one row (SPOT from the household's first row, the design from each row), so a
//! household whose rows disagree, or whose size does not count its rows, would be analysed
//! silently on whichever row came first. Both are refused here, naming the first household.

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::spec::{RowUnit, Wave};

const ROWS: &str = "__rows";
const SIZE: &str = "__size";

/// The household-level fields of a person-level wave, as (spec field, column).
fn household_fields(wave: &Wave) -> Vec<(&'static str, &str)> {
    let mut fields = vec![
        ("household_size", wave.household_size.as_str()),
        ("welfare", wave.welfare.as_str()),
        ("strata", wave.strata.as_str()),
        ("psu", wave.psu.as_str()),
    ];
    fields.extend(wave.fpc.as_deref().map(|c| ("fpc", c)));
    fields.extend(wave.region.as_deref().map(|c| ("region", c)));
    fields.extend(wave.urban.as_deref().map(|c| ("urban", c)));
    fields
}

/// In a person-level wave, every household-level column is constant within a household and the
/// household size equals the household's number of rows.
pub(super) fn check_households(frame: &DataFrame, wave: &Wave, context: &str) -> Result<()> {
    if wave.unit != RowUnit::Person {
        return Ok(());
    }
    let fields = household_fields(wave);
    let id = wave.household_id.as_str();
    let ids = frame
        .column(id)
        .map_err(|e| Error::data(context, format!("household_id column `{id}`: {e}")))?;
    if let Some(row) = ids.is_null().iter().position(|null| null == Some(true)) {
        return Err(Error::data(
            context,
            format!(
                "household_id column `{id}`: data row {} has no household id",
                row + 1
            ),
        ));
    }
    // Row count and the size on the first row, for check_sizes; distinct values of each field.
    let mut aggs = vec![
        len().alias(ROWS),
        col(wave.household_size.as_str()).first().alias(SIZE),
    ];
    for (i, (_, column)) in fields.iter().enumerate() {
        aggs.push(col(*column).n_unique().alias(format!("__distinct{i}")));
    }
    // Sorted by id so "the first household" is the same on every run.
    let summary = frame
        .clone()
        .lazy()
        .group_by([col(id)])
        .agg(aggs)
        .sort([id], SortMultipleOptions::default())
        .collect()
        .map_err(|e| Error::data(context, format!("household_id column `{id}`: {e}")))?;
    for (i, (field, column)) in fields.iter().enumerate() {
        let distinct = u32_column(&summary, &format!("__distinct{i}"), context)?;
        let several: Vec<bool> = distinct.iter().map(|d| d != Some(1)).collect();
        if let Some(row) = several.iter().position(|&s| s) {
            let bad = several.iter().filter(|&&s| s).count();
            return Err(Error::data(
                context,
                format!(
                    "{field} column `{column}`: expected one value per household in a \
                     person-level file; {bad} household(s) have several (first: household {})",
                    value_text(&summary, id, row)
                ),
            ));
        }
    }
    check_sizes(&summary, wave, context)
}

/// The household size must count the household's rows.
fn check_sizes(summary: &DataFrame, wave: &Wave, context: &str) -> Result<()> {
    let rows = u32_column(summary, ROWS, context)?;
    let size = summary
        .column(SIZE)
        .and_then(|c| c.cast(&DataType::Float64))
        .map_err(|e| Error::data(context, e.to_string()))?;
    let size = size.f64().expect("f64");
    let differs: Vec<bool> = rows
        .iter()
        .zip(size.iter())
        .map(|(n, s)| n.map(f64::from) != s)
        .collect();
    let bad = differs.iter().filter(|&&d| d).count();
    let Some(row) = differs.iter().position(|&d| d) else {
        return Ok(());
    };
    Err(Error::data(
        context,
        format!(
            "household_size column `{}`: expected the number of the household's rows in a \
             person-level file; {bad} household(s) differ (first: household {} has {} row(s) \
             and size {}). If the file holds only some members, derive the size from the rows",
            wave.household_size,
            value_text(summary, &wave.household_id, row),
            rows.get(row).unwrap_or(0),
            value_text(summary, SIZE, row)
        ),
    ))
}

fn u32_column(frame: &DataFrame, name: &str, context: &str) -> Result<UInt32Chunked> {
    frame
        .column(name)
        .and_then(|c| c.cast(&DataType::UInt32))
        .map(|c| c.u32().expect("u32").clone())
        .map_err(|e| Error::data(context, e.to_string()))
}

/// A cell as the user would write it (text unquoted, numbers as read).
fn value_text(frame: &DataFrame, column: &str, row: usize) -> String {
    match frame.column(column).and_then(|c| c.get(row)) {
        Ok(AnyValue::String(s)) => s.to_string(),
        Ok(AnyValue::Null) => "(missing)".into(),
        Ok(v) => v.to_string(),
        Err(_) => "?".into(),
    }
}
