//! Reading a workbook back without Excel: the zip's XML parts (workbook, relationships, shared
//! strings, styles, sheets) parsed into cells; and the annex CSVs.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A cell of a worksheet as stored: a number (its text and style), a shared string or a boolean.
#[derive(Debug, Clone)]
pub(super) enum XCell {
    Num { text: String, style: usize },
    Str(String),
    Bool(bool),
}

pub(super) struct Sheet {
    pub(super) xml: String,
    pub(super) cells: BTreeMap<(usize, usize), XCell>,
}

pub(super) struct Book {
    /// Sheet names in workbook order.
    pub(super) names: Vec<String>,
    pub(super) sheets: BTreeMap<String, Sheet>,
    /// Indices into cellXfs whose number format shows percent.
    pub(super) percent_styles: BTreeSet<usize>,
    pub(super) core: String,
}

fn part(zip: &mut zip::ZipArchive<std::io::Cursor<Vec<u8>>>, name: &str) -> String {
    let mut text = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("no part {name}"))
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// "C12" → (row 11, column 2).
fn cell_ref(r: &str) -> (usize, usize) {
    let letters: String = r.chars().take_while(|c| c.is_ascii_uppercase()).collect();
    let col = letters
        .bytes()
        .fold(0usize, |acc, b| acc * 26 + (b - b'A' + 1) as usize)
        - 1;
    let row: usize = r[letters.len()..].parse().unwrap();
    (row - 1, col)
}

fn shared_strings(xml: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.root_element()
        .children()
        .filter(|n| n.has_tag_name("si"))
        .map(|si| {
            si.descendants()
                .filter(|n| n.has_tag_name("t"))
                .filter_map(|n| n.text())
                .collect()
        })
        .collect()
}

/// The cellXfs entries whose number format is a percent (built-in 9 and 10, or a custom code).
fn percent_styles(xml: &str) -> BTreeSet<usize> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let custom: BTreeMap<String, String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("numFmt"))
        .map(|n| {
            let id = n.attribute("numFmtId").unwrap().to_string();
            (id, n.attribute("formatCode").unwrap().to_string())
        })
        .collect();
    let xfs = doc
        .descendants()
        .find(|n| n.has_tag_name("cellXfs"))
        .unwrap();
    xfs.children()
        .filter(|n| n.has_tag_name("xf"))
        .enumerate()
        .filter(|(_, xf)| {
            let id = xf.attribute("numFmtId").unwrap_or("0");
            id == "9" || id == "10" || custom.get(id).is_some_and(|c| c.contains('%'))
        })
        .map(|(i, _)| i)
        .collect()
}

fn sheet_cells(xml: &str, strings: &[String]) -> BTreeMap<(usize, usize), XCell> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    let mut cells = BTreeMap::new();
    for c in doc.descendants().filter(|n| n.has_tag_name("c")) {
        let at = cell_ref(c.attribute("r").unwrap());
        let v = c
            .children()
            .find(|n| n.has_tag_name("v"))
            .and_then(|v| v.text());
        let Some(v) = v else { continue };
        let cell = match c.attribute("t") {
            Some("s") => XCell::Str(strings[v.parse::<usize>().unwrap()].clone()),
            Some("b") => XCell::Bool(v == "1"),
            None | Some("n") => XCell::Num {
                text: v.to_string(),
                style: c.attribute("s").map_or(0, |s| s.parse().unwrap()),
            },
            Some(t) => panic!("unexpected cell type {t} at {at:?}"),
        };
        cells.insert(at, cell);
    }
    cells
}

pub(super) fn read_book(path: &Path) -> Book {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(fs::read(path).unwrap())).unwrap();
    let strings = shared_strings(&part(&mut zip, "xl/sharedStrings.xml"));
    let percent_styles = percent_styles(&part(&mut zip, "xl/styles.xml"));
    let rels_xml = part(&mut zip, "xl/_rels/workbook.xml.rels");
    let rels = roxmltree::Document::parse(&rels_xml).unwrap();
    let target: BTreeMap<&str, &str> = rels
        .descendants()
        .filter(|n| n.has_tag_name("Relationship"))
        .map(|n| (n.attribute("Id").unwrap(), n.attribute("Target").unwrap()))
        .collect();
    let wb_xml = part(&mut zip, "xl/workbook.xml");
    let wb = roxmltree::Document::parse(&wb_xml).unwrap();
    let mut names = Vec::new();
    let mut sheets = BTreeMap::new();
    for s in wb.descendants().filter(|n| n.has_tag_name("sheet")) {
        let name = s.attribute("name").unwrap().to_string();
        let rid = s.attributes().find(|a| a.name() == "id").unwrap().value();
        let xml = part(&mut zip, &format!("xl/{}", target[rid]));
        let cells = sheet_cells(&xml, &strings);
        names.push(name.clone());
        sheets.insert(name, Sheet { xml, cells });
    }
    let core = part(&mut zip, "docProps/core.xml");
    Book {
        names,
        sheets,
        percent_styles,
        core,
    }
}

pub(super) fn read_csv(path: &Path, delimiter: u8) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(delimiter)
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The annex CSV files of a brief folder, by file stem.
pub(super) fn csv_files(out: &Path) -> BTreeMap<String, PathBuf> {
    fs::read_dir(out.join("tables"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect()
}

/// Every text on a sheet.
pub(super) fn sheet_texts(sheet: &Sheet) -> Vec<&str> {
    sheet
        .cells
        .values()
        .filter_map(|c| match c {
            XCell::Str(s) => Some(s.as_str()),
            _ => None,
        })
        .collect()
}
