//! SPSS `.sav` and `.zsav` files (feature `sav`), read by the `ambers` crate into Arrow batches.
//!
//! Conventions: SPSS system-missing is missing; a value declared user-missing for its variable
//! (discrete codes, a range `lo THRU hi`, or string codes) becomes missing, as R haven's
//! `read_sav(user_na = FALSE)` and pyreadstat do; value labels of numeric variables are kept as
//! the column's value labels (the codes stay numbers). String variables are labels with trailing
//! blanks removed.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use ambers::{MissingSpec, Value};

use super::arrow_table::{append, empty_table};
use super::{Column, Table};
use crate::error::{Error, Result};

const FORMAT: &str = "SPSS";
/// Rows per Arrow batch.
const BATCH_ROWS: usize = 65_536;

pub(super) fn read(path: &Path, source: &str) -> Result<Table> {
    let bad = |m: String| Error::DataFormat {
        path: source.to_string(),
        format: FORMAT.into(),
        message: m,
    };
    let file = File::open(path)
        .map_err(|e| Error::Io { path: source.to_string(), message: e.to_string() })?;
    let mut scanner = ambers::scan_sav_from_reader(BufReader::new(file), BATCH_ROWS)
        .map_err(|e| bad(e.to_string()))?;
    let mut table = None;
    while let Some(batch) = scanner.next_batch().map_err(|e| bad(e.to_string()))? {
        let t = table.get_or_insert_with(|| empty_table(&batch.schema()));
        append(t, &batch, source, FORMAT)?;
    }
    let Some(mut table) = table else {
        return Err(Error::EmptyData {
            source_name: source.to_string(),
            what: "no data rows".into(),
        });
    };
    let meta = scanner.metadata();
    for (j, name) in table.names.iter().enumerate() {
        if let Some(specs) = meta.variable_missing_values.get(name) {
            apply_user_missing(&mut table.columns[j], specs);
        }
        if let (Column::Numbers(_), Some(labels)) =
            (&table.columns[j], meta.variable_value_labels.get(name))
        {
            let vl = labels
                .iter()
                .filter_map(|(v, l)| match v {
                    Value::Numeric(x) => Some((*x, l.clone())),
                    Value::String(_) => None,
                })
                .collect();
            table.value_labels.insert(name.clone(), vl);
        }
    }
    Ok(table)
}

fn apply_user_missing(col: &mut Column, specs: &[MissingSpec]) {
    match col {
        Column::Numbers(v) => {
            let hit = |x: f64| {
                specs.iter().any(|s| match *s {
                    MissingSpec::Value(c) => x == c,
                    MissingSpec::Range { lo, hi } => lo <= x && x <= hi,
                    MissingSpec::StringValue(_) => false,
                })
            };
            for x in v.iter_mut().filter(|x| hit(**x)) {
                *x = f64::NAN;
            }
        }
        Column::Labels(v) => {
            let hit = |s: &str| {
                specs.iter().any(|m| matches!(m, MissingSpec::StringValue(c) if c.trim_end() == s))
            };
            for l in v.iter_mut() {
                if l.as_deref().is_some_and(hit) {
                    *l = None;
                }
            }
        }
    }
}
