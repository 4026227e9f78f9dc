//! Discrepancy functions (ML, GLS, ULS), their gradients with respect to vech Σ and the weight
//! matrices of the Gauss–Newton / Fisher-scoring approximation.
//!
//! ```text
//! F_ML  = log|Σ| + tr(S Σ⁻¹) − log|S| − p
//! F_GLS = ½ tr{[S⁻¹ (S − Σ)]²}
//! F_ULS = Σ_{i≤j} (s_ij − σ_ij)²
//! ```
//!
//! Near the optimum each is the quadratic form (s − σ)ᵀ W (s − σ) in the non-duplicated elements,
//! with W = Γ(Σ⁻¹) for ML, Γ(S⁻¹) for GLS and I for ULS, where
//! Γ(A)_{(ij),(kl)} = ¼ (2 − δ_ij)(2 − δ_kl)(a_ik a_jl + a_il a_jk)  (= ½ Dᵀ(A ⊗ A)D).

use ndarray::{Array1, Array2};

use crate::core::linalg::small as dense;
use crate::error::Error;
use crate::error::Result;

/// Which discrepancy function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Discrepancy {
    Ml,
    Gls,
    Uls,
}

/// A discrepancy function bound to one sample covariance matrix.
#[derive(Debug, Clone)]
pub(crate) struct Objective {
    pub kind: Discrepancy,
    pub s: Array2<f64>,
    pub logdet_s: f64,
    pub s_inv: Array2<f64>,
    pub pairs: Vec<(usize, usize)>,
}

/// The value at Σ together with Σ⁻¹ (ML only).
#[derive(Debug, Clone)]
pub(crate) struct Value {
    pub f: f64,
    pub sigma_inv: Option<Array2<f64>>,
}

/// Γ(A) = ½ Dᵀ (A ⊗ A) D over the given vech pairs (reference for the tests).
#[cfg(test)]
pub(crate) fn gamma(a: &Array2<f64>, pairs: &[(usize, usize)]) -> Array2<f64> {
    let n = pairs.len();
    let mut g = Array2::<f64>::zeros((n, n));
    for (r, &(i, j)) in pairs.iter().enumerate() {
        let cij = if i == j { 1.0 } else { 2.0 };
        for (c, &(k, l)) in pairs.iter().enumerate().skip(r) {
            let ckl = if k == l { 1.0 } else { 2.0 };
            let v = 0.25 * cij * ckl * (a[[i, k]] * a[[j, l]] + a[[i, l]] * a[[j, k]]);
            g[[r, c]] = v;
            g[[c, r]] = v;
        }
    }
    g
}

impl Objective {
    pub(crate) fn new(
        kind: Discrepancy,
        s: &Array2<f64>,
        pairs: Vec<(usize, usize)>,
    ) -> Result<Self> {
        let (s_inv, logdet_s) = dense::spd_inverse_logdet(s)
            .ok_or_else(|| Error::NotPositiveDefinite { matrix: "sample covariance".into() })?;
        Ok(Self { kind, s: s.clone(), logdet_s, s_inv, pairs })
    }

    /// F at Σ; `None` if Σ is not positive definite (ML).
    pub(crate) fn value(&self, sigma: &Array2<f64>) -> Option<Value> {
        let p = sigma.nrows();
        match self.kind {
            Discrepancy::Ml => {
                let (inv, logdet) = dense::spd_inverse_logdet(sigma)?;
                let tr: f64 =
                    (0..p).map(|i| (0..p).map(|j| self.s[[i, j]] * inv[[j, i]]).sum::<f64>()).sum();
                let f = logdet + tr - self.logdet_s - p as f64;
                f.is_finite().then_some(Value { f, sigma_inv: Some(inv) })
            }
            Discrepancy::Gls => {
                let e = &self.s - sigma;
                let m = self.s_inv.dot(&e);
                let f = 0.5 * (&m * &m.t()).sum();
                f.is_finite().then_some(Value { f, sigma_inv: None })
            }
            Discrepancy::Uls => {
                let f: f64 =
                    self.pairs.iter().map(|&(i, j)| (self.s[[i, j]] - sigma[[i, j]]).powi(2)).sum();
                f.is_finite().then_some(Value { f, sigma_inv: None })
            }
        }
    }

    /// ∂F / ∂ vech Σ.
    pub(crate) fn grad_vech(&self, sigma: &Array2<f64>, val: &Value) -> Array1<f64> {
        let g = self.grad_sym(sigma, val);
        Array1::from_iter(
            self.pairs.iter().map(|&(i, j)| if i == j { g[[i, i]] } else { 2.0 * g[[i, j]] }),
        )
    }

    /// The symmetric G with dF = Σ_ab G_ab dσ_ab (full sum over a, b): Σ⁻¹ (Σ − S) Σ⁻¹ for ML,
    /// S⁻¹ (Σ − S) S⁻¹ for GLS, −2 (S − Σ) on and −(S − Σ) off the diagonal for ULS. With it,
    /// the gradient needs no Δ ([`super::model::ModelStructure::gradient_sym`]).
    pub(crate) fn grad_sym(&self, sigma: &Array2<f64>, val: &Value) -> Array2<f64> {
        match self.kind {
            Discrepancy::Ml => {
                let inv = val.sigma_inv.as_ref().expect("ML value carries the inverse");
                let d = sigma - &self.s;
                inv.dot(&d).dot(inv)
            }
            Discrepancy::Gls => {
                let d = sigma - &self.s;
                self.s_inv.dot(&d).dot(&self.s_inv)
            }
            Discrepancy::Uls => {
                let mut g = sigma - &self.s;
                g.indexed_iter_mut().for_each(|((i, j), v)| *v *= if i == j { 2.0 } else { 1.0 });
                g
            }
        }
    }

    /// W Δ without forming W: for symmetric E, Γ(A) vech E = ½ (2 − δ_ij) (A E A)_ij.
    pub(crate) fn weight_times(&self, val: &Value, delta: &Array2<f64>) -> Array2<f64> {
        let a = match self.kind {
            Discrepancy::Ml => val.sigma_inv.as_ref().expect("ML value carries the inverse"),
            Discrepancy::Gls => &self.s_inv,
            Discrepancy::Uls => return delta.clone(),
        };
        let p = a.nrows();
        let mut out = Array2::<f64>::zeros(delta.raw_dim());
        let mut e = Array2::<f64>::zeros((p, p));
        for k in 0..delta.ncols() {
            for (r, &(i, j)) in self.pairs.iter().enumerate() {
                let v = delta[[r, k]];
                e[[i, j]] = v;
                e[[j, i]] = v;
            }
            let aea = a.dot(&e).dot(a);
            for (r, &(i, j)) in self.pairs.iter().enumerate() {
                out[[r, k]] = if i == j { 0.5 * aea[[i, i]] } else { aea[[i, j]] };
            }
        }
        out
    }

    /// Information Δᵀ W Δ.
    pub(crate) fn information(&self, val: &Value, delta: &Array2<f64>) -> Array2<f64> {
        delta.t().dot(&self.weight_times(val, delta))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sem::model::vech_pairs;
    use ndarray::array;

    #[test]
    fn weight_times_equals_gamma_product() {
        let s = array![[2.0, 0.3, 0.1], [0.3, 1.5, 0.2], [0.1, 0.2, 1.0]];
        let pairs = vech_pairs(3);
        let obj = Objective::new(Discrepancy::Gls, &s, pairs.clone()).unwrap();
        let val = obj.value(&s).unwrap();
        let delta = Array2::from_shape_fn((6, 2), |(i, j)| (i * 3 + j) as f64 * 0.1 - 0.2);
        let a = obj.weight_times(&val, &delta);
        let b = gamma(&obj.s_inv, &pairs).dot(&delta);
        for (x, y) in a.iter().zip(b.iter()) {
            assert!((x - y).abs() < 1e-12, "{x} vs {y}");
        }
    }
}
