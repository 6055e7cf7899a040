//! A Markdown table as a Word table: the header row repeats on every page, borders on every cell,
//! each column aligned as its Markdown marker says, column widths from the lengths of the words and
//! texts in each column.

use pulldown_cmark::Alignment;

/// A table being collected from the parser's events.
#[derive(Debug)]
pub struct Table {
    aligns: Vec<Alignment>,
    /// Rows of cells (runs XML, plain text); the first row is the header.
    rows: Vec<Vec<(String, String)>>,
    header_rows: usize,
}

impl Table {
    pub fn new(aligns: Vec<Alignment>) -> Table {
        Table {
            aligns,
            rows: Vec::new(),
            header_rows: 0,
        }
    }

    pub fn start_row(&mut self, header: bool) {
        self.rows.push(Vec::new());
        if header {
            self.header_rows = self.rows.len();
        }
    }

    /// Add a finished cell to the current row.
    pub fn push_cell(&mut self, runs: String, text: String) {
        if self.rows.is_empty() {
            self.rows.push(Vec::new());
        }
        if let Some(row) = self.rows.last_mut() {
            row.push((runs, text));
        }
    }

    fn columns(&self) -> usize {
        let widest = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        widest.max(self.aligns.len()).max(1)
    }

    /// Column widths in twips summing to `text_width`: every column gets room for its longest
    /// word (so "Households" or "8.10.2" does not break), the rest of the width goes to the
    /// columns whose longest text would otherwise wrap, in proportion to what they lack.
    fn widths(&self, text_width: u32) -> Vec<u32> {
        // A character of 8 pt text (bold, in a wide fallback font), and a cell's margins, in twips.
        const CHAR: u64 = 110;
        const PAD: u64 = 150;
        let n = self.columns();
        let measure = |c: usize, f: fn(&str) -> usize| {
            let longest = self
                .rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|cell| f(&cell.1));
            longest.max().unwrap_or(0) as u64
        };
        let word = |t: &str| {
            t.split_whitespace()
                .map(|w| w.chars().count())
                .max()
                .unwrap_or(0)
        };
        let min: Vec<u64> = (0..n)
            .map(|c| measure(c, word).clamp(3, 20) * CHAR + PAD)
            .collect();
        let want: Vec<u64> = (0..n)
            .map(|c| (measure(c, |t| t.chars().count()).clamp(3, 80) * CHAR + PAD).max(min[c]))
            .collect();
        let width = u64::from(text_width);
        let (sum_min, sum_want) = (min.iter().sum::<u64>(), want.iter().sum::<u64>());
        let widths: Vec<u64> = if sum_want <= width || sum_min >= width {
            let base = if sum_want <= width { &want } else { &min };
            let total: u64 = base.iter().sum();
            base.iter().map(|w| w * width / total.max(1)).collect()
        } else {
            let spare = width - sum_min;
            let lack = sum_want - sum_min;
            (0..n)
                .map(|c| min[c] + (want[c] - min[c]) * spare / lack.max(1))
                .collect()
        };
        widths.into_iter().map(|w| w as u32).collect()
    }

    /// `w:tbl`, with `w:tblGrid` and a `w:tcW` on every cell as Word expects.
    pub fn to_xml(&self, text_width: u32) -> String {
        let widths = self.widths(text_width);
        let border = r#"w:val="single" w:sz="4" w:space="0" w:color="808080""#;
        let mut s = format!(
            r#"<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/><w:tblBorders><w:top {border}/><w:left {border}/><w:bottom {border}/><w:right {border}/><w:insideH {border}/><w:insideV {border}/></w:tblBorders><w:tblCellMar><w:top w:w="28" w:type="dxa"/><w:left w:w="57" w:type="dxa"/><w:bottom w:w="28" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>"#
        );
        for w in &widths {
            s.push_str(&format!(r#"<w:gridCol w:w="{w}"/>"#));
        }
        s.push_str("</w:tblGrid>");
        for (r, row) in self.rows.iter().enumerate() {
            s.push_str(&self.row_xml(row, r < self.header_rows, &widths));
        }
        s.push_str("</w:tbl>");
        s
    }

    fn row_xml(&self, row: &[(String, String)], header: bool, widths: &[u32]) -> String {
        let mut s = String::from("<w:tr><w:trPr><w:cantSplit/>");
        if header {
            s.push_str("<w:tblHeader/>");
        }
        s.push_str("</w:trPr>");
        let empty = (String::new(), String::new());
        // A short row (a Markdown row may have fewer cells) is padded, as Markdown renders it.
        for (c, width) in widths.iter().enumerate() {
            let (runs, _) = row.get(c).unwrap_or(&empty);
            let jc = match self.aligns.get(c) {
                Some(Alignment::Center) => "center",
                Some(Alignment::Right) => "right",
                _ => "left",
            };
            let (style, shade) = if header {
                (
                    "TableHeading",
                    r#"<w:shd w:val="clear" w:color="auto" w:fill="E7ECF3"/>"#,
                )
            } else {
                ("TableText", "")
            };
            s.push_str(&format!(
                r#"<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shade}</w:tcPr><w:p><w:pPr><w:pStyle w:val="{style}"/><w:jc w:val="{jc}"/></w:pPr>{runs}</w:p></w:tc>"#
            ));
        }
        s.push_str("</w:tr>");
        s
    }
}
