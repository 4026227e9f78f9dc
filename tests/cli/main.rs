//! Integration tests: cli.

#[path = "../common/mod.rs"]
mod common;

mod alpha;
mod ols;
mod sem;
mod sem_bootstrap;
mod sem_extreme_fit;
mod study;
