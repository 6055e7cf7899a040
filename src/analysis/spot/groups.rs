//! The groups followed through the scenarios (the indicators' furthest behind, the bottom 40%,
//! the rural population), how far each scenario reaches them, and "not poor" as an opportunity.

use super::population::Population;
use super::GroupReach;
use crate::error::Result;
use crate::spec::Spec;
use crate::survey::Survey;

/// A group of survey records followed through the scenarios.
pub(super) struct Followed {
    pub(super) id: String,
    pub(super) indicator: Option<String>,
    pub(super) group: Option<crate::results::lnob::Group>,
    pub(super) area: Option<String>,
    pub(super) rows: Vec<u32>,
}

/// Records of the groups to follow: the indicators' furthest-behind groups, then the bottom 40%
/// (pre-transfer deciles 1–4) and the rural population.
pub(super) fn followed(
    pop: &Population,
    groups: &[crate::analysis::lnob::BehindGroup],
) -> Vec<Followed> {
    let mut out: Vec<Followed> = groups
        .iter()
        .map(|g| Followed {
            id: g.indicator.clone(),
            indicator: Some(g.indicator_label.clone()),
            group: Some(g.group.clone()),
            area: None,
            rows: g.rows.clone(),
        })
        .collect();
    let all = 0..pop.household.len() as u32;
    out.push(Followed {
        id: "bottom40".into(),
        indicator: None,
        group: None,
        area: None,
        rows: all
            .clone()
            .filter(|&r| pop.decile[pop.household[r as usize]] <= 4)
            .collect(),
    });
    if let Some((names, codes)) = &pop.area {
        if let Some(k) = names.iter().position(|n| n.eq_ignore_ascii_case("rural")) {
            out.push(Followed {
                id: "rural".into(),
                indicator: None,
                group: None,
                area: Some(names[k].clone()),
                rows: all
                    .filter(|&r| codes[pop.household[r as usize]] == k)
                    .collect(),
            });
        }
    }
    out
}

pub(super) fn reach(
    pop: &Population,
    g: &Followed,
    after: &[f64],
    transfers: &[f64],
    line: f64,
) -> GroupReach {
    let (mut w, mut covered, mut gain, mut base, mut before, mut post) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for &r in &g.rows {
        let h = pop.household[r as usize];
        let wr = pop.person_weight[r as usize];
        w += wr;
        if transfers[h] > 0.0 {
            covered += wr;
        }
        gain += wr * (after[h] - pop.welfare[h]);
        base += wr * pop.welfare[h];
        if pop.welfare[h] < line {
            before += wr;
        }
        if after[h] < line {
            post += wr;
        }
    }
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    GroupReach {
        id: g.id.clone(),
        indicator: g.indicator.clone(),
        group: g.group.clone(),
        area: g.area.clone(),
        coverage: ratio(covered, w),
        gain_pct: 100.0 * ratio(gain, base),
        headcount_before: ratio(before, w),
        headcount_after: ratio(post, w),
    }
}

/// "Not poor" as an opportunity over the spec's circumstances: cells of persons, outcome
/// welfare ≥ line. The persons' cells are found once; each scenario only re-sums them.
pub(super) struct NotPoor {
    /// The cell table's shape (cells and their codes); weights are filled per use.
    template: crate::estimate::cells::CellTable,
    /// (row, cell index) of every person with all circumstances known.
    members: Vec<(usize, u32)>,
}

impl NotPoor {
    pub(super) fn new(spec: &Spec, survey: &Survey) -> Result<Option<NotPoor>> {
        let ids = &spec.spot.opportunity_circumstances;
        if ids.is_empty() {
            return Ok(None);
        }
        let encoded = crate::analysis::lnob::cells::encode_selected(spec, survey, ids)?;
        let chosen: Vec<&crate::analysis::lnob::cells::Encoded> = encoded.iter().collect();
        let rows: Vec<usize> = (0..survey.records())
            .filter(|&i| chosen.iter().all(|e| e.codes[i].is_some()))
            .collect();
        let codes: Vec<Vec<u32>> = chosen
            .iter()
            .map(|e| {
                rows.iter()
                    .map(|&i| e.codes[i].expect("complete"))
                    .collect()
            })
            .collect();
        let vars: Vec<crate::estimate::cells::Variable> = chosen
            .iter()
            .map(|e| crate::estimate::cells::Variable::from(*e))
            .collect();
        let ones = vec![1.0; rows.len()];
        let template = crate::estimate::cells::CellTable::from_records(vars, &codes, &ones, &ones);
        let members = rows
            .iter()
            .enumerate()
            .map(|(k, &row)| {
                let key: Vec<u32> = codes.iter().map(|c| c[k]).collect();
                let cell = template
                    .cells
                    .binary_search_by(|c| c.codes.cmp(&key))
                    .expect("every record has a cell");
                (row, cell as u32)
            })
            .collect();
        Ok(Some(NotPoor { template, members }))
    }

    pub(super) fn inequality(
        &self,
        pop: &Population,
        welfare: &[f64],
        line: f64,
    ) -> crate::results::lnob::Inequality {
        let mut table = self.template.clone();
        for c in table.cells.iter_mut() {
            c.w = 0.0;
            c.wy = 0.0;
        }
        for &(row, cell) in &self.members {
            let w = pop.person_weight[row];
            let c = &mut table.cells[cell as usize];
            c.w += w;
            if welfare[pop.household[row]] >= line {
                c.wy += w;
            }
        }
        crate::analysis::lnob::inequality(&table, false, false)
    }
}
