//! The asymptotic covariance Γ of the sample second moments from raw data (distribution free),
//! the normal-theory ML weight matrix W and the first-order (score cross-product) matrix of the
//! saturated model.
//!
//! ```text
//! z_i = vech((x_i − x̄)(x_i − x̄)ᵀ),   Γ = (1/N) Σ_i (z_i − z̄)(z_i − z̄)ᵀ        (divisor N)
//! W(Σ) = ½ Dᵀ(Σ⁻¹ ⊗ Σ⁻¹)D,   W_ab,cd = ¼ (2 − δ_ab)(2 − δ_cd)(σ^ac σ^bd + σ^ad σ^bc)
//! B₁(Σ) = (1/N) Σ_i s_i s_iᵀ = W(Σ) [Γ + (s − σ)(s − σ)ᵀ] W(Σ)
//! ```
//!
//! s_i = W(Σ)(z_i − σ) is case i's score of the saturated normal log-likelihood in vech Σ
//! (means at x̄), s = z̄ = vech S (divisor N). Everything is in the order of `pairs` (vech
//! elements (i, j), i ≤ j or i ≥ j: only the order has to agree with Δ).

use ndarray::{Array1, Array2, ArrayView2};

use crate::core::linalg;

/// Γ (divisor N) of the non-duplicated second moments of the rows of `x` (complete rows, one
/// column per variable) in the order of `pairs`; also returns s = z̄ = vech S (divisor N).
pub(crate) fn gamma_nt_free(
    x: ArrayView2<'_, f64>,
    pairs: &[(usize, usize)],
) -> (Array2<f64>, Array1<f64>) {
    let (n, p) = x.dim();
    let nf = n as f64;
    let means: Vec<f64> = (0..p).map(|j| x.column(j).sum() / nf).collect();
    let mut z = Array2::<f64>::zeros((n, pairs.len()));
    for (i, row) in x.rows().into_iter().enumerate() {
        for (r, &(a, b)) in pairs.iter().enumerate() {
            z[[i, r]] = (row[a] - means[a]) * (row[b] - means[b]);
        }
    }
    let zbar = z.mean_axis(ndarray::Axis(0)).unwrap_or_else(|| Array1::zeros(pairs.len()));
    for mut row in z.rows_mut() {
        row -= &zbar;
    }
    let mut g = linalg::crossprod(z.view());
    g /= nf;
    (g, zbar)
}

/// Γ of the second moments with the fixed covariates' (co)variances held at their sample value
/// S_xx (lavaan's Γ under `fixed.x = TRUE`): case i's deviation r_i = x_i − x̄ enters through
///
/// ```text
/// z_i = vech(r_i r_iᵀ − u_i u_iᵀ),   u_i = L r_i,x,   L = [S_yx S_xx⁻¹; I]
/// ```
///
/// (the influence of S_xx on S_yy = Σ_res + B S_xx Bᵀ and S_yx = B S_xx removed), so the rows and
/// columns of the covariates' own moments are zero. `ix` are the covariates' columns; returns
/// Γ (divisor N) and s = vech S (divisor N). `None` if S_xx is singular.
pub(crate) fn gamma_fixed_x(
    x: ArrayView2<'_, f64>,
    pairs: &[(usize, usize)],
    ix: &[usize],
) -> Option<(Array2<f64>, Array1<f64>)> {
    let (n, p) = x.dim();
    let nf = n as f64;
    let means: Vec<f64> = (0..p).map(|j| x.column(j).sum() / nf).collect();
    let cov = |a: usize, b: usize| {
        x.column(a)
            .iter()
            .zip(x.column(b).iter())
            .map(|(u, v)| (u - means[a]) * (v - means[b]))
            .sum::<f64>()
            / nf
    };
    let q = ix.len();
    let sxx = Array2::from_shape_fn((q, q), |(a, b)| cov(ix[a], ix[b]));
    let sxx_inv = linalg::small::inverse(&sxx)?;
    // L (p × q)
    let mut l = Array2::<f64>::zeros((p, q));
    for j in 0..p {
        match ix.iter().position(|&k| k == j) {
            Some(a) => l[[j, a]] = 1.0,
            None => {
                let syx = Array1::from_iter(ix.iter().map(|&k| cov(j, k)));
                l.row_mut(j).assign(&sxx_inv.dot(&syx));
            }
        }
    }
    let mut z = Array2::<f64>::zeros((n, pairs.len()));
    let mut zbar = Array1::<f64>::zeros(pairs.len());
    let mut r = vec![0.0; p];
    for (i, row) in x.rows().into_iter().enumerate() {
        for j in 0..p {
            r[j] = row[j] - means[j];
        }
        let rx = Array1::from_iter(ix.iter().map(|&k| r[k]));
        let u = l.dot(&rx);
        for (c, &(a, b)) in pairs.iter().enumerate() {
            let prod = r[a] * r[b];
            zbar[c] += prod / nf;
            z[[i, c]] = prod - u[a] * u[b];
        }
    }
    let zm = z.mean_axis(ndarray::Axis(0)).unwrap_or_else(|| Array1::zeros(pairs.len()));
    for mut row in z.rows_mut() {
        row -= &zm;
    }
    let mut g = linalg::crossprod(z.view());
    g /= nf;
    Some((g, zbar))
}

/// W(A⁻¹) = ½ Dᵀ(A⁻¹ ⊗ A⁻¹)D for a given inverse `a_inv`, in the order of `pairs`.
pub(crate) fn normal_weight(a_inv: &Array2<f64>, pairs: &[(usize, usize)]) -> Array2<f64> {
    let m = pairs.len();
    let mut w = Array2::<f64>::zeros((m, m));
    for (r, &(i, j)) in pairs.iter().enumerate() {
        let cij = if i == j { 1.0 } else { 2.0 };
        for (c, &(k, l)) in pairs.iter().enumerate().skip(r) {
            let ckl = if k == l { 1.0 } else { 2.0 };
            let v =
                0.25 * cij * ckl * (a_inv[[i, k]] * a_inv[[j, l]] + a_inv[[i, l]] * a_inv[[j, k]]);
            w[[r, c]] = v;
            w[[c, r]] = v;
        }
    }
    w
}

/// B₁ = W [Γ + e eᵀ] W with e = s − σ (the cross-product of the saturated model's case-wise
/// scores evaluated at the moments σ).
pub(crate) fn first_order(
    w: &Array2<f64>,
    gamma: &Array2<f64>,
    s: &Array1<f64>,
    sigma: &Array1<f64>,
) -> Array2<f64> {
    let e = s - sigma;
    let mut m = gamma.clone();
    for a in 0..e.len() {
        for b in 0..e.len() {
            m[[a, b]] += e[a] * e[b];
        }
    }
    let wm = linalg::matmul(w.view(), m.view());
    let mut out = linalg::matmul(wm.view(), w.view());
    linalg::symmetrize(&mut out);
    out
}

/// vech of a symmetric matrix in the order of `pairs`.
pub(crate) fn vech(a: &Array2<f64>, pairs: &[(usize, usize)]) -> Array1<f64> {
    Array1::from_iter(pairs.iter().map(|&(i, j)| a[[i, j]]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sem::model::vech_pairs;
    use ndarray::array;

    /// Under the identity Γ = (1/N) Σ (z_i − z̄)(z_i − z̄)ᵀ, B₁ at σ = s is W Γ W and equals the
    /// cross-product of the case-wise scores W (z_i − s).
    #[test]
    fn first_order_is_score_crossproduct() {
        let x = array![
            [1.0, 2.0, 0.5],
            [2.0, 1.0, 1.5],
            [0.0, 3.0, 2.0],
            [1.5, 2.5, -1.0],
            [3.0, 0.0, 0.0]
        ];
        let pairs = vech_pairs(3);
        let (g, s) = gamma_nt_free(x.view(), &pairs);
        let sig = array![[2.0, 0.3, 0.1], [0.3, 1.5, 0.2], [0.1, 0.2, 1.0]];
        let sinv = crate::core::linalg::small::inverse(&sig).unwrap();
        let w = normal_weight(&sinv, &pairs);
        let sv = vech(&sig, &pairs);
        let b1 = first_order(&w, &g, &s, &sv);
        let n = x.nrows();
        let mut b2 = Array2::<f64>::zeros(b1.raw_dim());
        let means: Vec<f64> = (0..3).map(|j| x.column(j).sum() / n as f64).collect();
        for i in 0..n {
            let z = Array1::from_iter(
                pairs.iter().map(|&(a, b)| (x[[i, a]] - means[a]) * (x[[i, b]] - means[b])),
            );
            let sc = w.dot(&(&z - &sv));
            for a in 0..sc.len() {
                for b in 0..sc.len() {
                    b2[[a, b]] += sc[a] * sc[b] / n as f64;
                }
            }
        }
        for (u, v) in b1.iter().zip(b2.iter()) {
            assert!((u - v).abs() < 1e-12, "{u} vs {v}");
        }
    }
}
