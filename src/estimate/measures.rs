//! Distribution measures for SPOT, computed over households with the summed person weights of
//! their members: every member shares the household's welfare per capita, so this equals the
//! person-level statistic (FGT and Gini exactly) at a fraction of the sorting cost.

use serde::{Deserialize, Serialize};

use crate::estimate::stats;

/// A poverty line: monthly, per capita, in local currency.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct PovertyLine {
    /// "national", or "usd" and the daily amount ("usd3.00").
    pub id: String,
    /// An international line's daily amount in 2021 PPP dollars (none for the national line).
    pub usd_per_day: Option<f64>,
    /// Monthly, per capita, local currency.
    pub monthly_lcu: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
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
    pub design: &'a crate::estimate::variance::Design,
    /// Bootstrap weight multipliers per replicate and PSU (none: no bootstrap).
    pub replicates: &'a crate::estimate::variance::Replicates,
}

impl<'a> HouseholdDesign<'a> {
    pub fn new(
        psu: Vec<u32>,
        design: &'a crate::estimate::variance::Design,
        replicates: &'a crate::estimate::variance::Replicates,
    ) -> Self {
        HouseholdDesign {
            psu,
            design,
            replicates,
        }
    }

    /// Bootstrap SE of a statistic of the replicate person weights (None without replicates).
    /// The replicate weights are built in household order; the multipliers are per PSU, so the
    /// lookups stay in cache.
    pub fn bootstrap_se(&self, w: &[f64], stat: impl Fn(&[f64]) -> f64) -> Option<f64> {
        if self.replicates.is_empty() {
            return None;
        }
        let mut wr = vec![0.0; w.len()];
        let estimates: Vec<f64> = self
            .replicates
            .multipliers
            .iter()
            .map(|m| {
                for ((r, &wh), &p) in wr.iter_mut().zip(w).zip(&self.psu) {
                    *r = wh * m[p as usize];
                }
                stat(&wr)
            })
            .collect();
        Some(crate::estimate::variance::Replicates::se(&estimates))
    }

    /// Bootstrap SEs of the Gini index and the Palma ratio. The ranking by welfare is the same in
    /// every replicate (only weights change), so values are put in order once and each replicate
    /// is one sequential pass.
    fn bootstrap_gini_palma(
        &self,
        y: &[f64],
        w: &[f64],
        order: &[usize],
    ) -> (Option<f64>, Option<f64>) {
        if self.replicates.is_empty() {
            return (None, None);
        }
        let ys: Vec<f64> = order.iter().map(|&i| y[i]).collect();
        let ws: Vec<f64> = order.iter().map(|&i| w[i]).collect();
        let ps: Vec<u32> = order.iter().map(|&i| self.psu[i]).collect();
        let sorted: Vec<usize> = (0..ys.len()).collect();
        let (mut ginis, mut palmas) = (Vec::new(), Vec::new());
        for m in &self.replicates.multipliers {
            let wr: Vec<f64> = ws
                .iter()
                .zip(&ps)
                .map(|(&wi, &p)| wi * m[p as usize])
                .collect();
            let (mut total_w, mut total_t) = (0.0, 0.0);
            for (&wi, &yi) in wr.iter().zip(&ys) {
                total_w += wi;
                total_t += wi * yi;
            }
            let (mut cum, mut a, mut b) = (0.0, 0.0, 0.0);
            for (&wi, &yi) in wr.iter().zip(&ys) {
                cum += wi;
                a += wi * yi * cum;
                b += wi * wi * yi;
            }
            ginis.push((2.0 * a - b) / (total_w * total_t) - 1.0);
            // The replicate's own decile groups (its quantiles move with its weights).
            let mut decile = [0.0f64; 10];
            let groups = stats::deciles_ordered(&ys, &wr, &sorted);
            for ((&g, &wi), &yi) in groups.iter().zip(&wr).zip(&ys) {
                decile[g as usize - 1] += wi * yi;
            }
            let bottom40: f64 = decile[..4].iter().sum();
            palmas.push(decile[9] / bottom40);
        }
        use crate::estimate::variance::Replicates;
        (Some(Replicates::se(&ginis)), Some(Replicates::se(&palmas)))
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

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
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
    let shares = stats::shares(y, w, &stats::deciles_ordered(y, w, &order));
    let ses = hd.fgt_se(y, w, lines);
    let (gini_se, palma_se) = hd.bootstrap_gini_palma(y, w, &order);
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
        gini_se,
        palma_se,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::estimate::variance::{Design, Replicates};

    #[test]
    fn fast_bootstrap_pass_equals_the_plain_statistics() {
        // Six households in three PSUs; two replicates with hand-set multipliers.
        let y = [5.0, 1.0, 9.0, 3.0, 7.0, 2.0];
        let w = [1.0, 2.0, 1.5, 1.0, 0.5, 2.0];
        let psu = vec![0, 0, 1, 1, 2, 2];
        let design = Design::new(vec![0, 1, 2], vec![0, 0, 0], 1);
        let reps = Replicates {
            multipliers: vec![
                vec![1.5, 0.0, 1.5],
                vec![0.0, 1.5, 1.5],
                vec![3.0, 0.0, 0.0],
                vec![1.0, 1.0, 1.0],
            ],
        };
        let hd = HouseholdDesign::new(psu.clone(), &design, &reps);
        let order = stats::order_by_value(&y);
        let (g, p) = hd.bootstrap_gini_palma(&y, &w, &order);
        let plain = |stat: &dyn Fn(&[f64]) -> f64| {
            let est: Vec<f64> = reps
                .multipliers
                .iter()
                .map(|m| {
                    let wr: Vec<f64> = w
                        .iter()
                        .zip(&psu)
                        .map(|(wi, &q)| wi * m[q as usize])
                        .collect();
                    stat(&wr)
                })
                .collect();
            Replicates::se(&est)
        };
        let g_plain = plain(&|wr| stats::gini(&y, wr));
        let p_plain = plain(&|wr| stats::shares(&y, wr, &stats::deciles(&y, wr)).palma);
        assert!((g.unwrap() - g_plain).abs() < 1e-14, "{g:?} vs {g_plain}");
        assert!(p_plain.is_finite() && p_plain > 0.0);
        assert!((p.unwrap() - p_plain).abs() < 1e-12, "{p:?} vs {p_plain}");
    }
}
