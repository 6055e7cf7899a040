//! The statistical annex as one Excel workbook (`annex.xlsx`, `brief.formats` = "xlsx"): a first
//! sheet saying what each table holds and how the estimates were made, one sheet per annex table
//! (the rows of `tables/*.csv`, typed: numbers as numbers with number formats, n as integers,
//! flags as text), and a sheet of input and CSV checksums.
//!
//! Deterministic bytes: rust_xlsxwriter stamps every zip entry 1980-01-01 and the document's
//! creation date is `brief.reference_date`, never the clock.

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::render::Strings;
use super::tables::{Cell, Kind, Table, TableFile};
use crate::error::{Error, Result};
use crate::results::Results;

/// The workbook's file name in the brief folder.
pub const FILE: &str = "annex.xlsx";

/// The manifest beside the workbook, which lists the workbook's own SHA-256.
const MANIFEST: &str = "manifest.json";

/// Widths (in characters) of text columns: at least the header, at most this.
const MAX_TEXT_WIDTH: usize = 50;
/// Width of a number column (numbers are right-aligned and formatted, so one width fits all).
const NUMBER_WIDTH: usize = 12;

/// The number formats and text styles of the workbook, made once.
struct Styles {
    header: Format,
    heading: Format,
    wrap: Format,
    proportion: Format,
    index: Format,
    ratio: Format,
    percent: Format,
    amount: Format,
}

impl Styles {
    fn new() -> Self {
        Styles {
            header: Format::new()
                .set_bold()
                .set_border_bottom(FormatBorder::Thin),
            heading: Format::new().set_bold(),
            wrap: Format::new().set_text_wrap(),
            proportion: Format::new().set_num_format("0.00%"),
            index: Format::new().set_num_format("0.000"),
            ratio: Format::new().set_num_format("0.00"),
            percent: Format::new().set_num_format("0.00"),
            amount: Format::new().set_num_format("#,##0"),
        }
    }

    fn number(&self, kind: Kind) -> &Format {
        match kind {
            Kind::Proportion => &self.proportion,
            Kind::Index => &self.index,
            Kind::Ratio => &self.ratio,
            Kind::Percent => &self.percent,
            Kind::Money | Kind::People => &self.amount,
        }
    }
}

fn fail(e: XlsxError) -> Error {
    Error::Output {
        path: FILE.into(),
        message: format!("cannot write the workbook: {e}"),
    }
}

/// The workbook of a brief's annex tables; `files` are the tables' CSVs as written (same order).
pub fn workbook(
    results: &Results,
    t: &Strings,
    tables: &[Table],
    files: &[TableFile],
) -> Result<Vec<u8>> {
    let styles = Styles::new();
    let mut book = Workbook::new();
    book.set_properties(&properties(results, t)?);
    let checksums = t.fill("workbook.sheet_checksums", &[])?;
    about(
        book.add_worksheet(),
        results,
        t,
        tables,
        &checksums,
        &styles,
    )?;
    for table in tables {
        table_sheet(book.add_worksheet(), table, &styles)?;
    }
    checksum_sheet(book.add_worksheet(), results, t, files, &checksums, &styles)?;
    book.save_to_buffer().map_err(fail)
}

/// Title and a creation date taken from `brief.reference_date` (YYYY-MM-DD, checked by the
/// spec's validation; a results.json edited by hand is refused here).
fn properties(results: &Results, t: &Strings) -> Result<DocProperties> {
    let date = &results.brief.reference_date;
    let bad = || Error::Output {
        path: FILE.into(),
        message: format!("brief.reference_date \"{date}\" is not a valid date (YYYY-MM-DD)"),
    };
    let mut parts = date.splitn(3, '-');
    let mut part = || parts.next().and_then(|p| p.parse::<u16>().ok());
    let (y, m, d) = (part(), part(), part());
    let (Some(y), Some(m), Some(d)) = (y, m, d) else {
        return Err(bad());
    };
    let (m, d) = (
        u8::try_from(m).map_err(|_| bad())?,
        u8::try_from(d).map_err(|_| bad())?,
    );
    let created = ExcelDateTime::from_ymd(y, m, d).map_err(|_| bad())?;
    let title = t.fill("workbook.title", &[("title", &results.brief.title)])?;
    Ok(DocProperties::new()
        .set_title(title)
        .set_comment(format!("{} {}", results.tool, results.version))
        .set_creation_datetime(&created))
}

/// One annex table: the CSV's header frozen on top, its rows typed.
fn table_sheet(ws: &mut Worksheet, table: &Table, st: &Styles) -> Result<()> {
    ws.set_name(table.key()).map_err(fail)?;
    for (c, name) in table.header().iter().enumerate() {
        let col = column(c)?;
        ws.write_string_with_format(0, col, *name, &st.header)
            .map_err(fail)?;
        ws.set_column_width(col, column_width(table, c, name) as f64)
            .map_err(fail)?;
    }
    for (r, row) in table.rows().iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| too_many(table))?;
        for (c, cell) in row.iter().enumerate() {
            write_cell(ws, r, column(c)?, cell, st)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(fail)?;
    // Printed: landscape, one page wide, the header on every page.
    print_setup(ws);
    ws.set_repeat_rows(0, 0).map_err(fail)?;
    if !table.rows().is_empty() {
        let last_col = column(table.header().len().saturating_sub(1))?;
        let last_row = u32::try_from(table.rows().len()).map_err(|_| too_many(table))?;
        ws.autofilter(0, 0, last_row, last_col).map_err(fail)?;
    }
    Ok(())
}

/// A sheet named from the strings file; a name Excel refuses is the strings file's error.
fn name_sheet(ws: &mut Worksheet, t: &Strings, key: &str, name: &str) -> Result<()> {
    ws.set_name(name).map_err(|e| Error::Template {
        template: format!("strings/{}.toml", t.language),
        message: format!("`{key}` = \"{name}\" is not a worksheet name: {e}"),
    })?;
    Ok(())
}

/// Landscape, one page wide (as many pages down as needed).
fn print_setup(ws: &mut Worksheet) {
    ws.set_landscape();
    ws.set_print_fit_to_pages(1, 0);
}

fn too_many(table: &Table) -> Error {
    Error::Output {
        path: FILE.into(),
        message: format!("table {} has more rows than a worksheet holds", table.key()),
    }
}

fn column(c: usize) -> Result<u16> {
    u16::try_from(c).map_err(|_| Error::Output {
        path: FILE.into(),
        message: format!("column {c} is beyond a worksheet's columns"),
    })
}

/// Text columns as wide as their longest text (capped), number columns a fixed width; always at
/// least the header. Set explicitly, so no spreadsheet has to autofit.
fn column_width(table: &Table, c: usize, header: &str) -> usize {
    let text = table
        .rows()
        .iter()
        .filter_map(|row| match row.get(c) {
            Some(Cell::Text(x)) => Some(x.chars().count()),
            _ => None,
        })
        .max();
    let body = match text {
        Some(len) => len.min(MAX_TEXT_WIDTH),
        None => NUMBER_WIDTH,
    };
    body.max(header.chars().count() + 2)
}

/// A typed cell: text as text (never a formula, so not prefixed as in the CSV), numbers with the
/// format of their kind, nothing for an empty or non-finite value.
fn write_cell(ws: &mut Worksheet, r: u32, c: u16, cell: &Cell, st: &Styles) -> Result<()> {
    match cell {
        Cell::Text(x) => ws.write_string(r, c, x).map(|_| ()),
        Cell::Int(x) => ws.write_number(r, c, *x as f64).map(|_| ()),
        Cell::Num(x, kind) if x.is_finite() => ws
            .write_number_with_format(r, c, *x, st.number(*kind))
            .map(|_| ()),
        Cell::Num(..) | Cell::Empty => Ok(()),
        Cell::Bool(x) => ws.write_boolean(r, c, *x).map(|_| ()),
    }
    .map_err(fail)
}

/// A row of texts from column A, in one format.
fn texts(ws: &mut Worksheet, r: u32, cells: &[&str], format: &Format) -> Result<()> {
    for (c, x) in cells.iter().enumerate() {
        ws.write_string_with_format(r, column(c)?, *x, format)
            .map_err(fail)?;
    }
    Ok(())
}

/// A paragraph across columns A–D, wrapped, with a row height that fits it.
fn paragraph(ws: &mut Worksheet, r: u32, text: &str, st: &Styles) -> Result<()> {
    ws.merge_range(r, 0, r, 3, text, &st.wrap).map_err(fail)?;
    let lines = text.chars().count().div_ceil(ABOUT_LINE).max(1);
    ws.set_row_height(r, 15.0 * lines as f64).map_err(fail)?;
    Ok(())
}

/// Characters of a wrapped line on the first sheet: a paragraph across columns A–D (140 wide),
/// a table's content in column C (90 wide); less than the widths, as proportional text varies.
const ABOUT_LINE: usize = 135;
const CONTENT_LINE: usize = 95;

/// The first sheet: what the workbook is, what each table holds, how the estimates were made and
/// where the checksums are.
fn about(
    ws: &mut Worksheet,
    results: &Results,
    t: &Strings,
    tables: &[Table],
    checksums: &str,
    st: &Styles,
) -> Result<()> {
    let name = t.fill("workbook.sheet_about", &[])?;
    name_sheet(ws, t, "workbook.sheet_about", &name)?;
    print_setup(ws);
    for (c, width) in [16.0, 26.0, 90.0, 8.0].into_iter().enumerate() {
        ws.set_column_width(column(c)?, width).map_err(fail)?;
    }
    let b = &results.brief;
    let title = t.fill("workbook.title", &[("title", &b.title)])?;
    texts(ws, 0, &[&title], &st.heading)?;
    let line = t.fill(
        "workbook.country_date",
        &[("country", &b.country), ("date", &b.reference_date)],
    )?;
    texts(ws, 1, &[&line], &Format::new())?;
    texts(
        ws,
        2,
        &[&t.fill("charts.source", &[("source", &b.source)])?],
        &Format::new(),
    )?;
    let mut r = 4;
    if b.synthetic {
        let note = format!(
            "{} {}",
            t.fill("common.synthetic_title", &[])?,
            t.fill("common.synthetic_text", &[])?
        );
        paragraph(ws, 3, &note, st)?;
        r = 5;
    }
    r = table_list(ws, r, t, tables, st)?;
    r = methods(ws, r + 1, results, t, st)?;
    let note = t.fill(
        "workbook.checksums_note",
        &[
            ("sheet", checksums),
            ("manifest", MANIFEST),
            ("verify", "vnr-brief verify"),
        ],
    )?;
    paragraph(ws, r + 1, &note, st)
}

/// The list of tables on the first sheet, from row `r`; returns the next free row.
fn table_list(
    ws: &mut Worksheet,
    mut r: u32,
    t: &Strings,
    tables: &[Table],
    st: &Styles,
) -> Result<u32> {
    texts(
        ws,
        r,
        &[&t.fill("workbook.tables_heading", &[])?],
        &st.heading,
    )?;
    let header = [
        t.fill("workbook.col_sheet", &[])?,
        t.fill("annex.col_file", &[])?,
        t.fill("annex.col_content", &[])?,
        t.fill("annex.col_rows", &[])?,
    ];
    let header: Vec<&str> = header.iter().map(String::as_str).collect();
    texts(ws, r + 1, &header, &st.header)?;
    r += 2;
    for table in tables {
        let file = format!("tables/{}", table.file);
        let content = t.fill(&format!("tables.{}", table.key()), &[])?;
        texts(ws, r, &[table.key(), &file], &Format::new())?;
        ws.write_string_with_format(r, 2, &content, &st.wrap)
            .map_err(fail)?;
        let lines = content.chars().count().div_ceil(CONTENT_LINE).max(1);
        ws.set_row_height(r, 15.0 * lines as f64).map_err(fail)?;
        ws.write_number(r, 3, table.rows().len() as f64)
            .map_err(fail)?;
        r += 1;
    }
    Ok(r)
}

/// How the estimates were made, in short, from row `r`; returns the next free row.
fn methods(ws: &mut Worksheet, r: u32, results: &Results, t: &Strings, st: &Styles) -> Result<u32> {
    let u = &results.uncertainty;
    let (replicates, seed) = (u.replicates.to_string(), u.seed.to_string());
    let bootstrap = if u.replicates == 0 {
        t.fill("workbook.method_no_bootstrap", &[])?
    } else {
        t.fill(
            "workbook.method_bootstrap",
            &[("replicates", &replicates), ("seed", &seed)],
        )?
    };
    let max_cv = format!("{:.0}", 100.0 * u.max_cv);
    let lines = [
        t.fill("workbook.method_rates", &[])?,
        bootstrap,
        t.fill("workbook.method_ci", &[])?,
        t.fill(
            "workbook.method_flag",
            &[("min_n", &u.min_n.to_string()), ("max_cv", &max_cv)],
        )?,
        t.fill(
            "workbook.method_cells",
            &[("currency", &results.brief.currency)],
        )?,
    ];
    texts(
        ws,
        r,
        &[&t.fill("workbook.methods_heading", &[])?],
        &st.heading,
    )?;
    for (i, line) in lines.iter().enumerate() {
        paragraph(ws, r + 1 + i as u32, line, st)?;
    }
    Ok(r + 1 + lines.len() as u32)
}

/// The inputs' SHA-256 (from results.json) and the annex CSVs'; the workbook's own is in the
/// manifest, which the sheet says.
fn checksum_sheet(
    ws: &mut Worksheet,
    results: &Results,
    t: &Strings,
    files: &[TableFile],
    name: &str,
    st: &Styles,
) -> Result<()> {
    name_sheet(ws, t, "workbook.sheet_checksums", name)?;
    print_setup(ws);
    for (c, width) in [16.0, 40.0, 68.0, 12.0].into_iter().enumerate() {
        ws.set_column_width(column(c)?, width).map_err(fail)?;
    }
    let fill = |key: &str| t.fill(key, &[]);
    texts(ws, 0, &[&fill("annex.inputs")?], &st.heading)?;
    let header = [
        fill("methods.col_wave")?,
        fill("annex.col_file")?,
        fill("annex.col_sha")?,
        fill("annex.col_bytes")?,
    ];
    texts(
        ws,
        1,
        &header.iter().map(String::as_str).collect::<Vec<_>>(),
        &st.header,
    )?;
    let mut r = 2;
    for input in &results.inputs {
        texts(
            ws,
            r,
            &[&input.wave, &input.path, &input.sha256],
            &Format::new(),
        )?;
        ws.write_number(r, 3, input.bytes as f64).map_err(fail)?;
        r += 1;
    }
    texts(ws, r + 1, &[&fill("workbook.outputs")?], &st.heading)?;
    let header = [
        fill("workbook.col_sheet")?,
        fill("annex.col_file")?,
        fill("annex.col_sha")?,
        fill("annex.col_rows")?,
    ];
    texts(
        ws,
        r + 2,
        &header.iter().map(String::as_str).collect::<Vec<_>>(),
        &st.header,
    )?;
    r += 3;
    for f in files {
        texts(ws, r, &[&f.key, &f.path, &f.sha256], &Format::new())?;
        ws.write_number(r, 3, f.rows as f64).map_err(fail)?;
        r += 1;
    }
    let note = t.fill(
        "workbook.self_hash",
        &[("manifest", MANIFEST), ("verify", "vnr-brief verify")],
    )?;
    texts(ws, r + 1, &[&note], &Format::new())
}
