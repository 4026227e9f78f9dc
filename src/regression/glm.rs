//! Generalized linear models by iteratively reweighted least squares (R's `glm`): binomial
//! (logit, probit) and Poisson (log) with deviance, AIC, Wald z tests and intervals, odds or rate
//! ratios, sandwich standard errors and likelihood-ratio tests of each term.

mod cross;
mod irls;
mod profile;

use ndarray::{Array1, Array2};
use rayon::prelude::*;
use statrs::function::gamma::ln_gamma;

use super::design::{self, DesignSpec};
use super::formula::Formula;
use super::solver::Design;
use crate::core::dist;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::warning::Warning;
use irls::Control;
pub use profile::{ProfileCi, ProfileInterval};

/// The response distribution and its link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum GlmFamily {
    /// Binomial with the logit link (logistic regression).
    BinomialLogit,
    /// Binomial with the probit link.
    BinomialProbit,
    /// Poisson with the log link.
    PoissonLog,
}

impl GlmFamily {
    /// R's family and link names.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            GlmFamily::BinomialLogit => ("binomial", "logit"),
            GlmFamily::BinomialProbit => ("binomial", "probit"),
            GlmFamily::PoissonLog => ("poisson", "log"),
        }
    }

    fn binomial(self) -> bool {
        !matches!(self, GlmFamily::PoissonLog)
    }

    /// Inverse link μ(η) and dμ/dη, with R's clamping (`make.link`).
    fn inv(self, eta: f64) -> (f64, f64) {
        let eps = f64::EPSILON;
        match self {
            GlmFamily::BinomialLogit => {
                let mu = if eta < -30.0 {
                    eps
                } else if eta > 30.0 {
                    1.0 - eps
                } else {
                    1.0 / (1.0 + (-eta).exp())
                };
                let d = if eta.abs() > 30.0 { eps } else { (mu * (1.0 - mu)).max(eps) };
                (mu, d)
            }
            GlmFamily::BinomialProbit => {
                // −Φ⁻¹(ε), R's `thresh` in `make.link("probit")`.
                const THRESH: f64 = 8.125890664701906;
                let e = eta.clamp(-THRESH, THRESH);
                let pdf = (-0.5 * eta * eta).exp() / (2.0 * std::f64::consts::PI).sqrt();
                (dist::pnorm(e), pdf.max(eps))
            }
            GlmFamily::PoissonLog => {
                let mu = eta.exp().max(eps);
                (mu, mu.max(eps))
            }
        }
    }

    fn link(self, mu: f64) -> f64 {
        match self {
            GlmFamily::BinomialLogit => (mu / (1.0 - mu)).ln(),
            GlmFamily::BinomialProbit => dist::qnorm(mu),
            GlmFamily::PoissonLog => mu.ln(),
        }
    }

    fn variance(self, mu: f64) -> f64 {
        if self.binomial() { mu * (1.0 - mu) } else { mu }
    }

    fn unit_deviance(self, y: f64, mu: f64) -> f64 {
        let ylog = |a: f64, b: f64| if a == 0.0 { 0.0 } else { a * (a / b).ln() };
        if self.binomial() {
            2.0 * (ylog(y, mu) + ylog(1.0 - y, 1.0 - mu))
        } else {
            2.0 * (ylog(y, mu) - (y - mu))
        }
    }

    /// −2 log-likelihood contribution (R's `aic()` of the family, per observation).
    fn minus2_loglik(self, y: f64, mu: f64) -> f64 {
        if self.binomial() {
            let l = if y == 1.0 {
                mu.ln()
            } else if y == 0.0 {
                (1.0 - mu).ln()
            } else {
                y * mu.ln() + (1.0 - y) * (1.0 - mu).ln()
            };
            -2.0 * l
        } else {
            -2.0 * (y * mu.ln() - mu - ln_gamma(y + 1.0))
        }
    }
}

/// A generalized linear model configured from a formula and a family; fitted with
/// [`Glm::fit_dataset`] into a [`GlmFit`].
///
/// # Examples
/// ```
/// use surveystat::{data::Dataset, regression::{Glm, GlmFamily}};
/// let ds = Dataset::from_csv_str("y,x\n0,1\n0,2\n1,3\n0,4\n1,5\n1,6\n0,7\n1,8\n", "mem").unwrap();
/// let fit = Glm::from_formula("y ~ x", GlmFamily::BinomialLogit).unwrap().fit_dataset(&ds).unwrap();
/// assert!(fit.coefficients()[1] > 0.0);
/// ```
///
/// # References
/// McCullagh & Nelder (1989), *Generalized Linear Models*, 2nd ed., ch. 2 and 4.
#[derive(Debug, Clone, PartialEq)]
pub struct Glm {
    formula: Formula,
    family: GlmFamily,
    ci_level: f64,
    max_iter: usize,
    tol: f64,
}

/// A likelihood-ratio test of one term (R's `drop1(test = "LRT")`).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct LrTest {
    /// The term.
    pub term: String,
    /// Degrees of freedom (columns of the term).
    pub df: usize,
    /// Deviance increase when the term is dropped.
    pub statistic: f64,
    /// Upper chi-square tail.
    pub p_value: f64,
}

impl Glm {
    /// A model for an R-like formula (see [`super::Ols::from_formula`]) and a family.
    ///
    /// # Errors
    /// [`Error::Syntax`] for a malformed formula.
    pub fn from_formula(formula: &str, family: GlmFamily) -> Result<Self> {
        Ok(Self {
            formula: Formula::parse(formula)?,
            family,
            ci_level: 0.95,
            max_iter: 100,
            tol: 1e-14,
        })
    }

    /// Level of the Wald intervals (default 0.95).
    pub fn ci_level(mut self, level: f64) -> Self {
        self.ci_level = level;
        self
    }

    /// Maximum IRLS iterations (default 100).
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }

    fn control<'a>(&self, names: &'a [String]) -> Control<'a> {
        Control {
            family: self.family,
            max_iter: self.max_iter,
            tol: self.tol,
            names,
            offset: None,
            halving: false,
            sandwich: false,
        }
    }

    /// Fit on a dataset (rows with a missing model variable are dropped).
    ///
    /// # Errors
    /// The formula errors of [`super::Ols::fit_dataset`]; [`Error::InvalidParameter`] for a
    /// binomial response outside [0, 1] or a negative Poisson count, a bad `ci_level`;
    /// [`Error::RankDeficient`] for aliased columns; [`Error::NotConverged`] when the deviance
    /// becomes non-finite.
    pub fn fit_dataset(&self, data: &Dataset) -> Result<GlmFit> {
        if !(self.ci_level > 0.0 && self.ci_level < 1.0) {
            return Err(Error::invalid(
                "ci_level",
                format!("must lie in (0, 1), got {}", self.ci_level),
            ));
        }
        let mm = design::build(&self.formula, data, &[])?;
        let fam = self.family;
        let resp = self.formula.response.label();
        crate::core::scale::check_column_scale(&resp, mm.y.iter().copied())?;
        if fam.binomial() && mm.y.len() > 1 && mm.y.iter().all(|&v| v == mm.y[0]) {
            return Err(Error::invalid(
                "response",
                format!(
                    "binomial response `{resp}` takes the single value {} in every used row; a logit or probit model needs both outcomes",
                    mm.y.first().copied().unwrap_or(f64::NAN)
                ),
            ));
        }
        for (name, &m) in mm.spec.names.iter().zip(&mm.col_max) {
            crate::core::scale::check_column_scale(name, [m])?;
        }
        for &v in &mm.y {
            if fam.binomial() && !(0.0..=1.0).contains(&v) {
                return Err(Error::invalid(
                    "response",
                    format!("binomial response `{resp}` must lie in [0, 1], found {v}"),
                ));
            }
            if !fam.binomial() && v < 0.0 {
                return Err(Error::invalid(
                    "response",
                    format!("Poisson response `{resp}` must be non-negative, found {v}"),
                ));
            }
        }
        let n = mm.y.len();
        let intercept = self.formula.intercept;
        let off = usize::from(intercept);
        let p = mm.x.ncols() + off;
        if n <= p {
            return Err(Error::TooFewObservations { needed: p + 1, got: n });
        }
        if p == 0 {
            return Err(Error::TooFewVariables { needed: 1, got: 0 });
        }
        let mut names: Vec<String> = Vec::with_capacity(p);
        let mut assign: Vec<Option<usize>> = Vec::with_capacity(p);
        if intercept {
            names.push("(Intercept)".into());
            assign.push(None);
        }
        names.extend(mm.spec.names.iter().cloned());
        assign.extend(mm.spec.assign.iter().map(|&a| Some(a)));
        let design = Design { x: mm.x.view(), cols: (0..mm.x.ncols()).collect(), intercept };
        let mut ctl = self.control(&names);
        ctl.sandwich = true;
        let fit = irls::irls(&design, &mm.y, &ctl)?;
        let mut warnings = Vec::new();
        let dropped = data.n_rows() - n;
        if dropped > 0 {
            warnings.push(Warning::RowsDropped { dropped, remaining: n });
        }
        if !fit.converged {
            warnings
                .push(Warning::NotConverged { what: "IRLS".into(), iterations: fit.iterations });
        }
        if fam.binomial() {
            let eps = 10.0 * f64::EPSILON;
            let extreme = fit.mu.iter().filter(|&&m| m < eps || m > 1.0 - eps).count();
            if extreme > 0 {
                // Complete separation: every observation fitted exactly (deviance ≈ 0).
                let complete = fit.deviance < 1e-6;
                warnings.push(Warning::Separation { extreme, complete });
            }
        }
        // Null deviance: intercept-only fit (mean of y), or η = 0 without intercept.
        let ybar = mm.y.iter().sum::<f64>() / n as f64;
        let mu0 = if intercept { ybar } else { fam.inv(0.0).0 };
        let null_deviance = irls::chunked_sum(n, |i| fam.unit_deviance(mm.y[i], mu0));
        let m2ll = irls::chunked_sum(n, |i| fam.minus2_loglik(mm.y[i], fit.mu[i]));
        let k = fit.coef.len() as f64;
        let aic = m2ll + 2.0 * k;
        let bic = m2ll + (n as f64).ln() * k;
        // Sandwich: B (Σ u_i u_iᵀ) B with u_i = x_i w_i (y_i − μ_i)/μ'(η_i): working residuals at
        // the final η times the working weights of the last step, as R's glm object stores them
        // (and sandwich's estfun reads them).
        // Σ u_i² x_i x_iᵀ, taken in the last IRLS pass or else in one blocked pass (parallel; no
        // copy of X).
        let meat = match fit.meat {
            Some(m) => m,
            None => {
                let u: Vec<f64> = (0..n)
                    .into_par_iter()
                    .map(|i| {
                        let (mu, d) = fam.inv(fit.eta[i]);
                        ((mm.y[i] - mu) / d * fit.weights[i]).abs()
                    })
                    .collect();
                cross::scaled_cross(&design, &u)
            }
        };
        if meat.iter().any(|v| !v.is_finite()) {
            return Err(Error::NonFinite { what: "sandwich scores".into() });
        }
        let meat = Array2::from_shape_vec((p, p), meat)
            .map_err(|_| Error::NonFinite { what: "sandwich scores".into() })?;
        let hc0 = fit.cov.dot(&meat).dot(&fit.cov);
        let hc1 = hc0.mapv(|v| v * n as f64 / (n as f64 - k));
        let se: Vec<f64> = fit.cov.diag().iter().map(|v| v.sqrt()).collect();
        let q = dist::qnorm(0.5 + self.ci_level / 2.0);
        let z: Vec<f64> = fit.coef.iter().zip(&se).map(|(b, s)| b / s).collect();
        let pv: Vec<f64> = z.iter().map(|t| 2.0 * dist::pnorm(-t.abs())).collect();
        Ok(GlmFit {
            config: self.clone(),
            response: resp,
            terms: names.clone(),
            coef: Array1::from(fit.coef.clone()),
            se: Array1::from(se.clone()),
            z: Array1::from(z),
            p: Array1::from(pv),
            ci_lower: fit.coef.iter().zip(&se).map(|(b, s)| b - q * s).collect(),
            ci_upper: fit.coef.iter().zip(&se).map(|(b, s)| b + q * s).collect(),
            vcov: fit.cov,
            hc0,
            hc1,
            deviance: fit.deviance,
            null_deviance,
            df_residual: n - p,
            df_null: n - off,
            aic,
            bic,
            log_lik: -0.5 * m2ll,
            iterations: fit.iterations,
            converged: fit.converged,
            n_obs: n,
            fitted: Array1::from(fit.mu),
            intercept,
            x: mm.x,
            y: mm.y,
            names,
            assign,
            spec: mm.spec,
            warnings,
        })
    }
}

/// A fitted generalized linear model: the numbers of `summary(glm())`, `confint.default`,
/// `AIC`, `BIC`, `logLik`, `sandwich::sandwich` and `drop1(test = "LRT")`.
///
/// Validated against R 4.2.2 `glm` on mtcars (logit, probit), warpbreaks and swiss (Poisson).
#[derive(Debug, Clone)]
pub struct GlmFit {
    config: Glm,
    response: String,
    terms: Vec<String>,
    coef: Array1<f64>,
    se: Array1<f64>,
    z: Array1<f64>,
    p: Array1<f64>,
    ci_lower: Array1<f64>,
    ci_upper: Array1<f64>,
    vcov: Array2<f64>,
    hc0: Array2<f64>,
    hc1: Array2<f64>,
    deviance: f64,
    null_deviance: f64,
    df_residual: usize,
    df_null: usize,
    aic: f64,
    bic: f64,
    log_lik: f64,
    iterations: usize,
    converged: bool,
    n_obs: usize,
    fitted: Array1<f64>,
    intercept: bool,
    /// Model matrix without the intercept column.
    x: Array2<f64>,
    y: Vec<f64>,
    names: Vec<String>,
    assign: Vec<Option<usize>>,
    spec: DesignSpec,
    warnings: Vec<Warning>,
}

impl GlmFit {
    /// The family and link.
    pub fn family(&self) -> GlmFamily {
        self.config.family
    }
    /// The response.
    pub fn response(&self) -> &str {
        &self.response
    }
    /// Coefficient names as R prints them.
    pub fn terms(&self) -> &[String] {
        &self.terms
    }
    /// Estimates.
    pub fn coefficients(&self) -> &Array1<f64> {
        &self.coef
    }
    /// Standard errors (inverse Fisher information, dispersion 1).
    pub fn std_errors(&self) -> &Array1<f64> {
        &self.se
    }
    /// Wald z values.
    pub fn z_values(&self) -> &Array1<f64> {
        &self.z
    }
    /// Two-sided normal p-values.
    pub fn p_values(&self) -> &Array1<f64> {
        &self.p
    }
    /// Lower Wald interval limits at the configured level (`confint.default`).
    pub fn ci_lower(&self) -> &Array1<f64> {
        &self.ci_lower
    }
    /// Upper Wald interval limits.
    pub fn ci_upper(&self) -> &Array1<f64> {
        &self.ci_upper
    }
    /// Level of the intervals.
    pub fn ci_level(&self) -> f64 {
        self.config.ci_level
    }
    /// `exp` of the estimates and of the Wald limits: odds ratios (logit) or rate ratios
    /// (Poisson), as (estimate, lower, upper).
    pub fn exp_coefficients(&self) -> (Array1<f64>, Array1<f64>, Array1<f64>) {
        (self.coef.mapv(f64::exp), self.ci_lower.mapv(f64::exp), self.ci_upper.mapv(f64::exp))
    }
    /// Covariance of the estimates.
    pub fn vcov(&self) -> &Array2<f64> {
        &self.vcov
    }
    /// Sandwich covariance HC0 (`sandwich::sandwich`) or HC1 (× n/(n − p)).
    pub fn vcov_robust(&self, hc1: bool) -> &Array2<f64> {
        if hc1 { &self.hc1 } else { &self.hc0 }
    }
    /// Residual deviance.
    pub fn deviance(&self) -> f64 {
        self.deviance
    }
    /// Null deviance.
    pub fn null_deviance(&self) -> f64 {
        self.null_deviance
    }
    /// Residual degrees of freedom.
    pub fn df_residual(&self) -> usize {
        self.df_residual
    }
    /// Null degrees of freedom.
    pub fn df_null(&self) -> usize {
        self.df_null
    }
    /// AIC.
    pub fn aic(&self) -> f64 {
        self.aic
    }
    /// BIC.
    pub fn bic(&self) -> f64 {
        self.bic
    }
    /// Log-likelihood.
    pub fn log_lik(&self) -> f64 {
        self.log_lik
    }
    /// IRLS iterations.
    pub fn iterations(&self) -> usize {
        self.iterations
    }
    /// Whether IRLS met its criterion (relative deviance change below 1e-14).
    pub fn converged(&self) -> bool {
        self.converged
    }
    /// Observations used.
    pub fn n_obs(&self) -> usize {
        self.n_obs
    }
    /// Fitted means.
    pub fn fitted_values(&self) -> &Array1<f64> {
        &self.fitted
    }
    /// Warnings (rows dropped, non-convergence, fitted probabilities 0 or 1 / separation).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Likelihood-ratio test of each term that no other term contains (R's
    /// `drop1(test = "LRT")`): the deviance increase when its columns are dropped.
    ///
    /// # Errors
    /// Errors of the refits.
    pub fn lr_tests(&self) -> Result<Vec<LrTest>> {
        let labels = self.spec.term_labels();
        let vars = &self.spec.formula.terms;
        let mut out = Vec::new();
        for (k, label) in labels.iter().enumerate() {
            let contained =
                (0..vars.len()).any(|m| m != k && vars[k].iter().all(|v| vars[m].contains(v)));
            if contained {
                continue;
            }
            let cols: Vec<usize> =
                (0..self.assign.len()).filter(|&j| self.assign[j] != Some(k)).collect();
            let names: Vec<String> = cols.iter().map(|&j| self.names[j].clone()).collect();
            let dev = if cols.is_empty() {
                let mu0 = self.config.family.inv(0.0).0;
                self.y.iter().map(|&v| self.config.family.unit_deviance(v, mu0)).sum()
            } else {
                let off = usize::from(self.intercept);
                let keep_int = self.intercept && cols.first() == Some(&0);
                let design = Design {
                    x: self.x.view(),
                    cols: cols.iter().filter(|&&j| j >= off).map(|&j| j - off).collect(),
                    intercept: keep_int,
                };
                irls::irls(&design, &self.y, &self.config.control(&names))?.deviance
            };
            let df = self.assign.len() - cols.len();
            let stat = dev - self.deviance;
            let p = dist::chisq_sf(stat, df as f64);
            out.push(LrTest { term: label.clone(), df, statistic: stat, p_value: p });
        }
        Ok(out)
    }
}
