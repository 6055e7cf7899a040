//! `word/styles.xml`, `word/numbering.xml` and `word/settings.xml`. Headings use Word's built-in
//! style names ("heading 1", "Title"), so a drafting team's VNR template restyles them on paste and
//! the navigation pane and table of contents find them.

use super::xml::escape;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

/// A paragraph style: id, built-in name, paragraph properties, run properties.
const PARAGRAPH_STYLES: &[(&str, &str, &str, &str)] = &[
    (
        "Title",
        "Title",
        r#"<w:keepNext/><w:spacing w:before="0" w:after="240"/>"#,
        r#"<w:b/><w:bCs/><w:color w:val="1F3864"/><w:sz w:val="40"/><w:szCs w:val="40"/>"#,
    ),
    (
        "Heading1",
        "heading 1",
        r#"<w:keepNext/><w:keepLines/><w:spacing w:before="360" w:after="120"/><w:outlineLvl w:val="0"/>"#,
        r#"<w:b/><w:bCs/><w:color w:val="1F3864"/><w:sz w:val="30"/><w:szCs w:val="30"/>"#,
    ),
    (
        "Heading2",
        "heading 2",
        r#"<w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="80"/><w:outlineLvl w:val="1"/>"#,
        r#"<w:b/><w:bCs/><w:color w:val="1F3864"/><w:sz w:val="24"/><w:szCs w:val="24"/>"#,
    ),
    (
        "Heading3",
        "heading 3",
        r#"<w:keepNext/><w:keepLines/><w:spacing w:before="200" w:after="60"/><w:outlineLvl w:val="2"/>"#,
        r#"<w:b/><w:bCs/><w:sz w:val="22"/><w:szCs w:val="22"/>"#,
    ),
    (
        "Heading4",
        "heading 4",
        r#"<w:keepNext/><w:keepLines/><w:spacing w:before="160" w:after="40"/><w:outlineLvl w:val="3"/>"#,
        r#"<w:b/><w:bCs/><w:i/><w:iCs/>"#,
    ),
    // The paragraph before a table that opens with bold or italic text ("Table 1. …").
    (
        "Caption",
        "caption",
        r#"<w:keepNext/><w:spacing w:before="120" w:after="60"/>"#,
        "",
    ),
    // The paragraph right after a table (its note).
    (
        "TableNote",
        "Table Note",
        r#"<w:spacing w:before="60" w:after="160"/>"#,
        r#"<w:sz w:val="16"/><w:szCs w:val="16"/>"#,
    ),
    (
        "TableText",
        "Table Text",
        r#"<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>"#,
        r#"<w:sz w:val="16"/><w:szCs w:val="16"/>"#,
    ),
    (
        "TableHeading",
        "Table Heading",
        r#"<w:keepNext/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>"#,
        r#"<w:b/><w:bCs/><w:sz w:val="16"/><w:szCs w:val="16"/>"#,
    ),
    (
        "Figure",
        "Figure",
        r#"<w:keepNext/><w:spacing w:before="120" w:after="120"/><w:jc w:val="center"/>"#,
        "",
    ),
    // The synthetic-data warning and any other block quote: indented, shaded, a bar on the left.
    (
        "Quote",
        "Quote",
        r#"<w:pBdr><w:left w:val="single" w:sz="24" w:space="8" w:color="C55A11"/></w:pBdr><w:shd w:val="clear" w:color="auto" w:fill="FBE9DC"/><w:spacing w:before="120" w:after="120"/><w:ind w:left="284" w:right="284"/>"#,
        "",
    ),
    (
        "ListParagraph",
        "List Paragraph",
        r#"<w:spacing w:after="80"/><w:ind w:left="720"/>"#,
        "",
    ),
    (
        "CodeBlock",
        "Code Block",
        r#"<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/><w:spacing w:after="120" w:line="240" w:lineRule="auto"/>"#,
        r#"<w:rFonts w:ascii="Consolas" w:hAnsi="Consolas" w:cs="Consolas"/><w:sz w:val="18"/><w:szCs w:val="18"/>"#,
    ),
];

/// `word/styles.xml`: defaults (font, size, the brief's language) and the styles the body uses.
pub fn styles(lang: &str) -> String {
    let lang = escape(lang);
    let mut s = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="{W}"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Calibri" w:cs="Calibri"/><w:sz w:val="20"/><w:szCs w:val="20"/><w:lang w:val="{lang}" w:eastAsia="{lang}" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>"#
    );
    s.push_str(r#"<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>"#);
    s.push_str(r#"<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/></w:style>"#);
    s.push_str(r#"<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>"#);
    s.push_str(r#"<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/><w:semiHidden/></w:style>"#);
    for (id, name, ppr, rpr) in PARAGRAPH_STYLES {
        s.push_str(&format!(
            r#"<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>"#
        ));
    }
    s.push_str(r#"<w:style w:type="character" w:styleId="CodeChar"><w:name w:val="Code Char"/><w:basedOn w:val="DefaultParagraphFont"/><w:rPr><w:rFonts w:ascii="Consolas" w:hAnsi="Consolas" w:cs="Consolas"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr></w:style>"#);
    s.push_str(r#"<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/><w:basedOn w:val="DefaultParagraphFont"/><w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr></w:style>"#);
    s.push_str(r#"<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:left w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:bottom w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:right w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:insideH w:val="single" w:sz="4" w:space="0" w:color="auto"/><w:insideV w:val="single" w:sz="4" w:space="0" w:color="auto"/></w:tblBorders></w:tblPr></w:style>"#);
    s.push_str("</w:styles>");
    s
}

/// Bullets by level, then numbers by level (`%1.`, `%2.` …), as two abstract numberings.
fn abstract_num(id: u32, ordered: bool) -> String {
    const BULLETS: [&str; 3] = ["\u{2022}", "\u{2013}", "\u{25AA}"];
    let mut s = format!(
        r#"<w:abstractNum w:abstractNumId="{id}"><w:multiLevelType w:val="hybridMultilevel"/>"#
    );
    for level in 0..9u32 {
        let indent = 720 + 360 * level;
        let (fmt, text) = if ordered {
            ("decimal", format!("%{}.", level + 1))
        } else {
            ("bullet", BULLETS[level as usize % 3].to_string())
        };
        s.push_str(&format!(
            r#"<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{indent}" w:hanging="360"/></w:pPr></w:lvl>"#
        ));
    }
    s.push_str("</w:abstractNum>");
    s
}

/// `word/numbering.xml`: `w:num` 1 for every bulleted list, then one per ordered list (each
/// restarts at its own first number, given in `starts`, so it gets a `w:num` of its own; their ids
/// are 2, 3, … in order).
pub fn numbering(starts: &[u64]) -> String {
    let mut s = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="{W}">"#
    );
    s.push_str(&abstract_num(0, false));
    s.push_str(&abstract_num(1, true));
    s.push_str(r#"<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>"#);
    for (k, start) in starts.iter().enumerate() {
        let start = (*start).min(i32::MAX as u64);
        s.push_str(&format!(
            r#"<w:num w:numId="{}"><w:abstractNumId w:val="1"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride></w:num>"#,
            k + 2
        ));
    }
    s.push_str("</w:numbering>");
    s
}

/// `word/settings.xml`: Word 2013+ layout, and the theme language for new text.
pub fn settings(lang: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="{W}"><w:defaultTabStop w:val="709"/><w:characterSpacingControl w:val="doNotCompress"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat><w:themeFontLang w:val="{}"/></w:settings>"#,
        escape(lang)
    )
}
