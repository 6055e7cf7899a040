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
        Allowed::Range { lower, upper } => {
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
        };
        let age = Variable {
            id: "age".into(),
            label: "Age".into(),
            kind: CircumstanceKind::Numeric,
            levels: vec!["20".into(), "30".into(), "40".into()],
            level_labels: vec!["20".into(), "30".into(), "40".into()],
            values: vec![20.0, 30.0, 40.0],
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
