//! Perfect prediction of an ordered item by a covariate: the ordered probit regression of the
//! item on the covariates ([`super::probit`]) then has no finite maximum (its slope and
//! thresholds run off to infinity), so the conditional sample statistics do not exist.
//!
//! With one covariate x and the categories c = 0 … K − 1 of the item all observed, the
//! likelihood of the proportional (one-slope) probit model rises without bound along a ray
//! β → ±∞ exactly when x orders the categories: the largest x of category c is at most the
//! smallest x of category c + 1 for every c (or the reverse for a negative slope). Ties at a
//! boundary (quasi-complete separation, Albert & Anderson 1984) count: the rows strictly inside
//! are then fitted with probability → 1 and the tied rows at a constant share. A category that
//! sits alone at one end of x while the others overlap (the top category only at the largest
//! x, say) does not make the maximum infinite, and is not flagged. Separation along a
//! combination of several covariates is caught after the fit by the size of the slopes
//! ([`diverged`]).
//!
//! # References
//! Albert, A. & Anderson, J. A. (1984). On the existence of maximum likelihood estimates in
//! logistic regression models. *Biometrika*, 71, 1–10.

use ndarray::Array2;

use crate::error::{Error, Result};

/// Largest standardized probit slope |β_r|·sd(x_r) accepted as a finite maximum. A slope of 10
/// means the covariate alone explains 99% of the variance of y*; past it the scoring
/// iterations are following a likelihood that still rises towards infinity.
const MAX_STD_SLOPE: f64 = 10.0;

/// Check every covariate on its own for perfect prediction of the item `y` (0-based codes, `k`
/// categories, all observed).
///
/// # Errors
/// [`Error::PerfectPrediction`] naming the item and the first covariate that orders its
/// categories.
pub(crate) fn check(
    y: &[usize],
    k: usize,
    x: &Array2<f64>,
    item: &str,
    x_names: &[String],
) -> Result<()> {
    for (r, cov) in x_names.iter().enumerate().take(x.ncols()) {
        let mut lo = vec![f64::INFINITY; k];
        let mut hi = vec![f64::NEG_INFINITY; k];
        for (&c, &v) in y.iter().zip(x.column(r)) {
            if c < k {
                lo[c] = lo[c].min(v);
                hi[c] = hi[c].max(v);
            }
        }
        if lo.iter().any(|v| !v.is_finite()) {
            continue; // an empty category is refused elsewhere
        }
        let up = (1..k).all(|c| hi[c - 1] <= lo[c]);
        let down = (1..k).all(|c| lo[c - 1] >= hi[c]);
        if up || down {
            let bounds: Vec<String> =
                (0..k).map(|c| format!("{}–{}", fmt(lo[c]), fmt(hi[c]))).collect();
            return Err(Error::PerfectPrediction {
                item: item.to_string(),
                covariate: cov.clone(),
                detail: format!(
                    "the ranges of `{cov}` within the categories of `{item}` ({}) do not overlap",
                    bounds.join(", ")
                ),
            });
        }
    }
    Ok(())
}

/// After the fit: the slopes `beta` of the item on the covariates `x` have run off (a
/// standardized slope above 10), the sign of a likelihood without a finite maximum.
///
/// # Errors
/// [`Error::PerfectPrediction`] naming the item and the covariate with the largest
/// standardized slope.
pub(crate) fn diverged(
    beta: &[f64],
    x: &Array2<f64>,
    item: &str,
    x_names: &[String],
) -> Result<()> {
    let n = x.nrows() as f64;
    let mut worst: Option<(usize, f64)> = None;
    for (r, b) in beta.iter().enumerate().take(x.ncols()) {
        let m = x.column(r).sum() / n;
        let sd = (x.column(r).iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n).sqrt();
        let s = (b * sd).abs();
        if (!s.is_finite() || s > MAX_STD_SLOPE)
            && worst.is_none_or(|(_, w)| s > w || !s.is_finite())
        {
            worst = Some((r, s));
        }
    }
    match worst {
        None => Ok(()),
        Some((r, s)) => {
            let cov = x_names.get(r).cloned().unwrap_or_default();
            Err(Error::PerfectPrediction {
                item: item.to_string(),
                covariate: cov.clone(),
                detail: format!(
                    "the probit slope on `{cov}` diverges (standardized slope {s:.1}); the covariates together separate the categories"
                ),
            })
        }
    }
}

/// A covariate value for a message: integers without a fraction, others to four significant
/// digits.
fn fmt(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 { format!("{v:.0}") } else { format!("{v:.4}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(v: &[f64]) -> Array2<f64> {
        Array2::from_shape_fn((v.len(), 1), |(i, _)| v[i])
    }

    #[test]
    fn ordered_ranges_are_separation() {
        let x = col(&[0., 1., 2., 3., 4., 5.]);
        let names = vec!["x".to_string()];
        assert!(check(&[0, 0, 1, 1, 2, 2], 3, &x, "y", &names).is_err());
        // ties at the boundary: quasi-complete
        assert!(
            check(&[0, 0, 0, 1, 1, 1], 2, &col(&[0., 1., 2., 2., 3., 4.]), "y", &names).is_err()
        );
        // reversed
        assert!(check(&[2, 2, 1, 1, 0, 0], 3, &x, "y", &names).is_err());
    }

    #[test]
    fn one_extreme_category_is_not_separation() {
        let x = col(&[0., 1., 2., 3., 4., 5.]);
        let names = vec!["x".to_string()];
        // the top category only at the largest x, the lower two overlapping
        assert!(check(&[0, 1, 0, 1, 0, 2], 3, &x, "y", &names).is_ok());
    }
}
