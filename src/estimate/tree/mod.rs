//! The LNOB regression tree: rpart's ANOVA tree on a 0/1 outcome, grown on a cell table.
//!
//! Records in one cell are identical to the tree, so growing on cells gives the same tree as
//! rpart on records, at a cost that no longer depends on the number of respondents. What has to
//! match rpart (see docs/methods.md, 'Regression tree: growing', `tests/reference/escap_toy.md`
//! and `tests/fixtures/lnob/`):
//! - minbucket/minsplit are compared with unweighted counts; improvement is the drop in the
//!   weighted within-node sum of squares;
//! - unordered factors: levels sorted by weighted mean (stable), ordered partitions scanned;
//!   ordered factors and numbers: thresholds between adjacent present values;
//! - the first variable wins ties; the lower-mean side becomes the left child (node 2k);
//! - rpart's in-growth cost-complexity check with alpha = cp × root deviance (no later pruning);
//! - nodes at depth `maxdepth` are not split.

use serde::Serialize;

use super::cells::CircumstanceKind;
use super::cells::{Cell, CellTable};

mod surrogates;
use surrogates::surrogates;
pub use surrogates::Surrogate;

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Controls {
    pub minbucket: u64,
    pub minsplit: u64,
    pub maxdepth: usize,
    pub cp: f64,
}

impl Controls {
    /// ESCAP's rule for N records: m = max(floor, N/divisor) as a real number, minbucket = ⌊m⌋,
    /// minsplit = ⌊2m⌋ (ESCAP passes m and 2m to rpart, which truncates them), cp = 1/N unless
    /// given.
    pub fn escap(n: u64, floor: u64, divisor: u64, maxdepth: usize, cp: Option<f64>) -> Self {
        let divisor = divisor.max(1);
        Controls {
            minbucket: floor.max(n / divisor),
            minsplit: (2 * floor).max(2 * n / divisor),
            maxdepth,
            cp: cp.unwrap_or(1.0 / n as f64),
        }
    }
}

/// How a split sends records left (to the lower-mean child).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Rule {
    /// Unordered factor: these level codes go left; the other present levels go right.
    Levels { left: Vec<u32>, right: Vec<u32> },
    /// Ordered factor or number: values below `threshold` go left if `below_left`, else right.
    Threshold { threshold: f64, below_left: bool },
}

#[derive(Debug, Clone, Serialize)]
pub struct Split {
    pub var: usize,
    pub rule: Rule,
    /// Drop in the weighted sum of squares (rpart's improvement × node deviance).
    pub improvement: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Node {
    /// rpart's node number: root 1, children 2k and 2k+1.
    pub id: u64,
    pub depth: usize,
    pub n: u64,
    pub w: f64,
    pub wy: f64,
    /// Weighted sum of squares around the node's rate.
    pub deviance: f64,
    pub split: Option<Split>,
    /// Indices into `Tree::nodes`.
    pub children: Option<(usize, usize)>,
    #[serde(skip)]
    complexity: f64,
    #[serde(skip)]
    cells: Vec<usize>,
}

impl Node {
    pub fn rate(&self) -> f64 {
        self.wy / self.w
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Tree {
    pub controls: Controls,
    pub nodes: Vec<Node>,
}

/// One step of a leaf's path: the allowed levels of a variable (factors) or a bound (numbers).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub var: usize,
    /// For factors: level codes allowed at this step. Ordered factors list every level that
    /// passes the threshold (as rpart prints them), unordered only those present in the node.
    pub levels: Vec<u32>,
    /// For numbers: `<` or `>=` and the threshold.
    pub bound: Option<(String, f64)>,
}

/// Deviance of a set of cells: Σ w (y − ȳ)² with y ∈ {0, 1}, summed without cancellation.
fn deviance(cells: &[Cell], idx: &[usize], mean: f64) -> f64 {
    idx.iter()
        .map(|&i| {
            let c = &cells[i];
            c.wy * (1.0 - mean) * (1.0 - mean) + (c.w - c.wy) * mean * mean
        })
        .sum()
}

struct Grower<'a> {
    table: &'a CellTable,
    controls: Controls,
    alpha: f64,
    nodes: Vec<Node>,
}

/// Grow the tree. `None` when the table is empty.
pub fn grow(table: &CellTable, controls: Controls) -> Tree {
    let all: Vec<usize> = (0..table.cells.len()).collect();
    let mut g = Grower {
        table,
        controls,
        alpha: 0.0,
        nodes: Vec::new(),
    };
    let root = g.make_node(1, 0, all);
    g.alpha = controls.cp * g.nodes[root].deviance;
    let risk = g.nodes[root].deviance;
    g.nodes[root].complexity = risk;
    g.partition(root);
    // Keep only nodes reachable from the root (collapsed subtrees are dropped), in id order.
    let mut keep = Vec::new();
    let mut stack = vec![root];
    while let Some(i) = stack.pop() {
        keep.push(i);
        if let Some((l, r)) = g.nodes[i].children {
            stack.push(l);
            stack.push(r);
        }
    }
    keep.sort_by_key(|&i| g.nodes[i].id);
    let mut remap = vec![usize::MAX; g.nodes.len()];
    for (new, &old) in keep.iter().enumerate() {
        remap[old] = new;
    }
    let nodes = keep
        .iter()
        .map(|&old| {
            let mut n = g.nodes[old].clone();
            n.children = n.children.map(|(l, r)| (remap[l], remap[r]));
            n
        })
        .collect();
    Tree { controls, nodes }
}

impl Grower<'_> {
    fn make_node(&mut self, id: u64, depth: usize, cells: Vec<usize>) -> usize {
        let cs = &self.table.cells;
        let n = cells.iter().map(|&i| cs[i].n).sum();
        let w: f64 = cells.iter().map(|&i| cs[i].w).sum();
        let wy: f64 = cells.iter().map(|&i| cs[i].wy).sum();
        let dev = deviance(cs, &cells, wy / w);
        self.nodes.push(Node {
            id,
            depth,
            n,
            w,
            wy,
            deviance: dev,
            split: None,
            children: None,
            complexity: 0.0,
            cells,
        });
        self.nodes.len() - 1
    }

    /// rpart's `partition`: returns (number of splits kept below, summed risk of the leaves).
    fn partition(&mut self, me: usize) -> (usize, f64) {
        let (id, depth, n, risk) = {
            let m = &self.nodes[me];
            (m.id, m.depth, m.n, m.deviance)
        };
        let mut tempcp = if id > 1 {
            risk.min(self.nodes[me].complexity)
        } else {
            risk
        };
        let leaf = |g: &mut Self| {
            g.nodes[me].complexity = g.alpha;
            g.nodes[me].children = None;
            (0, risk)
        };
        if n < self.controls.minsplit || tempcp <= self.alpha || depth >= self.controls.maxdepth {
            return leaf(self);
        }
        let Some(split) = self.best_split(me) else {
            return leaf(self);
        };
        let (left_cells, right_cells): (Vec<usize>, Vec<usize>) = self.nodes[me]
            .cells
            .iter()
            .partition(|&&c| goes_left(&self.table.cells[c], self.table, &split));
        let left = self.make_node(2 * id, depth + 1, left_cells);
        let right = self.make_node(2 * id + 1, depth + 1, right_cells);
        self.nodes[me].split = Some(split);
        self.nodes[me].children = Some((left, right));

        self.nodes[left].complexity = tempcp - self.alpha;
        let (mut left_split, mut left_risk) = self.partition(left);

        tempcp = (risk - left_risk) / (left_split as f64 + 1.0);
        let tempcp2 = risk - self.nodes[left].deviance;
        if tempcp < tempcp2 {
            tempcp = tempcp2;
        }
        if tempcp > self.nodes[me].complexity {
            tempcp = self.nodes[me].complexity;
        }
        self.nodes[right].complexity = tempcp - self.alpha;
        let (mut right_split, mut right_risk) = self.partition(right);

        // My own cp, allowing for children that collapse before me.
        let cp_of =
            |ls: usize, lr: f64, rs: usize, rr: f64| (risk - (lr + rr)) / ((ls + rs) as f64 + 1.0);
        let (lc, rc) = (self.nodes[left].complexity, self.nodes[right].complexity);
        tempcp = cp_of(left_split, left_risk, right_split, right_risk);
        if rc > lc {
            if tempcp > lc {
                left_risk = self.nodes[left].deviance;
                left_split = 0;
                tempcp = cp_of(left_split, left_risk, right_split, right_risk);
                if tempcp > rc {
                    right_risk = self.nodes[right].deviance;
                    right_split = 0;
                }
            }
        } else if tempcp > rc {
            right_split = 0;
            right_risk = self.nodes[right].deviance;
            tempcp = cp_of(left_split, left_risk, right_split, right_risk);
            if tempcp > lc {
                left_risk = self.nodes[left].deviance;
                left_split = 0;
            }
        }
        let complexity = cp_of(left_split, left_risk, right_split, right_risk);
        self.nodes[me].complexity = complexity;
        if complexity <= self.alpha {
            // The split does not pay for itself: collapse this node.
            self.nodes[me].split = None;
            self.nodes[me].children = None;
            return (0, risk);
        }
        (left_split + right_split + 1, left_risk + right_risk)
    }

    /// The best split of a node over all variables; ties go to the variable listed first.
    fn best_split(&self, me: usize) -> Option<Split> {
        let node = &self.nodes[me];
        let grand = node.wy / node.w;
        let mut best: Option<Split> = None;
        for (v, var) in self.table.vars.iter().enumerate() {
            if !var.splits {
                continue;
            }
            // Per level: count, weight, centred weighted sum Σ w (y − ȳ).
            let k = var.levels.len();
            let mut n = vec![0u64; k];
            let mut w = vec![0.0; k];
            let mut s = vec![0.0; k];
            for &c in &node.cells {
                let cell = &self.table.cells[c];
                let l = cell.codes[v] as usize;
                n[l] += cell.n;
                w[l] += cell.w;
                s[l] += cell.wy - cell.w * grand;
            }
            let present: Vec<usize> = (0..k).filter(|&l| n[l] > 0).collect();
            if present.len() < 2 {
                continue;
            }
            let candidate = match var.kind {
                CircumstanceKind::Unordered => {
                    let mut order = present.clone();
                    // Stable sort by mean: equal means keep level order, as rpart's insertion sort.
                    order.sort_by(|&a, &b| (s[a] / w[a]).total_cmp(&(s[b] / w[b])));
                    scan(&order, &n, &w, &s, node.n, self.controls.minbucket).map(
                        |(cut, gain, flip)| {
                            let mut left: Vec<u32> =
                                order[..=cut].iter().map(|&l| l as u32).collect();
                            let mut right: Vec<u32> =
                                order[cut + 1..].iter().map(|&l| l as u32).collect();
                            if flip {
                                std::mem::swap(&mut left, &mut right);
                            }
                            left.sort_unstable();
                            right.sort_unstable();
                            (Rule::Levels { left, right }, gain)
                        },
                    )
                }
                CircumstanceKind::Ordered | CircumstanceKind::Numeric => {
                    scan(&present, &n, &w, &s, node.n, self.controls.minbucket).map(
                        |(cut, gain, flip)| {
                            let threshold =
                                (var.values[present[cut]] + var.values[present[cut + 1]]) / 2.0;
                            (
                                Rule::Threshold {
                                    threshold,
                                    below_left: !flip,
                                },
                                gain,
                            )
                        },
                    )
                }
            };
            if let Some((rule, gain)) = candidate {
                if best.as_ref().is_none_or(|b| gain > b.improvement) {
                    best = Some(Split {
                        var: v,
                        rule,
                        improvement: gain,
                    });
                }
            }
        }
        best
    }
}

/// Scan the cut points of levels in `order`: left = order[..=cut]. Returns the best cut, its gain
/// (L²/w_L + R²/w_R on centred sums) and whether the sides must be swapped so that the lower-mean
/// side goes left.
fn scan(
    order: &[usize],
    n: &[u64],
    w: &[f64],
    s: &[f64],
    total_n: u64,
    minbucket: u64,
) -> Option<(usize, f64, bool)> {
    let total_w: f64 = order.iter().map(|&l| w[l]).sum();
    let (mut ln, mut lw, mut ls) = (0u64, 0.0, 0.0);
    let mut rs: f64 = order.iter().map(|&l| s[l]).sum();
    let mut rw = total_w;
    let mut best = 0.0;
    let mut found = None;
    for (cut, &l) in order.iter().enumerate().take(order.len() - 1) {
        ln += n[l];
        lw += w[l];
        rw -= w[l];
        ls += s[l];
        rs -= s[l];
        let rn = total_n - ln;
        if ln >= minbucket && rn >= minbucket {
            let gain = ls * ls / lw + rs * rs / rw;
            if gain > best {
                best = gain;
                found = Some((cut, gain, ls / lw > rs / rw));
            }
        }
    }
    found
}

fn goes_left(cell: &Cell, table: &CellTable, split: &Split) -> bool {
    let code = cell.codes[split.var];
    match &split.rule {
        Rule::Levels { left, .. } => left.contains(&code),
        Rule::Threshold {
            threshold,
            below_left,
        } => (table.vars[split.var].values[code as usize] < *threshold) == *below_left,
    }
}

impl Tree {
    pub fn leaves(&self) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| self.nodes[i].children.is_none())
            .collect()
    }

    /// The path from the root to node `target`: one step per split on the way.
    pub fn path(&self, table: &CellTable, target: usize) -> Vec<Step> {
        let mut steps = Vec::new();
        let mut at = 0;
        while at != target {
            let node = &self.nodes[at];
            let (l, r) = node.children.expect("target is below");
            let go_left = self.is_below(l, target);
            let split = node.split.as_ref().expect("split node");
            let var = &table.vars[split.var];
            let step = match &split.rule {
                Rule::Levels { left, right } => Step {
                    var: split.var,
                    levels: if go_left { left.clone() } else { right.clone() },
                    bound: None,
                },
                Rule::Threshold {
                    threshold,
                    below_left,
                } => {
                    let below = go_left == *below_left;
                    if var.kind == CircumstanceKind::Numeric {
                        Step {
                            var: split.var,
                            levels: Vec::new(),
                            bound: Some((if below { "<" } else { ">=" }.into(), *threshold)),
                        }
                    } else {
                        let levels = (0..var.levels.len() as u32)
                            .filter(|&c| (var.values[c as usize] < *threshold) == below)
                            .collect();
                        Step {
                            var: split.var,
                            levels,
                            bound: None,
                        }
                    }
                }
            };
            steps.push(step);
            at = if go_left { l } else { r };
        }
        steps
    }

    /// The leaf (index into `nodes`) a cell falls into.
    pub fn leaf_for(&self, table: &CellTable, cell: &Cell) -> usize {
        let mut at = 0;
        while let (Some((l, r)), Some(split)) = (self.nodes[at].children, &self.nodes[at].split) {
            at = if goes_left(cell, table, split) { l } else { r };
        }
        at
    }

    fn is_below(&self, ancestor: usize, target: usize) -> bool {
        // Node ids are rpart numbers: ancestor's id is a binary prefix of the target's id.
        let (a, mut t) = (self.nodes[ancestor].id, self.nodes[target].id);
        while t > a {
            t /= 2;
        }
        t == a
    }

    /// rpart's variable importance (default controls: up to 5 surrogates per split): for each
    /// split, its improvement goes to the split variable and improvement × adjusted agreement to
    /// each surrogate variable.
    pub fn importance(&self, table: &CellTable) -> Vec<f64> {
        let mut imp = self.importance_primary(table.vars.len());
        for (i, node) in self.nodes.iter().enumerate() {
            let Some(split) = &node.split else { continue };
            for s in self.surrogates(table, i) {
                imp[s.var] += split.improvement * s.adjusted;
            }
        }
        imp
    }

    /// The surrogate splits of node `i` (index into `nodes`) as rpart keeps them with its default
    /// `maxsurrogate = 5`, best agreement first; none for a leaf.
    pub fn surrogates(&self, table: &CellTable, i: usize) -> Vec<Surrogate> {
        let node = &self.nodes[i];
        match &node.split {
            Some(split) => surrogates(table, &node.cells, split, 5),
            None => Vec::new(),
        }
    }

    /// rpart's variable importance from primary splits only (its `maxsurrogate = 0` value):
    /// the sum of each variable's split improvements.
    pub fn importance_primary(&self, nvars: usize) -> Vec<f64> {
        let mut imp = vec![0.0; nvars];
        for node in &self.nodes {
            if let Some(s) = &node.split {
                imp[s.var] += s.improvement;
            }
        }
        imp
    }
}
