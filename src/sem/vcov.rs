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
pub(crate) fn invert_information(info: &Array2<f64>, names: &[String]) -> Result<Array2<f64>> {
    let q = info.nrows();
    if q == 0 {
        return Ok(Array2::zeros((0, 0)));
    }
    // fast path: a well-conditioned Cholesky factor
    let maxd = (0..q).map(|i| info[[i, i]].abs()).fold(0.0f64, f64::max);
    if let Some(l) = crate::core::linalg::small::cholesky(info) {
        let mind = (0..q).map(|i| l[[i, i]] * l[[i, i]]).fold(f64::INFINITY, f64::min);
        if mind > 1e-9 * maxd
            && let Some((inv, _)) = crate::core::linalg::small::spd_inverse_logdet(info)
        {
            return Ok(inv);
        }
    }
    let (vals, vecs) = linalg::sym_eigen(info.view(), "information matrix")?;
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
                "the information matrix is singular (smallest eigenvalue {min:.3e} vs largest {max:.3e}); parameters involved: {}",
                involved.join(", ")
            ),
        });
    }
    linalg::spd_inverse(info.view(), "information matrix")
}
