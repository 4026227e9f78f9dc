//! Weighted and generalized least squares extraction (psych `fm = "wls"`, `"gls"`) and alpha
//! factoring (Kaiser & Caffrey 1965, psych `fm = "alpha"`).

use ndarray::{Array1, Array2};

use super::extraction::{Extracted, PSI_LOWER, StoppingRule, minimize_psi, smc};
use crate::core::linalg;
use crate::error::{Error, Result};
use crate::summary::Convergence;
use crate::warning::Warning;

/// The weighting of the least-squares residuals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LsWeight {
    /// Residual `(i, j)` weighted by `w_i w_j`, `w_i = 1/(R⁻¹)_ii` (psych `wls`).
    Wls,
    /// Residuals premultiplied by `R⁻¹` (psych `gls`).
    Gls,
}

/// Retained eigenvalues below machine ε are replaced by `100 ε` (psych's convention).
fn retained(v: f64) -> f64 {
    if v < f64::EPSILON { 100.0 * f64::EPSILON } else { v }
}

/// The weighted least-squares criterion and its ψ-gradient (into `g`).
///
/// With `A = R − diag ψ = V diag(λ) Vᵀ`, `L = V_k diag(√λ_k)`, `E = A − L Lᵀ`:
/// ```text
/// wls  F = Σ_ij (w_i w_j E_ij)²,   G = W∘E, W_ij = w_i² w_j²
/// gls  F = ‖R⁻¹ E‖²_F,             G = sym(R⁻² E)
/// ∂F/∂ψ_i = −2 (V (VᵀGV ∘ C) Vᵀ)_ii,  C_ml = 0 (m, l < k), 1 (m, l ≥ k),
///           −λ_l/(λ_m − λ_l) (m < k ≤ l, and symmetric)
/// ```
/// (`dE = Vᵀ dA V ∘ C` in the eigenbasis: the Daleckii–Krein derivative of the rank-k
/// truncation). `None` where the criterion is undefined.
pub(crate) fn ls_value_grad(
    r: &Array2<f64>,
    rinv: &Array2<f64>,
    weight: LsWeight,
    psi: &[f64],
    k: usize,
    g: &mut [f64],
) -> Option<f64> {
    let p = r.nrows();
    let mut a = r.clone();
    for i in 0..p {
        a[[i, i]] -= psi[i];
    }
    let (vals, vecs) = linalg::sym_eigen_seq(a.view(), "R − Ψ").ok()?;
    let mut e = a;
    for m in 0..k {
        let lm = retained(vals[m]);
        let v = vecs.column(m);
        for i in 0..p {
            for j in 0..p {
                e[[i, j]] -= lm * v[i] * v[j];
            }
        }
    }
    let (f, gmat) = match weight {
        LsWeight::Wls => {
            let w2: Vec<f64> = (0..p).map(|i| (1.0 / rinv[[i, i]]).powi(2)).collect();
            let mut f = 0.0;
            let gm = Array2::from_shape_fn((p, p), |(i, j)| {
                let x = w2[i] * w2[j] * e[[i, j]];
                f += x * e[[i, j]];
                x
            });
            (f, gm)
        }
        LsWeight::Gls => {
            let re = rinv.dot(&e);
            let f: f64 = re.iter().map(|v| v * v).sum();
            let rre = rinv.dot(&re);
            let gm = Array2::from_shape_fn((p, p), |(i, j)| 0.5 * (rre[[i, j]] + rre[[j, i]]));
            (f, gm)
        }
    };
    let mut gp = vecs.t().dot(&gmat).dot(&vecs);
    for m in 0..p {
        for l in 0..p {
            let c = match (m < k, l < k) {
                (true, true) => 0.0,
                (false, false) => 1.0,
                (true, false) | (false, true) => {
                    let (lm, ll) = if m < k { (vals[m], vals[l]) } else { (vals[l], vals[m]) };
                    let d = lm - ll;
                    if d.abs() < 1e-300 { 0.0 } else { -ll / d }
                }
            };
            gp[[m, l]] *= c;
        }
    }
    let vm = vecs.dot(&gp);
    for i in 0..p {
        g[i] = -2.0 * vm.row(i).dot(&vecs.row(i));
    }
    (f.is_finite() && g[..p].iter().all(|v| v.is_finite())).then_some(f)
}

/// psych's loadings at ψ: top-k eigenpairs of `R − diag ψ`, negative eigenvalues as 0.
fn ls_loadings(r: &Array2<f64>, psi: &[f64], k: usize) -> Result<Array2<f64>> {
    let p = r.nrows();
    let mut a = r.clone();
    for i in 0..p {
        a[[i, i]] -= psi[i];
    }
    let (vals, vecs) = linalg::sym_eigen_seq(a.view(), "R − Ψ")?;
    Ok(Array2::from_shape_fn((p, k), |(i, j)| vecs[[i, j]] * vals[j].max(0.0).sqrt()))
}

/// Weighted (wls) or generalized (gls) least-squares extraction: the criterion of
/// [`ls_value_grad`] minimised over the uniqueness box `[0.005, 1]` by projected BFGS from
/// `ψ = 1 − SMC`.
pub(crate) fn weighted_ls(
    r: &Array2<f64>,
    k: usize,
    weight: LsWeight,
    rule: StoppingRule,
    rinv: Option<&Array2<f64>>,
) -> Result<Extracted> {
    let name = match weight {
        LsWeight::Wls => "weighted least squares",
        LsWeight::Gls => "generalized least squares",
    };
    let Some(rinv) = rinv else {
        return Err(Error::NotPositiveDefinite {
            matrix: format!("R ({name} weights the residuals by R⁻¹)"),
        });
    };
    let start: Vec<f64> = smc(r, Some(rinv))?.iter().map(|s| (1.0 - s).max(PSI_LOWER)).collect();
    let (psi, conv) =
        minimize_psi(&start, rule, name, |x, g| ls_value_grad(r, rinv, weight, x, k, g))?;
    let loadings = ls_loadings(r, &psi, k)?;
    let mut warnings = Vec::new();
    if !conv.converged {
        warnings.push(Warning::NotConverged { what: name.into(), iterations: conv.iterations });
    }
    Ok(Extracted {
        loadings,
        psi: Some(Array1::from(psi)),
        convergence: conv,
        pa_history: Vec::new(),
        warnings,
    })
}

/// Alpha factoring (Kaiser & Caffrey 1965) as psych iterates it.
///
/// ```text
/// h ← SMC;  repeat:  S = H^{-1/2} (R with diagonal h) H^{-1/2},  L_s = V_k diag(√λ_k) of S,
///                    h ← h ∘ diag(L_s L_sᵀ)
/// until Σ|Δh| < 0.001 or 50 steps (R's rule) / max|Δh| < 1e-12 (full);  L = H^{1/2} L_s
/// ```
/// (`L_s` from the last rescaled matrix, `h` the last update, as psych.)
pub(crate) fn alpha_factoring(
    r: &Array2<f64>,
    k: usize,
    rule: StoppingRule,
    rinv: Option<&Array2<f64>>,
) -> Result<Extracted> {
    let p = r.nrows();
    let mut h = smc(r, rinv)?;
    let (max_iter, min_err) = match rule {
        StoppingRule::R => (50usize, 1e-3),
        StoppingRule::Full => (100_000usize, 1e-12),
    };
    let mut ls = Array2::<f64>::zeros((p, k));
    let mut iter = 0;
    let mut converged = false;
    let mut history = Vec::new();
    while iter < max_iter {
        if h.iter().any(|&v| !(v > 0.0) || !v.is_finite()) {
            return Err(Error::NotConverged {
                what: "alpha factoring (a communality is not positive)".into(),
                iterations: iter,
            });
        }
        let s = Array2::from_shape_fn((p, p), |(i, j)| {
            if i == j { 1.0 } else { r[[i, j]] / (h[i] * h[j]).sqrt() }
        });
        let (vals, vecs) = linalg::sym_eigen_seq(s.view(), "rescaled correlation matrix")?;
        if vals.iter().take(k).any(|&v| v < 0.0) {
            return Err(Error::NotConverged {
                what: "alpha factoring (a retained eigenvalue became negative)".into(),
                iterations: iter,
            });
        }
        ls = Array2::from_shape_fn((p, k), |(i, j)| vecs[[i, j]] * vals[j].sqrt());
        let newh = Array1::from_shape_fn(p, |i| h[i] * ls.row(i).dot(&ls.row(i)));
        let err = match rule {
            StoppingRule::R => newh.iter().zip(h.iter()).map(|(a, b)| (a - b).abs()).sum(),
            StoppingRule::Full => {
                newh.iter().zip(h.iter()).fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()))
            }
        };
        h = newh;
        iter += 1;
        history.push(h.sum());
        if err.is_nan() {
            return Err(Error::NotConverged { what: "alpha factoring".into(), iterations: iter });
        }
        if err <= min_err {
            converged = true;
            break;
        }
    }
    let loadings = Array2::from_shape_fn((p, k), |(i, j)| h[i].sqrt() * ls[[i, j]]);
    let mut warnings = Vec::new();
    if !converged {
        warnings.push(Warning::NotConverged { what: "alpha factoring".into(), iterations: iter });
    }
    let reason = match (converged, rule) {
        (true, StoppingRule::R) => "sum of |communality changes| ≤ 0.001 (psych's rule)".into(),
        (true, StoppingRule::Full) => "largest communality change ≤ 1e-12".into(),
        (false, _) => format!("iteration limit {max_iter} reached"),
    };
    Ok(Extracted {
        loadings,
        psi: None,
        convergence: Convergence { converged, iterations: iter, reason },
        pa_history: history,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::factor::extraction::tests::test_r;

    #[test]
    fn ls_gradients_match_finite_differences() {
        let r = test_r();
        let rinv = crate::core::linalg::small::inverse(&r).unwrap();
        let psi = [0.4, 0.5, 0.6, 0.45, 0.55, 0.7];
        for w in [LsWeight::Wls, LsWeight::Gls] {
            let mut g = vec![0.0; 6];
            let mut scratch = vec![0.0; 6];
            ls_value_grad(&r, &rinv, w, &psi, 2, &mut g).unwrap();
            for i in 0..6 {
                let h = 1e-6;
                let (mut a, mut b) = (psi, psi);
                a[i] += h;
                b[i] -= h;
                let fa = ls_value_grad(&r, &rinv, w, &a, 2, &mut scratch).unwrap();
                let fb = ls_value_grad(&r, &rinv, w, &b, 2, &mut scratch).unwrap();
                let fd = (fa - fb) / (2.0 * h);
                assert!((fd - g[i]).abs() < 1e-7, "{w:?} {i}: {fd} vs {}", g[i]);
            }
        }
    }
}
