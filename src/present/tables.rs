//! The statistical annex as data: every estimate the brief prints, with its population, unweighted
//! n and, where the method gives one, standard error and 95% confidence interval, one CSV file per
//! table in `tables/`. Numbers are written in full precision with a dot decimal mark whatever the
//! brief's language, so the files can be read back by any tool.

use std::fmt::Write as _;

use serde::Serialize;

use super::charts::csv_field;
use super::words::Words;
use crate::error::Result;
use crate::estimate::measures::Distribution;
use crate::results::lnob::{Flag, Inequality, Leaf};
use crate::results::{Progress, Results};

/// One annex table: its file name (in `tables/`) and its rows. Its title, in the brief's
/// language, is in the strings files under `[tables]`, keyed by the file stem.
pub struct Table {
    pub file: &'static str,
    header: &'static [&'static str],
    rows: Vec<Vec<String>>,
}

/// A table as the brief's annex lists it.
#[derive(Debug, Clone, Serialize)]
pub struct TableFile {
    pub path: String,
    /// The file stem: the key of the table's title in the strings file (`[tables]`).
    pub key: String,
    pub rows: usize,
    pub sha256: String,
}

impl Table {
    fn new(file: &'static str, header: &'static [&'static str]) -> Self {
        Table {
            file,
            header,
            rows: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.header.len(), "{}", self.file);
        self.rows.push(row);
    }

    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    pub fn to_csv(&self) -> String {
        let mut out = self.header.join(",");
        out.push('\n');
        for row in &self.rows {
            let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
            let _ = writeln!(out, "{}", fields.join(","));
        }
        out
    }
}

fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

fn opt(x: Option<f64>) -> String {
    x.map(num).unwrap_or_default()
}

/// A text cell. Text that a spreadsheet would read as a formula (starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return) is prefixed with `'`, as OWASP recommends against CSV
/// injection; numbers are written by `num` and never pass here.
fn s(x: &str) -> String {
    text_cell(x)
}

pub fn text_cell(x: &str) -> String {
    if x.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{x}")
    } else {
        x.to_string()
    }
}

/// All annex tables of a brief, in the order the annex lists them.
pub fn build(results: &Results, words: &Words) -> Result<Vec<Table>> {
    let mut tables = vec![
        indicators(results, words)?,
        inequality(results),
        shapley(results),
        leaves(results, words)?,
        regions(results, words)?,
        progress(results),
    ];
    if let Some(spot) = &results.spot {
        let mut scen = Table::new(
            "scenarios.csv",
            &[
                "wave",
                "scenario",
                "label",
                "headcount_national",
                "headcount_national_se",
                "headcount_reduction",
                "headcount_reduction_se",
                "gini",
                "gini_se",
                "palma",
                "palma_se",
                "theil",
                "bottom40_share",
                "s80s20",
                "mean_welfare",
                "cost_lcu",
                "cost_pct_gdp",
                "cost_pct_revenue",
                "direct_recipients",
                "people_in_recipient_households",
                "share_to_poor",
                "gap_closed_per_lcu",
            ],
        );
        let mut lines = Table::new(
            "poverty_lines.csv",
            &[
                "wave",
                "scenario",
                "line",
                "monthly_lcu",
                "headcount",
                "headcount_se",
                "gap",
                "gap_se",
                "severity",
            ],
        );
        let mut deciles = Table::new(
            "deciles.csv",
            &[
                "wave",
                "scenario",
                "decile",
                "population_share",
                "mean_before",
                "mean_after",
                "change_pct",
                "coverage",
                "benefit_share",
            ],
        );
        let mut areas = Table::new(
            "areas.csv",
            &[
                "wave",
                "scenario",
                "area",
                "population_share",
                "headcount_before",
                "headcount_after",
                "coverage",
            ],
        );
        let mut reach = Table::new(
            "reach.csv",
            &[
                "wave",
                "scenario",
                "group_id",
                "indicator",
                "group",
                "coverage",
                "gain_pct",
                "headcount_before",
                "headcount_after",
            ],
        );
        let mut not_poor = Table::new(
            "not_poor.csv",
            &[
                "wave",
                "scenario",
                "not_poor_rate",
                "d",
                "d_se",
                "hoi",
                "hoi_se",
            ],
        );
        let mut projection = Table::new(
            "projection.csv",
            &[
                "scenario",
                "year",
                "beneficiaries",
                "cost_lcu",
                "gdp_lcu",
                "cost_pct_gdp",
            ],
        );
        let base_reduction = spot.baseline.poverty.first().map(|f| f.headcount);
        let line_labels = spot
            .lines
            .iter()
            .map(|l| words.poverty_line(l))
            .collect::<Result<Vec<_>>>()?;
        // One row of Table 5 and its rows of Table 6; `reduction` and `cost` are blank for the
        // baseline.
        let mut scenario_row =
            |id: &str, label: &str, d: &Distribution, reduction: [String; 2], cost: [String; 7]| {
                let national = d.poverty.first();
                let mut row = vec![
                    s(&spot.wave),
                    s(id),
                    s(label),
                    opt(national.map(|f| f.headcount)),
                    opt(national.map(|f| f.headcount_se)),
                ];
                row.extend(reduction);
                row.extend([
                    num(d.gini),
                    opt(d.gini_se),
                    num(d.palma),
                    opt(d.palma_se),
                    num(d.theil),
                    num(d.bottom40_share),
                    num(d.s80s20),
                    num(d.mean_welfare),
                ]);
                row.extend(cost);
                scen.push(row);
                for ((line, label), fgt) in spot.lines.iter().zip(&line_labels).zip(&d.poverty) {
                    lines.push(vec![
                        s(&spot.wave),
                        s(id),
                        s(label),
                        num(line.monthly_lcu),
                        num(fgt.headcount),
                        num(fgt.headcount_se),
                        num(fgt.gap),
                        num(fgt.gap_se),
                        num(fgt.severity),
                    ]);
                }
            };
        scenario_row(
            "baseline",
            "Before transfers",
            &spot.baseline,
            Default::default(),
            Default::default(),
        );
        for sc in &spot.scenarios {
            let reduction = base_reduction
                .zip(sc.after.poverty.first())
                .map(|(b, a)| b - a.headcount);
            scenario_row(
                &sc.id,
                &sc.label,
                &sc.after,
                [opt(reduction), opt(sc.headcount_reduction_se)],
                [
                    num(sc.cost_lcu),
                    num(sc.cost_pct_gdp),
                    num(sc.cost_pct_revenue),
                    num(sc.direct_recipients),
                    num(sc.people_in_recipient_households),
                    num(sc.share_to_poor),
                    num(sc.gap_closed_per_lcu),
                ],
            );
        }
        let decile_rows = |t: &mut Table, id: &str, rows: &[crate::results::spot::DecileRow]| {
            for r in rows {
                t.push(vec![
                    s(&spot.wave),
                    s(id),
                    r.decile.to_string(),
                    num(r.population_share),
                    num(r.mean_before),
                    num(r.mean_after),
                    num(r.change_pct),
                    num(r.coverage),
                    num(r.benefit_share),
                ]);
            }
        };
        decile_rows(&mut deciles, "baseline", &spot.baseline_deciles);
        let area_rows = |t: &mut Table, id: &str, rows: &[crate::results::spot::AreaRow]| {
            for r in rows {
                t.push(vec![
                    s(&spot.wave),
                    s(id),
                    s(&r.area),
                    num(r.population_share),
                    num(r.headcount_before),
                    num(r.headcount_after),
                    num(r.coverage),
                ]);
            }
        };
        area_rows(&mut areas, "baseline", &spot.baseline_areas);
        let not_poor_row = |t: &mut Table, id: &str, ineq: &Inequality| {
            t.push(vec![
                s(&spot.wave),
                s(id),
                num(ineq.opportunity_rate),
                num(ineq.d),
                opt(ineq.d_se),
                num(ineq.hoi),
                opt(ineq.hoi_se),
            ]);
        };
        if let Some(ineq) = &spot.not_poor_baseline {
            not_poor_row(&mut not_poor, "baseline", ineq);
        }
        for sc in &spot.scenarios {
            decile_rows(&mut deciles, &sc.id, &sc.deciles);
            area_rows(&mut areas, &sc.id, &sc.areas);
            if let Some(ineq) = &sc.not_poor {
                not_poor_row(&mut not_poor, &sc.id, ineq);
            }
            for g in &sc.reach {
                reach.push(vec![
                    s(&spot.wave),
                    s(&sc.id),
                    s(&g.id),
                    s(g.indicator.as_deref().unwrap_or_default()),
                    s(&reach_group(words, g)?),
                    num(g.coverage),
                    num(g.gain_pct),
                    num(g.headcount_before),
                    num(g.headcount_after),
                ]);
            }
            for y in &sc.projection {
                projection.push(vec![
                    s(&sc.id),
                    y.year.to_string(),
                    num(y.beneficiaries),
                    num(y.cost_lcu),
                    num(y.gdp_lcu),
                    num(y.cost_pct_gdp),
                ]);
            }
        }
        tables.extend([scen, lines, deciles, areas, reach]);
        if !not_poor.rows.is_empty() {
            tables.push(not_poor);
        }
        tables.push(projection);
    }
    Ok(tables)
}

/// Table A1: every indicator rate, overall and by circumstance group, every wave.
/// Whom a scenario's reach row follows, in words: an indicator's furthest-behind group, the
/// bottom 40% or an area's population.
fn reach_group(words: &Words, g: &crate::results::spot::GroupReach) -> Result<String> {
    match (&g.group, &g.area) {
        (Some(group), _) => words.group(group),
        (None, Some(area)) => words.area_population(area),
        (None, None) => words.bottom40(),
    }
}

/// A flag in words, or an empty cell.
fn flag_text(words: &Words, flag: &Option<Flag>) -> Result<String> {
    Ok(match flag {
        Some(f) => words.flag(f)?,
        None => String::new(),
    })
}

fn indicators(results: &Results, words: &Words) -> Result<Table> {
    let mut t = Table::new(
        "indicators.csv",
        &[
            "wave",
            "indicator",
            "sdg",
            "unit",
            "circumstance",
            "group",
            "population_n",
            "n",
            "weight_share",
            "rate",
            "se",
            "ci_low",
            "ci_high",
            "flag",
        ],
    );
    for w in &results.waves {
        for ind in &w.indicators {
            // Clipped to [0, 1] like every group's interval in results.json.
            let ci = crate::estimate::variance::rate_ci(ind.rate, ind.rate_se);
            t.push(vec![
                s(&w.id),
                s(&ind.id),
                s(&ind.sdg),
                format!("{:?}", ind.unit).to_lowercase(),
                s("all"),
                s("all"),
                ind.population_n.to_string(),
                ind.n.to_string(),
                s("1"),
                num(ind.rate),
                num(ind.rate_se),
                num(ci.0),
                num(ci.1),
                flag_text(words, &ind.flag)?,
            ]);
            for c in &ind.by_circumstance {
                for g in &c.groups {
                    t.push(vec![
                        s(&w.id),
                        s(&ind.id),
                        s(&ind.sdg),
                        format!("{:?}", ind.unit).to_lowercase(),
                        s(&c.circumstance),
                        s(&g.label),
                        String::new(),
                        g.n.to_string(),
                        num(g.weight_share),
                        num(g.rate),
                        num(g.se),
                        num(g.ci.0),
                        num(g.ci.1),
                        flag_text(words, &g.flag)?,
                    ]);
                }
            }
        }
    }
    Ok(t)
}

/// Table 3: D-index and HOI with bootstrap SEs (and the logit D where computed).
fn inequality(results: &Results) -> Table {
    let mut t = Table::new(
        "inequality.csv",
        &[
            "wave",
            "indicator",
            "sdg",
            "n",
            "opportunity_rate",
            "d",
            "d_se",
            "d_ci_low",
            "d_ci_high",
            "hoi",
            "hoi_se",
            "hoi_ci_low",
            "hoi_ci_high",
            "d_logit",
        ],
    );
    for w in &results.waves {
        for ind in &w.indicators {
            let q = &ind.inequality;
            let ci = |x: f64, se: Option<f64>| match se {
                Some(se) => {
                    let (lo, hi) = crate::estimate::variance::ci95(x, se);
                    (num(lo), num(hi))
                }
                None => (String::new(), String::new()),
            };
            let (dl, dh) = ci(q.d, q.d_se);
            let (hl, hh) = ci(q.hoi, q.hoi_se);
            t.push(vec![
                s(&w.id),
                s(&ind.id),
                s(&ind.sdg),
                ind.n.to_string(),
                num(q.opportunity_rate),
                num(q.d),
                opt(q.d_se),
                dl,
                dh,
                num(q.hoi),
                opt(q.hoi_se),
                hl,
                hh,
                opt(q.world_bank_d),
            ]);
        }
    }
    t
}

/// Shapley parts of D by circumstance.
fn shapley(results: &Results) -> Table {
    let mut t = Table::new(
        "shapley.csv",
        &["wave", "indicator", "circumstance", "value", "share", "se"],
    );
    for w in &results.waves {
        for ind in &w.indicators {
            for p in &ind.inequality.shapley {
                t.push(vec![
                    s(&w.id),
                    s(&ind.id),
                    s(&p.circumstance),
                    num(p.value),
                    num(p.share),
                    opt(p.se),
                ]);
            }
        }
    }
    t
}

fn leaf_row(
    wave: &str,
    indicator: &str,
    leaf: &Leaf,
    role: &str,
    words: &Words,
) -> Result<Vec<String>> {
    let ci = crate::estimate::variance::rate_ci(leaf.rate, leaf.se);
    Ok(vec![
        s(wave),
        s(indicator),
        leaf.node.to_string(),
        s(&words.group(&leaf.group)?),
        s(role),
        leaf.n.to_string(),
        num(leaf.weight_share),
        num(leaf.rate),
        num(leaf.se),
        num(ci.0),
        num(ci.1),
        flag_text(words, &leaf.flag)?,
    ])
}

/// Every tree leaf (the groups of the LNOB section), furthest behind and ahead marked.
fn leaves(results: &Results, words: &Words) -> Result<Table> {
    let mut t = Table::new(
        "tree_leaves.csv",
        &[
            "wave",
            "indicator",
            "node",
            "group",
            "role",
            "n",
            "weight_share",
            "rate",
            "se",
            "ci_low",
            "ci_high",
            "flag",
        ],
    );
    for w in &results.waves {
        for ind in &w.indicators {
            let behind = ind.tree.furthest_behind.as_ref().map(|l| l.node);
            let ahead = ind.tree.furthest_ahead.as_ref().map(|l| l.node);
            for leaf in &ind.tree.leaves {
                let role = if Some(leaf.node) == behind {
                    "furthest behind"
                } else if Some(leaf.node) == ahead {
                    "furthest ahead"
                } else {
                    ""
                };
                t.push(leaf_row(&w.id, &ind.id, leaf, role, words)?);
            }
        }
    }
    Ok(t)
}

/// Sub-national results: rate, D and the furthest-behind group per region.
fn regions(results: &Results, words: &Words) -> Result<Table> {
    let mut t = Table::new(
        "regions.csv",
        &[
            "wave",
            "indicator",
            "region",
            "n",
            "weight_share",
            "rate",
            "d",
            "hoi",
            "furthest_behind",
            "furthest_behind_n",
            "furthest_behind_rate",
        ],
    );
    for w in &results.waves {
        for ind in &w.indicators {
            for r in &ind.regions {
                let fb = r.furthest_behind.as_ref();
                t.push(vec![
                    s(&w.id),
                    s(&ind.id),
                    s(&r.region),
                    r.n.to_string(),
                    num(r.weight_share),
                    num(r.rate),
                    num(r.inequality.d),
                    num(r.inequality.hoi),
                    match fb {
                        Some(l) => s(&words.group(&l.group)?),
                        None => String::new(),
                    },
                    fb.map(|l| l.n.to_string()).unwrap_or_default(),
                    fb.map(|l| num(l.rate)).unwrap_or_default(),
                ]);
            }
        }
    }
    Ok(t)
}

/// Table 4: change between the first and the latest wave, with SE, CI and significance.
fn progress(results: &Results) -> Table {
    let mut t = Table::new(
        "progress.csv",
        &[
            "indicator",
            "sdg",
            "wave_first",
            "rate_first",
            "se_first",
            "wave_latest",
            "rate_latest",
            "se_latest",
            "change",
            "change_se",
            "change_ci_low",
            "change_ci_high",
            "significant",
        ],
    );
    let mut row = |p: &Progress| {
        let (first, latest) = (p.rates.first(), p.rates.last());
        t.push(vec![
            s(&p.indicator),
            s(&p.sdg),
            first.map(|r| r.wave.clone()).unwrap_or_default(),
            opt(first.map(|r| r.rate)),
            opt(first.map(|r| r.se)),
            latest.map(|r| r.wave.clone()).unwrap_or_default(),
            opt(latest.map(|r| r.rate)),
            opt(latest.map(|r| r.se)),
            num(p.change),
            num(p.change_se),
            num(p.change_ci.0),
            num(p.change_ci.1),
            p.significant.to_string(),
        ]);
    };
    for p in &results.summary.progress {
        row(p);
    }
    if let Some(p) = &results.summary.poverty {
        row(p);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_fields_and_blanks_non_finite_numbers() {
        let mut t = Table::new("x.csv", &["a", "b"]);
        t.push(vec![s("Poorest 20%, rural"), num(f64::NAN)]);
        t.push(vec![s("say \"hi\""), num(0.25)]);
        assert_eq!(
            t.to_csv(),
            "a,b\n\"Poorest 20%, rural\",\n\"say \"\"hi\"\"\",0.25\n"
        );
        assert_eq!(t.rows(), 2);
    }
}
