//! Horn's parallel analysis in the manner of psych's `fa.parallel`.

use ndarray::{Array1, Array2, ArrayRef2};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use rayon::prelude::*;

use super::adequacy::{check_correlation, data_correlation};
use super::extraction::{Extraction, StoppingRule, extract};
use crate::core::linalg;
use crate::error::{Error, Result};
use crate::warning::Warning;

/// Which reference data the observed eigenvalues are compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ParallelSource {
    /// Standard normal data of the same size (psych `sim = TRUE`).
    #[default]
    Simulated,
    /// Each column resampled with replacement from the observed data (psych's resampling).
    Resampled,
}

/// How the reference eigenvalues are summarised over the replications.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ParallelCriterion {
    /// Mean over replications (Horn 1965).
    #[default]
    Mean,
    /// A quantile over replications, e.g. 0.95 (Glorfeld 1995); R's type-7 quantile.
    Quantile(f64),
}

/// Largest number of replications accepted by [`ParallelAnalysis`]: each one is a full
/// eigen-decomposition and factor extraction, and the reference eigenvalues of every replication
/// are kept, so a larger request is refused instead of running out of time or memory.
pub const MAX_PARALLEL_REPS: usize = 100_000;

/// Parallel analysis: how many factors / components have eigenvalues larger than those of
/// random data of the same size.
///
/// # Formula
/// ```text
/// components: eigenvalues of R;  factors: eigenvalues of R with the communalities of a
/// one-factor solution (the chosen extraction) on the diagonal (psych fa.parallel, SMC = FALSE)
/// suggested number = number of leading observed eigenvalues greater than the reference
/// (mean or quantile over replications) — psych: which(!(observed > reference))[1] − 1
/// default reference (psych fa.parallel, quant = .95): raw data → resampled columns, 95% quantile
/// for both; correlation matrix → simulated N(0, 1), 95% quantile for components, mean for factors
/// ```
///
/// Replication `i` uses its own ChaCha8 stream derived from `(seed, i)`, so the result is the
/// same for a given seed whatever the number of threads; replications run in parallel (rayon).
///
/// # Examples
/// ```
/// use ndarray::Array2;
/// use surveystat::factor::ParallelAnalysis;
/// let x = Array2::from_shape_fn((200, 6), |(i, j)| ((i * 7 + j * 13) % 17) as f64 + (j / 3) as f64 * (i % 5) as f64);
/// let pa = ParallelAnalysis::new().replications(10).seed(42).fit(&x).unwrap();
/// assert!(pa.n_components() <= 6);
/// ```
///
/// # Errors
/// See [`ParallelAnalysis::fit`].
///
/// # References
/// Horn, J. L. (1965). A rationale and test for the number of factors in factor analysis.
/// *Psychometrika* 30, 179–185. Revelle, W. psych 2.2.9 `fa.parallel`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParallelAnalysis {
    replications: usize,
    seed: u64,
    source: Option<ParallelSource>,
    criterion: Option<ParallelCriterion>,
    extraction: Extraction,
}

impl Default for ParallelAnalysis {
    fn default() -> Self {
        Self::new()
    }
}

impl ParallelAnalysis {
    /// 20 replications (psych's `n.iter`), seed 1, minres factors, and psych's default
    /// reference and decision rule (see [`ParallelAnalysis::source`] and
    /// [`ParallelAnalysis::criterion`]).
    pub fn new() -> Self {
        Self {
            replications: 20,
            seed: 1,
            source: None,
            criterion: None,
            extraction: Extraction::MinRes,
        }
    }
    /// Number of replications (at most [`MAX_PARALLEL_REPS`]).
    pub fn replications(mut self, n: usize) -> Self {
        self.replications = n;
        self
    }
    /// Seed.
    pub fn seed(mut self, s: u64) -> Self {
        self.seed = s;
        self
    }
    /// Simulated or resampled reference data. Default as psych `fa.parallel`: resampled for
    /// raw data ([`ParallelAnalysis::fit`]), simulated for a correlation matrix.
    pub fn source(mut self, s: ParallelSource) -> Self {
        self.source = Some(s);
        self
    }
    /// Mean or quantile criterion for both components and factors. Default as psych
    /// `fa.parallel` (`quant = .95`): the 95% quantile, except for factors compared with
    /// simulated data, where psych uses the mean.
    pub fn criterion(mut self, c: ParallelCriterion) -> Self {
        self.criterion = Some(c);
        self
    }
    /// Extraction used for the factor eigenvalues (`Pca` is treated as `MinRes`).
    pub fn extraction(mut self, e: Extraction) -> Self {
        self.extraction = e;
        self
    }

    /// Run on raw data (rows = observations, columns = items).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for zero replications or a quantile outside (0, 1); the
    /// errors of the correlation step; [`Error::NotConverged`] if a one-factor solution fails.
    pub fn fit(&self, x: &ArrayRef2<f64>) -> Result<ParallelFit> {
        let r = data_correlation(x)?;
        let data = x.to_owned();
        self.run(&r, x.nrows(), Some(&data))
    }

    /// Run from a correlation matrix and the number of observations (simulated data only).
    ///
    /// # Errors
    /// As [`ParallelAnalysis::fit`]; [`Error::InvalidParameter`] when resampling is asked for.
    pub fn fit_cor(&self, r: &ArrayRef2<f64>, n_obs: usize) -> Result<ParallelFit> {
        check_correlation(r)?;
        if self.source == Some(ParallelSource::Resampled) {
            return Err(Error::invalid("source", "resampling needs raw data"));
        }
        self.run(&r.to_owned(), n_obs, None)
    }

    fn fa_values(&self, r: &Array2<f64>) -> Result<Array1<f64>> {
        let e =
            if self.extraction == Extraction::Pca { Extraction::MinRes } else { self.extraction };
        let ex = extract(r, 1, e, StoppingRule::Full, None)?;
        let mut rr = r.clone();
        for i in 0..r.nrows() {
            rr[[i, i]] = ex.loadings.row(i).mapv(|v| v * v).sum();
        }
        linalg::sym_eigen_seq(rr.view(), "reduced R").map(|e| e.0)
    }

    fn run(&self, r: &Array2<f64>, n: usize, data: Option<&Array2<f64>>) -> Result<ParallelFit> {
        if self.replications == 0 {
            return Err(Error::invalid("replications", "must be at least 1"));
        }
        if self.replications > MAX_PARALLEL_REPS {
            return Err(Error::invalid(
                "replications",
                format!(
                    "{} requested; at most {MAX_PARALLEL_REPS} are supported",
                    self.replications
                ),
            ));
        }
        if let Some(ParallelCriterion::Quantile(q)) = self.criterion
            && !(q > 0.0 && q < 1.0)
        {
            return Err(Error::invalid("quantile", "must lie strictly between 0 and 1"));
        }
        if n < 3 {
            return Err(Error::TooFewObservations { needed: 3, got: n });
        }
        let p = r.nrows();
        let mut warnings = Vec::new();
        if n <= p {
            warnings.push(Warning::NotPositiveDefinite {
                matrix: format!(
                    "correlation matrix ({n} observations for {p} variables: at most {} non-zero eigenvalues)",
                    n - 1
                ),
            });
        }
        let source = self.source.unwrap_or(if data.is_some() {
            ParallelSource::Resampled
        } else {
            ParallelSource::Simulated
        });
        let psych_quantile = ParallelCriterion::Quantile(0.95);
        let crit_pc = self.criterion.unwrap_or(psych_quantile);
        let crit_fa = self.criterion.unwrap_or(match source {
            ParallelSource::Resampled => psych_quantile,
            ParallelSource::Simulated => ParallelCriterion::Mean,
        });
        let observed_pc = linalg::sym_eigen_seq(r.view(), "R")?.0;
        let observed_fa = self.fa_values(r)?;
        let reps: Vec<Result<(Array1<f64>, Array1<f64>)>> = (0..self.replications)
            .into_par_iter()
            .map(|i| {
                let mut rng = ChaCha8Rng::seed_from_u64(mix(self.seed, i as u64));
                let sim = match (source, data) {
                    (ParallelSource::Resampled, Some(d)) => {
                        let mut s = Array2::<f64>::zeros((n, p));
                        for j in 0..p {
                            for k in 0..n {
                                s[[k, j]] = d[[rng.random_range(0..n), j]];
                            }
                        }
                        s
                    }
                    _ => Array2::from_shape_fn((n, p), |_| rng.sample::<f64, _>(StandardNormal)),
                };
                let c = data_correlation(&sim)?;
                let pc = linalg::sym_eigen_seq(c.view(), "simulated R")?.0;
                let fa = self.fa_values(&c)?;
                Ok((pc, fa))
            })
            .collect();
        let mut pcs = Vec::with_capacity(reps.len());
        let mut fas = Vec::with_capacity(reps.len());
        for rep in reps {
            let (a, b) = rep?;
            pcs.push(a);
            fas.push(b);
        }
        let summarise = |v: &[Array1<f64>], criterion: ParallelCriterion| -> Array1<f64> {
            Array1::from_shape_fn(p, |j| {
                let mut col: Vec<f64> = v.iter().map(|e| e[j]).collect();
                match criterion {
                    ParallelCriterion::Mean => col.iter().sum::<f64>() / col.len() as f64,
                    ParallelCriterion::Quantile(q) => {
                        col.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
                        let h = (col.len() as f64 - 1.0) * q;
                        let lo = h.floor() as usize;
                        let hi = (lo + 1).min(col.len() - 1);
                        col[lo] + (h - lo as f64) * (col[hi] - col[lo])
                    }
                }
            })
        };
        let reference_pc = summarise(&pcs, crit_pc);
        let reference_fa = summarise(&fas, crit_fa);
        let mean_pc = summarise(&pcs, ParallelCriterion::Mean);
        let mean_fa = summarise(&fas, ParallelCriterion::Mean);
        Ok(ParallelFit {
            n_factors: parallel_count(
                observed_fa.as_slice().unwrap_or(&[]),
                reference_fa.as_slice().unwrap_or(&[]),
            ),
            n_components: parallel_count(
                observed_pc.as_slice().unwrap_or(&[]),
                reference_pc.as_slice().unwrap_or(&[]),
            ),
            observed_pc,
            observed_fa,
            reference_pc,
            reference_fa,
            mean_pc,
            mean_fa,
            source,
            criterion_components: crit_pc,
            criterion_factors: crit_fa,
            replications: self.replications,
            warnings,
        })
    }
}

/// psych's decision rule: the number of leading observed eigenvalues strictly greater than the
/// reference ones (`which(!(observed > reference))[1] − 1`; all of them when every one is
/// greater). A NaN on either side stops the count.
///
/// ```
/// use surveystat::factor::parallel_count;
/// assert_eq!(parallel_count(&[3.0, 1.5, 0.9], &[1.4, 1.2, 1.0]), 2);
/// ```
pub fn parallel_count(observed: &[f64], reference: &[f64]) -> usize {
    observed.iter().zip(reference.iter()).take_while(|(o, r)| o > r).count()
}

/// SplitMix64 of (seed, index): independent stream per replication.
fn mix(seed: u64, i: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15u64.wrapping_mul(i.wrapping_add(1)));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Result of [`ParallelAnalysis`].
#[derive(Debug, Clone, PartialEq)]
pub struct ParallelFit {
    n_factors: usize,
    n_components: usize,
    observed_pc: Array1<f64>,
    observed_fa: Array1<f64>,
    reference_pc: Array1<f64>,
    reference_fa: Array1<f64>,
    mean_pc: Array1<f64>,
    mean_fa: Array1<f64>,
    source: ParallelSource,
    criterion_components: ParallelCriterion,
    criterion_factors: ParallelCriterion,
    replications: usize,
    warnings: Vec<Warning>,
}

impl ParallelFit {
    /// Warnings: a correlation matrix that is singular because there are no more observations
    /// than variables (the observed eigenvalues beyond n − 1 are then zero).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
    /// Suggested number of factors (psych `nfact`).
    pub fn n_factors(&self) -> usize {
        self.n_factors
    }
    /// Suggested number of components (psych `ncomp`).
    pub fn n_components(&self) -> usize {
        self.n_components
    }
    /// Observed eigenvalues of R.
    pub fn observed_components(&self) -> &Array1<f64> {
        &self.observed_pc
    }
    /// Observed eigenvalues of the reduced R (one-factor communalities on the diagonal).
    pub fn observed_factors(&self) -> &Array1<f64> {
        &self.observed_fa
    }
    /// Mean over replications of the random-data component eigenvalues (psych `pc.sim` /
    /// `pc.simr`).
    pub fn mean_components(&self) -> &Array1<f64> {
        &self.mean_pc
    }
    /// Mean over replications of the random-data factor eigenvalues (psych `fa.sim` /
    /// `fa.simr`).
    pub fn mean_factors(&self) -> &Array1<f64> {
        &self.mean_fa
    }
    /// Reference data used.
    pub fn source(&self) -> ParallelSource {
        self.source
    }
    /// Summary of the component reference eigenvalues used in the decision.
    pub fn criterion_components(&self) -> ParallelCriterion {
        self.criterion_components
    }
    /// Summary of the factor reference eigenvalues used in the decision.
    pub fn criterion_factors(&self) -> ParallelCriterion {
        self.criterion_factors
    }
    /// Reference (random-data) eigenvalues for components, as used in the decision.
    pub fn reference_components(&self) -> &Array1<f64> {
        &self.reference_pc
    }
    /// Reference (random-data) eigenvalues for factors, as used in the decision.
    pub fn reference_factors(&self) -> &Array1<f64> {
        &self.reference_fa
    }
    /// Number of replications (at most [`MAX_PARALLEL_REPS`]).
    pub fn replications(&self) -> usize {
        self.replications
    }
}
