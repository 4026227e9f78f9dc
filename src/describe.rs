//! Descriptive statistics per variable and frequency tables, as `psych::describe` and `table()`
//! report them.
//!
//! [`Describe`] is the configuration (trimming, missing-value handling, value counts, label columns
//! to tabulate); [`Describe::fit`] reads the named columns of a [`Dataset`] and returns
//! [`Descriptives`]: one [`VariableStats`] per numeric column (n, mean, sd, median, trimmed mean,
//! MAD, min, max, range, skew, kurtosis, standard error of the mean) and [`Frequencies`] tables.
//!
//! Validated against R psych 2.2.9 (`describe`) and base R (`mean`, `sd`, `table`) on the study
//! survey (`study_survey.csv`, n = 612) and on five bfi items with missing values.

use std::cmp::Ordering;

use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::moments::Missing;
use crate::summary::{Align, Summary, Table, fmt_num};
use crate::warning::Warning;

/// Scale factor that makes the median absolute deviation a consistent estimator of the normal
/// standard deviation (R's `mad(constant = 1.4826)`).
pub const MAD_CONSTANT: f64 = 1.4826;

/// Which value frequencies to count for every described numeric column.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ValueCounts {
    /// No value frequencies (the default).
    #[default]
    None,
    /// Count every distinct observed value (sorted ascending).
    Distinct,
    /// Count the given levels, including those never observed (R's
    /// `table(factor(v, levels = ...))`); a value outside the levels is an error. Use it for
    /// Likert items: `ValueCounts::Levels(vec![1.0, 2.0, 3.0, 4.0, 5.0])`.
    Levels(Vec<f64>),
}

impl ValueCounts {
    /// The levels `min, min + 1, …, max` of an integer rating scale (e.g. `likert(1, 5)`).
    ///
    /// An empty list if `min > max`; [`Describe::fit`] then rejects it.
    pub fn likert(min: i32, max: i32) -> Self {
        ValueCounts::Levels((min..=max).map(f64::from).collect())
    }
}

/// Descriptive statistics of survey columns, in the manner of `psych::describe`.
///
/// For each numeric column: the number of observed values `n`, mean, standard deviation (divisor
/// `n − 1`), median, trimmed mean, median absolute deviation (scaled by 1.4826), minimum,
/// maximum, range, skew and excess kurtosis (psych's default *type 3*), and the standard error of
/// the mean. Optionally the frequencies of the values of each column ([`ValueCounts`]) and
/// frequency tables of label columns such as `region` ([`Describe::tabulate`]).
///
/// # Formula
///
/// ```text
/// x̄ = Σ x / n                      s = sqrt( Σ (x − x̄)² / (n − 1) )      se = s / sqrt(n)
/// median: middle order statistic (mean of the two middle ones for even n)
/// trimmed: lo = floor(n·trim) + 1, hi = n + 1 − lo; mean of the order statistics x(lo) … x(hi)
/// mad = 1.4826 · median |x − median|                  range = max − min
/// skew (type 3)     b1 = Σ (x − x̄)³ / (n · s³)
/// kurtosis (type 3) b2 = Σ (x − x̄)⁴ / (n · s⁴) − 3
/// ```
///
/// Undefined values are `NaN` (R's `NA`): `sd`, `skew`, `kurtosis` and `se` for `n < 2`, skew and
/// kurtosis of a constant column.
///
/// # Examples
///
/// ```
/// use surveystat::data::Dataset;
/// use surveystat::describe::{Describe, ValueCounts};
///
/// let csv = "region,Q1,Q2\nnorth,1,4\nsouth,2,5\nnorth,4,4\nsouth,5,NA\n";
/// let ds = Dataset::from_csv_str(csv, "inline.csv").unwrap();
/// let d = Describe::new()
///     .value_counts(ValueCounts::likert(1, 5))
///     .tabulate("region")
///     .fit(&ds, &["Q1", "Q2"])
///     .unwrap();
/// let q1 = d.variable("Q1").unwrap();
/// assert_eq!(q1.n(), 4);
/// assert_eq!(q1.mean(), 3.0);
/// assert_eq!(q1.median(), 3.0);
/// assert_eq!(d.variable("Q2").unwrap().n(), 3); // missing values are dropped per column
/// assert_eq!(q1.counts().unwrap().count("3"), Some(0));
/// assert_eq!(d.frequency("region").unwrap().count("south"), Some(2));
/// println!("{}", d.summary());
/// ```
///
/// # Errors
///
/// See [`Describe::fit`].
///
/// # References
///
/// Revelle, W. (2022). *psych: Procedures for Psychological, Psychometric, and Personality
/// Research*, version 2.2.9, functions `describe`, `skew`, `kurtosi`.
/// Joanes, D. N. & Gill, C. A. (1998). Comparing measures of sample skewness and kurtosis.
/// *The Statistician*, 47(1), 183–189.
/// Hampel, F. R. (1974). The influence curve and its role in robust estimation. *JASA*, 69, 383–393.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Describe {
    trim: f64,
    missing: Missing,
    value_counts: ValueCounts,
    tabulate: Vec<String>,
}

impl Default for Describe {
    fn default() -> Self {
        Self::new()
    }
}

impl Describe {
    /// psych's defaults: `trim = 0.1`, missing values dropped per column, no value counts, no
    /// label tables.
    pub fn new() -> Self {
        Self {
            trim: 0.1,
            missing: Missing::Pairwise,
            value_counts: ValueCounts::None,
            tabulate: vec![],
        }
    }

    /// Fraction trimmed from *each* end for the trimmed mean (R's `mean(x, trim)`), in `[0, 0.5]`;
    /// `0.5` gives the median. Default `0.1`.
    pub fn trim(mut self, trim: f64) -> Self {
        self.trim = trim;
        self
    }

    /// Missing values: [`Missing::Pairwise`] (default, psych's `na.rm = TRUE`) uses every observed
    /// value of each column; [`Missing::Listwise`] first drops every row with a missing value in
    /// any described column (the label tables then count the same rows).
    pub fn missing(mut self, missing: Missing) -> Self {
        self.missing = missing;
        self
    }

    /// Which value frequencies to count for every numeric column (default none).
    pub fn value_counts(mut self, counts: ValueCounts) -> Self {
        self.value_counts = counts;
        self
    }

    /// Add a frequency table of a column's labels (text or numeric), e.g. `"region"`; may be
    /// called several times.
    pub fn tabulate(mut self, column: impl Into<String>) -> Self {
        self.tabulate.push(column.into());
        self
    }

    /// Describe the numeric `columns` of `data` (rows are observations, columns are variables).
    ///
    /// # Errors
    ///
    /// [`Error::TooFewVariables`] if `columns` is empty; [`Error::UnknownVariable`],
    /// [`Error::NonNumericColumn`], [`Error::DuplicateVariable`] for bad column names;
    /// [`Error::NonFinite`] for an infinite value; [`Error::EmptyData`] if a column has no observed
    /// value; [`Error::InvalidParameter`] for `trim` outside `[0, 0.5]`, empty or non-finite
    /// levels, or a value outside the declared levels.
    pub fn fit<S: AsRef<str>>(&self, data: &Dataset, columns: &[S]) -> Result<Descriptives> {
        if !(0.0..=0.5).contains(&self.trim) {
            return Err(Error::invalid("trim", format!("must lie in [0, 0.5], got {}", self.trim)));
        }
        if let ValueCounts::Levels(levels) = &self.value_counts {
            if levels.is_empty() {
                return Err(Error::invalid("levels", "no levels given"));
            }
            if let Some(bad) = levels.iter().find(|v| !v.is_finite()) {
                return Err(Error::invalid("levels", format!("level {bad} is not finite")));
            }
        }
        if columns.is_empty() {
            return Err(Error::TooFewVariables { needed: 1, got: 0 });
        }
        let x = data.select(columns)?;
        let lines = data.row_lines();
        for (j, col) in x.columns().into_iter().enumerate() {
            if let Some(i) = col.iter().position(|v| v.is_infinite()) {
                return Err(Error::NonFinite {
                    what: format!(
                        "column `{}` at line {} of {}",
                        columns[j].as_ref(),
                        lines[i],
                        data.source()
                    ),
                });
            }
        }
        let rows: Vec<usize> = match self.missing {
            Missing::Pairwise => (0..x.nrows()).collect(),
            Missing::Listwise => {
                (0..x.nrows()).filter(|&i| x.row(i).iter().all(|v| !v.is_nan())).collect()
            }
        };
        let mut warnings = Vec::new();
        if rows.len() < x.nrows() {
            warnings.push(Warning::RowsDropped {
                dropped: x.nrows() - rows.len(),
                remaining: rows.len(),
            });
        }
        let mut variables = Vec::with_capacity(columns.len());
        for (j, name) in columns.iter().enumerate() {
            let name = name.as_ref();
            let values: Vec<f64> =
                rows.iter().map(|&i| x[[i, j]]).filter(|v| !v.is_nan()).collect();
            let n_missing = rows.len() - values.len();
            if values.is_empty() {
                return Err(Error::EmptyData {
                    source_name: data.source().to_string(),
                    what: format!("column `{name}` has no observed value"),
                });
            }
            let counts = match &self.value_counts {
                ValueCounts::None => None,
                ValueCounts::Distinct => Some(distinct_counts(name, &values, n_missing)),
                ValueCounts::Levels(levels) => {
                    Some(level_counts(name, &values, n_missing, levels, &rows, x.column(j), lines)?)
                }
            };
            let stats = VariableStats::compute(name, values, n_missing, self.trim, counts);
            if stats.n > 1 && stats.sd == 0.0 {
                warnings.push(Warning::ZeroVariance { item: name.to_string() });
            }
            variables.push(stats);
        }
        let mut tables = Vec::with_capacity(self.tabulate.len());
        for col in &self.tabulate {
            tables.push(tabulate_column(data, col, &rows)?);
        }
        Ok(Descriptives {
            config: self.clone(),
            n_rows: data.n_rows(),
            n_used: rows.len(),
            variables,
            tables,
            warnings,
        })
    }
}

fn fmt_level(v: f64) -> String {
    format!("{v}")
}

fn distinct_counts(name: &str, values: &[f64], n_missing: usize) -> Frequencies {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut levels: Vec<String> = Vec::new();
    let mut counts: Vec<usize> = Vec::new();
    let mut last: Option<f64> = None;
    for v in sorted {
        if last == Some(v) {
            if let Some(c) = counts.last_mut() {
                *c += 1;
            }
        } else {
            levels.push(fmt_level(v));
            counts.push(1);
            last = Some(v);
        }
    }
    Frequencies { column: name.to_string(), levels, counts, n_missing }
}

fn level_counts(
    name: &str,
    values: &[f64],
    n_missing: usize,
    levels: &[f64],
    rows: &[usize],
    column: ndarray::ArrayView1<'_, f64>,
    lines: &[u64],
) -> Result<Frequencies> {
    let mut counts = vec![0usize; levels.len()];
    for &v in values {
        match levels.iter().position(|&l| l == v) {
            Some(k) => counts[k] += 1,
            None => {
                let line = rows
                    .iter()
                    .find(|&&i| column[i] == v)
                    .map(|&i| lines[i].to_string())
                    .unwrap_or_else(|| "?".into());
                let list: Vec<String> = levels.iter().map(|&l| fmt_level(l)).collect();
                return Err(Error::invalid(
                    "levels",
                    format!(
                        "value {v} of column `{name}` at line {line} is not one of the levels {}",
                        list.join(", ")
                    ),
                ));
            }
        }
    }
    Ok(Frequencies {
        column: name.to_string(),
        levels: levels.iter().map(|&l| fmt_level(l)).collect(),
        counts,
        n_missing,
    })
}

fn tabulate_column(data: &Dataset, col: &str, rows: &[usize]) -> Result<Frequencies> {
    if data.is_numeric(col)? {
        let column = data.column(col)?;
        let all: Vec<f64> = rows.iter().map(|&i| column[i]).collect();
        if let Some(v) = all.iter().find(|v| v.is_infinite()) {
            return Err(Error::NonFinite { what: format!("column `{col}` (value {v})") });
        }
        let values: Vec<f64> = all.iter().copied().filter(|v| !v.is_nan()).collect();
        return Ok(distinct_counts(col, &values, all.len() - values.len()));
    }
    let labels = data.labels(col)?;
    let mut n_missing = 0;
    let mut pairs: Vec<(String, usize)> = Vec::new();
    let mut observed: Vec<&str> = Vec::with_capacity(rows.len());
    for &i in rows {
        let l = labels[i].trim();
        if l.is_empty() || l == "NA" {
            n_missing += 1;
        } else {
            observed.push(l);
        }
    }
    observed.sort_unstable();
    for l in observed {
        match pairs.last_mut() {
            Some((last, c)) if last == l => *c += 1,
            _ => pairs.push((l.to_string(), 1)),
        }
    }
    let (levels, counts) = pairs.into_iter().unzip();
    Ok(Frequencies { column: col.to_string(), levels, counts, n_missing })
}

/// Mean with R's second pass: `m = Σx/n; m += Σ(x − m)/n`.
fn mean(x: &[f64]) -> f64 {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    m + x.iter().map(|v| v - m).sum::<f64>() / n
}

/// Median of sorted values.
fn median_sorted(s: &[f64]) -> f64 {
    let n = s.len();
    if n % 2 == 1 { s[n / 2] } else { (s[n / 2 - 1] + s[n / 2]) / 2.0 }
}

/// R's `mean(x, trim)` on sorted values.
fn trimmed_sorted(s: &[f64], trim: f64) -> f64 {
    let n = s.len();
    if trim >= 0.5 {
        return median_sorted(s);
    }
    let lo = (n as f64 * trim).floor() as usize; // 0-based index of x(lo + 1)
    let hi = n - lo; // exclusive
    if lo >= hi {
        return median_sorted(s);
    }
    mean(&s[lo..hi])
}

/// Statistics of one numeric column.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct VariableStats {
    name: String,
    n: usize,
    n_missing: usize,
    mean: f64,
    sd: f64,
    median: f64,
    trimmed: f64,
    mad: f64,
    min: f64,
    max: f64,
    range: f64,
    skew: f64,
    kurtosis: f64,
    se: f64,
    counts: Option<Frequencies>,
}

impl VariableStats {
    fn compute(
        name: &str,
        mut values: Vec<f64>,
        n_missing: usize,
        trim: f64,
        counts: Option<Frequencies>,
    ) -> Self {
        let n = values.len();
        let nf = n as f64;
        let m = mean(&values);
        let (mut s2, mut s3, mut s4) = (0.0, 0.0, 0.0);
        for &v in &values {
            let d = v - m;
            let d2 = d * d;
            s2 += d2;
            s3 += d2 * d;
            s4 += d2 * d2;
        }
        let sd = if n > 1 { (s2 / (nf - 1.0)).sqrt() } else { f64::NAN };
        let skew = s3 / (nf * sd.powi(3));
        let kurtosis = s4 / (nf * sd.powi(4)) - 3.0;
        values.sort_by(f64::total_cmp);
        let median = median_sorted(&values);
        let trimmed = trimmed_sorted(&values, trim);
        let mut dev: Vec<f64> = values.iter().map(|v| (v - median).abs()).collect();
        dev.sort_by(|a, b| a.partial_cmp(b).unwrap_or(Ordering::Equal));
        let mad = MAD_CONSTANT * median_sorted(&dev);
        Self {
            name: name.to_string(),
            n,
            n_missing,
            mean: m,
            sd,
            median,
            trimmed,
            mad,
            min: values[0],
            max: values[n - 1],
            range: values[n - 1] - values[0],
            skew,
            kurtosis,
            se: sd / nf.sqrt(),
            counts,
        }
    }

    /// Column name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Number of observed (non-missing) values.
    pub fn n(&self) -> usize {
        self.n
    }
    /// Number of missing values among the rows used.
    pub fn n_missing(&self) -> usize {
        self.n_missing
    }
    /// Arithmetic mean.
    pub fn mean(&self) -> f64 {
        self.mean
    }
    /// Standard deviation, divisor `n − 1` (`NaN` for `n < 2`).
    pub fn sd(&self) -> f64 {
        self.sd
    }
    /// Variance, divisor `n − 1` (`NaN` for `n < 2`).
    pub fn var(&self) -> f64 {
        self.sd * self.sd
    }
    /// Median.
    pub fn median(&self) -> f64 {
        self.median
    }
    /// Trimmed mean with the configured trim (psych default 0.1 from each end).
    pub fn trimmed(&self) -> f64 {
        self.trimmed
    }
    /// Median absolute deviation from the median, times [`MAD_CONSTANT`].
    pub fn mad(&self) -> f64 {
        self.mad
    }
    /// Smallest value.
    pub fn min(&self) -> f64 {
        self.min
    }
    /// Largest value.
    pub fn max(&self) -> f64 {
        self.max
    }
    /// `max − min`.
    pub fn range(&self) -> f64 {
        self.range
    }
    /// Skewness, psych type 3: `Σ(x − x̄)³ / (n s³)`.
    pub fn skew(&self) -> f64 {
        self.skew
    }
    /// Excess kurtosis, psych type 3: `Σ(x − x̄)⁴ / (n s⁴) − 3`.
    pub fn kurtosis(&self) -> f64 {
        self.kurtosis
    }
    /// Standard error of the mean, `s / sqrt(n)`.
    pub fn se(&self) -> f64 {
        self.se
    }
    /// Value frequencies, if [`Describe::value_counts`] asked for them.
    pub fn counts(&self) -> Option<&Frequencies> {
        self.counts.as_ref()
    }
}

/// A frequency table of one column: levels in order with their counts, and the number of missing
/// values.
///
/// Numeric levels are sorted ascending and written as Rust formats the `f64` (`1`, `2.5`); text
/// levels are sorted by their bytes (R sorts by the locale's collation, which agrees for ASCII
/// labels of one case such as `Chengdu`, `Chongqing`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Frequencies {
    column: String,
    levels: Vec<String>,
    counts: Vec<usize>,
    n_missing: usize,
}

impl Frequencies {
    /// Column name.
    pub fn column(&self) -> &str {
        &self.column
    }
    /// Levels, in table order.
    pub fn levels(&self) -> &[String] {
        &self.levels
    }
    /// Counts, aligned with [`Frequencies::levels`].
    pub fn counts(&self) -> &[usize] {
        &self.counts
    }
    /// Count of one level (`None` if it is not a level of the table).
    pub fn count(&self, level: &str) -> Option<usize> {
        self.levels.iter().position(|l| l == level).map(|k| self.counts[k])
    }
    /// Number of non-missing values counted.
    pub fn total(&self) -> usize {
        self.counts.iter().sum()
    }
    /// Number of missing values (not counted in any level).
    pub fn n_missing(&self) -> usize {
        self.n_missing
    }
    /// Proportion of each level among the non-missing values (`NaN` if there are none).
    pub fn proportions(&self) -> Vec<f64> {
        let t = self.total() as f64;
        self.counts.iter().map(|&c| c as f64 / t).collect()
    }
    /// `(level, count)` pairs in table order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, usize)> {
        self.levels.iter().map(String::as_str).zip(self.counts.iter().copied())
    }
}

/// The result of [`Describe::fit`]: statistics per variable and frequency tables.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Descriptives {
    config: Describe,
    n_rows: usize,
    n_used: usize,
    variables: Vec<VariableStats>,
    tables: Vec<Frequencies>,
    warnings: Vec<Warning>,
}

impl Descriptives {
    /// The configuration that produced this result.
    pub fn config(&self) -> &Describe {
        &self.config
    }
    /// Number of rows in the dataset.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }
    /// Number of rows used (fewer than [`Descriptives::n_rows`] after listwise deletion).
    pub fn n_used(&self) -> usize {
        self.n_used
    }
    /// Statistics per variable, in the order the columns were given.
    pub fn variables(&self) -> &[VariableStats] {
        &self.variables
    }
    /// Statistics of one variable by name.
    pub fn variable(&self, name: &str) -> Option<&VariableStats> {
        self.variables.iter().find(|v| v.name == name)
    }
    /// Frequency tables of the label columns, in the order of [`Describe::tabulate`].
    pub fn frequencies(&self) -> &[Frequencies] {
        &self.tables
    }
    /// Frequency table of one tabulated label column by name.
    pub fn frequency(&self, column: &str) -> Option<&Frequencies> {
        self.tables.iter().find(|t| t.column == column)
    }
    /// Warnings: rows dropped (listwise), columns with zero variance.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// A printable summary: the `psych::describe` table, value frequencies, label tables.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::new("Descriptive statistics");
        let mut kv = vec![
            ("Rows".to_string(), self.n_rows.to_string()),
            (
                "Missing values".to_string(),
                match self.config.missing {
                    Missing::Pairwise => "dropped per variable".to_string(),
                    Missing::Listwise => format!("listwise ({} rows used)", self.n_used),
                },
            ),
        ];
        if self.config.trim != 0.1 {
            kv.push(("Trim".to_string(), fmt_num(self.config.trim, 2)));
        }
        s.key_values(kv);
        let mut t = Table::new(
            None,
            [
                "variable", "n", "mean", "sd", "median", "trimmed", "mad", "min", "max", "range",
                "skew", "kurtosis", "se",
            ],
        );
        for v in &self.variables {
            t.push([
                v.name.clone(),
                v.n.to_string(),
                fmt_num(v.mean, 2),
                fmt_num(v.sd, 2),
                fmt_num(v.median, 2),
                fmt_num(v.trimmed, 2),
                fmt_num(v.mad, 2),
                fmt_num(v.min, 2),
                fmt_num(v.max, 2),
                fmt_num(v.range(), 2),
                fmt_num(v.skew, 2),
                fmt_num(v.kurtosis, 2),
                fmt_num(v.se(), 3),
            ]);
        }
        s.table(t);
        match &self.config.value_counts {
            ValueCounts::None => {}
            ValueCounts::Levels(levels) => {
                let mut cols = vec!["variable".to_string()];
                cols.extend(levels.iter().map(|&l| fmt_level(l)));
                cols.push("NA".to_string());
                let mut t = Table::new(Some("Value frequencies"), cols);
                for v in &self.variables {
                    if let Some(c) = &v.counts {
                        let mut row = vec![v.name.clone()];
                        row.extend(c.counts.iter().map(usize::to_string));
                        row.push(c.n_missing.to_string());
                        t.push(row);
                    }
                }
                s.table(t);
            }
            ValueCounts::Distinct => {
                let mut t = Table::new(
                    Some("Value frequencies"),
                    ["variable", "value", "count", "percent"],
                );
                t.align[1] = Align::Right;
                for v in &self.variables {
                    if let Some(c) = &v.counts {
                        for ((l, n), p) in c.iter().zip(c.proportions()) {
                            t.push([
                                v.name.clone(),
                                l.to_string(),
                                n.to_string(),
                                fmt_num(100.0 * p, 1),
                            ]);
                        }
                    }
                }
                s.table(t);
            }
        }
        for f in &self.tables {
            let mut t = Table::new(
                Some(&format!("Frequencies of {}", f.column)),
                [f.column.as_str(), "count", "percent"],
            );
            for ((l, n), p) in f.iter().zip(f.proportions()) {
                t.push([l.to_string(), n.to_string(), fmt_num(100.0 * p, 1)]);
            }
            if f.n_missing > 0 {
                t.push(["NA".to_string(), f.n_missing.to_string(), String::new()]);
            }
            s.table(t);
        }
        if !self.warnings.is_empty() {
            let w: Vec<String> = self.warnings.iter().map(|w| format!("Warning: {w}")).collect();
            s.text(w.join("\n"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimmed_matches_r_rule() {
        // R: mean(1:10, trim = 0.15) -> lo = floor(1.5) + 1 = 2, hi = 9 -> mean(2:9) = 5.5
        let s: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(trimmed_sorted(&s, 0.15), 5.5);
        // mean(c(1, 2, 3, 100), trim = 0.25) = mean(2, 3) = 2.5
        assert_eq!(trimmed_sorted(&[1.0, 2.0, 3.0, 100.0], 0.25), 2.5);
        assert_eq!(trimmed_sorted(&[1.0, 2.0, 3.0, 100.0], 0.5), 2.5);
        assert_eq!(trimmed_sorted(&[7.0], 0.1), 7.0);
    }

    #[test]
    fn median_and_mad() {
        assert_eq!(median_sorted(&[1.0, 2.0, 3.0]), 2.0);
        assert_eq!(median_sorted(&[1.0, 2.0, 3.0, 4.0]), 2.5);
        let v = VariableStats::compute("x", vec![1.0, 2.0, 3.0, 4.0, 100.0], 0, 0.1, None);
        // |x - 3| = 2, 1, 0, 1, 97 -> median 1
        assert_eq!(v.mad(), MAD_CONSTANT);
        assert_eq!(v.range(), 99.0);
    }

    #[test]
    fn symmetric_data_has_zero_skew() {
        let v = VariableStats::compute("x", vec![1.0, 2.0, 3.0, 4.0, 5.0], 0, 0.1, None);
        assert!(v.skew().abs() < 1e-15);
        // type-3 kurtosis of 1..5: m4 = 6.8, s^2 = 2.5 -> 34 / (5 * 6.25) - 3 = -1.912
        assert!((v.kurtosis() - (-1.912)).abs() < 1e-12);
    }

    #[test]
    fn single_value_gives_nan_spread() {
        let v = VariableStats::compute("x", vec![3.0], 0, 0.1, None);
        assert!(v.sd().is_nan() && v.se().is_nan() && v.skew().is_nan());
        assert_eq!(v.mean(), 3.0);
    }

    #[test]
    fn distinct_counts_sorted() {
        let f = distinct_counts("x", &[3.0, 1.0, 3.0, 2.5], 1);
        assert_eq!(f.levels(), &["1", "2.5", "3"]);
        assert_eq!(f.counts(), &[1, 1, 2]);
        assert_eq!(f.n_missing(), 1);
        assert_eq!(f.total(), 4);
    }
}
