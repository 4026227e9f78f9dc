//! Last phase: edge labels at the first candidate that overlaps no node and no earlier label,
//! then the bounding box, the title and the translation into the drawing's coordinates.

use super::place::Scene;
use super::rank::Item;
use super::{Drawing, LabelKind, Layout, PlacedLabel, PlacedNode};
use crate::diagram::geometry::{FONT, MARGIN, P, Rect, label_box_size, p, text_width};

/// Place the pending edge labels in order.
pub(super) fn place_edge_labels(sc: &Scene, dr: &mut Drawing) {
    let mut node_boxes: Vec<Rect> =
        (0..sc.inp.nodes.len()).filter(|&i| sc.inp.shown(i)).map(|i| sc.node_box(i)).collect();
    node_boxes.sort_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)));
    let labels = &mut dr.labels;
    for (k, cands) in std::mem::take(&mut dr.pending_labels) {
        let e = &sc.inp.d.edges[k];
        let (w, h) = label_box_size(&e.label);
        let free = |r: &Rect, labels: &Vec<PlacedLabel>| {
            let g = r.inflate(2.0);
            !node_boxes.iter().any(|b| b.overlaps(&g))
                && !labels.iter().any(|l| l.rect.overlaps(&g))
        };
        let mut chosen = None;
        for q in &cands {
            let r = Rect::centered(q.x, q.y, w, h);
            if free(&r, labels) {
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
                        if free(&r, labels) {
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
}

/// Smallest box around the shown nodes, the drawn edges and the labels:
/// (min x, min y, max x, max y), all zero when nothing is drawn.
fn bounding_box(sc: &Scene, dr: &Drawing) -> (f64, f64, f64, f64) {
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
    for i in 0..sc.inp.nodes.len() {
        if sc.inp.shown(i) {
            let b = sc.node_box(i);
            grow(p(b.x, b.y));
            grow(p(b.x + b.width, b.y + b.height));
        }
    }
    for e in &dr.drawn {
        for q in e.curve.sampled(16) {
            grow(q);
        }
        for h in &e.heads {
            for q in h {
                grow(*q);
            }
        }
    }
    for l in &dr.labels {
        grow(p(l.rect.x, l.rect.y));
        grow(p(l.rect.x + l.rect.width, l.rect.y + l.rect.height));
    }
    if !min_x.is_finite() {
        (min_x, min_y, max_x, max_y) = (0.0, 0.0, 0.0, 0.0);
    }
    (min_x, min_y, max_x, max_y)
}

/// Translate everything into the drawing (margin, room for the title) and assemble the layout.
pub(super) fn finish(sc: &Scene, order: &[Vec<usize>], dr: Drawing) -> Layout {
    let (inp, d) = (sc.inp, sc.inp.d);
    let (min_x, min_y, max_x, max_y) = bounding_box(sc, &dr);
    let Drawing { mut drawn, mut labels, .. } = dr;
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
    let (center, sizes) = (&sc.pl.center, &sc.g.sizes);
    let placed: Vec<PlacedNode> = (0..inp.nodes.len())
        .filter(|&i| inp.shown(i))
        .map(|i| PlacedNode {
            id: inp.nodes[i].id.clone(),
            label: inp.nodes[i].label.clone(),
            kind: inp.nodes[i].kind,
            r_squared: if d.show_r_squared { inp.nodes[i].r_squared } else { None },
            cx: center[i].x + dx,
            cy: center[i].y + dy,
            width: sizes[i].0,
            height: sizes[i].1,
            indicator: inp.indicator[i],
        })
        .collect();
    let layers: Vec<Vec<String>> = order
        .iter()
        .map(|l| {
            l.iter()
                .filter_map(|&it| match sc.g.items[it] {
                    Item::Node(i) => Some(inp.nodes[i].id.clone()),
                    Item::Dummy(_) => None,
                })
                .collect()
        })
        .collect();
    Layout { width, height, title: d.title.clone(), nodes: placed, edges: drawn, labels, layers }
}
