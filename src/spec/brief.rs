//! The brief's section of the spec: title, language, date, the output formats (and the template
//! sets they are written from) and how the annex CSVs write numbers.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Brief {
    pub title: String,
    pub country: String,
    pub iso3: String,
    pub currency: String,
    #[serde(default = "default_language")]
    pub language: String,
    /// The document date (YYYY-MM-DD). Outputs never carry the wall-clock time.
    pub reference_date: String,
    #[serde(default = "default_formats")]
    pub formats: Vec<Format>,
    /// Marks a brief built on synthetic data; the brief says so on its first page.
    #[serde(default)]
    pub synthetic: bool,
    /// Source line printed under every chart and table.
    pub source: String,
    /// A folder of report templates replacing the built-in ones (same layout as
    /// `report_templates/`), relative to the spec's folder; `--templates` overrides it.
    #[serde(default)]
    pub templates: Option<PathBuf>,
    /// How the annex CSVs in `tables/` write fields and numbers: `"machine"` (the default: `,`
    /// between fields, `.` decimals) or `"semicolon-decimal-comma"` (`;` between fields, `,`
    /// decimals, for spreadsheets set to a locale such as Indonesian). Left out of results.json
    /// when it is the default.
    #[serde(default, skip_serializing_if = "AnnexCsv::is_machine")]
    pub annex_csv: AnnexCsv,
    /// Per language, how the brief names circumstances, levels, indicators, scenarios, regions
    /// and areas (`[brief.labels.id]`): used whenever the brief is written in that language.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, super::labels::Vocabulary>,
    /// The country's REF_AREA in the SDMX export: its code in the SDG area codelist (M49, e.g.
    /// "360"). Needed for `"sdmx"` unless the brief is synthetic (whose ISO3 code is written).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ref_area: Option<String>,
    /// What the SDG exports do with a cell of fewer than `uncertainty.min_n` records:
    /// `"suppress"` (the default: left out, and listed in `sdg/omitted.csv`) or `"flag"`
    /// (published with OBS_STATUS U, low reliability).
    #[serde(default, skip_serializing_if = "SmallCells::is_suppress")]
    pub sdg_small_cells: SmallCells,
}

/// What the SDG exports do with a small cell (`brief.sdg_small_cells`).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum SmallCells {
    /// Left out of the files (and listed in `sdg/omitted.csv`).
    #[default]
    Suppress,
    /// Published with OBS_STATUS "U" (low reliability).
    Flag,
}

impl SmallCells {
    pub fn is_suppress(&self) -> bool {
        *self == SmallCells::Suppress
    }
}

/// The field and decimal separators of the annex CSVs (`brief.annex_csv`). Full precision in both.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum AnnexCsv {
    /// `,` between fields, `.` as the decimal mark: read by any tool.
    #[default]
    Machine,
    /// `;` between fields, `,` as the decimal mark: what Excel expects in locales that write
    /// decimals with a comma (Indonesian, most of Europe).
    SemicolonDecimalComma,
}

impl AnnexCsv {
    pub fn is_machine(&self) -> bool {
        *self == AnnexCsv::Machine
    }
}

/// The languages a brief can be written in.
pub const LANGUAGES: &[&str] = &["en", "id"];

fn default_language() -> String {
    "en".into()
}
fn default_formats() -> Vec<Format> {
    vec![Format::Md, Format::Typ, Format::Pdf]
}

/// An output format of the brief, as `brief.formats` names it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(try_from = "String", into = "String")]
#[schemars(with = "FormatName")]
pub enum Format {
    /// Markdown (`brief.md`).
    Md,
    /// Typst source (`brief.typ`).
    Typ,
    /// PDF, compiled from the Typst brief (`brief.pdf`).
    Pdf,
    /// The statistical annex as one Excel workbook (`annex.xlsx`); written from the results, not
    /// from templates.
    Xlsx,
    /// Word, written from the Markdown brief (`brief.docx`).
    Docx,
    /// SDMX-CSV in the SDG global data structure (`sdg/sdmx.csv`); from the results.
    Sdmx,
    /// Open SDG data files (`sdg/opensdg/indicator_<id>.csv`); from the results.
    Opensdg,
}

/// The names `brief.formats` accepts, for the JSON Schema.
#[derive(schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum FormatName {
    Md,
    Typ,
    Pdf,
    Xlsx,
    Docx,
    Sdmx,
    Opensdg,
}

/// A set of report templates a format is written from (`report_templates/<set>/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TemplateSet {
    Md,
    Typ,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Md,
        Format::Typ,
        Format::Pdf,
        Format::Xlsx,
        Format::Docx,
        Format::Sdmx,
        Format::Opensdg,
    ];

    /// The name in the spec, and the extension of the brief file.
    pub fn name(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Typ => "typ",
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
            Format::Docx => "docx",
            Format::Sdmx => "sdmx",
            Format::Opensdg => "opensdg",
        }
    }

    /// The template set the format is written from: a PDF is compiled from the Typst brief, a
    /// Word brief written from the Markdown one; the workbook and the SDG files need none.
    pub fn template_set(self) -> Option<TemplateSet> {
        match self {
            Format::Md | Format::Docx => Some(TemplateSet::Md),
            Format::Typ | Format::Pdf => Some(TemplateSet::Typ),
            Format::Xlsx | Format::Sdmx | Format::Opensdg => None,
        }
    }
}

impl TemplateSet {
    /// The folder of the set in `report_templates/`, and the extension of its brief.
    pub fn name(self) -> &'static str {
        match self {
            TemplateSet::Md => "md",
            TemplateSet::Typ => "typ",
        }
    }

    /// The template sets a list of formats needs, each once, in a fixed order.
    pub fn needed_by(formats: &[Format]) -> Vec<TemplateSet> {
        let sets: std::collections::BTreeSet<_> =
            formats.iter().filter_map(|f| f.template_set()).collect();
        sets.into_iter().collect()
    }
}

impl TryFrom<String> for Format {
    type Error = String;
    fn try_from(name: String) -> std::result::Result<Self, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == name)
            .ok_or_else(|| {
                let names: Vec<String> = Format::ALL
                    .iter()
                    .map(|f| format!("\"{}\"", f.name()))
                    .collect();
                format!(
                    "brief.formats: unknown format \"{name}\"; expected any of {}",
                    names.join(", ")
                )
            })
    }
}

impl From<Format> for String {
    fn from(f: Format) -> String {
        f.name().to_string()
    }
}
