//! The columns a spec reads from a wave's files: to keep only those in memory after the survey is
//! prepared, and to take only those from a linked file.

use std::collections::BTreeSet;

use super::{parse_expr, DerivedValue, SchemeKind, Spec, Wave};

/// Every column the analyses read after a survey is prepared: the wave's design and role
/// columns, derived variables, circumstances, and the columns of every expression (derived
/// variables are already computed, so their sources are not needed again).
pub fn used_after_prepare(spec: &Spec, wave: &Wave) -> BTreeSet<String> {
    let mut used: BTreeSet<String> = [
        Some(&wave.household_id),
        Some(&wave.weight),
        Some(&wave.strata),
        Some(&wave.psu),
        wave.fpc.as_ref(),
        Some(&wave.household_size),
        Some(&wave.welfare),
        wave.region.as_ref(),
        wave.urban.as_ref(),
        wave.age.as_ref(),
    ]
    .into_iter()
    .flatten()
    .cloned()
    .collect();
    let mut roots = |text: &str| {
        // Validated and checked already; a name that is not an expression is a column name.
        match parse_expr("", text) {
            Ok(e) => used.extend(e.meta().root_names().iter().map(|n| n.to_string())),
            Err(_) => {
                used.insert(text.to_string());
            }
        }
    };
    if let Some(head) = &wave.head {
        roots(head);
    }
    for ind in &spec.indicators {
        roots(&ind.outcome);
        if let Some(p) = &ind.population {
            roots(p);
        }
        if let Some(w) = &ind.weight {
            roots(w);
        }
    }
    for sc in &spec.scenarios {
        for scheme in &sc.schemes {
            for e in [&scheme.eligible, &scheme.exclude, &scheme.target_score]
                .into_iter()
                .flatten()
            {
                roots(e);
            }
            if scheme.kind == SchemeKind::Disability {
                roots(scheme.column.as_deref().unwrap_or("disability"));
            }
        }
    }
    for p in &spec.programmes {
        roots(&p.receipt);
        roots(&p.amount);
    }
    // SDG 1.3.1's groups, read when the survey has them.
    if !spec.programmes.is_empty() {
        used.extend(["disability", "recent_birth"].map(String::from));
    }
    used.extend(spec.derive.iter().map(|d| d.name.clone()));
    used.extend(spec.circumstances.iter().map(|c| c.column.clone()));
    let b = &spec.spot.breakdowns;
    used.extend(b.sex.iter().chain(&b.disability).cloned());
    used
}

/// Every column name the spec reads from a wave's files, before derived variables are computed:
/// [`used_after_prepare`] and the columns derived variables are computed from.
pub fn read_from_files(spec: &Spec, wave: &Wave) -> BTreeSet<String> {
    let mut read = used_after_prepare(spec, wave);
    for d in &spec.derive {
        match &d.value {
            DerivedValue::Expr(text) => {
                if let Ok(e) = parse_expr("", text) {
                    read.extend(e.meta().root_names().iter().map(|n| n.to_string()));
                }
            }
            DerivedValue::HeadOf(of) => {
                read.insert(of.clone());
            }
        }
    }
    read
}
