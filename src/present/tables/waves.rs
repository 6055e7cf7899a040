//! The annex tables of the indicators, wave by wave: rates by group (A1), inequality of
//! opportunity and its Shapley parts, tree leaves and regions; and progress between the first
//! and the latest wave.

use super::{count, int, num, opt, s, Cell, Kind, Table};
use crate::error::Result;
use crate::present::words::Words;
use crate::results::lnob::{Flag, Leaf, RegionResult};
use crate::results::{GroupRelation, Progress, Results};
use crate::spec::EstimateUnit;

use Kind::{Index, Proportion as P};

/// A flag in words, or an empty cell.
fn flag_text(words: &Words, flag: &Option<Flag>) -> Result<Cell> {
    Ok(match flag {
        Some(f) => Cell::Text(words.flag(f)?),
        None => Cell::Empty,
    })
}

/// The unit of an indicator's estimate as the spec and results.json name it.
fn unit_name(unit: EstimateUnit) -> &'static str {
    match unit {
        EstimateUnit::Households => "households",
        EstimateUnit::Persons => "persons",
    }
}

/// Table A1: every indicator rate, overall and by circumstance group, every wave.
pub(super) fn indicators(results: &Results, words: &Words) -> Result<Table> {
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
            // The logit interval (Clopper–Pearson at 0 or 1), as every group's in results.json.
            let ci = crate::estimate::variance::proportion_ci(ind.rate, ind.rate_se, ind.n);
            t.push(vec![
                s(&w.id),
                s(&ind.id),
                s(&ind.sdg),
                s(unit_name(ind.unit)),
                s("all"),
                s("all"),
                count(ind.population_n),
                count(ind.n),
                num(1.0, P),
                num(ind.rate, P),
                num(ind.rate_se, P),
                num(ci.0, P),
                num(ci.1, P),
                flag_text(words, &ind.flag)?,
            ]);
            for c in &ind.by_circumstance {
                for g in &c.groups {
                    t.push(vec![
                        s(&w.id),
                        s(&ind.id),
                        s(&ind.sdg),
                        s(unit_name(ind.unit)),
                        s(&c.circumstance),
                        s(&g.label),
                        Cell::Empty,
                        count(g.n),
                        num(g.weight_share, P),
                        num(g.rate, P),
                        num(g.se, P),
                        num(g.ci.0, P),
                        num(g.ci.1, P),
                        flag_text(words, &g.flag)?,
                    ]);
                }
            }
        }
    }
    Ok(t)
}

/// Table 1: D-index and HOI with bootstrap SEs (and the logit D where computed).
pub(super) fn inequality(results: &Results) -> Table {
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
            let ci = |x: f64, se: Option<f64>, kind| match se {
                Some(se) => {
                    let (lo, hi) = crate::estimate::variance::ci95(x, se);
                    (num(lo, kind), num(hi, kind))
                }
                None => (Cell::Empty, Cell::Empty),
            };
            let (dl, dh) = ci(q.d, q.d_se, Index);
            let (hl, hh) = ci(q.hoi, q.hoi_se, P);
            t.push(vec![
                s(&w.id),
                s(&ind.id),
                s(&ind.sdg),
                count(ind.n),
                num(q.opportunity_rate, P),
                num(q.d, Index),
                opt(q.d_se, Index),
                dl,
                dh,
                num(q.hoi, P),
                opt(q.hoi_se, P),
                hl,
                hh,
                opt(q.world_bank_d, Index),
            ]);
        }
    }
    t
}

/// Shapley parts of D by circumstance.
pub(super) fn shapley(results: &Results) -> Table {
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
                    num(p.value, Index),
                    num(p.share, P),
                    opt(p.se, Index),
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
) -> Result<Vec<Cell>> {
    let ci = crate::estimate::variance::proportion_ci(leaf.rate, leaf.se, leaf.n);
    Ok(vec![
        s(wave),
        s(indicator),
        count(leaf.node),
        s(&words.group(&leaf.group)?),
        if role.is_empty() {
            Cell::Empty
        } else {
            s(role)
        },
        count(leaf.n),
        num(leaf.weight_share, P),
        num(leaf.rate, P),
        num(leaf.se, P),
        num(ci.0, P),
        num(ci.1, P),
        flag_text(words, &leaf.flag)?,
    ])
}

/// Every tree leaf (the groups of the LNOB section), furthest behind and ahead marked.
pub(super) fn leaves(results: &Results, words: &Words) -> Result<Table> {
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

/// Sub-national results: rate with SE, interval and flag, D with its SE, and the furthest-behind
/// group per region (or why there is none).
pub(super) fn regions(results: &Results, words: &Words) -> Result<Table> {
    let mut t = Table::new(
        "regions.csv",
        &[
            "wave",
            "indicator",
            "region",
            "n",
            "weight_share",
            "rate",
            "se",
            "ci_low",
            "ci_high",
            "flag",
            "d",
            "d_se",
            "hoi",
            "furthest_behind",
            "furthest_behind_n",
            "furthest_behind_rate",
            "furthest_behind_se",
            "furthest_behind_flag",
            "no_group",
        ],
    );
    for w in &results.waves {
        for ind in &w.indicators {
            for r in &ind.regions {
                let mut row = vec![s(&w.id), s(&ind.id)];
                row.extend(region_row(r, words)?);
                t.push(row);
            }
        }
    }
    Ok(t)
}

/// One region's cells of `regions.csv`, from the region's name on.
fn region_row(r: &RegionResult, words: &Words) -> Result<Vec<Cell>> {
    let fb = r.furthest_behind.as_ref();
    Ok(vec![
        s(&r.region),
        count(r.n),
        num(r.weight_share, P),
        num(r.rate, P),
        num(r.rate_se, P),
        num(r.ci.0, P),
        num(r.ci.1, P),
        flag_text(words, &r.flag)?,
        num(r.inequality.d, Index),
        opt(r.inequality.d_se, Index),
        num(r.inequality.hoi, P),
        match fb {
            Some(l) => s(&words.group(&l.group)?),
            None => Cell::Empty,
        },
        fb.map_or(Cell::Empty, |l| count(l.n)),
        opt(fb.map(|l| l.rate), P),
        opt(fb.map(|l| l.se), P),
        match fb {
            Some(l) => flag_text(words, &l.flag)?,
            None => Cell::Empty,
        },
        match &r.no_group {
            Some(reason) => s(&words.no_regional_group(reason)?),
            None => Cell::Empty,
        },
    ])
}

/// The relation of two waves' furthest-behind groups as results.json writes it.
fn relation_code(relation: GroupRelation) -> &'static str {
    match relation {
        GroupRelation::Same => "same",
        GroupRelation::Narrowed => "narrowed",
        GroupRelation::Widened => "widened",
        GroupRelation::Overlapping => "overlapping",
        GroupRelation::Disjoint => "disjoint",
    }
}

/// SDG 10.1.1: the mean and the bottom 40%'s mean in the first and latest waves, their
/// annualised growth, and the difference of the two growth rates (none with one wave).
pub(super) fn shared_prosperity(results: &Results) -> Option<Table> {
    let sp = results.summary.shared_prosperity.as_ref()?;
    let by_wave = &results.summary.welfare_by_wave;
    let (first, latest) = (by_wave.first()?, by_wave.last()?);
    let mut t = Table::new(
        "shared_prosperity.csv",
        &[
            "series",
            "wave_first",
            "mean_first",
            "mean_first_se",
            "wave_latest",
            "mean_latest",
            "mean_latest_se",
            "years",
            "annual_growth",
            "annual_growth_se",
            "annual_growth_ci_low",
            "annual_growth_ci_high",
            "significant",
        ],
    );
    let growth = |g: &crate::results::Growth| {
        [
            int(i64::from(sp.years)),
            num(g.rate, P),
            num(g.se, P),
            num(g.ci.0, P),
            num(g.ci.1, P),
        ]
    };
    for (series, g, means) in [
        (
            "mean",
            &sp.mean_growth,
            Some([first.mean, first.mean_se, latest.mean, latest.mean_se]),
        ),
        (
            "bottom40",
            &sp.bottom40_growth,
            Some([
                first.bottom40_mean,
                first.bottom40_mean_se,
                latest.bottom40_mean,
                latest.bottom40_mean_se,
            ]),
        ),
        ("premium", &sp.premium, None),
    ] {
        let m = |k: usize| opt(means.map(|v| v[k]), Kind::Money);
        let mut row = vec![
            s(series),
            s(&sp.from_wave),
            m(0),
            m(1),
            s(&sp.to_wave),
            m(2),
            m(3),
        ];
        row.extend(growth(g));
        row.push(if series == "premium" {
            Cell::Bool(sp.premium_significant)
        } else {
            Cell::Empty
        });
        t.push(row);
    }
    Some(t)
}

/// The latest wave's HOI change of an indicator, decomposed (empty cells when there is none).
fn hoi_change_cells(results: &Results, indicator: &str) -> [Cell; 8] {
    let latest = results.waves.last().and_then(|w| {
        w.indicators
            .iter()
            .find(|i| i.id == indicator)
            .and_then(|i| Some((i.hoi_change.as_ref()?, i.inequality.hoi)))
    });
    let Some((h, hoi)) = latest else {
        return Default::default();
    };
    [
        num(h.first_hoi, P),
        num(hoi, P),
        num(h.change, P),
        opt(h.change_se, P),
        num(h.scale, P),
        opt(h.scale_se, P),
        num(h.equalisation, P),
        opt(h.equalisation_se, P),
    ]
}

/// Table 2: change between the first and the latest wave, with SE, CI and significance, the
/// test of a change of furthest-behind group (the first wave's group in the latest wave), and
/// the HOI change split into scale and equalisation.
pub(super) fn progress(results: &Results) -> Table {
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
            "behind_relation",
            "behind_earlier_rate_latest",
            "behind_earlier_se_latest",
            "behind_difference",
            "behind_difference_se",
            "behind_difference_ci_low",
            "behind_difference_ci_high",
            "behind_significant",
            "hoi_first",
            "hoi_latest",
            "hoi_change",
            "hoi_change_se",
            "hoi_scale",
            "hoi_scale_se",
            "hoi_equalisation",
            "hoi_equalisation_se",
        ],
    );
    let mut row = |p: &Progress| {
        let (first, latest) = (p.rates.first(), p.rates.last());
        let wave = |r: Option<&crate::results::WaveRate>| r.map_or(Cell::Empty, |r| s(&r.wave));
        let mut cells = vec![
            s(&p.indicator),
            s(&p.sdg),
            wave(first),
            opt(first.map(|r| r.rate), P),
            opt(first.map(|r| r.se), P),
            wave(latest),
            opt(latest.map(|r| r.rate), P),
            opt(latest.map(|r| r.se), P),
            num(p.change, P),
            num(p.change_se, P),
            num(p.change_ci.0, P),
            num(p.change_ci.1, P),
            Cell::Bool(p.significant),
        ];
        let test = p.furthest_behind_test.as_ref();
        cells.extend([
            p.furthest_behind_relation
                .map_or(Cell::Empty, |r| s(relation_code(r))),
            opt(test.map(|x| x.earlier_rate), P),
            opt(test.map(|x| x.earlier_se), P),
            opt(test.map(|x| x.difference), P),
            opt(test.map(|x| x.difference_se), P),
            opt(test.map(|x| x.difference_ci.0), P),
            opt(test.map(|x| x.difference_ci.1), P),
            test.map_or(Cell::Empty, |x| Cell::Bool(x.significant)),
        ]);
        cells.extend(hoi_change_cells(results, &p.indicator));
        t.push(cells);
    };
    for p in &results.summary.progress {
        row(p);
    }
    if let Some(p) = &results.summary.poverty {
        row(p);
    }
    t
}
