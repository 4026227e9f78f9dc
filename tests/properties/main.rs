//! Integration tests: properties.

#[path = "../common/mod.rs"]
mod common;

mod data_layer;
mod describe;
mod diagram;
mod factor;
mod regression;
mod reliability;
mod report;
mod resample;
mod sem;
mod sem_bootstrap;
mod sem_fiml;
mod streaming;
mod table_width;
