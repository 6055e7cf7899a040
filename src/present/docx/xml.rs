//! The small pieces of WordprocessingML every part uses: escaped text and attributes, runs with
//! their formatting, and the pixel size of a PNG read from its header.

/// A character XML 1.0 allows (tab, newline, carriage return, and the ranges above them); the
/// others (other control characters, U+FFFE, U+FFFF) cannot appear even escaped.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}

/// Text escaped for an element's content or an attribute value (quotes escaped too, so one
/// function serves both); characters XML forbids are dropped. Tabs and line ends in attributes
/// become character references, so they survive attribute-value normalisation.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().filter(|&c| xml_char(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// The character formatting of a run, from the Markdown spans around it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Format {
    pub bold: bool,
    pub italic: bool,
    pub strike: bool,
    pub code: bool,
    pub link: bool,
}

impl Format {
    /// `w:rPr` in the schema's element order (style, bold, italic, strike), or nothing.
    fn properties(self) -> String {
        let mut p = String::new();
        if self.code {
            p.push_str(r#"<w:rStyle w:val="CodeChar"/>"#);
        } else if self.link {
            p.push_str(r#"<w:rStyle w:val="Hyperlink"/>"#);
        }
        if self.bold {
            p.push_str("<w:b/><w:bCs/>");
        }
        if self.italic {
            p.push_str("<w:i/><w:iCs/>");
        }
        if self.strike {
            p.push_str("<w:strike/>");
        }
        if p.is_empty() {
            p
        } else {
            format!("<w:rPr>{p}</w:rPr>")
        }
    }
}

/// One or more runs holding `text`: tabs become `w:tab` and line ends `w:br`, since a `w:t`
/// keeps neither.
pub fn runs(text: &str, format: Format) -> String {
    let rpr = format.properties();
    let mut out = format!("<w:r>{rpr}");
    let mut piece = String::new();
    let flush = |piece: &mut String, out: &mut String| {
        if !piece.is_empty() {
            out.push_str(&format!(
                r#"<w:t xml:space="preserve">{}</w:t>"#,
                escape(piece)
            ));
            piece.clear();
        }
    };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\t' => {
                flush(&mut piece, &mut out);
                out.push_str("<w:tab/>");
            }
            '\r' | '\n' => {
                if c == '\r' && chars.peek() == Some(&'\n') {
                    chars.next();
                }
                flush(&mut piece, &mut out);
                out.push_str("<w:br/>");
            }
            c => piece.push(c),
        }
    }
    flush(&mut piece, &mut out);
    out.push_str("</w:r>");
    out
}

/// A link target as a URI Word accepts: characters a URI cannot hold (spaces, non-ASCII) are
/// percent-encoded, as Word refuses a document whose relationship target is not a valid URI.
pub fn uri(target: &str) -> String {
    let mut out = String::with_capacity(target.len());
    for b in target.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=%".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The width and height in pixels of a PNG, from its IHDR chunk (the first after the signature).
pub fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if bytes.len() < 24 || !bytes.starts_with(SIGNATURE) || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let word =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    let (w, h) = (word(16), word(20));
    (w > 0 && h > 0).then_some((w, h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\u{1}\u{FFFE}é"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;é"
        );
        assert_eq!(escape("a\tb\nc"), "a&#9;b&#10;c");
        assert_eq!(escape("😀"), "😀");
    }

    #[test]
    fn runs_carry_format_tabs_and_breaks() {
        let bold = Format {
            bold: true,
            ..Format::default()
        };
        assert_eq!(
            runs("x<y\tz\nw", bold),
            "<w:r><w:rPr><w:b/><w:bCs/></w:rPr><w:t xml:space=\"preserve\">x&lt;y</w:t>\
             <w:tab/><w:t xml:space=\"preserve\">z</w:t><w:br/>\
             <w:t xml:space=\"preserve\">w</w:t></w:r>"
        );
        assert_eq!(
            runs("a", Format::default()),
            "<w:r><w:t xml:space=\"preserve\">a</w:t></w:r>"
        );
    }

    #[test]
    fn link_targets_are_uris() {
        assert_eq!(uri("https://a.org/x y?q=é"), "https://a.org/x%20y?q=%C3%A9");
        assert_eq!(uri("tables/a.csv"), "tables/a.csv");
    }

    #[test]
    fn png_size_reads_the_header_and_refuses_garbage() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        png.extend_from_slice(&1600u32.to_be_bytes());
        png.extend_from_slice(&900u32.to_be_bytes());
        assert_eq!(png_size(&png), Some((1600, 900)));
        assert_eq!(png_size(&png[..20]), None);
        assert_eq!(png_size(b"GIF89a................."), None);
        let mut zero = png.clone();
        zero[16..20].copy_from_slice(&0u32.to_be_bytes());
        assert_eq!(png_size(&zero), None);
    }
}
