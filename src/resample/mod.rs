//! Seeded, parallel, reproducible bootstrap: replicate matrix, standard errors, bias, percentile
//! and BCa intervals, jackknife, and the Bollen–Stine transformation of data.
//!
//! The engine is generic: it resamples **row indices** `0..n` and hands each resample to a user
//! statistic `Fn(&[usize]) -> Result<Vec<f64>>`. The SEM bootstrap, a bootstrap of α, of a
//! regression coefficient or of a correlation are all such closures.
//!
//! Reproducibility: replication `b` draws its indices from its own ChaCha8 stream
//! (`ChaCha8Rng::seed_from_u64(seed)` with `set_stream(b)`), never from a shared generator, and the
//! results are collected in replication order — so the same seed gives bit-identical replicates,
//! standard errors and intervals whatever the number of rayon threads.
//!
//! Failures are data: a replication whose statistic returns `Err`, a non-finite value or the
//! wrong number of values is recorded in [`BootstrapFit::failures`] with its reason, left out of
//! the replicate matrix, and counted in the summary and in a [`Warning::ReplicationsFailed`].

mod bollen_stine;
mod engine;
mod fit;
mod interval;
mod jackknife;

use ndarray::Array2;

pub use bollen_stine::bollen_stine_transform;
pub(crate) use engine::check_reps;
pub(crate) use engine::stream_rng;
pub use engine::{Bootstrap, MAX_BOOTSTRAP_REPS, MAX_BOOTSTRAP_VALUES};
pub use fit::BootstrapFit;
pub use jackknife::{jackknife, jackknife_influence};

/// How bootstrap resamples of the `n` rows are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum BootstrapKind {
    /// Ordinary nonparametric bootstrap: each resample draws `n` row indices independently and
    /// uniformly with replacement (Efron 1979; R `boot(sim = "ordinary")`).
    #[default]
    Ordinary,
    /// Balanced bootstrap: over all `R` resamples every row appears exactly `R` times (the
    /// concatenation of `R` copies of `0..n` is shuffled once and cut into `R` blocks; Davison,
    /// Hinkley & Schechtman 1986; R `boot(sim = "balanced")`). The shuffle is sequential and
    /// seeded, so it too is independent of the number of threads.
    Balanced,
}

/// How the BCa acceleration constant is obtained.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Acceleration {
    /// Leave-one-out jackknife with the same statistic (`n` extra evaluations): empirical
    /// influence values `Lᵢ = (n − 1)(t0 − t₍ᵢ₎)` (R `boot::empinf(type = "jack")`, Davison &
    /// Hinkley 1997 eq. 2.44).
    #[default]
    Jackknife,
    /// As `Jackknife` but centred at the mean of the leave-one-out values,
    /// `Lᵢ = (n − 1)(t̄₍.₎ − t₍ᵢ₎)` (Efron & Tibshirani 1993, eq. 14.15). Differs from
    /// `Jackknife` by O(1/n) in the acceleration.
    JackknifeCentered,
    /// Empirical influence values supplied by the caller (an `n × k` matrix, e.g. analytic ones).
    Influence(Array2<f64>),
    /// No acceleration is computed: BCa intervals are unavailable (saves `n` evaluations).
    None,
}

/// A confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Interval {
    /// Confidence level, e.g. 0.95.
    pub level: f64,
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

/// A replication that failed, and why.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReplicationFailure {
    /// 0-based replication index.
    pub replication: usize,
    /// Why it failed (the statistic's error message, or which value was not finite).
    pub reason: String,
}
