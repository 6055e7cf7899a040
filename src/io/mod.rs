//! Reading inputs: survey files (CSV, Parquet, Stata, SPSS) parsed from the bytes that were
//! hashed, the lock file of checksums, and the small file helpers the later stages share.

mod csv_check;
pub mod inputs;
pub mod spss;
pub mod stata;

/// Shortest decimal text for a code or level value (20 → "20", 2.5 → "2.5"), so codes stored
/// as floats print as the survey documentation writes them.
pub fn format_code(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}
