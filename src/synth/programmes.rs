//! Existing social-protection programmes for the synthetic survey, drawn from their own seeded
//! stream (so every column of [`super::generate`] stays as it was): a household conditional cash
//! transfer (`pkh`, annual amount per household) and food assistance (`bpnt`, monthly amount per
//! household), both targeted on the proxy-means-test score with exclusion and inclusion errors,
//! and a social pension (`pension_social`, monthly amount per person) for people aged 70 and
//! over without a contributory pension in the poorer 40% of households, half of whom take it up.
//! One row per person (`hhid`, `line`), household programmes repeated on every member's row.

use polars::prelude::*;

use super::draw::{b2i, Draw};

/// Mixed into the seed: the programmes' stream is not the survey's.
const STREAM: u64 = 0x5052_4F47_5241_4D53;

/// Per household: (share of households targeted by PMT score, exclusion error, inclusion error).
const PKH: (f64, f64, f64) = (0.15, 0.40, 0.04);
const BPNT: (f64, f64, f64) = (0.25, 0.35, 0.08);
/// PKH: local currency a year per eligible child (at most three); BPNT: a month per household;
/// social pension: a month per person.
const PKH_PER_CHILD_YEAR: f64 = 1_200_000.0;
const BPNT_MONTH: f64 = 200_000.0;
const PENSION_MONTH: f64 = 300_000.0;

/// The programmes module of a frame from [`super::generate`] (the same `seed` and `wave`).
pub fn module(frame: &DataFrame, seed: u64, wave: u32) -> PolarsResult<DataFrame> {
    let hhid = frame.column("hhid")?.i64()?.clone();
    let line = frame.column("line")?.i64()?.clone();
    let age = frame.column("age")?.i64()?.clone();
    let pmt = frame.column("pmt_score")?.f64()?.clone();
    let contributory = frame
        .column("contributory_pension")?
        .cast(&DataType::Int64)?
        .i64()?
        .clone();
    let n = frame.height();
    // Households in order of appearance, each with its rows.
    let mut households: Vec<(Vec<usize>, f64)> = Vec::new();
    for i in 0..n {
        if i == 0 || hhid.get(i) != hhid.get(i - 1) {
            households.push((Vec::new(), pmt.get(i).unwrap_or(f64::MAX)));
        }
        households.last_mut().expect("a household").0.push(i);
    }
    let rank = pmt_rank(&households);
    let mut draw = Draw::new(seed ^ STREAM, wave);
    let (mut pkh, mut pkh_amount) = (vec![0i64; n], vec![0.0; n]);
    let (mut bpnt, mut bpnt_amount) = (vec![0i64; n], vec![0.0; n]);
    let (mut pension, mut pension_amount) = (vec![0i64; n], vec![0.0; n]);
    for (k, (rows, _)) in households.iter().enumerate() {
        let children = rows
            .iter()
            .filter(|&&i| age.get(i).is_some_and(|a| a < 18))
            .count()
            .min(3);
        let gets_pkh = children > 0 && targeted(&mut draw, rank[k], PKH);
        let gets_bpnt = targeted(&mut draw, rank[k], BPNT);
        for &i in rows {
            pkh[i] = b2i(gets_pkh);
            pkh_amount[i] = if gets_pkh {
                PKH_PER_CHILD_YEAR * children as f64
            } else {
                0.0
            };
            bpnt[i] = b2i(gets_bpnt);
            bpnt_amount[i] = if gets_bpnt { BPNT_MONTH } else { 0.0 };
            let old = age.get(i).is_some_and(|a| a >= 70) && contributory.get(i) != Some(1);
            let gets = old && rank[k] < 0.4 && draw.bern(0.5);
            pension[i] = b2i(gets);
            pension_amount[i] = if gets { PENSION_MONTH } else { 0.0 };
        }
    }
    DataFrame::new(
        n,
        vec![
            Column::new("hhid".into(), hhid.iter().collect::<Vec<_>>()),
            Column::new("line".into(), line.iter().collect::<Vec<_>>()),
            Column::new("pkh".into(), pkh),
            Column::new("pkh_amount".into(), pkh_amount),
            Column::new("bpnt".into(), bpnt),
            Column::new("bpnt_amount".into(), bpnt_amount),
            Column::new("pension_social".into(), pension),
            Column::new("pension_amount".into(), pension_amount),
        ],
    )
}

/// Each household's rank by PMT score as a share of households (0 = lowest score, the poorest).
fn pmt_rank(households: &[(Vec<usize>, f64)]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..households.len()).collect();
    order.sort_by(|&a, &b| households[a].1.total_cmp(&households[b].1).then(a.cmp(&b)));
    let mut rank = vec![0.0; households.len()];
    for (r, &k) in order.iter().enumerate() {
        rank[k] = r as f64 / households.len() as f64;
    }
    rank
}

/// Targeted on the score with errors: one draw per household.
fn targeted(draw: &mut Draw, rank: f64, (share, exclusion, inclusion): (f64, f64, f64)) -> bool {
    let u = draw.u();
    if rank < share {
        u >= exclusion
    } else {
        u < inclusion
    }
}
