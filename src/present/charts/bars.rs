//! The horizontal bar chart most of the brief's charts are: one or more series per row, side by
//! side or stacked, with the row labels drawn on the bands.

use std::path::Path;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use super::{
    csv_field, err, finite, tick, wrap, write_figure, ChartFile, Figure, Legend, FONT_FAMILY, GREY,
    WIDTH,
};
use crate::error::Result;
use crate::present::render::NumberFormat;

/// The plot area of a bar chart: values across, row bands down.
type BarPlot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// A horizontal bar chart with one or two series per row.
pub(super) struct Bars {
    pub(super) title: String,
    pub(super) x_label: String,
    pub(super) source: String,
    pub(super) rows: Vec<String>,
    pub(super) series: Vec<(String, RGBColor, Vec<f64>)>,
    pub(super) x_max: f64,
    /// Series side by side in a row's band (false) or stacked end to end (true).
    pub(super) stacked: bool,
    /// 95% intervals drawn as error bars: none, or one (low, high) per row for every series.
    pub(super) intervals: Vec<Vec<(f64, f64)>>,
    pub(super) numbers: NumberFormat,
}

/// Heights (pixels) of the title strip, of a line of axis title, and of the source line.
const TITLE_STRIP: u32 = 44;
const LINE: u32 = 26;
const FOOTER: u32 = 30;
/// Characters of 15 px DejaVu Sans that fit across the chart, at about 8 px a character.
const AXIS_TITLE_CHARS: usize = 115;

impl Bars {
    fn height(&self) -> u32 {
        let per_row = if self.stacked {
            30
        } else {
            17 * self.series.len().max(2) as u32
        };
        let axis_title = LINE * wrap(&self.x_label, AXIS_TITLE_CHARS).len() as u32;
        TITLE_STRIP
            + self.legend_strip()
            + 24
            + per_row * self.rows.len() as u32
            + 40
            + axis_title
            + 8
            + FOOTER
    }

    /// The key to the series, above the plot so it never covers a bar.
    fn legend(&self) -> Legend {
        Legend {
            entries: self
                .series
                .iter()
                .map(|(name, colour, _)| (name.clone(), *colour))
                .collect(),
            lines: false,
        }
    }

    fn legend_strip(&self) -> u32 {
        self.legend().height()
    }

    fn csv(&self) -> String {
        let text = |s: &str| csv_field(&crate::present::tables::text_cell(s));
        let mut out = String::from("row");
        for (name, _, _) in &self.series {
            out.push(',');
            out.push_str(&text(name));
            if !self.intervals.is_empty() {
                out.push_str(&format!(
                    ",{},{}",
                    text(&format!("{name} lo95")),
                    text(&format!("{name} hi95"))
                ));
            }
        }
        out.push('\n');
        for (i, row) in self.rows.iter().enumerate() {
            out.push_str(&text(row));
            for (s, (_, _, values)) in self.series.iter().enumerate() {
                out.push_str(&format!(",{}", values[i]));
                if let Some((lo, hi)) = self.intervals.get(s).map(|v| v[i]) {
                    out.push_str(&format!(",{lo},{hi}"));
                }
            }
            out.push('\n');
        }
        out
    }

    pub(super) fn write(&self, dir: &Path, stem: &str) -> Result<ChartFile> {
        finite(stem, "the axis maximum", self.x_max)?;
        for (s, (name, _, values)) in self.series.iter().enumerate() {
            for (i, (row, v)) in self.rows.iter().zip(values).enumerate() {
                finite(stem, &format!("the value of '{name}' for '{row}'"), *v)?;
                if let Some((lo, hi)) = self.intervals.get(s).map(|v| v[i]) {
                    finite(stem, &format!("the interval of '{name}' for '{row}'"), lo)?;
                    finite(stem, &format!("the interval of '{name}' for '{row}'"), hi)?;
                }
            }
        }
        write_figure(self, dir, stem, &self.csv())?;
        Ok(ChartFile {
            stem: stem.to_string(),
            title: self.title.clone(),
        })
    }

    /// Row labels at the band centres, drawn in backend pixels to the left of the plot
    /// (plotters' numeric label placement would not put them on the bands).
    fn draw_row_labels<DB: DrawingBackend>(
        &self,
        main: &DrawingArea<DB, Shift>,
        chart: &BarPlot<DB>,
    ) -> std::result::Result<(), String> {
        let n = self.rows.len();
        let label_style = (FONT_FAMILY, 14)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (i, row) in self.rows.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(0.0, n as f64 - i as f64 - 0.5));
            main.draw(&Text::new(row.clone(), (px - 8, py), label_style.clone()))
                .map_err(err)?;
        }
        Ok(())
    }

    /// One rectangle per row and series, series in order.
    fn draw_series<'a, DB: DrawingBackend>(
        &'a self,
        chart: &mut BarPlot<'a, DB>,
    ) -> std::result::Result<(), String> {
        let n = self.rows.len();
        let k = self.series.len() as f64;
        let band = if self.stacked { 0.7 } else { 0.8 / k };
        let mut start = vec![0.0; n];
        for (s, (_, colour, values)) in self.series.iter().enumerate() {
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
            chart.draw_series(rects).map_err(err)?;
        }
        Ok(())
    }

    /// The row offset of series `s`'s bar centre in a band (side-by-side series only).
    fn bar_centre(&self, row: usize, s: usize) -> f64 {
        let (n, band) = (self.rows.len() as f64, 0.8 / self.series.len() as f64);
        n - row as f64 - 0.1 - band * s as f64 - band / 2.0
    }

    /// A whisker with end caps from low to high across each bar.
    fn draw_intervals<DB: DrawingBackend>(
        &self,
        chart: &mut BarPlot<DB>,
    ) -> std::result::Result<(), String> {
        let cap = 0.18 * 0.8 / self.series.len() as f64;
        for (s, intervals) in self.intervals.iter().enumerate() {
            let lines = intervals.iter().enumerate().flat_map(|(i, &(lo, hi))| {
                let y = self.bar_centre(i, s);
                [
                    vec![(lo, y), (hi, y)],
                    vec![(lo, y - cap), (lo, y + cap)],
                    vec![(hi, y - cap), (hi, y + cap)],
                ]
            });
            chart
                .draw_series(lines.map(|l| PathElement::new(l, BLACK.stroke_width(1))))
                .map_err(err)?;
        }
        Ok(())
    }

    /// The title, centred, and under it the legend.
    fn draw_header<DB: DrawingBackend>(
        &self,
        top: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        let width = WIDTH as i32;
        let title = (FONT_FAMILY, 22)
            .into_font()
            .style(FontStyle::Bold)
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        top.draw(&Text::new(self.title.clone(), (width / 2, 22), title))
            .map_err(err)?;
        self.legend().draw(top, TITLE_STRIP as i32)
    }

    /// The axis title under the tick labels, centred on the whole chart and wrapped to its
    /// width (centred on the plot alone, a long title runs off the right edge).
    fn draw_axis_title<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        let style = (FONT_FAMILY, 15)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        for (i, line) in wrap(&self.x_label, AXIS_TITLE_CHARS)
            .into_iter()
            .enumerate()
        {
            let y = (LINE * i as u32 + LINE / 2) as i32;
            area.draw(&Text::new(line, (WIDTH as i32 / 2, y), style.clone()))
                .map_err(err)?;
        }
        Ok(())
    }
}

impl Figure for Bars {
    fn size(&self) -> (u32, u32) {
        (WIDTH, self.height())
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        let (main, footer) = root.split_vertically(self.height() - FOOTER);
        footer
            .draw_text(
                &self.source,
                &(FONT_FAMILY, 13).into_font().color(&GREY),
                (10, 8),
            )
            .map_err(err)?;
        let n = self.rows.len();
        let axis_title = LINE * wrap(&self.x_label, AXIS_TITLE_CHARS).len() as u32;
        let (top, rest) = main.split_vertically(TITLE_STRIP + self.legend_strip());
        let (plot, below) = rest.split_vertically(rest.dim_in_pixel().1 - axis_title - 8);
        self.draw_header(&top)?;
        self.draw_axis_title(&below)?;
        let mut chart = ChartBuilder::on(&plot)
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
            .x_label_formatter(&|x| tick(&self.numbers, *x))
            .label_style((FONT_FAMILY, 14))
            .axis_desc_style((FONT_FAMILY, 15))
            .draw()
            .map_err(err)?;
        // Row labels in the root's pixels: backend_coord gives positions in the whole figure.
        self.draw_row_labels(&root, &chart)?;
        self.draw_series(&mut chart)?;
        if !self.stacked {
            self.draw_intervals(&mut chart)?;
        }
        root.present().map_err(err)?;
        Ok(())
    }
}
