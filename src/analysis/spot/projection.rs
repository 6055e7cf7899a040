//! Cost projection in the style of the ILO's rapid assessment protocol (RAP):
//! beneficiaries_t = eligible_t × take-up, eligible population growing by age group;
//! benefit indexed to inflation; cost_t = beneficiaries_t × benefit_t × 12 × (1 + admin);
//! nominal GDP_t = GDP_0 × ((1 + real growth)(1 + inflation))^t.

use crate::results::spot::YearCost;
use crate::spec::Projection;

/// Annual cost of a scheme: eligible × take-up × monthly benefit × 12 × (1 + administration).
pub fn annual_cost(eligible: f64, take_up: f64, benefit_month: f64, admin: f64) -> f64 {
    eligible * take_up * benefit_month * 12.0 * (1.0 + admin)
}

/// Base-year recipients of one scheme by age group (children 0–14, working age 15–64, 65+).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ByAge {
    pub children: f64,
    pub working: f64,
    pub elderly: f64,
}

impl ByAge {
    pub fn total(&self) -> f64 {
        self.children + self.working + self.elderly
    }

    fn grown(&self, p: &Projection, t: i32) -> f64 {
        self.children * (1.0 + p.growth_children).powi(t)
            + self.working * (1.0 + p.growth_working).powi(t)
            + self.elderly * (1.0 + p.growth_elderly).powi(t)
    }
}

/// One scheme's projection input: base-year recipients by age (take-up already applied), monthly
/// benefit and administrative cost share.
pub struct SchemeBase {
    pub recipients: ByAge,
    pub benefit_month: f64,
    pub admin: f64,
}

/// Project a package of schemes from `base_year` over the horizon (year 0 = the simulation).
pub fn project(schemes: &[SchemeBase], gdp: f64, base_year: i32, p: &Projection) -> Vec<YearCost> {
    (0..=p.horizon as i32)
        .map(|t| {
            let price = (1.0 + p.inflation).powi(t);
            let (beneficiaries, cost) = schemes.iter().fold((0.0, 0.0), |(b, c), s| {
                let n = s.recipients.grown(p, t);
                (
                    b + n,
                    c + annual_cost(n, 1.0, s.benefit_month * price, s.admin),
                )
            });
            let gdp_t = gdp * ((1.0 + p.real_gdp_growth) * (1.0 + p.inflation)).powi(t);
            YearCost {
                year: base_year + t,
                beneficiaries,
                cost_lcu: cost,
                gdp_lcu: gdp_t,
                cost_pct_gdp: 100.0 * cost / gdp_t,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ilo_arithmetic() {
        // 60% take-up of 2,393,000 eligible, 4,800 a year (400 a month), 5% administration.
        let cost = annual_cost(2_393_000.0, 0.60, 400.0, 0.05);
        assert!((cost - 7_236_432_000.0).abs() < 1e-3, "{cost}");
    }

    #[test]
    fn projection_grows_with_population_prices_and_gdp() {
        let p = Projection {
            horizon: 2,
            real_gdp_growth: 0.05,
            inflation: 0.10,
            growth_children: 0.0,
            growth_working: 0.0,
            growth_elderly: 0.02,
        };
        let s = SchemeBase {
            recipients: ByAge {
                children: 0.0,
                working: 0.0,
                elderly: 1000.0,
            },
            benefit_month: 100.0,
            admin: 0.0,
        };
        let path = project(&[s], 1.0e9, 2024, &p);
        assert_eq!(path.len(), 3);
        assert_eq!(path[0].year, 2024);
        assert!((path[0].cost_lcu - 1_200_000.0).abs() < 1e-6);
        // Year 2: 1000·1.02² beneficiaries × 100·1.1² × 12.
        let expected = 1000.0 * 1.02f64.powi(2) * 100.0 * 1.1f64.powi(2) * 12.0;
        assert!((path[2].cost_lcu - expected).abs() < 1e-6);
        let gdp2 = 1.0e9 * (1.05f64 * 1.10).powi(2);
        assert!((path[2].cost_pct_gdp - 100.0 * expected / gdp2).abs() < 1e-12);
    }
}
