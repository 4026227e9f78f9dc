//! Integration tests: cli.

#[path = "../common/mod.rs"]
mod common;

mod alpha;
mod bad_counts;
mod cli_ols_inference;
mod cor;
mod data_options;
mod efa_scores;
mod factor_warnings;
mod glm;
mod ols;
mod ols_extreme_scale;
mod parallel;
mod process;
mod psychometrics;
mod score;
mod sem;
mod sem_bootstrap;
mod sem_cov;
mod sem_extreme_fit;
mod study;
