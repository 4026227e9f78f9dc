//! Unconstrained BFGS with an Armijo backtracking line search.

use super::{Options, Outcome, Problem, Termination, bfgs_update, dot, max_abs, set_identity};
use crate::core::linalg::small;

/// Minimise `problem` from `x0` by BFGS.
///
/// The initial inverse Hessian is the inverse of [`Problem::information`] at `x0` when the
/// problem offers a positive definite one; otherwise the identity, rescaled after the first
/// step (Nocedal & Wright eq. 6.20). Each iteration tries `t = 1, ½, ¼, …` (50 halvings at most)
/// until `f(x + t d) ≤ f(x) + 10⁻⁴ t gᵀd`; a direction that is not a descent direction resets
/// the approximation to the identity.
///
/// Stops when the largest gradient component is below `opts.gtol`
/// ([`Termination::Gradient`]), when the largest parameter change is below `opts.xtol` and the
/// decrease is at the objective's rounding level, or the relative decrease is below
/// `opts.ftol_rel` ([`Termination::RelativeChange`]), when the line search fails
/// ([`Termination::LineSearch`], converged if the gradient is below `opts.floor_gtol`), or after
/// `opts.max_iter` iterations.
pub(crate) fn bfgs<P: Problem + ?Sized>(problem: &mut P, x0: &[f64], opts: &Options) -> Outcome {
    let n = x0.len();
    let mut x = x0.to_vec();
    let mut g = vec![0.0; n];
    let mut evals = 1usize;
    let start = problem.value(&x).filter(|f| f.is_finite());
    let Some(mut f) =
        start.filter(|_| problem.gradient(&x, &mut g) && g.iter().all(|v| v.is_finite()))
    else {
        return Outcome {
            x,
            f: start.unwrap_or(f64::NAN),
            grad_max: f64::INFINITY,
            iterations: 0,
            evaluations: evals,
            termination: Termination::NonFinite,
            converged: false,
        };
    };
    let mut h = vec![0.0; n * n];
    let mut scratch = vec![0.0; n * n];
    let mut scale_first = true;
    if problem.information(&x, &mut scratch) && small::cholesky_in_place(&mut scratch, n) {
        small::chol_inverse(&scratch, n, &mut h, &mut vec![0.0; n * n]);
        scale_first = false;
    } else {
        set_identity(&mut h, n, 1.0);
    }
    let mut d = vec![0.0; n];
    let mut xt = vec![0.0; n];
    let mut gt = vec![0.0; n];
    let mut s = vec![0.0; n];
    let mut y = vec![0.0; n];
    let mut hy = vec![0.0; n];
    let mut grad_max = max_abs(&g);
    let done = |x, f, grad_max, iterations, evaluations, termination, converged| Outcome {
        x,
        f,
        grad_max,
        iterations,
        evaluations,
        termination,
        converged,
    };
    for it in 0..opts.max_iter {
        if grad_max < opts.gtol {
            return done(x, f, grad_max, it, evals, Termination::Gradient, true);
        }
        for (di, row) in d.iter_mut().zip(h.chunks_exact(n.max(1))) {
            *di = -dot(row, &g);
        }
        let mut slope = dot(&g, &d);
        if slope.is_nan() || slope >= 0.0 {
            set_identity(&mut h, n, 1.0);
            scale_first = true;
            for i in 0..n {
                d[i] = -g[i];
            }
            slope = dot(&g, &d);
        }
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..50 {
            for i in 0..n {
                xt[i] = x[i] + t * d[i];
            }
            if xt.iter().all(|v| v.is_finite()) {
                evals += 1;
                if let Some(ft) = problem.value(&xt)
                    && ft <= f + 1e-4 * t * slope
                {
                    accepted = Some(ft);
                    break;
                }
            }
            t *= 0.5;
        }
        let Some(fnew) = accepted else {
            let converged = grad_max < opts.floor_gtol;
            return done(x, f, grad_max, it, evals, Termination::LineSearch, converged);
        };
        if !problem.gradient(&xt, &mut gt) || gt.iter().any(|v| !v.is_finite()) {
            return done(x, f, grad_max, it + 1, evals, Termination::NonFinite, false);
        }
        for i in 0..n {
            s[i] = xt[i] - x[i];
            y[i] = gt[i] - g[i];
        }
        let sy = dot(&s, &y);
        let moved = max_abs(&s);
        let df = f - fnew;
        std::mem::swap(&mut x, &mut xt);
        std::mem::swap(&mut g, &mut gt);
        f = fnew;
        grad_max = max_abs(&g);
        if sy > 1e-300 {
            if scale_first {
                set_identity(&mut h, n, sy / dot(&y, &y));
                scale_first = false;
            }
            bfgs_update(&mut h, &s, &y, sy, &mut hy);
        }
        let rounding = df <= 1e-15 * (1.0 + f.abs());
        let rel = df / f.abs().max(1e-300);
        if (moved < opts.xtol && rounding)
            || (opts.ftol_rel > 0.0 && rel >= 0.0 && rel < opts.ftol_rel)
        {
            return done(x, f, grad_max, it + 1, evals, Termination::RelativeChange, true);
        }
    }
    done(x, f, grad_max, opts.max_iter, evals, Termination::MaxIterations, false)
}
