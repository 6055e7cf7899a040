//! The Markdown brief, walked event by event (pulldown-cmark, tables on), written as the body of
//! `word/document.xml`: headings with Word's heading styles, paragraphs and lists, real tables, the
//! charts' PNGs as inline pictures with the image's alt text, block quotes shaded.

use std::collections::BTreeMap;
use std::path::Path;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::picture::{drawing, extent, image_error, png_path, TEXT_WIDTH};
use super::table::Table;
use super::xml::{png_size, runs, Format};
use crate::error::Result;

/// A picture part: its relationship id, its name under `word/`, its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub rel_id: String,
    pub target: String,
    pub bytes: Vec<u8>,
}

/// The document body and what it refers to.
#[derive(Debug, Default)]
pub struct Body {
    pub xml: String,
    pub media: Vec<Media>,
    /// Hyperlinks: relationship id and target.
    pub links: Vec<(String, String)>,
    /// The first number of each ordered list, in order (numbering ids 2, 3, …).
    pub ordered_starts: Vec<u64>,
    /// The text of the first `#` heading (the document title).
    pub title: Option<String>,
}

#[derive(Debug, Default)]
struct Para {
    style: Option<&'static str>,
    keep_next: bool,
    numbering: Option<(u32, usize)>,
    runs: String,
    /// The format of the first text, to tell a table's caption ("**Table 1.** …").
    first: Option<Format>,
}

impl Para {
    fn to_xml(&self) -> String {
        let mut ppr = String::new();
        if let Some(style) = self.style {
            ppr.push_str(&format!(r#"<w:pStyle w:val="{style}"/>"#));
        }
        if self.keep_next {
            ppr.push_str("<w:keepNext/>");
        }
        if let Some((num, level)) = self.numbering {
            ppr.push_str(&format!(
                r#"<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num}"/></w:numPr>"#
            ));
        }
        if ppr.is_empty() {
            format!("<w:p>{}</w:p>", self.runs)
        } else {
            format!("<w:p><w:pPr>{ppr}</w:pPr>{}</w:p>", self.runs)
        }
    }
}

#[derive(Debug)]
enum Block {
    Para(Para),
    Table(String),
    Rule,
    /// A small empty paragraph between two tables.
    Spacer,
}

/// Where the walk is: open spans, containers and the paragraph being written.
struct Walker<'a> {
    root: &'a Path,
    blocks: Vec<Block>,
    para: Option<Para>,
    bold: u32,
    italic: u32,
    strike: u32,
    /// Open links: whether each opened a `w:hyperlink`.
    links: Vec<bool>,
    quote: u32,
    /// Open lists' numbering ids; `item_fresh` while an item has no paragraph yet.
    lists: Vec<u32>,
    item_fresh: bool,
    heading: Option<&'static str>,
    /// While the first `#` heading is read, its text goes to `body.title` too.
    in_title: bool,
    table: Option<Table>,
    /// The open table cell: its runs and its plain text.
    cell: Option<(String, String)>,
    /// Text not yet written, with its format: neighbouring text of one format (split by the
    /// parser at every escaped character) becomes one run.
    pending: Option<(Format, String)>,
    /// An image being read: its destination and alt text.
    image: Option<(String, String)>,
    media_by_path: BTreeMap<String, usize>,
    pictures: u32,
    body: Body,
}

/// Convert the Markdown brief; `root` is the brief's folder, where `charts/<name>.png` are.
pub fn convert(markdown: &str, root: &Path) -> Result<Body> {
    let mut w = Walker {
        root,
        blocks: Vec::new(),
        para: None,
        bold: 0,
        italic: 0,
        strike: 0,
        links: Vec::new(),
        quote: 0,
        lists: Vec::new(),
        item_fresh: false,
        heading: None,
        in_title: false,
        table: None,
        cell: None,
        pending: None,
        image: None,
        media_by_path: BTreeMap::new(),
        pictures: 0,
        body: Body::default(),
    };
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(markdown, options) {
        w.event(event)?;
    }
    w.close_para();
    let mut xml = String::new();
    for block in &w.blocks {
        match block {
            Block::Para(p) => xml.push_str(&p.to_xml()),
            Block::Table(t) => xml.push_str(t),
            Block::Spacer => xml.push_str(
                r#"<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="160" w:lineRule="exact"/><w:rPr><w:sz w:val="8"/><w:szCs w:val="8"/></w:rPr></w:pPr></w:p>"#,
            ),
            Block::Rule => xml.push_str(
                r#"<w:p><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="808080"/></w:pBdr></w:pPr></w:p>"#,
            ),
        }
    }
    w.body.xml = xml;
    Ok(w.body)
}

fn heading_style(level: HeadingLevel) -> &'static str {
    match level {
        HeadingLevel::H1 => "Title",
        HeadingLevel::H2 => "Heading1",
        HeadingLevel::H3 => "Heading2",
        HeadingLevel::H4 => "Heading3",
        _ => "Heading4",
    }
}

impl Walker<'_> {
    fn event(&mut self, event: Event) -> Result<()> {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => return self.end(tag),
            Event::Text(t) => self.text(&t, self.format()),
            Event::Code(t) => self.text(
                &t,
                Format {
                    code: true,
                    ..self.format()
                },
            ),
            // An HTML comment is not shown by a Markdown viewer either; other HTML is kept as text.
            Event::Html(t) | Event::InlineHtml(t) if t.trim_start().starts_with("<!--") => {}
            Event::Html(t)
            | Event::InlineHtml(t)
            | Event::InlineMath(t)
            | Event::DisplayMath(t)
            | Event::FootnoteReference(t) => self.text(&t, self.format()),
            Event::SoftBreak => self.text(" ", self.format()),
            Event::HardBreak => self.text("\n", self.format()),
            Event::Rule => {
                self.close_para();
                self.blocks.push(Block::Rule);
            }
            Event::TaskListMarker(done) => {
                self.text(if done { "\u{2612} " } else { "\u{2610} " }, self.format())
            }
        }
        Ok(())
    }

    fn format(&self) -> Format {
        Format {
            bold: self.bold > 0,
            italic: self.italic > 0,
            strike: self.strike > 0,
            code: false,
            link: self.links.iter().any(|&l| l),
        }
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Paragraph => self.open_para(),
            Tag::Heading { level, .. } => {
                self.close_para();
                self.heading = Some(heading_style(level));
                self.open_para();
                if level == HeadingLevel::H1 && self.body.title.is_none() {
                    self.body.title = Some(String::new());
                    self.in_title = true;
                }
            }
            Tag::BlockQuote(_) => {
                self.close_para();
                self.quote += 1;
            }
            Tag::CodeBlock(_) => {
                self.close_para();
                self.open_para();
                if let Some(p) = &mut self.para {
                    p.style = Some("CodeBlock");
                }
            }
            Tag::List(start) => {
                self.close_para();
                let num = match start {
                    None => 1,
                    Some(n) => {
                        self.body.ordered_starts.push(n);
                        self.body.ordered_starts.len() as u32 + 1
                    }
                };
                self.lists.push(num);
            }
            Tag::Item => {
                self.close_para();
                self.item_fresh = true;
            }
            Tag::Table(aligns) => self.start_table(aligns),
            Tag::TableHead => self.table_row(true),
            Tag::TableRow => self.table_row(false),
            Tag::TableCell => self.cell = Some((String::new(), String::new())),
            Tag::Emphasis => self.italic += 1,
            Tag::Strong => self.bold += 1,
            Tag::Strikethrough => self.strike += 1,
            Tag::Link { dest_url, .. } => self.start_link(&dest_url),
            Tag::Image { dest_url, .. } => {
                self.flush();
                self.image = Some((dest_url.to_string(), String::new()));
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) -> Result<()> {
        match tag {
            TagEnd::Paragraph | TagEnd::Item => self.close_para(),
            TagEnd::CodeBlock => {
                // The block's last line end is not an empty line.
                if let Some((_, text)) = &mut self.pending {
                    let kept = text.trim_end_matches(['\n', '\r']).len();
                    text.truncate(kept);
                }
                self.close_para();
            }
            TagEnd::Heading(_) => {
                self.close_para();
                self.heading = None;
                self.in_title = false;
            }
            TagEnd::BlockQuote(_) => {
                self.close_para();
                self.quote = self.quote.saturating_sub(1);
            }
            TagEnd::List(_) => {
                self.close_para();
                self.lists.pop();
            }
            TagEnd::TableCell => {
                self.flush();
                if let (Some(table), Some((runs, text))) = (&mut self.table, self.cell.take()) {
                    table.push_cell(runs, text);
                }
            }
            TagEnd::Table => {
                if let Some(table) = self.table.take() {
                    self.blocks.push(Block::Table(table.to_xml(TEXT_WIDTH)));
                }
            }
            TagEnd::Emphasis => self.italic = self.italic.saturating_sub(1),
            TagEnd::Strong => self.bold = self.bold.saturating_sub(1),
            TagEnd::Strikethrough => self.strike = self.strike.saturating_sub(1),
            TagEnd::Link => {
                let opened = self.links.pop() == Some(true);
                if opened {
                    self.push_xml("</w:hyperlink>");
                }
            }
            TagEnd::Image => return self.end_image(),
            _ => {}
        }
        Ok(())
    }

    /// A paragraph's style from where it stands: heading, list item, block quote, or body text.
    fn open_para(&mut self) {
        self.close_para();
        let mut para = Para::default();
        if let Some(style) = self.heading {
            para.style = Some(style);
        } else if let Some(&num) = self.lists.last() {
            para.style = Some("ListParagraph");
            if std::mem::take(&mut self.item_fresh) {
                para.numbering = Some((num, (self.lists.len() - 1).min(8)));
            }
        } else if self.quote > 0 {
            para.style = Some("Quote");
        }
        self.para = Some(para);
    }

    /// A body paragraph right after a table is its note.
    fn close_para(&mut self) {
        self.flush();
        if let Some(mut para) = self.para.take() {
            if para.style.is_none() && matches!(self.blocks.last(), Some(Block::Table(_))) {
                para.style = Some("TableNote");
            }
            self.blocks.push(Block::Para(para));
        }
    }

    /// XML after the pending text.
    fn push_xml(&mut self, xml: &str) {
        self.flush();
        self.push_raw(xml);
    }

    fn flush(&mut self) {
        if let Some((format, text)) = self.pending.take() {
            self.push_raw(&runs(&text, format));
        }
    }

    /// XML into the open cell, or the open paragraph (opened if text arrives outside one, as
    /// in a tight list item).
    fn push_raw(&mut self, xml: &str) {
        if let Some((cell, _)) = &mut self.cell {
            cell.push_str(xml);
            return;
        }
        if self.para.is_none() {
            self.open_para();
        }
        if let Some(p) = &mut self.para {
            p.runs.push_str(xml);
        }
    }

    fn text(&mut self, text: &str, format: Format) {
        if let Some((_, alt)) = &mut self.image {
            alt.push_str(text);
            return;
        }
        // Text outside a paragraph (a tight list item) opens one; nothing is pending then.
        if self.cell.is_none() && self.para.is_none() {
            self.open_para();
        }
        if let Some((_, plain)) = &mut self.cell {
            plain.push_str(text);
        } else if self.in_title {
            if let Some(title) = &mut self.body.title {
                title.push_str(text);
            }
        }
        match &mut self.pending {
            Some((f, pending)) if *f == format => pending.push_str(text),
            _ => {
                self.flush();
                self.pending = Some((format, text.to_string()));
            }
        }
        if let Some(p) = &mut self.para {
            p.first.get_or_insert(format);
        }
    }

    /// The paragraph before a table keeps with it; if it opens with bold or italic text it is
    /// the table's caption.
    fn start_table(&mut self, aligns: Vec<pulldown_cmark::Alignment>) {
        self.close_para();
        // Word joins two tables with nothing between them into one.
        if matches!(self.blocks.last(), Some(Block::Table(_))) {
            self.blocks.push(Block::Spacer);
        }
        if let Some(Block::Para(p)) = self.blocks.last_mut() {
            // Between two tables, a paragraph is the next one's caption rather than a note.
            if matches!(p.style, None | Some("TableNote")) {
                p.keep_next = true;
                if p.first.is_some_and(|f| f.bold || f.italic) {
                    p.style = Some("Caption");
                }
            }
        }
        self.table = Some(Table::new(aligns));
    }

    fn table_row(&mut self, header: bool) {
        if let Some(t) = &mut self.table {
            t.start_row(header);
        }
    }

    fn start_link(&mut self, url: &str) {
        // A link inside alt text or around a picture keeps only its text.
        if self.image.is_some() || url.is_empty() {
            self.links.push(false);
            return;
        }
        let id = format!("rLink{}", self.body.links.len() + 1);
        self.body.links.push((id.clone(), url.to_string()));
        self.push_xml(&format!(r#"<w:hyperlink r:id="{id}" w:history="1">"#));
        self.links.push(true);
    }
}

impl Walker<'_> {
    /// The picture of a chart: `charts/x.svg` (or `.png`) is embedded as `charts/x.png`.
    fn end_image(&mut self) -> Result<()> {
        let Some((dest, alt)) = self.image.take() else {
            return Ok(());
        };
        let png = png_path(&dest).ok_or_else(|| {
            image_error(format!(
                "image `{dest}`: only a chart in the brief's folder (charts/<name>.svg or .png) \
                 can be placed in the Word brief"
            ))
        })?;
        let index = match self.media_by_path.get(&png) {
            Some(&i) => i,
            None => self.load_png(&png, &dest)?,
        };
        let media = &self.body.media[index];
        let (w, h) = png_size(&media.bytes).unwrap_or((1, 1));
        let (cx, cy) = extent(w, h);
        self.pictures += 1;
        let xml = drawing(self.pictures, &media.rel_id, &png, &alt, cx, cy);
        if let Some(p) = &mut self.para {
            if p.style.is_none() && p.runs.is_empty() {
                p.style = Some("Figure");
            }
        }
        self.push_xml(&xml);
        Ok(())
    }

    fn load_png(&mut self, png: &str, dest: &str) -> Result<usize> {
        let path = self.root.join(png);
        let bytes = std::fs::read(&path).map_err(|e| {
            image_error(format!("image `{dest}`: cannot read {png} beside it: {e}"))
        })?;
        if png_size(&bytes).is_none() {
            return Err(image_error(format!(
                "image `{dest}`: {png} is not a PNG image"
            )));
        }
        let n = self.body.media.len() + 1;
        self.body.media.push(Media {
            rel_id: format!("rImg{n}"),
            target: format!("media/image{n}.png"),
            bytes,
        });
        self.media_by_path.insert(png.to_string(), n - 1);
        Ok(n - 1)
    }
}
