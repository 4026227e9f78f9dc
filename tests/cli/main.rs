//! Integration tests: cli.

#[path = "../common/mod.rs"]
mod common;

mod alpha;
mod cor;
mod ols;
mod sem;
mod sem_bootstrap;
mod study;
