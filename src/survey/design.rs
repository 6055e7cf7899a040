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
    let mut design = Design::from_codes(&strata, &psus).with_lonely_psu(lonely_psu);
    if let Some(fpc) = &wave.fpc {
        let fractions = sampling_fractions(frame, context, fpc, &strata, &design)?;
        design = design.with_sampling_fractions(fractions);
    }
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

/// The sampling fraction of each stratum from the `fpc` column, read as R's `svydesign(fpc = )`
/// reads it: a value ≤ 1 is the fraction of the stratum's PSUs sampled, a larger one the number
/// of PSUs in the stratum's population. The value must be the same on every record of a stratum.
fn sampling_fractions(
    frame: &DataFrame,
    context: &str,
    column: &str,
    strata: &[u32],
    design: &Design,
) -> Result<Vec<f64>> {
    let bad = |what: String| Error::data(context, format!("fpc column `{column}`: {what}"));
    let col = frame
        .column(column)
        .map_err(|_| bad("is missing".into()))?
        .cast(&DataType::Float64)
        .map_err(|e| bad(format!("is not numeric ({e})")))?;
    let values = col.f64().expect("f64");
    let mut by_stratum: Vec<Option<f64>> = vec![None; design.stratum_psus.len()];
    for (row, (v, &h)) in values.iter().zip(strata).enumerate() {
        let v = v.ok_or_else(|| bad(format!("data row {} is missing", row + 1)))?;
        if !v.is_finite() || v < 0.0 {
            return Err(bad(format!(
                "data row {} holds {v}; expected a sampling fraction in [0, 1] or a \
                 population count of PSUs",
                row + 1
            )));
        }
        match by_stratum[h as usize] {
            None => by_stratum[h as usize] = Some(v),
            Some(first) if first != v => {
                return Err(bad(format!(
                    "data row {} holds {v} but an earlier row of the same stratum holds {first}; \
                     the correction is one value per stratum",
                    row + 1
                )))
            }
            Some(_) => {}
        }
    }
    by_stratum
        .iter()
        .zip(&design.stratum_psus)
        .map(|(v, &n)| match v.unwrap_or(0.0) {
            f if f <= 1.0 => Ok(f),
            total if total >= n as f64 => Ok(n as f64 / total),
            total => Err(bad(format!(
                "a stratum with {n} sampled PSUs gives {total} PSUs in its population; a \
                 population count cannot be smaller than the sample"
            ))),
        })
        .collect()
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
