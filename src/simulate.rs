//! Seeded simulation: multivariate normal data, Likert discretisation by thresholds, and a
//! parallel Monte Carlo runner (power, parameter recovery).
//!
//! Every random procedure takes a seed and gives bit-identical output for that seed whatever the
//! number of rayon threads: data are drawn in fixed blocks of rows, block `c` from its own
//! ChaCha8 stream `(seed, c)`; Monte Carlo replication `r` receives its own seed
//! [`derive_seed`]`(seed, r)`; results are collected in replication order.

use std::fmt;

use ndarray::{Array1, Array2, ArrayRef1, ArrayRef2, Axis};
use rand::RngExt;
use rand_distr::StandardNormal;
use rayon::prelude::*;

use crate::core::linalg;
use crate::error::{Error, Result};
use crate::resample::{ReplicationFailure, stream_rng};
use crate::summary::{Summary, Table, fmt_num};
use crate::warning::Warning;

/// Rows drawn from one random stream (fixed, so output does not depend on the thread count).
const BLOCK_ROWS: usize = 256;

/// A multivariate normal distribution `N(μ, Σ)` to draw data from.
///
/// `Σ` may be positive semi-definite: the factor `A` with `A Aᵀ = Σ` is the Cholesky factor when
/// `Σ` is positive definite, otherwise `V Λ^{1/2}` from the eigendecomposition (eigenvalues down
/// to `−p·ε·λ_max` are taken as zero).
///
/// # Formula
/// ```text
/// x = μ + A z,   z ~ N(0, I_p)  (ziggurat standard normals from ChaCha8)
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::simulate::MultivariateNormal;
/// let mvn = MultivariateNormal::new(&array![0.0, 1.0], &array![[1.0, 0.5], [0.5, 2.0]]).unwrap();
/// let x = mvn.sample(1000, 42).unwrap();
/// assert_eq!(x.dim(), (1000, 2));
/// assert_eq!(x, mvn.sample(1000, 42).unwrap());
/// ```
///
/// # Errors
/// [`Error::DimensionMismatch`] when `μ` and `Σ` disagree or `Σ` is not square;
/// [`Error::NonFinite`]; [`Error::InvalidParameter`] when `Σ` is not symmetric;
/// [`Error::NotPositiveDefinite`] when `Σ` has a clearly negative eigenvalue.
///
/// # References
/// Gentle, J. E. (2003). *Random Number Generation and Monte Carlo Methods*, 2nd ed., section 5.3.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MultivariateNormal {
    mean: Array1<f64>,
    cov: Array2<f64>,
    factor: Array2<f64>,
}

impl MultivariateNormal {
    /// The distribution `N(mean, cov)`.
    pub fn new(mean: &ArrayRef1<f64>, cov: &ArrayRef2<f64>) -> Result<Self> {
        let p = mean.len();
        if p == 0 {
            return Err(Error::TooFewVariables { needed: 1, got: 0 });
        }
        if cov.nrows() != p || cov.ncols() != p {
            return Err(Error::DimensionMismatch {
                what: "covariance matrix vs mean vector".into(),
                expected: p,
                found: if cov.nrows() != p { cov.nrows() } else { cov.ncols() },
            });
        }
        if mean.iter().chain(cov.iter()).any(|v| !v.is_finite()) {
            return Err(Error::NonFinite { what: "mean vector or covariance matrix".into() });
        }
        let scale = cov.iter().fold(0.0_f64, |m, v| m.max(v.abs())).max(f64::MIN_POSITIVE);
        for i in 0..p {
            for j in 0..i {
                if (cov[[i, j]] - cov[[j, i]]).abs() > 1e-12 * scale {
                    return Err(Error::invalid(
                        "cov",
                        format!("covariance matrix is not symmetric at ({}, {})", i + 1, j + 1),
                    ));
                }
            }
        }
        let factor = match linalg::cholesky(cov.view(), "covariance") {
            Ok(l) => l,
            Err(_) => {
                let (vals, vecs) = linalg::sym_eigen(cov.view(), "covariance")?;
                let lmax = vals.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
                let tol = p as f64 * f64::EPSILON * lmax.max(f64::MIN_POSITIVE);
                if vals.iter().any(|&v| v < -tol) {
                    return Err(Error::NotPositiveDefinite { matrix: "covariance".into() });
                }
                let d = vals.mapv(|v| v.max(0.0).sqrt());
                &vecs * &d
            }
        };
        Ok(Self { mean: mean.to_owned(), cov: cov.to_owned(), factor })
    }

    /// Number of variables.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// The mean vector.
    pub fn mean(&self) -> &Array1<f64> {
        &self.mean
    }

    /// The covariance matrix.
    pub fn cov(&self) -> &Array2<f64> {
        &self.cov
    }

    /// Draw `n` observations (rows) with the given seed, in parallel blocks of 256 rows.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `n = 0`.
    pub fn sample(&self, n: usize, seed: u64) -> Result<Array2<f64>> {
        if n == 0 {
            return Err(Error::invalid("n", "at least one observation must be drawn"));
        }
        let p = self.dim();
        let mut out = vec![0.0; n * p];
        out.par_chunks_mut(BLOCK_ROWS * p).enumerate().for_each(|(c, block)| {
            let mut rng = stream_rng(seed, c as u64);
            let mut z = vec![0.0; p];
            for row in block.chunks_mut(p) {
                for v in z.iter_mut() {
                    *v = rng.sample(StandardNormal);
                }
                for (i, out) in row.iter_mut().enumerate() {
                    let mut s = self.mean[i];
                    for (k, zk) in z.iter().enumerate() {
                        s += self.factor[[i, k]] * zk;
                    }
                    *out = s;
                }
            }
        });
        Array2::from_shape_vec((n, p), out).map_err(|e| Error::LinearAlgebra {
            operation: "sample matrix".into(),
            message: e.to_string(),
        })
    }
}

/// How values are standardised before they are cut into categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Standardize {
    /// Each column by its sample mean and standard deviation (divisor n − 1), as R's `scale()`.
    #[default]
    Sample,
    /// Values are cut as they are.
    None,
}

/// Discretisation of continuous values into ordered categories `1, 2, …, K + 1` by `K` increasing
/// thresholds — how Likert-type items are simulated.
///
/// A value `v` (after standardisation) gets category `1 + #{k : t_k < v}`: intervals are closed on
/// the right, `(t_{k−1}, t_k]`, exactly as R's `cut(v, breaks = c(-Inf, t, Inf), labels = FALSE)`.
/// Missing values (NaN) stay NaN.
///
/// # Formula
/// ```text
/// z = (x − mean(x)) / sd(x)              (Standardize::Sample)
/// category(z) = 1 + Σ_k [t_k < z]
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::simulate::{Likert, Standardize};
/// let l = Likert::five_point();
/// assert_eq!(l.category(-0.5), 2.0);
/// assert_eq!(l.category(0.51), 4.0);
/// let raw = Likert::new(vec![0.0]).unwrap().standardize(Standardize::None);
/// assert_eq!(raw.apply(&array![[-1.0], [0.0], [2.0]]).unwrap(), array![[1.0], [1.0], [2.0]]);
/// ```
///
/// # Errors
/// [`Likert::new`]: [`Error::InvalidParameter`] for no thresholds, non-finite or non-increasing
/// thresholds. [`Likert::apply`]: [`Error::ConstantColumn`] when a column cannot be standardised,
/// [`Error::TooFewObservations`] for fewer than two observed values in a column,
/// [`Error::NonFinite`] for infinite values.
///
/// # References
/// The study data (tests/fixtures/data/study_survey.csv) were made this way: lavaan
/// `simulateData`, then `cut(scale(v), c(-Inf, -1.5, -0.5, 0.5, 1.5, Inf))`. Validated against
/// R's `cut(scale(.))` on HolzingerSwineford1939.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Likert {
    thresholds: Vec<f64>,
    standardize: Standardize,
}

impl Likert {
    /// Categories from strictly increasing finite `thresholds` (K thresholds → K + 1 categories),
    /// with sample standardisation.
    pub fn new(thresholds: Vec<f64>) -> Result<Self> {
        if thresholds.is_empty() {
            return Err(Error::invalid("thresholds", "at least one threshold is needed"));
        }
        if thresholds.iter().any(|t| !t.is_finite()) {
            return Err(Error::invalid("thresholds", "thresholds must be finite"));
        }
        if thresholds.windows(2).any(|w| w[0] >= w[1]) {
            return Err(Error::invalid("thresholds", "thresholds must be strictly increasing"));
        }
        Ok(Self { thresholds, standardize: Standardize::Sample })
    }

    /// Five categories at −1.5, −0.5, 0.5, 1.5 after sample standardisation (the study's rule).
    pub fn five_point() -> Self {
        Self { thresholds: vec![-1.5, -0.5, 0.5, 1.5], standardize: Standardize::Sample }
    }

    /// How columns are standardised before cutting (default [`Standardize::Sample`]).
    pub fn standardize(mut self, s: Standardize) -> Self {
        self.standardize = s;
        self
    }

    /// The thresholds.
    pub fn thresholds(&self) -> &[f64] {
        &self.thresholds
    }

    /// Number of categories (thresholds + 1).
    pub fn n_categories(&self) -> usize {
        self.thresholds.len() + 1
    }

    /// Category of one (already standardised) value; NaN for NaN.
    pub fn category(&self, z: f64) -> f64 {
        if z.is_nan() {
            return f64::NAN;
        }
        1.0 + self.thresholds.iter().filter(|&&t| t < z).count() as f64
    }

    /// Discretise every column of `x` (rows = observations).
    pub fn apply(&self, x: &ArrayRef2<f64>) -> Result<Array2<f64>> {
        if x.iter().any(|v| v.is_infinite()) {
            return Err(Error::NonFinite { what: "data to discretise".into() });
        }
        let mut out = x.to_owned();
        for (j, mut col) in out.axis_iter_mut(Axis(1)).enumerate() {
            if self.standardize == Standardize::Sample {
                let obs: Vec<f64> = col.iter().copied().filter(|v| !v.is_nan()).collect();
                let m = obs.len();
                if m < 2 {
                    return Err(Error::TooFewObservations { needed: 2, got: m });
                }
                let mean = obs.iter().sum::<f64>() / m as f64;
                let sd =
                    (obs.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (m as f64 - 1.0)).sqrt();
                if sd.is_nan() || sd <= 0.0 {
                    return Err(Error::ConstantColumn { name: format!("column {}", j + 1) });
                }
                col.mapv_inplace(|v| (v - mean) / sd);
            }
            col.mapv_inplace(|v| self.category(v));
        }
        Ok(out)
    }
}

/// The seed handed to Monte Carlo replication `index`: SplitMix64 mixing of `(seed, index)`.
///
/// # Formula
/// ```text
/// derive_seed(s, r) = splitmix64(s ⊕ splitmix64(r + 0x9E3779B97F4A7C15))
/// ```
///
/// # Examples
/// ```
/// use surveystat::simulate::derive_seed;
/// assert_ne!(derive_seed(1, 0), derive_seed(1, 1));
/// assert_eq!(derive_seed(7, 3), derive_seed(7, 3));
/// ```
///
/// # Errors
/// None.
///
/// # References
/// Steele, G. L., Lea, D. & Flood, C. H. (2014). Fast splittable pseudorandom number generators.
/// *OOPSLA 2014*.
pub fn derive_seed(seed: u64, index: u64) -> u64 {
    splitmix64(seed ^ splitmix64(index.wrapping_add(0x9E37_79B9_7F4A_7C15)))
}

fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What a Monte Carlo replication receives: its index and its own seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Replication {
    /// 0-based replication index.
    pub index: usize,
    /// The replication's seed, [`derive_seed`]`(seed, index)`: pass it to
    /// [`MultivariateNormal::sample`] and any other random step of the replication.
    pub seed: u64,
}

/// What one Monte Carlo replication returns: estimates (for parameter recovery) and test
/// decisions (for power).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Draw {
    /// Estimates of the quantities of interest.
    pub estimates: Vec<f64>,
    /// For each test, whether it rejected (was significant).
    pub significant: Vec<bool>,
}

impl Draw {
    /// A replication outcome.
    pub fn new(estimates: Vec<f64>, significant: Vec<bool>) -> Self {
        Self { estimates, significant }
    }
}

/// Parallel, seeded Monte Carlo runner over a user closure.
///
/// Each replication receives a [`Replication`] (index and own seed), typically draws data with
/// [`MultivariateNormal::sample`], fits a model and returns a [`Draw`]. The fit reports the mean
/// and standard deviation of every estimate over replications (parameter recovery) and the share
/// of replications in which each test was significant (power, or type-I error under the null).
///
/// # Formula
/// ```text
/// power_j = #{r : significant_rj} / R'      (R' successful replications)
/// mc_se(power_j) = sqrt(power_j (1 − power_j) / R')
/// mean_j = Σ_r est_rj / R',   sd_j = sqrt(Σ_r (est_rj − mean_j)² / (R' − 1))
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::simulate::{Draw, MonteCarlo, MultivariateNormal};
/// let mvn = MultivariateNormal::new(&array![0.0], &array![[1.0]]).unwrap();
/// let fit = MonteCarlo::new(200).seed(3).run(|rep| {
///     let x = mvn.sample(50, rep.seed)?;
///     let m = x.column(0).mean().unwrap();
///     let z = m / (1.0 / 50f64.sqrt());
///     Ok(Draw::new(vec![m], vec![z.abs() > 1.959964]))
/// }).unwrap();
/// assert!(fit.power()[0] < 0.15);
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] for zero replications. Failing replications (closure error,
/// non-finite estimate, inconsistent lengths) are recorded, not errors.
///
/// # References
/// Muthén, L. K. & Muthén, B. O. (2002). How to use a Monte Carlo study to decide on sample size
/// and determine power. *Structural Equation Modeling* 9, 599–620.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MonteCarlo {
    reps: usize,
    seed: u64,
    estimate_names: Option<Vec<String>>,
    test_names: Option<Vec<String>>,
}

impl MonteCarlo {
    /// A runner with `reps` replications and seed 0.
    pub fn new(reps: usize) -> Self {
        Self { reps, seed: 0, estimate_names: None, test_names: None }
    }

    /// Seed (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Names of the estimates (default `est1, est2, …`).
    pub fn estimate_names<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.estimate_names = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Names of the tests (default `test1, test2, …`).
    pub fn test_names<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.test_names = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Run the replications in parallel.
    pub fn run<F>(&self, replication: F) -> Result<MonteCarloFit>
    where
        F: Fn(Replication) -> Result<Draw> + Sync,
    {
        if self.reps == 0 {
            return Err(Error::invalid("reps", "at least one Monte Carlo replication is needed"));
        }
        let seed = self.seed;
        let outcomes: Vec<Result<Draw>> = (0..self.reps)
            .into_par_iter()
            .map(|r| replication(Replication { index: r, seed: derive_seed(seed, r as u64) }))
            .collect();
        // The first successful draw fixes the shape.
        let shape = outcomes
            .iter()
            .find_map(|o| o.as_ref().ok().map(|d| (d.estimates.len(), d.significant.len())));
        let (k, m) = shape.unwrap_or((0, 0));
        let mut est = Vec::new();
        let mut sig = Vec::new();
        let mut ids = Vec::new();
        let mut failures = Vec::new();
        for (r, o) in outcomes.into_iter().enumerate() {
            let reason = match o {
                Err(e) => Some(e.to_string()),
                Ok(d) if d.estimates.len() != k || d.significant.len() != m => Some(format!(
                    "replication returned {} estimates and {} tests, expected {k} and {m}",
                    d.estimates.len(),
                    d.significant.len()
                )),
                Ok(d) => match d.estimates.iter().position(|v| !v.is_finite()) {
                    Some(j) => Some(format!("non-finite estimate {}", j + 1)),
                    None => {
                        est.extend(d.estimates);
                        sig.extend(d.significant);
                        ids.push(r);
                        None
                    }
                },
            };
            if let Some(reason) = reason {
                failures.push(ReplicationFailure { replication: r, reason });
            }
        }
        let ok = ids.len();
        let to_err = |e: ndarray::ShapeError| Error::LinearAlgebra {
            operation: "Monte Carlo result matrix".into(),
            message: e.to_string(),
        };
        let estimates = Array2::from_shape_vec((ok, k), est).map_err(to_err)?;
        let significant = Array2::from_shape_vec((ok, m), sig).map_err(to_err)?;
        let names = |given: &Option<Vec<String>>, len: usize, stem: &str| -> Result<Vec<String>> {
            match given {
                Some(v) if v.len() != len && ok > 0 => Err(Error::DimensionMismatch {
                    what: format!("{stem} names"),
                    expected: len,
                    found: v.len(),
                }),
                Some(v) => Ok(v.clone()),
                None => Ok((1..=len).map(|j| format!("{stem}{j}")).collect()),
            }
        };
        let estimate_names = names(&self.estimate_names, k, "est")?;
        let test_names = names(&self.test_names, m, "test")?;
        let mut warnings = Vec::new();
        if !failures.is_empty() {
            warnings
                .push(Warning::ReplicationsFailed { failed: failures.len(), requested: self.reps });
        }
        Ok(MonteCarloFit {
            config: self.clone(),
            estimate_names,
            test_names,
            estimates,
            significant,
            replication_ids: ids,
            failures,
            warnings,
        })
    }
}

/// Result of [`MonteCarlo::run`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MonteCarloFit {
    config: MonteCarlo,
    estimate_names: Vec<String>,
    test_names: Vec<String>,
    estimates: Array2<f64>,
    significant: Array2<bool>,
    replication_ids: Vec<usize>,
    failures: Vec<ReplicationFailure>,
    warnings: Vec<Warning>,
}

impl MonteCarloFit {
    /// The configuration that produced this fit.
    pub fn config(&self) -> &MonteCarlo {
        &self.config
    }

    /// Replications requested.
    pub fn n_requested(&self) -> usize {
        self.config.reps
    }

    /// Successful replications.
    pub fn n_successful(&self) -> usize {
        self.estimates.nrows()
    }

    /// Failed replications with reasons.
    pub fn failures(&self) -> &[ReplicationFailure] {
        &self.failures
    }

    /// Warnings (failed replications).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Estimates (successful replications × estimates), in replication order.
    pub fn estimates(&self) -> &Array2<f64> {
        &self.estimates
    }

    /// Test decisions (successful replications × tests).
    pub fn significant(&self) -> &Array2<bool> {
        &self.significant
    }

    /// The 0-based index of each successful replication.
    pub fn replication_ids(&self) -> &[usize] {
        &self.replication_ids
    }

    /// Names of the estimates.
    pub fn estimate_names(&self) -> &[String] {
        &self.estimate_names
    }

    /// Names of the tests.
    pub fn test_names(&self) -> &[String] {
        &self.test_names
    }

    /// Share of successful replications in which each test was significant (NaN if none succeeded).
    pub fn power(&self) -> Array1<f64> {
        let r = self.n_successful() as f64;
        self.significant
            .columns()
            .into_iter()
            .map(|c| c.iter().filter(|&&s| s).count() as f64 / r)
            .collect()
    }

    /// Monte Carlo standard error of each power estimate, `sqrt(p (1 − p) / R)`.
    pub fn power_se(&self) -> Array1<f64> {
        let r = self.n_successful() as f64;
        self.power().mapv(|p| (p * (1.0 - p) / r).sqrt())
    }

    /// Mean of each estimate over successful replications (NaN if none succeeded).
    pub fn mean(&self) -> Array1<f64> {
        self.estimates
            .mean_axis(Axis(0))
            .unwrap_or_else(|| Array1::from_elem(self.estimates.ncols(), f64::NAN))
    }

    /// Standard deviation (divisor R − 1) of each estimate (NaN with fewer than two replications).
    pub fn sd(&self) -> Array1<f64> {
        if self.n_successful() < 2 {
            return Array1::from_elem(self.estimates.ncols(), f64::NAN);
        }
        self.estimates.var_axis(Axis(0), 1.0).mapv(f64::sqrt)
    }

    /// A printable summary.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::new(format!(
            "Monte Carlo ({} replications, seed {})",
            self.config.reps, self.config.seed
        ));
        s.key_values([
            ("Replications successful", self.n_successful().to_string()),
            ("Replications failed", self.failures.len().to_string()),
        ]);
        if !self.estimate_names.is_empty() {
            let mut t = Table::new(Some("Estimates"), ["", "mean", "sd"]);
            let (m, sd) = (self.mean(), self.sd());
            for (j, name) in self.estimate_names.iter().enumerate() {
                t.push([name.clone(), fmt_num(m[j], 4), fmt_num(sd[j], 4)]);
            }
            s.table(t);
        }
        if !self.test_names.is_empty() {
            let mut t = Table::new(Some("Tests"), ["", "power", "mc.se"]);
            let (p, se) = (self.power(), self.power_se());
            for (j, name) in self.test_names.iter().enumerate() {
                t.push([name.clone(), fmt_num(p[j], 4), fmt_num(se[j], 4)]);
            }
            s.table(t);
        }
        s
    }
}

impl fmt::Display for MonteCarloFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary())
    }
}
