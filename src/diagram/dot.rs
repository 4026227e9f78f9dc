//! Graphviz DOT output.

use std::fmt::Write as _;

use super::model::{EdgeKind, LineStyle, NodeKind, PathDiagram};
use crate::error::Result;

impl PathDiagram {
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
}

pub(super) fn dot_quote(s: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_escaping() {
        assert_eq!(dot_quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
    }
}
