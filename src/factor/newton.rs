//! Projected Newton iterations in ln ψ with the exact Hessian of the ML or ULS (minres)
//! profile criterion, used by `extraction.rs` before its projected BFGS.

use ndarray::Array2;

use super::extraction::{
    HessWork, PSI_LOWER, ml_hessian_x, ml_value_grad_ws, uls_hessian_x, uls_value_grad_ws,
};
use super::small;
use crate::summary::Convergence;

/// Criterion minimised by [`projected_newton`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NewtonObjective {
    /// Maximum likelihood ([`ml_value_grad_ws`], [`ml_hessian_x`]).
    Ml,
    /// The ULS profile ([`uls_value_grad_ws`], [`uls_hessian_x`]), for minres.
    Uls,
}

impl NewtonObjective {
    pub(super) fn value_grad(
        self,
        r: &Array2<f64>,
        psi: &[f64],
        k: usize,
        ws: &mut small::EigWork,
        g: &mut [f64],
    ) -> Option<f64> {
        match self {
            Self::Ml => ml_value_grad_ws(r, psi, k, ws, g),
            Self::Uls => uls_value_grad_ws(r, psi, k, ws, g),
        }
    }

    pub(super) fn hessian_x(
        self,
        ws: &small::EigWork,
        psi: &[f64],
        g: &[f64],
        hw: &mut HessWork,
    ) -> bool {
        match self {
            Self::Ml => ml_hessian_x(ws, hw),
            Self::Uls => uls_hessian_x(ws, psi, g, hw),
        }
    }

    pub(super) fn label(self) -> &'static str {
        match self {
            Self::Ml => "Newton",
            Self::Uls => "ULS profile, Newton",
        }
    }
}

/// Projected Newton iterations in `x = ln ψ` with the exact Hessian of `obj` and an Armijo
/// search along the projection arc; box `[ln 0.005, 0]`. Stops like the projected BFGS of [`super::extraction::minimize_psi`]
/// (projected ψ-gradient ≤ `gtol`, or three decreases at the objective's rounding level).
/// `None` when a step fails (the caller then uses the projected BFGS). On success the
/// workspace holds the decomposition at the returned ψ.
pub(super) fn projected_newton(
    r: &Array2<f64>,
    k: usize,
    start: &[f64],
    gtol: f64,
    ws: &mut small::EigWork,
    obj: NewtonObjective,
) -> Option<(Vec<f64>, Convergence)> {
    let p = r.nrows();
    let (lo, hi) = (PSI_LOWER, 1.0);
    let mut psi: Vec<f64> = start.iter().map(|v| v.clamp(lo, hi)).collect();
    let mut g = vec![0.0; p];
    let mut f = obj.value_grad(r, &psi, k, ws, &mut g)?;
    let mut evals = 1;
    let mut hw = HessWork::new(p, k);
    let mut gt = vec![0.0; p];
    let mut stalls = 0;
    for iter in 0..200 {
        let mut pg_max: f64 = 0.0;
        let mut free = vec![true; p];
        for i in 0..p {
            let at_lo = psi[i] <= lo * (1.0 + 1e-12) && g[i] > 0.0;
            let at_hi = psi[i] >= hi - 1e-14 && g[i] < 0.0;
            free[i] = !(at_lo || at_hi);
            pg_max = pg_max.max((psi[i] - (psi[i] - g[i]).clamp(lo, hi)).abs());
        }
        if pg_max < gtol {
            return Some((
                psi,
                Convergence {
                    converged: true,
                    iterations: iter,
                    reason: format!(
                        "projected gradient {pg_max:.1e} below {gtol:.0e} ({}, {evals} evaluations)",
                        obj.label()
                    ),
                },
            ));
        }
        if !obj.hessian_x(ws, &psi, &g, &mut hw) {
            return None;
        }
        // gradient in x = ln ψ
        let gx: Vec<f64> = (0..p).map(|i| g[i] * psi[i]).collect();
        let mut d = hw.newton_direction(&gx, &free)?;
        let mut slope: f64 = d.iter().zip(&gx).map(|(a, b)| a * b).sum();
        if !(slope < 0.0) {
            for i in 0..p {
                d[i] = if free[i] { -gx[i] } else { 0.0 };
            }
            slope = d.iter().zip(&gx).map(|(a, b)| a * b).sum();
            if !(slope < 0.0) {
                return None;
            }
        }
        // a Newton step in ln ψ longer than 1 is not trusted
        let dmax = d.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
        let mut t = if dmax > 1.0 { 1.0 / dmax } else { 1.0 };
        let x: Vec<f64> = psi.iter().map(|v| v.ln()).collect();
        let mut accepted = None;
        for _ in 0..40 {
            let pt: Vec<f64> = (0..p).map(|i| (x[i] + t * d[i]).exp().clamp(lo, hi)).collect();
            evals += 1;
            if let Some(ft) = obj.value_grad(r, &pt, k, ws, &mut gt) {
                let dec: f64 = (0..p).map(|i| gx[i] * (pt[i].ln() - x[i])).sum();
                if ft <= f + 1e-4 * dec.min(0.0) {
                    accepted = Some((pt, ft));
                    break;
                }
            }
            t *= 0.5;
        }
        let (pt, ft) = accepted?;
        if f - ft <= 1e-15 * (1.0 + f.abs()) {
            stalls += 1;
        } else {
            stalls = 0;
        }
        psi = pt;
        f = ft;
        std::mem::swap(&mut g, &mut gt);
        if stalls >= 3 {
            let pg_max =
                (0..p).fold(0.0_f64, |m, i| m.max((psi[i] - (psi[i] - g[i]).clamp(lo, hi)).abs()));
            return Some((
                psi,
                Convergence {
                    converged: pg_max < 1e-6,
                    iterations: iter + 1,
                    reason: format!(
                        "objective at rounding level (projected gradient {pg_max:.1e}; {}, {evals} evaluations)",
                        obj.label()
                    ),
                },
            ));
        }
    }
    None
}
