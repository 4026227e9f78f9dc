//! The inputs of the score tests of cross-group equality constraints (lavaan's `lavTestScore`)
//! for a multi-group least-squares fit with ordered indicators.
//!
//! lavaan's statistic is N gᵀ J⁻¹ g in the parametrization where every group has its own copy
//! of each parameter, with g the gradient of its objective (fmin = F/2) and J the expected
//! information per observation (`lavTestScore` on a WLSMV / DWLS fit uses these, the "ordinary"
//! score test, whatever the standard errors). Per group, in the group's own parameters:
//!
//! ```text
//! score_g       = N ∂fmin/∂θ_g = −(n_g − 1) J_gᵀ W_g e_g
//! information_g = N (n_g/N) J_gᵀ W_g J_g = n_g J_gᵀ W_g J_g
//! ```

use ndarray::{Array1, Array2};

use super::GroupMap;
use crate::sem::multigroup::GroupScoreParts;

/// One group's score-test parts from its residual e_g, Jacobian J_g (global columns), weight
/// W_g and size n_g.
pub(super) fn parts(
    gm: &GroupMap,
    ov: &[String],
    lv: &[String],
    e: &Array1<f64>,
    jac: &Array2<f64>,
    w: &Array2<f64>,
    n: f64,
) -> GroupScoreParts {
    let mut map: Vec<usize> = Vec::new();
    let mut params: Vec<(String, String, String)> = Vec::new();
    let mut push = |k: usize, p: (String, String, String)| {
        if !map.contains(&k) {
            map.push(k);
            params.push(p);
        }
    };
    let rows = crate::sem::params::free_rows(&gm.pt);
    for (f, &k) in gm.map.iter().enumerate() {
        push(k, rows[f].clone());
    }
    for (t, tg) in gm.thr.iter().zip(&gm.thr_global) {
        if let Ok(k) = tg {
            push(*k, (ov[t.var].clone(), "|".into(), format!("t{}", t.k + 1)));
        }
    }
    for (j, s) in gm.scale.iter().enumerate() {
        if let Some(k) = s {
            push(*k, (ov[j].clone(), "~*~".into(), ov[j].clone()));
        }
    }
    for (l, m) in gm.mean.iter().enumerate() {
        if let Some(k) = m {
            push(*k, (lv[l].clone(), "~1".into(), String::new()));
        }
    }
    let jl = Array2::from_shape_fn((jac.nrows(), map.len()), |(r, c)| jac[[r, map[c]]]);
    let wj = w.dot(&jl);
    let information = jl.t().dot(&wj) * n;
    let score = wj.t().dot(e) * (-(n - 1.0));
    GroupScoreParts { information, score, map, params }
}
