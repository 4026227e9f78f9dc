//! Integration tests: reference.

#[path = "../common/mod.rs"]
mod common;

mod alpha;
mod composite;
mod describe;
mod factor;
mod nist;
mod ols;
mod regression_factors;
mod regression_glm;
mod regression_inference;
mod regression_process;
mod resample;
mod sem;
mod sem_bootstrap;
mod sem_fiml;
mod sem_multigroup;
mod study;
