//! MLR with full-information ML (lavaan `estimator = "MLR", missing = "ml"`): Huber–White SEs
//! from the case-wise scores of the observed-data likelihood and the Yuan–Bentler scaled χ².
//!
//! ```text
//! s_i(μ, Σ) = ∂ℓ_i/∂(μ, vech Σ):  μ_o: Σ_oo⁻¹ d_o,   σ_jk: (2 − δ_jk) · ½ (Σ_oo⁻¹ d_o d_oᵀ Σ_oo⁻¹ − Σ_oo⁻¹)_jk
//! B(μ, Σ) = (1/N) Σ_i s_i s_iᵀ,   B₀ = Jᵀ B(μ̂, Σ̂) J,   V = H⁻¹ B₀ H⁻¹ / N
//! c = [tr(A₁⁻¹ B(m̃, S̃)) − tr(B₀ H⁻¹)] / df
//! ```
//!
//! d_o = x_o − μ_o over case i's observed variables o, J = ∂(μ, vech Σ)/∂θᵀ, H the observed
//! information, A₁ the observed information of the saturated model at the EM moments (m̃, S̃).
//! The baseline uses the independence model's FIML estimates (available-case means and
//! variances), its Jacobian (unit columns) and its observed information.

use ndarray::{Array1, Array2};

use super::test;
use crate::core::linalg;
use crate::error::Result;
use crate::missing::MissingPatterns;

/// Inputs of the FIML robust layer; information matrices are per observation.
pub(crate) struct FimlInputs<'a> {
    pub pats: &'a MissingPatterns,
    /// The rows the patterns index (one column per model variable).
    pub x: &'a Array2<f64>,
    pub vech: &'a [(usize, usize)],
    /// J = ∂(μ, vech Σ)/∂θᵀ at θ̂ ((p + p*) × q).
    pub jac: &'a Array2<f64>,
    pub mu: &'a Array1<f64>,
    pub sigma: &'a Array2<f64>,
    pub em_mean: &'a Array1<f64>,
    pub em_cov: &'a Array2<f64>,
    pub indep_mean: &'a Array1<f64>,
    /// The independence model's covariance: its variances, and the fixed covariates' block.
    pub indep_cov: &'a Array2<f64>,
    /// Columns of the fixed covariates (their moments are left out of the h1 part).
    pub ix: &'a [usize],
    /// Observed information of the saturated model at the EM moments.
    pub h1_info: &'a Array2<f64>,
    /// Observed information of the saturated model at the independence model's moments.
    pub base_info: &'a Array2<f64>,
    /// Inverse observed information of the model.
    pub info_inv: &'a Array2<f64>,
    pub chisq: f64,
    pub df: f64,
    pub base_chisq: f64,
    pub base_df: f64,
    /// The number of free rows of the parameter table: the divisor of `scaling.factor.h0`.
    pub npar: f64,
}

/// (1/N) Σ s_i s_iᵀ of the case-wise scores at (`mean`, `cov`); `None` for a singular block.
pub(crate) fn score_crossproduct(
    pats: &MissingPatterns,
    x: &Array2<f64>,
    mean: &Array1<f64>,
    cov: &Array2<f64>,
    vech: &[(usize, usize)],
) -> Option<Array2<f64>> {
    let p = mean.len();
    let dim = p + vech.len();
    let mut scores = Array2::<f64>::zeros((pats.n_obs(), dim));
    let mut row = 0;
    for pat in pats.patterns() {
        let o = pat.observed();
        let q = o.len();
        let mut pos = vec![usize::MAX; p];
        for (a, &j) in o.iter().enumerate() {
            pos[j] = a;
        }
        let sub = Array2::from_shape_fn((q, q), |(a, b)| cov[[o[a], o[b]]]);
        let (w, _) = linalg::small::spd_inverse_logdet(&sub)?;
        for &i in pat.rows() {
            let d = Array1::from_iter((0..q).map(|a| x[[i, o[a]]] - mean[o[a]]));
            let a = w.dot(&d);
            for (u, &j) in o.iter().enumerate() {
                scores[[row, j]] = a[u];
            }
            for (r, &(j, k)) in vech.iter().enumerate() {
                let (u, v) = (pos[j], pos[k]);
                if u == usize::MAX || v == usize::MAX {
                    continue;
                }
                let g = 0.5 * (a[u] * a[v] - w[[u, v]]);
                scores[[row, p + r]] = if j == k { g } else { 2.0 * g };
            }
            row += 1;
        }
    }
    let mut b = linalg::crossprod(scores.view());
    b /= pats.n_obs() as f64;
    Some(b)
}

/// Robust covariance and the scaled-test measures (lavaan's `.scaled` names and the scaling
/// factors); `None` when a covariance block is singular.
pub(crate) fn mlr_fiml(inp: &FimlInputs<'_>) -> Result<Option<super::Robust>> {
    let n = inp.pats.n_obs() as f64;
    let p = inp.mu.len();
    let Some(b_model) = score_crossproduct(inp.pats, inp.x, inp.mu, inp.sigma, inp.vech) else {
        return Ok(None);
    };
    let b0 = linalg::matmul(inp.jac.t(), linalg::matmul(b_model.view(), inp.jac.view()).view());
    let vcov = super::sandwich::sandwich(inp.info_inv, &b0, n);
    let Some(b_h1) = score_crossproduct(inp.pats, inp.x, inp.em_mean, inp.em_cov, inp.vech) else {
        return Ok(None);
    };
    let sel = crate::sem::fiml::model_moments(p, inp.vech, inp.ix);
    let sub = |m: &Array2<f64>| crate::sem::fiml::submatrix(m, &sel);
    let a1_inv = linalg::spd_inverse(sub(inp.h1_info).view(), "saturated information")?;
    let th1 = test::trace_sym(&a1_inv, &sub(&b_h1));
    let th0 = test::trace_sym(&b0, inp.info_inv);
    // the independence model: means and variances, linear in its moments
    // (means and variances of the variables that are not fixed covariates)
    let dim = sel.len();
    let ys: Vec<usize> = (0..p).filter(|j| !inp.ix.contains(j)).collect();
    let mut jb = Array2::<f64>::zeros((p + inp.vech.len(), 2 * ys.len()));
    for (c, &j) in ys.iter().enumerate() {
        jb[[j, c]] = 1.0;
        if let Some(r) = inp.vech.iter().position(|&v| v == (j, j)) {
            jb[[p + r, ys.len() + c]] = 1.0;
        }
    }
    let Some(b_base) = score_crossproduct(inp.pats, inp.x, inp.indep_mean, inp.indep_cov, inp.vech)
    else {
        return Ok(None);
    };
    let eb = linalg::matmul(jb.t(), linalg::matmul(inp.base_info.view(), jb.view()).view());
    let eb_inv = linalg::spd_inverse(eb.view(), "independence model information")?;
    let b0b = linalg::matmul(jb.t(), linalg::matmul(b_base.view(), jb.view()).view());
    let th0_b = test::trace_sym(&b0b, &eb_inv);
    let model = test::Scaled::mean_adjusted(inp.chisq, inp.df, th1 - th0);
    let base = test::Scaled::mean_adjusted(inp.base_chisq, inp.base_df, th1 - th0_b);
    let h1_h0 = Some((th1 / dim as f64, th0 / inp.npar));
    let measures = test::measures(test::Scaling::YuanBentler, n, &model, &base, h1_h0);
    Ok(Some(super::Robust { vcov, measures }))
}
