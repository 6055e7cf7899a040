//! Existing social-protection programmes recorded in the survey (`[[programme]]`): who receives
//! each and how much, the baseline that scenarios can remove, replace, expand or top up.

use serde::{Deserialize, Serialize};

/// Whether a programme's receipt and amount are recorded per household or per person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProgrammeLevel {
    Household,
    Person,
}

/// The period the amount column is written in (it is converted to the welfare's month).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum AmountPeriod {
    #[default]
    Month,
    Year,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Programme {
    pub id: String,
    pub label: String,
    /// Expression (a 0/1 column is one) true on the rows that receive the programme.
    pub receipt: String,
    /// Expression for the amount received, per `level` unit and `period`; read on recipients' rows.
    pub amount: String,
    pub level: ProgrammeLevel,
    #[serde(default)]
    pub period: AmountPeriod,
    /// A pension-type programme: it counts for SDG 1.3.1's older persons.
    #[serde(default)]
    pub pension: bool,
    /// Administrative number of beneficiaries, in `level` units.
    pub admin_beneficiaries: Option<f64>,
    /// Administrative spending on transfers, local currency a year, and the year it is for.
    pub admin_spending: Option<f64>,
    pub admin_year: Option<i32>,
}

impl Programme {
    /// Months one amount covers: 1 for a monthly amount, 12 for an annual one.
    pub fn months_per_amount(&self) -> f64 {
        match self.period {
            AmountPeriod::Month => 1.0,
            AmountPeriod::Year => 12.0,
        }
    }
}

/// What a scenario's scheme does to an existing programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProgrammeAction {
    /// Subtract the observed transfer from welfare; pay nothing.
    Remove,
    /// Subtract the observed transfer, then pay the scheme's benefit to its current recipients.
    Replace,
    /// Pay the scheme's benefit to eligible units that do not receive the programme now.
    Expand,
    /// Pay the scheme's benefit on top of the observed transfer, to current recipients.
    TopUp,
}

/// Checks of the `[[programme]]` blocks and of the schemes that name one.
pub(super) fn validate(spec: &super::Spec) -> std::result::Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for (i, p) in spec.programmes.iter().enumerate() {
        let at = format!("programme[{i}] '{}'", p.id);
        if !seen.insert(p.id.as_str()) {
            return Err(format!("{at}.id: the id '{}' is used twice", p.id));
        }
        if p.id == "all" {
            return Err(format!(
                "{at}.id: 'all' names every programme together; choose another id"
            ));
        }
        if p.label.trim().is_empty() {
            return Err(format!("{at}.label: expected a label, found an empty one"));
        }
        super::parse_expr(&format!("{at}.receipt"), &p.receipt).map(drop)?;
        super::parse_expr(&format!("{at}.amount"), &p.amount).map(drop)?;
        for (field, v) in [
            ("admin_beneficiaries", p.admin_beneficiaries),
            ("admin_spending", p.admin_spending),
        ] {
            if let Some(v) = v {
                if !(v.is_finite() && v > 0.0 && v <= super::checks::AMOUNT_RANGE.1) {
                    return Err(format!(
                        "{at}.{field}: expected a positive number, found {v}"
                    ));
                }
            }
        }
        if p.admin_spending.is_some() != p.admin_year.is_some() {
            return Err(format!(
                "{at}.admin_year: admin_spending and admin_year go together (the spending of that year)"
            ));
        }
        if spec
            .waves
            .iter()
            .any(|w| w.unit == super::RowUnit::Household)
        {
            return Err(format!(
                "{at}: programmes are read from person-level files; a wave has unit = \"household\""
            ));
        }
    }
    for sc in &spec.scenarios {
        for (k, s) in sc.schemes.iter().enumerate() {
            scheme(&format!("scenario '{}'.scheme[{k}]", sc.id), s, spec)?;
        }
    }
    Ok(())
}

/// A scheme's `programme`, `action` and `admin_beneficiaries`.
fn scheme(at: &str, s: &super::Scheme, spec: &super::Spec) -> std::result::Result<(), String> {
    match (&s.programme, s.action) {
        (Some(id), Some(action)) => {
            if !spec.programmes.iter().any(|p| &p.id == id) {
                return Err(format!(
                    "{at}.programme: no [[programme]] has the id '{id}'"
                ));
            }
            if action == ProgrammeAction::Remove && s.admin_beneficiaries.is_some() {
                return Err(format!(
                    "{at}.admin_beneficiaries: a scheme that removes a programme pays no one"
                ));
            }
        }
        (None, None) => {}
        (Some(_), None) => {
            return Err(format!(
                "{at}.action: a scheme naming a programme needs action = \"remove\", \"replace\", \"expand\" or \"top_up\""
            ))
        }
        (None, Some(_)) => {
            return Err(format!(
                "{at}.programme: an action needs the id of the [[programme]] it acts on"
            ))
        }
    }
    if let Some(n) = s.admin_beneficiaries {
        if !(n.is_finite() && n > 0.0 && n <= super::checks::AMOUNT_RANGE.1) {
            return Err(format!(
                "{at}.admin_beneficiaries: expected a positive number of beneficiaries, found {n}"
            ));
        }
        if s.coverage < 1.0 {
            return Err(format!(
                "{at}.admin_beneficiaries: take-up is calibrated to the administrative total; leave coverage at 1 (found {})",
                s.coverage
            ));
        }
    }
    Ok(())
}
