//! Survey file formats other than delimited text, each behind a cargo feature: SPSS `.sav` /
//! `.zsav` (`sav`), Stata `.dta` (`dta`), Parquet (`parquet`) and Arrow IPC / Feather (`arrow`).
//! Every reader fills a [`Table`] of named columns, which becomes a [`Dataset`] in one place.
#![cfg_attr(
    not(any(feature = "sav", feature = "dta", feature = "parquet", feature = "arrow")),
    allow(dead_code)
)]

#[cfg(any(feature = "sav", feature = "parquet", feature = "arrow"))]
mod arrow_table;
#[cfg(feature = "dta")]
mod dta;
#[cfg(feature = "arrow")]
mod ipc;
#[cfg(feature = "parquet")]
mod parquet;
#[cfg(feature = "parquet")]
pub(super) use parquet::stream as stream_parquet;
#[cfg(feature = "sav")]
mod sav;

use std::collections::BTreeMap;
use std::path::Path;

use ndarray::Array2;

use super::csv::TextColumn;
use super::{Dataset, check_names};
use crate::error::{Error, Result};

/// The readers by extension: (extensions, cargo feature).
const FORMATS: [(&[&str], &str); 4] = [
    (&["sav", "zsav"], "sav"),
    (&["dta"], "dta"),
    (&["parquet", "pq"], "parquet"),
    (&["arrow", "feather", "ipc"], "arrow"),
];

/// Read `path` if its (lowercase) extension names a binary format; `None` for any other
/// extension (delimited text). `na_codes` are further missing-value codes: a numeric code matches
/// numbers by value, any code matches labels by text.
pub(super) fn read(path: &Path, ext: &str, na_codes: &[String]) -> Option<Result<Dataset>> {
    let (_, feature) = FORMATS.iter().find(|(exts, _)| exts.contains(&ext))?;
    let source = path.display().to_string();
    let table: Result<Table> = match *feature {
        #[cfg(feature = "sav")]
        "sav" => sav::read(path, &source),
        #[cfg(feature = "dta")]
        "dta" => dta::read(path, &source),
        #[cfg(feature = "parquet")]
        "parquet" => parquet::read(path, &source),
        #[cfg(feature = "arrow")]
        "arrow" => ipc::read(path, &source),
        _ => Err(Error::FormatNotEnabled {
            path: source.clone(),
            extension: ext.to_string(),
            feature: (*feature).to_string(),
        }),
    };
    Some(table.and_then(|mut t| {
        t.apply_na_codes(na_codes);
        t.into_dataset(source)
    }))
}

/// One column as read: numbers (`NaN` = missing) or text labels (`None` = missing).
pub(super) enum Column {
    Numbers(Vec<f64>),
    Labels(Vec<Option<String>>),
}

impl Column {
    fn len(&self) -> usize {
        match self {
            Column::Numbers(v) => v.len(),
            Column::Labels(v) => v.len(),
        }
    }
}

/// Named columns of equal length, with the value labels of numeric columns.
#[derive(Default)]
pub(super) struct Table {
    pub(super) names: Vec<String>,
    pub(super) columns: Vec<Column>,
    pub(super) value_labels: BTreeMap<String, Vec<(f64, String)>>,
}

impl Table {
    fn apply_na_codes(&mut self, codes: &[String]) {
        if codes.is_empty() {
            return;
        }
        let nums: Vec<f64> = codes.iter().filter_map(|c| c.parse::<f64>().ok()).collect();
        for col in &mut self.columns {
            match col {
                Column::Numbers(v) => {
                    v.iter_mut().filter(|x| nums.contains(x)).for_each(|x| *x = f64::NAN)
                }
                Column::Labels(v) => v
                    .iter_mut()
                    .filter(|l| l.as_ref().is_some_and(|l| codes.contains(l)))
                    .for_each(|l| *l = None),
            }
        }
    }

    fn into_dataset(self, source: String) -> Result<Dataset> {
        check_names(&self.names, &source)?;
        let n = self.columns.first().map_or(0, Column::len);
        if let Some((j, c)) = self.columns.iter().enumerate().find(|(_, c)| c.len() != n) {
            return Err(Error::DimensionMismatch {
                what: format!("rows of column `{}` in {source}", self.names[j]),
                expected: n,
                found: c.len(),
            });
        }
        if n == 0 {
            return Err(Error::EmptyData { source_name: source, what: "no data rows".into() });
        }
        let p = self.names.len();
        let mut values = Array2::from_elem((n, p), f64::NAN);
        let mut text = Vec::with_capacity(p);
        for (j, col) in self.columns.into_iter().enumerate() {
            match col {
                Column::Numbers(v) => {
                    values.column_mut(j).assign(&ndarray::ArrayView1::from(&v));
                    text.push(None);
                }
                Column::Labels(v) => {
                    let first = v.iter().position(Option::is_some);
                    let labels: Vec<&str> =
                        v.iter().map(|l| l.as_deref().unwrap_or("NA")).collect();
                    let mut t = TextColumn::from_labels(&labels, first.map_or(2, |i| i as u64 + 2));
                    t.first_value =
                        first.map_or_else(|| "NA".to_string(), |i| labels[i].to_string());
                    text.push(Some(t));
                }
            }
        }
        let mut value_labels = self.value_labels;
        value_labels.retain(|_, v| !v.is_empty());
        Ok(Dataset {
            source,
            names: self.names,
            values,
            text,
            lines: (0..n as u64).map(|i| i + 2).collect(),
            value_labels,
        })
    }
}
