//! Factor extraction: principal components, principal axis, minres (ULS) and maximum likelihood
//! (weighted / generalized least squares and alpha factoring are in `weighted.rs`, the
//! projected Newton iterations of minres and ML in `newton.rs`).

use ndarray::{Array1, Array2};

use super::newton::{NewtonObjective, projected_newton};
use super::small;
use super::weighted::{LsWeight, alpha_factoring, weighted_ls};
use crate::core::linalg;
use crate::core::optim::{self, Options, Problem};
use crate::error::{Error, Result};
use crate::summary::Convergence;
use crate::warning::Warning;

/// How the unrotated factors are extracted from the correlation matrix.
///
/// All methods work on the correlation matrix `R` (p × p) and return `k` unrotated loading
/// columns `L` (p × k).
///
/// # Formula
/// ```text
/// Pca     L = V_k diag(sqrt(λ_k))                       eigen(R) = V diag(λ) Vᵀ
/// Pa      iterate h ← diag(L Lᵀ), L from eigen(R − I + diag(h)), start h = SMC
/// MinRes  min_ψ Σ_{i<j} (R − L(ψ) L(ψ)ᵀ)_ij²,  L(ψ) = top-k eigen of R − diag(ψ)
/// Ml      min_ψ −Σ_{m>k} (ln e_m − e_m) − k + p,  e = eigen(ψ^{-1/2} R ψ^{-1/2})
///         L = ψ^{1/2} V_k diag(sqrt(max(e_k − 1, 0)))
/// Wls     min_ψ Σ_ij (w_i w_j (R − ψ − L(ψ) L(ψ)ᵀ)_ij)²,  w_i = 1/(R⁻¹)_ii,  L(ψ) as minres
/// Gls     min_ψ ‖R⁻¹ (R − ψ − L(ψ) L(ψ)ᵀ)‖²_F
/// Alpha   iterate h ← h ∘ diag(L_s L_sᵀ), L_s from eigen(H^{-1/2}(R − I + diag h)H^{-1/2}),
///         start h = SMC;  L = H^{1/2} L_s
/// ```
/// psych's wls / gls hand its optimiser the ML gradient, so psych stops away from the optimum
/// of its own criterion; here the criterion's own gradient is used and the optimum reached
/// (see `docs/methods/factor.md`).
/// ψ is bounded to [0.005, 1] as in psych; SMC_i = 1 − 1/(R⁻¹)_ii.
///
/// # Examples
/// ```
/// use surveystat::factor::{Efa, Extraction};
/// let efa = Efa::new(2).extraction(Extraction::Ml);
/// # let _ = efa;
/// ```
///
/// # References
/// Harman, H. H. & Jones, W. H. (1966). Factor analysis by minimizing residuals (minres).
/// *Psychometrika* 31, 351–368. Jöreskog, K. G. (1967). Some contributions to maximum likelihood
/// factor analysis. *Psychometrika* 32, 443–482. Kaiser, H. F. & Caffrey, J. (1965). Alpha
/// factor analysis. *Psychometrika* 30, 1–14. Revelle, W. (2022). psych 2.2.9 (`fa`,
/// `principal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Extraction {
    /// Principal components (psych `principal`).
    Pca,
    /// Iterated principal axis (psych `fm = "pa"`).
    Pa,
    /// Minimum residual / unweighted least squares (psych's default `fm = "minres"`).
    #[default]
    MinRes,
    /// Maximum likelihood (psych `fm = "ml"`, the criterion of `factanal`).
    Ml,
    /// Weighted least squares (psych `fm = "wls"`): residuals weighted by the uniquenesses of
    /// the variables' squared multiple correlations, `w_i = 1/(R⁻¹)_ii`.
    Wls,
    /// Generalized least squares (psych `fm = "gls"`): residuals premultiplied by `R⁻¹`.
    Gls,
    /// Alpha factoring (Kaiser & Caffrey 1965; psych `fm = "alpha"`).
    Alpha,
}

impl Extraction {
    /// psych's name (`"pc"`, `"pa"`, `"minres"`, `"ml"`, `"wls"`, `"gls"`, `"alpha"`).
    pub fn psych_name(self) -> &'static str {
        match self {
            Extraction::Pca => "pc",
            Extraction::Pa => "pa",
            Extraction::MinRes => "minres",
            Extraction::Ml => "ml",
            Extraction::Wls => "wls",
            Extraction::Gls => "gls",
            Extraction::Alpha => "alpha",
        }
    }
    /// Prefix psych gives the factors (`PC`/`RC`, `PA`, `MR`, `ML`, `WLS`, `GLS`, `alpha`).
    pub(crate) fn prefix(self, rotated: bool) -> &'static str {
        match self {
            Extraction::Pca => {
                if rotated {
                    "RC"
                } else {
                    "PC"
                }
            }
            Extraction::Pa => "PA",
            Extraction::MinRes => "MR",
            Extraction::Ml => "ML",
            Extraction::Wls => "WLS",
            Extraction::Gls => "GLS",
            Extraction::Alpha => "alpha",
        }
    }
}

/// Which stopping rules the iterative steps use.
///
/// `Full` (the default) converges every step tightly (projected gradient ≤ 1e-8 for minres / ML,
/// communality change ≤ 1e-10 for principal axis, projected-gradient norm ≤ 1e-10 for GPA
/// rotations (or until the criterion cannot decrease in floating point, typically near 1e-8), relative varimax change ≤ 1e-13). `R` reproduces R's rules: psych's principal-axis
/// rule (|Δ Σh²| < 0.001, at most 50 iterations), `stats::varimax` (relative change < 1e-5, at most
/// 1000 steps), GPArotation (eps = 1e-5, at most 1000 steps) and, for minres / ML, a relative
/// reduction test of 1e7·ε like `optim`'s L-BFGS-B `factr` (the L-BFGS-B iterates themselves are
/// not reproduced, so minres / ML agree with psych only to psych's own accuracy).
///
/// # Examples
/// ```
/// use surveystat::factor::{Efa, StoppingRule};
/// let efa = Efa::new(3).stopping(StoppingRule::R);
/// # let _ = efa;
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum StoppingRule {
    /// Converge fully.
    #[default]
    Full,
    /// R's (psych / stats / GPArotation) default stopping rules.
    R,
}

/// Result of an extraction (unrotated).
#[derive(Debug, Clone)]
pub(crate) struct Extracted {
    pub loadings: Array2<f64>,
    /// Uniquenesses the optimiser settled on (minres / ML); `None` for PCA / PA.
    pub psi: Option<Array1<f64>>,
    pub convergence: Convergence,
    /// Σh² after each principal-axis iteration.
    pub pa_history: Vec<f64>,
    pub warnings: Vec<Warning>,
}

/// Lower bound of the uniquenesses (psych / factanal).
pub(crate) const PSI_LOWER: f64 = 0.005;

/// Squared multiple correlations `1 − 1/(R⁻¹)_ii`, clamped to [0, 1]; a singular `R` uses the
/// pseudo-inverse (and the caller is warned elsewhere). `rinv`: `R⁻¹` when the caller has it.
pub(crate) fn smc(r: &Array2<f64>, rinv: Option<&Array2<f64>>) -> Result<Array1<f64>> {
    let owned;
    let inv = match rinv {
        Some(i) => i,
        None => {
            owned = match linalg::spd_inverse_logdet_seq(r) {
                Some((i, _)) => i,
                None => linalg::sym_pinv(r.view(), "R", 1e-12)?.0,
            };
            &owned
        }
    };
    Ok(Array1::from_shape_fn(r.nrows(), |i| {
        let d = inv[[i, i]];
        if d > 0.0 { (1.0 - 1.0 / d).clamp(0.0, 1.0) } else { 1.0 }
    }))
}

fn top_k_loadings(vals: &Array1<f64>, vecs: &Array2<f64>, k: usize, shift: f64) -> Array2<f64> {
    let p = vecs.nrows();
    let mut l = Array2::<f64>::zeros((p, k));
    for j in 0..k {
        let s = (vals[j] - shift).max(0.0).sqrt();
        for i in 0..p {
            l[[i, j]] = vecs[[i, j]] * s;
        }
    }
    l
}

/// Extract `k` factors from `r`; `rinv` = `R⁻¹` when the caller already has it (then `R` is
/// known to be positive definite), else `None`.
pub(crate) fn extract(
    r: &Array2<f64>,
    k: usize,
    method: Extraction,
    rule: StoppingRule,
    rinv: Option<&Array2<f64>>,
) -> Result<Extracted> {
    match method {
        Extraction::Pca => pca(r, k),
        Extraction::Pa => pa(r, k, rule, rinv),
        Extraction::MinRes => minres(r, k, rule, rinv),
        Extraction::Ml => ml(r, k, rule, rinv),
        Extraction::Wls => weighted_ls(r, k, LsWeight::Wls, rule, rinv),
        Extraction::Gls => weighted_ls(r, k, LsWeight::Gls, rule, rinv),
        Extraction::Alpha => alpha_factoring(r, k, rule, rinv),
    }
}

fn pca(r: &Array2<f64>, k: usize) -> Result<Extracted> {
    let (vals, vecs) = linalg::sym_eigen_seq(r.view(), "R")?;
    let mut warnings = Vec::new();
    if vals.iter().take(k).any(|&v| v <= 0.0) {
        warnings.push(Warning::Other {
            message: "a retained eigenvalue of R is not positive; its component is zero".into(),
        });
    }
    Ok(Extracted {
        loadings: top_k_loadings(&vals, &vecs, k, 0.0),
        psi: None,
        convergence: Convergence {
            converged: true,
            iterations: 0,
            reason: "closed form (eigendecomposition)".into(),
        },
        pa_history: Vec::new(),
        warnings,
    })
}

fn pa(
    r: &Array2<f64>,
    k: usize,
    rule: StoppingRule,
    rinv: Option<&Array2<f64>>,
) -> Result<Extracted> {
    let p = r.nrows();
    let mut h = smc(r, rinv)?;
    let mut rm = r.clone();
    for i in 0..p {
        rm[[i, i]] = h[i];
    }
    let (min_err, max_iter) = match rule {
        StoppingRule::R => (0.001, 50usize),
        StoppingRule::Full => (1e-10, 20_000usize),
    };
    let mut comm: f64 = h.sum();
    let mut history = Vec::new();
    let mut warnings = Vec::new();
    let mut iter = 0;
    let mut converged = false;
    let mut loadings;
    loop {
        let (vals, vecs) = linalg::sym_eigen_seq(rm.view(), "reduced correlation matrix")?;
        if vals.iter().take(k).any(|&v| v < 0.0) {
            return Err(Error::NotConverged {
                what: "principal axis (a retained eigenvalue became negative)".into(),
                iterations: iter,
            });
        }
        loadings = top_k_loadings(&vals, &vecs, k, 0.0);
        let newh = Array1::from_shape_fn(p, |i| loadings.row(i).mapv(|v| v * v).sum());
        let comm1 = newh.sum();
        let err = match rule {
            StoppingRule::R => (comm - comm1).abs(),
            StoppingRule::Full => {
                newh.iter().zip(h.iter()).fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()))
            }
        };
        for i in 0..p {
            rm[[i, i]] = newh[i];
        }
        h = newh;
        comm = comm1;
        history.push(comm1);
        iter += 1;
        if err.is_nan() {
            return Err(Error::NotConverged { what: "principal axis".into(), iterations: iter });
        }
        if err < min_err {
            converged = true;
            break;
        }
        if iter >= max_iter {
            break;
        }
    }
    if !converged {
        warnings.push(Warning::NotConverged { what: "principal axis".into(), iterations: iter });
    }
    let reason = if converged {
        match rule {
            StoppingRule::R => {
                "|change of sum of communalities| < 0.001 (psych's rule)".to_string()
            }
            StoppingRule::Full => "largest communality change < 1e-10".to_string(),
        }
    } else {
        format!("iteration limit {max_iter} reached")
    };
    Ok(Extracted {
        loadings,
        psi: None,
        convergence: Convergence { converged, iterations: iter, reason },
        pa_history: history,
        warnings,
    })
}

fn box_options(rule: StoppingRule) -> Options {
    let base = Options::default();
    match rule {
        StoppingRule::Full => Options { gtol: 1e-8, ftol_rel: 0.0, max_iter: 2000, ..base },
        StoppingRule::R => {
            Options { gtol: 0.0, ftol_rel: 1e7 * f64::EPSILON, max_iter: 100, ..base }
        }
    }
}

/// A ψ criterion (value and gradient together) as an optimisation problem.
struct PsiCriterion<F> {
    fg: F,
    g: Vec<f64>,
}

impl<F: FnMut(&[f64], &mut [f64]) -> Option<f64>> Problem for PsiCriterion<F> {
    fn value(&mut self, x: &[f64]) -> Option<f64> {
        (self.fg)(x, &mut self.g)
    }
    fn gradient(&mut self, _x: &[f64], g: &mut [f64]) -> bool {
        g.copy_from_slice(&self.g);
        true
    }
    fn value_gradient(&mut self, x: &[f64], g: &mut [f64]) -> Option<f64> {
        (self.fg)(x, g)
    }
}

/// Minimise a ψ criterion over the uniqueness box `[PSI_LOWER, 1]` by projected BFGS.
pub(crate) fn minimize_psi<F>(
    start: &[f64],
    rule: StoppingRule,
    what: &str,
    fg: F,
) -> Result<(Vec<f64>, Convergence)>
where
    F: FnMut(&[f64], &mut [f64]) -> Option<f64>,
{
    let p = start.len();
    let mut problem = PsiCriterion { fg, g: vec![0.0; p] };
    let (lo, hi) = (vec![PSI_LOWER; p], vec![1.0; p]);
    let out = optim::box_bfgs(&mut problem, start, &lo, &hi, &box_options(rule));
    if out.termination == optim::Termination::NonFinite {
        return Err(Error::NotConverged {
            what: format!("{what} (objective undefined)"),
            iterations: 0,
        });
    }
    let conv =
        Convergence { converged: out.converged, iterations: out.iterations, reason: out.reason() };
    Ok((out.x, conv))
}

/// Fill the workspace's input with `R − diag(ψ)` (lower triangle) and decompose it.
fn eigen_r_minus_psi(r: &Array2<f64>, psi: &[f64], ws: &mut small::EigWork) -> bool {
    let p = r.nrows();
    for j in 0..p {
        for i in j..p {
            ws.a[(i, j)] = r[[i, j]];
        }
        ws.a[(j, j)] = r[[j, j]] - psi[j];
    }
    ws.compute()
}

/// minres criterion and gradient (into `g`) with a reusable eigen workspace.
///
/// With `A = R − diag ψ = V diag(λ) Vᵀ`, `e = diag(A − V_k Λ_k V_kᵀ)`, `W = Vᵀ diag(e) V`:
/// `∂F/∂ψ_i = −Σ_{m<k} V_im (Σ_{l<k} W_ml V_il + 2 Σ_{l≥k} W_ml λ_m/(λ_m − λ_l) V_il)`
/// (the Daleckii–Krein derivative of the rank-k truncation; only the rows m < k of W are
/// needed, O(p²k)).
pub(crate) fn minres_value_grad_ws(
    r: &Array2<f64>,
    psi: &[f64],
    k: usize,
    ws: &mut small::EigWork,
    g: &mut [f64],
) -> Option<f64> {
    let p = r.nrows();
    if !eigen_r_minus_psi(r, psi, ws) {
        return None;
    }
    let tiny = 100.0 * f64::EPSILON;
    let mut lv = [0.0; 64];
    let mut lvv;
    let lv: &mut [f64] = if k <= 64 {
        &mut lv[..k]
    } else {
        lvv = vec![0.0; k];
        &mut lvv
    };
    for (m, l) in lv.iter_mut().enumerate() {
        let v = ws.val(m);
        *l = if v < f64::EPSILON { tiny } else { v };
    }
    // residual of A − Σ_{m<k} λ_m v_m v_mᵀ: off-diagonal sum of squares and diagonal e
    let mut f = 0.0;
    let mut e = vec![0.0; p];
    let mut pm = vec![0.0; p];
    for i in 0..p {
        pm.fill(0.0);
        for m in 0..k {
            let v = ws.vec(m);
            let c = lv[m] * v[i];
            for j in 0..=i {
                pm[j] += c * v[j];
            }
        }
        for j in 0..i {
            let res = r[[i, j]] - pm[j];
            f += res * res;
        }
        e[i] = r[[i, i]] - psi[i] - pm[i];
    }
    // gradient
    g[..p].fill(0.0);
    let mut y = vec![0.0; p];
    let mut z = vec![0.0; p];
    for m in 0..k {
        let vm = ws.vec(m);
        for i in 0..p {
            y[i] = e[i] * vm[i];
        }
        z.fill(0.0);
        let lam_m = ws.val(m);
        for l in 0..p {
            let vl = ws.vec(l);
            let w: f64 = y.iter().zip(vl).map(|(a, b)| a * b).sum();
            let c = if l < k {
                w
            } else {
                let d = lam_m - ws.val(l);
                if d.abs() < 1e-300 { 0.0 } else { 2.0 * w * lam_m / d }
            };
            if c != 0.0 {
                for i in 0..p {
                    z[i] += c * vl[i];
                }
            }
        }
        for i in 0..p {
            g[i] -= vm[i] * z[i];
        }
    }
    if !f.is_finite() || g[..p].iter().any(|v| !v.is_finite()) {
        return None;
    }
    Some(f)
}

fn minres_loadings_ws(
    r: &Array2<f64>,
    psi: &[f64],
    k: usize,
    ws: &mut small::EigWork,
) -> Result<Array2<f64>> {
    let p = r.nrows();
    if !eigen_r_minus_psi(r, psi, ws) {
        return Err(Error::LinearAlgebra {
            operation: "eigendecomposition of R − Ψ".into(),
            message: "no convergence or non-finite input".into(),
        });
    }
    Ok(Array2::from_shape_fn((p, k), |(i, j)| {
        let v = ws.val(j);
        let v = if v < f64::EPSILON { 100.0 * f64::EPSILON } else { v };
        ws.vec(j)[i] * v.sqrt()
    }))
}

/// ULS profile criterion `G(ψ) = min_L ‖R − Ψ − L Lᵀ‖²_F = Σ_{m≥k} λ_m²` (λ: eigenvalues of
/// `A = R − diag ψ`, the k largest retained and positive) and its gradient
/// `∂G/∂ψ_i = −2 e_i`, `e = diag(A − V_k Λ_k V_kᵀ) = Σ_{m≥k} λ_m v_m∘v_m`. `G` and the minres
/// criterion have the same interior stationary points (`e = 0`, where they are equal and the
/// minres gradient vanishes too); `None` where a retained eigenvalue is not positive.
pub(crate) fn uls_value_grad_ws(
    r: &Array2<f64>,
    psi: &[f64],
    k: usize,
    ws: &mut small::EigWork,
    g: &mut [f64],
) -> Option<f64> {
    let p = r.nrows();
    if !eigen_r_minus_psi(r, psi, ws) || !(ws.val(k - 1) > 0.0) {
        return None;
    }
    let mut f = 0.0;
    g[..p].fill(0.0);
    for m in k..p {
        let l = ws.val(m);
        f += l * l;
        for (gi, v) in g.iter_mut().zip(ws.vec(m)) {
            *gi -= 2.0 * l * v * v;
        }
    }
    if !f.is_finite() || g[..p].iter().any(|v| !v.is_finite()) {
        return None;
    }
    Some(f)
}

/// Scratch space of the Newton iterations (allocated once per optimisation: the cross-term
/// matrices are large enough that fresh allocations cost page faults on every iteration).
pub(crate) struct HessWork {
    p: usize,
    k: usize,
    /// Hessian, row-major p × p.
    pub h: Vec<f64>,
    /// Retained eigenvectors, row-major p × k.
    vk: Vec<f64>,
    w: faer::Mat<f64>,
    wc: faer::Mat<f64>,
    out: faer::Mat<f64>,
    hf: faer::Mat<f64>,
}

impl HessWork {
    pub(crate) fn new(p: usize, k: usize) -> Self {
        let q = p - k;
        Self {
            p,
            k,
            h: vec![0.0; p * p],
            vk: vec![0.0; p * k],
            w: faer::Mat::zeros(p, k * q),
            wc: faer::Mat::zeros(p, k * q),
            out: faer::Mat::zeros(p, p),
            hf: faer::Mat::zeros(p, p),
        }
    }

    /// Copy the retained eigenvectors into `vk`.
    fn load(&mut self, ws: &small::EigWork) {
        let k = self.k;
        for m in 0..k {
            for (i, &v) in ws.vec(m).iter().enumerate() {
                self.vk[i * k + m] = v;
            }
        }
    }

    /// `Σ_{m<k} v_im v_jm` (rows i, j of the retained eigenvectors).
    #[inline]
    fn vv(&self, i: usize, j: usize) -> f64 {
        let k = self.k;
        self.vk[i * k..(i + 1) * k]
            .iter()
            .zip(&self.vk[j * k..(j + 1) * k])
            .map(|(a, b)| a * b)
            .sum()
    }

    /// Adds `Σ_{m<k} Σ_{l≥k} c(λ_m, λ_l) (v_m∘v_l)(v_m∘v_l)ᵀ` to the lower triangle of `h` by
    /// one matrix product (the eigenvector-perturbation term shared by the ULS and ML
    /// Hessians). `false` when `c` is undefined (a retained and a discarded eigenvalue
    /// coincide).
    fn add_cross_term(&mut self, ws: &small::EigWork, c: impl Fn(f64, f64) -> Option<f64>) -> bool {
        let (p, k) = (self.p, self.k);
        let q = p - k;
        for m in 0..k {
            let vm = ws.vec(m);
            for l in 0..q {
                let Some(cml) = c(ws.val(m), ws.val(k + l)) else { return false };
                let vl = ws.vec(k + l);
                let col = m * q + l;
                let (w, wc) = (self.w.col_mut(col), self.wc.col_mut(col));
                let (Some(w), Some(wc)) = (w.try_as_col_major_mut(), wc.try_as_col_major_mut())
                else {
                    return false;
                };
                for (((wi, wci), a), b) in
                    w.as_slice_mut().iter_mut().zip(wc.as_slice_mut()).zip(vm).zip(vl)
                {
                    let x = a * b;
                    *wi = x;
                    *wci = cml * x;
                }
            }
        }
        faer::linalg::matmul::matmul(
            self.out.as_mut(),
            faer::Accum::Replace,
            self.wc.as_ref(),
            self.w.as_ref().transpose(),
            1.0,
            faer::Par::Seq,
        );
        for i in 0..p {
            for j in 0..=i {
                self.h[i * p + j] += self.out[(i, j)];
            }
        }
        true
    }

    /// Copies the lower triangle of `h` to the upper; `false` if not finite.
    fn symmetrize(&mut self) -> bool {
        let p = self.p;
        for i in 0..p {
            for j in 0..i {
                self.h[j * p + i] = self.h[i * p + j];
            }
        }
        self.h.iter().all(|v| v.is_finite())
    }

    /// Solve `H d = −g` on the free variables by Cholesky, with a growing diagonal shift
    /// (Levenberg) when `H` is not positive definite there. `None` if nothing works.
    pub(super) fn newton_direction(&mut self, g: &[f64], free: &[bool]) -> Option<Vec<f64>> {
        let p = self.p;
        let idx: Vec<usize> = (0..p).filter(|&i| free[i]).collect();
        let nf = idx.len();
        let mut d = vec![0.0; p];
        if nf == 0 {
            return Some(d);
        }
        let h = &self.h;
        let maxdiag = idx.iter().fold(0.0_f64, |m, &i| m.max(h[i * p + i].abs())).max(1e-12);
        let mut shift = 0.0;
        let mut y = vec![0.0; nf];
        for _ in 0..12 {
            let mut hf = self.hf.as_mut().submatrix_mut(0, 0, nf, nf);
            for (a, &ia) in idx.iter().enumerate() {
                for (b, &ib) in idx.iter().enumerate().take(a + 1) {
                    hf[(a, b)] = h[ia * p + ib] + if a == b { shift } else { 0.0 };
                }
            }
            for (a, &i) in idx.iter().enumerate() {
                y[a] = -g[i];
            }
            if linalg::spd_solve_in_place(hf, &mut y) {
                for (a, &i) in idx.iter().enumerate() {
                    d[i] = y[a];
                }
                return Some(d);
            }
            shift = if shift == 0.0 { 1e-6 * maxdiag } else { shift * 10.0 };
        }
        None
    }
}

/// Exact Hessian of the ULS profile criterion ([`uls_value_grad_ws`]) with respect to
/// `x = ln ψ`, from the decomposition of `R − diag ψ` in `ws` and the ψ-gradient `g`:
/// `∂²G/∂ψ_i∂ψ_j = 2 (P_⊥)²_ij − 4 Σ_{m<k, l≥k} λ_l/(λ_m − λ_l) (v_m∘v_l)_i (v_m∘v_l)_j`
/// (`P_⊥ = I − V_k V_kᵀ`; Daleckii–Krein derivative of the discarded part), then
/// `H_x = diag(ψ) H_ψ diag(ψ) + diag(ψ∘g)`.
pub(crate) fn uls_hessian_x(
    ws: &small::EigWork,
    psi: &[f64],
    g: &[f64],
    hw: &mut HessWork,
) -> bool {
    let p = hw.p;
    hw.load(ws);
    for i in 0..p {
        for j in 0..=i {
            let pij = if i == j { 1.0 } else { 0.0 } - hw.vv(i, j);
            hw.h[i * p + j] = 0.5 * pij * pij;
        }
    }
    let ok = hw.add_cross_term(ws, |lm, ll| {
        let d = lm - ll;
        (d.abs() > 1e-12 * lm.abs()).then(|| -ll / d)
    });
    if !ok {
        return false;
    }
    for i in 0..p {
        for j in 0..=i {
            hw.h[i * p + j] *= 4.0 * psi[i] * psi[j];
        }
        hw.h[i * p + i] += psi[i] * g[i];
    }
    hw.symmetrize()
}

fn minres(
    r: &Array2<f64>,
    k: usize,
    rule: StoppingRule,
    rinv: Option<&Array2<f64>>,
) -> Result<Extracted> {
    let p = r.nrows();
    let mut start: Vec<f64> = smc(r, rinv)?.iter().map(|s| 1.0 - s).collect();
    let mut ws = small::EigWork::new(p);
    // full convergence: projected Newton on the ULS profile (a handful of eigendecompositions
    // instead of 10–20). Its interior solutions (no uniqueness at a bound) are minres solutions;
    // with a bound active (Heywood) the minres criterion itself is minimised from there.
    if rule == StoppingRule::Full
        && let Some((psi, conv)) =
            projected_newton(r, k, &start, box_options(rule).gtol, &mut ws, NewtonObjective::Uls)
    {
        let interior = psi.iter().all(|&v| v > PSI_LOWER * (1.0 + 1e-9) && v < 1.0 - 1e-12);
        if interior && conv.converged {
            return minres_result(r, k, psi, conv, &mut ws);
        }
        start = psi;
    }
    let (psi, conv) =
        minimize_psi(&start, rule, "minres", |x, g| minres_value_grad_ws(r, x, k, &mut ws, g))?;
    minres_result(r, k, psi, conv, &mut ws)
}

fn minres_result(
    r: &Array2<f64>,
    k: usize,
    psi: Vec<f64>,
    conv: Convergence,
    ws: &mut small::EigWork,
) -> Result<Extracted> {
    let loadings = minres_loadings_ws(r, &psi, k, ws)?;
    let mut warnings = Vec::new();
    if !conv.converged {
        warnings.push(Warning::NotConverged { what: "minres".into(), iterations: conv.iterations });
    }
    Ok(Extracted {
        loadings,
        psi: Some(Array1::from(psi)),
        convergence: conv,
        pa_history: Vec::new(),
        warnings,
    })
}

/// Fill the workspace's input with `Ψ^{-1/2} R Ψ^{-1/2}` (lower triangle) and decompose it.
fn eigen_scaled(r: &Array2<f64>, psi: &[f64], ws: &mut small::EigWork, sc: &mut [f64]) -> bool {
    let p = r.nrows();
    for (s, v) in sc.iter_mut().zip(psi) {
        *s = 1.0 / v.sqrt();
    }
    for j in 0..p {
        for i in j..p {
            ws.a[(i, j)] = r[[i, j]] * sc[i] * sc[j];
        }
    }
    ws.compute()
}

/// ML criterion and gradient (into `g`) with a reusable eigen workspace.
pub(crate) fn ml_value_grad_ws(
    r: &Array2<f64>,
    psi: &[f64],
    k: usize,
    ws: &mut small::EigWork,
    g: &mut [f64],
) -> Option<f64> {
    let p = r.nrows();
    let mut sc = vec![0.0; p];
    if !eigen_scaled(r, psi, ws, &mut sc) {
        return None;
    }
    let mut f = 0.0;
    for m in k..p {
        let e = ws.val(m);
        if e <= 0.0 {
            return None;
        }
        f += e.ln() - e;
    }
    let f = -(f - k as f64 + p as f64);
    // ∂F/∂ψ_i = (LLᵀ + Ψ − R)_ii / ψ_i², L = Ψ^{1/2} V_k diag(sqrt(max(λ_k − 1, 0)))
    let mut ll = vec![0.0; p];
    for m in 0..k {
        let w = (ws.val(m) - 1.0).max(0.0);
        let v = ws.vec(m);
        for i in 0..p {
            ll[i] += w * v[i] * v[i];
        }
    }
    for i in 0..p {
        g[i] = (psi[i] * ll[i] + psi[i] - r[[i, i]]) / (psi[i] * psi[i]);
    }
    if !f.is_finite() {
        return None;
    }
    Some(f)
}

fn ml_loadings_ws(
    r: &Array2<f64>,
    psi: &[f64],
    k: usize,
    ws: &mut small::EigWork,
) -> Result<Array2<f64>> {
    let p = r.nrows();
    let mut sc = vec![0.0; p];
    if !eigen_scaled(r, psi, ws, &mut sc) {
        return Err(Error::LinearAlgebra {
            operation: "eigendecomposition of Ψ^-1/2 R Ψ^-1/2".into(),
            message: "no convergence or non-finite input".into(),
        });
    }
    Ok(Array2::from_shape_fn((p, k), |(i, j)| {
        ws.vec(j)[i] * (ws.val(j) - 1.0).max(0.0).sqrt() * psi[i].sqrt()
    }))
}

/// Exact Hessian of the ML criterion with respect to `x = ln ψ`, from the eigendecomposition of
/// `S = Ψ^{-1/2} R Ψ^{-1/2}` held in `ws` (θ_m, ω_m; top k retained). Row-major p × p into `h`.
/// `false` when a retained and a discarded eigenvalue coincide (the Hessian is then undefined).
///
/// With `P = Σ_{m>k} ω_m ω_mᵀ = I − Σ_{n≤k} ω_n ω_nᵀ`, `Q = Σ_{m>k} θ_m ω_m ω_mᵀ`:
/// `H = Q ∘ P + Σ_{n≤k} (ω_n ω_nᵀ) ∘ Σ_{m>k} c_mn ω_m ω_mᵀ`,
/// `c_mn = (θ_m − 1)(θ_m + θ_n)/(θ_m − θ_n)` — from `∂θ_m/∂x_j = −θ_m ω_jm²` and first-order
/// eigenvector perturbation; the pairs of discarded eigenvalues combine without any division.
pub(crate) fn ml_hessian_x(ws: &small::EigWork, hw: &mut HessWork) -> bool {
    let (p, k) = (hw.p, hw.k);
    hw.load(ws);
    for i in 0..p {
        for j in 0..=i {
            let mut qij = ws.a[(i, j)];
            for n in 0..k {
                qij -= ws.val(n) * hw.vk[i * k + n] * hw.vk[j * k + n];
            }
            let pij = if i == j { 1.0 } else { 0.0 } - hw.vv(i, j);
            hw.h[i * p + j] = qij * pij;
        }
    }
    let ok = hw.add_cross_term(ws, |tn, tm| {
        let d = tm - tn;
        (d.abs() > 1e-12 * tn.abs()).then(|| (tm - 1.0) * (tm + tn) / d)
    });
    ok && hw.symmetrize()
}

fn ml(
    r: &Array2<f64>,
    k: usize,
    rule: StoppingRule,
    rinv: Option<&Array2<f64>>,
) -> Result<Extracted> {
    if rinv.is_none() && crate::core::linalg::small::cholesky(r).is_none() {
        return Err(Error::NotPositiveDefinite {
            matrix: "R (maximum likelihood needs a positive definite correlation matrix)".into(),
        });
    }
    let p = r.nrows();
    let start: Vec<f64> = smc(r, rinv)?.iter().map(|s| (1.0 - s).max(PSI_LOWER)).collect();
    let mut ws = small::EigWork::new(p);
    // full convergence: projected Newton with the exact Hessian (a handful of
    // eigendecompositions); R's rule, or a failed Newton step: the projected BFGS
    let newton = match rule {
        StoppingRule::Full => {
            projected_newton(r, k, &start, box_options(rule).gtol, &mut ws, NewtonObjective::Ml)
        }
        StoppingRule::R => None,
    };
    let (psi, conv) = match newton {
        Some(res) => res,
        None => minimize_psi(&start, rule, "maximum likelihood", |x, g| {
            ml_value_grad_ws(r, x, k, &mut ws, g)
        })?,
    };
    let loadings = ml_loadings_ws(r, &psi, k, &mut ws)?;
    let mut warnings = Vec::new();
    if !conv.converged {
        warnings.push(Warning::NotConverged {
            what: "maximum likelihood".into(),
            iterations: conv.iterations,
        });
    }
    Ok(Extracted {
        loadings,
        psi: Some(Array1::from(psi)),
        convergence: conv,
        pa_history: Vec::new(),
        warnings,
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use ndarray::array;

    /// A two-factor correlation matrix with one extra residual correlation (shared by the
    /// extraction tests of this module and of `weighted`).
    pub(crate) fn test_r() -> Array2<f64> {
        let l = array![[0.8, 0.1], [0.7, 0.2], [0.6, 0.0], [0.1, 0.7], [0.2, 0.6], [0.0, 0.5]];
        let mut r = l.dot(&l.t());
        for i in 0..6 {
            r[[i, i]] = 1.0;
        }
        r[[0, 3]] += 0.05;
        r[[3, 0]] += 0.05;
        r
    }

    const PSI: [f64; 6] = [0.4, 0.5, 0.6, 0.45, 0.55, 0.7];

    type ValueGrad =
        fn(&Array2<f64>, &[f64], usize, &mut small::EigWork, &mut [f64]) -> Option<f64>;

    /// Value and ψ-gradient of a criterion at `psi` (2 factors of [`test_r`]).
    fn value_grad(vg: ValueGrad, psi: &[f64]) -> (f64, Vec<f64>) {
        let mut ws = small::EigWork::new(6);
        let mut g = vec![0.0; 6];
        let f = vg(&test_r(), psi, 2, &mut ws, &mut g).unwrap();
        (f, g)
    }

    /// The analytic gradient against central differences of the value.
    fn check_gradient(vg: ValueGrad, tol: f64) {
        let (_, g) = value_grad(vg, &PSI);
        for i in 0..6 {
            let h = 1e-6;
            let (mut a, mut b) = (PSI, PSI);
            a[i] += h;
            b[i] -= h;
            let fd = (value_grad(vg, &a).0 - value_grad(vg, &b).0) / (2.0 * h);
            assert!((fd - g[i]).abs() < tol, "{i}: {fd} vs {}", g[i]);
        }
    }

    /// The Newton Hessian in x = ln ψ against central differences of the analytic x-gradient.
    fn check_hessian(obj: NewtonObjective, vg: ValueGrad) {
        let gx = |ps: &[f64]| -> Vec<f64> {
            let (_, g) = value_grad(vg, ps);
            g.iter().zip(ps).map(|(a, b)| a * b).collect()
        };
        let mut ws = small::EigWork::new(6);
        let mut g = vec![0.0; 6];
        vg(&test_r(), &PSI, 2, &mut ws, &mut g).unwrap();
        let mut hw = HessWork::new(6, 2);
        assert!(obj.hessian_x(&ws, &PSI, &g, &mut hw));
        for j in 0..6 {
            let e = 1e-6;
            let (mut a, mut b) = (PSI, PSI);
            a[j] *= f64::exp(e);
            b[j] *= f64::exp(-e);
            let (ga, gb) = (gx(&a), gx(&b));
            for i in 0..6 {
                let fd = (ga[i] - gb[i]) / (2.0 * e);
                let h = hw.h[i * 6 + j];
                assert!((fd - h).abs() < 1e-6, "({i},{j}): {fd} vs {h}");
            }
        }
    }

    #[test]
    fn gradients_match_finite_differences() {
        check_gradient(minres_value_grad_ws, 1e-7);
        check_gradient(uls_value_grad_ws, 1e-7);
        check_gradient(ml_value_grad_ws, 1e-6);
    }

    #[test]
    fn newton_hessians_match_finite_differences() {
        check_hessian(NewtonObjective::Ml, ml_value_grad_ws);
        check_hessian(NewtonObjective::Uls, uls_value_grad_ws);
    }

    #[test]
    fn uls_and_minres_share_the_interior_optimum() {
        // at the ULS-profile optimum e = 0, where the minres gradient vanishes as well
        let r = test_r();
        let ex = minres(&r, 2, StoppingRule::Full, None).unwrap();
        assert!(ex.convergence.reason.contains("ULS"), "{}", ex.convergence.reason);
        let psi = ex.psi.unwrap().to_vec();
        let (_, g) = value_grad(minres_value_grad_ws, &psi);
        assert!(g.iter().all(|v| v.abs() < 1e-8), "{g:?}");
        let (_, gu) = value_grad(uls_value_grad_ws, &psi);
        assert!(gu.iter().all(|v| v.abs() < 1e-8), "{gu:?}");
        // psych's rule keeps the minres BFGS; both land on the same uniquenesses
        let exr = minres(&r, 2, StoppingRule::R, None).unwrap();
        let d = exr.psi.unwrap().iter().zip(&psi).fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()));
        assert!(d < 1e-4, "{d}");
    }
}
