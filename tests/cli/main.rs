//! Integration tests: cli.

#[path = "../common/mod.rs"]
mod common;

mod alpha;
mod ols;
mod psychometrics;
mod sem;
mod sem_bootstrap;
mod study;
