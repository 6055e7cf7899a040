//! Pass 1 of the generator: the two-stage sample (provinces allocated, PSUs drawn PPS, households
//! taken from each PSU's listing) and each household's members, consumption and asset index.

use super::draw::{b2f, dexp, dln, Draw};
use super::household::{compose, educate, Hh, Person};
use super::{Province, HH_PER_PSU, LN_GROWTH, LOG_CONS_0, MIN_PER_PROVINCE, PROVINCES};

/// Households per province: a floor of two PSUs each (when possible), the rest proportional to
/// the square root of province size by largest remainders (ties to the earlier province).
fn allocate(n: usize) -> [usize; 14] {
    let k = PROVINCES.len();
    let floor = if n >= k * MIN_PER_PROVINCE {
        MIN_PER_PROVINCE
    } else {
        n / k
    };
    let mut alloc = [floor; 14];
    let rest = n - floor * k;
    let roots: Vec<f64> = PROVINCES.iter().map(|p| p.households.sqrt()).collect();
    let total: f64 = roots.iter().sum();
    let mut given = 0;
    let mut rema: Vec<(f64, usize)> = Vec::with_capacity(k);
    for (h, r) in roots.iter().enumerate() {
        let exact = rest as f64 * r / total;
        let whole = exact.floor() as usize;
        alloc[h] += whole;
        given += whole;
        rema.push((exact - whole as f64, h));
    }
    rema.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, h) in rema.iter().take(rest - given) {
        alloc[h] += 1;
    }
    alloc
}

/// One selected census block: its design weight and the effects its households share.
struct Psu {
    id: i64,
    /// Index into [`PROVINCES`].
    prov: usize,
    urban: bool,
    weight: f64,
    /// Community infrastructure effect.
    psu_eff: f64,
    /// Community effect on socio-economic status.
    psu_ses: f64,
}

/// Every sampled household, province by province and PSU by PSU, with its members in `people`
/// (a household's members are `people[first..first + size]`).
pub(super) fn draw_sample(
    d: &mut Draw,
    n: usize,
    w: f64,
    years_later: f64,
) -> (Vec<Hh>, Vec<Person>) {
    let alloc = allocate(n);
    let mut hhs: Vec<Hh> = Vec::with_capacity(n);
    let mut people: Vec<Person> = Vec::with_capacity(n * 4);
    for (h, pv) in PROVINCES.iter().enumerate() {
        let n_h = alloc[h];
        if n_h == 0 {
            continue;
        }
        let m_h = n_h.div_ceil(HH_PER_PSU);
        let base = n_h / m_h;
        let extra = n_h % m_h;
        for j in 0..m_h {
            let take = base + usize::from(j < extra);
            let psu = draw_psu(d, h, pv, j, m_h, take);
            for k in 0..take {
                hhs.push(draw_household(d, &psu, k, w, years_later, &mut people));
            }
        }
    }
    (hhs, people)
}

/// PSU `j` of the `m_h` drawn in province `h`, from which `take` households are taken.
fn draw_psu(d: &mut Draw, h: usize, pv: &Province, j: usize, m_h: usize, take: usize) -> Psu {
    let urban = d.bern(pv.urban_share);
    // Census measure of size, drawn from the size-biased (PPS) lognormal distribution.
    let (med, s) = if urban { (180.0, 0.45) } else { (110.0, 0.40) };
    let mos = dexp(dln(med) + s * s + s * d.normal()).round().max(30.0);
    let listed = (mos * dexp(0.03 + 0.2 * d.normal()))
        .round()
        .max(take as f64);
    let p_psu = (m_h as f64 * mos / pv.households).min(1.0);
    let p_hh = take as f64 / listed;
    let weight = 1.0 / (p_psu * p_hh);
    let psu = (h as i64 + 1) * 1_000_000 + j as i64 + 1;
    let psu_eff = 0.45 * d.normal();
    let psu_ses = 0.3 * d.normal();
    Psu {
        id: psu,
        prov: h,
        urban,
        weight,
        psu_eff,
        psu_ses,
    }
}

/// Household `k` of a PSU: its members appended to `people`, then consumption and assets.
fn draw_household(
    d: &mut Draw,
    psu: &Psu,
    k: usize,
    w: f64,
    years_later: f64,
    people: &mut Vec<Person>,
) -> Hh {
    let (pv, urban) = (&PROVINCES[psu.prov], psu.urban);
    let ses = d.normal() + psu.psu_ses + 0.25 * b2f(urban);
    let first = people.len();
    compose(d, urban, ses, people);
    let size = people.len() - first;
    let head_educ = educate(d, &mut people[first..], urban, ses, pv.edu, years_later);
    let log_c = LOG_CONS_0 + pv.cons + 0.22 * b2f(urban) + 0.09 * f64::from(head_educ) + 0.28 * ses
        - 0.38 * dln(size as f64)
        + w * LN_GROWTH
        + 0.45 * d.normal();
    let cons_pc = dexp(log_c).round();
    let asset = 0.5 * ses
        + 0.8 * (log_c - LOG_CONS_0)
        + 0.35 * b2f(urban)
        + 0.25 * pv.infra
        + 0.4 * d.normal();
    Hh {
        hhid: psu.id * 100 + k as i64 + 1,
        psu: psu.id,
        prov: psu.prov as u8,
        urban,
        weight: psu.weight,
        psu_eff: psu.psu_eff,
        log_c,
        cons_pc,
        asset,
        first,
        size,
    }
}

/// Quintile (0..=4) of each household's asset index: cut points at weighted quintiles of persons
/// ranked by the index (person weights `weight * size`; a cut point is the first value whose
/// cumulative weight share exceeds k/5).
pub(super) fn wealth_quintiles(hhs: &[Hh]) -> Vec<u8> {
    let mut order: Vec<usize> = (0..hhs.len()).collect();
    order.sort_by(|&a, &b| hhs[a].asset.total_cmp(&hhs[b].asset).then(a.cmp(&b)));
    let total: f64 = hhs.iter().map(|h| h.weight * h.size as f64).sum();
    let mut cuts = [f64::INFINITY; 4];
    let mut k = 0;
    let mut cum = 0.0;
    for &i in &order {
        cum += hhs[i].weight * hhs[i].size as f64;
        while k < 4 && cum / total > (k + 1) as f64 / 5.0 {
            cuts[k] = hhs[i].asset;
            k += 1;
        }
    }
    hhs.iter()
        .map(|h| cuts.iter().filter(|&&cut| h.asset > cut).count() as u8)
        .collect()
}
