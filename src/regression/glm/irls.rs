//! Iteratively reweighted least squares on a borrowed design (no copy of X per step).
//!
//! Every step solves the weighted least-squares problem `min ‖√W (z − X β)‖` of R's `glm.fit`
//! by the streaming tall-skinny Householder QR of the solver ([`stream_qr_scaled`]): the rows
//! of `[X z]` are copied leaf by leaf into a cache-resident buffer, scaled by `√wᵢ` there and
//! factored (groups of leaves in parallel). The only per-fit memory proportional to n is five
//! vectors (η, μ, z, √w, w) allocated once and reused across steps; the per-row work (working
//! response and weights, η = Xβ, deviance) runs over fixed chunks of rows in parallel, with
//! chunk results summed in chunk order so the result does not depend on the thread count.

use ndarray::Array2;
use rayon::prelude::*;

use super::GlmFamily;
use crate::error::{Error, Result};
use crate::regression::solver::{Design, RANK_TOL, UpperFactor, stream_qr_scaled};

/// Rows per parallel chunk of the element-wise passes.
const CHUNK: usize = 16_384;

/// The converged (or last) IRLS step.
pub(super) struct Irls {
    pub coef: Vec<f64>,
    pub mu: Vec<f64>,
    pub deviance: f64,
    pub iterations: usize,
    pub converged: bool,
    /// `(XᵀWX)⁻¹` at the weights of the last step.
    pub cov: Array2<f64>,
    /// The working weights `w = μ'(η)²/V(μ)` of the last step (at the η it started from).
    pub weights: Vec<f64>,
}

/// Controls of one IRLS run.
pub(super) struct Control<'a> {
    pub family: GlmFamily,
    pub max_iter: usize,
    pub tol: f64,
    /// Design column names (intercept first when present), for the rank error.
    pub names: &'a [String],
    /// A known part of the linear predictor, `η = offset + X β` (R's `offset`).
    pub offset: Option<&'a [f64]>,
    /// Halve a step that raises the deviance (up to [`MAX_HALVINGS`] times) towards the
    /// previous coefficients, as the `glm2` package does, so that a fit with a large offset (a
    /// profile refit) cannot stall in the saturated region of the link. Off for the model fit
    /// itself, which follows R's `glm.fit` step for step.
    pub halving: bool,
}

/// Step halvings per IRLS iteration (with [`Control::halving`]).
const MAX_HALVINGS: usize = 60;

/// `η = X β` into `eta` (parallel over row chunks).
pub(super) fn linear_predictor(design: &Design<'_>, coef: &[f64], eta: &mut [f64]) {
    let off = usize::from(design.intercept);
    let b0 = if design.intercept { coef[0] } else { 0.0 };
    // Coefficients over all columns of the borrowed matrix (0 for columns not in the design).
    let mut full = vec![0.0; design.x.ncols()];
    for (k, &c) in design.cols.iter().enumerate() {
        full[c] += coef[off + k];
    }
    let x = &design.x;
    eta.par_chunks_mut(CHUNK).enumerate().for_each(|(ci, out)| {
        let r0 = ci * CHUNK;
        for (j, e) in out.iter_mut().enumerate() {
            let row = x.row(r0 + j);
            *e = b0
                + match row.as_slice() {
                    Some(s) => s.iter().zip(&full).map(|(a, b)| a * b).sum::<f64>(),
                    None => row.iter().zip(&full).map(|(a, b)| a * b).sum::<f64>(),
                };
        }
    });
}

/// `η ← η + offset`.
fn add_offset(eta: &mut [f64], offset: Option<&[f64]>) {
    if let Some(o) = offset {
        eta.par_iter_mut().zip(o.par_iter()).for_each(|(e, &v)| *e += v);
    }
}

/// `Σ f(i)` over `0..n` in fixed chunks (parallel), the chunk sums added in chunk order.
pub(super) fn chunked_sum(n: usize, f: impl Fn(usize) -> f64 + Sync) -> f64 {
    let k = n.div_ceil(CHUNK);
    let parts: Vec<f64> = (0..k)
        .into_par_iter()
        .map(|c| (c * CHUNK..((c + 1) * CHUNK).min(n)).map(&f).sum::<f64>())
        .collect();
    parts.iter().sum()
}

/// Relative deviance change above which a step solves the normal equations `XᵀWX b = XᵀWz`
/// (one pass of cross-products, about a quarter of the QR's arithmetic) instead of the QR: far
/// from the optimum the step's rounding error (of order κ²ε) is corrected by the later steps,
/// which are QR steps, as are the first (rank check) and the last (covariance).
const GRAM_ABOVE: f64 = 1e-4;

/// `XᵀWX` (lower triangle, row-major p×p) followed by `XᵀWz` (p), summed over fixed chunks of
/// rows (in parallel) in chunk order, so the result does not depend on the thread count.
fn weighted_gram(design: &Design<'_>, z: &[f64], w: &[f64]) -> Vec<f64> {
    let n = design.n();
    let p = design.p();
    let k = n.div_ceil(CHUNK);
    let parts: Vec<Vec<f64>> = (0..k)
        .into_par_iter()
        .map(|c| {
            let mut acc = vec![0.0; p * p + p];
            let (g, r) = acc.split_at_mut(p * p);
            let mut row = vec![0.0; p];
            for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                for (kk, v) in row.iter_mut().enumerate() {
                    *v = design.at(i, kk);
                }
                let wi = w[i];
                for a in 0..p {
                    let wa = wi * row[a];
                    r[a] += wa * z[i];
                    for (gv, &xb) in g[a * p..a * p + a + 1].iter_mut().zip(&row[..=a]) {
                        *gv += wa * xb;
                    }
                }
            }
            acc
        })
        .collect();
    let mut out = vec![0.0; p * p + p];
    for part in &parts {
        for (o, v) in out.iter_mut().zip(part) {
            *o += v;
        }
    }
    out
}

/// Fit by IRLS. The rank of the design is checked at the first step.
///
/// # Errors
/// [`Error::RankDeficient`] for aliased columns; [`Error::NonFinite`] for a non-finite design
/// value; [`Error::NotConverged`] when the deviance becomes non-finite.
pub(super) fn irls(design: &Design<'_>, y: &[f64], ctl: &Control<'_>) -> Result<Irls> {
    let fam = ctl.family;
    let n = y.len();
    let p = design.p();
    let mut eta = vec![0.0; n];
    let mut mu = vec![0.0; n];
    let offset = ctl.offset.filter(|o| o.len() == n);
    // R's `mustart`: (y + ½)/2 for the binomial, y + 0.1 for the Poisson (the offset is not
    // part of the start, as in `glm.fit`).
    eta.par_iter_mut().zip(y.par_iter()).for_each(|(e, &v)| {
        *e = fam.link(if fam.binomial() { (v + 0.5) / 2.0 } else { v + 0.1 });
    });
    mu.par_iter_mut().zip(eta.par_iter()).for_each(|(m, &e)| *m = fam.inv(e).0);
    let mut z = vec![0.0; n];
    let mut sw = vec![0.0; n];
    let mut weights = vec![0.0; n];
    let mut dev_old = f64::INFINITY;
    let mut coef = vec![0.0; p];
    // The coefficients the current step starts from, for step halving (from the second step).
    let mut prev: Option<Vec<f64>> = None;
    let mut converged = false;
    let mut iterations = 0;
    let mut rinv = vec![0.0; p * p];
    let mut scale = vec![1.0; p];
    // Relative deviance change of the previous step, and whether the last step was a QR step.
    let mut change = f64::INFINITY;
    let mut last_qr;
    for it in 1..=ctl.max_iter {
        iterations = it;
        // Working response and weights at the current η.
        z.par_chunks_mut(CHUNK)
            .zip(sw.par_chunks_mut(CHUNK))
            .zip(weights.par_chunks_mut(CHUNK))
            .enumerate()
            .for_each(|(ci, ((zc, sc), wc))| {
                let r0 = ci * CHUNK;
                for j in 0..zc.len() {
                    let i = r0 + j;
                    let (_, d) = fam.inv(eta[i]);
                    let var = fam.variance(mu[i]);
                    let o = offset.map_or(0.0, |o| o[i]);
                    zc[j] = eta[i] - o + (y[i] - mu[i]) / d;
                    wc[j] = d * d / var;
                    sc[j] = wc[j].sqrt();
                }
            });
        let mut gram_step = false;
        if it > 1 && change > GRAM_ABOVE && p > 0 {
            let mut gr = weighted_gram(design, &z, &weights);
            let (g, r) = gr.split_at_mut(p * p);
            if crate::core::linalg::small::cholesky_in_place(g, p) {
                crate::core::linalg::small::chol_solve(g, p, r, 1);
                if r.iter().all(|v| v.is_finite()) {
                    coef.copy_from_slice(r);
                    gram_step = true;
                }
            }
        }
        if !gram_step {
            let tri = stream_qr_scaled(design, Some(&z), Some(&sw)).ok_or_else(|| {
                Error::NonFinite { what: "design or IRLS working response".into() }
            })?;
            if it == 1 {
                let (_, aliased) = tri.aliased(RANK_TOL);
                if !aliased.is_empty() {
                    return Err(Error::RankDeficient {
                        aliased: aliased.iter().map(|&k| ctl.names[k].clone()).collect(),
                    });
                }
            }
            let (mut q, _) = tri.qty().unwrap_or_default();
            tri.solve_r(&mut q);
            for k in 0..p {
                coef[k] = q[k] * tri.scale[k];
            }
            rinv = tri.r_inverse();
            scale.clone_from(&tri.scale);
        }
        last_qr = !gram_step;
        linear_predictor(design, &coef, &mut eta);
        add_offset(&mut eta, offset);
        mu.par_iter_mut().zip(eta.par_iter()).for_each(|(m, &e)| *m = fam.inv(e).0);
        let mut dev = chunked_sum(n, |i| fam.unit_deviance(y[i], mu[i]));
        if let Some(pc) = prev.as_mut() {
            let mut h = 0;
            while !(dev.is_finite() && dev <= dev_old * (1.0 + 4.0 * f64::EPSILON))
                && h < MAX_HALVINGS
            {
                h += 1;
                for (c, &q) in coef.iter_mut().zip(pc.iter()) {
                    *c = 0.5 * (*c + q);
                }
                linear_predictor(design, &coef, &mut eta);
                add_offset(&mut eta, offset);
                mu.par_iter_mut().zip(eta.par_iter()).for_each(|(m, &e)| *m = fam.inv(e).0);
                dev = chunked_sum(n, |i| fam.unit_deviance(y[i], mu[i]));
            }
            pc.clone_from(&coef);
        } else if ctl.halving && dev.is_finite() {
            prev = Some(coef.clone());
        }
        if !dev.is_finite() {
            return Err(Error::NotConverged {
                what: "IRLS (the deviance became non-finite)".into(),
                iterations: it,
            });
        }
        change = (dev - dev_old).abs() / (dev.abs() + 0.1);
        if change < ctl.tol && last_qr {
            converged = true;
            dev_old = dev;
            break;
        }
        dev_old = dev;
    }
    // (XᵀWX)⁻¹ = D R⁻¹ R⁻ᵀ D for the equilibrated factor A = √W X D = Q R.
    let cov = Array2::from_shape_fn((p, p), |(i, j)| {
        let s: f64 = (i.max(j)..p).map(|k| rinv[i * p + k] * rinv[j * p + k]).sum();
        s * scale[i] * scale[j]
    });
    Ok(Irls { coef, mu, deviance: dev_old, iterations, converged, cov, weights })
}
