//! The result of a bootstrap: estimate, replicate matrix, failures, standard errors, bias and a
//! printable summary. Intervals are in `interval.rs`.

use std::fmt;

use ndarray::{Array1, Array2, ArrayRef1, ArrayRef2, Axis};

use super::engine::Bootstrap;
use super::{Acceleration, ReplicationFailure};
use crate::error::{Error, Result};
use crate::summary::{Summary, Table, fmt_num};
use crate::warning::Warning;

/// Result of [`Bootstrap::run`]: the estimate on the original rows, the replicate matrix and the
/// failures, with standard errors, bias and intervals computed from them.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BootstrapFit {
    pub(super) config: Bootstrap,
    pub(super) n: usize,
    pub(super) names: Vec<String>,
    pub(super) t0: Array1<f64>,
    pub(super) replicates: Array2<f64>,
    pub(super) replication_ids: Vec<usize>,
    pub(super) failures: Vec<ReplicationFailure>,
    pub(super) influence: Option<Array2<f64>>,
    pub(super) influence_error: Option<String>,
    pub(super) sorted: Vec<Vec<f64>>,
    pub(super) warnings: Vec<Warning>,
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

    /// Why the influence values (and so BCa intervals) are unavailable, if they are.
    pub fn influence_error(&self) -> Option<&str> {
        self.influence_error.as_deref()
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
}

impl BootstrapFit {
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

    pub(super) fn check_index(&self, j: usize) -> Result<()> {
        if j >= self.t0.len() {
            return Err(Error::invalid(
                "statistic",
                format!("index {j} out of range (the statistic has {} values)", self.t0.len()),
            ));
        }
        Ok(())
    }

    pub(super) fn too_few(&self) -> Error {
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

/// Every column of `m` sorted ascending.
pub(super) fn sorted_columns(m: &Array2<f64>) -> Vec<Vec<f64>> {
    m.columns()
        .into_iter()
        .map(|c| {
            let mut v = c.to_vec();
            v.sort_by(f64::total_cmp);
            v
        })
        .collect()
}
