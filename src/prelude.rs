//! Convenient re-exports: `use surveystat::prelude::*;`.

pub use crate::data::Dataset;
pub use crate::error::{Error, Result};
pub use crate::moments::{Missing, MomentAccumulator, Moments};
pub use crate::sem::{Estimator, Likelihood, Sem, SemFit, SemModel};
pub use crate::summary::{Convergence, ParamRow, Summary};
pub use crate::warning::Warning;
