//! The test of a change of furthest-behind group: in the latest wave, the rate of the first
//! wave's furthest-behind group (a domain: the cells meeting its conditions) against the rate of
//! the latest wave's own group (its leaf's cells). The brief calls the group changed, narrowed or
//! widened only when this difference is beyond sampling error.

use super::cells::IndicatorCells;
use crate::estimate::cells::{Cell, CellTable};
use crate::estimate::variance::{ci95, Design};
use crate::results::lnob::{Allowed, Condition, Flag, Group, GroupChangeTest, Leaf};
use crate::results::{relation, GroupRelation};
use crate::spec::Uncertainty;

/// What the test needs of the latest wave's indicator: its cells, the design, the reliability
/// rules and which leaf every cell falls in.
pub(super) struct LatestWave<'a> {
    pub(super) built: &'a IndicatorCells,
    pub(super) design: &'a Design,
    pub(super) rules: &'a Uncertainty,
    pub(super) leaf_of: &'a [u64],
    pub(super) barrier: bool,
}

/// The earlier group tested against the latest furthest-behind leaf; none when the two groups
/// are the same, or the earlier group names a circumstance this indicator's cells lack or holds
/// no record in the latest wave.
pub(super) fn test_earlier_group(
    wave: &LatestWave,
    behind: &Leaf,
    earlier: &Group,
) -> Option<GroupChangeTest> {
    if relation(earlier, &behind.group) == GroupRelation::Same {
        return None;
    }
    let table = &wave.built.table;
    let in_earlier = table
        .cells
        .iter()
        .map(|c| meets(table, c, earlier))
        .collect::<Option<Vec<bool>>>()?;
    let (n, w, wy) = sums(table, &in_earlier);
    if n == 0 || w <= 0.0 {
        return None;
    }
    let in_latest: Vec<bool> = wave.leaf_of.iter().map(|&l| l == behind.node).collect();
    let psus = wave.design.psus();
    let earlier_totals = wave.built.psu_totals_of(psus, &in_earlier);
    let latest_totals = wave.built.psu_totals_of(psus, &in_latest);
    let earlier_rate = wy / w;
    let earlier_se = wave.design.ratio_se(&earlier_totals.0, &earlier_totals.1);
    let difference = behind.rate - earlier_rate;
    let difference_se = wave.design.difference_se(
        (&latest_totals.0, &latest_totals.1),
        (&earlier_totals.0, &earlier_totals.1),
    );
    let difference_ci = ci95(difference, difference_se);
    Some(GroupChangeTest {
        earlier_rate,
        earlier_se,
        earlier_n: n,
        earlier_flag: Flag::check(
            n,
            earlier_rate,
            earlier_se,
            wave.rules.min_n,
            wave.rules.max_cv,
        ),
        latest_rate: behind.rate,
        difference,
        difference_se,
        difference_ci,
        significant: difference_se > 0.0 && (difference_ci.0 > 0.0 || difference_ci.1 < 0.0),
        latest_further_behind: if wave.barrier {
            difference > 0.0
        } else {
            difference < 0.0
        },
    })
}

/// Records, weight and weighted outcome of the marked cells.
fn sums(table: &CellTable, marked: &[bool]) -> (u64, f64, f64) {
    table
        .cells
        .iter()
        .zip(marked)
        .filter(|(_, &m)| m)
        .fold((0, 0.0, 0.0), |(n, w, wy), (c, _)| {
            (n + c.n, w + c.w, wy + c.wy)
        })
}

/// Whether a cell meets every condition of a group; none when a condition names a circumstance
/// the table does not have.
fn meets(table: &CellTable, cell: &Cell, group: &Group) -> Option<bool> {
    group.conditions.iter().try_fold(true, |all, condition| {
        Some(all && allows(table, cell, condition)?)
    })
}

fn allows(table: &CellTable, cell: &Cell, condition: &Condition) -> Option<bool> {
    let v = table
        .vars
        .iter()
        .position(|var| var.id == condition.circumstance)?;
    let code = cell.codes[v] as usize;
    Some(match &condition.allowed {
        // Levels are held by their display labels.
        Allowed::Levels(levels) => levels.contains(&table.vars[v].level_labels[code]),
        Allowed::Range { lower, upper, .. } => {
            let x = table.vars[v].values[code];
            lower.is_none_or(|l| x >= l) && upper.is_none_or(|u| x < u)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimate::cells::{CircumstanceKind, Variable};

    fn table() -> CellTable {
        let wealth = Variable {
            id: "wealth".into(),
            label: "Wealth".into(),
            kind: CircumstanceKind::Unordered,
            levels: vec!["Q1".into(), "Q5".into()],
            level_labels: vec!["Poorest 20%".into(), "Richest 20%".into()],
            values: vec![],
            splits: true,
        };
        let age = Variable {
            id: "age".into(),
            label: "Age".into(),
            kind: CircumstanceKind::Numeric,
            levels: vec!["20".into(), "30".into(), "40".into()],
            level_labels: vec!["20".into(), "30".into(), "40".into()],
            values: vec![20.0, 30.0, 40.0],
            splits: true,
        };
        // Records 0..6: wealth Q1 for 0..3, age 20, 30, 40 in turn.
        let codes = vec![vec![0, 0, 0, 1, 1, 1], vec![0, 1, 2, 0, 1, 2]];
        CellTable::from_records(vec![wealth, age], &codes, &[0.0; 6], &[1.0; 6])
    }

    fn condition(circumstance: &str, allowed: Allowed) -> Condition {
        Condition {
            circumstance: circumstance.into(),
            label: circumstance.into(),
            allowed,
        }
    }

    /// Eight records in two strata of two PSUs: (stratum, PSU, level of A/B/C, weight, outcome).
    const RECORDS: [(u32, u32, u32, f64, f64); 8] = [
        (0, 0, 0, 1.0, 0.0),
        (0, 0, 1, 2.0, 1.0),
        (0, 1, 0, 1.5, 1.0),
        (0, 1, 2, 1.0, 1.0),
        (1, 2, 0, 2.0, 0.0),
        (1, 2, 1, 1.0, 0.0),
        (1, 3, 1, 1.0, 1.0),
        (1, 3, 2, 3.0, 0.0),
    ];

    fn letters() -> IndicatorCells {
        let var = Variable {
            id: "letter".into(),
            label: "Letter".into(),
            kind: CircumstanceKind::Unordered,
            levels: vec!["A".into(), "B".into(), "C".into()],
            level_labels: vec!["A".into(), "B".into(), "C".into()],
            values: vec![],
            splits: true,
        };
        let codes = vec![RECORDS.iter().map(|r| r.2).collect::<Vec<u32>>()];
        let w: Vec<f64> = RECORDS.iter().map(|r| r.3).collect();
        let y: Vec<f64> = RECORDS.iter().map(|r| r.4).collect();
        IndicatorCells {
            table: CellTable::from_records(vec![var], &codes, &y, &w),
            population_n: 8,
            dropped_n: 0,
            dropped_weight_share: 0.0,
            by_region: Vec::new(),
            rows: (0..8).collect(),
            // Cells in code order: A, B, C.
            row_cell: RECORDS.iter().map(|r| r.2).collect(),
            psu_cells: RECORDS
                .iter()
                .map(|r| super::super::cells::PsuCell {
                    psu: r.1,
                    cell: r.2,
                    w: r.3,
                    wy: r.3 * r.4,
                })
                .collect(),
        }
    }

    /// The with-replacement SE of a statistic from its record-level linearised values.
    fn se_by_hand(z: &[f64]) -> f64 {
        let mut psu = [0.0; 4];
        for (r, zi) in RECORDS.iter().zip(z) {
            psu[r.1 as usize] += zi;
        }
        // Two PSUs a stratum: n/(n − 1) Σ (t − mean)² = 2 · ((t₁ − t₂)/2)² · 2 = (t₁ − t₂)².
        ((psu[0] - psu[1]).powi(2) + (psu[2] - psu[3]).powi(2)).sqrt()
    }

    #[test]
    fn the_earlier_group_is_tested_as_a_domain_against_the_latest() {
        let built = letters();
        let design = Design::new(RECORDS.iter().map(|r| r.1).collect(), vec![0, 0, 1, 1], 2);
        let rules = Uncertainty::default();
        // The latest leaf is A (node 2); B and C fall in node 3. The earlier group: A or B.
        let leaf_of = [2, 3, 3];
        let only = |levels: &[&str]| Group {
            conditions: vec![condition(
                "letter",
                Allowed::Levels(levels.iter().map(|l| l.to_string()).collect()),
            )],
        };
        // Rates by hand: A = 1.5/4.5; A or B = 4.5/8.5.
        let (rate_a, rate_ab) = (1.5 / 4.5, 4.5 / 8.5);
        let behind = Leaf {
            node: 2,
            se: 0.0,
            difference_se: None,
            flag: None,
            group: only(&["A"]),
            n: 3,
            weight_share: 4.5 / 12.5,
            rate: rate_a,
        };
        let wave = LatestWave {
            built: &built,
            design: &design,
            rules: &rules,
            leaf_of: &leaf_of,
            barrier: false,
        };
        let test = test_earlier_group(&wave, &behind, &only(&["A", "B"])).unwrap();
        assert!((test.earlier_rate - rate_ab).abs() < 1e-15);
        assert_eq!(test.earlier_n, 6);
        // Record-level linearisation of R_A − R_AB (the domains share the A records).
        let z: Vec<f64> = RECORDS
            .iter()
            .map(|&(_, _, level, w, y)| {
                let in_a = if level == 0 {
                    w * (y - rate_a) / 4.5
                } else {
                    0.0
                };
                let in_ab = if level <= 1 {
                    w * (y - rate_ab) / 8.5
                } else {
                    0.0
                };
                in_a - in_ab
            })
            .collect();
        assert!((test.difference - (rate_a - rate_ab)).abs() < 1e-15);
        assert!(
            (test.difference_se - se_by_hand(&z)).abs() < 1e-15,
            "{test:?}"
        );
        let z_ab: Vec<f64> = RECORDS
            .iter()
            .map(|&(_, _, level, w, y)| {
                if level <= 1 {
                    w * (y - rate_ab) / 8.5
                } else {
                    0.0
                }
            })
            .collect();
        assert!((test.earlier_se - se_by_hand(&z_ab)).abs() < 1e-15);
        assert!(test.latest_further_behind);
        // The same group is not tested.
        assert!(test_earlier_group(&wave, &behind, &only(&["A"])).is_none());
    }

    #[test]
    fn cells_meet_levels_by_label_and_half_open_ranges() {
        let t = table();
        let group = Group {
            conditions: vec![
                condition("wealth", Allowed::Levels(vec!["Poorest 20%".into()])),
                condition(
                    "age",
                    Allowed::Range {
                        lower: Some(25.0),
                        upper: Some(40.0),
                        whole_numbers: true,
                    },
                ),
            ],
        };
        let met: Vec<bool> = t
            .cells
            .iter()
            .map(|c| meets(&t, c, &group).unwrap())
            .collect();
        // Cells in code order: (Q1, 20), (Q1, 30), (Q1, 40), (Q5, 20), (Q5, 30), (Q5, 40).
        assert_eq!(met, [false, true, false, false, false, false]);
        let unknown = Group {
            conditions: vec![condition("sex", Allowed::Levels(vec!["Female".into()]))],
        };
        assert_eq!(meets(&t, &t.cells[0], &unknown), None);
    }
}
