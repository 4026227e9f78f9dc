//! Robust ML (MLM, MLMV, MLR) for multi-group fits: the ML estimate of the multi-group model
//! with robust standard errors and the scaled tests of `sem::robust::groups`.
//!
//! With saturated means (no equal intercepts) the observed intercepts are the group means; they
//! enter the robust layer as parameters of their own (one column of θ per group and variable),
//! as in lavaan, whose multi-group models always carry the mean structure: their robust SEs are
//! √(s_ii/n_g) (divisor n_g) and they move the MLR trace by Σ_g [p − tr(Σ̂_g⁻¹ S_g)].

use ndarray::{Array1, Array2, Axis};

use super::super::driver::Block;
use super::super::fiml::{self, FimlPoint};
use super::super::model::ModelStructure;
use super::super::objective::{Discrepancy, Objective};
use super::super::partable::{ParTable, TableOptions};
use super::super::robust::groups::{self, GroupPiece, Prepared};
use super::super::robust::scaling_of;
use super::super::{Estimator, Likelihood, estimate, fill_inference};
use super::{MultiGroupFit, MultiGroupSem, defined_rows};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::missing::MissingPatterns;
use crate::summary::ParamRow;

fn z_quantile(level: f64) -> f64 {
    crate::core::dist::qnorm(0.5 + level / 2.0)
}

fn set_se(row: &mut ParamRow, se: f64, zq: f64) {
    let est = row.est;
    fill_inference(row, est, se, zq);
}

/// Column means and the covariance with divisor n of complete rows.
fn moments_n(x: &Array2<f64>) -> (Array1<f64>, Array2<f64>) {
    let n = x.nrows() as f64;
    let m = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(x.ncols()));
    let c = x - &m;
    (m, c.t().dot(&c) / n)
}

/// Replace the SEs of a saturated-means multi-group ML fit by the robust ones and add the
/// robust test statistics and fit measures.
///
/// # Errors
/// [`Error::InvalidParameter`] for fixed exogenous covariates or the Wishart likelihood; errors
/// of [`groups::prepare`].
pub(super) fn apply_saturated(
    mg: &MultiGroupSem,
    mut fit: MultiGroupFit,
    data: &Dataset,
    robust: Estimator,
) -> Result<MultiGroupFit> {
    let Some(scaling) = scaling_of(robust) else { return Ok(fit) };
    let cfg = &mg.sem;
    if cfg.likelihood != Likelihood::Normal {
        return Err(Error::invalid("likelihood", "robust ML uses the normal likelihood"));
    }
    let pt = ParTable::build(
        &cfg.syntax,
        TableOptions { std_lv: cfg.std_lv, fixed_x: cfg.fixed_x, meanstructure: false },
    )?;
    if !pt.ov_x.is_empty() {
        return Err(Error::invalid(
            "fixed_x",
            format!(
                "robust ML with fixed exogenous covariates ({}) is not supported; use fixed_x(false)",
                pt.ov_x.join(", ")
            ),
        ));
    }
    let st = ModelStructure::new(&pt)?;
    let p = pt.ov.len();
    let q = fit.theta.len();
    let ng = fit.groups.len();
    let qq = q + ng * p;
    let mut names = fit.names.clone();
    for g in &fit.groups {
        names.extend(pt.ov.iter().map(|v| format!("{v}~1 ({})", g.name)));
    }
    struct Raw {
        x: Array2<f64>,
        pats: MissingPatterns,
        mean: Array1<f64>,
        cov: Array2<f64>,
        indep_mean: Array1<f64>,
        indep_var: Array1<f64>,
        sigma: Array2<f64>,
        jac: Array2<f64>,
    }
    let parts = data.split_by(&mg.group)?;
    if parts.len() != ng || fit.score_parts.len() != ng {
        return Err(Error::invalid("group", "the groups of the data and of the fit differ"));
    }
    let mut raw = Vec::with_capacity(ng);
    let mut hess = Array2::<f64>::zeros((qq, qq));
    for (g, (_, part)) in parts.iter().enumerate() {
        let x_all = part.select(&pt.ov)?;
        let keep: Vec<usize> =
            (0..x_all.nrows()).filter(|&i| x_all.row(i).iter().all(|v| !v.is_nan())).collect();
        let x = x_all.select(Axis(0), &keep);
        let n = x.nrows() as f64;
        let map = &fit.score_parts[g].map;
        let theta: Vec<f64> = map.iter().map(|&k| fit.theta[k]).collect();
        let mats = st.matrices(&theta);
        let imp = st.implied(&mats)?;
        let delta = st.delta(&imp);
        let mut jac = Array2::<f64>::zeros((p + st.vech.len(), qq));
        for i in 0..p {
            jac[[i, q + g * p + i]] = 1.0;
        }
        for r in 0..st.vech.len() {
            for (f, &k) in map.iter().enumerate() {
                jac[[p + r, k]] += delta[[r, f]];
            }
        }
        let (mean, cov) = moments_n(&x);
        let pats = MissingPatterns::new(&x)?;
        let indep = pats.independence()?;
        if robust == Estimator::Mlr {
            // observed information of −ℓ_g/n_g (= F_ML/2 at the saturated means)
            let obj = Objective::new(Discrepancy::Ml, &cov, st.vech.clone())?;
            let grad = |t: &[f64]| -> Option<Array1<f64>> {
                let pt = estimate::eval(&st, &obj, t)?;
                Some(estimate::gradient(&st, &obj, &pt).0 * 0.5)
            };
            let h = groups::numeric_hessian(&theta, &grad).ok_or_else(|| {
                Error::NotPositiveDefinite { matrix: "implied covariance".into() }
            })?;
            for (a, &ka) in map.iter().enumerate() {
                for (b, &kb) in map.iter().enumerate() {
                    hess[[ka, kb]] += n * h[[a, b]];
                }
            }
            let sinv = crate::core::linalg::spd_inverse(imp.sigma.view(), "implied covariance")?;
            let o = q + g * p;
            for i in 0..p {
                for j in 0..p {
                    hess[[o + i, o + j]] = n * sinv[[i, j]];
                }
            }
        }
        raw.push(Raw {
            indep_mean: indep.mean().clone(),
            indep_var: indep.var().clone(),
            x,
            pats,
            mean,
            cov,
            sigma: imp.sigma.clone(),
            jac,
        });
    }
    let pieces: Vec<GroupPiece<'_>> = raw
        .iter()
        .map(|r| GroupPiece {
            x: &r.x,
            pats: &r.pats,
            vech: &st.vech,
            jac: r.jac.clone(),
            mu: &r.mean,
            sigma: &r.sigma,
            h1_mean: &r.mean,
            h1_cov: &r.cov,
            indep_mean: &r.indep_mean,
            indep_var: &r.indep_var,
        })
        .collect();
    // explicit constraints: their table over the global parameters, extended by the
    // (unconstrained) saturated means
    let pts = super::super::groups::group_tables(
        &cfg.syntax,
        TableOptions { std_lv: cfg.std_lv, fixed_x: cfg.fixed_x, meanstructure: false },
        ng,
    )?;
    let maps: Vec<Vec<usize>> = fit.score_parts.iter().map(|s| s.map.clone()).collect();
    let cons = super::super::constraints::global_table(&cfg.syntax, &pts, &maps, q)?;
    let mut theta_all = fit.theta.clone();
    for r in &raw {
        theta_all.extend(r.mean.iter());
    }
    let prep = groups::prepare(
        scaling,
        &pieces,
        (robust == Estimator::Mlr).then_some(&hess),
        &names,
        cons.as_ref().map(|c| (c, &theta_all[..])),
    )?;
    let zq = z_quantile(cfg.ci_level);
    let nrows = pt.rows.len();
    for (g, gr) in fit.groups.iter_mut().enumerate() {
        let map = &fit.score_parts[g].map;
        for (k, r) in pt.rows.iter().enumerate() {
            if let Some(f) = r.free {
                let gi = map[f];
                set_se(&mut gr.rows[k], prep.vcov[[gi, gi]].max(0.0).sqrt(), zq);
            }
        }
        for i in 0..p {
            let gi = q + g * p + i;
            set_se(&mut gr.rows[nrows + i], prep.vcov[[gi, gi]].max(0.0).sqrt(), zq);
        }
    }
    fit.vcov = Array2::from_shape_fn((q, q), |(a, b)| prep.vcov[[a, b]]);
    refresh_defined(&mut fit, &pt, &st, cfg.ci_level)?;
    let npar_rows = ng * (pt.rows.iter().filter(|r| r.free.is_some()).count() + p);
    add_measures(&mut fit.fit, &prep, npar_rows as f64, false);
    fit.robust_diff = prep.diff;
    Ok(fit)
}

fn refresh_defined(
    fit: &mut MultiGroupFit,
    pt: &ParTable,
    st: &ModelStructure,
    ci_level: f64,
) -> Result<()> {
    if pt.defined.is_empty() {
        return Ok(());
    }
    let map0 = &fit.score_parts[0].map;
    let theta0: Vec<f64> = map0.iter().map(|&k| fit.theta[k]).collect();
    let mats0 = st.matrices(&theta0);
    fit.defined = defined_rows(
        pt,
        st,
        &mats0,
        map0,
        &fit.groups[0].rows,
        fit.theta.len(),
        &fit.vcov,
        ci_level,
    );
    Ok(())
}

fn add_measures(fm: &mut Vec<(String, f64)>, prep: &Prepared, npar_rows: f64, fiml: bool) {
    let get = |k: &str| fm.iter().find(|(n, _)| n == k).map_or(f64::NAN, |(_, v)| *v);
    let mut extra = prep.measures(
        get("chisq"),
        get("df"),
        get("baseline.chisq"),
        get("baseline.df"),
        npar_rows,
    );
    if fiml {
        // lavaan's MLR `.robust` indices under missing data follow a different correction
        extra.retain(|(_, k, _)| !k.ends_with(".robust"));
    }
    groups::insert_measures(fm, extra);
}

/// One group of a structured-mean fit: its patterns, rows and saturated (EM) moments.
pub(super) struct StructuredGroup<'a> {
    pub pats: &'a MissingPatterns,
    pub x: &'a Array2<f64>,
    pub em_mean: &'a Array1<f64>,
    pub em_cov: &'a Array2<f64>,
}

/// The robust layer of a structured-mean multi-group fit (equal intercepts or means, FIML):
/// robust covariance of the global parameters and what the robust tests need.
///
/// # Errors
/// [`Error::InvalidParameter`] for MLM or MLMV with FIML (they need complete data, as in
/// lavaan); errors of [`groups::prepare`].
#[allow(clippy::too_many_arguments)]
pub(super) fn structured(
    robust: Estimator,
    raw: &[StructuredGroup<'_>],
    blocks: &[Block],
    points: &[FimlPoint],
    map: &[Vec<usize>],
    names: &[String],
    fiml_missing: bool,
    cons: Option<(&ParTable, &[f64])>,
) -> Result<Prepared> {
    let scaling = scaling_of(robust)
        .ok_or_else(|| Error::invalid("estimator", "not a robust ML estimator"))?;
    if fiml_missing && robust != Estimator::Mlr {
        return Err(Error::invalid(
            "estimator",
            "MLM and MLMV need complete data; with missing = FIML use MLR",
        ));
    }
    let q = names.len();
    let mut hess = Array2::<f64>::zeros((q, q));
    let mut indep = Vec::with_capacity(raw.len());
    let mut jacs = Vec::with_capacity(raw.len());
    for (g, gr) in raw.iter().enumerate() {
        let st = &blocks[g].st;
        let pt = &points[g];
        let local = fiml::full_jacobian(st, &pt.mats, &pt.imp);
        let mut jac = Array2::<f64>::zeros((local.nrows(), q));
        for (f, &k) in map[g].iter().enumerate() {
            let mut c = jac.column_mut(k);
            c += &local.column(f);
        }
        jacs.push(jac);
        indep.push(gr.pats.independence()?);
        if robust == Estimator::Mlr {
            let n = gr.pats.n_obs() as f64;
            let h = fiml::observed_information_analytic(st, gr.pats, gr.x, n, pt)
                .or_else(|| fiml::observed_information(st, gr.pats, n, &pt.theta))
                .ok_or_else(|| Error::NotPositiveDefinite {
                    matrix: "implied covariance".into(),
                })?;
            for (a, &ka) in map[g].iter().enumerate() {
                for (b, &kb) in map[g].iter().enumerate() {
                    hess[[ka, kb]] += n * h[[a, b]];
                }
            }
        }
    }
    let pieces: Vec<GroupPiece<'_>> = raw
        .iter()
        .enumerate()
        .map(|(g, gr)| GroupPiece {
            x: gr.x,
            pats: gr.pats,
            vech: &blocks[g].st.vech,
            jac: jacs[g].clone(),
            mu: &points[g].mu,
            sigma: &points[g].imp.sigma,
            h1_mean: gr.em_mean,
            h1_cov: gr.em_cov,
            indep_mean: indep[g].mean(),
            indep_var: indep[g].var(),
        })
        .collect();
    groups::prepare(scaling, &pieces, (robust == Estimator::Mlr).then_some(&hess), names, cons)
}

/// Add the robust measures of a structured-mean fit to its fit measures.
pub(super) fn structured_measures(
    fm: &mut Vec<(String, f64)>,
    prep: &Prepared,
    npar_rows: usize,
    fiml_missing: bool,
) {
    add_measures(fm, prep, npar_rows as f64, fiml_missing);
}
