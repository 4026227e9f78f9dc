//! Minimisation of the discrepancy function: Fisher scoring (Gauss–Newton on the expected
//! information, with step halving and Levenberg–Marquardt damping) or BFGS with a backtracking
//! line search. Both use the analytic gradient g = Δᵀ ∂F/∂vech Σ.

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

/// Result of an optimisation.
#[derive(Debug, Clone)]
pub(crate) struct OptResult {
    pub point: Point,
    pub iterations: usize,
    pub converged: bool,
    pub reason: String,
    pub grad_max: f64,
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

fn max_abs(v: &Array1<f64>) -> f64 {
    v.iter().fold(0.0f64, |a, b| a.max(b.abs()))
}

const GRAD_TOL: f64 = 1e-10;
const STEP_TOL: f64 = 1e-11;

/// Solve (H + ridge·diag) x = g by Cholesky, raising the ridge (relative to the largest diagonal
/// element) from `lambda` until the system is positive definite.
pub(crate) fn solve_damped(h: &Array2<f64>, g: &Array1<f64>, lambda: f64) -> Option<Array1<f64>> {
    let q = h.nrows();
    let maxd = (0..q).map(|i| h[[i, i]].abs()).fold(0.0f64, f64::max).max(1e-300);
    let mut ridge = lambda;
    for _ in 0..12 {
        let mut a = h.clone();
        for i in 0..q {
            a[[i, i]] += ridge * maxd.max(h[[i, i]].abs());
        }
        if let Some(x) = crate::core::linalg::small::spd_solve(&a, g)
            && x.iter().all(|v| v.is_finite())
        {
            return Some(x);
        }
        ridge = if ridge == 0.0 { 1e-10 } else { ridge * 100.0 };
    }
    None
}

pub(crate) fn fisher_scoring(
    st: &ModelStructure,
    obj: &Objective,
    start: Point,
    max_iter: usize,
) -> OptResult {
    let mut pt = start;
    let mut lambda = 0.0;
    let mut grad_max = f64::INFINITY;
    for it in 0..max_iter {
        let (g, delta) = gradient(st, obj, &pt);
        grad_max = max_abs(&g);
        if grad_max < GRAD_TOL {
            return OptResult {
                point: pt,
                iterations: it,
                converged: true,
                reason: "gradient below tolerance".into(),
                grad_max,
            };
        }
        let h = obj.information(&pt.val, &delta) * 2.0;
        let Some(step) = solve_damped(&h, &g, lambda) else {
            return OptResult {
                point: pt,
                iterations: it,
                converged: false,
                reason: "information matrix is singular".into(),
                grad_max,
            };
        };
        let slope = -g.dot(&step);
        // converged when the scoring step (the estimated distance to the optimum) or the predicted
        // decrease of F is negligible
        let step_max = max_abs(&step);
        if lambda == 0.0 && (step_max < STEP_TOL * 100.0 || -slope < 1e-15 * (1.0 + pt.val.f.abs()))
        {
            return OptResult {
                point: pt,
                iterations: it,
                converged: true,
                reason: "scoring step below tolerance".into(),
                grad_max,
            };
        }
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            let cand: Vec<f64> = pt.theta.iter().zip(step.iter()).map(|(a, s)| a - t * s).collect();
            if let Some(np) = eval(st, obj, &cand)
                && np.val.f <= pt.val.f + 1e-4 * t * slope.min(0.0)
            {
                accepted = Some(np);
                break;
            }
            t *= 0.5;
        }
        match accepted {
            Some(np) => {
                let moved = step.iter().fold(0.0f64, |a, s| a.max((t * s).abs()));
                let df = pt.val.f - np.val.f;
                pt = np;
                // damping is only a fallback for failed line searches; drop it after a success
                lambda = 0.0;
                if moved < STEP_TOL && df <= 1e-15 * (1.0 + pt.val.f.abs()) {
                    let (g2, _) = gradient(st, obj, &pt);
                    grad_max = max_abs(&g2);
                    return OptResult {
                        point: pt,
                        iterations: it + 1,
                        converged: true,
                        reason: "parameter change below tolerance".into(),
                        grad_max,
                    };
                }
            }
            None => {
                // no decrease possible along the scoring direction: at the numerical floor?
                if grad_max < 1e-7 {
                    return OptResult {
                        point: pt,
                        iterations: it + 1,
                        converged: true,
                        reason: "no further decrease (numerical precision reached)".into(),
                        grad_max,
                    };
                }
                if lambda > 1e6 {
                    return OptResult {
                        point: pt,
                        iterations: it + 1,
                        converged: false,
                        reason: "line search failed".into(),
                        grad_max,
                    };
                }
                lambda = (lambda * 100.0).max(1e-4);
            }
        }
    }
    OptResult {
        point: pt,
        iterations: max_iter,
        converged: false,
        reason: "iteration limit reached".into(),
        grad_max,
    }
}

pub(crate) fn bfgs(
    st: &ModelStructure,
    obj: &Objective,
    start: Point,
    max_iter: usize,
) -> OptResult {
    let q = start.theta.len();
    let mut pt = start;
    let (mut g, delta) = gradient(st, obj, &pt);
    // initial inverse Hessian: inverse of the scoring matrix (a good scale), identity if singular
    let h0 = obj.information(&pt.val, &delta) * 2.0;
    let mut hinv = crate::core::linalg::small::spd_inverse_logdet(&h0)
        .map(|(i, _)| i)
        .unwrap_or_else(|| Array2::eye(q));
    let mut grad_max = max_abs(&g);
    for it in 0..max_iter {
        if grad_max < GRAD_TOL {
            return OptResult {
                point: pt,
                iterations: it,
                converged: true,
                reason: "gradient below tolerance".into(),
                grad_max,
            };
        }
        let mut dir = -hinv.dot(&g);
        let mut slope = g.dot(&dir);
        if slope.is_nan() || slope >= 0.0 {
            hinv = Array2::eye(q);
            dir = -g.clone();
            slope = g.dot(&dir);
        }
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..50 {
            let cand: Vec<f64> = pt.theta.iter().zip(dir.iter()).map(|(a, d)| a + t * d).collect();
            if let Some(np) = eval(st, obj, &cand)
                && np.val.f <= pt.val.f + 1e-4 * t * slope
            {
                accepted = Some(np);
                break;
            }
            t *= 0.5;
        }
        let Some(np) = accepted else {
            let converged = grad_max < 1e-7;
            return OptResult {
                point: pt,
                iterations: it,
                converged,
                reason: if converged {
                    "no further decrease (numerical precision reached)".into()
                } else {
                    "line search failed".into()
                },
                grad_max,
            };
        };
        let (g_new, _) = gradient(st, obj, &np);
        let s = Array1::from_iter(np.theta.iter().zip(pt.theta.iter()).map(|(a, b)| a - b));
        let y = &g_new - &g;
        let sy = s.dot(&y);
        let moved = max_abs(&s);
        let df = pt.val.f - np.val.f;
        pt = np;
        g = g_new;
        grad_max = max_abs(&g);
        if sy > 1e-300 {
            let rho = 1.0 / sy;
            let hy = hinv.dot(&y);
            let yhy = y.dot(&hy);
            // H ← H − ρ(H y sᵀ + s yᵀ H) + (ρ² yᵀHy + ρ) s sᵀ
            for i in 0..q {
                for j in 0..q {
                    hinv[[i, j]] += -rho * (hy[i] * s[j] + s[i] * hy[j])
                        + (rho * rho * yhy + rho) * s[i] * s[j];
                }
            }
        }
        if moved < STEP_TOL && df <= 1e-15 * (1.0 + pt.val.f.abs()) {
            return OptResult {
                point: pt,
                iterations: it + 1,
                converged: true,
                reason: "parameter change below tolerance".into(),
                grad_max,
            };
        }
    }
    OptResult {
        point: pt,
        iterations: max_iter,
        converged: false,
        reason: "iteration limit reached".into(),
        grad_max,
    }
}
