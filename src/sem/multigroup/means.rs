//! Multi-group models with a structured mean part: observed intercepts and latent means are
//! parameters in every group, so intercepts and means can be constrained equal across groups
//! (scalar invariance), and incomplete rows can contribute by full-information ML.
//!
//! Each group is a full-information ML block of the driver (complete data is the one-pattern
//! case), f_g = −ℓ_g/n_g weighted by n_g/N, so the total is −ℓ/N. As in lavaan, when the
//! intercepts are equal across groups (and the latent means are not), the latent means are
//! fixed at 0 in the first group and free in the others.
//!
//! ```text
//! χ² = Σ_g 2 (ℓ_g(saturated) − ℓ_g(θ̂))       df = G (p* + p) − q
//! Cov(θ̂) = (Σ_g n_g M_gᵀ I_g M_g)⁻¹          I_g expected (complete data) or observed (FIML)
//! SRMR_g = √{[Σ_{i≤j} r_ij² + Σ_i ((m_i − μ_i)/√s_ii)²] / (p* + p)},  SRMR = Σ_g (n_g/N) SRMR_g
//! ```

use ndarray::{Array1, Array2, Axis};

use super::super::driver::{Block, BlockObjective, BlockPoint};
use super::super::fiml::fill_intercepts as fiml_fill_intercepts;
use super::super::fiml::{self, FimlPoint};
use super::super::model::ModelStructure;
use super::super::partable::{ParTable, TableOptions};
use super::super::syntax::Op;
use super::super::{Estimator, SemMissing, param_rows, start};
use super::measures::{FitParts, fit_measures};
use super::result::GroupResult;
use super::run_groups;
use super::{GroupEqual, MultiGroupFit, MultiGroupSem, defined_rows_groups};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::missing::{MissingPatterns, SaturatedEm};
use crate::summary::Convergence;
use crate::warning::Warning;

struct GroupRaw {
    name: String,
    n: usize,
    n_dropped: usize,
    x: Array2<f64>,
    pats: MissingPatterns,
    em_mean: Array1<f64>,
    em_cov: Array2<f64>,
    sat_logl: f64,
    indep_logl: f64,
}

impl MultiGroupSem {
    /// Whether the fit needs the structured mean part (equal intercepts or means, FIML, or
    /// `~ 1` in the syntax).
    pub(super) fn needs_means(&self) -> bool {
        self.equal.contains(&GroupEqual::Intercepts)
            || self.equal.contains(&GroupEqual::Means)
            || self.sem.missing == SemMissing::Fiml
            || self.sem.has_meanstructure()
            || self.sem.syntax.statements.iter().any(|s| {
                matches!(s, super::super::syntax::Statement::Relation { rhs, .. }
                    if rhs.iter().any(|t| t.var == "1"))
            })
    }

    /// Whether the row is listed in `group.partial` (free in every group).
    fn is_partial(&self, r: &super::super::partable::ParRow) -> bool {
        let key = |a: &str, op: &str, b: &str| format!("{a}{op}{b}");
        let this = if r.op == Op::Intercept {
            key(&r.lhs, "~", "1")
        } else {
            key(&r.lhs, r.op.as_str(), &r.rhs)
        };
        let swapped = key(&r.rhs, r.op.as_str(), &r.lhs);
        self.partial.iter().any(|p| {
            let p: String = p.chars().filter(|c| !c.is_whitespace()).collect();
            p == this || (r.op == Op::Covariance && p == swapped)
        })
    }

    pub(super) fn fit_means(&self, data: &Dataset) -> Result<MultiGroupFit> {
        let cfg = &self.sem;
        if cfg.estimator != Estimator::Ml {
            return Err(Error::invalid(
                "estimator",
                "multi-group models with a mean structure (equal intercepts or means, FIML, `~ 1`) need the ML estimator",
            ));
        }
        data.index_of(&self.group)?;
        let parts = data.split_by(&self.group)?;
        let mut pts = super::super::groups::group_tables(
            &cfg.syntax,
            TableOptions { std_lv: cfg.std_lv, fixed_x: cfg.fixed_x, meanstructure: true },
            parts.len(),
        )?;
        let pt = pts[0].clone();
        if !pt.ov_x.is_empty() && cfg.robust.is_some() {
            return Err(Error::invalid(
                "fixed_x",
                format!(
                    "robust ML in a multi-group mean structure with fixed exogenous covariates ({}) is not supported; use fixed_x(false)",
                    pt.ov_x.join(", ")
                ),
            ));
        }
        // fixed.x: columns of the covariates, whose moments are fixed per group
        let ix: Vec<usize> =
            pt.ov_x.iter().filter_map(|v| pt.ov.iter().position(|w| w == v)).collect();
        let nx = ix.len();
        // the other groups' table: latent means free when the intercepts are equal (lavaan)
        let free_means = self.equal.contains(&GroupEqual::Intercepts)
            && !self.equal.contains(&GroupEqual::Means);
        if free_means {
            for pt_other in pts.iter_mut().skip(1) {
                let mut next = pt_other.npar;
                for r in &mut pt_other.rows {
                    if r.op == Op::Intercept && pt.lv.contains(&r.lhs) && !r.user {
                        r.fixed = None;
                        r.free = Some(next);
                        next += 1;
                    }
                }
                pt_other.npar = next;
            }
        }
        let mut sts = pts.iter().map(ModelStructure::new).collect::<Result<Vec<_>>>()?;
        let p = pt.ov.len();
        let ndat = p * (p + 1) / 2 + p - nx * (nx + 1) / 2 - nx;
        let fiml = cfg.missing == SemMissing::Fiml;
        // ---- per-group data
        let mut raw = Vec::new();
        for (name, part) in parts {
            let x_all = part.select(&pt.ov)?;
            let keep: Vec<usize> = (0..x_all.nrows())
                .filter(|&i| {
                    let row = x_all.row(i);
                    // rows missing a fixed covariate are dropped (lavaan conditions on them)
                    if fiml {
                        row.iter().any(|v| !v.is_nan()) && ix.iter().all(|&j| !row[j].is_nan())
                    } else {
                        row.iter().all(|v| !v.is_nan())
                    }
                })
                .collect();
            let x = x_all.select(Axis(0), &keep);
            if x.nrows() < 2 {
                return Err(Error::TooFewObservations { needed: 2, got: x.nrows() });
            }
            for (j, v) in pt.ov.iter().enumerate() {
                if x.column(j).iter().all(|a| a.is_nan()) {
                    return Err(Error::NotIdentified {
                        reason: format!("variable `{v}` has no observed values in group {name}"),
                    });
                }
            }
            let pats = MissingPatterns::new(&x)?;
            let h1 = SaturatedEm::new().names(pt.ov.iter().cloned()).fit_patterns(&pats)?;
            let indep = pats.independence()?;
            raw.push(GroupRaw {
                n: pats.n_obs(),
                n_dropped: x_all.nrows() - pats.n_obs(),
                name,
                em_mean: h1.mean().clone(),
                em_cov: h1.cov().clone(),
                sat_logl: h1.loglik(),
                indep_logl: indep.loglik(),
                x,
                pats,
            });
        }
        if raw.is_empty() {
            return Err(Error::invalid("group", "the grouping column has no groups"));
        }
        let ng = raw.len();
        let xs: Vec<&Array2<f64>> = raw.iter().map(|g| &g.x).collect();
        let exo = super::fixed_x::fix_groups(&mut pts, &mut sts, &xs, &ix)?;
        // ---- global parameters
        // latent means freed in the later groups are their own parameters (not `group.equal`)
        let (map, names) = super::super::groups::global_map(&pts, &|r| {
            !(r.op == Op::Intercept && pt.lv.contains(&r.lhs) && !r.user && free_means)
                && self.equal.contains(&GroupEqual::of(r, &pt.lv))
                && !self.is_partial(r)
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
        let n_all: f64 = raw.iter().map(|g| g.n as f64).sum();
        // ---- starting values: per-group simple starts at the saturated moments, averaged
        let mut theta = vec![0.0; q];
        let mut count = vec![0.0f64; q];
        for (g, gr) in raw.iter().enumerate() {
            let (ptg, stg) = (&pts[g], &sts[g]);
            let mut s = start::start_values(ptg, stg, &gr.em_cov, cfg.std_lv);
            fiml_fill_intercepts(ptg, stg, &mut s, &gr.em_mean);
            for (f, v) in s.iter().enumerate() {
                theta[map[g][f]] += if v.is_finite() { *v } else { 0.0 };
                count[map[g][f]] += 1.0;
            }
        }
        for (t, c) in theta.iter_mut().zip(&count) {
            *t /= c.max(1.0);
        }
        let blocks: Vec<Block> = raw
            .iter()
            .enumerate()
            .map(|(g, gr)| Block {
                st: sts[g].clone(),
                obj: BlockObjective::Fiml { pats: gr.pats.clone(), n: gr.n as f64 },
                weight: gr.n as f64 / n_all,
                map: map[g].clone(),
            })
            .collect();
        let cons = super::super::constraints::global_table(&cfg.syntax, &pts, &map, q)?;
        let opt = run_groups(&blocks, q, &theta, cfg, cons.as_ref())?;
        let points: Vec<FimlPoint> =
            opt.points.into_iter().filter_map(BlockPoint::into_fiml).collect();
        // ---- information: Σ_g n_g M_gᵀ I_g M_g
        let mut info = Array2::<f64>::zeros((q, q));
        let mut score_parts = Vec::with_capacity(ng);
        for (g, gr) in raw.iter().enumerate() {
            let st = &blocks[g].st;
            let n = gr.n as f64;
            let ig = if fiml {
                fiml::observed_information_analytic(st, &gr.pats, &gr.x, n, &points[g])
                    .or_else(|| fiml::observed_information(st, &gr.pats, n, &points[g].theta))
            } else {
                fiml::expected_information(st, &points[g])
            }
            .ok_or_else(|| Error::NotPositiveDefinite { matrix: "implied covariance".into() })?;
            score_parts.push(super::super::invariance::mean_score_parts(
                &pts[g],
                &ig,
                &points[g].g,
                n,
                &map[g],
            ));
            for (a, &ka) in map[g].iter().enumerate() {
                for (b, &kb) in map[g].iter().enumerate() {
                    info[[ka, kb]] += n * ig[[a, b]];
                }
            }
        }
        let restricted =
            super::super::constraints::invert_maybe(cons.as_ref(), &opt.theta, &info, &names)?;
        let eq_rank = restricted.eq_rank;
        let vcov = restricted.info_inv;
        let robust = match cfg.robust {
            Some(r) => {
                let parts: Vec<super::robust::StructuredGroup<'_>> = raw
                    .iter()
                    .map(|g| super::robust::StructuredGroup {
                        pats: &g.pats,
                        x: &g.x,
                        em_mean: &g.em_mean,
                        em_cov: &g.em_cov,
                    })
                    .collect();
                Some(super::robust::structured(
                    r,
                    &parts,
                    &blocks,
                    &points,
                    &map,
                    &names,
                    fiml,
                    cons.as_ref().map(|c| (c, &opt.theta[..])),
                )?)
            }
            None => None,
        };
        let vcov = robust.as_ref().map_or(vcov, |r| r.vcov.clone());
        // ---- per-group results
        let mut groups = Vec::with_capacity(ng);
        let mut warnings = restricted.warnings;
        let (mut logl, mut ulogl, mut chisq, mut base_chisq, mut srmr) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (g, gr) in raw.iter().enumerate() {
            let (ptg, st) = (&pts[g], &sts[g]);
            let point = &points[g];
            let m = &map[g];
            let local = Array2::from_shape_fn((m.len(), m.len()), |(a, b)| vcov[[m[a], m[b]]]);
            let mut rows = param_rows(ptg, st, &point.mats, &point.imp, &local, cfg.ci_level);
            rows.truncate(ptg.rows.len());
            for (k, r) in ptg.rows.iter().enumerate() {
                let v = rows[k].est;
                if r.op == Op::Covariance && r.lhs == r.rhs && v < 0.0 {
                    warnings.push(Warning::Heywood {
                        variable: format!("{} (group {})", r.lhs, gr.name),
                        value: v,
                    });
                }
            }
            let n = gr.n as f64;
            let lg = -point.f * n;
            let chisq_g = (2.0 * (gr.sat_logl - lg)).max(0.0);
            logl += lg - exo[g].logl_x;
            ulogl += gr.sat_logl - exo[g].logl_x;
            chisq += chisq_g;
            base_chisq += 2.0 * (gr.sat_logl - gr.indep_logl - exo[g].assoc);
            srmr += n / n_all * srmr_means(&gr.em_cov, &point.imp.sigma, &gr.em_mean, &point.mu);
            if gr.n_dropped > 0 {
                warnings.push(Warning::RowsDropped { dropped: gr.n_dropped, remaining: gr.n });
            }
            let sc = super::super::standardize::Scales::new(ptg, st, &point.mats, &point.imp);
            groups.push(GroupResult {
                name: gr.name.clone(),
                n: gr.n,
                n_dropped: gr.n_dropped,
                r2: super::super::standardize::r_squared(ptg, &sc),
                rows,
                chisq: chisq_g,
                implied: point.imp.sigma.clone(),
                implied_mean: Some(point.mu.clone()),
                sample: gr.em_cov.clone(),
            });
        }
        if !opt.converged {
            warnings.push(Warning::NotConverged {
                what: "multi-group SEM estimation".into(),
                iterations: opt.iterations,
            });
        }
        let per_group: Vec<_> = (0..ng)
            .map(|g| (&pts[g], &sts[g], &points[g].mats, &map[g][..], &groups[g].rows[..]))
            .collect();
        let defined = defined_rows_groups(&per_group, q, &vcov, cfg.ci_level);
        let df = (ng * ndat) as f64 - (q - eq_rank) as f64;
        let mut fm = fit_measures(&FitParts {
            fmin: chisq / (2.0 * n_all),
            ml: true,
            uls: false,
            npar: q - eq_rank,
            n: n_all,
            n_eff: n_all,
            groups: ng,
            chisq,
            df,
            base_chisq,
            base_df: (ng * (ndat - 2 * (p - nx))) as f64,
            logl,
            ulogl,
            srmr,
            ci_level: 0.90,
        });
        if let Some(r) = &robust {
            let free = |t: &ParTable| t.rows.iter().filter(|r| r.free.is_some()).count();
            let npar_rows: usize = pts.iter().map(free).sum();
            super::robust::structured_measures(&mut fm, r, npar_rows, fiml);
        }
        let convergence = Convergence {
            converged: opt.converged,
            iterations: opt.iterations,
            reason: opt.reason.clone(),
        };
        Ok(MultiGroupFit {
            score_parts,
            config: self.clone(),
            groups,
            defined,
            fit: fm,
            vcov,
            theta: opt.theta,
            names,
            convergence,
            grad_max: opt.grad_max,
            warnings,
            robust_diff: robust.and_then(|r| r.diff),
        })
    }
}

/// Bentler's SRMR of one group with its mean residuals (lavaan's convention with a mean
/// structure).
fn srmr_means(s: &Array2<f64>, sigma: &Array2<f64>, m: &Array1<f64>, mu: &Array1<f64>) -> f64 {
    let p = s.nrows();
    let mut sum = 0.0;
    for i in 0..p {
        for j in i..p {
            let r = (s[[i, j]] - sigma[[i, j]]) / (s[[i, i]] * s[[j, j]]).sqrt();
            sum += r * r;
        }
        let r = (m[i] - mu[i]) / s[[i, i]].sqrt();
        sum += r * r;
    }
    (sum / (p * (p + 1) / 2 + p) as f64).sqrt()
}
