//! Fifth phase: the curves of covariances. Two nodes of one column are joined by an arc outside
//! the column (nested arcs further out), two indicators of fans by an arc below their row, any
//! other pair by a curve bowed to one side of the chord.

use std::collections::HashMap;

use super::Drawing;
use super::place::Scene;
use crate::diagram::geometry::{ARROW_LEN, Curve, IND_H, P, Seg, arrowhead, cubic_at, p, unit};
use crate::diagram::model::EdgeKind;

/// A covariance between two nodes of one column, drawn on the left (`side` = -1) or right
/// (`side` = 1) of column `col`.
struct Arc {
    k: usize,
    a: usize,
    b: usize,
    side: f64,
    col: usize,
}

/// Draw every shown covariance.
pub(super) fn covariances(sc: &Scene, dr: &mut Drawing) {
    let (arcs, free_covs) = classify(sc);
    let arc_port = arc_ports(sc, &arcs);
    column_arcs(sc, &arcs, &arc_port, dr);
    fan_arcs(sc, dr);
    free_curves(sc, &free_covs, dr);
}

/// Same-column arcs with their side, and the remaining covariances that are not fan arcs.
fn classify(sc: &Scene) -> (Vec<Arc>, Vec<usize>) {
    let (inp, g) = (sc.inp, sc.g);
    let covs: Vec<usize> = inp
        .d
        .edges
        .iter()
        .enumerate()
        .filter(|(_, e)| e.kind == EdgeKind::Covariance)
        .filter(|(_, e)| inp.shown(inp.index[&e.from]) && inp.shown(inp.index[&e.to]))
        .map(|(k, _)| k)
        .collect();
    let mut arcs: Vec<Arc> = Vec::new();
    let mut free_covs: Vec<usize> = Vec::new();
    for &k in &covs {
        let e = &inp.d.edges[k];
        let (a, b) = (inp.index[&e.from], inp.index[&e.to]);
        if sc.pl.fan_arcs.iter().any(|x| x.0 == k) {
            continue;
        }
        if g.structural[a] && g.structural[b] && g.layer[a] == g.layer[b] {
            let l = g.layer[a];
            let has_in = |i: usize| g.sedges.iter().any(|s| s.v == i);
            let has_out = |i: usize| g.sedges.iter().any(|s| s.u == i);
            let side = if l == 0 || (!has_in(a) && !has_in(b)) {
                -1.0
            } else if l + 1 == g.n_layers || (!has_out(a) && !has_out(b)) {
                1.0
            } else {
                -1.0
            };
            arcs.push(Arc { k, a, b, side, col: l });
        } else {
            free_covs.push(k);
        }
    }
    (arcs, free_covs)
}

/// Ports for arcs at each node and side, sorted by the other end's y: (arc index, node) → dy.
fn arc_ports(sc: &Scene, arcs: &[Arc]) -> HashMap<(usize, usize), f64> {
    let center = &sc.pl.center;
    let mut arc_port: HashMap<(usize, usize), f64> = HashMap::new();
    for i in 0..sc.inp.nodes.len() {
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
            let half = sc.g.sizes[i].1 / 2.0 * 0.55;
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
    arc_port
}

/// Arcs between two nodes of one column, further out for every arc nested inside.
fn column_arcs(
    sc: &Scene,
    arcs: &[Arc],
    arc_port: &HashMap<(usize, usize), f64>,
    dr: &mut Drawing,
) {
    let (center, pl) = (&sc.pl.center, sc.pl);
    for (r, arc) in arcs.iter().enumerate() {
        let e = &sc.inp.d.edges[arc.k];
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
        let edge_x = if arc.side < 0.0 { pl.col_left[arc.col] } else { pl.col_right[arc.col] };
        let apex = edge_x + arc.side * (22.0 + 40.0 * rank);
        let pa = sc.side_point(arc.a, arc.side, arc_port[&(r, arc.a)]);
        let pb = sc.side_point(arc.b, arc.side, arc_port[&(r, arc.b)]);
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
            dr.pending_labels.push((arc.k, cands));
        }
        dr.push(e, c, heads);
    }
}

/// Arcs below the indicator rows between two indicators.
fn fan_arcs(sc: &Scene, dr: &mut Drawing) {
    let center = &sc.pl.center;
    for &(k, a, b, depth) in &sc.pl.fan_arcs {
        let e = &sc.inp.d.edges[k];
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
            dr.pending_labels.push((k, cands));
        }
        dr.push(e, c, heads);
    }
}

/// Any other covariance: a cubic bowed to one side of the chord from `from` to `to`.
fn free_curves(sc: &Scene, free_covs: &[usize], dr: &mut Drawing) {
    let center = &sc.pl.center;
    for &k in free_covs {
        let e = &sc.inp.d.edges[k];
        let (a, b) = (sc.inp.index[&e.from], sc.inp.index[&e.to]);
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
        let pa = sc.boundary(a, c1);
        let pb = sc.boundary(b, c2);
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
            dr.pending_labels.push((k, cands));
        }
        dr.push(e, c, heads);
    }
}
