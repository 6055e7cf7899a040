//! Charts drawn from `Results` with plotters: SVG for the documents, PNG for sharing, and the data
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
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle};

use super::words::Words;
use crate::error::{Error, Result};
use crate::present::render::{NumberFormat, Strings};
use crate::results::Results;

pub const FONT_FAMILY: &str = "DejaVu Sans";
static FONT_REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
static FONT_BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

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
    figure
        .draw(BitMapBackend::new(&png, figure.size()).into_drawing_area())
        .map_err(|e| failed(&png, e))?;
    write(&dir.join(format!("{stem}.csv")), csv.as_bytes())
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

/// A horizontal bar chart with one or two series per row.
struct Bars {
    title: String,
    x_label: String,
    source: String,
    rows: Vec<String>,
    series: Vec<(String, RGBColor, Vec<f64>)>,
    x_max: f64,
    /// Series side by side in a row's band (false) or stacked end to end (true).
    stacked: bool,
    numbers: NumberFormat,
}

/// An axis tick as plotters prints it, with the language's decimal mark.
fn tick(numbers: &NumberFormat, x: f64) -> String {
    RangedCoordf64::format(&x).replace('.', &numbers.decimal)
}

const WIDTH: u32 = 1000;

impl Bars {
    fn height(&self) -> u32 {
        let per_row = if self.stacked {
            30
        } else {
            17 * self.series.len().max(2) as u32
        };
        190 + per_row * self.rows.len() as u32
    }

    fn csv(&self) -> String {
        let mut out = String::from("row");
        for (name, _, _) in &self.series {
            out.push(',');
            out.push_str(&csv_field(&crate::present::tables::text_cell(name)));
        }
        out.push('\n');
        for (i, row) in self.rows.iter().enumerate() {
            out.push_str(&csv_field(&crate::present::tables::text_cell(row)));
            for (_, _, values) in &self.series {
                out.push_str(&format!(",{}", values[i]));
            }
            out.push('\n');
        }
        out
    }

    fn write(&self, dir: &Path, stem: &str) -> Result<ChartFile> {
        finite(stem, "the axis maximum", self.x_max)?;
        for (name, _, values) in &self.series {
            for (row, v) in self.rows.iter().zip(values) {
                finite(stem, &format!("the value of '{name}' for '{row}'"), *v)?;
            }
        }
        write_figure(self, dir, stem, &self.csv())?;
        Ok(ChartFile {
            stem: stem.to_string(),
            title: self.title.clone(),
        })
    }
}

impl Figure for Bars {
    fn size(&self) -> (u32, u32) {
        (WIDTH, self.height())
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
            // Grid lines at the labelled ticks only: the sub-tick lines grey out a bar chart.
            .light_line_style(TRANSPARENT)
            .y_labels(0)
            .x_desc(&self.x_label)
            .x_label_formatter(&|x| tick(&self.numbers, *x))
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
        let band = if self.stacked { 0.7 } else { 0.8 / k };
        let mut start = vec![0.0; n];
        for (s, (name, colour, values)) in self.series.iter().enumerate() {
            let rects: Vec<_> = values
                .iter()
                .enumerate()
                .map(|(i, &v)| {
                    let (top, x0) = if self.stacked {
                        (n as f64 - i as f64 - 0.15, start[i])
                    } else {
                        (n as f64 - i as f64 - 0.1 - band * s as f64, 0.0)
                    };
                    Rectangle::new([(x0, top - band), (x0 + v, top)], colour.filled())
                })
                .collect();
            if self.stacked {
                for (x, v) in start.iter_mut().zip(values) {
                    *x += v;
                }
            }
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
/// What every chart of a brief is drawn with.
struct ChartContext<'a> {
    results: &'a Results,
    t: &'a Strings,
    dir: &'a Path,
    source: String,
    numbers: NumberFormat,
}

pub fn draw_all(results: &Results, t: &Strings, dir: &Path) -> Result<Vec<ChartFile>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::output(dir, format!("cannot create: {e}")))?;
    let c = ChartContext {
        results,
        t,
        dir,
        source: t.fill("charts.source", &[("source", &results.brief.source)])?,
        numbers: t.number.clone(),
    };
    let mut charts = vec![rates_chart(&c)?, dindex_chart(&c)?];
    for ind in &results.latest().indicators {
        if ind.tree.skipped.is_none() {
            charts.push(tree_chart(ind, t, &c.source, dir)?);
        }
    }
    if let Some(spot) = results.spot.as_ref().filter(|s| !s.scenarios.is_empty()) {
        charts.push(poverty_chart(&c, spot)?);
        charts.push(incidence_chart(&c, spot)?);
        charts.push(projection_chart(results, t, &c.source, dir)?);
        charts.push(reach_chart(&c, spot)?);
    }
    Ok(charts)
}

/// Indicator rates, latest wave against the previous one.
fn rates_chart(c: &ChartContext) -> Result<ChartFile> {
    let (results, t, dir, source, numbers) = (c.results, c.t, c.dir, &c.source, &c.numbers);
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
        title: t.fill("charts.rates_title", &[])?,
        x_label: t.fill("charts.rates_axis", &[])?,
        source: source.clone(),
        rows: latest
            .indicators
            .iter()
            .map(|i| format!("{} ({})", i.label, i.sdg))
            .collect(),
        series,
        x_max: 100.0,
        stacked: false,
        numbers: numbers.clone(),
    };
    bars.write(dir, "indicator_rates")
}

/// D-index by indicator, split into its Shapley parts by circumstance.
fn dindex_chart(c: &ChartContext) -> Result<ChartFile> {
    let (results, t, dir, source, numbers) = (c.results, c.t, c.dir, &c.source, &c.numbers);
    let latest = results.latest();
    let mut circumstances: Vec<(String, String)> = Vec::new();
    for ind in &latest.indicators {
        for part in &ind.inequality.shapley {
            if !circumstances.iter().any(|(id, _)| *id == part.circumstance) {
                circumstances.push((part.circumstance.clone(), part.label.clone()));
            }
        }
    }
    let series = circumstances
        .iter()
        .enumerate()
        .map(|(k, (id, label))| {
            let values = latest
                .indicators
                .iter()
                .map(|ind| {
                    ind.inequality
                        .shapley
                        .iter()
                        .find(|p| &p.circumstance == id)
                        .map_or(0.0, |p| p.value.max(0.0))
                })
                .collect();
            (label.clone(), PALETTE[k % PALETTE.len()], values)
        })
        .collect();
    let d = Bars {
        title: t.fill("charts.d_title", &[("wave", &latest.id)])?,
        x_label: t.fill("charts.d_axis", &[])?,
        source: source.clone(),
        rows: latest.indicators.iter().map(|i| i.label.clone()).collect(),
        series,
        x_max: (latest
            .indicators
            .iter()
            .map(|i| i.inequality.d)
            .fold(0.0, f64::max)
            * 2.3)
            .max(0.05),
        stacked: true,
        numbers: numbers.clone(),
    };
    d.write(dir, "dindex")
}

/// Poverty headcount before and after each scenario.
fn poverty_chart(c: &ChartContext, spot: &crate::results::spot::SpotResult) -> Result<ChartFile> {
    let (t, dir, source, numbers) = (c.t, c.dir, &c.source, &c.numbers);
    let before = 100.0 * spot.baseline.poverty[0].headcount;
    let bars = Bars {
        title: t.fill("charts.poverty_title", &[])?,
        x_label: t.fill("charts.poverty_axis", &[])?,
        source: source.clone(),
        rows: spot.scenarios.iter().map(|s| s.label.clone()).collect(),
        series: vec![
            (
                t.fill("charts.before", &[])?,
                GREY,
                vec![before; spot.scenarios.len()],
            ),
            (
                t.fill("charts.after", &[])?,
                GREEN,
                spot.scenarios
                    .iter()
                    .map(|s| 100.0 * s.after.poverty[0].headcount)
                    .collect(),
            ),
        ],
        x_max: (before * 1.2).max(1.0),
        stacked: false,
        numbers: numbers.clone(),
    };
    bars.write(dir, "poverty_scenarios")
}

/// Incidence: change of mean consumption by pre-transfer decile, per scenario.
fn incidence_chart(c: &ChartContext, spot: &crate::results::spot::SpotResult) -> Result<ChartFile> {
    let (t, dir, source, numbers) = (c.t, c.dir, &c.source, &c.numbers);
    let incidence = Bars {
        title: t.fill("charts.decile_title", &[])?,
        x_label: t.fill("charts.decile_axis", &[])?,
        source: source.clone(),
        rows: (1..=10)
            .map(|d| match d {
                1 => t.fill("charts.decile_poorest", &[]),
                10 => t.fill("charts.decile_richest", &[]),
                d => t.fill("charts.decile", &[("decile", &d.to_string())]),
            })
            .collect::<Result<_>>()?,
        series: spot
            .scenarios
            .iter()
            .enumerate()
            .map(|(k, sc)| {
                (
                    sc.label.clone(),
                    PALETTE[k % PALETTE.len()],
                    sc.deciles.iter().map(|d| d.change_pct.max(0.0)).collect(),
                )
            })
            .collect(),
        x_max: spot
            .scenarios
            .iter()
            .flat_map(|sc| sc.deciles.iter().map(|d| d.change_pct))
            .fold(0.0, f64::max)
            * 1.25
            + 1.0,
        stacked: false,
        numbers: numbers.clone(),
    };
    incidence.write(dir, "decile_incidence")
}

/// Reach to the furthest behind, next to reach to the bottom 40%.
fn reach_chart(c: &ChartContext, spot: &crate::results::spot::SpotResult) -> Result<ChartFile> {
    let (t, dir, source, numbers) = (c.t, c.dir, &c.source, &c.numbers);
    let coverage_of = |sc: &crate::results::spot::ScenarioResult, id: &str| {
        sc.reach
            .iter()
            .find(|g| g.id == id)
            .map_or(0.0, |g| 100.0 * g.coverage)
    };
    let reach = Bars {
        title: t.fill("charts.reach_title", &[])?,
        x_label: t.fill("charts.reach_axis", &[])?,
        source: source.clone(),
        rows: spot.scenarios.iter().map(|s| s.label.clone()).collect(),
        series: vec![
            (
                t.fill("charts.reach_furthest_behind", &[])?,
                VERMILLION,
                spot.scenarios
                    .iter()
                    .map(|s| 100.0 * s.reach_furthest_behind)
                    .collect(),
            ),
            (
                t.fill("charts.reach_bottom40", &[])?,
                BLUE,
                spot.scenarios
                    .iter()
                    .map(|s| coverage_of(s, "bottom40"))
                    .collect(),
            ),
        ],
        x_max: 135.0,
        stacked: false,
        numbers: numbers.clone(),
    };
    reach.write(dir, "reach")
}

/// Cost of each scenario as % of GDP over the projection horizon.
fn projection_chart(results: &Results, t: &Strings, source: &str, dir: &Path) -> Result<ChartFile> {
    let spot = results.spot.as_ref().expect("called with scenarios");
    let title = t.fill("charts.projection_title", &[])?;
    let stem = "cost_projection".to_string();
    let years: Vec<i32> = spot.scenarios[0]
        .projection
        .iter()
        .map(|y| y.year)
        .collect();
    let (first, last) = (years[0], *years.last().expect("year 0"));
    let y_max = spot
        .scenarios
        .iter()
        .flat_map(|s| s.projection.iter().map(|y| y.cost_pct_gdp))
        .fold(0.0, f64::max)
        * 1.7;
    finite(&stem, "the axis maximum (cost as % of GDP)", y_max)?;
    for sc in &spot.scenarios {
        for y in &sc.projection {
            let what = format!("the cost of '{}' in {} (% of GDP)", sc.id, y.year);
            finite(&stem, &what, y.cost_pct_gdp)?;
        }
    }
    let mut csv = String::from("scenario,year,beneficiaries,cost_lcu,gdp_lcu,cost_pct_gdp\n");
    for sc in &spot.scenarios {
        for y in &sc.projection {
            csv.push_str(&format!(
                "{},{},{},{},{},{}\n",
                csv_field(&sc.id),
                y.year,
                y.beneficiaries,
                y.cost_lcu,
                y.gdp_lcu,
                y.cost_pct_gdp
            ));
        }
    }
    let figure = ProjectionChart {
        spot,
        title: &title,
        source,
        years: (first, last),
        y_max,
        x_desc: t.fill("charts.projection_x", &[])?,
        y_desc: t.fill("charts.projection_y", &[])?,
        numbers: &t.number,
    };
    write_figure(&figure, dir, &stem, &csv)?;
    Ok(ChartFile { stem, title })
}

struct ProjectionChart<'a> {
    spot: &'a crate::results::spot::SpotResult,
    title: &'a str,
    source: &'a str,
    years: (i32, i32),
    y_max: f64,
    x_desc: String,
    y_desc: String,
    numbers: &'a NumberFormat,
}

impl Figure for ProjectionChart<'_> {
    fn size(&self) -> (u32, u32) {
        (WIDTH, 520)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: DrawingArea<DB, plotters::coord::Shift>,
    ) -> std::result::Result<(), String> {
        let (spot, title, source) = (self.spot, self.title, self.source);
        let ((first, last), y_max) = (self.years, self.y_max);
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        root.fill(&WHITE).map_err(err)?;
        let (main, footer) = root.split_vertically(490);
        footer
            .draw_text(source, &(FONT_FAMILY, 13).into_font().color(&GREY), (10, 8))
            .map_err(err)?;
        let mut chart = ChartBuilder::on(&main)
            .caption(title, (FONT_FAMILY, 22).into_font().style(FontStyle::Bold))
            .margin(12)
            .margin_right(30)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(first..last, 0.0..y_max.max(0.01))
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_desc(&self.x_desc)
            .y_desc(&self.y_desc)
            .y_label_formatter(&|y| tick(self.numbers, *y))
            .x_labels((last - first + 1) as usize)
            .label_style((FONT_FAMILY, 14))
            .axis_desc_style((FONT_FAMILY, 15))
            .draw()
            .map_err(err)?;
        for (k, sc) in spot.scenarios.iter().enumerate() {
            let colour = PALETTE[k % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(
                    sc.projection.iter().map(|y| (y.year, y.cost_pct_gdp)),
                    colour.stroke_width(3),
                ))
                .map_err(err)?
                .label(sc.label.clone())
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(3))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font((FONT_FAMILY, 14))
            .background_style(WHITE.mix(0.9))
            .border_style(GREY)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
        Ok(())
    }
}

/// A tree diagram: one box per node (rate and population share), laid out by depth, leaves in
/// rpart order; the path to the furthest-behind group is drawn in vermillion.
fn tree_chart(
    ind: &crate::results::lnob::IndicatorResult,
    t: &Strings,
    source: &str,
    dir: &Path,
) -> Result<ChartFile> {
    let nodes = &ind.tree.nodes;
    let title = t.fill(
        "charts.tree_title",
        &[("label", &ind.label), ("sdg", &ind.sdg)],
    )?;
    let stem = format!("tree_{}", ind.id);
    // x position: leaves left to right in order (left child first), parents centred.
    let mut x = vec![0.0; nodes.len()];
    let by_id: std::collections::BTreeMap<u64, usize> =
        nodes.iter().enumerate().map(|(i, n)| (n.node, i)).collect();
    fn place(
        id: u64,
        nodes: &[crate::results::lnob::TreeNode],
        by_id: &std::collections::BTreeMap<u64, usize>,
        next_leaf: &mut f64,
        x: &mut [f64],
    ) -> f64 {
        let i = by_id[&id];
        let pos = if nodes[i].leaf {
            *next_leaf += 1.0;
            *next_leaf - 0.5
        } else {
            let l = place(2 * id, nodes, by_id, next_leaf, x);
            let r = place(2 * id + 1, nodes, by_id, next_leaf, x);
            (l + r) / 2.0
        };
        x[i] = pos;
        pos
    }
    let mut leaves = 0.0;
    place(1, nodes, &by_id, &mut leaves, &mut x);
    let depth = nodes.iter().map(|n| n.depth).max().unwrap_or(0);
    let width = WIDTH.max((leaves as u32) * 130);
    let height = 120 + 95 * (depth as u32 + 1);
    let unit = t.fill(
        if ind.kind == crate::spec::IndicatorKind::Barrier {
            "charts.tree_unit_barrier"
        } else {
            "charts.tree_unit_rate"
        },
        &[],
    )?;
    let words = Words::new(t);
    let edges = nodes
        .iter()
        .map(|n| match &n.edge {
            Some(c) => words.condition(c),
            None => Ok(String::new()),
        })
        .collect::<Result<Vec<_>>>()?;
    let mut boxes = Vec::with_capacity(nodes.len());
    for n in nodes {
        boxes.push((
            t.fill(
                "charts.tree_box_rate",
                &[("rate", &t.number.pct(n.rate, 1))],
            )?,
            t.fill(
                "charts.tree_box_share",
                &[("share", &t.number.pct(n.weight_share, 1))],
            )?,
        ));
    }
    let diagram = TreeDiagram {
        ind,
        title: &title,
        note: t.fill("charts.tree_note", &[("unit", &unit)])?,
        boxes,
        edges: edges.clone(),
        source,
        x,
        by_id,
        leaves,
        width,
        height,
    };
    let mut csv =
        String::from("node,depth,condition,n,weight_share,rate,leaf,furthest_behind_path\n");
    for (n, edge) in nodes.iter().zip(&edges) {
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{}\n",
            n.node,
            n.depth,
            csv_field(&crate::present::tables::text_cell(edge)),
            n.n,
            n.weight_share,
            n.rate,
            n.leaf,
            n.furthest_behind_path
        ));
    }
    write_figure(&diagram, dir, &stem, &csv)?;
    Ok(ChartFile { stem, title })
}

struct TreeDiagram<'a> {
    ind: &'a crate::results::lnob::IndicatorResult,
    title: &'a str,
    /// The line under the title saying what the boxes show.
    note: String,
    /// Each node's box texts: rate and population share, formatted for the language.
    boxes: Vec<(String, String)>,
    /// Each node's incoming condition in words (empty for the root).
    edges: Vec<String>,
    source: &'a str,
    x: Vec<f64>,
    by_id: std::collections::BTreeMap<u64, usize>,
    leaves: f64,
    width: u32,
    height: u32,
}

impl Figure for TreeDiagram<'_> {
    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: DrawingArea<DB, plotters::coord::Shift>,
    ) -> std::result::Result<(), String> {
        let err = |e: DrawingAreaErrorKind<DB::ErrorType>| e.to_string();
        let (nodes, x, by_id, leaves, width, height) = (
            &self.ind.tree.nodes,
            &self.x,
            &self.by_id,
            self.leaves,
            self.width,
            self.height,
        );
        let (title, source) = (self.title, self.source);
        root.fill(&WHITE).map_err(err)?;
        root.draw(&Text::new(
            title.to_string(),
            (12, 10),
            (FONT_FAMILY, 20).into_font().style(FontStyle::Bold),
        ))
        .map_err(err)?;
        root.draw(&Text::new(
            self.note.clone(),
            (12, 38),
            (FONT_FAMILY, 13).into_font().color(&GREY),
        ))
        .map_err(err)?;
        root.draw(&Text::new(
            source.to_string(),
            (12, height as i32 - 22),
            (FONT_FAMILY, 12).into_font().color(&GREY),
        ))
        .map_err(err)?;
        let col_w = width as f64 / leaves.max(1.0);
        let box_w = (col_w - 10.0).clamp(60.0, 150.0) as i32;
        let centre =
            |i: usize| -> (i32, i32) { ((x[i] * col_w) as i32, 80 + 95 * nodes[i].depth as i32) };
        // Edges first, boxes over them.
        for (i, n) in nodes.iter().enumerate() {
            if n.node == 1 {
                continue;
            }
            let parent = by_id[&(n.node / 2)];
            let (px, py) = centre(parent);
            let (cx, cy) = centre(i);
            let colour = if n.furthest_behind_path {
                VERMILLION
            } else {
                GREY
            };
            root.draw(&PathElement::new(
                vec![(px, py + 38), (cx, cy - 17)],
                colour.stroke_width(2),
            ))
            .map_err(err)?;
        }
        let small = (FONT_FAMILY, 11)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Top));
        let big = (FONT_FAMILY, 15)
            .into_font()
            .style(FontStyle::Bold)
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Top));
        for (i, n) in nodes.iter().enumerate() {
            let (cx, cy) = centre(i);
            let (fill, border) = if n.furthest_behind_path {
                (RGBColor(251, 226, 208), VERMILLION)
            } else if n.leaf {
                (RGBColor(222, 235, 247), BLUE)
            } else {
                (RGBColor(240, 240, 240), GREY)
            };
            let (x0, y0) = (cx - box_w / 2, cy);
            root.draw(&Rectangle::new(
                [(x0, y0), (x0 + box_w, y0 + 38)],
                fill.filled(),
            ))
            .map_err(err)?;
            root.draw(&Rectangle::new(
                [(x0, y0), (x0 + box_w, y0 + 38)],
                border.stroke_width(2),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                self.boxes[i].0.clone(),
                (cx, y0 + 3),
                big.clone(),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                self.boxes[i].1.clone(),
                (cx, y0 + 22),
                small.clone(),
            ))
            .map_err(err)?;
            if !self.edges[i].is_empty() {
                let max_chars = (box_w as usize / 6).max(8);
                root.draw(&Text::new(
                    shorten(&self.edges[i], max_chars),
                    (cx, y0 - 15),
                    small.clone().color(&BLACK),
                ))
                .map_err(err)?;
            }
        }
        root.present().map_err(err)?;
        Ok(())
    }
}

/// Cut a label to `max` characters with an ellipsis (the full text is in the CSV and the brief).
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}
