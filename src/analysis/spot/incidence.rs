//! Who gains: incidence by pre-transfer decile, and poverty and coverage by area.

use super::population::Population;
use super::{AreaRow, DecileRow};
use crate::estimate::measures::HouseholdDesign;

/// Incidence by fixed pre-transfer decile of persons.
pub(super) fn incidence(pop: &Population, after: &[f64], transfers: &[f64]) -> Vec<DecileRow> {
    let mut acc = [[0.0f64; 5]; 10]; // persons, Σw·y, Σw·y', covered persons, transfers
    for h in 0..pop.welfare.len() {
        let a = &mut acc[pop.decile[h] as usize - 1];
        let w = pop.persons[h];
        a[0] += w;
        a[1] += w * pop.welfare[h];
        a[2] += w * after[h];
        if transfers[h] > 0.0 {
            a[3] += w;
        }
        a[4] += pop.hh_weight[h] * transfers[h];
    }
    let total_transfers: f64 = acc.iter().map(|a| a[4]).sum();
    let total_persons: f64 = acc.iter().map(|a| a[0]).sum();
    // An empty decile (possible only in tiny samples) reports zeros rather than 0/0.
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    acc.iter()
        .enumerate()
        .map(|(d, a)| DecileRow {
            decile: d as u8 + 1,
            population_share: a[0] / total_persons,
            mean_before: ratio(a[1], a[0]),
            mean_after: ratio(a[2], a[0]),
            change_pct: 100.0 * ratio(a[2] - a[1], a[1]),
            coverage: ratio(a[3], a[0]),
            benefit_share: ratio(a[4], total_transfers),
        })
        .collect()
}

/// Poverty and coverage by area (urban/rural), when the wave names the column.
pub(super) fn areas(
    pop: &Population,
    hd: &HouseholdDesign,
    after: &[f64],
    transfers: &[f64],
    line: f64,
) -> Vec<AreaRow> {
    let Some((names, codes)) = &pop.area else {
        return Vec::new();
    };
    let total: f64 = pop.persons.iter().sum();
    let poor = |y: &[f64]| y.iter().map(|&v| v < line).collect::<Vec<bool>>();
    let (poor_before, poor_after) = (poor(&pop.welfare), poor(after));
    names
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let (mut w, mut before, mut post, mut covered) = (0.0, 0.0, 0.0, 0.0);
            for h in (0..codes.len()).filter(|&h| codes[h] == k) {
                let p = pop.persons[h];
                w += p;
                if pop.welfare[h] < line {
                    before += p;
                }
                if after[h] < line {
                    post += p;
                }
                if transfers[h] > 0.0 {
                    covered += p;
                }
            }
            let in_area: Vec<bool> = codes.iter().map(|&c| c == k).collect();
            AreaRow {
                area: name.clone(),
                population_share: w / total,
                headcount_before: before / w,
                headcount_after: post / w,
                headcount_before_se: hd.domain_share_se(&pop.persons, &in_area, &poor_before),
                headcount_after_se: hd.domain_share_se(&pop.persons, &in_area, &poor_after),
                coverage: covered / w,
            }
        })
        .collect()
}
