//! Asymptotic covariance matrix of the two-step estimates (thresholds, then polychoric
//! correlations), as lavaan's `NACOV` / `lavInspect(fit, "gamma")` for `lavCor(ordered = ...)`.
//!
//! Each estimate solves an estimating equation `Σ_i s_i(θ) = 0`: the thresholds of item v from
//! the univariate likelihood of v, the correlation of a pair from the bivariate likelihood with
//! the thresholds held fixed. Stacking them gives the sandwich (Muthén 1984; Muthén & Satorra
//! 1995):
//!
//! ```text
//! Γ = A⁻¹ B A⁻ᵀ,   B = (1/N) Σ_i s_i s_iᵀ,   A = −(1/N) Σ_i ∂s_i/∂θᵀ   (block lower triangular)
//! A_ττ (per item, tridiagonal):  φ(τ_k)² (1/π_k + 1/π_{k+1}),  −φ(τ_k) φ(τ_{k+1}) / π_{k+1}
//! A_ρρ:  (1/N) Σ_ab n_ab (P′_ab/P_ab)²                      (outer product of the scores)
//! A_ρτ:  (1/N) Σ_ab n_ab (P′_ab/P_ab) (∂P_ab/∂τ / P_ab)       (bivariate threshold scores)
//! ```
//!
//! `A_ρρ` and `A_ρτ` are the first-order (outer product) estimates of `E[−∂s_ρ/∂(ρ, τ)]` from
//! the bivariate likelihood of the pair; with them Γ agrees with lavaan 0.6-14 to rounding
//! (the observed Hessian instead would change the correlations' variances by about 5 %).
//!
//! `Γ` is the covariance of `√N (θ̂ − θ)`; standard errors are `√(Γ_kk / (N − 1))`, as lavaan
//! reports them for `lavCor(se = "standard")`. Thresholds come
//! first (item by item), then correlations in lavaan's order (column by column of the lower
//! triangle: (2,1), (3,1), …, (p,1), (3,2), …).

use ndarray::{Array1, Array2};

use super::bvn::{dnorm, dpbvn_dx};
use super::pair;
use super::polychoric::{Coded, pair_table};
use crate::core::linalg;
use crate::error::Result;

/// The asymptotic covariance matrix of thresholds and correlations.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Acov {
    labels: Vec<String>,
    gamma: Array2<f64>,
    std_errors: Array1<f64>,
    n_obs: usize,
    n_thresholds: usize,
    pairs: Vec<(usize, usize)>,
}

impl Acov {
    /// Parameter labels, lavaan style: `x|t1`, …, `x~~y`.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }
    /// `Γ`, the asymptotic covariance of `√N (θ̂ − θ)` (lavaan's NACOV).
    pub fn gamma(&self) -> &Array2<f64> {
        &self.gamma
    }
    /// Standard errors `√(Γ_kk / (N − 1))` (lavaan's) in the order of [`Self::labels`].
    pub fn std_errors(&self) -> &Array1<f64> {
        &self.std_errors
    }
    /// N.
    pub fn n_obs(&self) -> usize {
        self.n_obs
    }
    /// How many of the parameters are thresholds (they come first).
    pub fn n_thresholds(&self) -> usize {
        self.n_thresholds
    }
    /// The (row, column) of each correlation, in order.
    pub fn pairs(&self) -> &[(usize, usize)] {
        &self.pairs
    }
}

/// Γ for complete data, all columns ordinal (`cols` all `Some`, codes all present).
pub(crate) fn two_step(
    cols: &[Option<Coded>],
    rho: &Array2<f64>,
    names: &[String],
) -> Result<Acov> {
    let items: Vec<&Coded> = cols.iter().flatten().collect();
    let p = items.len();
    let n = items[0].code.len();
    let nf = n as f64;
    // Parameter offsets.
    let mut off = Vec::with_capacity(p);
    let mut labels = Vec::new();
    let mut q = 0;
    for (v, it) in items.iter().enumerate() {
        off.push(q);
        for k in 0..it.tau.len() {
            labels.push(format!("{}|t{}", names[v], k + 1));
        }
        q += it.tau.len();
    }
    let nt = q;
    let mut pairs = Vec::new();
    for j in 0..p {
        for i in j + 1..p {
            pairs.push((i, j));
            labels.push(format!("{}~~{}", names[j], names[i]));
        }
    }
    q += pairs.len();
    let mut scores = Array2::<f64>::zeros((n, q));
    let mut a = Array2::<f64>::zeros((q, q));
    // Thresholds.
    for (v, it) in items.iter().enumerate() {
        let pi: Vec<f64> = it.freq.iter().map(|f| f / nf).collect();
        let dt: Vec<f64> = it.tau.iter().map(|&t| dnorm(t)).collect();
        for (r, c) in it.code.iter().enumerate() {
            let c = c.unwrap_or(0);
            if c < it.tau.len() {
                scores[[r, off[v] + c]] += dt[c] / pi[c];
            }
            if c >= 1 {
                scores[[r, off[v] + c - 1]] -= dt[c - 1] / pi[c];
            }
        }
        for k in 0..it.tau.len() {
            a[[off[v] + k, off[v] + k]] = dt[k] * dt[k] * (1.0 / pi[k] + 1.0 / pi[k + 1]);
            if k + 1 < it.tau.len() {
                let x = -dt[k] * dt[k + 1] / pi[k + 1];
                a[[off[v] + k, off[v] + k + 1]] = x;
                a[[off[v] + k + 1, off[v] + k]] = x;
            }
        }
    }
    // Correlations.
    for (m, &(i, j)) in pairs.iter().enumerate() {
        let row = nt + m;
        let (ia, ib) = (items[i], items[j]);
        let r = rho[[i, j]];
        let t = pair_table(ia, ib);
        let ca = pair::cuts(&ia.tau);
        let cb = pair::cuts(&ib.tau);
        let cl = pair::cells(&ca, &cb, r, true);
        let kb = ib.k;
        for (obs, (u, w)) in ia.code.iter().zip(&ib.code).enumerate() {
            if let (Some(u), Some(w)) = (u, w) {
                let k = u * kb + w;
                if cl.p[k] > 0.0 {
                    scores[[obs, row]] = cl.d1[k] / cl.p[k];
                }
            }
        }
        // Outer products of the bivariate scores (first-order information).
        a[[row, row]] = t
            .counts
            .iter()
            .enumerate()
            .filter(|(k, n)| **n > 0.0 && cl.p[*k] > 0.0)
            .map(|(k, n)| n * (cl.d1[k] / cl.p[k]).powi(2))
            .sum::<f64>()
            / nf;
        for (side, item, base) in [(0usize, ia, off[i]), (1usize, ib, off[j])] {
            for k in 0..item.tau.len() {
                let mut g = 0.0;
                for ra in 0..ia.k {
                    for rb in 0..kb {
                        let cell = ra * kb + rb;
                        let nab = t.counts[cell];
                        if nab == 0.0 || cl.p[cell] <= 0.0 {
                            continue;
                        }
                        let dp = cell_dtau(side, k, ra, rb, &ca, &cb, r);
                        let pc = cl.p[cell];
                        g += nab * cl.d1[cell] * dp / (pc * pc);
                    }
                }
                a[[row, base + k]] = g / nf;
            }
        }
    }
    let g = solve_scores(&a, scores, &off, &items, &pairs, nt)?;
    let gamma = linalg::crossprod(g.view()) / nf;
    let std_errors = Array1::from_shape_fn(q, |k| (gamma[[k, k]].max(0.0) / (nf - 1.0)).sqrt());
    Ok(Acov { labels, gamma, std_errors, n_obs: n, n_thresholds: nt, pairs })
}

/// The rows of `S A⁻ᵀ` (so that `Γ = A⁻¹ B A⁻ᵀ = (S A⁻ᵀ)ᵀ (S A⁻ᵀ) / N`), using the structure
/// of `A`: block lower triangular, with one small (tridiagonal) block per item's thresholds and a
/// diagonal block for the correlations, whose rows reach only the thresholds of their two items.
/// Per row this is a few hundred operations instead of dense inverses and products of `A`.
///
/// # Errors
/// [`crate::error::Error::Singular`] when a threshold block or a correlation's information is
/// singular (the two-step Hessian has no inverse).
fn solve_scores(
    a: &Array2<f64>,
    mut s: Array2<f64>,
    off: &[usize],
    items: &[&Coded],
    pairs: &[(usize, usize)],
    nt: usize,
) -> Result<Array2<f64>> {
    let blocks: Vec<Array2<f64>> = items
        .iter()
        .enumerate()
        .map(|(v, it)| {
            let (o, k) = (off[v], it.tau.len());
            let block = Array2::from_shape_fn((k, k), |(r, c)| a[[o + r, o + c]]);
            linalg::inverse(block.view(), "two-step Hessian")
        })
        .collect::<Result<_>>()?;
    if (nt..nt + pairs.len()).any(|r| !(a[[r, r]].is_finite() && a[[r, r]] > 0.0)) {
        return Err(crate::error::Error::Singular { matrix: "two-step Hessian".into() });
    }
    let mut t = Vec::new();
    for mut row in s.rows_mut() {
        // thresholds: g_v = T_v⁻¹ s_v
        for (v, inv) in blocks.iter().enumerate() {
            let o = off[v];
            let k = inv.nrows();
            t.clear();
            t.extend((0..k).map(|r| (0..k).map(|c| inv[[r, c]] * row[o + c]).sum::<f64>()));
            for (r, &x) in t.iter().enumerate() {
                row[o + r] = x;
            }
        }
        // correlations: g_m = (s_m − C_m g_thresholds) / D_m
        for (m, &(i, j)) in pairs.iter().enumerate() {
            let r = nt + m;
            let mut x = row[r];
            for (base, k) in [(off[i], items[i].tau.len()), (off[j], items[j].tau.len())] {
                for c in base..base + k {
                    x -= a[[r, c]] * row[c];
                }
            }
            row[r] = x / a[[r, r]];
        }
    }
    Ok(s)
}

/// `∂P_ab/∂τ` for threshold k (0-based) of the row item (`side` 0) or the column item
/// (`side` 1).
fn cell_dtau(side: usize, k: usize, ra: usize, rb: usize, ca: &[f64], cb: &[f64], r: f64) -> f64 {
    // Threshold k is cut index k + 1 on its side.
    let (own, other, pos) = if side == 0 { (ca, cb, ra) } else { (cb, ca, rb) };
    let sign = if pos == k {
        1.0 // upper cut of the cell
    } else if pos == k + 1 {
        -1.0 // lower cut of the cell
    } else {
        return 0.0;
    };
    let x = own[k + 1];
    let opos = if side == 0 { rb } else { ra };
    let (hi, lo) = (other[opos + 1], other[opos]);
    sign * (dpbvn_dx(x, hi, r) - dpbvn_dx(x, lo, r))
}
