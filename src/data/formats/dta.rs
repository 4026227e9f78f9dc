//! Stata `.dta` files (feature `dta`), read by the `dta` crate (every release 102–119).
//!
//! Conventions: Stata's missing values `.` and `.a`–`.z` are all missing (as R haven's
//! `read_dta`); value labels attached to a variable are kept as the column's value labels (the
//! codes stay numbers); `str#` and `strL` variables are labels.

use std::path::Path;

use dta::stata::dta::dta_reader::DtaReader;
use dta::stata::dta::long_string_table::LongStringTable;
use dta::stata::dta::value::Value;
use dta::stata::dta::value_label_table::ValueLabelTable;
use dta::stata::dta::variable_type::VariableType;

use super::{Column, Table};
use crate::error::{Error, Result};

pub(super) fn read(path: &Path, source: &str) -> Result<Table> {
    let bad = |e: dta::stata::dta::dta_error::DtaError| Error::DataFormat {
        path: source.to_string(),
        format: "Stata".into(),
        message: e.to_string(),
    };
    let mut chars = DtaReader::new()
        .from_path(path)
        .map_err(bad)?
        .read_header()
        .map_err(bad)?
        .read_schema()
        .map_err(bad)?;
    chars.skip_to_end().map_err(bad)?;
    let mut records = chars.into_record_reader().map_err(bad)?;
    let schema = records.schema().clone();
    let vars = schema.variables();
    let mut table = Table::default();
    for v in vars {
        table.names.push(v.name().to_string());
        table.columns.push(match v.variable_type() {
            VariableType::FixedString(_) | VariableType::LongString => Column::Labels(Vec::new()),
            _ => Column::Numbers(Vec::new()),
        });
    }
    // strL cells are references resolved after the data section: (column, row, reference).
    let mut long_refs = Vec::new();
    while let Some(record) = records.read_record().map_err(bad)? {
        for (j, value) in record.values().iter().enumerate() {
            let Some(col) = table.columns.get_mut(j) else { break };
            match (col, value) {
                (Column::Numbers(out), v) => out.push(number(v)),
                (Column::Labels(out), Value::String(s)) => {
                    out.push(Some(s.trim().to_string()).filter(|s| !s.is_empty()))
                }
                (Column::Labels(out), Value::LongStringRef(r)) => {
                    long_refs.push((j, out.len(), *r));
                    out.push(None);
                }
                (Column::Labels(out), _) => out.push(None),
            }
        }
    }
    let mut long_strings = records.into_long_string_reader().map_err(bad)?;
    if !long_refs.is_empty() {
        let mut strings = LongStringTable::for_reading();
        long_strings.read_remaining_into(&mut strings).map_err(bad)?;
        for (j, i, r) in long_refs {
            if let (Column::Labels(out), Some(s)) = (&mut table.columns[j], strings.get(&r)) {
                let text =
                    String::from_utf8_lossy(s.data()).trim_end_matches('\0').trim().to_string();
                out[i] = Some(text).filter(|t| !t.is_empty());
            }
        }
    } else {
        long_strings.skip_to_end().map_err(bad)?;
    }
    let mut sets = ValueLabelTable::new();
    long_strings
        .into_value_label_reader()
        .map_err(bad)?
        .read_remaining_into(&mut sets)
        .map_err(bad)?;
    for v in vars {
        if v.value_label_name().is_empty() {
            continue;
        }
        if let Some(set) = sets.get(v.value_label_name()) {
            let labels = set
                .entries()
                .iter()
                .map(|e| (f64::from(e.value()), e.label().to_string()))
                .collect();
            table.value_labels.insert(v.name().to_string(), labels);
        }
    }
    Ok(table)
}

fn number(v: &Value<'_>) -> f64 {
    let x = match v {
        Value::Byte(b) => b.present().map(f64::from),
        Value::Int(i) => i.present().map(f64::from),
        Value::Long(l) => l.present().map(f64::from),
        Value::Float(f) => f.present().map(f64::from),
        Value::Double(d) => d.present(),
        Value::String(_) | Value::LongStringRef(_) => None,
    };
    x.unwrap_or(f64::NAN)
}
