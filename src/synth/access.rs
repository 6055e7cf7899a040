//! Pass 2 of the generator, household level: access to electricity, water, sanitation and clean
//! cooking fuel, the effects a household's members share, and the proxy means test (PMT) score.

use super::draw::{b2f, dexp, dln, Draw};
use super::household::{Hh, Person};
use super::{Province, LN_GROWTH, PROVINCES, REL_CHILD, REL_OTHER};

/// A household as pass 2 sees it: its place, wealth, head and members.
pub(super) struct HhContext<'a> {
    pub(super) hh: &'a Hh,
    pub(super) pv: &'static Province,
    pub(super) members: &'a [Person],
    /// Wealth quintile, 0..=4.
    pub(super) q: u8,
    /// Wealth quintile centred on the middle one.
    pub(super) qc: f64,
    /// 1 if urban.
    pub(super) u: f64,
    pub(super) rural: bool,
    /// Province and community infrastructure.
    pub(super) infra: f64,
    /// Education level of the head.
    pub(super) he: f64,
    /// Penalty of a female-headed household.
    pub(super) fh: f64,
    /// Steepness of the wealth gradient (urban or rural).
    pub(super) qs: f64,
    /// Weight of infrastructure (urban or rural).
    pub(super) inf: f64,
    /// Wave (capped), the effect of time.
    pub(super) w: f64,
}

impl<'a> HhContext<'a> {
    pub(super) fn new(hh: &'a Hh, people: &'a [Person], q: u8, w: f64) -> Self {
        let pv = &PROVINCES[hh.prov as usize];
        let qc = f64::from(q) - 2.0;
        let u = b2f(hh.urban);
        let rural = !hh.urban;
        let infra = pv.infra + hh.psu_eff;
        let members = &people[hh.first..hh.first + hh.size];
        let head = members[0];
        let he = f64::from(head.educ);
        // Female-headed households (often older widows) are slightly worse served.
        let fh = 0.2 * b2f(head.female);
        // Wealth gradients are steeper in rural areas; remote places matter more when rural.
        let qs = if rural { 1.25 } else { 0.6 };
        let inf = if rural { 1.1 } else { 0.5 };
        HhContext {
            hh,
            pv,
            members,
            q,
            qc,
            u,
            rural,
            infra,
            he,
            fh,
            qs,
            inf,
            w,
        }
    }
}

/// A household's services; sources, facilities and fuels are indices into their label lists.
pub(super) struct Access {
    pub(super) elec: bool,
    pub(super) src: usize,
    /// Minutes to collect water (0 on premises).
    pub(super) water_time: i64,
    pub(super) improved_s: bool,
    pub(super) san: usize,
    pub(super) shared: bool,
    pub(super) clean: bool,
    pub(super) fuel: usize,
}

/// Electricity, then water, sanitation and cooking fuel, in that order of draws.
pub(super) fn draw_access(d: &mut Draw, x: &HhContext) -> Access {
    let HhContext {
        qc,
        u,
        infra,
        he,
        fh,
        qs,
        inf,
        w,
        ..
    } = *x;
    let elec =
        d.logit(2.9 + 1.6 * u + 0.6 * qc * qs + inf * infra + 0.1 * (he - 1.5) + 0.65 * w - fh);
    let (src, water_time) = water(d, x);
    let (improved_s, san, shared) = sanitation(d, x);
    let (clean, fuel) = cooking_fuel(d, x, elec);
    Access {
        elec,
        src,
        water_time,
        improved_s,
        san,
        shared,
        clean,
        fuel,
    }
}

/// Drinking water: improved or not, then the source, then the collection time.
fn water(d: &mut Draw, x: &HhContext) -> (usize, i64) {
    let HhContext {
        hh,
        pv,
        qc,
        u,
        rural,
        infra,
        he,
        fh,
        qs,
        inf,
        w,
        ..
    } = *x;
    let improved_w =
        d.logit(2.15 + 0.9 * u + 0.55 * qc * qs + inf * infra + 0.12 * (he - 1.5) + 0.3 * w - fh);
    let src = if improved_w {
        let weights = if hh.urban {
            [
                0.30 + 0.03 * qc + 0.1 * pv.infra.max(0.0),
                0.24,
                0.10 - 0.03 * qc,
                0.03,
                0.01,
                0.32 + 0.08 * qc,
            ]
        } else {
            [
                0.16 + 0.03 * qc,
                0.24,
                0.34 - 0.04 * qc,
                0.16 - 0.02 * qc,
                0.04 + 0.04 * b2f(pv.infra < -0.4),
                0.06 + 0.03 * qc,
            ]
        };
        d.pick(&weights)
    } else {
        6 + d.pick(&[0.45, 0.3, 0.25 + 0.15 * b2f(pv.infra < -0.4)])
    };
    let on_premises_p = [0.97, 0.9, 0.75, 0.3, 0.95, 1.0, 0.55, 0.15, 0.0][src];
    let on_premises = d.bern((on_premises_p + 0.05 * qc + 0.05 * u).clamp(0.0, 1.0));
    let water_time = if on_premises {
        0
    } else {
        let med = if rural { 16.0 } else { 10.0 };
        let remote = (-0.25 * infra).clamp(-0.3, 0.6) - 0.12 * qc;
        let t = dexp(dln(med) + remote + 0.7 * d.normal()).round();
        t.clamp(1.0, 240.0) as i64
    };
    (src, water_time)
}

/// Sanitation: improved or not, then the facility, then sharing.
fn sanitation(d: &mut Draw, x: &HhContext) -> (bool, usize, bool) {
    let HhContext {
        hh,
        pv,
        qc,
        u,
        rural,
        infra,
        he,
        fh,
        qs,
        inf,
        w,
        ..
    } = *x;
    let improved_s =
        d.logit(2.0 + 1.0 * u + 0.6 * qc * qs + inf * infra + 0.12 * (he - 1.5) + 0.3 * w - fh);
    let san = if improved_s {
        if hh.urban {
            d.pick(&[0.06 + 0.3 * b2f(pv.infra > 1.0), 0.82 + 0.03 * qc, 0.12])
        } else {
            d.pick(&[0.01, 0.55 + 0.08 * qc, 0.44])
        }
    } else {
        let od = if rural { 0.45 - 0.2 * pv.infra } else { 0.2 };
        3 + d.pick(&[0.5, 0.05, od.max(0.05)])
    };
    // Open defecation has no toilet to share, and draws nothing.
    let shared = san < 5 && d.logit(-2.4 - 0.35 * qc + 0.6 * u - 0.2 * w);
    (improved_s, san, shared)
}

/// Cooking fuel: clean or not, then the fuel (electric cooking only with electricity).
fn cooking_fuel(d: &mut Draw, x: &HhContext, elec: bool) -> (bool, usize) {
    let HhContext {
        hh,
        pv,
        qc,
        u,
        rural,
        infra,
        he,
        fh,
        qs,
        inf,
        w,
        ..
    } = *x;
    let clean =
        d.logit(1.15 + 1.3 * u + 0.7 * qc * qs + inf * infra + 0.15 * (he - 1.5) + 0.35 * w - fh);
    let fuel = if clean {
        let gas = if hh.urban && pv.infra > 0.3 {
            0.05
        } else {
            0.0
        };
        let biogas = if rural { 0.012 } else { 0.0 };
        let electric = if elec {
            0.03 + 0.015 * (qc + 2.0) + 0.01 * w
        } else {
            0.0
        };
        d.pick(&[electric, 1.0, gas, biogas])
    } else if hh.urban {
        4 + d.pick(&[0.4, 0.2, 0.4, 0.0])
    } else {
        4 + d.pick(&[0.05, 0.04, 0.84, 0.07])
    };
    (clean, fuel)
}

/// Household effects and facts its members' outcomes share.
pub(super) struct Shared {
    pub(super) ins_eff: f64,
    pub(super) nutr_eff: f64,
    /// Insurance by wealth: subsidised for the poor, formal-sector for the rich.
    pub(super) q_ins: f64,
    /// Education of the children's mother (the head's if there is none).
    pub(super) mother_educ: f64,
    pub(super) has_u2_child: bool,
    pub(super) has_u2_other: bool,
    pub(super) n_kids: f64,
}

pub(super) fn draw_shared(d: &mut Draw, x: &HhContext) -> Shared {
    let (members, q, he) = (x.members, x.q, x.he);
    let ins_eff = 1.2 * d.normal();
    let nutr_eff = 0.35 * d.normal();
    let q_ins = [0.45, -0.05, -0.45, -0.1, 0.5][q as usize];
    let mother_educ = members
        .iter()
        .find(|p| p.mother)
        .map_or(he, |p| f64::from(p.educ));
    let has_u2_child = members.iter().any(|p| p.rel == REL_CHILD && p.age < 2);
    let has_u2_other = members.iter().any(|p| p.rel == REL_OTHER && p.age < 2);
    let n_kids = members.iter().filter(|p| p.rel == REL_CHILD).count() as f64;
    Shared {
        ins_eff,
        nutr_eff,
        q_ins,
        mother_educ,
        has_u2_child,
        has_u2_other,
        n_kids,
    }
}

/// PMT score before centring: predicted log consumption from observables.
pub(super) fn draw_pmt(d: &mut Draw, x: &HhContext, a: &Access) -> f64 {
    let HhContext {
        hh,
        pv,
        qc,
        u,
        he,
        w,
        ..
    } = *x;
    let Access {
        elec,
        src,
        improved_s,
        clean,
        ..
    } = *a;
    pv.cons + 0.22 * u + 0.09 * he - 0.38 * dln(hh.size as f64)
        + 0.12 * b2f(elec)
        + 0.10 * b2f(clean)
        + 0.08 * b2f(improved_s)
        + 0.06 * b2f(src == 0 || src == 5)
        + 0.12 * qc
        + w * LN_GROWTH
        + 0.2 * d.normal()
}

/// Centres the PMT so its weighted mean equals the weighted mean of log consumption, and writes
/// each household's score on its members' rows of `scores`.
pub(super) fn centre_pmt(hhs: &[Hh], pmt_raw: &[f64], scores: &mut [f64]) {
    let (mut sw, mut s_pmt, mut s_lc) = (0.0, 0.0, 0.0);
    for (hh, &p) in hhs.iter().zip(pmt_raw) {
        let pw = hh.weight * hh.size as f64;
        sw += pw;
        s_pmt += pw * p;
        s_lc += pw * hh.log_c;
    }
    let shift = if sw > 0.0 { (s_lc - s_pmt) / sw } else { 0.0 };
    for (hh, &p) in hhs.iter().zip(pmt_raw) {
        let v = ((p + shift) * 1000.0).round() / 1000.0;
        for slot in &mut scores[hh.first..hh.first + hh.size] {
            *slot = v;
        }
    }
}
