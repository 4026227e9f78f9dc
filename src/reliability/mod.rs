//! Reliability: Cronbach's α and its family (as psych::alpha), McDonald's ω, composite
//! reliability, average variance extracted, Fornell–Larcker and HTMT discriminant validity.
//!
//! - [`Alpha`] → [`AlphaFit`]: raw and standardized α, Guttman's λ6, average and median
//!   inter-item correlation, signal/noise, the standard error of α, Feldt and Duhachek intervals,
//!   "if item dropped" statistics and item–total statistics, with the conventions of R psych 2.2.9.
//! - [`Omega`] → [`OmegaFit`]: ω hierarchical, ω total and subscale ωs from a Schmid–Leiman
//!   transformation ([`SchmidLeiman`]) of an oblique EFA, as psych `omega`.
//! - [`Icc`] → [`IccFit`]: the six Shrout–Fleiss intraclass correlations with F tests and
//!   intervals, as psych `ICC`.
//! - Closed forms from a factor solution: [`omega_total`], [`composite_reliability`],
//!   [`average_variance_extracted`], [`fornell_larcker`], and [`htmt`] from item correlations.
//! - [`guttman`] → [`GuttmanLambdas`] (λ1–λ6) and [`split_half`] → [`SplitHalf`] (largest,
//!   smallest and average split-half reliability over all splits), as psych `splitHalf`.
//! - [`ScoreItems`] → [`ScoreItemsFit`]: scale scores from [`Keys`] (reverse-keyed items), α per
//!   scale and scale intercorrelations raw and corrected for attenuation, as psych `scoreItems`;
//!   [`check_keys`] (reverse keying by the first principal component), [`alpha_bootstrap`] and
//!   [`response_frequencies`].

mod alpha;
mod composite;
mod icc;
mod omega;
mod scoring;
mod split_half;

pub use alpha::{
    Alpha, AlphaFit, AlphaIfDropped, AlphaItem, ConfidenceInterval, ResponseFrequencies,
    cronbach_alpha,
};
pub use composite::{
    FornellLarcker, HtmtMean, average_variance_extracted, average_variance_extracted_std,
    composite_reliability, fornell_larcker, htmt, omega_total,
};
pub use icc::{Icc, IccFit, IccRow, IccType};
pub use omega::{Omega, OmegaFit, OmegaSubscale, SchmidLeiman};
pub use scoring::{
    AlphaBootstrap, Keys, MAX_SCALES, ScaleKey, ScoreItems, ScoreItemsFit, alpha_bootstrap,
    check_keys, response_frequencies,
};
pub use split_half::{GuttmanLambdas, MAX_SPLIT_HALF_ITEMS, SplitHalf, guttman, split_half};
#[cfg(feature = "serde")]
mod serialize;
