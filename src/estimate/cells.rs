//! Cell tables: records aggregated into cells, one per non-empty combination of the variables'
//! levels (unweighted count, weight sum, weighted outcome sum). Trees, the D-index and Shapley
//! work on cells only. The sums run in one fixed sequential order, so results are reproducible
//! whatever the thread count.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How a circumstance's levels split a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CircumstanceKind {
    /// Levels have no order: trees order them by rate and scan the ordered partitions.
    Unordered,
    /// Levels have an order (education): threshold splits only.
    Ordered,
    /// A number (age): threshold splits at midpoints between distinct values.
    Numeric,
}

/// A variable of a cell table (an `Encoded` without the per-record codes).
#[derive(Debug, Clone, Serialize)]
pub struct Variable {
    pub id: String,
    pub label: String,
    pub kind: CircumstanceKind,
    pub levels: Vec<String>,
    pub level_labels: Vec<String>,
    pub values: Vec<f64>,
    /// The tree may split on it (and use it as a surrogate); false: the D-index and its Shapley
    /// decomposition only, as ESCAP treats region (sub-national trees run per region instead).
    pub splits: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Level code per variable.
    pub codes: Vec<u32>,
    /// Unweighted record count.
    pub n: u64,
    /// Sum of weights.
    pub w: f64,
    /// Sum of weight × outcome.
    pub wy: f64,
}

impl Cell {
    pub fn rate(&self) -> f64 {
        self.wy / self.w
    }
}

#[derive(Debug, Clone)]
pub struct CellTable {
    pub vars: Vec<Variable>,
    /// Non-empty cells, sorted by codes.
    pub cells: Vec<Cell>,
}

impl CellTable {
    /// Aggregate records: `codes[v][i]` is record i's level code on variable v.
    pub fn from_records(vars: Vec<Variable>, codes: &[Vec<u32>], y: &[f64], w: &[f64]) -> Self {
        assert_eq!(vars.len(), codes.len());
        let radix: Vec<u64> = vars.iter().map(|v| v.levels.len() as u64).collect();
        let keys = cell_keys(codes, &radix, y.len());
        let rows: Vec<usize> = (0..y.len()).collect();
        let cells = aggregate(&keys, &rows, y, w, &radix);
        CellTable { vars, cells }
    }

    pub fn total_n(&self) -> u64 {
        self.cells.iter().map(|c| c.n).sum()
    }
    pub fn total_w(&self) -> f64 {
        self.cells.iter().map(|c| c.w).sum()
    }
    pub fn total_wy(&self) -> f64 {
        self.cells.iter().map(|c| c.wy).sum()
    }
    pub fn rate(&self) -> f64 {
        self.total_wy() / self.total_w()
    }

    /// Collapse onto a subset of variables (given by index, in order): the cells of a coarser
    /// partition, without going back to the records.
    pub fn collapse(&self, subset: &[usize]) -> Vec<Cell> {
        let radix: Vec<u64> = subset
            .iter()
            .map(|&v| self.vars[v].levels.len() as u64)
            .collect();
        let space: u64 = radix.iter().product();
        let key_of = |c: &Cell| {
            subset
                .iter()
                .zip(&radix)
                .fold(0u64, |k, (&v, &r)| k * r + c.codes[v] as u64)
        };
        let decode = |mut k: u64| {
            let mut codes = vec![0u32; radix.len()];
            for (c, &r) in codes.iter_mut().zip(&radix).rev() {
                *c = (k % r) as u32;
                k /= r;
            }
            codes
        };
        if space <= 1 << 20 {
            // Dense accumulation in cell order: a fixed summation order, no allocation per cell.
            let mut acc: Vec<(u64, f64, f64)> = vec![(0, 0.0, 0.0); space as usize];
            for c in &self.cells {
                let a = &mut acc[key_of(c) as usize];
                a.0 += c.n;
                a.1 += c.w;
                a.2 += c.wy;
            }
            acc.into_iter()
                .enumerate()
                .filter(|(_, a)| a.0 > 0)
                .map(|(k, (n, w, wy))| Cell {
                    codes: decode(k as u64),
                    n,
                    w,
                    wy,
                })
                .collect()
        } else {
            let mut acc: BTreeMap<u64, (u64, f64, f64)> = BTreeMap::new();
            for c in &self.cells {
                let a = acc.entry(key_of(c)).or_insert((0, 0.0, 0.0));
                a.0 += c.n;
                a.1 += c.w;
                a.2 += c.wy;
            }
            acc.into_iter()
                .map(|(k, (n, w, wy))| Cell {
                    codes: decode(k),
                    n,
                    w,
                    wy,
                })
                .collect()
        }
    }
}

/// The number of possible cells (the product of the level counts), or None when it does not fit
/// in a key: `cell_keys` then cannot number the cells.
pub fn key_space(radix: &[u64]) -> Option<u64> {
    radix.iter().try_fold(1u64, |a, &r| a.checked_mul(r.max(1)))
}

/// Mixed-radix cell key of every record (first variable most significant, so key order is the
/// lexicographic order of the codes). The caller checks [`key_space`] first.
pub fn cell_keys(codes: &[Vec<u32>], radix: &[u64], n: usize) -> Vec<u64> {
    let mut keys = vec![0u64; n];
    for (c, &r) in codes.iter().zip(radix) {
        for (k, &code) in keys.iter_mut().zip(c) {
            *k = *k * r + code as u64;
        }
    }
    keys
}

/// Sum the records `rows` into cells, in one sequential pass (a fixed summation order), using a
/// dense array when the key space is small and a hash map otherwise; cells come out in key order.
pub fn aggregate(keys: &[u64], rows: &[usize], y: &[f64], w: &[f64], radix: &[u64]) -> Vec<Cell> {
    let space: u64 = radix
        .iter()
        .try_fold(1u64, |a, &r| a.checked_mul(r.max(1)))
        .unwrap_or(u64::MAX);
    let mut sums: Vec<(u64, u64, f64, f64)> = Vec::new(); // key, n, w, wy
    if space <= 1 << 22 {
        let mut slot = vec![u32::MAX; space as usize];
        for &i in rows {
            let k = keys[i] as usize;
            if slot[k] == u32::MAX {
                slot[k] = sums.len() as u32;
                sums.push((keys[i], 0, 0.0, 0.0));
            }
            let s = &mut sums[slot[k] as usize];
            s.1 += 1;
            s.2 += w[i];
            s.3 += w[i] * y[i];
        }
    } else {
        let mut slot: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
        for &i in rows {
            let next = sums.len();
            let at = *slot.entry(keys[i]).or_insert(next);
            if at == next {
                sums.push((keys[i], 0, 0.0, 0.0));
            }
            let s = &mut sums[at];
            s.1 += 1;
            s.2 += w[i];
            s.3 += w[i] * y[i];
        }
    }
    sums.sort_unstable_by_key(|s| s.0);
    sums.into_iter()
        .map(|(key, n, w, wy)| {
            let mut codes = vec![0u32; radix.len()];
            let mut k = key;
            for (c, &r) in codes.iter_mut().zip(radix).rev() {
                *c = (k % r) as u32;
                k /= r;
            }
            Cell { codes, n, w, wy }
        })
        .collect()
}
