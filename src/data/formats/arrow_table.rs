//! Arrow record batches (from Parquet, Arrow IPC and the SPSS reader) to columns.
//!
//! Numeric, boolean, decimal and date/time columns become numbers (booleans 0/1, dates days since
//! 1970-01-01, timestamps and durations seconds); string and dictionary-encoded string columns
//! become labels; nulls are missing. Any other type is an error naming the column.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, DurationMicrosecondType, DurationMillisecondType,
    DurationNanosecondType, DurationSecondType, Float16Type, Float32Type, Float64Type, Int8Type,
    Int16Type, Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, SchemaRef, TimeUnit};

use super::{Column, Table};
use crate::error::{Error, Result};

/// A table with the schema's columns, empty.
pub(super) fn empty_table(schema: &SchemaRef) -> Table {
    let mut t = Table::default();
    for f in schema.fields() {
        t.names.push(f.name().clone());
        t.columns.push(if is_text(f.data_type()) {
            Column::Labels(Vec::new())
        } else {
            Column::Numbers(Vec::new())
        });
    }
    t
}

fn is_text(dt: &DataType) -> bool {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_text(v),
        _ => false,
    }
}

/// Append one batch to `table` (made by [`empty_table`] for the same schema).
pub(super) fn append(
    table: &mut Table,
    batch: &RecordBatch,
    path: &str,
    format: &str,
) -> Result<()> {
    for (j, col) in batch.columns().iter().enumerate() {
        let name = &table.names[j];
        let bad = |what: String| Error::DataFormat {
            path: path.to_string(),
            format: format.to_string(),
            message: format!("column `{name}`: {what}"),
        };
        match &mut table.columns[j] {
            Column::Numbers(out) => push_numbers(out, col).map_err(bad)?,
            Column::Labels(out) => push_labels(out, col).map_err(bad)?,
        }
    }
    Ok(())
}

pub(super) fn push_numbers(out: &mut Vec<f64>, col: &ArrayRef) -> std::result::Result<(), String> {
    macro_rules! prim {
        ($t:ty, $conv:expr) => {{
            let a = col.as_primitive::<$t>();
            out.extend(a.iter().map(|v| v.map_or(f64::NAN, $conv)));
        }};
    }
    match col.data_type() {
        DataType::Null => out.extend(std::iter::repeat_n(f64::NAN, col.len())),
        DataType::Boolean => {
            let a = col.as_boolean();
            out.extend(a.iter().map(|v| v.map_or(f64::NAN, |b| if b { 1.0 } else { 0.0 })));
        }
        DataType::Float64 => prim!(Float64Type, |v| v),
        DataType::Float32 => prim!(Float32Type, f64::from),
        DataType::Float16 => prim!(Float16Type, f64::from),
        DataType::Int8 => prim!(Int8Type, f64::from),
        DataType::Int16 => prim!(Int16Type, f64::from),
        DataType::Int32 => prim!(Int32Type, f64::from),
        DataType::Int64 => prim!(Int64Type, |v| v as f64),
        DataType::UInt8 => prim!(UInt8Type, f64::from),
        DataType::UInt16 => prim!(UInt16Type, f64::from),
        DataType::UInt32 => prim!(UInt32Type, f64::from),
        DataType::UInt64 => prim!(UInt64Type, |v| v as f64),
        DataType::Decimal128(_, scale) => {
            let div = 10f64.powi(i32::from(*scale));
            prim!(Decimal128Type, |v| v as f64 / div)
        }
        DataType::Date32 => prim!(Date32Type, f64::from),
        DataType::Date64 => prim!(Date64Type, |v| v as f64 / 86_400_000.0),
        DataType::Timestamp(unit, _) => match unit {
            TimeUnit::Second => prim!(TimestampSecondType, |v| v as f64),
            TimeUnit::Millisecond => prim!(TimestampMillisecondType, |v| v as f64 / 1e3),
            TimeUnit::Microsecond => prim!(TimestampMicrosecondType, |v| v as f64 / 1e6),
            TimeUnit::Nanosecond => prim!(TimestampNanosecondType, |v| v as f64 / 1e9),
        },
        DataType::Duration(unit) => match unit {
            TimeUnit::Second => prim!(DurationSecondType, |v| v as f64),
            TimeUnit::Millisecond => prim!(DurationMillisecondType, |v| v as f64 / 1e3),
            TimeUnit::Microsecond => prim!(DurationMicrosecondType, |v| v as f64 / 1e6),
            TimeUnit::Nanosecond => prim!(DurationNanosecondType, |v| v as f64 / 1e9),
        },
        DataType::Dictionary(_, _) => {
            let d = col.as_any_dictionary();
            let mut values = Vec::with_capacity(d.values().len());
            push_numbers(&mut values, d.values())?;
            let keys = d.normalized_keys();
            for (i, &k) in keys.iter().enumerate() {
                out.push(if d.keys().is_null(i) {
                    f64::NAN
                } else {
                    values.get(k).copied().unwrap_or(f64::NAN)
                });
            }
        }
        other => return Err(format!("type {other} cannot be read as numbers or labels")),
    }
    Ok(())
}

fn push_labels(out: &mut Vec<Option<String>>, col: &ArrayRef) -> std::result::Result<(), String> {
    let own = |v: Option<&str>| v.map(|s| s.trim().to_string());
    match col.data_type() {
        DataType::Utf8 => out.extend(col.as_string::<i32>().iter().map(own)),
        DataType::LargeUtf8 => out.extend(col.as_string::<i64>().iter().map(own)),
        DataType::Utf8View => out.extend(col.as_string_view().iter().map(own)),
        DataType::Dictionary(_, _) => {
            let d = col.as_any_dictionary();
            let mut values = Vec::with_capacity(d.values().len());
            push_labels(&mut values, d.values())?;
            let keys = d.normalized_keys();
            for (i, &k) in keys.iter().enumerate() {
                out.push(if d.keys().is_null(i) { None } else { values.get(k).cloned().flatten() });
            }
        }
        other => return Err(format!("type {other} is not text")),
    }
    Ok(())
}
