//! # surveystat
//!
//! Statistics of questionnaire research in Rust: reliability (Cronbach's α and its family,
//! McDonald's ω, composite reliability, AVE), sampling adequacy (KMO, Bartlett), exploratory factor
//! analysis, OLS regression, and structural equation / path models with lavaan-style model
//! syntax — with numbers that agree with R (psych, lavaan, `stats::lm`).
//!
//! Every estimator is a small configuration value with a `fit` method that takes a matrix whose
//! **rows are observations and columns are variables** (`&Array2<f64>` or a view) and returns a
//! separate fitted type. Methods that only need moments also accept a covariance matrix and the
//! number of observations (`fit_cov`).
//!
//! ## Quick start: Cronbach's α
//! ```
//! use ndarray::array;
//! use surveystat::reliability::Alpha;
//! let items = array![[4.0, 5.0, 4.0], [2.0, 3.0, 2.0], [3.0, 3.0, 4.0], [5.0, 4.0, 5.0], [1.0, 2.0, 2.0]];
//! let fit = Alpha::new().fit(&items).unwrap();
//! assert!(fit.raw_alpha() > 0.9);
//! println!("{}", fit.summary());
//! ```
//!
//! ## Data
//! [`data::Dataset`] reads CSV files into named columns (missing = `NaN`), selects items by name and
//! reverse-keys them; [`moments`] computes means, covariances and correlations with listwise or
//! pairwise deletion and offers a mergeable, parallel [`moments::MomentAccumulator`].

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(rustdoc::broken_intra_doc_links)]

mod convention;
pub(crate) mod core;
pub mod data;
pub mod datasets;
pub mod describe;
pub mod diagram;
pub mod error;
pub mod factor;
pub mod missing;
pub mod moments;
pub mod ordinal;
pub mod prelude;
pub mod regression;
pub mod reliability;
pub mod report;
pub mod resample;
pub mod sem;
#[cfg(feature = "serde")]
pub mod serialize;
pub mod simulate;
pub mod study;
pub mod summary;
pub mod warning;

pub use error::{Error, Result};
/// The ndarray version of the public API (arrays in and out of the estimators).
pub use ndarray;
pub use warning::Warning;
