//! Multi-group structural equation models: one model fitted jointly to several groups (e.g.
//! the regions of a survey), with equality constraints across groups — lavaan's `group = "g"`
//! and `group.equal = c("loadings", ...)`.
//!
//! The estimator is the model's discrepancy (ML with the normal or Wishart likelihood, GLS,
//! ULS) summed over the groups,
//!
//! ```text
//! F(θ) = Σ_g (n_g / N) F(S_g, Σ_g(θ_g)),   χ² = Σ_g N′_g F(S_g, Σ_g(θ̂_g))
//! ```
//!
//! where θ_g are group `g`'s parameters, mapped from one global vector: a parameter is shared by
//! all groups when its kind is listed in [`GroupEqual`] or when it carries a user label (lavaan:
//! a label in single-group syntax applies to every group, which makes the parameter equal across
//! groups). As in lavaan, a multi-group model has a mean structure. Without equal intercepts or
//! means the observed intercepts are free in every group and the latent means fixed at zero, so
//! the mean part is saturated: the intercept estimates are the group means, with standard errors
//! √(σ̂_ii / n_g), and the mean part adds nothing to χ² (it does count in `npar`, the
//! log-likelihood and the information criteria) — this fit is in this file. Equal intercepts or
//! means, `group.partial` and FIML give a structured mean part, fitted in `means.rs`.

mod bootstrap;
mod fixed_x;
mod means;
mod measures;
mod result;
mod robust;

use std::collections::HashMap;

use ndarray::{Array1, Array2};
use statrs::distribution::{ContinuousCDF, Normal};

use super::driver::{self, Block, BlockObjective, Model};
use super::estimate::{self, Point};
use super::model::ModelStructure;
use super::objective::Objective;
use super::partable::{ParRow, ParTable, TableOptions};
use super::sample_stats::SampleStats;
use super::syntax::Op;
use super::{Estimator, Sem, baseline, defined, dense, fill_inference, standardize, start};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::moments::Moments;
use crate::summary::{Convergence, ParamRow};
use crate::warning::Warning;
use measures::{FitParts, exo_logl, fit_measures, fix_row, logl_x_term, srmr};
pub(crate) use result::AssembledParts;
pub(crate) use result::GroupScoreParts;
pub use result::{ChisqDifference, GroupDifference, GroupResult, MultiGroupFit};

/// A kind of parameter constrained to be equal across groups (lavaan `group.equal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
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
    /// Intercepts of the observed variables (`~ 1`): scalar (strong) invariance. The latent
    /// means are then fixed at 0 in the first group and free in the others (lavaan).
    Intercepts,
    /// Means of the latent variables (fixed at 0 in every group).
    Means,
    /// Thresholds of ordered indicators (`x1 | t1`).
    Thresholds,
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
            GroupEqual::Intercepts => "intercepts",
            GroupEqual::Means => "means",
            GroupEqual::Thresholds => "thresholds",
        }
    }

    /// Every class, in the order of lavaan's documentation of `group.equal`.
    pub const ALL: [GroupEqual; 9] = [
        GroupEqual::Loadings,
        GroupEqual::Intercepts,
        GroupEqual::Means,
        GroupEqual::Thresholds,
        GroupEqual::Regressions,
        GroupEqual::Residuals,
        GroupEqual::ResidualCovariances,
        GroupEqual::LvVariances,
        GroupEqual::LvCovariances,
    ];

    /// The class with lavaan's name `name` (as [`GroupEqual::name`] spells it), if any.
    pub fn from_name(name: &str) -> Option<GroupEqual> {
        GroupEqual::ALL.into_iter().find(|g| g.name() == name)
    }

    fn of(r: &ParRow, lv: &[String]) -> GroupEqual {
        match r.op {
            Op::Loading => GroupEqual::Loadings,
            Op::Regression => GroupEqual::Regressions,
            Op::Intercept if lv.contains(&r.lhs) => GroupEqual::Means,
            Op::Intercept => GroupEqual::Intercepts,
            Op::Threshold => GroupEqual::Thresholds,
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
/// with a missing model variable are dropped listwise within each group. The estimator is the
/// model's (ML with the normal or Wishart likelihood, GLS or ULS); the model's other options (`std_lv`, `fixed_x`, `ci_level`,
/// `max_iter`) apply.
///
/// # Formula
/// ```text
/// F(θ) = Σ_g (n_g/N) F(S_g, Σ_g(θ_g))             minimised by Fisher scoring
/// χ² = Σ_g N′_g F_g      df = G·p* − q            p* = p(p+1)/2, q = free parameters
/// Cov(θ̂) = (Σ_g c_g M_gᵀ Δ_gᵀ W_g Δ_g M_g)⁻¹       M_g maps global to group parameters,
///                                                  c_g = n_g N′/N (N′ = Σ_g N′_g)
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
    partial: Vec<String>,
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
        Self { sem, group: group.into(), equal: Vec::new(), partial: Vec::new() }
    }

    /// Parameters exempt from the `equal` constraints, free in every group (lavaan
    /// `group.partial`), written as in the syntax: `"visual =~ x2"`, `"x3 ~ 1"`, `"x1 ~~ x1"`.
    /// Used with a structured mean part (equal intercepts or means, FIML).
    ///
    /// # Examples
    /// ```
    /// use surveystat::sem::{GroupEqual, MultiGroupSem, Sem};
    /// let sem = Sem::from_syntax("f =~ a + b + c").unwrap();
    /// let mg = MultiGroupSem::new(sem, "g")
    ///     .equal([GroupEqual::Loadings, GroupEqual::Intercepts])
    ///     .partial(["c ~ 1"]);
    /// assert_eq!(mg.partial_parameters(), ["c ~ 1"]);
    /// ```
    pub fn partial<S: Into<String>>(mut self, params: impl IntoIterator<Item = S>) -> Self {
        self.partial.extend(params.into_iter().map(Into::into));
        self
    }

    /// The parameters listed with [`MultiGroupSem::partial`].
    pub fn partial_parameters(&self) -> &[String] {
        &self.partial
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
    /// [`Sem::compile`];
    /// [`Error::ConstantColumn`] / [`Error::NotPositiveDefinite`] when a variable is constant or
    /// the covariance singular within a group; [`Error::NotIdentified`] for negative degrees of
    /// freedom or a singular information matrix; [`Error::NotConverged`].
    pub fn fit(&self, data: &Dataset) -> Result<MultiGroupFit> {
        data.index_of(&self.group)?;
        if self.sem.is_ordinal() {
            super::constraints::refuse(
                &self.sem.syntax,
                "multi-group models with ordered indicators",
            )?;
            return super::ordinal::fit_groups(self, data);
        }
        self.refuse_group_modifiers()?;
        if self.needs_means() {
            return self.fit_means(data);
        }
        let model = self.first_group_sem().compile()?;
        let ov = model.observed().to_vec();
        let mut groups = Vec::new();
        let mut used = 0;
        for (name, part) in data.split_by(&self.group)? {
            used += part.n_rows();
            let ss = SampleStats::from_dataset(&part, &ov)?;
            groups.push((name, ss));
        }
        let mut fit = self.fit_stats(groups)?;
        if let Some(r) = self.sem.robust {
            fit = robust::apply_saturated(self, fit, data, r)?;
        }
        if used < data.n_rows() {
            fit.warnings.push(Warning::Other {
                message: format!(
                    "{} row(s) with an empty or NA value of the grouping column `{}` are left out",
                    data.n_rows() - used,
                    self.group
                ),
            });
        }
        Ok(fit)
    }

    /// Fit to per-group moments of the observed variables in [`super::SemModel::observed`]
    /// order (from `self.sem().compile()`).
    ///
    /// # Errors
    /// As [`MultiGroupSem::fit`]; [`Error::DimensionMismatch`] if a group's moments do not match
    /// the model's variables.
    pub fn fit_moments(&self, groups: &[(String, Moments)]) -> Result<MultiGroupFit> {
        if self.sem.robust.is_some() {
            return Err(Error::invalid(
                "estimator",
                "robust ML (MLM, MLMV, MLR) needs raw data (MultiGroupSem::fit), not moments",
            ));
        }
        self.refuse_group_modifiers()?;
        let p = self.first_group_sem().compile()?.observed().len();
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
        if self.needs_means() {
            return Err(Error::invalid(
                "moments",
                "multi-group models with a mean structure (equal intercepts or means, FIML, `~ 1`) are fitted from raw data (MultiGroupSem::fit)",
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
        let pts = super::groups::group_tables(
            &cfg.syntax,
            TableOptions { std_lv: cfg.std_lv, fixed_x: cfg.fixed_x, meanstructure: false },
            samples.len(),
        )?;
        let pt = &pts[0];
        if pt.meanstructure || pt.rows.iter().any(|r| r.op == Op::Intercept) {
            return Err(Error::invalid(
                "model",
                "explicit intercepts or latent means (`~ 1`) are not offered in multi-group models: \
                 the means are saturated (free intercepts per group)",
            ));
        }
        let p = pt.ov.len();
        let nx = pt.ov_x.len();
        let ndat = p * (p + 1) / 2 - nx * (nx + 1) / 2;
        let ng = samples.len();
        // per-group data
        let mut groups = Vec::with_capacity(ng);
        for (g, (name, ss)) in samples.into_iter().enumerate() {
            ss.check(&pt.ov).map_err(|e| match e {
                Error::ConstantColumn { name: v } => {
                    Error::ConstantColumn { name: format!("{v} (in group {name})") }
                }
                Error::NotPositiveDefinite { matrix } => {
                    Error::NotPositiveDefinite { matrix: format!("{matrix} in group {name}") }
                }
                other => other,
            })?;
            let (kind, s_fit, n_eff) = super::sample_for(cfg.estimator, cfg.likelihood, &ss);
            let mut st = ModelStructure::new(&pts[g])?;
            for (k, r) in pt.rows.iter().enumerate() {
                if r.exo {
                    let i = pt.ov.iter().position(|v| *v == r.lhs).unwrap_or(0);
                    let j = pt.ov.iter().position(|v| *v == r.rhs).unwrap_or(0);
                    st.set_fixed(k, s_fit[[i, j]]);
                }
            }
            let obj = Objective::new(kind, &s_fit, st.vech.clone())?;
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
        // global parameters: labels, then the `group.equal` kinds
        let (map, names) = super::groups::global_map(&pts, &|r: &ParRow| {
            self.equal.contains(&GroupEqual::of(r, &pt.lv))
        });
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
        // the discrepancy is weighted by n_g/N for every estimator and likelihood (lavaan)
        let n_all: f64 = groups.iter().map(|g| g.n as f64).sum();
        let weights: Vec<f64> = groups.iter().map(|g| g.n as f64 / n_all).collect();
        // starting values: the single-group starts, averaged over the groups sharing a parameter
        let mut theta = vec![0.0; q];
        let mut count = vec![0.0f64; q];
        for (g, gd) in groups.iter().enumerate() {
            let s = start::start_values(&pts[g], &gd.st, &gd.obj.s, cfg.std_lv);
            for f in 0..pts[g].npar {
                theta[map[g][f]] += s[f];
                count[map[g][f]] += 1.0;
            }
        }
        for (t, c) in theta.iter_mut().zip(&count) {
            *t /= c.max(1.0);
        }
        let blocks: Vec<Block> = groups
            .iter()
            .zip(&map)
            .zip(&weights)
            .map(|((gd, m), &w)| Block {
                st: gd.st.clone(),
                obj: BlockObjective::Moments(gd.obj.clone()),
                weight: w,
                map: m.clone(),
            })
            .collect();
        let cons = super::constraints::global_table(&cfg.syntax, &pts, &map, q)?;
        let opt = run_groups(&blocks, q, &theta, cfg, cons.as_ref())?;
        let points: Vec<Point> = opt.points.iter().filter_map(|p| p.moments().cloned()).collect();
        // information and vcov: group g's information weighted by n_g N′/N (N′ = Σ_g N′_g; n_g
        // for ML with the normal likelihood, n_g (N − G)/N otherwise, as lavaan)
        let n_total: usize = groups.iter().map(|g| g.n).sum();
        let nt = n_total as f64;
        let mut info = Array2::<f64>::zeros((q, q));
        let mut score_parts = Vec::with_capacity(ng);
        for (g, gd) in groups.iter().enumerate() {
            let local_rows = super::params::free_rows(&pts[g]);
            let w_info = gd.n as f64 * n_eff_total / nt;
            let (grad_g, delta) = estimate::gradient(&gd.st, &gd.obj, &points[g]);
            let ig = gd.obj.information(&points[g].val, &delta);
            score_parts.push(GroupScoreParts {
                information: ig.mapv(|v| w_info * v),
                score: grad_g.mapv(|v| -0.5 * w_info * v),
                map: map[g].clone(),
                params: local_rows,
            });
            let q0 = pts[g].npar;
            for a in 0..q0 {
                for b in 0..q0 {
                    info[[map[g][a], map[g][b]]] += w_info * ig[[a, b]];
                }
            }
        }
        let restricted =
            super::constraints::invert_maybe(cons.as_ref(), &opt.theta, &info, &names)?;
        let vcov = restricted.info_inv;
        let zq = Normal::new(0.0, 1.0)
            .map(|d| d.inverse_cdf(0.5 + cfg.ci_level / 2.0))
            .unwrap_or(1.959963984540054);
        // per-group results
        let mut out_groups = Vec::with_capacity(ng);
        let mut warnings = restricted.warnings;
        let ln2pi = (2.0 * std::f64::consts::PI).ln();
        let (mut logl, mut ulogl, mut chisq, mut base_chisq, mut base_df) =
            (0.0, 0.0, 0.0, 0.0, 0.0);
        let mut srmr_w = 0.0;
        for (g, gd) in groups.iter().enumerate() {
            let point = &points[g];
            let sc = standardize::Scales::new(pt, &gd.st, &point.mats, &point.imp);
            let mut rows = Vec::with_capacity(pt.rows.len() + p + pt.lv.len());
            for (k, r) in pts[g].rows.iter().enumerate() {
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
                    // the saturated means' information is w·W_μ with W_μ = Σ̂⁻¹ (ML), S⁻¹ (GLS),
                    // I (ULS); it does not couple with the covariance part
                    let w_info = gd.n as f64 * n_eff_total / nt;
                    let v = match cfg.estimator {
                        Estimator::Ml | Estimator::Mlm | Estimator::Mlmv | Estimator::Mlr => {
                            sigma[[i, i]]
                        }
                        Estimator::Gls => gd.obj.s[[i, i]],
                        _ => 1.0,
                    };
                    fill_inference(&mut row, est, (v / w_info).sqrt(), zq);
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
            let (bc, bdf) = baseline(pt, &gd.obj, gd.n_eff, ndat)?;
            base_chisq += bc;
            base_df += bdf;
            let n = gd.n as f64;
            let (logdet_sigma, tr) = match dense::spd_inverse_logdet(sigma) {
                Some((inv, ld)) => (ld, (&gd.obj.s * &inv).sum()),
                None => (f64::NAN, f64::NAN),
            };
            let (logl_x, px) = exo_logl(pt, &gd.obj.s)?;
            let pf = p as f64;
            logl += -n / 2.0 * (pf * ln2pi + logdet_sigma + tr) - logl_x_term(n, px, logl_x);
            ulogl += -n / 2.0 * (pf * ln2pi + gd.obj.logdet_s + pf) - logl_x_term(n, px, logl_x);
            srmr_w += gd.n_eff / n_eff_total * srmr(&gd.obj.s, sigma, p);
            if gd.n_dropped > 0 {
                warnings.push(Warning::RowsDropped { dropped: gd.n_dropped, remaining: gd.n });
            }
            let r2 = standardize::r_squared(pt, &sc);
            out_groups.push(GroupResult {
                name: gd.name.clone(),
                n: gd.n,
                n_dropped: gd.n_dropped,
                rows,
                r2,
                chisq: chisq_g,
                implied: sigma.clone(),
                implied_mean: None,
                sample: gd.obj.s.clone(),
            });
        }
        if !opt.converged {
            warnings.push(Warning::NotConverged {
                what: "multi-group SEM estimation".into(),
                iterations: opt.iterations,
            });
        }
        let per_group: Vec<_> = (0..ng)
            .map(|g| {
                (&pts[g], &groups[g].st, &points[g].mats, &map[g][..], &out_groups[g].rows[..])
            })
            .collect();
        let defined_rows = defined_rows_groups(&per_group, q, &vcov, cfg.ci_level);
        // fit measures
        let df = (ng * ndat) as f64 - (q - restricted.eq_rank) as f64;
        let npar = q - restricted.eq_rank + ng * (p - nx);
        let ml = cfg.estimator == Estimator::Ml;
        // fmin: ½ Σ_g (n_g/N) F_g for ML (the minimised function), χ²/(2N) for GLS and ULS (lavaan)
        let fmin = if ml {
            0.5 * points.iter().zip(&weights).map(|(p, w)| w * p.val.f).sum::<f64>()
        } else {
            chisq / (2.0 * nt)
        };
        let fm = fit_measures(&FitParts {
            fmin,
            ml,
            uls: cfg.estimator == Estimator::Uls,
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
            score_parts,
            robust_diff: None,
        })
    }
}

/// Defined parameters (`:=`; labels are shared by all groups) with delta-method SEs; their
/// standardized values are the expression at the first group's standardized values (lavaan's
/// convention). `first_rows` are the first group's rows in table order.
#[allow(clippy::too_many_arguments)]
pub(super) fn defined_rows(
    pt: &ParTable,
    st0: &ModelStructure,
    mats0: &super::model::Matrices,
    map0: &[usize],
    first_rows: &[ParamRow],
    q: usize,
    vcov: &Array2<f64>,
    ci_level: f64,
) -> Vec<ParamRow> {
    defined_rows_groups(&[(pt, st0, mats0, map0, first_rows)], q, vcov, ci_level)
}

/// One group's pieces for [`defined_rows_groups`]: its table, structure, matrices at the
/// estimates, local → global map and result rows in table order.
pub(super) type GroupPieces<'a> =
    (&'a ParTable, &'a ModelStructure, &'a super::model::Matrices, &'a [usize], &'a [ParamRow]);

/// Defined parameters (`:=`) over the labels of every group (a label is taken from the first
/// group that carries it, so per-group labels `c(b1, b2)` can be combined), with delta-method
/// SEs; standardized values from the same group's standardized values.
pub(super) fn defined_rows_groups(
    groups: &[GroupPieces<'_>],
    q: usize,
    vcov: &Array2<f64>,
    ci_level: f64,
) -> Vec<ParamRow> {
    let zq = Normal::new(0.0, 1.0)
        .map(|d| d.inverse_cdf(0.5 + ci_level / 2.0))
        .unwrap_or(1.959963984540054);
    let mut env: HashMap<String, defined::Dual> = HashMap::new();
    let mut env_lv: HashMap<String, defined::Dual> = HashMap::new();
    let mut env_all: HashMap<String, defined::Dual> = HashMap::new();
    for &(ptg, stg, mats, map, rows) in groups {
        for (k, r) in ptg.rows.iter().enumerate() {
            if r.label.is_empty() || env.contains_key(&r.label) {
                continue;
            }
            let v = stg.row_value(mats, k);
            let mut g = vec![0.0; q];
            if let Some(f) = r.free {
                g[map[f]] = 1.0;
            }
            env.insert(r.label.clone(), defined::Dual { v, g });
            let first = &rows[k];
            let std = |x: Option<f64>| defined::Dual { v: x.unwrap_or(f64::NAN), g: vec![0.0; q] };
            env_lv.insert(r.label.clone(), std(first.std_lv));
            env_all.insert(r.label.clone(), std(first.std_all));
        }
    }
    let Some(&(pt, ..)) = groups.first() else { return Vec::new() };
    let mut out = Vec::new();
    for (name, expr) in &pt.defined {
        let d = defined::eval(expr, &env, q);
        let dlv = defined::eval(expr, &env_lv, q);
        let dall = defined::eval(expr, &env_all, q);
        let gv = Array1::from(d.g.clone());
        let se = gv.dot(&vcov.dot(&gv)).max(0.0).sqrt();
        let mut row = ParamRow::new(name, ":=", expr.to_string().replace(' ', ""), d.v);
        row.label = name.clone();
        row.std_lv = dlv.v.is_finite().then_some(dlv.v);
        row.std_all = dall.v.is_finite().then_some(dall.v);
        fill_inference(&mut row, d.v, se, zq);
        out.push(row);
        env.insert(name.clone(), d);
        env_lv.insert(name.clone(), dlv);
        env_all.insert(name.clone(), dall);
    }
    out
}

/// Run the driver over the groups' blocks from `theta`: a typed error when the start is not
/// admissible, when the implied covariance fails at the estimates, or when the estimation did
/// not converge (unless the configuration allows it).
pub(super) fn run_groups(
    blocks: &[Block],
    q: usize,
    theta: &[f64],
    cfg: &Sem,
    cons: Option<&ParTable>,
) -> Result<driver::Driven> {
    if Model::eval_all(blocks, theta).is_none() {
        return Err(Error::NotConverged {
            what: "multi-group SEM starting values (implied covariance not positive definite)"
                .into(),
            iterations: 0,
        });
    }
    let opt = super::constraints::run_maybe(cons, blocks, q, theta, cfg.optimizer, cfg.max_iter)?
        .ok_or_else(|| Error::NotPositiveDefinite {
        matrix: "implied covariance at the estimates".into(),
    })?;
    if !opt.converged && !cfg.allow_nonconverged {
        return Err(Error::NotConverged {
            what: format!("multi-group SEM estimation ({})", opt.reason),
            iterations: opt.iterations,
        });
    }
    Ok(opt)
}

impl MultiGroupSem {
    /// The model with each per-group modifier `c()` at its first element and without its
    /// defined parameters (which may use other groups' labels): the variables and rows shared
    /// by all groups.
    fn first_group_sem(&self) -> Sem {
        let mut sem = self.sem.clone();
        if sem.syntax.has_group_modifiers() {
            sem.syntax = sem.syntax.first_group();
            sem.syntax
                .statements
                .retain(|s| !matches!(s, super::syntax::Statement::Defined { .. }));
        }
        // explicit constraints may name other groups' labels: the multi-group fit applies them
        sem.syntax.statements.retain(|s| !matches!(s, super::syntax::Statement::Constraint { .. }));
        sem
    }

    /// Per-group modifiers (`c()`) are fitted by the ML, GLS and ULS estimators with standard
    /// errors from the information matrix; the robust corrections assume one table for all groups.
    fn refuse_group_modifiers(&self) -> Result<()> {
        if self.sem.robust.is_some() && self.sem.syntax.has_group_modifiers() {
            return Err(Error::invalid(
                "estimator",
                "robust ML (MLM, MLMV, MLR) is not offered with per-group modifiers `c()`",
            ));
        }
        Ok(())
    }
}
