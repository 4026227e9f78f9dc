//! Bootstrap of a fitted SEM: ordinary nonparametric and Bollen–Stine resampling, percentile and
//! BCa intervals for every free and every defined (`:=`) parameter, bootstrap standard errors and
//! the Bollen–Stine p-value of the χ² test.
//!
//! Built on [`crate::resample`]: the generic engine draws the row indices of each replication
//! from its own seeded ChaCha8 stream, so results do not depend on the number of threads.
//!
//! Fast path per replication: the covariance of the resample is accumulated from the row
//! multiplicities of the (centred) data without copying rows; the compiled model is refitted
//! starting at the full-sample estimates θ̂ by BFGS whose initial inverse Hessian is the inverse
//! of the full-sample scoring matrix 2ΔᵀWΔ (so no information matrix is formed per replication)
//! and whose gradient comes from the matrix form of ∂F/∂Σ (no Δ per iteration; see `refit.rs`),
//! falling back to the engine's Fisher scoring when it stops without converging. The
//! leave-one-out covariances of the BCa jackknife are rank-one downdates of the full-sample
//! scatter matrix and are refitted the same way.

use std::collections::HashMap;

use ndarray::{Array1, Array2, ArrayRef2, Axis};
use rayon::prelude::*;

use super::defined::{self, Dual};
use super::estimate;
use super::model::ModelStructure;
use super::objective::{Discrepancy, Objective};
use super::refit::{self, Workspace};
use super::syntax::Op;
use super::{Estimator, Likelihood, SemFit};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::resample::{
    Bootstrap, BootstrapFit, Interval, ReplicationFailure, bollen_stine_transform,
};
use crate::summary::{ParamRow, Summary, Table, fmt_num, fmt_pvalue};
use crate::warning::Warning;

/// How the bootstrap samples are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum SemBootstrapKind {
    /// Ordinary nonparametric bootstrap: rows drawn with replacement (lavaan `"ordinary"`).
    #[default]
    Ordinary,
    /// Bollen–Stine: rows drawn with replacement from the data transformed so that their
    /// covariance equals the model-implied Σ(θ̂) (lavaan `"bollen.stine"`). Gives the bootstrap
    /// p-value of the χ² test; parameter intervals then come from the same resamples (as lavaan).
    BollenStine,
}

/// Which bootstrap interval the parameter table reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum BootstrapCi {
    /// Percentile interval (lavaan's default `boot.ci.type = "perc"`).
    #[default]
    Percentile,
    /// Bias-corrected and accelerated interval (jackknife acceleration; lavaan `"bca.simple"` is
    /// the unaccelerated BC interval, not this one).
    Bca,
}

/// Bootstrap configuration for a fitted SEM.
///
/// # Formula
/// ```text
/// θ*_b = argmin F(S*_b, Σ(θ)),   S*_b = covariance of the rows i_b1, …, i_bn (with repetition)
/// se_boot = sd_b(θ*_b)           (divisor R′ − 1 over the R′ successful replications)
/// p_BS    = #{T*_b > T} / R′      (Bollen–Stine, T = χ² of the fit, T*_b on transformed data)
/// ```
/// Percentile and BCa limits as [`crate::resample::BootstrapFit::ci_percentile`] and
/// [`crate::resample::BootstrapFit::ci_bca`] (jackknife influence values).
///
/// # Examples
/// ```
/// use surveystat::sem::{BootstrapCi, Sem, SemBootstrap, SemBootstrapKind};
/// let b = SemBootstrap::new(1000).seed(42).kind(SemBootstrapKind::Ordinary).ci(BootstrapCi::Bca);
/// assert_eq!(b.reps(), 1000);
/// ```
///
/// # Errors
/// See [`SemFit::bootstrap`].
///
/// # References
/// Bollen, K. A. & Stine, R. A. (1992). Bootstrapping goodness-of-fit measures in structural
/// equation models. *Sociological Methods & Research* 21, 205–229.
/// Efron, B. & Tibshirani, R. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SemBootstrap {
    reps: usize,
    seed: u64,
    kind: SemBootstrapKind,
    ci: BootstrapCi,
    level: f64,
    jackknife: bool,
    drop_inadmissible: bool,
    max_iter: usize,
    resamples: Option<Vec<Vec<usize>>>,
}

impl SemBootstrap {
    /// `reps` replications, seed 0, ordinary resampling, percentile intervals at 95 %.
    pub fn new(reps: usize) -> Self {
        Self {
            reps,
            seed: 0,
            kind: SemBootstrapKind::Ordinary,
            ci: BootstrapCi::Percentile,
            level: 0.95,
            jackknife: true,
            drop_inadmissible: false,
            max_iter: 500,
            resamples: None,
        }
    }

    /// Replay these resamples instead of drawing them: each set lists the row indices (0-based,
    /// with repetitions, as many as the rows the model was fitted to) of one replication, to
    /// repeat another program's bootstrap on the same resamples. Rows are numbered as the fit
    /// uses them: the rows kept after listwise deletion (every row with an observed value under
    /// FIML), in file order; in a multi-group model the rows of the first group, then those of
    /// the second, and so on. Sets the number of replications to the number of sets.
    pub fn resamples(mut self, sets: Vec<Vec<usize>>) -> Self {
        self.reps = sets.len();
        self.resamples = Some(sets);
        self
    }
    /// Seed of the random streams (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Ordinary or Bollen–Stine resampling.
    pub fn kind(mut self, kind: SemBootstrapKind) -> Self {
        self.kind = kind;
        self
    }
    /// Interval put into the parameter table (default percentile). BCa needs the jackknife.
    pub fn ci(mut self, ci: BootstrapCi) -> Self {
        self.ci = ci;
        self
    }
    /// Confidence level (default 0.95).
    pub fn level(mut self, level: f64) -> Self {
        self.level = level;
        self
    }
    /// Compute the leave-one-out jackknife for BCa (default true; `n` extra refits). Without it
    /// only percentile intervals are available.
    pub fn jackknife(mut self, yes: bool) -> Self {
        self.jackknife = yes;
        self
    }
    /// Leave inadmissible replications (negative variances, non-positive-definite latent
    /// covariance) out of SEs and intervals (default false: kept and counted, as lavaan).
    pub fn drop_inadmissible(mut self, yes: bool) -> Self {
        self.drop_inadmissible = yes;
        self
    }
    /// Iteration limit of each refit (default 500).
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    /// Number of replications requested.
    pub fn reps(&self) -> usize {
        self.reps
    }
}

/// The refit machinery shared by the bootstrap, the jackknife and the Monte Carlo runner.
pub(crate) struct Refitter<'a> {
    fit: &'a SemFit,
    kind: Discrepancy,
    /// Exogenous (fixed-x) rows: (row, i, j).
    exo: Vec<(usize, usize, usize)>,
    /// Free-parameter index or fixed value of each label (first occurrence).
    labels: Vec<(String, usize)>,
    /// ½ (Δᵀ W Δ)⁻¹ at θ̂: the chord step matrix for F.
    chord: Array2<f64>,
    max_iter: usize,
}

/// Outcome of one refit.
pub(crate) struct Refit {
    /// Standard errors (free parameters, then defined ones) when requested.
    pub se: Option<Vec<f64>>,
    pub theta: Vec<f64>,
    pub defined: Vec<f64>,
    pub chisq: f64,
    pub admissible: bool,
    /// Iterations of the fast BFGS (plus the engine fallback, if it ran).
    #[allow(dead_code)] // read by the refit tests
    pub iterations: usize,
    /// Whether the engine's Fisher scoring had to take over.
    #[allow(dead_code)] // read by the refit tests
    pub fell_back: bool,
}

impl<'a> Refitter<'a> {
    pub(crate) fn new(fit: &'a SemFit, max_iter: usize) -> Self {
        let pt = &fit.pt;
        let kind = fit.obj.kind;
        let exo = pt
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.exo)
            .map(|(k, r)| {
                let i = pt.ov.iter().position(|v| *v == r.lhs).unwrap_or(0);
                let j = pt.ov.iter().position(|v| *v == r.rhs).unwrap_or(0);
                (k, i, j)
            })
            .collect();
        let mut labels: Vec<(String, usize)> = Vec::new();
        for (k, r) in pt.rows.iter().enumerate() {
            if !r.label.is_empty() && !labels.iter().any(|(l, _)| *l == r.label) {
                labels.push((r.label.clone(), k));
            }
        }
        let chord = &fit.info_inv * 0.5;
        Self { fit, kind, exo, labels, chord, max_iter }
    }

    /// Divisor of the fitted covariance and N′ for a sample of `n` rows.
    fn divisor(&self, n: usize) -> (f64, f64) {
        let n = n as f64;
        match (self.fit.config.estimator, self.fit.config.likelihood) {
            (Estimator::Ml, Likelihood::Normal) => (n, n),
            _ => (n - 1.0, n - 1.0),
        }
    }

    /// Refit to a scatter matrix Σ(xᵢ − x̄)(xᵢ − x̄)ᵀ of `n` rows, starting at `start`.
    pub(crate) fn refit(&self, scatter: &Array2<f64>, n: usize, start: &[f64]) -> Result<Refit> {
        self.refit_inner(scatter, n, start, false)
    }

    /// As `refit`, with expected-information standard errors of the free and defined parameters.
    pub(crate) fn refit_se(&self, scatter: &Array2<f64>, n: usize, start: &[f64]) -> Result<Refit> {
        self.refit_inner(scatter, n, start, true)
    }

    fn refit_inner(
        &self,
        scatter: &Array2<f64>,
        n: usize,
        start: &[f64],
        want_se: bool,
    ) -> Result<Refit> {
        let (div, n_eff) = self.divisor(n);
        let s_fit = scatter / div;
        let st_owned;
        let st: &ModelStructure = if self.exo.is_empty() {
            &self.fit.st
        } else {
            let mut s = self.fit.st.clone();
            for &(k, i, j) in &self.exo {
                s.set_fixed(k, s_fit[[i, j]]);
            }
            st_owned = s;
            &st_owned
        };
        let obj = Objective::new(self.kind, &s_fit, st.vech.clone())?;
        // quasi-Newton (BFGS) started with the inverse of the full-sample scoring matrix: the first
        // step is a Fisher-scoring step, later ones add curvature from the secant updates. The
        // gradient comes from the matrix form of ∂F/∂Σ (no Δ per iteration), see refit.rs.
        let mut ws = Workspace::new(st);
        let fast = refit::bfgs(
            st,
            &obj,
            start,
            &self.chord,
            self.max_iter.min(refit::FAST_MAX_ITER),
            &mut ws,
        )
        .ok_or_else(|| Error::NotPositiveDefinite {
            matrix: "implied covariance at the full-sample estimates".into(),
        })?;
        let q = start.len();
        let mut pt = estimate::eval(st, &obj, &fast.theta).ok_or_else(|| {
            Error::NotPositiveDefinite { matrix: "implied covariance of the refit".into() }
        })?;
        let mut iterations = fast.iterations;
        if !fast.converged {
            // fall back to the driver's Fisher scoring from the last point
            let opt = estimate::minimize(
                st,
                &obj,
                &fast.theta,
                super::Optimizer::FisherScoring,
                self.max_iter,
            )
            .ok_or_else(|| Error::NotPositiveDefinite {
                matrix: "implied covariance of the refit".into(),
            })?;
            if !opt.converged {
                return Err(Error::NotConverged {
                    what: format!("SEM refit ({})", opt.reason),
                    iterations: fast.iterations + opt.iterations,
                });
            }
            iterations += opt.iterations;
            pt = opt.point;
        }
        // admissibility: no negative variances, positive definite latent covariance
        let mut admissible = true;
        for (k, r) in self.fit.pt.rows.iter().enumerate() {
            if r.op == Op::Covariance && r.lhs == r.rhs && st.row_value(&pt.mats, k) < 0.0 {
                admissible = false;
            }
        }
        if admissible && st.n_lv > 0 {
            let eta = st.eta_cov(&pt.mats, &pt.imp);
            let l = st.n_lv;
            let lv = Array2::from_shape_fn((l, l), |(i, j)| eta[[i, j]]);
            admissible = crate::core::linalg::small::cholesky(&lv).is_some();
        }
        // defined parameters (with gradients only when standard errors are wanted)
        let gq = if want_se { q } else { 0 };
        let mut env: HashMap<String, Dual> =
            HashMap::with_capacity(self.labels.len() + self.fit.pt.defined.len());
        for (l, k) in &self.labels {
            let mut g = vec![0.0; gq];
            if let (true, Some(f)) = (want_se, self.fit.pt.rows[*k].free) {
                g[f] = 1.0;
            }
            env.insert(l.clone(), Dual { v: st.row_value(&pt.mats, *k), g });
        }
        let mut def = Vec::with_capacity(self.fit.pt.defined.len());
        let mut grads = Vec::new();
        for (name, expr) in &self.fit.pt.defined {
            let d = defined::eval(expr, &env, gq);
            def.push(d.v);
            if want_se {
                grads.push(Array1::from(d.g.clone()));
            }
            env.insert(name.clone(), d);
        }
        let se = if want_se {
            let (_, delta) = estimate::gradient(st, &obj, &pt);
            let info = obj.information(&pt.val, &delta);
            let vcov = super::vcov::invert_information(&info, &self.fit.par_names)? / n_eff;
            let mut se: Vec<f64> = (0..q).map(|i| vcov[[i, i]].max(0.0).sqrt()).collect();
            se.extend(grads.iter().map(|g| g.dot(&vcov.dot(g)).max(0.0).sqrt()));
            Some(se)
        } else {
            None
        };
        Ok(Refit {
            se,
            chisq: n_eff * pt.val.f,
            theta: pt.theta,
            defined: def,
            admissible,
            iterations,
            fell_back: !fast.converged,
        })
    }
}

/// Centred data (row-major) and its scatter matrix.
pub(super) struct Centred {
    x: Vec<f64>,
    pub(super) n: usize,
    p: usize,
    pub(super) scatter: Array2<f64>,
}

impl Centred {
    pub(super) fn new(x: &Array2<f64>) -> Self {
        let (n, p) = x.dim();
        let mean = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(p));
        let mut v = Vec::with_capacity(n * p);
        for row in x.rows() {
            for (a, m) in row.iter().zip(mean.iter()) {
                v.push(a - m);
            }
        }
        let all: Vec<usize> = (0..n).collect();
        let mut c = Self { x: v, n, p, scatter: Array2::zeros((p, p)) };
        c.scatter = c.scatter_of(&all);
        c
    }

    /// Scatter matrix of the rows `idx` (with repetitions), about their own mean.
    pub(super) fn scatter_of(&self, idx: &[usize]) -> Array2<f64> {
        let p = self.p;
        // multiplicity of each row, then one weighted pass over the distinct rows
        let mut w = vec![0u32; self.n];
        for &i in idx {
            if let Some(c) = w.get_mut(i) {
                *c += 1;
            }
        }
        let mut sum = vec![0.0; p];
        let mut cp = vec![0.0; p * p];
        for (i, &c) in w.iter().enumerate() {
            if c == 0 {
                continue;
            }
            let c = f64::from(c);
            let r = &self.x[i * p..(i + 1) * p];
            for a in 0..p {
                let ra = c * r[a];
                sum[a] += ra;
                for (v, rb) in cp[a * p + a..a * p + p].iter_mut().zip(&r[a..]) {
                    *v += ra * rb;
                }
            }
        }
        let m = idx.len() as f64;
        let mut s = Array2::zeros((p, p));
        for a in 0..p {
            for b in a..p {
                let v = cp[a * p + b] - sum[a] * sum[b] / m;
                s[[a, b]] = v;
                s[[b, a]] = v;
            }
        }
        s
    }

    /// Scatter matrix without row `i` (rank-one downdate of the full scatter).
    pub(super) fn scatter_without(&self, i: usize) -> Array2<f64> {
        let p = self.p;
        let r = &self.x[i * p..(i + 1) * p];
        let c = self.n as f64 / (self.n as f64 - 1.0);
        let mut s = self.scatter.clone();
        for a in 0..p {
            for b in 0..p {
                s[[a, b]] -= c * r[a] * r[b];
            }
        }
        s
    }
}

/// Result of [`SemFit::bootstrap`].
#[derive(Debug, Clone)]
pub struct SemBootstrapFit {
    config: SemBootstrap,
    names: Vec<String>,
    n_free: usize,
    n_defined: usize,
    boot: BootstrapFit,
    failures: Vec<ReplicationFailure>,
    n_nonconverged: usize,
    n_inadmissible: usize,
    chisq: f64,
    bs_pvalue: Option<f64>,
    jackknife_error: Option<String>,
    warnings: Vec<Warning>,
    /// Multi-group fits: replications of every group's parameter rows.
    rows: Option<BootstrapFit>,
}

impl SemFit {
    /// Bootstrap this fit on `data` (the dataset it was fitted to).
    ///
    /// Rows with missing values on the model variables are dropped as in [`super::Sem::fit`]; the
    /// remaining number of rows must equal [`SemFit::n_obs`].
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for zero replications or a level outside (0, 1);
    /// [`Error::UnknownVariable`]; [`Error::DimensionMismatch`] when the data do not have the
    /// fit's number of complete rows; [`Error::NotPositiveDefinite`] from the Bollen–Stine
    /// transformation. Failing replications are not errors: they are counted in the result.
    pub fn bootstrap(&self, data: &Dataset, config: &SemBootstrap) -> Result<SemBootstrapFit> {
        let x = data.select(&self.pt.ov)?;
        if self.pt.meanstructure {
            return self.bootstrap_refit(&x, config);
        }
        let (x, _) = crate::moments::complete_rows(&x);
        self.bootstrap_ordered(&x, config)
    }

    /// Bootstrap on a complete data matrix (rows = observations) whose columns are named
    /// `names`; the columns are matched to [`SemFit::observed`] by name, in any order.
    ///
    /// # Errors
    /// As [`SemFit::bootstrap`]; [`Error::DimensionMismatch`] when `names` does not have one
    /// name per column; [`Error::UnknownVariable`] for a model variable missing from `names`;
    /// [`Error::InvalidParameter`] for a column that is not a model variable;
    /// [`Error::DuplicateVariable`] for a name given twice; [`Error::NonFinite`] for missing
    /// values.
    pub fn bootstrap_array<S: AsRef<str>>(
        &self,
        x: &ArrayRef2<f64>,
        names: &[S],
        config: &SemBootstrap,
    ) -> Result<SemBootstrapFit> {
        if names.len() != x.ncols() {
            return Err(Error::DimensionMismatch {
                what: "column names vs data columns".into(),
                expected: x.ncols(),
                found: names.len(),
            });
        }
        for (k, n) in names.iter().enumerate() {
            let n = n.as_ref();
            if names[..k].iter().any(|m| m.as_ref() == n) {
                return Err(Error::DuplicateVariable { name: n.to_string() });
            }
            if !self.pt.ov.iter().any(|v| v == n) {
                return Err(Error::invalid(
                    "bootstrap data",
                    format!("column `{n}` is not a variable of the model"),
                ));
            }
        }
        let mut idx = Vec::with_capacity(self.pt.ov.len());
        for v in &self.pt.ov {
            match names.iter().position(|n| n.as_ref() == v) {
                Some(k) => idx.push(k),
                None => return Err(Error::UnknownVariable { name: v.clone() }),
            }
        }
        let ordered = x.select(Axis(1), &idx);
        self.bootstrap_ordered(&ordered, config)
    }

    /// Bootstrap on a complete data matrix whose columns are the model variables in order.
    fn bootstrap_ordered(&self, x: &Array2<f64>, config: &SemBootstrap) -> Result<SemBootstrapFit> {
        let few_reps = crate::resample::check_reps(config.reps)?;
        if !(config.level > 0.0 && config.level < 1.0) {
            return Err(Error::invalid("level", "must be strictly between 0 and 1"));
        }
        // explicit constraints: full refits under the constraints (the fast refit is
        // unconstrained)
        if self.pt.meanstructure || !self.pt.constraints.is_empty() {
            return self.bootstrap_refit(x, config);
        }
        if x.ncols() != self.pt.ov.len() {
            return Err(Error::DimensionMismatch {
                what: "data columns vs model variables".into(),
                expected: self.pt.ov.len(),
                found: x.ncols(),
            });
        }
        if x.nrows() != self.n_obs {
            return Err(Error::DimensionMismatch {
                what: "complete rows of the data the model was fitted to".into(),
                expected: self.n_obs,
                found: x.nrows(),
            });
        }
        if x.iter().any(|v| !v.is_finite()) {
            return Err(Error::NonFinite { what: "bootstrap data (missing values)".into() });
        }
        let data = match config.kind {
            SemBootstrapKind::Ordinary => x.clone(),
            SemBootstrapKind::BollenStine => {
                // target: the implied covariance on the divisor-N scale of the transformation
                let n = x.nrows() as f64;
                let scale = match (self.config.estimator, self.config.likelihood) {
                    (Estimator::Ml, Likelihood::Normal) => 1.0,
                    _ => (n - 1.0) / n,
                };
                let target = &self.implied * scale;
                bollen_stine_transform(x, &target, None)?
            }
        };
        let c = Centred::new(&data);
        let n = c.n;
        let refitter = Refitter::new(self, config.max_iter);
        let start = self.theta.clone();
        let q = self.pt.npar;
        let nd = self.pt.defined.len();
        let k = q + nd + 1;
        let stat = |idx: &[usize]| -> Result<Vec<f64>> {
            let s = c.scatter_of(idx);
            let r = refitter.refit(&s, idx.len(), &start)?;
            let mut v = r.theta;
            v.extend(r.defined);
            v.push(r.chisq);
            v.push(if r.admissible { 1.0 } else { 0.0 });
            Ok(v)
        };
        let mut engine = Bootstrap::new(config.reps).seed(config.seed);
        if let Some(sets) = config.replayed() {
            engine = engine.resamples(sets.to_vec());
        }
        let inner = engine.acceleration(crate::resample::Acceleration::None).run(n, stat)?;
        let t0_all = inner.estimate();
        let t0 = Array1::from_iter(t0_all.iter().take(k).copied());
        // jackknife by rank-one downdates, warm started at θ̂
        let (influence, jackknife_error) = if config.jackknife {
            let rows: Vec<Result<Vec<f64>>> = (0..n)
                .into_par_iter()
                .map(|i| {
                    let s = c.scatter_without(i);
                    let r = refitter.refit(&s, n - 1, &start)?;
                    let mut v = r.theta;
                    v.extend(r.defined);
                    v.push(r.chisq);
                    Ok(v)
                })
                .collect();
            let mut l = Array2::zeros((n, k));
            let mut err = None;
            for (i, r) in rows.into_iter().enumerate() {
                match r {
                    Ok(v) => {
                        for j in 0..k {
                            l[[i, j]] = (n as f64 - 1.0) * (t0[j] - v[j]);
                        }
                    }
                    Err(e) => {
                        err =
                            Some(format!("the jackknife refit without row {} failed: {e}", i + 1));
                        break;
                    }
                }
            }
            match err {
                None => (Some(l), None),
                Some(e) => (None, Some(e)),
            }
        } else {
            (None, Some("the jackknife was not requested".to_string()))
        };
        let mut names = self.par_names.clone();
        names.extend(self.pt.defined.iter().map(|(n, _)| n.clone()));
        names.push("chisq".into());
        let chisq = self.fit_measure("chisq").unwrap_or(f64::NAN);
        let parts = Replicated { n, t0, inner, influence, jackknife_error, few_reps };
        assemble(config, parts, names, (q, nd), chisq)
    }

    /// A copy of this fit whose parameter table uses the bootstrap: `se` = bootstrap SE,
    /// `z = est / se`, normal p-value, and the configured bootstrap interval (lavaan's
    /// `se = "bootstrap"`). Fixed parameters keep se = 0.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `boot` was computed for another model.
    pub fn with_bootstrap(&self, boot: &SemBootstrapFit) -> Result<SemFit> {
        if boot.n_free != self.pt.npar || boot.n_defined != self.pt.defined.len() {
            return Err(Error::DimensionMismatch {
                what: "bootstrap parameters vs model".into(),
                expected: self.pt.npar,
                found: boot.n_free,
            });
        }
        let se = boot.se();
        let ci = boot.intervals();
        let mut out = self.clone();
        let n_rows = self.pt.rows.len();
        for (k, r) in self.pt.rows.iter().enumerate() {
            if let Some(f) = r.free {
                set_boot(&mut out.rows[k], se[f], ci[f]);
            }
        }
        for d in 0..self.pt.defined.len() {
            set_boot(&mut out.rows[n_rows + d], se[self.pt.npar + d], ci[self.pt.npar + d]);
        }
        out.warnings.extend(boot.warnings.iter().cloned());
        Ok(out)
    }
}

pub(super) fn set_boot(row: &mut ParamRow, se: f64, ci: Option<Interval>) {
    row.se = Some(se);
    if se > 0.0 && se.is_finite() {
        let z = row.est / se;
        row.z = Some(z);
        row.pvalue = Some(2.0 * crate::core::dist::pnorm(-z.abs()));
    } else {
        row.z = None;
        row.pvalue = None;
    }
    row.ci_lower = ci.map(|c| c.lower);
    row.ci_upper = ci.map(|c| c.upper);
}

impl SemBootstrapFit {
    /// The configuration.
    pub fn config(&self) -> &SemBootstrap {
        &self.config
    }
    /// Names: free parameters (as [`SemFit::free_parameter_names`]), defined parameters, `chisq`.
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// Estimates on the original (for Bollen–Stine: transformed) data, in [`Self::names`] order.
    pub fn estimate(&self) -> &Array1<f64> {
        self.boot.estimate()
    }
    /// The underlying generic bootstrap result (replicates, influence values, intervals).
    pub fn inner(&self) -> &BootstrapFit {
        &self.boot
    }
    /// Replicate matrix (used replications × names).
    pub fn replicates(&self) -> &Array2<f64> {
        self.boot.replicates()
    }
    /// Bootstrap standard errors (sd of the replicates, divisor R′ − 1).
    pub fn se(&self) -> Array1<f64> {
        self.boot.se()
    }
    /// Percentile intervals at `level` (`None` where unavailable).
    pub fn percentile(&self, level: f64) -> Vec<Option<Interval>> {
        (0..self.names.len()).map(|j| self.boot.ci_percentile_one(j, level).ok()).collect()
    }
    /// BCa intervals at `level` (`None` where unavailable: no jackknife, infinite bias correction).
    pub fn bca(&self, level: f64) -> Vec<Option<Interval>> {
        (0..self.names.len()).map(|j| self.boot.ci_bca_one(j, level).ok()).collect()
    }
    /// The configured intervals at the configured level.
    pub fn intervals(&self) -> Vec<Option<Interval>> {
        match self.config.ci {
            BootstrapCi::Percentile => self.percentile(self.config.level),
            BootstrapCi::Bca => self.bca(self.config.level),
        }
    }
    /// Confidence level of the configured intervals.
    pub fn config_level(&self) -> f64 {
        self.config.level
    }
    /// Replications requested.
    pub fn n_requested(&self) -> usize {
        self.config.reps
    }
    /// Replications used for SEs and intervals.
    pub fn n_used(&self) -> usize {
        self.boot.n_successful()
    }
    /// Replications that failed (did not converge, or another error), with reasons.
    pub fn failures(&self) -> &[ReplicationFailure] {
        &self.failures
    }
    /// Replications whose refit did not converge.
    pub fn n_nonconverged(&self) -> usize {
        self.n_nonconverged
    }
    /// Replications that failed for another reason (e.g. a singular resample covariance).
    pub fn n_errors(&self) -> usize {
        self.failures.len() - self.n_nonconverged
    }
    /// Converged replications with a negative variance or a non-positive-definite latent
    /// covariance (kept unless [`SemBootstrap::drop_inadmissible`]).
    pub fn n_inadmissible(&self) -> usize {
        self.n_inadmissible
    }
    /// Bollen–Stine bootstrap p-value of the χ² test, `#{T* > T} / R′` (lavaan's definition);
    /// `None` for the ordinary bootstrap.
    pub fn bollen_stine_pvalue(&self) -> Option<f64> {
        self.bs_pvalue
    }
    /// Why BCa is unavailable, if it is.
    pub fn jackknife_error(&self) -> Option<&str> {
        self.jackknife_error.as_deref()
    }
    /// Warnings: failed and inadmissible replications, BCa unavailable.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// A printable summary.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::new(format!(
            "SEM bootstrap ({:?}, {} replications, seed {})",
            self.config.kind, self.config.reps, self.config.seed
        ));
        let mut kv = vec![
            ("Replications requested".to_string(), self.config.reps.to_string()),
            ("Replications used".to_string(), self.n_used().to_string()),
            ("Not converged".to_string(), self.n_nonconverged.to_string()),
            ("Other failures".to_string(), self.n_errors().to_string()),
            (
                "Inadmissible".to_string(),
                format!(
                    "{}{}",
                    self.n_inadmissible,
                    if self.config.drop_inadmissible { " (dropped)" } else { " (kept)" }
                ),
            ),
        ];
        if let Some(p) = self.bs_pvalue {
            kv.push(("Bollen-Stine p-value (chi-square)".into(), fmt_pvalue(Some(p))));
            kv.push(("  Chi-square of the fit".into(), fmt_num(self.chisq, 3)));
        }
        s.key_values(kv);
        let lev = self.config.level;
        let mut t = Table::new(
            Some(&format!("Bootstrap intervals ({:.0}%)", lev * 100.0)),
            ["", "Estimate", "Boot.SE", "perc.lower", "perc.upper", "bca.lower", "bca.upper"],
        );
        let se = self.se();
        let p = self.percentile(lev);
        let b = self.bca(lev);
        for j in 0..self.names.len() - 1 {
            t.push([
                self.names[j].clone(),
                fmt_num(self.estimate()[j], 3),
                fmt_num(se[j], 3),
                fmt_num(p[j].map(|i| i.lower), 3),
                fmt_num(p[j].map(|i| i.upper), 3),
                fmt_num(b[j].map(|i| i.lower), 3),
                fmt_num(b[j].map(|i| i.upper), 3),
            ]);
        }
        s.table(t);
        s
    }
}

impl std::fmt::Display for SemBootstrapFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.summary())
    }
}

/// The replications of a SEM bootstrap before assembly.
pub(super) struct Replicated {
    /// Rows resampled.
    pub(super) n: usize,
    /// Estimates on the original rows: free parameters, defined parameters, χ².
    pub(super) t0: Array1<f64>,
    /// The engine's result; each replicate row holds `t0`'s values and then an admissibility
    /// flag (1 admissible, 0 not).
    pub(super) inner: BootstrapFit,
    /// Jackknife influence values of `t0`'s values, or why there are none.
    pub(super) influence: Option<Array2<f64>>,
    pub(super) jackknife_error: Option<String>,
    /// The warning for a single replication.
    pub(super) few_reps: Option<Warning>,
}

/// A [`SemBootstrapFit`] from the replications: inadmissible replications kept or dropped,
/// failures counted, the Bollen–Stine p-value, warnings.
pub(super) fn assemble(
    config: &SemBootstrap,
    parts: Replicated,
    names: Vec<String>,
    (q, nd): (usize, usize),
    chisq: f64,
) -> Result<SemBootstrapFit> {
    let Replicated { n, t0, inner, influence, jackknife_error, few_reps } = parts;
    let k = q + nd + 1;
    let reps_all = inner.replicates();
    let flag = reps_all.column(k);
    let n_inadmissible = flag.iter().filter(|v| **v == 0.0).count();
    let keep: Vec<usize> =
        (0..reps_all.nrows()).filter(|&b| !config.drop_inadmissible || flag[b] != 0.0).collect();
    let reps = Array2::from_shape_fn((keep.len(), k), |(b, j)| reps_all[[keep[b], j]]);
    let boot = BootstrapFit::from_parts(n, &t0, &reps, influence.as_deref())?;
    let failures = inner.failures().to_vec();
    let n_nonconverged = failures.iter().filter(|f| f.reason.contains("did not converge")).count();
    let bs_pvalue = match config.kind {
        SemBootstrapKind::BollenStine if reps.nrows() > 0 => {
            let col = reps.column(k - 1);
            Some(col.iter().filter(|t| **t > chisq).count() as f64 / col.len() as f64)
        }
        _ => None,
    };
    let mut warnings: Vec<Warning> = few_reps.into_iter().collect();
    if !failures.is_empty() {
        warnings
            .push(Warning::ReplicationsFailed { failed: failures.len(), requested: config.reps });
    }
    if n_inadmissible > 0 {
        warnings.push(Warning::Other {
            message: format!(
                "{n_inadmissible} of {} successful bootstrap replications are inadmissible (negative variance or non-positive-definite latent covariance); {}",
                reps_all.nrows(),
                if config.drop_inadmissible { "they were dropped" } else { "they were kept" }
            ),
        });
    }
    if config.ci == BootstrapCi::Bca
        && let Some(e) = &jackknife_error
    {
        warnings.push(Warning::Other { message: format!("BCa intervals unavailable: {e}") });
    }
    Ok(SemBootstrapFit {
        config: config.clone(),
        names,
        n_free: q,
        n_defined: nd,
        boot,
        failures,
        n_nonconverged,
        n_inadmissible,
        chisq,
        bs_pvalue,
        jackknife_error,
        warnings,
        rows: None,
    })
}

impl SemBootstrap {
    pub(super) fn level_value(&self) -> f64 {
        self.level
    }
    pub(super) fn seed_value(&self) -> u64 {
        self.seed
    }
    pub(super) fn kind_value(&self) -> SemBootstrapKind {
        self.kind
    }
    pub(super) fn wants_jackknife(&self) -> bool {
        self.jackknife
    }
    pub(super) fn drops_inadmissible(&self) -> bool {
        self.drop_inadmissible
    }
    pub(super) fn replayed(&self) -> Option<&[Vec<usize>]> {
        self.resamples.as_deref()
    }
    pub(super) fn ci_value(&self) -> BootstrapCi {
        self.ci
    }
}

impl SemBootstrapFit {
    pub(super) fn set_row_replicates(&mut self, rows: Option<BootstrapFit>) {
        self.rows = rows;
    }
    /// Multi-group fits: the replications of every group's parameter rows, group by group in
    /// the order of [`super::GroupResult::parameters`].
    pub fn row_replicates(&self) -> Option<&BootstrapFit> {
        self.rows.as_ref()
    }
}
