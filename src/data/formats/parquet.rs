//! Parquet files (feature `parquet`): the `parquet` crate's Arrow reader, batch by batch.

use std::fs::File;
use std::path::Path;

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

use super::Table;
use super::arrow_table::{append, empty_table};
use crate::error::{Error, Result};

const FORMAT: &str = "Parquet";

pub(super) fn read(path: &Path, source: &str) -> Result<Table> {
    let bad = |m: String| Error::DataFormat {
        path: source.to_string(),
        format: FORMAT.into(),
        message: m,
    };
    let file = File::open(path)
        .map_err(|e| Error::Io { path: source.to_string(), message: e.to_string() })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| bad(e.to_string()))?;
    let mut table = empty_table(builder.schema());
    let reader = builder.build().map_err(|e| bad(e.to_string()))?;
    for batch in reader {
        let batch = batch.map_err(|e| bad(e.to_string()))?;
        append(&mut table, &batch, source, FORMAT)?;
    }
    Ok(table)
}
