//! The regression tree of an indicator's cells described as groups: its leaves and nodes with
//! the conditions on their paths, the furthest behind and ahead, and each circumstance's
//! importance.

use crate::estimate::cells::CellTable;
use crate::estimate::tree;
use crate::results::lnob::{
    Allowed, Condition, Group, Leaf, NoTree, SplitRecord, SplitRule, SurrogateRecord, TreeNode,
    TreeResult,
};
use crate::spec::{CircumstanceKind, LnobOptions};

/// Grow the tree and describe its leaves. For a barrier indicator the furthest behind group is the
/// one with the highest barrier rate.
pub fn tree_result(table: &CellTable, opts: &LnobOptions, barrier: bool) -> TreeResult {
    grow_and_describe(table, opts, barrier).0
}

/// The described tree, and the grown tree itself when there is one.
pub(super) fn grow_and_describe(
    table: &CellTable,
    opts: &LnobOptions,
    barrier: bool,
) -> (TreeResult, Option<tree::Tree>) {
    let controls = controls(table.total_n(), opts);
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
    result.leaves = leaves(table, &t);
    let (behind, ahead) = (
        furthest(&result.leaves, barrier, true),
        furthest(&result.leaves, barrier, false),
    );
    result.furthest_behind = behind.map(|i| result.leaves[i].clone());
    result.furthest_ahead = ahead.map(|i| result.leaves[i].clone());
    if let (Some(b), Some(a)) = (&result.furthest_behind, &result.furthest_ahead) {
        result.gap = (a.rate - b.rate).abs();
    }
    let behind_node = result.furthest_behind.as_ref().map(|l| l.node);
    result.nodes = nodes(table, &t, behind_node);
    result.importance = importance(table, &t);
    (result, Some(t))
}

/// The tree controls for a table of `n` records: ESCAP's rule, with the spec's minsplit if given.
fn controls(n: u64, opts: &LnobOptions) -> tree::Controls {
    let mut controls = tree::Controls::escap(
        n,
        opts.minbucket_floor as u64,
        opts.minbucket_divisor as u64,
        opts.maxdepth,
        opts.cp,
    );
    if let Some(minsplit) = opts.minsplit {
        controls.minsplit = minsplit as u64;
    }
    controls
}

/// The fewest records with which a tree of `n` records can split at all, under its own controls:
/// the root must reach minsplit and each child minbucket. Below it a tree can only be its root.
pub(super) fn min_records_to_split(n: u64, opts: &LnobOptions) -> u64 {
    let c = controls(n, opts);
    c.minsplit.max(2 * c.minbucket)
}

/// Every leaf with the group its path defines (SEs and flags are filled in later).
fn leaves(table: &CellTable, t: &tree::Tree) -> Vec<Leaf> {
    let total_w = t.nodes[0].w;
    t.leaves()
        .iter()
        .map(|&i| {
            let node = &t.nodes[i];
            Leaf {
                difference_se: None,
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
        .collect()
}

/// The furthest behind leaf (`behind`) or the furthest ahead: lowest rate (barrier: highest), or
/// the highest; ties → larger weight share.
/// The furthest behind (or ahead) leaf, with ESCAP's tie rule (`build_tree`): among equal
/// rates the larger weight, then the larger node number.
fn furthest(leaves: &[Leaf], barrier: bool, behind: bool) -> Option<usize> {
    let key = |l: &Leaf| if barrier { -l.rate } else { l.rate };
    (0..leaves.len()).min_by(|&a, &b| {
        let (la, lb) = (&leaves[a], &leaves[b]);
        let ord = key(la).total_cmp(&key(lb));
        let ord = if behind { ord } else { ord.reverse() };
        ord.then(lb.weight_share.total_cmp(&la.weight_share))
            .then(lb.node.cmp(&la.node))
    })
}

/// Every node with the condition on the edge into it and whether it lies on the path to the
/// furthest behind leaf.
fn nodes(table: &CellTable, t: &tree::Tree, behind_node: Option<u64>) -> Vec<TreeNode> {
    let total_w = t.nodes[0].w;
    t.nodes
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
                weight: node.w,
                weight_share: node.w / total_w,
                rate: node.rate(),
                deviance: node.deviance,
                split: split_record(table, t, i),
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
        .collect()
}

/// Node `i`'s primary split and its surrogates, as rpart's `summary` lists them.
fn split_record(table: &CellTable, t: &tree::Tree, i: usize) -> Option<SplitRecord> {
    let node = &t.nodes[i];
    let split = node.split.as_ref()?;
    let surrogates = t
        .surrogates(table, i)
        .into_iter()
        .map(|s| SurrogateRecord {
            circumstance: table.vars[s.var].id.clone(),
            rule: split_rule(table, s.var, &s.rule),
            agreement: s.agreement,
            adjusted_agreement: s.adjusted,
        })
        .collect();
    Some(SplitRecord {
        circumstance: table.vars[split.var].id.clone(),
        rule: split_rule(table, split.var, &split.rule),
        improvement: split.improvement,
        // A node that splits has a positive deviance.
        improve: split.improvement / node.deviance,
        surrogates,
    })
}

/// A split rule in level codes or a cut; an ordered factor's threshold as the levels each side.
fn split_rule(table: &CellTable, v: usize, rule: &tree::Rule) -> SplitRule {
    let var = &table.vars[v];
    let names = |codes: &mut dyn Iterator<Item = u32>| -> Vec<String> {
        codes.map(|c| var.levels[c as usize].clone()).collect()
    };
    match rule {
        tree::Rule::Levels { left, right } => SplitRule::Levels {
            left: names(&mut left.iter().copied()),
            right: names(&mut right.iter().copied()),
        },
        tree::Rule::Threshold {
            threshold,
            below_left,
        } if var.kind == CircumstanceKind::Numeric => SplitRule::Threshold {
            cut: *threshold,
            below_left: *below_left,
        },
        tree::Rule::Threshold {
            threshold,
            below_left,
        } => {
            let all = 0..var.levels.len() as u32;
            let goes_left = |c: &u32| (var.values[*c as usize] < *threshold) == *below_left;
            SplitRule::Levels {
                left: names(&mut all.clone().filter(goes_left)),
                right: names(&mut all.filter(|c| !goes_left(c))),
            }
        }
    }
}

/// The circumstances with a positive importance, largest first.
fn importance(table: &CellTable, t: &tree::Tree) -> Vec<(String, f64)> {
    let imp = t.importance(table);
    let mut importance: Vec<(String, f64)> = table
        .vars
        .iter()
        .zip(imp)
        .filter(|(_, v)| *v > 0.0)
        .map(|(var, v)| (var.id.clone(), v))
        .collect();
    importance.sort_by(|a, b| b.1.total_cmp(&a.1));
    importance
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
                    whole_numbers: var.values.iter().all(|v| v.fract() == 0.0),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::lnob::Group;

    fn leaf(node: u64, weight_share: f64, rate: f64) -> Leaf {
        Leaf {
            difference_se: None,
            node,
            se: 0.0,
            flag: None,
            group: Group {
                conditions: Vec::new(),
            },
            n: 100,
            weight_share,
            rate,
        }
    }

    #[test]
    fn ties_go_to_the_larger_weight_then_the_larger_node() {
        // Nodes 4 and 7 share the lowest rate and weight; 5 has the same rate, less weight.
        let leaves = [
            leaf(4, 0.3, 0.2),
            leaf(5, 0.1, 0.2),
            leaf(6, 0.3, 0.9),
            leaf(7, 0.3, 0.2),
        ];
        assert_eq!(furthest(&leaves, false, true), Some(3)); // node 7
                                                             // A barrier reverses the rates: the highest is furthest behind.
        assert_eq!(furthest(&leaves, true, true), Some(2));
        // Furthest ahead: node 6 alone. Nodes 4 and 5: equal rates, node 4 has the weight.
        assert_eq!(furthest(&leaves, false, false), Some(2));
        assert_eq!(furthest(&leaves[..2], false, true), Some(0));
    }
}
