//! Huber–White (sandwich) covariance of the ML estimates and the observed information.
//!
//! ```text
//! V = (1/N) A⁻¹ B A⁻¹
//! MLM, MLMV: A = Δᵀ W Δ (expected information),  B = Δᵀ W Γ W Δ
//! MLR:       A = H (observed information: Hessian of F_ML/2),  B = Δᵀ B₁(Σ̂) Δ
//! ```
//!
//! B₁(Σ̂) is the cross-product of the case-wise scores at the model-implied moments
//! (gamma.rs), so Δᵀ B₁ Δ = (1/N) Σ_i g_i g_iᵀ with g_i case i's score in θ.

use ndarray::{Array1, Array2};

use crate::core::linalg;

/// (1/n) A⁻¹ B A⁻¹ for a given A⁻¹.
pub(crate) fn sandwich(a_inv: &Array2<f64>, b: &Array2<f64>, n: f64) -> Array2<f64> {
    let ab = linalg::matmul(a_inv.view(), b.view());
    let mut v = linalg::matmul(ab.view(), a_inv.view());
    linalg::symmetrize(&mut v);
    v / n
}

/// The Jacobian of a gradient function at `theta` by a four-point central difference
/// (step h_k = 1e-4 · max(1, |θ_k|), error O(h⁴)), symmetrized: the Hessian of the function
/// whose analytic gradient `grad` returns. `None` when the gradient cannot be evaluated (a
/// step leaves the admissible region).
pub(crate) fn numeric_hessian(
    theta: &[f64],
    grad: &dyn Fn(&[f64]) -> Option<Array1<f64>>,
) -> Option<Array2<f64>> {
    let q = theta.len();
    let mut h = Array2::<f64>::zeros((q, q));
    let mut t = theta.to_vec();
    for k in 0..q {
        let step = 1e-4 * theta[k].abs().max(1.0);
        let mut at = |d: f64| {
            t[k] = theta[k] + d;
            let g = grad(&t);
            t[k] = theta[k];
            g
        };
        let g2p = at(2.0 * step)?;
        let gp = at(step)?;
        let gm = at(-step)?;
        let g2m = at(-2.0 * step)?;
        let col = (&g2m - &g2p + (&gp - &gm) * 8.0) / (12.0 * step);
        h.column_mut(k).assign(&col);
    }
    linalg::symmetrize(&mut h);
    Some(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hessian_of_a_quadratic_and_a_cubic() {
        // f = x² y + 3 y² + x ⇒ H = [[2y, 2x], [2x, 6]]
        let g =
            |t: &[f64]| Some(Array1::from(vec![2.0 * t[0] * t[1] + 1.0, t[0] * t[0] + 6.0 * t[1]]));
        let h = numeric_hessian(&[1.5, -2.0], &g).unwrap();
        let e = [[-4.0, 3.0], [3.0, 6.0]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((h[[i, j]] - e[i][j]).abs() < 1e-9, "{h}");
            }
        }
    }
}
