//! Ordered probit regression of one ordinal item on covariates, by maximum likelihood: the
//! first stage of the conditional (residual) polychoric correlations.
//!
//! ```text
//! y* = xᵀβ + ε,  ε ~ N(0, 1),   y = c  ⇔  τ_{c−1} < y* ≤ τ_c   (τ_0 = −∞, τ_K = +∞)
//! P(y = c | x) = Φ(τ_c − xᵀβ) − Φ(τ_{c−1} − xᵀβ)
//! ∂ log P/∂τ_c = φ(τ_c − xᵀβ)/P,  ∂ log P/∂τ_{c−1} = −φ(τ_{c−1} − xᵀβ)/P
//! ∂ log P/∂β = −x [φ(τ_c − xᵀβ) − φ(τ_{c−1} − xᵀβ)]/P
//! ```
//!
//! The covariates enter as given (not centred), so the thresholds are those at x = 0, as
//! lavaan's `lavInspect(fit, "sampstat")$th` with `conditional.x = TRUE`. Maximisation is by
//! Fisher scoring with the expected information Σ_i Σ_c ∇P_ic ∇P_icᵀ / P_ic.
//!
//! # References
//! McCullagh, P. (1980). Regression models for ordinal data. *JRSS B*, 42, 109–142.

use ndarray::Array2;

use super::bvn::dnorm;
use super::pair;
use crate::core::dist::pnorm;
use crate::core::linalg::small;
use crate::core::optim::{self, Outcome, Problem};
use crate::error::{Error, Result};

/// Smallest cell probability a fitted row may have before the fit is declared degenerate.
const P_FLOOR: f64 = 1e-300;

/// A fitted ordered probit regression.
#[derive(Debug, Clone)]
pub(crate) struct ProbitFit {
    /// Thresholds τ_1 < … < τ_{K−1}.
    pub tau: Vec<f64>,
    /// Slopes β, one per covariate.
    pub beta: Vec<f64>,
    /// Per-row scores ∂ log P_i/∂(τ, β) (n × (K − 1 + #covariates)).
    pub scores: Array2<f64>,
}

/// The likelihood: codes (0-based, `k` categories) and covariates (rows); its value is
/// −(1/N) log L.
pub(crate) struct Lik<'a> {
    y: &'a [usize],
    x: &'a Array2<f64>,
    k: usize,
}

impl<'a> Lik<'a> {
    /// The likelihood of `y` (0-based codes, `k` categories) given the covariates `x`.
    pub(crate) fn new(y: &'a [usize], k: usize, x: &'a Array2<f64>) -> Self {
        Lik { y, x, k }
    }

    /// Lower and upper standardised bounds of row `i` at θ = (τ, β).
    fn bounds(&self, th: &[f64], i: usize) -> (f64, f64) {
        let nt = self.k - 1;
        let eta: f64 = self.x.row(i).iter().zip(&th[nt..]).map(|(a, b)| a * b).sum();
        let c = self.y[i];
        let lo = if c == 0 { f64::NEG_INFINITY } else { th[c - 1] - eta };
        let hi = if c == nt { f64::INFINITY } else { th[c] - eta };
        (lo, hi)
    }

    /// Per-row scores at θ (or `None` if a row has probability zero).
    fn scores(&self, th: &[f64]) -> Option<Array2<f64>> {
        let nt = self.k - 1;
        let n = self.y.len();
        let mut s = Array2::zeros((n, th.len()));
        for i in 0..n {
            let (lo, hi) = self.bounds(th, i);
            let p = pnorm(hi) - pnorm(lo);
            if !(p > P_FLOOR) {
                return None;
            }
            let (dl, dh) = (dnorm(lo), dnorm(hi));
            let c = self.y[i];
            if c < nt {
                s[[i, c]] += dh / p;
            }
            if c > 0 {
                s[[i, c - 1]] -= dl / p;
            }
            for (r, xv) in self.x.row(i).iter().enumerate() {
                s[[i, nt + r]] = -xv * (dh - dl) / p;
            }
        }
        Some(s)
    }
}

impl Problem for Lik<'_> {
    fn value(&mut self, th: &[f64]) -> Option<f64> {
        let nt = self.k - 1;
        if (1..nt).any(|k| !(th[k] > th[k - 1])) {
            return None;
        }
        let mut ll = 0.0;
        for i in 0..self.y.len() {
            let (lo, hi) = self.bounds(th, i);
            let p = pnorm(hi) - pnorm(lo);
            if !(p > P_FLOOR) {
                return None;
            }
            ll += p.ln();
        }
        Some(-ll / self.y.len() as f64)
    }
    fn gradient(&mut self, th: &[f64], g: &mut [f64]) -> bool {
        let Some(s) = self.scores(th) else { return false };
        let n = self.y.len() as f64;
        for (j, o) in g.iter_mut().enumerate() {
            *o = -s.column(j).sum() / n;
        }
        true
    }
    fn information(&mut self, th: &[f64], h: &mut [f64]) -> bool {
        // expected information: Σ_i Σ_c ∇P_ic ∇P_icᵀ / P_ic
        let nt = self.k - 1;
        let q = th.len();
        let nx = q - nt;
        h.iter_mut().for_each(|v| *v = 0.0);
        let mut grad = vec![0.0; q];
        for i in 0..self.y.len() {
            let eta: f64 = self.x.row(i).iter().zip(&th[nt..]).map(|(a, b)| a * b).sum();
            for c in 0..self.k {
                let lo = if c == 0 { f64::NEG_INFINITY } else { th[c - 1] - eta };
                let hi = if c == nt { f64::INFINITY } else { th[c] - eta };
                let p = pnorm(hi) - pnorm(lo);
                if !(p > P_FLOOR) {
                    continue;
                }
                let (dl, dh) = (dnorm(lo), dnorm(hi));
                grad.iter_mut().for_each(|v| *v = 0.0);
                if c < nt {
                    grad[c] += dh;
                }
                if c > 0 {
                    grad[c - 1] -= dl;
                }
                for r in 0..nx {
                    grad[nt + r] = -self.x[[i, r]] * (dh - dl);
                }
                for a in 0..q {
                    if grad[a] == 0.0 {
                        continue;
                    }
                    for b in 0..q {
                        h[a * q + b] += grad[a] * grad[b] / p;
                    }
                }
            }
        }
        let n = self.y.len() as f64;
        h.iter_mut().for_each(|v| *v /= n);
        true
    }
}

/// Fit the ordered probit regression of `y` (0-based codes, `k` ≥ 2 categories, all observed)
/// on the covariates `x` (rows = observations, columns = covariates; checked by the caller to
/// vary and not be collinear). `name` names the item in errors.
///
/// # Errors
/// [`Error::NotConverged`] when the likelihood has no finite maximum (a category is predicted
/// perfectly by the covariates) or the iterations run out.
pub(crate) fn fit(y: &[usize], k: usize, x: &Array2<f64>, name: &str) -> Result<ProbitFit> {
    let n = y.len();
    let mut freq = vec![0.0; k];
    for &c in y {
        freq[c] += 1.0;
    }
    let nt = k - 1;
    // fitted on centred covariates (well conditioned), then τ = τ_c + x̄ᵀβ
    let mean: Vec<f64> = (0..x.ncols()).map(|r| x.column(r).sum() / n as f64).collect();
    let xc = Array2::from_shape_fn(x.dim(), |(i, r)| x[[i, r]] - mean[r]);
    let mut th0 = pair::thresholds(&freq, n as f64);
    th0.resize(nt + x.ncols(), 0.0);
    let mut lik = Lik::new(y, k, &xc);
    let opts = optim::Options { max_iter: 500, ..optim::Options::default() };
    let out = optim::scoring(&mut lik, &th0, &opts);
    let finite = out.x.iter().all(|v| v.is_finite() && v.abs() < 1e6);
    if !out.converged || !finite {
        return Err(Error::NotConverged {
            what: format!(
                "probit regression of `{name}` on the covariates ({}; a category may be predicted perfectly by the covariates)",
                out.reason()
            ),
            iterations: out.iterations,
        });
    }
    // scoring stops once the predicted decrease reaches the rounding level of the objective;
    // a few undamped scoring steps bring the score itself to its rounding level
    let mut est = out.x.clone();
    let q = est.len();
    let (mut g, mut h) = (vec![0.0; q], vec![0.0; q * q]);
    for _ in 0..20 {
        if !(lik.gradient(&est, &mut g) && lik.information(&est, &mut h)) {
            break;
        }
        if !small::cholesky_in_place(&mut h, q) {
            break;
        }
        small::chol_solve(&h, q, &mut g, 1);
        let trial: Vec<f64> = est.iter().zip(&g).map(|(a, d)| a - d).collect();
        if lik.value(&trial).is_none() {
            break;
        }
        let step = optim::max_abs(&g);
        est = trial;
        if step < 1e-14 {
            break;
        }
    }
    let out = Outcome { x: est, ..out };
    let shift: f64 = mean.iter().zip(&out.x[nt..]).map(|(m, b)| m * b).sum();
    let mut est = out.x.clone();
    for t in &mut est[..nt] {
        *t += shift;
    }
    let lik = Lik::new(y, k, x);
    let scores = lik.scores(&est).ok_or_else(|| Error::NotConverged {
        what: format!(
            "probit regression of `{name}` on the covariates (a fitted probability is zero)"
        ),
        iterations: out.iterations,
    })?;
    let out = Outcome { x: est, ..out };
    Ok(ProbitFit { tau: out.x[..nt].to_vec(), beta: out.x[nt..].to_vec(), scores })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_sum_to_zero_at_the_maximum() {
        // a small ordered outcome rising with x
        let xs = [-1.5, -1.0, -0.5, 0.0, 0.3, 0.6, 1.0, 1.4, 2.0, -0.2, 0.8, -0.7];
        let y = [0, 0, 1, 0, 1, 2, 1, 2, 2, 1, 2, 0];
        let x = Array2::from_shape_fn((xs.len(), 1), |(i, _)| xs[i]);
        let f = fit(&y, 3, &x, "y").unwrap();
        assert!(f.beta[0] > 0.0);
        for j in 0..3 {
            assert!(f.scores.column(j).sum().abs() < 1e-8);
        }
    }
}
