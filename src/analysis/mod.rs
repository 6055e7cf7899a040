//! The analyses: a spec and prepared surveys in, typed results out. `lnob` builds cell tables and
//! runs trees, D-index and Shapley per indicator; `spot` simulates benefit schemes and their
//! poverty, inequality and cost effects.

pub mod lnob;
pub mod spot;
