//! The SDG reporting-platform files: every indicator's estimates, overall and by circumstance,
//! as SDMX-CSV in the SDG global data structure (`sdmx`) and as Open SDG data files
//! (`opensdg`), with `sdg/omitted.csv` listing what either leaves out and why. Read from the
//! results only (their `sdg_export` coding), so a re-render writes the same bytes.

use crate::error::{Error, Result};
use crate::results::lnob::{CircumstanceRates, Flag, GroupRate, IndicatorResult};
use crate::results::Results;
use crate::spec::sdmx::{SdgCircumstance, SdgIndicator, Uncoded};
use crate::spec::{Format, SmallCells};

mod opensdg;
mod sdmx;

pub use sdmx::HEADER as SDMX_HEADER;

/// Decimal places of every published percentage (values, bounds, SEs).
pub const DECIMALS: usize = 2;

/// A proportion (0–1) as a percentage with `DECIMALS` places.
fn pct(x: f64) -> String {
    format!("{:.*}", DECIMALS, 100.0 * x)
}

/// How a cell is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// OBS_STATUS A.
    Normal,
    /// OBS_STATUS U: too few records (under `"flag"`) or a CV above the maximum.
    LowReliability,
    /// Left out: too few records under `"suppress"`.
    Suppressed,
}

/// The small-cell rule on an estimate's reliability flag: the flag `uncertainty.min_n` already
/// decided, never a second threshold.
fn status(flag: &Option<Flag>, rule: SmallCells) -> Status {
    match (flag, rule) {
        (None, _) => Status::Normal,
        (Some(Flag::FewRecords { .. }), SmallCells::Suppress) => Status::Suppressed,
        (Some(_), _) => Status::LowReliability,
    }
}

/// One published estimate: an indicator in a wave, for everyone or for one level.
struct Estimate<'a> {
    year: i32,
    wave: &'a str,
    indicator: &'a IndicatorResult,
    group: Option<(&'a CircumstanceRates, &'a GroupRate)>,
    rate: f64,
    se: f64,
    ci: (f64, f64),
    n: u64,
    flag: &'a Option<Flag>,
}

/// Every estimate of an indicator, wave by wave (oldest first): the overall rate, then each
/// level of each circumstance.
fn estimates<'a>(results: &'a Results, id: &str) -> Vec<Estimate<'a>> {
    let mut out = Vec::new();
    for w in &results.waves {
        let Some(ind) = w.indicators.iter().find(|i| i.id == id) else {
            continue;
        };
        out.push(Estimate {
            year: w.year,
            wave: &w.id,
            indicator: ind,
            group: None,
            rate: ind.rate,
            se: ind.rate_se,
            ci: crate::estimate::variance::proportion_ci(ind.rate, ind.rate_se, ind.n),
            n: ind.n,
            flag: &ind.flag,
        });
        for c in &ind.by_circumstance {
            out.extend(c.groups.iter().map(|g| Estimate {
                year: w.year,
                wave: &w.id,
                indicator: ind,
                group: Some((c, g)),
                rate: g.rate,
                se: g.se,
                ci: g.ci,
                n: g.n,
                flag: &g.flag,
            }));
        }
    }
    out
}

/// The indicators of the results, in spec order (the latest wave's, then any only earlier).
fn indicator_ids(results: &Results) -> Vec<&str> {
    let mut ids: Vec<&str> = Vec::new();
    for w in results.waves.iter().rev() {
        for i in &w.indicators {
            if !ids.contains(&i.id.as_str()) {
                ids.push(&i.id);
            }
        }
    }
    ids
}

fn coding<'a>(results: &'a Results, id: &str) -> Option<&'a SdgIndicator> {
    results
        .sdg_export
        .indicators
        .iter()
        .find(|i| i.indicator == id)
}

fn circumstance<'a>(results: &'a Results, id: &str) -> Option<&'a SdgCircumstance> {
    results
        .sdg_export
        .circumstances
        .iter()
        .find(|c| c.circumstance == id)
}

/// What a file leaves out: a whole indicator, an indicator's circumstance, or one cell.
struct Omitted {
    file: &'static str,
    wave: String,
    indicator: String,
    circumstance: String,
    level: String,
    reason: Uncoded,
}

impl Omitted {
    fn of(file: &'static str, e: &Estimate, reason: Uncoded) -> Self {
        let (c, g) = e
            .group
            .map_or(("", ""), |(c, g)| (&c.circumstance, &g.level));
        Omitted {
            file,
            wave: e.wave.into(),
            indicator: e.indicator.id.clone(),
            circumstance: c.into(),
            level: g.into(),
            reason,
        }
    }
}

fn reason_code(u: Uncoded) -> String {
    serde_json::to_value(u)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

fn write_csv(path: &str, header: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let fail = |e: &dyn std::fmt::Display| {
        Error::output(path.as_ref(), format!("cannot write the CSV: {e}"))
    };
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    w.write_record(header).map_err(|e| fail(&e))?;
    for row in rows {
        w.write_record(row).map_err(|e| fail(&e))?;
    }
    w.into_inner().map_err(|e| fail(&e))
}

/// The files the formats ask for, as (path in the brief folder, bytes), in a fixed order.
pub fn files(results: &Results, formats: &[Format]) -> Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    let mut omitted = Vec::new();
    if formats.contains(&Format::Sdmx) {
        let (rows, left) = sdmx::rows(results)?;
        out.push((
            sdmx::FILE.to_string(),
            write_csv(sdmx::FILE, &sdmx::HEADER, &rows)?,
        ));
        omitted.extend(left);
    }
    if formats.contains(&Format::Opensdg) {
        for (path, header, rows) in opensdg::files(results, &mut omitted) {
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            let bytes = write_csv(&path, &header, &rows)?;
            out.push((path, bytes));
        }
    }
    if !out.is_empty() {
        let rows: Vec<Vec<String>> = omitted
            .into_iter()
            .map(|o| {
                vec![
                    o.file.into(),
                    o.wave,
                    o.indicator,
                    o.circumstance,
                    o.level,
                    reason_code(o.reason),
                ]
            })
            .collect();
        let header = [
            "file",
            "wave",
            "indicator",
            "circumstance",
            "level",
            "reason",
        ];
        out.push((OMITTED.into(), write_csv(OMITTED, &header, &rows)?));
    }
    Ok(out)
}

/// What the SDG files leave out, and why.
pub const OMITTED: &str = "sdg/omitted.csv";
