//! Presentation: everything a person reads. Strings and number formats per language, the tera
//! templates (`render`), charts, the annex tables (CSV and the Excel workbook) and the PDF. Reads results only.

pub mod charts;
pub(crate) mod claims;
pub mod docx;
pub mod localise;
pub mod pdf;
pub mod render;
pub mod sdg;
pub mod tables;
pub mod words;
pub mod xlsx;
