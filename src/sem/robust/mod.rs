//! Robust ML for continuous data: a post-estimation layer on the ML point estimate.
//!
//! | lavaan | SEs | test |
//! |---|---|---|
//! | `MLM` | sandwich with the expected information | Satorra–Bentler scaled χ² |
//! | `MLMV` | as MLM | mean-and-variance adjusted (scaled-shifted) χ² |
//! | `MLR` | Huber–White sandwich with the observed information | Yuan–Bentler (Mplus variant) scaled χ² |
//!
//! The layer needs from a fit only Δ = ∂vech Σ/∂θᵀ, the implied Σ̂, the expected information
//! (Δᵀ W Δ)⁻¹, for MLR the observed information, the χ² of the model and of the baseline, and the
//! complete raw rows ([`robust_ml`]); [`apply`] feeds it from a single-group [`SemFit`].
//! Formulas: gamma.rs (Γ, W, B₁), sandwich.rs (SEs), test.rs (statistics and fit measures);
//! conventions in docs/methods/sem.md, section "Robust ML".

pub(crate) mod fiml;
mod gamma;
pub(crate) mod groups;
mod sandwich;
mod test;

use ndarray::{Array1, Array2, ArrayView2};

use super::{Estimator, Likelihood, SemFit, estimate, param_rows};
use crate::core::linalg;
use crate::data::Dataset;
use crate::error::{Error, Result};

pub(crate) use gamma::normal_weight;
pub(crate) use test::Scaling;
pub(crate) use test::{RMSEA_ROBUST, incremental_robust, rmsea_robust};

/// What the robust layer needs from an ML fit (one group, no mean structure).
pub(crate) struct RobustInputs<'a> {
    pub scaling: Scaling,
    /// Complete rows of the model's observed variables, in model order.
    pub x: ArrayView2<'a, f64>,
    /// vech order of the rows of Δ.
    pub pairs: &'a [(usize, usize)],
    /// Model-implied covariance Σ̂.
    pub sigma: &'a Array2<f64>,
    /// Δ = ∂vech Σ/∂θᵀ at θ̂ (pairs × free parameters).
    pub delta: &'a Array2<f64>,
    /// (Δᵀ W Δ)⁻¹, the inverse expected information per observation.
    pub info_inv: &'a Array2<f64>,
    /// Inverse observed information per observation (Hessian of F_ML/2), needed for MLR.
    pub hessian_inv: Option<&'a Array2<f64>>,
    pub chisq: f64,
    pub df: f64,
    pub base_chisq: f64,
    pub base_df: f64,
    /// The number of free rows of the parameter table (equality-constrained parameters counted
    /// each, as lavaan's unconstrained parameter vector): the divisor of `scaling.factor.h0`.
    pub npar: f64,
    /// Columns of the fixed exogenous covariates (fixed.x), empty if none.
    pub ix: &'a [usize],
}

/// The robust covariance of the estimates and the robust fit measures (each with the lavaan
/// measure it follows).
pub(crate) struct Robust {
    pub vcov: Array2<f64>,
    pub measures: Vec<(&'static str, String, f64)>,
}

/// Robust SEs and test statistics (see the module documentation).
///
/// # Errors
/// [`Error::NotPositiveDefinite`] for a singular Σ̂ or sample covariance;
/// [`Error::InvalidParameter`] for MLR without the observed information.
pub(crate) fn robust_ml(inp: &RobustInputs<'_>) -> Result<Robust> {
    let n = inp.x.nrows() as f64;
    let p = inp.sigma.nrows();
    let pairs = inp.pairs;
    let ix = inp.ix;
    let (gam, s) = if ix.is_empty() {
        gamma::gamma_nt_free(inp.x, pairs)
    } else {
        gamma::gamma_fixed_x(inp.x, pairs, ix).ok_or_else(|| Error::NotPositiveDefinite {
            matrix: "covariance of the exogenous covariates".into(),
        })?
    };
    let sigma_inv = linalg::spd_inverse(inp.sigma.view(), "model-implied covariance")?;
    let w = gamma::normal_weight(&sigma_inv, pairs);
    // the baseline (independence) model: Σ_b = diag(S) (the fixed covariates' block at S_xx),
    // Δ_b = unit columns on the variances of the other variables
    let s_at = |i: usize, j: usize| {
        pairs
            .iter()
            .position(|&(a, b)| (a, b) == (i, j) || (a, b) == (j, i))
            .map_or(f64::NAN, |r| s[r])
    };
    let s_diag: Vec<f64> = (0..p).map(|j| s_at(j, j)).collect();
    if s_diag.iter().any(|v| v.is_nan() || *v <= 0.0) {
        return Err(Error::NotPositiveDefinite { matrix: "sample covariance".into() });
    }
    let sb = Array2::from_shape_fn((p, p), |(i, j)| {
        if i == j {
            s_diag[i]
        } else if ix.contains(&i) && ix.contains(&j) {
            s_at(i, j)
        } else {
            0.0
        }
    });
    let sb_inv = linalg::spd_inverse(sb.view(), "baseline covariance")?;
    let w_b = gamma::normal_weight(&sb_inv, pairs);
    let ys: Vec<usize> = (0..p).filter(|j| !ix.contains(j)).collect();
    let mut delta_b = Array2::<f64>::zeros((pairs.len(), ys.len()));
    for (r, &(a, b)) in pairs.iter().enumerate() {
        if a == b
            && let Some(c) = ys.iter().position(|&j| j == a)
        {
            delta_b[[r, c]] = 1.0;
        }
    }
    // I_b = Δ_bᵀ W_b Δ_b = diag(1 / (2 s_jj²))
    let nb = ys.len();
    let info_b_inv = Array2::from_shape_fn((nb, nb), |(i, j)| {
        if i == j { 2.0 * s_diag[ys[i]] * s_diag[ys[i]] } else { 0.0 }
    });
    match inp.scaling {
        Scaling::SatorraBentler | Scaling::ScaledShifted => {
            let wd = linalg::matmul(w.view(), inp.delta.view());
            let meat = linalg::matmul(wd.t(), linalg::matmul(gam.view(), wd.view()).view());
            let vcov = sandwich::sandwich(inp.info_inv, &meat, n);
            let (tr, tr2) = test::ugamma_traces(&w, inp.delta, inp.info_inv, &gam);
            let (trb, tr2b) = test::ugamma_traces(&w_b, &delta_b, &info_b_inv, &gam);
            let (model, base) = if inp.scaling == Scaling::SatorraBentler {
                (
                    test::Scaled::mean_adjusted(inp.chisq, inp.df, tr),
                    test::Scaled::mean_adjusted(inp.base_chisq, inp.base_df, trb),
                )
            } else {
                (
                    test::Scaled::scaled_shifted(inp.chisq, inp.df, tr, tr2),
                    test::Scaled::scaled_shifted(inp.base_chisq, inp.base_df, trb, tr2b),
                )
            };
            let measures = test::measures(inp.scaling, n, &model, &base, None);
            Ok(Robust { vcov, measures })
        }
        Scaling::YuanBentler => {
            let e_inv = inp
                .hessian_inv
                .ok_or_else(|| Error::invalid("estimator", "MLR needs the observed information"))?;
            // the case-wise scores in θ are those of the joint likelihood (the covariates'
            // moments enter them unchanged): B₁ from the plain Γ; the h1 trace below keeps
            // the fixed-x Γ
            let gam_scores =
                if ix.is_empty() { None } else { Some(gamma::gamma_nt_free(inp.x, pairs).0) };
            let gam_s = gam_scores.as_ref().unwrap_or(&gam);
            let b1 = gamma::first_order(&w, gam_s, &s, &gamma::vech(inp.sigma, pairs));
            let b0 =
                linalg::matmul(inp.delta.t(), linalg::matmul(b1.view(), inp.delta.view()).view());
            let vcov = sandwich::sandwich(e_inv, &b0, n);
            // h1 (unrestricted) part at the sample moments: tr(W(S)⁻¹ B₁(S)) = tr(Γ W(S))
            let s_mat = Array2::from_shape_fn((p, p), |(i, j)| s_at(i, j));
            let s_inv = linalg::spd_inverse(s_mat.view(), "sample covariance")?;
            let th1 = test::trace_sym(&gam, &gamma::normal_weight(&s_inv, pairs));
            let th0 = test::trace_sym(&b0, e_inv);
            let sb_vech = gamma::vech(&sb, pairs);
            let b1_b = gamma::first_order(&w_b, gam_s, &s, &sb_vech);
            let b0_b =
                linalg::matmul(delta_b.t(), linalg::matmul(b1_b.view(), delta_b.view()).view());
            let th0_b = test::trace_sym(&b0_b, &info_b_inv);
            let model = test::Scaled::mean_adjusted(inp.chisq, inp.df, th1 - th0);
            let base = test::Scaled::mean_adjusted(inp.base_chisq, inp.base_df, th1 - th0_b);
            let nx = ix.len();
            let h1_h0 = Some((th1 / (pairs.len() - nx * (nx + 1) / 2) as f64, th0 / inp.npar));
            let measures = test::measures(inp.scaling, n, &model, &base, h1_h0);
            Ok(Robust { vcov, measures })
        }
    }
}

/// The robust test of a robust estimator (`None` for ML, GLS, ULS).
pub(crate) fn scaling_of(e: Estimator) -> Option<Scaling> {
    match e {
        Estimator::Mlm => Some(Scaling::SatorraBentler),
        Estimator::Mlmv => Some(Scaling::ScaledShifted),
        Estimator::Mlr => Some(Scaling::YuanBentler),
        _ => None,
    }
}

/// Replace the SEs and add the robust fit measures of a complete-data single-group ML fit.
///
/// # Errors
/// [`Error::InvalidParameter`] for models the layer does not cover (a mean structure, the
/// Wishart likelihood); errors of [`robust_ml`].
pub(crate) fn apply(mut fit: SemFit, robust: Estimator, data: &Dataset) -> Result<SemFit> {
    let Some(scaling) = scaling_of(robust) else { return Ok(fit) };
    if fit.pt.meanstructure {
        return Err(Error::invalid(
            "estimator",
            "robust ML with a mean structure is available for MLR with missing = FIML only",
        ));
    }
    if fit.config.likelihood != Likelihood::Normal {
        return Err(Error::invalid("likelihood", "robust ML uses the normal likelihood"));
    }
    let x_all = data.select(&fit.pt.ov)?;
    let keep: Vec<usize> =
        (0..x_all.nrows()).filter(|&i| x_all.row(i).iter().all(|v| !v.is_nan())).collect();
    let x = x_all.select(ndarray::Axis(0), &keep);
    let ix: Vec<usize> =
        fit.pt.ov_x.iter().filter_map(|v| fit.pt.ov.iter().position(|w| w == v)).collect();
    let point = estimate::eval(&fit.st, &fit.obj, &fit.theta)
        .ok_or_else(|| Error::NotPositiveDefinite { matrix: "implied covariance".into() })?;
    let (_, delta) = estimate::gradient(&fit.st, &fit.obj, &point);
    let hessian_inv = if scaling == Scaling::YuanBentler {
        let (st, obj) = (&fit.st, &fit.obj);
        let grad = |t: &[f64]| -> Option<Array1<f64>> {
            let pt = estimate::eval(st, obj, t)?;
            Some(estimate::gradient(st, obj, &pt).0 * 0.5)
        };
        let h = sandwich::numeric_hessian(&fit.theta, &grad)
            .ok_or_else(|| Error::NotPositiveDefinite { matrix: "implied covariance".into() })?;
        // under explicit constraints: restricted to their null space, as the expected one
        let cons = (!fit.pt.constraints.is_empty()).then_some(&fit.pt);
        Some(super::constraints::invert_maybe(cons, &fit.theta, &h, &fit.par_names)?.info_inv)
    } else {
        None
    };
    let fm = |k: &str| fit.fit_measure(k).unwrap_or(f64::NAN);
    let r = robust_ml(&RobustInputs {
        scaling,
        x: x.view(),
        pairs: &fit.st.vech,
        sigma: &point.imp.sigma,
        delta: &delta,
        info_inv: &fit.info_inv,
        hessian_inv: hessian_inv.as_ref(),
        chisq: fm("chisq"),
        df: fm("df"),
        base_chisq: fm("baseline.chisq"),
        base_df: fm("baseline.df"),
        npar: fit.pt.rows.iter().filter(|r| r.free.is_some()).count() as f64,
        ix: &ix,
    })?;
    fit.rows = param_rows(&fit.pt, &fit.st, &point.mats, &point.imp, &r.vcov, fit.config.ci_level);
    fit.vcov = r.vcov;
    test::insert_measures(&mut fit.fit, r.measures);
    Ok(fit)
}

/// MLR with FIML: the robust covariance of the estimates; the scaled test and its measures are
/// added to `fm`. The `.robust` CFI/TLI/RMSEA under missing data are the Zhang–Savalei ones
/// already in `fm` (computed with the sandwich Γ of the saturated moments for MLR, see
/// `fiml_corrected`), so the complete-data definitions of the layer are not added.
///
/// # Errors
/// [`Error::NotPositiveDefinite`] for a singular saturated or independence information.
pub(crate) fn apply_fiml(
    inp: &fiml::FimlInputs<'_>,
    fm: &mut Vec<(String, f64)>,
) -> Result<Array2<f64>> {
    let r = fiml::mlr_fiml(inp)?.ok_or_else(|| Error::NotPositiveDefinite {
        matrix: "model-implied covariance of an observed-variable pattern".into(),
    })?;
    let scaled: Vec<_> =
        r.measures.into_iter().filter(|(_, k, _)| !k.ends_with(".robust")).collect();
    test::insert_measures(fm, scaled);
    Ok(r.vcov)
}
