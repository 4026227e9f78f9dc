//! First phase: node sizes, indicator fans, cycle breaking, longest-path layers and the dummy
//! slots of edges that span several layers.

use super::Input;
use crate::diagram::geometry::{FONT, FONT_IND, FONT_SMALL, IND_H, label_box_size, text_width};
use crate::diagram::model::{EdgeKind, NodeKind};
use crate::diagram::svg::r2_text;

/// An entry of a layer: a node, or a slot of a long edge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Item {
    Node(usize),
    /// a slot of structural edge `e` (index into `sedges`) in an intermediate layer
    Dummy(usize),
}

/// A structural edge after cycle breaking: `u` in an earlier layer than `v`.
#[derive(Debug, Clone)]
pub(super) struct SEdge {
    /// index into the diagram's edges
    pub(super) edge: usize,
    pub(super) u: usize,
    pub(super) v: usize,
    pub(super) reversed: bool,
    /// item ids of the chain u, dummies…, v
    pub(super) chain: Vec<usize>,
}

/// The layered structural graph.
pub(super) struct Graph {
    /// every node except the indicators
    pub(super) structural: Vec<bool>,
    /// (width, height) of every node
    pub(super) sizes: Vec<(f64, f64)>,
    /// drawn indicators per factor, in edge order: (indicator node, edge index)
    pub(super) fan: Vec<Vec<(usize, usize)>>,
    pub(super) layer: Vec<usize>,
    pub(super) n_layers: usize,
    /// nodes then dummies
    pub(super) items: Vec<Item>,
    pub(super) item_layer: Vec<usize>,
    /// item of each structural node (`usize::MAX` for indicators)
    pub(super) node_item: Vec<usize>,
    pub(super) sedges: Vec<SEdge>,
    pub(super) item_pred: Vec<Vec<usize>>,
    pub(super) item_succ: Vec<Vec<usize>>,
}

/// Build the layered graph.
pub(super) fn rank(inp: &Input) -> Graph {
    let n = inp.nodes.len();
    let structural: Vec<bool> = (0..n).map(|i| !inp.indicator[i]).collect();
    let sizes = node_sizes(inp);
    let fan = fans(inp);
    let directed: Vec<(usize, usize, usize)> = inp
        .d
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind != EdgeKind::Covariance)
        .map(|(k, e)| (k, inp.index[&e.from], inp.index[&e.to]))
        .filter(|&(_, f, t)| structural[f] && structural[t])
        .collect();
    let reversed = back_edges(&structural, &directed);
    let layer = longest_path_layers(&structural, &directed, &reversed);
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
    Graph {
        structural,
        sizes,
        fan,
        layer,
        n_layers,
        items,
        item_layer,
        node_item,
        sedges,
        item_pred,
        item_succ,
    }
}

/// (width, height) of every node; an indicator is at least as wide as the label of its
/// loading, so fan labels fit.
fn node_sizes(inp: &Input) -> Vec<(f64, f64)> {
    let n = inp.nodes.len();
    let show_r2 = inp.d.show_r_squared;
    let mut loading_label_w = vec![0.0f64; n];
    for e in &inp.d.edges {
        if e.kind == EdgeKind::Loading && !e.label.is_empty() {
            let t = inp.index[&e.to];
            loading_label_w[t] = loading_label_w[t].max(label_box_size(&e.label).0);
        }
    }
    let size_of = |i: usize| -> (f64, f64) {
        let nd = &inp.nodes[i];
        if inp.indicator[i] {
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
    (0..n).map(size_of).collect()
}

/// Drawn indicators per factor, in edge order: (indicator node, edge index).
fn fans(inp: &Input) -> Vec<Vec<(usize, usize)>> {
    let mut fan: Vec<Vec<(usize, usize)>> = vec![Vec::new(); inp.nodes.len()];
    for (k, e) in inp.d.edges.iter().enumerate() {
        if e.kind == EdgeKind::Loading {
            let (f, t) = (inp.index[&e.from], inp.index[&e.to]);
            if inp.indicator[t] && inp.d.show_indicators {
                fan[f].push((t, k));
            }
        }
    }
    fan
}

/// Back edges of a depth-first search in insertion order (iterative); reversing them makes the
/// structural graph acyclic. `directed` holds (edge, from, to).
fn back_edges(structural: &[bool], directed: &[(usize, usize, usize)]) -> Vec<bool> {
    let n = structural.len();
    let mut out_adj: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for (pos, &(_, f, t)) in directed.iter().enumerate() {
        out_adj[f].push((t, pos));
    }
    let mut reversed = vec![false; directed.len()];
    // 0 = new, 1 = on stack, 2 = done
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
    reversed
}

/// Longest-path layering (Kahn order, ties by insertion order).
fn longest_path_layers(
    structural: &[bool],
    directed: &[(usize, usize, usize)],
    reversed: &[bool],
) -> Vec<usize> {
    let n = structural.len();
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (pos, &(_, f, t)) in directed.iter().enumerate() {
        let (u, v) = if reversed[pos] { (t, f) } else { (f, t) };
        preds[v].push(u);
        succs[u].push(v);
    }
    let mut layer = vec![0usize; n];
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
    layer
}
