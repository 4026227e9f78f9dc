//! Standardized solutions (std.lv, std.all, std.nox) and R².
//!
//! std.lv rescales by the model-implied standard deviations of the latent variables, std.all by
//! those of every variable; covariances between two different variables are divided by the
//! square roots of their residual variances (lavaan's residual correlations).

use ndarray::Array2;

use super::model::{Implied, Matrices, ModelStructure};
use super::partable::ParTable;
use super::syntax::Op;

/// Standard deviations and residual variances needed to standardize.
pub(crate) struct Scales {
    pub names: Vec<String>,
    pub is_lv: Vec<bool>,
    pub is_x: Vec<bool>,
    /// total variances
    pub var: Vec<f64>,
    /// residual variances (the model's own variance parameter)
    pub resvar: Vec<f64>,
}

impl Scales {
    pub(crate) fn new(pt: &ParTable, st: &ModelStructure, mats: &Matrices, imp: &Implied) -> Self {
        let eta = st.eta_cov(mats, imp);
        let mut names = Vec::new();
        let mut is_lv = Vec::new();
        let mut is_x = Vec::new();
        let mut var = Vec::new();
        let mut resvar = Vec::new();
        for (e, n) in pt.lv.iter().enumerate() {
            names.push(n.clone());
            is_lv.push(true);
            is_x.push(false);
            var.push(eta[[e, e]]);
            resvar.push(mats.psi[[e, e]]);
        }
        for (i, n) in pt.ov.iter().enumerate() {
            names.push(n.clone());
            is_lv.push(false);
            is_x.push(pt.ov_x.contains(n));
            var.push(imp.sigma[[i, i]]);
            resvar.push(match st.ov_eta[i] {
                Some(e) => mats.psi[[e, e]],
                None => mats.theta[[i, i]],
            });
        }
        Self { names, is_lv, is_x, var, resvar }
    }

    fn idx(&self, n: &str) -> Option<usize> {
        self.names.iter().position(|x| x == n)
    }

    /// (std.lv, std.all, std.nox) of a value `est` on row (lhs, op, rhs).
    pub(crate) fn standardize(&self, lhs: &str, op: Op, rhs: &str, est: f64) -> (f64, f64, f64) {
        if op == Op::Intercept {
            // an intercept / mean divided by the variable's model-implied SD
            let Some(a) = self.idx(lhs) else {
                return (f64::NAN, f64::NAN, f64::NAN);
            };
            let sd = self.var[a].sqrt();
            let lv = if self.is_lv[a] { est / sd } else { est };
            let nox = if self.is_x[a] { est } else { est / sd };
            return (lv, est / sd, nox);
        }
        let (Some(a), Some(b)) = (self.idx(lhs), self.idx(rhs)) else {
            return (f64::NAN, f64::NAN, f64::NAN);
        };
        let sd_lv = |k: usize| if self.is_lv[k] { self.var[k].sqrt() } else { 1.0 };
        let sd_all = |k: usize| self.var[k].sqrt();
        let sd_nox = |k: usize| if self.is_x[k] { 1.0 } else { self.var[k].sqrt() };
        match op {
            Op::Loading => (
                est * sd_lv(a) / sd_lv(b),
                est * sd_all(a) / sd_all(b),
                est * sd_nox(a) / sd_nox(b),
            ),
            Op::Regression => (
                est * sd_lv(b) / sd_lv(a),
                est * sd_all(b) / sd_all(a),
                est * sd_nox(b) / sd_nox(a),
            ),
            Op::Covariance => {
                if a == b {
                    let v = self.var[a];
                    let lv = if self.is_lv[a] { est / v } else { est };
                    let nox = if self.is_x[a] { est } else { est / v };
                    (lv, est / v, nox)
                } else {
                    let r_lv = |k: usize| if self.is_lv[k] { self.resvar[k].sqrt() } else { 1.0 };
                    let r_all = |k: usize| self.resvar[k].sqrt();
                    let r_nox = |k: usize| if self.is_x[k] { 1.0 } else { self.resvar[k].sqrt() };
                    (
                        est / (r_lv(a) * r_lv(b)),
                        est / (r_all(a) * r_all(b)),
                        est / (r_nox(a) * r_nox(b)),
                    )
                }
            }
            Op::Intercept | Op::Threshold => (f64::NAN, f64::NAN, f64::NAN),
        }
    }
}

/// R² of the endogenous variables: observed (not exogenous x) then endogenous latent variables.
pub(crate) fn r_squared(pt: &ParTable, sc: &Scales) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    let endo_lv = |f: &str| {
        pt.rows
            .iter()
            .any(|r| (r.op == Op::Regression && r.lhs == f) || (r.op == Op::Loading && r.rhs == f))
    };
    let nlv = pt.lv.len();
    for (i, n) in pt.ov.iter().enumerate() {
        if pt.ov_x.contains(n) {
            continue;
        }
        let k = nlv + i;
        let endo = pt.rows.iter().any(|r| {
            (r.op == Op::Loading && r.rhs == *n) || (r.op == Op::Regression && r.lhs == *n)
        });
        if endo {
            out.push((n.clone(), 1.0 - sc.resvar[k] / sc.var[k]));
        }
    }
    for (e, f) in pt.lv.iter().enumerate() {
        if endo_lv(f) {
            out.push((f.clone(), 1.0 - sc.resvar[e] / sc.var[e]));
        }
    }
    out
}

/// Latent correlation matrix from the η covariance (latent block only).
pub(crate) fn lv_correlation(st: &ModelStructure, mats: &Matrices, imp: &Implied) -> Array2<f64> {
    let eta = st.eta_cov(mats, imp);
    let l = st.n_lv;
    Array2::from_shape_fn((l, l), |(i, j)| eta[[i, j]] / (eta[[i, i]].sqrt() * eta[[j, j]].sqrt()))
}
