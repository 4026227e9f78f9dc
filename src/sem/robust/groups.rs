//! Robust ML over several groups (lavaan `estimator = "MLM" | "MLMV" | "MLR"` with `group =`):
//! the per-group pieces of the single-group layer summed over the groups, with the mean
//! structure that every multi-group model carries.
//!
//! Group g contributes its moments v_g = (μ_g, vech Σ_g), the Jacobian J_g = ∂v_g/∂θᵀ in the
//! global parameters θ (equality constraints are shared columns; with saturated means the
//! observed intercepts of every group are columns of θ too), its raw rows and n_g.
//!
//! ```text
//! W_g = diag(Σ̂_g⁻¹, W(Σ̂_g⁻¹)),   Γ_g = (1/n_g) Σ_i (z_i − z̄)(z_i − z̄)ᵀ, z_i = (x_i, vech (x_i − x̄)(x_i − x̄)ᵀ)
//! MLM/MLMV: A = Σ_g n_g J_gᵀ W_g J_g,   V = A⁻¹ (Σ_g n_g J_gᵀ W_g Γ_g W_g J_g) A⁻¹
//! (U Γ)_gh = δ_gh W_g Γ_g − n_g W_g J_g A⁻¹ J_hᵀ W_h Γ_h     (the stacked, all-group matrix)
//! c = tr(U Γ)/df (Satorra–Bentler),  a = √(df / tr[(U Γ)²]) (scaled-shifted)
//! MLR:      H = Σ_g n_g H_g (observed),  B₀ = Σ_g n_g J_gᵀ B_g J_g,   V = H⁻¹ B₀ H⁻¹
//! c = [Σ_g tr(A₁g⁻¹ B₁g) − tr(B₀ H⁻¹)] / df                 (Yuan–Bentler)
//! ```
//!
//! B_g is the cross-product of group g's case-wise scores of the observed-data likelihood at
//! (μ̂_g, Σ̂_g), B₁g and A₁g the same and the observed information of the saturated model at the
//! saturated moments (the EM moments with missing data). The baseline model is the independence
//! model of every group (means and variances free per group), so its traces are sums over the
//! groups. The fit measures use lavaan's multi-group RMSEA (√G · √(…/(N df)), i.e. the
//! single-group formulas with N/G in place of N).

use ndarray::{Array1, Array2, ArrayView2, Axis};

use super::fiml::score_crossproduct;
use super::gamma::normal_weight;
use super::test::{self, Scaled, Scaling};
use crate::core::linalg;
use crate::error::{Error, Result};
use crate::missing::MissingPatterns;
use crate::sem::partable::ParTable;

/// One group's part.
pub(crate) struct GroupPiece<'a> {
    /// The group's rows (one column per model variable; complete rows unless FIML).
    pub x: &'a Array2<f64>,
    /// The missingness patterns of `x` (one pattern for complete data).
    pub pats: &'a MissingPatterns,
    pub vech: &'a [(usize, usize)],
    /// J_g = ∂(μ_g, vech Σ_g)/∂θᵀ in the global parameters ((p + p*) × Q).
    pub jac: Array2<f64>,
    pub mu: &'a Array1<f64>,
    pub sigma: &'a Array2<f64>,
    /// The saturated model's moments (sample or EM).
    pub h1_mean: &'a Array1<f64>,
    pub h1_cov: &'a Array2<f64>,
    /// The independence model's means and variances.
    pub indep_mean: &'a Array1<f64>,
    pub indep_var: &'a Array1<f64>,
}

/// The robust covariance and what the robust statistics need once χ² is known.
pub(crate) struct Prepared {
    pub scaling: Scaling,
    /// Robust covariance of the global parameters.
    pub vcov: Array2<f64>,
    /// (tr(UΓ), tr[(UΓ)²]) of the model and of the baseline (MLM, MLMV), or
    /// (Σ tr(A₁⁻¹B₁), tr(B₀H⁻¹)) and (·, baseline tr(B₀H⁻¹)) for MLR.
    model: (f64, f64),
    base: (f64, f64),
    /// Σ_g (p + p*): the divisor of `scaling.factor.h1`.
    dim: f64,
    n: f64,
    groups: f64,
    /// What the Satorra (2000) difference test needs (MLM, MLMV).
    pub diff: Option<DiffParts>,
}

/// A robust multi-group fit's pieces for the Satorra (2000) scaled difference test: the
/// Jacobian of the stacked moments of all groups in the global parameters, the expected
/// information A = Σ_g n_g J_gᵀ W_g J_g and B = Σ_g n_g J_gᵀ W_g Γ_g W_g J_g.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DiffParts {
    pub jac: Array2<f64>,
    pub info: Array2<f64>,
    pub meat: Array2<f64>,
}

/// Γ_g with the means: the covariance (divisor n) of z_i = (x_i, vech (x_i − x̄)(x_i − x̄)ᵀ).
fn gamma_means(x: ArrayView2<'_, f64>, pairs: &[(usize, usize)]) -> Array2<f64> {
    let (n, p) = x.dim();
    let nf = n as f64;
    let means: Vec<f64> = (0..p).map(|j| x.column(j).sum() / nf).collect();
    let mut z = Array2::<f64>::zeros((n, p + pairs.len()));
    for (i, row) in x.rows().into_iter().enumerate() {
        for j in 0..p {
            z[[i, j]] = row[j] - means[j];
        }
        for (r, &(a, b)) in pairs.iter().enumerate() {
            z[[i, p + r]] = (row[a] - means[a]) * (row[b] - means[b]);
        }
    }
    let zbar = z.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(p + pairs.len()));
    for mut row in z.rows_mut() {
        row -= &zbar;
    }
    let mut g = linalg::crossprod(z.view());
    g /= nf;
    g
}

/// W = diag(Σ⁻¹, W(Σ⁻¹)) over (μ, vech Σ).
fn weight_means(sigma: &Array2<f64>, pairs: &[(usize, usize)]) -> Result<Array2<f64>> {
    let p = sigma.nrows();
    let sinv = linalg::spd_inverse(sigma.view(), "model-implied covariance")?;
    let wc = normal_weight(&sinv, pairs);
    let d = p + pairs.len();
    let mut w = Array2::<f64>::zeros((d, d));
    for i in 0..p {
        for j in 0..p {
            w[[i, j]] = sinv[[i, j]];
        }
    }
    for i in 0..pairs.len() {
        for j in 0..pairs.len() {
            w[[p + i, p + j]] = wc[[i, j]];
        }
    }
    Ok(w)
}

/// The independence model's Jacobian: unit columns on the means and the variances.
fn indep_jacobian(p: usize, pairs: &[(usize, usize)]) -> Array2<f64> {
    let mut jb = Array2::<f64>::zeros((p + pairs.len(), 2 * p));
    for j in 0..p {
        jb[[j, j]] = 1.0;
    }
    for (r, &(a, b)) in pairs.iter().enumerate() {
        if a == b {
            jb[[p + r, p + a]] = 1.0;
        }
    }
    jb
}

fn traces(m: &Array2<f64>) -> (f64, f64) {
    let d = m.nrows();
    let tr: f64 = (0..d).map(|i| m[[i, i]]).sum();
    let tr2: f64 = (0..d).map(|i| (0..d).map(|j| m[[i, j]] * m[[j, i]]).sum::<f64>()).sum();
    (tr, tr2)
}

/// Robust covariance and traces.
///
/// `observed_info` is H = Σ_g n_g H_g (MLR; required there, unused otherwise). Under explicit
/// constraints (`cons`: their table over the columns of the Jacobians, and the estimates) every
/// inverse information is the restricted one, K (Kᵀ I K)⁻¹ Kᵀ over the null space K of the
/// constraints' Jacobian, in the sandwich and in the traces of the scaled tests (lavaan).
///
/// # Errors
/// [`Error::NotPositiveDefinite`] for a singular implied, sample or information matrix;
/// [`Error::InvalidParameter`] for MLR without the observed information.
pub(crate) fn prepare(
    scaling: Scaling,
    groups: &[GroupPiece<'_>],
    observed_info: Option<&Array2<f64>>,
    names: &[String],
    cons: Option<(&ParTable, &[f64])>,
) -> Result<Prepared> {
    let invert = |info: &Array2<f64>| -> Result<Array2<f64>> {
        match cons {
            Some((pt, theta)) => {
                Ok(crate::sem::constraints::restricted_inverse(pt, theta, info)?.info_inv)
            }
            None => super::super::vcov::invert_information(info, names),
        }
    };
    let n: f64 = groups.iter().map(|g| g.pats.n_obs() as f64).sum();
    let dim: f64 = groups.iter().map(|g| (g.mu.len() + g.vech.len()) as f64).sum();
    let q = groups.first().map_or(0, |g| g.jac.ncols());
    let ng = groups.len() as f64;
    match scaling {
        Scaling::SatorraBentler | Scaling::ScaledShifted => {
            let mut info = Array2::<f64>::zeros((q, q));
            let mut meat = Array2::<f64>::zeros((q, q));
            let mut parts = Vec::with_capacity(groups.len());
            let (mut trb, mut tr2b) = (0.0, 0.0);
            let rows: usize = groups.iter().map(|g| g.jac.nrows()).sum();
            let mut jac_all = Array2::<f64>::zeros((rows, q));
            let mut r0 = 0;
            for g in groups {
                for row in g.jac.rows() {
                    jac_all.row_mut(r0).assign(&row);
                    r0 += 1;
                }
            }
            for g in groups {
                let ng_obs = g.pats.n_obs() as f64;
                let p = g.mu.len();
                let gam = gamma_means(g.x.view(), g.vech);
                let w = weight_means(g.sigma, g.vech)?;
                let wj = linalg::matmul(w.view(), g.jac.view());
                info += &(linalg::matmul(g.jac.t(), wj.view()) * ng_obs);
                let gwj = linalg::matmul(gam.view(), wj.view());
                meat += &(linalg::matmul(wj.t(), gwj.view()) * ng_obs);
                let wg = linalg::matmul(w.view(), gam.view());
                // the baseline at (x̄, diag S)
                let db = Array2::from_diag(g.indep_var);
                let wb = weight_means(&db, g.vech)?;
                let jb = indep_jacobian(p, g.vech);
                let wjb = linalg::matmul(wb.view(), jb.view());
                let ib = linalg::matmul(jb.t(), wjb.view());
                let ib_inv = linalg::spd_inverse(ib.view(), "independence model information")?;
                let proj =
                    linalg::matmul(linalg::matmul(wjb.view(), ib_inv.view()).view(), wjb.t());
                let ub = &wb - &proj;
                let (t, t2) = traces(&linalg::matmul(ub.view(), gam.view()));
                trb += t;
                tr2b += t2;
                parts.push((wj, gwj, wg, ng_obs));
            }
            let info_inv = invert(&info)?;
            let mut vcov = linalg::matmul(
                linalg::matmul(info_inv.view(), meat.view()).view(),
                info_inv.view(),
            );
            linalg::symmetrize(&mut vcov);
            // the stacked U Γ over all groups
            let d: usize = parts.iter().map(|p| p.2.nrows()).sum();
            let mut ug = Array2::<f64>::zeros((d, d));
            let mut off = Vec::with_capacity(parts.len());
            let mut o = 0;
            for p in &parts {
                off.push(o);
                o += p.2.nrows();
            }
            for (a, pa) in parts.iter().enumerate() {
                let left = linalg::matmul(pa.0.view(), info_inv.view()) * pa.3;
                let ra = pa.2.nrows();
                for i in 0..ra {
                    for j in 0..ra {
                        ug[[off[a] + i, off[a] + j]] += pa.2[[i, j]];
                    }
                }
                for (b, pb) in parts.iter().enumerate() {
                    let blk = linalg::matmul(left.view(), pb.1.t());
                    for i in 0..ra {
                        for j in 0..pb.2.nrows() {
                            ug[[off[a] + i, off[b] + j]] -= blk[[i, j]];
                        }
                    }
                }
            }
            let model = traces(&ug);
            // the scaled difference test's pieces assume no explicit constraints
            let diff = cons.is_none().then_some(DiffParts { jac: jac_all, info, meat });
            Ok(Prepared { scaling, vcov, model, base: (trb, tr2b), dim, n, groups: ng, diff })
        }
        Scaling::YuanBentler => {
            let h = observed_info
                .ok_or_else(|| Error::invalid("estimator", "MLR needs the observed information"))?;
            let h_inv = invert(h)?;
            let mut b0 = Array2::<f64>::zeros((q, q));
            let (mut th1, mut th0_b) = (0.0, 0.0);
            let singular = || Error::NotPositiveDefinite {
                matrix: "model-implied covariance of an observed-variable pattern".into(),
            };
            for g in groups {
                let ng_obs = g.pats.n_obs() as f64;
                let p = g.mu.len();
                let bg =
                    score_crossproduct(g.pats, g.x, g.mu, g.sigma, g.vech).ok_or_else(singular)?;
                b0 += &(linalg::matmul(g.jac.t(), linalg::matmul(bg.view(), g.jac.view()).view())
                    * ng_obs);
                let b_h1 = score_crossproduct(g.pats, g.x, g.h1_mean, g.h1_cov, g.vech)
                    .ok_or_else(singular)?;
                let a1 = crate::sem::fiml::saturated_observed_information(
                    g.pats, g.x, g.h1_mean, g.h1_cov, g.vech, ng_obs,
                )
                .ok_or_else(singular)?;
                let a1_inv = linalg::spd_inverse(a1.view(), "saturated information")?;
                th1 += test::trace_sym(&a1_inv, &b_h1);
                let cov_b = Array2::from_diag(g.indep_var);
                let jb = indep_jacobian(p, g.vech);
                let base_info = crate::sem::fiml::saturated_observed_information(
                    g.pats,
                    g.x,
                    g.indep_mean,
                    &cov_b,
                    g.vech,
                    ng_obs,
                )
                .ok_or_else(singular)?;
                let b_base = score_crossproduct(g.pats, g.x, g.indep_mean, &cov_b, g.vech)
                    .ok_or_else(singular)?;
                let eb = linalg::matmul(jb.t(), linalg::matmul(base_info.view(), jb.view()).view());
                let eb_inv = linalg::spd_inverse(eb.view(), "independence model information")?;
                let b0b = linalg::matmul(jb.t(), linalg::matmul(b_base.view(), jb.view()).view());
                th0_b += test::trace_sym(&b0b, &eb_inv);
            }
            let mut vcov =
                linalg::matmul(linalg::matmul(h_inv.view(), b0.view()).view(), h_inv.view());
            linalg::symmetrize(&mut vcov);
            let th0 = test::trace_sym(&b0, &h_inv);
            Ok(Prepared {
                scaling,
                vcov,
                model: (th1, th0),
                base: (th1, th0_b),
                dim,
                n,
                groups: ng,
                diff: None,
            })
        }
    }
}

impl Prepared {
    /// The robust statistics and fit measures (lavaan's names, each with its anchor) from the
    /// model's and the baseline's χ²; `npar` is the number of free rows of lavaan's parameter
    /// table over all groups (the divisor of `scaling.factor.h0`).
    pub(crate) fn measures(
        &self,
        chisq: f64,
        df: f64,
        base_chisq: f64,
        base_df: f64,
        npar: f64,
    ) -> Vec<(&'static str, String, f64)> {
        let (model, base, h1_h0) = match self.scaling {
            Scaling::SatorraBentler => (
                Scaled::mean_adjusted(chisq, df, self.model.0),
                Scaled::mean_adjusted(base_chisq, base_df, self.base.0),
                None,
            ),
            Scaling::ScaledShifted => (
                Scaled::scaled_shifted(chisq, df, self.model.0, self.model.1),
                Scaled::scaled_shifted(base_chisq, base_df, self.base.0, self.base.1),
                None,
            ),
            Scaling::YuanBentler => {
                let (th1, th0) = self.model;
                (
                    Scaled::mean_adjusted(chisq, df, th1 - th0),
                    Scaled::mean_adjusted(base_chisq, base_df, th1 - self.base.1),
                    Some((th1 / self.dim, th0 / npar)),
                )
            }
        };
        test::measures(self.scaling, self.n / self.groups, &model, &base, h1_h0)
    }
}

/// Insert robust measures into a fit-measure list in lavaan's order.
pub(crate) fn insert_measures(
    fm: &mut Vec<(String, f64)>,
    extra: Vec<(&'static str, String, f64)>,
) {
    test::insert_measures(fm, extra);
}

/// The Hessian of a function whose analytic gradient is `grad` (four-point central
/// differences; see sandwich.rs).
pub(crate) fn numeric_hessian(
    theta: &[f64],
    grad: &dyn Fn(&[f64]) -> Option<Array1<f64>>,
) -> Option<Array2<f64>> {
    super::sandwich::numeric_hessian(theta, grad)
}
