//! Existing programmes as data: per programme and for all together, SDG 1.3.1 coverage by group,
//! leakage and undercoverage, incidence by pre-transfer decile, survey-implied spending and
//! beneficiaries against the administrative totals, and overlap between programmes.

use serde::{Deserialize, Serialize};

use super::spot::PaidTo;

/// A population share with its linearised SE and the unweighted records of its domain.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Rate {
    pub value: f64,
    pub se: f64,
    pub n: u64,
}

/// The groups SDG 1.3.1 reports coverage for, as far as the survey records them.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CoverageGroup {
    /// Everyone: persons living in a household that receives the programme.
    Population,
    /// Persons poor before transfers (national line).
    Poor,
    /// Persons below `vulnerable_multiple` × the national line before transfers.
    Vulnerable,
    /// Children aged 0–14 living in a covered household.
    Children,
    /// Persons aged 65+ receiving a pension-type programme.
    OlderPersons,
    /// Persons with a disability (column `disability` = 1) living in a covered household.
    Disability,
    /// Women with a recent birth (column `recent_birth` = 1) living in a covered household.
    Mothers,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct GroupCoverage {
    pub group: CoverageGroup,
    pub rate: Rate,
}

/// One pre-transfer decile of persons.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct ProgrammeDecile {
    pub decile: u8,
    /// Share of the programme's spending received by the decile (linearised ratio SE).
    pub spending_share: f64,
    pub spending_share_se: f64,
    /// Share of the decile's persons living in a covered household.
    pub coverage: Rate,
}

/// One programme, or all of them together (`id` "all").
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct ProgrammeResult {
    pub id: String,
    /// The spec's label (absent for all programmes together).
    pub label: Option<String>,
    /// The unit receipt is recorded for (all programmes together: households).
    pub unit: PaidTo,
    /// Weighted recipients in `unit`, and unweighted.
    pub recipients: f64,
    pub recipients_n: u64,
    pub coverage: Vec<GroupCoverage>,
    /// Share of persons in covered households who are not poor before transfers.
    pub leakage: Rate,
    /// Share of the poor (before transfers) not living in a covered household.
    pub undercoverage: Rate,
    pub deciles: Vec<ProgrammeDecile>,
    /// Survey-implied transfers, local currency a year (Σ household weight × annual amount).
    pub spending_lcu: f64,
    pub admin_spending_lcu: Option<f64>,
    pub admin_year: Option<i32>,
    /// Survey-implied over administrative spending.
    pub spending_ratio: Option<f64>,
    pub admin_beneficiaries: Option<f64>,
    /// Survey-implied over administrative beneficiaries.
    pub beneficiaries_ratio: Option<f64>,
}

/// Households receiving both of two programmes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Overlap {
    pub first: String,
    pub second: String,
    /// Weighted households receiving both.
    pub households: f64,
    /// Their share of all households, and of the first programme's recipient households.
    pub share: Rate,
    pub share_of_first: Rate,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct ProgrammesResult {
    /// The "vulnerable" line as a multiple of the national line.
    pub vulnerable_multiple: f64,
    /// The national headcount before the programmes' transfers (pre-transfer welfare).
    pub headcount_pre_transfer: Rate,
    /// Each programme in spec order, then all together.
    pub programmes: Vec<ProgrammeResult>,
    pub overlap: Vec<Overlap>,
}

/// A scheme acting on an existing programme.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct ProgrammeChange {
    pub programme: String,
    pub action: crate::spec::ProgrammeAction,
    /// Observed transfers taken away (remove, replace), local currency a year.
    pub removed_lcu: f64,
}

/// Take-up calibrated to an administrative number of beneficiaries.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Calibration {
    pub target: f64,
    /// Weighted recipients drawn: at least the target, by less than one unit's weight.
    pub achieved: f64,
    /// Recipients over the eligible (after targeting).
    pub take_up: f64,
}
