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
}

impl HouseholdDesign<'_> {
    /// SE of the person-weighted mean of a household value.
    fn se(&self, value: impl Fn(usize) -> f64, w: &[f64]) -> f64 {
        let mut psu_w = vec![0.0; self.design.psus()];
        let mut psu_wy = vec![0.0; self.design.psus()];
        for (h, &wh) in w.iter().enumerate() {
            let p = self.psu[h] as usize;
            psu_w[p] += wh;
            psu_wy[p] += wh * value(h);
        }
        self.design.ratio_se(&psu_w, &psu_wy)
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
    Distribution {
        poverty: lines
            .iter()
            .map(|l| {
                let z = l.monthly_lcu;
                let [headcount, gap, severity] = stats::fgt012(y, w, z);
                Fgt {
                    line: l.id.clone(),
                    headcount,
                    gap,
                    severity,
                    headcount_se: hd.se(|h| if y[h] < z { 1.0 } else { 0.0 }, w),
                    gap_se: hd.se(|h| ((z - y[h]) / z).max(0.0), w),
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
    }
}
