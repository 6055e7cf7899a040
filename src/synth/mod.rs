//! Deterministic synthetic household survey, SUSENAS-like but entirely invented.
//!
//! [`generate`] returns one row per person of a two-stage stratified cluster sample drawn from an
//! imaginary middle-income archipelago ("the synthetic country"): 5 island-group regions, 14
//! provinces (the strata), census blocks as primary sampling units (PSUs) selected with
//! probability proportional to size (PPS), and about 10 households taken per PSU from a fresh
//! listing. Household-level variables are repeated on every member's row.
//!
//! # Design
//!
//! * The frame is fixed: the country has about 63 million households (see [`PROVINCES`]), whatever
//!   the sample size, so weighted totals always estimate the same population and the mean weight
//!   is `63e6 / households` (about 180 for a SUSENAS-sized sample of 350,000 households, about
//!   3,000 for 20,000 households).
//! * The sample `households` is allocated to provinces proportionally to the square root of their
//!   size (with at least 20 households, i.e. two PSUs, per province when the sample allows), so
//!   small provinces are over-sampled and get small weights.
//! * In province `h` with `N_h` households, `m_h = ceil(n_h / 10)` PSUs are drawn PPS on the
//!   census measure of size `M_i`: `P(psu i) = m_h · M_i / N_h`. The block is then re-listed
//!   (`L_i` households, which differs from `M_i` because of growth since the census) and
//!   `b_i` (10, or 9 to hit `n_h` exactly) households are drawn by simple random sampling:
//!   `P(hh | psu i) = b_i / L_i`. The design weight is `hh_weight = N_h · L_i / (m_h · M_i · b_i)`.
//!
//! # Determinism
//!
//! All randomness comes from one `ChaCha8Rng` seeded from `seed` and `wave`, consumed in a fixed
//! order. Uniforms are built from the top 53 bits of `next_u64`; normals use Marsaglia's polar
//! method; `exp` and `ln` are implemented here with IEEE basic operations only (no platform
//! `libm`), so the same configuration gives bit-identical frames on any machine.
//!
//! # Parts
//!
//! [`generate`] runs two passes over one stream: `sample` draws the design and the households
//! with their members (`household`), consumption and assets; then, household by household,
//! `access` draws services and shared effects and `outcomes` each member's row. `draw` holds the
//! arithmetic and the stream, `columns` the output columns.

mod access;
mod columns;
mod draw;
mod household;
pub mod layout;
mod outcomes;
pub mod programmes;
mod sample;
#[cfg(test)]
mod tests;

use polars::prelude::*;

use columns::Cols;
use draw::Draw;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthConfig {
    /// Seed of the random stream (combined with `wave`).
    pub seed: u64,
    /// Number of sampled households (exact).
    pub households: usize,
    /// Survey wave: 0 = earlier survey (2021), 1 = later survey (2024), 2 = 2027, ...
    /// Each later wave has better access and about 8% higher real consumption.
    pub wave: u32,
}

/// Columns of the generated frame, in order.
pub const COLUMNS: [&str; 35] = [
    "hhid",
    "region",
    "province",
    "psu",
    "urban",
    "hh_weight",
    "hhsize",
    "line",
    "relation",
    "sex",
    "age",
    "educ",
    "disability",
    "consumption_pc",
    "wealth_quintile",
    "water_source",
    "water_time",
    "sanitation",
    "toilet_shared",
    "electricity",
    "cooking_fuel",
    "internet",
    "mobile_phone",
    "bank_account",
    "health_insurance",
    "recent_birth",
    "skilled_birth",
    "in_union",
    "contraception_demand",
    "modern_method",
    "haz",
    "whz",
    "birth_registered",
    "contributory_pension",
    "pmt_score",
];

/// Region (island group) names.
pub const REGIONS: [&str; 5] = [
    "Barat Raya",
    "Tengah Jaya",
    "Selatan Permai",
    "Utara Lestari",
    "Timur Jauh",
];

/// Education levels, in order.
pub const EDUC_LEVELS: [&str; 5] = [
    "None",
    "Primary",
    "Lower secondary",
    "Upper secondary",
    "Higher",
];

/// Wealth quintile labels.
pub const QUINTILES: [&str; 5] = ["Q1", "Q2", "Q3", "Q4", "Q5"];

/// Water sources; the first six are improved.
pub const WATER_SOURCES: [&str; 9] = [
    "Piped",
    "Borehole",
    "Protected well",
    "Protected spring",
    "Rainwater",
    "Bottled",
    "Unprotected well",
    "Unprotected spring",
    "Surface water",
];

/// Sanitation facilities; the first three are improved.
pub const SANITATION: [&str; 6] = [
    "Flush to sewer",
    "Flush to septic tank",
    "Pit latrine with slab",
    "Pit latrine without slab",
    "Bucket",
    "Open defecation",
];

/// Cooking fuels; the first four are clean.
pub const COOKING_FUELS: [&str; 8] = [
    "Electricity",
    "LPG",
    "Natural gas",
    "Biogas",
    "Kerosene",
    "Charcoal",
    "Wood",
    "Crop residue",
];

const RELATIONS: [&str; 5] = ["Head", "Spouse", "Child", "Parent", "Other"];
const REL_HEAD: u8 = 0;
const REL_SPOUSE: u8 = 1;
const REL_CHILD: u8 = 2;
const REL_PARENT: u8 = 3;
const REL_OTHER: u8 = 4;

/// One stratum of the synthetic country.
#[derive(Debug, Clone, Copy)]
pub struct Province {
    pub name: &'static str,
    /// Index into [`REGIONS`].
    pub region: usize,
    /// Households in the sampling frame.
    pub households: f64,
    /// Share of households in urban blocks.
    pub urban_share: f64,
    /// Province effect on log consumption.
    cons: f64,
    /// Province infrastructure level (logit scale effect on access).
    infra: f64,
    /// Province effect on education.
    edu: f64,
}

/// The 14 provinces (strata). Nusa Kerta and Pegunungan Cendana are the two poor, remote ones.
pub const PROVINCES: [Province; 14] = [
    prov("Sumbara Utara", 0, 5_000_000.0, 0.52, 0.00, 0.2, 0.10),
    prov("Sumbara Selatan", 0, 2_500_000.0, 0.36, -0.08, -0.1, 0.00),
    prov("Kepulauan Riang", 0, 600_000.0, 0.78, 0.22, 0.6, 0.20),
    prov("Sentana Raya", 1, 3_000_000.0, 0.97, 0.45, 1.2, 0.40),
    prov("Jawira Barat", 1, 16_000_000.0, 0.72, 0.03, 0.5, 0.00),
    prov("Jawira Tengah", 1, 12_500_000.0, 0.50, -0.10, 0.4, -0.05),
    prov("Jawira Timur", 1, 14_000_000.0, 0.53, -0.06, 0.4, -0.05),
    prov("Nusa Wangi", 2, 1_300_000.0, 0.48, -0.02, 0.1, 0.00),
    prov("Nusa Kerta", 2, 1_200_000.0, 0.30, -0.30, -0.8, -0.30),
    prov("Borana Barat", 3, 1_400_000.0, 0.32, -0.06, -0.3, -0.10),
    prov("Borana Timur", 3, 1_100_000.0, 0.66, 0.30, 0.5, 0.20),
    prov("Selawesa Raya", 3, 2_500_000.0, 0.45, -0.05, 0.0, 0.05),
    prov("Malaka Seribu", 4, 500_000.0, 0.36, -0.15, -0.5, -0.10),
    prov(
        "Pegunungan Cendana",
        4,
        1_200_000.0,
        0.22,
        -0.38,
        -1.5,
        -0.50,
    ),
];

const fn prov(
    name: &'static str,
    region: usize,
    households: f64,
    urban_share: f64,
    cons: f64,
    infra: f64,
    edu: f64,
) -> Province {
    Province {
        name,
        region,
        households,
        urban_share,
        cons,
        infra,
        edu,
    }
}

/// Households taken per PSU.
const HH_PER_PSU: usize = 10;
/// Minimum households per province when the sample is large enough (two PSUs).
const MIN_PER_PROVINCE: usize = 2 * HH_PER_PSU;
/// Largest sample accepted (keeps ids inside their digit ranges).
const MAX_HOUSEHOLDS: usize = 50_000_000;
/// Intercept of log monthly consumption per capita (calibrated: weighted median ~1.2 million).
const LOG_CONS_0: f64 = 14.225;
/// ln(1.08): real growth of consumption between consecutive waves.
const LN_GROWTH: f64 = 0.076_961_041_136_128_33;

/// Generates the synthetic survey: one row per person (see the module documentation).
///
/// Deterministic: the same configuration always gives the same frame, bit for bit.
pub fn generate(cfg: &SynthConfig) -> PolarsResult<DataFrame> {
    if cfg.households > MAX_HOUSEHOLDS {
        polars_bail!(ComputeError:
            "synthetic survey: {} households requested, at most {} supported",
            cfg.households, MAX_HOUSEHOLDS);
    }
    let mut d = Draw::new(cfg.seed, cfg.wave);
    // Waves beyond a few keep improving but the effect is capped.
    let w = f64::from(cfg.wave.min(5));
    let years_later = 3.0 * w;

    // Pass 1: sample design, household composition, education, consumption, assets.
    let (hhs, people) = sample::draw_sample(&mut d, cfg.households, w, years_later);
    let quint = sample::wealth_quintiles(&hhs);

    // Pass 2: access and person-level outcomes.
    let mut c = Cols::with_capacity(people.len());
    let mut pmt_raw: Vec<f64> = Vec::with_capacity(hhs.len());
    for (hh, &q) in hhs.iter().zip(&quint) {
        let hc = access::HhContext::new(hh, &people, q, w);
        let services = access::draw_access(&mut d, &hc);
        let shared = access::draw_shared(&mut d, &hc);
        pmt_raw.push(access::draw_pmt(&mut d, &hc, &services));
        outcomes::push_members(&mut d, &mut c, &hc, &services, &shared);
    }
    access::centre_pmt(&hhs, &pmt_raw, &mut c.pmt_score);

    c.into_frame()
}
