//! Which estimates the brief may state as findings. A number can be printed in a table with its
//! flag; a sentence of the Highlights or Priorities is a claim, so it needs more: a reliable
//! estimate, and for "this group is behind" a difference from the national rate that sampling
//! error does not explain.

use serde_json::Value;

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
}
