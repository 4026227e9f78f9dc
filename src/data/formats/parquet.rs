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

/// Rows decoded per batch when streaming.
const STREAM_BATCH: usize = 65_536;

/// Stream the numeric columns `columns` (every column when empty) of a Parquet file: only those
/// columns are decoded, row group by row group, in batches of [`STREAM_BATCH`] rows; `per_batch`
/// gets each batch row-major (`NaN` for nulls and the numeric `na_codes`) and its row count.
/// Memory is one batch plus the decoder's pages of one row group, whatever the file's length.
/// Returns the header (every column name), the chosen names and the rows read.
pub(in crate::data) fn stream(
    path: &Path,
    source: &str,
    columns: &[String],
    na_codes: &[String],
    mut per_batch: impl FnMut(&[f64], usize) -> Result<()>,
) -> Result<(Vec<String>, Vec<String>, u64)> {
    use parquet::arrow::ProjectionMask;
    let bad = |m: String| Error::DataFormat {
        path: source.to_string(),
        format: FORMAT.into(),
        message: m,
    };
    let file = File::open(path)
        .map_err(|e| Error::Io { path: source.to_string(), message: e.to_string() })?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| bad(e.to_string()))?;
    let schema = builder.schema().clone();
    let header: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let select: Vec<usize> = if columns.is_empty() {
        (0..header.len()).collect()
    } else {
        let mut idx = Vec::with_capacity(columns.len());
        for c in columns {
            let j = header
                .iter()
                .position(|h| h == c)
                .ok_or_else(|| Error::UnknownVariable { name: c.clone() })?;
            if idx.contains(&j) {
                return Err(Error::DuplicateVariable { name: c.clone() });
            }
            idx.push(j);
        }
        idx
    };
    let empty = empty_table(&schema);
    for &j in &select {
        if matches!(empty.columns[j], super::Column::Labels(_)) {
            return Err(Error::NonNumericColumn {
                column: header[j].clone(),
                line: 1,
                value: format!("({} column)", schema.field(j).data_type()),
            });
        }
    }
    let na_num: Vec<f64> = na_codes.iter().filter_map(|c| c.parse::<f64>().ok()).collect();
    // The reader returns the projected columns in file order; `order[k]` is the position of the
    // k-th chosen column among them.
    let mut sorted = select.clone();
    sorted.sort_unstable();
    let order: Vec<usize> =
        select.iter().map(|j| sorted.iter().position(|s| s == j).unwrap_or(0)).collect();
    let mask = ProjectionMask::roots(builder.parquet_schema(), sorted.iter().copied());
    let reader = builder
        .with_projection(mask)
        .with_batch_size(STREAM_BATCH)
        .build()
        .map_err(|e| bad(e.to_string()))?;
    let k = select.len();
    let mut col = Vec::with_capacity(STREAM_BATCH);
    let mut block = Vec::new();
    let mut rows_read = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| bad(e.to_string()))?;
        let rows = batch.num_rows();
        block.clear();
        block.resize(rows * k, 0.0);
        for (c, &at) in order.iter().enumerate() {
            col.clear();
            super::arrow_table::push_numbers(&mut col, batch.column(at))
                .map_err(|m| bad(format!("column `{}`: {m}", header[select[c]])))?;
            for (i, v) in col.iter().enumerate() {
                block[i * k + c] = if na_num.contains(v) { f64::NAN } else { *v };
            }
        }
        rows_read += rows as u64;
        per_batch(&block, rows)?;
    }
    let names = select.iter().map(|&j| header[j].clone()).collect();
    Ok((header, names, rows_read))
}
