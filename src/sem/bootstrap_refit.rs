//! Bootstrap by full refits, for the models the fast covariance refit of `bootstrap.rs` does not
//! cover: a mean structure (`~ 1` terms, FIML with missing values) and multi-group models.
//!
//! Every replication builds the resampled rows as a data set and fits it with the same
//! configuration through the one SEM pipeline (starting values, driver, convergence checks and
//! all). In a multi-group model the rows are resampled within each group, so every resample keeps
//! the group sizes (lavaan's `bootstrapLavaan`). A failed refit is a failed replication, counted
//! and reported, never an error of the whole bootstrap.

use ndarray::{Array1, Array2, ArrayRef2, Axis};

use super::bootstrap::{Replicated, SemBootstrap, SemBootstrapFit, SemBootstrapKind, assemble};
use super::{SemFit, SemMissing};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::resample::{Acceleration, Bootstrap, BootstrapFit, bollen_stine_transform};

/// What the replications of a refit bootstrap return, beyond the replicate matrix.
pub(super) struct RefitRun {
    /// The replications of the free parameters, defined parameters and χ².
    pub(super) replicated: Replicated,
    /// Replications of the extra values the statistic appended after the admissibility flag
    /// (the same replications as `replicated`, inadmissible ones dropped when configured).
    pub(super) extra: Option<BootstrapFit>,
}

/// Run the bootstrap of `statistic` on resamples of the rows of `base`.
///
/// `statistic` refits the model to a data set and returns the free parameters, the defined
/// parameters and χ² (`k` values in all), an admissibility flag (1 or 0) and then any extra
/// values. `strata` are the sizes of consecutive row blocks resampled separately (empty: one).
pub(super) fn run_refits<F>(
    base: &Dataset,
    strata: Vec<usize>,
    config: &SemBootstrap,
    k: usize,
    statistic: F,
) -> Result<RefitRun>
where
    F: Fn(&Dataset) -> Result<Vec<f64>> + Sync,
{
    let few_reps = crate::resample::check_reps(config.reps())?;
    if !(config.level_value() > 0.0 && config.level_value() < 1.0) {
        return Err(Error::invalid("level", "must be strictly between 0 and 1"));
    }
    let n = base.n_rows();
    let stat = |idx: &[usize]| -> Result<Vec<f64>> {
        // rows are stored group by group: sorted indices keep the groups contiguous and in order
        let mut rows = idx.to_vec();
        rows.sort_unstable();
        statistic(&base.subset_rows(&rows)?)
    };
    let mut engine = Bootstrap::new(config.reps()).seed(config.seed_value()).strata(strata);
    if let Some(sets) = config.replayed() {
        engine = engine.resamples(sets.to_vec());
    }
    let inner = engine
        .acceleration(if config.wants_jackknife() {
            Acceleration::Jackknife
        } else {
            Acceleration::None
        })
        .run(n, stat)?;
    let all = inner.estimate();
    if all.len() < k + 1 {
        return Err(Error::DimensionMismatch {
            what: "bootstrap statistic values".into(),
            expected: k + 1,
            found: all.len(),
        });
    }
    let t0 = Array1::from_iter(all.iter().take(k).copied());
    let influence = inner.influence().map(|l| l.slice_axis(Axis(1), (..k).into()).to_owned());
    let jackknife_error = match (&influence, config.wants_jackknife()) {
        (Some(_), _) => None,
        (None, true) => Some(
            inner
                .influence_error()
                .map_or_else(|| "the jackknife failed".to_string(), str::to_string),
        ),
        (None, false) => Some("the jackknife was not requested".to_string()),
    };
    let extra = if all.len() > k + 1 {
        let reps = inner.replicates();
        let keep: Vec<usize> = (0..reps.nrows())
            .filter(|&b| !config.drops_inadmissible() || reps[[b, k]] != 0.0)
            .collect();
        let width = all.len() - k - 1;
        let x = Array2::from_shape_fn((keep.len(), width), |(b, j)| reps[[keep[b], k + 1 + j]]);
        let e0 = Array1::from_iter(all.iter().skip(k + 1).copied());
        let infl = inner.influence().map(|l| l.slice_axis(Axis(1), (k + 1..).into()).to_owned());
        Some(BootstrapFit::from_parts(n, &e0, &x, infl.as_deref())?)
    } else {
        None
    };
    Ok(RefitRun {
        replicated: Replicated { n, t0, inner, influence, jackknife_error, few_reps },
        extra,
    })
}

/// Rows of `x` to resample: the complete rows (listwise) or, with FIML, every row with at least
/// one observed value — the rows the fit used.
pub(super) fn usable_rows(x: &ArrayRef2<f64>, missing: SemMissing) -> Vec<usize> {
    x.axis_iter(Axis(0))
        .enumerate()
        .filter(|(_, r)| match missing {
            SemMissing::Listwise => r.iter().all(|v| v.is_finite()),
            SemMissing::Fiml => r.iter().any(|v| v.is_finite()),
        })
        .map(|(i, _)| i)
        .collect()
}

/// The Bollen–Stine rows: `x` transformed to the model-implied covariance (and mean, with a
/// structured mean part) on the divisor-n scale.
pub(super) fn bollen_stine_rows(
    x: &Array2<f64>,
    implied: &Array2<f64>,
    implied_mean: Option<&Array1<f64>>,
    ml_normal: bool,
) -> Result<Array2<f64>> {
    let n = x.nrows() as f64;
    let scale = if ml_normal { 1.0 } else { (n - 1.0) / n };
    bollen_stine_transform(x, &(implied * scale), implied_mean.map(|m| &**m))
}

impl SemFit {
    /// Bootstrap of a fit with a mean structure (`~ 1` terms, or FIML) by full refits of the
    /// resampled rows; `x` holds the model variables in order, every row of the data (with
    /// missing values for FIML).
    pub(super) fn bootstrap_refit(
        &self,
        x: &Array2<f64>,
        config: &SemBootstrap,
    ) -> Result<SemBootstrapFit> {
        let missing = self.config.missing_mode();
        let rows = usable_rows(x, missing);
        if rows.len() != self.n_obs {
            return Err(Error::DimensionMismatch {
                what: "rows of the data the model was fitted to".into(),
                expected: self.n_obs,
                found: rows.len(),
            });
        }
        let mut x = x.select(Axis(0), &rows);
        if config.kind_value() == SemBootstrapKind::BollenStine {
            if x.iter().any(|v| !v.is_finite()) {
                return Err(Error::invalid(
                    "bootstrap",
                    "the Bollen–Stine bootstrap needs complete data; with missing values (FIML) \
                     use the ordinary bootstrap",
                ));
            }
            let ml_normal = self.uses_normal_likelihood();
            x = bollen_stine_rows(&x, &self.implied, self.implied_mean(), ml_normal)?;
        }
        let base = Dataset::from_array(&self.pt.ov, x)?;
        let q = self.pt.npar;
        let nd = self.pt.defined.len();
        let sem = &self.config;
        let run = run_refits(&base, Vec::new(), config, q + nd + 1, |d| {
            let f = sem.fit(d)?;
            let mut v = f.theta.clone();
            let first = f.pt.rows.len();
            v.extend(f.rows[first..first + nd].iter().map(|r| r.est));
            v.push(f.fit_measure("chisq").unwrap_or(f64::NAN));
            v.push(if f.admissible() { 1.0 } else { 0.0 });
            Ok(v)
        })?;
        let mut names = self.par_names.clone();
        names.extend(self.pt.defined.iter().map(|(n, _)| n.clone()));
        names.push("chisq".into());
        let chisq = self.fit_measure("chisq").unwrap_or(f64::NAN);
        assemble(config, run.replicated, names, (q, nd), chisq)
    }

    /// No negative variance and a positive definite latent covariance.
    pub(super) fn admissible(&self) -> bool {
        let variances_ok =
            self.rows.iter().all(|r| !(r.op == "~~" && r.lhs == r.rhs && r.est < 0.0));
        variances_ok
            && (self.lv.is_empty() || crate::core::linalg::small::cholesky(&self.lv_cor).is_some())
    }

    /// Whether the fit uses ML with the normal (divisor n) likelihood.
    pub(super) fn uses_normal_likelihood(&self) -> bool {
        matches!(
            (self.config.estimator, self.config.likelihood),
            (super::Estimator::Ml, super::Likelihood::Normal)
        )
    }
}
