//! The Chengdu–Chongqing study end to end: design as data, the whole analysis pipeline, and its
//! results as text, Markdown, JSON and a path diagram.
//!
//! [`StudyDesign`] holds the constructs and their items, the hypotheses (structural paths with
//! expected signs and labels) and the indirect effects (lavaan `:=` definitions). [`Study`] is the
//! configuration (design, bootstrap replications, seeds); [`Study::run`] analyses a [`Dataset`]
//! with those columns and returns [`StudyResults`], in the order of a paper's results section:
//!
//! 1. sample: n by region, item descriptives ([`crate::describe`]);
//! 2. reliability per construct: Cronbach's α with Feldt CI and item statistics
//!    ([`crate::reliability::Alpha`]), CR and AVE from the CFA;
//! 3. validity: KMO and Bartlett ([`crate::factor::Kmo`]), parallel analysis (seeded), EFA (ML,
//!    oblimin), the CFA of the measurement model with fit measures and standardized loadings,
//!    Fornell–Larcker and HTMT;
//! 4. structural model: hypothesis table (standardized β, SE, p, supported = sign as expected and
//!    p < .05), R² of the endogenous constructs, fit measures ([`crate::sem::Sem`]);
//! 5. mediation: the defined indirect effects with delta-method and bootstrap (percentile and
//!    BCa) intervals ([`SemFit::bootstrap`]: complete SEM refits on resampled respondents);
//! 6. OLS of the outcome composite (item mean) on the other composites with HC3 standard errors
//!    and VIF ([`crate::regression::Ols`]);
//! 7. comparison of the groups (regions): the structural model fitted per group, and the
//!    multi-group model ([`crate::sem::MultiGroupSem`]) configural and with equal loadings (metric
//!    invariance, χ² difference test), whose paths are compared between the groups by Wald tests;
//!    the measurement-invariance ladder of the construct CFA (configural → metric → scalar →
//!    strict, [`crate::sem::Invariance`]), a partial scalar model when the scalar step is rejected,
//!    and the latent means of the constructs compared between the groups ([`LatentMeans`]).
//!
//! # Examples
//! ```no_run
//! use surveystat::study::Study;
//! let data = surveystat::datasets::study_survey().unwrap();
//! let results = Study::new().bootstrap(1000).seed(1).run(&data).unwrap();
//! println!("{results}");
//! let md = results.to_markdown();
//! assert!(md.contains("Hypotheses"));
//! ```
//!
//! # References
//! Validated against R 4.2.2 with psych 2.2.9, lavaan 0.6.14, semTools 0.5-6, sandwich 3.0-2 and
//! car 3.1-1 on the embedded study survey (`tests/reference/study.rs`).

mod design;
#[cfg(feature = "serde")]
pub mod json;
mod latent;
mod moderation;
mod pipeline;
mod render;
mod results;

pub use design::{Construct, DefinedEffect, Hypothesis, ModerationCheck, Sign, StudyDesign};
pub use latent::LatentMeans;
pub use pipeline::Study;
pub use results::{GroupFit, HypothesisResult, IndirectEffect, Invariance, StudyResults};
