//! Projected BFGS for box constraints `lo ≤ x ≤ hi`.
//!
//! Dense inverse-Hessian approximation (for a handful to a few hundred parameters). The active
//! set is the variables at a bound whose gradient points outwards; the quasi-Newton direction is
//! taken on the free variables and the Armijo search runs along the projection arc
//! `P(x + t d)`. The approximation restarts from the identity whenever the active set changes,
//! and its first step is scaled (Nocedal & Wright eq. 6.20).

use super::{Options, Outcome, Problem, Termination, bfgs_update, dot, set_identity};

/// Minimise `problem` over the box `lo ≤ x ≤ hi` (per variable; `lo`, `hi` and `x0` have the
/// same length) from `x0` (clamped into the box).
///
/// Stops when the projected gradient's largest component is at or below `opts.gtol`
/// ([`Termination::Gradient`]), when the relative decrease of one step is below
/// `opts.ftol_rel` or three successive decreases are at the objective's rounding level
/// ([`Termination::RelativeChange`]; converged only if the projected gradient is below 1e-6 in
/// the latter case), when no step decreases the objective ([`Termination::LineSearch`];
/// converged if the projected gradient is below `max(gtol, 1e-6)`), or after `opts.max_iter`
/// iterations. `opts.xtol` and `opts.floor_gtol` are not used.
pub(crate) fn box_bfgs<P: Problem + ?Sized>(
    problem: &mut P,
    x0: &[f64],
    lo: &[f64],
    hi: &[f64],
    opts: &Options,
) -> Outcome {
    let n = x0.len();
    let mut evals = 0usize;
    let mut x: Vec<f64> = (0..n).map(|i| x0[i].clamp(lo[i], hi[i])).collect();
    let mut g = vec![0.0; n];
    evals += 1;
    let Some(mut f) = problem.value_gradient(&x, &mut g).filter(|f| f.is_finite()) else {
        return Outcome {
            x,
            f: f64::NAN,
            grad_max: f64::INFINITY,
            iterations: 0,
            evaluations: evals,
            termination: Termination::NonFinite,
            converged: false,
        };
    };
    let proj_grad_max = |x: &[f64], g: &[f64]| {
        (0..n).fold(0.0_f64, |m, i| m.max((x[i] - (x[i] - g[i]).clamp(lo[i], hi[i])).abs()))
    };
    let mut h = vec![0.0; n * n];
    set_identity(&mut h, n, 1.0);
    let mut first = true;
    let mut iter = 0;
    let mut free = vec![true; n];
    let mut prev_free = vec![true; n];
    let mut d = vec![0.0; n];
    let mut xt = vec![0.0; n];
    let mut gt = vec![0.0; n];
    let mut s = vec![0.0; n];
    let mut y = vec![0.0; n];
    let mut hy = vec![0.0; n];
    let mut stalls = 0;
    let finish = |x: Vec<f64>, f, pg, iterations, evaluations, termination, converged| Outcome {
        x,
        f,
        grad_max: pg,
        iterations,
        evaluations,
        termination,
        converged,
    };
    loop {
        // projected gradient and active set
        let mut pg_max: f64 = 0.0;
        for i in 0..n {
            let at_lo = x[i] <= lo[i] + 1e-14 && g[i] > 0.0;
            let at_hi = x[i] >= hi[i] - 1e-14 && g[i] < 0.0;
            free[i] = !(at_lo || at_hi);
            let pg = x[i] - (x[i] - g[i]).clamp(lo[i], hi[i]);
            pg_max = pg_max.max(pg.abs());
        }
        if pg_max < opts.gtol {
            return finish(x, f, pg_max, iter, evals, Termination::Gradient, true);
        }
        if iter >= opts.max_iter {
            return finish(x, f, pg_max, iter, evals, Termination::MaxIterations, false);
        }
        if free != prev_free {
            set_identity(&mut h, n, 1.0);
            first = true;
            prev_free.copy_from_slice(&free);
        }
        // direction on the free variables
        for i in 0..n {
            d[i] = 0.0;
            if free[i] {
                let mut v = 0.0;
                for j in 0..n {
                    if free[j] {
                        v -= h[i * n + j] * g[j];
                    }
                }
                d[i] = v;
            }
        }
        let slope = dot(&d, &g);
        if slope.is_nan() || slope >= 0.0 {
            set_identity(&mut h, n, 1.0);
            for i in 0..n {
                d[i] = if free[i] { -g[i] } else { 0.0 };
            }
            first = true;
        }
        let mut t = 1.0;
        if first {
            let dmax = d.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            if dmax > 0.1 {
                t = 0.1 / dmax;
            }
        }
        // Armijo backtracking along the projection arc
        let mut accepted = None;
        for _ in 0..30 {
            for i in 0..n {
                xt[i] = (x[i] + t * d[i]).clamp(lo[i], hi[i]);
            }
            evals += 1;
            if let Some(ft) = problem.value_gradient(&xt, &mut gt) {
                let dec: f64 = (0..n).map(|i| g[i] * (xt[i] - x[i])).sum();
                if ft.is_finite() && ft <= f + 1e-4 * dec.min(0.0) {
                    accepted = Some(ft);
                    break;
                }
            }
            t *= 0.5;
        }
        iter += 1;
        let Some(fnew) = accepted else {
            let converged = pg_max < opts.gtol.max(1e-6);
            return finish(x, f, pg_max, iter, evals, Termination::LineSearch, converged);
        };
        for i in 0..n {
            s[i] = xt[i] - x[i];
            y[i] = gt[i] - g[i];
        }
        let sy = dot(&s, &y);
        let rel_dec = (f - fnew) / f.abs().max(1e-300);
        if sy > 1e-16 * dot(&s, &s).sqrt() * dot(&y, &y).sqrt() && sy > 0.0 {
            if first {
                // scale the initial matrix (Nocedal & Wright 6.20)
                set_identity(&mut h, n, sy / dot(&y, &y));
                first = false;
            }
            bfgs_update(&mut h, &s, &y, sy, &mut hy);
        }
        // decreases at the objective's rounding level (absolute, since objectives such as the
        // ML discrepancy are sums of O(1) terms that cancel at an exact fit)
        if f - fnew <= 1e-15 * (1.0 + f.abs()) {
            stalls += 1;
        } else {
            stalls = 0;
        }
        std::mem::swap(&mut x, &mut xt);
        std::mem::swap(&mut g, &mut gt);
        f = fnew;
        if stalls >= 3 {
            let pg = proj_grad_max(&x, &g);
            return finish(x, f, pg, iter, evals, Termination::RelativeChange, pg < 1e-6);
        }
        if opts.ftol_rel > 0.0 && rel_dec >= 0.0 && rel_dec < opts.ftol_rel {
            let pg = proj_grad_max(&x, &g);
            return finish(x, f, pg, iter, evals, Termination::RelativeChange, true);
        }
    }
}
