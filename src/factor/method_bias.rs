//! Harman's single-factor test for common method bias.

use ndarray::ArrayRef2;

use super::adequacy::{data_correlation_missing, eigenvalues};
use super::{Efa, Extraction, Rotation};
use crate::error::Result;
use crate::warning::Warning;

/// Harman's single-factor test, as survey papers report it: the share of the total variance of
/// the items taken by one unrotated factor. A share above one half is read as a sign of common
/// method variance (Podsakoff et al. 2003); below one half is no proof of its absence.
///
/// # Formula
/// ```text
/// pca_share = λ₁(R) / p                        (first principal component; psych principal)
/// fa_share  = Σ l_i² / p of a one-factor minres solution (psych fa, rotate = "none")
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::factor::harman_single_factor;
/// let x = array![[1., 2., 2.], [2., 3., 3.], [4., 4., 5.], [3., 3., 3.], [5., 4., 4.]];
/// let h = harman_single_factor(&x).unwrap();
/// assert!(h.pca_share() > 0.5 && h.exceeds_half());
/// ```
///
/// # Errors
/// Those of [`Efa::fit`] (too few items or rows, constant items, non-finite values).
///
/// # References
/// Podsakoff, P. M., MacKenzie, S. B., Lee, J.-Y. & Podsakoff, N. P. (2003). Common method biases
/// in behavioral research. *Journal of Applied Psychology* 88, 879–903. Validated against R
/// psych 2.2.9 `principal` / `fa` on the study data and bfi, see `tests/reference/method_bias.rs`.
pub fn harman_single_factor(x: &ArrayRef2<f64>) -> Result<HarmanTest> {
    let (r, missing) = data_correlation_missing(x)?;
    let p = r.nrows() as f64;
    let ev = eigenvalues(&r)?;
    let pca_share = ev[0] / p;
    let fit = Efa::new(1)
        .extraction(Extraction::MinRes)
        .rotation(Rotation::None)
        .fit_cor(&r, x.nrows())?;
    let fa_share = fit.ss_loadings()[0] / p;
    let mut warnings = fit.warnings().to_vec();
    if missing {
        warnings
            .push(Warning::Other { message: "missing values: pairwise correlations used".into() });
    }
    Ok(HarmanTest { pca_share, fa_share, warnings })
}

/// Result of [`harman_single_factor`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HarmanTest {
    pca_share: f64,
    fa_share: f64,
    warnings: Vec<Warning>,
}

impl HarmanTest {
    /// Variance share of the first principal component.
    pub fn pca_share(&self) -> f64 {
        self.pca_share
    }
    /// Variance share of one unrotated minres factor.
    pub fn fa_share(&self) -> f64 {
        self.fa_share
    }
    /// Whether the first principal component takes more than half of the variance.
    pub fn exceeds_half(&self) -> bool {
        self.pca_share > 0.5
    }
    /// Warnings of the one-factor fit.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}
