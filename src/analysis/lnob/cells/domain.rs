//! Domain sums on PSU × cell aggregates: the PSU totals of w and w·y of one or several disjoint
//! domains (sets of cells), and their linearised SEs on the wave's design. PSUs holding no record
//! of a domain keep zero totals, so a domain is estimated as a domain, not as a subset.

use super::PsuCell;
use crate::estimate::variance::Design;

/// Linearised SEs of the rate in several disjoint domains at once: `domain_of_cell[c]` names the
/// domain of cell c (or none). One pass over the PSU × cell aggregates fills every domain.
pub(crate) fn ses(
    psu_cells: &[PsuCell],
    design: &Design,
    domains: usize,
    domain_of_cell: &[Option<u32>],
) -> Vec<f64> {
    let psus = design.psus();
    let (w, wy) = psu_totals(psu_cells, psus, domains, domain_of_cell);
    (0..domains)
        .map(|d| design.ratio_se(&w[d * psus..(d + 1) * psus], &wy[d * psus..(d + 1) * psus]))
        .collect()
}

/// Linearised SE of the rate of every cell together (the whole table as one domain).
pub(crate) fn whole_se(psu_cells: &[PsuCell], design: &Design, cells: usize) -> f64 {
    ses(psu_cells, design, 1, &vec![Some(0); cells])[0]
}

/// Linearised SEs of each domain's rate minus the rate of the whole table (every cell).
pub(crate) fn difference_ses(
    psu_cells: &[PsuCell],
    design: &Design,
    domains: usize,
    domain_of_cell: &[Option<u32>],
) -> Vec<f64> {
    let psus = design.psus();
    let (w, wy) = psu_totals(psu_cells, psus, domains, domain_of_cell);
    let everyone = vec![Some(0); domain_of_cell.len()];
    let (all_w, all_wy) = psu_totals(psu_cells, psus, 1, &everyone);
    (0..domains)
        .map(|d| {
            let part = d * psus..(d + 1) * psus;
            design.difference_se((&w[part.clone()], &wy[part]), (&all_w, &all_wy))
        })
        .collect()
}

/// Per-domain PSU totals of w and w·y, domain-major, in one pass over the PSU × cell sums.
pub(crate) fn psu_totals(
    psu_cells: &[PsuCell],
    psus: usize,
    domains: usize,
    domain_of_cell: &[Option<u32>],
) -> (Vec<f64>, Vec<f64>) {
    let mut w = vec![0.0; domains * psus];
    let mut wy = vec![0.0; domains * psus];
    for e in psu_cells {
        if let Some(d) = domain_of_cell[e.cell as usize] {
            let at = d as usize * psus + e.psu as usize;
            w[at] += e.w;
            wy[at] += e.wy;
        }
    }
    (w, wy)
}
