//! The one input convention of the estimators on item data: `fit_dataset(&Dataset, &[names])`
//! (the named columns of a data set) and `fit_array(&array, &[names])` (the columns of an
//! array, with their names), next to each estimator's own `fit(&array)` and its summary-statistic
//! entries (`fit_cor`, `fit_cov`, `fit_moments`). Model-based estimators take their variables
//! from the model instead: `Sem::fit(&Dataset)`, `Sem::fit_array`, `Sem::fit_cov`,
//! `Sem::fit_moments`, `Ols::fit_dataset` and `Glm::fit_dataset` with a formula.

use ndarray::ArrayRef2;

use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::factor::{Efa, EfaFit, Kmo, KmoFit, ParallelAnalysis, ParallelFit};
use crate::ordinal::{Polychoric, PolychoricFit};
use crate::reliability::{Alpha, AlphaFit, Icc, IccFit, Omega, OmegaFit};

impl Alpha {
    /// [`Alpha::fit`] on the columns of `x`, named `names`.
    ///
    /// # Errors
    /// Those of [`Alpha::fit`]; a name count that differs from the column count.
    pub fn fit_array<S: AsRef<str>>(&self, x: &ArrayRef2<f64>, names: &[S]) -> Result<AlphaFit> {
        self.clone().names(names).fit(x)
    }
}

macro_rules! named_adapters {
    ($est:ty, $fit:ty) => {
        impl $est {
            /// The fit on the columns `names` of `data` (named after them).
            ///
            /// # Errors
            /// An unknown or non-numeric column; the errors of `fit`.
            pub fn fit_dataset<S: AsRef<str>>(&self, data: &Dataset, names: &[S]) -> Result<$fit> {
                let x = data.select(names)?;
                self.clone().names(names).fit(&x)
            }
            /// The fit on the columns of `x`, named `names`.
            ///
            /// # Errors
            /// The errors of `fit`; a name count that differs from the column count.
            pub fn fit_array<S: AsRef<str>>(
                &self,
                x: &ArrayRef2<f64>,
                names: &[S],
            ) -> Result<$fit> {
                self.clone().names(names).fit(x)
            }
        }
    };
}

named_adapters!(Kmo, KmoFit);
named_adapters!(Efa, EfaFit);
named_adapters!(Omega, OmegaFit);
named_adapters!(Polychoric, PolychoricFit);

macro_rules! unnamed_adapters {
    ($est:ty, $fit:ty) => {
        impl $est {
            /// The fit on the columns `names` of `data` (its result does not keep names).
            ///
            /// # Errors
            /// An unknown or non-numeric column; the errors of `fit`.
            pub fn fit_dataset<S: AsRef<str>>(&self, data: &Dataset, names: &[S]) -> Result<$fit> {
                self.fit(&data.select(names)?)
            }
        }
    };
}

unnamed_adapters!(ParallelAnalysis, ParallelFit);
unnamed_adapters!(Icc, IccFit);

macro_rules! cov_adapter {
    ($est:ty, $fit:ty) => {
        impl $est {
            /// The fit on a covariance matrix of `n_obs` observations: standardized to a
            /// correlation matrix (R's `cov2cor`, as psych's `fa` does with `covar = FALSE`),
            /// then `fit_cor`. These estimators depend on the data only through the
            /// correlations. (psych's `KMO` and `omega` take a square matrix that is not a
            /// correlation matrix for raw data; standardize first to get their numbers.)
            ///
            /// # Errors
            /// A non-square or non-finite matrix, a variance that is not positive; the errors
            /// of `fit_cor`.
            pub fn fit_cov(&self, cov: &ArrayRef2<f64>, n_obs: usize) -> Result<$fit> {
                self.fit_cor(&crate::moments::cov_to_cor(cov)?, n_obs)
            }
        }
    };
}

cov_adapter!(Kmo, KmoFit);
cov_adapter!(Efa, EfaFit);
cov_adapter!(Omega, OmegaFit);
cov_adapter!(ParallelAnalysis, ParallelFit);

/// The names of `k` columns: `given` when its length is `k` and no name repeats, otherwise an
/// error; without names, `{prefix}1`, …, `{prefix}k` (R's `V1`, … or `x1`, …).
///
/// # Errors
/// [`Error::DimensionMismatch`] (`what` names the names) for a length other than `k`;
/// [`Error::DuplicateVariable`] for a repeated name.
pub(crate) fn column_names(
    given: Option<&[String]>,
    k: usize,
    what: &str,
    prefix: &str,
) -> Result<Vec<String>> {
    let Some(n) = given else {
        return Ok((1..=k).map(|i| format!("{prefix}{i}")).collect());
    };
    if n.len() != k {
        return Err(Error::DimensionMismatch { what: what.into(), expected: k, found: n.len() });
    }
    let mut seen = std::collections::HashSet::with_capacity(k);
    if let Some(a) = n.iter().find(|a| !seen.insert(a.as_str())) {
        return Err(Error::DuplicateVariable { name: a.clone() });
    }
    Ok(n.to_vec())
}
