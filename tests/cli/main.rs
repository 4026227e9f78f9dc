//! Integration tests: cli.

#[path = "../common/mod.rs"]
mod common;

mod alpha;
mod bad_counts;
mod cli_ols_inference;
mod cor;
mod data_options;
mod factor_warnings;
mod glm;
mod ols;
mod ols_extreme_scale;
mod process;
mod psychometrics;
mod sem;
mod sem_bootstrap;
mod sem_cov;
mod sem_extreme_fit;
mod sem_ordinal;
mod study;
