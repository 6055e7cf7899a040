//! The survey's design object: strata and PSUs read from the wave's columns, handed to the
//! variance kernels in `estimate::variance`.

use std::collections::HashMap;

use polars::prelude::DataType;

use super::Survey;
use crate::error::{Error, Result};
use crate::estimate::variance::Design;

impl Survey {
    /// The wave's strata and PSUs as a design (every record's PSU, every PSU's stratum).
    pub fn design(&self) -> Result<Design> {
        let strata = column_codes(self, &self.wave.strata, "strata")?;
        let psus = column_codes(self, &self.wave.psu, "psu")?;
        Ok(Design::from_codes(&strata, &psus))
    }
}

/// Dense codes (in order of first appearance) of a column's values; integers are hashed as
/// integers, anything else as text, without a string per row.
fn column_codes(survey: &Survey, column: &str, field: &str) -> Result<Vec<u32>> {
    let col = survey.frame.column(column).map_err(|_| {
        Error::data(
            survey.context(),
            format!("{field} column `{column}` is missing"),
        )
    })?;
    let missing = |row: usize| {
        Error::data(
            survey.context(),
            format!("{field} column `{column}`: data row {} is missing", row + 1),
        )
    };
    fn number<K: std::hash::Hash + Eq>(
        values: impl Iterator<Item = Option<K>>,
        missing: impl Fn(usize) -> Error,
    ) -> Result<Vec<u32>> {
        let mut index: HashMap<K, u32> = HashMap::new();
        values
            .enumerate()
            .map(|(row, v)| {
                let v = v.ok_or_else(|| missing(row))?;
                let next = index.len() as u32;
                Ok(*index.entry(v).or_insert(next))
            })
            .collect()
    }
    if col.dtype().is_integer() {
        let ints = col
            .cast(&DataType::Int64)
            .map_err(|e| Error::data(survey.context(), e.to_string()))?;
        number(ints.i64().expect("i64").iter(), missing)
    } else {
        let text = col
            .cast(&DataType::String)
            .map_err(|e| Error::data(survey.context(), e.to_string()))?;
        number(text.str().expect("string").iter(), missing)
    }
}
