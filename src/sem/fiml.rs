//! Full-information maximum likelihood (lavaan `missing = "ml"`) and mean structures.
//!
//! The model supplies μ(θ) = ν + Λ(I − B)⁻¹α and Σ(θ); the observed-data log-likelihood
//! ℓ(μ, Σ) and its gradient come pattern-wise from [`crate::missing::MissingPatterns`], and
//! the chain rule gives
//!
//! ```text
//! ∂ℓ/∂θ = (∂μ/∂θᵀ)ᵀ ∂ℓ/∂μ + Δᵀ w,   w_(ij) = (2 − δ_ij) G_ij,  G = ∂ℓ/∂Σ
//! ```
//!
//! The estimate minimises f(θ) = −ℓ(θ)/N through the driver ([`super::driver`]: BFGS whose
//! initial inverse Hessian is the inverse of the complete-data expected information, with a
//! Fisher-scoring fallback), started from the complete-data ML fit to the saturated EM moments. Complete data with a mean structure is the one-pattern case.

use ndarray::{Array1, Array2};

use super::model::{Implied, Matrices, ModelStructure};
use crate::core::linalg::small as dense;
use crate::missing::MissingPatterns;

mod exo;
mod information;
pub(crate) use exo::{exogenous_association_loglik, exogenous_moments, fix_exogenous};
pub(crate) use exo::{model_moments, submatrix};
pub(crate) use information::{
    CorrectedInputs, fiml_corrected, full_jacobian, observed_information_analytic,
    saturated_observed_information,
};

/// One evaluated point of the FIML objective.
#[derive(Debug, Clone)]
pub(crate) struct FimlPoint {
    pub theta: Vec<f64>,
    pub mats: Matrices,
    pub imp: Implied,
    pub mu: Array1<f64>,
    /// f = −ℓ/N
    pub f: f64,
    /// ∂f/∂θ
    pub g: Array1<f64>,
}

/// Result of the FIML optimisation.
#[derive(Debug, Clone)]
pub(crate) struct FimlOpt {
    pub point: FimlPoint,
    pub iterations: usize,
    pub converged: bool,
    pub reason: String,
    /// The solver's largest gradient element: under explicit constraints, of the problem
    /// reduced to the constraints' null space (or of the augmented Lagrangian), which vanishes
    /// at a constrained optimum.
    pub grad_max: f64,
}

pub(crate) fn eval(
    st: &ModelStructure,
    pats: &MissingPatterns,
    theta: &[f64],
    n: f64,
) -> Option<FimlPoint> {
    if theta.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mats = st.matrices(theta);
    let imp = st.implied(&mats).ok()?;
    let mu = st.implied_mean(&mats, &imp);
    let lg = pats.loglik_gradient(&mu, &imp.sigma).ok()?;
    if !lg.loglik.is_finite() {
        return None;
    }
    let ds = st.delta(&imp);
    let dm = st.delta_mean(&mats, &imp);
    let gv = Array1::from_shape_fn(st.vech.len(), |r| {
        let (a, b) = st.vech[r];
        if a == b { lg.sigma[[a, a]] } else { 2.0 * lg.sigma[[a, b]] }
    });
    let g = (ds.t().dot(&gv) + dm.t().dot(&lg.mu)) * (-1.0 / n);
    Some(FimlPoint { theta: theta.to_vec(), mats, imp, mu, f: -lg.loglik / n, g })
}

/// Complete-data expected information per observation at a point:
/// I = (∂μ/∂θᵀ)ᵀ Σ⁻¹ (∂μ/∂θᵀ) + ½ tr(Σ⁻¹ ∂_kΣ Σ⁻¹ ∂_lΣ).
pub(crate) fn expected_information(st: &ModelStructure, pt: &FimlPoint) -> Option<Array2<f64>> {
    let (sinv, _) = dense::spd_inverse_logdet(&pt.imp.sigma)?;
    let ds = st.delta(&pt.imp);
    let dm = st.delta_mean(&pt.mats, &pt.imp);
    let q = st.npar;
    let p = sinv.nrows();
    let mut info = dm.t().dot(&sinv.dot(&dm));
    // A_k = Σ⁻¹ ∂_kΣ
    let mut ak: Vec<Array2<f64>> = Vec::with_capacity(q);
    for k in 0..q {
        let mut dk = Array2::<f64>::zeros((p, p));
        let mut any = false;
        for (r, &(a, b)) in st.vech.iter().enumerate() {
            let v = ds[[r, k]];
            if v != 0.0 {
                any = true;
                dk[[a, b]] = v;
                dk[[b, a]] = v;
            }
        }
        ak.push(if any { sinv.dot(&dk) } else { Array2::zeros((0, 0)) });
    }
    for k in 0..q {
        if ak[k].is_empty() {
            continue;
        }
        for l in 0..=k {
            if ak[l].is_empty() {
                continue;
            }
            let mut s = 0.0;
            for a in 0..p {
                for b in 0..p {
                    s += ak[k][[a, b]] * ak[l][[b, a]];
                }
            }
            info[[k, l]] += 0.5 * s;
            if l != k {
                info[[l, k]] += 0.5 * s;
            }
        }
    }
    Some(info)
}

fn max_abs(v: &Array1<f64>) -> f64 {
    v.iter().fold(0.0f64, |a, b| a.max(b.abs()))
}

/// Observed information per observation: Hessian of f = −ℓ/N by central differences of the
/// analytic gradient (step h_k = 1e-4 · max(1, |θ_k|)), symmetrized.
pub(crate) fn observed_information(
    st: &ModelStructure,
    pats: &MissingPatterns,
    n: f64,
    theta: &[f64],
) -> Option<Array2<f64>> {
    use rayon::prelude::*;
    let q = theta.len();
    let cols: Vec<Option<Array1<f64>>> = (0..q)
        .into_par_iter()
        .map(|k| {
            let h = 1e-4 * theta[k].abs().max(1.0);
            let mut t = theta.to_vec();
            t[k] = theta[k] + h;
            let gp = eval(st, pats, &t, n)?.g;
            t[k] = theta[k] - h;
            let gm = eval(st, pats, &t, n)?.g;
            Some((gp - gm) / (2.0 * h))
        })
        .collect();
    let mut hmat = Array2::<f64>::zeros((q, q));
    for (k, c) in cols.into_iter().enumerate() {
        hmat.column_mut(k).assign(&c?);
    }
    let sym = (&hmat + &hmat.t()) * 0.5;
    Some(sym)
}

// ---------------------------------------------------------------------------------------------
// Fitting from raw data (FIML, or a mean structure on complete data)

use super::driver::{Block, BlockObjective};
use super::sample_stats::SampleStats;
use super::syntax::{ModelSyntax, Op, Statement};
use super::{
    Estimator, Likelihood, SemFit, SemMissing, SemModel, admissibility_warnings, fit_measures,
    free_names, param_rows, standardize, start,
};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::missing::SaturatedEm;
use crate::summary::Convergence;
use crate::warning::Warning;

impl SemModel {
    /// Fit a model with a mean structure to raw data: FIML over all rows with at least one
    /// observed value, or (listwise) ML with a mean structure on the complete rows.
    pub(crate) fn fit_raw(&self, data: &Dataset) -> Result<SemFit> {
        let cfg = &self.config;
        let ov = &self.pt.ov;
        for name in ov {
            data.index_of(name)?;
            if !data.is_numeric(name)? {
                return Err(Error::NonNumericColumn {
                    column: name.clone(),
                    line: 0,
                    value: "text".into(),
                });
            }
        }
        let x_all = data.select(ov)?;
        let p = ov.len();
        let fiml = cfg.missing == SemMissing::Fiml;
        // rows used: FIML keeps every row (rows without any observed value are dropped by the
        // pattern builder); listwise keeps complete rows
        // fixed.x covariates are conditioned on: rows missing one of them are dropped (as
        // lavaan does, with a warning)
        let ix: Vec<usize> =
            self.pt.ov_x.iter().filter_map(|v| ov.iter().position(|w| w == v)).collect();
        let x_missing =
            (0..x_all.nrows()).filter(|&i| ix.iter().any(|&j| x_all[[i, j]].is_nan())).count();
        let keep: Vec<usize> = (0..x_all.nrows())
            .filter(|&i| {
                let row = x_all.row(i);
                if fiml {
                    row.iter().any(|v| !v.is_nan()) && ix.iter().all(|&j| !row[j].is_nan())
                } else {
                    row.iter().all(|v| !v.is_nan())
                }
            })
            .collect();
        let n_dropped = x_all.nrows() - keep.len();
        let x = x_all.select(ndarray::Axis(0), &keep);
        if x.nrows() < 2 {
            return Err(Error::TooFewObservations { needed: 2, got: x.nrows() });
        }
        for (j, name) in ov.iter().enumerate() {
            if x.column(j).iter().all(|v| v.is_nan()) {
                return Err(Error::NotIdentified {
                    reason: format!("variable `{name}` has no observed values"),
                });
            }
        }
        let pats = MissingPatterns::new(&x)?;
        let n_obs = pats.n_obs();
        let n = n_obs as f64;
        let h1 = SaturatedEm::new().names(ov.iter().cloned()).fit_patterns(&pats)?;
        let em_mean = h1.mean().clone();
        let em_cov = h1.cov().clone();
        // fixed.x: the covariates' means and (co)variances (divisor N) are fixed at their
        // sample values
        let (pt_x, st_x) = fix_exogenous(&self.pt, &self.st, &x, &ix);
        let this = SemModel { config: self.config.clone(), pt: pt_x, st: st_x, ndat: self.ndat };
        let this = &this;
        // ---- starting values: complete-data ML fit to the EM moments, intercepts = EM means
        let theta0 = this.warm_start(&em_mean, &em_cov, n_obs);
        let p0 = match eval(&this.st, &pats, &theta0, n) {
            Some(pt) => pt,
            None => {
                let mut t = start::start_values(&this.pt, &this.st, &em_cov, cfg.std_lv);
                this.fill_intercepts(&mut t, &em_mean);
                eval(&this.st, &pats, &t, n).ok_or_else(|| Error::NotConverged {
                    what: "FIML starting values (implied covariance not positive definite)".into(),
                    iterations: 0,
                })?
            }
        };
        let block = Block::single(this.st.clone(), BlockObjective::Fiml { pats: pats.clone(), n });
        let cons = (!this.pt.constraints.is_empty()).then_some(&this.pt);
        let d = super::constraints::run_maybe(
            cons,
            std::slice::from_ref(&block),
            this.pt.npar,
            &p0.theta,
            cfg.optimizer,
            cfg.max_iter,
        )?
        .and_then(|d| {
            let point = d.points.into_iter().next()?.into_fiml()?;
            Some(FimlOpt {
                point,
                iterations: d.iterations,
                converged: d.converged,
                reason: d.reason,
                grad_max: d.grad_max,
            })
        });
        let mut opt = d.ok_or_else(|| Error::NotPositiveDefinite {
            matrix: "implied covariance at the FIML estimates".into(),
        })?;
        if !opt.converged && !cfg.allow_nonconverged {
            return Err(Error::NotConverged {
                what: format!("SEM FIML estimation ({})", opt.reason),
                iterations: opt.iterations,
            });
        }
        let par_names = free_names(&this.pt);
        // ---- information: observed (FIML, lavaan's default for missing = "ml") or expected
        let info = if fiml {
            observed_information_analytic(&this.st, &pats, &x, n, &opt.point)
                .or_else(|| observed_information(&this.st, &pats, n, &opt.point.theta))
        } else {
            expected_information(&this.st, &opt.point)
        }
        .ok_or_else(|| Error::NotPositiveDefinite { matrix: "implied covariance".into() })?;
        let restricted =
            super::constraints::invert_maybe(cons, &opt.point.theta, &info, &par_names)?;
        let info_inv = restricted.info_inv;
        // polish: one Newton step with the observed information (FIML); the step is of the
        // size of the remaining gradient (≲ 1e-9), so the information is not recomputed
        if fiml && opt.converged && cons.is_none() {
            let step = info_inv.dot(&opt.point.g);
            let cand: Vec<f64> =
                opt.point.theta.iter().zip(step.iter()).map(|(a, b)| a - b).collect();
            if let Some(np) = eval(&this.st, &pats, &cand, n)
                && max_abs(&np.g) < max_abs(&opt.point.g)
            {
                opt.point = np;
            }
        }
        let vcov = &info_inv / n;
        let point = &opt.point;
        let theta = point.theta.clone();
        let mut st = this.st.clone();
        let pt = this.pt.clone();
        // ---- test statistic and fit measures
        // lavaan's logl with fixed covariates leaves out their marginal log-likelihood
        let logl_x = if ix.is_empty() {
            0.0
        } else {
            let (_, sxx) = exogenous_moments(&x, &ix);
            let ld = crate::core::linalg::spd_logdet(
                sxx.view(),
                "covariance of the exogenous covariates",
            )?;
            let px = ix.len() as f64;
            -n / 2.0 * (px * (2.0 * std::f64::consts::PI).ln() + ld + px)
        };
        let logl = -point.f * n;
        let ulogl = h1.loglik();
        let chisq = (2.0 * (ulogl - logl)).max(0.0);
        let npar = pt.npar - restricted.eq_rank;
        let df = this.ndat as f64 - npar as f64;
        let indep = pats.independence()?;
        // the baseline keeps the covariates' joint distribution (fixed at the sample moments):
        // their independence log-likelihood is replaced by the multivariate one
        let base_loglik = indep.loglik() + exogenous_association_loglik(&x, &ix)?;
        let base_chisq = 2.0 * (ulogl - base_loglik);
        let base_df = (this.ndat - 2 * (p - ix.len())) as f64;
        // the baseline's covariance: free variances, the covariates' block at its sample value
        let mut indep_cov = Array2::from_diag(indep.var());
        if !ix.is_empty() {
            let (_, sxx) = exogenous_moments(&x, &ix);
            for (a, &i) in ix.iter().enumerate() {
                for (b, &j) in ix.iter().enumerate() {
                    indep_cov[[i, j]] = sxx[[a, b]];
                }
            }
        }
        let (sinv, logdet_sigma) = dense::spd_inverse_logdet(&point.imp.sigma)
            .ok_or_else(|| Error::NotPositiveDefinite { matrix: "implied covariance".into() })?;
        let logdet_s = crate::core::linalg::spd_logdet(em_cov.view(), "saturated covariance")?;
        let fm = fit_measures::compute(&fit_measures::FitInputs {
            uls: false,
            logdet_sxx: 0.0,
            px: 0,
            ml: true,
            npar,
            n: n_obs,
            n_eff: n,
            fmin: chisq / (2.0 * n),
            chisq,
            df,
            ndat: this.ndat as f64,
            base_chisq,
            base_df,
            s: &em_cov,
            sigma: &point.imp.sigma,
            gfi_weight: Some(&sinv),
            logdet_sigma,
            logdet_s,
            sinv_trace: (&em_cov * &sinv).sum(),
            ci_level: 0.90,
            means: Some((&em_mean, &point.mu)),
            logl: Some((logl - logl_x, ulogl - logl_x)),
        });
        let mut fm = fm;
        if let Some(gfi) = gfi_missing(&pats, &x, &point.imp.sigma, &point.mu, &ix) {
            // p* counts the covariates' moments too (as the complete-data GFI)
            let nx = ix.len();
            let ndat = (this.ndat + nx * (nx + 1) / 2 + nx) as f64;
            for (k, v) in fm.iter_mut() {
                match k.as_str() {
                    "gfi" => *v = gfi,
                    "agfi" => *v = if df > 0.0 { 1.0 - ndat / df * (1.0 - gfi) } else { 1.0 },
                    "pgfi" => *v = if ndat > 0.0 { df / ndat * gfi } else { f64::NAN },
                    _ => {}
                }
            }
        }
        if fiml {
            let null_space = match cons {
                Some(c) => Some(super::constraints::null_space(c, &theta)?),
                None => None,
            };
            let scores_h1 = match cfg.robust {
                Some(_) => Some(
                    super::robust::fiml::score_crossproduct(&pats, &x, &em_mean, &em_cov, &st.vech)
                        .ok_or_else(|| Error::NotPositiveDefinite {
                            matrix: "EM covariance".into(),
                        })?,
                ),
                None => None,
            };
            let robust = fiml_corrected(
                &CorrectedInputs {
                    st: &st,
                    pats: &pats,
                    x: &x,
                    em_mean: &em_mean,
                    em_cov: &em_cov,
                    mats: &point.mats,
                    imp: &point.imp,
                    mu: &point.mu,
                    indep_mean: indep.mean(),
                    indep_cov: &indep_cov,
                    ix: &ix,
                    df,
                    base_df,
                    scores_h1: scores_h1.as_ref(),
                    null_space: null_space.as_ref(),
                },
                n,
            );
            if let Some(robust) = robust {
                // lavaan's order: cfi/tli.robust after tli, nnfi/rni.robust after rni, the
                // robust RMSEA block after rmsea.notclose.h0
                let after = |fm: &Vec<(String, f64)>, key: &str| {
                    fm.iter().position(|(k, _)| k == key).map_or(fm.len(), |i| i + 1)
                };
                let get = |k: &str| robust.iter().find(|(n, _)| n == k).cloned();
                for (anchor, keys) in [
                    ("tli", &["cfi.robust", "tli.robust"][..]),
                    ("rni", &["nnfi.robust", "rni.robust"][..]),
                    (
                        "rmsea.notclose.h0",
                        &[
                            "rmsea.robust",
                            "rmsea.ci.lower.robust",
                            "rmsea.ci.upper.robust",
                            "rmsea.pvalue.robust",
                            "rmsea.notclose.pvalue.robust",
                        ][..],
                    ),
                ] {
                    let mut at = after(&fm, anchor);
                    for k in keys {
                        if let Some(e) = get(k) {
                            fm.insert(at, e);
                            at += 1;
                        }
                    }
                }
            }
        }
        // MLR: Huber–White SEs and the Yuan–Bentler test (src/sem/robust/fiml.rs)
        let vcov = match cfg.robust {
            Some(_) => super::robust::apply_fiml(
                &super::robust::fiml::FimlInputs {
                    pats: &pats,
                    x: &x,
                    vech: &st.vech,
                    jac: &full_jacobian(&st, &point.mats, &point.imp),
                    mu: &point.mu,
                    sigma: &point.imp.sigma,
                    em_mean: &em_mean,
                    em_cov: &em_cov,
                    indep_mean: indep.mean(),
                    indep_cov: &indep_cov,
                    ix: &ix,
                    h1_info: &saturated_observed_information(
                        &pats, &x, &em_mean, &em_cov, &st.vech, n,
                    )
                    .ok_or_else(|| Error::NotPositiveDefinite { matrix: "EM covariance".into() })?,
                    base_info: &saturated_observed_information(
                        &pats,
                        &x,
                        indep.mean(),
                        &indep_cov,
                        &st.vech,
                        n,
                    )
                    .ok_or_else(|| Error::NotPositiveDefinite {
                        matrix: "independence model".into(),
                    })?,
                    info_inv: &info_inv,
                    chisq,
                    df,
                    base_chisq,
                    base_df,
                    npar: pt.rows.iter().filter(|r| r.free.is_some()).count() as f64,
                },
                &mut fm,
            )?,
            None => vcov,
        };
        let rows = param_rows(&pt, &st, &point.mats, &point.imp, &vcov, cfg.ci_level);
        let mut warnings = restricted.warnings;
        if x_missing > 0 {
            warnings.push(Warning::Other {
                message: format!(
                    "{x_missing} row(s) with missing values on the fixed exogenous covariate(s) {} were dropped (fixed.x = TRUE)",
                    this.pt.ov_x.join(", ")
                ),
            });
        }
        if n_dropped > 0 || pats.n_empty() > 0 {
            warnings.push(Warning::RowsDropped {
                dropped: n_dropped + pats.n_empty(),
                remaining: n_obs,
            });
        }
        if !opt.converged {
            warnings.push(Warning::NotConverged {
                what: "SEM FIML estimation".into(),
                iterations: opt.iterations,
            });
        }
        admissibility_warnings(&pt, &st, &point.mats, &point.imp, &mut warnings);
        super::defined::undefined_warnings(&rows, &mut warnings);
        let sc = standardize::Scales::new(&pt, &st, &point.mats, &point.imp);
        let r2 = standardize::r_squared(&pt, &sc);
        let lv_cor = standardize::lv_correlation(&st, &point.mats, &point.imp);
        let conv = Convergence {
            converged: opt.converged,
            iterations: opt.iterations,
            reason: opt.reason.clone(),
        };
        // an ML objective on the EM moments (kept for the fit's internals)
        let obj = super::objective::Objective::new(
            super::objective::Discrepancy::Ml,
            &em_cov,
            st.vech.clone(),
        )?;
        st.npar = pt.npar;
        Ok(SemFit {
            config: cfg.clone(),
            rows,
            fit: fm,
            vcov,
            info_inv,
            theta,
            par_names,
            implied: point.imp.sigma.clone(),
            sample: em_cov,
            ov: pt.ov.clone(),
            lv: pt.lv.clone(),
            r2,
            lv_cor,
            convergence: conv,
            // under constraints the gradient of −ℓ/n itself does not vanish at the optimum:
            // report the constrained problem's gradient, as the complete-data fit does
            grad_max: if cons.is_some() { opt.grad_max } else { max_abs(&point.g) },
            warnings,
            n_obs,
            obj,
            st,
            means: Some((em_mean, point.mu.clone())),
            pt,
        })
    }

    fn fill_intercepts(&self, theta: &mut [f64], means: &Array1<f64>) {
        fill_intercepts(&self.pt, &self.st, theta, means);
    }

    /// Starting values: the complete-data ML fit (no mean structure) to the saturated moments,
    /// intercepts at the saturated means; lavaan-style simple starting values if that fails.
    fn warm_start(&self, mean: &Array1<f64>, cov: &Array2<f64>, n: usize) -> Vec<f64> {
        let cfg = &self.config;
        let mut theta = start::start_values(&self.pt, &self.st, cov, cfg.std_lv);
        self.fill_intercepts(&mut theta, mean);
        let stripped = ModelSyntax {
            statements: self
                .config
                .syntax
                .statements
                .iter()
                .filter_map(|s| match s {
                    Statement::Relation { lhs, op, rhs } => {
                        let rhs: Vec<_> = rhs.iter().filter(|t| t.var != "1").cloned().collect();
                        (!rhs.is_empty()).then(|| Statement::Relation {
                            lhs: lhs.clone(),
                            op: *op,
                            rhs,
                        })
                    }
                    Statement::Defined { .. } | Statement::Constraint { .. } => None,
                })
                .collect(),
        };
        let mut sub = cfg.clone();
        sub.syntax = stripped;
        sub.missing = SemMissing::Listwise;
        sub.meanstructure = false;
        sub.estimator = Estimator::Ml;
        sub.likelihood = Likelihood::Normal;
        sub.allow_nonconverged = true;
        let Ok(sub_model) = sub.compile() else { return theta };
        if sub_model.pt.ov.len() != self.pt.ov.len() {
            return theta;
        }
        // the sub-model's variable order may differ: reorder the moments
        let idx: Vec<usize> = sub_model
            .pt
            .ov
            .iter()
            .map(|v| self.pt.ov.iter().position(|w| w == v).unwrap_or(0))
            .collect();
        let q = idx.len();
        let nf = n as f64;
        let cov_sub =
            Array2::from_shape_fn((q, q), |(a, b)| cov[[idx[a], idx[b]]] * nf / (nf - 1.0));
        let ss = SampleStats {
            cov: cov_sub,
            means: Array1::from_shape_fn(q, |a| mean[idx[a]]),
            n,
            n_dropped: 0,
        };
        let Ok(e) = sub_model.estimate(ss, None) else { return theta };
        for r in &self.pt.rows {
            let Some(f) = r.free else { continue };
            if r.op == Op::Intercept {
                continue;
            }
            if let Some(k2) = sub_model.pt.rows.iter().position(|q| {
                q.op == r.op
                    && ((q.lhs == r.lhs && q.rhs == r.rhs)
                        || (r.op == Op::Covariance && q.lhs == r.rhs && q.rhs == r.lhs))
            }) {
                let v = e.st.row_value(&e.opt.point.mats, k2);
                if v.is_finite() {
                    theta[f] = v;
                }
            }
        }
        theta
    }
}

/// lavaan's GFI for incomplete data: the weight is the expected information of the saturated
/// model under missingness at (μ̂, Σ̂) — the pattern-size-weighted average of the complete-data
/// weights of each pattern's observed block — and the "observed" statistics are the
/// available-case means and the pairwise covariances rescaled by (N − 1)/N.
///
/// ```text
/// W_k = [Σ̂_OO⁻¹ embedded in p × p],  w_k = n_k / N
/// t(a, A) = Σ_k w_k (aᵀ W_k a + ½ tr[(W_k A)²])
/// GFI = 1 − t(m − μ̂, S − Σ̂) / t(m, S)
/// ```
pub(crate) fn gfi_missing(
    pats: &MissingPatterns,
    x: &Array2<f64>,
    sigma: &Array2<f64>,
    mu: &Array1<f64>,
    ix: &[usize],
) -> Option<f64> {
    let p = sigma.nrows();
    let nn = pats.n_obs() as f64;
    let m = pats.observed_means();
    // pairwise covariances (pairwise-complete means, divisor n_jk − 1), times (N − 1)/N
    let mut s = Array2::<f64>::zeros((p, p));
    for j in 0..p {
        for k in 0..=j {
            let (mut n, mut sj, mut sk) = (0.0, 0.0, 0.0);
            for r in x.rows() {
                if !r[j].is_nan() && !r[k].is_nan() {
                    n += 1.0;
                    sj += r[j];
                    sk += r[k];
                }
            }
            if n < 2.0 {
                return None;
            }
            let (mj, mk) = (sj / n, sk / n);
            let mut c = 0.0;
            for r in x.rows() {
                if !r[j].is_nan() && !r[k].is_nan() {
                    c += (r[j] - mj) * (r[k] - mk);
                }
            }
            let v = c / (n - 1.0) * (nn - 1.0) / nn;
            s[[j, k]] = v;
            s[[k, j]] = v;
        }
    }
    let e = &s - sigma;
    let dm = m - mu;
    // with fixed covariates the weight has zero rows and columns for their moments: they leave
    // the denominator (the numerator is zero there)
    let mut s_model = s.clone();
    let mut m_model = m.clone();
    for &i in ix {
        m_model[i] = 0.0;
        for &j in ix {
            s_model[[i, j]] = 0.0;
        }
    }
    let (mut t1, mut t2) = (0.0, 0.0);
    for pat in pats.patterns() {
        let o = pat.observed();
        let q = o.len();
        let sub = Array2::from_shape_fn((q, q), |(a, b)| sigma[[o[a], o[b]]]);
        let (w, _) = dense::spd_inverse_logdet(&sub)?;
        let wk = pat.n() as f64 / nn;
        let quad = |v: &Array1<f64>| {
            let mut acc = 0.0;
            for a in 0..q {
                for b in 0..q {
                    acc += v[o[a]] * w[[a, b]] * v[o[b]];
                }
            }
            acc
        };
        let tr = |a_full: &Array2<f64>| {
            // ½ tr[(W A_OO)²]
            let a = Array2::from_shape_fn((q, q), |(i, j)| a_full[[o[i], o[j]]]);
            let wa = w.dot(&a);
            0.5 * (&wa * &wa.t()).sum()
        };
        t1 += wk * (quad(&dm) + tr(&e));
        t2 += wk * (quad(&m_model) + tr(&s_model));
    }
    Some(1.0 - t1 / t2)
}

/// Free intercepts of observed variables (ν) start at the given means; free latent means
/// and phantom intercepts (α) at 0 (a phantom's at its variable's mean).
pub(crate) fn fill_intercepts(
    pt: &super::partable::ParTable,
    st: &ModelStructure,
    theta: &mut [f64],
    means: &Array1<f64>,
) {
    for (k, r) in pt.rows.iter().enumerate() {
        if r.op != Op::Intercept {
            continue;
        }
        let Some(f) = r.free else { continue };
        if r.start.is_some() {
            continue;
        }
        let sl = st.slots[k];
        theta[f] = match sl.kind {
            super::model::MatKind::Nu => means[sl.i],
            _ => pt.ov.iter().position(|v| *v == r.lhs).map_or(0.0, |i| means[i]),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The closed-form observed information equals central differences of the analytic
    /// gradient, away from the optimum (where the second-order term matters) too.
    #[test]
    fn analytic_observed_information_matches_numeric() {
        let d = Dataset::from_csv_path(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/data/HS_missing10.csv"
        ))
        .unwrap();
        for model in [
            "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9",
            "visual =~ x1 + x2 + x3\nspeed =~ x7 + x8 + x9\nspeed ~ visual\nvisual ~ 1\nspeed ~ 1\nx1 ~ 0*1\nx7 ~ 0*1",
            "x9 ~ x1 + x5\nx5 ~ x1",
        ] {
            let sem = crate::sem::Sem::from_syntax(model)
                .unwrap()
                .fixed_x(false)
                .missing(SemMissing::Fiml);
            let m = sem.compile().unwrap();
            let x = d.select(&m.pt.ov).unwrap();
            let pats = MissingPatterns::new(&x).unwrap();
            let n = pats.n_obs() as f64;
            let h1 = SaturatedEm::new().fit_patterns(&pats).unwrap();
            let mut theta = m.warm_start(h1.mean(), h1.cov(), pats.n_obs());
            for (k, t) in theta.iter_mut().enumerate() {
                *t *= 1.0 + 0.05 * ((k % 3) as f64 - 1.0); // move away from any optimum
            }
            let pt = eval(&m.st, &pats, &theta, n).unwrap();
            let a = observed_information_analytic(&m.st, &pats, &x, n, &pt).unwrap();
            let b = observed_information(&m.st, &pats, n, &theta).unwrap();
            let scale = a.iter().fold(0.0f64, |s, v| s.max(v.abs()));
            let diff = (&a - &b).iter().fold(0.0f64, |s, v| s.max(v.abs()));
            assert!(diff < 1e-6 * scale, "{model}: max diff {diff:e} (scale {scale})");
        }
    }
}
