//! Third phase: block sizes, columns, the rows of indicators below their factors, and vertical
//! coordinates (every node pulled towards the mean of its neighbours, overlaps removed with the
//! order kept by isotonic regression).

use super::Input;
use super::rank::{Graph, Item};
use crate::diagram::geometry::{
    BLOCK_SEP, COL_GAP, DUMMY_HALF, DUMMY_SEP, FAN_H, FONT_SMALL, IND_GAP, IND_H, P, Rect,
    isotonic, p, unit,
};
use crate::diagram::model::{EdgeKind, NodeKind};

/// The space an item takes in its column, around the node centre.
struct Block {
    up: f64,
    down: f64,
    width: f64,
}

/// Where everything sits.
pub(super) struct Placement {
    pub(super) col_left: Vec<f64>,
    pub(super) col_right: Vec<f64>,
    /// vertical coordinate of every item
    pub(super) y: Vec<f64>,
    /// centre of every node
    pub(super) center: Vec<P>,
    /// covariances between two drawn indicators: (edge, a, b, depth of the arc below the row)
    pub(super) fan_arcs: Vec<(usize, usize, usize, f64)>,
}

/// The inputs and results of the first three phases, read by the drawing phases.
pub(super) struct Scene<'a> {
    pub(super) inp: &'a Input<'a>,
    pub(super) g: &'a Graph,
    pub(super) pl: &'a Placement,
}

impl Scene<'_> {
    /// Box of node `i`.
    pub(super) fn node_box(&self, i: usize) -> Rect {
        let (c, s) = (self.pl.center[i], self.g.sizes[i]);
        Rect::centered(c.x, c.y, s.0, s.1)
    }

    /// Point of node i's outline in the direction of `toward`.
    pub(super) fn boundary(&self, i: usize, toward: P) -> P {
        let c = self.pl.center[i];
        let (w, h) = self.g.sizes[i];
        let dir = unit(p(toward.x - c.x, toward.y - c.y));
        match self.inp.nodes[i].kind {
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
    }

    /// Point on the right (side = 1) or left (side = -1) of node i at vertical offset dy.
    pub(super) fn side_point(&self, i: usize, side: f64, dy: f64) -> P {
        let c = self.pl.center[i];
        let (w, h) = self.g.sizes[i];
        match self.inp.nodes[i].kind {
            NodeKind::Latent => {
                let (a, b) = (w / 2.0, h / 2.0);
                let r = (dy / b).clamp(-1.0, 1.0);
                p(c.x + side * a * (1.0 - r * r).sqrt(), c.y + dy)
            }
            NodeKind::Observed => p(c.x + side * w / 2.0, c.y + dy),
        }
    }
}

/// Place columns, indicator rows and every node.
pub(super) fn place(inp: &Input, g: &Graph, order: &[Vec<usize>]) -> Placement {
    let n = inp.nodes.len();
    let n_layers = g.n_layers;
    let mut blocks = blocks(g);
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
    for (it, item) in g.items.iter().enumerate() {
        if let Item::Node(i) = *item {
            xpos[i] = col_center[g.item_layer[it]];
        }
    }
    for i in 0..n {
        if g.fan[i].is_empty() {
            continue;
        }
        let mut xl = xpos[i] - fan_width(g, i) / 2.0;
        for &(t, _) in &g.fan[i] {
            xpos[t] = xl + g.sizes[t].0 / 2.0;
            parent[t] = i;
            xl += g.sizes[t].0 + IND_GAP;
        }
    }
    let fan_arcs = fan_arcs(inp, &xpos, &parent);
    for &(_, a, b, depth) in &fan_arcs {
        for f in [parent[a], parent[b]] {
            let it = g.node_item[f];
            let need = g.sizes[f].1 / 2.0 + FAN_H + IND_H + depth + FONT_SMALL / 2.0 + 6.0;
            blocks[it].down = blocks[it].down.max(need);
        }
    }

    let y = vertical(g, order, &blocks);

    let mut center = vec![p(0.0, 0.0); n];
    for (it, item) in g.items.iter().enumerate() {
        if let Item::Node(i) = *item {
            center[i] = p(col_center[g.item_layer[it]], y[it]);
        }
    }
    for i in 0..n {
        let yi = center[i].y + g.sizes[i].1 / 2.0 + FAN_H + IND_H / 2.0;
        for &(t, _) in &g.fan[i] {
            center[t] = p(xpos[t], yi);
        }
    }
    Placement { col_left, col_right, y, center, fan_arcs }
}

/// Width of the row of indicators of factor `i`.
fn fan_width(g: &Graph, i: usize) -> f64 {
    if g.fan[i].is_empty() {
        0.0
    } else {
        g.fan[i].iter().map(|&(t, _)| g.sizes[t].0).sum::<f64>()
            + IND_GAP * (g.fan[i].len() - 1) as f64
    }
}

/// A node's block holds its indicator row; a dummy is a thin slot.
fn blocks(g: &Graph) -> Vec<Block> {
    g.items
        .iter()
        .map(|item| match *item {
            Item::Node(i) => {
                let (w, h) = g.sizes[i];
                let down = if g.fan[i].is_empty() { h / 2.0 } else { h / 2.0 + FAN_H + IND_H };
                Block { up: h / 2.0, down, width: w.max(fan_width(g, i)) }
            }
            Item::Dummy(_) => Block { up: DUMMY_HALF, down: DUMMY_HALF, width: 0.0 },
        })
        .collect()
}

/// Covariances between two drawn indicators: arcs below the indicator rows; the depth grows
/// with the span and with every earlier arc whose span overlaps (so nested arcs separate).
fn fan_arcs(inp: &Input, xpos: &[f64], parent: &[usize]) -> Vec<(usize, usize, usize, f64)> {
    let mut fan_arcs: Vec<(usize, usize, usize, f64)> = Vec::new(); // (edge, a, b, depth)
    for (k, e) in inp.d.edges.iter().enumerate() {
        if e.kind != EdgeKind::Covariance {
            continue;
        }
        let (a, b) = (inp.index[&e.from], inp.index[&e.to]);
        if !(inp.indicator[a]
            && inp.indicator[b]
            && parent[a] != usize::MAX
            && parent[b] != usize::MAX)
        {
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
    fan_arcs
}

/// Minimum free space between neighbouring items `a` and `b` of a layer.
fn sep(g: &Graph, a: usize, b: usize) -> f64 {
    if matches!(g.items[a], Item::Dummy(_)) || matches!(g.items[b], Item::Dummy(_)) {
        DUMMY_SEP
    } else {
        BLOCK_SEP
    }
}

/// Vertical coordinate of every item: layers stacked and centred on the tallest, then rounds
/// that pull items towards their neighbours with overlaps removed.
fn vertical(g: &Graph, order: &[Vec<usize>], blocks: &[Block]) -> Vec<f64> {
    let mut y = vec![0.0; g.items.len()];
    for l in order {
        let mut cur = 0.0;
        for (k, &it) in l.iter().enumerate() {
            if k > 0 {
                cur += blocks[l[k - 1]].down + sep(g, l[k - 1], it) + blocks[it].up;
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
    for l in order {
        if l.is_empty() {
            continue;
        }
        let (t, b) = extent(l, &y);
        let shift = (tallest - (b - t)) / 2.0 - t;
        for &it in l {
            y[it] += shift;
        }
    }
    let n_layers = g.n_layers;
    for round in 0..12 {
        let down = round % 2 == 0;
        let layers: Vec<usize> =
            if down { (0..n_layers).collect() } else { (0..n_layers).rev().collect() };
        for l in layers {
            let desired: Vec<f64> = order[l]
                .iter()
                .map(|&it| {
                    let mut nb: Vec<usize> = g.item_pred[it].clone();
                    nb.extend(&g.item_succ[it]);
                    if nb.is_empty() {
                        y[it]
                    } else {
                        // mean of neighbours, but dummies follow their chain tightly
                        nb.iter().map(|&x| y[x]).sum::<f64>() / nb.len() as f64
                    }
                })
                .collect();
            let packed = pack(g, blocks, &order[l], &desired);
            for (k, &it) in order[l].iter().enumerate() {
                y[it] = packed[k];
            }
        }
    }
    y
}

/// Positions closest to `desired` that keep the layer's order and minimum gaps:
/// y_k - c_k must be non-decreasing; isotonic regression of desired_k - c_k.
fn pack(g: &Graph, blocks: &[Block], l: &[usize], desired: &[f64]) -> Vec<f64> {
    let mut c = vec![0.0; l.len()];
    for k in 1..l.len() {
        c[k] = c[k - 1] + blocks[l[k - 1]].down + sep(g, l[k - 1], l[k]) + blocks[l[k]].up;
    }
    let z: Vec<f64> = desired.iter().zip(&c).map(|(d, c)| d - c).collect();
    let fit = isotonic(&z);
    fit.iter().zip(&c).map(|(f, c)| f + c).collect()
}
