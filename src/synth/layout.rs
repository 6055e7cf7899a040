//! The synthetic survey laid out as a national socio-economic survey ships it: a core individual
//! file (one row per person), a household file (one row per household, the household-level
//! columns) and a consumption module (one row per household and commodity group, monthly values
//! in local currency). The module's values add up to the household's monthly consumption
//! (`consumption_pc` × `hhsize`), which the household file then no longer holds.

use polars::prelude::*;

/// Commodity groups of the consumption module: (code, label, share of the household's monthly
/// consumption before the household's own tilt).
pub const GROUPS: [(i64, &str, f64); 6] = [
    (1, "Cereals", 0.17),
    (2, "Other food", 0.33),
    (3, "Housing and utilities", 0.22),
    (4, "Energy and transport", 0.12),
    (5, "Education and health", 0.07),
    (6, "Other non-food", 0.09),
];

/// The three files of a survey frame from [`super::generate`].
pub struct Linked {
    pub individuals: DataFrame,
    pub households: DataFrame,
    pub consumption: DataFrame,
}

/// Split a person-level frame: a column constant within every household goes to the household
/// file (with `hhid`), the others to the individual file (with `hhid`); `consumption_pc` becomes
/// the consumption module.
pub fn split(frame: &DataFrame) -> PolarsResult<Linked> {
    let names: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let others: Vec<&String> = names.iter().filter(|c| *c != "hhid").collect();
    // Per column, the most distinct values any household has: 1 means a household-level column.
    let varying = frame
        .clone()
        .lazy()
        .group_by([col("hhid")])
        .agg(
            others
                .iter()
                .map(|c| col(c.as_str()).n_unique())
                .collect::<Vec<_>>(),
        )
        .select(
            others
                .iter()
                .map(|c| col(c.as_str()).max())
                .collect::<Vec<_>>(),
        )
        .collect()?;
    let is_household = |c: &str| {
        varying
            .column(c)
            .ok()
            .and_then(|v| v.get(0).ok())
            .and_then(|v| v.extract::<u64>())
            == Some(1)
    };
    let household: Vec<Expr> = names
        .iter()
        .filter(|c| *c == "hhid" || (is_household(c) && *c != "consumption_pc"))
        .map(|c| col(c.as_str()))
        .collect();
    let individual: Vec<Expr> = names
        .iter()
        .filter(|c| *c == "hhid" || !is_household(c))
        .map(|c| col(c.as_str()))
        .collect();
    let households_full = frame
        .clone()
        .lazy()
        .group_by_stable([col("hhid")])
        .agg(
            others
                .iter()
                .map(|c| col(c.as_str()).first())
                .collect::<Vec<_>>(),
        )
        .collect()?;
    Ok(Linked {
        individuals: frame.clone().lazy().select(individual).collect()?,
        households: households_full.clone().lazy().select(household).collect()?,
        consumption: consumption_module(&households_full)?,
    })
}

/// One row per household and commodity group. A household's shares are tilted by its position
/// in the consumption distribution (richer households spend a smaller share on food, Engel's law),
/// and the last group takes what the others leave, so the groups add up to the total.
fn consumption_module(households: &DataFrame) -> PolarsResult<DataFrame> {
    let ids = households.column("hhid")?.i64()?.clone();
    let pc = households.column("consumption_pc")?.f64()?.clone();
    let size = households.column("hhsize")?.i64()?.clone();
    let (mut hhid, mut item, mut label, mut value) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for ((id, pc), size) in ids.iter().zip(pc.iter()).zip(size.iter()) {
        let (Some(id), Some(pc), Some(size)) = (id, pc, size) else {
            continue;
        };
        let total = pc * size as f64;
        // Food share falls by up to 15 points from the poorest to the richest households (basic
        // arithmetic only, so the module is bit-identical on every machine).
        let tilt = (pc / 800_000.0 - 1.0).clamp(-1.0, 1.0) * 0.075;
        let mut left = total;
        for (k, (code, name, share)) in GROUPS.iter().enumerate() {
            let share = if *code <= 2 {
                share - tilt / 2.0
            } else {
                share + tilt / 4.0
            };
            let v = if k + 1 == GROUPS.len() {
                left
            } else {
                (total * share).round()
            };
            left -= v;
            hhid.push(id);
            item.push(*code);
            label.push(*name);
            value.push(v);
        }
    }
    let height = hhid.len();
    DataFrame::new(
        height,
        vec![
            Column::new("hhid".into(), hhid),
            Column::new("item".into(), item),
            Column::new("item_label".into(), label),
            Column::new("value_month".into(), value),
        ],
    )
}
