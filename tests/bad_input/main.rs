//! Integration tests: bad_input.

#[path = "../common/mod.rs"]
mod common;

mod data;
mod describe;
mod factor;
mod glm_profile;
mod hardening_edges;
mod invariance;
mod invariance_ordinal;
mod ordinal_mimic;
mod ordinal_mixed;
mod polychoric;
mod psychometrics;
mod regression;
mod regression_factors;
mod regression_glm;
mod reliability;
mod resample;
mod resources;
mod rotations_target;
mod scoring;
mod sem;
mod sem_bootstrap_names;
mod sem_constraints;
mod sem_extreme_fit;
mod sem_fiml;
mod sem_names;
mod sem_ordinal;
mod sem_robust;
mod sem_syntax_depth;
mod split_half;
mod study;
