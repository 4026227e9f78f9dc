//! Dataset operations a survey analysis needs: adding or replacing columns, composite scores
//! (mean or sum of items with reverse keys, as psych `scoreItems`), row filters and subsets by
//! a label.

use ndarray::{Array1, Array2, Axis, concatenate};

use super::Dataset;
use super::csv::TextColumn;
use crate::error::{Error, Result};

/// How a composite score treats a missing item answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Impute {
    /// Score from the answered items only (psych `impute = "none"`): the mean or the sum of
    /// the answered items (a sum then depends on how many items were answered, as in psych).
    None,
    /// Replace a missing answer by the item's median (psych's default).
    Median,
    /// Replace a missing answer by the item's mean.
    Mean,
}

/// A composite (scale) score: the mean or sum of items, some reverse-keyed, as psych
/// `scoreItems(keys, items, totals, impute, min, max)`.
///
/// # Formula
/// ```text
/// reversed item:  x' = min + max − x   (min, max: the given range, else the smallest and largest
///                                       answer over all the scored items, as psych)
/// mean score:     mean over items of x' (after imputation)
/// sum score:      sum over items of x'  (Impute::None: sum of the answered items)
/// ```
/// A respondent who answered none of the items gets `NaN`.
///
/// # Examples
/// ```
/// use surveystat::data::{Composite, Dataset, Impute};
/// let ds = Dataset::from_csv_str("a,b\n1,5\n2,4\n3,NA\n", "t.csv").unwrap();
/// let s = Composite::new(&["a", "b"]).reverse(&["b"]).impute(Impute::None).score(&ds).unwrap();
/// assert_eq!(s.to_vec(), vec![1.0, 2.0, 3.0]);
/// ```
///
/// # References
/// Revelle, W. (2022). psych: Procedures for Psychological, Psychometric, and Personality
/// Research, `scoreItems` (validated against psych 2.2.9 on the bfi agreeableness items).
#[derive(Debug, Clone, PartialEq)]
pub struct Composite {
    items: Vec<String>,
    reverse: Vec<String>,
    range: Option<(f64, f64)>,
    sum: bool,
    impute: Impute,
}

impl Composite {
    /// The mean of `items`, missing answers imputed by the item median (psych's defaults).
    pub fn new<S: AsRef<str>>(items: &[S]) -> Self {
        Self {
            items: items.iter().map(|s| s.as_ref().to_string()).collect(),
            reverse: Vec::new(),
            range: None,
            sum: false,
            impute: Impute::Median,
        }
    }

    /// Items scored in reverse (`min + max − x`).
    pub fn reverse<S: AsRef<str>>(mut self, items: &[S]) -> Self {
        self.reverse = items.iter().map(|s| s.as_ref().to_string()).collect();
        self
    }

    /// The response range used for reversing (default: the smallest and largest answer).
    pub fn range(mut self, min: f64, max: f64) -> Self {
        self.range = Some((min, max));
        self
    }

    /// Sum instead of mean (psych `totals = TRUE`).
    pub fn sum(mut self, yes: bool) -> Self {
        self.sum = yes;
        self
    }

    /// Missing-answer handling.
    pub fn impute(mut self, impute: Impute) -> Self {
        self.impute = impute;
        self
    }

    /// The score of every row.
    ///
    /// # Errors
    /// [`Error::UnknownVariable`], [`Error::NonNumericColumn`], [`Error::DuplicateVariable`];
    /// [`Error::InvalidParameter`] for no items, a reversed item not among the items, a range with
    /// `min >= max`, or items without any answer.
    pub fn score(&self, data: &Dataset) -> Result<Array1<f64>> {
        if self.items.is_empty() {
            return Err(Error::invalid("items", "a composite needs at least one item"));
        }
        if let Some(r) = self.reverse.iter().find(|r| !self.items.contains(r)) {
            return Err(Error::invalid("reverse", format!("`{r}` is not among the items")));
        }
        let mut x = data.select(&self.items)?;
        let (lo, hi) = match self.range {
            Some((lo, hi)) => {
                if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                    return Err(Error::invalid(
                        "scale range",
                        format!("need min < max, got {lo} and {hi}"),
                    ));
                }
                (lo, hi)
            }
            None => x
                .iter()
                .filter(|v| !v.is_nan())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v))),
        };
        if !lo.is_finite() {
            return Err(Error::invalid("items", "the items hold no answers"));
        }
        for (j, name) in self.items.iter().enumerate() {
            if self.reverse.contains(name) {
                x.column_mut(j).mapv_inplace(|v| lo + hi - v);
            }
        }
        if self.impute != Impute::None {
            for mut col in x.columns_mut() {
                let mut obs: Vec<f64> = col.iter().copied().filter(|v| !v.is_nan()).collect();
                if obs.is_empty() {
                    continue;
                }
                let fill = match self.impute {
                    Impute::Mean => obs.iter().sum::<f64>() / obs.len() as f64,
                    _ => median(&mut obs),
                };
                col.mapv_inplace(|v| if v.is_nan() { fill } else { v });
            }
        }
        Ok(x.map_axis(Axis(1), |row| {
            let (s, m) =
                row.iter().filter(|v| !v.is_nan()).fold((0.0, 0usize), |(s, m), &v| (s + v, m + 1));
            if m == 0 {
                f64::NAN
            } else if self.sum {
                s
            } else {
                s / m as f64
            }
        }))
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { 0.5 * (v[n / 2 - 1] + v[n / 2]) }
}

impl Dataset {
    /// Add a numeric column, or replace the column of that name (numeric or text).
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] if `values` does not have one value per row;
    /// [`Error::EmptyHeader`] for an empty name.
    pub fn set_column(&mut self, name: &str, values: Array1<f64>) -> Result<()> {
        self.check_len(name, values.len())?;
        match self.names.iter().position(|n| n == name) {
            Some(j) => {
                self.values.column_mut(j).assign(&values);
                self.text[j] = None;
                self.value_labels.remove(name);
            }
            None => {
                let col = values.insert_axis(Axis(1));
                self.values = concatenate(Axis(1), &[self.values.view(), col.view()])
                    .map_err(|e| Error::invalid("column", e.to_string()))?;
                self.names.push(name.to_string());
                self.text.push(None);
            }
        }
        Ok(())
    }

    /// Add a text column (labels), or replace the column of that name.
    ///
    /// # Errors
    /// As [`Dataset::set_column`].
    pub fn set_labels<S: AsRef<str>>(&mut self, name: &str, labels: &[S]) -> Result<()> {
        self.check_len(name, labels.len())?;
        let first_line = self.lines.first().copied().unwrap_or(2);
        let col = TextColumn::from_labels(labels, first_line);
        let nan = Array1::from_elem(labels.len(), f64::NAN);
        self.set_column(name, nan)?;
        let j = self.index_of(name)?;
        self.text[j] = Some(col);
        Ok(())
    }

    fn check_len(&self, name: &str, len: usize) -> Result<()> {
        if name.is_empty() {
            return Err(Error::EmptyHeader {
                source_name: self.source.clone(),
                column: self.names.len() + 1,
            });
        }
        if len != self.n_rows() {
            return Err(Error::DimensionMismatch {
                what: format!("values of column `{name}` vs rows"),
                expected: self.n_rows(),
                found: len,
            });
        }
        Ok(())
    }

    /// Consuming form of [`Dataset::set_column`].
    ///
    /// # Errors
    /// As [`Dataset::set_column`].
    pub fn with_column(mut self, name: &str, values: Array1<f64>) -> Result<Self> {
        self.set_column(name, values)?;
        Ok(self)
    }

    /// Add (or replace) a column holding a composite score.
    ///
    /// # Errors
    /// As [`Composite::score`].
    pub fn with_composite(self, name: &str, composite: &Composite) -> Result<Self> {
        let s = composite.score(&self)?;
        self.with_column(name, s)
    }

    /// Keep the rows where `keep` is true.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] if `keep` does not have one entry per row.
    pub fn filter_rows(&self, keep: &[bool]) -> Result<Dataset> {
        if keep.len() != self.n_rows() {
            return Err(Error::DimensionMismatch {
                what: "row filter vs rows".into(),
                expected: self.n_rows(),
                found: keep.len(),
            });
        }
        let rows: Vec<usize> = (0..keep.len()).filter(|&i| keep[i]).collect();
        self.subset_rows(&rows)
    }

    /// Keep the rows where the numeric column `name` satisfies `pred` (missing values are passed
    /// as `NaN`).
    ///
    /// # Errors
    /// [`Error::UnknownVariable`], [`Error::NonNumericColumn`].
    pub fn filter_by(&self, name: &str, pred: impl Fn(f64) -> bool) -> Result<Dataset> {
        let keep: Vec<bool> = self.column(name)?.iter().map(|&v| pred(v)).collect();
        self.filter_rows(&keep)
    }

    /// Keep the rows whose value in column `name` (text, or a number written as by
    /// [`Dataset::labels`]) equals `label`.
    ///
    /// # Errors
    /// [`Error::UnknownVariable`].
    pub fn subset_by_label(&self, name: &str, label: &str) -> Result<Dataset> {
        let keep: Vec<bool> = self.labels(name)?.iter().map(|l| l == label).collect();
        self.filter_rows(&keep)
    }

    /// Build a dataset from named columns of equal length.
    ///
    /// # Errors
    /// As [`Dataset::from_array`]; [`Error::DimensionMismatch`] for columns of unequal length.
    pub fn from_columns<S: AsRef<str>>(names: &[S], columns: &[Array1<f64>]) -> Result<Self> {
        let n = columns.first().map_or(0, Array1::len);
        if let Some(c) = columns.iter().find(|c| c.len() != n) {
            return Err(Error::DimensionMismatch {
                what: "column lengths".into(),
                expected: n,
                found: c.len(),
            });
        }
        let mut values = Array2::from_elem((n, columns.len()), f64::NAN);
        for (j, c) in columns.iter().enumerate() {
            values.column_mut(j).assign(c);
        }
        Self::from_array(names, values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn add_replace_filter() {
        let mut ds = Dataset::from_csv_str("g,a\nx,1\ny,2\nx,3\n", "t.csv").unwrap();
        ds.set_column("b", array![1.0, 0.0, 1.0]).unwrap();
        ds.set_column("a", array![9.0, 8.0, 7.0]).unwrap();
        assert_eq!(ds.names(), &["g", "a", "b"]);
        let x = ds.subset_by_label("g", "x").unwrap();
        assert_eq!(x.column("a").unwrap().to_vec(), vec![9.0, 7.0]);
        let f = ds.filter_by("b", |v| v > 0.5).unwrap();
        assert_eq!(f.n_rows(), 2);
        assert!(ds.set_column("c", array![1.0]).is_err());
        ds.set_labels("g", &["p", "q", "p"]).unwrap();
        assert_eq!(ds.labels("g").unwrap(), vec!["p", "q", "p"]);
    }

    #[test]
    fn composite_sum_and_impute() {
        let ds = Dataset::from_csv_str("a,b\n1,5\n2,4\n3,NA\n", "t.csv").unwrap();
        let s = Composite::new(&["a", "b"]).reverse(&["b"]).sum(true).score(&ds).unwrap();
        // b reversed with range 1..5: 1, 2, median(1, 2) = 1.5
        assert_eq!(s.to_vec(), vec![2.0, 4.0, 4.5]);
    }
}
