//! The existing programmes' annex tables: SDG 1.3.1 coverage by group, targeting, spending and
//! beneficiaries against the administrative totals (`programmes.csv`), incidence and coverage by
//! pre-transfer decile (`programme_incidence.csv`), and households receiving two programmes
//! (`programme_overlap.csv`).

use super::Kind::{Money, People, Proportion as P, Ratio};
use super::{count, int, num, opt, s, Cell, Table};
use crate::results::programmes::{ProgrammesResult, Rate};
use crate::results::spot::SpotResult;

pub(super) fn tables(spot: &SpotResult) -> Vec<Table> {
    let Some(p) = &spot.programmes else {
        return Vec::new();
    };
    vec![
        coverage(&spot.wave, p),
        incidence(&spot.wave, p),
        overlap(&spot.wave, p),
    ]
}

fn rate_cells(r: &Rate) -> [Cell; 5] {
    let (lo, hi) = crate::estimate::variance::ci95(r.value, r.se);
    [
        num(r.value, P),
        num(r.se, P),
        num(lo, P),
        num(hi, P),
        count(r.n),
    ]
}

/// One row per programme and measure: coverage of each group, leakage, undercoverage.
fn coverage(wave: &str, p: &ProgrammesResult) -> Table {
    let mut t = Table::new(
        "programmes.csv",
        &[
            "wave",
            "programme",
            "label",
            "measure",
            "value",
            "se",
            "ci_low",
            "ci_high",
            "n",
            "recipients",
            "recipients_unit",
            "spending_lcu",
            "admin_spending_lcu",
            "admin_year",
            "spending_ratio",
            "admin_beneficiaries",
            "beneficiaries_ratio",
        ],
    );
    for r in &p.programmes {
        let unit = serde_json::to_value(r.unit).ok();
        let unit = unit.as_ref().and_then(|u| u.as_str()).unwrap_or("");
        let mut measures: Vec<(String, &Rate)> = r
            .coverage
            .iter()
            .map(|c| (format!("coverage_{}", group_key(c.group)), &c.rate))
            .collect();
        measures.push(("leakage".into(), &r.leakage));
        measures.push(("undercoverage".into(), &r.undercoverage));
        for (k, (measure, rate)) in measures.iter().enumerate() {
            let mut row = vec![
                s(wave),
                s(&r.id),
                s(r.label.as_deref().unwrap_or("")),
                s(measure),
            ];
            row.extend(rate_cells(rate));
            // The programme's totals once, on its first row.
            if k == 0 {
                row.extend([
                    num(r.recipients, People),
                    s(unit),
                    num(r.spending_lcu, Money),
                    opt(r.admin_spending_lcu, Money),
                    r.admin_year.map_or(Cell::Empty, int),
                    opt(r.spending_ratio, Ratio),
                    opt(r.admin_beneficiaries, People),
                    opt(r.beneficiaries_ratio, Ratio),
                ]);
            } else {
                row.extend(std::iter::repeat_n(Cell::Empty, 8));
            }
            t.push(row);
        }
    }
    t
}

/// The group's key as in results.json (`children`, `older_persons`, ...).
fn group_key(g: crate::results::programmes::CoverageGroup) -> String {
    serde_json::to_value(g)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn incidence(wave: &str, p: &ProgrammesResult) -> Table {
    let mut t = Table::new(
        "programme_incidence.csv",
        &[
            "wave",
            "programme",
            "decile",
            "spending_share",
            "spending_share_se",
            "coverage",
            "coverage_se",
            "coverage_ci_low",
            "coverage_ci_high",
            "n",
        ],
    );
    for r in &p.programmes {
        for d in &r.deciles {
            let mut row = vec![
                s(wave),
                s(&r.id),
                int(d.decile),
                num(d.spending_share, P),
                num(d.spending_share_se, P),
            ];
            row.extend(rate_cells(&d.coverage));
            t.push(row);
        }
    }
    t
}

fn overlap(wave: &str, p: &ProgrammesResult) -> Table {
    let mut t = Table::new(
        "programme_overlap.csv",
        &[
            "wave",
            "first",
            "second",
            "households",
            "share",
            "share_se",
            "share_ci_low",
            "share_ci_high",
            "n",
            "share_of_first",
            "share_of_first_se",
        ],
    );
    for o in &p.overlap {
        let mut row = vec![
            s(wave),
            s(&o.first),
            s(&o.second),
            num(o.households, People),
        ];
        row.extend(rate_cells(&o.share));
        row.extend([num(o.share_of_first.value, P), num(o.share_of_first.se, P)]);
        t.push(row);
    }
    t
}
