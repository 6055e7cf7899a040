//! LNOB ("leave no one behind"): for each access indicator, who is furthest behind and how unequal
//! opportunity is: rates by circumstance, the regression tree, the D-index with its Shapley
//! decomposition and the HOI, nationally and per region.

pub mod cells;
mod earlier;
mod regions;
mod trees;

use crate::error::Result;
use crate::estimate::cells::CellTable;
use crate::estimate::variance::{Design, Replicates};
use crate::estimate::{dindex, logit, tree};
use crate::results::lnob::{
    CircumstanceRates, Flag, Group, GroupRate, HoiChange, IndicatorResult, Inequality, Shapley,
    TreeResult,
};
use crate::spec::{Indicator, IndicatorKind, Spec, Uncertainty};
use crate::survey::Survey;
use cells::Encoded;
pub use trees::tree_result;

/// The survey records of an indicator's furthest-behind group, so the social-protection
/// simulation can say how far each scenario reaches them.
#[derive(Debug, Clone)]
pub struct BehindGroup {
    pub indicator: String,
    pub indicator_label: String,
    /// The group (the tree leaf's conditions).
    pub group: Group,
    pub rows: Vec<u32>,
}

/// Each indicator's bootstrap replicates of (opportunity rate, D) in one wave, by indicator id:
/// what the latest wave needs of the first for the SEs of the HOI change. Not a result.
#[derive(Debug, Clone, Default)]
pub struct Replicated {
    by_indicator: std::collections::BTreeMap<String, Vec<(f64, f64)>>,
}

/// One wave's LNOB analysis: the results, each indicator's furthest-behind group and the
/// replicates a later wave compares with.
#[derive(Debug, Clone)]
pub struct WaveLnob {
    pub indicators: Vec<IndicatorResult>,
    pub groups: Vec<BehindGroup>,
    pub replicates: Replicated,
}

/// Analyse every indicator of the spec on one wave.
pub fn analyse_wave(spec: &Spec, survey: &Survey) -> Result<Vec<IndicatorResult>> {
    Ok(analyse_wave_with_groups(spec, survey, &[], &Replicated::default())?.indicators)
}

/// `analyse_wave`, also returning each indicator's furthest-behind group. `first_wave` holds the
/// first wave's results (and `first_replicates` its replicates) when this is the latest of
/// several waves (else it is empty): each indicator's earlier furthest-behind group is then
/// tested against this wave's, and its change in HOI decomposed.
pub fn analyse_wave_with_groups(
    spec: &Spec,
    survey: &Survey,
    first_wave: &[IndicatorResult],
    first_replicates: &Replicated,
) -> Result<WaveLnob> {
    let encoded = cells::encode_all(spec, survey)?;
    let regions = cells::regions(survey)?;
    let design = &survey.design;
    let replicates =
        Replicates::rescaled_bootstrap(design, spec.uncertainty.replicates, spec.uncertainty.seed);
    let wave = WaveInputs {
        spec,
        survey,
        encoded,
        regions,
        design,
        replicates,
    };
    let mut out = WaveLnob {
        indicators: Vec::new(),
        groups: Vec::new(),
        replicates: Replicated::default(),
    };
    for ind in &spec.indicators {
        let first = first_wave.iter().find(|e| e.id == ind.id).map(|e| {
            let reps = first_replicates.by_indicator.get(&ind.id);
            (e, reps.map_or(&[][..], Vec::as_slice))
        });
        let (r, g, reps) = analyse_indicator(&wave, ind, first)?;
        out.indicators.push(r);
        out.groups.extend(g);
        out.replicates.by_indicator.insert(ind.id.clone(), reps);
    }
    Ok(out)
}

/// The first wave's result for an indicator and its replicates of (opportunity rate, D).
type First<'a> = Option<(&'a IndicatorResult, &'a [(f64, f64)])>;

/// An indicator's result, its furthest-behind group and its replicates of (opportunity rate, D).
type Analysed = (IndicatorResult, Option<BehindGroup>, Vec<(f64, f64)>);

/// The change in HOI since the first wave, decomposed, with SEs when both waves have replicates.
fn hoi_change(
    first: (&IndicatorResult, &[(f64, f64)]),
    latest: &Inequality,
    reps: &[(f64, f64)],
) -> HoiChange {
    let (e, first_reps) = first;
    let f = (e.inequality.opportunity_rate, e.inequality.d);
    let l = (latest.opportunity_rate, latest.d);
    let h = dindex::hoi_change(f, l);
    let se = dindex::hoi_change_se(f, first_reps, l, reps);
    HoiChange {
        first_opportunity_rate: f.0,
        first_d: f.1,
        first_hoi: e.inequality.hoi,
        change: h.change,
        scale: h.scale,
        equalisation: h.equalisation,
        change_se: se.map(|s| s.change),
        scale_se: se.map(|s| s.scale),
        equalisation_se: se.map(|s| s.equalisation),
    }
}

/// What every indicator of a wave is analysed with: prepared once per wave.
struct WaveInputs<'a> {
    spec: &'a Spec,
    survey: &'a Survey,
    encoded: Vec<Encoded>,
    regions: Option<cells::Regions>,
    design: &'a Design,
    replicates: Replicates,
}

/// D, HOI and Shapley with their bootstrap SEs, and each replicate's (opportunity rate, D).
fn national_inequality(
    built: &cells::IndicatorCells,
    replicates: &Replicates,
    complement: bool,
    world_bank: bool,
) -> (Inequality, Vec<(f64, f64)>) {
    let table = &built.table;
    let mut out = inequality(table, complement, world_bank);
    if replicates.is_empty() {
        return (out, Vec::new());
    }
    let reps = bootstrap_inequality(table, &built.psu_cells, replicates, complement, &mut out);
    (out, reps)
}

fn analyse_indicator(wave: &WaveInputs, ind: &Indicator, first: First) -> Result<Analysed> {
    let earlier = first
        .and_then(|(e, _)| e.tree.furthest_behind.as_ref())
        .map(|leaf| &leaf.group);
    let WaveInputs {
        spec,
        survey,
        encoded,
        regions,
        design,
        replicates,
    } = wave;
    let (encoded, regions) = (encoded.as_slice(), regions.as_ref());
    let built = cells::build(survey, ind, encoded, regions, design)?;
    let table = &built.table;
    let complement = ind.kind == IndicatorKind::Barrier;
    let rules = &spec.uncertainty;
    let by_circumstance = rates_by_circumstance(&built, design, rules);
    let region_inputs = regions::RegionInputs {
        spec,
        design,
        replicates,
        barrier: complement,
    };
    let regions = regions::region_results(&built, &region_inputs);
    let rate_se = cells::domain::whole_se(&built.psu_cells, design, table.cells.len());
    let (inequality, reps) =
        national_inequality(&built, replicates, complement, spec.lnob.world_bank);
    let (mut tree, grown) = trees::grow_and_describe(table, &spec.lnob, complement);
    let (mut group, mut earlier_group_test) = (None, None);
    if let Some(grown) = grown {
        let leaf_of = leaf_uncertainty(table, &built.psu_cells, design, rules, &grown, &mut tree);
        group = behind_group(&built, ind, &tree, &leaf_of);
        let latest = earlier::LatestWave {
            built: &built,
            design,
            rules,
            leaf_of: &leaf_of,
            barrier: complement,
        };
        earlier_group_test = match (&tree.furthest_behind, earlier) {
            (Some(behind), Some(first)) => earlier::test_earlier_group(&latest, behind, first),
            _ => None,
        };
    }
    let result = IndicatorResult {
        rate_se,
        flag: Flag::check(
            table.total_n(),
            table.rate(),
            rate_se,
            rules.min_n,
            rules.max_cv,
        ),
        id: ind.id.clone(),
        label: ind.label.clone(),
        sdg: ind.sdg.clone(),
        unit: ind.unit,
        covers: ind.covers.clone(),
        kind: ind.kind,
        population_n: built.population_n,
        n: table.total_n(),
        dropped_n: built.dropped_n,
        dropped_weight_share: built.dropped_weight_share,
        rate: table.rate(),
        by_circumstance,
        tree,
        regions,
        earlier_group_test,
        hoi_change: first.map(|f| hoi_change(f, &inequality, &reps)),
        inequality,
    };
    Ok((result, group, reps))
}

/// The rate of every level of every circumstance, with its linearised SE (levels as domains,
/// one pass per circumstance) and reliability flag.
fn rates_by_circumstance(
    built: &cells::IndicatorCells,
    design: &Design,
    rules: &Uncertainty,
) -> Vec<CircumstanceRates> {
    let table = &built.table;
    let total_w = table.total_w();
    // Linearised SEs of every level of circumstance v (levels as domains), in one pass.
    let level_ses = |v: usize| {
        let of: Vec<Option<u32>> = table.cells.iter().map(|c| Some(c.codes[v])).collect();
        built.domain_ses(design, table.vars[v].levels.len(), &of)
    };
    (0..table.vars.len())
        .map(|v| {
            let var = &table.vars[v];
            let ses = level_ses(v);
            let groups = table
                .collapse(&[v])
                .into_iter()
                .map(|c| {
                    let se = ses[c.codes[0] as usize];
                    GroupRate {
                        level: var.levels[c.codes[0] as usize].clone(),
                        label: var.level_labels[c.codes[0] as usize].clone(),
                        n: c.n,
                        weight_share: c.w / total_w,
                        rate: c.rate(),
                        se,
                        ci: crate::estimate::variance::proportion_ci(c.rate(), se, c.n),
                        flag: Flag::check(c.n, c.rate(), se, rules.min_n, rules.max_cv),
                    }
                })
                .collect();
            CircumstanceRates {
                circumstance: var.id.clone(),
                label: var.label.clone(),
                groups,
            }
        })
        .collect()
}

/// Leaf rates as domains: the linearised SE and flag of every leaf (the furthest behind and
/// ahead included), and of each leaf's rate minus the table's. `psu_cells` are the table's PSU ×
/// cell sums (national or regional). Returns the leaf (node id) of every cell.
fn leaf_uncertainty(
    table: &CellTable,
    psu_cells: &[cells::PsuCell],
    design: &Design,
    rules: &Uncertainty,
    grown: &tree::Tree,
    tree: &mut TreeResult,
) -> Vec<u64> {
    let leaf_of: Vec<u64> = table
        .cells
        .iter()
        .map(|c| grown.nodes[grown.leaf_for(table, c)].id)
        .collect();
    // Leaves as domains, all in one pass.
    let leaf_ids: Vec<u64> = tree.leaves.iter().map(|l| l.node).collect();
    let of: Vec<Option<u32>> = leaf_of
        .iter()
        .map(|l| leaf_ids.iter().position(|id| id == l).map(|p| p as u32))
        .collect();
    let ses = cells::domain::ses(psu_cells, design, leaf_ids.len(), &of);
    let difference_ses = cells::domain::difference_ses(psu_cells, design, leaf_ids.len(), &of);
    let at = |node: u64| leaf_ids.iter().position(|&id| id == node).expect("a leaf");
    for leaf in tree
        .leaves
        .iter_mut()
        .chain(tree.furthest_behind.iter_mut())
        .chain(tree.furthest_ahead.iter_mut())
    {
        leaf.se = ses[at(leaf.node)];
        leaf.difference_se = Some(difference_ses[at(leaf.node)]);
        leaf.flag = Flag::check(leaf.n, leaf.rate, leaf.se, rules.min_n, rules.max_cv);
    }
    leaf_of
}

/// The survey records of the furthest-behind leaf, given the leaf of every cell.
fn behind_group(
    built: &cells::IndicatorCells,
    ind: &Indicator,
    tree: &TreeResult,
    leaf_of: &[u64],
) -> Option<BehindGroup> {
    let behind = tree.furthest_behind.as_ref()?;
    Some(BehindGroup {
        indicator: ind.id.clone(),
        indicator_label: ind.label.clone(),
        group: behind.group.clone(),
        rows: built
            .rows
            .iter()
            .zip(&built.row_cell)
            .filter(|(_, &c)| leaf_of[c as usize] == behind.node)
            .map(|(&r, _)| r)
            .collect(),
    })
}

/// Bootstrap SEs of D, HOI and the Shapley parts: each replicate reweights the PSU × cell
/// aggregates (no pass over the microdata) and recomputes the decomposition. `psu_cells` are the
/// table's PSU × cell sums (national or regional): the same replicates serve both. Returns each
/// replicate's (opportunity rate, D), which the HOI change of a later wave needs.
fn bootstrap_inequality(
    table: &CellTable,
    psu_cells: &[cells::PsuCell],
    replicates: &Replicates,
    complement: bool,
    out: &mut Inequality,
) -> Vec<(f64, f64)> {
    let k = table.vars.len();
    let mut d = Vec::with_capacity(replicates.len());
    let mut hoi = Vec::with_capacity(replicates.len());
    let mut pbar_d = Vec::with_capacity(replicates.len());
    let mut parts: Vec<Vec<f64>> = vec![Vec::with_capacity(replicates.len()); k];
    let mut rep = table.clone();
    for m in &replicates.multipliers {
        for c in rep.cells.iter_mut() {
            c.w = 0.0;
            c.wy = 0.0;
        }
        for e in psu_cells {
            let f = m[e.psu as usize];
            let c = &mut rep.cells[e.cell as usize];
            c.w += f * e.w;
            c.wy += f * e.wy;
        }
        let r = dindex::analyse(&rep, complement);
        pbar_d.push((r.pbar, r.d));
        d.push(r.d);
        hoi.push(r.hoi);
        for (p, s) in parts.iter_mut().zip(&r.shapley) {
            p.push(s.value);
        }
    }
    out.d_se = Some(Replicates::se(&d));
    out.hoi_se = Some(Replicates::se(&hoi));
    for (s, p) in out.shapley.iter_mut().zip(&parts) {
        s.se = Some(Replicates::se(p));
    }
    pbar_d
}

pub fn inequality(table: &CellTable, complement: bool, world_bank: bool) -> Inequality {
    let d = dindex::analyse(table, complement);
    // The logit's D is the same for y and 1 − y except for the rate in the denominator. A fit that
    // does not converge (separation in small groups: no finite maximum) reports no value.
    let world_bank_d = if world_bank {
        let fit = logit::fit(table);
        fit.converged.then(|| {
            if complement {
                fit.d * (1.0 - d.pbar) / d.pbar
            } else {
                fit.d
            }
        })
    } else {
        None
    };
    Inequality {
        d_se: None,
        hoi_se: None,
        world_bank_d,
        opportunity_rate: d.pbar,
        d: d.d,
        hoi: d.hoi,
        shapley: d
            .shapley
            .into_iter()
            .zip(&table.vars)
            .map(|(s, var)| Shapley {
                circumstance: s.circumstance,
                label: var.label.clone(),
                value: s.value,
                share: s.share,
                se: None,
            })
            .collect(),
    }
}
