//! The statistical annex as data: every estimate the brief prints, with its population, unweighted
//! n and, where the method gives one, standard error and 95% confidence interval. A table is typed
//! cells, so the CSV files in `tables/` and the workbook (`present::xlsx`) write the same values.
//! CSV numbers are written in full precision whatever the brief's language, with a dot decimal
//! mark by default (`brief.annex_csv`).

use serde::Serialize;

use super::words::Words;
use crate::error::{Error, Result};
use crate::results::Results;
use crate::spec::AnnexCsv;

mod programmes;
mod rap;
mod scenarios;
mod waves;

/// What a number measures, which fixes its number format in the workbook (the CSVs write every
/// number the same way). An SE or interval bound has the kind of its estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A proportion from 0 to 1: a rate, a share, or the SE or a CI bound of one (shown as percent).
    Proportion,
    /// An index: D, Gini, Theil, a Shapley part of D, FGT2.
    Index,
    /// A ratio: Palma, S80/S20, poverty gap closed per unit of cost.
    Ratio,
    /// A number already in percent (a column named `*_pct`).
    Percent,
    /// An amount in local currency.
    Money,
    /// A weighted number of people.
    People,
}

/// One cell of an annex table.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    /// Text as data: an id, a label, a flag's reason.
    Text(String),
    /// A whole number: an unweighted n, a year, a tree node, a decile.
    Int(i64),
    /// A measured number (non-finite numbers are written as empty cells).
    Num(f64, Kind),
    /// The outcome of a test.
    Bool(bool),
    /// No value: not computed or not applicable.
    #[default]
    Empty,
}

/// One annex table: its file name (in `tables/`), its columns and its rows. Its title, in the
/// brief's language, is in the strings files under `[tables]`, keyed by the file stem.
pub struct Table {
    pub file: &'static str,
    header: &'static [&'static str],
    rows: Vec<Vec<Cell>>,
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

    fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.header.len(), "{}", self.file);
        self.rows.push(row);
    }

    /// The file stem: the key of the table's title in `[tables]`, and its sheet in the workbook.
    pub fn key(&self) -> &'static str {
        self.file.trim_end_matches(".csv")
    }

    pub fn header(&self) -> &'static [&'static str] {
        self.header
    }

    pub fn rows(&self) -> &[Vec<Cell>] {
        &self.rows
    }

    /// The CSV file: a header line, then one line per row, `\n` line ends, fields quoted only when
    /// they hold the delimiter, a quote or a line break.
    pub fn to_csv(&self, style: AnnexCsv) -> Result<Vec<u8>> {
        let delimiter = match style {
            AnnexCsv::Machine => b',',
            AnnexCsv::SemicolonDecimalComma => b';',
        };
        let mut w = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .from_writer(Vec::new());
        let fail = |e: &dyn std::fmt::Display| Error::Output {
            path: std::path::Path::new("tables").join(self.file),
            message: format!("cannot write the CSV: {e}"),
        };
        w.write_record(self.header).map_err(|e| fail(&e))?;
        for row in &self.rows {
            w.write_record(row.iter().map(|c| csv_text(c, style)))
                .map_err(|e| fail(&e))?;
        }
        w.into_inner().map_err(|e| fail(&e))
    }
}

/// A cell as CSV text. Numbers in full precision (Rust's shortest round-trip form, never an
/// exponent), so the only `.` in one is its decimal mark.
fn csv_text(cell: &Cell, style: AnnexCsv) -> String {
    match cell {
        Cell::Text(x) => text_cell(x),
        Cell::Int(x) => x.to_string(),
        Cell::Num(x, _) if x.is_finite() => match style {
            AnnexCsv::Machine => format!("{x}"),
            AnnexCsv::SemicolonDecimalComma => format!("{x}").replace('.', ","),
        },
        Cell::Num(..) | Cell::Empty => String::new(),
        Cell::Bool(x) => x.to_string(),
    }
}

fn num(x: f64, kind: Kind) -> Cell {
    Cell::Num(x, kind)
}

fn opt(x: Option<f64>, kind: Kind) -> Cell {
    x.map_or(Cell::Empty, |x| Cell::Num(x, kind))
}

fn int(x: impl Into<i64>) -> Cell {
    Cell::Int(x.into())
}

/// An unweighted count (u64; an n beyond i64 cannot come from a file a run can read).
fn count(n: u64) -> Cell {
    Cell::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

fn s(x: &str) -> Cell {
    Cell::Text(x.to_string())
}

/// Text as a CSV field. Text that a spreadsheet would read as a formula (starting with `=`, `+`,
/// `-`, `@`, a tab or a carriage return) is prefixed with `'`, as OWASP recommends against CSV
/// injection; numbers never pass here. (The workbook types text as text, which is never a formula.)
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
    tables.extend(waves::shared_prosperity(results));
    if let Some(spot) = &results.spot {
        tables.extend(scenarios::tables(spot, words)?);
        tables.extend(programmes::tables(spot));
    }
    Ok(tables)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new("x.csv", &["a", "b", "c"]);
        t.push(vec![
            s("Poorest 20%, rural"),
            num(f64::NAN, Kind::Index),
            Cell::Empty,
        ]);
        t.push(vec![s("say \"hi\""), num(0.25, Kind::Proportion), int(7)]);
        t.push(vec![
            s("=1+2; x"),
            num(-1234.5, Kind::Money),
            Cell::Bool(true),
        ]);
        t
    }

    #[test]
    fn csv_quotes_fields_and_blanks_non_finite_numbers() {
        let t = sample();
        assert_eq!(
            String::from_utf8(t.to_csv(AnnexCsv::Machine).unwrap()).unwrap(),
            "a,b,c\n\"Poorest 20%, rural\",,\n\"say \"\"hi\"\"\",0.25,7\n'=1+2; x,-1234.5,true\n"
        );
        assert_eq!(t.rows().len(), 3);
        assert_eq!(t.key(), "x");
    }

    #[test]
    fn semicolon_csv_has_decimal_commas_and_quotes_semicolons() {
        assert_eq!(
            String::from_utf8(sample().to_csv(AnnexCsv::SemicolonDecimalComma).unwrap()).unwrap(),
            "a;b;c\nPoorest 20%, rural;;\n\"say \"\"hi\"\"\";0,25;7\n\"'=1+2; x\";-1234,5;true\n"
        );
    }

    #[test]
    fn numbers_are_written_without_exponents() {
        let text = |x| csv_text(&num(x, Kind::Index), AnnexCsv::Machine);
        assert_eq!(text(1e-7), "0.0000001");
        assert_eq!(text(1e21), "1000000000000000000000");
        assert_eq!(text(f64::INFINITY), "");
        assert_eq!(count(u64::MAX), Cell::Int(i64::MAX));
    }
}
