//! Ordinary least squares regression with the inference of R's `lm`, `sandwich` and `car`.
//!
//! [`Ols`] is the estimator (consuming setters, [`Ols::fit`] on a matrix whose rows are
//! observations, or [`Ols::from_formula`] + [`Ols::fit_dataset`] with an R-like formula) and
//! [`OlsFit`] the fitted model: coefficients with standard errors, t, p and intervals at any
//! level, σ̂, R², adjusted R², F, log-likelihood, AIC, BIC, residuals, fitted values,
//! standardized coefficients, HC0–HC3 sandwich covariances, VIF, Durbin–Watson and the
//! studentized Breusch–Pagan test.
//!
//! The solver is a Householder QR of the column-equilibrated design, with a column-pivoted rank
//! decision and Björck's iterative refinement in compensated arithmetic; it reaches the NIST
//! StRD certified values to at least 9 digits (docs/methods/regression.md).

mod dd;
mod design;
mod diagnostics;
mod formula;
mod glm;
mod inference;
mod ols;
mod process;
mod robust;
mod solver;

pub use glm::{Glm, GlmFamily, GlmFit, LrTest, ProfileCi, ProfileInterval};
pub use inference::{AnovaRow, Influence, Prediction};
pub use ols::{
    BreuschPagan, FTest, HcType, Ols, OlsFit, RankDeficiency, Refinement, RobustCovariance, SeType,
};
pub use process::{
    ConditionalEffect, ConditionalIndirect, JnPoint, JohnsonNeyman, Mediation, ModeratedMediation,
    Moderation, Probes,
};
#[cfg(feature = "serde")]
mod serialize;
#[cfg(feature = "serde")]
pub use serialize::{GlmReport, OlsReport};
pub use solver::QrAccumulator;
