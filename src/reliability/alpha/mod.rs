//! Cronbach's α and its family, with the conventions of R psych 2.2.9 `alpha()`.

mod fit;
mod moments;
mod scan;

pub use fit::AlphaFit;
use scan::Scan;
pub(in crate::reliability) use scan::response_frequencies_of;

use ndarray::{Array1, Array2, ArrayRef2, Axis, CowArray, Ix2};

use crate::core::dist;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::moments::{Missing, Moments};
use crate::summary::{Align, Summary, Table, fmt_num};
use crate::warning::Warning;

/// A two-sided confidence interval: the crate's one interval type
/// ([`Interval`](crate::resample::Interval)), under the name the reliability API has used.
pub type ConfidenceInterval = crate::resample::Interval;

/// Proportions of each answer value per item, as psych's "Non missing response frequency for
/// each item" (computed only when the items have at most 10 distinct values in all).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ResponseFrequencies {
    /// The distinct answer values, ascending.
    pub values: Vec<f64>,
    /// Item names (rows).
    pub items: Vec<String>,
    /// items × values: share of the item's answers equal to each value.
    pub proportions: Array2<f64>,
    /// Per item: share of rows without an answer.
    pub missing: Vec<f64>,
}

/// Statistics of the scale without one item (psych's "Reliability if an item is dropped").
///
/// Every field is computed exactly as the corresponding total statistic, on the covariance and
/// correlation matrices with that item's row and column removed.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AlphaIfDropped {
    /// Raw α of the remaining items (psych `raw_alpha`).
    pub raw_alpha: f64,
    /// Standardized α of the remaining items (psych `std.alpha`).
    pub std_alpha: f64,
    /// Guttman's λ6 of the remaining items (psych `G6(smc)`).
    pub g6: f64,
    /// Average inter-item correlation of the remaining items (psych `average_r`).
    pub average_r: f64,
    /// Signal/noise ratio of the remaining items (psych `S/N`).
    pub s_n: f64,
    /// Standard error of the raw α of the remaining items (psych `alpha se`).
    pub alpha_se: f64,
    /// Variance of the remaining inter-item correlations (psych `var.r`); `None` when only one
    /// correlation remains.
    pub var_r: Option<f64>,
    /// Median of the remaining inter-item correlations (psych `med.r`).
    pub med_r: f64,
}

/// One item's row: item–total statistics and the scale statistics if the item is dropped.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AlphaItem {
    /// Item name.
    pub item: String,
    /// Whether the item was reverse keyed before the analysis.
    pub reversed: bool,
    /// Number of non-missing answers (`None` when fitted from a covariance matrix).
    pub n: Option<usize>,
    /// Correlation of the item with the total score (psych `raw.r`; `None` from a covariance
    /// matrix).
    pub raw_r: Option<f64>,
    /// Item–total correlation from the correlation matrix (psych `std.r`).
    pub std_r: f64,
    /// Item–total correlation corrected for item overlap and reliability, with the squared
    /// multiple correlations on the diagonal (psych `r.cor`).
    pub r_cor: f64,
    /// Corrected item–total correlation: the item against the sum of the other items (psych
    /// `r.drop`).
    pub r_drop: f64,
    /// Item mean over its answers (`None` from a covariance matrix).
    pub mean: Option<f64>,
    /// Item standard deviation (divisor n − 1) over its answers (`None` from a covariance matrix).
    pub sd: Option<f64>,
    /// Scale statistics without this item; `None` for a two-item scale, where they are not defined.
    pub if_dropped: Option<AlphaIfDropped>,
}

/// Cronbach's α with the full set of statistics of R psych 2.2.9 `alpha()`.
///
/// A configuration value: choose the handling of missing values, the confidence level, item
/// names and reverse-keyed items, then call [`fit`](Alpha::fit) on raw data (rows = respondents,
/// columns = items), [`fit_dataset`](Alpha::fit_dataset) on named columns of a [`Dataset`], or
/// [`fit_cov`](Alpha::fit_cov) on a covariance matrix and a number of observations.
///
/// # Formula
/// ```text
/// C = item covariance matrix (divisor n − 1), R = its correlation matrix, k items
/// raw α      = k/(k−1) · (1 − tr C / ΣC)
/// std α      = k/(k−1) · (1 − k / ΣR)
/// G6 (λ6)    = 1 − (k − Σ smc) / ΣR,   smc_i = 1 − 1/(R⁺)_ii   (clamped to [0, 1])
/// average r  = (ΣR − k) / (k (k−1));  median r = median of the r_ij, i < j
/// S/N        = k r̄ / (1 − r̄)
/// ase        = √(Q/N),  Q = 2k² / ((k−1)² (ΣC)³) · (ΣC (tr C² + (tr C)²) − 2 tr C · Σ(C²))
/// Feldt CI   = 1 − (1 − α) F⁻¹(1 − p/2 ; N−1, (N−1)(k−1)) … 1 − (1 − α) F⁻¹(p/2 ; …), p = 1 − level
/// Duhachek   = α ± z_{1−p/2} · ase
/// ```
/// Sums ΣA run over all elements of A; `C²` is the matrix product; `R⁺` the Moore–Penrose
/// inverse (eigenvalues below √ε·λ_max treated as zero, as psych's `Pinv`).
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::reliability::Alpha;
/// let items = array![[4.0, 5.0, 4.0], [2.0, 3.0, 2.0], [3.0, 3.0, 4.0], [5.0, 4.0, 5.0], [1.0, 2.0, 2.0]];
/// let fit = Alpha::new().names(&["a", "b", "c"]).ci_level(0.90).fit(&items).unwrap();
/// assert!(fit.raw_alpha() > 0.9);
/// let ci = fit.feldt_ci();
/// assert!(ci.lower < fit.raw_alpha() && fit.raw_alpha() < ci.upper);
/// ```
///
/// # References
/// Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests. Psychometrika,
/// 16, 297–334. Guttman, L. (1945). A basis for analyzing test-retest reliability. Psychometrika,
/// 10, 255–282. Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
/// coefficient alpha. Applied Psychological Measurement, 11, 93–103. Duhachek, A., & Iacobucci,
/// D. (2004). Alpha's standard error (ASE). Journal of Applied Psychology, 89, 792–808.
/// Revelle, W. (2022). psych: Procedures for Psychological, Psychometric, and Personality
/// Research, version 2.2.9.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Alpha {
    ci_level: f64,
    missing: Missing,
    names: Option<Vec<String>>,
    reverse: Vec<String>,
    scale_min: f64,
    scale_max: f64,
}

impl Default for Alpha {
    fn default() -> Self {
        Self::new()
    }
}

impl Alpha {
    /// Defaults as psych: pairwise missing-data handling, 95% intervals, no reverse keying, items
    /// named `V1`, `V2`, … unless names are given.
    pub fn new() -> Self {
        Self {
            ci_level: 0.95,
            missing: Missing::Pairwise,
            names: None,
            reverse: Vec::new(),
            scale_min: f64::NAN,
            scale_max: f64::NAN,
        }
    }

    /// Confidence level of the Feldt and Duhachek intervals (default `0.95`), in (0, 1).
    pub fn ci_level(mut self, level: f64) -> Self {
        self.ci_level = level;
        self
    }

    /// Missing-value handling (default [`Missing::Pairwise`], as psych).
    ///
    /// Pairwise: covariances from the rows where both items are answered, the total score of a
    /// person is the mean of the items they answered, and N (for the standard error and the
    /// Feldt interval) is the number of rows. Listwise: incomplete rows are dropped first and N is
    /// the number of complete rows.
    pub fn missing(mut self, missing: Missing) -> Self {
        self.missing = missing;
        self
    }

    /// Item names, one per column (used in tables, warnings and by [`reverse`](Alpha::reverse)).
    pub fn names<S: AsRef<str>>(mut self, names: &[S]) -> Self {
        self.names = Some(names.iter().map(|s| s.as_ref().to_string()).collect());
        self
    }

    /// Reverse-key the named items as `min + max − x` before the analysis (psych's keys). With
    /// [`fit_cov`](Alpha::fit_cov) reversing flips the sign of the item's covariances and `min`,
    /// `max` are only checked for `min < max`.
    pub fn reverse<S: AsRef<str>>(mut self, items: &[S], min: f64, max: f64) -> Self {
        self.reverse = items.iter().map(|s| s.as_ref().to_string()).collect();
        self.scale_min = min;
        self.scale_max = max;
        self
    }

    fn validate(&self, k: usize) -> Result<Vec<String>> {
        if !(self.ci_level > 0.0 && self.ci_level < 1.0) {
            return Err(Error::invalid(
                "ci_level",
                format!("must lie strictly between 0 and 1, got {}", self.ci_level),
            ));
        }
        let names = crate::convention::column_names(
            self.names.as_deref(),
            k,
            "item names vs item columns",
            "V",
        )?;
        if !self.reverse.is_empty() {
            if !(self.scale_min.is_finite()
                && self.scale_max.is_finite()
                && self.scale_min < self.scale_max)
            {
                return Err(Error::invalid(
                    "scale range",
                    format!("need min < max, got {} and {}", self.scale_min, self.scale_max),
                ));
            }
            for (i, r) in self.reverse.iter().enumerate() {
                if !names.contains(r) {
                    return Err(Error::UnknownVariable { name: r.clone() });
                }
                if self.reverse[..i].contains(r) {
                    return Err(Error::DuplicateVariable { name: r.clone() });
                }
            }
        }
        if k < 2 {
            return Err(Error::TooFewVariables { needed: 2, got: k });
        }
        Ok(names)
    }

    /// Fit on raw data: **rows are respondents, columns are items**; `NaN` marks a missing answer.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use surveystat::reliability::Alpha;
    /// let nan = f64::NAN;
    /// let x = array![[1.0, 2.0, 2.0], [2.0, nan, 3.0], [4.0, 4.0, 5.0], [3.0, 3.0, 3.0], [5.0, 4.0, nan]];
    /// let fit = Alpha::new().fit(&x).unwrap();
    /// assert_eq!(fit.n_obs(), 5); // pairwise: N = all rows
    /// assert_eq!(fit.items()[1].n, Some(4));
    /// ```
    ///
    /// # Errors
    /// [`Error::TooFewVariables`] for fewer than two items (after removing zero-variance items);
    /// [`Error::TooFewObservations`] for fewer than two (complete / pairwise) rows;
    /// [`Error::NonFinite`] for infinite values; [`Error::InvalidParameter`] for a bad confidence
    /// level or a value outside the reverse-keying range; [`Error::UnknownVariable`] for a
    /// reversed item that is not among the names, or items whose total score has no positive
    /// variance (e.g. an item and its exact negative); [`Error::DimensionMismatch`] if the number
    /// of names differs from the number of columns.
    pub fn fit(&self, items: &ArrayRef2<f64>) -> Result<AlphaFit> {
        self.fit_cow(CowArray::from(items.view()))
    }

    /// [`Alpha::fit`] on a borrowed or owned matrix: the data are copied only where they change
    /// (reverse keying of a borrowed matrix, listwise deletion of rows).
    fn fit_cow(&self, items: CowArray<'_, f64, Ix2>) -> Result<AlphaFit> {
        let k = items.ncols();
        let names = self.validate(k)?;
        // One scan gives the infinite values, the largest magnitudes, the complete rows, the item
        // sums and the response frequencies; it is repeated only when the data change.
        let mut scan = Scan::of(items.view());
        if let Some((i, j)) = scan.first_inf {
            return Err(Error::NonFinite {
                what: format!("item `{}` at data row {}", names[j], i + 1),
            });
        }
        for (name, &m) in names.iter().zip(&scan.max_abs) {
            crate::core::scale::check_column_scale(name, [m])?;
        }
        let mut x = items;
        let reversed: Vec<bool> = names.iter().map(|n| self.reverse.contains(n)).collect();
        for (j, &rev) in reversed.iter().enumerate() {
            if rev {
                let (lo, hi) = (self.scale_min, self.scale_max);
                for (i, v) in x.column(j).iter().enumerate() {
                    if !v.is_nan() && (*v < lo || *v > hi) {
                        return Err(Error::invalid(
                            "scale range",
                            format!(
                                "value {v} of item `{}` at data row {} lies outside [{lo}, {hi}]",
                                names[j],
                                i + 1
                            ),
                        ));
                    }
                }
                x.column_mut(j).mapv_inplace(|v| lo + hi - v);
            }
        }
        if reversed.contains(&true) {
            scan = Scan::of(x.view());
        }
        let n_rows = x.nrows();
        let n_complete = scan.n_complete;
        let mut warnings = Vec::new();
        if self.missing == Missing::Listwise && n_complete < n_rows {
            let keep: Vec<usize> = x
                .rows()
                .into_iter()
                .enumerate()
                .filter(|(_, r)| r.iter().all(|v| !v.is_nan()))
                .map(|(i, _)| i)
                .collect();
            x = CowArray::from(x.select(Axis(0), &keep));
            scan = Scan::of(x.view());
            warnings
                .push(Warning::RowsDropped { dropped: n_rows - n_complete, remaining: x.nrows() });
        }
        if x.nrows() < 2 {
            return Err(Error::TooFewObservations { needed: 2, got: x.nrows() });
        }

        let n_obs = x.nrows();
        let complete = scan.n_complete == n_obs;
        // Item counts, means and standard deviations over the answered values; the covariance
        // matrix of all items (complete data) or of the items with variance (pairwise).
        let (item_n, item_mean, item_sd, full_cov) = if complete {
            let means: Vec<f64> = scan.sums.iter().map(|s| s / n_obs as f64).collect();
            let mut cov = crate::core::linalg::centered_crossprod(x.view(), &means);
            cov /= n_obs as f64 - 1.0;
            let sd: Vec<f64> = (0..k).map(|j| cov[[j, j]].sqrt()).collect();
            (vec![n_obs; k], means, sd, Some(cov))
        } else {
            let mut item_n = vec![0usize; k];
            let mut item_mean = vec![f64::NAN; k];
            let mut item_sd = vec![f64::NAN; k];
            for j in 0..k {
                let (mean, sd, n) = mean_sd(x.column(j).iter().copied());
                item_n[j] = n;
                item_mean[j] = mean;
                item_sd[j] = sd;
            }
            (item_n, item_mean, item_sd, None)
        };
        // An item without a single answer has no variance to speak of: it is refused by name
        // rather than reported (and dropped) as a zero-variance item.
        if let Some(j) = (0..k).find(|&j| item_n[j] == 0) {
            return Err(Error::invalid(
                names[j].clone(),
                "the item has no observed values (every entry is missing)",
            ));
        }
        // Zero-variance items are removed (as psych) but stay in the total score.
        let keep: Vec<usize> = (0..k).filter(|&j| item_sd[j] > 0.0).collect();
        for j in (0..k).filter(|j| !keep.contains(j)) {
            warnings.push(Warning::ZeroVariance { item: names[j].clone() });
        }
        if keep.len() < 2 {
            return Err(Error::TooFewVariables { needed: 2, got: keep.len() });
        }
        let (cov, pair_counts, t_mean, t_sd, raw_r) = match full_cov {
            Some(full) => {
                // Complete data: the total score (mean of all k items) has mean = mean of the item
                // means, variance = 1ᵀC1 / k², and covariance with item j = (C1)_j / k.
                let kf = k as f64;
                let t_mean = item_mean.iter().sum::<f64>() / kf;
                let t_sd = full.sum().sqrt() / kf;
                let cov = full.select(Axis(0), &keep).select(Axis(1), &keep);
                let colsum = full.sum_axis(Axis(0));
                let raw_r: Vec<f64> =
                    keep.iter().map(|&j| colsum[j] / kf / (t_sd * full[[j, j]].sqrt())).collect();
                let counts = Array2::from_elem((keep.len(), keep.len()), n_obs);
                (cov, counts, t_mean, t_sd, raw_r)
            }
            None => {
                let moments = if keep.len() == k {
                    Moments::from_data(&x.view(), Missing::Pairwise)?
                } else {
                    Moments::from_data(&x.select(Axis(1), &keep), Missing::Pairwise)?
                };
                let counts = match moments.pair_counts() {
                    Some(c) => c.clone(),
                    None => Array2::from_elem((keep.len(), keep.len()), n_obs),
                };
                // Total score: the mean of the answered items (all items, including deleted ones).
                let total: Vec<f64> = x
                    .rows()
                    .into_iter()
                    .map(|r| {
                        let (s, n) = r
                            .iter()
                            .filter(|v| !v.is_nan())
                            .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
                        if n == 0 { f64::NAN } else { s / n as f64 }
                    })
                    .collect();
                let (t_mean, t_sd, _) = mean_sd(total.iter().copied());
                let raw_r: Vec<f64> =
                    keep.iter().map(|&j| pair_cor(&total, x.column(j).iter())).collect();
                (moments.cov().clone(), counts, t_mean, t_sd, raw_r)
            }
        };
        let raw = RawParts {
            n: keep.iter().map(|&j| item_n[j]).collect(),
            raw_r,
            mean: keep.iter().map(|&j| item_mean[j]).collect(),
            sd: keep.iter().map(|&j| item_sd[j]).collect(),
            total_mean: t_mean,
            total_sd: t_sd,
            freq: scan.frequencies(&keep, &names),
        };
        let kept_names: Vec<String> = keep.iter().map(|&j| names[j].clone()).collect();
        let kept_rev: Vec<bool> = keep.iter().map(|&j| reversed[j]).collect();
        build(
            self,
            cov,
            n_obs,
            kept_names,
            kept_rev,
            Some(raw),
            Counts { n_rows, n_complete, pair_counts: Some(pair_counts) },
            warnings,
        )
    }

    /// Fit on named numeric columns of a dataset (rows = respondents). The item names are the
    /// column names; names given with [`names`](Alpha::names) are ignored.
    ///
    /// # Examples
    /// ```
    /// use surveystat::data::Dataset;
    /// use surveystat::reliability::Alpha;
    /// let ds = Dataset::from_csv_str("A,B,C\n1,5,2\n2,4,2\n4,2,5\n5,1,4\n3,3,3\n", "x.csv").unwrap();
    /// let fit = Alpha::new().reverse(&["B"], 1.0, 5.0).fit_dataset(&ds, &["A", "B", "C"]).unwrap();
    /// assert!(fit.raw_alpha() > 0.8);
    /// assert!(fit.items()[1].reversed);
    /// ```
    ///
    /// # Errors
    /// As [`Dataset::select`] (unknown, duplicate or text columns) and [`Alpha::fit`].
    pub fn fit_dataset<S: AsRef<str>>(&self, data: &Dataset, items: &[S]) -> Result<AlphaFit> {
        let x = data.select_cow(items)?;
        self.clone().names(items).fit_cow(x)
    }

    /// Fit from a covariance (or correlation) matrix of the items and the number of observations
    /// `n_obs` (used for the standard error and the Feldt interval), as psych's `alpha(C, n.obs =)`.
    ///
    /// Everything that needs raw answers is then unavailable (`None`): the scale mean and sd,
    /// and per item `n`, `raw_r`, `mean` and `sd`; [`AlphaFit::pair_counts`] is `None`.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use surveystat::reliability::Alpha;
    /// let cov = array![[1.0, 0.5, 0.4], [0.5, 1.0, 0.6], [0.4, 0.6, 1.0]];
    /// let fit = Alpha::new().fit_cov(&cov, 200).unwrap();
    /// assert!((fit.std_alpha() - fit.raw_alpha()).abs() < 1e-12);
    /// assert!(fit.mean().is_none());
    /// ```
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] for a non-square matrix; [`Error::NonFinite`];
    /// [`Error::InvalidParameter`] for an asymmetric matrix, a negative variance or a bad
    /// confidence level; [`Error::TooFewObservations`] if `n_obs < 2`;
    /// [`Error::TooFewVariables`] for fewer than two items with positive variance.
    pub fn fit_cov(&self, cov: &ArrayRef2<f64>, n_obs: usize) -> Result<AlphaFit> {
        let m = Moments::from_cov(cov, n_obs, None)?;
        let k = cov.nrows();
        let names = self.validate(k)?;
        let mut c = m.cov().clone();
        let reversed: Vec<bool> = names.iter().map(|n| self.reverse.contains(n)).collect();
        for i in 0..k {
            for j in 0..k {
                if reversed[i] != reversed[j] {
                    c[[i, j]] = -c[[i, j]];
                }
            }
        }
        let mut warnings = Vec::new();
        if let Some(j) = (0..k).find(|&j| c[[j, j]] < 0.0) {
            return Err(Error::invalid(
                "cov",
                format!("negative variance {} of item `{}`", c[[j, j]], names[j]),
            ));
        }
        let keep: Vec<usize> = (0..k).filter(|&j| c[[j, j]] > 0.0).collect();
        for j in (0..k).filter(|j| !keep.contains(j)) {
            warnings.push(Warning::ZeroVariance { item: names[j].clone() });
        }
        if keep.len() < 2 {
            return Err(Error::TooFewVariables { needed: 2, got: keep.len() });
        }
        let c = c.select(Axis(0), &keep).select(Axis(1), &keep);
        build(
            self,
            c,
            n_obs,
            keep.iter().map(|&j| names[j].clone()).collect(),
            keep.iter().map(|&j| reversed[j]).collect(),
            None,
            Counts { n_rows: n_obs, n_complete: n_obs, pair_counts: None },
            warnings,
        )
    }
}

/// Cronbach's α of raw data with psych's defaults (pairwise deletion): a one-line convenience for
/// `Alpha::new().fit(x)?.raw_alpha()`.
///
/// # Examples
/// ```
/// use ndarray::array;
/// let x = array![[1.0, 2.0], [2.0, 2.0], [3.0, 4.0], [4.0, 5.0]];
/// let a = surveystat::reliability::cronbach_alpha(&x).unwrap();
/// assert!(a > 0.9);
/// ```
///
/// # Errors
/// As [`Alpha::fit`].
pub fn cronbach_alpha(items: &ArrayRef2<f64>) -> Result<f64> {
    Ok(Alpha::new().fit(items)?.raw_alpha())
}

struct RawParts {
    n: Vec<usize>,
    raw_r: Vec<f64>,
    mean: Vec<f64>,
    sd: Vec<f64>,
    total_mean: f64,
    total_sd: f64,
    freq: Option<ResponseFrequencies>,
}

struct Counts {
    n_rows: usize,
    n_complete: usize,
    pair_counts: Option<Array2<usize>>,
}

/// Statistics of one set of items (psych's internal `alpha.1`).
struct ScaleStats {
    raw: f64,
    std: f64,
    g6: f64,
    av_r: f64,
    sn: f64,
    q: f64,
    unidim: f64,
    fit_off: f64,
    var_r: Option<f64>,
    med_r: f64,
    smc: Vec<f64>,
}

/// Mean, sd (divisor n − 1) and count of the non-missing values (two-pass).
fn mean_sd(values: impl Iterator<Item = f64> + Clone) -> (f64, f64, usize) {
    let (s, n) =
        values.clone().filter(|v| !v.is_nan()).fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 {
        return (f64::NAN, f64::NAN, 0);
    }
    let mean = s / n as f64;
    if n < 2 {
        return (mean, f64::NAN, n);
    }
    let ss: f64 = values.filter(|v| !v.is_nan()).map(|v| (v - mean) * (v - mean)).sum();
    (mean, (ss / (n as f64 - 1.0)).sqrt(), n)
}

/// Pearson correlation over the rows where both values are present.
fn pair_cor<'a>(a: &[f64], b: impl Iterator<Item = &'a f64> + Clone) -> f64 {
    let pairs = || a.iter().zip(b.clone()).filter(|(x, y)| !x.is_nan() && !y.is_nan());
    let (sa, sb, n) =
        pairs().fold((0.0, 0.0, 0usize), |(sa, sb, n), (x, y)| (sa + x, sb + y, n + 1));
    if n < 2 {
        return f64::NAN;
    }
    let (ma, mb) = (sa / n as f64, sb / n as f64);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in pairs() {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa.sqrt() * sbb.sqrt())
}

/// The Moore–Penrose inverse of a correlation matrix (eigenvalues below √ε·|λ|max treated as
/// zero, as psych's `Pinv`) and whether the matrix is comfortably positive definite
/// (λmin > 1e-6 λmax), in which case inverses of its principal submatrices can be downdated.
fn pinv_info(r: &Array2<f64>) -> Result<(Array2<f64>, bool)> {
    let (vals, vecs) = crate::core::linalg::sym_eigen(r.view(), "item correlation matrix")?;
    let n = vals.len();
    let lmax = vals.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let tol = f64::EPSILON.sqrt() * lmax;
    let mut inv = Array2::<f64>::zeros((n, n));
    for k in 0..n {
        if vals[k].abs() > tol && vals[k] != 0.0 {
            let d = 1.0 / vals[k];
            for i in 0..n {
                let vik = vecs[[i, k]] * d;
                for j in 0..n {
                    inv[[i, j]] += vik * vecs[[j, k]];
                }
            }
        }
    }
    let well = vals.iter().all(|&v| v > 1e-6 * lmax);
    Ok((inv, well))
}

/// Squared multiple correlation from a diagonal element of the inverse, clamped to [0, 1]
/// (psych's `smc`).
fn smc_of(inv_diag: f64) -> f64 {
    let v = 1.0 - 1.0 / inv_diag;
    if v.is_nan() { 1.0 } else { v.clamp(0.0, 1.0) }
}

/// Squared multiple correlations `1 − 1/diag(R⁺)`.
pub(in crate::reliability) fn smc(r: &Array2<f64>) -> Result<Vec<f64>> {
    let (inv, _) = pinv_info(r)?;
    Ok((0..r.nrows()).map(|i| smc_of(inv[[i, i]])).collect())
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let m = v.len() / 2;
    if v.len() % 2 == 1 { v[m] } else { 0.5 * (v[m - 1] + v[m]) }
}

fn scale_stats(c: &Array2<f64>, r: &Array2<f64>, smc: Vec<f64>) -> ScaleStats {
    let k = c.nrows();
    let kf = k as f64;
    let sum_c: f64 = c.sum();
    let tr_c: f64 = c.diag().sum();
    let raw = (1.0 - tr_c / sum_c) * (kf / (kf - 1.0));
    let sum_r: f64 = r.sum();
    let std = (1.0 - kf / sum_r) * (kf / (kf - 1.0));
    let g6 = 1.0 - (kf - smc.iter().sum::<f64>()) / sum_r;
    let av_r = (sum_r - kf) / (kf * (kf - 1.0));
    let mut lower: Vec<f64> = Vec::with_capacity(k * (k - 1) / 2);
    for j in 0..k {
        for i in (j + 1)..k {
            lower.push(r[[i, j]]);
        }
    }
    let var_r = if lower.len() >= 2 {
        let m = lower.iter().sum::<f64>() / lower.len() as f64;
        Some(lower.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (lower.len() as f64 - 1.0))
    } else {
        None
    };
    let med_r = median(&mut lower);
    // Unidimensionality (psych's Unidim and Fit.off): residuals of R from a one-value model.
    let (mut res_all, mut r2_all, mut res_off, mut d_off) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..k {
        for j in 0..k {
            let v = r[[i, j]];
            res_all += (v - av_r) * (v - av_r);
            r2_all += v * v;
            if i != j {
                res_off += (v - av_r) * (v - av_r);
                d_off += (v - 1.0) * (v - 1.0);
            }
        }
    }
    let sn = kf * av_r / (1.0 - av_r);
    // tr(C C) = Σ c_ij² (C symmetric); Σ(C C) = Σ_j (Σ_i c_ij)².
    let tr_cc: f64 = c.iter().map(|v| v * v).sum();
    let col: Array1<f64> = c.sum_axis(Axis(0));
    let sum_cc: f64 = col.iter().map(|v| v * v).sum();
    let q = (2.0 * kf * kf / ((kf - 1.0).powi(2) * sum_c.powi(3)))
        * (sum_c * (tr_cc + tr_c * tr_c) - 2.0 * (tr_c * sum_cc));
    ScaleStats {
        raw,
        std,
        g6,
        av_r,
        sn,
        q,
        unidim: 1.0 - res_all / r2_all,
        fit_off: 1.0 - res_off / d_off,
        var_r,
        med_r,
        smc,
    }
}

fn without(a: &Array2<f64>, drop: usize) -> Array2<f64> {
    let idx: Vec<usize> = (0..a.nrows()).filter(|&i| i != drop).collect();
    a.select(Axis(0), &idx).select(Axis(1), &idx)
}

/// Quantile of the F distribution; an error for degrees of freedom it is not defined for.
fn f_quantile(p: f64, d1: f64, d2: f64) -> Result<f64> {
    let q = dist::f_quantile(p, d1, d2);
    if q.is_nan() {
        return Err(Error::invalid("F distribution", format!("no quantile for df ({d1}, {d2})")));
    }
    Ok(q)
}

#[allow(clippy::too_many_arguments)]
fn build(
    cfg: &Alpha,
    cov: Array2<f64>,
    n_obs: usize,
    names: Vec<String>,
    reversed: Vec<bool>,
    raw: Option<RawParts>,
    counts: Counts,
    mut warnings: Vec<Warning>,
) -> Result<AlphaFit> {
    let k = cov.nrows();
    let cor = crate::moments::scale_to_cor(&cov);
    if cov.sum() <= 0.0 || cor.sum() <= 0.0 {
        return Err(Error::invalid(
            "items",
            "the variance of the total score is not positive (the items cancel out); \
             reverse-key the negatively keyed items",
        ));
    }
    let (inv, well) = pinv_info(&cor)?;
    let total = scale_stats(&cov, &cor, (0..k).map(|i| smc_of(inv[[i, i]])).collect());
    let nf = n_obs as f64;
    let ase = (total.q / nf).sqrt();

    // Item–total statistics.
    let sum_r = cor.sum();
    let col_r = cor.sum_axis(Axis(0));
    let mut rc = cor.clone();
    for i in 0..k {
        rc[[i, i]] = total.smc[i];
    }
    let sum_rc = rc.sum();
    let col_rc = rc.sum_axis(Axis(0));
    let mut items = Vec::with_capacity(k);
    for i in 0..k {
        let mut v_drop = 0.0;
        let mut c_drop = 0.0;
        for a in 0..k {
            if a == i {
                continue;
            }
            c_drop += cov[[a, i]];
            for b in 0..k {
                if b != i {
                    v_drop += cov[[a, b]];
                }
            }
        }
        let r_drop = c_drop / (cov[[i, i]] * v_drop).sqrt();
        let if_dropped = if k > 2 {
            let cd = without(&cov, i);
            let rd = without(&cor, i);
            // smc of the remaining items: downdate the inverse (Schur complement) when R is
            // well conditioned, otherwise a fresh pseudo-inverse of the submatrix.
            let smc_d = if well {
                (0..k)
                    .filter(|&j| j != i)
                    .map(|j| smc_of(inv[[j, j]] - inv[[j, i]] * inv[[j, i]] / inv[[i, i]]))
                    .collect()
            } else {
                smc(&rd)?
            };
            let s = scale_stats(&cd, &rd, smc_d);
            Some(AlphaIfDropped {
                raw_alpha: s.raw,
                std_alpha: s.std,
                g6: s.g6,
                average_r: s.av_r,
                s_n: s.sn,
                alpha_se: (s.q / nf).sqrt(),
                var_r: s.var_r,
                med_r: s.med_r,
            })
        } else {
            None
        };
        items.push(AlphaItem {
            item: names[i].clone(),
            reversed: reversed[i],
            n: raw.as_ref().map(|r| r.n[i]),
            raw_r: raw.as_ref().map(|r| r.raw_r[i]),
            std_r: col_r[i] / sum_r.sqrt(),
            r_cor: col_rc[i] / sum_rc.sqrt(),
            r_drop,
            mean: raw.as_ref().map(|r| r.mean[i]),
            sd: raw.as_ref().map(|r| r.sd[i]),
            if_dropped,
        });
    }

    // Intervals.
    let p = 1.0 - cfg.ci_level;
    let d1 = nf - 1.0;
    let d2 = (nf - 1.0) * (k as f64 - 1.0);
    let feldt = ConfidenceInterval {
        level: cfg.ci_level,
        lower: 1.0 - (1.0 - total.raw) * f_quantile(1.0 - p / 2.0, d1, d2)?,
        upper: 1.0 - (1.0 - total.raw) * f_quantile(p / 2.0, d1, d2)?,
    };
    let z = dist::qnorm(1.0 - p / 2.0);
    let duhachek = ConfidenceInterval {
        level: cfg.ci_level,
        lower: total.raw - z * ase,
        upper: total.raw + z * ase,
    };

    // Warnings (after the ones found while preparing the data).
    let n_total_items =
        k + warnings.iter().filter(|w| matches!(w, Warning::ZeroVariance { .. })).count();
    if n_total_items < 3 {
        warnings.push(Warning::FewItems { count: n_total_items });
    }
    for it in &items {
        if it.r_drop < 0.0 {
            warnings.push(Warning::NegativeItemTotal { item: it.item.clone(), r_drop: it.r_drop });
        }
    }

    Ok(AlphaFit {
        config: cfg.clone(),
        raw_alpha: total.raw,
        std_alpha: total.std,
        g6: total.g6,
        average_r: total.av_r,
        median_r: total.med_r,
        signal_noise: total.sn,
        ase,
        mean: raw.as_ref().map(|r| r.total_mean),
        sd: raw.as_ref().map(|r| r.total_sd),
        unidim: total.unidim,
        fit_off: total.fit_off,
        var_r: total.var_r,
        n_obs,
        n_rows: counts.n_rows,
        n_complete: counts.n_complete,
        feldt,
        duhachek,
        items,
        cov,
        cor,
        pair_counts: counts.pair_counts,
        response_frequencies: raw.as_ref().and_then(|r| r.freq.clone()),
        from_cov: raw.is_none(),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn two_items_have_no_drop_table() {
        let x = array![[1.0, 2.0], [2.0, 2.0], [3.0, 4.0], [4.0, 5.0]];
        let fit = Alpha::new().fit(&x).unwrap();
        assert!(fit.items().iter().all(|i| i.if_dropped.is_none()));
        assert!(fit.warnings().iter().any(|w| matches!(w, Warning::FewItems { count: 2 })));
        assert!(fit.var_r().is_none());
    }

    #[test]
    fn equal_correlations_give_std_alpha_formula() {
        let r = array![[1.0, 0.5, 0.5], [0.5, 1.0, 0.5], [0.5, 0.5, 1.0]];
        let fit = Alpha::new().fit_cov(&r, 100).unwrap();
        // k r / (1 + (k-1) r) = 1.5 / 2 = 0.75
        assert!((fit.std_alpha() - 0.75).abs() < 1e-14);
        assert!((fit.raw_alpha() - 0.75).abs() < 1e-14);
    }
}
