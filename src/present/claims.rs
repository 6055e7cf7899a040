//! Which estimates the brief may state as findings. A number can be printed in a table with its
//! flag; a sentence of the Highlights or Priorities is a claim, so it needs more: a reliable
//! estimate, and for "this group is behind" a difference from the national rate that sampling
//! error does not explain.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::results::lnob::IndicatorResult;

/// The 97.5% point of the standard normal: two-sided 95% intervals.
const Z95: f64 = 1.959963984540054;

/// Whether a group's rate differs from the population's beyond sampling error: the 95% interval
/// of the difference (linearised as one statistic) excludes zero.
pub(crate) fn differs(group_rate: f64, population_rate: f64, difference_se: f64) -> bool {
    (group_rate - population_rate).abs() > Z95 * difference_se
}

/// In the template view, give every indicator's furthest-behind leaf two marks: `reliable` (no
/// reliability flag) and `reportable` (reliable, and its rate differs from the indicator's
/// beyond sampling error). Templates name a group in a finding only when it is reportable.
pub(crate) fn mark_findings(value: &mut Value) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(mark_findings),
        Value::Object(map) => {
            let rate = map.get("rate").and_then(Value::as_f64);
            if let (Some(rate), Some(Value::Object(tree))) = (rate, map.get_mut("tree")) {
                if let Some(Value::Object(leaf)) = tree.get_mut("furthest_behind") {
                    let reliable = leaf.get("flag").is_none_or(Value::is_null);
                    let differs = match (
                        leaf.get("rate").and_then(Value::as_f64),
                        leaf.get("difference_se").and_then(Value::as_f64),
                    ) {
                        (Some(r), Some(se)) => differs(r, rate, se),
                        _ => false,
                    };
                    leaf.insert("reliable".into(), Value::Bool(reliable));
                    leaf.insert("reportable".into(), Value::Bool(reliable && differs));
                }
            }
            map.values_mut().for_each(mark_findings);
        }
        _ => {}
    }
}

/// In the template view, mark every region's D-index `reliable`: its region's rate unflagged,
/// and a bootstrap SE no more than `max_cv` of D (the rule rates follow). A regional D that is
/// not reliable is marked † in the regional table and never stated as a finding.
pub(crate) fn mark_regional_d(value: &mut Value, max_cv: f64) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|v| mark_regional_d(v, max_cv)),
        Value::Object(map) => {
            if map.contains_key("region") {
                let flagged = map.get("flag").is_some_and(|f| !f.is_null());
                if let Some(Value::Object(ineq)) = map.get_mut("inequality") {
                    let d = ineq.get("d").and_then(Value::as_f64);
                    let se = ineq.get("d_se").and_then(Value::as_f64);
                    let apart =
                        matches!((d, se), (Some(d), Some(se)) if d > 0.0 && se <= max_cv * d);
                    ineq.insert("reliable".into(), Value::Bool(!flagged && apart));
                }
            }
            map.values_mut().for_each(|v| mark_regional_d(v, max_cv));
        }
        _ => {}
    }
}

/// A factor with more levels than this can mislead: an unordered factor of L levels offers a
/// tree 2^(L−1) − 1 splits, so one fits the sample by chance, and its cells thin out.
pub(crate) const MAX_LEVELS: usize = 12;
/// Fewer records per level than this on average: the level rates, and the D-index cells built
/// from them, rest on too few records to tell levels apart.
pub(crate) const MIN_PER_LEVEL: f64 = 30.0;

/// A circumstance whose results can mislead the reader.
#[derive(Debug, Clone, PartialEq)]
pub enum Caution {
    /// Many levels for the sample: `levels` levels, `per_level` records each on average in the
    /// indicator with the fewest (none when `check` counts the spec's levels without data).
    ManyLevels {
        circumstance: String,
        levels: usize,
        per_level: Option<(String, f64)>,
    },
    /// An indicator's largest Shapley part (the one Table 1 names) whose 95% bootstrap interval
    /// includes zero.
    ShapleyNotApart {
        indicator: String,
        circumstance: String,
        share: f64,
    },
}

/// The spec's factor circumstances with more than `MAX_LEVELS` declared levels (`check`).
pub fn spec_cautions(spec: &crate::spec::Spec) -> Vec<Caution> {
    spec.circumstances
        .iter()
        .filter(|c| c.levels.len() > MAX_LEVELS)
        .map(|c| Caution::ManyLevels {
            circumstance: c.label.clone(),
            levels: c.levels.len(),
            per_level: None,
        })
        .collect()
}

/// The cautions of the latest wave's results: factor circumstances with many levels for the
/// sample (more than `MAX_LEVELS`, or fewer than `MIN_PER_LEVEL` records per level on average), then
/// largest Shapley parts not apart from zero.
pub fn cautions(indicators: &[IndicatorResult]) -> Vec<Caution> {
    // Per circumstance: its levels and the indicator where it has the fewest records per level.
    let mut thin: BTreeMap<String, (usize, String, f64)> = BTreeMap::new();
    for ind in indicators {
        // A numeric circumstance (every level a number) splits at thresholds, not into subsets.
        let factors = ind
            .by_circumstance
            .iter()
            .filter(|c| !c.groups.iter().all(|g| g.level.parse::<f64>().is_ok()));
        for c in factors {
            let levels = c.groups.len().max(1);
            let n: u64 = c.groups.iter().map(|g| g.n).sum();
            let per_level = n as f64 / levels as f64;
            let entry =
                thin.entry(c.label.clone())
                    .or_insert((levels, ind.label.clone(), per_level));
            if per_level < entry.2 {
                *entry = (levels, ind.label.clone(), per_level);
            }
        }
    }
    let mut out: Vec<Caution> = thin
        .into_iter()
        .filter(|(_, (levels, _, per))| *levels > MAX_LEVELS || *per < MIN_PER_LEVEL)
        .map(|(circumstance, (levels, ind, per))| Caution::ManyLevels {
            circumstance,
            levels,
            per_level: Some((ind, per)),
        })
        .collect();
    out.extend(indicators.iter().filter_map(shapley_not_apart));
    out
}

/// The indicator's largest Shapley part, if its 95% bootstrap interval includes zero.
fn shapley_not_apart(ind: &IndicatorResult) -> Option<Caution> {
    let top = ind
        .inequality
        .shapley
        .iter()
        .max_by(|a, b| a.value.total_cmp(&b.value))?;
    let se = top.se?;
    (top.value.abs() <= Z95 * se).then(|| Caution::ShapleyNotApart {
        indicator: ind.label.clone(),
        circumstance: top.label.clone(),
        share: top.share,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_is_reportable_only_when_reliable_and_apart() {
        let view = |flag: Value, rate: f64, se: f64| {
            let mut v = serde_json::json!({"indicators": [{"rate": 0.43, "tree": {
                "furthest_behind": {"rate": rate, "difference_se": se, "flag": flag}}}]});
            mark_findings(&mut v);
            let leaf = v["indicators"][0]["tree"]["furthest_behind"].clone();
            (
                leaf["reliable"].as_bool().unwrap(),
                leaf["reportable"].as_bool().unwrap(),
            )
        };
        // 40.0% against 43.0% with an SE of the difference of 2 points: within sampling error.
        assert_eq!(view(Value::Null, 0.40, 0.02), (true, false));
        // 30% against 43% with the same SE: 13 points > 1.96 × 2.
        assert_eq!(view(Value::Null, 0.30, 0.02), (true, true));
        // Far apart but flagged: not a finding.
        assert_eq!(
            view(serde_json::json!("CV 100%"), 0.001, 0.001),
            (false, false)
        );
        // No design-based SE of the difference: never reportable.
        assert!(!view(Value::Null, 0.1, f64::NAN).1);
    }

    #[test]
    fn a_regional_d_is_reliable_only_with_an_unflagged_rate_and_a_small_se() {
        let mark = |flag: Value, d: f64, se: Value| {
            let mut v = serde_json::json!({"regions": [{"region": "A", "flag": flag,
                "inequality": {"d": d, "d_se": se}}]});
            mark_regional_d(&mut v, 0.3);
            v["regions"][0]["inequality"]["reliable"].as_bool().unwrap()
        };
        assert!(mark(Value::Null, 0.10, serde_json::json!(0.02)));
        assert!(!mark(Value::Null, 0.10, serde_json::json!(0.05)));
        assert!(!mark(
            serde_json::json!({"reason": "few_records"}),
            0.10,
            serde_json::json!(0.01)
        ));
        assert!(!mark(Value::Null, 0.10, Value::Null));
    }
}
