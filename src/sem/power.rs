//! Monte Carlo power of the tests of SEM parameters (paths, indirect effects) by simulation from
//! a fitted model, with [`crate::simulate::MonteCarlo`].

use ndarray::Array1;

use super::SemFit;
use super::bootstrap::{Centred, Refitter};
use crate::error::{Error, Result};
use crate::simulate::{Draw, MonteCarlo, MonteCarloFit, MultivariateNormal};

/// Monte Carlo power analysis for a fitted (or specified, then fitted to its population
/// covariance) SEM.
///
/// Each replication draws `n` rows from N(0, Σ(θ̂)) (the model-implied covariance of the fit,
/// so θ̂ are the population values), refits the model starting at θ̂, and tests every free and
/// defined parameter with the Wald z test (expected-information SEs; delta method for defined
/// parameters).
///
/// # Formula
/// ```text
/// significant_rj = |θ̂*_rj / se_rj| > Φ⁻¹(1 − α/2)
/// power_j       = #{r : significant_rj} / R′
/// ```
///
/// # Examples
/// ```
/// use surveystat::sem::{Sem, SemPower};
/// let cov = ndarray::array![[1.0, 0.3, 0.2], [0.3, 1.0, 0.3], [0.2, 0.3, 1.0]];
/// let fit = Sem::from_syntax("y ~ b*m + c*x\nm ~ a*x\nind := a*b").unwrap()
///     .fit_cov(&cov, &["x", "m", "y"], 200).unwrap();
/// let mc = fit.power(&SemPower::new(100, 200).seed(1)).unwrap();
/// let j = mc.test_names().iter().position(|n| n == "ind").unwrap();
/// assert!(mc.power()[j] > 0.5);
/// ```
///
/// # Errors
/// See [`SemFit::power`].
///
/// # References
/// Muthén, L. K. & Muthén, B. O. (2002). How to use a Monte Carlo study to decide on sample size
/// and determine power. *Structural Equation Modeling* 9, 599–620.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SemPower {
    reps: usize,
    n: usize,
    seed: u64,
    alpha: f64,
}

impl SemPower {
    /// `reps` replications of samples of size `n`, seed 0, α = 0.05.
    pub fn new(reps: usize, n: usize) -> Self {
        Self { reps, n, seed: 0, alpha: 0.05 }
    }
    /// Seed (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Two-sided significance level (default 0.05).
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }
}

impl SemFit {
    /// Monte Carlo power of every free and defined parameter (see [`SemPower`]). The estimates of
    /// the result are the replications' estimates (parameter recovery: their mean approaches
    /// [`SemFit::coefficients`] and the defined values).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for zero replications, `n` not larger than the number of
    /// variables, or α outside (0, 1); [`Error::NotPositiveDefinite`] for a non-positive-definite
    /// implied covariance. Failing replications are recorded in the result, not errors.
    pub fn power(&self, cfg: &SemPower) -> Result<MonteCarloFit> {
        let p = self.ov.len();
        if cfg.n <= p {
            return Err(Error::invalid(
                "n",
                format!("the sample size must exceed the {p} observed variables"),
            ));
        }
        if !(cfg.alpha > 0.0 && cfg.alpha < 1.0) {
            return Err(Error::invalid("alpha", "must be strictly between 0 and 1"));
        }
        if self.pt.meanstructure {
            return Err(Error::invalid(
                "power",
                "models with a mean structure (FIML or `~ 1`) are not simulated yet",
            ));
        }
        let mvn = MultivariateNormal::new(&Array1::zeros(p), &self.implied)?;
        let zq = crate::core::dist::qnorm(1.0 - cfg.alpha / 2.0);
        let refitter = Refitter::new(self, 500);
        let start = self.theta.clone();
        let mut names = self.par_names.clone();
        names.extend(self.pt.defined.iter().map(|(n, _)| n.clone()));
        MonteCarlo::new(cfg.reps)
            .seed(cfg.seed)
            .estimate_names(names.clone())
            .test_names(names)
            .run(|rep| {
                let x = mvn.sample(cfg.n, rep.seed)?;
                let c = Centred::new(&x);
                let r = refitter.refit_se(&c.scatter, cfg.n, &start)?;
                let se = r.se.unwrap_or_default();
                let mut est = r.theta;
                est.extend(r.defined);
                let sig = est
                    .iter()
                    .zip(se.iter())
                    .map(|(e, s)| *s > 0.0 && (e / s).abs() > zq)
                    .collect();
                Ok(Draw::new(est, sig))
            })
    }
}
