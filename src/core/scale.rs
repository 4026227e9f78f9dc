//! Floating-point range of data columns: sums of squares of values beyond about 1e±154 overflow
//! to infinity or underflow to zero, so estimators built on them refuse such columns with a
//! clear message instead of returning NaN, infinite or zero statistics.

use crate::error::{Error, Result};

/// Largest magnitude accepted in a column whose squares are summed (squares stay below 1e300).
pub(crate) const MAX_ABS_VALUE: f64 = 1e150;

/// Smallest largest-magnitude accepted for a non-zero column (squares stay above 1e-300).
pub(crate) const MIN_ABS_SCALE: f64 = 1e-150;

/// Refuse a column whose largest finite magnitude is above [`MAX_ABS_VALUE`], or non-zero and
/// below [`MIN_ABS_SCALE`]. Non-finite values are left to the caller's own checks.
///
/// # Errors
/// [`Error::InvalidParameter`] naming the column, its largest magnitude and the accepted range.
pub(crate) fn check_column_scale(name: &str, values: impl IntoIterator<Item = f64>) -> Result<()> {
    let max = values.into_iter().filter(|v| v.is_finite()).fold(0.0_f64, |m, v| m.max(v.abs()));
    if max > MAX_ABS_VALUE || (max > 0.0 && max < MIN_ABS_SCALE) {
        return Err(Error::invalid(
            name,
            format!(
                "largest magnitude {max:e} is outside [{MIN_ABS_SCALE:e}, {MAX_ABS_VALUE:e}], \
                 where sums of squares are representable in floating point; rescale the column"
            ),
        ));
    }
    Ok(())
}

/// [`check_column_scale`] for every column of `x` (rows are observations); a column is named
/// `names[j]` when names are given, else `column j+1`.
///
/// # Errors
/// As [`check_column_scale`].
pub(crate) fn check_matrix_scale(
    x: ndarray::ArrayView2<'_, f64>,
    names: Option<&[String]>,
) -> Result<()> {
    // Largest finite magnitude per column in one pass over the data in memory order: row by
    // row when rows are contiguous (row-major data, or adjacent columns of a row-major table),
    // else column by column when columns are
    let mut max = vec![0.0_f64; x.ncols()];
    if x.nrows() > 0 && x.strides()[1] == 1 {
        for row in x.rows() {
            match row.as_slice() {
                Some(row) => {
                    for (m, &v) in max.iter_mut().zip(row) {
                        *m = finite_max(*m, v);
                    }
                }
                None => {
                    for (m, &v) in max.iter_mut().zip(row.iter()) {
                        *m = finite_max(*m, v);
                    }
                }
            }
        }
    } else {
        for (m, col) in max.iter_mut().zip(x.columns()) {
            *m = match col.as_slice() {
                Some(col) => column_max(col),
                None => col.iter().fold(0.0, |m, &v| finite_max(m, v)),
            };
        }
    }
    for (j, &m) in max.iter().enumerate() {
        if m > MAX_ABS_VALUE || (m > 0.0 && m < MIN_ABS_SCALE) {
            let name = match names.and_then(|n| n.get(j)) {
                Some(n) => n.clone(),
                None => format!("column {}", j + 1),
            };
            return check_column_scale(&name, [m]);
        }
    }
    Ok(())
}

/// `m` or `|v|` if that is larger and finite (`m` is finite and non-negative); branch-free, so
/// that loops over it vectorise.
#[inline]
fn finite_max(m: f64, v: f64) -> f64 {
    // two selects without branches (so that loops over rows vectorise); `m` is never negative
    let a = v.abs();
    let a = if a < f64::INFINITY { a } else { 0.0 };
    if a > m { a } else { m }
}

/// Largest finite magnitude of a contiguous column (0 when there is none), with four running
/// maxima so that the loop vectorises.
fn column_max(col: &[f64]) -> f64 {
    let mut acc = [0.0_f64; 4];
    let mut chunks = col.chunks_exact(4);
    for c in &mut chunks {
        for (m, &v) in acc.iter_mut().zip(c) {
            *m = finite_max(*m, v);
        }
    }
    let tail = chunks.remainder().iter().fold(0.0, |m, &v| finite_max(m, v));
    acc.iter().fold(tail, |m, &v| finite_max(m, v))
}

/// The covariance-matrix form of [`check_column_scale`]: every variance must lie in
/// [MIN_ABS_SCALE², MAX_ABS_VALUE²] (standard deviations in [1e-150, 1e150]) unless it is zero
/// (left to the caller's constant-variable check); variable `k` is named `names[k]` or
/// `variable k+1`.
///
/// # Errors
/// [`Error::InvalidParameter`] naming the variable, its variance and the accepted range.
pub(crate) fn check_cov_scale(
    cov: ndarray::ArrayView2<'_, f64>,
    names: Option<&[String]>,
) -> Result<()> {
    let n = cov.nrows().min(cov.ncols());
    for k in 0..n {
        let v = cov[[k, k]];
        let sd = v.abs().sqrt();
        if v.is_finite() && (sd > MAX_ABS_VALUE || (sd > 0.0 && sd < MIN_ABS_SCALE)) {
            let name = match names.and_then(|x| x.get(k)) {
                Some(x) => x.clone(),
                None => format!("variable {}", k + 1),
            };
            return Err(Error::invalid(
                name,
                format!(
                    "variance {v:e} is outside [{:e}, {:e}], where products of covariances are \
                     representable in floating point; rescale the variable",
                    MIN_ABS_SCALE * MIN_ABS_SCALE,
                    MAX_ABS_VALUE * MAX_ABS_VALUE
                ),
            ));
        }
    }
    Ok(())
}

/// Replace a positional column name (`column 3`, `variable 3`) in a column error by `names[2]`,
/// for estimators whose inner steps only see an unnamed matrix.
pub(crate) fn name_columns(e: Error, names: &[String]) -> Error {
    let rename = |name: &str| -> Option<String> {
        let k = name.strip_prefix("column ").or_else(|| name.strip_prefix("variable "))?;
        let k: usize = k.parse().ok()?;
        names.get(k.checked_sub(1)?).cloned()
    };
    match e {
        Error::ConstantColumn { name } => {
            Error::ConstantColumn { name: rename(&name).unwrap_or(name) }
        }
        Error::InvalidParameter { name, reason } => {
            Error::InvalidParameter { name: rename(&name).unwrap_or(name), reason }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covariances_beyond_the_representable_range_are_refused() {
        let ok = ndarray::array![[1e290, 0.0], [0.0, 1e-290]];
        assert!(check_cov_scale(ok.view(), None).is_ok());
        let big = ndarray::array![[1.0, 0.0], [0.0, 1e302]];
        let e = check_cov_scale(big.view(), None).unwrap_err().to_string();
        assert!(e.contains("variable 2") && e.contains("rescale"), "{e}");
        let tiny = ndarray::array![[1e-305, 0.0], [0.0, 1.0]];
        let names = ["a".to_string(), "b".to_string()];
        let e = check_cov_scale(tiny.view(), Some(&names)).unwrap_err().to_string();
        assert!(e.contains("`a`"), "{e}");
        assert!(check_cov_scale(ndarray::array![[0.0]].view(), None).is_ok());
    }

    #[test]
    fn columns_beyond_the_representable_range_are_refused() {
        assert!(check_column_scale("x", [1.0, -2.0, 3e149]).is_ok());
        assert!(check_column_scale("x", [0.0, 0.0]).is_ok());
        assert!(check_column_scale("x", [1e-140, f64::NAN]).is_ok());
        let e = check_column_scale("x", [1.0, 2e200]).unwrap_err().to_string();
        assert!(e.contains("`x`") && e.contains("rescale"), "{e}");
        assert!(check_column_scale("x", [1e-200, -3e-200]).is_err());
    }

    #[test]
    fn positional_column_names_are_replaced() {
        let names = vec!["a".to_string(), "b".to_string()];
        let e = name_columns(Error::ConstantColumn { name: "column 2".into() }, &names);
        assert_eq!(e, Error::ConstantColumn { name: "b".into() });
        let e = name_columns(Error::ConstantColumn { name: "column 9".into() }, &names);
        assert_eq!(e, Error::ConstantColumn { name: "column 9".into() });
        let x = ndarray::array![[1.0, 1e200], [2.0, 3.0]];
        let e = check_matrix_scale(x.view(), Some(&names)).unwrap_err().to_string();
        assert!(e.contains("`b`"), "{e}");
        // every memory order: row-major, column-major, strided rows or columns; non-finite
        // values are skipped
        let x = ndarray::array![[1.0, f64::NAN], [f64::INFINITY, 3.0], [-2.0, -1e-200]];
        assert!(check_matrix_scale(x.view(), None).is_ok());
        assert!(check_matrix_scale(x.t(), None).is_ok());
        let y = ndarray::Array2::from_shape_fn(
            (9, 2),
            |(i, j)| if (i, j) == (7, 1) { -2e200 } else { 1.0 },
        );
        let z = y.t().to_owned();
        let every_other = y.slice_axis(ndarray::Axis(0), ndarray::Slice::new(0, None, 2));
        let from_second = y.slice_axis(ndarray::Axis(0), ndarray::Slice::from(1..));
        for v in [y.view(), z.t(), every_other, from_second] {
            let e = check_matrix_scale(v, None).map_err(|e| e.to_string());
            assert_eq!(e.is_err(), v.column(1).iter().any(|&a| a < -1e199), "{e:?}");
        }
        let e = check_matrix_scale(z.t(), Some(&names)).unwrap_err().to_string();
        assert!(e.contains("`b`"), "{e}");
        assert_eq!(column_max(&[1.0, -5.0, f64::NAN, 2.0, f64::NEG_INFINITY, 4.5]), 5.0);
    }
}
