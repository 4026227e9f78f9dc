//! The bootstrap engine: configuration, parallel replications on per-replication random
//! streams, and the acceleration (influence values) needed for BCa intervals.

use ndarray::{Array1, Array2, Axis};
use rand::RngExt;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use super::fit::{BootstrapFit, sorted_columns};
use super::jackknife::{jackknife, jackknife_influence};
use super::{Acceleration, BootstrapKind, ReplicationFailure};
use crate::error::{Error, Result};
use crate::warning::Warning;

/// Largest number of bootstrap replications accepted ([`Bootstrap::run`], the SEM bootstrap and
/// the CLI's `--bootstrap`): one million. The replicate matrix holds `reps × k` numbers, so a
/// larger request is refused up front instead of exhausting memory part-way through.
pub const MAX_BOOTSTRAP_REPS: usize = 1_000_000;

/// Largest replicate matrix (replications × statistics) kept in memory: 100 million numbers
/// (800 MB).
pub const MAX_BOOTSTRAP_VALUES: usize = 100_000_000;

/// Refuse a replication count of 0 or above [`MAX_BOOTSTRAP_REPS`]; warn for a single
/// replication (a standard deviation needs at least two).
pub(crate) fn check_reps(reps: usize) -> Result<Option<Warning>> {
    if reps == 0 {
        return Err(Error::invalid("reps", "at least one bootstrap replication is needed"));
    }
    if reps > MAX_BOOTSTRAP_REPS {
        return Err(Error::invalid(
            "reps",
            format!(
                "{reps} bootstrap replications requested; at most {MAX_BOOTSTRAP_REPS} are supported"
            ),
        ));
    }
    Ok((reps < 2).then(|| Warning::Other {
        message: "only 1 bootstrap replication: standard errors need at least 2 replications \
                  and are missing (use 1000 or more for intervals)"
            .into(),
    }))
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
    pub(super) reps: usize,
    pub(super) seed: u64,
    pub(super) kind: BootstrapKind,
    pub(super) acceleration: Acceleration,
    pub(super) names: Option<Vec<String>>,
    /// Sizes of consecutive blocks of rows resampled separately (empty: one block).
    #[cfg_attr(feature = "serde", serde(default))]
    pub(super) strata: Vec<usize>,
    /// Row-index sets replayed instead of drawn (empty: draw).
    #[cfg_attr(feature = "serde", serde(default))]
    pub(super) resamples: Vec<Vec<usize>>,
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
            strata: Vec::new(),
            resamples: Vec::new(),
        }
    }

    /// Resample within strata: the rows are consecutive blocks of these sizes (the groups of a
    /// multi-group model, in order), and every replication draws `sizes[g]` rows with
    /// replacement from block g, so each resample keeps the group sizes (lavaan's bootstrap of
    /// multi-group models). The sizes must add up to the `n` given to [`Bootstrap::run`].
    pub fn strata(mut self, sizes: Vec<usize>) -> Self {
        self.strata = sizes;
        self
    }

    /// Replay these resamples (row indices, each set `n` long) instead of drawing them — to
    /// repeat another program's bootstrap on the same resamples. Sets the number of
    /// replications to the number of sets.
    pub fn resamples(mut self, sets: Vec<Vec<usize>>) -> Self {
        self.reps = sets.len();
        self.resamples = sets;
        self
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
        let few_reps = check_reps(self.reps)?;
        if n < 2 {
            return Err(Error::TooFewObservations { needed: 2, got: n });
        }
        self.check_layout(n)?;
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
        if self.reps.saturating_mul(k) > MAX_BOOTSTRAP_VALUES {
            return Err(Error::invalid(
                "reps",
                format!(
                    "{} replications × {k} statistics exceed the {MAX_BOOTSTRAP_VALUES} values a \
                     bootstrap keeps in memory",
                    self.reps
                ),
            ));
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

        let (replicates, ids, failures) = self.replicate(n, k, &statistic)?;
        let (influence, influence_error) = self.influence(n, &t0, &statistic)?;

        let mut warnings: Vec<Warning> = few_reps.into_iter().collect();
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

    /// Strata and replayed resamples must fit `n` rows.
    fn check_layout(&self, n: usize) -> Result<()> {
        if !self.strata.is_empty() {
            let total = self.strata.iter().try_fold(0usize, |a, &m| a.checked_add(m));
            if total != Some(n) {
                return Err(Error::DimensionMismatch {
                    what: "rows in the bootstrap strata".into(),
                    expected: n,
                    found: total.unwrap_or(usize::MAX),
                });
            }
            if self.strata.contains(&0) {
                return Err(Error::invalid("strata", "every stratum needs at least one row"));
            }
            if self.kind == BootstrapKind::Balanced {
                return Err(Error::invalid(
                    "strata",
                    "the balanced bootstrap draws from all rows; use the ordinary bootstrap with strata",
                ));
            }
        }
        for (b, set) in self.resamples.iter().enumerate() {
            if set.len() != n {
                return Err(Error::DimensionMismatch {
                    what: format!("rows in resample {}", b + 1),
                    expected: n,
                    found: set.len(),
                });
            }
            if let Some(bad) = set.iter().find(|&&i| i >= n) {
                return Err(Error::invalid(
                    "resamples",
                    format!("row index {bad} in resample {} is out of range ({n} rows)", b + 1),
                ));
            }
        }
        Ok(())
    }

    /// The replicate matrix (successful replications in order), their ids, and the failures.
    fn replicate<F>(
        &self,
        n: usize,
        k: usize,
        statistic: &F,
    ) -> Result<(Array2<f64>, Vec<usize>, Vec<ReplicationFailure>)>
    where
        F: Fn(&[usize]) -> Result<Vec<f64>> + Sync,
    {
        if self.kind == BootstrapKind::Balanced
            && self.reps.saturating_mul(n) > MAX_BOOTSTRAP_VALUES
        {
            return Err(Error::invalid(
                "reps",
                format!(
                    "a balanced bootstrap of {} replications × {n} rows exceeds the \
                     {MAX_BOOTSTRAP_VALUES} indices it keeps in memory",
                    self.reps
                ),
            ));
        }
        let balanced = match self.kind {
            BootstrapKind::Balanced => Some(balanced_indices(self.seed, self.reps, n)),
            BootstrapKind::Ordinary => None,
        };
        let seed = self.seed;
        let strata: &[usize] = if self.strata.is_empty() { &[n] } else { &self.strata };
        let outcomes: Vec<std::result::Result<Vec<f64>, String>> = (0..self.reps)
            .into_par_iter()
            .map_init(
                || vec![0usize; n],
                |buf, b| {
                    let idx: &[usize] = match &balanced {
                        Some(all) => &all[b * n..(b + 1) * n],
                        None if !self.resamples.is_empty() => &self.resamples[b],
                        None => {
                            let mut rng = stream_rng(seed, b as u64);
                            let mut slots = buf.iter_mut();
                            let mut offset = 0;
                            for &m in strata {
                                for slot in slots.by_ref().take(m) {
                                    *slot = offset + rng.random_range(0..m);
                                }
                                offset += m;
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
        Ok((replicates, ids, failures))
    }

    /// Influence values for BCa (supplied, or from the jackknife), or why there are none.
    fn influence<F>(
        &self,
        n: usize,
        t0: &[f64],
        statistic: &F,
    ) -> Result<(Option<Array2<f64>>, Option<String>)>
    where
        F: Fn(&[usize]) -> Result<Vec<f64>> + Sync,
    {
        let k = t0.len();
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
                match jackknife(n, statistic) {
                    Ok(jack) => {
                        let centre = if self.acceleration == Acceleration::Jackknife {
                            Array1::from(t0.to_vec())
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
        Ok((influence, influence_error))
    }
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
