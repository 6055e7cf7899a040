//! The spec: one TOML file naming the survey wave(s), the circumstances, the indicators and the
//! social-protection scenarios. Parsing rejects unknown keys (with their line); `validate` checks
//! every value and cross-reference that can be checked without the data.
//!
//! Expressions (derived variables, population filters, outcomes, custom eligibility) are single
//! polars SQL expressions, e.g. `CASE WHEN water_source IN ('Piped','Borehole') THEN 1 ELSE 0 END`
//! or `age BETWEEN 20 AND 35`. Only one expression is ever parsed, never a full SQL statement, so a
//! spec cannot read other files through table functions.

mod brief;
mod checks;
mod columns;
mod files;
mod labels;
mod load;
mod programmes;
mod rap;
mod scenarios;
pub mod sdmx;
mod types;
mod validate;

pub use brief::*;
pub use checks::{
    is_safe_id, is_sha256, parse_expr, MAX_CIRCUMSTANCES_PER_INDICATOR, MAX_REPLICATES,
};
pub use columns::{read_from_files, used_after_prepare};
pub use files::*;
pub use labels::Vocabulary;
pub use load::{load, parse, LoadedSpec};
pub use programmes::{AmountPeriod, Programme, ProgrammeAction, ProgrammeLevel};
pub use rap::*;
pub use scenarios::*;
pub use sdmx::{SdgExport, SdmxMapping};
pub use types::*;
pub use validate::validate;
