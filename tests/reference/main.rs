//! Integration tests: reference.

#[path = "../common/mod.rs"]
mod common;

mod alpha;
mod composite;
mod data_io;
mod describe;
mod factor;
mod icc;
mod method_bias;
mod nist;
mod ols;
mod omega;
mod parallel;
mod polychoric;
mod regression_factors;
mod regression_glm;
mod regression_inference;
mod regression_process;
mod resample;
mod sem;
mod sem_bootstrap;
mod sem_fiml;
mod sem_fixes;
mod sem_multigroup;
mod sem_multigroup_more;
mod sem_ordinal;
mod split_half;
mod study;
mod vss;
