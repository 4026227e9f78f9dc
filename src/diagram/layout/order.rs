//! Second phase: the order within each layer, by barycentric sweeps down and up (ties kept in
//! insertion order); the ordering with the fewest crossings is kept.

use super::rank::Graph;

/// Item ids per layer, top to bottom.
pub(super) fn reduce_crossings(g: &Graph) -> Vec<Vec<usize>> {
    let n_layers = g.n_layers;
    let m = g.items.len();
    let mut order: Vec<Vec<usize>> = vec![Vec::new(); n_layers];
    for it in 0..m {
        order[g.item_layer[it]].push(it);
    }
    let mut best = order.clone();
    let mut best_c = crossings(g, &order);
    for sweep in 0..16 {
        let down = sweep % 2 == 0;
        let layers: Vec<usize> = if down {
            (1..n_layers).collect()
        } else {
            (0..n_layers.saturating_sub(1)).rev().collect()
        };
        for l in layers {
            let refl = if down { l - 1 } else { l + 1 };
            order[l] = barycentric_order(g, &order[refl], &order[l], down);
        }
        let c = crossings(g, &order);
        if c < best_c {
            best_c = c;
            best = order.clone();
        }
    }
    best
}

/// Layer `current` sorted by the mean position of each item's neighbours in the reference
/// layer (the previous one when sweeping `down`, the next one otherwise); an item without
/// neighbours there keeps its position.
fn barycentric_order(g: &Graph, reference: &[usize], current: &[usize], down: bool) -> Vec<usize> {
    let mut pos = vec![f64::NAN; g.items.len()];
    for (k, &it) in reference.iter().enumerate() {
        pos[it] = k as f64;
    }
    let cur: Vec<(f64, usize, usize)> = current
        .iter()
        .enumerate()
        .map(|(k, &it)| {
            let nb = if down { &g.item_pred[it] } else { &g.item_succ[it] };
            let vals: Vec<f64> = nb.iter().map(|&x| pos[x]).filter(|v| !v.is_nan()).collect();
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
    sorted.into_iter().map(|x| x.2).collect()
}

/// Number of crossings between consecutive layers.
fn crossings(g: &Graph, order: &[Vec<usize>]) -> usize {
    let mut pos = vec![0usize; g.items.len()];
    for l in order {
        for (k, &it) in l.iter().enumerate() {
            pos[it] = k;
        }
    }
    let mut total = 0;
    for l in order.iter().take(g.n_layers.saturating_sub(1)) {
        let mut segs: Vec<(usize, usize)> = Vec::new();
        for &a in l {
            for &b in &g.item_succ[a] {
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
}
