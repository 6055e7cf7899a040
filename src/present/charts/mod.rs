//! Charts drawn from `Results` with plotters: SVG for the documents, PNG (rasterised from the SVG by
//! resvg, at twice its size) for sharing, and the data
//! behind each chart as CSV beside it. Text uses the embedded DejaVu Sans, so nothing depends on
//! the fonts of the machine. Bars are drawn as rectangles in a fixed order (plotters' Histogram
//! iterates a HashMap and would change the SVG from run to run). Titles, axis labels, legend entries
//! and the source line come from the language's strings file, and numbers (ticks, box values) use
//! its decimal mark.

use std::path::Path;
use std::sync::Once;

use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use crate::error::{Error, Result};
use crate::present::render::{NumberFormat, Strings};
use crate::results::Results;

mod bars;
mod comparison;
mod lnob;
mod projection;
mod scenarios;
mod tree;

pub const FONT_FAMILY: &str = "DejaVu Sans";
static FONT_REGULAR: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
static FONT_BOLD: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf");

/// Okabe–Ito colour-blind-safe palette.
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
pub const GREEN: RGBColor = RGBColor(0, 158, 115);
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
pub const GREY: RGBColor = RGBColor(110, 110, 110);
pub const SKY: RGBColor = RGBColor(86, 180, 233);
pub const PURPLE: RGBColor = RGBColor(204, 121, 167);
pub const YELLOW: RGBColor = RGBColor(240, 228, 66);
const PALETTE: [RGBColor; 8] = [BLUE, ORANGE, GREEN, VERMILLION, SKY, PURPLE, YELLOW, GREY];

fn fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        register_font(FONT_FAMILY, FontStyle::Normal, FONT_REGULAR)
            .unwrap_or_else(|_| panic!("embedded font is valid"));
        register_font(FONT_FAMILY, FontStyle::Bold, FONT_BOLD)
            .unwrap_or_else(|_| panic!("embedded font is valid"));
    });
}

/// A chart written to disk: its stem under `charts/` and its title.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ChartFile {
    pub stem: String,
    pub title: String,
}

/// Something drawable on any plotters backend, at a fixed size.
trait Figure {
    fn size(&self) -> (u32, u32);
    fn draw<DB: DrawingBackend>(
        &self,
        root: DrawingArea<DB, plotters::coord::Shift>,
    ) -> std::result::Result<(), String>;
}

/// A drawing error as text, whatever the backend.
fn err<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> String {
    e.to_string()
}

/// Write a figure as `stem.svg` and `stem.png`, and its data as `stem.csv`.
fn write_figure(figure: &impl Figure, dir: &Path, stem: &str, csv: &str) -> Result<()> {
    fonts();
    let failed =
        |path: &Path, e: String| Error::output(path, format!("drawing the chart failed: {e}"));
    let mut svg = String::new();
    figure
        .draw(SVGBackend::with_string(&mut svg, figure.size()).into_drawing_area())
        .map_err(|e| failed(&dir.join(stem), e))?;
    write(&dir.join(format!("{stem}.svg")), svg.as_bytes())?;
    let png = dir.join(format!("{stem}.png"));
    write(&png, &rasterise(&svg).map_err(|e| failed(&png, e))?)?;
    write(&dir.join(format!("{stem}.csv")), csv.as_bytes())
}

/// Pixels per SVG unit in the PNGs: a 1000-unit chart becomes 2000 pixels, about 300 dpi across
/// a 17 cm column of a Word document.
const PNG_SCALE: f32 = 2.0;

/// The PNG of a chart, rendered from its SVG by resvg with the embedded fonts only, so the two
/// files show the same glyphs and no machine font changes a pixel.
fn rasterise(svg: &str) -> std::result::Result<Vec<u8>, String> {
    use resvg::{tiny_skia, usvg};
    let mut options = usvg::Options {
        font_family: FONT_FAMILY.into(),
        ..usvg::Options::default()
    };
    let fonts = options.fontdb_mut();
    fonts.load_font_data(FONT_REGULAR.to_vec());
    fonts.load_font_data(FONT_BOLD.to_vec());
    fonts.set_sans_serif_family(FONT_FAMILY);
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(PNG_SCALE)
        .ok_or("empty chart")?;
    let mut pixmap =
        tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("chart too large")?;
    pixmap.fill(tiny_skia::Color::WHITE);
    let scale = tiny_skia::Transform::from_scale(PNG_SCALE, PNG_SCALE);
    resvg::render(&tree, scale, &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| e.to_string())
}

/// Every number on a chart's axis must be finite: plotters searches tick positions on the range
/// and never ends on an infinite or NaN one. A non-finite figure comes from extreme inputs that
/// passed validation; it is refused with the chart and the figure named.
fn finite(stem: &str, what: &str, x: f64) -> Result<()> {
    if x.is_finite() {
        Ok(())
    } else {
        Err(Error::data(
            format!("chart {stem}"),
            format!(
                "{what} is {x}, not a finite number; check the magnitudes of the weights, \
                 welfare, benefits and macro figures in the spec and data"
            ),
        ))
    }
}

/// An axis tick as plotters prints it, with the language's decimal mark.
fn tick(numbers: &NumberFormat, x: f64) -> String {
    RangedCoordf64::format(&x).replace('.', &numbers.decimal)
}

const WIDTH: u32 = 1000;

/// An indicator's SDG code as a chart prints it: "4.1.2", or "related to SDG target 4.3" for a
/// national proxy (whose code is its target's, two parts).
fn sdg_text(code: &str, t: &Strings) -> Result<String> {
    if code.split('.').count() == 2 {
        t.fill("common.sdg_target", &[("code", code)])
    } else {
        Ok(code.to_string())
    }
}

/// A legend drawn above a plot, never over it: a swatch (a filled square, or a line for line
/// charts) and a name per entry, in rows that fit the chart's width, each row centred. Widths are
/// estimated at `CHAR_PX` a character, the same on every backend, so SVG and PNG lay out alike.
struct Legend {
    entries: Vec<(String, RGBColor)>,
    lines: bool,
}

const LEGEND_LINE: u32 = 26;
const CHAR_PX: i32 = 8;
const SWATCH: i32 = 18;

impl Legend {
    fn entry_width(name: &str) -> i32 {
        SWATCH + 6 + CHAR_PX * name.chars().count() as i32 + 26
    }

    /// Entry indices by row; none for fewer than two entries (a single series needs no key).
    fn rows(&self) -> Vec<Vec<usize>> {
        if self.entries.len() < 2 {
            return Vec::new();
        }
        let mut rows: Vec<Vec<usize>> = vec![Vec::new()];
        let mut used = 0;
        for (k, (name, _)) in self.entries.iter().enumerate() {
            let w = Legend::entry_width(name);
            let row = rows.last_mut().expect("one row");
            if !row.is_empty() && used + w > WIDTH as i32 - 40 {
                rows.push(vec![k]);
                used = w;
            } else {
                row.push(k);
                used += w;
            }
        }
        rows
    }

    fn height(&self) -> u32 {
        LEGEND_LINE * self.rows().len() as u32
    }

    /// Draw the rows from `top` (pixels from the top of `area`).
    fn draw<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, plotters::coord::Shift>,
        top: i32,
    ) -> std::result::Result<(), String> {
        use plotters::style::text_anchor::{HPos, Pos, VPos};
        let label = (FONT_FAMILY, 14)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (line, row) in self.rows().iter().enumerate() {
            let total: i32 = row
                .iter()
                .map(|&k| Legend::entry_width(&self.entries[k].0))
                .sum();
            let mut x = (WIDTH as i32 - total + 26) / 2;
            let y = top + LEGEND_LINE as i32 * line as i32 + 12;
            for &k in row {
                let (name, colour) = &self.entries[k];
                if self.lines {
                    area.draw(&PathElement::new(
                        vec![(x, y), (x + SWATCH, y)],
                        colour.stroke_width(3),
                    ))
                } else {
                    area.draw(&Rectangle::new(
                        [(x + 2, y - 7), (x + 16, y + 7)],
                        colour.filled(),
                    ))
                }
                .map_err(err)?;
                area.draw(&Text::new(name.clone(), (x + SWATCH + 6, y), label.clone()))
                    .map_err(err)?;
                x += Legend::entry_width(name);
            }
        }
        Ok(())
    }
}

/// Words of `text` in lines of at most `width` characters (a longer word stands alone): chart
/// labels are wrapped, never cut.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::output(path, format!("cannot write: {e}")))
}

pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// What every chart of a brief is drawn with.
struct ChartContext<'a> {
    results: &'a Results,
    t: &'a Strings,
    dir: &'a Path,
    source: String,
    numbers: NumberFormat,
}

/// Draw every chart of the brief into `dir` (the `charts/` folder of the output).
pub fn draw_all(results: &Results, t: &Strings, dir: &Path) -> Result<Vec<ChartFile>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::output(dir, format!("cannot create: {e}")))?;
    let c = ChartContext {
        results,
        t,
        dir,
        source: t.fill("charts.source", &[("source", &results.brief.source)])?,
        numbers: t.number.clone(),
    };
    let mut charts = vec![lnob::rates_chart(&c)?, lnob::dindex_chart(&c)?];
    for ind in &results.latest().indicators {
        if ind.tree.skipped.is_none() {
            charts.push(tree::tree_chart(ind, t, &c.source, dir)?);
        }
    }
    if let Some(spot) = results.spot.as_ref().filter(|s| !s.scenarios.is_empty()) {
        charts.push(scenarios::poverty_chart(&c, spot)?);
        charts.push(scenarios::incidence_chart(&c, spot)?);
        charts.push(projection::projection_chart(results, t, &c.source, dir)?);
        charts.push(scenarios::reach_chart(&c, spot)?);
        charts.push(comparison::comparison_chart(&c, spot)?);
    }
    Ok(charts)
}
