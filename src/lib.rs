//! vnr-brief: reproducible, auditable Voluntary National Review country briefs from household-survey
//! microdata. The pipeline runs one way, one module per stage:
//!
//! `spec` → `inputs` (read + SHA-256 + lock) → `survey` (design, derived variables)
//! → `lnob` (cells, trees, D-index) and `spot` (benefit simulation) → `results`
//! → `charts` and `render` (tera → Markdown, Typst) → `manifest`; `pipeline` strings them together
//! and `cli` is the command line. `synth` makes a synthetic survey for demos, tests and benchmarks.

pub mod charts;
pub mod cli;
pub mod error;
pub mod inputs;
pub mod lnob;
pub mod manifest;
pub mod pdf;
pub mod pipeline;
pub mod publish;
pub mod render;
pub mod results;
pub mod spec;
pub mod spot;
pub mod spss;
pub mod stata;
pub mod stats;
pub mod survey;
pub mod synth;
pub mod tables;
pub mod variance;

pub use error::{Error, Result};
