//! The annex as an Excel workbook and the annex CSVs for a decimal-comma locale. The workbook is
//! read back without external tools: unzipped, its XML parts parsed (shared strings, styles, the
//! sheets), every cell compared with the CSV file of its table.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::case::*;
use vnr_brief::app::pipeline;
use vnr_brief::io::inputs::sha256_hex;

mod read;
use crate::common::case::copy_dir;
use read::{csv_files, read_book, read_csv, sheet_texts, Book, XCell};

const FORMATS: &str = "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]";

/// Columns of text (ids, labels, flags); every other column holds numbers or test outcomes.
const TEXT_COLUMNS: &[&str] = &[
    "wave",
    "indicator",
    "sdg",
    "unit",
    "circumstance",
    "group",
    "role",
    "flag",
    "region",
    "furthest_behind",
    "furthest_behind_flag",
    "no_group",
    "wave_first",
    "wave_latest",
    "behind_relation",
    "scenario",
    "label",
    "line",
    "area",
    "group_id",
    "series",
    "kind",
    "scheme_label",
    "option",
    "dimension",
    "level",
    "programme",
    "first",
    "second",
    "measure",
    "recipients_unit",
];
/// Columns of whole numbers.
const INT_COLUMNS: &[&str] = &[
    "population_n",
    "n",
    "node",
    "furthest_behind_n",
    "decile",
    "year",
    "years",
];
/// Columns of yes/no test outcomes.
const BOOL_COLUMNS: &[&str] = &["significant", "behind_significant", "covers_everyone"];
/// Columns of proportions (rates, shares and their SEs and intervals), in percent format.
const PERCENT_COLUMNS: &[&str] = &[
    "rate",
    "se",
    "ci_low",
    "ci_high",
    "weight_share",
    "opportunity_rate",
    "hoi",
    "hoi_se",
    "share",
    "rate_first",
    "change",
    "change_ci_low",
    "headcount_national",
    "headcount",
    "coverage",
    "population_share",
    "benefit_share",
    "share_to_poor",
    "not_poor_rate",
];
/// Columns that are numbers but not proportions (never percent-formatted); `table.column` where
/// the name means a proportion elsewhere (the SE of a Shapley part of D is an index).
const NOT_PERCENT_COLUMNS: &[&str] = &[
    "d",
    "d_se",
    "gini",
    "palma",
    "cost_lcu",
    "cost_pct_gdp",
    "shapley.value",
    "shapley.se",
];

/// The small demo case, Markdown and the workbook only, run into `out`.
fn run_case(case: &Case, out: &str) -> PathBuf {
    case.lock();
    let out = case.path(out);
    run_into(&case.spec_path(), &out);
    out
}

/// One CSV field against its cell; returns whether a number was compared.
fn check_cell(table: &str, column: &str, field: &str, cell: Option<&XCell>, book: &Book) -> bool {
    let at = format!("{table}.{column} = {field:?}: {cell:?}");
    match cell {
        None => assert!(field.is_empty(), "{at}: no cell"),
        Some(XCell::Num { text, style }) => {
            assert!(!TEXT_COLUMNS.contains(&column), "{at}: a number");
            let (x, y): (f64, f64) = (text.parse().unwrap(), field.parse().unwrap());
            assert_eq!(x.to_bits(), y.to_bits(), "{at}");
            if INT_COLUMNS.contains(&column) {
                assert!(text.parse::<i64>().is_ok(), "{at}: not an integer");
                assert!(field.parse::<i64>().is_ok(), "{at}: not an integer");
            }
            let percent = book.percent_styles.contains(style);
            let qualified = format!("{table}.{column}");
            let not_percent = NOT_PERCENT_COLUMNS.contains(&column)
                || NOT_PERCENT_COLUMNS.contains(&qualified.as_str())
                || INT_COLUMNS.contains(&column);
            if PERCENT_COLUMNS.contains(&column) && !not_percent {
                assert!(percent, "{at}: no percent format");
            }
            if not_percent {
                assert!(!percent, "{at}: percent format");
            }
            return true;
        }
        Some(XCell::Str(s)) => {
            assert!(TEXT_COLUMNS.contains(&column), "{at}: text");
            // The CSV prefixes formula-like text with ', the workbook types it as text.
            assert!(field == s || *field == format!("'{s}"), "{at}");
        }
        Some(XCell::Bool(b)) => {
            assert!(BOOL_COLUMNS.contains(&column), "{at}: a boolean");
            assert_eq!(field, b.to_string(), "{at}");
        }
    }
    false
}

#[test]
fn workbook_cells_equal_the_csv_tables() {
    let case = Case::csv().edit(FORMATS, "formats = [\"md\", \"xlsx\"]");
    let out = run_case(&case, "out");
    let book = read_book(&out.join("annex.xlsx"));
    let csvs = csv_files(&out);
    assert_eq!(book.names.first().map(String::as_str), Some("About"));
    assert_eq!(book.names.last().map(String::as_str), Some("Checksums"));
    let middle: BTreeSet<&str> = book.names[1..book.names.len() - 1]
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(middle, csvs.keys().map(String::as_str).collect());
    let mut numbers = 0;
    for (stem, path) in &csvs {
        let records = read_csv(path, b',');
        let sheet = &book.sheets[stem];
        let header = &records[0];
        for (c, name) in header.iter().enumerate() {
            assert!(
                matches!(sheet.cells.get(&(0, c)), Some(XCell::Str(s)) if s == name),
                "{stem}: header {name}"
            );
        }
        for (r, record) in records.iter().enumerate().skip(1) {
            for (c, field) in record.iter().enumerate() {
                let cell = sheet.cells.get(&(r, c));
                numbers += check_cell(stem, &header[c], field, cell, &book) as usize;
            }
        }
        // Nothing beyond the CSV's rows and columns.
        let (rows, cols) = (records.len(), header.len());
        assert!(
            sheet.cells.keys().all(|&(r, c)| r < rows && c < cols),
            "{stem}"
        );
        // The header row is frozen; every column has a width set.
        let doc = roxmltree::Document::parse(&sheet.xml).unwrap();
        let pane = doc.descendants().find(|n| n.has_tag_name("pane"));
        let pane = pane.unwrap_or_else(|| panic!("{stem}: no frozen pane"));
        assert_eq!(pane.attribute("state"), Some("frozen"), "{stem}");
        assert_eq!(pane.attribute("ySplit"), Some("1"), "{stem}");
        assert_eq!(pane.attribute("topLeftCell"), Some("A2"), "{stem}");
        let widths: usize = doc
            .descendants()
            .filter(|n| n.has_tag_name("col") && n.attribute("customWidth") == Some("1"))
            .map(|n| {
                let min: usize = n.attribute("min").unwrap().parse().unwrap();
                let max: usize = n.attribute("max").unwrap().parse().unwrap();
                max - min + 1
            })
            .sum();
        assert_eq!(widths, cols, "{stem}: column widths");
    }
    assert!(numbers > 2000, "only {numbers} numbers compared");
    check_about_and_checksums(&out, &book, &csvs);
    // The creation date is the brief's reference date, never the clock.
    assert!(
        book.core
            .contains("<dcterms:created xsi:type=\"dcterms:W3CDTF\">2026-06-30T00:00:00Z"),
        "{}",
        book.core
    );
    let manifest = fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"path\": \"annex.xlsx\""));
}

/// The first sheet names every table with its title and rows; the last lists every input's and
/// every CSV's SHA-256 and says where the workbook's own is.
fn check_about_and_checksums(out: &Path, book: &Book, csvs: &BTreeMap<String, PathBuf>) {
    let strings = vnr_brief::present::render::builtin_strings("en").unwrap();
    let about = &book.sheets["About"];
    let texts = sheet_texts(about);
    for (stem, path) in csvs {
        let title = strings.fill(&format!("tables.{stem}"), &[]).unwrap();
        assert!(texts.contains(&title.as_str()), "About lacks {title}");
        let row = about
            .cells
            .iter()
            .find(|(&(_, c), x)| c == 0 && matches!(x, XCell::Str(s) if s == stem))
            .map(|(&(r, _), _)| r)
            .unwrap_or_else(|| panic!("About lacks {stem}"));
        let rows = read_csv(path, b',').len() - 1;
        assert!(
            matches!(about.cells.get(&(row, 3)), Some(XCell::Num { text, .. }) if *text == rows.to_string()),
            "{stem}: rows"
        );
    }
    assert!(texts.iter().any(|t| t.starts_with("How the estimates")));
    let results: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("results.json")).unwrap()).unwrap();
    let sums = sheet_texts(&book.sheets["Checksums"]);
    let inputs = results["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2);
    for input in inputs {
        let sha = input["sha256"].as_str().unwrap();
        assert_eq!(sha.len(), 64);
        assert!(sums.contains(&sha), "Checksums lacks input {sha}");
    }
    for path in csvs.values() {
        let sha = sha256_hex(&fs::read(path).unwrap());
        assert!(sums.contains(&sha.as_str()), "Checksums lacks {path:?}");
    }
    assert!(sums.iter().any(|t| t.contains("manifest.json")));
}

#[test]
fn workbook_repeats_byte_for_byte_and_verify_catches_a_changed_byte() {
    let case = Case::csv().edit(FORMATS, "formats = [\"md\", \"xlsx\"]");
    let a = run_case(&case, "a");
    let b = run_case(&case, "b");
    let book = fs::read(a.join("annex.xlsx")).unwrap();
    assert!(book.starts_with(b"PK\x03\x04"), "not a zip");
    assert!(
        book == fs::read(b.join("annex.xlsx")).unwrap(),
        "two runs differ"
    );
    // Rendered again from results.json: the same workbook.
    let c = case.path("c");
    pipeline::rerender(&a.join("results.json"), &c, None).unwrap();
    assert!(
        book == fs::read(c.join("annex.xlsx")).unwrap(),
        "rerender differs"
    );
    pipeline::verify(&a, false).expect("verify passes");
    // A hand-edited results.json with an impossible date is an error naming it, not a panic.
    let json = fs::read_to_string(a.join("results.json")).unwrap();
    let edited = case.path("edited.json");
    fs::write(&edited, json.replace("\"2026-06-30\"", "\"2026-02-30\"")).unwrap();
    let err = pipeline::rerender(&edited, &case.path("d"), None).unwrap_err();
    assert_error(
        &err,
        7,
        &["annex.xlsx", "brief.reference_date", "2026-02-30"],
    );
    let mut changed = book.clone();
    let i = changed.len() / 2;
    changed[i] ^= 0x01;
    fs::write(a.join("annex.xlsx"), &changed).unwrap();
    let err = pipeline::verify(&a, false).unwrap_err();
    assert_error(&err, 8, &["annex.xlsx"]);
}

#[test]
fn workbook_in_indonesian_names_its_sheets_and_methods_in_bahasa_indonesia() {
    let case = Case::csv().edit(FORMATS, "formats = [\"md\", \"xlsx\"]");
    let en = run_case(&case, "en");
    let id = case.path("id");
    pipeline::rerender_in(&en.join("results.json"), &id, None, Some("id")).unwrap();
    let book = read_book(&id.join("annex.xlsx"));
    assert_eq!(book.names.first().map(String::as_str), Some("Keterangan"));
    assert_eq!(book.names.last().map(String::as_str), Some("Checksum"));
    let strings = vnr_brief::present::render::builtin_strings("id").unwrap();
    let texts = sheet_texts(&book.sheets["Keterangan"]);
    for key in [
        "workbook.methods_heading",
        "tables.indicators",
        "tables.progress",
    ] {
        let text = strings.fill(key, &[]).unwrap();
        assert!(texts.contains(&text.as_str()), "lacks {text}");
    }
    // A sheet name Excel refuses, from a template folder's strings, is that file's error.
    let tpl = case.path("tpl");
    copy_dir(&Path::new(ROOT).join("report_templates"), &tpl);
    let en_strings = tpl.join("strings/en.toml");
    let text = fs::read_to_string(&en_strings).unwrap();
    assert!(text.contains("sheet_about = \"About\""));
    fs::write(
        &en_strings,
        text.replace("sheet_about = \"About\"", "sheet_about = \"About/Info\""),
    )
    .unwrap();
    let bad = case.path("bad");
    let err = pipeline::rerender(&en.join("results.json"), &bad, Some(&tpl)).unwrap_err();
    assert_error(
        &err,
        6,
        &["strings/en.toml", "workbook.sheet_about", "About/Info"],
    );
    assert!(!bad.exists());
    // The table sheets are the same numbers in both languages.
    let en_book = read_book(&en.join("annex.xlsx"));
    for stem in csv_files(&en).keys() {
        let nums = |b: &Book| -> Vec<String> {
            b.sheets[stem]
                .cells
                .values()
                .filter_map(|c| match c {
                    XCell::Num { text, .. } => Some(text.clone()),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(nums(&book), nums(&en_book), "{stem}");
    }
}

#[test]
fn semicolon_csv_reads_back_to_the_machine_values() {
    // A scenario label holding the new delimiter, and one a spreadsheet would take for a formula.
    let case = Case::csv()
        .edit(
            FORMATS,
            "formats = [\"md\"]\nannex_csv = \"semicolon-decimal-comma\"",
        )
        .edit(
            "label = \"Universal child benefit (0-5)\"",
            "label = \"Child benefit; universal (0-5)\"",
        )
        .edit(
            "label = \"Social pension (70+, no contributory pension)\"",
            "label = \"=SUM(A1; A2)\"",
        );
    let local = run_case(&case, "local");
    // The option is carried in results.json; without it the same results give machine CSVs.
    let json = fs::read_to_string(local.join("results.json")).unwrap();
    let option = "\"annex_csv\": \"semicolon-decimal-comma\"";
    assert!(json.contains(option), "results.json lacks the option");
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value["brief"].as_object_mut().unwrap().remove("annex_csv");
    let machine_json = case.path("machine.json");
    fs::write(&machine_json, serde_json::to_string(&value).unwrap()).unwrap();
    let machine = case.path("machine");
    pipeline::rerender(&machine_json, &machine, None).unwrap();
    let mut numbers = 0;
    for (stem, path) in csv_files(&machine) {
        let m = read_csv(&path, b',');
        let l = read_csv(&local.join("tables").join(format!("{stem}.csv")), b';');
        assert_eq!(m.len(), l.len(), "{stem}");
        assert_eq!(m[0], l[0], "{stem}: header");
        for (mr, lr) in m.iter().zip(&l).skip(1) {
            assert_eq!(mr.len(), lr.len(), "{stem}");
            for ((mf, lf), column) in mr.iter().zip(lr).zip(&m[0]) {
                match mf.parse::<f64>() {
                    Ok(x) if !TEXT_COLUMNS.contains(&column.as_str()) => {
                        assert!(!lf.contains('.'), "{stem}.{column}: {lf}");
                        let y: f64 = lf.replace(',', ".").parse().unwrap();
                        assert_eq!(x.to_bits(), y.to_bits(), "{stem}.{column}: {mf} {lf}");
                        numbers += 1;
                    }
                    _ => assert_eq!(mf, lf, "{stem}.{column}"),
                }
            }
        }
    }
    assert!(numbers > 2000, "only {numbers} numbers compared");
    let text = fs::read_to_string(local.join("tables/scenarios.csv")).unwrap();
    assert!(text.starts_with("wave;scenario;label;headcount_national;"));
    assert!(
        text.contains(";\"Child benefit; universal (0-5)\";"),
        "{text}"
    );
    assert!(text.contains(";\"'=SUM(A1; A2)\";"), "{text}");
    // The machine CSV needs no quotes for a `;`.
    let text = fs::read_to_string(machine.join("tables/scenarios.csv")).unwrap();
    assert!(text.contains(",Child benefit; universal (0-5),"), "{text}");
    assert!(text.contains(",'=SUM(A1; A2),"), "{text}");
}

#[test]
fn annex_csv_option_and_xlsx_format_are_checked() {
    let err = Case::empty(DEMO.into())
        .edit(FORMATS, "formats = [\"md\"]\nannex_csv = \"excel\"")
        .load_err();
    assert_error(
        &err,
        3,
        &[
            "demo.toml",
            "annex_csv",
            "excel",
            "machine",
            "semicolon-decimal-comma",
        ],
    );
    let err = Case::empty(DEMO.into())
        .edit(FORMATS, "formats = [\"md\", \"xls\"]")
        .load_err();
    assert_error(&err, 3, &["brief.formats", "\"xls\"", "\"xlsx\""]);
}

#[test]
fn workbook_alone_needs_no_brief_templates() {
    let case = Case::csv().edit(FORMATS, "formats = [\"xlsx\"]");
    let out = run_case(&case, "out");
    let mut files = vnr_brief::publish::manifest::list_files(&out).unwrap();
    files.retain(|f| !f.starts_with("charts/") && !f.starts_with("tables/"));
    assert_eq!(files, ["annex.xlsx", "manifest.json", "results.json"]);
}
