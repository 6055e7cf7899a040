//! The integration tests, one binary (`cargo test --test it`; one module: `cargo test --test it
//! dhs::`). Each module is one question about the tool; a new test goes in the module whose
//! question it answers, a new question gets a new module here. Shared helpers live in `common`.
//!
//! | module | question |
//! |---|---|
//! | `architecture` | do the stages in `src/` import only downward? |
//! | `lnob_reference` | do trees, D, HOI and Shapley equal R (`rpart` and a direct computation)? |
//! | `hoi_change` | is the HOI change between waves split into scale and equalisation as the World Bank's `hoi` does, with SEs from both waves? |
//! | `measures_reference` | do Gini, quantiles, FGT, relative poverty and the linearised SEs of every distribution measure equal laeken and `survey`? |
//! | `spot_reference` | do the SPOT measures equal R on generated cases? |
//! | `variance` | does the bootstrap agree with linearisation, repeat with its seed, and carry a finite-population correction? |
//! | `spot` | are SPOT's poverty, cost and incidence right on hand-checkable data? |
//! | `programmes` | are existing programmes' SDG 1.3.1 coverage, targeting, removal, top-ups and calibrated take-up right by hand and against R? |
//! | `rap` | does the projection follow the RAP formulas with a population table, phase-in, indexation and financing, and refuse a bad population file? |
//! | `breakdowns` | do poverty breakdowns by sex, age, household type, region and circumstance equal R `svyby`, SEs included? |
//! | `reach` | does a scheme paid to a furthest-behind group reach all of it? |
//! | `regions` | do sub-national results carry design-based SEs and flags? |
//! | `catalogue` | does every catalogue indicator resolve and run on the standard survey? |
//! | `dhs` | does the DHS profile (PR alone, or PR with the IR and KR linked) give the rates an independent computation gives? |
//! | `mics` | does the MICS6 profile (hl with hh, wm and ch linked) give the rates an independent computation gives, each indicator with its own weight? |
//! | `init` | does `init` write a starter spec that names the files' layout and columns? |
//! | `linked` | does a wave of linked files (`[[wave.file]]`) join safely and give the flat file's results? |
//! | `stata`, `spss` | do `.dta` and `.sav` files read back to the values written into them? |
//! | `pipeline` | does a run repeat byte for byte, and does `verify` catch a changed byte? |
//! | `language` | does rendering saved results in Indonesian equal an Indonesian run? |
//! | `docx` | does the Word brief say what the Markdown brief says, byte for byte on a rerun? |
//! | `schema` | does results.json validate against its committed JSON Schema? |
//! | `claims` | does the brief refrain from claims its numbers do not support? |
//! | `figures` | does every tree diagram's text print at 7 pt or more in the PDF? |
//! | `bad_inputs` | is every bad input a clear error with its exit code, never a panic? |
//! | `broken_files` | are truncated survey files refused rather than half-read? |
//! | `adversarial` | is a user's folder never replaced, and do extreme inputs stay errors? |
//! | `fuzz` | do seeded mutations of spec, data and expressions never panic? |
//! | `sdg_export` | are the SDMX-CSV and Open SDG files the annex's estimates, coded on the SDG DSD, small cells suppressed or flagged, byte for byte on a rerun? |
//! | `xlsx` | does the Excel annex hold the CSV tables' values, typed, and repeat byte for byte; do decimal-comma CSVs read back to the same values? |

mod common;

mod adversarial;
mod architecture;
mod bad_inputs;
mod breakdowns;
mod broken_files;
mod catalogue;
mod claims;
mod dhs;
mod docx;
mod figures;
mod fuzz;
mod hoi_change;
mod init;
mod language;
mod linked;
mod lnob_reference;
mod measures_reference;
mod mics;
mod pipeline;
mod programmes;
mod rap;
mod reach;
mod regions;
mod schema;
mod sdg_export;
mod spot;
mod spot_reference;
mod spss;
mod stata;
mod variance;
mod xlsx;
