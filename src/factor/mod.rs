//! Sampling adequacy (KMO, Bartlett) and exploratory factor analysis.
//!
//! - [`Kmo`] → [`KmoFit`]: overall and per-item measure of sampling adequacy, Bartlett's test of
//!   sphericity ([`bartlett_sphericity`]) and the eigenvalues of the correlation matrix
//!   ([`eigenvalues`]).
//! - [`Efa`] → [`EfaFit`]: extraction ([`Extraction`]: PCA, principal axis, minres, ML, WLS,
//!   GLS, alpha factoring), rotation ([`Rotation`]: varimax, quartimax, promax, oblimin,
//!   quartimin, geomin, equamax, Bentler, simplimax, target rotation towards a [`Target`]),
//!   psych's conventions and fit statistics ([`FitStatistics`]), factor scores
//!   ([`ScoreMethod`]: regression, Bartlett, ten Berge).
//! - [`harman_single_factor`] → [`HarmanTest`]: Harman's single-factor test of common method
//!   bias.
//! - [`ParallelAnalysis`] → [`ParallelFit`]: Horn's parallel analysis as psych's `fa.parallel`.
//! - [`velicer_map`], [`vss_fit`]: Velicer's MAP and the Very Simple Structure fit (psych `VSS`).
//!
//! Everything agrees with R psych 2.2.9 / GPArotation; see `docs/methods/factor.md`.
//!
//! ```
//! use ndarray::array;
//! use surveystat::factor::{Efa, Extraction, Kmo, Rotation};
//! let l = array![[0.8, 0.0], [0.7, 0.1], [0.6, 0.0], [0.0, 0.8], [0.1, 0.7], [0.0, 0.6]];
//! let mut r = l.dot(&l.t());
//! for i in 0..6 { r[[i, i]] = 1.0; }
//! let kmo = Kmo::new().fit_cor(&r, 300).unwrap();
//! assert!(kmo.msa() > 0.5);
//! let fit = Efa::new(2).extraction(Extraction::MinRes).rotation(Rotation::Oblimin { gamma: 0.0 })
//!     .fit_cor(&r, 300).unwrap();
//! assert_eq!(fit.loadings().dim(), (6, 2));
//! ```

// NaN-aware comparisons (`!(x > 0.0)` is true for NaN) and index loops over small matrices are
// deliberate in this numerical code.
#![allow(clippy::neg_cmp_op_on_partial_ord, clippy::needless_range_loop)]

mod adequacy;
mod efa;
mod extraction;
mod method_bias;
mod method_factor;
mod newton;
mod parallel;
mod rotation;
mod scores;
mod small;
mod vss;
mod weighted;

pub(crate) use adequacy::data_correlation_missing;
pub use adequacy::{BartlettTest, Kmo, KmoFit, bartlett_sphericity, eigenvalues};
pub use efa::{Efa, EfaFit, FitStatistics, MAX_RANDOM_STARTS};
pub(crate) use extraction::smc;
pub use extraction::{Extraction, StoppingRule};
pub use method_bias::{HarmanTest, harman_single_factor};
pub use method_factor::{CommonMethodFactor, MethodFactorFit, MethodLoadings};
pub use parallel::{
    MAX_PARALLEL_REPS, ParallelAnalysis, ParallelCriterion, ParallelFit, ParallelSource,
    parallel_count,
};
pub use rotation::{Rotation, Target};
pub use scores::{EfaReport, FactorScores, ScoreMethod};
pub use vss::{velicer_map, vss_fit};
#[cfg(feature = "serde")]
mod serialize;
