//! The brief as a Word document (`brief.docx`), written from the rendered Markdown brief, so the
//! Word brief says exactly what `brief.md` says. The OOXML parts are written here and zipped with
//! fixed timestamps, order and compression: the same brief gives the same bytes. The document's
//! date is the spec's reference date, never the clock.

use std::io::{Cursor, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, System, ZipWriter};

use crate::error::{Error, Result};

mod markdown;
mod picture;
mod styles;
mod table;
mod xml;

use markdown::Body;
use xml::escape;

/// The file name in the brief's folder.
pub const FILE: &str = "brief.docx";

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const WP: &str = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
const CT: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml";
const XML_HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;

/// The language tag Word spells checks and hyphenates with, for a brief language.
pub fn word_language(language: &str) -> &str {
    match language {
        "en" => "en-GB",
        "id" => "id-ID",
        other => other,
    }
}

/// `brief.docx` from the Markdown brief; `root` is the brief's folder (the charts' PNGs are read
/// from `charts/` there).
pub fn build(root: &Path, markdown: &str, language: &str, reference_date: &str) -> Result<Vec<u8>> {
    let path = root.join(FILE);
    let date = w3c_date(reference_date).ok_or_else(|| {
        Error::output(
            &path,
            format!("brief.reference_date \"{reference_date}\" is not a YYYY-MM-DD date"),
        )
    })?;
    let body = markdown::convert(markdown, root)?;
    let lang = word_language(language);
    let parts = parts(&body, lang, &date);
    zip_parts(&parts, &body).map_err(|e| Error::output(&path, format!("cannot write: {e}")))
}

/// "2026-06-30" → "2026-06-30T00:00:00Z".
fn w3c_date(date: &str) -> Option<String> {
    let b = date.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    shape.then(|| format!("{date}T00:00:00Z"))
}

/// Every XML part, in the order they are zipped (pictures follow).
fn parts(body: &Body, lang: &str, date: &str) -> Vec<(&'static str, String)> {
    vec![
        ("[Content_Types].xml", content_types()),
        ("_rels/.rels", package_rels()),
        ("docProps/core.xml", core(body, lang, date)),
        ("docProps/app.xml", app()),
        ("word/document.xml", document(body)),
        ("word/styles.xml", styles::styles(lang)),
        ("word/settings.xml", styles::settings(lang)),
        (
            "word/numbering.xml",
            styles::numbering(&body.ordered_starts),
        ),
        ("word/footer1.xml", footer()),
        ("word/_rels/document.xml.rels", document_rels(body)),
    ]
}

/// Deflate at a fixed level for XML, stored for the PNGs (already compressed); 1980-01-01 and
/// fixed permissions on every entry.
fn zip_parts(parts: &[(&str, String)], body: &Body) -> zip::result::ZipResult<Vec<u8>> {
    let fixed = SimpleFileOptions::default()
        .last_modified_time(DateTime::default())
        .system(System::Unix)
        .unix_permissions(0o644);
    let deflated = fixed
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(6));
    let stored = fixed.compression_method(CompressionMethod::Stored);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, text) in parts {
        zip.start_file(*name, deflated)?;
        zip.write_all(text.as_bytes())?;
    }
    for media in &body.media {
        zip.start_file(format!("word/{}", media.target), stored)?;
        zip.write_all(&media.bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

fn content_types() -> String {
    let mut s = format!(
        r#"{XML_HEAD}
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/>"#
    );
    for (part, kind) in [
        ("/word/document.xml", "document.main"),
        ("/word/styles.xml", "styles"),
        ("/word/settings.xml", "settings"),
        ("/word/numbering.xml", "numbering"),
        ("/word/footer1.xml", "footer"),
    ] {
        s.push_str(&format!(
            r#"<Override PartName="{part}" ContentType="{CT}.{kind}+xml"/>"#
        ));
    }
    s.push_str(r#"<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>"#);
    s
}

fn package_rels() -> String {
    format!(
        r#"{XML_HEAD}
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="{R}/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="{R}/extended-properties" Target="docProps/app.xml"/></Relationships>"#
    )
}

fn document_rels(body: &Body) -> String {
    let mut s = format!(
        r#"{XML_HEAD}
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
    );
    for (id, kind, target) in [
        ("rStyles", "styles", "styles.xml"),
        ("rSettings", "settings", "settings.xml"),
        ("rNumbering", "numbering", "numbering.xml"),
        ("rFooter", "footer", "footer1.xml"),
    ] {
        s.push_str(&format!(
            r#"<Relationship Id="{id}" Type="{R}/{kind}" Target="{target}"/>"#
        ));
    }
    for m in &body.media {
        s.push_str(&format!(
            r#"<Relationship Id="{}" Type="{R}/image" Target="{}"/>"#,
            m.rel_id, m.target
        ));
    }
    for (id, url) in &body.links {
        s.push_str(&format!(
            r#"<Relationship Id="{id}" Type="{R}/hyperlink" Target="{}" TargetMode="External"/>"#,
            escape(&xml::uri(url))
        ));
    }
    s.push_str("</Relationships>");
    s
}

/// Title, language and dates (the reference date) of the document.
fn core(body: &Body, lang: &str, date: &str) -> String {
    let title = escape(body.title.as_deref().unwrap_or(""));
    format!(
        r#"{XML_HEAD}
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>{title}</dc:title><dc:creator>{tool}</dc:creator><dc:language>{lang}</dc:language><dcterms:created xsi:type="dcterms:W3CDTF">{date}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{date}</dcterms:modified></cp:coreProperties>"#,
        tool = env!("CARGO_PKG_NAME"),
        lang = escape(lang),
    )
}

fn app() -> String {
    format!(
        r#"{XML_HEAD}
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>{}</Application></Properties>"#,
        env!("CARGO_PKG_NAME")
    )
}

/// The body, then A4 pages with 2 cm margins and the page number in the footer.
fn document(body: &Body) -> String {
    format!(
        r#"{XML_HEAD}
<w:document xmlns:w="{W}" xmlns:r="{R}" xmlns:wp="{WP}"><w:body>{}<w:sectPr><w:footerReference w:type="default" r:id="rFooter"/><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr></w:body></w:document>"#,
        body.xml
    )
}

fn footer() -> String {
    format!(
        r#"{XML_HEAD}
<w:ftr xmlns:w="{W}" xmlns:r="{R}"><w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:ftr>"#
    )
}
