//! Existing programmes as the baseline: the transfers the survey records, welfare before them
//! (first order: welfare minus the observed transfers, no behavioural response, as SPOT and
//! ADePT), and SDG 1.3.1 coverage, leakage, undercoverage, incidence, spending and overlap, every
//! rate with its linearised design SE (docs/methods.md, "Existing programmes").

use super::population::{column_f64, Population};
use crate::error::{Error, Result};
use crate::estimate::measures::HouseholdDesign;
use crate::estimate::stats;
use crate::results::programmes::{
    CoverageGroup, GroupCoverage, Overlap, ProgrammeDecile, ProgrammeResult, ProgrammesResult, Rate,
};
use crate::results::spot::PaidTo;
use crate::spec::{Programme, ProgrammeLevel, Spec};
use crate::survey::Survey;

/// The "vulnerable" line: 1.5 times the national line (the poor and the near-poor).
pub(super) const VULNERABLE_MULTIPLE: f64 = 1.5;

/// One programme as the survey records it.
pub(super) struct ObservedProgramme {
    pub(super) id: String,
    pub(super) per_household: bool,
    pub(super) pension: bool,
    /// Per row: the row receives (for a household programme: its household does).
    pub(super) row_receipt: Vec<bool>,
    /// Per household: the household, or one of its members, receives.
    pub(super) household_receipt: Vec<bool>,
    /// Per household: the monthly transfer received.
    pub(super) monthly: Vec<f64>,
}

/// Every programme, and welfare per capita before their transfers.
pub(super) struct Observed {
    pub(super) programmes: Vec<ObservedProgramme>,
    pub(super) pre_welfare: Vec<f64>,
}

impl Observed {
    pub(super) fn get(&self, id: &str) -> Option<&ObservedProgramme> {
        self.programmes.iter().find(|p| p.id == id)
    }
}

/// Read every `[[programme]]` of the spec from the survey.
pub(super) fn observed(spec: &Spec, survey: &Survey, pop: &Population) -> Result<Observed> {
    let programmes = spec
        .programmes
        .iter()
        .map(|p| observe(p, survey, pop))
        .collect::<Result<Vec<_>>>()?;
    Ok(Observed {
        pre_welfare: pre_transfer(pop, &programmes),
        programmes,
    })
}

/// Welfare minus each household's observed transfers per capita, summed in programme order (a
/// scenario removing every programme in that order gives the same bits).
pub(super) fn pre_transfer(pop: &Population, programmes: &[ObservedProgramme]) -> Vec<f64> {
    (0..pop.welfare.len())
        .map(|h| {
            let total = programmes.iter().fold(0.0, |t, p| t + p.monthly[h]);
            pop.welfare[h] - total / pop.size[h]
        })
        .collect()
}

fn observe(p: &Programme, survey: &Survey, pop: &Population) -> Result<ObservedProgramme> {
    let field = format!("programme '{}'", p.id);
    let parse = |f: &str, text: &str| {
        crate::spec::parse_expr(f, text).map_err(|m| Error::data(survey.context(), m))
    };
    let receipt_field = format!("{field}.receipt");
    let amount_field = format!("{field}.amount");
    let receipt = survey.eval_mask(&receipt_field, parse(&receipt_field, &p.receipt)?)?;
    let amount = survey.eval_f64(&amount_field, parse(&amount_field, &p.amount)?)?;
    let per_household = p.level == ProgrammeLevel::Household;
    let nh = pop.welfare.len();
    let (mut household_receipt, mut monthly) = (vec![false; nh], vec![0.0; nh]);
    for (i, &gets) in receipt.iter().enumerate() {
        if !gets {
            continue;
        }
        let h = pop.household[i];
        let value = amount.get(i).filter(|v| v.is_finite() && *v >= 0.0);
        let value = value.ok_or_else(|| {
            Error::data(
                survey.context(),
                format!(
                    "{amount_field}: data row {} receives the programme but has no amount; expected a non-negative number",
                    i + 1
                ),
            )
        })?;
        // A household amount is the household's (read once); a person amount adds up.
        if !(per_household && household_receipt[h]) {
            monthly[h] += value / p.months_per_amount();
        }
        household_receipt[h] = true;
    }
    let row_receipt = if per_household {
        pop.household
            .iter()
            .map(|&h| household_receipt[h])
            .collect()
    } else {
        receipt
    };
    Ok(ObservedProgramme {
        id: p.id.clone(),
        per_household,
        pension: p.pension,
        row_receipt,
        household_receipt,
        monthly,
    })
}

/// The designs and per-row groups every programme's figures are computed with.
pub(super) struct Frame<'a> {
    pub(super) pop: &'a Population,
    /// Rows (persons) and households as units of the design.
    pub(super) rows: &'a HouseholdDesign<'a>,
    pub(super) households: &'a HouseholdDesign<'a>,
    pub(super) line: f64,
}

/// Per row, the SDG 1.3.1 groups the survey records (in `CoverageGroup` order, older persons
/// apart: their coverage is receipt of a pension).
struct Groups {
    masks: Vec<(CoverageGroup, Vec<bool>)>,
    older: Option<Vec<bool>>,
    pre_poor: Vec<bool>,
    pre_decile: Vec<u8>,
}

fn groups(frame: &Frame, survey: &Survey, pre: &[f64]) -> Result<Groups> {
    let pop = frame.pop;
    let per_row =
        |f: &dyn Fn(usize) -> bool| -> Vec<bool> { pop.household.iter().map(|&h| f(h)).collect() };
    let pre_poor: Vec<bool> = pre.iter().map(|&y| y < frame.line).collect();
    let vulnerable_line = VULNERABLE_MULTIPLE * frame.line;
    let mut masks: Vec<(CoverageGroup, Vec<bool>)> = vec![
        (CoverageGroup::Population, vec![true; pop.household.len()]),
        (CoverageGroup::Poor, per_row(&|h| pre_poor[h])),
        (
            CoverageGroup::Vulnerable,
            per_row(&|h| pre[h] < vulnerable_line),
        ),
    ];
    if let Some(age) = &pop.age {
        masks.push((
            CoverageGroup::Children,
            age.iter().map(|&a| a < 15.0).collect(),
        ));
    }
    for (group, name) in [
        (CoverageGroup::Disability, "disability"),
        (CoverageGroup::Mothers, "recent_birth"),
    ] {
        if survey.frame.column(name).is_ok() {
            let v = column_f64(survey, name)?;
            masks.push((group, v.iter().map(|&x| x == 1.0).collect()));
        }
    }
    Ok(Groups {
        masks,
        older: pop
            .age
            .as_ref()
            .map(|a| a.iter().map(|&x| x >= 65.0).collect()),
        pre_decile: stats::deciles(pre, &pop.persons),
        pre_poor,
    })
}

/// A share of `w` with `hit` among the units `in_domain`, its linearised SE and the domain's
/// unweighted count (an empty domain: zeros).
fn rate(design: &HouseholdDesign, w: &[f64], in_domain: &[bool], hit: &[bool]) -> Rate {
    let (mut n, mut all, mut with) = (0u64, 0.0, 0.0);
    for ((&wi, &d), &x) in w.iter().zip(in_domain).zip(hit) {
        if d {
            n += 1;
            all += wi;
            with += if x { wi } else { 0.0 };
        }
    }
    if n == 0 || all <= 0.0 {
        return Rate {
            value: 0.0,
            se: 0.0,
            n,
        };
    }
    Rate {
        value: with / all,
        se: design.domain_share_se(w, in_domain, hit),
        n,
    }
}

/// What one programme (or all together) is: per household and per row receipt, the monthly
/// transfer, whether it is a pension, its recipients and its admin totals.
struct Receipt<'a> {
    id: String,
    label: Option<String>,
    unit: PaidTo,
    household: Vec<bool>,
    row: Vec<bool>,
    monthly: Vec<f64>,
    /// Per row: receives a pension-type programme (none: no pension programme).
    pension_row: Option<Vec<bool>>,
    spec: Option<&'a Programme>,
}

/// SDG 1.3.1 coverage and targeting of every programme and of all together, and their overlap.
pub(super) fn analyse(
    spec: &Spec,
    survey: &Survey,
    frame: &Frame,
    obs: &Observed,
) -> Result<ProgrammesResult> {
    let g = groups(frame, survey, &obs.pre_welfare)?;
    let pop = frame.pop;
    let mut receipts: Vec<Receipt> = obs
        .programmes
        .iter()
        .zip(&spec.programmes)
        .map(|(o, p)| Receipt {
            id: o.id.clone(),
            label: Some(p.label.clone()),
            unit: if o.per_household {
                PaidTo::Households
            } else {
                PaidTo::Persons
            },
            household: o.household_receipt.clone(),
            row: o.row_receipt.clone(),
            monthly: o.monthly.clone(),
            pension_row: o.pension.then(|| o.row_receipt.clone()),
            spec: Some(p),
        })
        .collect();
    receipts.push(all_programmes(pop, obs));
    let row_poor: Vec<bool> = pop.household.iter().map(|&h| g.pre_poor[h]).collect();
    let everyone = vec![true; pop.household.len()];
    Ok(ProgrammesResult {
        vulnerable_multiple: VULNERABLE_MULTIPLE,
        headcount_pre_transfer: rate(frame.rows, &pop.person_weight, &everyone, &row_poor),
        programmes: receipts.iter().map(|r| programme(frame, &g, r)).collect(),
        overlap: overlap(frame, obs),
    })
}

/// Every programme together: a household receiving any, the sum of their transfers.
fn all_programmes<'a>(pop: &Population, obs: &Observed) -> Receipt<'a> {
    let any = |f: &dyn Fn(&ObservedProgramme) -> &Vec<bool>, n: usize| -> Vec<bool> {
        (0..n)
            .map(|k| obs.programmes.iter().any(|p| f(p)[k]))
            .collect()
    };
    let pensions: Vec<&ObservedProgramme> = obs.programmes.iter().filter(|p| p.pension).collect();
    Receipt {
        id: "all".into(),
        label: None,
        unit: PaidTo::Households,
        household: any(&|p| &p.household_receipt, pop.welfare.len()),
        row: any(&|p| &p.row_receipt, pop.household.len()),
        monthly: (0..pop.welfare.len())
            .map(|h| obs.programmes.iter().fold(0.0, |t, p| t + p.monthly[h]))
            .collect(),
        pension_row: (!pensions.is_empty()).then(|| {
            (0..pop.household.len())
                .map(|i| pensions.iter().any(|p| p.row_receipt[i]))
                .collect()
        }),
        spec: None,
    }
}

fn programme(frame: &Frame, g: &Groups, r: &Receipt) -> ProgrammeResult {
    let pop = frame.pop;
    let (rows, pw) = (frame.rows, &pop.person_weight);
    // Coverage of a person: living in a household that receives.
    let covered: Vec<bool> = pop.household.iter().map(|&h| r.household[h]).collect();
    let mut coverage: Vec<GroupCoverage> = g
        .masks
        .iter()
        .map(|(group, mask)| GroupCoverage {
            group: *group,
            rate: rate(rows, pw, mask, &covered),
        })
        .collect();
    if let (Some(older), Some(pension)) = (&g.older, &r.pension_row) {
        let at = coverage
            .iter()
            .position(|c| matches!(c.group, CoverageGroup::Disability | CoverageGroup::Mothers))
            .unwrap_or(coverage.len());
        coverage.insert(
            at,
            GroupCoverage {
                group: CoverageGroup::OlderPersons,
                rate: rate(rows, pw, older, pension),
            },
        );
    }
    let row_poor: Vec<bool> = pop.household.iter().map(|&h| g.pre_poor[h]).collect();
    let not_poor: Vec<bool> = row_poor.iter().map(|&p| !p).collect();
    let uncovered: Vec<bool> = covered.iter().map(|&c| !c).collect();
    let (recipients, recipients_n) = recipients(pop, r);
    let spending_lcu: f64 = (0..pop.welfare.len())
        .map(|h| pop.hh_weight[h] * r.monthly[h] * 12.0)
        .sum();
    let admin = r.spec;
    let admin_spending_lcu = admin.and_then(|p| p.admin_spending);
    let admin_beneficiaries = admin.and_then(|p| p.admin_beneficiaries);
    ProgrammeResult {
        id: r.id.clone(),
        label: r.label.clone(),
        unit: r.unit,
        recipients,
        recipients_n,
        coverage,
        leakage: rate(rows, pw, &covered, &not_poor),
        undercoverage: rate(rows, pw, &row_poor, &uncovered),
        deciles: deciles(frame, g, r, &covered),
        spending_lcu,
        admin_spending_lcu,
        admin_year: admin.and_then(|p| p.admin_year),
        spending_ratio: admin_spending_lcu.map(|a| spending_lcu / a),
        admin_beneficiaries,
        beneficiaries_ratio: admin_beneficiaries.map(|a| recipients / a),
    }
}

/// Weighted and unweighted recipients in the programme's unit.
fn recipients(pop: &Population, r: &Receipt) -> (f64, u64) {
    match r.unit {
        PaidTo::Households => (
            (0..pop.welfare.len())
                .filter(|&h| r.household[h])
                .map(|h| pop.hh_weight[h])
                .sum(),
            r.household.iter().filter(|&&x| x).count() as u64,
        ),
        PaidTo::Persons => (
            (0..pop.household.len())
                .filter(|&i| r.row[i])
                .map(|i| pop.person_weight[i])
                .sum(),
            r.row.iter().filter(|&&x| x).count() as u64,
        ),
    }
}

/// Spending share (a ratio of household totals, linearised) and coverage of each pre-transfer
/// decile of persons.
fn deciles(frame: &Frame, g: &Groups, r: &Receipt, covered: &[bool]) -> Vec<ProgrammeDecile> {
    let pop = frame.pop;
    let design = frame.households.design;
    let spent: Vec<f64> = (0..pop.welfare.len())
        .map(|h| pop.hh_weight[h] * r.monthly[h])
        .collect();
    let total: f64 = spent.iter().sum();
    (1..=10u8)
        .map(|d| {
            let (mut psu_w, mut psu_wy) = (vec![0.0; design.psus()], vec![0.0; design.psus()]);
            let mut inside = 0.0;
            for (h, &s) in spent.iter().enumerate() {
                let p = frame.households.psu[h] as usize;
                psu_w[p] += s;
                if g.pre_decile[h] == d {
                    psu_wy[p] += s;
                    inside += s;
                }
            }
            let in_decile: Vec<bool> = pop
                .household
                .iter()
                .map(|&h| g.pre_decile[h] == d)
                .collect();
            let positive = total > 0.0;
            ProgrammeDecile {
                decile: d,
                spending_share: if positive { inside / total } else { 0.0 },
                spending_share_se: if positive {
                    design.ratio_se(&psu_w, &psu_wy)
                } else {
                    0.0
                },
                coverage: rate(frame.rows, &pop.person_weight, &in_decile, covered),
            }
        })
        .collect()
}

/// Households receiving each pair of programmes (in spec order).
fn overlap(frame: &Frame, obs: &Observed) -> Vec<Overlap> {
    let pop = frame.pop;
    let all = vec![true; pop.welfare.len()];
    let mut out = Vec::new();
    for (a, first) in obs.programmes.iter().enumerate() {
        for second in &obs.programmes[a + 1..] {
            let both: Vec<bool> = first
                .household_receipt
                .iter()
                .zip(&second.household_receipt)
                .map(|(&x, &y)| x && y)
                .collect();
            out.push(Overlap {
                first: first.id.clone(),
                second: second.id.clone(),
                households: (0..both.len())
                    .filter(|&h| both[h])
                    .map(|h| pop.hh_weight[h])
                    .sum(),
                share: rate(frame.households, &pop.hh_weight, &all, &both),
                share_of_first: rate(
                    frame.households,
                    &pop.hh_weight,
                    &first.household_receipt,
                    &both,
                ),
            });
        }
    }
    out
}
