//! Integration tests: cli.

#[path = "../common/mod.rs"]
mod common;

mod alpha;
mod cli_ols_inference;
mod ols;
mod sem;
mod sem_bootstrap;
mod study;
