//! Circumstances and regions encoded for one wave: every record's level code, read once from the
//! survey column so that the cell tables need only integer codes.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::{Column, DataType, NamedFrom, Series, StringChunked};

use crate::error::{Error, Result};
use crate::estimate::cells::Variable;
use crate::spec::{Circumstance, CircumstanceKind, Spec};
use crate::survey::Survey;

/// A circumstance as encoded for one wave: every record's level code (None = missing).
#[derive(Debug, Clone)]
pub struct Encoded {
    pub id: String,
    /// The survey column (or derived variable) it comes from, for messages.
    pub column: String,
    pub label: String,
    pub kind: CircumstanceKind,
    /// Level names in code order (ordered: the spec's order; numeric: ascending values).
    pub levels: Vec<String>,
    /// Display label per level.
    pub level_labels: Vec<String>,
    /// Numeric value per level (numeric: the value; otherwise the code), used for thresholds.
    pub values: Vec<f64>,
    pub codes: Vec<Option<u32>>,
    /// The circumstance may split the tree (`tree = true`, the default).
    pub splits: bool,
}

impl From<&Encoded> for Variable {
    fn from(e: &Encoded) -> Self {
        Variable {
            id: e.id.clone(),
            label: e.label.clone(),
            kind: e.kind,
            levels: e.levels.clone(),
            level_labels: e.level_labels.clone(),
            values: e.values.clone(),
            splits: e.splits,
        }
    }
}

/// Encode only the named circumstances (in the order given).
pub fn encode_selected(spec: &Spec, survey: &Survey, ids: &[String]) -> Result<Vec<Encoded>> {
    ids.iter()
        .map(|id| {
            let c = spec
                .circumstances
                .iter()
                .find(|c| &c.id == id)
                .ok_or_else(|| {
                    Error::data(survey.context(), format!("unknown circumstance \"{id}\""))
                })?;
            encode(c, survey)
        })
        .collect()
}

/// Encode every circumstance the spec defines, once per wave.
pub fn encode_all(spec: &Spec, survey: &Survey) -> Result<Vec<Encoded>> {
    spec.circumstances
        .iter()
        .map(|c| encode(c, survey))
        .collect()
}

fn encode(c: &Circumstance, survey: &Survey) -> Result<Encoded> {
    let context = format!("{}: circumstance '{}'", survey.context(), c.id);
    let column = survey.frame.column(&c.column).map_err(|_| {
        Error::data(
            &context,
            format!("column `{}` is not in the data", c.column),
        )
    })?;
    if c.kind == CircumstanceKind::Numeric {
        encode_numeric(c, survey, column, &context)
    } else {
        encode_categorical(c, column, &context)
    }
}

/// Display label of every level.
fn level_labels(c: &Circumstance, levels: &[String]) -> Vec<String> {
    levels
        .iter()
        .map(|l| c.level_label(l).to_string())
        .collect()
}

/// A numeric circumstance: its distinct finite values, ascending, are its levels.
fn encode_numeric(
    c: &Circumstance,
    survey: &Survey,
    column: &Column,
    context: &str,
) -> Result<Encoded> {
    if !column.dtype().is_primitive_numeric() {
        return Err(Error::data(
            context,
            format!(
                "column `{}`: a numeric circumstance needs numbers, found {}",
                c.column,
                column.dtype()
            ),
        ));
    }
    let values = survey.f64_column(&c.column)?;
    let mut distinct: Vec<f64> = values.iter().flatten().filter(|v| v.is_finite()).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let index: BTreeMap<u64, u32> = distinct
        .iter()
        .enumerate()
        .map(|(i, v)| (v.to_bits(), i as u32))
        .collect();
    let codes = values
        .iter()
        .map(|v| v.filter(|v| v.is_finite()).map(|v| index[&v.to_bits()]))
        .collect();
    let levels: Vec<String> = distinct
        .iter()
        .map(|v| crate::io::format_code(*v))
        .collect();
    Ok(Encoded {
        id: c.id.clone(),
        column: c.column.clone(),
        label: c.label.clone(),
        kind: c.kind,
        level_labels: level_labels(c, &levels),
        levels,
        values: distinct,
        codes,
        splits: c.tree,
    })
}

/// A categorical circumstance: values as text, recoded, then coded by their place among the
/// levels (the spec's, or the sorted distinct values).
fn encode_categorical(c: &Circumstance, column: &Column, context: &str) -> Result<Encoded> {
    let text = as_text(c, column, context)?;
    let text = text.str().expect("cast to string");
    let distinct = Distinct::of(text);
    let recoded: Vec<String> = distinct
        .values
        .iter()
        .map(|(s, _)| c.recode.get(*s).cloned().unwrap_or_else(|| s.to_string()))
        .collect();
    let levels: Vec<String> = if c.levels.is_empty() {
        let mut d: Vec<String> = recoded.clone();
        d.extend(c.missing.iter().cloned());
        d.sort_by(|a, b| natural_cmp(a, b));
        d.dedup();
        d
    } else {
        c.levels.clone()
    };
    let code_of = |value: &str| levels.iter().position(|l| l == value).map(|p| p as u32);
    let mut raw_code = Vec::with_capacity(recoded.len());
    for (value, (_, first_row)) in recoded.iter().zip(&distinct.values) {
        match code_of(value) {
            Some(code) => raw_code.push(code),
            None => {
                return Err(Error::data(
                    context,
                    format!(
                        "column `{}`, data row {}: value \"{value}\" is not among the levels {:?}; add it to `levels` or map it with `recode`",
                        c.column,
                        first_row + 1,
                        levels
                    ),
                ))
            }
        }
    }
    let missing_code = c.missing.as_deref().and_then(code_of);
    let codes = distinct
        .of_row
        .iter()
        .map(|r| match r {
            Some(r) => Some(raw_code[*r]),
            None => missing_code,
        })
        .collect();
    Ok(Encoded {
        id: c.id.clone(),
        column: c.column.clone(),
        label: c.label.clone(),
        kind: c.kind,
        level_labels: level_labels(c, &levels),
        values: (0..levels.len()).map(|i| i as f64).collect(),
        levels,
        codes,
        splits: c.tree,
    })
}

/// The column as text. Integers print without a decimal point, also when stored as floats, as
/// Stata and SPSS files often store codes.
fn as_text(c: &Circumstance, column: &Column, context: &str) -> Result<Column> {
    let column = if column.dtype().is_float() {
        let values = column
            .cast(&DataType::Float64)
            .map_err(|e| Error::data(context, format!("column `{}`: {e}", c.column)))?;
        let texts: Vec<Option<String>> = values
            .f64()
            .expect("cast to f64")
            .iter()
            .map(|v| v.map(crate::io::format_code))
            .collect();
        <Series as NamedFrom<_, _>>::new(column.name().clone(), texts).into()
    } else {
        column.clone()
    };
    column
        .cast(&DataType::String)
        .map_err(|e| Error::data(context, format!("column `{}`: {e}", c.column)))
}

/// Distinct raw values first (there are few), then one index per row through them: no per-row
/// string work beyond one hash lookup.
struct Distinct<'a> {
    /// Each distinct value and the first data row holding it.
    values: Vec<(&'a str, usize)>,
    /// Index into `values` of every row (None = missing).
    of_row: Vec<Option<usize>>,
}

impl<'a> Distinct<'a> {
    fn of(text: &'a StringChunked) -> Distinct<'a> {
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut values: Vec<(&str, usize)> = Vec::new();
        let mut of_row: Vec<Option<usize>> = Vec::with_capacity(text.len());
        for (row, v) in text.iter().enumerate() {
            of_row.push(v.map(|s| {
                *index.entry(s).or_insert_with(|| {
                    values.push((s, row));
                    values.len() - 1
                })
            }));
        }
        Distinct { values, of_row }
    }
}

/// Sub-national units of a wave: names (in natural order) and each record's unit.
#[derive(Debug, Clone)]
pub struct Regions {
    pub names: Vec<String>,
    pub codes: Vec<Option<u32>>,
}

/// Encode the wave's region column once (distinct values first, then one lookup per row).
pub fn regions(survey: &Survey) -> Result<Option<Regions>> {
    let Some(column) = &survey.wave.region else {
        return Ok(None);
    };
    let col = survey
        .frame
        .column(column)
        .map_err(|_| {
            Error::data(
                survey.context(),
                format!("region column `{column}` is missing"),
            )
        })?
        .cast(&polars::prelude::DataType::String)
        .map_err(|e| Error::data(survey.context(), e.to_string()))?;
    let text = col.str().expect("string");
    let mut seen: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    let raw: Vec<Option<u32>> = text
        .iter()
        .map(|v| {
            v.map(|s| {
                let next = seen.len() as u32;
                *seen.entry(s).or_insert(next)
            })
        })
        .collect();
    let mut names: Vec<(&str, u32)> = seen.into_iter().collect();
    names.sort_by(|a, b| natural_cmp(a.0, b.0));
    let mut rank = vec![0u32; names.len()];
    for (new, (_, old)) in names.iter().enumerate() {
        rank[*old as usize] = new as u32;
    }
    Ok(Some(Regions {
        names: names.iter().map(|(n, _)| n.to_string()).collect(),
        codes: raw
            .into_iter()
            .map(|c| c.map(|c| rank[c as usize]))
            .collect(),
    }))
}

/// Text order with runs of digits compared as numbers ("District 2" before "District 11"), so
/// levels and regions read from the data print as a reader expects; ties (e.g. "01" and "1") fall
/// back to plain text order, keeping the order total.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let run = |s: &str| {
        let digits = s.starts_with(|c: char| c.is_ascii_digit());
        let end = s
            .find(|c: char| c.is_ascii_digit() != digits)
            .unwrap_or(s.len());
        (digits, end)
    };
    let (mut x, mut y) = (a, b);
    while !x.is_empty() && !y.is_empty() {
        let ((dx, ex), (dy, ey)) = (run(x), run(y));
        let (cx, cy) = (&x[..ex], &y[..ey]);
        let order = if dx && dy {
            let (nx, ny) = (cx.trim_start_matches('0'), cy.trim_start_matches('0'));
            nx.len().cmp(&ny.len()).then_with(|| nx.cmp(ny))
        } else {
            cx.cmp(cy)
        };
        if order != Ordering::Equal {
            return order;
        }
        (x, y) = (&x[ex..], &y[ey..]);
    }
    x.is_empty()
        .cmp(&y.is_empty())
        .reverse()
        .then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::natural_cmp;

    #[test]
    fn numbers_inside_text_sort_as_numbers() {
        let mut levels = vec![
            "District 11",
            "District 3",
            "District 1",
            "District 20",
            "District 2",
            "Q10",
            "Q9",
            "007",
            "7",
            "B",
            "A",
        ];
        levels.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            levels,
            [
                "007",
                "7",
                "A",
                "B",
                "District 1",
                "District 2",
                "District 3",
                "District 11",
                "District 20",
                "Q9",
                "Q10"
            ]
        );
        // A prefix comes first, as in text order.
        assert!(natural_cmp("District", "District 1").is_lt());
        assert!(natural_cmp("Rural", "Urban").is_lt());
    }
}
