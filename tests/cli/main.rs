//! Integration tests: cli.

#[path = "../common/mod.rs"]
mod common;

mod alpha;
mod cor;
mod data_options;
mod ols;
mod psychometrics;
mod sem;
mod sem_bootstrap;
mod sem_cov;
mod study;
