//! The tree diagram of an indicator: one box per node (rate and population share), laid out by
//! depth, leaves in rpart order; the path to the furthest-behind group is drawn in vermillion and
//! the furthest-ahead leaf in green; conditions are wrapped above their box, never cut.

use std::collections::BTreeMap;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;

use super::{
    csv_field, err, wrap, write_figure, ChartFile, Figure, BLUE, FONT_FAMILY, GREEN, GREY,
    VERMILLION, WIDTH,
};
use crate::error::Result;
use crate::present::render::Strings;
use crate::present::words::Words;
use crate::results::lnob::{IndicatorResult, TreeNode};

/// Draw the tree of one indicator, with its nodes as CSV.
pub(super) fn tree_chart(
    ind: &IndicatorResult,
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
    let (x, by_id, leaves) = layout(nodes);
    let depth = nodes.iter().map(|n| n.depth).max().unwrap_or(0);
    let width = WIDTH.max((leaves as u32) * 130);
    let edges = edge_texts(nodes, t)?;
    // Conditions are wrapped to the column, never cut: the rows make room for the longest.
    let wrap_chars = edge_chars(width as f64 / leaves.max(1.0));
    let lines = edges
        .iter()
        .map(|e| wrap(e, wrap_chars).len().max(1))
        .max()
        .unwrap_or(1) as u32;
    let row_step = 95 + EDGE_LINE * (lines - 1);
    let height = 120 + row_step * (depth as u32 + 1);
    let unit = t.fill(
        if ind.kind == crate::spec::IndicatorKind::Barrier {
            "charts.tree_unit_barrier"
        } else {
            "charts.tree_unit_rate"
        },
        &[],
    )?;
    let households = ind.unit == crate::spec::EstimateUnit::Households;
    let boxes = box_texts(nodes, t, households)?;
    let diagram = TreeDiagram {
        ind,
        title: &title,
        note: t.fill(
            if households {
                "charts.tree_note_households"
            } else {
                "charts.tree_note"
            },
            &[("unit", &unit)],
        )?,
        boxes,
        edges: edges.clone(),
        source,
        x,
        by_id,
        leaves,
        width,
        height,
        row_step,
        wrap_chars,
        ahead: ind.tree.furthest_ahead.as_ref().map(|l| l.node),
    };
    write_figure(&diagram, dir, &stem, &tree_csv(nodes, &edges))?;
    Ok(ChartFile { stem, title })
}

/// Each node's x position (leaves left to right in order, left child first; parents centred),
/// the node index by node id, and the number of leaves.
fn layout(nodes: &[TreeNode]) -> (Vec<f64>, BTreeMap<u64, usize>, f64) {
    let mut x = vec![0.0; nodes.len()];
    let by_id: BTreeMap<u64, usize> = nodes.iter().enumerate().map(|(i, n)| (n.node, i)).collect();
    let mut leaves = 0.0;
    place(1, nodes, &by_id, &mut leaves, &mut x);
    (x, by_id, leaves)
}

/// Places the subtree of node `id` (children `2 id` and `2 id + 1`); returns its x position.
fn place(
    id: u64,
    nodes: &[TreeNode],
    by_id: &BTreeMap<u64, usize>,
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

/// Each node's incoming condition in words (empty for the root).
fn edge_texts(nodes: &[TreeNode], t: &Strings) -> Result<Vec<String>> {
    let words = Words::new(t);
    nodes
        .iter()
        .map(|n| match &n.edge {
            Some(c) => words.condition(c),
            None => Ok(String::new()),
        })
        .collect::<Result<Vec<_>>>()
}

/// Each node's box texts: rate and share of the households or persons the indicator covers.
fn box_texts(nodes: &[TreeNode], t: &Strings, households: bool) -> Result<Vec<(String, String)>> {
    let share_key = if households {
        "charts.tree_box_share_households"
    } else {
        "charts.tree_box_share"
    };
    let mut boxes = Vec::with_capacity(nodes.len());
    for n in nodes {
        boxes.push((
            t.fill(
                "charts.tree_box_rate",
                &[("rate", &t.number.pct(n.rate, 1))],
            )?,
            t.fill(share_key, &[("share", &t.number.pct(n.weight_share, 1))])?,
        ));
    }
    Ok(boxes)
}

fn tree_csv(nodes: &[TreeNode], edges: &[String]) -> String {
    let mut csv =
        String::from("node,depth,condition,n,weight_share,rate,leaf,furthest_behind_path\n");
    for (n, edge) in nodes.iter().zip(edges) {
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
    csv
}

struct TreeDiagram<'a> {
    ind: &'a IndicatorResult,
    title: &'a str,
    /// The line under the title saying what the boxes show.
    note: String,
    /// Each node's box texts: rate and population share, formatted for the language.
    boxes: Vec<(String, String)>,
    /// Each node's incoming condition in words (empty for the root).
    edges: Vec<String>,
    source: &'a str,
    x: Vec<f64>,
    by_id: BTreeMap<u64, usize>,
    leaves: f64,
    width: u32,
    height: u32,
    /// Pixels from one depth to the next.
    row_step: u32,
    /// Characters per line of a condition above a box.
    wrap_chars: usize,
    /// The furthest-ahead leaf, drawn in green.
    ahead: Option<u64>,
}

/// Height of a line of condition text above a box.
const EDGE_LINE: u32 = 13;

/// Characters of the 11 px condition text that fit in a column `col_w` pixels wide.
fn edge_chars(col_w: f64) -> usize {
    (((col_w - 10.0).clamp(60.0, 150.0) + 20.0) / 6.3) as usize
}

impl Figure for TreeDiagram<'_> {
    fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        root.fill(&WHITE).map_err(err)?;
        self.draw_texts(&root)?;
        let col_w = self.width as f64 / self.leaves.max(1.0);
        // Edges first, boxes over them.
        self.draw_edges(&root, col_w)?;
        self.draw_boxes(&root, col_w)?;
        root.present().map_err(err)?;
        Ok(())
    }
}

impl TreeDiagram<'_> {
    /// Title and note at the top, source at the bottom.
    fn draw_texts<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        root.draw(&Text::new(
            self.title.to_string(),
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
            self.source.to_string(),
            (12, self.height as i32 - 22),
            (FONT_FAMILY, 12).into_font().color(&GREY),
        ))
        .map_err(err)?;
        Ok(())
    }

    /// Top centre of node `i`'s box, in pixels.
    fn centre(&self, i: usize, col_w: f64) -> (i32, i32) {
        let nodes = &self.ind.tree.nodes;
        (
            (self.x[i] * col_w) as i32,
            80 + self.row_step as i32 * nodes[i].depth as i32,
        )
    }

    /// A line from each node's parent to it.
    fn draw_edges<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        col_w: f64,
    ) -> std::result::Result<(), String> {
        for (i, n) in self.ind.tree.nodes.iter().enumerate() {
            if n.node == 1 {
                continue;
            }
            let parent = self.by_id[&(n.node / 2)];
            let (px, py) = self.centre(parent, col_w);
            let (cx, cy) = self.centre(i, col_w);
            let colour = if n.furthest_behind_path {
                VERMILLION
            } else {
                GREY
            };
            // The line ends above the child's (wrapped) condition text.
            let lines = wrap(&self.edges[i], self.wrap_chars).len().max(1) as i32;
            let end = cy - 18 - EDGE_LINE as i32 * (lines - 1);
            root.draw(&PathElement::new(
                vec![(px, py + 38), (cx, end)],
                colour.stroke_width(2),
            ))
            .map_err(err)?;
        }
        Ok(())
    }

    /// Each node's box with its texts, and its condition above it.
    fn draw_boxes<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        col_w: f64,
    ) -> std::result::Result<(), String> {
        let box_w = (col_w - 10.0).clamp(60.0, 150.0) as i32;
        let small = (FONT_FAMILY, 11)
            .into_font()
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Top));
        let big = (FONT_FAMILY, 15)
            .into_font()
            .style(FontStyle::Bold)
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Top));
        for (i, n) in self.ind.tree.nodes.iter().enumerate() {
            let (cx, cy) = self.centre(i, col_w);
            let (fill, border) = if n.furthest_behind_path {
                (RGBColor(251, 226, 208), VERMILLION)
            } else if self.ahead == Some(n.node) {
                (RGBColor(214, 240, 230), GREEN)
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
            let lines = wrap(&self.edges[i], self.wrap_chars);
            for (k, line) in lines.iter().enumerate() {
                let up = EDGE_LINE as i32 * (lines.len() - 1 - k) as i32;
                root.draw(&Text::new(
                    line.clone(),
                    (cx, y0 - 15 - up),
                    small.clone().color(&BLACK),
                ))
                .map_err(err)?;
            }
        }
        Ok(())
    }
}
