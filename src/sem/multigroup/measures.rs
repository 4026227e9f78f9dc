//! Fit measures of a multi-group model: lavaan's multi-group conventions for RMSEA, SRMR and the
//! log-likelihoods.

use ndarray::Array2;

use super::super::partable::ParTable;
use crate::core::dist::{chisq_sf, ncp_root as solve_ncp, pnchisq};
use crate::error::Result;
use crate::summary::ParamRow;

pub(super) fn fix_row(row: &mut ParamRow, est: f64) {
    row.se = Some(0.0);
    row.ci_lower = Some(est);
    row.ci_upper = Some(est);
}

/// log|S_xx| of the fixed exogenous covariates and their number.
pub(super) fn exo_logl(pt: &ParTable, s: &Array2<f64>) -> Result<(f64, usize)> {
    if pt.ov_x.is_empty() {
        return Ok((0.0, 0));
    }
    let ix: Vec<usize> = pt.ov_x.iter().filter_map(|x| pt.ov.iter().position(|v| v == x)).collect();
    let sxx = Array2::from_shape_fn((ix.len(), ix.len()), |(a, b)| s[[ix[a], ix[b]]]);
    Ok((
        crate::core::linalg::spd_logdet(sxx.view(), "covariance of the exogenous covariates")?,
        ix.len(),
    ))
}

/// The exogenous covariates' marginal log-likelihood (not part of lavaan's logl).
pub(super) fn logl_x_term(n: f64, px: usize, logdet_sxx: f64) -> f64 {
    if px == 0 {
        return 0.0;
    }
    let pxf = px as f64;
    -n / 2.0 * (pxf * (2.0 * std::f64::consts::PI).ln() + logdet_sxx + pxf)
}

/// Bentler's SRMR of one group with lavaan's mean-structure convention: the (zero) residuals of
/// the saturated means count in the number of elements.
pub(super) fn srmr(s: &Array2<f64>, sigma: &Array2<f64>, p: usize) -> f64 {
    let mut sum = 0.0;
    for i in 0..p {
        for j in i..p {
            let r = (s[[i, j]] - sigma[[i, j]]) / (s[[i, i]].sqrt() * s[[j, j]].sqrt());
            sum += r * r;
        }
    }
    (sum / (p * (p + 1) / 2 + p) as f64).sqrt()
}

pub(super) struct FitParts {
    pub(super) fmin: f64,
    pub(super) ml: bool,
    pub(super) uls: bool,
    pub(super) npar: usize,
    pub(super) n: f64,
    pub(super) n_eff: f64,
    pub(super) groups: usize,
    pub(super) chisq: f64,
    pub(super) df: f64,
    pub(super) base_chisq: f64,
    pub(super) base_df: f64,
    pub(super) logl: f64,
    pub(super) ulogl: f64,
    pub(super) srmr: f64,
    pub(super) ci_level: f64,
}

pub(super) fn fit_measures(x: &FitParts) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = Vec::new();
    let mut put = |k: &str, v: f64| out.push((k.to_string(), v));
    let (chisq, df, bc, bdf) = (x.chisq, x.df, x.base_chisq, x.base_df);
    let k = x.npar as f64;
    put("npar", k);
    put("fmin", x.fmin);
    put("chisq", chisq);
    put("df", df);
    put("pvalue", if x.uls { f64::NAN } else { chisq_sf(chisq, df) });
    put("baseline.chisq", bc);
    put("baseline.df", bdf);
    put("baseline.pvalue", if x.uls { f64::NAN } else { chisq_sf(bc, bdf) });
    let t1 = (chisq - df).max(0.0);
    let t2 = (chisq - df).max(bc - bdf).max(0.0);
    put("cfi", if t1 == 0.0 && t2 == 0.0 { 1.0 } else { 1.0 - t1 / t2 });
    let tli = if df > 0.0 && bdf > 0.0 { (bc / bdf - chisq / df) / (bc / bdf - 1.0) } else { 1.0 };
    put("tli", tli);
    put("nnfi", tli);
    put("nfi", if bc > 0.0 { (bc - chisq) / bc } else { f64::NAN });
    put("ifi", (bc - chisq) / (bc - df));
    if x.ml {
        put("logl", x.logl);
        put("unrestricted.logl", x.ulogl);
        put("aic", -2.0 * x.logl + 2.0 * k);
        put("bic", -2.0 * x.logl + k * x.n.ln());
    }
    put("ntotal", x.n);
    if x.ml {
        put("bic2", -2.0 * x.logl + k * ((x.n + 2.0) / 24.0).ln());
    }
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
