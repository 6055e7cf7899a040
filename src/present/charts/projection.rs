//! The cost projection: each scenario's cost as % of GDP, year by year, as lines.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use super::{
    csv_field, err, finite, tick, write_figure, ChartFile, Figure, Legend, FONT_FAMILY, GREY,
    PALETTE, WIDTH,
};
use crate::error::Result;
use crate::present::render::{NumberFormat, Strings};
use crate::results::spot::SpotResult;
use crate::results::Results;

/// Cost of each scenario as % of GDP over the projection horizon.
pub(super) fn projection_chart(
    results: &Results,
    t: &Strings,
    source: &str,
    dir: &Path,
) -> Result<ChartFile> {
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
        * 1.1;
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
    spot: &'a SpotResult,
    title: &'a str,
    source: &'a str,
    years: (i32, i32),
    y_max: f64,
    x_desc: String,
    y_desc: String,
    numbers: &'a NumberFormat,
}

impl ProjectionChart<'_> {
    /// The key to the lines, above the plot.
    fn legend(&self) -> Legend {
        Legend {
            entries: self
                .spot
                .scenarios
                .iter()
                .enumerate()
                .map(|(k, sc)| (sc.label.clone(), PALETTE[k % PALETTE.len()]))
                .collect(),
            lines: true,
        }
    }
}

/// Heights (pixels) of the title strip and of the source line.
const TITLE_STRIP: u32 = 44;
const FOOTER: u32 = 30;

impl Figure for ProjectionChart<'_> {
    fn size(&self) -> (u32, u32) {
        (WIDTH, 500 + self.legend().height())
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        let (spot, title, source) = (self.spot, self.title, self.source);
        let ((first, last), y_max) = (self.years, self.y_max);
        root.fill(&WHITE).map_err(err)?;
        let (main, footer) = root.split_vertically(self.size().1 - FOOTER);
        footer
            .draw_text(source, &(FONT_FAMILY, 13).into_font().color(&GREY), (10, 8))
            .map_err(err)?;
        let legend = self.legend();
        let (top, main) = main.split_vertically(TITLE_STRIP + legend.height());
        let title_style = (FONT_FAMILY, 22)
            .into_font()
            .style(FontStyle::Bold)
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        top.draw(&Text::new(
            title.to_string(),
            (WIDTH as i32 / 2, 22),
            title_style,
        ))
        .map_err(err)?;
        legend.draw(&top, TITLE_STRIP as i32)?;
        let mut chart = ChartBuilder::on(&main)
            .margin(12)
            .margin_right(30)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(first..last, 0.0..y_max.max(0.01))
            .map_err(err)?;
        chart
            .configure_mesh()
            // Grid lines at the labelled ticks only.
            .light_line_style(TRANSPARENT)
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
                .map_err(err)?;
        }
        root.present().map_err(err)?;
        Ok(())
    }
}
