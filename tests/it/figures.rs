//! Can the figures be read as printed? Every text of every tree diagram prints at 7 pt or more
//! in the PDF: the SVG's font size times the scale at which the brief places it (the text width,
//! portrait or on a landscape page of its own, shrunk only if the page is too short).

use std::fs;

use crate::common::case::Case;

/// A4 less the 2 cm margins of `report_templates/typ/brief.typ`, in pt.
const TEXT_W: f64 = 481.9;
const TEXT_H: f64 = 728.5;

fn attr(svg: &str, name: &str) -> f64 {
    let start = svg.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
    let end = start + svg[start..].find('"').unwrap();
    svg[start..end].trim_end_matches("px").parse().unwrap()
}

fn smallest_font(svg: &str) -> f64 {
    svg.split("font-size=\"")
        .skip(1)
        .map(|s| {
            s[..s.find('"').unwrap()]
                .trim_end_matches("px")
                .parse::<f64>()
                .unwrap()
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn tree_text_prints_at_seven_points_or_more() {
    let case = Case::parquet();
    case.lock_and_run_results();
    let out = case.path("out");
    let typ = fs::read_to_string(out.join("brief.typ")).unwrap();
    let mut trees = 0;
    for entry in fs::read_dir(out.join("charts")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !(name.starts_with("tree_") && name.ends_with(".svg")) {
            continue;
        }
        trees += 1;
        let svg = fs::read_to_string(&path).unwrap();
        let (w, h) = (attr(&svg, "width"), attr(&svg, "height"));
        let line = typ
            .lines()
            .find(|l| l.contains(&format!("charts/{name}")))
            .unwrap_or_else(|| panic!("{name} is not in the brief"));
        // A wide tree has a landscape page of its own: the text height is its width.
        let landscape = line.contains("#page(flipped: true)");
        let scale = if landscape {
            (TEXT_H / w).min(TEXT_W / h)
        } else {
            (TEXT_W / w).min(TEXT_H / h)
        };
        let printed = smallest_font(&svg) * scale;
        assert!(
            printed >= 7.0,
            "{name}: smallest text prints at {printed:.2} pt (landscape: {landscape})"
        );
    }
    assert!(trees >= 10, "only {trees} trees drawn");
}
