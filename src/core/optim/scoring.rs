//! Fisher scoring / Newton with step halving and Levenberg–Marquardt damping.

use super::{Options, Outcome, Problem, Termination, dot, max_abs};
use crate::core::linalg::small;

/// Minimise `problem` from `x0` by Fisher scoring (Newton when [`Problem::information`] returns
/// the observed Hessian).
///
/// Each iteration solves `(H + λ·m·D) δ = g` by Cholesky, with `H` the information, `D` its
/// diagonal magnitudes bounded below by `m` = the largest diagonal element, and `λ` = 0 unless
/// a previous line search failed (then 10⁻⁴, ×100 per failure; the ridge is raised further,
/// 12 times at most, until the system is positive definite). It tries `x − t δ` for
/// `t = 1, ½, …` (40 halvings at most) with the Armijo condition.
///
/// Stops when the largest gradient component is below `opts.gtol` ([`Termination::Gradient`]);
/// when the undamped step is below `100·opts.xtol` or its predicted decrease is at the
/// objective's rounding level, or an accepted step moved less than `opts.xtol` with a decrease
/// at rounding level ([`Termination::RelativeChange`]); when the line search fails at damping
/// above 10⁶ ([`Termination::LineSearch`]; converged if the gradient is below
/// `opts.floor_gtol`, checked at every failure); when the problem has no information matrix or
/// it cannot be factorised ([`Termination::NonFinite`]); or after `opts.max_iter` iterations.
pub(crate) fn scoring<P: Problem + ?Sized>(problem: &mut P, x0: &[f64], opts: &Options) -> Outcome {
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut g = vec![0.0; n];
    let mut h = vec![0.0; n * n];
    let mut a = vec![0.0; n * n];
    let mut step = vec![0.0; n];
    let mut xt = vec![0.0; n];
    let mut evals = 1usize;
    let done = |x, f, grad_max, iterations, evaluations, termination, converged| Outcome {
        x,
        f,
        grad_max,
        iterations,
        evaluations,
        termination,
        converged,
    };
    let Some(mut f) = problem.value(&x).filter(|f| f.is_finite()) else {
        return done(x, f64::NAN, f64::INFINITY, 0, evals, Termination::NonFinite, false);
    };
    let mut lambda = 0.0;
    let mut grad_max = f64::INFINITY;
    // derivatives are recomputed only when the point changed (the calling contract)
    let mut fresh = true;
    for it in 0..opts.max_iter {
        if fresh {
            if !problem.gradient(&x, &mut g) || g.iter().any(|v| !v.is_finite()) {
                return done(x, f, grad_max, it, evals, Termination::NonFinite, false);
            }
            grad_max = max_abs(&g);
            if grad_max < opts.gtol {
                return done(x, f, grad_max, it, evals, Termination::Gradient, true);
            }
            if !problem.information(&x, &mut h) {
                return done(x, f, grad_max, it, evals, Termination::NonFinite, false);
            }
            fresh = false;
        }
        if !solve_damped(&h, &g, lambda, &mut a, &mut step) {
            return done(x, f, grad_max, it, evals, Termination::NonFinite, false);
        }
        let slope = -dot(&g, &step);
        let step_max = max_abs(&step);
        if lambda == 0.0 && (step_max < opts.xtol * 100.0 || -slope < 1e-15 * (1.0 + f.abs())) {
            return done(x, f, grad_max, it, evals, Termination::RelativeChange, true);
        }
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            for i in 0..n {
                xt[i] = x[i] - t * step[i];
            }
            if xt.iter().all(|v| v.is_finite()) {
                evals += 1;
                if let Some(ft) = problem.value(&xt)
                    && ft <= f + 1e-4 * t * slope.min(0.0)
                {
                    accepted = Some(ft);
                    break;
                }
            }
            t *= 0.5;
        }
        match accepted {
            Some(fnew) => {
                let moved = t * step_max;
                let df = f - fnew;
                std::mem::swap(&mut x, &mut xt);
                f = fnew;
                fresh = true;
                // damping is only a fallback for failed line searches; drop it after a success
                lambda = 0.0;
                if moved < opts.xtol && df <= 1e-15 * (1.0 + f.abs()) {
                    if problem.gradient(&x, &mut g) {
                        grad_max = max_abs(&g);
                    }
                    return done(x, f, grad_max, it + 1, evals, Termination::RelativeChange, true);
                }
            }
            None => {
                if grad_max < opts.floor_gtol {
                    return done(x, f, grad_max, it + 1, evals, Termination::LineSearch, true);
                }
                if lambda > 1e6 {
                    return done(x, f, grad_max, it + 1, evals, Termination::LineSearch, false);
                }
                // the last value call was at a rejected trial: restore the calling contract
                evals += 1;
                if problem.value(&x).is_none() {
                    return done(x, f, grad_max, it + 1, evals, Termination::NonFinite, false);
                }
                lambda = (lambda * 100.0).max(1e-4);
            }
        }
    }
    done(x, f, grad_max, opts.max_iter, evals, Termination::MaxIterations, false)
}

/// Solve `(H + ridge·diag) x = g` by Cholesky, raising the ridge (relative to the largest
/// diagonal element) from `lambda` until the system is positive definite; `a` is n × n scratch.
fn solve_damped(h: &[f64], g: &[f64], lambda: f64, a: &mut [f64], x: &mut [f64]) -> bool {
    let n = g.len();
    let maxd = (0..n).map(|i| h[i * n + i].abs()).fold(0.0f64, f64::max).max(1e-300);
    let mut ridge = lambda;
    for _ in 0..12 {
        a.copy_from_slice(h);
        for i in 0..n {
            a[i * n + i] += ridge * maxd.max(h[i * n + i].abs());
        }
        if small::cholesky_in_place(a, n) {
            x.copy_from_slice(g);
            small::chol_solve(a, n, x, 1);
            if x.iter().all(|v| v.is_finite()) {
                return true;
            }
        }
        ridge = if ridge == 0.0 { 1e-10 } else { ridge * 100.0 };
    }
    false
}
