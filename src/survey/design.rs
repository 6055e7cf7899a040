//! The survey's design object: strata and PSUs read from the wave's columns, handed to the
//! variance kernels in `estimate::variance`.

use std::collections::HashMap;

use polars::prelude::DataType;

use polars::prelude::DataFrame;

use crate::error::{Error, Result};
use crate::estimate::variance::{Design, LonelyPsu};
use crate::spec::Wave;

/// The wave's strata and PSUs as a design (every record's PSU, every PSU's stratum). A design in
/// which no stratum has two PSUs gives no variance estimate under the certainty rule (every SE
/// would print 0): refused, naming the columns and the way out.
pub(super) fn read_design(
    frame: &DataFrame,
    wave: &Wave,
    lonely_psu: LonelyPsu,
    context: &str,
) -> Result<Design> {
    let strata = column_codes(frame, context, &wave.strata, "strata")?;
    let psus = column_codes(frame, context, &wave.psu, "psu")?;
    let design = Design::from_codes(&strata, &psus).with_lonely_psu(lonely_psu);
    if design.has_no_variance() {
        return Err(Error::data(
            context,
            format!(
                "strata column `{}` and psu column `{}`: every stratum has a single PSU, so no \
                 sampling error can be estimated (every SE would be 0); check the two columns, \
                 or set `uncertainty.lonely_psu = \"adjust\"` to centre lone PSUs at the \
                 population average as R's survey package does",
                wave.strata, wave.psu
            ),
        ));
    }
    Ok(design)
}

/// Dense codes (in order of first appearance) of a column's values; integers are hashed as
/// integers, anything else as text, without a string per row.
fn column_codes(frame: &DataFrame, context: &str, column: &str, field: &str) -> Result<Vec<u32>> {
    let col = frame
        .column(column)
        .map_err(|_| Error::data(context, format!("{field} column `{column}` is missing")))?;
    let missing = |row: usize| {
        Error::data(
            context,
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
            .map_err(|e| Error::data(context, e.to_string()))?;
        number(ints.i64().expect("i64").iter(), missing)
    } else {
        let text = col
            .cast(&DataType::String)
            .map_err(|e| Error::data(context, e.to_string()))?;
        number(text.str().expect("string").iter(), missing)
    }
}
