//! Minimisation with the problem separated from the solver.
//!
//! A [`Problem`] supplies the objective, its gradient and, optionally, an information matrix
//! (the expected or observed Hessian). Three solvers use it:
//!
//! - [`bfgs`]: quasi-Newton BFGS with an Armijo backtracking line search; the initial inverse
//!   Hessian is the inverse of [`Problem::information`] when the problem offers one.
//! - [`box_bfgs`]: projected BFGS for `lo ≤ x ≤ hi` (Armijo search along the projection arc;
//!   the active set is the variables at a bound whose gradient points outwards).
//! - [`scoring`]: Fisher scoring / Newton on [`Problem::information`], with step halving and
//!   Levenberg–Marquardt damping when the information is not positive definite.
//!
//! Each returns an [`Outcome`]: the minimiser, the value, the largest gradient component and the
//! reason for stopping as data ([`Termination`]). Every loop is bounded by [`Options::max_iter`]
//! and a fixed number of step halvings.
//!
//! # Calling contract
//! The solvers call [`Problem::gradient`] and [`Problem::information`] only at the point of the
//! most recent [`Problem::value`] call, so a problem may cache whatever it computed for the value
//! (implied matrices, decompositions) and reuse it for the derivatives.
//!
//! # Examples
//! ```ignore
//! struct Quadratic;
//! impl Problem for Quadratic {
//!     fn value(&mut self, x: &[f64]) -> Option<f64> { Some(x[0] * x[0] + 3.0 * x[1] * x[1]) }
//!     fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> bool {
//!         g[0] = 2.0 * x[0];
//!         g[1] = 6.0 * x[1];
//!         true
//!     }
//! }
//! let out = bfgs(&mut Quadratic, &[1.0, 1.0], &Options::default());
//! assert!(out.converged && out.x[0].abs() < 1e-8);
//! ```
//!
//! # References
//! Nocedal, J. & Wright, S. J. (2006). *Numerical Optimization* (2nd ed.), ch. 3 (line search),
//! 6 (BFGS, eq. 6.17 and the initial scaling 6.20), 16.7 (projection methods for bounds).

// The unconstrained solvers are the building blocks of the SEM estimation driver; the lint
// allowances keep them compiling cleanly in builds where only the factor extraction uses this
// module.
#![allow(dead_code, unused_imports)]

mod bfgs;
mod box_bfgs;
mod scoring;

pub(crate) use bfgs::bfgs;
pub(crate) use box_bfgs::box_bfgs;
pub(crate) use scoring::scoring;

/// An objective to minimise over `x ∈ ℝⁿ`.
pub(crate) trait Problem {
    /// The objective at `x`, or `None` where it is undefined (outside the model's domain).
    fn value(&mut self, x: &[f64]) -> Option<f64>;

    /// The gradient at `x` into `g` (length n); `false` if it cannot be computed. Called only at
    /// the point of the latest [`Problem::value`] call.
    fn gradient(&mut self, x: &[f64], g: &mut [f64]) -> bool;

    /// Value and gradient together (override when they share work).
    fn value_gradient(&mut self, x: &[f64], g: &mut [f64]) -> Option<f64> {
        let f = self.value(x)?;
        self.gradient(x, g).then_some(f)
    }

    /// An information matrix at `x` (positive semi-definite Hessian or its expectation), n × n
    /// row-major into `h`; `false` if the problem has none (the default). Called only at the
    /// point of the latest [`Problem::value`] call.
    fn information(&mut self, _x: &[f64], _h: &mut [f64]) -> bool {
        false
    }
}

/// Stopping rules shared by the solvers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Options {
    /// Converged when the largest (projected) gradient component is at or below this.
    pub gtol: f64,
    /// Converged when the relative decrease of the objective in one step is below this
    /// (`0` disables; R's L-BFGS-B uses `factr · ε ≈ 2.2e-9`).
    pub ftol_rel: f64,
    /// Converged when the largest parameter change of a step is below this and the decrease of
    /// the objective is at its rounding level (`0` disables).
    pub xtol: f64,
    /// A line search that finds no decrease counts as convergence (at the numerical floor) when
    /// the largest gradient component is below this.
    pub floor_gtol: f64,
    /// Iteration limit.
    pub max_iter: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { gtol: 1e-10, ftol_rel: 0.0, xtol: 1e-11, floor_gtol: 1e-7, max_iter: 1000 }
    }
}

/// Why a solver stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Termination {
    /// The largest (projected) gradient component fell to [`Options::gtol`].
    Gradient,
    /// The step or the relative decrease of the objective fell below its tolerance, or the
    /// objective stopped decreasing at its rounding level.
    RelativeChange,
    /// [`Options::max_iter`] iterations were used.
    MaxIterations,
    /// No step length along the search direction decreased the objective.
    LineSearch,
    /// The objective or its derivatives were undefined or non-finite at the start, or the
    /// information matrix could not be factorised at any damping.
    NonFinite,
}

impl Termination {
    /// A short description.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Termination::Gradient => "gradient below tolerance",
            Termination::RelativeChange => "change below tolerance",
            Termination::MaxIterations => "iteration limit reached",
            Termination::LineSearch => "line search found no decrease",
            Termination::NonFinite => "objective or derivatives not finite",
        }
    }
}

/// Result of a minimisation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    /// The last accepted point.
    pub x: Vec<f64>,
    /// The objective at `x`.
    pub f: f64,
    /// The largest (projected) gradient component at `x` (∞ if never computed).
    pub grad_max: f64,
    /// Iterations used.
    pub iterations: usize,
    /// Objective evaluations used.
    pub evaluations: usize,
    /// Why the solver stopped.
    pub termination: Termination,
    /// Whether the stop counts as convergence: by gradient or relative change, or a failed line
    /// search at the numerical floor ([`Options::floor_gtol`]).
    pub converged: bool,
}

impl Outcome {
    /// One sentence for a convergence record.
    pub(crate) fn reason(&self) -> String {
        format!(
            "{} (largest gradient component {:.1e}, {} evaluations)",
            self.termination.describe(),
            self.grad_max,
            self.evaluations
        )
    }
}

/// Largest absolute component.
pub(crate) fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |a, b| a.max(b.abs()))
}

use crate::core::linalg::small::dot;

/// BFGS inverse update `H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ` (`h` n × n row-major; `hy`
/// scratch of length n).
fn bfgs_update(h: &mut [f64], s: &[f64], y: &[f64], sy: f64, hy: &mut [f64]) {
    let n = s.len();
    let rho = 1.0 / sy;
    for (hyi, row) in hy.iter_mut().zip(h.chunks_exact(n.max(1))) {
        *hyi = dot(row, y);
    }
    let yhy = dot(y, hy);
    let k = rho * rho * yhy + rho;
    for ((row, &si), &hyi) in h.chunks_exact_mut(n.max(1)).zip(s).zip(hy.iter()) {
        let ksi = k * si;
        for ((hij, &sj), &hyj) in row.iter_mut().zip(s).zip(hy.iter()) {
            *hij += -rho * (hyi * sj + si * hyj) + ksi * sj;
        }
    }
}

fn set_identity(h: &mut [f64], n: usize, scale: f64) {
    h.fill(0.0);
    for i in 0..n {
        h[i * n + i] = scale;
    }
}

#[cfg(test)]
mod tests;
