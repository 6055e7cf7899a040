//! Pure statistical kernels on slices and cell tables: weighted statistics, poverty and
//! inequality measures, cell tables, regression trees, the D-index and its Shapley parts, the
//! logit D, and design-based variances. Nothing here reads a spec, a survey file or polars, or
//! writes text: every function takes numbers and returns numbers.

pub mod cells;
pub mod dindex;
pub mod linearise;
pub mod logit;
pub mod measures;
pub mod stats;
pub mod tree;
pub mod variance;
