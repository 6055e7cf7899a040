//! Distribution measures for SPOT, computed over households with the summed person weights of
//! their members: every member shares the household's welfare per capita, so this equals the
//! person-level statistic (FGT and Gini exactly) at a fraction of the sorting cost.

use serde::{Deserialize, Serialize};

use super::PovertyLine;
use crate::stats;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fgt {
    pub line: String,
    pub headcount: f64,
    pub gap: f64,
    pub severity: f64,
    /// Linearised standard errors of the headcount and the gap.
    pub headcount_se: f64,
    pub gap_se: f64,
}

/// The sampling design seen from households: each household's PSU, and the design.
pub struct HouseholdDesign<'a> {
    pub psu: Vec<u32>,
    pub design: &'a crate::variance::Design,
    /// Bootstrap weight multipliers per replicate and household (empty: no bootstrap).
    pub replicates: Vec<Vec<f64>>,
}

impl<'a> HouseholdDesign<'a> {
    pub fn new(
        psu: Vec<u32>,
        design: &'a crate::variance::Design,
        replicates: &crate::variance::Replicates,
    ) -> Self {
        let per_household = replicates
            .multipliers
            .iter()
            .map(|m| psu.iter().map(|&p| m[p as usize]).collect())
            .collect();
        HouseholdDesign {
            psu,
            design,
            replicates: per_household,
        }
    }

    /// Bootstrap SE of any statistic of the person weights (None without replicates).
    pub fn bootstrap_se(&self, w: &[f64], stat: impl Fn(&[f64]) -> f64) -> Option<f64> {
        if self.replicates.is_empty() {
            return None;
        }
        let mut wr = vec![0.0; w.len()];
        let estimates: Vec<f64> = self
            .replicates
            .iter()
            .map(|m| {
                for ((r, &wh), &f) in wr.iter_mut().zip(w).zip(m) {
                    *r = wh * f;
                }
                stat(&wr)
            })
            .collect();
        Some(crate::variance::Replicates::se(&estimates))
    }
}

impl HouseholdDesign<'_> {
    /// Linearised SEs of the headcount and gap at each line, from one pass over households.
    fn fgt_se(&self, y: &[f64], w: &[f64], lines: &[PovertyLine]) -> Vec<(f64, f64)> {
        let psus = self.design.psus();
        let mut psu_w = vec![0.0; psus];
        let mut psu_h = vec![vec![0.0; psus]; lines.len()];
        let mut psu_g = vec![vec![0.0; psus]; lines.len()];
        for (h, &wh) in w.iter().enumerate() {
            let p = self.psu[h] as usize;
            psu_w[p] += wh;
            for (k, l) in lines.iter().enumerate() {
                let z = l.monthly_lcu;
                if y[h] < z {
                    psu_h[k][p] += wh;
                    psu_g[k][p] += wh * (z - y[h]) / z;
                }
            }
        }
        (0..lines.len())
            .map(|k| {
                (
                    self.design.ratio_se(&psu_w, &psu_h[k]),
                    self.design.ratio_se(&psu_w, &psu_g[k]),
                )
            })
            .collect()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Distribution {
    pub poverty: Vec<Fgt>,
    pub gini: f64,
    pub theil: f64,
    pub mean_welfare: f64,
    pub bottom40_share: f64,
    pub top10_share: f64,
    pub palma: f64,
    pub s80s20: f64,
    /// Bootstrap standard errors of the Gini index and the Palma ratio.
    pub gini_se: Option<f64>,
    pub palma_se: Option<f64>,
}

/// Measures of welfare `y` (per household) with person weights `w`. Income shares rank on `y`
/// itself (after transfers, for a scenario); the incidence tables use fixed pre-transfer deciles.
pub fn distribution(
    y: &[f64],
    w: &[f64],
    lines: &[PovertyLine],
    hd: &HouseholdDesign,
) -> Distribution {
    // One sort serves the Gini and the shares.
    let order = stats::order_by_value(y);
    let shares = stats::shares(y, w, &stats::deciles_ordered(w, &order));
    let ses = hd.fgt_se(y, w, lines);
    Distribution {
        poverty: lines
            .iter()
            .zip(ses)
            .map(|(l, (headcount_se, gap_se))| {
                let z = l.monthly_lcu;
                let [headcount, gap, severity] = stats::fgt012(y, w, z);
                Fgt {
                    line: l.id.clone(),
                    headcount,
                    gap,
                    severity,
                    headcount_se,
                    gap_se,
                }
            })
            .collect(),
        gini: stats::gini_ordered(y, w, &order),
        theil: stats::theil(y, w),
        mean_welfare: stats::mean(y, w),
        bottom40_share: shares.bottom40,
        top10_share: shares.top10,
        palma: shares.palma,
        s80s20: shares.s80s20,
        // The ranking does not change across replicates, only the weights: reuse the order.
        gini_se: hd.bootstrap_se(w, |wr| stats::gini_ordered(y, wr, &order)),
        palma_se: hd.bootstrap_se(w, |wr| {
            stats::shares(y, wr, &stats::deciles_ordered(wr, &order)).palma
        }),
    }
}
