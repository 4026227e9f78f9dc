//! Structural equation models with ordered-categorical indicators (delta parameterization).
//!
//! Every indicator y_j is a cut of a standard normal latent response y*_j at thresholds
//! τ_j1 < … < τ_j,K−1. The covariance structure of y* is the model's Σ(θ) scaled to unit
//! diagonal (delta parameterization, lavaan's default): the residual variances of the ordered
//! indicators are not parameters but 1 − diag(Λ (I − B)⁻¹ Ψ (I − B)⁻ᵀ Λᵀ).
//!
//! Estimation is by least squares on the two-step sample statistics s = (τ̂, ρ̂) (thresholds
//! from the margins, polychoric correlations by pairwise ML, [`crate::ordinal::Polychoric`]):
//!
//! ```text
//! F(θ) = (s − σ(θ))ᵀ W (s − σ(θ)),  σ(θ) = (τ(θ), vech₋(Σ(θ)))   (vech₋: below the diagonal)
//! W = diag(Γ)⁻¹ (DWLS, WLSMV),  I (ULS, ULSMV),  Γ⁻¹ (WLS)
//! χ² = (N − 1) F(θ̂),  df = #thresholds + p(p−1)/2 − #free parameters
//! ```
//!
//! with Γ the asymptotic covariance of √N s (lavaan's NACOV). Standard errors and the robust
//! test are in [`robust`]. Validated against R lavaan 0.6.14 on HolzingerSwineford1939 items
//! cut into 3–5 categories (tests/reference/sem_ordinal.rs).
//!
//! # References
//! Muthén, B. (1984). A general structural equation model with dichotomous, ordered
//! categorical, and continuous latent variable indicators. *Psychometrika*, 49, 115–132.
//! Muthén, B., du Toit, S. H. C. & Spisic, D. (1997). Robust inference using weighted least
//! squares and quadratic estimating equations in latent variable modeling with categorical and
//! continuous outcomes. Unpublished technical report.

mod assemble;
mod conditional;
mod groups;
mod mixed;
mod omega;
mod robust;

use ndarray::{Array1, Array2, Axis};

use super::*;
use crate::core::optim::{self, Problem};
use crate::ordinal::Polychoric;
pub(super) use groups::{fit_groups, observed};
use partable::split_thresholds;

/// How the latent responses y* of ordered indicators are scaled (lavaan's `parameterization`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Parameterization {
    /// Var(y*) = 1: the residual variances are derived, 1 − diag(Λ Ψ* Λᵀ) (the default).
    #[default]
    Delta,
    /// Residual variances of y* are parameters (fixed at 1 in a single group); the scaling
    /// factors Δ_j = 1/√Var(y*_j) are derived and the thresholds are on the y* scale.
    Theta,
}

/// Most categories an ordered column may have.
const MAX_CATEGORIES: usize = 20;

/// How the weight matrix of the least-squares discrepancy is formed, and the inference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Weighting {
    /// W = diag(Γ)⁻¹.
    Diagonal,
    /// W = I.
    Identity,
    /// W = Γ⁻¹.
    Full,
}

/// The estimator an ordinal fit uses: weighting and robust (sandwich SEs, scaled-shifted χ²).
fn resolve(cfg: &Sem) -> Result<(Estimator, Weighting, bool)> {
    let e = if cfg.estimator_set { cfg.estimator } else { Estimator::Wlsmv };
    Ok(match e {
        Estimator::Dwls => (e, Weighting::Diagonal, false),
        Estimator::Wlsmv => (e, Weighting::Diagonal, true),
        Estimator::Uls => (e, Weighting::Identity, false),
        Estimator::Ulsmv => (e, Weighting::Identity, true),
        Estimator::Wls => (e, Weighting::Full, false),
        Estimator::Ml | Estimator::Gls | Estimator::Mlm | Estimator::Mlmv | Estimator::Mlr => {
            return Err(Error::invalid(
                "estimator",
                "ordered indicators are estimated by DWLS, WLS, ULS, WLSMV (the default) or ULSMV",
            ));
        }
    })
}

/// One threshold of the model.
#[derive(Debug, Clone)]
struct Thr {
    var: usize,
    k: usize,
    label: String,
    fixed: Option<f64>,
    free: Option<usize>,
}

/// Least-squares problem over θ = (covariance-structure parameters, free thresholds).
struct Ls<'a> {
    st: &'a ModelStructure,
    thr: &'a [Thr],
    pairs: &'a [(usize, usize)],
    /// Row of each pair in the model's vech.
    pair_vech: Vec<usize>,
    s: &'a Array1<f64>,
    w: &'a Array2<f64>,
    nm: usize,
    q: usize,
    /// Theta parameterization: the vech row of every (j, j) (the model's σ are then scaled by
    /// Δ_j = 1/√σ_jj); `None` for delta.
    diag_vech: Option<Vec<usize>>,
}

impl Ls<'_> {
    /// Residual e = s − σ(θ) and Δ = ∂σ/∂θᵀ; `None` if I − B is singular.
    fn eval(&self, theta: &[f64]) -> Option<(Array1<f64>, Array2<f64>)> {
        let mats = self.st.matrices(&theta[..self.nm]);
        let imp = self.st.implied(&mats).ok()?;
        let full = self.st.delta(&imp);
        if let Some(dv) = &self.diag_vech {
            return self.eval_theta(theta, &imp.sigma, &full, dv);
        }
        let nt = self.thr.len();
        let ns = nt + self.pairs.len();
        let mut e = Array1::zeros(ns);
        let mut d = Array2::zeros((ns, self.q));
        for (r, t) in self.thr.iter().enumerate() {
            let v = match (t.free, t.fixed) {
                (Some(f), _) => {
                    d[[r, f]] = 1.0;
                    theta[f]
                }
                (None, Some(v)) => v,
                (None, None) => 0.0,
            };
            e[r] = self.s[r] - v;
        }
        for (m, &(i, j)) in self.pairs.iter().enumerate() {
            let r = nt + m;
            e[r] = self.s[r] - imp.sigma[[i, j]];
            for f in 0..self.nm {
                d[[r, f]] = full[[self.pair_vech[m], f]];
            }
        }
        if e.iter().all(|v| v.is_finite()) { Some((e, d)) } else { None }
    }
}

impl Ls<'_> {
    /// The theta parameterization: τ*_jk = τ_jk Δ_j, ρ_ij = σ_ij Δ_i Δ_j with Δ_j = σ_jj^(−½), so
    ///
    /// ```text
    /// ∂τ*_jk/∂τ_jk = Δ_j,   ∂τ*_jk/∂θ = −½ τ*_jk ∂σ_jj/∂θ / σ_jj
    /// ∂ρ_ij/∂θ = Δ_i Δ_j ∂σ_ij/∂θ − ½ ρ_ij (∂σ_ii/∂θ / σ_ii + ∂σ_jj/∂θ / σ_jj)
    /// ```
    fn eval_theta(
        &self,
        theta: &[f64],
        sigma: &Array2<f64>,
        full: &Array2<f64>,
        dv: &[usize],
    ) -> Option<(Array1<f64>, Array2<f64>)> {
        let p = sigma.nrows();
        if (0..p).any(|j| sigma[[j, j]].partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)) {
            return None;
        }
        let sc: Vec<f64> = (0..p).map(|j| 1.0 / sigma[[j, j]].sqrt()).collect();
        let nt = self.thr.len();
        let ns = nt + self.pairs.len();
        let mut e = Array1::zeros(ns);
        let mut d = Array2::zeros((ns, self.q));
        for (r, t) in self.thr.iter().enumerate() {
            let j = t.var;
            let v = match (t.free, t.fixed) {
                (Some(f), _) => {
                    d[[r, f]] = sc[j];
                    theta[f]
                }
                (None, Some(v)) => v,
                (None, None) => 0.0,
            };
            let ts = v * sc[j];
            e[r] = self.s[r] - ts;
            for f in 0..self.nm {
                d[[r, f]] -= 0.5 * ts * full[[dv[j], f]] / sigma[[j, j]];
            }
        }
        for (m, &(i, j)) in self.pairs.iter().enumerate() {
            let r = nt + m;
            let rho = sigma[[i, j]] * sc[i] * sc[j];
            e[r] = self.s[r] - rho;
            for f in 0..self.nm {
                d[[r, f]] = full[[self.pair_vech[m], f]] * sc[i] * sc[j]
                    - 0.5
                        * rho
                        * (full[[dv[i], f]] / sigma[[i, i]] + full[[dv[j], f]] / sigma[[j, j]]);
            }
        }
        if e.iter().all(|v| v.is_finite()) { Some((e, d)) } else { None }
    }
}

/// Residuals e = s − σ(θ) of a weighted least-squares fit and their Jacobian Δ = ∂σ/∂θᵀ, with
/// the weight matrix W.
trait Residuals {
    fn residuals(&self, theta: &[f64]) -> Option<(Array1<f64>, Array2<f64>)>;
    fn weight(&self) -> &Array2<f64>;
}

/// F(θ) = eᵀ W e for the optimiser (Fisher scoring: gradient −2 Δᵀ W e, information 2 Δᵀ W Δ).
struct WeightedLs<'r, R> {
    r: &'r R,
    cache: Option<(Array1<f64>, Array2<f64>)>,
}

impl<'r, R: Residuals> WeightedLs<'r, R> {
    fn new(r: &'r R) -> Self {
        Self { r, cache: None }
    }
}

impl<R: Residuals> Problem for WeightedLs<'_, R> {
    fn value(&mut self, x: &[f64]) -> Option<f64> {
        let (e, d) = self.r.residuals(x)?;
        let f = e.dot(&self.r.weight().dot(&e));
        self.cache = Some((e, d));
        Some(f)
    }
    fn gradient(&mut self, _x: &[f64], g: &mut [f64]) -> bool {
        let Some((e, d)) = &self.cache else { return false };
        let gv = d.t().dot(&self.r.weight().dot(e));
        for (o, v) in g.iter_mut().zip(gv.iter()) {
            *o = -2.0 * v;
        }
        true
    }
    fn information(&mut self, _x: &[f64], h: &mut [f64]) -> bool {
        let Some((_, d)) = &self.cache else { return false };
        let a = d.t().dot(&self.r.weight().dot(d));
        for (o, v) in h.iter_mut().zip(a.iter()) {
            *o = 2.0 * v;
        }
        true
    }
}

impl Residuals for Ls<'_> {
    fn residuals(&self, theta: &[f64]) -> Option<(Array1<f64>, Array2<f64>)> {
        self.eval(theta)
    }
    fn weight(&self) -> &Array2<f64> {
        self.w
    }
}

/// Listwise deletion of rows with a missing value; the number of rows dropped.
fn complete_rows(x: &Array2<f64>) -> (Array2<f64>, usize) {
    let keep: Vec<usize> =
        (0..x.nrows()).filter(|&i| x.row(i).iter().all(|v| v.is_finite())).collect();
    let dropped = x.nrows() - keep.len();
    (x.select(Axis(0), &keep), dropped)
}

/// Ordered columns hold integer codes with at most [`MAX_CATEGORIES`] distinct values.
fn check_codes(x: &Array2<f64>, names: &[String]) -> Result<()> {
    for (j, name) in names.iter().enumerate() {
        let mut seen: Vec<f64> = Vec::new();
        for &v in x.column(j) {
            if v.fract() != 0.0 {
                return Err(Error::invalid(
                    "ordered",
                    format!(
                        "column `{name}` is declared ordered but holds the non-integer code {v}"
                    ),
                ));
            }
            if !seen.contains(&v) {
                seen.push(v);
                if seen.len() > MAX_CATEGORIES {
                    return Err(Error::invalid(
                        "ordered",
                        format!(
                            "column `{name}` is declared ordered but has more than {MAX_CATEGORIES} distinct values"
                        ),
                    ));
                }
            }
        }
        if seen.len() < 2 {
            return Err(Error::invalid(
                "ordered",
                format!("column `{name}` is declared ordered but has fewer than two categories"),
            ));
        }
    }
    Ok(())
}

/// The residual variances of ordered indicators are fixed (delta parameterization): their rows
/// become fixed and the free indices are renumbered (rows sharing a label keep sharing one).
fn fix_residual_variances(pt: &mut ParTable) -> Vec<Option<usize>> {
    fix_residual_variances_at(pt, 0.0)
}

/// As [`fix_residual_variances`], at the value `v` (1 in the theta parameterization).
fn fix_residual_variances_at(pt: &mut ParTable, v: f64) -> Vec<Option<usize>> {
    fix_residual_variances_where(pt, v, |_| true)
}

/// As [`fix_residual_variances_at`], for the observed variables `which(index)` selects (the
/// ordered ones of a mixed model).
fn fix_residual_variances_where(
    pt: &mut ParTable,
    v: f64,
    which: impl Fn(usize) -> bool,
) -> Vec<Option<usize>> {
    let mut resid = vec![None; pt.ov.len()];
    for (k, r) in pt.rows.iter_mut().enumerate() {
        if r.op == Op::Covariance
            && r.lhs == r.rhs
            && let Some(i) = pt.ov.iter().position(|v| *v == r.lhs)
            && which(i)
        {
            r.free = None;
            r.fixed = Some(v);
            resid[i] = Some(k);
        }
    }
    let mut map: Vec<Option<usize>> = vec![None; pt.npar];
    let mut next = 0;
    for r in pt.rows.iter_mut() {
        if let Some(f) = r.free {
            let nf = *map[f].get_or_insert_with(|| {
                next += 1;
                next - 1
            });
            r.free = Some(nf);
        }
    }
    pt.npar = next;
    resid
}

/// Threshold parameters from the data and the `|` statements; free ones are numbered from
/// `first_free`.
fn thresholds(
    pt: &ParTable,
    sample: &[Vec<f64>],
    stmts: &[(String, Vec<Term>)],
    first_free: usize,
) -> Result<(Vec<Thr>, usize)> {
    for (v, _) in stmts {
        if !pt.ov.contains(v) {
            return Err(Error::invalid(
                "model",
                format!("thresholds of `{v}`, which is not an indicator of the model"),
            ));
        }
    }
    let mut out = Vec::new();
    let mut next = first_free;
    let mut labels: Vec<(String, usize)> = Vec::new();
    for (i, name) in pt.ov.iter().enumerate() {
        let k_data = sample[i].len();
        let terms = stmts.iter().find(|(v, _)| v == name).map(|(_, t)| t.as_slice());
        if let Some(t) = terms
            && t.len() != k_data
        {
            return Err(Error::invalid(
                "model",
                format!(
                    "`{name}` has {} thresholds in the model but {k_data} in the data ({} categories)",
                    t.len(),
                    k_data + 1
                ),
            ));
        }
        for k in 0..k_data {
            let mut thr = Thr { var: i, k, label: String::new(), fixed: None, free: None };
            if let Some(t) = terms {
                let term = &t[k];
                if term.var != format!("t{}", k + 1) {
                    return Err(Error::invalid(
                        "model",
                        format!(
                            "threshold {} of `{name}` must be named `t{}`, found `{}`",
                            k + 1,
                            k + 1,
                            term.var
                        ),
                    ));
                }
                for m in &term.modifiers {
                    match m {
                        Modifier::Fixed(v) => thr.fixed = Some(*v),
                        Modifier::Free => thr.fixed = None,
                        Modifier::Label(l) => thr.label = l.clone(),
                        Modifier::Start(_) => {}
                        Modifier::PerGroup(_) => {
                            return Err(Error::invalid(
                                "model",
                                format!(
                                    "per-group modifiers `c()` on the thresholds of `{name}` are not offered"
                                ),
                            ));
                        }
                    }
                }
            }
            if thr.fixed.is_none() {
                if thr.label.is_empty() {
                    thr.free = Some(next);
                    next += 1;
                } else if pt.rows.iter().any(|r| r.label == thr.label) {
                    return Err(Error::invalid(
                        "model",
                        format!(
                            "label `{}` is shared by a threshold and a structural parameter",
                            thr.label
                        ),
                    ));
                } else if let Some((_, f)) = labels.iter().find(|(l, _)| *l == thr.label) {
                    thr.free = Some(*f);
                } else {
                    labels.push((thr.label.clone(), next));
                    thr.free = Some(next);
                    next += 1;
                }
            }
            out.push(thr);
        }
    }
    Ok((out, next))
}

/// The options every ordinal fit checks: the interval level, and that every column declared
/// ordered exists.
fn check_options(cfg: &Sem, data: &Dataset) -> Result<()> {
    if !(cfg.ci_level > 0.0 && cfg.ci_level < 1.0) {
        return Err(Error::invalid("ci_level", "must be strictly between 0 and 1"));
    }
    match cfg.ordered.iter().find(|name| !data.names().contains(name)) {
        Some(name) => Err(Error::UnknownVariable { name: name.clone() }),
        None => Ok(()),
    }
}

/// Fit a model whose indicators are all ordered (see the module documentation).
pub(super) fn fit(cfg: &Sem, data: &Dataset) -> Result<SemFit> {
    let (estimator, weighting, robust) = resolve(cfg)?;
    if cfg.missing == SemMissing::Fiml {
        return Err(Error::invalid(
            "missing",
            "full-information ML is not available with ordered indicators (rows with missing values are dropped listwise)",
        ));
    }
    check_options(cfg, data)?;
    let (cov_syntax, thr_stmts) = split_thresholds(&cfg.syntax);
    let mut pt = ParTable::build(
        &cov_syntax,
        TableOptions { std_lv: cfg.std_lv, fixed_x: cfg.fixed_x, meanstructure: false },
    )?;
    if pt.meanstructure {
        return Err(Error::invalid(
            "model",
            "intercepts (`~ 1`) are not available with ordered indicators",
        ));
    }
    if !pt.ov_x.is_empty() {
        // lavaan's conditional.x: the items' statistics given the covariates
        return conditional::fit(cfg, data, pt, &thr_stmts, (estimator, weighting, robust));
    }
    let is_ordered = |v: &String| cfg.ordered_all || cfg.ordered.contains(v);
    if pt.ov.iter().any(is_ordered) && !pt.ov.iter().all(is_ordered) {
        // ordered and continuous indicators in one model
        return mixed::fit(cfg, data, pt, &thr_stmts, (estimator, weighting, robust));
    }
    if let Some(v) = pt.ov.iter().find(|v| !cfg.ordered_all && !cfg.ordered.contains(v)) {
        return Err(Error::invalid(
            "ordered",
            format!(
                "`{v}` is not declared ordered; models that mix ordered and continuous observed variables are not supported"
            ),
        ));
    }
    check_latent_names(&pt.lv, data.names())?;
    let theta_par = cfg.parameterization == Parameterization::Theta;
    let resid = if theta_par {
        fix_residual_variances_at(&mut pt, 1.0);
        vec![None; pt.ov.len()]
    } else {
        fix_residual_variances(&mut pt)
    };
    let mut st = ModelStructure::new(&pt)?;
    let nm = pt.npar;

    // sample statistics
    let (x, n_dropped) = complete_rows(&data.select(&pt.ov)?);
    let n_obs = x.nrows();
    let p = pt.ov.len();
    if n_obs <= p {
        return Err(Error::TooFewObservations { needed: p + 1, got: n_obs });
    }
    check_codes(&x, &pt.ov)?;
    let pf = Polychoric::new().names(&pt.ov).max_categories(MAX_CATEGORIES).fit(&x)?;
    let acov = pf.acov().ok_or_else(|| {
        Error::invalid(
            "ordered",
            "the asymptotic covariance of the sample statistics is unavailable",
        )
    })?;
    let (thr, q) = thresholds(&pt, pf.thresholds(), &thr_stmts, nm)?;
    let nt = thr.len();
    if acov.n_thresholds() != nt {
        return Err(Error::DimensionMismatch {
            what: "thresholds of the asymptotic covariance".into(),
            expected: nt,
            found: acov.n_thresholds(),
        });
    }
    let pairs = acov.pairs().to_vec();
    let ns = nt + pairs.len();
    let mut s = Array1::zeros(ns);
    for (r, t) in thr.iter().enumerate() {
        s[r] = pf.thresholds()[t.var][t.k];
    }
    let rho = pf.correlation().clone();
    for (m, &(i, j)) in pairs.iter().enumerate() {
        s[nt + m] = rho[[i, j]];
    }
    let gamma = acov.gamma().clone();
    let w = robust::weight(weighting, &gamma)?;
    if q > ns {
        return Err(Error::NotIdentified {
            reason: format!(
                "the model has {q} free parameters but only {ns} sample statistics (df = {})",
                ns as i64 - q as i64
            ),
        });
    }
    let vech_row = |i: usize, j: usize| st.vech_row(i, j);
    let pair_vech: Vec<usize> = pairs.iter().map(|&(i, j)| vech_row(i, j)).collect();

    // estimation
    let mut theta0 = start::start_values(&pt, &st, &rho, cfg.std_lv);
    theta0.resize(q, 0.0);
    // theta: thresholds start on the y* scale of the starting values
    let start_scale: Vec<f64> = match theta_par {
        true => {
            let imp0 = st.implied(&st.matrices(&theta0[..nm]))?;
            (0..p).map(|j| imp0.sigma[[j, j]].max(1e-8).sqrt()).collect()
        }
        false => vec![1.0; p],
    };
    for t in &thr {
        if let Some(f) = t.free {
            theta0[f] = pf.thresholds()[t.var][t.k] * start_scale[t.var];
        }
    }
    let diag_vech = theta_par.then(|| (0..p).map(|j| vech_row(j, j)).collect::<Vec<_>>());
    let prob = Ls { st: &st, thr: &thr, pairs: &pairs, pair_vech, s: &s, w: &w, nm, q, diag_vech };
    let assemble::Solved { out, theta, delta, inf, chisq, df, test } =
        assemble::solve(cfg, &prob, &theta0, &gamma, n_obs, ns, robust)?;
    let n = n_obs as f64;
    // lavaan's baseline statistic of categorical models is scaled by N − 1
    let (base_chisq, base_df, base_test) = robust::baseline(&s, &w, &gamma, nt, n - 1.0);

    // residual variances 1 − diag, then the solution
    let (mats, imp) =
        assemble::fix_derived_residuals(&mut pt, &mut st, &resid, &theta[..nm], |s| {
            s.diag().to_owned()
        })?;
    // the scaling factors Δ_j = 1/√Var(y*_j) (1 in the delta parameterization) and the
    // implied correlations of y*
    let scale: Vec<f64> = (0..p).map(|j| 1.0 / imp.sigma[[j, j]].sqrt()).collect();
    let implied_cor =
        Array2::from_shape_fn((p, p), |(i, j)| imp.sigma[[i, j]] * scale[i] * scale[j]);
    let vcov_model = Array2::from_shape_fn((nm, nm), |(i, j)| inf.vcov[[i, j]]);
    let mut rows = param_rows(&pt, &st, &mats, &imp, &vcov_model, cfg.ci_level);
    let zq = crate::core::dist::qnorm(0.5 + cfg.ci_level / 2.0);
    let thr_rows = assemble::threshold_rows(&pt, &thr, &theta, &inf.vcov, zq, |var, est| {
        if theta_par { est * scale[var] } else { est }
    });
    assemble::insert_before_defined(&mut rows, thr_rows);
    if theta_par {
        assemble::insert_before_defined(&mut rows, assemble::scaling_rows(&pt.ov, &scale));
    }

    let catml = if robust {
        robust::catml(&rho, &implied_cor, &delta, &w, &gamma, &inf.a_inv, nt, &pairs, n, df)
    } else {
        None
    };
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
        s: &rho,
        sigma: &implied_cor,
        catml,
    });
    let par_names = assemble::parameter_names(&pt, &thr, q);
    let mut warnings = Vec::new();
    if n_dropped > 0 {
        warnings.push(Warning::RowsDropped { dropped: n_dropped, remaining: n_obs });
    }
    warnings.extend(pf.warnings().iter().cloned());
    assemble::finish(assemble::Closing {
        cfg,
        estimator,
        rows,
        fit: fm,
        inf,
        par_names,
        implied: implied_cor,
        sample: rho,
        out,
        warnings,
        n_obs,
        pt,
        st,
        mats,
        imp,
    })
}
