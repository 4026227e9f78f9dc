//! Structural equation models with lavaan-style model syntax: CFA, path analysis and full SEM.
//!
//! Stages: [`parse_model`] (syntax) → parameter table with lavaan's `cfa()`/`sem()` defaults →
//! model matrices (all-y LISREL form, Σ = Λ (I − B)⁻¹ Ψ (I − B)⁻ᵀ Λᵀ + Θ) → sample statistics →
//! starting values → discrepancy function (ML, GLS, ULS) → estimation (Fisher scoring or BFGS) →
//! expected-information standard errors → χ² test and fit measures → standardized solutions →
//! defined parameters (delta method) → modification indices.
//!
//! # Examples
//! ```
//! use ndarray::array;
//! use surveystat::sem::Sem;
//! // a one-factor model fitted to a covariance matrix
//! let cov = array![[1.0, 0.5, 0.4], [0.5, 1.0, 0.3], [0.4, 0.3, 1.0]];
//! let names = ["a", "b", "c"];
//! let fit = Sem::from_syntax("f =~ a + b + c").unwrap().fit_cov(&cov, &names, 200).unwrap();
//! assert!(fit.fit_measure("chisq").unwrap().abs() < 1e-8); // just identified
//! ```
//!
//! # References
//! Bollen, K. A. (1989). *Structural Equations with Latent Variables*. Wiley.
//! Rosseel, Y. (2012). lavaan: An R package for structural equation modeling. *Journal of
//! Statistical Software*, 48(2). Validated against R lavaan 0.6.14 on HolzingerSwineford1939,
//! PoliticalDemocracy and the study data (tests/reference/sem.rs).

mod bifactor;
mod bootstrap;
mod bootstrap_refit;
mod defined;
mod driver;
use crate::core::linalg::small as dense;
mod constraints;
mod estimate;
mod fiml;
mod fit;
mod fit_measures;
mod groups;
mod growth;
mod invariance;
mod meanstructure;
mod model;
mod modindices;
mod multigroup;
mod objective;
mod ordinal;
mod params;
mod partable;
mod power;
mod refit;
mod robust;
mod sample_stats;
mod standardize;
mod start;
mod syntax;
mod vcov;

use std::fmt;

use ndarray::{Array1, Array2, ArrayRef2};

pub use bifactor::{BifactorGroup, BifactorOmega, BifactorReport, bifactor_syntax};
pub use bootstrap::{BootstrapCi, SemBootstrap, SemBootstrapFit, SemBootstrapKind};
pub use constraints::ConstraintValue;
pub use estimate::Optimizer;
pub use fit::SemFit;
use fit::param_table;
pub use invariance::InvarianceReport;
pub use invariance::{
    ConstraintScore, Invariance, InvarianceFit, InvarianceStep, InvarianceStepFit,
    LatentMeanDifference, ScoreTests, StepComparison,
};
pub use invariance::{DifferenceMethod, ScaledDifference};
pub use invariance::{PartialRule, PartialSearch, PartialSearchStep, PartialStage};
pub use modindices::ModIndex;
pub use multigroup::{
    ChisqDifference, GroupDifference, GroupEqual, GroupResult, MultiGroupFit, MultiGroupSem,
};
pub use ordinal::Parameterization;
use params::{admissibility_warnings, fill_inference, free_names, param_rows};
pub use partable::ParRow;
pub use power::SemPower;
pub use syntax::ConstraintOp;
pub use syntax::{BinOp, Expr, ModelSyntax, Modifier, Op, Statement, Term, parse_model};

use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::moments::Moments;
use crate::summary::{Convergence, ParamRow, Summary, Table, fmt_num, fmt_pvalue};
use crate::warning::Warning;
use model::ModelStructure;
use objective::{Discrepancy, Objective};
use partable::{ParTable, TableOptions};
use sample_stats::SampleStats;

/// Estimator (discrepancy function).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Estimator {
    /// Maximum likelihood (normal theory), lavaan's default.
    #[default]
    Ml,
    /// Normal-theory generalized least squares.
    Gls,
    /// Unweighted least squares.
    Uls,
    /// ML with robust (sandwich, expected information) SEs and the Satorra–Bentler scaled χ²
    /// (lavaan's `MLM`; complete raw data).
    Mlm,
    /// ML with robust SEs as [`Estimator::Mlm`] and the mean-and-variance adjusted
    /// (scaled-shifted) χ² (lavaan's `MLMV`).
    Mlmv,
    /// ML with Huber–White SEs (observed information) and the Yuan–Bentler scaled χ² (lavaan's
    /// `MLR`, Mplus variant).
    Mlr,
    /// Diagonally weighted least squares on thresholds and polychoric correlations (ordered
    /// indicators), standard errors and test as lavaan's `estimator = "DWLS"`.
    Dwls,
    /// Weighted least squares with the full inverse asymptotic covariance as weight (ordered
    /// indicators).
    Wls,
    /// DWLS estimates with robust (sandwich) standard errors and the mean-and-variance
    /// adjusted χ²: lavaan's `WLSMV`, the default for ordered indicators.
    Wlsmv,
    /// ULS estimates with robust standard errors and the mean-and-variance adjusted χ² (ordered
    /// indicators), lavaan's `ULSMV`.
    Ulsmv,
}

/// Likelihood convention of ML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Likelihood {
    /// S with divisor N, χ² = 2 N fmin (lavaan's default).
    #[default]
    Normal,
    /// S with divisor N − 1, χ² = 2 (N − 1) fmin.
    Wishart,
}

/// Treatment of missing values (NaN) in raw data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum SemMissing {
    /// Drop every row with a missing value on a model variable (lavaan's `missing = "listwise"`,
    /// the default); the number of dropped rows is reported as [`Warning::RowsDropped`].
    #[default]
    Listwise,
    /// Full-information maximum likelihood (lavaan's `missing = "ml"`): every row contributes
    /// the likelihood of its observed values; a mean structure is added (observed intercepts
    /// free, latent means fixed at 0), χ² is tested against the saturated model fitted by EM,
    /// standard errors come from the observed information. Rows with no observed value are
    /// dropped (and counted). ML only.
    Fiml,
}

/// A structural equation model specification with estimation options.
///
/// Build with [`Sem::from_syntax`], adjust with the consuming setters, then [`Sem::fit`] a dataset
/// (variables selected by name; rows with missing values on them are dropped listwise, or with
/// [`Sem::missing`]`(`[`SemMissing::Fiml`]`)` every row contributes by full-information ML) or
/// [`Sem::fit_cov`] a covariance matrix (divisor N − 1, as R's `cov()`) and its N.
///
/// # Examples
/// ```
/// use surveystat::sem::{Estimator, Sem};
/// let sem = Sem::from_syntax("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6")
///     .unwrap()
///     .estimator(Estimator::Ml)
///     .std_lv(true);
/// assert!(sem.model().statements.len() == 2);
/// ```
///
/// # Errors
/// [`Error::Syntax`] from [`Sem::from_syntax`] with the line and column of the problem.
#[derive(Debug, Clone, PartialEq)]
pub struct Sem {
    syntax: ModelSyntax,
    estimator: Estimator,
    likelihood: Likelihood,
    std_lv: bool,
    fixed_x: bool,
    ci_level: f64,
    optimizer: Optimizer,
    max_iter: usize,
    allow_nonconverged: bool,
    missing: SemMissing,
    /// The robust estimator (MLM, MLMV, MLR) layered on the ML point estimate.
    robust: Option<Estimator>,
    ordered: Vec<String>,
    ordered_all: bool,
    estimator_set: bool,
    parameterization: ordinal::Parameterization,
    /// A mean structure on complete data (lavaan's `meanstructure = TRUE`).
    meanstructure: bool,
}

impl Sem {
    /// Parse lavaan model syntax.
    ///
    /// # Errors
    /// [`Error::Syntax`] with the 1-based line and column and what was expected.
    pub fn from_syntax(model: &str) -> Result<Self> {
        Ok(Self::from_model(syntax::parse(model)?))
    }

    /// Use an already parsed model.
    pub fn from_model(model: ModelSyntax) -> Self {
        Self {
            syntax: model,
            estimator: Estimator::Ml,
            likelihood: Likelihood::Normal,
            std_lv: false,
            fixed_x: true,
            ci_level: 0.95,
            optimizer: Optimizer::Auto,
            max_iter: 1000,
            allow_nonconverged: false,
            missing: SemMissing::Listwise,
            robust: None,
            ordered: Vec::new(),
            ordered_all: false,
            estimator_set: false,
            parameterization: ordinal::Parameterization::Delta,
            meanstructure: false,
        }
    }

    /// The parsed model.
    pub fn model(&self) -> &ModelSyntax {
        &self.syntax
    }
    /// Estimator (default ML). The robust estimators (MLM, MLMV, MLR) estimate by ML and replace
    /// the SEs and add the scaled test and fit measures from the raw data.
    pub fn estimator(mut self, e: Estimator) -> Self {
        self.robust = robust::scaling_of(e).map(|_| e);
        self.estimator = if self.robust.is_some() { Estimator::Ml } else { e };
        self.estimator_set = true;
        self
    }
    /// The robust estimator (MLM, MLMV, MLR) if one was chosen.
    pub fn robust_estimator(&self) -> Option<Estimator> {
        self.robust
    }
    /// ML likelihood convention (default normal).
    pub fn likelihood(mut self, l: Likelihood) -> Self {
        self.likelihood = l;
        self
    }
    /// Identify latent variables by fixing their variances to 1 (all loadings free).
    pub fn std_lv(mut self, yes: bool) -> Self {
        self.std_lv = yes;
        self
    }
    /// Fix the (co)variances of exogenous observed covariates at their sample values (default true).
    pub fn fixed_x(mut self, yes: bool) -> Self {
        self.fixed_x = yes;
        self
    }
    /// Confidence level of the Wald intervals (default 0.95).
    pub fn ci_level(mut self, level: f64) -> Self {
        self.ci_level = level;
        self
    }
    /// Optimisation algorithm (default [`Optimizer::Auto`]: BFGS with a Fisher-scoring fallback).
    pub fn optimizer(mut self, o: Optimizer) -> Self {
        self.optimizer = o;
        self
    }
    /// Iteration limit (default 1000).
    pub fn max_iter(mut self, n: usize) -> Self {
        self.max_iter = n;
        self
    }
    /// Return a fit (with a warning) instead of [`Error::NotConverged`] when the optimizer stops
    /// without converging.
    pub fn allow_nonconverged(mut self, yes: bool) -> Self {
        self.allow_nonconverged = yes;
        self
    }
    /// Treatment of missing values in raw data (default [`SemMissing::Listwise`];
    /// [`SemMissing::Fiml`] = lavaan's `missing = "ml"`).
    ///
    /// # Examples
    /// ```
    /// use surveystat::sem::{Sem, SemMissing};
    /// let sem = Sem::from_syntax("f =~ a + b + c").unwrap().missing(SemMissing::Fiml);
    /// assert_eq!(sem.missing_mode(), SemMissing::Fiml);
    /// ```
    pub fn missing(mut self, m: SemMissing) -> Self {
        self.missing = m;
        self
    }
    /// The missing-data treatment.
    pub fn missing_mode(&self) -> SemMissing {
        self.missing
    }
    /// Declare observed variables ordered-categorical (lavaan's `ordered = c(...)`): the model
    /// is then fitted to thresholds and polychoric correlations (delta parameterization) by
    /// [`Estimator::Wlsmv`] unless another least-squares estimator is chosen. Every observed
    /// variable of the model must be ordered; rows with missing values are dropped listwise.
    /// Validated against lavaan 0.6.14 (docs/methods/sem.md, "Ordinal indicators").
    ///
    /// # Examples
    /// ```
    /// use surveystat::sem::Sem;
    /// let sem = Sem::from_syntax("f =~ a + b + c").unwrap().ordered(&["a", "b", "c"]);
    /// assert!(sem.is_ordinal());
    /// ```
    pub fn ordered<S: AsRef<str>>(mut self, names: &[S]) -> Self {
        self.ordered = names.iter().map(|s| s.as_ref().to_string()).collect();
        self
    }
    /// Declare every observed variable of the model ordered (see [`Sem::ordered`]).
    pub fn ordered_all(mut self) -> Self {
        self.ordered_all = true;
        self
    }
    /// The estimator: the one set with [`Sem::estimator`], else ML, or WLSMV with ordered
    /// indicators.
    pub fn estimator_kind(&self) -> Estimator {
        if !self.estimator_set && self.is_ordinal() { Estimator::Wlsmv } else { self.estimator }
    }
    /// Whether variables are declared ordered.
    pub fn is_ordinal(&self) -> bool {
        self.ordered_all || !self.ordered.is_empty()
    }

    /// Build the parameter table and model matrices once, for repeated fits.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for contradictory models, [`Error::NotIdentified`] for
    /// latent variables without indicators or negative degrees of freedom.
    pub fn compile(&self) -> Result<SemModel> {
        if !(self.ci_level > 0.0 && self.ci_level < 1.0) {
            return Err(Error::invalid("ci_level", "must be strictly between 0 and 1"));
        }
        if self.is_ordinal() {
            return Err(Error::invalid(
                "ordered",
                "models with ordered indicators are fitted from raw data (Sem::fit); covariance input, compiled models, bootstrap and multiple groups are not available for them",
            ));
        }
        if matches!(
            self.estimator,
            Estimator::Dwls | Estimator::Wls | Estimator::Wlsmv | Estimator::Ulsmv
        ) {
            return Err(Error::invalid(
                "estimator",
                "DWLS, WLS, WLSMV and ULSMV need ordered indicators (Sem::ordered)",
            ));
        }
        let pt = ParTable::build(
            &self.syntax,
            TableOptions {
                std_lv: self.std_lv,
                fixed_x: self.fixed_x,
                meanstructure: self.missing == SemMissing::Fiml || self.meanstructure,
            },
        )?;
        let st = ModelStructure::new(&pt)?;
        let p = pt.ov.len();
        let nx = pt.ov_x.len();
        let mut ndat = p * (p + 1) / 2 - nx * (nx + 1) / 2;
        if pt.meanstructure {
            ndat += p - nx;
            if self.estimator != Estimator::Ml {
                return Err(Error::invalid(
                    "estimator",
                    "full-information ML and mean structures (`~ 1`) need the ML estimator",
                ));
            }
        }
        if pt.npar > ndat {
            return Err(Error::NotIdentified {
                reason: format!(
                    "the model has {} free parameters but only {ndat} sample moments (df = {})",
                    pt.npar,
                    ndat as i64 - pt.npar as i64
                ),
            });
        }
        Ok(SemModel { config: self.clone(), pt, st, ndat })
    }

    /// Fit to the model's variables in `data` (rows = observations), dropping incomplete rows
    /// ([`SemMissing::Listwise`]) or by full-information ML ([`SemMissing::Fiml`]: mean
    /// structure, saturated model by EM for χ², observed-information SEs; validated against
    /// lavaan 0.6.14 `missing = "ml"` on HS_missing10). Models with `~ 1` rows are fitted with
    /// their mean structure (on the complete rows when listwise).
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use surveystat::sem::{Sem, SemMissing};
    /// let n = f64::NAN;
    /// let x = array![
    ///     [1.0, 2.1, 2.9], [2.0, 2.9, n], [3.0, n, 5.2], [n, 4.8, 6.1], [5.0, 5.1, 7.2],
    ///     [2.5, 3.7, 4.4], [4.1, 4.0, 5.8], [1.5, 2.4, 3.1], [3.6, 3.9, n], [4.4, 5.2, 6.6],
    /// ];
    /// let fit = Sem::from_syntax("f =~ a + b + c")
    ///     .unwrap()
    ///     .missing(SemMissing::Fiml)
    ///     .fit_array(&x, &["a", "b", "c"])
    ///     .unwrap();
    /// assert_eq!(fit.n_obs(), 10);
    /// assert!(fit.parameter("a", "~1", "").is_some()); // intercepts are added
    /// ```
    ///
    /// # Errors
    /// [`Error::UnknownVariable`] for model variables missing from the data; errors of
    /// [`Sem::compile`]; [`Error::LatentNameCollision`] when a latent variable has the name of a
    /// data column; [`Error::NotPositiveDefinite`] for a singular sample covariance;
    /// [`Error::NotIdentified`] for a singular information matrix, and with FIML for a variable
    /// without observed values or a pair of variables never observed together;
    /// [`Error::NotConverged`]; [`Error::InvalidParameter`] for FIML with GLS/ULS or with fixed-x
    /// covariates.
    pub fn fit(&self, data: &Dataset) -> Result<SemFit> {
        if self.is_ordinal() {
            constraints::refuse(&self.syntax, "models with ordered indicators")?;
            return ordinal::fit(self, data);
        }
        let model = self.compile()?;
        check_latent_names(&model.pt.lv, data.names())?;
        for v in &model.pt.ov {
            if let Ok(col) = data.column(v) {
                crate::core::scale::check_column_scale(v, col.iter().copied())?;
            }
        }
        if model.pt.meanstructure {
            if self.robust.is_some()
                && (self.robust != Some(Estimator::Mlr) || self.missing != SemMissing::Fiml)
            {
                return Err(Error::invalid(
                    "estimator",
                    "robust ML with a mean structure is available as MLR with FIML only",
                ));
            }
            return model.fit_raw(data);
        }
        let ss = SampleStats::from_dataset(data, &model.pt.ov)?;
        let fit = model.fit_stats(ss)?;
        match self.robust {
            Some(r) => robust::apply(fit, r, data),
            None => Ok(fit),
        }
    }

    /// Fit to a data matrix whose columns are named `names` (rows = observations).
    ///
    /// # Errors
    /// As [`Sem::fit`].
    pub fn fit_array<S: AsRef<str>>(&self, x: &ArrayRef2<f64>, names: &[S]) -> Result<SemFit> {
        let ds = Dataset::from_array(names, x.to_owned())?;
        self.fit(&ds)
    }

    /// Fit to a covariance matrix (divisor N − 1) of the variables `names`, from `n` observations.
    ///
    /// # Errors
    /// As [`Sem::fit`]; [`Error::DimensionMismatch`] if `names` does not match `cov`.
    pub fn fit_cov<S: AsRef<str>>(
        &self,
        cov: &ArrayRef2<f64>,
        names: &[S],
        n: usize,
    ) -> Result<SemFit> {
        let model = self.compile()?;
        model.no_meanstructure("fit_cov")?;
        if self.robust.is_some() {
            return Err(Error::invalid(
                "estimator",
                "robust ML (MLM, MLMV, MLR) needs raw data (Sem::fit), not a covariance matrix",
            ));
        }
        let names: Vec<String> = names.iter().map(|s| s.as_ref().to_string()).collect();
        check_latent_names(&model.pt.lv, &names)?;
        let ss = SampleStats::from_cov(&cov.to_owned(), &names, &model.pt.ov, n)?;
        model.fit_stats(ss)
    }
}

/// A latent variable named like a data column is refused (as lavaan does).
fn check_latent_names(lv: &[String], data_names: &[String]) -> Result<()> {
    match lv.iter().find(|l| data_names.contains(l)) {
        Some(name) => Err(Error::LatentNameCollision { name: name.clone() }),
        None => Ok(()),
    }
}

/// A compiled model (parameter table and matrix layout) that can be fitted to many samples, e.g.
/// in a bootstrap.
#[derive(Debug, Clone)]
pub struct SemModel {
    config: Sem,
    pt: ParTable,
    st: ModelStructure,
    ndat: usize,
}

struct Estimated {
    pt: ParTable,
    st: ModelStructure,
    obj: Objective,
    opt: estimate::OptResult,
    n_eff: f64,
    s_fit: Array2<f64>,
}

impl SemModel {
    /// Observed variables in model order (the order [`SemModel::fit_moments`] expects).
    pub fn observed(&self) -> &[String] {
        &self.pt.ov
    }
    /// Latent variables.
    pub fn latent(&self) -> &[String] {
        &self.pt.lv
    }
    /// Number of free parameters.
    pub fn npar(&self) -> usize {
        self.pt.npar
    }
    /// The parameter table (before fitting; fixed-x values are filled in at fit time).
    pub fn partable(&self) -> &[ParRow] {
        &self.pt.rows
    }

    /// Names of the free parameters (label, or `lhs op rhs`), in θ order.
    pub fn free_parameter_names(&self) -> Vec<String> {
        free_names(&self.pt)
    }

    /// Model-implied covariance Σ(θ) for free parameters `theta` (models without fixed-x
    /// covariates, whose values come from the data).
    ///
    /// # Formula
    /// ```text
    /// Σ(θ) = Λ (I − B)⁻¹ Ψ (I − B)⁻ᵀ Λᵀ + Θ
    /// ```
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] for a wrong length of `theta`; [`Error::InvalidParameter`]
    /// when the model has fixed-x covariates; [`Error::Singular`] if I − B is singular.
    pub fn implied_cov(&self, theta: &[f64]) -> Result<Array2<f64>> {
        if theta.len() != self.pt.npar {
            return Err(Error::DimensionMismatch {
                what: "parameter vector".into(),
                expected: self.pt.npar,
                found: theta.len(),
            });
        }
        if !self.pt.ov_x.is_empty() {
            return Err(Error::invalid(
                "theta",
                "the model has fixed-x covariates; their (co)variances come from the data",
            ));
        }
        let mats = self.st.matrices(theta);
        Ok(self.st.implied(&mats)?.sigma)
    }

    /// Discrepancy F(θ) (ML: log|Σ| + tr(SΣ⁻¹) − log|S| − p; GLS; ULS) and its analytic
    /// gradient at `theta`, for the sample `m` (the building blocks of the estimator, exposed for
    /// checking and for resampling methods).
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`]; [`Error::NotPositiveDefinite`] if Σ(θ) is not positive
    /// definite (ML) or S is singular.
    pub fn objective(&self, m: &Moments, theta: &[f64]) -> Result<(f64, Vec<f64>)> {
        let (st, obj) = self.bind(m, theta.len())?;
        let pt = estimate::eval(&st, &obj, theta)
            .ok_or_else(|| Error::NotPositiveDefinite { matrix: "implied covariance".into() })?;
        let (g, _) = estimate::gradient(&st, &obj, &pt);
        Ok((pt.val.f, g.to_vec()))
    }

    /// Expected information per observation, Δᵀ W Δ (W = Γ(Σ⁻¹) for ML, Γ(S⁻¹) for GLS, I for ULS).
    ///
    /// # Errors
    /// As [`SemModel::objective`].
    pub fn expected_information(&self, m: &Moments, theta: &[f64]) -> Result<Array2<f64>> {
        let (st, obj) = self.bind(m, theta.len())?;
        let pt = estimate::eval(&st, &obj, theta)
            .ok_or_else(|| Error::NotPositiveDefinite { matrix: "implied covariance".into() })?;
        let (_, delta) = estimate::gradient(&st, &obj, &pt);
        Ok(obj.information(&pt.val, &delta))
    }

    fn no_meanstructure(&self, what: &str) -> Result<()> {
        if self.pt.meanstructure {
            return Err(Error::invalid(
                what,
                "models with a mean structure (FIML or `~ 1`) are fitted from raw data (Sem::fit)",
            ));
        }
        Ok(())
    }

    fn bind(&self, m: &Moments, q: usize) -> Result<(ModelStructure, Objective)> {
        self.no_meanstructure("moments")?;
        if q != self.pt.npar {
            return Err(Error::DimensionMismatch {
                what: "parameter vector".into(),
                expected: self.pt.npar,
                found: q,
            });
        }
        if m.cov().nrows() != self.pt.ov.len() {
            return Err(Error::DimensionMismatch {
                what: "moments and model variables".into(),
                expected: self.pt.ov.len(),
                found: m.cov().nrows(),
            });
        }
        let ss = SampleStats::from_moments(m);
        let (kind, s_fit, _) = self.sample_for(&ss);
        let mut st = self.st.clone();
        for (k, r) in self.pt.rows.iter().enumerate() {
            if r.exo {
                let i = self.pt.ov.iter().position(|v| *v == r.lhs).unwrap_or(0);
                let j = self.pt.ov.iter().position(|v| *v == r.rhs).unwrap_or(0);
                st.set_fixed(k, s_fit[[i, j]]);
            }
        }
        let obj = Objective::new(kind, &s_fit, st.vech.clone())?;
        Ok((st, obj))
    }

    fn sample_for(&self, ss: &SampleStats) -> (Discrepancy, Array2<f64>, f64) {
        sample_for(self.config.estimator, self.config.likelihood, ss)
    }

    /// Fit to moments of the observed variables in [`SemModel::observed`] order.
    ///
    /// # Errors
    /// As [`Sem::fit`].
    pub fn fit_moments(&self, m: &Moments) -> Result<SemFit> {
        self.no_meanstructure("fit_moments")?;
        if m.cov().nrows() != self.pt.ov.len() {
            return Err(Error::DimensionMismatch {
                what: "moments and model variables".into(),
                expected: self.pt.ov.len(),
                found: m.cov().nrows(),
            });
        }
        self.fit_stats(SampleStats::from_moments(m))
    }

    /// Estimates only (free parameters in table order), optionally from given starting values —
    /// the fast path of a bootstrap.
    ///
    /// # Errors
    /// As [`Sem::fit`] (identification is not re-checked).
    pub fn estimate_moments(
        &self,
        m: &Moments,
        start: Option<&[f64]>,
    ) -> Result<(Vec<f64>, Convergence)> {
        self.no_meanstructure("estimate_moments")?;
        let e = self.estimate(SampleStats::from_moments(m), start)?;
        let conv = Convergence {
            converged: e.opt.converged,
            iterations: e.opt.iterations,
            reason: e.opt.reason.clone(),
        };
        Ok((e.opt.point.theta, conv))
    }

    fn estimate(&self, ss: SampleStats, start: Option<&[f64]>) -> Result<Estimated> {
        ss.check(&self.pt.ov)?;
        let cfg = &self.config;
        let (kind, s_fit, n_eff) = self.sample_for(&ss);
        // fixed.x values
        let mut pt = self.pt.clone();
        let mut st = self.st.clone();
        for (k, r) in pt.rows.iter_mut().enumerate() {
            if r.exo {
                let i = self.pt.ov.iter().position(|v| *v == r.lhs).unwrap_or(0);
                let j = self.pt.ov.iter().position(|v| *v == r.rhs).unwrap_or(0);
                let v = s_fit[[i, j]];
                r.fixed = Some(v);
                st.set_fixed(k, v);
            }
        }
        let obj = Objective::new(kind, &s_fit, st.vech.clone())?;
        let theta0: Vec<f64> = match start {
            Some(s) if s.len() == pt.npar => s.to_vec(),
            _ => start::fabin_values(&pt, &st, &s_fit, cfg.std_lv),
        };
        let theta0 = if estimate::eval(&st, &obj, &theta0).is_some() {
            theta0
        } else {
            // fall back to a safe start: small loadings, half variances
            let mut t = start::start_values(&pt, &st, &s_fit, cfg.std_lv);
            for r in &pt.rows {
                if let (Some(f), Op::Regression) = (r.free, r.op) {
                    t[f] = 0.0;
                }
            }
            t
        };
        let opt = if pt.constraints.is_empty() {
            estimate::minimize(&st, &obj, &theta0, cfg.optimizer, cfg.max_iter)
        } else {
            constraints::minimize(&pt, &st, &obj, &theta0, cfg.optimizer, cfg.max_iter)?
        };
        let opt = opt.ok_or_else(|| Error::NotConverged {
            what: "SEM starting values (implied covariance not positive definite)".into(),
            iterations: 0,
        })?;
        if !opt.converged && !cfg.allow_nonconverged {
            return Err(Error::NotConverged {
                what: format!("SEM estimation ({})", opt.reason),
                iterations: opt.iterations,
            });
        }
        Ok(Estimated { pt, st, obj, opt, n_eff, s_fit })
    }

    fn fit_stats(&self, ss: SampleStats) -> Result<SemFit> {
        let cfg = self.config.clone();
        let n_obs = ss.n;
        let n_dropped = ss.n_dropped;
        let e = self.estimate(ss, None)?;
        let Estimated { pt, st, obj, opt, n_eff, s_fit } = e;
        let point = &opt.point;
        let theta = point.theta.clone();
        let ml = cfg.estimator == Estimator::Ml;
        // information and vcov
        let info = estimate::information(&st, &obj, point);
        let par_names: Vec<String> = free_names(&pt);
        let (info_inv, npar, con_warnings) = if pt.constraints.is_empty() {
            (vcov::invert_information(&info, &par_names)?, pt.npar, Vec::new())
        } else {
            let r = constraints::restricted_inverse(&pt, &theta, &info)?;
            (r.info_inv, pt.npar - r.eq_rank, r.warnings)
        };
        // lavaan's "standard" SEs: (N′ Δᵀ W Δ)⁻¹ for every estimator (W = I for ULS)
        let vcov = &info_inv / n_eff;
        // test statistic
        let f = point.val.f;
        let n = n_obs as f64;
        let chisq = n_eff * f;
        let fmin = if ml { f / 2.0 } else { chisq / (2.0 * n) };
        let df = self.ndat as f64 - npar as f64;
        // baseline
        let (base_chisq, base_df) = baseline(&pt, &obj, n_eff, self.ndat)?;
        // fit measures
        let (logdet_sigma, sinv_trace, sinv) =
            match dense::spd_inverse_logdet(&point.imp.sigma).ok_or(()) {
                Ok((inv, ld)) => {
                    let tr = (&s_fit * &inv).sum();
                    (ld, tr, Some(inv))
                }
                Err(_) => (f64::NAN, f64::NAN, None),
            };
        let gfi_w = match cfg.estimator {
            Estimator::Ml | Estimator::Mlm | Estimator::Mlmv | Estimator::Mlr => sinv.clone(),
            Estimator::Gls => Some(obj.s_inv.clone()),
            _ => None,
        };
        let (logl_x, px) = if pt.ov_x.is_empty() {
            (0.0, 0)
        } else {
            let ix: Vec<usize> =
                pt.ov_x.iter().filter_map(|x| pt.ov.iter().position(|v| v == x)).collect();
            let sxx = Array2::from_shape_fn((ix.len(), ix.len()), |(a, b)| s_fit[[ix[a], ix[b]]]);
            (
                crate::core::linalg::spd_logdet(
                    sxx.view(),
                    "covariance of the exogenous covariates",
                )?,
                ix.len(),
            )
        };
        let fm = fit_measures::compute(&fit_measures::FitInputs {
            uls: cfg.estimator == Estimator::Uls,
            logdet_sxx: logl_x,
            px,
            ml,
            npar,
            n: n_obs,
            n_eff,
            fmin,
            chisq,
            df,
            ndat: self.ndat as f64,
            base_chisq,
            base_df,
            s: &s_fit,
            sigma: &point.imp.sigma,
            gfi_weight: gfi_w.as_ref(),
            logdet_sigma,
            logdet_s: obj.logdet_s,
            sinv_trace,
            ci_level: 0.90,
            means: None,
            logl: None,
        });
        let rows = param_rows(&pt, &st, &point.mats, &point.imp, &vcov, cfg.ci_level);
        // warnings
        let mut warnings = Vec::new();
        if n_dropped > 0 {
            warnings.push(Warning::RowsDropped { dropped: n_dropped, remaining: n_obs });
        }
        if !opt.converged {
            warnings.push(Warning::NotConverged {
                what: "SEM estimation".into(),
                iterations: opt.iterations,
            });
        }
        warnings.extend(con_warnings);
        admissibility_warnings(&pt, &st, &point.mats, &point.imp, &mut warnings);
        defined::undefined_warnings(&rows, &mut warnings);
        let sc = standardize::Scales::new(&pt, &st, &point.mats, &point.imp);
        let r2 = standardize::r_squared(&pt, &sc);
        let lv_cor = standardize::lv_correlation(&st, &point.mats, &point.imp);
        let conv = Convergence {
            converged: opt.converged,
            iterations: opt.iterations,
            reason: opt.reason.clone(),
        };
        Ok(SemFit {
            config: cfg,
            rows,
            fit: fm,
            vcov,
            info_inv,
            theta,
            par_names,
            implied: point.imp.sigma.clone(),
            sample: s_fit,
            ov: pt.ov.clone(),
            lv: pt.lv.clone(),
            r2,
            lv_cor,
            convergence: conv,
            grad_max: opt.grad_max / 2.0,
            warnings,
            n_obs,
            pt,
            obj,
            st,
            means: None,
        })
    }
}

/// The discrepancy, the sample covariance it is fitted to and N′ (the multiplier of F in χ²) for
/// an estimator: ML/normal uses divisor N and N′ = N; ML/Wishart, GLS and ULS divisor N − 1 and
/// N′ = N − 1 (lavaan's conventions, per group in a multi-group model).
pub(crate) fn sample_for(
    estimator: Estimator,
    likelihood: Likelihood,
    ss: &SampleStats,
) -> (Discrepancy, Array2<f64>, f64) {
    let n = ss.n as f64;
    match (estimator, likelihood) {
        (Estimator::Ml | Estimator::Mlm | Estimator::Mlmv | Estimator::Mlr, Likelihood::Normal) => {
            (Discrepancy::Ml, &ss.cov * ((n - 1.0) / n), n)
        }
        (
            Estimator::Ml | Estimator::Mlm | Estimator::Mlmv | Estimator::Mlr,
            Likelihood::Wishart,
        ) => (Discrepancy::Ml, ss.cov.clone(), n - 1.0),
        (Estimator::Gls, _) => (Discrepancy::Gls, ss.cov.clone(), n - 1.0),
        // the ordinal estimators never reach here (refused in Sem::compile)
        (_, _) => (Discrepancy::Uls, ss.cov.clone(), n - 1.0),
    }
}

/// Independence (baseline) model fitted with the same discrepancy: free variances of the
/// non-exogenous observed variables, exogenous covariates' (co)variances fixed.
fn baseline(pt: &ParTable, obj: &Objective, n_eff: f64, ndat: usize) -> Result<(f64, f64)> {
    let mut rows = Vec::new();
    let mut npar = 0;
    for v in &pt.ov {
        if pt.ov_x.contains(v) {
            continue;
        }
        rows.push(ParRow {
            lhs: v.clone(),
            op: Op::Covariance,
            rhs: v.clone(),
            label: String::new(),
            user: false,
            fixed: None,
            start: None,
            exo: false,
            free: Some(npar),
        });
        npar += 1;
    }
    let ix: Vec<usize> = pt.ov_x.iter().filter_map(|x| pt.ov.iter().position(|v| v == x)).collect();
    for (a, &i) in ix.iter().enumerate() {
        for &j in ix.iter().skip(a) {
            rows.push(ParRow {
                lhs: pt.ov[i].clone(),
                op: Op::Covariance,
                rhs: pt.ov[j].clone(),
                label: String::new(),
                user: false,
                fixed: Some(obj.s[[i, j]]),
                start: None,
                exo: true,
                free: None,
            });
        }
    }
    let bpt = ParTable {
        rows,
        defined: Vec::new(),
        ov: pt.ov.clone(),
        lv: Vec::new(),
        ov_x: pt.ov_x.clone(),
        npar,
        meanstructure: false,
        constraints: Vec::new(),
    };
    let bst = ModelStructure::new(&bpt)?;
    let start: Vec<f64> = pt
        .ov
        .iter()
        .enumerate()
        .filter(|(_, v)| !pt.ov_x.contains(v))
        .map(|(i, _)| obj.s[[i, i]])
        .collect();
    let opt = estimate::minimize(&bst, obj, &start, Optimizer::FisherScoring, 200)
        .ok_or_else(|| Error::NotPositiveDefinite { matrix: "baseline model covariance".into() })?;
    Ok((n_eff * opt.point.val.f, (ndat - npar) as f64))
}
#[cfg(feature = "serde")]
mod serialize;
#[cfg(feature = "serde")]
pub use serialize::SemReport;
mod fit_measure;
pub use fit_measure::FitMeasure;

impl Sem {
    /// Scaling of the latent responses of ordered indicators (default
    /// [`Parameterization::Delta`]; lavaan's `parameterization = "theta"` with
    /// [`Parameterization::Theta`]). No effect without ordered indicators.
    ///
    /// # Examples
    /// ```
    /// use surveystat::sem::{Parameterization, Sem};
    /// let sem = Sem::from_syntax("f =~ a + b + c")
    ///     .unwrap()
    ///     .ordered(&["a", "b", "c"])
    ///     .parameterization(Parameterization::Theta);
    /// assert_eq!(sem.parameterization_kind(), Parameterization::Theta);
    /// ```
    pub fn parameterization(mut self, p: Parameterization) -> Self {
        self.parameterization = p;
        self
    }
    /// The parameterization of ordered indicators.
    pub fn parameterization_kind(&self) -> Parameterization {
        self.parameterization
    }
}
