//! Regression diagnostics: variance inflation factors, Durbin–Watson, descriptive helpers.

use ndarray::Array1;

use super::dd;

/// VIF from the triangular factor: with `R̃` the trailing block of `R` after the first `off`
/// columns (the intercept), `Cov(b̃) ∝ R̃⁻¹R̃⁻ᵀ` and `Cov(b̃)⁻¹ ∝ R̃ᵀR̃`, so
/// `VIF_j = [Cov]_jj [Cov⁻¹]_jj = ‖row j of R̃⁻¹‖² · ‖column j of R̃‖²` — the diagonal of the
/// inverse correlation matrix of the estimates (car::vif), column scaling cancelling out.
/// `r` and `rinv` are row-major p×p, upper triangular.
pub(crate) fn vif_from_r(r: &[f64], rinv: &[f64], p: usize, off: usize) -> Array1<f64> {
    (off..p)
        .map(|j| {
            let a = dd::sum_sq((j..p).map(|k| rinv[j * p + k]));
            let b = dd::sum_sq((off..=j).map(|i| r[i * p + j]));
            a * b
        })
        .collect()
}

/// Sample standard deviation (divisor n − 1), two-pass with compensated sums.
pub(crate) fn sd(v: impl Iterator<Item = f64> + Clone) -> f64 {
    let n = v.clone().count() as f64;
    let m = dd::sum(v.clone()) / n;
    (dd::sum_sq(v.map(|x| x - m)) / (n - 1.0)).sqrt()
}

/// Durbin–Watson statistic of residuals in data order.
pub(crate) fn durbin_watson(e: &[f64]) -> f64 {
    let num = dd::sum_sq(e.windows(2).map(|w| w[1] - w[0]));
    num / dd::sum_sq(e.iter().copied())
}
