//! Scaled χ² difference tests of nested robust multi-group fits (lavaan's `lavTestLRT` with the
//! MLM, MLMV and MLR estimators).
//!
//! Both tests are functions of the two standard (unscaled) statistics T₀ (the more restricted
//! model, df r₀) and T₁ (the less restricted model, df r₁), m = r₀ − r₁:
//!
//! ```text
//! Satorra–Bentler (2001):  c_d = (r₀ c₀ − r₁ c₁) / m,   T_d = (T₀ − T₁) / c_d      ~ χ²_m
//! Satorra (2000), scaled and shifted (Asparouhov & Muthén 2010):
//!   H = (J₁ᵀJ₁)⁻¹ J₁ᵀ J₀                  (the restricted model's directions in θ₁)
//!   M = A₁⁻¹ − H (Hᵀ A₁ H)⁻¹ Hᵀ           (= A₁⁻¹ Kᵀ (K A₁⁻¹ Kᵀ)⁻¹ K A₁⁻¹, K the constraints' Jacobian)
//!   a = √(m / tr[(M B₁)²]),  b = m − a tr(M B₁),   T_d = a (T₀ − T₁) + b    ~ χ²_m
//! ```
//!
//! c₀, c₁ are the models' scaling factors (lavaan's `chisq.scaling.factor`: Satorra–Bentler for
//! MLM, Yuan–Bentler for MLR); J_k is the Jacobian of all groups' stacked moments (means and
//! covariances) in model k's parameters, A₁ = Σ_g n_g J_gᵀ W_g J_g and B₁ = Σ_g n_g J_gᵀ W_g Γ_g
//! W_g J_g are the expected information and the middle of the sandwich of the less restricted
//! model (lavaan's `H1 = TRUE`), so the constraints K need not be written down: H spans the
//! restricted model's tangent space inside the less restricted one (lavaan's `A.method =
//! "delta"`). The defaults are lavaan 0.6.14's: Satorra–Bentler 2001 for MLM and MLR, Satorra
//! 2000 scaled-and-shifted for MLMV.

use super::super::{Estimator, MultiGroupFit};
use crate::core::dist::chisq_sf;
use crate::core::linalg;
use crate::error::{Error, Result};

/// How nested robust fits are compared (lavaan `lavTestLRT(method = ...)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DifferenceMethod {
    /// The plain difference of the two statistics (ML, GLS, ULS: lavaan's `standard`).
    #[cfg_attr(feature = "serde", serde(rename = "standard"))]
    Standard,
    /// Satorra & Bentler (2001) scaled difference from the two scaling factors (`satorra.bentler.2001`).
    #[cfg_attr(feature = "serde", serde(rename = "satorra.bentler.2001"))]
    SatorraBentler2001,
    /// Satorra (2000) scaled-and-shifted difference from the less restricted model's U Γ
    /// (`satorra.2000`, `scaled.shifted = TRUE`): MLM and MLMV.
    #[cfg_attr(feature = "serde", serde(rename = "satorra.2000"))]
    Satorra2000,
}

impl DifferenceMethod {
    /// lavaan's name of the method.
    pub fn name(self) -> &'static str {
        match self {
            DifferenceMethod::Standard => "standard",
            DifferenceMethod::SatorraBentler2001 => "satorra.bentler.2001",
            DifferenceMethod::Satorra2000 => "satorra.2000",
        }
    }

    /// lavaan 0.6.14's default for an estimator: `standard` for ML, GLS, ULS;
    /// `satorra.bentler.2001` for MLM and MLR; `satorra.2000` for MLMV.
    pub fn default_for(robust: Option<Estimator>) -> Self {
        match robust {
            Some(Estimator::Mlm | Estimator::Mlr) => DifferenceMethod::SatorraBentler2001,
            Some(Estimator::Mlmv) => DifferenceMethod::Satorra2000,
            _ => DifferenceMethod::Standard,
        }
    }
}

/// A (scaled) χ² difference test of two nested models.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ScaledDifference {
    /// The method.
    pub method: DifferenceMethod,
    /// The test statistic (lavaan's "Chisq diff").
    pub chisq: f64,
    /// Δdf = m.
    pub df: f64,
    /// P(χ²_m > statistic) (1 for a negative statistic, as `pchisq`).
    pub pvalue: f64,
    /// The plain difference T₀ − T₁ of the standard statistics.
    pub chisq_unscaled: f64,
    /// The scaling of the difference: c_d (Satorra–Bentler 2001), a (Satorra 2000), 1 (standard).
    pub scaling: f64,
    /// The shift b of the Satorra (2000) statistic (0 otherwise).
    pub shift: f64,
}

impl MultiGroupFit {
    /// The χ² difference test against another fit of a nested model (either order) with
    /// lavaan's default method for the estimator ([`DifferenceMethod::default_for`]; Satorra
    /// (2000) scaled and shifted for WLSMV and ULSMV fits of ordered indicators).
    ///
    /// # Errors
    /// See [`MultiGroupFit::lrt_with`].
    pub fn lrt_scaled(&self, other: &MultiGroupFit) -> Result<ScaledDifference> {
        self.lrt_with(other, default_method(self))
    }

    /// The χ² difference test against another fit of a nested model (either order) by `method`.
    ///
    /// # Formula
    /// See the module documentation of `sem::invariance::scaled`.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when the degrees of freedom are equal, the two fits use
    /// different estimators, a scaled method is asked of fits without a robust test, or
    /// Satorra (2000) of MLR fits (it needs the expected-information pieces of MLM or MLMV);
    /// [`Error::NotPositiveDefinite`] / [`Error::Singular`] when the information of the less
    /// restricted model or the projection is singular.
    pub fn lrt_with(
        &self,
        other: &MultiGroupFit,
        method: DifferenceMethod,
    ) -> Result<ScaledDifference> {
        let get = |f: &MultiGroupFit, k: &str| f.fit_measure(k).unwrap_or(f64::NAN);
        let (r0, r1) = (get(self, "df"), get(other, "df"));
        if r0.is_nan() || r1.is_nan() || r0 == r1 {
            return Err(Error::invalid("lrt", "the two models have the same degrees of freedom"));
        }
        // model 0: the more restricted (larger df)
        let (m0, m1) = if r0 > r1 { (self, other) } else { (other, self) };
        let (r0, r1) = (get(m0, "df"), get(m1, "df"));
        let m = r0 - r1;
        let t = get(m0, "chisq") - get(m1, "chisq");
        let est = m0.config().sem().robust_estimator();
        if est != m1.config().sem().robust_estimator() {
            return Err(Error::invalid(
                "lrt",
                "the two models were fitted with different estimators",
            ));
        }
        let (stat, scaling, shift) = match method {
            DifferenceMethod::Standard => (t, 1.0, 0.0),
            DifferenceMethod::SatorraBentler2001 => {
                let (c0, c1) = (get(m0, "chisq.scaling.factor"), get(m1, "chisq.scaling.factor"));
                if est.is_none() || c0.is_nan() || c1.is_nan() {
                    return Err(Error::invalid(
                        "lrt",
                        "the Satorra–Bentler difference test needs robust (MLM, MLR) fits",
                    ));
                }
                let cd = (r0 * c0 - r1 * c1) / m;
                (t / cd, cd, 0.0)
            }
            DifferenceMethod::Satorra2000 => {
                let (Some(d0), Some(d1)) = (&m0.robust_diff, &m1.robust_diff) else {
                    return Err(Error::invalid(
                        "lrt",
                        "the Satorra (2000) difference test needs MLM or MLMV fits",
                    ));
                };
                let (tr, tr2) = satorra_2000_traces(&d1.jac, &d0.jac, &d1.info, &d1.meat)?;
                let a = (m / tr2).sqrt();
                let b = m - a * tr;
                (a * t + b, a, b)
            }
        };
        let pvalue = if stat.is_nan() { f64::NAN } else { chisq_sf(stat.max(0.0), m) };
        Ok(ScaledDifference {
            method,
            chisq: stat,
            df: m,
            pvalue,
            chisq_unscaled: t,
            scaling,
            shift,
        })
    }
}

/// tr(M B₁) and tr[(M B₁)²] of the Satorra (2000) test with M = A₁⁻¹ − H (Hᵀ A₁ H)⁻¹ Hᵀ,
/// H = (J₁ᵀ J₁)⁻¹ J₁ᵀ J₀.
pub(crate) fn satorra_2000_traces(
    j1: &ndarray::Array2<f64>,
    j0: &ndarray::Array2<f64>,
    info1: &ndarray::Array2<f64>,
    meat1: &ndarray::Array2<f64>,
) -> Result<(f64, f64)> {
    if j1.nrows() != j0.nrows() {
        return Err(Error::DimensionMismatch {
            what: "moments of the two nested models".into(),
            expected: j1.nrows(),
            found: j0.nrows(),
        });
    }
    let jtj = linalg::crossprod(j1.view());
    let h = linalg::spd_solve(
        jtj.view(),
        linalg::matmul(j1.t(), j0.view()).view(),
        "Jacobian cross-product of the less restricted model",
    )?;
    let a_inv = linalg::spd_inverse(info1.view(), "information of the less restricted model")?;
    let ah = linalg::matmul(info1.view(), h.view());
    let hah = linalg::matmul(h.t(), ah.view());
    let x = linalg::spd_solve(hah.view(), h.t(), "information of the restricted model")?;
    let mut mm = a_inv;
    mm -= &linalg::matmul(h.view(), x.view());
    let mb = linalg::matmul(mm.view(), meat1.view());
    let d = mb.nrows();
    let tr: f64 = (0..d).map(|i| mb[[i, i]]).sum();
    let tr2: f64 = (0..d).map(|i| (0..d).map(|j| mb[[i, j]] * mb[[j, i]]).sum::<f64>()).sum();
    Ok((tr, tr2))
}

/// lavaan 0.6.14's default `lavTestLRT` method for a fit: Satorra (2000) scaled and shifted for
/// the robust least-squares estimators of ordered indicators (WLSMV, ULSMV), else
/// [`DifferenceMethod::default_for`].
fn default_method(fit: &MultiGroupFit) -> DifferenceMethod {
    let sem = fit.config().sem();
    if sem.is_ordinal() && matches!(sem.estimator_kind(), Estimator::Wlsmv | Estimator::Ulsmv) {
        DifferenceMethod::Satorra2000
    } else {
        DifferenceMethod::default_for(sem.robust_estimator())
    }
}
