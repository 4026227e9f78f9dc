//! Fourth phase: the curves of regressions (structural edges, through their dummy slots) and of
//! loadings (the fan from a factor down to its indicators), with label candidates.

use super::place::Scene;
use super::rank::SEdge;
use super::{Drawing, LabelKind, PlacedLabel};
use crate::diagram::geometry::{
    ARROW_LEN, Curve, IND_H, P, Rect, Seg, arrowhead, cubic_at, isotonic, label_box_size, p,
};
use crate::diagram::model::EdgeKind;

/// Vertical offsets of the ports of every structural edge at its start (right side of `u`) and
/// end (left side of `v`): the edges of a node are spread over its height in the order of the
/// next item on their way.
fn ports(sc: &Scene) -> (Vec<f64>, Vec<f64>) {
    let (g, y) = (sc.g, &sc.pl.y);
    let next_y = |se: &SEdge, from_start: bool| -> f64 {
        let it = if from_start { se.chain[1] } else { se.chain[se.chain.len() - 2] };
        y[it]
    };
    let mut out_port = vec![0.0; g.sedges.len()];
    let mut in_port = vec![0.0; g.sedges.len()];
    for i in 0..sc.inp.nodes.len() {
        let spread = |list: &mut Vec<(f64, usize)>, target: &mut Vec<f64>| {
            list.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            let k = list.len();
            let half = g.sizes[i].1 / 2.0 * 0.6;
            for (r, &(_, e)) in list.iter().enumerate() {
                target[e] =
                    if k == 1 { 0.0 } else { -half + 2.0 * half * r as f64 / (k - 1) as f64 };
            }
        };
        let mut outs: Vec<(f64, usize)> = g
            .sedges
            .iter()
            .enumerate()
            .filter(|(_, s)| s.u == i)
            .map(|(k, s)| (next_y(s, true), k))
            .collect();
        let mut ins: Vec<(f64, usize)> = g
            .sedges
            .iter()
            .enumerate()
            .filter(|(_, s)| s.v == i)
            .map(|(k, s)| (next_y(s, false), k))
            .collect();
        spread(&mut outs, &mut out_port);
        spread(&mut ins, &mut in_port);
    }
    (out_port, in_port)
}

/// Label candidates along the last (Bézier) segment of `c`, in order of preference.
fn gap_mid(c: &Curve) -> Vec<(f64, P)> {
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
}

/// The curve of a structural edge from `start` to `end`: straight inside columns, S-curves in
/// the gaps between them; label candidates in every gap, those nearest the middle gap first.
fn chain_curve(sc: &Scene, se: &SEdge, start: P, end: P) -> (Curve, Vec<(f64, P)>) {
    let (g, pl) = (sc.g, sc.pl);
    let lu = g.layer[se.u];
    let lv = g.layer[se.v];
    let mut c = Curve::new(start);
    let mut candidates: Vec<(f64, P)> = Vec::new();
    if lv == lu + 1 || se.chain.len() == 2 {
        c.line(p(pl.col_right[lu], start.y));
        c.s_curve(p(pl.col_left[lv], end.y));
        candidates.extend(gap_mid(&c));
        c.line(end);
    } else {
        c.line(p(pl.col_right[lu], start.y));
        let mid_gap = (se.chain.len() - 2) / 2; // gap index closest to the middle
        for (gi, &it) in se.chain[1..se.chain.len() - 1].iter().enumerate() {
            let l = g.item_layer[it];
            c.s_curve(p(pl.col_left[l], pl.y[it]));
            let dist = (gi as f64 - mid_gap as f64).abs() * 10.0;
            candidates.extend(gap_mid(&c).into_iter().map(|(r, q)| (r + dist, q)));
            c.line(p(pl.col_right[l], pl.y[it]));
        }
        c.s_curve(p(pl.col_left[lv], end.y));
        let gi = se.chain.len() - 2;
        let dist = (gi as f64 - mid_gap as f64).abs() * 10.0;
        candidates.extend(gap_mid(&c).into_iter().map(|(r, q)| (r + dist, q)));
        c.line(end);
    }
    (c, candidates)
}

/// Draw every structural edge (regressions and loadings of non-indicators).
pub(super) fn structural_edges(sc: &Scene, dr: &mut Drawing) {
    let (out_port, in_port) = ports(sc);
    for (k, se) in sc.g.sedges.iter().enumerate() {
        let e = &sc.inp.d.edges[se.edge];
        let start = sc.side_point(se.u, 1.0, out_port[k]);
        let end = sc.side_point(se.v, -1.0, in_port[k]);
        let (mut c, mut candidates) = chain_curve(sc, se, start, end);
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
            dr.pending_labels.push((se.edge, candidates.into_iter().map(|x| x.1).collect()));
        }
        dr.push(e, c, heads);
    }
}

/// Draw the loadings of every indicator fan. Label centres sit on the arrows just above the
/// indicators, then are packed left to right so that neighbouring labels never overlap
/// (isotonic regression with minimum gaps).
pub(super) fn loadings(sc: &Scene, dr: &mut Drawing) {
    let center = &sc.pl.center;
    for i in 0..sc.inp.nodes.len() {
        let mut fan_labels: Vec<(f64, f64, f64, f64, String)> = Vec::new(); // (x, y, w, h, text)
        for &(t, k) in &sc.g.fan[i] {
            let e = &sc.inp.d.edges[k];
            let top = p(center[t].x, center[t].y - IND_H / 2.0);
            let start = sc.boundary(i, top);
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
            dr.push(e, c, vec![arrowhead(top, dir)]);
        }
        if !fan_labels.is_empty() {
            let mut off = vec![0.0; fan_labels.len()];
            for k in 1..fan_labels.len() {
                off[k] = off[k - 1] + (fan_labels[k - 1].2 + fan_labels[k].2) / 2.0 + 3.0;
            }
            let z: Vec<f64> = fan_labels.iter().zip(&off).map(|(l, o)| l.0 - o).collect();
            let fit = isotonic(&z);
            for (k, (_, ly, w, h, text)) in fan_labels.into_iter().enumerate() {
                dr.labels.push(PlacedLabel {
                    text,
                    kind: LabelKind::Edge(EdgeKind::Loading),
                    rect: Rect::centered(fit[k] + off[k], ly, w, h),
                });
            }
        }
    }
}
