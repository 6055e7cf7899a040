//! vnr-brief: reproducible, auditable Voluntary National Review country briefs from household-survey
//! microdata. Stages, each a folder, depending only on the stages before them (the rules are in
//! `docs/architecture.md` and enforced by `tests/it/architecture.rs`):
//!
//! `estimate` (pure kernels) ← `spec` ← `io` (read, hash, lock) ← `survey`
//! (prepare, design) ← `results` (the contract) ← `analysis` (lnob, spot) ← `present` (strings,
//! render, charts, tables, pdf) ← `publish` (output folder, manifest) ← `app` (cli, pipeline).
//! `synth` makes a synthetic survey for demos, tests and benchmarks.

pub mod analysis;
pub mod app;
pub mod error;
pub mod estimate;
pub mod io;
pub mod present;
pub mod publish;
pub mod results;
pub mod spec;
pub mod survey;
pub mod synth;

pub use error::{Error, Result};
