//! Named columns of survey data: reading CSV files, selecting items, reverse keying, composite
//! scores and row subsets.
//!
//! A [`Dataset`] holds `f64` columns in an `ndarray::Array2<f64>` whose **rows are observations
//! (respondents) and columns are variables (items)**. Missing values are `NaN`. Columns that hold
//! text (for example a `region` column with `Chengdu` / `Chongqing`) are kept as labels; they are
//! an error only when used as numbers.

mod csv;
mod formats;
mod ops;
mod stream;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

use ndarray::{Array1, Array2, ArrayView1, Axis, CowArray, Ix2, Slice};

use self::csv::TextColumn;
pub use self::csv::{CsvOptions, MAX_RECORD_BYTES};
pub use self::ops::{Composite, Impute};
pub use self::stream::{
    StreamedMoments, StreamedQr, stream_moments, stream_moments_reader, stream_qr,
};
use crate::error::{Error, Result};

/// A table of named `f64` columns; rows are observations, `NaN` marks a missing value.
///
/// # Examples
///
/// ```
/// use surveystat::data::Dataset;
/// let csv = "id,region,A1,A2\n1,north,3,4\n2,south,NA,5\n";
/// let ds = Dataset::from_csv_str(csv, "inline.csv").unwrap();
/// assert_eq!(ds.n_rows(), 2);
/// let items = ds.select(&["A1", "A2"]).unwrap();
/// assert!(items[[1, 0]].is_nan());
/// assert!(ds.select(&["region"]).is_err()); // text column used as numbers
/// assert_eq!(ds.labels("region").unwrap(), vec!["north", "south"]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    source: String,
    names: Vec<String>,
    values: Array2<f64>,
    text: Vec<Option<TextColumn>>,
    lines: Vec<u64>,
    /// Value labels of numeric columns (SPSS and Stata files), by column name.
    value_labels: BTreeMap<String, Vec<(f64, String)>>,
}

impl Dataset {
    /// Build a dataset from column names and a matrix (rows = observations, columns = variables).
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] if the number of names differs from the number of columns;
    /// [`Error::DuplicateHeader`] / [`Error::EmptyHeader`] for repeated or empty names.
    pub fn from_array<S: AsRef<str>>(names: &[S], values: Array2<f64>) -> Result<Self> {
        if names.len() != values.ncols() {
            return Err(Error::DimensionMismatch {
                what: "column names vs matrix columns".into(),
                expected: values.ncols(),
                found: names.len(),
            });
        }
        let names: Vec<String> = names.iter().map(|s| s.as_ref().to_string()).collect();
        check_names(&names, "<memory>")?;
        let n = values.nrows();
        let p = names.len();
        Ok(Self {
            source: "<memory>".into(),
            names,
            values,
            text: vec![None; p],
            lines: (0..n as u64).map(|i| i + 2).collect(),
            value_labels: BTreeMap::new(),
        })
    }

    /// Read a CSV file (header row required) with the default [`CsvOptions`]: the delimiter is
    /// sniffed (`,` `;` tab), the decimal mark is `.`.
    ///
    /// Empty fields and the strings `NA`, `NaN`, `nan`, `.` are missing values. A column with any
    /// other non-numeric field is kept as text (labels). Quoted fields follow RFC 4180. A first
    /// header cell that is empty (R's `write.csv` row names) names a text column `rowname`.
    ///
    /// # Errors
    /// [`Error::Io`] if the file cannot be read; [`Error::EmptyData`] for a file without header or
    /// rows; [`Error::RaggedRow`], [`Error::DuplicateHeader`], [`Error::EmptyHeader`],
    /// [`Error::Csv`] naming the file, line and column (an unclosed quote, a record longer than
    /// [`MAX_RECORD_BYTES`], text that is not UTF-8, a one-column header that holds another
    /// delimiter).
    pub fn from_csv_path(path: impl AsRef<Path>) -> Result<Self> {
        Self::from_csv_path_with(path, &CsvOptions::default())
    }

    /// Read a CSV file with the given options.
    ///
    /// # Errors
    /// As [`Dataset::from_csv_path`]; [`Error::InvalidParameter`] for an unusable delimiter.
    pub fn from_csv_path_with(path: impl AsRef<Path>, opts: &CsvOptions) -> Result<Self> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let file = std::fs::File::open(path)
            .map_err(|e| Error::Io { path: name.clone(), message: e.to_string() })?;
        Self::from_csv_reader_with(file, &name, opts)
    }

    /// Read a data file, choosing the reader by the extension: `.sav`/`.zsav` (SPSS, cargo
    /// feature `sav`), `.dta` (Stata, feature `dta`), `.parquet`/`.pq` (feature `parquet`),
    /// `.arrow`/`.feather`/`.ipc` (Arrow IPC, feature `arrow`); `.tsv`, `.tab` are read as
    /// tab-separated text and everything else (`.csv`, `.txt`, …) as delimited text with `opts`
    /// (of the options, only the missing-value codes apply to the binary formats).
    ///
    /// SPSS user-missing codes become missing and value labels of numeric variables are kept
    /// ([`Dataset::value_labels`], and [`Dataset::labels`] shows them); see docs/methods/data.md.
    ///
    /// # Errors
    /// As [`Dataset::from_csv_path`]; [`Error::FormatNotEnabled`] naming the cargo feature when
    /// the extension's reader is not compiled in; [`Error::DataFormat`] for a malformed binary
    /// file or a column type that is neither numbers nor text.
    pub fn from_path(path: impl AsRef<Path>, opts: &CsvOptions) -> Result<Self> {
        let path = path.as_ref();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        if let Some(ds) = formats::read(path, &ext, opts.na_code_list()) {
            return ds;
        }
        match ext.as_str() {
            "tsv" | "tab" if opts.delimiter_byte().is_none() => {
                Self::from_csv_path_with(path, &opts.clone().delimiter(b'\t'))
            }
            _ => Self::from_csv_path_with(path, opts),
        }
    }

    /// Read CSV text held in memory; `source_name` is used in error messages.
    ///
    /// # Errors
    /// As [`Dataset::from_csv_path`].
    pub fn from_csv_str(text: &str, source_name: &str) -> Result<Self> {
        Self::from_csv_reader(text.as_bytes(), source_name)
    }

    /// Read CSV text held in memory with the given options.
    ///
    /// # Errors
    /// As [`Dataset::from_csv_path_with`].
    pub fn from_csv_str_with(text: &str, source_name: &str, opts: &CsvOptions) -> Result<Self> {
        Self::from_csv_reader_with(text.as_bytes(), source_name, opts)
    }

    /// Read CSV from any reader; `source_name` is used in error messages.
    ///
    /// # Errors
    /// As [`Dataset::from_csv_path`].
    pub fn from_csv_reader<R: Read>(reader: R, source_name: &str) -> Result<Self> {
        Self::from_csv_reader_with(reader, source_name, &CsvOptions::default())
    }

    /// Read CSV from any reader with the given options (the reader is read in large blocks, so it
    /// need not be buffered).
    ///
    /// # Errors
    /// As [`Dataset::from_csv_path_with`].
    pub fn from_csv_reader_with<R: Read>(
        reader: R,
        source_name: &str,
        opts: &CsvOptions,
    ) -> Result<Self> {
        let t = csv::read_table(reader, source_name, opts)?;
        let p = t.names.len();
        let values = Array2::from_shape_vec((t.n, p), t.values).map_err(|_| {
            Error::DimensionMismatch { what: "parsed cells".into(), expected: t.n * p, found: 0 }
        })?;
        Ok(Self {
            source: source_name.to_string(),
            names: t.names,
            values,
            text: t.text,
            lines: t.lines,
            value_labels: BTreeMap::new(),
        })
    }

    /// Name of the source (file path or `"<memory>"`).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Number of rows (observations).
    pub fn n_rows(&self) -> usize {
        self.values.nrows()
    }

    /// Number of columns (variables).
    pub fn n_cols(&self) -> usize {
        self.names.len()
    }

    /// Column names in file order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Whether a column holds numbers (as opposed to text labels).
    pub fn is_numeric(&self, name: &str) -> Result<bool> {
        Ok(self.text[self.index_of(name)?].is_none())
    }

    /// Names of the numeric columns.
    pub fn numeric_names(&self) -> Vec<String> {
        self.names
            .iter()
            .zip(&self.text)
            .filter(|(_, t)| t.is_none())
            .map(|(n, _)| n.clone())
            .collect()
    }

    /// Index of a column by name.
    ///
    /// # Errors
    /// [`Error::UnknownVariable`] if no column has that name.
    pub fn index_of(&self, name: &str) -> Result<usize> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| Error::UnknownVariable { name: name.to_string() })
    }

    fn numeric_index(&self, name: &str) -> Result<usize> {
        let j = self.index_of(name)?;
        if let Some(t) = &self.text[j] {
            return Err(Error::NonNumericColumn {
                column: name.to_string(),
                line: t.first_line,
                value: t.first_value.clone(),
            });
        }
        Ok(j)
    }

    /// One numeric column.
    ///
    /// # Errors
    /// [`Error::UnknownVariable`], or [`Error::NonNumericColumn`] for a text column.
    pub fn column(&self, name: &str) -> Result<ArrayView1<'_, f64>> {
        let j = self.numeric_index(name)?;
        Ok(self.values.column(j))
    }

    /// The values of a column as text labels (numbers are formatted, or replaced by their value
    /// label where the file gave one; missing is `"NA"`).
    ///
    /// # Errors
    /// [`Error::UnknownVariable`].
    pub fn labels(&self, name: &str) -> Result<Vec<String>> {
        let j = self.index_of(name)?;
        Ok(match &self.text[j] {
            Some(t) => (0..t.codes.len()).map(|i| t.label(i).to_string()).collect(),
            None => {
                let vl = self.value_labels.get(name).map_or(&[][..], Vec::as_slice);
                self.values
                    .column(j)
                    .iter()
                    .map(|v| match vl.iter().find(|(code, _)| code == v) {
                        Some((_, l)) => l.clone(),
                        None if v.is_nan() => "NA".to_string(),
                        None => format!("{v}"),
                    })
                    .collect()
            }
        })
    }

    /// The value labels of a numeric column, `(code, label)` in the file's order (SPSS and Stata
    /// files; empty when the column has none).
    ///
    /// # Errors
    /// [`Error::UnknownVariable`].
    pub fn value_labels(&self, name: &str) -> Result<&[(f64, String)]> {
        self.index_of(name)?;
        Ok(self.value_labels.get(name).map_or(&[][..], Vec::as_slice))
    }

    /// The numeric columns `names`, in the order given, as a matrix (rows = observations).
    ///
    /// # Errors
    /// [`Error::UnknownVariable`], [`Error::NonNumericColumn`], [`Error::DuplicateVariable`].
    pub fn select<S: AsRef<str>>(&self, names: &[S]) -> Result<Array2<f64>> {
        let idx = self.numeric_indices(names)?;
        Ok(self.values.select(Axis(1), &idx))
    }

    /// As [`Dataset::select`], but borrowing the dataset's matrix when the columns are adjacent
    /// and in file order (then nothing is copied, as for "all items of a questionnaire file").
    ///
    /// # Errors
    /// As [`Dataset::select`].
    pub fn select_cow<S: AsRef<str>>(&self, names: &[S]) -> Result<CowArray<'_, f64, Ix2>> {
        let idx = self.numeric_indices(names)?;
        match (idx.first(), idx.last()) {
            (Some(&a), Some(&b)) if idx.windows(2).all(|w| w[1] == w[0] + 1) => {
                Ok(CowArray::from(self.values.slice_axis(Axis(1), Slice::from(a..b + 1))))
            }
            _ => Ok(CowArray::from(self.values.select(Axis(1), &idx))),
        }
    }

    fn numeric_indices<S: AsRef<str>>(&self, names: &[S]) -> Result<Vec<usize>> {
        let mut idx = Vec::with_capacity(names.len());
        for (k, n) in names.iter().enumerate() {
            let n = n.as_ref();
            if names[..k].iter().any(|m| m.as_ref() == n) {
                return Err(Error::DuplicateVariable { name: n.to_string() });
            }
            idx.push(self.numeric_index(n)?);
        }
        Ok(idx)
    }

    /// A new dataset with only the columns `names` (numeric or text), in that order.
    ///
    /// # Errors
    /// [`Error::UnknownVariable`], [`Error::DuplicateVariable`].
    pub fn select_dataset<S: AsRef<str>>(&self, names: &[S]) -> Result<Dataset> {
        let mut idx = Vec::with_capacity(names.len());
        for (k, n) in names.iter().enumerate() {
            if names[..k].iter().any(|m| m.as_ref() == n.as_ref()) {
                return Err(Error::DuplicateVariable { name: n.as_ref().to_string() });
            }
            idx.push(self.index_of(n.as_ref())?);
        }
        Ok(Dataset {
            source: self.source.clone(),
            names: idx.iter().map(|&j| self.names[j].clone()).collect(),
            values: self.values.select(Axis(1), &idx),
            text: idx.iter().map(|&j| self.text[j].clone()).collect(),
            lines: self.lines.clone(),
            value_labels: self
                .value_labels
                .iter()
                .filter(|(k, _)| names.iter().any(|n| n.as_ref() == k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        })
    }

    /// The whole numeric matrix (text columns are all `NaN`).
    pub fn values(&self) -> &Array2<f64> {
        &self.values
    }

    /// The source line of each row (1-based; the header is line 1).
    pub fn row_lines(&self) -> &[u64] {
        &self.lines
    }

    /// Reverse-key a numeric column in place: `x ← min + max − x` (missing stays missing).
    ///
    /// # Errors
    /// [`Error::UnknownVariable`], [`Error::NonNumericColumn`], [`Error::InvalidParameter`] if
    /// `min >= max`, or if an observed value lies outside `[min, max]`.
    pub fn reverse_key(&mut self, name: &str, min: f64, max: f64) -> Result<()> {
        if !(min.is_finite() && max.is_finite() && min < max) {
            return Err(Error::invalid(
                "scale range",
                format!("need min < max, got {min} and {max}"),
            ));
        }
        let j = self.numeric_index(name)?;
        for (i, v) in self.values.column(j).iter().enumerate() {
            if !v.is_nan() && (*v < min || *v > max) {
                return Err(Error::invalid(
                    "scale range",
                    format!(
                        "value {v} of column `{name}` at line {} lies outside [{min}, {max}]",
                        self.lines[i]
                    ),
                ));
            }
        }
        self.values.column_mut(j).mapv_inplace(|v| min + max - v);
        Ok(())
    }

    /// Reverse-key several columns (consuming form of [`Dataset::reverse_key`]).
    ///
    /// # Errors
    /// As [`Dataset::reverse_key`].
    pub fn with_reversed<S: AsRef<str>>(mut self, names: &[S], min: f64, max: f64) -> Result<Self> {
        for n in names {
            self.reverse_key(n.as_ref(), min, max)?;
        }
        Ok(self)
    }

    /// Keep only the rows whose index is in `rows` (in that order).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if an index is out of range.
    pub fn subset_rows(&self, rows: &[usize]) -> Result<Dataset> {
        if let Some(&bad) = rows.iter().find(|&&r| r >= self.n_rows()) {
            return Err(Error::invalid(
                "rows",
                format!("row index {bad} out of range ({} rows)", self.n_rows()),
            ));
        }
        Ok(Dataset {
            source: self.source.clone(),
            names: self.names.clone(),
            values: self.values.select(Axis(0), rows),
            text: self.text.iter().map(|t| t.as_ref().map(|t| t.subset(rows))).collect(),
            lines: rows.iter().map(|&r| self.lines[r]).collect(),
            value_labels: self.value_labels.clone(),
        })
    }

    /// Split the rows by the values of a column (text or numeric), groups in order of first
    /// appearance. Rows whose grouping value is missing are left out.
    ///
    /// # Errors
    /// [`Error::UnknownVariable`].
    pub fn split_by(&self, name: &str) -> Result<Vec<(String, Dataset)>> {
        let labels = self.labels(name)?;
        let mut order: Vec<String> = Vec::new();
        let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, l) in labels.iter().enumerate() {
            if l == "NA" || l.trim().is_empty() {
                continue;
            }
            if !groups.contains_key(l) {
                order.push(l.clone());
            }
            groups.entry(l.clone()).or_default().push(i);
        }
        order
            .into_iter()
            .map(|l| {
                let rows = &groups[&l];
                Ok((l.clone(), self.subset_rows(rows)?))
            })
            .collect()
    }

    /// Number of missing values per named numeric column.
    ///
    /// # Errors
    /// As [`Dataset::select`].
    pub fn missing_counts<S: AsRef<str>>(&self, names: &[S]) -> Result<Array1<usize>> {
        let idx = self.numeric_indices(names)?;
        Ok(Array1::from_iter(
            idx.iter().map(|&j| self.values.column(j).iter().filter(|v| v.is_nan()).count()),
        ))
    }
}

pub(crate) fn check_names(names: &[String], source: &str) -> Result<()> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (j, n) in names.iter().enumerate() {
        if n.is_empty() {
            return Err(Error::EmptyHeader { source_name: source.into(), column: j + 1 });
        }
        if let Some(&first) = seen.get(n.as_str()) {
            return Err(Error::DuplicateHeader {
                source_name: source.into(),
                name: n.clone(),
                first: first + 1,
                second: j + 1,
            });
        }
        seen.insert(n, j);
    }
    if names.is_empty() {
        return Err(Error::EmptyData { source_name: source.into(), what: "no header row".into() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_missing_and_text() {
        let ds = Dataset::from_csv_str("a,b,c\n1,,x\n2,NA,y\n3,NaN,z\n", "t.csv").unwrap();
        assert_eq!(ds.n_rows(), 3);
        assert!(ds.column("b").unwrap().iter().all(|v| v.is_nan()));
        match ds.column("c") {
            Err(Error::NonNumericColumn { column, line, value }) => {
                assert_eq!((column.as_str(), line, value.as_str()), ("c", 2, "x"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn ragged_row_names_line() {
        match Dataset::from_csv_str("a,b\n1,2\n3\n", "t.csv") {
            Err(Error::RaggedRow { location, expected: 2, found: 1 }) => {
                assert_eq!(location.line, Some(3))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reverse_key_and_split() {
        let mut ds = Dataset::from_csv_str("g,a\nx,1\ny,5\nx,2\n", "t.csv").unwrap();
        ds.reverse_key("a", 1.0, 5.0).unwrap();
        assert_eq!(ds.column("a").unwrap().to_vec(), vec![5.0, 1.0, 4.0]);
        let parts = ds.split_by("g").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].0, "x");
        assert_eq!(parts[0].1.n_rows(), 2);
    }
}
