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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_beyond_the_representable_range_are_refused() {
        assert!(check_column_scale("x", [1.0, -2.0, 3e149]).is_ok());
        assert!(check_column_scale("x", [0.0, 0.0]).is_ok());
        assert!(check_column_scale("x", [1e-140, f64::NAN]).is_ok());
        let e = check_column_scale("x", [1.0, 2e200]).unwrap_err().to_string();
        assert!(e.contains("`x`") && e.contains("rescale"), "{e}");
        assert!(check_column_scale("x", [1e-200, -3e-200]).is_err());
    }
}
