//! Path diagrams of structural equation models: a small graph description rendered as Graphviz
//! DOT text or as a standalone SVG drawn in pure Rust (no system Graphviz).
//!
//! A [`PathDiagram`] holds latent nodes (drawn as ellipses), observed nodes (rectangles) and
//! edges: regressions (directed arrows), loadings (factor → indicator arrows) and covariances
//! (curved double-headed arrows), each with an optional label such as a standardized
//! coefficient with significance stars ([`coef_label`]). Endogenous nodes may show their R².
//! The description does not depend on the SEM types; a fitted model is converted into it.
//!
//! The SVG layout is a layered (Sugiyama-style) drawing from left to right:
//!
//! 1. the structural graph (every node except pure indicators) is layered by longest path from
//!    the exogenous nodes (cycles of non-recursive models are broken by reversing back edges
//!    found by a depth-first search in insertion order);
//! 2. edges spanning several layers get a dummy slot in every layer they cross;
//! 3. the order within each layer minimises crossings by barycentric sweeps (down and up,
//!    ties kept in insertion order, the ordering with the fewest crossings kept);
//! 4. vertical positions pull every node towards the mean of its neighbours and then remove
//!    overlaps with the order kept, by isotonic regression (pool-adjacent-violators);
//! 5. indicators are fanned out in a row below their factor; covariances between nodes of one
//!    column are arcs outside the column; labels sit at edge midpoints in the gaps between
//!    columns, moved along the edge where they would overlap a node or another label.
//!
//! The output is deterministic: the same diagram gives byte-identical DOT and SVG.

mod dot;
mod geometry;
mod layout;
mod model;
mod svg;

pub use geometry::Rect;
pub use layout::{EdgeSample, LabelKind, Layout, PlacedLabel, PlacedNode};
pub use model::{
    Coefficient, DiagramEdge, DiagramNode, EdgeKind, LineStyle, NodeKind, PathDiagram, coef_label,
};
