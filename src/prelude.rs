//! Convenient re-exports: `use surveystat::prelude::*;`.

pub use crate::data::Dataset;
pub use crate::describe::{Describe, Descriptives, ValueCounts};
pub use crate::diagram::PathDiagram;
pub use crate::error::{Error, Result};
pub use crate::factor::{
    Efa, EfaFit, Extraction, Kmo, KmoFit, ParallelAnalysis, ParallelFit, Rotation, ScoreMethod,
    StoppingRule,
};
pub use crate::missing::{IndependenceFit, MissingPatterns, SaturatedEm, SaturatedFit};
pub use crate::moments::{Missing, MomentAccumulator, Moments};
pub use crate::regression::{
    BreuschPagan, FTest, HcType, Ols, OlsFit, RankDeficiency, Refinement, RobustCovariance, SeType,
};
pub use crate::reliability::{Alpha, AlphaFit, HtmtMean};
pub use crate::report::Report;
pub use crate::resample::{Bootstrap, BootstrapFit, BootstrapKind};
pub use crate::sem::{
    Estimator, GroupEqual, Likelihood, MultiGroupFit, MultiGroupSem, Sem, SemBootstrap,
    SemBootstrapFit, SemFit, SemMissing, SemModel,
};
pub use crate::simulate::{Likert, MonteCarlo, MonteCarloFit, MultivariateNormal};
pub use crate::study::{Study, StudyDesign, StudyResults};
pub use crate::summary::{Convergence, ParamRow, Summary};
pub use crate::warning::Warning;
