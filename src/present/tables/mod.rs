//! The statistical annex as data: every estimate the brief prints, with its population, unweighted
//! n and, where the method gives one, standard error and 95% confidence interval, one CSV file per
//! table in `tables/`. Numbers are written in full precision with a dot decimal mark whatever the
//! brief's language, so the files can be read back by any tool.

use std::fmt::Write as _;

use serde::Serialize;

use super::charts::csv_field;
use super::words::Words;
use crate::error::Result;
use crate::results::Results;

mod scenarios;
mod waves;

/// One annex table: its file name (in `tables/`) and its rows. Its title, in the brief's
/// language, is in the strings files under `[tables]`, keyed by the file stem.
pub struct Table {
    pub file: &'static str,
    header: &'static [&'static str],
    rows: Vec<Vec<String>>,
}

/// A table as the brief's annex lists it.
#[derive(Debug, Clone, Serialize)]
pub struct TableFile {
    pub path: String,
    /// The file stem: the key of the table's title in the strings file (`[tables]`).
    pub key: String,
    pub rows: usize,
    pub sha256: String,
}

impl Table {
    fn new(file: &'static str, header: &'static [&'static str]) -> Self {
        Table {
            file,
            header,
            rows: Vec::new(),
        }
    }

    fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.header.len(), "{}", self.file);
        self.rows.push(row);
    }

    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    pub fn to_csv(&self) -> String {
        let mut out = self.header.join(",");
        out.push('\n');
        for row in &self.rows {
            let fields: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
            let _ = writeln!(out, "{}", fields.join(","));
        }
        out
    }
}

fn num(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

fn opt(x: Option<f64>) -> String {
    x.map(num).unwrap_or_default()
}

/// A text cell. Text that a spreadsheet would read as a formula (starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return) is prefixed with `'`, as OWASP recommends against CSV
/// injection; numbers are written by `num` and never pass here.
fn s(x: &str) -> String {
    text_cell(x)
}

pub fn text_cell(x: &str) -> String {
    if x.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{x}")
    } else {
        x.to_string()
    }
}

/// All annex tables of a brief, in the order the annex lists them.
pub fn build(results: &Results, words: &Words) -> Result<Vec<Table>> {
    let mut tables = vec![
        waves::indicators(results, words)?,
        waves::inequality(results),
        waves::shapley(results),
        waves::leaves(results, words)?,
        waves::regions(results, words)?,
        waves::progress(results),
    ];
    if let Some(spot) = &results.spot {
        tables.extend(scenarios::tables(spot, words)?);
    }
    Ok(tables)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_fields_and_blanks_non_finite_numbers() {
        let mut t = Table::new("x.csv", &["a", "b"]);
        t.push(vec![s("Poorest 20%, rural"), num(f64::NAN)]);
        t.push(vec![s("say \"hi\""), num(0.25)]);
        assert_eq!(
            t.to_csv(),
            "a,b\n\"Poorest 20%, rural\",\n\"say \"\"hi\"\"\",0.25\n"
        );
        assert_eq!(t.rows(), 2);
    }
}
