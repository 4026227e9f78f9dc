//! The layered drawing of a [`PathDiagram`], phase by phase (see the module documentation of
//! [`crate::diagram`]):
//!
//! - [`rank`]: node sizes, indicator fans, cycle breaking, longest-path layers, dummy slots;
//! - [`order`]: the order within each layer (barycentric sweeps);
//! - [`place`]: columns, indicator rows and vertical coordinates;
//! - [`route`]: curves of regressions and loadings;
//! - [`covariance`]: curves of covariances;
//! - [`labels`]: edge labels, the bounding box and the title.

mod covariance;
mod labels;
mod order;
mod place;
mod rank;
mod route;

use std::collections::HashMap;

use super::geometry::{Curve, P, Rect};
use super::model::{DiagramEdge, DiagramNode, EdgeKind, LineStyle, NodeKind, PathDiagram};

/// Where a node was drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedNode {
    pub(super) id: String,
    pub(super) label: String,
    pub(super) kind: NodeKind,
    pub(super) r_squared: Option<f64>,
    pub(super) cx: f64,
    pub(super) cy: f64,
    pub(super) width: f64,
    pub(super) height: f64,
    pub(super) indicator: bool,
}

impl PlacedNode {
    /// Node identifier.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Latent (ellipse) or observed (rectangle).
    pub fn kind(&self) -> NodeKind {
        self.kind
    }
    /// Whether it was drawn as an indicator below its factor.
    pub fn is_indicator(&self) -> bool {
        self.indicator
    }
    /// Centre `(x, y)`.
    pub fn center(&self) -> (f64, f64) {
        (self.cx, self.cy)
    }
    /// Bounding box of the ellipse or rectangle.
    pub fn bbox(&self) -> Rect {
        Rect::centered(self.cx, self.cy, self.width, self.height)
    }
}

/// What a placed label belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelKind {
    /// The label of an edge of this kind.
    Edge(EdgeKind),
    /// The diagram's title.
    Title,
}

/// Where a label was drawn (its background box).
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedLabel {
    pub(super) text: String,
    pub(super) kind: LabelKind,
    pub(super) rect: Rect,
}

impl PlacedLabel {
    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }
    /// What it labels.
    pub fn kind(&self) -> LabelKind {
        self.kind
    }
    /// Its box.
    pub fn rect(&self) -> Rect {
        self.rect
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct DrawnEdge {
    pub(super) kind: EdgeKind,
    pub(super) style: LineStyle,
    pub(super) curve: Curve,
    pub(super) heads: Vec<[P; 3]>,
    pub(super) from: String,
    pub(super) to: String,
}

/// One drawn edge sampled as points along its curve ([`Layout::edge_samples`]).
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeSample {
    /// Source node.
    pub from: String,
    /// Target node.
    pub to: String,
    /// Kind of edge.
    pub kind: EdgeKind,
    /// Points `(x, y)` along the curve, from the start to the end.
    pub points: Vec<(f64, f64)>,
}

/// A computed drawing of a [`PathDiagram`]: see [`PathDiagram::layout`].
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub(super) width: f64,
    pub(super) height: f64,
    pub(super) title: Option<String>,
    pub(super) nodes: Vec<PlacedNode>,
    pub(super) edges: Vec<DrawnEdge>,
    pub(super) labels: Vec<PlacedLabel>,
    /// structural node ids per layer (for DOT rank=same)
    pub(super) layers: Vec<Vec<String>>,
}

impl Layout {
    /// Width of the drawing.
    pub fn width(&self) -> f64 {
        self.width
    }
    /// Height of the drawing.
    pub fn height(&self) -> f64 {
        self.height
    }
    /// Drawn nodes.
    pub fn nodes(&self) -> &[PlacedNode] {
        &self.nodes
    }
    /// Drawn labels (edge labels and the title).
    pub fn labels(&self) -> &[PlacedLabel] {
        &self.labels
    }
    /// Number of drawn edges.
    pub fn edge_count(&self) -> usize {
        self.edges.len()
    }
    /// Number of layers (columns) of the structural graph.
    pub fn n_layers(&self) -> usize {
        self.layers.len()
    }
    /// The layer (column, 0 = leftmost) of a structural node; `None` for indicators and unknown
    /// identifiers.
    pub fn layer_of(&self, id: &str) -> Option<usize> {
        self.layers.iter().position(|l| l.iter().any(|k| k == id))
    }

    /// Every drawn edge as `(from, to, kind, points)`: its curve sampled at `per_segment` points
    /// per line or Bézier segment (arrowheads excluded), for checks such as "no edge crosses a
    /// node".
    pub fn edge_samples(&self, per_segment: usize) -> Vec<EdgeSample> {
        let k = per_segment.max(1);
        self.edges
            .iter()
            .map(|e| {
                let pts: Vec<(f64, f64)> = e.curve.sampled(k).iter().map(|q| (q.x, q.y)).collect();
                EdgeSample { from: e.from.clone(), to: e.to.clone(), kind: e.kind, points: pts }
            })
            .collect()
    }
}

/// What every layout phase reads: the diagram, its resolved nodes and which nodes are
/// indicators.
struct Input<'a> {
    d: &'a PathDiagram,
    nodes: &'a [DiagramNode],
    index: &'a HashMap<String, usize>,
    indicator: &'a [bool],
}

impl Input<'_> {
    /// Whether node `i` is drawn (indicators can be hidden).
    fn shown(&self, i: usize) -> bool {
        !self.indicator[i] || self.d.show_indicators
    }
}

/// What the routing phases produce: drawn edges, placed labels, and labels still to place
/// (edge index, candidate centres in order of preference).
#[derive(Default)]
struct Drawing {
    drawn: Vec<DrawnEdge>,
    labels: Vec<PlacedLabel>,
    pending_labels: Vec<(usize, Vec<P>)>,
}

impl Drawing {
    /// Record edge `e` drawn as `curve` with `heads`.
    fn push(&mut self, e: &DiagramEdge, curve: Curve, heads: Vec<[P; 3]>) {
        self.drawn.push(DrawnEdge {
            kind: e.kind,
            style: e.style,
            curve,
            heads,
            from: e.from.clone(),
            to: e.to.clone(),
        });
    }
}

/// The whole layout: one call per phase.
pub(super) fn layout_diagram(
    d: &PathDiagram,
    nodes: &[DiagramNode],
    index: &HashMap<String, usize>,
    indicator: &[bool],
) -> Layout {
    let inp = Input { d, nodes, index, indicator };
    let g = rank::rank(&inp);
    let order = order::reduce_crossings(&g);
    let pl = place::place(&inp, &g, &order);
    let sc = place::Scene { inp: &inp, g: &g, pl: &pl };
    let mut dr = Drawing::default();
    route::structural_edges(&sc, &mut dr);
    route::loadings(&sc, &mut dr);
    covariance::covariances(&sc, &mut dr);
    labels::place_edge_labels(&sc, &mut dr);
    labels::finish(&sc, &order, dr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycle_is_layered_without_panic() {
        let mut d = PathDiagram::new();
        d.observed("a").observed("b").observed("c");
        d.regression("a", "b", "x").regression("b", "c", "y").regression("c", "a", "z");
        let l = d.layout().unwrap();
        assert_eq!(l.nodes().len(), 3);
        assert!(l.n_layers() >= 2);
    }
}
