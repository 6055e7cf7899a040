//! LNOB results as data: rates by circumstance, the tree, its leaves as groups (conditions on
//! circumstances, not sentences), the D-index with its Shapley parts, per indicator and region.
//! Flags are reason codes with their numbers; the words are the presentation layer's.

use serde::{Deserialize, Serialize};

use crate::spec::{Covers, EstimateUnit, IndicatorKind};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct GroupRate {
    pub level: String,
    pub label: String,
    pub n: u64,
    pub weight_share: f64,
    pub rate: f64,
    pub se: f64,
    /// 95% confidence interval: the logit interval (Clopper–Pearson at a rate of 0 or 1).
    pub ci: (f64, f64),
    /// Why the estimate is unreliable (too few records, CV too high), if it is.
    pub flag: Option<Flag>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct CircumstanceRates {
    pub circumstance: String,
    pub label: String,
    pub groups: Vec<GroupRate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Shapley {
    pub circumstance: String,
    pub label: String,
    pub value: f64,
    pub share: f64,
    /// Bootstrap standard error (when replicates are asked for).
    pub se: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Inequality {
    /// Rate of the opportunity analysed (for a barrier, of its complement).
    pub opportunity_rate: f64,
    pub d: f64,
    pub hoi: f64,
    /// Bootstrap standard errors of D and HOI (rescaled bootstrap by PSU within strata).
    pub d_se: Option<f64>,
    pub hoi_se: Option<f64>,
    pub shapley: Vec<Shapley>,
    /// World Bank variant of D (logit-predicted probabilities), when `[lnob] world_bank = true`.
    pub world_bank_d: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Leaf {
    pub node: u64,
    /// Linearised standard error of the leaf's rate (a domain estimate).
    pub se: f64,
    /// Linearised standard error of the leaf's rate minus the rate of the whole population the
    /// tree was grown on (one statistic: the leaf is part of that population): the nation, or the
    /// region for a regional tree.
    pub difference_se: Option<f64>,
    pub flag: Option<Flag>,
    /// The group: one condition per circumstance on the leaf's path.
    pub group: Group,
    pub n: u64,
    pub weight_share: f64,
    pub rate: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Condition {
    pub circumstance: String,
    pub label: String,
    pub allowed: Allowed,
}

/// What a condition allows of its circumstance.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Allowed {
    /// A factor: these levels (their display labels, in level order).
    Levels(Vec<String>),
    /// A number: lower ≤ x < upper, either bound open when absent. `whole_numbers`: the
    /// circumstance takes whole values only, so a bound of 26.5 reads "27 or more" / "26 or less".
    Range {
        lower: Option<f64>,
        upper: Option<f64>,
        #[serde(default)]
        whole_numbers: bool,
    },
}

/// A group of the population as conditions on circumstances; no condition is everyone.
/// The presentation layer puts it in words.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Group {
    pub conditions: Vec<Condition>,
}

/// Why an estimate is unreliable.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Flag {
    /// Fewer records than the minimum.
    FewRecords { n: u64, min: u64 },
    /// Coefficient of variation above the maximum (`cv` absent: the estimate is 0).
    HighCv { cv: Option<f64>, max: f64 },
}

impl Flag {
    /// Flag an estimate from fewer than `min_n` records or with a coefficient of variation above
    /// `max_cv`.
    pub fn check(n: u64, est: f64, se: f64, min_n: u64, max_cv: f64) -> Option<Flag> {
        let cv = (est != 0.0).then(|| se / est.abs());
        if n < min_n {
            Some(Flag::FewRecords { n, min: min_n })
        } else if cv.is_none_or(|cv| cv > max_cv) {
            Some(Flag::HighCv { cv, max: max_cv })
        } else {
            None
        }
    }
}

/// Why no tree was grown.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NoTree {
    /// The outcome has the same value (0 or 1) for everyone: no group to tell apart.
    ConstantRate { rate: f64 },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct TreeNode {
    pub node: u64,
    pub depth: usize,
    pub n: u64,
    /// Summed weight of the node's records (rpart's `frame$wt`) and its share of the root's.
    pub weight: f64,
    pub weight_share: f64,
    pub rate: f64,
    /// Weighted sum of squares of the 0/1 outcome around the node's rate (rpart's `frame$dev`).
    pub deviance: f64,
    /// The condition that leads into this node from its parent (none for the root).
    pub edge: Option<Condition>,
    pub leaf: bool,
    pub furthest_behind_path: bool,
    /// How an internal node splits, with its surrogates (none for a leaf): what rpart's
    /// `summary` prints for the node.
    pub split: Option<SplitRecord>,
}

/// The primary split of an internal node.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct SplitRecord {
    pub circumstance: String,
    /// Where records go; the left child is node 2k (the lower-rate side).
    pub rule: SplitRule,
    /// Drop in deviance from the node to its two children (what variable importance sums).
    pub improvement: f64,
    /// The same drop as a share of the node's deviance: rpart's `improve` (its `splits` matrix
    /// and `summary`).
    pub improve: f64,
    /// Up to five surrogate splits (rpart's default `maxsurrogate`), best agreement first.
    pub surrogates: Vec<SurrogateRecord>,
}

/// How a split sends a node's records left or right.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SplitRule {
    /// A factor: the levels (data codes, as rpart prints them) going left and right. For an
    /// unordered factor only the levels present in the node; for an ordered one every level.
    Levels {
        left: Vec<String>,
        right: Vec<String>,
    },
    /// A number: values below `cut` go left when `below_left`, else right.
    Threshold { cut: f64, below_left: bool },
}

/// A surrogate split: another circumstance's split that best mimics the primary's directions.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct SurrogateRecord {
    pub circumstance: String,
    pub rule: SplitRule,
    /// Weighted share of the node sent the same way as by the primary split (rpart's `agree`).
    pub agreement: f64,
    /// Agreement beyond going with the majority (rpart's `adj`); variable importance adds
    /// improvement × this to the circumstance.
    pub adjusted_agreement: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct TreeResult {
    pub minbucket: u64,
    pub minsplit: u64,
    pub maxdepth: usize,
    pub cp: f64,
    /// Why no tree was grown, if so.
    pub skipped: Option<NoTree>,
    pub leaves: Vec<Leaf>,
    pub nodes: Vec<TreeNode>,
    /// Copies of the furthest-behind and furthest-ahead leaves.
    pub furthest_behind: Option<Leaf>,
    pub furthest_ahead: Option<Leaf>,
    /// Rate gap between furthest ahead and furthest behind (percentage points / 100).
    pub gap: f64,
    /// rpart's variable importance: split improvements plus improvement × adjusted agreement of
    /// up to five surrogate splits per node.
    pub importance: Vec<(String, f64)>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct RegionResult {
    pub region: String,
    pub n: u64,
    pub weight_share: f64,
    pub rate: f64,
    /// Linearised standard error of the region's rate (the region as a domain of the wave's
    /// design), its 95% interval (as for every rate) and its reliability flag.
    pub rate_se: f64,
    pub ci: (f64, f64),
    pub flag: Option<Flag>,
    /// D, HOI and Shapley parts of the region's own cells; their bootstrap SEs come from the
    /// same replicates as the national ones.
    pub inequality: Inequality,
    /// Why the region has no furthest-behind group, if it has none.
    pub no_group: Option<NoRegionalGroup>,
    /// The furthest-behind leaf of the region's tree (SE and flag as a domain, difference SE
    /// against the region's rate); none unless the tree split.
    pub furthest_behind: Option<Leaf>,
}

/// Why a region has no furthest-behind group.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum NoRegionalGroup {
    /// Fewer records than a tree needs for one split (no tree is grown).
    FewRecords { n: u64, min: u64 },
    /// The outcome has the same value for everyone in the region.
    ConstantRate { rate: f64 },
    /// The tree was grown but found no split: no group can be told apart.
    NoSplit,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct IndicatorResult {
    pub id: String,
    pub label: String,
    pub sdg: String,
    pub unit: EstimateUnit,
    /// Whom the rate is a share of.
    pub covers: Covers,
    pub kind: IndicatorKind,
    /// Records in the population, and those dropped for missing outcome or circumstance.
    pub population_n: u64,
    pub n: u64,
    pub dropped_n: u64,
    pub dropped_weight_share: f64,
    /// Weighted rate of the outcome as defined (for a barrier, the barrier's prevalence), its
    /// linearised standard error and reliability flag.
    pub rate: f64,
    pub rate_se: f64,
    pub flag: Option<Flag>,
    pub by_circumstance: Vec<CircumstanceRates>,
    pub inequality: Inequality,
    pub tree: TreeResult,
    pub regions: Vec<RegionResult>,
    /// In the latest wave: the first wave's furthest-behind group estimated here and tested
    /// against this wave's (none in the first wave, or when the two groups are the same).
    pub earlier_group_test: Option<GroupChangeTest>,
    /// In the latest wave: the change in HOI since the first wave, split into its scale and
    /// equalisation parts (none in the first wave, or when the first wave lacks the indicator).
    pub hoi_change: Option<HoiChange>,
}

/// The change in HOI from the first wave to the latest, split as Paes de Barros et al. (2009)
/// and the World Bank `hoi` tool do (first wave the base): scale = (p̄₂ − p̄₁)(1 − D₁), the
/// change had inequality stayed as it was, and equalisation = p̄₂(D₁ − D₂), the rest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct HoiChange {
    /// The first wave's opportunity rate, D and HOI.
    pub first_opportunity_rate: f64,
    pub first_d: f64,
    pub first_hoi: f64,
    /// HOI latest − HOI first = scale + equalisation.
    pub change: f64,
    pub scale: f64,
    pub equalisation: f64,
    /// Bootstrap standard errors (when replicates are asked for): each wave's replicates with
    /// the other wave held at its estimate, the two variances summed (independent samples).
    pub change_se: Option<f64>,
    pub scale_se: Option<f64>,
    pub equalisation_se: Option<f64>,
}

/// The test of a change of furthest-behind group: the first wave's group estimated in the latest
/// wave (a domain), against the latest wave's group. Both are domains of the same sample and may
/// share records, so their difference is linearised as one statistic on PSU totals.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct GroupChangeTest {
    /// The earlier group's rate in the latest wave, its linearised SE, records and flag.
    pub earlier_rate: f64,
    pub earlier_se: f64,
    pub earlier_n: u64,
    pub earlier_flag: Option<Flag>,
    /// The latest group's rate (its leaf's), minus the earlier group's rate: the difference, its
    /// SE, 95% interval and whether the interval excludes zero.
    pub latest_rate: f64,
    pub difference: f64,
    pub difference_se: f64,
    pub difference_ci: (f64, f64),
    pub significant: bool,
    /// Whether the latest group is the further behind of the two (lower rate; for a barrier,
    /// higher).
    pub latest_further_behind: bool,
}
