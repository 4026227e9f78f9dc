//! Means, covariances and correlations, with listwise or pairwise handling of missing values, and
//! a mergeable accumulator for chunked and parallel computation.
//!
//! All covariances here use the divisor `n − 1` (as R's `cov`). Inputs are matrices whose **rows are
//! observations and columns are variables**; `NaN` marks a missing value.

use ndarray::{Array1, Array2, ArrayRef2, ArrayView2, Axis};
use rayon::prelude::*;

use crate::error::{Error, Result};

/// The largest number of observations given with a covariance matrix: counts up to 2^53 are
/// exact in `f64`.
pub const MAX_EXACT_COUNT: u64 = 1 << 53;

/// How missing values (`NaN`) are handled when computing moments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum Missing {
    /// Drop every row with a missing value in any of the variables used.
    Listwise,
    /// Use, for each pair of variables, the rows where both are observed (R's
    /// `use = "pairwise.complete.obs"`).
    #[default]
    Pairwise,
}

fn check_no_inf(x: ArrayView2<'_, f64>) -> Result<()> {
    for (i, row) in x.rows().into_iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            if v.is_infinite() {
                return Err(Error::NonFinite {
                    what: format!("data row {} column {}", i + 1, j + 1),
                });
            }
        }
    }
    Ok(())
}

/// The rows without any missing value, and how many rows were dropped.
pub fn complete_rows(x: &ArrayRef2<f64>) -> (Array2<f64>, usize) {
    let keep: Vec<usize> = x
        .rows()
        .into_iter()
        .enumerate()
        .filter(|(_, r)| r.iter().all(|v| !v.is_nan()))
        .map(|(i, _)| i)
        .collect();
    let dropped = x.nrows() - keep.len();
    (x.select(Axis(0), &keep), dropped)
}

/// Column means over the observed values of each column (`NaN` ignored).
///
/// # Errors
/// [`Error::NonFinite`] for infinite values; [`Error::TooFewObservations`] if a column has no
/// observed value.
pub fn column_means(x: &ArrayRef2<f64>) -> Result<Array1<f64>> {
    check_no_inf(x.view())?;
    let p = x.ncols();
    let mut out = Array1::zeros(p);
    for j in 0..p {
        let (s, n) = x
            .column(j)
            .iter()
            .filter(|v| !v.is_nan())
            .fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
        if n == 0 {
            return Err(Error::TooFewObservations { needed: 1, got: 0 });
        }
        out[j] = s / n as f64;
    }
    Ok(out)
}

/// Two-pass means and covariance (divisor `n − 1`) of a complete matrix.
fn two_pass(x: ArrayView2<'_, f64>) -> (Array1<f64>, Array2<f64>) {
    let n = x.nrows();
    let means = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(x.ncols()));
    let m: Vec<f64> = means.to_vec();
    // blockwise ndarray (matrixmultiply) products, in parallel for tall matrices: measured
    // faster than a copy into faer plus faer's product (docs/methods/reliability.md)
    let mut cov = crate::core::linalg::centered_crossprod(x, &m);
    cov /= (n as f64) - 1.0;
    (means, cov)
}

/// Sample covariance matrix (divisor `n − 1`).
///
/// # Errors
/// [`Error::TooFewObservations`] if fewer than two observations (per pair, for pairwise);
/// [`Error::NonFinite`] for infinite values.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::moments::{covariance, Missing};
/// let x = array![[1.0, 2.0], [2.0, 4.0], [3.0, 7.0]];
/// let s = covariance(&x, Missing::Listwise).unwrap();
/// assert!((s[[0, 1]] - 2.5).abs() < 1e-12);
/// ```
pub fn covariance(x: &ArrayRef2<f64>, missing: Missing) -> Result<Array2<f64>> {
    Ok(Moments::from_data(x, missing)?.cov)
}

/// Pearson correlation matrix. With [`Missing::Pairwise`] each entry uses the rows where both
/// variables are observed, with means and standard deviations of those rows (as R's `cor`).
///
/// # Errors
/// As [`covariance`]; [`Error::ConstantColumn`] if a variable has zero variance.
pub fn correlation(x: &ArrayRef2<f64>, missing: Missing) -> Result<Array2<f64>> {
    check_no_inf(x.view())?;
    crate::core::scale::check_matrix_scale(x.view(), None)?;
    match missing {
        Missing::Listwise => {
            let (c, _) = complete_rows(x);
            if c.nrows() < 2 {
                return Err(Error::TooFewObservations { needed: 2, got: c.nrows() });
            }
            let (_, cov) = two_pass(c.view());
            cov_to_cor(&cov)
        }
        Missing::Pairwise => {
            let p = x.ncols();
            let mut r = Array2::<f64>::eye(p);
            for i in 0..p {
                for j in 0..i {
                    let (_, sij, sii, sjj, n) = pair_moments(x.view(), i, j);
                    if n < 2 {
                        return Err(Error::TooFewObservations { needed: 2, got: n });
                    }
                    if sii <= 0.0 || sjj <= 0.0 {
                        return Err(Error::ConstantColumn {
                            name: format!("column {}", if sii <= 0.0 { i + 1 } else { j + 1 }),
                        });
                    }
                    let v = sij / (sii.sqrt() * sjj.sqrt());
                    r[[i, j]] = v;
                    r[[j, i]] = v;
                }
            }
            Ok(r)
        }
    }
}

/// Moments of columns `i`, `j` over rows where both are observed:
/// (n_ij − 1)-divisor (mean unused, cov, var_i, var_j, n).
fn pair_moments(x: ArrayView2<'_, f64>, i: usize, j: usize) -> (f64, f64, f64, f64, usize) {
    let (mut n, mut si, mut sj) = (0usize, 0.0, 0.0);
    for row in x.rows() {
        let (a, b) = (row[i], row[j]);
        if !a.is_nan() && !b.is_nan() {
            n += 1;
            si += a;
            sj += b;
        }
    }
    if n < 2 {
        return (0.0, 0.0, 0.0, 0.0, n);
    }
    let (mi, mj) = (si / n as f64, sj / n as f64);
    let (mut cij, mut cii, mut cjj) = (0.0, 0.0, 0.0);
    for row in x.rows() {
        let (a, b) = (row[i], row[j]);
        if !a.is_nan() && !b.is_nan() {
            cij += (a - mi) * (b - mj);
            cii += (a - mi) * (a - mi);
            cjj += (b - mj) * (b - mj);
        }
    }
    let d = n as f64 - 1.0;
    (mi, cij / d, cii / d, cjj / d, n)
}

/// Convert a covariance matrix to a correlation matrix.
///
/// # Errors
/// [`Error::DimensionMismatch`] for a non-square matrix; [`Error::ConstantColumn`] for a zero or
/// negative variance; [`Error::NonFinite`].
pub fn cov_to_cor(cov: &ArrayRef2<f64>) -> Result<Array2<f64>> {
    let p = cov.nrows();
    if cov.ncols() != p {
        return Err(Error::DimensionMismatch {
            what: "covariance matrix columns".into(),
            expected: p,
            found: cov.ncols(),
        });
    }
    if cov.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite { what: "covariance matrix".into() });
    }
    crate::core::scale::check_cov_scale(cov.view(), None)?;
    let sd: Vec<f64> = (0..p).map(|i| cov[[i, i]]).collect();
    if let Some(k) = sd.iter().position(|&v| v <= 0.0) {
        return Err(Error::ConstantColumn { name: format!("variable {}", k + 1) });
    }
    Ok(scale_to_cor(cov))
}

/// `r_ij = c_ij / (s_i s_j)` with `s = √diag(c)` and a unit diagonal (R's `cov2cor` up to
/// rounding), without checks: a zero variance gives NaN in its row and column.
pub(crate) fn scale_to_cor(c: &ArrayRef2<f64>) -> Array2<f64> {
    let p = c.nrows();
    let sd: Vec<f64> = (0..p).map(|i| c[[i, i]].sqrt()).collect();
    Array2::from_shape_fn((p, p), |(i, j)| if i == j { 1.0 } else { c[[i, j]] / (sd[i] * sd[j]) })
}

/// Sample moments of a data matrix: means, covariance (divisor `n − 1`) and counts.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Moments {
    n_obs: usize,
    n_dropped: usize,
    means: Array1<f64>,
    cov: Array2<f64>,
    pair_counts: Option<Array2<usize>>,
}

impl Moments {
    /// Compute the moments of `x` (rows = observations, columns = variables).
    ///
    /// With [`Missing::Listwise`], rows with any `NaN` are dropped first; `n_obs` is the number of
    /// complete rows. With [`Missing::Pairwise`], means use every observed value of a column and
    /// each covariance the rows where both variables are observed (R's `cov(use = "pairwise")`);
    /// `n_obs` is the number of rows.
    ///
    /// # Errors
    /// [`Error::TooFewObservations`] if fewer than 2 (pairwise: per pair) observations;
    /// [`Error::NonFinite`] for infinite values.
    pub fn from_data(x: &ArrayRef2<f64>, missing: Missing) -> Result<Self> {
        check_no_inf(x.view())?;
        crate::core::scale::check_matrix_scale(x.view(), None)?;
        let p = x.ncols();
        let any_nan = x.iter().any(|v| v.is_nan());
        match (missing, any_nan) {
            (Missing::Listwise, _) | (Missing::Pairwise, false) => {
                let (c, dropped) = if any_nan { complete_rows(x) } else { (x.to_owned(), 0) };
                if c.nrows() < 2 {
                    return Err(Error::TooFewObservations { needed: 2, got: c.nrows() });
                }
                let (means, cov) = two_pass(c.view());
                Ok(Self { n_obs: c.nrows(), n_dropped: dropped, means, cov, pair_counts: None })
            }
            (Missing::Pairwise, true) => {
                let means = column_means(x)?;
                let mut cov = Array2::<f64>::zeros((p, p));
                let mut counts = Array2::<usize>::zeros((p, p));
                for i in 0..p {
                    for j in 0..=i {
                        let (_, sij, sii, _, n) = pair_moments(x.view(), i, j);
                        if n < 2 {
                            return Err(Error::TooFewObservations { needed: 2, got: n });
                        }
                        let v = if i == j { sii } else { sij };
                        cov[[i, j]] = v;
                        cov[[j, i]] = v;
                        counts[[i, j]] = n;
                        counts[[j, i]] = n;
                    }
                }
                Ok(Self { n_obs: x.nrows(), n_dropped: 0, means, cov, pair_counts: Some(counts) })
            }
        }
    }

    /// Moments given as summary statistics: a covariance matrix (divisor `n − 1`), the number of
    /// observations and optionally the means.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] for a non-square covariance or means of the wrong length;
    /// [`Error::NonFinite`]; [`Error::TooFewObservations`] if `n_obs < 2`.
    pub fn from_cov(
        cov: &ArrayRef2<f64>,
        n_obs: usize,
        means: Option<&Array1<f64>>,
    ) -> Result<Self> {
        let p = cov.nrows();
        if cov.ncols() != p {
            return Err(Error::DimensionMismatch {
                what: "covariance matrix columns".into(),
                expected: p,
                found: cov.ncols(),
            });
        }
        if cov.iter().any(|v| !v.is_finite()) {
            return Err(Error::NonFinite { what: "covariance matrix".into() });
        }
        crate::core::scale::check_cov_scale(cov.view(), None)?;
        for i in 0..p {
            for j in 0..i {
                let (a, b) = (cov[[i, j]], cov[[j, i]]);
                if (a - b).abs() > 1e-10 * (a.abs() + b.abs()).max(f64::MIN_POSITIVE) {
                    return Err(Error::invalid(
                        "cov",
                        format!("matrix is not symmetric at ({}, {})", i + 1, j + 1),
                    ));
                }
            }
        }
        if n_obs < 2 {
            return Err(Error::TooFewObservations { needed: 2, got: n_obs });
        }
        if n_obs as u64 > MAX_EXACT_COUNT {
            return Err(Error::invalid(
                "n_obs",
                format!(
                    "{n_obs} observations: counts above 2^53 = {MAX_EXACT_COUNT} are not exact in \
                     floating point (and exceed any survey)"
                ),
            ));
        }
        let means = match means {
            Some(m) => {
                if m.len() != p {
                    return Err(Error::DimensionMismatch {
                        what: "means".into(),
                        expected: p,
                        found: m.len(),
                    });
                }
                m.clone()
            }
            None => Array1::from_elem(p, f64::NAN),
        };
        Ok(Self { n_obs, n_dropped: 0, means, cov: cov.to_owned(), pair_counts: None })
    }

    /// Number of observations the moments rest on.
    pub fn n_obs(&self) -> usize {
        self.n_obs
    }

    /// Rows dropped by listwise deletion.
    pub fn n_dropped(&self) -> usize {
        self.n_dropped
    }

    /// Means (`NaN` when built from a covariance matrix without means).
    pub fn means(&self) -> &Array1<f64> {
        &self.means
    }

    /// Covariance matrix, divisor `n − 1`.
    pub fn cov(&self) -> &Array2<f64> {
        &self.cov
    }

    /// Covariance matrix with divisor `n` (the maximum-likelihood estimate).
    pub fn cov_ml(&self) -> Array2<f64> {
        let n = self.n_obs as f64;
        &self.cov * ((n - 1.0) / n)
    }

    /// Correlation matrix derived from the covariance.
    ///
    /// # Errors
    /// [`Error::ConstantColumn`] for a zero variance.
    pub fn cor(&self) -> Result<Array2<f64>> {
        cov_to_cor(&self.cov)
    }

    /// For pairwise moments with missing data: the number of rows behind each covariance.
    pub fn pair_counts(&self) -> Option<&Array2<usize>> {
        self.pair_counts.as_ref()
    }
}

/// A mergeable accumulator of means and co-moments (Chan, Golub & LeVeque, 1979).
///
/// Feed it rows or chunks of rows in any order, in as many pieces as you like (for example one per
/// thread, or one per file of a partitioned table) and [`merge`](MomentAccumulator::merge) the
/// pieces: the result equals the two-pass covariance of all rows up to rounding. Rows containing a
/// `NaN` are skipped and counted (listwise deletion).
///
/// # Formula
/// ```text
/// merging (n_a, m_a, M_a) and (n_b, m_b, M_b), δ = m_b − m_a, n = n_a + n_b:
///   m = m_a + δ n_b / n
///   M = M_a + M_b + δ δᵀ n_a n_b / n          (M = Σ (x − m)(x − m)ᵀ)
///   cov = M / (n − 1)
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::moments::MomentAccumulator;
/// let x = array![[1.0, 2.0], [2.0, 4.0], [3.0, 7.0], [4.0, 1.0]];
/// let mut a = MomentAccumulator::new(2);
/// a.update(&x.slice(ndarray::s![..1, ..]).to_owned()).unwrap();
/// let mut b = MomentAccumulator::new(2);
/// b.update(&x.slice(ndarray::s![1.., ..]).to_owned()).unwrap();
/// a.merge(&b).unwrap();
/// let whole = surveystat::moments::covariance(&x, surveystat::moments::Missing::Listwise).unwrap();
/// assert!((a.covariance().unwrap() - whole).iter().all(|d| d.abs() < 1e-12));
/// ```
///
/// # References
/// Chan, T. F., Golub, G. H., & LeVeque, R. J. (1979). Updating formulae and a pairwise algorithm
/// for computing sample variances. Stanford CS report STAN-CS-79-773.
#[derive(Debug, Clone, PartialEq)]
pub struct MomentAccumulator {
    n: usize,
    skipped: usize,
    mean: Array1<f64>,
    m2: Array2<f64>,
}

impl MomentAccumulator {
    /// An empty accumulator for `p` variables.
    pub fn new(p: usize) -> Self {
        Self { n: 0, skipped: 0, mean: Array1::zeros(p), m2: Array2::zeros((p, p)) }
    }

    /// Add a chunk of rows (rows = observations).
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] if the chunk has the wrong number of columns;
    /// [`Error::NonFinite`] for infinite values.
    pub fn update(&mut self, chunk: &ArrayRef2<f64>) -> Result<()> {
        if chunk.ncols() != self.mean.len() {
            return Err(Error::DimensionMismatch {
                what: "chunk columns".into(),
                expected: self.mean.len(),
                found: chunk.ncols(),
            });
        }
        check_no_inf(chunk.view())?;
        let (complete, dropped) = if chunk.iter().any(|v| v.is_nan()) {
            complete_rows(chunk)
        } else {
            (chunk.to_owned(), 0)
        };
        self.skipped += dropped;
        let nb = complete.nrows();
        // `mean_axis` is None exactly when the chunk has no complete row
        let Some(mean_b) = complete.mean_axis(Axis(0)) else {
            return Ok(());
        };
        let centered = &complete - &mean_b;
        let m2_b = centered.t().dot(&centered);
        let other = MomentAccumulator { n: nb, skipped: 0, mean: mean_b, m2: m2_b };
        self.merge(&other)
    }

    /// Merge another accumulator into this one.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] if the two have different numbers of variables.
    pub fn merge(&mut self, other: &MomentAccumulator) -> Result<()> {
        if other.mean.len() != self.mean.len() {
            return Err(Error::DimensionMismatch {
                what: "accumulator variables".into(),
                expected: self.mean.len(),
                found: other.mean.len(),
            });
        }
        self.skipped += other.skipped;
        if other.n == 0 {
            return Ok(());
        }
        if self.n == 0 {
            self.n = other.n;
            self.mean = other.mean.clone();
            self.m2 = other.m2.clone();
            return Ok(());
        }
        let (na, nb) = (self.n as f64, other.n as f64);
        let n = na + nb;
        let delta = &other.mean - &self.mean;
        let p = delta.len();
        let f = na * nb / n;
        for i in 0..p {
            for j in 0..p {
                self.m2[[i, j]] += other.m2[[i, j]] + delta[i] * delta[j] * f;
            }
        }
        self.mean.scaled_add(nb / n, &delta);
        self.n += other.n;
        Ok(())
    }

    /// Accumulate the rows of `x` in parallel (rayon), `chunk_rows` rows per task.
    ///
    /// # Errors
    /// As [`MomentAccumulator::update`]; [`Error::InvalidParameter`] if `chunk_rows == 0`.
    pub fn from_par_chunks(x: &ArrayRef2<f64>, chunk_rows: usize) -> Result<Self> {
        if chunk_rows == 0 {
            return Err(Error::invalid("chunk_rows", "must be positive"));
        }
        let p = x.ncols();
        let chunks: Vec<ArrayView2<'_, f64>> = x.axis_chunks_iter(Axis(0), chunk_rows).collect();
        let parts: Result<Vec<MomentAccumulator>> = chunks
            .into_par_iter()
            .map(|c| {
                let mut a = MomentAccumulator::new(p);
                a.update(&c.to_owned())?;
                Ok(a)
            })
            .collect();
        let mut acc = MomentAccumulator::new(p);
        for part in parts? {
            acc.merge(&part)?;
        }
        Ok(acc)
    }

    /// A state from its parts — the number of complete rows `n`, the rows skipped, the means and
    /// the centred cross-product matrix M₂ = Σ (x − x̄)(x − x̄)ᵀ — as another engine (a query
    /// engine's aggregate over its partitions) computes and ships them.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `m2` is not p × p for p means; [`Error::NonFinite`] for
    /// a non-finite value; [`Error::InvalidParameter`] for an asymmetric `m2`, a negative diagonal
    /// or non-zero moments with `n = 0`.
    pub fn from_state(
        n: usize,
        skipped: usize,
        mean: Array1<f64>,
        m2: Array2<f64>,
    ) -> Result<Self> {
        let p = mean.len();
        if m2.nrows() != p || m2.ncols() != p {
            return Err(Error::DimensionMismatch {
                what: "cross-product matrix".into(),
                expected: p,
                found: if m2.nrows() != p { m2.nrows() } else { m2.ncols() },
            });
        }
        if mean.iter().chain(m2.iter()).any(|v| !v.is_finite()) {
            return Err(Error::NonFinite { what: "moment state".into() });
        }
        for i in 0..p {
            if m2[[i, i]] < 0.0 {
                return Err(Error::invalid(
                    "m2",
                    format!("negative diagonal element {}", m2[[i, i]]),
                ));
            }
            for j in 0..i {
                let (a, b) = (m2[[i, j]], m2[[j, i]]);
                if (a - b).abs() > 1e-12 * a.abs().max(b.abs()).max(f64::MIN_POSITIVE) {
                    return Err(Error::invalid("m2", format!("not symmetric at ({i}, {j})")));
                }
            }
        }
        if n == 0 && mean.iter().chain(m2.iter()).any(|&v| v != 0.0) {
            return Err(Error::invalid("n", "an empty state must have zero moments"));
        }
        Ok(Self { n, skipped, mean, m2 })
    }

    /// The centred cross-product matrix M₂ = Σ (x − x̄)(x − x̄)ᵀ of the accumulated rows.
    pub fn cross_products(&self) -> &Array2<f64> {
        &self.m2
    }

    /// Merge the states of several partitions (of one file, of a distributed query) into one.
    ///
    /// The states are put in a canonical order first (by count, then by the bit patterns of the
    /// means and cross-products) and merged pairwise as a balanced tree, so the result does not
    /// depend, to the last bit, on the order in which the partitions arrive; the tree keeps the
    /// rounding of each update as small as one level of merging per doubling of the partitions.
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use surveystat::moments::MomentAccumulator;
    /// let parts: Vec<MomentAccumulator> = [array![[1.0, 2.0]], array![[2.0, 5.0], [4.0, 1.0]]]
    ///     .iter()
    ///     .map(|x| {
    ///         let mut a = MomentAccumulator::new(2);
    ///         a.update(x).unwrap();
    ///         a
    ///     })
    ///     .collect();
    /// let ab = MomentAccumulator::merge_all(2, parts.clone()).unwrap();
    /// let ba = MomentAccumulator::merge_all(2, parts.into_iter().rev()).unwrap();
    /// assert_eq!(ab, ba);
    /// assert_eq!(ab.n_obs(), 3);
    /// ```
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] if a state does not have `p` variables.
    pub fn merge_all(
        p: usize,
        parts: impl IntoIterator<Item = MomentAccumulator>,
    ) -> Result<MomentAccumulator> {
        let mut level: Vec<MomentAccumulator> = parts.into_iter().collect();
        if let Some(bad) = level.iter().find(|a| a.mean.len() != p) {
            return Err(Error::DimensionMismatch {
                what: "accumulator variables".into(),
                expected: p,
                found: bad.mean.len(),
            });
        }
        let key = |a: &MomentAccumulator| -> (usize, usize, Vec<u64>) {
            let bits = a.mean.iter().chain(a.m2.iter()).map(|v| v.to_bits()).collect();
            (a.n, a.skipped, bits)
        };
        level.sort_by_cached_key(key);
        if level.is_empty() {
            return Ok(MomentAccumulator::new(p));
        }
        while level.len() > 1 {
            let mut next = Vec::with_capacity(level.len().div_ceil(2));
            let mut it = level.into_iter();
            while let Some(mut a) = it.next() {
                if let Some(b) = it.next() {
                    a.merge(&b)?;
                }
                next.push(a);
            }
            level = next;
        }
        Ok(level.pop().unwrap_or_else(|| MomentAccumulator::new(p)))
    }

    /// Number of complete rows accumulated.
    pub fn n_obs(&self) -> usize {
        self.n
    }

    /// Number of rows skipped because they held a missing value.
    pub fn n_skipped(&self) -> usize {
        self.skipped
    }

    /// Means of the accumulated rows.
    pub fn means(&self) -> &Array1<f64> {
        &self.mean
    }

    /// Covariance with divisor `n − 1`.
    ///
    /// # Errors
    /// [`Error::TooFewObservations`] if fewer than two rows were accumulated.
    pub fn covariance(&self) -> Result<Array2<f64>> {
        if self.n < 2 {
            return Err(Error::TooFewObservations { needed: 2, got: self.n });
        }
        Ok(&self.m2 / (self.n as f64 - 1.0))
    }

    /// The accumulated moments as a [`Moments`] value.
    ///
    /// # Errors
    /// As [`MomentAccumulator::covariance`].
    pub fn to_moments(&self) -> Result<Moments> {
        Ok(Moments {
            n_obs: self.n,
            n_dropped: self.skipped,
            means: self.mean.clone(),
            cov: self.covariance()?,
            pair_counts: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn pairwise_matches_r() {
        // R: x <- cbind(c(1,2,NA,4,5), c(2,NA,3,5,4), c(1,1,2,3,5)); cov(x, use="pairwise")
        let nan = f64::NAN;
        let x = array![
            [1.0, 2.0, 1.0],
            [2.0, nan, 1.0],
            [nan, 3.0, 2.0],
            [4.0, 5.0, 3.0],
            [5.0, 4.0, 5.0]
        ];
        let m = Moments::from_data(&x, Missing::Pairwise).unwrap();
        // var of column 1 over 4 values 1,2,4,5: mean 3, ss = 4+1+1+4 = 10, /3
        assert!((m.cov()[[0, 0]] - 10.0 / 3.0).abs() < 1e-14);
        // cov(1,2) over rows 1,4,5: x=(1,4,5) mean 10/3, y=(2,5,4) mean 11/3
        let (mx, my) = (10.0 / 3.0, 11.0 / 3.0);
        let c = ((1.0 - mx) * (2.0 - my) + (4.0 - mx) * (5.0 - my) + (5.0 - mx) * (4.0 - my)) / 2.0;
        assert!((m.cov()[[0, 1]] - c).abs() < 1e-14);
        assert_eq!(m.pair_counts().unwrap()[[0, 1]], 3);
    }
}
