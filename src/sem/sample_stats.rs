//! Sample statistics a model is fitted to: the observed covariance matrix, its divisor and N.

use ndarray::{Array1, Array2};

use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::moments::{Missing, Moments};

/// Sample moments of the model's observed variables, in the model's variable order.
#[derive(Debug, Clone)]
pub(crate) struct SampleStats {
    /// Covariance with divisor N − 1.
    pub cov: Array2<f64>,
    /// Means (NaN when fitted from a covariance matrix without means); kept for the mean
    /// structure (FIML, multi-group) to come.
    #[allow(dead_code)]
    pub means: Array1<f64>,
    pub n: usize,
    pub n_dropped: usize,
}

impl SampleStats {
    pub(crate) fn from_moments(m: &Moments) -> Self {
        Self {
            cov: m.cov().clone(),
            means: m.means().clone(),
            n: m.n_obs(),
            n_dropped: m.n_dropped(),
        }
    }

    /// Select the model's variables from a dataset (listwise deletion over those variables).
    pub(crate) fn from_dataset(data: &Dataset, names: &[String]) -> Result<Self> {
        for n in names {
            data.index_of(n)?;
            if !data.is_numeric(n)? {
                return Err(Error::NonNumericColumn {
                    column: n.clone(),
                    line: 0,
                    value: "text".into(),
                });
            }
        }
        let x = data.select(names)?;
        let m = Moments::from_data(&x, Missing::Listwise)?;
        Ok(Self::from_moments(&m))
    }

    /// Reorder a covariance matrix given with `names` to the model order `ov`.
    pub(crate) fn from_cov(
        cov: &Array2<f64>,
        names: &[String],
        ov: &[String],
        n: usize,
    ) -> Result<Self> {
        if cov.nrows() != names.len() || cov.ncols() != names.len() {
            return Err(Error::DimensionMismatch {
                what: "covariance matrix and its variable names".into(),
                expected: names.len(),
                found: cov.nrows(),
            });
        }
        let mut idx = Vec::with_capacity(ov.len());
        for v in ov {
            idx.push(
                names
                    .iter()
                    .position(|x| x == v)
                    .ok_or_else(|| Error::UnknownVariable { name: v.clone() })?,
            );
        }
        let sub = Array2::from_shape_fn((ov.len(), ov.len()), |(i, j)| cov[[idx[i], idx[j]]]);
        let m = Moments::from_cov(&sub, n, None)?;
        Ok(Self::from_moments(&m))
    }

    /// Check that the covariance can be fitted: finite, positive variances, positive definite.
    pub(crate) fn check(&self, names: &[String]) -> Result<()> {
        let p = self.cov.nrows();
        if self.n < 2 {
            return Err(Error::TooFewObservations { needed: 2, got: self.n });
        }
        for (i, name) in names.iter().enumerate().take(p) {
            let v = self.cov[[i, i]];
            if v.is_nan() || v <= 0.0 {
                return Err(Error::ConstantColumn { name: name.clone() });
            }
        }
        // the small kernel: faer's would start its thread pool for a p × p check
        if crate::core::linalg::small::cholesky(&self.cov).is_none() {
            return Err(Error::NotPositiveDefinite {
                matrix: "sample covariance of the model variables".into(),
            });
        }
        Ok(())
    }
}
