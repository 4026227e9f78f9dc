//! Integration tests: properties.

#[path = "../common/mod.rs"]
mod common;

mod data_layer;
mod describe;
mod diagram;
mod diagram_cjk;
mod edge_scale;
mod factor;
mod fuzz_csv;
mod fuzz_formula;
mod fuzz_model_syntax;
mod json_roundtrip;
mod regression;
mod reliability;
mod report;
mod resample;
mod sem;
mod sem_bootstrap;
mod sem_fiml;
mod stream_parquet;
mod stream_qr;
mod streaming;
mod table_width;
