//! `validate`: every value and cross-reference that can be checked without the data.

use std::collections::BTreeSet;

use super::checks::*;
use super::*;

/// Every text of the spec free of control characters (a tab or newline is allowed in an
/// expression): they would reach SVG, Typst and CSV output, where some are invalid.
fn no_control_characters(spec: &Spec) -> std::result::Result<(), String> {
    fn walk(v: &serde_json::Value, at: &str) -> std::result::Result<(), String> {
        match v {
            serde_json::Value::String(s) => match s
                .chars()
                .find(|c| c.is_control() && !matches!(c, '\n' | '\t'))
            {
                Some(c) => Err(format!(
                    "{at}: contains the control character U+{:04X}; remove it",
                    c as u32
                )),
                None => Ok(()),
            },
            serde_json::Value::Array(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, x)| walk(x, &format!("{at}[{i}]"))),
            serde_json::Value::Object(map) => map.iter().try_for_each(|(k, x)| {
                let at = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                walk(x, &at)
            }),
            _ => Ok(()),
        }
    }
    let value = serde_json::to_value(spec).map_err(|e| e.to_string())?;
    walk(&value, "")
}

/// Ids that name files or are printed verbatim must be safe ids.
fn safe_ids(spec: &Spec) -> std::result::Result<(), String> {
    let ids = spec
        .waves
        .iter()
        .map(|w| ("wave", &w.id))
        .chain(spec.circumstances.iter().map(|c| ("circumstance", &c.id)))
        .chain(spec.indicators.iter().map(|i| ("indicator", &i.id)))
        .chain(spec.scenarios.iter().map(|s| ("scenario", &s.id)));
    for (what, id) in ids {
        if !is_safe_id(id) {
            return Err(format!(
                "{what} \"{id}\": an id names files of the brief; use letters, digits, `_`, `-` \
                 and `.` only (at most 100, not starting with `.` or `-`)"
            ));
        }
    }
    Ok(())
}

/// Checks that need no data. Returns the first problem found, naming the field.
pub fn validate(spec: &Spec) -> std::result::Result<(), String> {
    no_control_characters(spec)?;
    safe_ids(spec)?;
    validate_brief(spec)?;
    validate_waves(spec)?;
    validate_macro(spec)?;
    validate_variables(spec)?;
    validate_indicators(spec)?;
    super::labels::validate_covers(spec)?;
    validate_scenarios(spec)?;
    super::labels::validate_labels(spec)?;
    super::programmes::validate(spec)?;
    validate_options(spec)?;
    sdmx::resolve(spec).map(drop)?;
    Ok(())
}

/// Checks of the brief section: language, date, templates, ISO code (formats are typed on load).
fn validate_brief(spec: &Spec) -> std::result::Result<(), String> {
    let b = &spec.brief;
    // One built-in strings file per language (report_templates/strings/<language>.toml).
    if !LANGUAGES.contains(&b.language.as_str()) {
        return Err(format!(
            "brief.language: expected \"en\" (English) or \"id\" (Bahasa Indonesia), found \"{}\"",
            b.language
        ));
    }
    if !is_iso_date(&b.reference_date) {
        return Err(format!(
            "brief.reference_date: expected a date as YYYY-MM-DD, found \"{}\"",
            b.reference_date
        ));
    }
    if let Some(t) = &b.templates {
        check_relative_path("brief.templates", t)?;
    }
    if b.iso3.len() != 3 || !b.iso3.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(format!(
            "brief.iso3: expected three upper-case letters, found \"{}\"",
            b.iso3
        ));
    }

    Ok(())
}

/// Checks of the waves: ids, paths, formats, checksums, years.
fn validate_waves(spec: &Spec) -> std::result::Result<(), String> {
    if spec.waves.is_empty() {
        return Err("wave: at least one [[wave]] is required".into());
    }
    unique_ids("wave", spec.waves.iter().map(|w| w.id.as_str()))?;
    for w in &spec.waves {
        let at = format!("wave '{}'", w.id);
        check_file(
            &at,
            &w.path,
            w.format(),
            w.sha256.as_deref(),
            w.delimiter.as_deref(),
            w.decimal_comma,
        )?;
        check_linked_files(&at, w)?;
        if let Some(head) = &w.head {
            parse_expr(&format!("{at}.head"), head).map(drop)?;
        }
        if let Some(line) = w.poverty_line {
            amount(&format!("{at}.poverty_line"), line)?;
        }
    }
    let mut years: Vec<i32> = spec.waves.iter().map(|w| w.year).collect();
    years.sort_unstable();
    if years.windows(2).any(|p| p[0] == p[1]) {
        return Err("wave: two waves have the same year".into());
    }

    Ok(())
}

/// Checks of the macro figures: magnitudes.
fn validate_macro(spec: &Spec) -> std::result::Result<(), String> {
    let m = &spec.macro_figures;
    for (field, x) in [
        ("macro.gdp", m.gdp),
        ("macro.gdp_per_capita", m.gdp_per_capita),
        ("macro.government_revenue", m.government_revenue),
        ("macro.national_poverty_line", m.national_poverty_line),
    ] {
        amount(field, x)?;
    }
    for (field, x) in [
        ("macro.ppp_factor", m.ppp_factor),
        ("macro.cpi_ratio", m.cpi_ratio),
    ] {
        within(field, x, RATIO_RANGE, "a conversion factor")?;
    }

    Ok(())
}

/// Checks of derived variables and circumstances.
fn validate_variables(spec: &Spec) -> std::result::Result<(), String> {
    for (i, d) in spec.derive.iter().enumerate() {
        let at = format!("derive[{i}] '{}'", d.name);
        match &d.value {
            DerivedValue::Expr(e) => {
                parse_expr(&format!("{at}.expr"), e).map(drop)?;
            }
            DerivedValue::HeadOf(_) => {
                if spec.waves.iter().any(|w| w.head.is_none()) {
                    return Err(format!(
                        "{at}.head_of: needs `head` (an expression true on the head's row) in every [[wave]]"
                    ));
                }
            }
        }
    }
    unique_ids("derive", spec.derive.iter().map(|d| d.name.as_str()))?;

    unique_ids(
        "circumstance",
        spec.circumstances.iter().map(|c| c.id.as_str()),
    )?;
    for c in &spec.circumstances {
        let at = format!("circumstance '{}'", c.id);
        if c.kind == CircumstanceKind::Ordered && c.levels.is_empty() {
            return Err(format!(
                "{at}.levels: an ordered circumstance needs its levels listed in order"
            ));
        }
        if c.kind == CircumstanceKind::Numeric && (!c.levels.is_empty() || !c.recode.is_empty()) {
            return Err(format!(
                "{at}: a numeric circumstance takes no `levels` or `recode`"
            ));
        }
        unique_ids(&format!("{at}.levels"), c.levels.iter().map(String::as_str))?;
        if !c.levels.is_empty() {
            for (from, to) in &c.recode {
                if !c.levels.contains(to) {
                    return Err(format!(
                        "{at}.recode: \"{from}\" maps to \"{to}\", which is not among the levels {:?}",
                        c.levels
                    ));
                }
            }
            if let Some(miss) = &c.missing {
                if !c.levels.contains(miss) {
                    return Err(format!(
                        "{at}.missing: \"{miss}\" is not among the levels {:?}",
                        c.levels
                    ));
                }
            }
        }
    }

    Ok(())
}

/// Checks of indicators: expressions and circumstances.
fn validate_indicators(spec: &Spec) -> std::result::Result<(), String> {
    if spec.indicators.is_empty() {
        return Err("indicator: at least one [[indicator]] is required".into());
    }
    unique_ids("indicator", spec.indicators.iter().map(|i| i.id.as_str()))?;
    let known: BTreeSet<&str> = spec.circumstances.iter().map(|c| c.id.as_str()).collect();
    for ind in &spec.indicators {
        let at = format!("indicator '{}'", ind.id);
        if let Some(p) = &ind.population {
            parse_expr(&format!("{at}.population"), p).map(drop)?;
        }
        parse_expr(&format!("{at}.outcome"), &ind.outcome).map(drop)?;
        if ind.circumstances.is_empty() {
            return Err(format!(
                "{at}.circumstances: name at least one circumstance"
            ));
        }
        for c in &ind.circumstances {
            if !known.contains(c.as_str()) {
                return Err(format!(
                    "{at}.circumstances: unknown circumstance \"{c}\"; known: {}",
                    known.iter().copied().collect::<Vec<_>>().join(", ")
                ));
            }
        }
        unique_ids(
            &format!("{at}.circumstances"),
            ind.circumstances.iter().map(String::as_str),
        )?;
        if ind.circumstances.len() > MAX_CIRCUMSTANCES_PER_INDICATOR {
            return Err(format!(
                "{at}.circumstances: expected at most {MAX_CIRCUMSTANCES_PER_INDICATOR} circumstances \
                 (the Shapley decomposition evaluates every subset: 2^k of them), found {}",
                ind.circumstances.len()
            ));
        }
    }

    Ok(())
}

/// Checks of scenarios and their schemes.
fn validate_scenarios(spec: &Spec) -> std::result::Result<(), String> {
    unique_ids("scenario", spec.scenarios.iter().map(|s| s.id.as_str()))?;
    for sc in &spec.scenarios {
        if sc.schemes.is_empty() {
            return Err(format!(
                "scenario '{}': needs at least one [[scenario.scheme]]",
                sc.id
            ));
        }
        for (i, s) in sc.schemes.iter().enumerate() {
            validate_scheme(&format!("scenario '{}'.scheme[{i}]", sc.id), s, spec)?;
        }
    }

    Ok(())
}

/// Checks of tree, projection, SPOT and uncertainty options.
fn validate_options(spec: &Spec) -> std::result::Result<(), String> {
    let known: BTreeSet<&str> = spec.circumstances.iter().map(|c| c.id.as_str()).collect();
    let l = &spec.lnob;
    if l.maxdepth == 0 || l.maxdepth > 30 {
        return Err(format!(
            "lnob.maxdepth: expected 1 to 30, found {}",
            l.maxdepth
        ));
    }
    if l.minbucket_divisor == 0 {
        return Err("lnob.minbucket_divisor: must be at least 1".into());
    }
    if let Some(cp) = l.cp {
        // As rpart: a negative cp switches the complexity stop off; 1 or more forbids any split.
        if !(cp.is_finite() && (-1.0..1.0).contains(&cp)) {
            return Err(format!("lnob.cp: expected a number in [-1, 1), found {cp}"));
        }
    }
    if let Some(m) = l.minsplit {
        if !(2..=1_000_000_000).contains(&m) {
            return Err(format!(
                "lnob.minsplit: expected a whole number of records from 2 to 1e9, found {m}"
            ));
        }
    }
    let p = &spec.projection;
    if p.horizon > 50 {
        return Err(format!(
            "projection.horizon: expected at most 50 years, found {}",
            p.horizon
        ));
    }
    for (name, x) in [
        ("real_gdp_growth", p.real_gdp_growth),
        ("inflation", p.inflation),
        ("growth_children", p.growth_children),
        ("growth_working", p.growth_working),
        ("growth_elderly", p.growth_elderly),
    ] {
        if !(x.is_finite() && x > -0.5 && x < 1.0) {
            return Err(format!(
                "projection.{name}: expected a yearly rate between -0.5 and 1, found {x}"
            ));
        }
    }
    super::rap::validate(spec)?;
    for c in &spec.spot.opportunity_circumstances {
        if !known.contains(c.as_str()) {
            return Err(format!(
                "spot.opportunity_circumstances: unknown circumstance \"{c}\"; known: {}",
                known.iter().copied().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    for (i, line) in spec.spot.international_lines.iter().enumerate() {
        within(
            &format!("spot.international_lines[{i}]"),
            *line,
            (1e-3, 1e4),
            "a daily line in 2021 PPP dollars",
        )?;
    }
    for (i, share) in spec.spot.relative_lines.iter().enumerate() {
        within(
            &format!("spot.relative_lines[{i}]"),
            *share,
            (0.01, 1.0),
            "a share of the median (0.5 for SDG 10.2.1)",
        )?;
    }
    let u = &spec.uncertainty;
    if u.replicates > MAX_REPLICATES {
        return Err(format!(
            "uncertainty.replicates: expected at most {MAX_REPLICATES} bootstrap replicates, found {}",
            u.replicates
        ));
    }
    Ok(())
}

fn validate_scheme(at: &str, s: &Scheme, spec: &Spec) -> std::result::Result<(), String> {
    if !(s.benefit.is_finite() && s.benefit >= 0.0) {
        return Err(format!(
            "{at}.benefit: expected a non-negative number, found {}",
            s.benefit
        ));
    }
    let benefit_max = match s.benefit_unit {
        BenefitUnit::LcuMonth => AMOUNT_RANGE.1,
        BenefitUnit::PctGdpPerCapita | BenefitUnit::PctPovertyLine => 1e4,
    };
    if s.benefit > benefit_max {
        return Err(format!(
            "{at}.benefit: expected at most {benefit_max:e} in {}, found {:e}",
            s.benefit_unit.describe(),
            s.benefit
        ));
    }
    if !(s.coverage > 0.0 && s.coverage <= 1.0) {
        return Err(format!(
            "{at}.coverage: expected a share in (0, 1], found {}",
            s.coverage
        ));
    }
    if !(s.admin_cost.is_finite() && (0.0..=1.0).contains(&s.admin_cost)) {
        return Err(format!(
            "{at}.admin_cost: expected a share of transfers in [0, 1], found {}",
            s.admin_cost
        ));
    }
    let needs_age = matches!(s.kind, SchemeKind::Child | SchemeKind::OldAge);
    if needs_age {
        if s.min_age.is_none() && s.max_age.is_none() {
            return Err(format!(
                "{at}: a {:?} scheme needs min_age and/or max_age",
                s.kind
            ));
        }
        if let Some(w) = spec.waves.iter().find(|w| w.age.is_none()) {
            return Err(format!(
                "{at}: age-based schemes need `age` (the age column) in wave '{}'",
                w.id
            ));
        }
    }
    if let (Some(lo), Some(hi)) = (s.min_age, s.max_age) {
        if lo > hi {
            return Err(format!("{at}: min_age {lo} is above max_age {hi}"));
        }
    }
    if s.kind == SchemeKind::Custom && s.eligible.is_none() {
        return Err(format!(
            "{at}.eligible: a custom scheme needs an eligibility expression"
        ));
    }
    if s.kind != SchemeKind::Custom && s.eligible.is_some() {
        return Err(format!(
            "{at}.eligible: only custom schemes take an eligibility expression"
        ));
    }
    if let Some(e) = &s.eligible {
        parse_expr(&format!("{at}.eligible"), e).map(drop)?;
    }
    if let Some(e) = &s.exclude {
        parse_expr(&format!("{at}.exclude"), e).map(drop)?;
    }
    if spec.waves.iter().any(|w| w.unit == RowUnit::Household) {
        return Err(format!(
            "{at}: schemes are simulated on person-level files; a wave has unit = \"household\""
        ));
    }
    Ok(())
}
