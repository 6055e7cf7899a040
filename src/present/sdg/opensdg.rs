//! `sdg/opensdg/indicator_<id>.csv`: the data files an Open SDG national platform imports (its
//! `data/` folder): Year, Series, one column per disaggregation (empty in the overall rows),
//! Observation status, Value. A global indicator's file is named by its code (`7-1-1`), holding
//! every indicator of the spec with that code as a Series; a national proxy's by its id.

use super::{circumstance, estimates, indicator_ids, pct, status, Estimate, Omitted, Status};
use crate::results::lnob::IndicatorResult;
use crate::results::Results;
use crate::spec::sdmx::Uncoded;

/// The Open SDG indicator id: a global indicator's code with dashes, or the spec's id.
fn file_id(ind: &IndicatorResult) -> String {
    let parts: Vec<&str> = ind.sdg.split('.').collect();
    let global = parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if global {
        parts.join("-")
    } else {
        ind.id.replace(['_', '.'], "-")
    }
}

/// Open SDG's names of OBS_STATUS codes A and U (the SDMX codelist's names).
fn status_name(s: Status) -> &'static str {
    match s {
        Status::LowReliability => "Low reliability",
        _ => "Normal value",
    }
}

/// The files, each as (path, header, rows), in order of their first indicator.
pub(super) fn files(
    results: &Results,
    omitted: &mut Vec<Omitted>,
) -> Vec<(String, Vec<String>, Vec<Vec<String>>)> {
    let mut groups: Vec<(String, Vec<Vec<Estimate>>)> = Vec::new();
    for id in indicator_ids(results) {
        let all = estimates(results, id);
        let Some(first) = all.first() else { continue };
        let fid = file_id(first.indicator);
        match groups.iter_mut().find(|(f, _)| *f == fid) {
            Some((_, list)) => list.push(all),
            None => groups.push((fid, vec![all])),
        }
    }
    groups
        .into_iter()
        .map(|(fid, list)| {
            let (header, rows) = table(results, &list, omitted);
            (format!("sdg/opensdg/indicator_{fid}.csv"), header, rows)
        })
        .collect()
}

/// One file's columns (the disaggregations of its indicators, in order of appearance, by
/// circumstance label) and rows.
fn table(
    results: &Results,
    list: &[Vec<Estimate>],
    omitted: &mut Vec<Omitted>,
) -> (Vec<String>, Vec<Vec<String>>) {
    let numeric =
        |id: &str| circumstance(results, id).is_some_and(|c| c.uncoded == Some(Uncoded::Numeric));
    let mut columns: Vec<(&str, String)> = Vec::new();
    for e in list.iter().flatten() {
        if let Some((c, _)) = e.group {
            if !numeric(&c.circumstance) && !columns.iter().any(|(id, _)| *id == c.circumstance) {
                let taken = columns.iter().any(|(_, label)| *label == c.label);
                let label = if taken {
                    format!("{} ({})", c.label, c.circumstance)
                } else {
                    c.label.clone()
                };
                columns.push((&c.circumstance, label));
            }
        }
    }
    let mut header = vec!["Year".to_string(), "Series".to_string()];
    header.extend(columns.iter().map(|(_, l)| l.clone()));
    header.extend(["Observation status".to_string(), "Value".to_string()]);
    let mut rows = Vec::new();
    let mut listed = std::collections::BTreeSet::new();
    for e in list.iter().flatten() {
        if let Some((c, _)) = e.group.filter(|(c, _)| numeric(&c.circumstance)) {
            if listed.insert((&e.indicator.id, &c.circumstance)) {
                let mut o = Omitted::of("opensdg", e, Uncoded::Numeric);
                o.wave.clear();
                o.level.clear();
                omitted.push(o);
            }
            continue;
        }
        let s = status(e.flag, results.brief.sdg_small_cells);
        if s == Status::Suppressed {
            omitted.push(Omitted::of("opensdg", e, Uncoded::SmallCell));
            continue;
        }
        let mut r = vec![e.year.to_string(), e.indicator.label.clone()];
        r.extend(columns.iter().map(|(id, _)| match e.group {
            Some((c, g)) if c.circumstance == *id => g.label.clone(),
            _ => String::new(),
        }));
        r.extend([status_name(s).to_string(), pct(e.rate)]);
        rows.push(r);
    }
    (header, rows)
}
