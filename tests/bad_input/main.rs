//! Integration tests: bad_input.

#[path = "../common/mod.rs"]
mod common;

mod data;
mod describe;
mod factor;
mod regression;
mod reliability;
mod resample;
mod sem;
mod sem_extreme_fit;
mod sem_fiml;
mod study;
