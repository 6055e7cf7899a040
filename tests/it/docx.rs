//! The Word brief: `brief.docx`, read back with `zip` and `roxmltree`, says what `brief.md` says —
//! the same headings in order with Word's heading styles, the same tables cell by cell, every chart
//! of the Markdown as its PNG with the image's alt text — in the brief's language, with hostile text
//! escaped, byte-identical on a rerun and covered by `verify`.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use roxmltree::{Document, Node};
use vnr_brief::app::pipeline;
use vnr_brief::io::inputs::sha256_hex;
use vnr_brief::present::docx;

use crate::common::case::{run_into, Case};

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const R: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const WP: &str = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing";
const A: &str = "http://schemas.openxmlformats.org/drawingml/2006/main";

/// A circumstance label with every character XML must escape.
const HOSTILE: &str = r#"Res<idence> & "co" 'x'"#;

/// The demo spec on small synthetic waves, with `formats` and the hostile label, locked.
fn case(formats: &str) -> Case {
    let case = Case::csv()
        .edit(
            "formats = [\"md\", \"typ\", \"pdf\", \"xlsx\"]",
            &format!("formats = {formats}"),
        )
        .edit(
            "label = \"Residence\"",
            r#"label = "Res<idence> & \"co\" 'x'""#,
        );
    case.lock();
    case
}

/// Every entry of a zip file, in order, with its bytes; every entry dated 1980-01-01 00:00:00.
fn unzip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut entry = zip.by_index(i).unwrap();
            let name = entry.name().unwrap().to_string();
            let t = entry.last_modified().unwrap();
            let stamp = (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
            );
            assert_eq!(stamp, (1980, 1, 1, 0, 0, 0), "{name}");
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (name, bytes)
        })
        .collect()
}

/// What the comparison looks at, in document order.
#[derive(Debug, PartialEq, Eq)]
enum Item {
    /// Level (1 = the `#` title) and text.
    Heading(u8, String),
    Table(Vec<Vec<String>>),
    /// SHA-256 of the picture's bytes, and its alt text.
    Image(String, String),
}

/// Headings, tables and images of the Markdown; an image's bytes are the PNG beside its SVG.
fn markdown_items(md: &str, folder: &Path) -> Vec<Item> {
    let mut items = Vec::new();
    let mut text: Option<String> = None;
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut image: Option<String> = None;
    for event in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Heading { .. } | Tag::TableCell) => text = Some(String::new()),
            Event::Start(Tag::Image { dest_url, .. }) => {
                image = Some(dest_url.to_string());
                text = Some(String::new());
            }
            Event::Start(Tag::TableHead | Tag::TableRow) => rows.push(Vec::new()),
            Event::Text(t) | Event::Code(t) => text.iter_mut().for_each(|s| s.push_str(&t)),
            Event::SoftBreak => text.iter_mut().for_each(|s| s.push(' ')),
            Event::End(TagEnd::Heading(level)) => {
                let level = match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    _ => 4,
                };
                items.push(Item::Heading(level, text.take().unwrap()));
            }
            Event::End(TagEnd::TableCell) => rows.last_mut().unwrap().push(text.take().unwrap()),
            Event::End(TagEnd::Table) => items.push(Item::Table(std::mem::take(&mut rows))),
            Event::End(TagEnd::Image) => {
                let dest = image.take().unwrap();
                let png = dest
                    .strip_suffix(".svg")
                    .expect("charts are SVG in the Markdown");
                let bytes = std::fs::read(folder.join(format!("{png}.png"))).unwrap();
                items.push(Item::Image(sha256_hex(&bytes), text.take().unwrap()));
            }
            _ => {}
        }
    }
    items
}

fn w<'a>(node: Node<'a, 'a>, name: &str) -> impl Iterator<Item = Node<'a, 'a>> {
    let name = name.to_string();
    node.children()
        .filter(move |n| n.tag_name().namespace() == Some(W) && n.tag_name().name() == name)
}

/// The text of a paragraph or cell: its `w:t`, in order.
fn text_of(node: Node) -> String {
    node.descendants()
        .filter(|n| n.tag_name().namespace() == Some(W) && n.tag_name().name() == "t")
        .filter_map(|n| n.text())
        .collect()
}

/// Headings (by their style), tables and pictures of `word/document.xml`, in body order.
fn docx_items(parts: &BTreeMap<String, Vec<u8>>) -> Vec<Item> {
    let text = std::str::from_utf8(&parts["word/document.xml"]).unwrap();
    let doc = Document::parse(text).unwrap();
    let rels = relationships(parts);
    let body = w(doc.root_element(), "body").next().unwrap();
    let mut items = Vec::new();
    for block in body.children().filter(|n| n.is_element()) {
        match block.tag_name().name() {
            "p" => {
                let style = block
                    .descendants()
                    .find(|n| n.tag_name().name() == "pStyle")
                    .and_then(|n| n.attribute((W, "val")));
                let level = match style {
                    Some("Title") => Some(1),
                    Some("Heading1") => Some(2),
                    Some("Heading2") => Some(3),
                    Some("Heading3") => Some(4),
                    _ => None,
                };
                if let Some(level) = level {
                    items.push(Item::Heading(level, text_of(block)));
                }
                items.extend(pictures(block, &rels, parts));
            }
            "tbl" => {
                let rows = w(block, "tr")
                    .map(|tr| w(tr, "tc").map(text_of).collect())
                    .collect();
                items.push(Item::Table(rows));
            }
            _ => {}
        }
    }
    items
}

/// The pictures of a paragraph: the bytes of the part each relationship names, and `descr`.
fn pictures(
    p: Node,
    rels: &BTreeMap<String, String>,
    parts: &BTreeMap<String, Vec<u8>>,
) -> Vec<Item> {
    p.descendants()
        .filter(|n| n.tag_name().namespace() == Some(WP) && n.tag_name().name() == "inline")
        .map(|inline| {
            let descr = inline
                .children()
                .find(|n| n.tag_name().name() == "docPr")
                .and_then(|n| n.attribute("descr"))
                .expect("every picture has alt text");
            let blip = inline
                .descendants()
                .find(|n| n.tag_name().namespace() == Some(A) && n.tag_name().name() == "blip")
                .unwrap();
            let target = &rels[blip.attribute((R, "embed")).unwrap()];
            let bytes = &parts[&format!("word/{target}")];
            Item::Image(sha256_hex(bytes), descr.to_string())
        })
        .collect()
}

fn relationships(parts: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, String> {
    let text = std::str::from_utf8(&parts["word/_rels/document.xml.rels"]).unwrap();
    let doc = Document::parse(text).unwrap();
    doc.root_element()
        .children()
        .filter(|n| n.is_element())
        .map(|n| {
            let (id, target) = (n.attribute("Id").unwrap(), n.attribute("Target").unwrap());
            (id.to_string(), target.to_string())
        })
        .collect()
}

/// The brief's language on the document's default run properties.
fn default_language(parts: &BTreeMap<String, Vec<u8>>) -> String {
    let text = std::str::from_utf8(&parts["word/styles.xml"]).unwrap();
    let doc = Document::parse(text).unwrap();
    let defaults = w(doc.root_element(), "docDefaults").next().unwrap();
    let lang = defaults
        .descendants()
        .find(|n| n.tag_name().name() == "lang")
        .unwrap();
    lang.attribute((W, "val")).unwrap().to_string()
}

/// The folder's docx against its brief.md; every XML part parses. Returns the parts.
fn assert_docx_matches_markdown(folder: &Path, lang: &str) -> BTreeMap<String, Vec<u8>> {
    let entries = unzip(&folder.join("brief.docx"));
    assert_eq!(entries[0].0, "[Content_Types].xml", "fixed entry order");
    let parts: BTreeMap<String, Vec<u8>> = entries.into_iter().collect();
    for (name, bytes) in &parts {
        if name.ends_with(".xml") || name.ends_with(".rels") {
            let text = std::str::from_utf8(bytes).unwrap();
            Document::parse(text).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
        }
    }
    let md = std::fs::read_to_string(folder.join("brief.md")).unwrap();
    let expected = markdown_items(&md, folder);
    let found = docx_items(&parts);
    let count = |f: fn(&Item) -> bool| expected.iter().filter(|i| f(i)).count();
    assert!(
        count(|i| matches!(i, Item::Heading(1, _))) == 1,
        "one title"
    );
    assert!(
        count(|i| matches!(i, Item::Heading(2, _))) >= 6,
        "the sections"
    );
    assert!(count(|i| matches!(i, Item::Table(_))) >= 10, "the tables");
    assert!(count(|i| matches!(i, Item::Image(..))) >= 8, "the charts");
    assert!(expected
        .iter()
        .all(|i| !matches!(i, Item::Image(_, alt) if alt.is_empty())));
    for (k, (e, f)) in expected.iter().zip(&found).enumerate() {
        assert_eq!(f, e, "item {k} of brief.docx differs from brief.md");
    }
    assert_eq!(found.len(), expected.len());
    assert_eq!(default_language(&parts), lang);
    let core = std::str::from_utf8(&parts["docProps/core.xml"]).unwrap();
    assert!(core.contains(&format!("<dc:language>{lang}</dc:language>")));
    parts
}

#[test]
fn docx_says_what_the_markdown_says_in_both_languages() {
    let case = case(r#"["md", "docx"]"#);
    let out = case.path("out");
    run_into(&case.spec_path(), &out);
    let parts = assert_docx_matches_markdown(&out, "en-GB");
    // The hostile label reads back as written: escaped in the XML, never raw.
    let document = std::str::from_utf8(&parts["word/document.xml"]).unwrap();
    assert!(document.contains("Res&lt;idence&gt; &amp; &quot;co&quot; &apos;x&apos;"));
    assert!(!document.contains("Res<idence>"));
    let doc = Document::parse(document).unwrap();
    let cells = doc.descendants().filter(|n| n.tag_name().name() == "tc");
    assert!(
        cells.map(text_of).any(|t| t == HOSTILE),
        "a cell holds the label"
    );
    assert!(text_of(doc.root_element()).contains("Table 1. "));
    // The date is the reference date, never the clock.
    let core = std::str::from_utf8(&parts["docProps/core.xml"]).unwrap();
    assert!(core.contains(">2026-06-30T00:00:00Z</dcterms:created>"));

    // The saved results re-rendered in Indonesian: a Word brief in Indonesian, as its brief.md.
    let out_id = case.path("out_id");
    pipeline::rerender_in(&out.join("results.json"), &out_id, None, Some("id")).unwrap();
    let parts_id = assert_docx_matches_markdown(&out_id, "id-ID");
    let text = std::str::from_utf8(&parts_id["word/document.xml"]).unwrap();
    assert!(text.contains("Temuan utama") && !text.contains("Highlights"));
}

#[test]
fn docx_alone_repeats_byte_for_byte_and_verify_covers_it() {
    let case = case(r#"["docx"]"#);
    let (a, b) = (case.path("out_a"), case.path("out_b"));
    run_into(&case.spec_path(), &a);
    run_into(&case.spec_path(), &b);
    assert!(!a.join("brief.md").exists(), "brief.md only when asked for");
    let docx_a = std::fs::read(a.join("brief.docx")).unwrap();
    assert_eq!(docx_a, std::fs::read(b.join("brief.docx")).unwrap());
    let manifest = std::fs::read_to_string(a.join("manifest.json")).unwrap();
    assert!(
        manifest.contains(&sha256_hex(&docx_a)),
        "listed in the manifest"
    );
    pipeline::verify(&a, false).unwrap();
    let mut changed = docx_a.clone();
    let at = changed.len() / 2;
    changed[at] ^= 1;
    std::fs::write(a.join("brief.docx"), &changed).unwrap();
    let err = pipeline::verify(&a, false).unwrap_err();
    assert_eq!(err.exit_code(), 8);
    assert!(
        err.to_string().contains("output brief.docx: sha256"),
        "{err}"
    );
}

/// A 4×2 pixel PNG header (all the converter reads of it).
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    png.extend_from_slice(&w.to_be_bytes());
    png.extend_from_slice(&h.to_be_bytes());
    png.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    png
}

#[test]
fn markdown_constructs_become_word_constructs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("charts")).unwrap();
    std::fs::write(dir.path().join("charts/c.png"), png_header(4, 2)).unwrap();
    let md = "# T\n\n> **Note** quoted\n\n| a | b | c |\n|:--|:-:|--:|\n| 1 | `x` | *y* |\n\n\
              1. one\n2. two\n\n- \u{1}bullet\n\n![Alt & <text>](charts/c.svg)\n\n\
              ```\nl1\nl2\n```\n\nSee [the site](<https://a.org/x y>).\n";
    let bytes = docx::build(dir.path(), md, "en", "2026-06-30").unwrap();
    assert_eq!(
        bytes,
        docx::build(dir.path(), md, "en", "2026-06-30").unwrap()
    );
    std::fs::write(dir.path().join("brief.docx"), &bytes).unwrap();
    let parts: BTreeMap<_, _> = unzip(&dir.path().join("brief.docx")).into_iter().collect();
    let text = std::str::from_utf8(&parts["word/document.xml"]).unwrap();
    let doc = Document::parse(text).unwrap();
    let vals = |name: &str| -> Vec<&str> {
        doc.descendants()
            .filter(|n| n.tag_name().name() == name)
            .filter_map(|n| n.attribute((W, "val")))
            .collect()
    };
    // Column alignment from the markers (the header row, then the body row).
    assert_eq!(
        vals("jc"),
        ["left", "center", "right", "left", "center", "right"]
    );
    let styles = vals("pStyle");
    for style in [
        "Title",
        "Quote",
        "TableHeading",
        "TableText",
        "ListParagraph",
        "Figure",
    ] {
        assert!(styles.contains(&style), "{style} in {styles:?}");
    }
    assert_eq!(vals("rStyle"), ["CodeChar", "Hyperlink"]);
    let code = doc
        .descendants()
        .find(|n| {
            n.tag_name().name() == "p"
                && n.descendants()
                    .any(|d| d.attribute((W, "val")) == Some("CodeBlock"))
        })
        .unwrap();
    let breaks = code
        .descendants()
        .filter(|n| n.tag_name().name() == "br")
        .count();
    assert_eq!(
        (text_of(code), breaks),
        ("l1l2".to_string(), 1),
        "one line end inside"
    );
    let rels = std::str::from_utf8(&parts["word/_rels/document.xml.rels"]).unwrap();
    assert!(
        rels.contains(r#"Target="https://a.org/x%20y" TargetMode="External""#),
        "{rels}"
    );
    let link = doc
        .descendants()
        .find(|n| n.tag_name().name() == "hyperlink")
        .unwrap();
    assert_eq!(text_of(link), "the site");
    // The ordered list numbers with a list of its own, the bullets with the shared one.
    assert_eq!(vals("numId"), ["2", "2", "1"]);
    assert_eq!(
        doc.descendants()
            .filter(|n| n.tag_name().name() == "tblHeader")
            .count(),
        1
    );
    // The picture at the text width, half as tall; the forbidden character dropped.
    let extent = doc
        .descendants()
        .find(|n| n.tag_name().name() == "extent")
        .unwrap();
    let cx: u64 = extent.attribute("cx").unwrap().parse().unwrap();
    let cy: u64 = extent.attribute("cy").unwrap().parse().unwrap();
    assert_eq!(
        (cx, cy),
        ((11906 - 2 * 1134) * 635, (11906 - 2 * 1134) * 635 / 2)
    );
    let descr = doc
        .descendants()
        .find(|n| n.tag_name().name() == "docPr")
        .unwrap();
    assert_eq!(descr.attribute("descr"), Some("Alt & <text>"));
    assert!(text_of(doc.root_element()).contains("bullet") && !text.contains('\u{1}'));

    // A picture that is not a chart beside the brief, or a missing PNG, is a clear error.
    for (md, needle) in [
        ("![a](../c.svg)", "only a chart"),
        ("![a](/etc/c.svg)", "only a chart"),
        ("![a](charts/missing.svg)", "cannot read charts/missing.png"),
    ] {
        let err = docx::build(dir.path(), md, "en", "2026-06-30").unwrap_err();
        assert!(err.to_string().contains(needle), "{md}: {err}");
    }
    std::fs::write(dir.path().join("charts/bad.png"), b"not a png").unwrap();
    let err = docx::build(dir.path(), "![a](charts/bad.svg)", "en", "2026-06-30").unwrap_err();
    assert!(err.to_string().contains("not a PNG"), "{err}");
}
