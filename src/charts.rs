//! Charts drawn from `Results` with plotters: SVG for the documents, PNG for sharing, and the data
//! behind each chart as CSV beside it. Text uses the embedded DejaVu Sans, so nothing depends on
//! the fonts of the machine. Bars are drawn as rectangles in a fixed order (plotters' Histogram
//! iterates a HashMap and would change the SVG from run to run).

use std::path::Path;
use std::sync::Once;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle};

use crate::error::{Error, Result};
use crate::results::Results;

pub const FONT_FAMILY: &str = "DejaVu Sans";
static FONT_REGULAR: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
static FONT_BOLD: &[u8] = include_bytes!("../assets/fonts/DejaVuSans-Bold.ttf");

/// Okabe–Ito colour-blind-safe palette.
pub const BLUE: RGBColor = RGBColor(0, 114, 178);
pub const ORANGE: RGBColor = RGBColor(230, 159, 0);
pub const GREEN: RGBColor = RGBColor(0, 158, 115);
pub const VERMILLION: RGBColor = RGBColor(213, 94, 0);
pub const GREY: RGBColor = RGBColor(110, 110, 110);

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

/// A horizontal bar chart with one or two series per row.
struct Bars {
    title: String,
    x_label: String,
    source: String,
    rows: Vec<String>,
    series: Vec<(String, RGBColor, Vec<f64>)>,
    x_max: f64,
}

const WIDTH: u32 = 1000;

impl Bars {
    fn height(&self) -> u32 {
        150 + 34 * self.rows.len() as u32 * self.series.len().max(1) as u32 / 2 + 40
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: DrawingArea<DB, plotters::coord::Shift>,
    ) -> std::result::Result<(), String> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        root.fill(&WHITE).map_err(err)?;
        let (main, footer) = root.split_vertically(self.height() - 30);
        footer
            .draw_text(
                &self.source,
                &(FONT_FAMILY, 13).into_font().color(&GREY),
                (10, 8),
            )
            .map_err(err)?;
        let n = self.rows.len();
        let mut chart = ChartBuilder::on(&main)
            .caption(
                &self.title,
                (FONT_FAMILY, 22).into_font().style(FontStyle::Bold),
            )
            .margin(12)
            .margin_right(30)
            .x_label_area_size(40)
            .y_label_area_size(390)
            .build_cartesian_2d(0.0..self.x_max, 0.0..n as f64)
            .map_err(err)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc(&self.x_label)
            .label_style((FONT_FAMILY, 14))
            .axis_desc_style((FONT_FAMILY, 15))
            .draw()
            .map_err(err)?;
        // Row labels at the band centres, drawn in backend pixels to the left of the plot
        // (plotters' numeric label placement would not put them on the bands).
        let label_style = (FONT_FAMILY, 14)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (i, row) in self.rows.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(0.0, n as f64 - i as f64 - 0.5));
            main.draw(&Text::new(row.clone(), (px - 8, py), label_style.clone()))
                .map_err(err)?;
        }
        let k = self.series.len() as f64;
        let band = 0.8 / k;
        for (s, (name, colour, values)) in self.series.iter().enumerate() {
            let rects = values.iter().enumerate().map(|(i, &v)| {
                let top = n as f64 - i as f64 - 0.1 - band * s as f64;
                Rectangle::new([(0.0, top - band), (v, top)], colour.filled())
            });
            chart
                .draw_series(rects)
                .map_err(err)?
                .label(name.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 14, y + 6)], colour.filled())
                });
        }
        if self.series.len() > 1 {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerRight)
                .label_font((FONT_FAMILY, 14))
                .background_style(WHITE.mix(0.9))
                .border_style(GREY)
                .draw()
                .map_err(err)?;
        }
        root.present().map_err(err)?;
        Ok(())
    }

    fn csv(&self) -> String {
        let mut out = String::from("row");
        for (name, _, _) in &self.series {
            out.push(',');
            out.push_str(&csv_field(name));
        }
        out.push('\n');
        for (i, row) in self.rows.iter().enumerate() {
            out.push_str(&csv_field(row));
            for (_, _, values) in &self.series {
                out.push_str(&format!(",{}", values[i]));
            }
            out.push('\n');
        }
        out
    }

    fn write(&self, dir: &Path, stem: &str) -> Result<ChartFile> {
        fonts();
        let size = (WIDTH, self.height());
        let mut svg = String::new();
        self.draw(SVGBackend::with_string(&mut svg, size).into_drawing_area())
            .map_err(|e| {
                Error::output(&dir.join(stem), format!("drawing the chart failed: {e}"))
            })?;
        write(&dir.join(format!("{stem}.svg")), svg.as_bytes())?;
        let png = dir.join(format!("{stem}.png"));
        self.draw(BitMapBackend::new(&png, size).into_drawing_area())
            .map_err(|e| Error::output(&png, format!("drawing the chart failed: {e}")))?;
        write(&dir.join(format!("{stem}.csv")), self.csv().as_bytes())?;
        Ok(ChartFile {
            stem: stem.to_string(),
            title: self.title.clone(),
        })
    }
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

/// Draw every chart of the brief into `dir` (the `charts/` folder of the output).
pub fn draw_all(results: &Results, dir: &Path) -> Result<Vec<ChartFile>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::output(dir, format!("cannot create: {e}")))?;
    let mut charts = Vec::new();
    let source = format!("Source: {}", results.brief.source);

    // Indicator rates, latest wave against the previous one.
    let latest = results.latest();
    let mut series = vec![];
    if results.waves.len() > 1 {
        let prev = &results.waves[results.waves.len() - 2];
        series.push((
            prev.id.clone(),
            ORANGE,
            latest
                .indicators
                .iter()
                .map(|ind| {
                    prev.indicators
                        .iter()
                        .find(|p| p.id == ind.id)
                        .map_or(0.0, |p| 100.0 * p.rate)
                })
                .collect(),
        ));
    }
    series.push((
        latest.id.clone(),
        BLUE,
        latest.indicators.iter().map(|i| 100.0 * i.rate).collect(),
    ));
    let bars = Bars {
        title: "Indicator rates by survey wave".into(),
        x_label: "Percent of the indicator's population".into(),
        source: source.clone(),
        rows: latest
            .indicators
            .iter()
            .map(|i| format!("{} ({})", i.label, i.sdg))
            .collect(),
        series,
        x_max: 100.0,
    };
    charts.push(bars.write(dir, "indicator_rates")?);

    // D-index by indicator.
    let d = Bars {
        title: "Inequality of opportunity (D-index)".into(),
        x_label: "D-index (0 = equal access across groups)".into(),
        source: source.clone(),
        rows: latest.indicators.iter().map(|i| i.label.clone()).collect(),
        series: vec![(
            latest.id.clone(),
            VERMILLION,
            latest.indicators.iter().map(|i| i.inequality.d).collect(),
        )],
        x_max: (latest
            .indicators
            .iter()
            .map(|i| i.inequality.d)
            .fold(0.0, f64::max)
            * 1.15)
            .max(0.05),
    };
    charts.push(d.write(dir, "dindex")?);

    // Poverty headcount before and after each scenario.
    if let Some(spot) = &results.spot {
        if !spot.scenarios.is_empty() {
            let before = 100.0 * spot.baseline.poverty[0].headcount;
            let bars = Bars {
                title: "Poverty headcount before and after each scenario".into(),
                x_label: "Percent of people below the national poverty line".into(),
                source,
                rows: spot.scenarios.iter().map(|s| s.label.clone()).collect(),
                series: vec![
                    ("Before".into(), GREY, vec![before; spot.scenarios.len()]),
                    (
                        "After".into(),
                        GREEN,
                        spot.scenarios
                            .iter()
                            .map(|s| 100.0 * s.after.poverty[0].headcount)
                            .collect(),
                    ),
                ],
                x_max: (before * 1.2).max(1.0),
            };
            charts.push(bars.write(dir, "poverty_scenarios")?);
        }
    }
    Ok(charts)
}
