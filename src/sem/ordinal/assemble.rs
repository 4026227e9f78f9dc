//! The estimation and closing of a single-group ordinal fit, shared by the plain, conditional
//! (covariates) and mixed (ordered and continuous indicators) fits: Fisher scoring of the
//! weighted least-squares problem with its inference and test statistic, then the threshold and
//! scaling-factor rows, the names of the free parameters, the common warnings and the fitted
//! model.

use super::*;
use crate::core::optim::Outcome;
use crate::sem::model::{Implied, Matrices};

/// The solution of a weighted least-squares problem with its inference and test statistic.
pub(super) struct Solved {
    pub out: Outcome,
    /// The estimates (a copy of `out.x`).
    pub theta: Vec<f64>,
    /// The Jacobian of the residuals at the estimates.
    pub delta: Array2<f64>,
    pub inf: robust::Inference,
    /// χ² = (N − 1) F(θ̂) (lavaan 0.6.14 for categorical data: fmin = T / 2N).
    pub chisq: f64,
    /// The number of sample statistics minus the number of free parameters.
    pub df: f64,
    pub test: robust::ScaledShifted,
}

/// Minimizes `F(θ) = eᵀ W e` of `prob` from `theta0` by Fisher scoring, then the covariance of
/// the estimates and the scaled-shifted test. lavaan scales the covariance of the estimates by
/// N − 1 (as the SEs of lavCor); `ns` sample statistics.
///
/// # Errors
/// [`Error::NotConverged`] unless `allow_nonconverged`; a singular `I − B` at the solution; the
/// errors of the inference.
pub(super) fn solve<R: Residuals>(
    cfg: &Sem,
    prob: &R,
    theta0: &[f64],
    gamma: &Array2<f64>,
    n_obs: usize,
    ns: usize,
    robust: bool,
) -> Result<Solved> {
    let opts = optim::Options { max_iter: cfg.max_iter, ..optim::Options::default() };
    let out = optim::scoring(&mut WeightedLs::new(prob), theta0, &opts);
    if !out.converged && !cfg.allow_nonconverged {
        return Err(Error::NotConverged {
            what: format!("ordinal SEM estimation ({})", out.reason()),
            iterations: out.iterations,
        });
    }
    let theta = out.x.clone();
    let (e, delta) =
        prob.residuals(&theta).ok_or_else(|| Error::Singular { matrix: "I - B".into() })?;
    let n = n_obs as f64;
    let w = prob.weight();
    let inf = robust::inference(&delta, w, gamma, n - 1.0, robust)?;
    let chisq = (n - 1.0) * e.dot(&w.dot(&e));
    let df = ns as f64 - theta.len() as f64;
    let test = robust::scaled_shifted(&inf.u_gamma, df);
    Ok(Solved { out, theta, delta, inf, chisq, df, test })
}

/// Fixes the residual variances the delta parameterization derives, `1 − v_i` for the rows
/// `resid[i]` (`v = var(Σ(θ))`, the model-implied variances of y*), in the table and the
/// structure; returns the solution's matrices and implied moments with them.
pub(super) fn fix_derived_residuals(
    pt: &mut ParTable,
    st: &mut ModelStructure,
    resid: &[Option<usize>],
    theta: &[f64],
    var: impl Fn(&Array2<f64>) -> Array1<f64>,
) -> Result<(Matrices, Implied)> {
    let v0 = var(&st.implied(&st.matrices(theta))?.sigma);
    for (i, k) in resid.iter().enumerate() {
        if let Some(k) = *k {
            let v = 1.0 - v0[i];
            pt.rows[k].fixed = Some(v);
            st.set_fixed(k, v);
        }
    }
    let mats = st.matrices(theta);
    let imp = st.implied(&mats)?;
    Ok((mats, imp))
}

/// The threshold rows (`|`) with their inference; `std_all(var, est)` standardizes one.
pub(super) fn threshold_rows(
    pt: &ParTable,
    thr: &[Thr],
    theta: &[f64],
    vcov: &Array2<f64>,
    zq: f64,
    std_all: impl Fn(usize, f64) -> f64,
) -> Vec<ParamRow> {
    thr.iter()
        .map(|t| {
            let est = match (t.free, t.fixed) {
                (Some(fi), _) => theta[fi],
                (None, v) => v.unwrap_or(0.0),
            };
            let mut row = ParamRow::new(&pt.ov[t.var], "|", format!("t{}", t.k + 1), est);
            row.label = t.label.clone();
            row.std_lv = Some(est);
            row.std_all = Some(std_all(t.var, est));
            match t.free {
                Some(fi) => fill_inference(&mut row, est, vcov[[fi, fi]].max(0.0).sqrt(), zq),
                None => {
                    row.se = Some(0.0);
                    row.ci_lower = Some(est);
                    row.ci_upper = Some(est);
                }
            }
            row
        })
        .collect()
}

/// Inserts `new` before the defined parameters (`:=`), at the end if there are none.
pub(super) fn insert_before_defined(rows: &mut Vec<ParamRow>, new: Vec<ParamRow>) {
    let at = rows.iter().position(|r| r.op == ":=").unwrap_or(rows.len());
    rows.splice(at..at, new);
}

/// lavaan's `~*~` rows of the theta parameterization: the derived scaling factors of the first
/// `scale.len()` observed variables (std.all 1, no standard error).
pub(super) fn scaling_rows(ov: &[String], scale: &[f64]) -> Vec<ParamRow> {
    scale
        .iter()
        .zip(ov)
        .map(|(&s, name)| {
            let mut row = ParamRow::new(name, "~*~", name.clone(), s);
            row.std_lv = Some(s);
            row.std_all = Some(1.0);
            row.se = Some(0.0);
            row.ci_lower = Some(s);
            row.ci_upper = Some(s);
            row
        })
        .collect()
}

/// The names of the `q` free parameters: the model's, then `item|tk` (or the label) for the
/// free thresholds.
pub(super) fn parameter_names(pt: &ParTable, thr: &[Thr], q: usize) -> Vec<String> {
    let mut names = free_names(pt);
    names.resize(q, String::new());
    for t in thr {
        if let Some(fi) = t.free
            && names[fi].is_empty()
        {
            names[fi] = if t.label.is_empty() {
                format!("{}|t{}", pt.ov[t.var], t.k + 1)
            } else {
                t.label.clone()
            };
        }
    }
    names
}

/// What a single-group ordinal fit has computed when its solution is known.
pub(super) struct Closing<'a> {
    pub cfg: &'a Sem,
    pub estimator: Estimator,
    pub rows: Vec<ParamRow>,
    pub fit: Vec<(String, f64)>,
    pub inf: robust::Inference,
    pub par_names: Vec<String>,
    /// The implied and sample matrices the fit reports (correlations of y*, or covariances).
    pub implied: Array2<f64>,
    pub sample: Array2<f64>,
    pub out: Outcome,
    /// The warnings of the fit's own steps (rows dropped, correlations at a bound).
    pub warnings: Vec<Warning>,
    pub n_obs: usize,
    pub pt: ParTable,
    pub st: ModelStructure,
    pub mats: Matrices,
    pub imp: Implied,
}

/// The fitted model: the estimation and admissibility warnings, R², the latent correlations.
pub(super) fn finish(c: Closing<'_>) -> Result<SemFit> {
    let Closing { cfg, estimator, rows, fit, inf, par_names, implied, sample, out, n_obs, .. } = c;
    let (pt, st, mats, imp) = (c.pt, c.st, c.mats, c.imp);
    let mut warnings = c.warnings;
    if !out.converged {
        warnings.push(Warning::NotConverged {
            what: "ordinal SEM estimation".into(),
            iterations: out.iterations,
        });
    }
    admissibility_warnings(&pt, &st, &mats, &imp, &mut warnings);
    defined::undefined_warnings(&rows, &mut warnings);
    let sc = standardize::Scales::new(&pt, &st, &mats, &imp);
    let r2 = standardize::r_squared(&pt, &sc);
    let lv_cor = standardize::lv_correlation(&st, &mats, &imp);
    let p = sample.nrows();
    let convergence =
        Convergence { converged: out.converged, iterations: out.iterations, reason: out.reason() };
    let obj = Objective::new(Discrepancy::Uls, &Array2::eye(p), st.vech.clone())?;
    let mut config = cfg.clone();
    config.estimator = estimator;
    config.estimator_set = true;
    Ok(SemFit {
        config,
        rows,
        fit,
        vcov: inf.vcov,
        info_inv: inf.a_inv,
        theta: out.x,
        par_names,
        implied,
        sample,
        ov: pt.ov.clone(),
        lv: pt.lv.clone(),
        r2,
        lv_cor,
        convergence,
        grad_max: out.grad_max / 2.0,
        warnings,
        n_obs,
        pt,
        obj,
        st,
        means: None,
    })
}
