//! Cost projection in the style of the ILO's rapid assessment protocol (RAP):
//! beneficiaries_t = population_t × take-up × phase-in_t, the population either three age groups
//! at constant growth or a population table by age band (`rap.rs`); benefit_t = benefit_0 ×
//! its index (prices, wages or none); cost_t = beneficiaries_t × benefit_t × 12 × (1 + admin);
//! nominal GDP_t = GDP_0 × ((1 + real growth)(1 + inflation))^t.

use super::rap::Prepared;
use crate::results::spot::YearCost;
use crate::results::spot_rap::{FinancingYear, SchemeYear};
use crate::spec::{Indexation, Projection};

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

/// One scheme's projection input: base-year recipients by age group and by single year of age
/// (take-up already applied), monthly benefit, administrative cost share, indexation, phase-in.
pub struct SchemeBase {
    pub recipients: ByAge,
    /// Recipients by single year of age 0–150 (a missing age counts as 150).
    pub by_year_of_age: Vec<f64>,
    pub benefit_month: f64,
    pub admin: f64,
    pub indexation: Indexation,
    pub phase_in: Vec<f64>,
}

impl SchemeBase {
    pub fn new(benefit_month: f64, admin: f64) -> SchemeBase {
        SchemeBase {
            recipients: ByAge::default(),
            by_year_of_age: vec![0.0; AGES],
            benefit_month,
            admin,
            indexation: Indexation::Prices,
            phase_in: Vec::new(),
        }
    }

    /// Add a recipient of weight `w` at `age`.
    pub fn count(&mut self, age: f64, w: f64) {
        self.by_year_of_age[year_of_age(age)] += w;
    }

    /// Share of the full caseload reached in year t: the phase-in list, its last value after it.
    pub fn phase(&self, t: usize) -> f64 {
        match self.phase_in.get(t).or(self.phase_in.last()) {
            Some(&x) => x,
            None => 1.0,
        }
    }
}

/// Single years of age kept, 0 to 150.
pub const AGES: usize = 151;

/// The age bucket of an age: whole years, clamped to 0–150; missing (NaN) counts as 150.
pub fn year_of_age(age: f64) -> usize {
    if age.is_nan() {
        AGES - 1
    } else {
        age.clamp(0.0, (AGES - 1) as f64).floor() as usize
    }
}

/// The yearly rates a projection applies.
fn rates(p: &Projection) -> (f64, f64) {
    let nominal_gdp = (1.0 + p.real_gdp_growth) * (1.0 + p.inflation) - 1.0;
    (p.inflation, p.wage_growth.unwrap_or(nominal_gdp))
}

/// The nominal index of a benefit in year t.
fn index(ix: Indexation, p: &Projection, t: i32) -> f64 {
    let (prices, wages) = rates(p);
    match ix {
        Indexation::Prices => (1.0 + prices).powi(t),
        Indexation::Wages => (1.0 + wages).powi(t),
        Indexation::None => 1.0,
    }
}

/// A scenario's projection: totals by year, each scheme by year, and the financing view.
pub(super) struct Projected {
    pub totals: Vec<YearCost>,
    pub schemes: Vec<SchemeYear>,
    pub financing: Vec<FinancingYear>,
}

/// Project a package of schemes from `base_year` over the horizon (year 0 = the simulation).
pub(super) fn project(
    schemes: &[SchemeBase],
    gdp: f64,
    base_year: i32,
    p: &Projection,
    prepared: &Prepared,
) -> Projected {
    let mut by_scheme = Vec::new();
    let mut totals = Vec::new();
    for t in 0..=p.horizon as i32 {
        let gdp_t = gdp * ((1.0 + p.real_gdp_growth) * (1.0 + p.inflation)).powi(t);
        let (mut beneficiaries, mut cost) = (0.0, 0.0);
        for (k, s) in schemes.iter().enumerate() {
            let y = scheme_year(s, k, t, base_year, gdp_t, p, prepared);
            beneficiaries += y.beneficiaries;
            cost += y.cost_lcu;
            by_scheme.push(y);
        }
        totals.push(YearCost {
            year: base_year + t,
            beneficiaries,
            cost_lcu: cost,
            gdp_lcu: gdp_t,
            cost_pct_gdp: 100.0 * cost / gdp_t,
            cost_pct_expenditure: p
                .government_expenditure_share_gdp
                .map(|share| 100.0 * cost / (share / 100.0 * gdp_t)),
        });
    }
    // Year-major above (the totals need every scheme of a year); the annex reads scheme-major.
    by_scheme.sort_by_key(|y| (y.scheme, y.year));
    let financing = financing(&totals, p);
    Projected {
        totals,
        schemes: by_scheme,
        financing,
    }
}

fn scheme_year(
    s: &SchemeBase,
    k: usize,
    t: i32,
    base_year: i32,
    gdp_t: f64,
    p: &Projection,
    prepared: &Prepared,
) -> SchemeYear {
    let full = match prepared.recipients(s, t as usize) {
        Some(n) => n,
        None => s.recipients.grown(p, t),
    };
    let phase = s.phase(t as usize);
    let benefit = s.benefit_month * index(s.indexation, p, t);
    let cost = annual_cost(full, phase, benefit, s.admin);
    SchemeYear {
        scheme: k,
        year: base_year + t,
        beneficiaries: full * phase,
        phase_in: phase,
        benefit_monthly_lcu: benefit,
        benefit_monthly_real_lcu: benefit / (1.0 + p.inflation).powi(t),
        cost_lcu: cost,
        cost_pct_gdp: 100.0 * cost / gdp_t,
    }
}

/// Each fiscal-space option against the cost: space_t = (pct_gdp + growth_pp × t) % of GDP_t.
fn financing(totals: &[YearCost], p: &Projection) -> Vec<FinancingYear> {
    let mut out = Vec::new();
    for f in &p.financing {
        for (t, y) in totals.iter().enumerate() {
            let space_pct = f.pct_gdp + f.growth_pp * t as f64;
            let space = space_pct / 100.0 * y.gdp_lcu;
            out.push(FinancingYear {
                option: f.id.clone(),
                year: y.year,
                space_pct_gdp: space_pct,
                space_lcu: space,
                cost_pct_gdp: y.cost_pct_gdp,
                gap_pct_gdp: space_pct - y.cost_pct_gdp,
                gap_lcu: space - y.cost_lcu,
            });
        }
    }
    out
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
            ..Projection::default()
        };
        let mut s = SchemeBase::new(100.0, 0.0);
        s.recipients.elderly = 1000.0;
        let path = project(&[s], 1.0e9, 2024, &p, &Prepared::growth()).totals;
        assert_eq!(path.len(), 3);
        assert_eq!(path[0].year, 2024);
        assert!((path[0].cost_lcu - 1_200_000.0).abs() < 1e-6);
        // Year 2: 1000·1.02² beneficiaries × 100·1.1² × 12.
        let expected = 1000.0 * 1.02f64.powi(2) * 100.0 * 1.1f64.powi(2) * 12.0;
        assert!((path[2].cost_lcu - expected).abs() < 1e-6);
        let gdp2 = 1.0e9 * (1.05f64 * 1.10).powi(2);
        assert!((path[2].cost_pct_gdp - 100.0 * expected / gdp2).abs() < 1e-12);
    }

    #[test]
    fn phase_in_holds_its_last_value() {
        let mut s = SchemeBase::new(1.0, 0.0);
        assert_eq!(s.phase(7), 1.0);
        s.phase_in = vec![0.25, 0.5];
        assert_eq!([s.phase(0), s.phase(1), s.phase(9)], [0.25, 0.5, 0.5]);
    }
}
