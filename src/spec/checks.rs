//! Small checks shared by validation and by later stages, and the spec's limits.

use std::collections::BTreeSet;
use std::path::{Component, Path};

/// Parse one polars SQL expression, naming the spec field on failure.
pub fn parse_expr(field: &str, text: &str) -> std::result::Result<polars::prelude::Expr, String> {
    crate::error::contain_panic(|| polars::sql::sql_expr(text))
        .map_err(|m| {
            format!("{field}: cannot parse expression `{text}` (polars failed internally: {m})")
        })?
        .map_err(|e| format!("{field}: cannot parse expression `{text}`: {e}"))
}

/// An id that becomes part of a file name or is printed verbatim into a document: letters,
/// digits, `_`, `-` and `.`, not starting with `.` or `-`.
pub fn is_safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && !id.starts_with(['.', '-'])
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Most bootstrap replicates a spec may ask for: the multipliers take replicates × PSUs numbers
/// (2,000 × 50,000 PSUs is 800 MB), and 1,000 already gives SEs to a few per cent.
pub const MAX_REPLICATES: usize = 2_000;
/// Most circumstances one indicator may name. The Shapley decomposition (and the logit D) is
/// evaluated on all 2^k subsets, in every bootstrap replicate: on two 2,000-household waves a
/// debug build takes 24 s with 7, 51 s with 8 and 104 s with 9, and 15 ran for over 10 minutes.
pub const MAX_CIRCUMSTANCES_PER_INDICATOR: usize = 8;
/// Money amounts (local currency): positive and within what any economy's accounts hold, so every
/// cost, share and chart computed from them stays finite.
pub(super) const AMOUNT_RANGE: (f64, f64) = (1e-6, 1e18);
/// Conversion factors (PPP, CPI ratios).
pub(super) const RATIO_RANGE: (f64, f64) = (1e-9, 1e9);

pub(super) fn amount(field: &str, x: f64) -> std::result::Result<(), String> {
    within(field, x, AMOUNT_RANGE, "an amount in local currency")
}

/// A positive number in `[lo, hi]`, the message saying what it stands for.
pub(super) fn within(
    field: &str,
    x: f64,
    (lo, hi): (f64, f64),
    what: &str,
) -> std::result::Result<(), String> {
    if !(x.is_finite() && x > 0.0) {
        Err(format!("{field}: expected a positive number, found {x}"))
    } else if !(lo..=hi).contains(&x) {
        Err(format!(
            "{field}: expected {what} between {lo:e} and {hi:e}, found {x:e}"
        ))
    } else {
        Ok(())
    }
}

pub(super) fn unique_ids<'a>(
    what: &str,
    ids: impl Iterator<Item = &'a str>,
) -> std::result::Result<(), String> {
    let mut seen = BTreeSet::new();
    for id in ids {
        if id.trim().is_empty() {
            return Err(format!("{what}: an id is empty"));
        }
        if !seen.insert(id) {
            return Err(format!("{what}: \"{id}\" is given twice"));
        }
    }
    Ok(())
}

/// Paths in a spec stay inside the spec's folder: no absolute paths, no `..`.
pub(super) fn check_relative_path(field: &str, p: &Path) -> std::result::Result<(), String> {
    let escapes = p.is_absolute()
        || p.components().any(|c| {
            matches!(
                c,
                Component::ParentDir | Component::RootDir | Component::Prefix(_)
            )
        });
    if escapes {
        return Err(format!(
            "{field}: \"{}\" leaves the spec's folder; give a path relative to the spec, without `..`",
            p.display()
        ));
    }
    Ok(())
}

pub fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

pub(super) fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if !s.is_ascii() || b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| {
        let part = &s[r];
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse::<u32>().ok())
            .flatten()
    };
    match (num(0..4), num(5..7), num(8..10)) {
        (Some(y), Some(m), Some(d)) => (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m),
        _ => false,
    }
}

pub(super) fn days_in_month(year: u32, month: u32) -> u32 {
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}
