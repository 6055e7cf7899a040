//! Cell tables: one pass over the microdata aggregates an indicator's records into cells, one per
//! non-empty combination of its circumstances (unweighted count, weight sum, weighted outcome sum).
//! Trees, D-index and Shapley all work on cells; nothing after this pass reads the microdata.
//!
//! The aggregation is a plain sequential loop rather than a polars `group_by`: its floating-point
//! sums then have one fixed order, whatever the thread count, so results are byte-reproducible.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::estimate::cells::{aggregate, cell_keys, CellTable, Variable};
use crate::spec::{Circumstance, CircumstanceKind, Indicator, Spec};
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
                .expect("validated");
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
    let labels_for = |levels: &[String]| -> Vec<String> {
        levels
            .iter()
            .map(|l| c.level_label(l).to_string())
            .collect()
    };

    if c.kind == CircumstanceKind::Numeric {
        if !column.dtype().is_primitive_numeric() {
            return Err(Error::data(
                &context,
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
        return Ok(Encoded {
            id: c.id.clone(),
            column: c.column.clone(),
            label: c.label.clone(),
            kind: c.kind,
            level_labels: labels_for(&levels),
            levels,
            values: distinct,
            codes,
        });
    }

    // Categorical: values as text (integers print without a decimal point, also when stored as
    // floats, as Stata and SPSS files often store codes), then recode.
    let column = if column.dtype().is_float() {
        let values = column
            .cast(&polars::prelude::DataType::Float64)
            .map_err(|e| Error::data(&context, format!("column `{}`: {e}", c.column)))?;
        let texts: Vec<Option<String>> = values
            .f64()
            .expect("cast to f64")
            .iter()
            .map(|v| v.map(crate::io::format_code))
            .collect();
        <polars::prelude::Series as polars::prelude::NamedFrom<_, _>>::new(
            column.name().clone(),
            texts,
        )
        .into()
    } else {
        column.clone()
    };
    let text = column
        .cast(&polars::prelude::DataType::String)
        .map_err(|e| Error::data(&context, format!("column `{}`: {e}", c.column)))?;
    let text = text.str().expect("cast to string");
    // Distinct raw values first (there are few), then one code per row through them: no
    // per-row string work beyond one hash lookup.
    let mut raw_index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut raw_values: Vec<(&str, usize)> = Vec::new(); // value, first data row
    let mut raw_of_row: Vec<Option<usize>> = Vec::with_capacity(text.len());
    for (row, v) in text.iter().enumerate() {
        raw_of_row.push(v.map(|s| {
            *raw_index.entry(s).or_insert_with(|| {
                raw_values.push((s, row));
                raw_values.len() - 1
            })
        }));
    }
    let recoded: Vec<String> = raw_values
        .iter()
        .map(|(s, _)| c.recode.get(*s).cloned().unwrap_or_else(|| s.to_string()))
        .collect();
    let levels: Vec<String> = if c.levels.is_empty() {
        let mut d: Vec<String> = recoded.clone();
        d.extend(c.missing.iter().cloned());
        d.sort();
        d.dedup();
        d
    } else {
        c.levels.clone()
    };
    let code_of = |value: &str| levels.iter().position(|l| l == value).map(|p| p as u32);
    let mut raw_code = Vec::with_capacity(recoded.len());
    for (value, (_, first_row)) in recoded.iter().zip(&raw_values) {
        match code_of(value) {
            Some(code) => raw_code.push(code),
            None => {
                return Err(Error::data(
                    &context,
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
    let codes = raw_of_row
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
        level_labels: labels_for(&levels),
        values: (0..levels.len()).map(|i| i as f64).collect(),
        levels,
        codes,
    })
}

/// An indicator's analysis population, aggregated.
#[derive(Debug, Clone)]
pub struct IndicatorCells {
    pub table: CellTable,
    /// Records in the population before dropping missing values.
    pub population_n: u64,
    /// Records dropped for a missing outcome or circumstance, and their weight share.
    pub dropped_n: u64,
    pub dropped_weight_share: f64,
    /// The same aggregation inside each region (region name, table), for sub-national analysis.
    pub by_region: Vec<(String, CellTable)>,
    /// Survey row of every analysed record, and the index (into `table.cells`) of its cell.
    pub rows: Vec<u32>,
    pub row_cell: Vec<u32>,
    /// Weight and weighted outcome by PSU and cell, for design-based variances and replicates:
    /// (PSU, index into `table.cells`, w, wy). A (PSU, cell) pair may appear more than once when
    /// a PSU's records are not contiguous; sums over entries are what matter.
    pub psu_cells: Vec<PsuCell>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PsuCell {
    pub psu: u32,
    pub cell: u32,
    pub w: f64,
    pub wy: f64,
}

impl IndicatorCells {
    /// Linearised SEs of the rate in several disjoint domains at once: `domain_of_cell[c]` names
    /// the domain of cell c (or none). One pass over the PSU × cell aggregates fills every
    /// domain's PSU totals.
    pub fn domain_ses(
        &self,
        design: &crate::estimate::variance::Design,
        domains: usize,
        domain_of_cell: &[Option<u32>],
    ) -> Vec<f64> {
        let psus = design.psus();
        let mut w = vec![0.0; domains * psus];
        let mut wy = vec![0.0; domains * psus];
        for e in &self.psu_cells {
            if let Some(d) = domain_of_cell[e.cell as usize] {
                let at = d as usize * psus + e.psu as usize;
                w[at] += e.w;
                wy[at] += e.wy;
            }
        }
        (0..domains)
            .map(|d| design.ratio_se(&w[d * psus..(d + 1) * psus], &wy[d * psus..(d + 1) * psus]))
            .collect()
    }
}

/// Filter, compute the 0/1 outcome and aggregate into cells (overall and, with a region column,
/// per region).
pub fn build(
    survey: &Survey,
    indicator: &Indicator,
    encoded: &[Encoded],
    region: Option<&Regions>,
    design: &crate::estimate::variance::Design,
) -> Result<IndicatorCells> {
    let at = format!("indicator '{}'", indicator.id);
    let n = survey.records();
    let in_population = match &indicator.population {
        Some(p) => {
            let expr = crate::spec::parse_expr(&format!("{at}.population"), p)
                .map_err(|m| Error::data(survey.context(), m))?;
            survey.eval_mask(&format!("{at}.population"), expr)?
        }
        None => vec![true; n],
    };
    let outcome_expr = crate::spec::parse_expr(&format!("{at}.outcome"), &indicator.outcome)
        .map_err(|m| Error::data(survey.context(), m))?;
    let outcome = survey.eval_f64(&format!("{at}.outcome"), outcome_expr)?;
    let weights = survey.f64_column(survey.weight_column(indicator.unit))?;
    let weights: Vec<f64> = weights.iter().map(|w| w.unwrap_or(0.0)).collect();

    let chosen: Vec<&Encoded> = indicator
        .circumstances
        .iter()
        .map(|id| encoded.iter().find(|e| &e.id == id).expect("validated"))
        .collect();

    let mut population_n = 0u64;
    let mut population_w = 0.0;
    let mut dropped_n = 0u64;
    let mut dropped_w = 0.0;
    let mut keep_rows = Vec::new();
    let mut y = Vec::new();
    for (i, &inside) in in_population.iter().enumerate() {
        if !inside {
            continue;
        }
        population_n += 1;
        population_w += weights[i];
        let value = outcome.get(i);
        let complete = value.is_some() && chosen.iter().all(|e| e.codes[i].is_some());
        if !complete {
            dropped_n += 1;
            dropped_w += weights[i];
            continue;
        }
        let value = value.expect("checked");
        if value != 0.0 && value != 1.0 {
            return Err(Error::data(
                survey.context(),
                format!(
                    "{at}.outcome: expected 0/1 (or true/false), data row {} gives {value}",
                    i + 1
                ),
            ));
        }
        keep_rows.push(i);
        y.push(value);
    }
    if population_n == 0 {
        return Err(Error::data(
            survey.context(),
            format!("{at}.population: no record is in the population"),
        ));
    }
    // A circumstance with no value in the whole population says nothing about who is behind;
    // name it rather than the generic "all records dropped" below.
    for e in &chosen {
        let known = in_population
            .iter()
            .zip(&e.codes)
            .any(|(&inside, code)| inside && code.is_some());
        if !known {
            return Err(Error::data(
                survey.context(),
                format!(
                    "{at}: circumstance '{}' (column `{}`) is missing for every record of the population; expected at least one known value",
                    e.id, e.column
                ),
            ));
        }
    }
    if keep_rows.is_empty() {
        return Err(Error::data(
            survey.context(),
            format!(
                "{at}: all {population_n} records of the population have a missing outcome or circumstance"
            ),
        ));
    }
    // An opportunity everybody (or nobody) has cannot show who is furthest behind: the tree has
    // nothing to split and D is 0 by construction. Most often the outcome expression is wrong.
    let first = y[0];
    if y.iter().all(|&v| v == first) {
        return Err(Error::data(
            survey.context(),
            format!(
                "{at}.outcome: is {first} for every record of the population ({} records); expected both 0 and 1 — check the expression, or leave the indicator out for this survey",
                y.len()
            ),
        ));
    }
    let w: Vec<f64> = keep_rows.iter().map(|&i| weights[i]).collect();
    let codes: Vec<Vec<u32>> = chosen
        .iter()
        .map(|e| {
            keep_rows
                .iter()
                .map(|&i| e.codes[i].expect("complete"))
                .collect()
        })
        .collect();
    let vars: Vec<Variable> = chosen.iter().map(|e| Variable::from(*e)).collect();
    let radix: Vec<u64> = vars.iter().map(|v| v.levels.len() as u64).collect();
    let keys = cell_keys(&codes, &radix, y.len());
    let all: Vec<usize> = (0..y.len()).collect();
    let table = CellTable {
        vars: vars.clone(),
        cells: aggregate(&keys, &all, &y, &w, &radix),
    };
    let cell_keys: Vec<u64> = table
        .cells
        .iter()
        .map(|c| {
            c.codes
                .iter()
                .zip(&radix)
                .fold(0u64, |k, (&code, &r)| k * r + code as u64)
        })
        .collect();
    let row_cell: Vec<u32> = keys
        .iter()
        .map(|k| cell_keys.binary_search(k).expect("every key has a cell") as u32)
        .collect();
    let psu_cells = psu_cells(&table, &row_cell, &keep_rows, &design.record_psu, &y, &w);

    let mut by_region = Vec::new();
    if let Some(Regions {
        names,
        codes: rcodes,
    }) = region
    {
        // Records per region in one pass, then each region's cells from the same keys.
        let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
        for (k, &i) in keep_rows.iter().enumerate() {
            if let Some(r) = rcodes[i] {
                rows_of[r as usize].push(k);
            }
        }
        for (name, rows) in names.iter().zip(&rows_of) {
            if rows.is_empty() {
                continue;
            }
            by_region.push((
                name.clone(),
                CellTable {
                    vars: vars.clone(),
                    cells: aggregate(&keys, rows, &y, &w, &radix),
                },
            ));
        }
    }

    Ok(IndicatorCells {
        table,
        population_n,
        dropped_n,
        dropped_weight_share: if population_w > 0.0 {
            dropped_w / population_w
        } else {
            0.0
        },
        by_region,
        rows: keep_rows.iter().map(|&r| r as u32).collect(),
        row_cell,
        psu_cells,
    })
}

/// Aggregate kept records by (PSU, cell) in one pass, flushing at every change of PSU (records
/// of a PSU are usually contiguous, so there are about as many entries as PSU × cell pairs).
fn psu_cells(
    table: &CellTable,
    row_cell: &[u32],
    keep_rows: &[usize],
    record_psu: &[u32],
    y: &[f64],
    w: &[f64],
) -> Vec<PsuCell> {
    let mut out = Vec::new();
    let mut scratch: Vec<(f64, f64)> = vec![(0.0, 0.0); table.cells.len()];
    let mut touched: Vec<u32> = Vec::new();
    let mut current: Option<u32> = None;
    let flush = |psu: u32,
                 scratch: &mut Vec<(f64, f64)>,
                 touched: &mut Vec<u32>,
                 out: &mut Vec<PsuCell>| {
        touched.sort_unstable();
        for &c in touched.iter() {
            let (cw, cwy) = scratch[c as usize];
            out.push(PsuCell {
                psu,
                cell: c,
                w: cw,
                wy: cwy,
            });
            scratch[c as usize] = (0.0, 0.0);
        }
        touched.clear();
    };
    for (k, &row) in keep_rows.iter().enumerate() {
        let psu = record_psu[row];
        if current != Some(psu) {
            if let Some(prev) = current {
                flush(prev, &mut scratch, &mut touched, &mut out);
            }
            current = Some(psu);
        }
        let c = row_cell[k] as usize;
        let slot = &mut scratch[c];
        if slot.0 == 0.0 && slot.1 == 0.0 && !touched.contains(&(c as u32)) {
            touched.push(c as u32);
        }
        slot.0 += w[k];
        slot.1 += w[k] * y[k];
    }
    if let Some(prev) = current {
        flush(prev, &mut scratch, &mut touched, &mut out);
    }
    out
}

/// Sub-national units of a wave: names (sorted) and each record's unit.
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
    names.sort();
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
