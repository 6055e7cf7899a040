//! Design-based variance: Taylor linearisation for ratios (rates, means, FGT) with strata and
//! PSUs, as R's `survey` package computes it (with-replacement "ultimate cluster" variance, no
//! finite population correction unless the design is given sampling fractions: then each
//! stratum's contribution is multiplied by 1 − f_h, as `svydesign(fpc = )` does). Domains (an indicator's population, a group, a tree leaf) are
//! estimated as domains, not subsets: PSUs without a record of the domain still count in their
//! stratum. A stratum with a single PSU contributes no variance under the default rule (R's
//! `survey.lonely.psu = "certainty"`), or its PSU's squared deviation from the population
//! average under `LonelyPsu::Adjust` (R's `"adjust"`); the design reports how many such strata
//! it has.

use std::collections::HashMap;

/// What a stratum with a single PSU contributes to a linearised variance, as R's
/// `options(survey.lonely.psu = ...)`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum LonelyPsu {
    /// Nothing: the stratum is taken as sampled with certainty.
    #[default]
    Certainty,
    /// The PSU's linearised total, centred at the population average instead of its stratum's
    /// (for a ratio that average is zero): conservative.
    Adjust,
}

/// What a wave's design is made of, for the methods text: a brief says how many strata rest on a
/// single PSU and how much of the population they hold.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
pub struct DesignSummary {
    pub strata: u64,
    pub psus: u64,
    /// Strata with a single PSU.
    pub lonely_strata: u64,
    /// Share of the weighted records that lie in those strata.
    pub lonely_weight_share: f64,
    pub lonely_psu: LonelyPsu,
}

/// Strata and PSUs of a wave: every record's PSU, every PSU's stratum.
#[derive(Debug, Clone)]
pub struct Design {
    /// PSU index of each record.
    pub record_psu: Vec<u32>,
    /// Stratum index of each PSU.
    pub psu_stratum: Vec<u32>,
    /// Number of PSUs in each stratum (in the whole sample).
    pub stratum_psus: Vec<u32>,
    /// Strata with a single PSU.
    pub lonely_strata: usize,
    pub lonely_psu: LonelyPsu,
    /// Sampling fraction of PSUs in each stratum (0 in every stratum: no correction).
    pub stratum_fraction: Vec<f64>,
}

impl Design {
    /// From every record's stratum code and PSU code (dense codes from 0). A PSU is identified
    /// within its stratum: the same PSU number in two strata is two PSUs.
    pub fn from_codes(strata: &[u32], psus: &[u32]) -> Design {
        let mut psu_index: HashMap<(u32, u32), u32> = HashMap::new();
        let mut psu_stratum = Vec::new();
        let record_psu = strata
            .iter()
            .zip(psus)
            .map(|(&h, &p)| {
                let next = psu_index.len() as u32;
                *psu_index.entry((h, p)).or_insert_with(|| {
                    psu_stratum.push(h);
                    next
                })
            })
            .collect();
        let n_strata = strata.iter().copied().max().map_or(0, |m| m as usize + 1);
        Design::new(record_psu, psu_stratum, n_strata)
    }

    /// From explicit indices (tests, replicate work).
    pub fn new(record_psu: Vec<u32>, psu_stratum: Vec<u32>, strata: usize) -> Design {
        let mut stratum_psus = vec![0u32; strata];
        for &h in &psu_stratum {
            stratum_psus[h as usize] += 1;
        }
        let lonely_strata = stratum_psus.iter().filter(|&&n| n == 1).count();
        Design {
            record_psu,
            psu_stratum,
            lonely_strata,
            lonely_psu: LonelyPsu::default(),
            stratum_fraction: vec![0.0; stratum_psus.len()],
            stratum_psus,
        }
    }

    pub fn with_lonely_psu(self, lonely_psu: LonelyPsu) -> Design {
        Design { lonely_psu, ..self }
    }

    /// The design with a finite-population correction: `fraction[h]` of stratum h's PSUs were
    /// sampled (one value per stratum, in [0, 1]).
    pub fn with_sampling_fractions(self, fraction: Vec<f64>) -> Design {
        debug_assert_eq!(fraction.len(), self.stratum_psus.len());
        Design {
            stratum_fraction: fraction,
            ..self
        }
    }

    /// The design's counts, with the share of `weight` (one per record) in single-PSU strata.
    pub fn summary(&self, weight: &[f64]) -> DesignSummary {
        let (mut lonely, mut total) = (0.0, 0.0);
        for (&p, &w) in self.record_psu.iter().zip(weight) {
            total += w;
            if self.stratum_psus[self.psu_stratum[p as usize] as usize] == 1 {
                lonely += w;
            }
        }
        DesignSummary {
            strata: self.stratum_psus.iter().filter(|&&n| n > 0).count() as u64,
            psus: self.psus() as u64,
            lonely_strata: self.lonely_strata as u64,
            lonely_weight_share: if total > 0.0 { lonely / total } else { 0.0 },
            lonely_psu: self.lonely_psu,
        }
    }

    /// True when no stratum has two PSUs and lonely ones contribute nothing: every linearised
    /// SE is then zero, which is no estimate of the sampling error at all.
    pub fn has_no_variance(&self) -> bool {
        self.lonely_psu == LonelyPsu::Certainty && self.stratum_psus.iter().all(|&n| n < 2)
    }

    pub fn psus(&self) -> usize {
        self.psu_stratum.len()
    }

    /// Linearised SE of the ratio Σ wy / Σ w given per-PSU totals of the domain's w and w·y.
    pub fn ratio_se(&self, psu_w: &[f64], psu_wy: &[f64]) -> f64 {
        let total_w: f64 = psu_w.iter().sum();
        let ratio = psu_wy.iter().sum::<f64>() / total_w;
        // Linearised PSU totals t_p = (Σ wy − R Σ w)/W.
        let t: Vec<f64> = psu_w
            .iter()
            .zip(psu_wy)
            .map(|(w, wy)| (wy - ratio * w) / total_w)
            .collect();
        self.se_of_psu_totals(&t)
    }

    /// Linearised SE of R_g − R, the ratio of a group minus the ratio of a population that
    /// contains it (a leaf's rate minus the national rate), from per-PSU totals of both. The two
    /// ratios share records, so the difference is linearised as one statistic, with PSU totals
    /// (Σ_g wy − R_g Σ_g w)/W_g − (Σ wy − R Σ w)/W; this is the delta method R's `svycontrast`
    /// applies to the four totals.
    pub fn difference_se(&self, group: (&[f64], &[f64]), population: (&[f64], &[f64])) -> f64 {
        let linearised = |(psu_w, psu_wy): (&[f64], &[f64])| {
            let total_w: f64 = psu_w.iter().sum();
            let ratio = psu_wy.iter().sum::<f64>() / total_w;
            psu_w
                .iter()
                .zip(psu_wy)
                .map(move |(w, wy)| (wy - ratio * w) / total_w)
                .collect::<Vec<f64>>()
        };
        let t: Vec<f64> = linearised(group)
            .iter()
            .zip(linearised(population))
            .map(|(g, p)| g - p)
            .collect();
        self.se_of_psu_totals(&t)
    }

    /// With-replacement variance of a total from linearised PSU totals, centred within strata;
    /// single-PSU strata contribute by the lonely-PSU rule; each stratum's part is multiplied by
    /// its finite-population correction 1 − f_h.
    pub fn se_of_psu_totals(&self, t: &[f64]) -> f64 {
        let strata = self.stratum_psus.len();
        let mut sum = vec![0.0; strata];
        for (p, &tp) in t.iter().enumerate() {
            sum[self.psu_stratum[p] as usize] += tp;
        }
        let mut var_h = vec![0.0; strata];
        for (p, &tp) in t.iter().enumerate() {
            let h = self.psu_stratum[p] as usize;
            let mean = sum[h] / self.stratum_psus[h] as f64;
            var_h[h] += (tp - mean) * (tp - mean);
        }
        let var: f64 = var_h
            .iter()
            .zip(&sum)
            .zip(&self.stratum_psus)
            .zip(&self.stratum_fraction)
            .map(|(((v, total), &n), &f)| {
                let part = match (n, self.lonely_psu) {
                    (0, _) | (1, LonelyPsu::Certainty) => 0.0,
                    // R: the lone PSU is not centred (its stratum mean would be itself).
                    (1, LonelyPsu::Adjust) => total * total,
                    _ => v * n as f64 / (n as f64 - 1.0),
                };
                part * (1.0 - f)
            })
            .sum();
        var.sqrt()
    }

    /// Per-PSU totals (Σ w, Σ w·y) of the records with non-zero `weight`.
    pub fn psu_totals(&self, y: &[f64], weight: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let mut psu_w = vec![0.0; self.psus()];
        let mut psu_wy = vec![0.0; self.psus()];
        for ((&p, &yi), &wi) in self.record_psu.iter().zip(y).zip(weight) {
            psu_w[p as usize] += wi;
            psu_wy[p as usize] += wi * yi;
        }
        (psu_w, psu_wy)
    }

    /// SE of a weighted mean of `y` over the records where `weight` is non-zero (a domain: give
    /// records outside it weight 0).
    pub fn mean_se(&self, y: &[f64], weight: &[f64]) -> f64 {
        let (psu_w, psu_wy) = self.psu_totals(y, weight);
        self.ratio_se(&psu_w, &psu_wy)
    }
}

/// Rescaled bootstrap replicate weights (Rao–Wu with n_h − 1 draws): in every replicate, each
/// stratum with two or more PSUs draws n_h − 1 of its PSUs with replacement and a PSU's weights
/// are multiplied by n_h/(n_h − 1) × the times it was drawn. With a sampling fraction f_h the
/// multiplier is shrunk towards 1 (Rao, Wu and Yue 1992): 1 − λ + λ·n_h/(n_h − 1)·r with
/// λ = √(1 − f_h), so the bootstrap variance carries the same correction. One seeded ChaCha stream, drawn in a
/// fixed order (replicate, stratum, draw), so the same seed gives the same replicates anywhere.
#[derive(Debug, Clone)]
pub struct Replicates {
    /// multipliers[r][psu]
    pub multipliers: Vec<Vec<f64>>,
}

impl Replicates {
    pub fn rescaled_bootstrap(design: &Design, replicates: usize, seed: u64) -> Replicates {
        use rand_chacha::ChaCha8Rng;
        use rand_core::{Rng, SeedableRng};
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut psus_of: Vec<Vec<usize>> = vec![Vec::new(); design.stratum_psus.len()];
        for (p, &h) in design.psu_stratum.iter().enumerate() {
            psus_of[h as usize].push(p);
        }
        let multipliers = (0..replicates)
            .map(|_| {
                let mut m = vec![1.0; design.psus()];
                for (psus, &f) in psus_of.iter().zip(&design.stratum_fraction) {
                    let n = psus.len();
                    if n < 2 {
                        continue; // a lonely PSU keeps its weight
                    }
                    let lambda = (1.0 - f).sqrt();
                    for &p in psus {
                        m[p] = 1.0 - lambda;
                    }
                    let scale = lambda * n as f64 / (n as f64 - 1.0);
                    for _ in 0..n - 1 {
                        let pick = ((rng.next_u64() as u128 * n as u128) >> 64) as usize;
                        m[psus[pick]] += scale;
                    }
                }
                m
            })
            .collect();
        Replicates { multipliers }
    }

    pub fn len(&self) -> usize {
        self.multipliers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.multipliers.is_empty()
    }

    /// Bootstrap standard error: the standard deviation of the replicate estimates.
    pub fn se(estimates: &[f64]) -> f64 {
        let r = estimates.len();
        if r < 2 {
            return f64::NAN;
        }
        let mean = estimates.iter().sum::<f64>() / r as f64;
        (estimates
            .iter()
            .map(|e| (e - mean) * (e - mean))
            .sum::<f64>()
            / (r as f64 - 1.0))
            .sqrt()
    }
}

/// 95% interval of a proportion that stays inside [0, 1] and is not degenerate at its ends:
/// inside (0, 1) the logit interval of R `survey`'s `svyciprop(method = "logit", df = Inf)`,
/// expit(logit p ± 1.96·se / (p(1 − p))) — asymmetric near 0 and 1, where the normal one
/// leaves the unit interval; at exactly 0 or 1 (every record alike, so the linearised SE is 0
/// and the design effect cannot be estimated) the Clopper–Pearson interval for n records,
/// [0, 1 − 0.025^(1/n)] or [0.025^(1/n), 1].
pub fn proportion_ci(rate: f64, se: f64, n: u64) -> (f64, f64) {
    const ALPHA_HALF: f64 = 0.025;
    if n == 0 || !rate.is_finite() {
        return (0.0, 1.0);
    }
    let exact_end = ALPHA_HALF.powf(1.0 / n as f64);
    if rate <= 0.0 {
        return (0.0, 1.0 - exact_end);
    }
    if rate >= 1.0 {
        return (exact_end, 1.0);
    }
    let logit = (rate / (1.0 - rate)).ln();
    let half = 1.959963984540054 * se / (rate * (1.0 - rate));
    let expit = |x: f64| 1.0 / (1.0 + (-x).exp());
    (expit(logit - half), expit(logit + half))
}

/// A 95% normal confidence interval.
pub fn ci95(est: f64, se: f64) -> (f64, f64) {
    (est - 1.959963984540054 * se, est + 1.959963984540054 * se)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proportion_interval_at_the_ends() {
        // 38 records, all (or none) with the outcome: R's binom.test(38, 38) gives
        // [0.907487238584122, 1] and binom.test(0, 38) [0, 0.0925127614158783].
        let (lo, hi) = proportion_ci(1.0, 0.0, 38);
        assert!((lo - 0.907487238584122).abs() < 1e-14 && hi == 1.0, "{lo}");
        let (lo, hi) = proportion_ci(0.0, 0.0, 38);
        assert!(lo == 0.0 && (hi - 0.0925127614158783).abs() < 1e-14, "{hi}");
        // Inside (0, 1) the interval is asymmetric and never leaves it: p = 0.02, se = 0.015.
        let (lo, hi) = proportion_ci(0.02, 0.015, 100);
        assert!(
            lo > 0.0 && hi < 1.0 && (0.02 - lo) < (hi - 0.02),
            "{lo} {hi}"
        );
    }

    #[test]
    fn two_psus_per_stratum_by_hand() {
        // One stratum, two PSUs of one record each, weights 1: y = 0 and 1. R = 0.5;
        // t = (0 − 0.5)/2, (1 − 0.5)/2 = ∓0.25; var = 2/(2−1)·(0.25² + 0.25²) = 0.25.
        let d = Design::new(vec![0, 1], vec![0, 0], 1);
        assert!((d.mean_se(&[0.0, 1.0], &[1.0, 1.0]) - 0.5).abs() < 1e-15);
        // A lonely stratum adds nothing.
        let d = Design::new(vec![0, 1, 2], vec![0, 0, 1], 2);
        assert_eq!(d.lonely_strata, 1);
    }

    #[test]
    fn bootstrap_multipliers_keep_each_stratum_total() {
        // Stratum 0 has 3 PSUs, stratum 1 has 2, stratum 2 is lonely.
        let d = Design::new(vec![0, 1, 2, 3, 4, 5], vec![0, 0, 0, 1, 1, 2], 3);
        let a = Replicates::rescaled_bootstrap(&d, 50, 7);
        let b = Replicates::rescaled_bootstrap(&d, 50, 7);
        assert_eq!(a.multipliers, b.multipliers, "same seed, same replicates");
        for m in &a.multipliers {
            // n_h − 1 draws × n_h/(n_h − 1) = n_h: multipliers in a stratum sum to its PSU count.
            assert!((m[0] + m[1] + m[2] - 3.0).abs() < 1e-12);
            assert!((m[3] + m[4] - 2.0).abs() < 1e-12);
            assert_eq!(m[5], 1.0);
        }
        assert_ne!(
            a.multipliers,
            Replicates::rescaled_bootstrap(&d, 50, 8).multipliers
        );
    }
}
