//! Multi-group structural equation models: one model fitted jointly to several groups (e.g.
//! the regions of a survey), with equality constraints across groups — lavaan's `group = "g"`
//! and `group.equal = c("loadings", ...)`.
//!
//! The estimator is normal-theory ML over the groups,
//!
//! ```text
//! F(θ) = Σ_g (n_g / N) F_ML(S_g, Σ_g(θ_g)),   χ² = Σ_g n_g F_ML(S_g, Σ_g(θ̂_g))
//! ```
//!
//! where θ_g are group `g`'s parameters, mapped from one global vector: a parameter is shared by
//! all groups when its kind is listed in [`GroupEqual`] or when it carries a user label (lavaan:
//! a label in single-group syntax applies to every group, which makes the parameter equal across
//! groups). As in lavaan, a multi-group model has a mean structure; the observed intercepts are
//! free in every group and the latent means fixed at zero, so the mean part is saturated: the
//! intercept estimates are the group means, with standard errors √(σ̂_ii / n_g), and the mean part
//! adds nothing to χ² (it does count in `npar`, the log-likelihood and the information criteria).
//! Equal intercepts (scalar invariance) would need a structured mean part and are not offered.

use std::collections::HashMap;
use std::fmt;

use ndarray::{Array1, Array2};
use statrs::distribution::{ContinuousCDF, Normal};

use super::estimate::{self, Point};
use super::model::ModelStructure;
use super::objective::{Discrepancy, Objective};
use super::partable::{ParRow, ParTable, TableOptions};
use super::sample_stats::SampleStats;
use super::syntax::Op;
use super::{
    Estimator, Likelihood, Sem, baseline, defined, dense, fill_inference, free_names, param_table,
    standardize, start, vcov,
};
use crate::core::dist::{chisq_sf, ncp_root as solve_ncp, pnchisq};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::moments::Moments;
use crate::summary::{Convergence, ParamRow, Summary, fmt_num, fmt_pvalue};
use crate::warning::Warning;

/// A kind of parameter constrained to be equal across groups (lavaan `group.equal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum GroupEqual {
    /// Factor loadings (`=~`): metric (weak) invariance.
    Loadings,
    /// Regression coefficients (`~`).
    Regressions,
    /// Residual variances of the observed variables.
    Residuals,
    /// Residual covariances of observed variables.
    ResidualCovariances,
    /// Variances (or residual variances) of latent variables.
    LvVariances,
    /// Covariances of latent variables.
    LvCovariances,
}

impl GroupEqual {
    /// lavaan's name of the constraint (`"loadings"`, `"regressions"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            GroupEqual::Loadings => "loadings",
            GroupEqual::Regressions => "regressions",
            GroupEqual::Residuals => "residuals",
            GroupEqual::ResidualCovariances => "residual.covariances",
            GroupEqual::LvVariances => "lv.variances",
            GroupEqual::LvCovariances => "lv.covariances",
        }
    }

    fn of(r: &ParRow, lv: &[String]) -> GroupEqual {
        match r.op {
            Op::Loading => GroupEqual::Loadings,
            Op::Regression => GroupEqual::Regressions,
            // refused before the mapping (MultiGroupSem::fit_stats)
            Op::Intercept => GroupEqual::Loadings,
            Op::Covariance => {
                let l = lv.contains(&r.lhs);
                let rr = lv.contains(&r.rhs);
                match (r.lhs == r.rhs, l || rr) {
                    (true, true) => GroupEqual::LvVariances,
                    (true, false) => GroupEqual::Residuals,
                    (false, true) => GroupEqual::LvCovariances,
                    (false, false) => GroupEqual::ResidualCovariances,
                }
            }
        }
    }
}

/// Multi-group configuration: a [`Sem`] model, the grouping column and the cross-group equality
/// constraints.
///
/// Groups are taken in order of first appearance in the grouping column (lavaan's order). Rows
/// with a missing model variable are dropped listwise within each group. Only ML (normal or
/// Wishart likelihood) is offered; the model's other options (`std_lv`, `fixed_x`, `ci_level`,
/// `max_iter`) apply.
///
/// # Formula
/// ```text
/// F(θ) = Σ_g (n_g/N) F_ML(S_g, Σ_g(θ_g))          minimised by Fisher scoring
/// χ² = Σ_g n_g F_ML,g    df = G·p* − q            p* = p(p+1)/2, q = free parameters
/// Cov(θ̂) = (Σ_g n_g M_gᵀ Δ_gᵀ W_g Δ_g M_g)⁻¹       M_g maps global to group parameters
/// RMSEA = √G · √(max(χ² − df, 0) / (N·df))         (lavaan's multi-group convention)
/// ```
///
/// # Examples
/// ```
/// use surveystat::data::Dataset;
/// use surveystat::sem::{GroupEqual, MultiGroupSem, Sem};
/// let csv = "g,a,b,c\n1,1,2,2\n1,2,2,3\n1,3,4,3\n1,4,3,5\n1,2,1,1\n1,5,4,4\n\
///            2,2,1,2\n2,3,3,2\n2,1,2,1\n2,4,5,4\n2,5,4,5\n2,3,2,4\n";
/// let data = Dataset::from_csv_str(csv, "example").unwrap();
/// let sem = Sem::from_syntax("f =~ a + b + c").unwrap();
/// let fit = MultiGroupSem::new(sem, "g").equal([GroupEqual::Loadings]).fit(&data).unwrap();
/// assert_eq!(fit.groups().len(), 2);
/// assert_eq!(fit.fit_measure("df"), Some(2.0)); // 2·6 moments − 10 parameters
/// ```
///
/// # Errors
/// See [`MultiGroupSem::fit`].
///
/// # References
/// Jöreskog, K. G. (1971). Simultaneous factor analysis in several populations. *Psychometrika*,
/// 36, 409–426. Validated against R lavaan 0.6.14 (`group =`, `group.equal = "loadings"`) on
/// HolzingerSwineford1939 by school and the study survey by region
/// (tests/reference/sem_multigroup.rs).
#[derive(Debug, Clone, PartialEq)]
pub struct MultiGroupSem {
    sem: Sem,
    group: String,
    equal: Vec<GroupEqual>,
}

struct GroupData {
    name: String,
    n: usize,
    n_dropped: usize,
    n_eff: f64,
    st: ModelStructure,
    obj: Objective,
    means: Array1<f64>,
}

impl MultiGroupSem {
    /// A multi-group model: `sem` fitted in every group of the column `group`, no constraints.
    pub fn new(sem: Sem, group: impl Into<String>) -> Self {
        Self { sem, group: group.into(), equal: Vec::new() }
    }

    /// Constrain these kinds of parameters to be equal across groups (lavaan `group.equal`).
    pub fn equal(mut self, kinds: impl IntoIterator<Item = GroupEqual>) -> Self {
        for k in kinds {
            if !self.equal.contains(&k) {
                self.equal.push(k);
            }
        }
        self
    }

    /// The single-group model.
    pub fn sem(&self) -> &Sem {
        &self.sem
    }

    /// The grouping column.
    pub fn group(&self) -> &str {
        &self.group
    }

    /// The equality constraints.
    pub fn constraints(&self) -> &[GroupEqual] {
        &self.equal
    }

    /// Fit to `data`, split by the grouping column.
    ///
    /// # Errors
    /// [`Error::UnknownVariable`] for an unknown grouping column or model variable; errors of
    /// [`Sem::compile`]; [`Error::InvalidParameter`] for an estimator other than ML;
    /// [`Error::ConstantColumn`] / [`Error::NotPositiveDefinite`] when a variable is constant or
    /// the covariance singular within a group; [`Error::NotIdentified`] for negative degrees of
    /// freedom or a singular information matrix; [`Error::NotConverged`].
    pub fn fit(&self, data: &Dataset) -> Result<MultiGroupFit> {
        data.index_of(&self.group)?;
        let model = self.sem.compile()?;
        let ov = model.observed().to_vec();
        let mut groups = Vec::new();
        for (name, part) in data.split_by(&self.group)? {
            let ss = SampleStats::from_dataset(&part, &ov)?;
            groups.push((name, ss));
        }
        self.fit_stats(groups)
    }

    /// Fit to per-group moments of the observed variables in [`super::SemModel::observed`]
    /// order (from `self.sem().compile()`).
    ///
    /// # Errors
    /// As [`MultiGroupSem::fit`]; [`Error::DimensionMismatch`] if a group's moments do not match
    /// the model's variables.
    pub fn fit_moments(&self, groups: &[(String, Moments)]) -> Result<MultiGroupFit> {
        let p = self.sem.compile()?.observed().len();
        let mut out = Vec::with_capacity(groups.len());
        for (name, m) in groups {
            if m.cov().nrows() != p {
                return Err(Error::DimensionMismatch {
                    what: format!("moments of group {name} and model variables"),
                    expected: p,
                    found: m.cov().nrows(),
                });
            }
            out.push((name.clone(), SampleStats::from_moments(m)));
        }
        self.fit_stats(out)
    }

    fn fit_stats(&self, samples: Vec<(String, SampleStats)>) -> Result<MultiGroupFit> {
        let cfg = &self.sem;
        if cfg.estimator != Estimator::Ml {
            return Err(Error::invalid(
                "estimator",
                "multi-group models are estimated by ML only (normal or Wishart likelihood)",
            ));
        }
        if cfg.missing != super::SemMissing::Listwise {
            return Err(Error::invalid(
                "missing",
                "multi-group models drop incomplete rows listwise within each group (FIML is not offered)",
            ));
        }
        if samples.is_empty() {
            return Err(Error::invalid("group", "the grouping column has no groups"));
        }
        let pt = ParTable::build(
            &cfg.syntax,
            TableOptions { std_lv: cfg.std_lv, fixed_x: cfg.fixed_x, meanstructure: false },
        )?;
        if pt.meanstructure || pt.rows.iter().any(|r| r.op == Op::Intercept) {
            return Err(Error::invalid(
                "model",
                "explicit intercepts or latent means (`~ 1`) are not offered in multi-group models: \
                 the means are saturated (free intercepts per group)",
            ));
        }
        let st0 = ModelStructure::new(&pt)?;
        let p = pt.ov.len();
        let nx = pt.ov_x.len();
        let ndat = p * (p + 1) / 2 - nx * (nx + 1) / 2;
        let ng = samples.len();
        // per-group data
        let mut groups = Vec::with_capacity(ng);
        for (name, ss) in samples {
            ss.check(&pt.ov).map_err(|e| match e {
                Error::ConstantColumn { name: v } => {
                    Error::ConstantColumn { name: format!("{v} (in group {name})") }
                }
                Error::NotPositiveDefinite { matrix } => {
                    Error::NotPositiveDefinite { matrix: format!("{matrix} in group {name}") }
                }
                other => other,
            })?;
            let n = ss.n as f64;
            let (s_fit, n_eff) = match cfg.likelihood {
                Likelihood::Normal => (&ss.cov * ((n - 1.0) / n), n),
                Likelihood::Wishart => (ss.cov.clone(), n - 1.0),
            };
            let mut st = st0.clone();
            for (k, r) in pt.rows.iter().enumerate() {
                if r.exo {
                    let i = pt.ov.iter().position(|v| *v == r.lhs).unwrap_or(0);
                    let j = pt.ov.iter().position(|v| *v == r.rhs).unwrap_or(0);
                    st.set_fixed(k, s_fit[[i, j]]);
                }
            }
            let obj = Objective::new(Discrepancy::Ml, &s_fit, st.vech.clone())?;
            groups.push(GroupData {
                name,
                n: ss.n,
                n_dropped: ss.n_dropped,
                n_eff,
                st,
                obj,
                means: ss.means.clone(),
            });
        }
        // global parameters
        let q0 = pt.npar;
        let mut shared = vec![false; q0];
        for r in &pt.rows {
            if let Some(f) = r.free
                && (!r.label.is_empty() || self.equal.contains(&GroupEqual::of(r, &pt.lv)))
            {
                shared[f] = true;
            }
        }
        let local_names = free_names(&pt);
        let mut map = vec![vec![0usize; q0]; ng];
        let mut names: Vec<String> = Vec::new();
        for g in 0..ng {
            for f in 0..q0 {
                if shared[f] && g > 0 {
                    map[g][f] = map[0][f];
                } else {
                    map[g][f] = names.len();
                    names.push(if g == 0 || shared[f] {
                        local_names[f].clone()
                    } else {
                        format!("{}.g{}", local_names[f], g + 1)
                    });
                }
            }
        }
        let q = names.len();
        if q > ng * ndat {
            return Err(Error::NotIdentified {
                reason: format!(
                    "the multi-group model has {q} free parameters but only {} sample moments",
                    ng * ndat
                ),
            });
        }
        let n_eff_total: f64 = groups.iter().map(|g| g.n_eff).sum();
        let weights: Vec<f64> = groups.iter().map(|g| g.n_eff / n_eff_total).collect();
        // starting values: the single-group starts, averaged over the groups sharing a parameter
        let mut theta = vec![0.0; q];
        let mut count = vec![0.0f64; q];
        for (g, gd) in groups.iter().enumerate() {
            let s = start::start_values(&pt, &gd.st, &gd.obj.s, cfg.std_lv);
            for f in 0..q0 {
                theta[map[g][f]] += s[f];
                count[map[g][f]] += 1.0;
            }
        }
        for (t, c) in theta.iter_mut().zip(&count) {
            *t /= c.max(1.0);
        }
        let opt = scoring(&groups, &map, &weights, theta, cfg.max_iter)?;
        if !opt.converged && !cfg.allow_nonconverged {
            return Err(Error::NotConverged {
                what: format!("multi-group SEM estimation ({})", opt.reason),
                iterations: opt.iterations,
            });
        }
        // information and vcov
        let mut info = Array2::<f64>::zeros((q, q));
        for (g, gd) in groups.iter().enumerate() {
            let (_, delta) = estimate::gradient(&gd.st, &gd.obj, &opt.points[g]);
            let ig = gd.obj.information(&opt.points[g].val, &delta);
            for a in 0..q0 {
                for b in 0..q0 {
                    info[[map[g][a], map[g][b]]] += gd.n_eff * ig[[a, b]];
                }
            }
        }
        let vcov = vcov::invert_information(&info, &names)?;
        let zq = Normal::new(0.0, 1.0)
            .map(|d| d.inverse_cdf(0.5 + cfg.ci_level / 2.0))
            .unwrap_or(1.959963984540054);
        // per-group results
        let mut out_groups = Vec::with_capacity(ng);
        let mut warnings = Vec::new();
        let ln2pi = (2.0 * std::f64::consts::PI).ln();
        let (mut logl, mut ulogl, mut chisq, mut base_chisq, mut base_df) =
            (0.0, 0.0, 0.0, 0.0, 0.0);
        let mut srmr_w = 0.0;
        for (g, gd) in groups.iter().enumerate() {
            let point = &opt.points[g];
            let sc = standardize::Scales::new(&pt, &gd.st, &point.mats, &point.imp);
            let mut rows = Vec::with_capacity(pt.rows.len() + p + pt.lv.len());
            for (k, r) in pt.rows.iter().enumerate() {
                let est = gd.st.row_value(&point.mats, k);
                let (slv, sall, _) = sc.standardize(&r.lhs, r.op, &r.rhs, est);
                let mut row = ParamRow::new(&r.lhs, r.op.as_str(), &r.rhs, est);
                row.label = r.label.clone();
                row.std_lv = Some(slv);
                row.std_all = Some(sall);
                match r.free {
                    Some(f) => {
                        let gi = map[g][f];
                        fill_inference(&mut row, est, vcov[[gi, gi]].max(0.0).sqrt(), zq);
                    }
                    None => fix_row(&mut row, est),
                }
                if r.op == Op::Covariance && r.lhs == r.rhs && est < 0.0 {
                    warnings.push(Warning::Heywood {
                        variable: format!("{} (group {})", r.lhs, gd.name),
                        value: est,
                    });
                }
                rows.push(row);
            }
            let sigma = &point.imp.sigma;
            for (i, v) in pt.ov.iter().enumerate() {
                let est = gd.means[i];
                let sd = sigma[[i, i]].sqrt();
                let mut row = ParamRow::new(v, "~1", "", est);
                row.std_lv = Some(est);
                row.std_all = Some(est / sd);
                if pt.ov_x.contains(v) {
                    fix_row(&mut row, est);
                } else {
                    fill_inference(&mut row, est, (sigma[[i, i]] / gd.n_eff).sqrt(), zq);
                }
                rows.push(row);
            }
            for l in &pt.lv {
                let mut row = ParamRow::new(l, "~1", "", 0.0);
                row.std_lv = Some(0.0);
                row.std_all = Some(0.0);
                fix_row(&mut row, 0.0);
                rows.push(row);
            }
            // test statistic, log-likelihoods, baseline, SRMR of this group
            let chisq_g = gd.n_eff * point.val.f;
            chisq += chisq_g;
            let (bc, bdf) = baseline(&pt, &gd.obj, gd.n_eff, ndat)?;
            base_chisq += bc;
            base_df += bdf;
            let n = gd.n as f64;
            let (logdet_sigma, tr) = match dense::spd_inverse_logdet(sigma) {
                Some((inv, ld)) => (ld, (&gd.obj.s * &inv).sum()),
                None => (f64::NAN, f64::NAN),
            };
            let (logl_x, px) = exo_logl(&pt, &gd.obj.s)?;
            let pf = p as f64;
            logl += -n / 2.0 * (pf * ln2pi + logdet_sigma + tr) - logl_x_term(n, px, logl_x);
            ulogl += -n / 2.0 * (pf * ln2pi + gd.obj.logdet_s + pf) - logl_x_term(n, px, logl_x);
            srmr_w += gd.n_eff / n_eff_total * srmr(&gd.obj.s, sigma, p);
            if gd.n_dropped > 0 {
                warnings.push(Warning::RowsDropped { dropped: gd.n_dropped, remaining: gd.n });
            }
            let r2 = standardize::r_squared(&pt, &sc);
            out_groups.push(GroupResult {
                name: gd.name.clone(),
                n: gd.n,
                n_dropped: gd.n_dropped,
                rows,
                r2,
                chisq: chisq_g,
                implied: sigma.clone(),
                sample: gd.obj.s.clone(),
            });
        }
        if !opt.converged {
            warnings.push(Warning::NotConverged {
                what: "multi-group SEM estimation".into(),
                iterations: opt.iterations,
            });
        }
        // defined parameters (labels are shared by all groups)
        let mut env: HashMap<String, defined::Dual> = HashMap::new();
        for (k, r) in pt.rows.iter().enumerate() {
            if r.label.is_empty() || env.contains_key(&r.label) {
                continue;
            }
            let v = groups[0].st.row_value(&opt.points[0].mats, k);
            let mut g = vec![0.0; q];
            if let Some(f) = r.free {
                g[map[0][f]] = 1.0;
            }
            env.insert(r.label.clone(), defined::Dual { v, g });
        }
        let mut defined_rows = Vec::new();
        for (name, expr) in &pt.defined {
            let d = defined::eval(expr, &env, q);
            let gv = Array1::from(d.g.clone());
            let se = gv.dot(&vcov.dot(&gv)).max(0.0).sqrt();
            let mut row = ParamRow::new(name, ":=", expr.to_string().replace(' ', ""), d.v);
            row.label = name.clone();
            fill_inference(&mut row, d.v, se, zq);
            defined_rows.push(row);
            env.insert(name.clone(), d);
        }
        // fit measures
        let n_total: usize = groups.iter().map(|g| g.n).sum();
        let nt = n_total as f64;
        let df = (ng * ndat) as f64 - q as f64;
        let npar = q + ng * (p - nx);
        let fm = fit_measures(&FitParts {
            npar,
            n: nt,
            n_eff: n_eff_total,
            groups: ng,
            chisq,
            df,
            base_chisq,
            base_df,
            logl,
            ulogl,
            srmr: srmr_w,
            ci_level: 0.90,
        });
        let convergence = Convergence {
            converged: opt.converged,
            iterations: opt.iterations,
            reason: opt.reason.clone(),
        };
        Ok(MultiGroupFit {
            config: self.clone(),
            groups: out_groups,
            defined: defined_rows,
            fit: fm,
            vcov,
            theta: opt.theta,
            names,
            convergence,
            grad_max: opt.grad_max,
            warnings,
        })
    }
}

fn fix_row(row: &mut ParamRow, est: f64) {
    row.se = Some(0.0);
    row.ci_lower = Some(est);
    row.ci_upper = Some(est);
}

/// log|S_xx| of the fixed exogenous covariates and their number.
fn exo_logl(pt: &ParTable, s: &Array2<f64>) -> Result<(f64, usize)> {
    if pt.ov_x.is_empty() {
        return Ok((0.0, 0));
    }
    let ix: Vec<usize> = pt.ov_x.iter().filter_map(|x| pt.ov.iter().position(|v| v == x)).collect();
    let sxx = Array2::from_shape_fn((ix.len(), ix.len()), |(a, b)| s[[ix[a], ix[b]]]);
    Ok((crate::linalg::spd_logdet(sxx.view(), "covariance of the exogenous covariates")?, ix.len()))
}

/// The exogenous covariates' marginal log-likelihood (not part of lavaan's logl).
fn logl_x_term(n: f64, px: usize, logdet_sxx: f64) -> f64 {
    if px == 0 {
        return 0.0;
    }
    let pxf = px as f64;
    -n / 2.0 * (pxf * (2.0 * std::f64::consts::PI).ln() + logdet_sxx + pxf)
}

/// Bentler's SRMR of one group with lavaan's mean-structure convention: the (zero) residuals of
/// the saturated means count in the number of elements.
fn srmr(s: &Array2<f64>, sigma: &Array2<f64>, p: usize) -> f64 {
    let mut sum = 0.0;
    for i in 0..p {
        for j in i..p {
            let r = (s[[i, j]] - sigma[[i, j]]) / (s[[i, i]] * s[[j, j]]).sqrt();
            sum += r * r;
        }
    }
    (sum / (p * (p + 1) / 2 + p) as f64).sqrt()
}

struct FitParts {
    npar: usize,
    n: f64,
    n_eff: f64,
    groups: usize,
    chisq: f64,
    df: f64,
    base_chisq: f64,
    base_df: f64,
    logl: f64,
    ulogl: f64,
    srmr: f64,
    ci_level: f64,
}

fn fit_measures(x: &FitParts) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = Vec::new();
    let mut put = |k: &str, v: f64| out.push((k.to_string(), v));
    let (chisq, df, bc, bdf) = (x.chisq, x.df, x.base_chisq, x.base_df);
    let k = x.npar as f64;
    put("npar", k);
    put("fmin", chisq / (2.0 * x.n_eff));
    put("chisq", chisq);
    put("df", df);
    put("pvalue", chisq_sf(chisq, df));
    put("baseline.chisq", bc);
    put("baseline.df", bdf);
    put("baseline.pvalue", chisq_sf(bc, bdf));
    let t1 = (chisq - df).max(0.0);
    let t2 = (chisq - df).max(bc - bdf).max(0.0);
    put("cfi", if t1 == 0.0 && t2 == 0.0 { 1.0 } else { 1.0 - t1 / t2 });
    let tli = if df > 0.0 && bdf > 0.0 { (bc / bdf - chisq / df) / (bc / bdf - 1.0) } else { 1.0 };
    put("tli", tli);
    put("nnfi", tli);
    put("nfi", if bc > 0.0 { (bc - chisq) / bc } else { f64::NAN });
    put("ifi", (bc - chisq) / (bc - df));
    put("logl", x.logl);
    put("unrestricted.logl", x.ulogl);
    put("aic", -2.0 * x.logl + 2.0 * k);
    put("bic", -2.0 * x.logl + k * x.n.ln());
    put("ntotal", x.n);
    put("bic2", -2.0 * x.logl + k * ((x.n + 2.0) / 24.0).ln());
    let g = (x.groups as f64).sqrt();
    let ne = x.n_eff;
    let lvl = x.ci_level;
    let (rmsea, lo, hi, pclose) = if df > 0.0 {
        let r = ((chisq - df).max(0.0) / (df * ne)).sqrt() * g;
        let p0 = pnchisq(chisq, df, 0.0);
        let upper_t = (1.0 - lvl) / 2.0;
        let lower_t = 1.0 - upper_t;
        let lam_lo = if p0 < lower_t { 0.0 } else { solve_ncp(chisq, df, lower_t) };
        let lam_hi = if p0 < upper_t { 0.0 } else { solve_ncp(chisq, df, upper_t) };
        let eps = 0.05 / g;
        let pc = 1.0 - pnchisq(chisq, df, ne * df * eps * eps);
        (r, (lam_lo / (ne * df)).sqrt() * g, (lam_hi / (ne * df)).sqrt() * g, pc)
    } else {
        (0.0, 0.0, 0.0, f64::NAN)
    };
    put("rmsea", rmsea);
    put("rmsea.ci.lower", lo);
    put("rmsea.ci.upper", hi);
    put("rmsea.ci.level", lvl);
    put("rmsea.pvalue", pclose);
    put("srmr", x.srmr);
    out
}

struct MgOpt {
    theta: Vec<f64>,
    points: Vec<Point>,
    iterations: usize,
    converged: bool,
    reason: String,
    grad_max: f64,
}

fn eval_all(groups: &[GroupData], map: &[Vec<usize>], theta: &[f64]) -> Option<Vec<Point>> {
    groups
        .iter()
        .zip(map)
        .map(|(gd, m)| {
            let tg: Vec<f64> = m.iter().map(|&k| theta[k]).collect();
            estimate::eval(&gd.st, &gd.obj, &tg)
        })
        .collect()
}

fn total(points: &[Point], w: &[f64]) -> f64 {
    points.iter().zip(w).map(|(p, w)| w * p.val.f).sum()
}

/// Fisher scoring on the weighted sum of the groups' discrepancies, with step halving and a
/// ridge fallback when the information is not positive definite.
fn scoring(
    groups: &[GroupData],
    map: &[Vec<usize>],
    w: &[f64],
    theta0: Vec<f64>,
    max_iter: usize,
) -> Result<MgOpt> {
    let q = theta0.len();
    let mut theta = theta0;
    let mut points = eval_all(groups, map, &theta).ok_or_else(|| Error::NotConverged {
        what: "multi-group SEM starting values (implied covariance not positive definite)".into(),
        iterations: 0,
    })?;
    let mut f = total(&points, w);
    let mut grad_max = f64::INFINITY;
    for it in 0..max_iter {
        let mut grad = Array1::<f64>::zeros(q);
        let mut h = Array2::<f64>::zeros((q, q));
        for (g, gd) in groups.iter().enumerate() {
            let (gg, delta) = estimate::gradient(&gd.st, &gd.obj, &points[g]);
            let ig = gd.obj.information(&points[g].val, &delta);
            let m = &map[g];
            for a in 0..m.len() {
                grad[m[a]] += w[g] * gg[a];
                for b in 0..m.len() {
                    h[[m[a], m[b]]] += 2.0 * w[g] * ig[[a, b]];
                }
            }
        }
        grad_max = grad.iter().fold(0.0f64, |a, b| a.max(b.abs()));
        if grad_max < 1e-10 {
            return Ok(MgOpt {
                theta,
                points,
                iterations: it,
                converged: true,
                reason: "gradient below tolerance".into(),
                grad_max,
            });
        }
        let Some(step) = estimate::solve_damped(&h, &grad, 0.0) else {
            return Ok(MgOpt {
                theta,
                points,
                iterations: it,
                converged: false,
                reason: "information matrix is singular".into(),
                grad_max,
            });
        };
        let slope = -grad.dot(&step);
        let step_max = step.iter().fold(0.0f64, |a, b| a.max(b.abs()));
        if step_max < 1e-9 || -slope < 1e-15 * (1.0 + f.abs()) {
            return Ok(MgOpt {
                theta,
                points,
                iterations: it,
                converged: true,
                reason: "scoring step below tolerance".into(),
                grad_max,
            });
        }
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            let cand: Vec<f64> = theta.iter().zip(step.iter()).map(|(a, s)| a - t * s).collect();
            if let Some(np) = eval_all(groups, map, &cand) {
                let nf = total(&np, w);
                if nf <= f + 1e-4 * t * slope.min(0.0) {
                    accepted = Some((cand, np, nf));
                    break;
                }
            }
            t *= 0.5;
        }
        match accepted {
            Some((c, np, nf)) => {
                theta = c;
                points = np;
                f = nf;
            }
            None => {
                let converged = grad_max < 1e-7;
                return Ok(MgOpt {
                    theta,
                    points,
                    iterations: it + 1,
                    converged,
                    reason: if converged {
                        "no further decrease (numerical precision reached)".into()
                    } else {
                        "line search failed".into()
                    },
                    grad_max,
                });
            }
        }
    }
    Ok(MgOpt {
        theta,
        points,
        iterations: max_iter,
        converged: false,
        reason: "iteration limit reached".into(),
        grad_max,
    })
}

/// One group's part of a [`MultiGroupFit`].
#[derive(Debug, Clone)]
pub struct GroupResult {
    name: String,
    n: usize,
    n_dropped: usize,
    rows: Vec<ParamRow>,
    r2: Vec<(String, f64)>,
    chisq: f64,
    implied: Array2<f64>,
    sample: Array2<f64>,
}

impl GroupResult {
    /// Group label (value of the grouping column).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Observations used in this group.
    pub fn n_obs(&self) -> usize {
        self.n
    }
    /// Rows dropped listwise in this group.
    pub fn n_dropped(&self) -> usize {
        self.n_dropped
    }
    /// Parameter rows of this group: model rows in parameter-table order, then the observed
    /// intercepts (`~1`) and the latent means (fixed at 0), as lavaan's `parameterEstimates`.
    pub fn parameters(&self) -> &[ParamRow] {
        &self.rows
    }
    /// The row `lhs op rhs` of this group.
    pub fn parameter(&self, lhs: &str, op: &str, rhs: &str) -> Option<&ParamRow> {
        self.rows.iter().find(|r| r.lhs == lhs && r.op == op && r.rhs == rhs)
    }
    /// R² of the endogenous variables in this group.
    pub fn r_squared(&self) -> &[(String, f64)] {
        &self.r2
    }
    /// This group's contribution n_g·F_ML,g to χ².
    pub fn chisq(&self) -> f64 {
        self.chisq
    }
    /// Model-implied covariance of the observed variables.
    pub fn implied_cov(&self) -> &Array2<f64> {
        &self.implied
    }
    /// Sample covariance the group was fitted to (divisor n_g for the normal likelihood).
    pub fn sample_cov(&self) -> &Array2<f64> {
        &self.sample
    }
}

/// A likelihood-ratio (χ² difference) test of two nested models.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChisqDifference {
    /// Δχ².
    pub chisq: f64,
    /// Δdf.
    pub df: f64,
    /// P(χ²_Δdf > Δχ²).
    pub pvalue: f64,
}

/// Wald test of the difference of one parameter between two groups.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GroupDifference {
    /// θ_a − θ_b.
    pub difference: f64,
    /// Its standard error √(v_aa + v_bb − 2 v_ab) from the joint covariance matrix.
    pub se: f64,
    /// z = difference / se.
    pub z: f64,
    /// Two-sided p-value.
    pub pvalue: f64,
}

/// A fitted multi-group model.
#[derive(Debug, Clone)]
pub struct MultiGroupFit {
    config: MultiGroupSem,
    groups: Vec<GroupResult>,
    defined: Vec<ParamRow>,
    fit: Vec<(String, f64)>,
    vcov: Array2<f64>,
    theta: Vec<f64>,
    names: Vec<String>,
    convergence: Convergence,
    grad_max: f64,
    warnings: Vec<Warning>,
}

impl MultiGroupFit {
    /// The configuration that produced this fit.
    pub fn config(&self) -> &MultiGroupSem {
        &self.config
    }
    /// Per-group results, in group order.
    pub fn groups(&self) -> &[GroupResult] {
        &self.groups
    }
    /// The group named `name`.
    pub fn group(&self, name: &str) -> Option<&GroupResult> {
        self.groups.iter().find(|g| g.name == name)
    }
    /// Defined parameters (`:=`), evaluated on the shared labels, with delta-method SEs.
    pub fn defined(&self) -> &[ParamRow] {
        &self.defined
    }
    /// Fit measures under lavaan's names (`chisq`, `df`, `cfi`, `tli`, `rmsea`, `srmr`, `aic`,
    /// ...).
    pub fn fit_measures(&self) -> &[(String, f64)] {
        &self.fit
    }
    /// One fit measure by lavaan's name.
    pub fn fit_measure(&self, name: &str) -> Option<f64> {
        self.fit.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
    }
    /// Covariance matrix of the free (global) parameters.
    pub fn vcov(&self) -> &Array2<f64> {
        &self.vcov
    }
    /// Free (global) parameter values.
    pub fn coefficients(&self) -> &[f64] {
        &self.theta
    }
    /// Names of the free parameters; group-specific ones of group g ≥ 2 end in `.g<g>`.
    pub fn free_parameter_names(&self) -> &[String] {
        &self.names
    }
    /// Convergence of the estimation.
    pub fn convergence(&self) -> &Convergence {
        &self.convergence
    }
    /// Largest absolute gradient element at the solution.
    pub fn gradient_max(&self) -> f64 {
        self.grad_max
    }
    /// Warnings (rows dropped, Heywood cases, non-convergence).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
    /// Total number of observations.
    pub fn n_obs(&self) -> usize {
        self.groups.iter().map(|g| g.n).sum()
    }

    /// χ² difference test against another multi-group fit of a nested model (either order).
    ///
    /// # Formula
    /// ```text
    /// Δχ² = |χ²_a − χ²_b|,  Δdf = |df_a − df_b|,  p = P(χ²_Δdf > Δχ²)
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if the degrees of freedom are equal (not nested).
    pub fn lrt(&self, other: &MultiGroupFit) -> Result<ChisqDifference> {
        let get = |f: &MultiGroupFit, k: &str| f.fit_measure(k).unwrap_or(f64::NAN);
        let df = (get(self, "df") - get(other, "df")).abs();
        if df.is_nan() || df == 0.0 {
            return Err(Error::invalid("lrt", "the two models have the same degrees of freedom"));
        }
        let chisq = (get(self, "chisq") - get(other, "chisq")).abs();
        Ok(ChisqDifference { chisq, df, pvalue: chisq_sf(chisq, df) })
    }

    /// Wald test that the parameter `lhs op rhs` is equal in groups `a` and `b` (indices).
    /// `None` if the row does not exist or is fixed in either group; a difference of exactly 0
    /// with SE 0 when the parameter is constrained equal.
    pub fn group_difference(
        &self,
        lhs: &str,
        op: &str,
        rhs: &str,
        a: usize,
        b: usize,
    ) -> Option<GroupDifference> {
        let (ga, gb) = (self.groups.get(a)?, self.groups.get(b)?);
        let ra = ga.parameter(lhs, op, rhs)?;
        let rb = gb.parameter(lhs, op, rhs)?;
        let ia = self.global_index(a, lhs, op, rhs)?;
        let ib = self.global_index(b, lhs, op, rhs)?;
        let v = self.vcov[[ia, ia]] + self.vcov[[ib, ib]] - 2.0 * self.vcov[[ia, ib]];
        let se = v.max(0.0).sqrt();
        let d = ra.est - rb.est;
        let (z, pvalue) = if se > 0.0 {
            let z = d / se;
            (z, 2.0 * Normal::new(0.0, 1.0).map(|n| n.sf(z.abs())).unwrap_or(f64::NAN))
        } else {
            (f64::NAN, f64::NAN)
        };
        Some(GroupDifference { difference: d, se, z, pvalue })
    }

    fn global_index(&self, g: usize, lhs: &str, op: &str, rhs: &str) -> Option<usize> {
        let sem = &self.config.sem;
        let pt = ParTable::build(
            &sem.syntax,
            TableOptions { std_lv: sem.std_lv, fixed_x: sem.fixed_x, meanstructure: false },
        )
        .ok()?;
        let f =
            pt.rows.iter().find(|r| r.lhs == lhs && r.op.as_str() == op && r.rhs == rhs)?.free?;
        let name = free_names(&pt).get(f)?.clone();
        let candidate = if g == 0 { name.clone() } else { format!("{name}.g{}", g + 1) };
        self.names
            .iter()
            .position(|n| *n == candidate)
            .or_else(|| self.names.iter().position(|n| *n == name))
    }

    /// A printable summary like lavaan's `summary(fit, fit.measures = TRUE, standardized = TRUE)`
    /// for a multi-group model.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::new("Multi-group structural equation model (lavaan syntax)");
        let fm = |k: &str| self.fit_measure(k);
        let eq = if self.config.equal.is_empty() {
            "none (configural)".to_string()
        } else {
            self.config.equal.iter().map(|e| e.name()).collect::<Vec<_>>().join(", ")
        };
        let mut kv = vec![
            ("Estimator".to_string(), "ML".to_string()),
            ("Grouping variable".into(), self.config.group.clone()),
            ("Equality constraints".into(), eq),
            (
                "Converged".into(),
                format!(
                    "{} after {} iterations (max |gradient| {:.1e})",
                    self.convergence.converged, self.convergence.iterations, self.grad_max
                ),
            ),
            ("Number of model parameters".into(), fmt_num(fm("npar"), 0)),
        ];
        for g in &self.groups {
            kv.push((format!("Number of observations: {}", g.name), g.n.to_string()));
        }
        s.key_values(kv);
        let mut kv: Vec<(String, String)> = vec![
            ("Model Test User Model: Test statistic".into(), fmt_num(fm("chisq"), 3)),
            ("  Degrees of freedom".into(), fmt_num(fm("df"), 0)),
            ("  P-value (Chi-square)".into(), fmt_pvalue(fm("pvalue"))),
        ];
        for g in &self.groups {
            kv.push((format!("  Test statistic for {}", g.name), fmt_num(g.chisq, 3)));
        }
        kv.extend([
            ("Comparative Fit Index (CFI)".to_string(), fmt_num(fm("cfi"), 3)),
            ("Tucker-Lewis Index (TLI)".into(), fmt_num(fm("tli"), 3)),
            ("Loglikelihood user model (H0)".into(), fmt_num(fm("logl"), 3)),
            ("Akaike (AIC)".into(), fmt_num(fm("aic"), 3)),
            ("Bayesian (BIC)".into(), fmt_num(fm("bic"), 3)),
            ("RMSEA".into(), fmt_num(fm("rmsea"), 3)),
            (
                "  90 Percent confidence interval".into(),
                format!(
                    "{} {}",
                    fmt_num(fm("rmsea.ci.lower"), 3),
                    fmt_num(fm("rmsea.ci.upper"), 3)
                ),
            ),
            ("SRMR".into(), fmt_num(fm("srmr"), 3)),
        ]);
        s.key_values(kv);
        let sections = [
            ("=~", "Latent Variables:"),
            ("~", "Regressions:"),
            ("~~", "Covariances / Variances:"),
            ("~1", "Intercepts:"),
        ];
        for (gi, g) in self.groups.iter().enumerate() {
            s.text(format!("Group {} [{}]:", gi + 1, g.name));
            for (op, title) in sections {
                let rows: Vec<&ParamRow> = g.rows.iter().filter(|r| r.op == op).collect();
                if rows.is_empty() {
                    continue;
                }
                s.table(param_table(title, &rows));
            }
        }
        if !self.defined.is_empty() {
            let rows: Vec<&ParamRow> = self.defined.iter().collect();
            s.table(param_table("Defined Parameters:", &rows));
        }
        if !self.warnings.is_empty() {
            s.text(
                self.warnings
                    .iter()
                    .map(|w| format!("Warning: {w}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
        }
        s
    }
}

impl fmt::Display for MultiGroupFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary())
    }
}
