//! Leave-one-out jackknife values and the empirical influence values derived from them.

use ndarray::{Array2, ArrayRef1, ArrayRef2};
use rayon::prelude::*;

use crate::error::{Error, Result};

/// Leave-one-out jackknife values of a statistic of row indices: row `i` of the result is the
/// statistic on all rows but `i` (`n × k`), computed in parallel.
///
/// # Formula
/// ```text
/// t₍ᵢ₎ = t(0, …, i−1, i+1, …, n−1)
/// ```
///
/// # Examples
/// ```
/// use surveystat::resample::jackknife;
/// let x = [1.0, 2.0, 4.0];
/// let j = jackknife(3, |idx| Ok(vec![idx.iter().map(|&i| x[i]).sum::<f64>()])).unwrap();
/// assert_eq!(j[[0, 0]], 6.0);
/// ```
///
/// # Errors
/// `n < 2`; the statistic's error, or [`Error::NonFinite`], for any leave-one-out sample (a
/// jackknife with a failing deletion cannot be completed).
///
/// # References
/// Efron, B. (1982). *The Jackknife, the Bootstrap and Other Resampling Plans*. SIAM.
pub fn jackknife<F>(n: usize, statistic: F) -> Result<Array2<f64>>
where
    F: Fn(&[usize]) -> Result<Vec<f64>> + Sync,
{
    if n < 2 {
        return Err(Error::TooFewObservations { needed: 2, got: n });
    }
    let vals: Vec<Result<Vec<f64>>> = (0..n)
        .into_par_iter()
        .map(|i| {
            let idx: Vec<usize> = (0..n).filter(|&r| r != i).collect();
            let v = statistic(&idx)?;
            if let Some(j) = v.iter().position(|x| !x.is_finite()) {
                return Err(Error::NonFinite {
                    what: format!("jackknife value {} with row {} left out", j + 1, i + 1),
                });
            }
            Ok(v)
        })
        .collect();
    let mut k = None;
    let mut flat = Vec::new();
    for (i, v) in vals.into_iter().enumerate() {
        let v = v?;
        match k {
            None => k = Some(v.len()),
            Some(k0) if k0 != v.len() => {
                return Err(Error::DimensionMismatch {
                    what: format!("jackknife statistic with row {} left out", i + 1),
                    expected: k0,
                    found: v.len(),
                });
            }
            _ => {}
        }
        flat.extend(v);
    }
    let k = k.unwrap_or(0);
    Array2::from_shape_vec((n, k), flat).map_err(|e| Error::LinearAlgebra {
        operation: "jackknife matrix".into(),
        message: e.to_string(),
    })
}

/// Jackknife empirical influence values `Lᵢ = (n − 1)(c − t₍ᵢ₎)` from the leave-one-out values
/// (rows = left-out observation) and a centre `c` per statistic.
///
/// With `c = t0` (the estimate on all rows) these are R `boot::empinf(type = "jack")` and
/// Davison & Hinkley's (1997, eq. 2.44) jackknife influence values; with `c` = the column means
/// of `jack` they are Efron & Tibshirani's (1993, eq. 14.15) centred version.
///
/// # Formula
/// ```text
/// L_ij = (n − 1) (c_j − t₍ᵢ₎j)
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::resample::jackknife_influence;
/// let l = jackknife_influence(&array![[1.0], [3.0]], &array![2.0]).unwrap();
/// assert_eq!(l[[0, 0]], 1.0);
/// ```
///
/// # Errors
/// [`Error::DimensionMismatch`] when `centre` does not have one value per column of `jack`.
///
/// # References
/// Davison, A. C. & Hinkley, D. V. (1997), section 2.7.3.
/// Efron, B. & Tibshirani, R. (1993), section 14.3.
pub fn jackknife_influence(jack: &ArrayRef2<f64>, centre: &ArrayRef1<f64>) -> Result<Array2<f64>> {
    let (n, k) = jack.dim();
    if centre.len() != k {
        return Err(Error::DimensionMismatch {
            what: "jackknife centre vs statistics".into(),
            expected: k,
            found: centre.len(),
        });
    }
    let mut l = Array2::zeros((n, k));
    for i in 0..n {
        for j in 0..k {
            l[[i, j]] = (n as f64 - 1.0) * (centre[j] - jack[[i, j]]);
        }
    }
    Ok(l)
}
