//! LNOB ("leave no one behind"): for each access indicator, who is furthest behind and how unequal
//! opportunity is: rates by circumstance, the regression tree, the D-index with its Shapley
//! decomposition and the HOI, nationally and per region.

pub mod cells;

use crate::error::Result;
use crate::estimate::cells::CellTable;
use crate::estimate::{dindex, logit, tree};
use crate::results::lnob::{
    Allowed, CircumstanceRates, Condition, Flag, Group, GroupRate, IndicatorResult, Inequality,
    Leaf, NoTree, RegionResult, Shapley, TreeNode, TreeResult,
};
use crate::spec::{CircumstanceKind, Indicator, IndicatorKind, LnobOptions, Spec};
use crate::survey::Survey;
use cells::Encoded;

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

/// Analyse every indicator of the spec on one wave.
pub fn analyse_wave(spec: &Spec, survey: &Survey) -> Result<Vec<IndicatorResult>> {
    Ok(analyse_wave_with_groups(spec, survey)?.0)
}

/// `analyse_wave`, also returning each indicator's furthest-behind group.
pub fn analyse_wave_with_groups(
    spec: &Spec,
    survey: &Survey,
) -> Result<(Vec<IndicatorResult>, Vec<BehindGroup>)> {
    let encoded = cells::encode_all(spec, survey)?;
    let regions = cells::regions(survey)?;
    let design = &survey.design;
    let replicates = crate::estimate::variance::Replicates::rescaled_bootstrap(
        design,
        spec.uncertainty.replicates,
        spec.uncertainty.seed,
    );
    let wave = WaveInputs {
        spec,
        survey,
        encoded,
        regions,
        design,
        replicates,
    };
    let mut results = Vec::new();
    let mut groups = Vec::new();
    for ind in &spec.indicators {
        let (r, g) = analyse_indicator(&wave, ind)?;
        results.push(r);
        groups.extend(g);
    }
    Ok((results, groups))
}

/// What every indicator of a wave is analysed with: prepared once per wave.
struct WaveInputs<'a> {
    spec: &'a Spec,
    survey: &'a Survey,
    encoded: Vec<Encoded>,
    regions: Option<cells::Regions>,
    design: &'a crate::estimate::variance::Design,
    replicates: crate::estimate::variance::Replicates,
}

fn analyse_indicator(
    wave: &WaveInputs,
    ind: &Indicator,
) -> Result<(IndicatorResult, Option<BehindGroup>)> {
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
    let total_w = table.total_w();
    let complement = ind.kind == IndicatorKind::Barrier;
    let rules = &spec.uncertainty;
    // Linearised SE of the rate over the cells selected by a predicate (a domain).
    // Linearised SEs of every level of circumstance v (levels as domains), in one pass.
    let level_ses = |v: usize| {
        let of: Vec<Option<u32>> = table.cells.iter().map(|c| Some(c.codes[v])).collect();
        built.domain_ses(design, table.vars[v].levels.len(), &of)
    };

    let by_circumstance = (0..table.vars.len())
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
                        ci: crate::estimate::variance::rate_ci(c.rate(), se),
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
        .collect();

    let regions = built
        .by_region
        .iter()
        .map(|(name, t)| {
            let tree = tree_result(t, &spec.lnob, complement);
            RegionResult {
                region: name.clone(),
                n: t.total_n(),
                weight_share: t.total_w() / total_w,
                rate: t.rate(),
                inequality: inequality(t, complement, spec.lnob.world_bank),
                furthest_behind: tree.furthest_behind,
            }
        })
        .collect();

    let rate_se = built.domain_ses(design, 1, &vec![Some(0); table.cells.len()])[0];
    let mut inequality = inequality(table, complement, spec.lnob.world_bank);
    if !replicates.is_empty() {
        bootstrap_inequality(&built, replicates, complement, &mut inequality);
    }
    let (mut tree, grown) = grow_and_describe(table, &spec.lnob, complement);
    let mut group = None;
    // Leaf rates as domains: the cells that fall into each leaf.
    if let Some(grown) = grown {
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
        let ses = built.domain_ses(design, leaf_ids.len(), &of);
        let leaf_se = |node: u64| ses[leaf_ids.iter().position(|&id| id == node).expect("a leaf")];
        for leaf in tree
            .leaves
            .iter_mut()
            .chain(tree.furthest_behind.iter_mut())
            .chain(tree.furthest_ahead.iter_mut())
        {
            leaf.se = leaf_se(leaf.node);
            leaf.flag = Flag::check(leaf.n, leaf.rate, leaf.se, rules.min_n, rules.max_cv);
        }
        if let Some(behind) = &tree.furthest_behind {
            group = Some(BehindGroup {
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
            });
        }
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
        kind: ind.kind,
        population_n: built.population_n,
        n: table.total_n(),
        dropped_n: built.dropped_n,
        dropped_weight_share: built.dropped_weight_share,
        rate: table.rate(),
        by_circumstance,
        inequality,
        tree,
        regions,
    };
    Ok((result, group))
}

/// Bootstrap SEs of D, HOI and the Shapley parts: each replicate reweights the PSU × cell
/// aggregates (no pass over the microdata) and recomputes the decomposition.
fn bootstrap_inequality(
    built: &cells::IndicatorCells,
    replicates: &crate::estimate::variance::Replicates,
    complement: bool,
    out: &mut Inequality,
) {
    let table = &built.table;
    let k = table.vars.len();
    let mut d = Vec::with_capacity(replicates.len());
    let mut hoi = Vec::with_capacity(replicates.len());
    let mut parts: Vec<Vec<f64>> = vec![Vec::with_capacity(replicates.len()); k];
    let mut rep = table.clone();
    for m in &replicates.multipliers {
        for c in rep.cells.iter_mut() {
            c.w = 0.0;
            c.wy = 0.0;
        }
        for e in &built.psu_cells {
            let f = m[e.psu as usize];
            let c = &mut rep.cells[e.cell as usize];
            c.w += f * e.w;
            c.wy += f * e.wy;
        }
        let r = dindex::analyse(&rep, complement);
        d.push(r.d);
        hoi.push(r.hoi);
        for (p, s) in parts.iter_mut().zip(&r.shapley) {
            p.push(s.value);
        }
    }
    use crate::estimate::variance::Replicates;
    out.d_se = Some(Replicates::se(&d));
    out.hoi_se = Some(Replicates::se(&hoi));
    for (s, p) in out.shapley.iter_mut().zip(&parts) {
        s.se = Some(Replicates::se(p));
    }
}

pub fn inequality(table: &CellTable, complement: bool, world_bank: bool) -> Inequality {
    let d = dindex::analyse(table, complement);
    // The logit's D is the same for y and 1 − y except for the rate in the denominator.
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

/// Grow the tree and describe its leaves. For a barrier indicator the furthest behind group is the
/// one with the highest barrier rate.
pub fn tree_result(table: &CellTable, opts: &LnobOptions, barrier: bool) -> TreeResult {
    grow_and_describe(table, opts, barrier).0
}

/// The described tree, and the grown tree itself when there is one.
fn grow_and_describe(
    table: &CellTable,
    opts: &LnobOptions,
    barrier: bool,
) -> (TreeResult, Option<tree::Tree>) {
    let controls = tree::Controls::escap(
        table.total_n(),
        opts.minbucket_floor as u64,
        opts.minbucket_divisor as u64,
        opts.maxdepth,
        opts.cp,
    );
    let rate = table.rate();
    let mut result = TreeResult {
        minbucket: controls.minbucket,
        minsplit: controls.minsplit,
        maxdepth: controls.maxdepth,
        cp: controls.cp,
        skipped: None,
        leaves: Vec::new(),
        nodes: Vec::new(),
        furthest_behind: None,
        furthest_ahead: None,
        gap: 0.0,
        importance: Vec::new(),
    };
    if rate <= 0.0 || rate >= 1.0 {
        result.skipped = Some(NoTree::ConstantRate {
            rate: if rate <= 0.0 { 0.0 } else { 1.0 },
        });
        return (result, None);
    }
    let t = tree::grow(table, controls);
    let total_w = t.nodes[0].w;
    let leaf_ids = t.leaves();
    result.leaves = leaf_ids
        .iter()
        .map(|&i| {
            let node = &t.nodes[i];
            Leaf {
                node: node.id,
                se: 0.0,
                flag: None,
                group: Group {
                    conditions: describe(table, &t.path(table, i)),
                },
                n: node.n,
                weight_share: node.w / total_w,
                rate: node.rate(),
            }
        })
        .collect();
    // Furthest behind: lowest rate (barrier: highest); ties → larger weight share.
    let key = |l: &Leaf| if barrier { -l.rate } else { l.rate };
    let pick = |behind: bool| {
        (0..result.leaves.len()).min_by(|&a, &b| {
            let (la, lb) = (&result.leaves[a], &result.leaves[b]);
            let ord = key(la).total_cmp(&key(lb));
            let ord = if behind { ord } else { ord.reverse() };
            ord.then(lb.weight_share.total_cmp(&la.weight_share))
        })
    };
    let (behind, ahead) = (pick(true), pick(false));
    result.furthest_behind = behind.map(|i| result.leaves[i].clone());
    result.furthest_ahead = ahead.map(|i| result.leaves[i].clone());
    if let (Some(b), Some(a)) = (&result.furthest_behind, &result.furthest_ahead) {
        result.gap = (a.rate - b.rate).abs();
    }
    let behind_node = result.furthest_behind.as_ref().map(|l| l.node);
    result.nodes = t
        .nodes
        .iter()
        .enumerate()
        .map(|(i, node)| {
            let edge = if i == 0 {
                None
            } else {
                let path = t.path(table, i);
                describe(table, &path[path.len() - 1..]).into_iter().next()
            };
            TreeNode {
                node: node.id,
                depth: node.depth,
                n: node.n,
                weight_share: node.w / total_w,
                rate: node.rate(),
                edge,
                leaf: node.children.is_none(),
                furthest_behind_path: behind_node.is_some_and(|b| {
                    let mut x = b;
                    while x > node.id {
                        x /= 2;
                    }
                    x == node.id
                }),
            }
        })
        .collect();
    let imp = t.importance(table);
    let mut importance: Vec<(String, f64)> = table
        .vars
        .iter()
        .zip(imp)
        .filter(|(_, v)| *v > 0.0)
        .map(|(var, v)| (var.id.clone(), v))
        .collect();
    importance.sort_by(|a, b| b.1.total_cmp(&a.1));
    result.importance = importance;
    (result, Some(t))
}

/// What a path allows for one circumstance: its levels (factors) or bounds (numbers).
struct Span {
    var: usize,
    levels: Vec<u32>,
    lower: Option<f64>,
    upper: Option<f64>,
}

/// Per circumstance on the path, the final allowed levels (intersecting repeated steps) or bounds.
fn describe(table: &CellTable, steps: &[tree::Step]) -> Vec<Condition> {
    let mut out: Vec<Span> = Vec::new();
    for s in steps {
        let pos = match out.iter().position(|o| o.var == s.var) {
            Some(p) => p,
            None => {
                out.push(Span {
                    var: s.var,
                    levels: (0..table.vars[s.var].levels.len() as u32).collect(),
                    lower: None,
                    upper: None,
                });
                out.len() - 1
            }
        };
        let entry = &mut out[pos];
        match &s.bound {
            Some((op, x)) if op == "<" => entry.upper = Some(entry.upper.map_or(*x, |h| h.min(*x))),
            Some((_, x)) => entry.lower = Some(entry.lower.map_or(*x, |l| l.max(*x))),
            None => entry.levels.retain(|c| s.levels.contains(c)),
        }
    }
    out.into_iter()
        .map(|a| {
            let var = &table.vars[a.var];
            let allowed = if var.kind == CircumstanceKind::Numeric {
                Allowed::Range {
                    lower: a.lower,
                    upper: a.upper,
                }
            } else {
                Allowed::Levels(
                    a.levels
                        .iter()
                        .map(|&c| var.level_labels[c as usize].clone())
                        .collect(),
                )
            };
            Condition {
                circumstance: var.id.clone(),
                label: var.label.clone(),
                allowed,
            }
        })
        .collect()
}
