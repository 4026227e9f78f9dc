//! A small box-constrained quasi-Newton minimiser (projected BFGS with an Armijo line search
//! along the projection arc), used for the minres and ML uniquenesses.
//!
//! Written for the handful-to-hundred parameters of an exploratory factor model: dense inverse
//! Hessian approximation, active set = variables at a bound whose gradient points outwards.

use crate::summary::Convergence;

/// Stopping rule of [`minimize_box`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct BoxOptions {
    /// Converged when the projected gradient's largest component is below this.
    pub gtol: f64,
    /// Converged when the relative decrease of the objective in one step is below this
    /// (`0` disables; R's L-BFGS-B uses `factr · ε ≈ 2.2e-9`).
    pub ftol_rel: f64,
    /// Iteration limit.
    pub max_iter: usize,
}

/// Minimise `f` over `lo ≤ x ≤ hi`; `fg(x)` returns the value and the gradient (or `None` where
/// the objective is undefined). Returns the minimiser, the value and the convergence record.
pub(crate) fn minimize_box<F>(
    mut x: Vec<f64>,
    lo: f64,
    hi: f64,
    opts: BoxOptions,
    mut fg: F,
) -> Option<(Vec<f64>, f64, Convergence)>
where
    F: FnMut(&[f64]) -> Option<(f64, Vec<f64>)>,
{
    let evals = std::cell::Cell::new(0usize);
    let mut fg = |x: &[f64]| {
        evals.set(evals.get() + 1);
        fg(x)
    };
    let n = x.len();
    for v in x.iter_mut() {
        *v = v.clamp(lo, hi);
    }
    let (mut f, mut g) = fg(&x)?;
    let mut h = identity(n);
    let mut first = true;
    let mut iter = 0;
    let mut prev_free: Vec<bool> = vec![true; n];
    let mut stalls = 0;
    loop {
        // projected gradient and active set
        let mut pg_max: f64 = 0.0;
        let mut free = vec![true; n];
        for i in 0..n {
            let at_lo = x[i] <= lo + 1e-14 && g[i] > 0.0;
            let at_hi = x[i] >= hi - 1e-14 && g[i] < 0.0;
            free[i] = !(at_lo || at_hi);
            let pg = x[i] - (x[i] - g[i]).clamp(lo, hi);
            pg_max = pg_max.max(pg.abs());
        }
        if pg_max < opts.gtol {
            return Some((
                x,
                f,
                Convergence {
                    converged: true,
                    iterations: iter,
                    reason: format!(
                        "projected gradient {pg_max:.1e} below {:.0e} ({} evaluations)",
                        opts.gtol,
                        evals.get()
                    ),
                },
            ));
        }
        if iter >= opts.max_iter {
            return Some((
                x,
                f,
                Convergence {
                    converged: false,
                    iterations: iter,
                    reason: format!(
                        "iteration limit {} reached (projected gradient {pg_max:.1e})",
                        opts.max_iter
                    ),
                },
            ));
        }
        if free != prev_free {
            h = identity(n);
            first = true;
            prev_free = free.clone();
        }
        // direction on the free variables
        let mut d = vec![0.0; n];
        for i in 0..n {
            if free[i] {
                let mut s = 0.0;
                for j in 0..n {
                    if free[j] {
                        s -= h[i * n + j] * g[j];
                    }
                }
                d[i] = s;
            }
        }
        let mut slope: f64 = d.iter().zip(&g).map(|(a, b)| a * b).sum();
        if !(slope < 0.0) {
            h = identity(n);
            for i in 0..n {
                d[i] = if free[i] { -g[i] } else { 0.0 };
            }
            slope = d.iter().zip(&g).map(|(a, b)| a * b).sum();
            first = true;
        }
        let mut t = 1.0;
        if first {
            let dmax = d.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
            if dmax > 0.1 {
                t = 0.1 / dmax;
            }
        }
        let _ = slope;
        // Armijo backtracking along the projection arc
        let mut accepted = None;
        for _ in 0..30 {
            let xt: Vec<f64> = (0..n).map(|i| (x[i] + t * d[i]).clamp(lo, hi)).collect();
            if let Some((ft, gt)) = fg(&xt) {
                let dec: f64 = (0..n).map(|i| g[i] * (xt[i] - x[i])).sum();
                if ft.is_finite() && ft <= f + 1e-4 * dec.min(0.0) {
                    accepted = Some((xt, ft, gt));
                    break;
                }
            }
            t *= 0.5;
        }
        iter += 1;
        let Some((xn, fnew, gn)) = accepted else {
            return Some((
                x,
                f,
                Convergence {
                    converged: pg_max < opts.gtol.max(1e-6),
                    iterations: iter,
                    reason: format!(
                        "line search made no progress (projected gradient {pg_max:.1e})"
                    ),
                },
            ));
        };
        let s: Vec<f64> = (0..n).map(|i| xn[i] - x[i]).collect();
        let y: Vec<f64> = (0..n).map(|i| gn[i] - g[i]).collect();
        let sy: f64 = s.iter().zip(&y).map(|(a, b)| a * b).sum();
        let rel_dec = (f - fnew) / f.abs().max(1e-300);
        if sy
            > 1e-16
                * s.iter().map(|v| v * v).sum::<f64>().sqrt()
                * y.iter().map(|v| v * v).sum::<f64>().sqrt()
            && sy > 0.0
        {
            if first {
                // scale the initial matrix (Nocedal & Wright 6.20)
                let yy: f64 = y.iter().map(|v| v * v).sum();
                let sc = sy / yy;
                h = identity(n);
                for i in 0..n {
                    h[i * n + i] = sc;
                }
                first = false;
            }
            // BFGS inverse update: H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ
            let rho = 1.0 / sy;
            let hy: Vec<f64> = (0..n).map(|i| (0..n).map(|j| h[i * n + j] * y[j]).sum()).collect();
            let yhy: f64 = y.iter().zip(&hy).map(|(a, b)| a * b).sum();
            for i in 0..n {
                for j in 0..n {
                    h[i * n + j] += -rho * (hy[i] * s[j] + s[i] * hy[j])
                        + (rho * rho * yhy + rho) * s[i] * s[j];
                }
            }
        }
        // decreases at the objective's rounding level (absolute, since objectives such as the
        // ML discrepancy are sums of O(1) terms that cancel at an exact fit)
        if f - fnew <= 1e-15 * (1.0 + f.abs()) {
            stalls += 1;
        } else {
            stalls = 0;
        }
        x = xn;
        f = fnew;
        g = gn;
        if stalls >= 3 {
            let pg_max =
                (0..n).fold(0.0_f64, |m, i| m.max((x[i] - (x[i] - g[i]).clamp(lo, hi)).abs()));
            return Some((
                x,
                f,
                Convergence {
                    converged: pg_max < 1e-6,
                    iterations: iter,
                    reason: format!(
                        "objective at rounding level (projected gradient {pg_max:.1e})"
                    ),
                },
            ));
        }
        if opts.ftol_rel > 0.0 && rel_dec >= 0.0 && rel_dec < opts.ftol_rel {
            return Some((
                x,
                f,
                Convergence {
                    converged: true,
                    iterations: iter,
                    reason: format!("relative reduction {rel_dec:.1e} below {:.1e}", opts.ftol_rel),
                },
            ));
        }
    }
}

fn identity(n: usize) -> Vec<f64> {
    let mut h = vec![0.0; n * n];
    for i in 0..n {
        h[i * n + i] = 1.0;
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quadratic_with_bounds() {
        // minimise (x0 − 2)² + 10 (x1 + 1)² + (x0 − x1)² on [0, 1]²
        let fg = |x: &[f64]| {
            let f = (x[0] - 2.0).powi(2) + 10.0 * (x[1] + 1.0).powi(2) + (x[0] - x[1]).powi(2);
            let g = vec![
                2.0 * (x[0] - 2.0) + 2.0 * (x[0] - x[1]),
                20.0 * (x[1] + 1.0) - 2.0 * (x[0] - x[1]),
            ];
            Some((f, g))
        };
        let opts = BoxOptions { gtol: 1e-12, ftol_rel: 0.0, max_iter: 200 };
        let (x, _, c) = minimize_box(vec![0.5, 0.5], 0.0, 1.0, opts, fg).unwrap();
        assert!(c.converged);
        assert!((x[0] - 1.0).abs() < 1e-12 && x[1].abs() < 1e-12, "{x:?}");
    }

    #[test]
    fn rosenbrock_interior() {
        let fg = |x: &[f64]| {
            let f = 100.0 * (x[1] - x[0] * x[0]).powi(2) + (1.0 - x[0]).powi(2);
            let g = vec![
                -400.0 * x[0] * (x[1] - x[0] * x[0]) - 2.0 * (1.0 - x[0]),
                200.0 * (x[1] - x[0] * x[0]),
            ];
            Some((f, g))
        };
        let opts = BoxOptions { gtol: 1e-10, ftol_rel: 0.0, max_iter: 1000 };
        let (x, _, c) = minimize_box(vec![-1.2, 1.0], -5.0, 5.0, opts, fg).unwrap();
        assert!(c.converged, "{c:?}");
        assert!((x[0] - 1.0).abs() < 1e-8 && (x[1] - 1.0).abs() < 1e-8);
    }
}
