//! How two furthest-behind groups relate, from their conditions alone: the same people, one
//! inside the other (narrowed or widened), or neither. A group is the people meeting every
//! condition, so a group with more conditions, fewer levels or a tighter range lies inside.

use serde::{Deserialize, Serialize};

use crate::results::lnob::{Allowed, Group};

/// The latest wave's furthest-behind group against the first wave's.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupRelation {
    /// Each group's conditions imply the other's: the same people.
    Same,
    /// The latest group lies inside the first (every condition of the first is implied by the
    /// latest's conditions).
    Narrowed,
    /// The first group lies inside the latest.
    Widened,
    /// Neither lies inside the other, and some people can be in both.
    Overlapping,
    /// No one can be in both: on some circumstance their levels or ranges do not meet.
    Disjoint,
}

/// The relation of the latest group to the first.
pub(crate) fn relation(first: &Group, latest: &Group) -> GroupRelation {
    match (within(latest, first), within(first, latest)) {
        (true, true) => GroupRelation::Same,
        (true, false) => GroupRelation::Narrowed,
        (false, true) => GroupRelation::Widened,
        (false, false) if apart(first, latest) => GroupRelation::Disjoint,
        (false, false) => GroupRelation::Overlapping,
    }
}

/// Whether everyone in `inner` is in `outer`: each condition of `outer` is implied by `inner`'s
/// condition on the same circumstance (a circumstance `outer` restricts and `inner` leaves free
/// is not implied).
fn within(inner: &Group, outer: &Group) -> bool {
    outer.conditions.iter().all(|o| {
        inner
            .conditions
            .iter()
            .any(|i| i.circumstance == o.circumstance && allows_within(&i.allowed, &o.allowed))
    })
}

fn allows_within(inner: &Allowed, outer: &Allowed) -> bool {
    match (inner, outer) {
        (Allowed::Levels(a), Allowed::Levels(b)) => a.iter().all(|level| b.contains(level)),
        (Allowed::Range { .. }, Allowed::Range { .. }) => {
            let ((il, iu), (ol, ou)) = (bounds(inner), bounds(outer));
            il >= ol && iu <= ou
        }
        _ => false,
    }
}

/// Whether some circumstance restricted by both groups allows values that do not meet.
fn apart(a: &Group, b: &Group) -> bool {
    a.conditions.iter().any(|ca| {
        b.conditions
            .iter()
            .any(|cb| ca.circumstance == cb.circumstance && disjoint(&ca.allowed, &cb.allowed))
    })
}

fn disjoint(a: &Allowed, b: &Allowed) -> bool {
    match (a, b) {
        (Allowed::Levels(x), Allowed::Levels(y)) => !x.iter().any(|level| y.contains(level)),
        (Allowed::Range { .. }, Allowed::Range { .. }) => {
            let ((al, au), (bl, bu)) = (bounds(a), bounds(b));
            // Half-open ranges lower ≤ x < upper.
            al.max(bl) >= au.min(bu)
        }
        _ => false,
    }
}

/// A range's bounds with open ends as infinities (levels have none).
fn bounds(a: &Allowed) -> (f64, f64) {
    match a {
        Allowed::Range { lower, upper, .. } => (
            lower.unwrap_or(f64::NEG_INFINITY),
            upper.unwrap_or(f64::INFINITY),
        ),
        Allowed::Levels(_) => (f64::NEG_INFINITY, f64::INFINITY),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::lnob::Condition;
    use GroupRelation::*;

    fn levels(circumstance: &str, allowed: &[&str]) -> Condition {
        Condition {
            circumstance: circumstance.into(),
            label: circumstance.into(),
            allowed: Allowed::Levels(allowed.iter().map(|s| s.to_string()).collect()),
        }
    }

    fn range(circumstance: &str, lower: Option<f64>, upper: Option<f64>) -> Condition {
        Condition {
            circumstance: circumstance.into(),
            label: circumstance.into(),
            allowed: Allowed::Range {
                lower,
                upper,
                whole_numbers: false,
            },
        }
    }

    fn group(conditions: &[Condition]) -> Group {
        Group {
            conditions: conditions.to_vec(),
        }
    }

    #[test]
    fn same_conditions_in_any_order_are_the_same_group() {
        let a = group(&[levels("wealth", &["Q1"]), levels("residence", &["Rural"])]);
        let b = group(&[levels("residence", &["Rural"]), levels("wealth", &["Q1"])]);
        assert_eq!(relation(&a, &b), Same);
        assert_eq!(relation(&group(&[]), &group(&[])), Same);
    }

    #[test]
    fn a_dropped_condition_widens_and_an_added_one_narrows() {
        // The demo's case: "Poorest 20% · Rural" in 2021, "Poorest 20%" in 2024.
        let poorest_rural = group(&[levels("wealth", &["Q1"]), levels("residence", &["Rural"])]);
        let poorest = group(&[levels("wealth", &["Q1"])]);
        assert_eq!(relation(&poorest_rural, &poorest), Widened);
        assert_eq!(relation(&poorest, &poorest_rural), Narrowed);
        // Everyone (no condition) contains every group.
        assert_eq!(relation(&group(&[]), &poorest), Narrowed);
        assert_eq!(relation(&poorest, &group(&[])), Widened);
    }

    #[test]
    fn fewer_levels_of_the_same_circumstance_narrow() {
        let two = group(&[levels("education", &["None", "Primary"])]);
        let one = group(&[levels("education", &["None"])]);
        assert_eq!(relation(&two, &one), Narrowed);
        assert_eq!(relation(&one, &two), Widened);
        // Fewer levels but a condition of the first dropped: neither inside the other.
        let first = group(&[
            levels("education", &["None", "Primary"]),
            levels("sex", &["Female"]),
        ]);
        assert_eq!(relation(&first, &one), Overlapping);
    }

    #[test]
    fn a_tighter_range_narrows() {
        let under_30 = group(&[range("age", None, Some(30.5))]);
        let from_20_to_30 = group(&[range("age", Some(20.5), Some(30.5))]);
        let under_40 = group(&[range("age", None, Some(40.5))]);
        assert_eq!(relation(&under_30, &from_20_to_30), Narrowed);
        assert_eq!(relation(&under_30, &under_40), Widened);
        assert_eq!(relation(&under_30, &under_30.clone()), Same);
        // 20.5 ≤ age < 40.5 against age < 30.5: they share 20.5–30.5.
        let from_20_to_40 = group(&[range("age", Some(20.5), Some(40.5))]);
        assert_eq!(relation(&under_30, &from_20_to_40), Overlapping);
        // age ≥ 30.5 against age < 30.5: half-open ranges that only touch.
        let from_30 = group(&[range("age", Some(30.5), None)]);
        assert_eq!(relation(&under_30, &from_30), Disjoint);
    }

    #[test]
    fn groups_on_other_circumstances_overlap_and_other_levels_are_disjoint() {
        let rural = group(&[levels("residence", &["Rural"])]);
        let poorest = group(&[levels("wealth", &["Q1"])]);
        assert_eq!(relation(&rural, &poorest), Overlapping);
        let richest_rural = group(&[levels("wealth", &["Q5"]), levels("residence", &["Rural"])]);
        let poorest_rural = group(&[levels("wealth", &["Q1"]), levels("residence", &["Rural"])]);
        assert_eq!(relation(&poorest_rural, &richest_rural), Disjoint);
    }
}
