//! The Bollen–Stine transformation of data to a model-implied mean and covariance.

use ndarray::{Array1, Array2, ArrayRef1, ArrayRef2, ArrayView2, Axis};

use crate::core::linalg;
use crate::error::{Error, Result};

/// Bollen–Stine transformation: rotate complete data so that their mean is `μ` and their ML
/// (divisor `n`) covariance is exactly the model-implied `Σ` — the null hypothesis of the model
/// then holds in the "population" the bootstrap resamples from.
///
/// Rows are observations, columns variables. Without `implied_mean` the sample means are kept
/// (models without a mean structure).
///
/// # Formula
/// ```text
/// Y = (X − 1 x̄ᵀ) S^{-1/2} Σ^{1/2} + 1 μᵀ,   S = (X − 1x̄ᵀ)ᵀ(X − 1x̄ᵀ) / n
/// ```
/// with symmetric square roots from the eigendecomposition (`A^{1/2} = V Λ^{1/2} Vᵀ`).
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::resample::bollen_stine_transform;
/// let x = array![[1.0, 2.0], [2.0, 1.0], [3.0, 5.0], [4.0, 3.0]];
/// let sigma = array![[1.0, 0.5], [0.5, 1.0]];
/// let y = bollen_stine_transform(&x, &sigma, None).unwrap();
/// assert_eq!(y.dim(), (4, 2));
/// ```
///
/// # Errors
/// [`Error::NonFinite`] for NaN (missing) or infinite values; [`Error::DimensionMismatch`] when
/// `Σ` or `μ` do not match the columns; [`Error::TooFewObservations`] when `n ≤ p`;
/// [`Error::NotPositiveDefinite`] when `S` is singular or `Σ` has a negative eigenvalue.
///
/// # References
/// Bollen, K. A. & Stine, R. A. (1992). Bootstrapping goodness-of-fit measures in structural
/// equation models. *Sociological Methods & Research* 21, 205–229.
pub fn bollen_stine_transform(
    x: &ArrayRef2<f64>,
    implied_cov: &ArrayRef2<f64>,
    implied_mean: Option<&ArrayRef1<f64>>,
) -> Result<Array2<f64>> {
    let (n, p) = x.dim();
    if x.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: "data for the Bollen-Stine transformation (missing values are not supported)"
                .into(),
        });
    }
    if implied_cov.nrows() != p || implied_cov.ncols() != p {
        return Err(Error::DimensionMismatch {
            what: "model-implied covariance vs data columns".into(),
            expected: p,
            found: implied_cov.nrows().max(implied_cov.ncols()),
        });
    }
    if let Some(m) = implied_mean
        && m.len() != p
    {
        return Err(Error::DimensionMismatch {
            what: "model-implied mean vs data columns".into(),
            expected: p,
            found: m.len(),
        });
    }
    if n <= p {
        return Err(Error::TooFewObservations { needed: p + 1, got: n });
    }
    let xbar = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(p));
    let mut xc = x.to_owned();
    xc -= &xbar;
    let mut s = linalg::crossprod(xc.view());
    s /= n as f64;
    let s_inv_half = sym_power(s.view(), -0.5, "sample covariance S")?;
    let sigma_half = sym_power(implied_cov.view(), 0.5, "model-implied covariance")?;
    let rot = s_inv_half.dot(&sigma_half);
    let mut y = linalg::matmul(xc.view(), rot.view());
    let mu = match implied_mean {
        Some(m) => m.to_owned(),
        None => xbar,
    };
    y += &mu;
    Ok(y)
}

/// Symmetric matrix power `V Λ^e Vᵀ` (e = ±1/2); negative eigenvalues (or zero for e < 0) are errors.
fn sym_power(a: ArrayView2<'_, f64>, e: f64, name: &str) -> Result<Array2<f64>> {
    let (vals, vecs) = linalg::sym_eigen(a, name)?;
    let p = vals.len();
    let lmax = vals.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let tol = (p.max(1) as f64) * f64::EPSILON * lmax;
    let mut d = Array1::zeros(p);
    for k in 0..p {
        let v = vals[k];
        if v < -tol || (e < 0.0 && v <= tol) {
            return Err(Error::NotPositiveDefinite { matrix: name.to_string() });
        }
        d[k] = v.max(0.0).powf(e);
    }
    let scaled = &vecs * &d;
    let mut out = scaled.dot(&vecs.t());
    linalg::symmetrize(&mut out);
    Ok(out)
}
