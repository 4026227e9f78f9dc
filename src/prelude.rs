//! Convenient re-exports: `use surveystat::prelude::*;`.

pub use crate::data::Dataset;
pub use crate::error::{Error, Result};
pub use crate::factor::{
    Efa, EfaFit, Extraction, Kmo, KmoFit, ParallelAnalysis, ParallelFit, Rotation, ScoreMethod,
    StoppingRule,
};
pub use crate::moments::{Missing, MomentAccumulator, Moments};
pub use crate::summary::{Convergence, ParamRow, Summary};
pub use crate::warning::Warning;
