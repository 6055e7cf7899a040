//! SDG 10.1.1, "growth rates of household expenditure or income per capita among the bottom 40
//! per cent of the population and the total population": both annualised between the first and
//! the latest wave, and the difference between them (the shared-prosperity premium), with SEs
//! by the delta method. The waves are independent samples; within a wave the two means are
//! correlated, and their covariance comes from the SE of their ratio.

use serde::{Deserialize, Serialize};

use crate::estimate::measures::Distribution;
use crate::estimate::variance::ci95;

/// One wave's mean welfare per capita, overall and of its bottom 40%, with linearised SEs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct WaveWelfare {
    pub wave: String,
    pub year: i32,
    pub mean: f64,
    pub mean_se: f64,
    pub bottom40_mean: f64,
    pub bottom40_mean_se: f64,
    /// SE of bottom40_mean / mean.
    pub relative_mean_se: f64,
}

impl WaveWelfare {
    pub fn of(wave: &str, year: i32, d: &Distribution) -> WaveWelfare {
        WaveWelfare {
            wave: wave.into(),
            year,
            mean: d.mean_welfare,
            mean_se: d.mean_welfare_se,
            bottom40_mean: d.bottom40_mean,
            bottom40_mean_se: d.bottom40_mean_se,
            relative_mean_se: d.bottom40_relative_mean_se,
        }
    }

    /// Variances of ln(mean), ln(bottom-40 mean) and their covariance:
    /// var ln(B/M) = var ln B + var ln M − 2 cov.
    fn log_moments(&self) -> (f64, f64, f64) {
        let v_mean = (self.mean_se / self.mean).powi(2);
        let v_b40 = (self.bottom40_mean_se / self.bottom40_mean).powi(2);
        let ratio = self.bottom40_mean / self.mean;
        let v_ratio = (self.relative_mean_se / ratio).powi(2);
        (v_mean, v_b40, (v_mean + v_b40 - v_ratio) / 2.0)
    }
}

/// An annualised growth rate with its SE and 95% interval.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Growth {
    pub rate: f64,
    pub se: f64,
    pub ci: (f64, f64),
}

/// SDG 10.1.1 between the first and the latest wave.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct SharedProsperity {
    pub from_wave: String,
    pub to_wave: String,
    pub years: i32,
    /// Annualised growth, (latest / first)^(1/years) − 1, of the mean of all and of the
    /// bottom 40%'s mean (each wave's own bottom 40%).
    pub mean_growth: Growth,
    pub bottom40_growth: Growth,
    /// Bottom-40 growth minus the mean's, and whether its interval excludes zero.
    pub premium: Growth,
    pub premium_significant: bool,
}

/// SDG 10.1.1 from the first and latest waves' welfare; none with one wave or when the latest
/// wave is not later than the first.
pub fn shared_prosperity(by_wave: &[WaveWelfare]) -> Option<SharedProsperity> {
    let (first, latest) = (by_wave.first()?, by_wave.last()?);
    let years = latest.year - first.year;
    if by_wave.len() < 2 || years <= 0 {
        return None;
    }
    let t = f64::from(years);
    let growth = |a: f64, b: f64| (b / a).powf(1.0 / t) - 1.0;
    let g_mean = growth(first.mean, latest.mean);
    let g_b40 = growth(first.bottom40_mean, latest.bottom40_mean);
    // d g / d ln(x) = (1 + g)/t for the latest wave's x, and minus that for the first's.
    let (a_mean, a_b40) = ((1.0 + g_mean) / t, (1.0 + g_b40) / t);
    let (mut v_mean, mut v_b40, mut v_premium) = (0.0, 0.0, 0.0);
    for wave in [first, latest] {
        let (vm, vb, c) = wave.log_moments();
        v_mean += a_mean * a_mean * vm;
        v_b40 += a_b40 * a_b40 * vb;
        v_premium += a_b40 * a_b40 * vb + a_mean * a_mean * vm - 2.0 * a_b40 * a_mean * c;
    }
    let of = |rate: f64, var: f64| Growth {
        rate,
        se: var.sqrt(),
        ci: ci95(rate, var.sqrt()),
    };
    let premium = of(g_b40 - g_mean, v_premium);
    Some(SharedProsperity {
        from_wave: first.wave.clone(),
        to_wave: latest.wave.clone(),
        years,
        mean_growth: of(g_mean, v_mean),
        bottom40_growth: of(g_b40, v_b40),
        premium_significant: premium.ci.0 > 0.0 || premium.ci.1 < 0.0,
        premium,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wave(year: i32, mean: f64, b40: f64, ses: (f64, f64, f64)) -> WaveWelfare {
        WaveWelfare {
            wave: year.to_string(),
            year,
            mean,
            mean_se: ses.0,
            bottom40_mean: b40,
            bottom40_mean_se: ses.1,
            relative_mean_se: ses.2,
        }
    }

    #[test]
    fn growth_and_premium_by_hand() {
        // Four years; the mean grows 100 → 121 (√1.21 = 1.1 over 4 years: 1.1^(1/2) − 1), the
        // bottom 40% 40 → 58.564 (1.4641 = 1.1^4: 10% a year).
        let first = wave(2020, 100.0, 40.0, (2.0, 1.0, 0.004));
        let latest = wave(2024, 121.0, 58.564, (2.42, 1.4641, 0.00484));
        let sp = shared_prosperity(&[first, latest]).unwrap();
        let g_mean = 1.1f64.sqrt() - 1.0;
        assert!((sp.mean_growth.rate - g_mean).abs() < 1e-14);
        assert!((sp.bottom40_growth.rate - 0.1).abs() < 1e-14);
        assert!((sp.premium.rate - (0.1 - g_mean)).abs() < 1e-14);
        // Relative SEs are 2% (mean) and 2.5% (bottom 40%) in both waves: var ln = 4e-4 and
        // 6.25e-4 per wave. SE of the mean's growth = (1 + g)/4 · √(2 · 4e-4).
        let se_mean = 1.1f64.sqrt() / 4.0 * (2.0 * 4e-4f64).sqrt();
        assert!(
            (sp.mean_growth.se - se_mean).abs() < 1e-15,
            "{}",
            sp.mean_growth.se
        );
        let se_b40 = 1.1 / 4.0 * (2.0 * 6.25e-4f64).sqrt();
        assert!((sp.bottom40_growth.se - se_b40).abs() < 1e-15);
        // Ratio 0.4 with SE 0.004 in wave 1 (0.484 with 0.00484 in wave 2): var ln ratio = 1e-4,
        // so cov = (4e-4 + 6.25e-4 − 1e-4)/2 = 4.625e-4 in each wave.
        let (a, b) = (1.1f64.sqrt() / 4.0, 1.1 / 4.0);
        let var = 2.0 * (b * b * 6.25e-4 + a * a * 4e-4 - 2.0 * a * b * 4.625e-4);
        assert!(
            (sp.premium.se - var.sqrt()).abs() < 1e-15,
            "{}",
            sp.premium.se
        );
        assert!(sp.premium_significant, "0.0488 with SE {}", sp.premium.se);
    }

    #[test]
    fn one_wave_or_no_time_between_gives_nothing() {
        let w = wave(2024, 100.0, 40.0, (1.0, 1.0, 0.01));
        assert!(shared_prosperity(std::slice::from_ref(&w)).is_none());
        assert!(shared_prosperity(&[w.clone(), w]).is_none());
    }
}
