//! Sub-national results: each region's rate with its linearised SE as a domain of the wave's
//! design, its D with bootstrap SEs from the national replicates, and its furthest-behind group
//! only where its own tree could split and did.

use super::cells::{domain, IndicatorCells, RegionCells};
use super::{bootstrap_inequality, inequality, leaf_uncertainty, trees};
use crate::estimate::variance::{proportion_ci, Design, Replicates};
use crate::results::lnob::{Flag, Inequality, Leaf, NoRegionalGroup, NoTree, RegionResult};
use crate::spec::Spec;

/// What every region of an indicator is analysed with.
pub(super) struct RegionInputs<'a> {
    pub(super) spec: &'a Spec,
    pub(super) design: &'a Design,
    pub(super) replicates: &'a Replicates,
    pub(super) barrier: bool,
}

/// Each region's rate, D-index and furthest-behind group, from its own cells.
pub(super) fn region_results(built: &IndicatorCells, inputs: &RegionInputs) -> Vec<RegionResult> {
    let total_w = built.table.total_w();
    built
        .by_region
        .iter()
        .map(|region| region_result(region, total_w, inputs))
        .collect()
}

fn region_result(region: &RegionCells, total_w: f64, inputs: &RegionInputs) -> RegionResult {
    let RegionInputs {
        spec,
        design,
        replicates,
        barrier,
    } = *inputs;
    let rules = &spec.uncertainty;
    let t = &region.table;
    let (n, rate) = (t.total_n(), t.rate());
    let rate_se = domain::whole_se(&region.psu_cells, design, t.cells.len());
    let mut inequality = inequality(t, barrier, spec.lnob.world_bank);
    // A constant rate has D = 0 in every replicate (and a barrier's complement at 0 has none):
    // nothing to resample.
    if !replicates.is_empty() && rate > 0.0 && rate < 1.0 {
        bootstrap_inequality(t, &region.psu_cells, replicates, barrier, &mut inequality);
        drop_undefined_ses(&mut inequality);
    }
    let (no_group, furthest_behind) = match furthest_behind(region, inputs) {
        Ok(leaf) => (None, Some(leaf)),
        Err(reason) => (Some(reason), None),
    };
    RegionResult {
        region: region.name.clone(),
        n,
        weight_share: t.total_w() / total_w,
        rate,
        rate_se,
        ci: proportion_ci(rate, rate_se, n),
        flag: Flag::check(n, rate, rate_se, rules.min_n, rules.max_cv),
        inequality,
        no_group,
        furthest_behind,
    }
}

/// A replicate that draws none of a small region's PSUs leaves it without records, where D is
/// undefined: such a region gets no bootstrap SE rather than a NaN.
fn drop_undefined_ses(inequality: &mut Inequality) {
    let defined = |se: Option<f64>| se.filter(|s| s.is_finite());
    inequality.d_se = defined(inequality.d_se);
    inequality.hoi_se = defined(inequality.hoi_se);
    for part in &mut inequality.shapley {
        part.se = defined(part.se);
    }
}

/// The region's furthest-behind leaf with its SE and flag, or why there is none: too few
/// records for the tree to split at all (no tree is grown), a constant rate, or no split found.
fn furthest_behind(region: &RegionCells, inputs: &RegionInputs) -> Result<Leaf, NoRegionalGroup> {
    let t = &region.table;
    let opts = &inputs.spec.lnob;
    let (n, min) = (t.total_n(), trees::min_records_to_split(t.total_n(), opts));
    if n < min {
        return Err(NoRegionalGroup::FewRecords { n, min });
    }
    let (mut tree, grown) = trees::grow_and_describe(t, opts, inputs.barrier);
    if let Some(NoTree::ConstantRate { rate }) = tree.skipped {
        return Err(NoRegionalGroup::ConstantRate { rate });
    }
    let grown = grown.expect("a tree is grown unless skipped");
    if tree.leaves.len() < 2 {
        return Err(NoRegionalGroup::NoSplit);
    }
    let rules = &inputs.spec.uncertainty;
    leaf_uncertainty(
        t,
        &region.psu_cells,
        inputs.design,
        rules,
        &grown,
        &mut tree,
    );
    Ok(tree
        .furthest_behind
        .expect("a split tree has a furthest-behind leaf"))
}
