//! `sdg/sdmx.csv`: SDMX-CSV (one observation a line, a DATAFLOW column first, then the DSD's
//! dimensions in order, the time period, the value and its attributes) in the SDG global data
//! structure. Rates in percent with `DECIMALS` places; the 95% interval as LOWER_BOUND and
//! UPPER_BOUND; the SE and n in COMMENT_OBS (the DSD has no SE attribute); reliability as
//! OBS_STATUS (A normal, U low reliability).

use std::collections::BTreeMap;

use super::{
    circumstance, coding, estimates, indicator_ids, pct, status, Estimate, Omitted, Status,
};
use crate::error::{Error, Result};
use crate::results::Results;
use crate::spec::sdmx::{coded_dimension, SdgIndicator, Uncoded};

pub const FILE: &str = "sdg/sdmx.csv";

/// The SDG harmonised global dataflow, at the version of the DSD whose codes are embedded.
const DATAFLOW: &str = "IAEG-SDGs:DF_SDG_GLH(1.14)";

/// The dimensions of the DSD, in its order, before TIME_PERIOD.
const DIMENSIONS: [&str; 15] = [
    "FREQ",
    "REPORTING_TYPE",
    "SERIES",
    "REF_AREA",
    "SEX",
    "AGE",
    "URBANISATION",
    "INCOME_WEALTH_QUANTILE",
    "EDUCATION_LEV",
    "OCCUPATION",
    "CUST_BREAKDOWN",
    "COMPOSITE_BREAKDOWN",
    "DISABILITY_STATUS",
    "ACTIVITY",
    "PRODUCT",
];

pub const HEADER: [&str; 25] = [
    "DATAFLOW",
    "FREQ",
    "REPORTING_TYPE",
    "SERIES",
    "REF_AREA",
    "SEX",
    "AGE",
    "URBANISATION",
    "INCOME_WEALTH_QUANTILE",
    "EDUCATION_LEV",
    "OCCUPATION",
    "CUST_BREAKDOWN",
    "COMPOSITE_BREAKDOWN",
    "DISABILITY_STATUS",
    "ACTIVITY",
    "PRODUCT",
    "TIME_PERIOD",
    "OBS_VALUE",
    "UNIT_MEASURE",
    "UNIT_MULT",
    "OBS_STATUS",
    "NATURE",
    "LOWER_BOUND",
    "UPPER_BOUND",
    "COMMENT_OBS",
];

/// The rows of the file and what it leaves out.
pub(super) fn rows(results: &Results) -> Result<(Vec<Vec<String>>, Vec<Omitted>)> {
    let ref_area = results.sdg_export.ref_area.as_deref().ok_or_else(|| {
        Error::output(
            FILE.as_ref(),
            "brief.ref_area: the SDMX export needs the country's code in the SDG area codelist",
        )
    })?;
    let mut rows = Vec::new();
    let mut omitted = Vec::new();
    for id in indicator_ids(results) {
        let all = estimates(results, id);
        let Some(first) = all.first() else { continue };
        let coded = coding(results, id).filter(|c| c.series.is_some());
        let Some(coded) = coded else {
            omitted.push(Omitted::of("sdmx", first, Uncoded::NoSeries));
            omitted.last_mut().expect("pushed").wave.clear();
            continue;
        };
        let dims = dimensions_by_circumstance(results, coded, &all, &mut omitted);
        for e in &all {
            match row(results, ref_area, coded, &dims, e) {
                Ok(r) => rows.push(r),
                Err(Some(reason)) => omitted.push(Omitted::of("sdmx", e, reason)),
                Err(None) => {}
            }
        }
    }
    Ok((rows, omitted))
}

/// The dimension of each of the indicator's circumstances, listing once (for no wave) those the
/// file leaves out.
fn dimensions_by_circumstance<'a>(
    results: &'a Results,
    coded: &SdgIndicator,
    all: &[Estimate],
    omitted: &mut Vec<Omitted>,
) -> BTreeMap<String, &'a str> {
    let mut dims = BTreeMap::new();
    let mut seen = std::collections::BTreeSet::new();
    for e in all {
        let Some((c, _)) = e.group else { continue };
        if !seen.insert(&c.circumstance) {
            continue;
        }
        let found = circumstance(results, &c.circumstance)
            .ok_or(Uncoded::NoCode)
            .and_then(|sc| coded_dimension(coded, e.indicator.unit, sc));
        match found {
            Ok(d) => {
                dims.insert(c.circumstance.clone(), d);
            }
            Err(reason) => {
                let mut o = Omitted::of("sdmx", e, reason);
                o.wave.clear();
                o.level.clear();
                omitted.push(o);
            }
        }
    }
    dims
}

/// One observation, or why it is left out (`None`: its circumstance is already listed).
fn row(
    results: &Results,
    ref_area: &str,
    coded: &SdgIndicator,
    dims: &BTreeMap<String, &str>,
    e: &Estimate,
) -> std::result::Result<Vec<String>, Option<Uncoded>> {
    let mut key: BTreeMap<&str, String> =
        DIMENSIONS.iter().map(|d| (*d, "_T".to_string())).collect();
    key.insert("FREQ", "A".into());
    key.insert("REPORTING_TYPE", "N".into());
    key.insert("SERIES", coded.series.clone().unwrap_or_default());
    key.insert("REF_AREA", ref_area.into());
    for (d, code) in &coded.fixed {
        key.insert(d.as_str(), code.clone());
    }
    if let Some((c, g)) = e.group {
        let dimension = *dims.get(&c.circumstance).ok_or(None)?;
        let sc = circumstance(results, &c.circumstance).ok_or(None)?;
        let code = sc.codes.get(&g.level).ok_or(Some(Uncoded::NoCode))?;
        if coded
            .allowed
            .get(dimension)
            .is_some_and(|a| !a.contains(code))
        {
            return Err(Some(Uncoded::NotInSeries));
        }
        key.insert(dimension, code.clone());
    }
    let obs_status = match status(e.flag, results.brief.sdg_small_cells) {
        Status::Suppressed => return Err(Some(Uncoded::SmallCell)),
        Status::Normal => "A",
        Status::LowReliability => "U",
    };
    let mut r = vec![DATAFLOW.to_string()];
    r.extend(DIMENSIONS.iter().map(|d| key[d].clone()));
    r.extend([
        e.year.to_string(),
        pct(e.rate),
        coded.unit_measure.clone(),
        "0".into(),
        obs_status.into(),
        "C".into(),
        pct(e.ci.0),
        pct(e.ci.1),
        format!("SE={}; n={}", pct(e.se), e.n),
    ]);
    Ok(r)
}
