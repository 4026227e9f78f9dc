//! Iteratively reweighted least squares on a borrowed design (no copy of X per step).
//!
//! Every step solves the weighted least-squares problem `min ‖√W (z − X β)‖` of R's `glm.fit`.
//! One pass over the rows per step does all the per-row work: η = Xβ, μ, the deviance, and at
//! the new η the working response and weights and the cross-products `[X z]ᵀ W [X z]` that the
//! next step solves (blocks of rows through faer's matrix product, see [`super::cross`]). The
//! step solves the equilibrated normal equations by Cholesky when their condition number is at
//! most [`KAPPA_MAX`]: the step's error is then below 1e-9 relative, and the rank check of the
//! first step is implied (a column aliased at R's tolerance would need a condition number above
//! 10¹⁴). Otherwise the step is the streaming tall-skinny Householder QR of the solver
//! ([`stream_qr_scaled`]), as R's. The only per-fit memory proportional to n is a few vectors
//! (η, μ, two weight vectors) allocated once; chunk results are summed in chunk order, so the
//! result does not depend on the thread count.

use ndarray::Array2;
use rayon::prelude::*;

use super::GlmFamily;
use super::cross::{Cross, add_in_order, design_row_gather, identity_cols};
use crate::core::linalg::small;
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
    /// The linear predictor at `coef` (offset included).
    pub eta: Vec<f64>,
    /// The sandwich's middle matrix `Σ uᵢ² xᵢ xᵢᵀ` at `coef` (`p × p`, symmetric), when it was
    /// taken in the last pass (see [`Control::sandwich`]).
    pub meat: Option<Vec<f64>>,
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
    /// Take the sandwich's middle matrix in the last pass when it can be foreseen (the
    /// scores `uᵢ = wᵢ (yᵢ − μᵢ)/μ'(ηᵢ)` with the weights of the last step).
    pub sandwich: bool,
}

/// Relative Newton decrement below which the next pass is expected to be the last: the
/// decrement foresees the deviance change that pass will measure, and the convergence bound
/// (1e-14) is a factor 100 below.
const MEAT_BELOW: f64 = 1e-12;

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

/// Relative deviance change above which a step of an ill-conditioned problem (condition
/// number above [`KAPPA_MAX`]) may still solve the normal equations instead of the QR: far from
/// the optimum the step's rounding error (of order κ²ε) is corrected by the later steps, which
/// are QR steps, as are the first (rank check) and the last (covariance).
const GRAM_ABOVE: f64 = 1e-4;

/// Largest 1-norm condition number of the equilibrated `XᵀWX` whose Cholesky solve counts as
/// exact: the cross-products carry a rounding error of about 10⁻¹³ relative (blocked sums), so
/// the step is accurate to about 10⁻⁹ relative, and `√W X` (condition number at most 10²) has
/// no column within R's rank tolerance of the others.
const KAPPA_MAX: f64 = 1e4;

/// What one pass over the rows returns.
pub(super) struct Pass {
    /// Cross-products of `√w (x, z)`, `q × q` column-major (`q = p + 1`).
    pub cross: Vec<f64>,
    /// The deviance at `η` (0 when `η` was not recomputed).
    pub deviance: f64,
    /// With `meat_w`, `Σ uᵢ² xᵢ xᵢᵀ` (`p × p`, symmetric) for the scores
    /// `uᵢ = wᵢ⁰ (yᵢ − μᵢ)/μ'(ηᵢ)` at the new `η`, `wᵢ⁰` the given weights.
    pub meat: Option<Vec<f64>>,
}

/// One pass over the rows. With `coef`, first `η = Xβ (+ offset)` into `eta`; then at every
/// row `μ = g⁻¹(η)` into `mu`, the working weight into `w`, and the cross-products of
/// `√w (x, z)` (`q = p + 1` values, `z` the working response); with `meat_w`, also the
/// sandwich's middle matrix (see [`Pass::meat`]). Each design row is read once.
#[allow(clippy::too_many_arguments)]
fn row_pass(
    design: &Design<'_>,
    y: &[f64],
    offset: Option<&[f64]>,
    fam: GlmFamily,
    coef: Option<&[f64]>,
    eta: &mut [f64],
    mu: &mut [f64],
    w: &mut [f64],
    meat_w: Option<&[f64]>,
) -> Pass {
    let p = design.p();
    let q = p + 1;
    let off = usize::from(design.intercept);
    // The whole matrix in memory order when its rows are the design rows.
    let whole = if identity_cols(design) { design.x.as_slice() } else { None };
    let b0 = match coef {
        Some(b) if design.intercept => b[0],
        _ => 0.0,
    };
    let parts: Vec<(Vec<f64>, f64, Option<Vec<f64>>)> = eta
        .par_chunks_mut(CHUNK)
        .zip(mu.par_chunks_mut(CHUNK))
        .zip(w.par_chunks_mut(CHUNK))
        .enumerate()
        .map(|(ci, ((ec, mc), wc))| {
            let r0 = ci * CHUNK;
            let mut cross = Cross::new(q);
            let mut meat = meat_w.map(|_| Cross::new(p));
            // The design row without the intercept (gathered when the columns are a subset).
            let mut gathered = vec![0.0; p - off];
            let mut dev = 0.0;
            for j in 0..ec.len() {
                let i = r0 + j;
                let src: &[f64] = match whole {
                    Some(xs) => &xs[i * (p - off)..(i + 1) * (p - off)],
                    None => {
                        design_row_gather(design, i, &mut gathered);
                        &gathered
                    }
                };
                let o = offset.map_or(0.0, |o| o[i]);
                if let Some(b) = coef {
                    ec[j] = b0 + dot(src, &b[off..]) + o;
                }
                let e = ec[j];
                let (m, d) = fam.inv(e);
                mc[j] = m;
                let yi = y[i];
                if coef.is_some() {
                    dev += fam.unit_deviance(yi, m);
                }
                let wi = d * d / fam.variance(m);
                wc[j] = wi;
                let r = (yi - m) / d;
                if let (Some(mt), Some(w0)) = (meat.as_mut(), meat_w) {
                    let u = (r * w0[i]).abs();
                    let row = mt.next_row();
                    if design.intercept {
                        row[0] = u;
                    }
                    for (t, &v) in row[off..].iter_mut().zip(src) {
                        *t = u * v;
                    }
                }
                let s = wi.sqrt();
                let row = cross.next_row();
                if design.intercept {
                    row[0] = s;
                }
                for (t, &v) in row[off..p].iter_mut().zip(src) {
                    *t = s * v;
                }
                row[p] = s * (e - o + r);
            }
            (cross.finish(), dev, meat.map(Cross::finish))
        })
        .collect();
    let deviance = parts.iter().map(|(_, d, _)| d).sum();
    let meat = meat_w
        .map(|_| add_in_order(parts.iter().filter_map(|(_, _, m)| m.clone()).collect(), p * p));
    let cross = add_in_order(parts.into_iter().map(|(g, _, _)| g).collect(), q * q);
    Pass { cross, deviance, meat }
}

/// `Σ aₖ bₖ` in four interleaved partial sums.
#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let mut ca = a.chunks_exact(4);
    let mut cb = b.chunks_exact(4);
    for (x, y) in (&mut ca).zip(&mut cb) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let tail: f64 = ca.remainder().iter().zip(cb.remainder()).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// The Newton decrement `Δᵀ (XᵀWX) Δ` at `coef`, from the cross-products `cross` taken at its
/// `η` (layout of [`row_pass`]): `Δ` is the next step, and the
/// decrement is the deviance decrease that step would bring to second order, a foresight of
/// the deviance change the next pass will measure. Infinite when the step cannot be solved
/// accurately (see [`KAPPA_MAX`]).
fn newton_decrement(cross: &[f64], coef: &[f64], p: usize) -> f64 {
    let q = p + 1;
    let Some(s) = gram_step(cross, p).filter(|s| s.kappa <= KAPPA_MAX) else {
        return f64::INFINITY;
    };
    let delta: Vec<f64> = s.coef.iter().zip(coef).map(|(a, b)| a - b).collect();
    let mut dec = 0.0;
    for a in 0..p {
        for b in 0..p {
            dec += delta[a] * delta[b] * cross[a.min(b) * q + a.max(b)];
        }
    }
    dec.abs()
}

/// A step from the normal equations.
struct GramStep {
    coef: Vec<f64>,
    /// `(XᵀWX)⁻¹`, row-major.
    cov: Vec<f64>,
    /// 1-norm condition number of the equilibrated `XᵀWX`.
    kappa: f64,
}

/// Solve the normal equations held in the cross-products `cross` (`q × q`, column-major,
/// `q = p + 1`, the last column `XᵀWz`) after scaling `XᵀWX` to a unit diagonal. `None` when a
/// value is not finite or the scaled matrix is not numerically positive definite.
fn gram_step(cross: &[f64], p: usize) -> Option<GramStep> {
    let q = p + 1;
    let at = |a: usize, b: usize| cross[b * q + a];
    let mut d = vec![0.0; p];
    for (k, dk) in d.iter_mut().enumerate() {
        let g = at(k, k);
        if !(g > 0.0 && g.is_finite()) {
            return None;
        }
        *dk = 1.0 / g.sqrt();
    }
    let mut h = vec![0.0; p * p];
    for a in 0..p {
        for b in 0..p {
            h[a * p + b] = at(a.max(b), a.min(b)) * d[a] * d[b];
        }
    }
    let mut rhs: Vec<f64> = (0..p).map(|a| at(a, p) * d[a]).collect();
    if h.iter().chain(&rhs).any(|v| !v.is_finite()) {
        return None;
    }
    let mut l = h.clone();
    if !small::cholesky_in_place(&mut l, p) {
        return None;
    }
    let mut hinv = vec![0.0; p * p];
    let mut t = vec![0.0; p * p];
    small::chol_inverse(&l, p, &mut hinv, &mut t);
    let norm1 = |m: &[f64]| {
        (0..p).map(|b| (0..p).map(|a| m[a * p + b].abs()).sum::<f64>()).fold(0.0, f64::max)
    };
    let kappa = norm1(&h) * norm1(&hinv);
    small::chol_solve(&l, p, &mut rhs, 1);
    let coef: Vec<f64> = rhs.iter().zip(&d).map(|(v, s)| v * s).collect();
    let cov: Vec<f64> = (0..p * p).map(|k| hinv[k] * d[k / p] * d[k % p]).collect();
    (kappa.is_finite() && coef.iter().chain(&cov).all(|v| v.is_finite())).then_some(GramStep {
        coef,
        cov,
        kappa,
    })
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
    // The weights of the step being taken, and those at the η the step produces.
    let mut weights = vec![0.0; n];
    let mut w_next = vec![0.0; n];
    let mut dev_old = f64::INFINITY;
    let mut coef = vec![0.0; p];
    // The coefficients the current step starts from, for step halving (from the second step).
    let mut prev: Option<Vec<f64>> = None;
    let mut converged = false;
    let mut iterations = 0;
    let mut cov = vec![0.0; p * p];
    // Relative deviance change of the previous step, and whether the last step was exact
    // (a well-conditioned normal-equation step or a QR step).
    let mut change = f64::INFINITY;
    // Cross-products at the current η, when the last pass computed them.
    let mut pending: Option<Vec<f64>> = None;
    // Relative Newton decrement at the current coefficients (see [`newton_decrement`]).
    let mut decrement = f64::INFINITY;
    let mut meat = None;
    for it in 1..=ctl.max_iter {
        iterations = it;
        let cross = match pending.take() {
            Some(c) => c,
            None => {
                row_pass(design, y, offset, fam, None, &mut eta, &mut mu, &mut weights, None).cross
            }
        };
        let step = if p > 0 { gram_step(&cross, p) } else { None };
        let exact = step.as_ref().is_some_and(|s| s.kappa <= KAPPA_MAX);
        let last_exact = match step {
            Some(s) if exact || (it > 1 && change > GRAM_ABOVE) => {
                coef.copy_from_slice(&s.coef);
                if exact {
                    cov = s.cov;
                }
                exact
            }
            _ => {
                qr_step(design, y, offset, fam, &eta, &mu, it, ctl.names, &mut coef, &mut cov)?;
                true
            }
        };
        // The sandwich's middle matrix is taken in the same pass when this step is likely the
        // last: the previous one was already within [`MEAT_BELOW`] of the optimum.
        let meat_w = (ctl.sandwich && last_exact && decrement < MEAT_BELOW).then_some(&weights[..]);
        let pass =
            row_pass(design, y, offset, fam, Some(&coef), &mut eta, &mut mu, &mut w_next, meat_w);
        let next = pass.cross;
        let mut dev = pass.deviance;
        let mut halved = false;
        if let Some(pc) = prev.as_mut() {
            let mut h = 0;
            while !(dev.is_finite() && dev <= dev_old * (1.0 + 4.0 * f64::EPSILON))
                && h < MAX_HALVINGS
            {
                h += 1;
                halved = true;
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
        dev_old = dev;
        let dec = if halved || p == 0 { f64::INFINITY } else { newton_decrement(&next, &coef, p) };
        decrement = dec / (dev.abs() + 0.1);
        if change < ctl.tol && last_exact {
            converged = true;
            if !halved {
                meat = pass.meat;
            }
            break;
        }
        if !halved {
            std::mem::swap(&mut weights, &mut w_next);
            pending = Some(next);
        }
    }
    let cov = Array2::from_shape_vec((p, p), cov).unwrap_or_else(|_| Array2::zeros((p, p)));
    Ok(Irls { coef, mu, deviance: dev_old, iterations, converged, cov, weights, eta, meat })
}

/// A QR step (R's): the working response and weights at `eta`, `mu`, the streaming QR of
/// `√W [X z]`, the rank check at the first step, the coefficients and `(XᵀWX)⁻¹` (row-major).
#[allow(clippy::too_many_arguments)]
fn qr_step(
    design: &Design<'_>,
    y: &[f64],
    offset: Option<&[f64]>,
    fam: GlmFamily,
    eta: &[f64],
    mu: &[f64],
    it: usize,
    names: &[String],
    coef: &mut [f64],
    cov: &mut [f64],
) -> Result<()> {
    let n = y.len();
    let p = design.p();
    let mut z = vec![0.0; n];
    let mut sw = vec![0.0; n];
    z.par_chunks_mut(CHUNK).zip(sw.par_chunks_mut(CHUNK)).enumerate().for_each(|(ci, (zc, sc))| {
        let r0 = ci * CHUNK;
        for j in 0..zc.len() {
            let i = r0 + j;
            let (_, d) = fam.inv(eta[i]);
            let var = fam.variance(mu[i]);
            let o = offset.map_or(0.0, |o| o[i]);
            zc[j] = eta[i] - o + (y[i] - mu[i]) / d;
            sc[j] = (d * d / var).sqrt();
        }
    });
    let tri = stream_qr_scaled(design, Some(&z), Some(&sw))
        .ok_or_else(|| Error::NonFinite { what: "design or IRLS working response".into() })?;
    if it == 1 {
        let (_, aliased) = tri.aliased(RANK_TOL);
        if !aliased.is_empty() {
            return Err(Error::RankDeficient {
                aliased: aliased.iter().map(|&k| names[k].clone()).collect(),
            });
        }
    }
    let (mut qv, _) = tri.qty().unwrap_or_default();
    tri.solve_r(&mut qv);
    for k in 0..p {
        coef[k] = qv[k] * tri.scale[k];
    }
    // (XᵀWX)⁻¹ = D R⁻¹ R⁻ᵀ D for the equilibrated factor A = √W X D = Q R.
    let rinv = tri.r_inverse();
    for i in 0..p {
        for j in 0..p {
            let s: f64 = (i.max(j)..p).map(|k| rinv[i * p + k] * rinv[j * p + k]).sum();
            cov[i * p + j] = s * tri.scale[i] * tri.scale[j];
        }
    }
    Ok(())
}
