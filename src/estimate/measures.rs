//! Distribution measures for SPOT, computed over households with the summed person weights of
//! their members: every member shares the household's welfare per capita, so this equals the
//! person-level statistic (FGT and Gini exactly) at a fraction of the sorting cost.

use serde::{Deserialize, Serialize};

use crate::estimate::{linearise, stats};

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
    /// Linearised standard errors of the headcount, the gap and the severity.
    pub headcount_se: f64,
    pub gap_se: f64,
    pub severity_se: f64,
}

/// Relative poverty at a line set at a share of the median (SDG 10.2.1 at one half; the EU's
/// at-risk-of-poverty rate at 60%), as laeken's `arpr` and `rmpg` compute it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct RelativePoverty {
    pub share_of_median: f64,
    /// The line: `share_of_median` × the median (monthly, per capita, local currency).
    pub threshold: f64,
    /// Share of persons below the line, and its linearised SE (the median's own sampling error
    /// included, through a kernel estimate of the density).
    pub headcount: f64,
    pub headcount_se: f64,
    /// Relative median poverty gap: (line − median of those below it) / line; none when no one
    /// is below the line. Its SE is bootstrap only.
    pub median_gap: Option<f64>,
    pub median_gap_se: Option<f64>,
}

/// A weighted quantile with its Woodruff standard error (R `survey`'s `svyquantile`,
/// `interval.type = "mean"`, normal quantile): none when the interval of the cumulative share
/// leaves [0, 1].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Quantile {
    pub p: f64,
    pub value: f64,
    pub se: Option<f64>,
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

    /// SE of a statistic whose linearised variable is `u` (one value per household; `w` the
    /// households' person weights): the design SE of the total Σ w·u.
    fn linearised_se(&self, w: &[f64], u: &[f64]) -> f64 {
        let mut t = vec![0.0; self.design.psus()];
        for ((&p, &wh), &uh) in self.psu.iter().zip(w).zip(u) {
            t[p as usize] += wh * uh;
        }
        self.design.se_of_psu_totals(&t)
    }

    /// Linearised SE of the share of persons with `hit` among those `in_domain` (a domain: the
    /// PSUs with no household of it still count, with a zero total).
    pub fn domain_share_se(&self, w: &[f64], in_domain: &[bool], hit: &[bool]) -> f64 {
        let (mut n, mut k) = (0.0, 0.0);
        for ((&wh, &d), &x) in w.iter().zip(in_domain).zip(hit) {
            if d {
                n += wh;
                k += if x { wh } else { 0.0 };
            }
        }
        let share = k / n;
        let u: Vec<f64> = in_domain
            .iter()
            .zip(hit)
            .map(|(&d, &x)| match (d, x) {
                (false, _) => 0.0,
                (true, x) => (f64::from(u8::from(x)) - share) / n,
            })
            .collect();
        self.linearised_se(w, &u)
    }

    /// A quantile with its Woodruff SE: the linearised 95% interval of the share at or below the
    /// quantile, mapped back through the quantile function; SE = interval width / (2 × 1.96).
    fn quantile(&self, y: &[f64], w: &[f64], sorted: &Sorted, p: f64) -> Quantile {
        let value = sorted.quantile(p);
        let at_or_below: Vec<f64> = y.iter().map(|&v| f64::from(u8::from(v <= value))).collect();
        let share = stats::mean(&at_or_below, w);
        let se = self.linearised_se(w, &linearise::mean(&at_or_below, w));
        let (lo, hi) = crate::estimate::variance::ci95(share, se);
        let se = (lo >= 0.0 && hi <= 1.0)
            .then(|| (sorted.quantile(hi) - sorted.quantile(lo)) / (2.0 * Z95));
        Quantile { p, value, se }
    }

    /// Bootstrap SEs of the Gini index, the Palma ratio and each relative line's median gap.
    /// The ranking by welfare is the same in every replicate (only weights change), so values
    /// are put in order once and each replicate is one sequential pass.
    fn bootstrap_ordered(
        &self,
        y: &[f64],
        w: &[f64],
        order: &[usize],
        relative: &[f64],
    ) -> Option<OrderedBootstrap> {
        if self.replicates.is_empty() {
            return None;
        }
        let ys: Vec<f64> = order.iter().map(|&i| y[i]).collect();
        let ws: Vec<f64> = order.iter().map(|&i| w[i]).collect();
        let ps: Vec<u32> = order.iter().map(|&i| self.psu[i]).collect();
        let sorted: Vec<usize> = (0..ys.len()).collect();
        let (mut ginis, mut palmas) = (Vec::new(), Vec::new());
        let mut gaps = vec![Vec::new(); relative.len()];
        for m in &self.replicates.multipliers {
            let wr: Vec<f64> = ws
                .iter()
                .zip(&ps)
                .map(|(&wi, &p)| wi * m[p as usize])
                .collect();
            ginis.push(stats::gini_ordered(&ys, &wr, &sorted));
            // The replicate's own decile groups (its quantiles move with its weights).
            let groups = stats::deciles_ordered(&ys, &wr, &sorted);
            palmas.push(stats::shares(&ys, &wr, &groups).palma);
            let replicate = Sorted::new(&ys, &wr, &sorted);
            let median = replicate.quantile(0.5);
            for (g, &share) in gaps.iter_mut().zip(relative) {
                if let Some(gap) = replicate.median_gap(share * median) {
                    g.push(gap);
                }
            }
        }
        use crate::estimate::variance::Replicates;
        let full = self.replicates.len();
        Some(OrderedBootstrap {
            gini: Replicates::se(&ginis),
            palma: Replicates::se(&palmas),
            // A replicate with no one below the line has no gap: no SE unless every one has.
            median_gaps: gaps
                .iter()
                .map(|g| (g.len() == full).then(|| Replicates::se(g)))
                .collect(),
        })
    }
}

/// The normal quantile of a two-sided 95% interval.
const Z95: f64 = 1.959963984540054;

struct OrderedBootstrap {
    gini: f64,
    palma: f64,
    median_gaps: Vec<Option<f64>>,
}

/// Welfare in ascending order with cumulative weights, for quantiles at any share in O(log n).
struct Sorted {
    values: Vec<f64>,
    cumulative: Vec<f64>,
    total: f64,
}

impl Sorted {
    fn new(y: &[f64], w: &[f64], order: &[usize]) -> Sorted {
        let mut cum = 0.0;
        let cumulative = order
            .iter()
            .map(|&i| {
                cum += w[i];
                cum
            })
            .collect();
        Sorted {
            values: order.iter().map(|&i| y[i]).collect(),
            cumulative,
            // Summed in record order, as `stats::quantile` sums it.
            total: w.iter().sum(),
        }
    }

    /// `stats::quantile`: the first value whose cumulative weight share exceeds p.
    fn quantile(&self, p: f64) -> f64 {
        let Some(last) = self.values.len().checked_sub(1) else {
            return f64::NAN; // no record: no quantile
        };
        if p <= 0.0 {
            return self.values[0];
        }
        let first_above = self.cumulative.partition_point(|&c| c / self.total <= p);
        self.values[first_above.min(last)]
    }

    /// laeken's relative median poverty gap at `line`: (line − median of those below) / line.
    fn median_gap(&self, line: f64) -> Option<f64> {
        let below = self.values.partition_point(|&v| v < line);
        if below == 0 {
            return None;
        }
        let total = self.cumulative[below - 1];
        let half = self.cumulative[..below].partition_point(|&c| c / total <= 0.5);
        Some((line - self.values[half.min(below - 1)]) / line)
    }
}

impl HouseholdDesign<'_> {
    /// Every FGT measure at every line, with linearised SEs.
    fn poverty(&self, y: &[f64], w: &[f64], lines: &[PovertyLine]) -> Vec<Fgt> {
        lines
            .iter()
            .map(|l| {
                let z = l.monthly_lcu;
                let [headcount, gap, severity] = stats::fgt012(y, w, z);
                let se = |alpha| self.linearised_se(w, &linearise::fgt(y, w, z, alpha));
                Fgt {
                    line: l.id.clone(),
                    headcount,
                    gap,
                    severity,
                    headcount_se: se(0),
                    gap_se: se(1),
                    severity_se: se(2),
                }
            })
            .collect()
    }

    /// Relative poverty at each share of the median.
    fn relative_poverty(
        &self,
        y: &[f64],
        w: &[f64],
        sorted: &Sorted,
        relative: &[f64],
        bootstrap: Option<&OrderedBootstrap>,
    ) -> Vec<RelativePoverty> {
        let median = sorted.quantile(0.5);
        relative
            .iter()
            .enumerate()
            .map(|(k, &share)| {
                let (headcount, u) = linearise::at_risk_rate(y, w, median, share);
                RelativePoverty {
                    share_of_median: share,
                    threshold: share * median,
                    headcount,
                    headcount_se: self.linearised_se(w, &u),
                    median_gap: sorted.median_gap(share * median),
                    median_gap_se: bootstrap.and_then(|b| b.median_gaps[k]),
                }
            })
            .collect()
    }

    /// Decile shares and the ratios built on them, with linearised SEs from the lower partial
    /// totals T_p = Σ w y 1[y ≤ q_p].
    fn shares(&self, y: &[f64], w: &[f64], sorted: &Sorted, order: &[usize]) -> ShareMeasures {
        let shares = stats::shares(y, w, &stats::deciles_ordered(y, w, order));
        let below = |q: f64, value: &dyn Fn(f64) -> f64| -> f64 {
            y.iter()
                .zip(w)
                .filter(|&(&v, _)| v <= q)
                .map(|(&v, &wi)| wi * value(v))
                .sum()
        };
        let lower = |p: f64| {
            let q = sorted.quantile(p);
            (below(q, &|v| v), linearise::lower_total(y, q, p))
        };
        let total: f64 = y.iter().zip(w).map(|(&v, &wi)| wi * v).sum();
        let (t20, u20) = lower(0.2);
        let (t40, u40) = lower(0.4);
        let (t80, u80) = lower(0.8);
        let (t90, u90) = lower(0.9);
        let above = |u: &[f64]| -> Vec<f64> { y.iter().zip(u).map(|(v, x)| v - x).collect() };
        let se = |u: Vec<f64>| self.linearised_se(w, &u);
        // The count below q_p has linearised variable p: its indicator's part and the
        // quantile's move cancel.
        let n40 = below(sorted.quantile(0.4), &|_| 1.0);
        let mean40 = t40 / n40;
        let u_mean40: Vec<f64> = u40.iter().map(|x| (x - mean40 * 0.4) / n40).collect();
        let mean = stats::mean(y, w);
        ShareMeasures {
            bottom40_share_se: se(linearise::ratio(t40, &u40, total, y)),
            bottom40_mean: mean40,
            bottom40_relative_mean_se: se(linearise::ratio(
                mean40,
                &u_mean40,
                mean,
                &linearise::mean(y, w),
            )),
            bottom40_mean_se: se(u_mean40),
            palma_se: se(linearise::ratio(total - t90, &above(&u90), t40, &u40)),
            s80s20_se: se(linearise::ratio(total - t80, &above(&u80), t20, &u20)),
            shares,
        }
    }
}

struct ShareMeasures {
    shares: stats::Shares,
    bottom40_share_se: f64,
    bottom40_mean: f64,
    bottom40_mean_se: f64,
    bottom40_relative_mean_se: f64,
    palma_se: f64,
    s80s20_se: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Distribution {
    pub poverty: Vec<Fgt>,
    /// Relative poverty at each share of the median in `spot.relative_lines`.
    pub relative_poverty: Vec<RelativePoverty>,
    pub gini: f64,
    pub theil: f64,
    pub mean_welfare: f64,
    /// P10, P20, …, P90 of welfare per capita, with Woodruff SEs.
    pub quantiles: Vec<Quantile>,
    /// Share of all welfare held by each decile group of persons (laeken's groups).
    pub decile_shares: Vec<f64>,
    pub bottom40_share: f64,
    /// Mean welfare per capita of the bottom 40% (SDG 10.1.1 compares its growth with the mean's).
    pub bottom40_mean: f64,
    pub top10_share: f64,
    pub palma: f64,
    pub s80s20: f64,
    /// Linearised standard errors (Deville 1999; Osier 2009 for the measures built on quantiles).
    pub gini_se: f64,
    pub mean_welfare_se: f64,
    pub bottom40_share_se: f64,
    pub bottom40_mean_se: f64,
    /// SE of the bottom 40%'s mean over the mean of all: with the two means' SEs it gives
    /// their covariance, which the SE of SDG 10.1.1's growth premium needs.
    pub bottom40_relative_mean_se: f64,
    pub palma_se: f64,
    pub s80s20_se: f64,
    /// Bootstrap standard errors of the Gini index and the Palma ratio (when replicates are
    /// asked for), beside the linearised ones.
    pub gini_bootstrap_se: Option<f64>,
    pub palma_bootstrap_se: Option<f64>,
}

/// Measures of welfare `y` (per household) with person weights `w`, at the poverty `lines` and
/// at relative lines of `relative` × the median. Income shares rank on `y` itself (after
/// transfers, for a scenario); the incidence tables use fixed pre-transfer deciles.
pub fn distribution(
    y: &[f64],
    w: &[f64],
    lines: &[PovertyLine],
    relative: &[f64],
    hd: &HouseholdDesign,
) -> Distribution {
    // One sort serves the Gini, the quantiles and the shares.
    let order = stats::order_by_value(y);
    let sorted = Sorted::new(y, w, &order);
    let bootstrap = hd.bootstrap_ordered(y, w, &order, relative);
    let sm = hd.shares(y, w, &sorted, &order);
    Distribution {
        poverty: hd.poverty(y, w, lines),
        relative_poverty: hd.relative_poverty(y, w, &sorted, relative, bootstrap.as_ref()),
        gini: stats::gini_ordered(y, w, &order),
        theil: stats::theil(y, w),
        mean_welfare: stats::mean(y, w),
        quantiles: (1..=9)
            .map(|k| hd.quantile(y, w, &sorted, f64::from(k) / 10.0))
            .collect(),
        decile_shares: sm.shares.decile_share.clone(),
        bottom40_share: sm.shares.bottom40,
        bottom40_mean: sm.bottom40_mean,
        top10_share: sm.shares.top10,
        palma: sm.shares.palma,
        s80s20: sm.shares.s80s20,
        gini_se: hd.linearised_se(w, &linearise::gini(y, w, &order)),
        mean_welfare_se: hd.linearised_se(w, &linearise::mean(y, w)),
        bottom40_share_se: sm.bottom40_share_se,
        bottom40_mean_se: sm.bottom40_mean_se,
        bottom40_relative_mean_se: sm.bottom40_relative_mean_se,
        palma_se: sm.palma_se,
        s80s20_se: sm.s80s20_se,
        gini_bootstrap_se: bootstrap.as_ref().map(|b| b.gini),
        palma_bootstrap_se: bootstrap.as_ref().map(|b| b.palma),
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
        let b = hd.bootstrap_ordered(&y, &w, &order, &[0.6]).unwrap();
        let (g, p) = (Some(b.gini), Some(b.palma));
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
        // The median gap at 60% of each replicate's median, computed plainly per replicate.
        let gap_plain = plain(&|wr| {
            let line = 0.6 * stats::quantile(&y, wr, 0.5);
            let poor: Vec<usize> = (0..y.len()).filter(|&i| y[i] < line).collect();
            let yp: Vec<f64> = poor.iter().map(|&i| y[i]).collect();
            let wp: Vec<f64> = poor.iter().map(|&i| wr[i]).collect();
            if poor.is_empty() {
                return f64::NAN;
            }
            (line - stats::quantile(&yp, &wp, 0.5)) / line
        });
        match b.median_gaps[0] {
            Some(gap) => assert!((gap - gap_plain).abs() < 1e-12, "{gap} vs {gap_plain}"),
            None => assert!(gap_plain.is_nan()),
        }
    }
}
