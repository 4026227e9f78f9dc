//! Fisher scoring on the weighted sum of the groups' discrepancies.

use ndarray::{Array1, Array2};

use super::super::estimate::{self, Point};
use super::GroupData;
use crate::error::{Error, Result};

pub(super) struct MgOpt {
    pub(super) theta: Vec<f64>,
    pub(super) points: Vec<Point>,
    pub(super) iterations: usize,
    pub(super) converged: bool,
    pub(super) reason: String,
    pub(super) grad_max: f64,
}

pub(super) fn eval_all(
    groups: &[GroupData],
    map: &[Vec<usize>],
    theta: &[f64],
) -> Option<Vec<Point>> {
    groups
        .iter()
        .zip(map)
        .map(|(gd, m)| {
            let tg: Vec<f64> = m.iter().map(|&k| theta[k]).collect();
            estimate::eval(&gd.st, &gd.obj, &tg)
        })
        .collect()
}

pub(super) fn total(points: &[Point], w: &[f64]) -> f64 {
    points.iter().zip(w).map(|(p, w)| w * p.val.f).sum()
}

/// Fisher scoring on the weighted sum of the groups' discrepancies, with step halving and a
/// ridge fallback when the information is not positive definite.
pub(super) fn scoring(
    groups: &[GroupData],
    map: &[Vec<usize>],
    w: &[f64],
    theta0: Vec<f64>,
    max_iter: usize,
) -> Result<MgOpt> {
    let q = theta0.len();
    let mut theta = theta0;
    let mut points = eval_all(groups, map, &theta).ok_or_else(|| Error::NotConverged {
        what: "multi-group SEM starting values (implied covariance not positive definite)".into(),
        iterations: 0,
    })?;
    let mut f = total(&points, w);
    let mut grad_max = f64::INFINITY;
    for it in 0..max_iter {
        let mut grad = Array1::<f64>::zeros(q);
        let mut h = Array2::<f64>::zeros((q, q));
        for (g, gd) in groups.iter().enumerate() {
            let (gg, delta) = estimate::gradient(&gd.st, &gd.obj, &points[g]);
            let ig = gd.obj.information(&points[g].val, &delta);
            let m = &map[g];
            for a in 0..m.len() {
                grad[m[a]] += w[g] * gg[a];
                for b in 0..m.len() {
                    h[[m[a], m[b]]] += 2.0 * w[g] * ig[[a, b]];
                }
            }
        }
        grad_max = grad.iter().fold(0.0f64, |a, b| a.max(b.abs()));
        if grad_max < 1e-10 {
            return Ok(MgOpt {
                theta,
                points,
                iterations: it,
                converged: true,
                reason: "gradient below tolerance".into(),
                grad_max,
            });
        }
        let Some(step) = estimate::solve_damped(&h, &grad, 0.0) else {
            return Ok(MgOpt {
                theta,
                points,
                iterations: it,
                converged: false,
                reason: "information matrix is singular".into(),
                grad_max,
            });
        };
        let slope = -grad.dot(&step);
        let step_max = step.iter().fold(0.0f64, |a, b| a.max(b.abs()));
        if step_max < 1e-9 || -slope < 1e-15 * (1.0 + f.abs()) {
            return Ok(MgOpt {
                theta,
                points,
                iterations: it,
                converged: true,
                reason: "scoring step below tolerance".into(),
                grad_max,
            });
        }
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..40 {
            let cand: Vec<f64> = theta.iter().zip(step.iter()).map(|(a, s)| a - t * s).collect();
            if let Some(np) = eval_all(groups, map, &cand) {
                let nf = total(&np, w);
                if nf <= f + 1e-4 * t * slope.min(0.0) {
                    accepted = Some((cand, np, nf));
                    break;
                }
            }
            t *= 0.5;
        }
        match accepted {
            Some((c, np, nf)) => {
                theta = c;
                points = np;
                f = nf;
            }
            None => {
                let converged = grad_max < 1e-7;
                return Ok(MgOpt {
                    theta,
                    points,
                    iterations: it + 1,
                    converged,
                    reason: if converged {
                        "no further decrease (numerical precision reached)".into()
                    } else {
                        "line search failed".into()
                    },
                    grad_max,
                });
            }
        }
    }
    Ok(MgOpt {
        theta,
        points,
        iterations: max_iter,
        converged: false,
        reason: "iteration limit reached".into(),
        grad_max,
    })
}
