//! Each region's cells, aggregated from the same keys as the national table, with its own
//! PSU × cell sums on the wave's design: a region is a domain of the whole sample, so its rate,
//! leaves and D get design-based uncertainty as the national ones do.

use super::{psu_cells, Keyed, PsuCell, Regions};
use crate::estimate::cells::CellTable;

/// One region's aggregation. `psu_cells` index the wave's PSUs and this region's cells.
#[derive(Debug, Clone)]
pub(crate) struct RegionCells {
    pub(crate) name: String,
    pub(crate) table: CellTable,
    pub(crate) psu_cells: Vec<PsuCell>,
}

/// The regions with kept records, in name order. `keep_rows` are the survey rows of the kept
/// records, `record_psu` the PSU of every survey row.
pub(super) fn tables(
    regions: &Regions,
    keep_rows: &[usize],
    keyed: &Keyed,
    record_psu: &[u32],
) -> Vec<RegionCells> {
    let Regions {
        names,
        codes: rcodes,
    } = regions;
    // Kept records per region in one pass, then each region's cells from the same keys.
    let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    for (k, &i) in keep_rows.iter().enumerate() {
        if let Some(r) = rcodes[i] {
            rows_of[r as usize].push(k);
        }
    }
    names
        .iter()
        .zip(&rows_of)
        .filter(|(_, rows)| !rows.is_empty())
        .map(|(name, rows)| region_cells(name, rows, keep_rows, keyed, record_psu))
        .collect()
}

/// The region's table and PSU × cell sums from its kept records (`rows`, indices into the kept
/// records).
fn region_cells(
    name: &str,
    rows: &[usize],
    keep_rows: &[usize],
    keyed: &Keyed,
    record_psu: &[u32],
) -> RegionCells {
    let table = keyed.table(rows);
    let row_cell = keyed.cell_of_records(&table, rows);
    let survey_rows: Vec<usize> = rows.iter().map(|&k| keep_rows[k]).collect();
    let y: Vec<f64> = rows.iter().map(|&k| keyed.y[k]).collect();
    let w: Vec<f64> = rows.iter().map(|&k| keyed.w[k]).collect();
    let psu_cells = psu_cells(&table, &row_cell, &survey_rows, record_psu, &y, &w);
    RegionCells {
        name: name.to_string(),
        table,
        psu_cells,
    }
}
