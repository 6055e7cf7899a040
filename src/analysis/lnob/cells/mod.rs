//! Cell tables: one pass over the microdata aggregates an indicator's records into cells, one per
//! non-empty combination of its circumstances (unweighted count, weight sum, weighted outcome sum).
//! Trees, D-index and Shapley all work on cells; nothing after this pass reads the microdata.
//!
//! The aggregation is a plain sequential loop rather than a polars `group_by`: its floating-point
//! sums then have one fixed order, whatever the thread count, so results are byte-reproducible.

pub(crate) mod domain;
mod encode;
mod regions;

use polars::prelude::Float64Chunked;

use crate::error::{Error, Result};
use crate::estimate::cells::{aggregate, cell_keys, CellTable, Variable};
use crate::spec::Indicator;
use crate::survey::Survey;
pub use encode::{encode_all, encode_selected, regions, Encoded, Regions};
pub(crate) use regions::RegionCells;

/// An indicator's analysis population, aggregated.
#[derive(Debug, Clone)]
pub struct IndicatorCells {
    pub table: CellTable,
    /// Records in the population before dropping missing values.
    pub population_n: u64,
    /// Records dropped for a missing outcome or circumstance, and their weight share.
    pub dropped_n: u64,
    pub dropped_weight_share: f64,
    /// The same aggregation inside each region, with its own PSU × cell sums, for sub-national
    /// analysis (regions with kept records, in name order).
    pub(crate) by_region: Vec<RegionCells>,
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
    /// the domain of cell c (or none).
    pub fn domain_ses(
        &self,
        design: &crate::estimate::variance::Design,
        domains: usize,
        domain_of_cell: &[Option<u32>],
    ) -> Vec<f64> {
        domain::ses(&self.psu_cells, design, domains, domain_of_cell)
    }

    /// PSU totals of w and w·y of one domain: the cells marked in `in_domain`.
    pub fn psu_totals_of(&self, psus: usize, in_domain: &[bool]) -> (Vec<f64>, Vec<f64>) {
        let of: Vec<Option<u32>> = in_domain
            .iter()
            .map(|&inside| inside.then_some(0))
            .collect();
        domain::psu_totals(&self.psu_cells, psus, 1, &of)
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
    let records = Records::read(survey, indicator, &at)?;
    let chosen: Vec<&Encoded> = indicator
        .circumstances
        .iter()
        .map(|id| {
            encoded.iter().find(|e| &e.id == id).ok_or_else(|| {
                Error::data(
                    survey.context(),
                    format!("{at}.circumstances: unknown circumstance \"{id}\""),
                )
            })
        })
        .collect::<Result<_>>()?;
    let kept = Kept::select(survey, &at, &records, &chosen)?;
    kept.check(survey, &at, &records.in_population, &chosen)?;
    let Kept {
        population_n,
        population_w,
        dropped_n,
        dropped_w,
        rows: keep_rows,
        y,
    } = kept;
    let keyed = Keyed::new(&chosen, &keep_rows, y, &records.weights)
        .map_err(|m| Error::data(survey.context(), format!("{at}: {m}")))?;
    let all: Vec<usize> = (0..keyed.y.len()).collect();
    let table = keyed.table(&all);
    let row_cell = keyed.cell_of_records(&table, &all);
    let psu_cells = psu_cells(
        &table,
        &row_cell,
        &keep_rows,
        &design.record_psu,
        &keyed.y,
        &keyed.w,
    );
    let by_region = match region {
        Some(regions) => regions::tables(regions, &keep_rows, &keyed, &design.record_psu),
        None => Vec::new(),
    };
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

/// Per survey record: in the indicator's population or not, the outcome, the weight.
struct Records {
    in_population: Vec<bool>,
    outcome: Float64Chunked,
    weights: Vec<f64>,
}

impl Records {
    fn read(survey: &Survey, indicator: &Indicator, at: &str) -> Result<Records> {
        let n = survey.records();
        let mut in_population = match &indicator.population {
            Some(p) => {
                let expr = crate::spec::parse_expr(&format!("{at}.population"), p)
                    .map_err(|m| Error::data(survey.context(), m))?;
                survey.eval_mask(&format!("{at}.population"), expr)?
            }
            None => vec![true; n],
        };
        if let Some(role) = &indicator.file {
            let found = survey
                .linked_rows(role)
                .map_err(|m| Error::data(survey.context(), format!("{at}.file: {m}")))?;
            for (inside, found) in in_population.iter_mut().zip(found) {
                *inside &= found;
            }
        }
        let outcome_expr = crate::spec::parse_expr(&format!("{at}.outcome"), &indicator.outcome)
            .map_err(|m| Error::data(survey.context(), m))?;
        let outcome = survey.eval_f64(&format!("{at}.outcome"), outcome_expr)?;
        let weights = match &indicator.weight {
            Some(column) => survey.own_weights(&format!("{at}.weight"), column, &in_population)?,
            None => survey.f64_column(survey.weight_column(indicator.unit))?,
        };
        let weights: Vec<f64> = weights.iter().map(|w| w.unwrap_or(0.0)).collect();
        Ok(Records {
            in_population,
            outcome,
            weights,
        })
    }
}

/// The population's complete records (outcome and every circumstance known), and what was
/// dropped.
struct Kept {
    population_n: u64,
    population_w: f64,
    dropped_n: u64,
    dropped_w: f64,
    /// Survey rows kept, and their 0/1 outcomes.
    rows: Vec<usize>,
    y: Vec<f64>,
}

impl Kept {
    /// Keep the complete records of the population, refusing an outcome that is not 0/1.
    fn select(survey: &Survey, at: &str, records: &Records, chosen: &[&Encoded]) -> Result<Kept> {
        let mut kept = Kept {
            population_n: 0,
            population_w: 0.0,
            dropped_n: 0,
            dropped_w: 0.0,
            rows: Vec::new(),
            y: Vec::new(),
        };
        let weights = &records.weights;
        for (i, &inside) in records.in_population.iter().enumerate() {
            if !inside {
                continue;
            }
            kept.population_n += 1;
            kept.population_w += weights[i];
            let value = records.outcome.get(i);
            let complete = value.is_some() && chosen.iter().all(|e| e.codes[i].is_some());
            if !complete {
                kept.dropped_n += 1;
                kept.dropped_w += weights[i];
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
            kept.rows.push(i);
            kept.y.push(value);
        }
        Ok(kept)
    }

    /// Refuse a population that cannot show who is behind: empty, a circumstance never known,
    /// no complete record, or the same outcome for everybody.
    fn check(
        &self,
        survey: &Survey,
        at: &str,
        in_population: &[bool],
        chosen: &[&Encoded],
    ) -> Result<()> {
        let population_n = self.population_n;
        if population_n == 0 {
            return Err(Error::data(
                survey.context(),
                format!("{at}.population: no record is in the population"),
            ));
        }
        // A circumstance with no value in the whole population says nothing about who is behind;
        // name it rather than the generic "all records dropped" below.
        for e in chosen {
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
        if self.rows.is_empty() {
            return Err(Error::data(
                survey.context(),
                format!(
                    "{at}: all {population_n} records of the population have a missing outcome or circumstance"
                ),
            ));
        }
        // An opportunity everybody (or nobody) has cannot show who is furthest behind: the tree has
        // nothing to split and D is 0 by construction. Most often the outcome expression is wrong.
        let y = &self.y;
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
        Ok(())
    }
}

/// The kept records as cell keys, with their outcomes and weights: what every table (national
/// or regional) is aggregated from.
pub(super) struct Keyed {
    vars: Vec<Variable>,
    radix: Vec<u64>,
    keys: Vec<u64>,
    pub(super) y: Vec<f64>,
    pub(super) w: Vec<f64>,
}

impl Keyed {
    fn new(
        chosen: &[&Encoded],
        keep_rows: &[usize],
        y: Vec<f64>,
        weights: &[f64],
    ) -> std::result::Result<Keyed, String> {
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
        if crate::estimate::cells::key_space(&radix).is_none() {
            let levels: Vec<String> = vars
                .iter()
                .map(|v| format!("{} {}", v.id, v.levels.len()))
                .collect();
            return Err(format!(
                "the circumstances' level counts ({}) multiply to more than 2^64 possible cells; \
                 group a circumstance with many distinct values (a numeric one) into bands",
                levels.join(", ")
            ));
        }
        let keys = cell_keys(&codes, &radix, y.len());
        Ok(Keyed {
            vars,
            radix,
            keys,
            y,
            w,
        })
    }

    /// The cells of the given kept records (indices into the kept records).
    pub(super) fn table(&self, rows: &[usize]) -> CellTable {
        CellTable {
            vars: self.vars.clone(),
            cells: aggregate(&self.keys, rows, &self.y, &self.w, &self.radix),
        }
    }

    /// The index (into `table.cells`) of the cell of each of the given kept records (indices into
    /// the kept records; `table` must hold them all).
    pub(super) fn cell_of_records(&self, table: &CellTable, rows: &[usize]) -> Vec<u32> {
        let cell_keys: Vec<u64> = table
            .cells
            .iter()
            .map(|c| {
                c.codes
                    .iter()
                    .zip(&self.radix)
                    .fold(0u64, |k, (&code, &r)| k * r + code as u64)
            })
            .collect();
        rows.iter()
            .map(|&k| {
                let key = &self.keys[k];
                cell_keys.binary_search(key).expect("every key has a cell") as u32
            })
            .collect()
    }
}

/// Aggregate kept records by (PSU, cell) in one pass, flushing at every change of PSU (records
/// of a PSU are usually contiguous, so there are about as many entries as PSU × cell pairs).
pub(super) fn psu_cells(
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
