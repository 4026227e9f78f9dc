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

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::error::{Error, Result};
use crate::summary::{ParamRow, signif_stars};

/// Kind of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum NodeKind {
    /// A latent variable (factor), drawn as an ellipse.
    Latent,
    /// An observed variable, drawn as a rectangle.
    Observed,
}

/// Kind of an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum EdgeKind {
    /// A regression `to ~ from`: a directed arrow from `from` to `to`.
    Regression,
    /// A factor loading `from =~ to`: an arrow from the factor to its indicator.
    Loading,
    /// A covariance `from ~~ to`: a curved double-headed arrow.
    Covariance,
}

/// Line style of an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum LineStyle {
    /// A solid line (default).
    #[default]
    Solid,
    /// A dashed line (e.g. a non-significant path).
    Dashed,
}

/// A node of a path diagram.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DiagramNode {
    /// Unique identifier (the variable name).
    pub id: String,
    /// Text shown in the node (defaults to the identifier).
    pub label: String,
    /// Latent or observed.
    pub kind: NodeKind,
    /// R² shown under the label of an endogenous node, if set.
    pub r_squared: Option<f64>,
}

/// An edge of a path diagram.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct DiagramEdge {
    /// Source node (predictor, factor, or first variable of a covariance).
    pub from: String,
    /// Target node (outcome, indicator, or second variable of a covariance).
    pub to: String,
    /// Regression, loading or covariance.
    pub kind: EdgeKind,
    /// Text on the edge (empty for none).
    pub label: String,
    /// Solid or dashed.
    pub style: LineStyle,
}

/// A coefficient label with R's significance stars: `0.35***`, `-0.21**`, `0.08`.
///
/// # Formula
///
/// ```text
/// format(est, digits) followed by *** (p < .001), ** (p < .01), * (p < .05), nothing otherwise
/// ```
///
/// # Examples
///
/// ```
/// use surveystat::diagram::coef_label;
/// assert_eq!(coef_label(0.3512, Some(0.0001), 2), "0.35***");
/// assert_eq!(coef_label(-0.2049, Some(0.004), 2), "-0.20**");
/// assert_eq!(coef_label(0.08, Some(0.07), 2), "0.08");
/// assert_eq!(coef_label(0.5, None, 3), "0.500");
/// ```
///
/// # References
///
/// R Core Team, `printCoefmat` significance codes.
pub fn coef_label(est: f64, pvalue: Option<f64>, digits: usize) -> String {
    let stars = signif_stars(pvalue).trim_matches('.');
    format!("{}{stars}", crate::summary::fmt_num(est, digits))
}

/// Which number of a parameter row labels the edges of a diagram built by
/// [`PathDiagram::from_param_rows`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Coefficient {
    /// Completely standardized (`std.all`), the usual choice for a published diagram.
    #[default]
    StdAll,
    /// Standardized on the latent variables only (`std.lv`).
    StdLv,
    /// The unstandardized estimate.
    Estimate,
}

/// A path diagram: nodes and labelled edges, rendered as DOT ([`PathDiagram::to_dot`]) or SVG
/// ([`PathDiagram::to_svg`]).
///
/// Builder methods never fail; the description is checked when it is rendered.
///
/// # Formula
///
/// ```text
/// layer(v) = 0 if v has no incoming regression, else max over predecessors u of layer(u) + 1
/// position within a layer: barycentre of the neighbours' positions in the previous layer
/// ```
///
/// # Examples
///
/// ```
/// use surveystat::diagram::PathDiagram;
/// let mut d = PathDiagram::new();
/// d.latent("ST").latent("AC").observed("ST1").observed("AC1")
///     .loading("ST", "ST1", "0.70")
///     .loading("AC", "AC1", "0.74")
///     .regression("ST", "AC", "0.35***")
///     .r_squared("AC", 0.12);
/// let dot = d.to_dot().unwrap();
/// assert!(dot.contains("\"ST\" -> \"AC\" [label=\"0.35***\""));
/// let svg = d.to_svg().unwrap();
/// assert!(svg.starts_with("<?xml") && svg.contains("0.35***"));
/// ```
///
/// # Errors
///
/// Rendering fails with [`Error::UnknownVariable`] for an edge or R² naming an undeclared node,
/// [`Error::DuplicateVariable`] for a node declared twice, [`Error::InvalidParameter`] for an
/// empty identifier, a loading whose source is not latent, a self-loop, or a non-finite R².
///
/// # References
///
/// Sugiyama, K., Tagawa, S. & Toda, M. (1981). Methods for visual understanding of hierarchical
/// system structures. *IEEE Trans. Systems, Man, and Cybernetics*, 11(2), 109–125.
/// Gansner, E. R., Koutsofios, E., North, S. C. & Vo, K.-P. (1993). A technique for drawing
/// directed graphs. *IEEE Trans. Software Engineering*, 19(3), 214–230.
/// Barlow, R. E. et al. (1972). *Statistical Inference under Order Restrictions* (pool adjacent
/// violators).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PathDiagram {
    title: Option<String>,
    nodes: Vec<DiagramNode>,
    edges: Vec<DiagramEdge>,
    r2: Vec<(String, f64)>,
    show_indicators: bool,
    show_r_squared: bool,
}

impl Default for PathDiagram {
    fn default() -> Self {
        Self::new()
    }
}

impl PathDiagram {
    /// An empty diagram that shows indicators and R².
    pub fn new() -> Self {
        Self {
            title: None,
            nodes: Vec::new(),
            edges: Vec::new(),
            r2: Vec::new(),
            show_indicators: true,
            show_r_squared: true,
        }
    }

    /// A title drawn above the diagram.
    pub fn title(&mut self, title: impl Into<String>) -> &mut Self {
        self.title = Some(title.into());
        self
    }

    /// A diagram from parameter rows shaped like lavaan's `parameterEstimates()` (the crate's
    /// shared [`ParamRow`]): `=~` rows become latent nodes with loadings, `~` rows regressions
    /// (`lhs ~ rhs` is drawn `rhs → lhs`), `~~` rows between two different variables
    /// covariances; variances, intercepts and defined parameters (`:=`) are not drawn. Nodes
    /// appear in the order of the rows (latent variables first). Each edge is labelled with the
    /// chosen [`Coefficient`] and, when the row has a p-value, significance stars
    /// ([`coef_label`]); a regression with p ≥ .05 is dashed. A row without the chosen value
    /// (e.g. no `std_all`) falls back to the estimate.
    ///
    /// # Formula
    ///
    /// ```text
    /// f =~ x  →  f (ellipse) → x (rectangle)      y ~ x  →  x → y      a ~~ b  →  a ↔ b
    /// ```
    ///
    /// # Examples
    ///
    /// ```
    /// use surveystat::diagram::{Coefficient, PathDiagram};
    /// use surveystat::summary::ParamRow;
    /// let mut l = ParamRow::new("F", "=~", "x1", 1.0);
    /// l.std_all = Some(0.8);
    /// let mut r = ParamRow::new("y", "~", "F", 0.5);
    /// r.std_all = Some(0.42);
    /// r.pvalue = Some(0.0004);
    /// let d = PathDiagram::from_param_rows(&[l, r], Coefficient::StdAll, 2);
    /// assert_eq!(d.edges()[1].label, "0.42***");
    /// assert_eq!(d.edges()[1].from, "F");
    /// ```
    ///
    /// # References
    ///
    /// Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
    /// Statistical Software*, 48(2), 1–36 (parameter table conventions).
    pub fn from_param_rows(rows: &[ParamRow], coefficient: Coefficient, digits: usize) -> Self {
        let mut d = PathDiagram::new();
        let mut seen: Vec<String> = Vec::new();
        let latent: Vec<&str> =
            rows.iter().filter(|r| r.op == "=~").map(|r| r.lhs.as_str()).collect();
        let add = |d: &mut PathDiagram, id: &str, seen: &mut Vec<String>| {
            if !seen.iter().any(|s| s == id) {
                seen.push(id.to_string());
                if latent.contains(&id) {
                    d.latent(id);
                } else {
                    d.observed(id);
                }
            }
        };
        for r in rows.iter().filter(|r| r.op == "=~") {
            add(&mut d, &r.lhs, &mut seen);
        }
        for r in rows.iter().filter(|r| matches!(r.op.as_str(), "=~" | "~" | "~~")) {
            if r.op == "~~" && r.lhs == r.rhs {
                continue;
            }
            add(&mut d, &r.lhs, &mut seen);
            add(&mut d, &r.rhs, &mut seen);
        }
        let label = |r: &ParamRow| {
            let v = match coefficient {
                Coefficient::StdAll => r.std_all,
                Coefficient::StdLv => r.std_lv,
                Coefficient::Estimate => None,
            }
            .unwrap_or(r.est);
            coef_label(v, r.pvalue, digits)
        };
        for r in rows {
            let (from, to, kind) = match r.op.as_str() {
                "=~" => (&r.lhs, &r.rhs, EdgeKind::Loading),
                "~" => (&r.rhs, &r.lhs, EdgeKind::Regression),
                "~~" if r.lhs != r.rhs => (&r.lhs, &r.rhs, EdgeKind::Covariance),
                _ => continue,
            };
            let dashed = kind == EdgeKind::Regression && r.pvalue.is_some_and(|p| p >= 0.05);
            d.edge(DiagramEdge {
                from: from.clone(),
                to: to.clone(),
                kind,
                label: label(r),
                style: if dashed { LineStyle::Dashed } else { LineStyle::Solid },
            });
        }
        d
    }

    /// Add a node.
    pub fn node(&mut self, node: DiagramNode) -> &mut Self {
        self.nodes.push(node);
        self
    }

    /// Add a latent node labelled with its identifier.
    pub fn latent(&mut self, id: impl Into<String>) -> &mut Self {
        let id = id.into();
        self.node(DiagramNode { label: id.clone(), id, kind: NodeKind::Latent, r_squared: None })
    }

    /// Add an observed node labelled with its identifier.
    pub fn observed(&mut self, id: impl Into<String>) -> &mut Self {
        let id = id.into();
        self.node(DiagramNode { label: id.clone(), id, kind: NodeKind::Observed, r_squared: None })
    }

    /// Add an edge.
    pub fn edge(&mut self, edge: DiagramEdge) -> &mut Self {
        self.edges.push(edge);
        self
    }

    fn simple_edge(&mut self, from: &str, to: &str, kind: EdgeKind, label: &str) -> &mut Self {
        self.edge(DiagramEdge {
            from: from.to_string(),
            to: to.to_string(),
            kind,
            label: label.to_string(),
            style: LineStyle::Solid,
        })
    }

    /// Add a regression arrow `from → to` (lavaan `to ~ from`); `label` may be empty.
    pub fn regression(&mut self, from: &str, to: &str, label: &str) -> &mut Self {
        self.simple_edge(from, to, EdgeKind::Regression, label)
    }

    /// Add a loading arrow `factor → indicator` (lavaan `factor =~ indicator`).
    pub fn loading(&mut self, factor: &str, indicator: &str, label: &str) -> &mut Self {
        self.simple_edge(factor, indicator, EdgeKind::Loading, label)
    }

    /// Add a covariance (curved double-headed arrow) between `a` and `b`.
    pub fn covariance(&mut self, a: &str, b: &str, label: &str) -> &mut Self {
        self.simple_edge(a, b, EdgeKind::Covariance, label)
    }

    /// Show `R² = value` under the label of node `id`.
    pub fn r_squared(&mut self, id: &str, value: f64) -> &mut Self {
        self.r2.push((id.to_string(), value));
        self
    }

    /// Whether indicators and loadings are drawn (default `true`).
    pub fn show_indicators(&mut self, show: bool) -> &mut Self {
        self.show_indicators = show;
        self
    }

    /// Whether R² values are drawn (default `true`).
    pub fn show_r_squared(&mut self, show: bool) -> &mut Self {
        self.show_r_squared = show;
        self
    }

    /// The nodes, in the order they were added.
    pub fn nodes(&self) -> &[DiagramNode] {
        &self.nodes
    }

    /// The edges, in the order they were added.
    pub fn edges(&self) -> &[DiagramEdge] {
        &self.edges
    }

    /// Check the description (see the type's `# Errors`).
    ///
    /// # Errors
    ///
    /// As [`PathDiagram`].
    pub fn validate(&self) -> Result<()> {
        self.resolved().map(|_| ())
    }

    /// Nodes with R² merged in, and an index by id.
    fn resolved(&self) -> Result<(Vec<DiagramNode>, HashMap<String, usize>)> {
        let mut index = HashMap::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if n.id.trim().is_empty() {
                return Err(Error::invalid("node", "empty node identifier"));
            }
            if index.insert(n.id.clone(), i).is_some() {
                return Err(Error::DuplicateVariable { name: n.id.clone() });
            }
        }
        let mut nodes = self.nodes.clone();
        for (id, v) in &self.r2 {
            let &i = index.get(id).ok_or_else(|| Error::UnknownVariable { name: id.clone() })?;
            if !v.is_finite() {
                return Err(Error::invalid("r_squared", format!("R² of `{id}` is not finite")));
            }
            nodes[i].r_squared = Some(*v);
        }
        for n in &mut nodes {
            if let Some(v) = n.r_squared {
                if !v.is_finite() {
                    return Err(Error::invalid(
                        "r_squared",
                        format!("R² of `{}` is not finite", n.id),
                    ));
                }
            }
        }
        for e in &self.edges {
            for end in [&e.from, &e.to] {
                if !index.contains_key(end) {
                    return Err(Error::UnknownVariable { name: end.clone() });
                }
            }
            if e.from == e.to {
                return Err(Error::invalid(
                    "edge",
                    format!("edge from `{}` to itself (variances are not drawn)", e.from),
                ));
            }
            if e.kind == EdgeKind::Loading && nodes[index[&e.from]].kind != NodeKind::Latent {
                return Err(Error::invalid(
                    "loading",
                    format!("loading `{} =~ {}`: `{}` is not latent", e.from, e.to, e.from),
                ));
            }
        }
        Ok((nodes, index))
    }

    /// Indicator nodes: observed, with exactly one loading into it and no regression (covariances
    /// allowed).
    fn indicator_flags(&self, index: &HashMap<String, usize>) -> Vec<bool> {
        let n = self.nodes.len();
        let mut loadings_in = vec![0usize; n];
        let mut other = vec![0usize; n];
        for e in &self.edges {
            let (f, t) = (index[&e.from], index[&e.to]);
            match e.kind {
                EdgeKind::Loading => {
                    loadings_in[t] += 1;
                    other[f] += 1;
                }
                EdgeKind::Regression => {
                    other[f] += 1;
                    other[t] += 1;
                }
                // a residual covariance keeps an indicator in its factor's fan
                EdgeKind::Covariance => {}
            }
        }
        (0..n)
            .map(|i| {
                self.nodes[i].kind == NodeKind::Observed && loadings_in[i] == 1 && other[i] == 0
            })
            .collect()
    }

    /// Graphviz DOT text (`digraph`, left to right, latent = ellipse, observed = box,
    /// covariances = dashed double-headed edges that do not constrain the ranking).
    ///
    /// # Errors
    ///
    /// As [`PathDiagram`].
    pub fn to_dot(&self) -> Result<String> {
        let (nodes, index) = self.resolved()?;
        let indicator = self.indicator_flags(&index);
        let layout = self.layout()?;
        let mut s = String::new();
        s.push_str("digraph path_diagram {\n");
        s.push_str(
            "  graph [rankdir=LR, splines=true, nodesep=0.35, ranksep=0.9, fontname=\"Helvetica\"",
        );
        if let Some(t) = &self.title {
            let _ = write!(s, ", label={}, labelloc=t", dot_quote(t));
        }
        s.push_str("];\n");
        s.push_str("  node [fontname=\"Helvetica\", fontsize=12];\n");
        s.push_str("  edge [fontname=\"Helvetica\", fontsize=10, arrowsize=0.7];\n");
        for (i, n) in nodes.iter().enumerate() {
            if indicator[i] && !self.show_indicators {
                continue;
            }
            let mut label = n.label.clone();
            if let (true, Some(r2)) = (self.show_r_squared, n.r_squared) {
                label = format!("{label}\nR² = {r2:.2}");
            }
            let shape = match n.kind {
                NodeKind::Latent => "ellipse",
                NodeKind::Observed => "box",
            };
            let _ =
                writeln!(s, "  {} [shape={shape}, label={}];", dot_quote(&n.id), dot_quote(&label));
        }
        for e in &self.edges {
            let (f, t) = (index[&e.from], index[&e.to]);
            if !self.show_indicators && (indicator[f] || indicator[t]) {
                continue;
            }
            let mut attrs: Vec<String> = Vec::new();
            if !e.label.is_empty() {
                attrs.push(format!("label={}", dot_quote(&e.label)));
            }
            if e.kind == EdgeKind::Covariance {
                attrs.push("dir=both".into());
                attrs.push("constraint=false".into());
                attrs.push("style=dashed".into());
            } else if e.style == LineStyle::Dashed {
                attrs.push("style=dashed".into());
            }
            let _ = write!(s, "  {} -> {}", dot_quote(&e.from), dot_quote(&e.to));
            if !attrs.is_empty() {
                let _ = write!(s, " [{}]", attrs.join(", "));
            }
            s.push_str(";\n");
        }
        // keep the layers of the pure-Rust layout
        for layer in &layout.layers {
            if layer.len() > 1 {
                let ids: Vec<String> = layer.iter().map(|id| dot_quote(id)).collect();
                let _ = writeln!(s, "  {{ rank=same; {}; }}", ids.join("; "));
            }
        }
        s.push_str("}\n");
        Ok(s)
    }

    /// Compute the layout used by [`PathDiagram::to_svg`]: node boxes, edge geometry, labels.
    ///
    /// # Errors
    ///
    /// As [`PathDiagram`].
    pub fn layout(&self) -> Result<Layout> {
        let (nodes, index) = self.resolved()?;
        let indicator = self.indicator_flags(&index);
        Ok(layout_diagram(self, &nodes, &index, &indicator))
    }

    /// A standalone SVG document of the diagram.
    ///
    /// # Errors
    ///
    /// As [`PathDiagram`].
    pub fn to_svg(&self) -> Result<String> {
        Ok(self.layout()?.to_svg())
    }
}

fn dot_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------------
// geometry
// ---------------------------------------------------------------------------------------------

/// An axis-aligned rectangle (`x`, `y` = top-left corner).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

impl Rect {
    fn centered(cx: f64, cy: f64, w: f64, h: f64) -> Self {
        Rect { x: cx - w / 2.0, y: cy - h / 2.0, width: w, height: h }
    }

    /// Whether two rectangles overlap (touching edges do not count).
    pub fn overlaps(&self, other: &Rect) -> bool {
        self.x < other.x + other.width
            && other.x < self.x + self.width
            && self.y < other.y + other.height
            && other.y < self.y + self.height
    }

    fn inflate(&self, d: f64) -> Rect {
        Rect {
            x: self.x - d,
            y: self.y - d,
            width: self.width + 2.0 * d,
            height: self.height + 2.0 * d,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct P {
    x: f64,
    y: f64,
}

const fn p(x: f64, y: f64) -> P {
    P { x, y }
}

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Line(P),
    Cubic(P, P, P),
}

#[derive(Debug, Clone, PartialEq)]
struct Curve {
    start: P,
    segs: Vec<Seg>,
}

impl Curve {
    fn new(start: P) -> Self {
        Curve { start, segs: Vec::new() }
    }
    fn end(&self) -> P {
        match self.segs.last() {
            None => self.start,
            Some(Seg::Line(q)) | Some(Seg::Cubic(_, _, q)) => *q,
        }
    }
    fn line(&mut self, q: P) {
        if (q.x - self.end().x).abs() > 1e-9 || (q.y - self.end().y).abs() > 1e-9 {
            self.segs.push(Seg::Line(q));
        }
    }
    fn s_curve(&mut self, q: P) {
        let a = self.end();
        let dx = (q.x - a.x) / 2.0;
        self.segs.push(Seg::Cubic(p(a.x + dx, a.y), p(q.x - dx, q.y), q));
    }
    /// Direction of the curve at its end (from the last control point).
    fn end_direction(&self) -> P {
        let (from, to) = match self.segs.last() {
            None => (self.start, self.start),
            Some(Seg::Line(q)) => {
                let prev = if self.segs.len() >= 2 {
                    match &self.segs[self.segs.len() - 2] {
                        Seg::Line(r) | Seg::Cubic(_, _, r) => *r,
                    }
                } else {
                    self.start
                };
                (prev, *q)
            }
            Some(Seg::Cubic(_, c2, q)) => (*c2, *q),
        };
        unit(p(to.x - from.x, to.y - from.y))
    }
    fn start_direction(&self) -> P {
        match self.segs.first() {
            None => p(1.0, 0.0),
            Some(Seg::Line(q)) => unit(p(q.x - self.start.x, q.y - self.start.y)),
            Some(Seg::Cubic(c1, _, _)) => unit(p(c1.x - self.start.x, c1.y - self.start.y)),
        }
    }
    /// Shorten the curve's end by `d` along its end direction (room for an arrowhead).
    fn trim_end(&mut self, d: f64) {
        let dir = self.end_direction();
        if let Some(last) = self.segs.last_mut() {
            match last {
                Seg::Line(q) => {
                    q.x -= dir.x * d;
                    q.y -= dir.y * d;
                }
                Seg::Cubic(_, c2, q) => {
                    q.x -= dir.x * d;
                    q.y -= dir.y * d;
                    c2.x -= dir.x * d;
                    c2.y -= dir.y * d;
                }
            }
        }
    }
    fn trim_start(&mut self, d: f64) {
        let dir = self.start_direction();
        self.start.x += dir.x * d;
        self.start.y += dir.y * d;
        if let Some(Seg::Cubic(c1, _, _)) = self.segs.first_mut() {
            c1.x += dir.x * d;
            c1.y += dir.y * d;
        }
    }
    /// Points along the curve: `k` per segment (line and Bézier segments alike).
    fn sampled(&self, k: usize) -> Vec<P> {
        let k = k.max(1);
        let mut v = vec![self.start];
        let mut a = self.start;
        for s in &self.segs {
            match s {
                Seg::Line(q) => {
                    v.extend((1..=k).map(|j| {
                        let t = j as f64 / k as f64;
                        p(a.x + (q.x - a.x) * t, a.y + (q.y - a.y) * t)
                    }));
                    a = *q;
                }
                Seg::Cubic(c1, c2, q) => {
                    v.extend((1..=k).map(|j| cubic_at(a, *c1, *c2, *q, j as f64 / k as f64)));
                    a = *q;
                }
            }
        }
        v
    }
    fn translate(&mut self, dx: f64, dy: f64) {
        let m = |q: &mut P| {
            q.x += dx;
            q.y += dy;
        };
        m(&mut self.start);
        for s in &mut self.segs {
            match s {
                Seg::Line(q) => m(q),
                Seg::Cubic(a, b, q) => {
                    m(a);
                    m(b);
                    m(q);
                }
            }
        }
    }
    fn svg_d(&self) -> String {
        let mut d = format!("M{} {}", num(self.start.x), num(self.start.y));
        for s in &self.segs {
            match s {
                Seg::Line(q) => {
                    let _ = write!(d, " L{} {}", num(q.x), num(q.y));
                }
                Seg::Cubic(a, b, q) => {
                    let _ = write!(
                        d,
                        " C{} {} {} {} {} {}",
                        num(a.x),
                        num(a.y),
                        num(b.x),
                        num(b.y),
                        num(q.x),
                        num(q.y)
                    );
                }
            }
        }
        d
    }
}

fn unit(v: P) -> P {
    let n = (v.x * v.x + v.y * v.y).sqrt();
    if n > 0.0 { p(v.x / n, v.y / n) } else { p(1.0, 0.0) }
}

fn cubic_at(a: P, c1: P, c2: P, b: P, t: f64) -> P {
    let u = 1.0 - t;
    let w = [u * u * u, 3.0 * u * u * t, 3.0 * u * t * t, t * t * t];
    p(
        w[0] * a.x + w[1] * c1.x + w[2] * c2.x + w[3] * b.x,
        w[0] * a.y + w[1] * c1.y + w[2] * c2.y + w[3] * b.y,
    )
}

fn arrowhead(tip: P, dir: P) -> [P; 3] {
    let back = p(tip.x - dir.x * ARROW_LEN, tip.y - dir.y * ARROW_LEN);
    let nrm = p(-dir.y, dir.x);
    [
        tip,
        p(back.x + nrm.x * ARROW_HALF, back.y + nrm.y * ARROW_HALF),
        p(back.x - nrm.x * ARROW_HALF, back.y - nrm.y * ARROW_HALF),
    ]
}

/// Format a coordinate with at most two decimals, without trailing zeros or `-0`.
fn num(v: f64) -> String {
    let r = (v * 100.0).round() / 100.0;
    let r = if r == 0.0 { 0.0 } else { r };
    let s = format!("{r:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

// sizes (SVG user units ≈ pixels)
const FONT: f64 = 14.0;
const FONT_SMALL: f64 = 11.0;
const FONT_IND: f64 = 11.5;
const CHAR_W: f64 = 0.62; // average glyph width / font size of Helvetica-like fonts, generous
const ARROW_LEN: f64 = 9.0;
const ARROW_HALF: f64 = 3.6;
const COL_GAP: f64 = 120.0;
const BLOCK_SEP: f64 = 30.0;
const DUMMY_SEP: f64 = 14.0;
const DUMMY_HALF: f64 = 6.0;
const IND_H: f64 = 24.0;
const IND_GAP: f64 = 8.0;
const FAN_H: f64 = 48.0;
const MARGIN: f64 = 16.0;

fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * CHAR_W
}

fn label_box_size(s: &str) -> (f64, f64) {
    (text_width(s, FONT_SMALL) + 6.0, FONT_SMALL + 4.0)
}

// ---------------------------------------------------------------------------------------------
// layout
// ---------------------------------------------------------------------------------------------

/// Where a node was drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedNode {
    id: String,
    label: String,
    kind: NodeKind,
    r_squared: Option<f64>,
    cx: f64,
    cy: f64,
    width: f64,
    height: f64,
    indicator: bool,
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
    text: String,
    kind: LabelKind,
    rect: Rect,
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
struct DrawnEdge {
    kind: EdgeKind,
    style: LineStyle,
    curve: Curve,
    heads: Vec<[P; 3]>,
    from: String,
    to: String,
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
    width: f64,
    height: f64,
    title: Option<String>,
    nodes: Vec<PlacedNode>,
    edges: Vec<DrawnEdge>,
    labels: Vec<PlacedLabel>,
    /// structural node ids per layer (for DOT rank=same)
    layers: Vec<Vec<String>>,
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

    /// The SVG document.
    pub fn to_svg(&self) -> String {
        let mut s = String::new();
        s.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            s,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"Helvetica, Arial, sans-serif\">",
            w = num(self.width),
            h = num(self.height)
        );
        if let Some(t) = &self.title {
            let _ = writeln!(s, "<title>{}</title>", xml_escape(t));
        }
        let _ = writeln!(
            s,
            "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
            num(self.width),
            num(self.height)
        );
        s.push_str("<g class=\"edges\" fill=\"none\" stroke=\"#333333\" stroke-width=\"1.3\">\n");
        for e in &self.edges {
            let class = match e.kind {
                EdgeKind::Regression => "regression",
                EdgeKind::Loading => "loading",
                EdgeKind::Covariance => "covariance",
            };
            let mut extra = String::new();
            if e.kind == EdgeKind::Covariance || e.style == LineStyle::Dashed {
                extra.push_str(" stroke-dasharray=\"5 3\"");
            }
            if e.kind == EdgeKind::Loading {
                extra.push_str(" stroke=\"#666666\" stroke-width=\"1\"");
            }
            let _ = writeln!(
                s,
                "<path class=\"{class}\" data-from=\"{}\" data-to=\"{}\" d=\"{}\"{extra}/>",
                xml_escape(&e.from),
                xml_escape(&e.to),
                e.curve.svg_d()
            );
        }
        s.push_str("</g>\n<g class=\"arrowheads\" fill=\"#333333\" stroke=\"none\">\n");
        for e in &self.edges {
            for h in &e.heads {
                let _ = writeln!(
                    s,
                    "<polygon points=\"{},{} {},{} {},{}\"/>",
                    num(h[0].x),
                    num(h[0].y),
                    num(h[1].x),
                    num(h[1].y),
                    num(h[2].x),
                    num(h[2].y)
                );
            }
        }
        s.push_str("</g>\n<g class=\"nodes\">\n");
        for n in &self.nodes {
            match n.kind {
                NodeKind::Latent => {
                    let _ = writeln!(
                        s,
                        "<ellipse class=\"latent\" cx=\"{}\" cy=\"{}\" rx=\"{}\" ry=\"{}\" fill=\"#eef3fb\" stroke=\"#2b4c7e\" stroke-width=\"1.6\"/>",
                        num(n.cx),
                        num(n.cy),
                        num(n.width / 2.0),
                        num(n.height / 2.0)
                    );
                }
                NodeKind::Observed => {
                    let b = n.bbox();
                    let (fill, stroke) =
                        if n.indicator { ("#fafafa", "#555555") } else { ("#f4f4f4", "#333333") };
                    let _ = writeln!(
                        s,
                        "<rect class=\"observed\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.2\"/>",
                        num(b.x),
                        num(b.y),
                        num(b.width),
                        num(b.height)
                    );
                }
            }
            let size = if n.indicator { FONT_IND } else { FONT };
            let weight = if n.kind == NodeKind::Latent { " font-weight=\"bold\"" } else { "" };
            match n.r_squared {
                Some(r2) => {
                    let _ = writeln!(
                        s,
                        "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\"{weight} fill=\"#111111\">{}</text>",
                        num(n.cx),
                        num(n.cy - 3.0),
                        num(size),
                        xml_escape(&n.label)
                    );
                    let _ = writeln!(
                        s,
                        "<text class=\"r2\" x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\" fill=\"#333333\">{}</text>",
                        num(n.cx),
                        num(n.cy + 12.0),
                        num(FONT_SMALL),
                        xml_escape(&r2_text(r2))
                    );
                }
                None => {
                    let _ = writeln!(
                        s,
                        "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\"{weight} fill=\"#111111\">{}</text>",
                        num(n.cx),
                        num(n.cy + size * 0.36),
                        num(size),
                        xml_escape(&n.label)
                    );
                }
            }
        }
        s.push_str("</g>\n<g class=\"labels\">\n");
        for l in &self.labels {
            let r = l.rect;
            let size = if l.kind == LabelKind::Title { FONT + 2.0 } else { FONT_SMALL };
            if l.kind != LabelKind::Title {
                let _ = writeln!(
                    s,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"3\" fill=\"#ffffff\" fill-opacity=\"0.92\" stroke=\"none\"/>",
                    num(r.x),
                    num(r.y),
                    num(r.width),
                    num(r.height)
                );
            }
            let weight = if l.kind == LabelKind::Title { " font-weight=\"bold\"" } else { "" };
            let _ = writeln!(
                s,
                "<text x=\"{}\" y=\"{}\" font-size=\"{}\" text-anchor=\"middle\"{weight} fill=\"#111111\">{}</text>",
                num(r.x + r.width / 2.0),
                num(r.y + r.height / 2.0 + size * 0.36),
                num(size),
                xml_escape(&l.text)
            );
        }
        s.push_str("</g>\n</svg>\n");
        s
    }
}

fn r2_text(r2: f64) -> String {
    format!("R² = {r2:.2}")
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Item {
    Node(usize),
    /// a slot of structural edge `e` (index into `sedges`) in an intermediate layer
    Dummy(usize),
}

/// A structural edge after cycle breaking: `u` in an earlier layer than `v`.
#[derive(Debug, Clone)]
struct SEdge {
    /// index into the diagram's edges
    edge: usize,
    u: usize,
    v: usize,
    reversed: bool,
    /// item ids of the chain u, dummies…, v
    chain: Vec<usize>,
}

struct Block {
    /// half extents of the block around the node centre: left, right, up, down
    up: f64,
    down: f64,
    width: f64,
}

#[allow(clippy::too_many_lines, clippy::needless_range_loop)]
fn layout_diagram(
    d: &PathDiagram,
    nodes: &[DiagramNode],
    index: &HashMap<String, usize>,
    indicator: &[bool],
) -> Layout {
    let n = nodes.len();
    let structural: Vec<bool> = (0..n).map(|i| !indicator[i]).collect();
    let shown = |i: usize| structural[i] || d.show_indicators;

    // node sizes
    let show_r2 = d.show_r_squared;
    // an indicator is at least as wide as the label of its loading, so fan labels fit
    let mut loading_label_w = vec![0.0f64; n];
    for e in &d.edges {
        if e.kind == EdgeKind::Loading && !e.label.is_empty() {
            let t = index[&e.to];
            loading_label_w[t] = loading_label_w[t].max(label_box_size(&e.label).0);
        }
    }
    let size_of = |i: usize| -> (f64, f64) {
        let nd = &nodes[i];
        if indicator[i] {
            let w =
                (text_width(&nd.label, FONT_IND) + 10.0).max(38.0).max(loading_label_w[i] - 4.0);
            return (w, IND_H);
        }
        let has_r2 = show_r2 && nd.r_squared.is_some();
        let mut tw = text_width(&nd.label, FONT);
        if has_r2 {
            tw = tw.max(text_width(&r2_text(0.0), FONT_SMALL));
        }
        match nd.kind {
            NodeKind::Latent => {
                let h = if has_r2 { 50.0 } else { 40.0 };
                ((tw * 1.3 + 22.0).max(70.0), h)
            }
            NodeKind::Observed => {
                let h = if has_r2 { 40.0 } else { 28.0 };
                ((tw + 16.0).max(44.0), h)
            }
        }
    };
    let sizes: Vec<(f64, f64)> = (0..n).map(size_of).collect();

    // indicators per factor (in edge order)
    let mut fan: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n]; // (indicator node, edge idx)
    for (k, e) in d.edges.iter().enumerate() {
        if e.kind == EdgeKind::Loading {
            let (f, t) = (index[&e.from], index[&e.to]);
            if indicator[t] && d.show_indicators {
                fan[f].push((t, k));
            }
        }
    }

    // ---- structural edges and cycle breaking ----------------------------------------------
    let directed: Vec<(usize, usize, usize)> = d
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind != EdgeKind::Covariance)
        .map(|(k, e)| (k, index[&e.from], index[&e.to]))
        .filter(|&(_, f, t)| structural[f] && structural[t])
        .collect();
    let mut out_adj: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for (pos, &(_, f, t)) in directed.iter().enumerate() {
        out_adj[f].push((t, pos));
    }
    let mut reversed = vec![false; directed.len()];
    {
        // iterative DFS: 0 = new, 1 = on stack, 2 = done
        let mut state = vec![0u8; n];
        for root in 0..n {
            if !structural[root] || state[root] != 0 {
                continue;
            }
            let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
            state[root] = 1;
            while let Some(&mut (v, ref mut next)) = stack.last_mut() {
                if *next < out_adj[v].len() {
                    let (w, pos) = out_adj[v][*next];
                    *next += 1;
                    match state[w] {
                        0 => {
                            state[w] = 1;
                            stack.push((w, 0));
                        }
                        1 => reversed[pos] = true,
                        _ => {}
                    }
                } else {
                    state[v] = 2;
                    stack.pop();
                }
            }
        }
    }
    // longest-path layering (Kahn order, ties by insertion order)
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (pos, &(_, f, t)) in directed.iter().enumerate() {
        let (u, v) = if reversed[pos] { (t, f) } else { (f, t) };
        preds[v].push(u);
        succs[u].push(v);
    }
    let mut layer = vec![0usize; n];
    {
        let mut indeg: Vec<usize> = preds.iter().map(Vec::len).collect();
        let mut ready: Vec<usize> = (0..n).filter(|&i| structural[i] && indeg[i] == 0).collect();
        let mut head = 0;
        while head < ready.len() {
            let u = ready[head];
            head += 1;
            for &v in &succs[u] {
                layer[v] = layer[v].max(layer[u] + 1);
                indeg[v] -= 1;
                if indeg[v] == 0 {
                    ready.push(v);
                }
            }
        }
    }
    let n_layers = (0..n).filter(|&i| structural[i]).map(|i| layer[i] + 1).max().unwrap_or(1);

    // items: nodes then dummies
    let mut items: Vec<Item> = Vec::new();
    let mut item_layer: Vec<usize> = Vec::new();
    let mut node_item = vec![usize::MAX; n];
    for i in 0..n {
        if structural[i] {
            node_item[i] = items.len();
            items.push(Item::Node(i));
            item_layer.push(layer[i]);
        }
    }
    let mut sedges: Vec<SEdge> = Vec::new();
    for (pos, &(k, f, t)) in directed.iter().enumerate() {
        let (u, v) = if reversed[pos] { (t, f) } else { (f, t) };
        let mut chain = vec![node_item[u]];
        let se = sedges.len();
        for l in layer[u] + 1..layer[v] {
            chain.push(items.len());
            items.push(Item::Dummy(se));
            item_layer.push(l);
        }
        chain.push(node_item[v]);
        sedges.push(SEdge { edge: k, u, v, reversed: reversed[pos], chain });
    }
    let m = items.len();
    let mut item_pred: Vec<Vec<usize>> = vec![Vec::new(); m];
    let mut item_succ: Vec<Vec<usize>> = vec![Vec::new(); m];
    for se in &sedges {
        for w in se.chain.windows(2) {
            item_succ[w[0]].push(w[1]);
            item_pred[w[1]].push(w[0]);
        }
    }

    // ---- crossing reduction ------------------------------------------------------------------
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); n_layers];
    for it in 0..m {
        order[item_layer[it]].push(it);
    }
    let crossings = |order: &Vec<Vec<usize>>| -> usize {
        let mut pos = vec![0usize; m];
        for l in order {
            for (k, &it) in l.iter().enumerate() {
                pos[it] = k;
            }
        }
        let mut total = 0;
        for l in order.iter().take(n_layers.saturating_sub(1)) {
            let mut segs: Vec<(usize, usize)> = Vec::new();
            for &a in l {
                for &b in &item_succ[a] {
                    segs.push((pos[a], pos[b]));
                }
            }
            for i in 0..segs.len() {
                for j in i + 1..segs.len() {
                    let (a, b) = (segs[i], segs[j]);
                    if (a.0 < b.0 && a.1 > b.1) || (a.0 > b.0 && a.1 < b.1) {
                        total += 1;
                    }
                }
            }
        }
        total
    };
    let mut best = order.clone();
    let mut best_c = crossings(&order);
    for sweep in 0..16 {
        let down = sweep % 2 == 0;
        let layers: Vec<usize> = if down {
            (1..n_layers).collect()
        } else {
            (0..n_layers.saturating_sub(1)).rev().collect()
        };
        for l in layers {
            let refl = if down { l - 1 } else { l + 1 };
            let mut pos = vec![f64::NAN; m];
            for (k, &it) in order[refl].iter().enumerate() {
                pos[it] = k as f64;
            }
            let cur: Vec<(f64, usize, usize)> = order[l]
                .iter()
                .enumerate()
                .map(|(k, &it)| {
                    let nb = if down { &item_pred[it] } else { &item_succ[it] };
                    let vals: Vec<f64> =
                        nb.iter().map(|&x| pos[x]).filter(|v| !v.is_nan()).collect();
                    let bary = if vals.is_empty() {
                        k as f64
                    } else {
                        vals.iter().sum::<f64>() / vals.len() as f64
                    };
                    (bary, k, it)
                })
                .collect();
            let mut sorted = cur;
            sorted.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            order[l] = sorted.into_iter().map(|x| x.2).collect();
        }
        let c = crossings(&order);
        if c < best_c {
            best_c = c;
            best = order.clone();
        }
    }
    let order = best;

    // ---- block sizes and columns ----------------------------------------------------------
    let fan_width = |i: usize| -> f64 {
        if fan[i].is_empty() {
            0.0
        } else {
            fan[i].iter().map(|&(t, _)| sizes[t].0).sum::<f64>()
                + IND_GAP * (fan[i].len() - 1) as f64
        }
    };
    let mut blocks: Vec<Block> = (0..m)
        .map(|it| match items[it] {
            Item::Node(i) => {
                let (w, h) = sizes[i];
                let down = if fan[i].is_empty() { h / 2.0 } else { h / 2.0 + FAN_H + IND_H };
                Block { up: h / 2.0, down, width: w.max(fan_width(i)) }
            }
            Item::Dummy(_) => Block { up: DUMMY_HALF, down: DUMMY_HALF, width: 0.0 },
        })
        .collect();
    let col_w: Vec<f64> = (0..n_layers)
        .map(|l| order[l].iter().map(|&it| blocks[it].width).fold(0.0, f64::max))
        .collect();
    let mut col_left = vec![0.0; n_layers];
    let mut x = 0.0;
    for l in 0..n_layers {
        col_left[l] = x;
        x += col_w[l] + COL_GAP;
    }
    let col_center: Vec<f64> = (0..n_layers).map(|l| col_left[l] + col_w[l] / 2.0).collect();
    let col_right: Vec<f64> = (0..n_layers).map(|l| col_left[l] + col_w[l]).collect();

    // horizontal positions of every node (indicators fanned out below their factor)
    let mut xpos = vec![0.0; n];
    let mut parent = vec![usize::MAX; n];
    for it in 0..m {
        if let Item::Node(i) = items[it] {
            xpos[i] = col_center[item_layer[it]];
        }
    }
    for i in 0..n {
        if fan[i].is_empty() {
            continue;
        }
        let mut xl = xpos[i] - fan_width(i) / 2.0;
        for &(t, _) in &fan[i] {
            xpos[t] = xl + sizes[t].0 / 2.0;
            parent[t] = i;
            xl += sizes[t].0 + IND_GAP;
        }
    }
    // covariances between two drawn indicators: arcs below the indicator rows; the depth grows
    // with the span and with every earlier arc whose span overlaps (so nested arcs separate)
    let mut fan_arcs: Vec<(usize, usize, usize, f64)> = Vec::new(); // (edge, a, b, depth)
    for (k, e) in d.edges.iter().enumerate() {
        if e.kind != EdgeKind::Covariance {
            continue;
        }
        let (a, b) = (index[&e.from], index[&e.to]);
        if !(indicator[a] && indicator[b] && parent[a] != usize::MAX && parent[b] != usize::MAX) {
            continue;
        }
        let (lo, hi) = (xpos[a].min(xpos[b]), xpos[a].max(xpos[b]));
        let rank = fan_arcs
            .iter()
            .filter(|&&(_, c, dd, _)| {
                let (l2, h2) = (xpos[c].min(xpos[dd]), xpos[c].max(xpos[dd]));
                l2 < hi && lo < h2
            })
            .count() as f64;
        let depth = (16.0 + 0.06 * (hi - lo)).min(40.0) + 16.0 * rank;
        fan_arcs.push((k, a, b, depth));
    }
    for &(_, a, b, depth) in &fan_arcs {
        for f in [parent[a], parent[b]] {
            let it = node_item[f];
            let need = sizes[f].1 / 2.0 + FAN_H + IND_H + depth + FONT_SMALL / 2.0 + 6.0;
            blocks[it].down = blocks[it].down.max(need);
        }
    }

    // ---- vertical coordinates ------------------------------------------------------------
    let sep = |a: usize, b: usize| -> f64 {
        if matches!(items[a], Item::Dummy(_)) || matches!(items[b], Item::Dummy(_)) {
            DUMMY_SEP
        } else {
            BLOCK_SEP
        }
    };
    let mut y = vec![0.0; m];
    for l in &order {
        let mut cur = 0.0;
        for (k, &it) in l.iter().enumerate() {
            if k > 0 {
                cur += blocks[l[k - 1]].down + sep(l[k - 1], it) + blocks[it].up;
            }
            y[it] = cur;
        }
    }
    // centre every layer on the tallest one
    let extent = |l: &Vec<usize>, y: &Vec<f64>| -> (f64, f64) {
        let top = l.iter().map(|&it| y[it] - blocks[it].up).fold(f64::INFINITY, f64::min);
        let bot = l.iter().map(|&it| y[it] + blocks[it].down).fold(f64::NEG_INFINITY, f64::max);
        (top, bot)
    };
    let tallest = order
        .iter()
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (t, b) = extent(l, &y);
            b - t
        })
        .fold(0.0, f64::max);
    for l in &order {
        if l.is_empty() {
            continue;
        }
        let (t, b) = extent(l, &y);
        let shift = (tallest - (b - t)) / 2.0 - t;
        for &it in l {
            y[it] += shift;
        }
    }
    let pack = |l: &Vec<usize>, desired: &[f64]| -> Vec<f64> {
        // y_k - c_k must be non-decreasing; isotonic regression of desired_k - c_k
        let mut c = vec![0.0; l.len()];
        for k in 1..l.len() {
            c[k] = c[k - 1] + blocks[l[k - 1]].down + sep(l[k - 1], l[k]) + blocks[l[k]].up;
        }
        let z: Vec<f64> = desired.iter().zip(&c).map(|(d, c)| d - c).collect();
        let fit = isotonic(&z);
        fit.iter().zip(&c).map(|(f, c)| f + c).collect()
    };
    for round in 0..12 {
        let down = round % 2 == 0;
        let layers: Vec<usize> =
            if down { (0..n_layers).collect() } else { (0..n_layers).rev().collect() };
        for l in layers {
            let desired: Vec<f64> = order[l]
                .iter()
                .map(|&it| {
                    let mut nb: Vec<usize> = item_pred[it].clone();
                    nb.extend(&item_succ[it]);
                    if nb.is_empty() {
                        y[it]
                    } else {
                        // mean of neighbours, but dummies follow their chain tightly
                        nb.iter().map(|&x| y[x]).sum::<f64>() / nb.len() as f64
                    }
                })
                .collect();
            let packed = pack(&order[l], &desired);
            for (k, &it) in order[l].iter().enumerate() {
                y[it] = packed[k];
            }
        }
    }

    // ---- place nodes -------------------------------------------------------------------
    let mut center = vec![p(0.0, 0.0); n];
    for it in 0..m {
        if let Item::Node(i) = items[it] {
            center[i] = p(col_center[item_layer[it]], y[it]);
        }
    }
    for i in 0..n {
        let yi = center[i].y + sizes[i].1 / 2.0 + FAN_H + IND_H / 2.0;
        for &(t, _) in &fan[i] {
            center[t] = p(xpos[t], yi);
        }
    }
    let node_box = |i: usize| Rect::centered(center[i].x, center[i].y, sizes[i].0, sizes[i].1);
    let boundary = |i: usize, toward: P| -> P {
        // point of node i's outline in the direction of `toward`
        let c = center[i];
        let (w, h) = sizes[i];
        let dir = unit(p(toward.x - c.x, toward.y - c.y));
        match nodes[i].kind {
            NodeKind::Latent => {
                let (a, b) = (w / 2.0, h / 2.0);
                let t = 1.0 / ((dir.x / a).powi(2) + (dir.y / b).powi(2)).sqrt();
                p(c.x + dir.x * t, c.y + dir.y * t)
            }
            NodeKind::Observed => {
                let tx = if dir.x.abs() > 1e-12 { (w / 2.0) / dir.x.abs() } else { f64::INFINITY };
                let ty = if dir.y.abs() > 1e-12 { (h / 2.0) / dir.y.abs() } else { f64::INFINITY };
                let t = tx.min(ty);
                p(c.x + dir.x * t, c.y + dir.y * t)
            }
        }
    };
    // point on the right (side = 1) or left (side = -1) of node i at vertical offset dy
    let side_point = |i: usize, side: f64, dy: f64| -> P {
        let c = center[i];
        let (w, h) = sizes[i];
        match nodes[i].kind {
            NodeKind::Latent => {
                let (a, b) = (w / 2.0, h / 2.0);
                let r = (dy / b).clamp(-1.0, 1.0);
                p(c.x + side * a * (1.0 - r * r).sqrt(), c.y + dy)
            }
            NodeKind::Observed => p(c.x + side * w / 2.0, c.y + dy),
        }
    };

    // ports: spread the edges leaving (right) / entering (left) each node
    let next_y = |se: &SEdge, from_start: bool| -> f64 {
        let it = if from_start { se.chain[1] } else { se.chain[se.chain.len() - 2] };
        y[it]
    };
    let mut out_port = vec![0.0; sedges.len()];
    let mut in_port = vec![0.0; sedges.len()];
    for i in 0..n {
        let spread = |list: &mut Vec<(f64, usize)>, target: &mut Vec<f64>| {
            list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let k = list.len();
            let half = sizes[i].1 / 2.0 * 0.6;
            for (r, &(_, e)) in list.iter().enumerate() {
                target[e] =
                    if k == 1 { 0.0 } else { -half + 2.0 * half * r as f64 / (k - 1) as f64 };
            }
        };
        let mut outs: Vec<(f64, usize)> = sedges
            .iter()
            .enumerate()
            .filter(|(_, s)| s.u == i)
            .map(|(k, s)| (next_y(s, true), k))
            .collect();
        let mut ins: Vec<(f64, usize)> = sedges
            .iter()
            .enumerate()
            .filter(|(_, s)| s.v == i)
            .map(|(k, s)| (next_y(s, false), k))
            .collect();
        spread(&mut outs, &mut out_port);
        spread(&mut ins, &mut in_port);
    }

    let mut node_boxes: Vec<Rect> = (0..n).filter(|&i| shown(i)).map(node_box).collect();
    let mut labels: Vec<PlacedLabel> = Vec::new();
    let mut drawn: Vec<DrawnEdge> = Vec::new();
    let mut pending_labels: Vec<(usize, Vec<P>)> = Vec::new(); // (edge idx, candidate points)

    // ---- structural edges -------------------------------------------------------------
    for (k, se) in sedges.iter().enumerate() {
        let e = &d.edges[se.edge];
        let lu = layer[se.u];
        let lv = layer[se.v];
        let start = side_point(se.u, 1.0, out_port[k]);
        let end = side_point(se.v, -1.0, in_port[k]);
        let mut c = Curve::new(start);
        let mut candidates: Vec<(f64, P)> = Vec::new();
        let gap_mid = |c: &Curve| -> Vec<(f64, P)> {
            if let Some(Seg::Cubic(a2, b2, q2)) = c.segs.last() {
                let a = match c.segs.len() {
                    1 => c.start,
                    len => match &c.segs[len - 2] {
                        Seg::Line(r) | Seg::Cubic(_, _, r) => *r,
                    },
                };
                [0.5, 0.36, 0.64, 0.24, 0.76]
                    .iter()
                    .enumerate()
                    .map(|(r, &t)| (r as f64, cubic_at(a, *a2, *b2, *q2, t)))
                    .collect()
            } else {
                Vec::new()
            }
        };
        if lv == lu + 1 || se.chain.len() == 2 {
            c.line(p(col_right[lu], start.y));
            c.s_curve(p(col_left[lv], end.y));
            candidates.extend(gap_mid(&c));
            c.line(end);
        } else {
            c.line(p(col_right[lu], start.y));
            let mid_gap = (se.chain.len() - 2) / 2; // gap index closest to the middle
            for (g, &it) in se.chain[1..se.chain.len() - 1].iter().enumerate() {
                let l = item_layer[it];
                c.s_curve(p(col_left[l], y[it]));
                let dist = (g as f64 - mid_gap as f64).abs() * 10.0;
                candidates.extend(gap_mid(&c).into_iter().map(|(r, q)| (r + dist, q)));
                c.line(p(col_right[l], y[it]));
            }
            c.s_curve(p(col_left[lv], end.y));
            let g = se.chain.len() - 2;
            let dist = (g as f64 - mid_gap as f64).abs() * 10.0;
            candidates.extend(gap_mid(&c).into_iter().map(|(r, q)| (r + dist, q)));
            c.line(end);
        }
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut heads = Vec::new();
        if se.reversed {
            // arrow points back to u (the diagram's `to`)
            let dir = c.start_direction();
            let tip = c.start;
            c.trim_start(ARROW_LEN - 1.0);
            heads.push(arrowhead(tip, p(-dir.x, -dir.y)));
        } else {
            let dir = c.end_direction();
            let tip = c.end();
            c.trim_end(ARROW_LEN - 1.0);
            heads.push(arrowhead(tip, dir));
        }
        if !e.label.is_empty() {
            pending_labels.push((se.edge, candidates.into_iter().map(|x| x.1).collect()));
        }
        drawn.push(DrawnEdge {
            kind: e.kind,
            style: e.style,
            curve: c,
            heads,
            from: e.from.clone(),
            to: e.to.clone(),
        });
    }

    // ---- loadings (indicator fans) ------------------------------------------------------
    for i in 0..n {
        // label centres on the arrows just above the indicators, then packed left to right so
        // that neighbouring labels never overlap (isotonic regression with minimum gaps)
        let mut fan_labels: Vec<(f64, f64, f64, f64, String)> = Vec::new(); // (x, y, w, h, text)
        for &(t, k) in &fan[i] {
            let e = &d.edges[k];
            let top = p(center[t].x, center[t].y - IND_H / 2.0);
            let start = boundary(i, top);
            let mut c = Curve::new(start);
            c.line(top);
            let dir = c.end_direction();
            c.trim_end(ARROW_LEN - 1.0);
            if !e.label.is_empty() {
                let ly = top.y - ARROW_LEN - 9.0;
                let frac = (ly - start.y) / (top.y - start.y);
                let lx = start.x + (top.x - start.x) * frac;
                let (w, h) = label_box_size(&e.label);
                fan_labels.push((lx, ly, w, h, e.label.clone()));
            }
            drawn.push(DrawnEdge {
                kind: e.kind,
                style: e.style,
                curve: c,
                heads: vec![arrowhead(top, dir)],
                from: e.from.clone(),
                to: e.to.clone(),
            });
        }
        if !fan_labels.is_empty() {
            let mut off = vec![0.0; fan_labels.len()];
            for k in 1..fan_labels.len() {
                off[k] = off[k - 1] + (fan_labels[k - 1].2 + fan_labels[k].2) / 2.0 + 3.0;
            }
            let z: Vec<f64> = fan_labels.iter().zip(&off).map(|(l, o)| l.0 - o).collect();
            let fit = isotonic(&z);
            for (k, (_, ly, w, h, text)) in fan_labels.into_iter().enumerate() {
                labels.push(PlacedLabel {
                    text,
                    kind: LabelKind::Edge(EdgeKind::Loading),
                    rect: Rect::centered(fit[k] + off[k], ly, w, h),
                });
            }
        }
    }

    // ---- covariances ---------------------------------------------------------------------
    let covs: Vec<usize> = d
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == EdgeKind::Covariance)
        .filter(|(_, e)| shown(index[&e.from]) && shown(index[&e.to]))
        .map(|(k, _)| k)
        .collect();
    // same-column arcs: side and nesting rank
    struct Arc {
        k: usize,
        a: usize,
        b: usize,
        side: f64,
        col: usize,
    }
    let mut arcs: Vec<Arc> = Vec::new();
    let mut free_covs: Vec<usize> = Vec::new();
    for &k in &covs {
        let e = &d.edges[k];
        let (a, b) = (index[&e.from], index[&e.to]);
        if fan_arcs.iter().any(|x| x.0 == k) {
            continue;
        }
        if structural[a] && structural[b] && layer[a] == layer[b] {
            let l = layer[a];
            let has_in = |i: usize| sedges.iter().any(|s| s.v == i);
            let has_out = |i: usize| sedges.iter().any(|s| s.u == i);
            let side = if l == 0 || (!has_in(a) && !has_in(b)) {
                -1.0
            } else if l + 1 == n_layers || (!has_out(a) && !has_out(b)) {
                1.0
            } else {
                -1.0
            };
            arcs.push(Arc { k, a, b, side, col: l });
        } else {
            free_covs.push(k);
        }
    }
    // ports for arcs at each node/side, sorted by the other end's y
    let mut arc_port: HashMap<(usize, usize), f64> = HashMap::new(); // (arc idx, node) -> dy
    for i in 0..n {
        for side in [-1.0, 1.0] {
            // top to bottom: arcs going up (nearest first), then arcs going down (farthest
            // first), so that nested arcs never cross near the node
            let mut list: Vec<(f64, usize)> = arcs
                .iter()
                .enumerate()
                .filter(|(_, a)| a.side == side && (a.a == i || a.b == i))
                .map(|(r, a)| (center[if a.a == i { a.b } else { a.a }].y, r))
                .collect();
            let yi = center[i].y;
            list.sort_by(|x, y| {
                (x.0 > yi).cmp(&(y.0 > yi)).then(y.0.total_cmp(&x.0)).then(x.1.cmp(&y.1))
            });
            let kcount = list.len();
            let half = sizes[i].1 / 2.0 * 0.55;
            for (r, &(_, arc)) in list.iter().enumerate() {
                let dy = if kcount == 1 {
                    let other = if arcs[arc].a == i { arcs[arc].b } else { arcs[arc].a };
                    if center[other].y > center[i].y { half * 0.5 } else { -half * 0.5 }
                } else {
                    -half + 2.0 * half * r as f64 / (kcount - 1) as f64
                };
                arc_port.insert((arc, i), dy);
            }
        }
    }
    for (r, arc) in arcs.iter().enumerate() {
        let e = &d.edges[arc.k];
        let (ya, yb) = (center[arc.a].y, center[arc.b].y);
        let (lo, hi) = (ya.min(yb), ya.max(yb));
        let rank = arcs
            .iter()
            .enumerate()
            .filter(|(q, o)| {
                *q != r && o.col == arc.col && o.side == arc.side && {
                    let (l2, h2) =
                        (center[o.a].y.min(center[o.b].y), center[o.a].y.max(center[o.b].y));
                    l2 >= lo - 1e-9 && h2 <= hi + 1e-9 && (h2 - l2) < (hi - lo) - 1e-9
                }
            })
            .count() as f64;
        let edge_x = if arc.side < 0.0 { col_left[arc.col] } else { col_right[arc.col] };
        let apex = edge_x + arc.side * (22.0 + 40.0 * rank);
        let pa = side_point(arc.a, arc.side, arc_port[&(r, arc.a)]);
        let pb = side_point(arc.b, arc.side, arc_port[&(r, arc.b)]);
        let xc = (8.0 * apex - pa.x - pb.x) / 6.0;
        let mut c = Curve::new(pa);
        let (c1, c2) = (p(xc, pa.y), p(xc, pb.y));
        c.segs.push(Seg::Cubic(c1, c2, pb));
        let heads = vec![
            arrowhead(pa, unit(p(pa.x - c1.x, pa.y - c1.y))),
            arrowhead(pb, c.end_direction()),
        ];
        c.trim_start(ARROW_LEN - 1.0);
        c.trim_end(ARROW_LEN - 1.0);
        if !e.label.is_empty() {
            let cands: Vec<P> =
                [0.5, 0.4, 0.6, 0.3, 0.7].iter().map(|&t| cubic_at(pa, c1, c2, pb, t)).collect();
            pending_labels.push((arc.k, cands));
        }
        drawn.push(DrawnEdge {
            kind: e.kind,
            style: e.style,
            curve: c,
            heads,
            from: e.from.clone(),
            to: e.to.clone(),
        });
    }
    for &(k, a, b, depth) in &fan_arcs {
        let e = &d.edges[k];
        let pa = p(center[a].x, center[a].y + IND_H / 2.0);
        let pb = p(center[b].x, center[b].y + IND_H / 2.0);
        let c1 = p(pa.x, pa.y.max(pb.y) + depth / 0.75);
        let c2 = p(pb.x, pa.y.max(pb.y) + depth / 0.75);
        let mut c = Curve::new(pa);
        c.segs.push(Seg::Cubic(c1, c2, pb));
        let heads = vec![arrowhead(pa, p(0.0, -1.0)), arrowhead(pb, p(0.0, -1.0))];
        c.trim_start(ARROW_LEN - 1.0);
        c.trim_end(ARROW_LEN - 1.0);
        if !e.label.is_empty() {
            let cands: Vec<P> = [0.5, 0.35, 0.65, 0.25, 0.75]
                .iter()
                .map(|&t| cubic_at(pa, c1, c2, pb, t))
                .collect();
            pending_labels.push((k, cands));
        }
        drawn.push(DrawnEdge {
            kind: e.kind,
            style: e.style,
            curve: c,
            heads,
            from: e.from.clone(),
            to: e.to.clone(),
        });
    }
    for &k in &free_covs {
        let e = &d.edges[k];
        let (a, b) = (index[&e.from], index[&e.to]);
        let (ca, cb) = (center[a], center[b]);
        let chord = p(cb.x - ca.x, cb.y - ca.y);
        let len = (chord.x * chord.x + chord.y * chord.y).sqrt();
        let nrm = unit(p(-chord.y, chord.x));
        let bulge = 0.22 * len + 20.0;
        let c1 = p(ca.x + chord.x / 3.0 + nrm.x * bulge, ca.y + chord.y / 3.0 + nrm.y * bulge);
        let c2 = p(
            ca.x + 2.0 * chord.x / 3.0 + nrm.x * bulge,
            ca.y + 2.0 * chord.y / 3.0 + nrm.y * bulge,
        );
        let pa = boundary(a, c1);
        let pb = boundary(b, c2);
        let mut c = Curve::new(pa);
        c.segs.push(Seg::Cubic(c1, c2, pb));
        let heads = vec![
            arrowhead(pa, unit(p(pa.x - c1.x, pa.y - c1.y))),
            arrowhead(pb, c.end_direction()),
        ];
        c.trim_start(ARROW_LEN - 1.0);
        c.trim_end(ARROW_LEN - 1.0);
        if !e.label.is_empty() {
            let cands: Vec<P> =
                [0.5, 0.4, 0.6, 0.3, 0.7].iter().map(|&t| cubic_at(pa, c1, c2, pb, t)).collect();
            pending_labels.push((k, cands));
        }
        drawn.push(DrawnEdge {
            kind: e.kind,
            style: e.style,
            curve: c,
            heads,
            from: e.from.clone(),
            to: e.to.clone(),
        });
    }

    // ---- edge labels: first candidate that overlaps no node and no earlier label ---------
    node_boxes.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    for (k, cands) in pending_labels {
        let e = &d.edges[k];
        let (w, h) = label_box_size(&e.label);
        let free = |r: &Rect, labels: &Vec<PlacedLabel>| {
            let g = r.inflate(2.0);
            !node_boxes.iter().any(|b| b.overlaps(&g))
                && !labels.iter().any(|l| l.rect.overlaps(&g))
        };
        let mut chosen = None;
        for q in &cands {
            let r = Rect::centered(q.x, q.y, w, h);
            if free(&r, &labels) {
                chosen = Some(r);
                break;
            }
        }
        if chosen.is_none() {
            // slide vertically from the first candidate until free
            if let Some(q) = cands.first() {
                'search: for step in 1..40 {
                    for sgn in [1.0, -1.0] {
                        let r = Rect::centered(q.x, q.y + sgn * step as f64 * 4.0, w, h);
                        if free(&r, &labels) {
                            chosen = Some(r);
                            break 'search;
                        }
                    }
                }
            }
        }
        let rect = chosen.or_else(|| cands.first().map(|q| Rect::centered(q.x, q.y, w, h)));
        if let Some(rect) = rect {
            labels.push(PlacedLabel { text: e.label.clone(), kind: LabelKind::Edge(e.kind), rect });
        }
    }

    // ---- bounding box, title, translation ---------------------------------------------
    let mut min_x = f64::INFINITY;
    let mut min_y = f64::INFINITY;
    let mut max_x = f64::NEG_INFINITY;
    let mut max_y = f64::NEG_INFINITY;
    let mut grow = |q: P| {
        min_x = min_x.min(q.x);
        min_y = min_y.min(q.y);
        max_x = max_x.max(q.x);
        max_y = max_y.max(q.y);
    };
    for i in 0..n {
        if shown(i) {
            let b = node_box(i);
            grow(p(b.x, b.y));
            grow(p(b.x + b.width, b.y + b.height));
        }
    }
    for e in &drawn {
        for q in e.curve.sampled(16) {
            grow(q);
        }
        for h in &e.heads {
            for q in h {
                grow(*q);
            }
        }
    }
    for l in &labels {
        grow(p(l.rect.x, l.rect.y));
        grow(p(l.rect.x + l.rect.width, l.rect.y + l.rect.height));
    }
    if !min_x.is_finite() {
        (min_x, min_y, max_x, max_y) = (0.0, 0.0, 0.0, 0.0);
    }
    let title_h = if d.title.is_some() { FONT + 16.0 } else { 0.0 };
    let dx = MARGIN - min_x;
    let dy = MARGIN + title_h - min_y;
    let mut width = max_x - min_x + 2.0 * MARGIN;
    let height = max_y - min_y + 2.0 * MARGIN + title_h;
    if let Some(t) = &d.title {
        width = width.max(text_width(t, FONT + 2.0) + 2.0 * MARGIN);
    }
    let width = width.ceil();
    let height = height.ceil();
    for e in &mut drawn {
        e.curve.translate(dx, dy);
        for h in &mut e.heads {
            for q in h.iter_mut() {
                q.x += dx;
                q.y += dy;
            }
        }
    }
    for l in &mut labels {
        l.rect.x += dx;
        l.rect.y += dy;
    }
    if let Some(t) = &d.title {
        let (w, h) = (text_width(t, FONT + 2.0), FONT + 6.0);
        labels.push(PlacedLabel {
            text: t.clone(),
            kind: LabelKind::Title,
            rect: Rect::centered(width / 2.0, MARGIN + h / 2.0, w, h),
        });
    }
    let placed: Vec<PlacedNode> = (0..n)
        .filter(|&i| shown(i))
        .map(|i| PlacedNode {
            id: nodes[i].id.clone(),
            label: nodes[i].label.clone(),
            kind: nodes[i].kind,
            r_squared: if show_r2 { nodes[i].r_squared } else { None },
            cx: center[i].x + dx,
            cy: center[i].y + dy,
            width: sizes[i].0,
            height: sizes[i].1,
            indicator: indicator[i],
        })
        .collect();
    let layers: Vec<Vec<String>> = order
        .iter()
        .map(|l| {
            l.iter()
                .filter_map(|&it| match items[it] {
                    Item::Node(i) => Some(nodes[i].id.clone()),
                    Item::Dummy(_) => None,
                })
                .collect()
        })
        .collect();
    Layout { width, height, title: d.title.clone(), nodes: placed, edges: drawn, labels, layers }
}

/// Isotonic (non-decreasing) least-squares fit with unit weights: pool adjacent violators.
fn isotonic(z: &[f64]) -> Vec<f64> {
    let mut blocks: Vec<(f64, usize)> = Vec::with_capacity(z.len()); // (mean, count)
    for &v in z {
        blocks.push((v, 1));
        while blocks.len() >= 2 {
            let (m2, n2) = blocks[blocks.len() - 1];
            let (m1, n1) = blocks[blocks.len() - 2];
            if m1 <= m2 {
                break;
            }
            blocks.pop();
            blocks.pop();
            let nn = n1 + n2;
            blocks.push(((m1 * n1 as f64 + m2 * n2 as f64) / nn as f64, nn));
        }
    }
    let mut out = Vec::with_capacity(z.len());
    for (m, c) in blocks {
        out.extend(std::iter::repeat_n(m, c));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isotonic_pools_violators() {
        assert_eq!(isotonic(&[1.0, 3.0, 2.0, 4.0]), vec![1.0, 2.5, 2.5, 4.0]);
        assert_eq!(isotonic(&[3.0, 2.0, 1.0]), vec![2.0, 2.0, 2.0]);
        assert_eq!(isotonic(&[]), Vec::<f64>::new());
    }

    #[test]
    fn number_format_is_short_and_stable() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.256), "1.26");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(12.5), "12.5");
    }

    #[test]
    fn dot_and_xml_escaping() {
        assert_eq!(dot_quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(xml_escape("<a & 'b'>"), "&lt;a &amp; &apos;b&apos;&gt;");
    }

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
