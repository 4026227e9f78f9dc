//! Seeded, parallel, reproducible bootstrap: replicate matrix, standard errors, bias, percentile
//! and BCa intervals, jackknife, and the Bollen–Stine transformation of data.
//!
//! The engine is generic: it resamples **row indices** `0..n` and hands each resample to a user
//! statistic `Fn(&[usize]) -> Result<Vec<f64>>`. The SEM bootstrap, a bootstrap of α, of a
//! regression coefficient or of a correlation are all such closures.
//!
//! Reproducibility: replication `b` draws its indices from its own ChaCha8 stream
//! (`ChaCha8Rng::seed_from_u64(seed)` with `set_stream(b)`), never from a shared generator, and the
//! results are collected in replication order — so the same seed gives bit-identical replicates,
//! standard errors and intervals whatever the number of rayon threads.
//!
//! Failures are data: a replication whose statistic returns `Err`, a non-finite value or the
//! wrong number of values is recorded in [`BootstrapFit::failures`] with its reason, left out of
//! the replicate matrix, and counted in the summary and in a [`Warning::ReplicationsFailed`].

use std::fmt;

use crate::core::dist::{pnorm, qnorm};
use ndarray::{Array1, Array2, ArrayRef1, ArrayRef2, ArrayView2, Axis};
use rand::RngExt;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::core::linalg;
use crate::error::{Error, Result};
use crate::summary::{Summary, Table, fmt_num};
use crate::warning::Warning;

/// How bootstrap resamples of the `n` rows are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum BootstrapKind {
    /// Ordinary nonparametric bootstrap: each resample draws `n` row indices independently and
    /// uniformly with replacement (Efron 1979; R `boot(sim = "ordinary")`).
    #[default]
    Ordinary,
    /// Balanced bootstrap: over all `R` resamples every row appears exactly `R` times (the
    /// concatenation of `R` copies of `0..n` is shuffled once and cut into `R` blocks; Davison,
    /// Hinkley & Schechtman 1986; R `boot(sim = "balanced")`). The shuffle is sequential and
    /// seeded, so it too is independent of the number of threads.
    Balanced,
}

/// How the BCa acceleration constant is obtained.
#[derive(Debug, Clone, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Acceleration {
    /// Leave-one-out jackknife with the same statistic (`n` extra evaluations): empirical
    /// influence values `Lᵢ = (n − 1)(t0 − t₍ᵢ₎)` (R `boot::empinf(type = "jack")`, Davison &
    /// Hinkley 1997 eq. 2.44).
    #[default]
    Jackknife,
    /// As `Jackknife` but centred at the mean of the leave-one-out values,
    /// `Lᵢ = (n − 1)(t̄₍.₎ − t₍ᵢ₎)` (Efron & Tibshirani 1993, eq. 14.15). Differs from
    /// `Jackknife` by O(1/n) in the acceleration.
    JackknifeCentered,
    /// Empirical influence values supplied by the caller (an `n × k` matrix, e.g. analytic ones).
    Influence(Array2<f64>),
    /// No acceleration is computed: BCa intervals are unavailable (saves `n` evaluations).
    None,
}

/// A confidence interval.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Interval {
    /// Confidence level, e.g. 0.95.
    pub level: f64,
    /// Lower limit.
    pub lower: f64,
    /// Upper limit.
    pub upper: f64,
}

/// A replication that failed, and why.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ReplicationFailure {
    /// 0-based replication index.
    pub replication: usize,
    /// Why it failed (the statistic's error message, or which value was not finite).
    pub reason: String,
}

/// Seeded parallel bootstrap of a statistic of row indices.
///
/// Configure with consuming setters, then [`Bootstrap::run`] with the number of rows and the
/// statistic. The statistic receives the row indices of one resample (with repetitions) and
/// returns `k` numbers; it must be `Sync` because replications run in parallel (rayon).
///
/// # Formula
/// ```text
/// t0        = t(0, 1, …, n−1)                      statistic on the original rows
/// t*_b      = t(i_b1, …, i_bn),  b = 1..R            i_bj uniform on 0..n−1 (Ordinary)
/// se        = sd(t*)  (divisor R' − 1, R' successful replications)
/// bias      = mean(t*) − t0
/// ```
/// Intervals: see [`BootstrapFit::ci_percentile`] and [`BootstrapFit::ci_bca`].
///
/// # Examples
/// ```
/// use surveystat::resample::Bootstrap;
/// let x = [2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 4.9, 3.7, 2.2];
/// let fit = Bootstrap::new(500)
///     .seed(1)
///     .run(x.len(), |idx| Ok(vec![idx.iter().map(|&i| x[i]).sum::<f64>() / idx.len() as f64]))
///     .unwrap();
/// let ci = fit.ci_bca(0.95).unwrap();
/// assert!(ci[0].lower < fit.estimate()[0] && fit.estimate()[0] < ci[0].upper);
/// println!("{}", fit.summary());
/// ```
///
/// # Errors
/// [`Error::InvalidParameter`] for zero replications, `n < 2`, or a level outside (0, 1);
/// the statistic's own error (or [`Error::NonFinite`]) when it fails on the **original** rows
/// (a failing jackknife deletion only makes BCa unavailable, with the reason);
/// [`Error::DimensionMismatch`] when supplied influence values have the wrong shape.
/// Failing replications are not errors: they are recorded in the fit.
///
/// # References
/// Efron, B. (1979). Bootstrap methods: another look at the jackknife. *Annals of Statistics* 7, 1–26.
/// Efron, B. & Tibshirani, R. (1993). *An Introduction to the Bootstrap*. Chapman & Hall.
/// Davison, A. C. & Hinkley, D. V. (1997). *Bootstrap Methods and their Application*. CUP.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Bootstrap {
    reps: usize,
    seed: u64,
    kind: BootstrapKind,
    acceleration: Acceleration,
    names: Option<Vec<String>>,
}

impl Bootstrap {
    /// A bootstrap with `reps` replications, seed 0, ordinary resampling and jackknife acceleration.
    pub fn new(reps: usize) -> Self {
        Self {
            reps,
            seed: 0,
            kind: BootstrapKind::Ordinary,
            acceleration: Acceleration::Jackknife,
            names: None,
        }
    }

    /// Seed of the random streams (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Resampling scheme (default [`BootstrapKind::Ordinary`]).
    pub fn kind(mut self, kind: BootstrapKind) -> Self {
        self.kind = kind;
        self
    }

    /// How the BCa acceleration is obtained (default [`Acceleration::Jackknife`]).
    pub fn acceleration(mut self, acceleration: Acceleration) -> Self {
        self.acceleration = acceleration;
        self
    }

    /// Names of the statistic's components (default `t1, t2, …` as R's `boot`).
    pub fn names<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.names = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Number of replications requested.
    pub fn reps(&self) -> usize {
        self.reps
    }

    /// Run the bootstrap on `n` rows with `statistic` (a function of the row indices of a
    /// resample). Rows are observations; the closure decides what they index.
    pub fn run<F>(&self, n: usize, statistic: F) -> Result<BootstrapFit>
    where
        F: Fn(&[usize]) -> Result<Vec<f64>> + Sync,
    {
        if self.reps == 0 {
            return Err(Error::invalid("reps", "at least one bootstrap replication is needed"));
        }
        if n < 2 {
            return Err(Error::TooFewObservations { needed: 2, got: n });
        }
        let all: Vec<usize> = (0..n).collect();
        let t0 = statistic(&all)?;
        let k = t0.len();
        if k == 0 {
            return Err(Error::invalid("statistic", "returned no values on the original data"));
        }
        if let Some(j) = t0.iter().position(|v| !v.is_finite()) {
            return Err(Error::NonFinite {
                what: format!("statistic value {} on the original data", j + 1),
            });
        }
        let names = match &self.names {
            Some(v) if v.len() != k => {
                return Err(Error::DimensionMismatch {
                    what: "statistic names".into(),
                    expected: k,
                    found: v.len(),
                });
            }
            Some(v) => v.clone(),
            None => (1..=k).map(|j| format!("t{j}")).collect(),
        };

        let balanced = match self.kind {
            BootstrapKind::Balanced => Some(balanced_indices(self.seed, self.reps, n)),
            BootstrapKind::Ordinary => None,
        };
        let seed = self.seed;
        let outcomes: Vec<std::result::Result<Vec<f64>, String>> = (0..self.reps)
            .into_par_iter()
            .map_init(
                || vec![0usize; n],
                |buf, b| {
                    let idx: &[usize] = match &balanced {
                        Some(all) => &all[b * n..(b + 1) * n],
                        None => {
                            let mut rng = stream_rng(seed, b as u64);
                            for slot in buf.iter_mut() {
                                *slot = rng.random_range(0..n);
                            }
                            buf
                        }
                    };
                    check_values(statistic(idx), k)
                },
            )
            .collect();

        let mut rows: Vec<f64> = Vec::with_capacity(self.reps * k);
        let mut ids = Vec::with_capacity(self.reps);
        let mut failures = Vec::new();
        for (b, o) in outcomes.into_iter().enumerate() {
            match o {
                Ok(v) => {
                    rows.extend_from_slice(&v);
                    ids.push(b);
                }
                Err(reason) => failures.push(ReplicationFailure { replication: b, reason }),
            }
        }
        let replicates = Array2::from_shape_vec((ids.len(), k), rows).map_err(|e| {
            Error::LinearAlgebra { operation: "replicate matrix".into(), message: e.to_string() }
        })?;

        let mut influence_error = None;
        let influence = match &self.acceleration {
            Acceleration::None => None,
            Acceleration::Influence(l) => {
                if l.nrows() != n || l.ncols() != k {
                    return Err(Error::DimensionMismatch {
                        what: "influence values (rows = observations, columns = statistics)".into(),
                        expected: n * k,
                        found: l.len(),
                    });
                }
                if l.iter().any(|v| !v.is_finite()) {
                    return Err(Error::NonFinite { what: "influence values".into() });
                }
                Some(l.clone())
            }
            Acceleration::Jackknife | Acceleration::JackknifeCentered => {
                // A failing deletion does not invalidate the bootstrap: only BCa becomes
                // unavailable, and says why.
                match jackknife(n, &statistic) {
                    Ok(jack) => {
                        let centre = if self.acceleration == Acceleration::Jackknife {
                            Array1::from(t0.clone())
                        } else {
                            jack.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(k))
                        };
                        Some(jackknife_influence(&jack, &centre)?)
                    }
                    Err(e) => {
                        influence_error = Some(format!("the jackknife failed: {e}"));
                        None
                    }
                }
            }
        };

        let mut warnings = Vec::new();
        if !failures.is_empty() {
            warnings
                .push(Warning::ReplicationsFailed { failed: failures.len(), requested: self.reps });
        }
        if let Some(e) = &influence_error {
            warnings.push(Warning::Other { message: format!("BCa intervals unavailable: {e}") });
        }
        let sorted = sorted_columns(&replicates);
        Ok(BootstrapFit {
            config: self.clone(),
            n,
            names,
            t0: Array1::from(t0),
            replicates,
            replication_ids: ids,
            failures,
            influence,
            influence_error,
            sorted,
            warnings,
        })
    }
}

/// Result of [`Bootstrap::run`]: the estimate on the original rows, the replicate matrix and the
/// failures, with standard errors, bias and intervals computed from them.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BootstrapFit {
    config: Bootstrap,
    n: usize,
    names: Vec<String>,
    t0: Array1<f64>,
    replicates: Array2<f64>,
    replication_ids: Vec<usize>,
    failures: Vec<ReplicationFailure>,
    influence: Option<Array2<f64>>,
    influence_error: Option<String>,
    sorted: Vec<Vec<f64>>,
    warnings: Vec<Warning>,
}

impl BootstrapFit {
    /// Assemble a fit from replicates computed elsewhere (another engine, a stored run): the
    /// estimate `t0`, the replicate matrix (replications × statistics, all finite) and optional
    /// influence values (`n × k`) for BCa. `n` is the number of observations.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when the shapes disagree; [`Error::NonFinite`] for non-finite
    /// replicates, estimates or influence values.
    pub fn from_parts(
        n: usize,
        t0: &ArrayRef1<f64>,
        replicates: &ArrayRef2<f64>,
        influence: Option<&ArrayRef2<f64>>,
    ) -> Result<Self> {
        let k = t0.len();
        if replicates.ncols() != k {
            return Err(Error::DimensionMismatch {
                what: "replicate matrix columns vs statistics".into(),
                expected: k,
                found: replicates.ncols(),
            });
        }
        if t0.iter().chain(replicates.iter()).any(|v| !v.is_finite()) {
            return Err(Error::NonFinite { what: "estimate or replicate matrix".into() });
        }
        if let Some(l) = influence {
            if l.nrows() != n || l.ncols() != k {
                return Err(Error::DimensionMismatch {
                    what: "influence values (rows = observations, columns = statistics)".into(),
                    expected: n * k,
                    found: l.len(),
                });
            }
            if l.iter().any(|v| !v.is_finite()) {
                return Err(Error::NonFinite { what: "influence values".into() });
            }
        }
        let r = replicates.nrows();
        let replicates = replicates.to_owned();
        let sorted = sorted_columns(&replicates);
        Ok(Self {
            config: Bootstrap::new(r).acceleration(match influence {
                Some(l) => Acceleration::Influence(l.to_owned()),
                None => Acceleration::None,
            }),
            n,
            names: (1..=k).map(|j| format!("t{j}")).collect(),
            t0: t0.to_owned(),
            replicates,
            replication_ids: (0..r).collect(),
            failures: Vec::new(),
            influence: influence.map(|l| l.to_owned()),
            influence_error: None,
            sorted,
            warnings: Vec::new(),
        })
    }

    /// The configuration that produced this fit.
    pub fn config(&self) -> &Bootstrap {
        &self.config
    }

    /// Number of rows resampled.
    pub fn n_obs(&self) -> usize {
        self.n
    }

    /// Names of the statistic's components.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The statistic on the original rows, `t0`.
    pub fn estimate(&self) -> &Array1<f64> {
        &self.t0
    }

    /// Replicate matrix (successful replications × statistics), in replication order.
    pub fn replicates(&self) -> &Array2<f64> {
        &self.replicates
    }

    /// The 0-based replication index of each row of [`BootstrapFit::replicates`].
    pub fn replication_ids(&self) -> &[usize] {
        &self.replication_ids
    }

    /// Replications requested.
    pub fn n_requested(&self) -> usize {
        self.config.reps
    }

    /// Successful replications (rows of the replicate matrix).
    pub fn n_successful(&self) -> usize {
        self.replicates.nrows()
    }

    /// Failed replications with their reasons.
    pub fn failures(&self) -> &[ReplicationFailure] {
        &self.failures
    }

    /// Empirical influence values used for the BCa acceleration (`n × k`), if computed.
    pub fn influence(&self) -> Option<&Array2<f64>> {
        self.influence.as_ref()
    }

    /// Warnings (failed replications).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Bootstrap standard errors: the standard deviation (divisor `R − 1`) of each replicate column.
    ///
    /// # Formula
    /// ```text
    /// se_j = sqrt( Σ_b (t*_bj − mean_j)² / (R − 1) )
    /// ```
    /// NaN when fewer than two replications succeeded.
    pub fn se(&self) -> Array1<f64> {
        let r = self.replicates.nrows();
        if r < 2 {
            return Array1::from_elem(self.t0.len(), f64::NAN);
        }
        self.replicates.var_axis(Axis(0), 1.0).mapv(f64::sqrt)
    }

    /// Mean of the replicates per statistic (NaN when none succeeded).
    pub fn mean(&self) -> Array1<f64> {
        self.replicates
            .mean_axis(Axis(0))
            .unwrap_or_else(|| Array1::from_elem(self.t0.len(), f64::NAN))
    }

    /// Bootstrap bias estimate `mean(t*) − t0`.
    pub fn bias(&self) -> Array1<f64> {
        self.mean() - &self.t0
    }

    /// Bootstrap bias-correction constant `z0 = Φ⁻¹(#{t*_b < t0} / R)` of statistic `j` (may be ±∞).
    pub fn z0(&self, j: usize) -> Result<f64> {
        self.check_index(j)?;
        let t = &self.sorted[j];
        if t.is_empty() {
            return Err(self.too_few());
        }
        let below = t.partition_point(|&v| v < self.t0[j]);
        Ok(qnorm(below as f64 / t.len() as f64))
    }

    /// Acceleration constant `a = Σ Lᵢ³ / (6 (Σ Lᵢ²)^{3/2})` of statistic `j` from the influence values.
    pub fn acceleration(&self, j: usize) -> Result<f64> {
        self.check_index(j)?;
        let l = self.influence.as_ref().ok_or_else(|| {
            Error::invalid(
                "acceleration",
                self.influence_error.clone().unwrap_or_else(|| {
                    "BCa needs influence values (Acceleration::None was set)".to_string()
                }),
            )
        })?;
        let col = l.column(j);
        let s2: f64 = col.iter().map(|v| v * v).sum();
        let s3: f64 = col.iter().map(|v| v * v * v).sum();
        let a = s3 / (6.0 * s2.powf(1.5));
        if !a.is_finite() {
            return Err(Error::invalid(
                "acceleration",
                format!(
                    "acceleration of `{}` is undefined: its jackknife values are all equal",
                    self.names[j]
                ),
            ));
        }
        Ok(a)
    }

    /// Percentile intervals for every statistic.
    ///
    /// # Formula
    /// The limits are the `(1 ∓ level)/2` quantiles of the replicates taken as R's `boot.ci` does
    /// (`norm.inter`): with `r = (R + 1) α`, `k = ⌊r⌋` and sorted replicates `t*(1) ≤ … ≤ t*(R)`,
    /// ```text
    /// r integer:      t*(k)
    /// k = 0 / k = R:  t*(1) / t*(R)        (extreme order statistics)
    /// otherwise:      t*(k) + (Φ⁻¹(α) − Φ⁻¹(k/(R+1))) / (Φ⁻¹((k+1)/(R+1)) − Φ⁻¹(k/(R+1))) · (t*(k+1) − t*(k))
    /// ```
    /// (interpolation on the normal-quantile scale; Davison & Hinkley 1997, eq. 5.8).
    /// Validated against R boot 1.3-28.1 `boot.ci(type = "perc")` on the same replicates.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a level outside (0, 1) or fewer than two successful
    /// replications.
    pub fn ci_percentile(&self, level: f64) -> Result<Vec<Interval>> {
        (0..self.t0.len()).map(|j| self.ci_percentile_one(j, level)).collect()
    }

    /// Percentile interval of statistic `j` (see [`BootstrapFit::ci_percentile`]).
    pub fn ci_percentile_one(&self, j: usize, level: f64) -> Result<Interval> {
        check_level(level)?;
        self.check_index(j)?;
        let t = &self.sorted[j];
        if t.len() < 2 {
            return Err(self.too_few());
        }
        // Both tail probabilities computed as R's boot.ci does: (1 ± level) / 2.
        let (lo, hi) = tails(level);
        Ok(Interval { level, lower: norm_inter(t, lo), upper: norm_inter(t, hi) })
    }

    /// Basic (reverse percentile) intervals for every statistic (R `boot.ci(type = "basic")`).
    ///
    /// # Formula
    /// ```text
    /// (2 t0 − q((1 + level)/2),  2 t0 − q((1 − level)/2)),  q = norm.inter quantile of t*
    /// ```
    /// Validated against R boot 1.3-28.1 on the same replicates.
    ///
    /// # Errors
    /// As [`BootstrapFit::ci_percentile`].
    ///
    /// # References
    /// Davison & Hinkley (1997), eq. 5.6.
    pub fn ci_basic(&self, level: f64) -> Result<Vec<Interval>> {
        (0..self.t0.len())
            .map(|j| {
                let p = self.ci_percentile_one(j, level)?;
                Ok(Interval {
                    level,
                    lower: 2.0 * self.t0[j] - p.upper,
                    upper: 2.0 * self.t0[j] - p.lower,
                })
            })
            .collect()
    }

    /// Normal-approximation intervals with bootstrap bias correction (R `boot.ci(type = "norm")`).
    ///
    /// # Formula
    /// ```text
    /// t0 − bias ∓ Φ⁻¹((1 + level)/2) · se,   bias = mean(t*) − t0,  se = sd(t*)
    /// ```
    /// Validated against R boot 1.3-28.1 on the same replicates.
    ///
    /// # Errors
    /// As [`BootstrapFit::ci_percentile`].
    ///
    /// # References
    /// Davison & Hinkley (1997), eq. 5.5.
    pub fn ci_normal(&self, level: f64) -> Result<Vec<Interval>> {
        check_level(level)?;
        if self.n_successful() < 2 {
            return Err(self.too_few());
        }
        let (se, bias) = (self.se(), self.bias());
        let z = qnorm((1.0 + level) / 2.0);
        Ok((0..self.t0.len())
            .map(|j| Interval {
                level,
                lower: self.t0[j] - bias[j] - se[j] * z,
                upper: self.t0[j] - bias[j] + se[j] * z,
            })
            .collect())
    }

    /// Bias-corrected and accelerated (BCa) intervals for every statistic.
    ///
    /// # Formula
    /// ```text
    /// z0 = Φ⁻¹( #{t*_b < t0} / R )
    /// a  = Σ Lᵢ³ / (6 (Σ Lᵢ²)^{3/2}),   Lᵢ = (n − 1)(t0 − t₍ᵢ₎)  (jackknife, see Acceleration)
    /// α̃  = Φ( z0 + (z0 + z_α) / (1 − a (z0 + z_α)) ),  z_α = Φ⁻¹((1 ∓ level)/2)
    /// limits = the α̃ quantiles of t*, interpolated as in `ci_percentile`
    /// ```
    /// Validated against R boot 1.3-28.1 `boot.ci(type = "bca", L = <jackknife influence>)` on the
    /// same replicates.
    ///
    /// # Errors
    /// As [`BootstrapFit::ci_percentile`]; also when no influence values were computed
    /// ([`Acceleration::None`]), when `z0` is infinite (all replicates on one side of `t0`), or
    /// when the acceleration is undefined (constant jackknife values). Use
    /// [`BootstrapFit::ci_bca_one`] to get the intervals of the other statistics then.
    ///
    /// # References
    /// Efron, B. (1987). Better bootstrap confidence intervals. *JASA* 82, 171–185.
    pub fn ci_bca(&self, level: f64) -> Result<Vec<Interval>> {
        (0..self.t0.len()).map(|j| self.ci_bca_one(j, level)).collect()
    }

    /// BCa interval of statistic `j` (see [`BootstrapFit::ci_bca`]).
    pub fn ci_bca_one(&self, j: usize, level: f64) -> Result<Interval> {
        self.adjusted_percentile(j, level, true)
    }

    /// Bias-corrected (BC) percentile intervals: BCa with acceleration `a = 0` (lavaan's
    /// `boot.ci.type = "bca.simple"`; Efron 1981). Needs no influence values.
    ///
    /// # Formula
    /// ```text
    /// α̃ = Φ(2 z0 + z_α),  limits = α̃ quantiles of t* (interpolated as in `ci_percentile`)
    /// ```
    ///
    /// # Errors
    /// As [`BootstrapFit::ci_percentile`]; also when `z0` is infinite.
    pub fn ci_bc(&self, level: f64) -> Result<Vec<Interval>> {
        (0..self.t0.len()).map(|j| self.ci_bc_one(j, level)).collect()
    }

    /// Bias-corrected interval of statistic `j` (see [`BootstrapFit::ci_bc`]).
    pub fn ci_bc_one(&self, j: usize, level: f64) -> Result<Interval> {
        self.adjusted_percentile(j, level, false)
    }

    fn adjusted_percentile(&self, j: usize, level: f64, accelerate: bool) -> Result<Interval> {
        check_level(level)?;
        self.check_index(j)?;
        let t = &self.sorted[j];
        if t.len() < 2 {
            return Err(self.too_few());
        }
        let z0 = self.z0(j)?;
        if !z0.is_finite() {
            return Err(Error::invalid(
                "bca",
                format!(
                    "bias correction of `{}` is infinite: all replicates lie on one side of the estimate",
                    self.names[j]
                ),
            ));
        }
        let a = if accelerate { self.acceleration(j)? } else { 0.0 };
        let adj = |alpha: f64| {
            let z = qnorm(alpha);
            pnorm(z0 + (z0 + z) / (1.0 - a * (z0 + z)))
        };
        let (lo, hi) = tails(level);
        Ok(Interval { level, lower: norm_inter(t, adj(lo)), upper: norm_inter(t, adj(hi)) })
    }

    /// A printable summary: estimate, bias, bootstrap SE, percentile and BCa 95% limits.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::new(format!(
            "Bootstrap ({:?}, {} replications, seed {})",
            self.config.kind, self.config.reps, self.config.seed
        ));
        s.key_values([
            ("Observations", self.n.to_string()),
            ("Replications requested", self.config.reps.to_string()),
            ("Replications successful", self.n_successful().to_string()),
            ("Replications failed", self.failures.len().to_string()),
        ]);
        let mut t = Table::new(
            Some("Statistics (95% intervals)"),
            [
                "",
                "original",
                "bias",
                "std.error",
                "perc.lower",
                "perc.upper",
                "bca.lower",
                "bca.upper",
            ],
        );
        let se = self.se();
        let bias = self.bias();
        for j in 0..self.t0.len() {
            let p = self.ci_percentile_one(j, 0.95).ok();
            let b = self.ci_bca_one(j, 0.95).ok();
            t.push([
                self.names[j].clone(),
                fmt_num(self.t0[j], 4),
                fmt_num(bias[j], 4),
                fmt_num(se[j], 4),
                fmt_num(p.map(|i| i.lower), 4),
                fmt_num(p.map(|i| i.upper), 4),
                fmt_num(b.map(|i| i.lower), 4),
                fmt_num(b.map(|i| i.upper), 4),
            ]);
        }
        s.table(t);
        if !self.failures.is_empty() {
            let mut f =
                Table::new(Some("Failed replications (first 10)"), ["replication", "reason"]);
            for x in self.failures.iter().take(10) {
                f.push([(x.replication + 1).to_string(), x.reason.clone()]);
            }
            s.table(f);
        }
        s
    }

    fn check_index(&self, j: usize) -> Result<()> {
        if j >= self.t0.len() {
            return Err(Error::invalid(
                "statistic",
                format!("index {j} out of range (the statistic has {} values)", self.t0.len()),
            ));
        }
        Ok(())
    }

    fn too_few(&self) -> Error {
        Error::invalid(
            "replications",
            format!(
                "only {} of {} bootstrap replications succeeded; at least 2 are needed",
                self.n_successful(),
                self.config.reps
            ),
        )
    }
}

impl fmt::Display for BootstrapFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary())
    }
}

/// Leave-one-out jackknife values of a statistic of row indices: row `i` of the result is the
/// statistic on all rows but `i` (`n × k`), computed in parallel.
///
/// # Formula
/// ```text
/// t₍ᵢ₎ = t(0, …, i−1, i+1, …, n−1)
/// ```
///
/// # Examples
/// ```
/// use surveystat::resample::jackknife;
/// let x = [1.0, 2.0, 4.0];
/// let j = jackknife(3, |idx| Ok(vec![idx.iter().map(|&i| x[i]).sum::<f64>()])).unwrap();
/// assert_eq!(j[[0, 0]], 6.0);
/// ```
///
/// # Errors
/// `n < 2`; the statistic's error, or [`Error::NonFinite`], for any leave-one-out sample (a
/// jackknife with a failing deletion cannot be completed).
///
/// # References
/// Efron, B. (1982). *The Jackknife, the Bootstrap and Other Resampling Plans*. SIAM.
pub fn jackknife<F>(n: usize, statistic: F) -> Result<Array2<f64>>
where
    F: Fn(&[usize]) -> Result<Vec<f64>> + Sync,
{
    if n < 2 {
        return Err(Error::TooFewObservations { needed: 2, got: n });
    }
    let vals: Vec<Result<Vec<f64>>> = (0..n)
        .into_par_iter()
        .map(|i| {
            let idx: Vec<usize> = (0..n).filter(|&r| r != i).collect();
            let v = statistic(&idx)?;
            if let Some(j) = v.iter().position(|x| !x.is_finite()) {
                return Err(Error::NonFinite {
                    what: format!("jackknife value {} with row {} left out", j + 1, i + 1),
                });
            }
            Ok(v)
        })
        .collect();
    let mut k = None;
    let mut flat = Vec::new();
    for (i, v) in vals.into_iter().enumerate() {
        let v = v?;
        match k {
            None => k = Some(v.len()),
            Some(k0) if k0 != v.len() => {
                return Err(Error::DimensionMismatch {
                    what: format!("jackknife statistic with row {} left out", i + 1),
                    expected: k0,
                    found: v.len(),
                });
            }
            _ => {}
        }
        flat.extend(v);
    }
    let k = k.unwrap_or(0);
    Array2::from_shape_vec((n, k), flat).map_err(|e| Error::LinearAlgebra {
        operation: "jackknife matrix".into(),
        message: e.to_string(),
    })
}

/// Jackknife empirical influence values `Lᵢ = (n − 1)(c − t₍ᵢ₎)` from the leave-one-out values
/// (rows = left-out observation) and a centre `c` per statistic.
///
/// With `c = t0` (the estimate on all rows) these are R `boot::empinf(type = "jack")` and
/// Davison & Hinkley's (1997, eq. 2.44) jackknife influence values; with `c` = the column means
/// of `jack` they are Efron & Tibshirani's (1993, eq. 14.15) centred version.
///
/// # Formula
/// ```text
/// L_ij = (n − 1) (c_j − t₍ᵢ₎j)
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::resample::jackknife_influence;
/// let l = jackknife_influence(&array![[1.0], [3.0]], &array![2.0]).unwrap();
/// assert_eq!(l[[0, 0]], 1.0);
/// ```
///
/// # Errors
/// [`Error::DimensionMismatch`] when `centre` does not have one value per column of `jack`.
///
/// # References
/// Davison, A. C. & Hinkley, D. V. (1997), section 2.7.3.
/// Efron, B. & Tibshirani, R. (1993), section 14.3.
pub fn jackknife_influence(jack: &ArrayRef2<f64>, centre: &ArrayRef1<f64>) -> Result<Array2<f64>> {
    let (n, k) = jack.dim();
    if centre.len() != k {
        return Err(Error::DimensionMismatch {
            what: "jackknife centre vs statistics".into(),
            expected: k,
            found: centre.len(),
        });
    }
    let mut l = Array2::zeros((n, k));
    for i in 0..n {
        for j in 0..k {
            l[[i, j]] = (n as f64 - 1.0) * (centre[j] - jack[[i, j]]);
        }
    }
    Ok(l)
}

/// Bollen–Stine transformation: rotate complete data so that their mean is `μ` and their ML
/// (divisor `n`) covariance is exactly the model-implied `Σ` — the null hypothesis of the model
/// then holds in the "population" the bootstrap resamples from.
///
/// Rows are observations, columns variables. Without `implied_mean` the sample means are kept
/// (models without a mean structure).
///
/// # Formula
/// ```text
/// Y = (X − 1 x̄ᵀ) S^{-1/2} Σ^{1/2} + 1 μᵀ,   S = (X − 1x̄ᵀ)ᵀ(X − 1x̄ᵀ) / n
/// ```
/// with symmetric square roots from the eigendecomposition (`A^{1/2} = V Λ^{1/2} Vᵀ`).
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::resample::bollen_stine_transform;
/// let x = array![[1.0, 2.0], [2.0, 1.0], [3.0, 5.0], [4.0, 3.0]];
/// let sigma = array![[1.0, 0.5], [0.5, 1.0]];
/// let y = bollen_stine_transform(&x, &sigma, None).unwrap();
/// assert_eq!(y.dim(), (4, 2));
/// ```
///
/// # Errors
/// [`Error::NonFinite`] for NaN (missing) or infinite values; [`Error::DimensionMismatch`] when
/// `Σ` or `μ` do not match the columns; [`Error::TooFewObservations`] when `n ≤ p`;
/// [`Error::NotPositiveDefinite`] when `S` is singular or `Σ` has a negative eigenvalue.
///
/// # References
/// Bollen, K. A. & Stine, R. A. (1992). Bootstrapping goodness-of-fit measures in structural
/// equation models. *Sociological Methods & Research* 21, 205–229.
pub fn bollen_stine_transform(
    x: &ArrayRef2<f64>,
    implied_cov: &ArrayRef2<f64>,
    implied_mean: Option<&ArrayRef1<f64>>,
) -> Result<Array2<f64>> {
    let (n, p) = x.dim();
    if x.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: "data for the Bollen-Stine transformation (missing values are not supported)"
                .into(),
        });
    }
    if implied_cov.nrows() != p || implied_cov.ncols() != p {
        return Err(Error::DimensionMismatch {
            what: "model-implied covariance vs data columns".into(),
            expected: p,
            found: implied_cov.nrows().max(implied_cov.ncols()),
        });
    }
    if let Some(m) = implied_mean
        && m.len() != p
    {
        return Err(Error::DimensionMismatch {
            what: "model-implied mean vs data columns".into(),
            expected: p,
            found: m.len(),
        });
    }
    if n <= p {
        return Err(Error::TooFewObservations { needed: p + 1, got: n });
    }
    let xbar = x.mean_axis(Axis(0)).unwrap_or_else(|| Array1::zeros(p));
    let mut xc = x.to_owned();
    xc -= &xbar;
    let mut s = linalg::crossprod(xc.view());
    s /= n as f64;
    let s_inv_half = sym_power(s.view(), -0.5, "sample covariance S")?;
    let sigma_half = sym_power(implied_cov.view(), 0.5, "model-implied covariance")?;
    let rot = s_inv_half.dot(&sigma_half);
    let mut y = linalg::matmul(xc.view(), rot.view());
    let mu = match implied_mean {
        Some(m) => m.to_owned(),
        None => xbar,
    };
    y += &mu;
    Ok(y)
}

/// Symmetric matrix power `V Λ^e Vᵀ` (e = ±1/2); negative eigenvalues (or zero for e < 0) are errors.
pub(crate) fn sym_power(a: ArrayView2<'_, f64>, e: f64, name: &str) -> Result<Array2<f64>> {
    let (vals, vecs) = linalg::sym_eigen(a, name)?;
    let p = vals.len();
    let lmax = vals.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let tol = (p.max(1) as f64) * f64::EPSILON * lmax;
    let mut d = Array1::zeros(p);
    for k in 0..p {
        let v = vals[k];
        if v < -tol || (e < 0.0 && v <= tol) {
            return Err(Error::NotPositiveDefinite { matrix: name.to_string() });
        }
        d[k] = v.max(0.0).powf(e);
    }
    let scaled = &vecs * &d;
    let mut out = scaled.dot(&vecs.t());
    linalg::symmetrize(&mut out);
    Ok(out)
}

/// The replication generator: ChaCha8 seeded from `seed`, on stream `stream`.
pub(crate) fn stream_rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

fn balanced_indices(seed: u64, reps: usize, n: usize) -> Vec<usize> {
    let mut all: Vec<usize> = (0..reps * n).map(|i| i % n).collect();
    // Fisher–Yates on a stream reserved for the balanced permutation.
    let mut rng = stream_rng(seed, u64::MAX);
    for i in (1..all.len()).rev() {
        let j = rng.random_range(0..=i);
        all.swap(i, j);
    }
    all
}

fn check_values(v: Result<Vec<f64>>, k: usize) -> std::result::Result<Vec<f64>, String> {
    match v {
        Err(e) => Err(e.to_string()),
        Ok(v) if v.len() != k => {
            Err(format!("statistic returned {} values, expected {k}", v.len()))
        }
        Ok(v) => match v.iter().position(|x| !x.is_finite()) {
            Some(j) => Err(format!("non-finite value {} in statistic value {}", v[j], j + 1)),
            None => Ok(v),
        },
    }
}

fn sorted_columns(m: &Array2<f64>) -> Vec<Vec<f64>> {
    m.columns()
        .into_iter()
        .map(|c| {
            let mut v = c.to_vec();
            v.sort_by(f64::total_cmp);
            v
        })
        .collect()
}

/// Tail probabilities `((1 − level)/2, (1 + level)/2)`, rounded exactly as R computes them.
fn tails(level: f64) -> (f64, f64) {
    ((1.0 - level) / 2.0, (1.0 + level) / 2.0)
}

fn check_level(level: f64) -> Result<()> {
    if !(level > 0.0 && level < 1.0) {
        return Err(Error::invalid("level", format!("must be in (0, 1), got {level}")));
    }
    Ok(())
}

/// Quantile of sorted finite values `t` at probability `alpha`, by R boot's `norm.inter` rule.
pub(crate) fn norm_inter(t: &[f64], alpha: f64) -> f64 {
    let r = t.len();
    if r == 0 || !alpha.is_finite() {
        return f64::NAN;
    }
    let rk = (r as f64 + 1.0) * alpha;
    let k = rk.trunc();
    if k <= 0.0 {
        return t[0];
    }
    if k >= r as f64 {
        return t[r - 1];
    }
    let ki = k as usize; // 1-based order statistic
    if k == rk {
        return t[ki - 1];
    }
    let rr = r as f64 + 1.0;
    let z = qnorm(alpha);
    let zk = qnorm(k / rr);
    let zk1 = qnorm((k + 1.0) / rr);
    let tk = t[ki - 1];
    let tk1 = t[ki];
    tk + (z - zk) / (zk1 - zk) * (tk1 - tk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norm_inter_integer_rank_is_order_statistic() {
        let t: Vec<f64> = (1..=19).map(f64::from).collect();
        // (19 + 1) * 0.05 = 1 → t(1); (20) * 0.95 = 19 → t(19)
        assert_eq!(norm_inter(&t, 0.05), 1.0);
        assert_eq!(norm_inter(&t, 0.95), 19.0);
        assert_eq!(norm_inter(&t, 0.5), 10.0);
    }
}
