//! Integration tests: reference.

#[path = "../common/mod.rs"]
mod common;

mod alpha;
mod composite;
mod data_formats;
mod data_io;
mod describe;
mod efa_methods;
mod efa_missing;
mod factor;
mod glm_profile;
mod icc;
mod invariance;
mod invariance_robust;
mod method_bias;
mod method_factor;
mod mimic;
mod nist;
mod ols;
mod omega;
mod omega_bifactor;
mod ordinal_gaps;
mod ordinal_mimic;
mod ordinal_theta;
mod parallel;
mod partial_ladder;
mod polychoric;
mod regression_factors;
mod regression_glm;
mod regression_inference;
mod regression_jn;
mod regression_process;
mod resample;
mod rotations;
mod rotations_target;
mod scoring;
mod sem;
mod sem_boot_refit;
mod sem_bootstrap;
mod sem_constraints;
mod sem_fiml;
mod sem_fixes;
mod sem_group_modifiers;
mod sem_growth;
mod sem_multigroup;
mod sem_multigroup_more;
mod sem_multigroup_scalar;
mod sem_ordinal;
mod sem_robust;
mod sem_robust_multigroup;
mod split_half;
#[cfg(feature = "serde")] // the study tests read the results through their JSON
mod study;
mod vss;
