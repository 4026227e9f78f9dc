//! The parameter rows of a fit: estimates with standard errors, z, p and intervals, the
//! standardized solutions, the defined parameters (delta method), admissibility warnings and
//! lavaan-style names of the free parameters.

use std::collections::HashMap;

use ndarray::{Array1, Array2};

use super::model::ModelStructure;
use super::partable::ParTable;
use super::syntax::Op;
use super::{defined, model, standardize};
use crate::core::dist;
use crate::summary::ParamRow;
use crate::warning::Warning;

/// Parameter rows (estimates, inference, standardized values) and defined parameters.
pub(super) fn param_rows(
    pt: &ParTable,
    st: &ModelStructure,
    mats: &model::Matrices,
    imp: &model::Implied,
    vcov: &Array2<f64>,
    ci_level: f64,
) -> Vec<ParamRow> {
    let point_mats = mats;
    // standardized + parameter rows
    let sc = standardize::Scales::new(pt, st, point_mats, imp);
    let zq = dist::qnorm(0.5 + ci_level / 2.0);
    let mut rows = Vec::with_capacity(pt.rows.len() + pt.defined.len());
    let mut std_all_by_label: HashMap<String, (f64, f64)> = HashMap::new();
    for (k, r) in pt.rows.iter().enumerate() {
        let est = st.row_value(point_mats, k);
        let (slv, sall, _snox) = sc.standardize(&r.lhs, r.op, &r.rhs, est);
        let mut row = ParamRow::new(&r.lhs, r.op.as_str(), &r.rhs, est);
        row.label = r.label.clone();
        row.std_lv = Some(slv);
        row.std_all = Some(sall);
        match r.free {
            Some(fi) => {
                let se = vcov[[fi, fi]].max(0.0).sqrt();
                fill_inference(&mut row, est, se, zq);
            }
            None => {
                row.se = Some(0.0);
                row.ci_lower = Some(est);
                row.ci_upper = Some(est);
            }
        }
        if !r.label.is_empty() {
            std_all_by_label.entry(r.label.clone()).or_insert((slv, sall));
        }
        rows.push(row);
    }
    // defined parameters
    let q = pt.npar;
    let mut env: HashMap<String, defined::Dual> = HashMap::new();
    let mut env_lv: HashMap<String, defined::Dual> = HashMap::new();
    let mut env_all: HashMap<String, defined::Dual> = HashMap::new();
    for r in &pt.rows {
        if r.label.is_empty() || env.contains_key(&r.label) {
            continue;
        }
        let k = pt.rows.iter().position(|x| x.label == r.label).unwrap_or(0);
        let v = st.row_value(point_mats, k);
        let mut g = vec![0.0; q];
        if let Some(fi) = r.free {
            g[fi] = 1.0;
        }
        env.insert(r.label.clone(), defined::Dual { v, g });
        let (slv, sall) = std_all_by_label.get(&r.label).copied().unwrap_or((f64::NAN, f64::NAN));
        env_lv.insert(r.label.clone(), defined::Dual { v: slv, g: vec![0.0; q] });
        env_all.insert(r.label.clone(), defined::Dual { v: sall, g: vec![0.0; q] });
    }
    for (name, expr) in &pt.defined {
        let d = defined::eval(expr, &env, q);
        let dlv = defined::eval(expr, &env_lv, q);
        let dall = defined::eval(expr, &env_all, q);
        let mut row = ParamRow::new(name, ":=", expr.to_string().replace(' ', ""), d.v);
        row.label = name.clone();
        if d.v.is_finite() && d.g.iter().all(|x| x.is_finite()) {
            let g = Array1::from(d.g.clone());
            let se = g.dot(&vcov.dot(&g)).max(0.0).sqrt();
            fill_inference(&mut row, d.v, se, zq);
        } else {
            // undefined value (a/0, log of a negative number, ...): no estimate and no SE, as
            // lavaan's NA; the fit carries a warning (defined::undefined_warnings)
            row.est = f64::NAN;
        }
        row.std_lv = Some(dlv.v).filter(|v| v.is_finite());
        row.std_all = Some(dall.v).filter(|v| v.is_finite());
        rows.push(row);
        env.insert(name.clone(), d);
        env_lv.insert(name.clone(), dlv);
        env_all.insert(name.clone(), dall);
    }
    rows
}

/// Heywood cases and a non-positive-definite latent covariance.
pub(super) fn admissibility_warnings(
    pt: &ParTable,
    st: &ModelStructure,
    mats: &model::Matrices,
    imp: &model::Implied,
    warnings: &mut Vec<Warning>,
) {
    for (k, r) in pt.rows.iter().enumerate() {
        if r.op == Op::Covariance && r.lhs == r.rhs {
            let v = st.row_value(mats, k);
            if v < 0.0 {
                warnings.push(Warning::Heywood { variable: r.lhs.clone(), value: v });
            }
        }
    }
    if st.n_lv > 0 {
        let eta = st.eta_cov(mats, imp);
        let l = st.n_lv;
        let lvcov = Array2::from_shape_fn((l, l), |(i, j)| eta[[i, j]]);
        if crate::core::linalg::cholesky(lvcov.view(), "latent covariance").is_err() {
            warnings.push(Warning::NotPositiveDefinite {
                matrix: "model-implied covariance of the latent variables".into(),
            });
        }
    }
}

pub(super) fn fill_inference(row: &mut ParamRow, est: f64, se: f64, zq: f64) {
    row.se = Some(se);
    if se > 0.0 {
        let z = est / se;
        row.z = Some(z);
        row.pvalue = Some(2.0 * dist::pnorm(-z.abs()));
    }
    row.ci_lower = Some(est - zq * se);
    row.ci_upper = Some(est + zq * se);
}

/// lavaan-style names of the free parameters: the label if any, else `lhs op rhs`.
/// `(lhs, op, rhs)` of the first row of each free parameter, in free-parameter order.
pub(super) fn free_rows(pt: &ParTable) -> Vec<(String, String, String)> {
    (0..pt.npar)
        .map(|f| {
            pt.rows
                .iter()
                .find(|r| r.free == Some(f))
                .map(|r| (r.lhs.clone(), r.op.as_str().to_string(), r.rhs.clone()))
                .unwrap_or_default()
        })
        .collect()
}

pub(super) fn free_names(pt: &ParTable) -> Vec<String> {
    let mut names = vec![String::new(); pt.npar];
    for r in &pt.rows {
        if let Some(f) = r.free
            && names[f].is_empty()
        {
            names[f] = if r.label.is_empty() {
                format!("{}{}{}", r.lhs, r.op.as_str(), r.rhs)
            } else {
                r.label.clone()
            };
        }
    }
    names
}
