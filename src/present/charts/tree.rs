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
        &[
            ("label", &ind.label),
            ("sdg", &super::sdg_text(&ind.sdg, t)?),
        ],
    )?;
    let stem = format!("tree_{}", ind.id);
    let (x, by_id, leaves) = layout(nodes);
    let width = tree_width(leaves as usize);
    let edges = edge_texts(nodes, t)?;
    let col_w = width as f64 / leaves.max(1.0);
    // Conditions and box texts are wrapped to the column, never cut: rows make room for the longest.
    let wrap_chars = chars_in(col_w - 8.0);
    let box_chars = chars_in(box_width(col_w) as f64 - 6.0);
    let households = ind.unit == crate::spec::EstimateUnit::Households;
    let boxes = box_texts(nodes, t, households)?;
    let share_lines = max_lines(boxes.iter().map(|b| &b.1), box_chars);
    let box_h = BOX_TOP + LINE * share_lines + 5;
    let note = tree_note(ind, t)?;
    let header = header_lines(&title, &note, width);
    let row_y = row_tops(
        nodes,
        &edges,
        wrap_chars,
        box_h,
        30 + TITLE_LINE * header.0 + LINE * header.1,
    );
    let height = row_y.last().copied().unwrap_or(0) + box_h + LINE + 30;
    let diagram = TreeDiagram {
        ind,
        title: &title,
        note,
        boxes,
        edges: edges.clone(),
        source,
        x,
        by_id,
        leaves,
        width,
        height,
        row_y,
        box_h,
        wrap_chars,
        box_chars,
        ahead: ind.tree.furthest_ahead.as_ref().map(|l| l.node),
    };
    write_figure(&diagram, dir, &stem, &tree_csv(nodes, &edges))?;
    Ok(ChartFile { stem, title })
}

/// The line under the title saying what the boxes show.
fn tree_note(ind: &IndicatorResult, t: &Strings) -> Result<String> {
    let unit = t.fill(
        if ind.kind == crate::spec::IndicatorKind::Barrier {
            "charts.tree_unit_barrier"
        } else {
            "charts.tree_unit_rate"
        },
        &[],
    )?;
    let covers = crate::present::words::Words::new(t).covers(&ind.covers)?;
    t.fill("charts.tree_note", &[("unit", &unit), ("covers", &covers)])
}

/// The most lines any of `texts` takes wrapped at `chars` (at least one).
fn max_lines<'s>(texts: impl IntoIterator<Item = &'s String>, chars: usize) -> u32 {
    texts
        .into_iter()
        .map(|e| wrap(e, chars).len().max(1))
        .max()
        .unwrap_or(1) as u32
}

/// The top of the boxes at each depth, from `first` for the root: below the boxes above,
/// a gap, and the most lines any condition of that depth wraps to.
fn row_tops(
    nodes: &[TreeNode],
    edges: &[String],
    chars: usize,
    box_h: u32,
    first: u32,
) -> Vec<u32> {
    let depth = nodes.iter().map(|n| n.depth).max().unwrap_or(0);
    let mut rows = vec![first];
    for d in 1..=depth {
        let lines = nodes
            .iter()
            .zip(edges)
            .filter(|(n, _)| n.depth == d)
            .map(|(_, e)| wrap(e, chars).len().max(1) as u32)
            .max()
            .unwrap_or(1);
        rows.push(rows[d - 1] + box_h + 24 + LINE * lines);
    }
    rows
}

/// Lines of the wrapped title and note.
fn header_lines(title: &str, note: &str, width: u32) -> (u32, u32) {
    let w = width as f64 - 24.0;
    let title_chars = (w / (TITLE_PX * CHAR_EM * 1.08)) as usize;
    (
        wrap(title, title_chars).len().max(1) as u32,
        wrap(note, chars_in(w)).len().max(1) as u32,
    )
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
    /// Top of the boxes at each depth: each row makes room for its own wrapped conditions.
    row_y: Vec<u32>,
    box_h: u32,
    /// Characters per line of a condition above a box, and of the share inside it.
    wrap_chars: usize,
    box_chars: usize,
    /// The furthest-ahead leaf, drawn in green.
    ahead: Option<u64>,
}

/// A tree with more leaves than this is printed on a landscape page of the PDF
/// (`report_templates/typ/lnob.typ` asks the same of `ind.tree.leaves | length`).
pub(crate) const PORTRAIT_LEAVES: usize = 5;

/// Font sizes as plotters takes them (its SVG writes `font-size` = size / 1.24). The figure
/// is printed at the text width, 481.9 pt portrait at 1000 px or 728.5 pt landscape at 1512 px
/// (0.482 pt per px either way), so the 20 px text prints at 20 / 1.24 × 0.482 = 7.8 pt.
const SMALL_PX: u32 = 20;
const BIG_PX: u32 = 25;
const TITLE_PX: f64 = 27.0;
/// Line heights of the small text and of the title.
const LINE: u32 = 23;
const TITLE_LINE: u32 = 32;
/// From a box's top to its first share line (below the rate).
const BOX_TOP: u32 = 34;
/// Mean DejaVu Sans advance per character, as a fraction of the plotters size.
const CHAR_EM: f64 = 0.47;

/// The SVG width: the portrait text width, or the landscape one for a wide tree.
fn tree_width(leaves: usize) -> u32 {
    if leaves <= PORTRAIT_LEAVES {
        WIDTH
    } else {
        WIDTH * 1512 / 1000
    }
}

/// A box's width in a column `col_w` pixels wide.
fn box_width(col_w: f64) -> u32 {
    (col_w - 12.0).clamp(70.0, 220.0) as u32
}

/// Characters of the small text that fit in `w` pixels.
fn chars_in(w: f64) -> usize {
    (w.max(60.0) / (SMALL_PX as f64 * CHAR_EM)) as usize
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

/// Draws `lines` one under the other from `(x, y)`, `step` pixels apart.
fn draw_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    lines: &[String],
    (x, y): (i32, i32),
    step: u32,
    font: &TextStyle,
) -> std::result::Result<(), String> {
    for (k, line) in lines.iter().enumerate() {
        let at = (x, y + (step as i32) * k as i32);
        root.draw(&Text::new(line.clone(), at, font.clone()))
            .map_err(err)?;
    }
    Ok(())
}

impl TreeDiagram<'_> {
    /// Title and note at the top (wrapped), source at the bottom.
    fn draw_texts<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> std::result::Result<(), String> {
        let w = self.width as f64 - 24.0;
        let title = wrap(self.title, (w / (TITLE_PX * CHAR_EM * 1.08)) as usize);
        let bold = (FONT_FAMILY, TITLE_PX).into_font().style(FontStyle::Bold);
        draw_lines(root, &title, (12, 12), TITLE_LINE, &bold.into())?;
        let grey = (FONT_FAMILY, SMALL_PX).into_font().color(&GREY);
        let note_y = 14 + (TITLE_LINE * title.len() as u32) as i32;
        draw_lines(
            root,
            &wrap(&self.note, chars_in(w)),
            (12, note_y),
            LINE,
            &grey,
        )?;
        root.draw(&Text::new(
            self.source.to_string(),
            (12, self.height as i32 - LINE as i32 - 4),
            grey,
        ))
        .map_err(err)?;
        Ok(())
    }

    /// Top centre of node `i`'s box, in pixels.
    fn centre(&self, i: usize, col_w: f64) -> (i32, i32) {
        let nodes = &self.ind.tree.nodes;
        (
            (self.x[i] * col_w) as i32,
            self.row_y[nodes[i].depth] as i32,
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
            let end = cy - 8 - LINE as i32 * lines;
            root.draw(&PathElement::new(
                vec![(px, py + self.box_h as i32), (cx, end)],
                colour.stroke_width(2),
            ))
            .map_err(err)?;
        }
        Ok(())
    }

    /// Fill and border of node `n`'s box: the furthest-behind path vermillion, the
    /// furthest-ahead leaf green, other leaves blue, inner nodes grey.
    fn colours(&self, n: &TreeNode) -> (RGBColor, RGBColor) {
        if n.furthest_behind_path {
            (RGBColor(251, 226, 208), VERMILLION)
        } else if self.ahead == Some(n.node) {
            (RGBColor(214, 240, 230), GREEN)
        } else if n.leaf {
            (RGBColor(222, 235, 247), BLUE)
        } else {
            (RGBColor(240, 240, 240), GREY)
        }
    }

    /// Each node's box with its texts, and its condition above it.
    fn draw_boxes<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        col_w: f64,
    ) -> std::result::Result<(), String> {
        let box_w = box_width(col_w) as i32;
        let centred = Pos::new(HPos::Center, VPos::Top);
        let small = (FONT_FAMILY, SMALL_PX)
            .into_font()
            .color(&BLACK)
            .pos(centred);
        let big = (FONT_FAMILY, BIG_PX)
            .into_font()
            .style(FontStyle::Bold)
            .color(&BLACK)
            .pos(centred);
        for (i, n) in self.ind.tree.nodes.iter().enumerate() {
            let (cx, y0) = self.centre(i, col_w);
            let (fill, border) = self.colours(n);
            let x0 = cx - box_w / 2;
            let corners = [(x0, y0), (x0 + box_w, y0 + self.box_h as i32)];
            root.draw(&Rectangle::new(corners, fill.filled()))
                .map_err(err)?;
            root.draw(&Rectangle::new(corners, border.stroke_width(2)))
                .map_err(err)?;
            root.draw(&Text::new(
                self.boxes[i].0.clone(),
                (cx, y0 + 6),
                big.clone(),
            ))
            .map_err(err)?;
            let share = wrap(&self.boxes[i].1, self.box_chars);
            draw_lines(root, &share, (cx, y0 + BOX_TOP as i32), LINE, &small)?;
            let lines = wrap(&self.edges[i], self.wrap_chars);
            let above = y0 - 4 - (LINE * lines.len() as u32) as i32;
            draw_lines(root, &lines, (cx, above), LINE, &small)?;
        }
        Ok(())
    }
}
