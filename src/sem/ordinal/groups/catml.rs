//! The categorical ML statistics behind the `.robust` CFI/TLI/RMSEA of a multi-group WLSMV /
//! ULSMV fit (Savalei 2021), as lavaan 0.6.14 computes them for several groups: the
//! normal-theory ML discrepancy of each group's polychoric correlations at the least-squares
//! estimates, summed over the groups, with the mean correction of its asymptotic distribution
//! under the least-squares estimator. Only the correlation rows enter (the thresholds are
//! dropped from the categorical ML model):
//!
//! ```text
//! T   = Σ_g n_g [log|Σ̂_g| + tr(R_g Σ̂_g⁻¹) − log|R_g| − p]
//! df₃ = Σ_g p(p−1)/2 − (free parameters other than thresholds)
//! P   = I − Δ_ρ A⁻¹ Δ_ρᵀ W̃_ρρ       (Δ_ρ: correlation rows of all groups, W̃_ρρ = ⊕ (n_g/N) W_g,ρρ)
//! c   = tr(Pᵀ V P Γ̃) / df₃,  V = ⊕ (n_g/N) ½ D′(Σ̂_g⁻¹ ⊗ Σ̂_g⁻¹)D,  Γ̃ = ⊕ Γ_g,ρρ N/n_g
//! baseline (Σ = I): T_b = −Σ_g n_g log|R_g|,  df_b = G p(p−1)/2,  c_b = tr(Γ̃) / df_b
//! ```
//!
//! A = Σ_g (n_g/N) J_gᵀ W_g J_g is the information of the least-squares fit. The caller asks
//! only for models whose thresholds are free in every group (then df₃ is the model's df): with
//! thresholds constrained across groups (equal thresholds, shared threshold labels) lavaan
//! 0.6.14 cannot build the categorical ML model (its equality constraints name the dropped
//! threshold rows) and reports NA, and so do we.
//!
//! # References
//! Savalei, V. (2021). Improving fit indices in structural equation modeling with categorical
//! data. Multivariate Behavioral Research, 56(3), 390–407.

use ndarray::Array2;

use super::super::robust::CatMl;
use crate::core::linalg;

/// One group's inputs.
pub(super) struct CatMlGroup<'a> {
    pub n: f64,
    /// Polychoric correlations R_g.
    pub rho: &'a Array2<f64>,
    /// Model-implied correlations Σ̂_g.
    pub implied: &'a Array2<f64>,
    /// J_g = ∂σ_g/∂θᵀ (thresholds first, `nt` rows, then the correlations).
    pub jac: &'a Array2<f64>,
    pub w: &'a Array2<f64>,
    pub gamma: &'a Array2<f64>,
    pub nt: usize,
}

/// [`CatMl`] of a multi-group fit with `q_nonthr` free parameters other than thresholds;
/// `None` when R_g or Σ̂_g is not positive definite or df₃ ≤ 0.
pub(super) fn catml_groups(
    groups: &[CatMlGroup<'_>],
    pairs: &[(usize, usize)],
    a_inv: &Array2<f64>,
    q_nonthr: usize,
) -> Option<CatMl> {
    let n_total: f64 = groups.iter().map(|g| g.n).sum();
    let m = pairs.len();
    let mg = m * groups.len();
    let df = mg as f64 - q_nonthr as f64;
    if df <= 0.0 || m == 0 {
        return None;
    }
    let q = a_inv.nrows();
    let mut d_rho = Array2::<f64>::zeros((mg, q));
    let mut w_rho = Array2::<f64>::zeros((mg, mg));
    let mut v = Array2::<f64>::zeros((mg, mg));
    let mut gam = Array2::<f64>::zeros((mg, mg));
    let (mut t, mut tb) = (0.0, 0.0);
    for (g, gr) in groups.iter().enumerate() {
        let p = gr.rho.nrows() as f64;
        let (sinv, logdet_s) =
            linalg::spd_inverse_logdet(gr.implied.view(), "implied correlations").ok()?;
        let logdet_r = linalg::spd_logdet(gr.rho.view(), "polychoric correlations").ok()?;
        let tr: f64 = (gr.rho * &sinv).sum();
        t += gr.n * (logdet_s + tr - logdet_r - p);
        tb -= gr.n * logdet_r;
        let fg = gr.n / n_total;
        let vg = crate::sem::robust::normal_weight(&sinv, pairs);
        let off = g * m;
        for r in 0..m {
            for k in 0..q {
                d_rho[[off + r, k]] = gr.jac[[gr.nt + r, k]];
            }
            for c in 0..m {
                w_rho[[off + r, off + c]] = fg * gr.w[[gr.nt + r, gr.nt + c]];
                v[[off + r, off + c]] = fg * vg[[r, c]];
                gam[[off + r, off + c]] = gr.gamma[[gr.nt + r, gr.nt + c]] / fg;
            }
        }
    }
    let mut p_mat = -d_rho.dot(a_inv).dot(&d_rho.t()).dot(&w_rho);
    for r in 0..mg {
        p_mat[[r, r]] += 1.0;
    }
    let ks = (&p_mat.t().dot(&v).dot(&p_mat) * &gam.t()).sum();
    let dfb = mg as f64;
    let cb = gam.diag().sum() / dfb;
    Some(CatMl { t, c: ks / df, tb, cb })
}
