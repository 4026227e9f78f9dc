//! Positive definiteness of a correlation matrix and psych's `cor.smooth`.

use ndarray::{Array2, ArrayRef2};

use crate::core::linalg;
use crate::error::{Error, Result};

/// Smallest eigenvalue of a symmetric matrix.
pub(crate) fn min_eigenvalue(r: &ArrayRef2<f64>) -> Result<f64> {
    let v = linalg::sym_eigenvalues(r.view(), "correlation matrix")?;
    Ok(v.iter().copied().fold(f64::INFINITY, f64::min))
}

/// Smooth a correlation matrix that is not positive definite, as psych 2.2.9's `cor.smooth`.
///
/// When the smallest eigenvalue is below machine ε, eigenvalues below `1e-12` are set to
/// `100 · 1e-12`, all are rescaled to sum to the number of variables, the matrix is rebuilt from
/// the eigenvectors and rescaled to unit diagonal. A positive definite matrix is returned
/// unchanged.
///
/// # Formula
/// ```text
/// R = V Λ Vᵀ;  λ_k ← max(λ_k, 1e-10) (values < 1e-12 only);  λ ← λ · p / Σλ;
/// R* = V Λ Vᵀ;  R_s = D^{-1/2} R* D^{-1/2},  D = diag(R*)
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::ordinal::cor_smooth;
/// let r = array![[1.0, 0.9, 0.9], [0.9, 1.0, 0.3], [0.9, 0.3, 1.0]];
/// let s = cor_smooth(&r).unwrap();
/// assert!((s[[0, 0]] - 1.0).abs() < 1e-12 && s[[0, 1]] < 0.9);
/// ```
///
/// # Errors
/// A matrix that is not square or holds non-finite values; a failed eigendecomposition.
///
/// # References
/// Revelle, W. (2022). psych: Procedures for Psychological, Psychometric, and Personality
/// Research, version 2.2.9 (`cor.smooth`). Validated against it on a 4 × 4 matrix.
pub fn cor_smooth(r: &ArrayRef2<f64>) -> Result<Array2<f64>> {
    if r.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite { what: "correlation matrix".into() });
    }
    let (mut vals, vecs) = linalg::sym_eigen(r.view(), "correlation matrix")?;
    let p = vals.len();
    if vals.iter().copied().fold(f64::INFINITY, f64::min) >= f64::EPSILON {
        return Ok(r.to_owned());
    }
    let eig_tol = 1e-12;
    for v in vals.iter_mut() {
        if *v < eig_tol {
            *v = 100.0 * eig_tol;
        }
    }
    let tot: f64 = vals.sum();
    vals.mapv_inplace(|v| v * p as f64 / tot);
    let mut scaled = vecs.clone();
    for (k, mut col) in scaled.columns_mut().into_iter().enumerate() {
        col *= vals[k];
    }
    let m = linalg::matmul(scaled.view(), vecs.t());
    let d: Vec<f64> = (0..p).map(|i| m[[i, i]].sqrt()).collect();
    Ok(Array2::from_shape_fn((p, p), |(i, j)| if i == j { 1.0 } else { m[[i, j]] / (d[i] * d[j]) }))
}
