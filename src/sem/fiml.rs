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
use exo::{exogenous_association_loglik, exogenous_moments, fix_exogenous};
pub(crate) use exo::{model_moments, submatrix};

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

use super::driver::{self, Block, BlockObjective};
use super::sample_stats::SampleStats;
use super::syntax::{ModelSyntax, Op, Statement};
use super::{
    Estimator, Likelihood, SemFit, SemMissing, SemModel, admissibility_warnings, fit_measures,
    free_names, param_rows, standardize, start, vcov,
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
        let d = driver::run(
            std::slice::from_ref(&block),
            this.pt.npar,
            &p0.theta,
            cfg.optimizer,
            cfg.max_iter,
        )
        .and_then(|d| {
            let point = d.points.into_iter().next()?.into_fiml()?;
            Some(FimlOpt {
                point,
                iterations: d.iterations,
                converged: d.converged,
                reason: d.reason,
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
        let info_inv = vcov::invert_information(&info, &par_names)?;
        // polish: one Newton step with the observed information (FIML); the step is of the
        // size of the remaining gradient (≲ 1e-9), so the information is not recomputed
        if fiml && opt.converged {
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
        let df = this.ndat as f64 - pt.npar as f64;
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
            npar: pt.npar,
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
        let mut warnings = Vec::new();
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
            grad_max: max_abs(&point.g),
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

fn vech_index(vech: &[(usize, usize)], p: usize) -> Vec<Vec<usize>> {
    let mut vidx = vec![vec![0usize; p]; p];
    for (r, &(a, b)) in vech.iter().enumerate() {
        vidx[a][b] = r;
        vidx[b][a] = r;
    }
    vidx
}

/// Observed information per observation, −∂²ℓ/N, of the saturated model in (μ, vech Σ) at
/// (`mean`, `cov`) under the missing-data patterns (closed form, summed over patterns).
pub(crate) fn saturated_observed_information(
    pats: &MissingPatterns,
    x: &Array2<f64>,
    mean: &Array1<f64>,
    cov: &Array2<f64>,
    vech: &[(usize, usize)],
    n: f64,
) -> Option<Array2<f64>> {
    let p = mean.len();
    let dim = p + vech.len();
    let vidx = vech_index(vech, p);
    let mut wm = Array2::<f64>::zeros((dim, dim));
    for pat in pats.patterns() {
        let o = pat.observed();
        let q = o.len();
        let nk = pat.n() as f64;
        let sub = Array2::from_shape_fn((q, q), |(a, b)| cov[[o[a], o[b]]]);
        let (w, _) = dense::spd_inverse_logdet(&sub)?;
        let mut d = Array1::<f64>::zeros(q);
        let mut s = Array2::<f64>::zeros((q, q));
        for &i in pat.rows() {
            let z: Vec<f64> = (0..q).map(|a| x[[i, o[a]]] - mean[o[a]]).collect();
            for a in 0..q {
                d[a] += z[a];
                for b in 0..q {
                    s[[a, b]] += z[a] * z[b];
                }
            }
        }
        let wd = w.dot(&d);
        let pm = w.dot(&s).dot(&w);
        let pairs: Vec<(usize, usize)> = (0..q).flat_map(|a| (a..q).map(move |b| (a, b))).collect();
        for u in 0..q {
            for v in 0..q {
                wm[[o[u], o[v]]] += nk * w[[u, v]];
            }
        }
        for &(a, b) in &pairs {
            let r1 = p + vidx[o[a]][o[b]];
            let (e1, m1) = unit_pairs(a, b);
            for u in 0..q {
                let mut val = 0.0;
                for &(xx, yy) in &e1[..m1] {
                    val += w[[u, xx]] * wd[yy];
                }
                wm[[o[u], r1]] += val;
                wm[[r1, o[u]]] += val;
            }
            for &(cc, dd) in &pairs {
                let r2 = p + vidx[o[cc]][o[dd]];
                let (e2, m2) = unit_pairs(cc, dd);
                let mut val = 0.0;
                for &(xx, yy) in &e1[..m1] {
                    for &(uu, vv) in &e2[..m2] {
                        val += pm[[yy, uu]] * w[[vv, xx]] - 0.5 * nk * w[[yy, uu]] * w[[vv, xx]];
                    }
                }
                wm[[r1, r2]] += val;
            }
        }
    }
    wm /= n;
    Some(wm)
}

/// J = ∂(μ, vech Σ)/∂θᵀ ((p + p*) × npar).
pub(crate) fn full_jacobian(st: &ModelStructure, mats: &Matrices, imp: &Implied) -> Array2<f64> {
    let dm = st.delta_mean(mats, imp);
    let ds = st.delta(imp);
    let (p, ps, q) = (dm.nrows(), ds.nrows(), st.npar);
    Array2::from_shape_fn((p + ps, q), |(r, k)| if r < p { dm[[r, k]] } else { ds[[r - p, k]] })
}

/// Observed information per observation (Hessian of f = −ℓ/N) in closed form:
///
/// ```text
/// ∂²f/∂θ∂θᵀ = Jᵀ W_m(μ̂, Σ̂) J + Σ_j (∂f/∂v_j) ∂²v_j/∂θ∂θᵀ,   v = (μ, vech Σ)
/// ```
///
/// with W_m the observed information of the saturated model at the model-implied moments and
/// the second-order term by central differences of J(θ)ᵀ(∂f/∂v) with ∂f/∂v held at θ̂ (only the
/// model matrices are re-evaluated, step 1e-5 · max(1, |θ_k|)).
pub(crate) fn observed_information_analytic(
    st: &ModelStructure,
    pats: &MissingPatterns,
    x: &Array2<f64>,
    n: f64,
    pt: &FimlPoint,
) -> Option<Array2<f64>> {
    let p = pt.mu.len();
    let wm = saturated_observed_information(pats, x, &pt.mu, &pt.imp.sigma, &st.vech, n)?;
    let j = full_jacobian(st, &pt.mats, &pt.imp);
    let mut h = j.t().dot(&wm.dot(&j));
    let lg = pats.loglik_gradient(&pt.mu, &pt.imp.sigma).ok()?;
    let mut gf = Array1::<f64>::zeros(j.nrows());
    for a in 0..p {
        gf[a] = -lg.mu[a] / n;
    }
    for (r, &(a, b)) in st.vech.iter().enumerate() {
        gf[p + r] = -(if a == b { lg.sigma[[a, a]] } else { 2.0 * lg.sigma[[a, b]] }) / n;
    }
    let q = st.npar;
    let mut t = pt.theta.clone();
    for k in 0..q {
        let hk = 1e-5 * pt.theta[k].abs().max(1.0);
        let mut side = |v: f64| -> Option<Array1<f64>> {
            t[k] = v;
            let mats = st.matrices(&t);
            let imp = st.implied(&mats).ok()?;
            Some(full_jacobian(st, &mats, &imp).t().dot(&gf))
        };
        let gp = side(pt.theta[k] + hk)?;
        let gm = side(pt.theta[k] - hk)?;
        t[k] = pt.theta[k];
        let col = (gp - gm) / (2.0 * hk);
        for a in 0..q {
            h[[a, k]] += col[a];
        }
    }
    Some((&h + &h.t()) * 0.5)
}

/// Inputs of the FIML-corrected ("robust") RMSEA / CFI / TLI.
pub(crate) struct CorrectedInputs<'a> {
    pub st: &'a ModelStructure,
    pub pats: &'a MissingPatterns,
    pub x: &'a Array2<f64>,
    pub em_mean: &'a Array1<f64>,
    pub em_cov: &'a Array2<f64>,
    pub mats: &'a Matrices,
    pub imp: &'a Implied,
    pub mu: &'a Array1<f64>,
    pub indep_mean: &'a Array1<f64>,
    /// The independence model's covariance: its variances, and the fixed covariates' block.
    pub indep_cov: &'a Array2<f64>,
    /// Columns of the fixed covariates (their moments are left out).
    pub ix: &'a [usize],
    pub df: f64,
    pub base_df: f64,
    /// MLR: B = (1/N) Σ s_i s_iᵀ, the cross-product of the case-wise scores of the saturated
    /// model at (m̃, S̃); the moments' covariance is then W_m⁻¹ B W_m⁻¹ instead of W_m⁻¹.
    pub scores_h1: Option<&'a Array2<f64>>,
}

/// The (x, y) index pairs of the symmetric unit matrix E_ab (one pair on the diagonal).
fn unit_pairs(a: usize, b: usize) -> ([(usize, usize); 2], usize) {
    if a == b { ([(a, a), (a, a)], 1) } else { ([(a, b), (b, a)], 2) }
}

/// FIML-corrected fit measures of Zhang & Savalei (lavaan 0.6.14's `cfi.robust`, `tli.robust`,
/// `rmsea.robust`, … for `missing = "ml"` with the standard test, version "V6"):
///
/// ```text
/// T₃  = N F_ML(μ̂, Σ̂; m̃, S̃)           (complete-data LR statistic of θ̂ against the EM moments)
/// W_m = observed information of the saturated model at (m̃, S̃) under the missing patterns
/// W_c = complete-data information at (m̃, S̃);  Δ = ∂(μ, vech Σ)/∂θᵀ at θ̂
/// k   = tr(W_m⁻¹ W_c) − tr[(Δᵀ W_m Δ)⁻¹ Δᵀ W_c Δ],  ĉ = k / df
/// rmsea.robust = √max(T₃/(N df) − ĉ/N, 0);   cfi/tli.robust from T₃ − ĉ df and the same for
/// the independence model (its FIML estimates: available-case means and variances)
/// ```
pub(crate) fn fiml_corrected(c: &CorrectedInputs<'_>, n: f64) -> Option<Vec<(String, f64)>> {
    let st = c.st;
    let p = c.em_mean.len();
    let ps = st.vech.len();
    let dim = p + ps;
    let vidx = vech_index(&st.vech, p);
    let wm = saturated_observed_information(c.pats, c.x, c.em_mean, c.em_cov, &st.vech, n)?;
    // ---- W_c: complete-data information at (m̃, S̃)
    let (sinv, ld_s) = dense::spd_inverse_logdet(c.em_cov)?;
    let mut wc = Array2::<f64>::zeros((dim, dim));
    for a in 0..p {
        for b in 0..p {
            wc[[a, b]] = sinv[[a, b]];
        }
    }
    for (r1, &(a, b)) in st.vech.iter().enumerate() {
        let (e1, m1) = unit_pairs(a, b);
        for (r2, &(cc, dd)) in st.vech.iter().enumerate() {
            let (e2, m2) = unit_pairs(cc, dd);
            let mut val = 0.0;
            for &(xx, yy) in &e1[..m1] {
                for &(uu, vv) in &e2[..m2] {
                    val += sinv[[yy, uu]] * sinv[[vv, xx]];
                }
            }
            wc[[p + r1, p + r2]] = 0.5 * val;
        }
    }
    // only the moments the model describes (all but the fixed covariates')
    let sel = model_moments(p, &st.vech, c.ix);
    let wm = submatrix(&wm, &sel);
    let wc = submatrix(&wc, &sel);
    let dim = sel.len();
    let (wm_inv, _) = dense::spd_inverse_logdet(&wm)?;
    let tr_wm_wc = (&wm_inv * &wc).sum();
    // MLR: Γ = W_m⁻¹ B W_m⁻¹ and k = tr(W_c P Γ Pᵀ), P = I − Δ (Δᵀ W_m Δ)⁻¹ Δᵀ W_m (which is
    // the expression below when Γ = W_m⁻¹)
    let gamma = c.scores_h1.map(|b| wm_inv.dot(&submatrix(b, &sel)).dot(&wm_inv));
    let trace_k = |delta: &Array2<f64>| -> Option<f64> {
        let (e, _) = dense::spd_inverse_logdet(&delta.t().dot(&wm.dot(delta)))?;
        match &gamma {
            None => {
                let dwd = delta.t().dot(&wc.dot(delta));
                Some(tr_wm_wc - (&e * &dwd).sum())
            }
            Some(g) => {
                let mut pm = -delta.dot(&e).dot(&delta.t()).dot(&wm);
                for i in 0..dim {
                    pm[[i, i]] += 1.0;
                }
                Some((&wc * &pm.dot(g).dot(&pm.t())).sum())
            }
        }
    };
    // ---- the model
    let delta = full_jacobian(st, c.mats, c.imp).select(ndarray::Axis(0), &sel);
    let k_model = trace_k(&delta)?;
    let (sig_inv, ld_sig) = dense::spd_inverse_logdet(&c.imp.sigma)?;
    let dmu = c.em_mean - c.mu;
    let t3 =
        n * (ld_sig + (c.em_cov * &sig_inv).sum() - ld_s - p as f64 + dmu.dot(&sig_inv.dot(&dmu)));
    // ---- the independence model
    // (means and variances of the variables that are not fixed covariates)
    let ys: Vec<usize> = (0..p).filter(|j| !c.ix.contains(j)).collect();
    let mut delta_b = Array2::<f64>::zeros((p + ps, 2 * ys.len()));
    for (a, &j) in ys.iter().enumerate() {
        delta_b[[j, a]] = 1.0;
        delta_b[[p + vidx[j][j], ys.len() + a]] = 1.0;
    }
    let delta_b = delta_b.select(ndarray::Axis(0), &sel);
    let k_base = trace_k(&delta_b)?;
    let (sb_inv, ld_b) = dense::spd_inverse_logdet(c.indep_cov)?;
    let db = c.em_mean - c.indep_mean;
    let t3_base =
        n * (ld_b + (c.em_cov * &sb_inv).sum() - ld_s - p as f64 + db.dot(&sb_inv.dot(&db)));
    let (df, bdf) = (c.df, c.base_df);
    let chat = k_model / df;
    let chat_b = k_base / bdf;
    let num = t3 - chat * df;
    let num_b = t3_base - chat_b * bdf;
    let mut out = Vec::new();
    let t1 = num.max(0.0);
    let t2 = num.max(num_b).max(0.0);
    out.push(("cfi.robust".to_string(), if t1 == 0.0 && t2 == 0.0 { 1.0 } else { 1.0 - t1 / t2 }));
    let tli = if df > 0.0 { 1.0 - (num / df) / (num_b / bdf) } else { 1.0 };
    out.push(("tli.robust".to_string(), tli));
    out.push(("nnfi.robust".to_string(), tli));
    out.push(("rni.robust".to_string(), 1.0 - num / num_b));
    if df > 0.0 {
        use crate::core::dist::{ncp_root as solve_ncp, pnchisq};
        let t3s = t3 / chat;
        out.push(("rmsea.robust".to_string(), (t3 / (n * df) - chat / n).max(0.0).sqrt()));
        let p0 = pnchisq(t3s, df, 0.0);
        let lam_lo = if p0 < 0.95 { 0.0 } else { solve_ncp(t3s, df, 0.95) };
        let lam_hi = if p0 < 0.05 { 0.0 } else { solve_ncp(t3s, df, 0.05) };
        out.push(("rmsea.ci.lower.robust".to_string(), (chat * lam_lo / (n * df)).sqrt()));
        out.push(("rmsea.ci.upper.robust".to_string(), (chat * lam_hi / (n * df)).sqrt()));
        out.push((
            "rmsea.pvalue.robust".to_string(),
            1.0 - pnchisq(t3s, df, n * df * 0.05 * 0.05 / chat),
        ));
        out.push((
            "rmsea.notclose.pvalue.robust".to_string(),
            pnchisq(t3s, df, n * df * 0.08 * 0.08 / chat),
        ));
    }
    Some(out)
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
