//! Correlations for ordinal data: polychoric, tetrachoric and polyserial correlations with
//! their thresholds and asymptotic covariance matrix, Spearman's rank correlation, and the
//! smoothing of a correlation matrix that is not positive definite.
//!
//! - [`Polychoric`] → [`PolychoricFit`]: two-step estimation (thresholds from the margins,
//!   then each correlation by maximum likelihood), following lavaan's `lavCor(ordered = ...)`
//!   or psych's `polychoric` / `tetrachoric` / `polyserial` ([`Convention`]).
//! - [`cor_smooth`]: psych's `cor.smooth`.
//! - [`spearman`]: R's `cor(method = "spearman")`.
//!
//! The matrix feeds the estimators that take a correlation matrix: ordinal α is
//! `Alpha::new().fit_cov(fit.correlation(), n)` (Zumbo, Gadermann & Zeisser 2007), EFA on
//! polychoric correlations `Efa::new(k).fit_cor(fit.correlation(), n)` (psych's
//! `fa(cor = "poly")`). Conventions and validation: `docs/methods/polychoric.md`.
//!
//! ```
//! use ndarray::array;
//! use surveystat::ordinal::{Convention, Polychoric};
//! let x = array![[1., 1.], [1., 2.], [2., 2.], [2., 3.], [3., 3.], [3., 2.], [1., 1.], [2., 1.]];
//! let lav = Polychoric::new().fit(&x).unwrap();
//! let psy = Polychoric::new().convention(Convention::Psych).fit(&x).unwrap();
//! assert!((lav.correlation()[[0, 1]] - psy.correlation()[[0, 1]]).abs() < 1e-12);
//! ```

// NaN-aware comparisons and index loops over small tables are deliberate here.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

mod acov;
mod bvn;
pub(crate) mod conditional;
pub(crate) mod mixed;
mod pair;
mod polychoric;
mod probit;
mod rank;
mod separation;
mod smooth;

pub use acov::Acov;
pub(crate) use bvn::pbvn;
pub use polychoric::{Convention, PairKind, Polychoric, PolychoricFit};
pub use rank::spearman;
pub use smooth::cor_smooth;
#[cfg(feature = "serde")]
mod serialize;
