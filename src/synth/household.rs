//! Households and their members: composition (head first), then each member's education and
//! disability.

use super::draw::{b2f, dexp, Draw};
use super::{REL_CHILD, REL_HEAD, REL_OTHER, REL_PARENT, REL_SPOUSE};

#[derive(Clone, Copy)]
pub(super) struct Person {
    pub(super) rel: u8,
    pub(super) female: bool,
    pub(super) age: u8,
    pub(super) educ: u8,
    pub(super) disab: bool,
    /// Mother of the household's children (female head or spouse with children).
    pub(super) mother: bool,
}

pub(super) struct Hh {
    pub(super) hhid: i64,
    pub(super) psu: i64,
    pub(super) prov: u8,
    pub(super) urban: bool,
    pub(super) weight: f64,
    /// PSU (community) infrastructure effect.
    pub(super) psu_eff: f64,
    pub(super) log_c: f64,
    pub(super) cons_pc: f64,
    pub(super) asset: f64,
    pub(super) first: usize,
    pub(super) size: usize,
}

fn person(rel: u8, female: bool, age: i64) -> Person {
    Person {
        rel,
        female,
        age: age.clamp(0, 95) as u8,
        educ: 0,
        disab: false,
        mother: false,
    }
}

/// Appends the members of one household (head first) to `out`.
pub(super) fn compose(d: &mut Draw, urban: bool, ses: f64, out: &mut Vec<Person>) {
    let start = out.len();
    // Mean number of children beyond the first.
    let lambda = (0.95 - 0.3 * b2f(urban) - 0.18 * ses).clamp(0.25, 2.2);
    let t = d.u();
    if t < 0.075 {
        // One person: young worker or older widow(er).
        if d.bern(0.4) {
            let female = d.bern(0.42);
            out.push(person(REL_HEAD, female, d.int(19, 39)));
        } else {
            let female = d.bern(0.7);
            out.push(person(REL_HEAD, female, d.int(55, 92)));
        }
    } else if t < 0.175 {
        // Couple without children at home.
        let age = if d.bern(0.35) {
            d.int(19, 34)
        } else {
            d.int(50, 88)
        };
        couple(d, age, out);
    } else if t < 0.245 {
        // Lone parent.
        let female = d.bern(0.78);
        let age = 24 + (40.0 * (d.u() + d.u()) * 0.5) as i64;
        out.push(person(REL_HEAD, female, age));
        let m_age = if female { age } else { age - 3 };
        let n = 1 + d.poisson(lambda * 0.8);
        children(d, m_age, n, out);
        if female {
            out[start].mother = true;
        }
    } else {
        // Couple with children, and from t > 0.77 extended with parents or other relatives.
        let age = 21 + (48.0 * (d.u() + d.u()) * 0.5) as i64;
        couple(d, age, out);
        let mother = if out[start].female { start } else { start + 1 };
        let m_age = out[mother].age as i64;
        let n = 1 + d.poisson(lambda);
        if children(d, m_age, n, out) > 0 {
            out[mother].mother = true;
        }
        if t > 0.77 {
            let mut added = false;
            if d.bern(0.6) {
                let p_age = (age + 22 + d.int(0, 16)).min(95);
                out.push(person(REL_PARENT, d.bern(0.7), p_age));
                if d.bern(0.25) {
                    out.push(person(REL_PARENT, false, (p_age + d.int(0, 5)).min(95)));
                }
                added = true;
            }
            if !added || d.bern(0.4) {
                let n_other = 1 + usize::from(d.bern(0.3));
                for _ in 0..n_other {
                    if age >= 42 && d.bern(0.6) {
                        // Grandchild.
                        out.push(person(REL_OTHER, d.bern(0.49), d.int(0, 9)));
                    } else {
                        out.push(person(REL_OTHER, d.bern(0.5), d.int(12, 35)));
                    }
                }
            }
        }
    }
}

/// Head and spouse; the head is usually the husband.
fn couple(d: &mut Draw, head_age: i64, out: &mut Vec<Person>) {
    if d.bern(0.96) {
        out.push(person(REL_HEAD, false, head_age));
        let gap = (3.0 + 3.0 * d.normal()).round() as i64;
        out.push(person(REL_SPOUSE, true, (head_age - gap).clamp(16, 95)));
    } else {
        out.push(person(REL_HEAD, true, head_age));
        out.push(person(REL_SPOUSE, false, (head_age + 2).clamp(16, 95)));
    }
}

/// Up to `n` children of a mother aged `m_age`, oldest first; returns how many were added.
fn children(d: &mut Draw, m_age: i64, n: u32, out: &mut Vec<Person>) -> usize {
    let lo = (m_age - 44).max(0);
    let hi = (m_age - 17).min(27);
    if hi < lo {
        return 0;
    }
    let start = out.len();
    for _ in 0..n.min(7) {
        let age = d.int(lo, hi);
        out.push(person(REL_CHILD, d.bern(0.49), age));
    }
    out[start..].sort_by_key(|p| std::cmp::Reverse(p.age));
    out.len() - start
}

/// Education of each member, head first (the others get a family effect from the head's level),
/// and disability; returns the head's level.
pub(super) fn educate(
    d: &mut Draw,
    members: &mut [Person],
    urban: bool,
    ses: f64,
    prov_edu: f64,
    years_later: f64,
) -> u8 {
    let mut head_educ = 0u8;
    for (j, p) in members.iter_mut().enumerate() {
        let family = if j == 0 {
            0.0
        } else {
            0.2 * (f64::from(head_educ) - 2.0)
        };
        let e = education(
            d,
            p.age,
            p.female,
            urban,
            ses,
            prov_edu,
            family,
            years_later,
        );
        if j == 0 {
            head_educ = e;
        }
        p.educ = e;
        p.disab = disability(d, p.age, ses);
    }
    head_educ
}

/// Highest completed level (0 = None .. 4 = Higher).
#[allow(clippy::too_many_arguments)]
fn education(
    d: &mut Draw,
    age: u8,
    female: bool,
    urban: bool,
    ses: f64,
    prov_edu: f64,
    family: f64,
    years_later: f64,
) -> u8 {
    if age < 12 {
        return 0;
    }
    let a = age as f64;
    // Age in the 2021 survey of someone born in the same year: later cohorts are better educated.
    let cohort_age = a - years_later;
    let cohort = if cohort_age <= 22.0 {
        1.3
    } else {
        1.3 - 0.042 * (cohort_age - 22.0)
    };
    let sex = if !female {
        0.0
    } else if age >= 50 {
        -0.55
    } else if age >= 35 {
        -0.25
    } else {
        0.05
    };
    let e = cohort + 0.55 * ses + 0.35 * b2f(urban) + sex + prov_edu + family + d.normal();
    let lvl = if e < -1.0 {
        0
    } else if e < 0.0 {
        1
    } else if e < 0.7 {
        2
    } else if e < 2.5 {
        3
    } else {
        4
    };
    let cap = match age {
        0..=14 => 1,
        15..=17 => 2,
        18..=20 => 3,
        _ => 4,
    };
    lvl.min(cap)
}

/// Washington Group disability (a lot of difficulty or cannot, any domain).
fn disability(d: &mut Draw, age: u8, ses: f64) -> bool {
    let a = age as f64;
    let p = if age < 18 {
        0.012
    } else if age < 30 {
        0.02
    } else {
        0.02 * dexp(0.0565 * (a.min(76.0) - 30.0))
    };
    let p = (p * (1.0 - 0.12 * ses).clamp(0.7, 1.4)).min(0.6);
    d.bern(p)
}
