//! Integration tests: cli.

#[path = "../common/mod.rs"]
mod common;

mod alpha;
mod cli_ols_inference;
mod glm;
mod ols;
mod process;
mod sem;
mod sem_bootstrap;
mod study;
