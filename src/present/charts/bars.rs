//! The horizontal bar chart most of the brief's charts are: one or more series per row, side by
//! side or stacked, with the row labels drawn on the bands.

use std::path::Path;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use super::{
    csv_field, err, finite, tick, write_figure, ChartFile, Figure, FONT_FAMILY, GREY, WIDTH,
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
    pub(super) numbers: NumberFormat,
}

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

    pub(super) fn write(&self, dir: &Path, stem: &str) -> Result<ChartFile> {
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

    /// One rectangle per row and series, series in order, each with its legend entry.
    fn draw_series<'a, DB: DrawingBackend>(
        &'a self,
        chart: &mut BarPlot<'a, DB>,
    ) -> std::result::Result<(), String> {
        let n = self.rows.len();
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
        self.draw_row_labels(&main, &chart)?;
        self.draw_series(&mut chart)?;
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
