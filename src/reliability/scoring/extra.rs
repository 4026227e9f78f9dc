//! Automatic reverse keying, a bootstrap interval for α and per-item response frequencies.

use ndarray::{Array2, ArrayRef2};

use crate::core::linalg;
use crate::error::{Error, Result};
use crate::moments::{Missing, correlation, covariance};
use crate::reliability::alpha::{ResponseFrequencies, response_frequencies_of};
use crate::resample::{Acceleration, Bootstrap};

/// Which items to reverse so that all load positively on the first principal component, as psych
/// `alpha(check.keys = TRUE)`.
///
/// The first eigenvector of the (pairwise) correlation matrix is signed so that its loadings sum
/// to a non-negative value (psych `principal`'s convention); items with a negative loading are
/// flagged. Rows = respondents, columns = items.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::reliability::check_keys;
/// let x = array![[1.0, 5.0, 2.0], [2.0, 4.0, 2.0], [3.0, 3.0, 4.0], [4.0, 2.0, 5.0], [5.0, 1.0, 4.0]];
/// assert_eq!(check_keys(&x).unwrap(), vec![false, true, false]);
/// ```
///
/// # Errors
/// As [`correlation`] (too few rows, constant items, infinite values).
///
/// # References
/// Revelle, W. (2022). psych 2.2.9, `alpha` with `check.keys = TRUE` (validated against it on
/// bfi).
pub fn check_keys(items: &ArrayRef2<f64>) -> Result<Vec<bool>> {
    if items.ncols() < 2 {
        return Err(Error::TooFewVariables { needed: 2, got: items.ncols() });
    }
    let r = correlation(items, Missing::Pairwise)?;
    let (_, vecs) = linalg::sym_eigen(r.view(), "item correlation matrix")?;
    let first = vecs.column(0);
    let sign = if first.sum() < 0.0 { -1.0 } else { 1.0 };
    Ok(first.iter().map(|&v| sign * v < 0.0).collect())
}

/// The bootstrap distribution of raw α, as psych `alpha(n.iter = …)`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AlphaBootstrap {
    /// Raw α on the original rows.
    pub estimate: f64,
    /// Replications requested.
    pub reps: usize,
    /// Replications that gave a value (a resample can make an item constant).
    pub successful: usize,
    /// Confidence level of the interval.
    pub level: f64,
    /// Lower percentile limit, quantile (1 − level)/2 of the replicates (R type 7).
    pub lower: f64,
    /// Median of the replicates.
    pub median: f64,
    /// Upper percentile limit, quantile (1 + level)/2.
    pub upper: f64,
    /// Mean of the replicates.
    pub mean: f64,
    /// Standard deviation of the replicates (divisor R − 1).
    pub sd: f64,
}

/// Bootstrap interval for raw Cronbach's α: resample respondents with replacement, recompute α
/// from the pairwise item covariances, report the percentiles (psych's `boot.ci`: quantiles
/// 0.025, 0.5, 0.975 at level 0.95).
///
/// Seeded as every bootstrap in [`crate::resample`]: replication `b` uses its own stream derived
/// from `(seed, b)`, so the result does not depend on the number of threads. R's random numbers
/// differ, so psych's interval is matched to Monte Carlo error only.
///
/// # Formula
/// ```text
/// α* = k/(k−1) · (1 − tr C* / ΣC*),  C* = pairwise covariance of a resample of the rows
/// ```
///
/// # Errors
/// [`Error::TooFewVariables`] with fewer than two items, [`Error::InvalidParameter`] for a level
/// outside (0, 1) or fewer than two successful replications; the bootstrap engine's errors
/// (`reps` of zero or too many).
pub fn alpha_bootstrap(
    items: &ArrayRef2<f64>,
    reps: usize,
    seed: u64,
    level: f64,
) -> Result<AlphaBootstrap> {
    let (n, k) = items.dim();
    if k < 2 {
        return Err(Error::TooFewVariables { needed: 2, got: k });
    }
    if !(level > 0.0 && level < 1.0) {
        return Err(Error::invalid("level", format!("must lie in (0, 1), got {level}")));
    }
    let raw_alpha = |x: &Array2<f64>| -> Result<f64> {
        let c = covariance(x, Missing::Pairwise)?;
        let tr = c.diag().sum();
        let total = c.sum();
        let a = k as f64 / (k as f64 - 1.0) * (1.0 - tr / total);
        if a.is_finite() {
            Ok(a)
        } else {
            Err(Error::NonFinite { what: "α of a resample".into() })
        }
    };
    let boot = Bootstrap::new(reps).seed(seed).acceleration(Acceleration::None).run(n, |idx| {
        let x = Array2::from_shape_fn((idx.len(), k), |(i, j)| items[[idx[i], j]]);
        Ok(vec![raw_alpha(&x)?])
    })?;
    let mut t: Vec<f64> = boot.replicates().column(0).iter().copied().collect();
    if t.len() < 2 {
        return Err(Error::invalid("reps", "fewer than two bootstrap replications succeeded"));
    }
    t.sort_by(f64::total_cmp);
    let m = t.len() as f64;
    let mean = t.iter().sum::<f64>() / m;
    let sd = (t.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (m - 1.0)).sqrt();
    Ok(AlphaBootstrap {
        estimate: boot.estimate()[0],
        reps,
        successful: t.len(),
        level,
        lower: quantile7(&t, (1.0 - level) / 2.0),
        median: quantile7(&t, 0.5),
        upper: quantile7(&t, (1.0 + level) / 2.0),
        mean,
        sd,
    })
}

/// Sample quantile of type 7 (R's default) of sorted values.
fn quantile7(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Per-item response frequencies, as psych `response.frequencies`: for each item the share of its
/// answers equal to each distinct value, and the share of rows without an answer. Rows =
/// respondents, columns = items named by `names`.
///
/// `Ok(None)` when the items hold more than ten distinct values (psych's `max = 10`).
///
/// # Errors
/// [`Error::DimensionMismatch`] when `names` does not match the columns.
pub fn response_frequencies<S: AsRef<str>>(
    items: &ArrayRef2<f64>,
    names: &[S],
) -> Result<Option<ResponseFrequencies>> {
    if names.len() != items.ncols() {
        return Err(Error::DimensionMismatch {
            what: "item names".into(),
            expected: items.ncols(),
            found: names.len(),
        });
    }
    let names: Vec<String> = names.iter().map(|s| s.as_ref().to_string()).collect();
    let keep: Vec<usize> = (0..items.ncols()).collect();
    Ok(response_frequencies_of(items.view(), &keep, &names))
}
