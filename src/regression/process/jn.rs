//! Conditional effects of a moderated path and the Johnson–Neyman technique.
//!
//! A path whose coefficient is `θ(w) = b₁ + b₃ w` in a least-squares fit has the Wald standard
//! error `√(v₁₁ + 2 w v₁₃ + w² v₃₃)` (v the coefficient covariance). The Johnson–Neyman values
//! are the moderator values where `θ(w)` is just significant, `|θ(w)/se(w)| = t_c`:
//!
//! ```text
//! (b₃² − t_c² v₃₃) w² + 2 (b₁b₃ − t_c² v₁₃) w + (b₁² − t_c² v₁₁) = 0
//! ```
//!
//! (Johnson & Neyman 1936; Bauer & Curran 2005; Hayes 2022, ch. 7).

use super::ConditionalEffect;
use crate::core::dist;
use crate::regression::ols::OlsFit;

/// The moderated path in a fit: coefficient positions (with the intercept at 0) of the focal
/// predictor and of its product with the moderator (`None`: not moderated, θ(w) = b₁).
#[derive(Debug, Clone, Copy)]
pub(super) struct Path {
    pub focal: usize,
    pub product: Option<usize>,
}

/// The conditional effect `θ(w)` of `path` in `fit` with its t test and interval at `level`.
pub(super) fn conditional(fit: &OlsFit, path: Path, w: f64, level: f64) -> ConditionalEffect {
    let b = fit.coefficients();
    let v = fit.vcov();
    let df = fit.df_residual() as f64;
    let tc = dist::t_quantile(0.5 + level / 2.0, df);
    let j = path.focal;
    let (e, var) = match path.product {
        Some(k) => (b[j] + b[k] * w, v[[j, j]] + 2.0 * w * v[[j, k]] + w * w * v[[k, k]]),
        None => (b[j], v[[j, j]]),
    };
    let se = var.sqrt();
    let t = e / se;
    ConditionalEffect {
        w,
        effect: e,
        se,
        t,
        p_value: 2.0 * dist::t_sf(t.abs(), df),
        lower: e - tc * se,
        upper: e + tc * se,
    }
}

/// One Johnson–Neyman value with the share of the sample on either side (as PROCESS prints).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct JnPoint {
    /// Moderator value where the effect's t equals the critical value.
    pub w: f64,
    /// Percentage of the cases with a moderator value below `w`.
    pub pct_below: f64,
    /// Percentage of the cases with a moderator value above `w`.
    pub pct_above: f64,
}

/// Johnson–Neyman analysis of one moderated path: the values of the moderator where the
/// conditional effect changes significance, and a plot-ready table of conditional effects
/// across the observed range of the moderator.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct JohnsonNeyman {
    /// All real roots of the Johnson–Neyman quadratic, ascending (also outside the data).
    pub roots: Vec<f64>,
    /// The roots inside the observed range of the moderator, with the share of cases below
    /// and above each.
    pub points: Vec<JnPoint>,
    /// Observed range of the moderator.
    pub w_range: (f64, f64),
    /// Conditional effects at 21 equally spaced moderator values from the minimum to the
    /// maximum, with the in-range roots inserted in order (PROCESS's table; plot-ready).
    pub table: Vec<ConditionalEffect>,
    /// Confidence level defining significance (two-sided, `1 − level` = α).
    pub level: f64,
}

impl JohnsonNeyman {
    /// The analysis of `path` in `fit` for the observed moderator values `w`.
    pub(super) fn new(fit: &OlsFit, path: Path, w: &[f64], level: f64) -> Self {
        let lo = w.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = w.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let roots = match path.product {
            Some(k) => roots(fit, path.focal, k, level),
            None => Vec::new(),
        };
        let n = w.len().max(1) as f64;
        let points: Vec<JnPoint> = roots
            .iter()
            .filter(|&&r| r >= lo && r <= hi)
            .map(|&r| JnPoint {
                w: r,
                pct_below: 100.0 * w.iter().filter(|&&v| v < r).count() as f64 / n,
                pct_above: 100.0 * w.iter().filter(|&&v| v > r).count() as f64 / n,
            })
            .collect();
        let mut grid: Vec<f64> = if lo.is_finite() && hi.is_finite() {
            (0..=20).map(|i| lo + (hi - lo) * i as f64 / 20.0).collect()
        } else {
            Vec::new()
        };
        grid.extend(points.iter().map(|p| p.w));
        grid.sort_by(f64::total_cmp);
        let table = grid.iter().map(|&v| conditional(fit, path, v, level)).collect();
        Self { roots, points, w_range: (lo, hi), table, level }
    }
}

/// Real roots of the Johnson–Neyman quadratic for the effect `b[j] + b[k] w`, ascending; empty
/// when the effect is significant everywhere or nowhere.
fn roots(fit: &OlsFit, j: usize, k: usize, level: f64) -> Vec<f64> {
    let b = fit.coefficients();
    let v = fit.vcov();
    let tc = dist::t_quantile(0.5 + level / 2.0, fit.df_residual() as f64);
    let t2 = tc * tc;
    let qa = b[k] * b[k] - t2 * v[[k, k]];
    let qb = 2.0 * (b[j] * b[k] - t2 * v[[j, k]]);
    let qc = b[j] * b[j] - t2 * v[[j, j]];
    let disc = qb * qb - 4.0 * qa * qc;
    if disc.is_nan() || disc < 0.0 || qa == 0.0 {
        return Vec::new();
    }
    // Numerically stable roots.
    let q = -0.5 * (qb + qb.signum() * disc.sqrt());
    let mut r: Vec<f64> = [q / qa, qc / q].into_iter().filter(|v| v.is_finite()).collect();
    r.sort_by(f64::total_cmp);
    r
}
