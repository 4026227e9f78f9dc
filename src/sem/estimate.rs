//! Evaluation of a complete-data discrepancy at a parameter value: the model matrices, Σ(θ), F
//! and the analytic gradient g = Δᵀ ∂F/∂vech Σ. The minimisation is the driver's
//! ([`super::driver`]).

use ndarray::{Array1, Array2};

use super::model::{Implied, Matrices, ModelStructure};
use super::objective::{Discrepancy, Objective, Value};

/// Optimisation algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Optimizer {
    /// BFGS, falling back to Fisher scoring from the last point if BFGS stops without
    /// converging (default; fastest on the benchmark models, see docs/methods/sem.md).
    #[default]
    Auto,
    /// Fisher scoring / Gauss–Newton on the expected information with step halving.
    FisherScoring,
    /// Quasi-Newton BFGS with a backtracking (Armijo) line search.
    Bfgs,
}

/// One evaluated point.
#[derive(Debug, Clone)]
pub(crate) struct Point {
    pub theta: Vec<f64>,
    pub mats: Matrices,
    pub imp: Implied,
    pub val: Value,
}

pub(crate) fn eval(st: &ModelStructure, obj: &Objective, theta: &[f64]) -> Option<Point> {
    if theta.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let mats = st.matrices(theta);
    let imp = st.implied(&mats).ok()?;
    let val = obj.value(&imp.sigma)?;
    Some(Point { theta: theta.to_vec(), mats, imp, val })
}

/// Gradient of F at a point and Δ.
pub(crate) fn gradient(
    st: &ModelStructure,
    obj: &Objective,
    pt: &Point,
) -> (Array1<f64>, Array2<f64>) {
    let delta = st.delta(&pt.imp);
    let gv = obj.grad_vech(&pt.imp.sigma, &pt.val);
    (delta.t().dot(&gv), delta)
}

/// Gradient of F at a point without forming Δ (the driver's inner loop).
pub(crate) fn gradient_only(st: &ModelStructure, obj: &Objective, pt: &Point) -> Array1<f64> {
    let g = obj.grad_sym(&pt.imp.sigma, &pt.val);
    st.gradient_sym(&pt.imp, &g)
}

/// Expected information per observation Δᵀ W Δ at a point; for ML and GLS without forming Δ
/// (W = Γ(Σ⁻¹) or Γ(S⁻¹)), for ULS (W = I) through Δ.
pub(crate) fn information(st: &ModelStructure, obj: &Objective, pt: &Point) -> Array2<f64> {
    let a = match obj.kind {
        Discrepancy::Ml => pt.val.sigma_inv.as_ref(),
        Discrepancy::Gls => Some(&obj.s_inv),
        Discrepancy::Uls => None,
    };
    match a {
        Some(a) => st.information_sym(&pt.imp, a),
        None => obj.information(&pt.val, &st.delta(&pt.imp)),
    }
}

/// The driver's result for a single-block (single-group, complete-data) model.
#[derive(Debug, Clone)]
pub(crate) struct OptResult {
    pub point: Point,
    pub iterations: usize,
    pub converged: bool,
    pub reason: String,
    pub grad_max: f64,
}

/// Minimise one complete-data discrepancy from `theta0` through the driver; `None` if Σ(θ) is
/// not positive definite at `theta0`.
pub(crate) fn minimize(
    st: &ModelStructure,
    obj: &Objective,
    theta0: &[f64],
    optimizer: Optimizer,
    max_iter: usize,
) -> Option<OptResult> {
    use super::driver::{Block, BlockObjective, run};
    let block = Block::single(st.clone(), BlockObjective::Moments(obj.clone()));
    eval(st, obj, theta0)?;
    let d = run(std::slice::from_ref(&block), st.npar, theta0, optimizer, max_iter)?;
    let point = d.points.into_iter().next()?.into_moments()?;
    Some(OptResult {
        point,
        iterations: d.iterations,
        converged: d.converged,
        reason: d.reason,
        grad_max: d.grad_max,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Dataset;

    /// The gradient and the information without Δ equal Δᵀ ∂F/∂vech Σ and Δᵀ W Δ for every
    /// discrepancy, with loadings,
    /// regressions, phantoms, equality labels and residual covariances.
    #[test]
    fn gradient_without_delta_equals_delta_product() {
        let d = Dataset::from_csv_path(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/data/HS_missing10.csv"
        ))
        .unwrap();
        for model in [
            "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9",
            "visual =~ x1 + a*x2 + a*x3\nspeed =~ x7 + x8 + x9\nspeed ~ visual\nx1 ~~ x7\nx8 ~ x2",
            "x9 ~ x1 + x5\nx5 ~ x1",
        ] {
            let m = crate::sem::Sem::from_syntax(model).unwrap().fixed_x(false).compile().unwrap();
            let x = d.select(&m.pt.ov).unwrap();
            let rows: Vec<usize> =
                (0..x.nrows()).filter(|&i| x.row(i).iter().all(|v| v.is_finite())).collect();
            let x = x.select(ndarray::Axis(0), &rows);
            let s = crate::core::linalg::crossprod(
                (&x - &x.mean_axis(ndarray::Axis(0)).unwrap()).view(),
            ) / (x.nrows() as f64);
            for kind in [Discrepancy::Ml, Discrepancy::Gls, Discrepancy::Uls] {
                let obj = Objective::new(kind, &s, m.st.vech.clone()).unwrap();
                let mut theta = crate::sem::start::start_values(&m.pt, &m.st, &s, false);
                for (k, t) in theta.iter_mut().enumerate() {
                    *t *= 1.0 + 0.05 * ((k % 3) as f64 - 1.0);
                }
                let pt = eval(&m.st, &obj, &theta).unwrap();
                let (a, _) = gradient(&m.st, &obj, &pt);
                let b = gradient_only(&m.st, &obj, &pt);
                let scale = a.iter().fold(1e-300f64, |s, v| s.max(v.abs()));
                for (u, v) in a.iter().zip(b.iter()) {
                    assert!((u - v).abs() < 1e-12 * scale, "{model} {kind:?}: {u} vs {v}");
                }
                let a = obj.information(&pt.val, &m.st.delta(&pt.imp));
                let b = information(&m.st, &obj, &pt);
                let scale = a.iter().fold(1e-300f64, |s, v| s.max(v.abs()));
                for (u, v) in a.iter().zip(b.iter()) {
                    assert!((u - v).abs() < 1e-12 * scale, "{model} {kind:?}: info {u} vs {v}");
                }
            }
        }
    }
}
