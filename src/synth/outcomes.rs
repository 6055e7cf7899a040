//! Pass 2 of the generator, person level: each member's row, with the outcomes that depend on
//! age and sex (internet, phone, bank account, insurance, births and family planning, child
//! anthropometry, pension), drawn member by member in a fixed order.

use super::access::{Access, HhContext, Shared};
use super::columns::Cols;
use super::draw::{b2f, b2i, Draw};
use super::household::Person;
use super::{
    COOKING_FUELS, EDUC_LEVELS, QUINTILES, REGIONS, RELATIONS, REL_HEAD, REL_SPOUSE, SANITATION,
    WATER_SOURCES,
};

/// Appends one row per member of the household.
pub(super) fn push_members(
    d: &mut Draw,
    c: &mut Cols,
    hc: &HhContext,
    access: &Access,
    shared: &Shared,
) {
    // The one woman outside the couple who is taken as the mother of a young "other" child.
    let mut other_mother_found = false;
    for (li, p) in hc.members.iter().enumerate() {
        push_household_fields(c, hc, access, li, p);
        c.internet.push(internet(d, hc, p));
        c.mobile_phone.push(mobile_phone(d, hc, p));
        c.bank_account.push(bank_account(d, hc, p));
        c.health_insurance.push(health_insurance(d, hc, shared, p));
        push_women(d, c, hc, shared, p, &mut other_mother_found);
        push_under_five(d, c, hc, shared, p);
        c.contributory_pension.push(pension(d, hc, p));
        c.pmt_score.push(0.0); // filled once every household is drawn
    }
}

/// The columns that need no draw: design, household and the person's own characteristics.
fn push_household_fields(c: &mut Cols, hc: &HhContext, access: &Access, li: usize, p: &Person) {
    let (hh, pv) = (hc.hh, hc.pv);
    c.hhid.push(hh.hhid);
    c.region.push(REGIONS[pv.region]);
    c.province.push(pv.name);
    c.psu.push(hh.psu);
    c.urban.push(if hh.urban { "Urban" } else { "Rural" });
    c.hh_weight.push(hh.weight);
    c.hhsize.push(hh.size as i64);
    c.line.push(li as i64 + 1);
    c.relation.push(RELATIONS[p.rel as usize]);
    c.sex.push(if p.female { "Female" } else { "Male" });
    c.age.push(i64::from(p.age));
    c.educ.push(EDUC_LEVELS[p.educ as usize]);
    c.disability.push(b2i(p.disab));
    c.consumption_pc.push(hh.cons_pc);
    c.wealth_quintile.push(QUINTILES[hc.q as usize]);
    c.water_source.push(WATER_SOURCES[access.src]);
    c.water_time.push(access.water_time);
    c.sanitation.push(SANITATION[access.san]);
    c.toilet_shared.push(b2i(access.shared));
    c.electricity.push(b2i(access.elec));
    c.cooking_fuel.push(COOKING_FUELS[access.fuel]);
}

/// Internet use (age 5+).
fn internet(d: &mut Draw, hc: &HhContext, p: &Person) -> Option<i64> {
    let HhContext {
        qc, u, infra, w, ..
    } = *hc;
    let (age, ed, fem) = (p.age, f64::from(p.educ), b2f(p.female));
    if age >= 5 {
        let age_eff = match age {
            5..=9 => -1.6,
            10..=14 => 0.3,
            15..=24 => 1.8,
            25..=34 => 1.3,
            35..=44 => 0.6,
            45..=54 => -0.3,
            55..=64 => -1.1,
            _ => -2.3,
        };
        let ed_eff = if age >= 15 { 0.35 * (ed - 2.0) } else { 0.0 };
        let x = -0.15 + age_eff + 0.8 * u + 0.55 * qc + ed_eff + 0.5 * infra
            - 0.25 * fem * b2f(age >= 40)
            + 0.35 * w;
        Some(b2i(d.logit(x)))
    } else {
        None
    }
}

/// Mobile phone ownership (age 10+).
fn mobile_phone(d: &mut Draw, hc: &HhContext, p: &Person) -> Option<i64> {
    let HhContext {
        qc, u, infra, w, ..
    } = *hc;
    let (age, ed, fem) = (p.age, f64::from(p.educ), b2f(p.female));
    if age >= 10 {
        let age_eff = match age {
            10..=14 => -1.6,
            15..=19 => 0.4,
            20..=59 => 1.3,
            60..=69 => 0.0,
            _ => -1.3,
        };
        let x = 0.3 + age_eff + 0.6 * u + 0.5 * qc + 0.25 * (ed - 2.0) + 0.4 * infra
            - 0.3 * fem * b2f(age >= 45)
            + 0.3 * w;
        Some(b2i(d.logit(x)))
    } else {
        None
    }
}

/// Bank account (age 15+).
fn bank_account(d: &mut Draw, hc: &HhContext, p: &Person) -> Option<i64> {
    let HhContext {
        qc, u, infra, w, ..
    } = *hc;
    let (age, ed, fem) = (p.age, f64::from(p.educ), b2f(p.female));
    if age >= 15 {
        let age_eff = match age {
            15..=19 => -1.5,
            20..=24 => -0.3,
            25..=59 => 0.3,
            _ => -0.4,
        };
        let x = -0.4 + age_eff + 0.55 * qc + 0.7 * u + 0.45 * (ed - 2.0) + 0.3 * infra - 0.1 * fem
            + 0.3 * w;
        Some(b2i(d.logit(x)))
    } else {
        None
    }
}

/// Health insurance: subsidised for the poor, formal-sector for the rich.
fn health_insurance(d: &mut Draw, hc: &HhContext, shared: &Shared, p: &Person) -> i64 {
    let HhContext { u, infra, w, .. } = *hc;
    let Shared { q_ins, ins_eff, .. } = *shared;
    let age = p.age;
    let x = 0.9 + q_ins + 0.3 * u + 0.25 * infra + ins_eff + 0.3 * w + 0.2 * b2f(age < 1);
    b2i(d.logit(x))
}

/// Women 15-49: recent birth (skilled attendance), union, family planning; missing for others.
fn push_women(
    d: &mut Draw,
    c: &mut Cols,
    hc: &HhContext,
    shared: &Shared,
    p: &Person,
    other_mother_found: &mut bool,
) {
    let HhContext {
        members,
        qc,
        u,
        infra,
        qs,
        inf,
        w,
        ..
    } = *hc;
    let Shared {
        has_u2_child,
        has_u2_other,
        ..
    } = *shared;
    let (age, a, ed) = (p.age, f64::from(p.age), f64::from(p.educ));
    if !(p.female && (15..=49).contains(&age)) {
        c.recent_birth.push(None);
        c.skilled_birth.push(None);
        c.in_union.push(None);
        c.contraception_demand.push(None);
        c.modern_method.push(None);
        return;
    }
    let head_or_spouse = p.rel == REL_HEAD || p.rel == REL_SPOUSE;
    let has_partner = head_or_spouse
        && members
            .iter()
            .any(|o| o.rel == REL_SPOUSE || (o.rel == REL_HEAD && !o.female));
    let union = if has_partner {
        true
    } else if p.rel == REL_HEAD {
        false
    } else {
        d.logit(-3.2 + 0.12 * (a - 15.0))
    };
    let recent = if p.mother {
        has_u2_child
    } else if !head_or_spouse && has_u2_other && !*other_mother_found && age >= 17 {
        *other_mother_found = true;
        true
    } else {
        false
    };
    c.recent_birth.push(Some(b2i(recent)));
    c.skilled_birth.push(if recent {
        let x = 2.3 + 0.8 * u + 0.6 * qc * qs + inf * infra + 0.25 * (ed - 2.0) + 0.35 * w;
        Some(b2i(d.logit(x)))
    } else {
        None
    });
    c.in_union.push(Some(b2i(union)));
    let (demand, modern) = if union {
        family_planning(d, hc, shared, p, recent)
    } else {
        (None, None)
    };
    c.contraception_demand.push(demand);
    c.modern_method.push(modern);
}

/// Demand for family planning of a woman in union, and modern method use where there is demand.
fn family_planning(
    d: &mut Draw,
    hc: &HhContext,
    shared: &Shared,
    p: &Person,
    recent: bool,
) -> (Option<i64>, Option<i64>) {
    let HhContext {
        qc, u, infra, w, ..
    } = *hc;
    let n_kids = shared.n_kids;
    let (age, ed) = (p.age, f64::from(p.educ));
    let age_eff = match age {
        15..=19 => -0.8,
        20..=39 => 0.0,
        40..=44 => -0.5,
        _ => -1.4,
    };
    let demand = d.logit(1.4 + age_eff + 0.15 * n_kids.min(4.0) - 0.6 * b2f(recent));
    let modern = if demand {
        let x = 1.3 + 0.2 * qc + 0.3 * infra + 0.15 * (ed - 2.0) - 0.2 * u + 0.2 * w;
        Some(b2i(d.logit(x)))
    } else {
        None
    };
    (Some(b2i(demand)), modern)
}

/// Under-fives: anthropometry (height- and weight-for-height z-scores) and birth registration.
fn push_under_five(d: &mut Draw, c: &mut Cols, hc: &HhContext, shared: &Shared, p: &Person) {
    let HhContext {
        pv,
        qc,
        u,
        rural,
        infra,
        qs,
        w,
        ..
    } = *hc;
    let Shared {
        mother_educ,
        nutr_eff,
        ..
    } = *shared;
    let age = p.age;
    if age >= 5 {
        c.haz.push(None);
        c.whz.push(None);
        c.birth_registered.push(None);
        return;
    }
    let age_eff = [0.5, 0.05, -0.15, -0.15, -0.1][age as usize];
    let mean = -1.33
        + 0.22 * qc * if rural { 1.2 } else { 0.8 }
        + 0.2 * u
        + 0.3 * pv.infra
        + 0.1 * (mother_educ - 2.0)
        + age_eff
        + 0.12 * w
        + nutr_eff;
    let zh = d.normal();
    let haz = (mean + 1.05 * zh).clamp(-6.0, 6.0);
    let whz = (-0.3 + 0.08 * qc + 0.1 * u + 0.15 * zh + 1.0 * d.normal()).clamp(-5.0, 5.0);
    c.haz.push(Some((haz * 100.0).round() / 100.0));
    c.whz.push(Some((whz * 100.0).round() / 100.0));
    let x = 1.2 + 0.5 * qc * qs + 0.9 * u + 0.8 * infra + 0.15 * (mother_educ - 2.0)
        - 0.7 * b2f(age == 0)
        + 0.4 * w;
    c.birth_registered.push(Some(b2i(d.logit(x))));
}

/// Contributory pension (60+).
fn pension(d: &mut Draw, hc: &HhContext, p: &Person) -> Option<i64> {
    let HhContext { u, qc, w, .. } = *hc;
    let (age, fem) = (p.age, b2f(p.female));
    if age >= 60 {
        let ed_eff = [-0.8, -0.3, 0.3, 1.0, 2.0][p.educ as usize];
        let x = -2.9 + 0.8 * u + 0.4 * qc + ed_eff + 0.3 * (1.0 - fem) + 0.1 * w;
        Some(b2i(d.logit(x)))
    } else {
        None
    }
}
