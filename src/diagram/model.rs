//! The diagram description: nodes, edges, the builder, conversion from parameter rows and the
//! checks shared by every renderer.

use std::collections::HashMap;

use super::layout::{Layout, layout_diagram};
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
    pub(super) title: Option<String>,
    pub(super) nodes: Vec<DiagramNode>,
    pub(super) edges: Vec<DiagramEdge>,
    pub(super) r2: Vec<(String, f64)>,
    pub(super) show_indicators: bool,
    pub(super) show_r_squared: bool,
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
    pub(super) fn resolved(&self) -> Result<(Vec<DiagramNode>, HashMap<String, usize>)> {
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
            if let Some(v) = n.r_squared
                && !v.is_finite()
            {
                return Err(Error::invalid("r_squared", format!("R² of `{}` is not finite", n.id)));
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
    pub(super) fn indicator_flags(&self, index: &HashMap<String, usize>) -> Vec<bool> {
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
