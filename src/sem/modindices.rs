//! Modification indices: univariate score tests for fixed-to-zero parameters (Sörbom, 1989;
//! Saris, Satorra & Sörbom, 1987).
//!
//! ```text
//! V   = I₁₁ − I₁₂ I₂₂⁻¹ I₂₁          (expected information per observation, extended model)
//! MI  = N s² / V_jj                   s = ∂ log L / ∂θ_j per observation = −½ ∂F/∂θ_j
//! EPC = s / V_jj
//! ```

use ndarray::Array2;

use super::estimate;
use super::model::ModelStructure;
use super::objective::Objective;
use super::partable::{ParRow, ParTable};
use super::standardize::Scales;
use super::syntax::Op;
use crate::error::Result;

/// One modification index.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ModIndex {
    /// Left-hand side.
    pub lhs: String,
    /// Operator (`=~`, `~`, `~~`).
    pub op: String,
    /// Right-hand side.
    pub rhs: String,
    /// Modification index (score chi-square, 1 df).
    pub mi: f64,
    /// Expected parameter change.
    pub epc: f64,
    /// EPC standardized on the latent variables.
    pub sepc_lv: f64,
    /// EPC standardized on all variables.
    pub sepc_all: f64,
    /// EPC standardized on all variables but exogenous covariates.
    pub sepc_nox: f64,
}

fn candidates(pt: &ParTable) -> Vec<(String, Op, String)> {
    let has = |v: &Vec<String>, s: &str| v.iter().any(|x| x == s);
    let ov_nox: Vec<String> = pt.ov.iter().filter(|v| !has(&pt.ov_x, v)).cloned().collect();
    let mut eqs: Vec<String> = Vec::new();
    let mut indicators: Vec<String> = Vec::new();
    for r in &pt.rows {
        if r.op == Op::Regression {
            for v in [&r.lhs, &r.rhs] {
                if !has(&eqs, v) {
                    eqs.push(v.clone());
                }
            }
        }
        if r.op == Op::Loading && !has(&indicators, &r.rhs) {
            indicators.push(r.rhs.clone());
        }
    }
    let mut out = Vec::new();
    for f in &pt.lv {
        for v in &ov_nox {
            if !has(&eqs, v) {
                out.push((f.clone(), Op::Loading, v.clone()));
            }
        }
    }
    let other = |v: &str| !has(&indicators, v) && !has(&pt.ov_x, v) && !has(&eqs, v);
    for (i, a) in ov_nox.iter().enumerate() {
        for b in ov_nox.iter().skip(i) {
            if other(a) || other(b) {
                continue;
            }
            out.push((a.clone(), Op::Covariance, b.clone()));
        }
    }
    for (i, a) in pt.lv.iter().enumerate() {
        for b in pt.lv.iter().skip(i) {
            out.push((a.clone(), Op::Covariance, b.clone()));
        }
    }
    for y in &eqs {
        for x in &eqs {
            if x == y
                || has(&pt.ov_x, y)
                || (has(&indicators, y) && has(&pt.lv, x) && !has(&pt.lv, y))
            {
                continue;
            }
            out.push((y.clone(), Op::Regression, x.clone()));
        }
    }
    out.retain(|(l, op, r)| {
        !pt.rows.iter().any(|q| {
            q.op == *op
                && ((q.lhs == *l && q.rhs == *r)
                    || (*op == Op::Covariance && q.lhs == *r && q.rhs == *l))
        })
    });
    out
}

pub(crate) fn compute(
    pt: &ParTable,
    theta: &[f64],
    obj: &Objective,
    info_inv: &Array2<f64>,
    n: f64,
    sc: &Scales,
) -> Result<Vec<ModIndex>> {
    let cands = candidates(pt);
    if cands.is_empty() {
        return Ok(Vec::new());
    }
    let q = pt.npar;
    let mut ext = pt.clone();
    for (k, (l, op, r)) in cands.iter().enumerate() {
        ext.rows.push(ParRow {
            lhs: l.clone(),
            op: *op,
            rhs: r.clone(),
            label: String::new(),
            user: false,
            fixed: None,
            start: None,
            exo: false,
            free: Some(q + k),
        });
    }
    ext.npar = q + cands.len();
    let st = ModelStructure::new(&ext)?;
    let mut th = theta.to_vec();
    th.extend(std::iter::repeat_n(0.0, cands.len()));
    let Some(pt_ext) = estimate::eval(&st, obj, &th) else {
        return Ok(Vec::new());
    };
    let (g, delta) = estimate::gradient(&st, obj, &pt_ext);
    let info = obj.information(&pt_ext.val, &delta);
    let nc = cands.len();
    let i11 = Array2::from_shape_fn((nc, nc), |(a, b)| info[[q + a, q + b]]);
    let i12 = Array2::from_shape_fn((nc, q), |(a, b)| info[[q + a, b]]);
    let v = &i11 - &i12.dot(info_inv).dot(&i12.t());
    let thresh = f64::EPSILON.powf(1.0 / 3.0);
    let mut out = Vec::new();
    for (k, (l, op, r)) in cands.iter().enumerate() {
        let vjj = v[[k, k]];
        if vjj.is_nan() || vjj < thresh {
            continue;
        }
        let score = -0.5 * g[q + k];
        let mi = n * score * score / vjj;
        let epc = score / vjj;
        let sign = epc.signum();
        let (slv, sall, snox) = sc.standardize(l, *op, r, epc.abs());
        out.push(ModIndex {
            lhs: l.clone(),
            op: op.as_str().to_string(),
            rhs: r.clone(),
            mi,
            epc,
            sepc_lv: sign * slv,
            sepc_all: sign * sall,
            sepc_nox: sign * snox,
        });
    }
    Ok(out)
}
