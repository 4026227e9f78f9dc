//! Expected information and the covariance matrix of the estimates.
//!
//! ```text
//! I(θ)  = Δᵀ W Δ        (per observation; W = Γ(Σ⁻¹) for ML, Γ(S⁻¹) for GLS)
//! V(θ̂) = (N′ I)⁻¹       (N′ = N for ML/normal, N − 1 for Wishart, GLS and ULS)
//! ```
//!
//! For ULS the covariance is the normal-theory sandwich
//! (ΔᵀΔ)⁻¹ Δᵀ Γ(Σ⁻¹)⁻¹ Δ (ΔᵀΔ)⁻¹ / N′.

use ndarray::Array2;

use crate::core::linalg;
use crate::error::{Error, Result};

/// Invert the information; a (numerically) singular information means the model is not identified.
///
/// The check is scale free: it looks at the information in correlation form, R = D I D with
/// D = diag(I)^(−½), so rescaling a variable (hp vs hp/100) rescales parameters without
/// changing the verdict. I⁻¹ = D R⁻¹ D.
pub(crate) fn invert_information(info: &Array2<f64>, names: &[String]) -> Result<Array2<f64>> {
    let q = info.nrows();
    if q == 0 {
        return Ok(Array2::zeros((0, 0)));
    }
    // a parameter that does not move the objective at all is not identified
    if let Some(k) = (0..q).find(|&k| !(info[[k, k]] > 0.0 && info[[k, k]].is_finite())) {
        return Err(Error::NotIdentified {
            reason: format!(
                "the information matrix is singular: parameter {} does not affect the model (zero information)",
                names[k]
            ),
        });
    }
    let d: Vec<f64> = (0..q).map(|k| 1.0 / info[[k, k]].sqrt()).collect();
    let r = Array2::from_shape_fn((q, q), |(i, j)| info[[i, j]] * d[i] * d[j]);
    let unscale =
        |inv: Array2<f64>| Array2::from_shape_fn((q, q), |(i, j)| inv[[i, j]] * d[i] * d[j]);
    // fast path: a well-conditioned Cholesky factor (unit diagonal, so l_kk² is the share of
    // parameter k's information not explained by the others)
    if let Some(l) = crate::core::linalg::small::cholesky(&r) {
        let mind = (0..q).map(|i| l[[i, i]] * l[[i, i]]).fold(f64::INFINITY, f64::min);
        if mind > 1e-9
            && let Some((inv, _)) = crate::core::linalg::small::spd_inverse_logdet(&r)
        {
            return Ok(unscale(inv));
        }
    }
    let (vals, vecs) = linalg::sym_eigen(r.view(), "information matrix")?;
    let max = vals.iter().fold(0.0f64, |a, b| a.max(b.abs()));
    let min = vals[q - 1];
    if min.is_nan() || min <= 1e-10 * max || !min.is_finite() {
        // the parameter loading most on the null direction
        let v = vecs.column(q - 1);
        let mut order: Vec<usize> = (0..q).collect();
        order.sort_by(|&a, &b| v[b].abs().total_cmp(&v[a].abs()));
        let involved: Vec<&str> = order
            .iter()
            .take_while(|&&k| v[k].abs() > 0.1)
            .take(4)
            .map(|&k| names[k].as_str())
            .collect();
        return Err(Error::NotIdentified {
            reason: format!(
                "the information matrix is singular (smallest eigenvalue {min:.3e} vs largest {max:.3e} in correlation form); parameters involved: {}",
                involved.join(", ")
            ),
        });
    }
    Ok(unscale(linalg::spd_inverse(r.view(), "information matrix")?))
}
