//! The survey as SPOT reads it: persons, and households in order of first appearance, with
//! the household-level values every scenario uses.

use std::collections::HashMap;

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::estimate::stats;
use crate::survey::{Survey, HH_SIZE, HH_WEIGHT, PERSON_WEIGHT, WELFARE};

/// The survey as arrays: persons, and households (in order of first appearance).
pub(super) struct Population {
    pub(super) household: Vec<usize>,
    pub(super) person_weight: Vec<f64>,
    pub(super) age: Option<Vec<f64>>,
    /// Per household: welfare per capita, size, summed person weights, household weight,
    /// urban/rural code, pre-transfer decile of its members, poor before transfers.
    pub(super) welfare: Vec<f64>,
    pub(super) size: Vec<f64>,
    pub(super) persons: Vec<f64>,
    pub(super) hh_weight: Vec<f64>,
    pub(super) area: Option<(Vec<String>, Vec<usize>)>,
    pub(super) decile: Vec<u8>,
    pub(super) poor: Vec<bool>,
    /// First row of each household (the row its household-level values come from).
    pub(super) first_row: Vec<usize>,
}

pub(super) fn column_f64(survey: &Survey, name: &str) -> Result<Vec<f64>> {
    Ok(survey
        .f64_column(name)?
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect())
}

/// Household index of every row (households numbered in order of first appearance) and each
/// household's first row. Integer ids are hashed as integers, others as text.
fn household_index(survey: &Survey) -> Result<(Vec<usize>, Vec<usize>)> {
    let name = &survey.wave.household_id;
    let column = survey
        .frame
        .column(name)
        .map_err(|e| Error::data(survey.context(), e.to_string()))?;
    let missing = |row: usize| {
        Error::data(
            survey.context(),
            format!(
                "household_id column `{name}`: data row {} has no household id",
                row + 1
            ),
        )
    };
    fn number<K: std::hash::Hash + Eq>(
        ids: impl Iterator<Item = Option<K>>,
        missing: impl Fn(usize) -> Error,
    ) -> Result<(Vec<usize>, Vec<usize>)> {
        let mut index: HashMap<K, usize> = HashMap::new();
        let (mut household, mut first_row) = (Vec::new(), Vec::new());
        for (row, id) in ids.enumerate() {
            let id = id.ok_or_else(|| missing(row))?;
            let next = index.len();
            let h = *index.entry(id).or_insert(next);
            if h == next {
                first_row.push(row);
            }
            household.push(h);
        }
        Ok((household, first_row))
    }
    if column.dtype().is_integer() {
        let ids = column
            .cast(&DataType::Int64)
            .map_err(|e| Error::data(survey.context(), e.to_string()))?;
        number(ids.i64().expect("i64").iter(), missing)
    } else {
        let ids = column
            .cast(&DataType::String)
            .map_err(|e| Error::data(survey.context(), e.to_string()))?;
        number(ids.str().expect("string").iter(), missing)
    }
}

pub(super) fn population(survey: &Survey, national_line: f64) -> Result<Population> {
    let (household, first_row) = household_index(survey)?;
    let person_weight = column_f64(survey, PERSON_WEIGHT)?;
    let welfare_rows = column_f64(survey, WELFARE)?;
    let size_rows = column_f64(survey, HH_SIZE)?;
    let hh_weight_rows = column_f64(survey, HH_WEIGHT)?;
    let nh = first_row.len();
    let mut persons = vec![0.0; nh];
    for (i, &h) in household.iter().enumerate() {
        persons[h] += person_weight[i];
    }
    let welfare: Vec<f64> = first_row.iter().map(|&r| welfare_rows[r]).collect();
    let area = match &survey.wave.urban {
        Some(col) => Some(household_areas(survey, col, &first_row)?),
        None => None,
    };
    let age = match &survey.wave.age {
        Some(col) => Some(column_f64(survey, col)?),
        None => None,
    };
    Ok(Population {
        decile: stats::deciles(&welfare, &persons),
        poor: welfare.iter().map(|&y| y < national_line).collect(),
        size: first_row.iter().map(|&r| size_rows[r]).collect(),
        hh_weight: first_row.iter().map(|&r| hh_weight_rows[r]).collect(),
        welfare,
        persons,
        household,
        person_weight,
        age,
        area,
        first_row,
    })
}

/// The area (urban/rural) names in name order, and each household's area (from its first row).
fn household_areas(
    survey: &Survey,
    col: &str,
    first_row: &[usize],
) -> Result<(Vec<String>, Vec<usize>)> {
    let text = survey
        .frame
        .column(col)
        .and_then(|c| c.cast(&DataType::String))
        .map_err(|e| Error::data(survey.context(), e.to_string()))?;
    let text = text.str().expect("string");
    let mut names: Vec<String> = Vec::new();
    let mut codes = Vec::with_capacity(first_row.len());
    for &r in first_row {
        let v = text.get(r).unwrap_or("(missing)").to_string();
        let code = match names.iter().position(|n| *n == v) {
            Some(c) => c,
            None => {
                names.push(v);
                names.len() - 1
            }
        };
        codes.push(code);
    }
    // Name order, so the table does not depend on which area comes first in the file.
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| names[a].cmp(&names[b]));
    let mut rank = vec![0; names.len()];
    for (new, &old) in order.iter().enumerate() {
        rank[old] = new;
    }
    let sorted: Vec<String> = order.iter().map(|&o| names[o].clone()).collect();
    Ok((sorted, codes.into_iter().map(|c| rank[c]).collect()))
}
