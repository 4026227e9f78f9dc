//! A single-group model whose indicators mix ordered and continuous observed variables, as
//! lavaan fits `cfa(..., ordered = <some of them>)` (delta parameterization).
//!
//! The sample statistics are [`crate::ordinal::mixed`]'s, in lavaan's order: per variable its
//! thresholds (ordered) or minus its mean (continuous), the variances of the continuous
//! variables, the covariances below the diagonal (polychoric, polyserial × σ, covariance), with
//! their asymptotic covariance Γ. The model implies
//!
//! ```text
//! ordered j:     τ_jk (parameters),  Var(y*_j) = 1 (residual variance 1 − [ΛΨ*Λᵀ]_jj, derived)
//! continuous j:  −ν_j (the intercept, a free parameter), Σ_jj (residual variance free)
//! pair (i, j):   Σ_ij(θ)
//! ```
//!
//! and the fit minimises (s − σ(θ))ᵀ W (s − σ(θ)) as the all-ordered fit, with the same
//! robust standard errors and scaled-shifted test. The baseline model keeps thresholds, means
//! and variances free and sets the covariances to zero. The continuous variables' intercepts
//! are reported as `~1` rows (lavaan's meanstructure for this case); lavaan reports the
//! `.robust` CFI/TLI/RMSEA as NA for mixed data, and they are NaN here.
//!
//! Validated against lavaan 0.6.14 on HolzingerSwineford1939 with x1, x2, x4, x7 cut into 3–5
//! categories and the others continuous (tests/reference/sem_ordinal_mixed.rs).

use ndarray::{Array1, Array2};

use super::*;
use crate::ordinal::mixed::{self as mstats, MixedStats};

/// One statistic of the first slot: a threshold (index into the thresholds) or the negative
/// mean of a continuous variable (index of its intercept parameter).
#[derive(Debug, Clone, Copy)]
enum First {
    Thr(usize),
    Mean(usize),
}

struct MixLs<'a> {
    st: &'a ModelStructure,
    thr: &'a [Thr],
    first: &'a [First],
    /// Continuous variables (their variances follow the first slot).
    num: &'a [usize],
    pairs: &'a [(usize, usize)],
    s: &'a Array1<f64>,
    w: &'a Array2<f64>,
    nm: usize,
    q: usize,
}

impl MixLs<'_> {
    fn eval(&self, theta: &[f64]) -> Option<(Array1<f64>, Array2<f64>)> {
        let mats = self.st.matrices(&theta[..self.nm]);
        let imp = self.st.implied(&mats).ok()?;
        let full = self.st.delta(&imp);
        let ns = self.s.len();
        let mut e = Array1::zeros(ns);
        let mut d = Array2::zeros((ns, self.q));
        for (r, f) in self.first.iter().enumerate() {
            let v = match *f {
                First::Thr(k) => {
                    let t = &self.thr[k];
                    match (t.free, t.fixed) {
                        (Some(fi), _) => {
                            d[[r, fi]] = 1.0;
                            theta[fi]
                        }
                        (None, Some(v)) => v,
                        (None, None) => 0.0,
                    }
                }
                First::Mean(fi) => {
                    d[[r, fi]] = -1.0;
                    -theta[fi]
                }
            };
            e[r] = self.s[r] - v;
        }
        let n1 = self.first.len();
        for (m, &j) in self.num.iter().enumerate() {
            let r = n1 + m;
            e[r] = self.s[r] - imp.sigma[[j, j]];
            let v = self.st.vech_row(j, j);
            for f in 0..self.nm {
                d[[r, f]] = full[[v, f]];
            }
        }
        let n2 = n1 + self.num.len();
        for (m, &(i, j)) in self.pairs.iter().enumerate() {
            let r = n2 + m;
            e[r] = self.s[r] - imp.sigma[[i, j]];
            let v = self.st.vech_row(i, j);
            for f in 0..self.nm {
                d[[r, f]] = full[[v, f]];
            }
        }
        if e.iter().all(|v| v.is_finite()) { Some((e, d)) } else { None }
    }
}

impl Residuals for MixLs<'_> {
    fn residuals(&self, theta: &[f64]) -> Option<(Array1<f64>, Array2<f64>)> {
        self.eval(theta)
    }
    fn weight(&self) -> &Array2<f64> {
        self.w
    }
}

/// Fit a model whose observed variables are partly ordered (`ordered[j]` in the order of
/// `pt.ov`); `pt` is the covariance part of the model.
pub(super) fn fit(
    cfg: &Sem,
    data: &Dataset,
    mut pt: ParTable,
    thr_stmts: &[(String, Vec<Term>)],
    (estimator, weighting, robust): (Estimator, Weighting, bool),
) -> Result<SemFit> {
    if cfg.parameterization == Parameterization::Theta {
        return Err(Error::invalid(
            "parameterization",
            "the theta parameterization is not available for models that mix ordered and continuous indicators; use delta",
        ));
    }
    check_latent_names(&pt.lv, data.names())?;
    let ordered: Vec<bool> =
        pt.ov.iter().map(|v| cfg.ordered_all || cfg.ordered.contains(v)).collect();
    let p = pt.ov.len();
    let resid = fix_residual_variances_where(&mut pt, 0.0, |j| ordered[j]);
    let mut st = ModelStructure::new(&pt)?;
    let nm = pt.npar;

    // sample statistics
    let (x, n_dropped) = complete_rows(&data.select(&pt.ov)?);
    let n_obs = x.nrows();
    if n_obs <= p {
        return Err(Error::TooFewObservations { needed: p + 1, got: n_obs });
    }
    let ord_idx: Vec<usize> = (0..p).filter(|&j| ordered[j]).collect();
    let ord_names: Vec<String> = ord_idx.iter().map(|&j| pt.ov[j].clone()).collect();
    check_codes(&x.select(ndarray::Axis(1), &ord_idx), &ord_names)?;
    let ms: MixedStats = mstats::fit(&x, &ordered, &pt.ov)?;
    let (thr, mut q) = thresholds(&pt, &ms.tau, thr_stmts, nm)?;
    let num = ms.continuous();
    // the first slot in variable order, with an intercept parameter per continuous variable
    let mut first = Vec::with_capacity(ms.n_first());
    let mut nu_idx = vec![usize::MAX; p];
    for (j, &o) in ordered.iter().enumerate() {
        if o {
            first.extend((0..thr.len()).filter(|&k| thr[k].var == j).map(First::Thr));
        } else {
            nu_idx[j] = q;
            first.push(First::Mean(q));
            q += 1;
        }
    }
    let s = Array1::from(ms.stacked());
    let ns = s.len();
    if first.len() != ms.n_first() {
        return Err(Error::DimensionMismatch {
            what: "thresholds of the mixed sample statistics".into(),
            expected: first.len(),
            found: ms.n_first(),
        });
    }
    let gamma = ms.gamma.clone();
    let w = robust::weight(weighting, &gamma)?;
    if q > ns {
        return Err(Error::NotIdentified {
            reason: format!(
                "the model has {q} free parameters but only {ns} sample statistics (df = {})",
                ns as i64 - q as i64
            ),
        });
    }

    // estimation
    let mut theta0 = start::start_values(&pt, &st, &ms.cov, cfg.std_lv);
    theta0.resize(q, 0.0);
    for t in &thr {
        if let Some(f) = t.free {
            theta0[f] = ms.tau[t.var][t.k];
        }
    }
    for &j in &num {
        theta0[nu_idx[j]] = ms.mean[j];
    }
    let prob = MixLs {
        st: &st,
        thr: &thr,
        first: &first,
        num: &num,
        pairs: &ms.pairs,
        s: &s,
        w: &w,
        nm,
        q,
    };
    let assemble::Solved { out, theta, inf, chisq, df, test, .. } =
        assemble::solve(cfg, &prob, &theta0, &gamma, n_obs, ns, robust)?;
    let n = n_obs as f64;
    let (base_chisq, base_df, base_test) =
        robust::baseline(&s, &w, &gamma, first.len() + num.len(), n - 1.0);

    // residual variances of the ordered indicators 1 − diag, then the solution
    let (mats, imp) =
        assemble::fix_derived_residuals(&mut pt, &mut st, &resid, &theta[..nm], |s| {
            s.diag().to_owned()
        })?;
    let vcov_model = Array2::from_shape_fn((nm, nm), |(i, j)| inf.vcov[[i, j]]);
    let mut rows = param_rows(&pt, &st, &mats, &imp, &vcov_model, cfg.ci_level);
    let zq = crate::core::dist::qnorm(0.5 + cfg.ci_level / 2.0);
    let mut extra = assemble::threshold_rows(&pt, &thr, &theta, &inf.vcov, zq, |_, est| est);
    for &j in &num {
        let fi = nu_idx[j];
        let est = theta[fi];
        let mut row = ParamRow::new(&pt.ov[j], "~1", String::new(), est);
        row.std_lv = Some(est);
        row.std_all = Some(est / imp.sigma[[j, j]].sqrt());
        fill_inference(&mut row, est, inf.vcov[[fi, fi]].max(0.0).sqrt(), zq);
        extra.push(row);
    }
    assemble::insert_before_defined(&mut rows, extra);

    let fm = robust::fit_measures(&robust::Measures {
        uls: weighting == Weighting::Identity,
        robust,
        npar: q,
        n: n_obs,
        chisq,
        df,
        ndat: ns as f64,
        base_chisq,
        base_df,
        test,
        base_test,
        s: &ms.cov,
        sigma: &imp.sigma,
        catml: None,
    });
    let mut par_names = assemble::parameter_names(&pt, &thr, q);
    for &j in &num {
        par_names[nu_idx[j]] = format!("{}~1", pt.ov[j]);
    }
    let mut warnings = Vec::new();
    if n_dropped > 0 {
        warnings.push(Warning::RowsDropped { dropped: n_dropped, remaining: n_obs });
    }
    for &(i, j) in &ms.at_bound {
        warnings.push(Warning::NotConverged {
            what: format!(
                "correlation of `{}` and `{}` (the likelihood rises towards |ρ| = 1)",
                pt.ov[j], pt.ov[i]
            ),
            iterations: 0,
        });
    }
    assemble::finish(assemble::Closing {
        cfg,
        estimator,
        rows,
        fit: fm,
        inf,
        par_names,
        implied: imp.sigma.clone(),
        sample: ms.cov.clone(),
        out,
        warnings,
        n_obs,
        pt,
        st,
        mats,
        imp,
    })
}
