//! Evaluation of a complete-data discrepancy at a parameter value: the model matrices, Σ(θ), F
//! and the analytic gradient g = Δᵀ ∂F/∂vech Σ. The minimisation is the driver's
//! ([`super::driver`]).

use ndarray::{Array1, Array2};

use super::model::{Implied, Matrices, ModelStructure};
use super::objective::{Objective, Value};

/// Optimisation algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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
