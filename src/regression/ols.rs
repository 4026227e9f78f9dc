//! The OLS estimator and its fitted value.

use ndarray::{Array1, Array2, ArrayRef1, ArrayRef2, ArrayView1, ArrayView2, Axis};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::dd;
use super::design::{self, DesignSpec};
use super::diagnostics;
use super::formula::Formula;
use super::inference;
use super::robust::{self, HcSet};
use super::solver::{
    Design, QrFactor, RANK_TOL, RefineMode, TriFactor, UpperFactor, residual_pass, stream_qr,
};
use crate::core::dist;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::summary::{Block, ParamRow, Summary, Table, fmt_pvalue, signif_stars};
use crate::warning::Warning;

mod dataset;
mod fit;
mod qr;

/// R's `lm` tolerance on the sequential relative distance of a column from the span of the
/// preceding ones (`qr(tol = 1e-7)`); columns below it are kept here but warned about.
const R_COLLINEAR_TOL: f64 = 1e-7;

/// What to do when predictors are linearly dependent (the design matrix is rank deficient).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum RankDeficiency {
    /// Refuse to fit: [`Error::RankDeficient`] names the aliased columns (the default).
    #[default]
    Error,
    /// Drop the aliased columns, fit the rest and report them in
    /// [`OlsFit::aliased`] (as R's `lm`, which gives them `NA` coefficients).
    Drop,
}

/// Which standard errors the coefficient table (t values, p-values, intervals) uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum SeType {
    /// Classical `σ̂² (XᵀX)⁻¹` (R's `summary.lm`, the default).
    #[default]
    Classical,
    /// Heteroskedasticity-consistent HC0 (White).
    Hc0,
    /// HC1 = HC0 · n / (n − p).
    Hc1,
    /// HC2: squared residuals divided by `1 − h_ii`.
    Hc2,
    /// HC3: squared residuals divided by `(1 − h_ii)²`.
    Hc3,
    /// HC4: squared residuals divided by `(1 − h_ii)^δ_i`, `δ_i = min(4, n h_ii / p)`.
    Hc4,
    /// Cluster-robust HC0 (sandwich `vcovCL(type = "HC0")`); needs [`Ols::cluster`].
    ClusterHc0,
    /// Cluster-robust HC1 (sandwich `vcovCL`'s default); needs [`Ols::cluster`].
    ClusterHc1,
}

impl SeType {
    /// The heteroskedasticity-consistent type, if any.
    pub fn hc(self) -> Option<HcType> {
        match self {
            SeType::Classical => None,
            SeType::Hc0 => Some(HcType::Hc0),
            SeType::Hc1 => Some(HcType::Hc1),
            SeType::Hc2 => Some(HcType::Hc2),
            SeType::Hc3 => Some(HcType::Hc3),
            SeType::Hc4 => Some(HcType::Hc4),
            SeType::ClusterHc0 | SeType::ClusterHc1 => None,
        }
    }

    /// Short lowercase name (`classical`, `hc0`, …).
    pub fn name(self) -> &'static str {
        match self {
            SeType::Classical => "classical",
            SeType::Hc0 => "hc0",
            SeType::Hc1 => "hc1",
            SeType::Hc2 => "hc2",
            SeType::Hc3 => "hc3",
            SeType::Hc4 => "hc4",
            SeType::ClusterHc0 => "cluster-hc0",
            SeType::ClusterHc1 => "cluster-hc1",
        }
    }
}

/// A heteroskedasticity-consistent (sandwich) covariance type, as `sandwich::vcovHC(type = …)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum HcType {
    /// `(XᵀX)⁻¹ Xᵀ diag(e²) X (XᵀX)⁻¹` (White 1980).
    Hc0,
    /// HC0 · n / (n − p) (MacKinnon & White 1985).
    Hc1,
    /// weights `e²/(1 − h)` (MacKinnon & White 1985).
    Hc2,
    /// weights `e²/(1 − h)²` (Davidson & MacKinnon 1993).
    Hc3,
    /// weights `e²/(1 − h)^δ`, `δ = min(4, n h / p)` (Cribari-Neto 2004).
    Hc4,
}

impl HcType {
    /// The four classical types in order (HC4 is computed alongside them).
    pub const ALL: [HcType; 4] = [HcType::Hc0, HcType::Hc1, HcType::Hc2, HcType::Hc3];

    /// Name as in sandwich (`HC0` … `HC3`).
    pub fn name(self) -> &'static str {
        match self {
            HcType::Hc0 => "HC0",
            HcType::Hc1 => "HC1",
            HcType::Hc2 => "HC2",
            HcType::Hc3 => "HC3",
            HcType::Hc4 => "HC4",
        }
    }
}

/// Whether the four sandwich covariances are computed at fit time.
///
/// They cost about two passes of `n·p²` flops over the data (leverages and three weighted
/// cross-products), more than the QR itself for tall designs, so very large fits may skip them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum RobustCovariance {
    /// Compute HC0–HC3 (the default).
    #[default]
    Compute,
    /// Skip them (unless [`SeType`] asks for one, which forces the computation).
    Skip,
}

/// Iterative refinement of the least-squares solution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum Refinement {
    /// Refine when the forward-error bound of the plain QR solution,
    /// `p ε (κ + κ² ρ)` with `κ` the condition number of the equilibrated design and
    /// `ρ = ‖r‖ / (‖A‖ ‖x‖)`, exceeds `1e-13` (the default).
    #[default]
    Auto,
    /// Always refine (until the correction stalls at the level of rounding).
    Always,
    /// Never refine: the plain Householder QR solution.
    Never,
}

/// The F test of the regression (all slopes zero; all coefficients zero without intercept).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FTest {
    /// F statistic.
    pub value: f64,
    /// Numerator degrees of freedom.
    pub df1: f64,
    /// Denominator degrees of freedom.
    pub df2: f64,
    /// Upper-tail p-value.
    pub p_value: f64,
}

/// Koenker's studentized Breusch–Pagan test (as `lmtest::bptest` with its defaults).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BreuschPagan {
    /// `n · ‖P w‖² / ‖w‖²`, `w = e² − RSS/n`, `P` the projection on the design's column space.
    pub statistic: f64,
    /// Degrees of freedom: rank of the design − 1.
    pub df: f64,
    /// Upper chi-square tail.
    pub p_value: f64,
}

/// Ordinary least squares regression, configured with consuming setters and fitted with
/// [`Ols::fit`] (matrix + response) or [`Ols::fit_dataset`] (a [`Dataset`] and an R-like
/// formula from [`Ols::from_formula`]).
///
/// The results are those of R's `summary(lm())`, `confint`, `logLik`/`AIC`/`BIC`,
/// `sandwich::vcovHC` (HC0–HC3), `car::vif`, the Durbin–Watson statistic and Koenker's
/// studentized Breusch–Pagan test (`lmtest::bptest`).
///
/// # Formula
/// ```text
/// b  = argmin ‖y − X b‖²                  (Householder QR of the column-equilibrated X,
///                                          Björck iterative refinement)
/// σ̂² = RSS / (n − p)        Cov(b) = σ̂² (XᵀX)⁻¹ = σ̂² D R⁻¹ R⁻ᵀ D
/// t  = b / se               CI = b ± t_{(1+level)/2, n−p} · se
/// R² = MSS / (MSS + RSS)    MSS = Σ (ŷ − mean ŷ)²  (Σ ŷ² without intercept: uncentered)
/// F  = (MSS / (p − i)) / σ̂²,  i = 1 with intercept, 0 without
/// logLik = −n/2 (log 2π + 1 − log n + log RSS),  df = p + 1
/// AIC = −2 logLik + 2 df,  BIC = −2 logLik + log(n) df
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::regression::Ols;
/// let x = array![[1.0, 2.0], [2.0, 1.0], [3.0, 4.0], [4.0, 3.0], [5.0, 6.0], [6.0, 5.5]];
/// let y = array![3.1, 3.9, 7.2, 7.8, 11.1, 11.4];
/// let fit = Ols::new().ci_level(0.90).fit(&x, &y).unwrap();
/// assert_eq!(fit.terms(), ["(Intercept)", "x1", "x2"]);
/// assert!(fit.r_squared() > 0.99);
/// println!("{}", fit.summary());
/// ```
///
/// With a formula on a dataset:
/// ```
/// use surveystat::{data::Dataset, regression::Ols};
/// let ds = Dataset::from_csv_str("y,a,b\n1,1,3\n2,2,1\n3,3,4\n5,4,1\n5,5,9\n7,6,2\n", "mem").unwrap();
/// let fit = Ols::from_formula("y ~ a + b").unwrap().fit_dataset(&ds).unwrap();
/// assert_eq!(fit.params()[1].rhs, "a");
/// ```
///
/// # Errors
/// See [`Ols::fit`].
///
/// # References
/// Golub & Van Loan (2013), *Matrix Computations*, 4th ed., §5.2–5.5; Björck (1967), "Iterative
/// refinement of linear least squares solutions I", BIT 7; Higham (2002), *Accuracy and
/// Stability of Numerical Algorithms*, ch. 20; White (1980); MacKinnon & White (1985);
/// Koenker (1981); Durbin & Watson (1950); Fox & Monette (1992) for the VIF.
#[derive(Debug, Clone, PartialEq)]
pub struct Ols {
    intercept: bool,
    ci_level: f64,
    rank_deficiency: RankDeficiency,
    se_type: SeType,
    robust: RobustCovariance,
    refinement: Refinement,
    rank_tol: f64,
    names: Option<Vec<String>>,
    response: Option<String>,
    formula: Option<Formula>,
    weights: Option<String>,
    cluster: Option<String>,
}

impl Default for Ols {
    fn default() -> Self {
        Self::new()
    }
}

impl Ols {
    /// Defaults: intercept, 95 % intervals, rank deficiency is an error, classical standard
    /// errors, HC0–HC3 computed, automatic refinement.
    pub fn new() -> Self {
        Self {
            intercept: true,
            ci_level: 0.95,
            rank_deficiency: RankDeficiency::Error,
            se_type: SeType::Classical,
            robust: RobustCovariance::Compute,
            refinement: Refinement::Auto,
            rank_tol: RANK_TOL,
            names: None,
            response: None,
            formula: None,
            weights: None,
            cluster: None,
        }
    }

    /// An estimator for an R-like model formula: `y ~ x1 + x2`, `y ~ .` (every other numeric
    /// column), `y ~ 0 + x1` or `y ~ x1 - 1` (no intercept), `y ~ . - x3`.
    ///
    /// # Errors
    /// [`Error::Syntax`] (line 1, the 1-based column of the offending character) for a malformed
    /// formula; [`Error::DuplicateVariable`] for a term given twice.
    pub fn from_formula(formula: &str) -> Result<Self> {
        let f = Formula::parse(formula)?;
        let mut o = Self::new();
        o.intercept = f.intercept;
        o.formula = Some(f);
        Ok(o)
    }

    /// Include an intercept column (default `true`).
    pub fn intercept(mut self, yes: bool) -> Self {
        self.intercept = yes;
        if let Some(f) = &mut self.formula {
            f.intercept = yes;
        }
        self
    }

    /// Confidence level of the coefficient intervals (default 0.95; must lie in (0, 1)).
    pub fn ci_level(mut self, level: f64) -> Self {
        self.ci_level = level;
        self
    }

    /// Policy for linearly dependent predictors (default [`RankDeficiency::Error`]).
    pub fn rank_deficiency(mut self, policy: RankDeficiency) -> Self {
        self.rank_deficiency = policy;
        self
    }

    /// Which standard errors the coefficient table uses (default [`SeType::Classical`]).
    pub fn se_type(mut self, se: SeType) -> Self {
        self.se_type = se;
        self
    }

    /// Whether HC0–HC3 are computed (default [`RobustCovariance::Compute`]).
    pub fn robust_covariance(mut self, r: RobustCovariance) -> Self {
        self.robust = r;
        self
    }

    /// Refinement policy of the least-squares solution (default [`Refinement::Auto`]).
    pub fn refinement(mut self, r: Refinement) -> Self {
        self.refinement = r;
        self
    }

    /// Relative rank tolerance `τ` on the column-equilibrated design (default `1e-11`; see
    /// docs/methods/regression.md).
    pub fn rank_tolerance(mut self, tol: f64) -> Self {
        self.rank_tol = tol;
        self
    }

    /// Names of the predictor columns for [`Ols::fit`] (default `x1`, `x2`, …).
    pub fn names<S: AsRef<str>>(mut self, names: &[S]) -> Self {
        self.names = Some(names.iter().map(|s| s.as_ref().to_string()).collect());
        self
    }

    /// A column of case weights for [`Ols::fit_dataset`]: weighted least squares minimising
    /// `Σ w_i e_i²`, as `lm(weights = )`. Rows with a missing weight are dropped with the other
    /// incomplete rows; rows with weight zero are left out of the fit; a negative weight is an
    /// error.
    pub fn weights(mut self, column: impl Into<String>) -> Self {
        self.weights = Some(column.into());
        self
    }

    /// A column of cluster labels for [`Ols::fit_dataset`]: the cluster-robust covariances
    /// (sandwich `vcovCL`, HC0 and HC1) are computed and [`SeType::ClusterHc1`] or
    /// [`SeType::ClusterHc0`] may be used in the coefficient table.
    pub fn cluster(mut self, column: impl Into<String>) -> Self {
        self.cluster = Some(column.into());
        self
    }

    /// Name of the response for [`Ols::fit`] (default `y`).
    pub fn response(mut self, name: impl Into<String>) -> Self {
        self.response = Some(name.into());
        self
    }

    fn check_options(&self) -> Result<()> {
        if !(self.ci_level > 0.0 && self.ci_level < 1.0) {
            return Err(Error::invalid(
                "ci_level",
                format!("must lie in (0, 1), got {}", self.ci_level),
            ));
        }
        if !(self.rank_tol.is_finite() && self.rank_tol > 0.0 && self.rank_tol < 1.0) {
            return Err(Error::invalid(
                "rank_tolerance",
                format!("must lie in (0, 1), got {}", self.rank_tol),
            ));
        }
        Ok(())
    }

    /// Fit `y` on the columns of `x` (**rows are observations, columns are predictors**), plus an
    /// intercept unless [`Ols::intercept`]`(false)`.
    ///
    /// Rows with a missing value (`NaN`) in `y` or any column of `x` are dropped (listwise, as
    /// R's default `na.omit`) and reported as [`Warning::RowsDropped`].
    ///
    /// # Errors
    /// - [`Error::DimensionMismatch`]: `y` and `x` differ in rows, or the names do not fit;
    /// - [`Error::NonFinite`]: an infinite value;
    /// - [`Error::TooFewObservations`]: fewer than `p + 1` complete rows (no residual df);
    /// - [`Error::ConstantColumn`]: `y` is constant;
    /// - [`Error::RankDeficient`]: aliased columns under [`RankDeficiency::Error`];
    /// - [`Error::InvalidParameter`]: a bad option (for example `ci_level` outside (0, 1)).
    pub fn fit(&self, x: &ArrayRef2<f64>, y: &ArrayRef1<f64>) -> Result<OlsFit> {
        self.check_options()?;
        let k = x.ncols();
        let names =
            crate::convention::column_names(self.names.as_deref(), k, "predictor names", "x")?;
        let response = self.response.clone().unwrap_or_else(|| "y".into());
        let formula = format!(
            "{response} ~ {}{}",
            if self.intercept { "" } else { "0 + " },
            if names.is_empty() { "1".to_string() } else { names.join(" + ") }
        );
        self.fit_view(x.view(), (0..k).collect(), names, y.view(), response, formula)
    }

    fn fit_view(
        &self,
        x: ArrayView2<'_, f64>,
        cols: Vec<usize>,
        names: Vec<String>,
        y: ArrayView1<'_, f64>,
        response: String,
        formula: String,
    ) -> Result<OlsFit> {
        if y.len() != x.nrows() {
            return Err(Error::DimensionMismatch {
                what: "rows of y vs rows of x".into(),
                expected: x.nrows(),
                found: y.len(),
            });
        }
        // Fast path: no missing or infinite value, which the streaming QR checks while it
        // copies the rows (no separate scan of X).
        let y_vec: Vec<f64> = y.to_vec();
        {
            let design = Design { x, cols: cols.clone(), intercept: self.intercept };
            if design.p() > 0
                && x.nrows() >= design.p()
                && let Some(tri) = stream_qr(&design, Some(&y_vec))
            {
                return self.fit_complete(
                    x,
                    cols,
                    names,
                    y_vec,
                    response,
                    formula,
                    Vec::new(),
                    0,
                    Some(tri),
                );
            }
        }
        // Missing and non-finite values.
        let mut keep = Vec::with_capacity(x.nrows());
        for (i, row) in x.outer_iter().enumerate() {
            let yi = y[i];
            if yi.is_infinite() {
                return Err(Error::NonFinite {
                    what: format!("response `{response}` row {}", i + 1),
                });
            }
            let mut ok = !yi.is_nan();
            let mut bad = false;
            match row.as_slice() {
                Some(r) => {
                    for &c in &cols {
                        let v = r[c];
                        ok &= !v.is_nan();
                        bad |= v.is_infinite();
                    }
                }
                None => {
                    for &c in &cols {
                        let v = row[c];
                        ok &= !v.is_nan();
                        bad |= v.is_infinite();
                    }
                }
            }
            if bad {
                let k = cols.iter().position(|&c| row[c].is_infinite()).unwrap_or(0);
                return Err(Error::NonFinite {
                    what: format!("predictor `{}` row {}", names[k], i + 1),
                });
            }
            if ok {
                keep.push(i);
            }
        }
        let dropped = x.nrows() - keep.len();
        let mut warnings = Vec::new();
        if dropped > 0 {
            warnings.push(Warning::RowsDropped { dropped, remaining: keep.len() });
            let xs = x.select(Axis(0), &keep).select(Axis(1), &cols);
            let ys: Vec<f64> = keep.iter().map(|&i| y_vec[i]).collect();
            let kk = cols.len();
            return self.fit_complete(
                xs.view(),
                (0..kk).collect(),
                names,
                ys,
                response,
                formula,
                warnings,
                dropped,
                None,
            );
        }
        self.fit_complete(x, cols, names, y_vec, response, formula, warnings, 0, None)
    }

    #[allow(clippy::too_many_arguments)]
    fn fit_complete(
        &self,
        x: ArrayView2<'_, f64>,
        cols: Vec<usize>,
        names: Vec<String>,
        y_vec: Vec<f64>,
        response: String,
        formula: String,
        warnings: Vec<Warning>,
        n_dropped: usize,
        prefactored: Option<TriFactor>,
    ) -> Result<OlsFit> {
        let n = x.nrows();
        let mut design = Design { x, cols, intercept: self.intercept };
        let mut names = names;
        let p = design.p();
        if p == 0 {
            return Err(Error::TooFewVariables { needed: 1, got: 0 });
        }
        if n < p {
            return Err(Error::TooFewObservations { needed: p + 1, got: n });
        }
        // sums of squares of the response and the predictors must be representable
        crate::core::scale::check_column_scale(&response, y_vec.iter().copied())?;
        for (j, &c) in design.cols.iter().enumerate() {
            let name = names.get(j).map_or("predictor", String::as_str);
            crate::core::scale::check_column_scale(name, design.x.column(c).iter().copied())?;
        }
        if y_vec.iter().all(|&v| v == y_vec[0]) {
            return Err(Error::ConstantColumn { name: response });
        }
        let term_name = |design: &Design<'_>, names: &[String], k: usize| -> String {
            if design.intercept {
                if k == 0 { "(Intercept)".to_string() } else { names[k - 1].clone() }
            } else {
                names[k].clone()
            }
        };
        // Streaming QR of [X y]: the triangular factor, without a copy of X.
        let non_finite = || Error::NonFinite { what: "design or response".into() };
        let mut tri = match prefactored {
            Some(t) => t,
            None => stream_qr(&design, Some(&y_vec)).ok_or_else(non_finite)?,
        };
        let (_rank, aliased_idx) = tri.aliased(self.rank_tol);
        let mut aliased = Vec::new();
        if !aliased_idx.is_empty() {
            let aliased_names: Vec<String> =
                aliased_idx.iter().map(|&k| term_name(&design, &names, k)).collect();
            match self.rank_deficiency {
                RankDeficiency::Error => {
                    return Err(Error::RankDeficient { aliased: aliased_names });
                }
                RankDeficiency::Drop => {
                    if aliased_idx.contains(&0) && design.intercept {
                        return Err(Error::RankDeficient { aliased: aliased_names });
                    }
                    aliased = aliased_names;
                    let off = usize::from(design.intercept);
                    let mut new_cols = Vec::new();
                    let mut new_names = Vec::new();
                    for (j, &c) in design.cols.iter().enumerate() {
                        if !aliased_idx.contains(&(j + off)) {
                            new_cols.push(c);
                            new_names.push(names[j].clone());
                        }
                    }
                    design = Design { x: design.x, cols: new_cols, intercept: design.intercept };
                    names = new_names;
                    if design.p() == 0 {
                        return Err(Error::TooFewVariables { needed: 1, got: 0 });
                    }
                    tri = stream_qr(&design, Some(&y_vec)).ok_or_else(non_finite)?;
                    let (_, again) = tri.aliased(self.rank_tol);
                    if !again.is_empty() {
                        let more: Vec<String> =
                            again.iter().map(|&k| term_name(&design, &names, k)).collect();
                        return Err(Error::RankDeficient { aliased: more });
                    }
                }
            }
        }
        let p = design.p();
        if n < p + 1 {
            return Err(Error::TooFewObservations { needed: p + 1, got: n });
        }
        let terms: Vec<String> = (0..p).map(|k| term_name(&design, &names, k)).collect();
        let mode = match self.refinement {
            Refinement::Auto => RefineMode::Auto,
            Refinement::Always => RefineMode::Always,
            Refinement::Never => RefineMode::Never,
        };
        let nf = n as f64;
        // Plain QR solution from the factor: x = R₀⁻¹ (Qᵀy)₁ (equilibrated coordinates).
        let (mut xq, resid_norm) = tri.qty().unwrap_or_else(|| (vec![0.0; p], 0.0));
        tri.solve_r(&mut xq);
        let rinv_t = tri.r_inverse();
        let cond_t = tri.condition(&rinv_t);
        let refine = match mode {
            RefineMode::Never => false,
            RefineMode::Always => true,
            RefineMode::Auto => {
                // Forward-error bound of Householder least squares (Higham 2002, §20.1).
                let xn = xq.iter().map(|v| v * v).sum::<f64>().sqrt();
                let rho = if xn > 0.0 { resid_norm / ((p as f64).sqrt() * xn) } else { 0.0 };
                let bound = f64::EPSILON * (cond_t + cond_t * cond_t * rho) * (p as f64);
                bound.is_nan() || bound > 1e-13
            }
        };
        // Factor of [1, X] for a model without intercept: car's centred VIF and the column
        // means (for the standard deviations).
        let tri_c = if !design.intercept && !design.cols.is_empty() {
            let d2 = Design { x: design.x, cols: design.cols.clone(), intercept: true };
            Some(stream_qr(&d2, None).ok_or_else(non_finite)?)
        } else {
            None
        };
        let coef_v: Vec<f64>;
        let resid_v: Vec<f64>;
        let fitted_v: Vec<f64>;
        let rinv: Vec<f64>;
        let cond: f64;
        let scale: Vec<f64>;
        let r_dense: Vec<f64>;
        let sds: Vec<f64>;
        let (refinements, refinement_converged, last_correction);
        let rss: f64;
        let pw: f64;
        if refine {
            // Ill-conditioned design (or refinement forced): Björck's refinement of the
            // augmented system needs Q, so the design is factored again with the reflectors
            // kept (one n×(p+1) copy).
            let mut factor = QrFactor::new(&design, Some(&y_vec));
            rinv = factor.r_inverse();
            cond = factor.condition(&rinv);
            let sol = factor.solve(&design, &y_vec, mode, 20, cond);
            fitted_v = y_vec.iter().zip(&sol.residuals).map(|(a, b)| a - b).collect();
            rss = dd::par_sum_sq(n, |i| sol.residuals[i]);
            // Breusch–Pagan projection: ‖(Qᵀw)₁‖², w = e² − RSS/n.
            let mut w: Vec<f64> = sol.residuals.iter().map(|e| e * e - rss / nf).collect();
            factor.apply_qt(&mut w);
            pw = dd::sum_sq(w[..p].iter().copied());
            scale = factor.scale.clone();
            r_dense = factor.r_dense();
            sds = std::mem::take(&mut factor.sds);
            coef_v = sol.coef;
            resid_v = sol.residuals;
            refinements = sol.refinements;
            refinement_converged = sol.converged;
            last_correction = sol.last_correction;
        } else {
            scale = tri.scale.clone();
            coef_v = xq.iter().zip(&scale).map(|(a, d)| a * d).collect();
            // Column means and centred sums of squares from the factor of a design with an
            // intercept (this one, or [1, X] for a model without intercept).
            let (means, css) = match &tri_c {
                None => {
                    (tri.means(design.intercept).unwrap_or_else(|| vec![0.0; p]), tri.centered_ss())
                }
                Some(t) => (
                    t.means(true).map(|m| m[1..].to_vec()).unwrap_or_else(|| vec![0.0; p]),
                    t.centered_ss()[1..].to_vec(),
                ),
            };
            // One fused sweep over X: fitted values, residuals and Xᵀ(e² − c₀).
            let c0 = resid_norm * resid_norm / nf;
            let mut fv = vec![0.0; n];
            let mut rv = vec![0.0; n];
            let xw = residual_pass(&design, &y_vec, &coef_v, c0, &mut fv, &mut rv);
            rss = dd::par_sum_sq(n, |i| rv[i]);
            // Breusch–Pagan: Xᵀw = Xᵀ(e² − c₀) − (c − c₀) Xᵀ1 with c = RSS/n (a tiny correction:
            // c₀ = ρ²/n from the factor agrees with c to rounding), then
            // ‖P w‖² = ‖R₀⁻ᵀ D Xᵀw‖² (semi-normal equations with the QR's R₀).
            let c = rss / nf;
            let mut z: Vec<f64> =
                (0..p).map(|k| (xw[k] - (c - c0) * nf * means[k]) * scale[k]).collect();
            tri.solve_rt(&mut z);
            pw = dd::sum_sq(z.iter().copied());
            sds = css.iter().map(|v| (v / (nf - 1.0)).sqrt()).collect();
            rinv = rinv_t;
            cond = cond_t;
            r_dense = tri.r_dense();
            fitted_v = fv;
            resid_v = rv;
            refinements = 0;
            refinement_converged = true;
            last_correction = 0.0;
        }
        let coef = Array1::from(coef_v);

        let xtx_inv = xtx_inverse(&rinv, &scale, p);
        let df_res = (n - p) as f64;
        let sigma2 = rss / df_res;
        let vcov = xtx_inv.mapv(|v| v * sigma2);

        // Robust covariances.
        let need_hc = self.robust == RobustCovariance::Compute || self.se_type != SeType::Classical;
        let hc =
            if need_hc { Some(robust::sandwich(&design, &scale, &rinv, &resid_v)) } else { None };

        // Breusch–Pagan (Koenker): BP = n ‖P w‖² / ‖w‖², w = e² − RSS/n.
        let cbar = rss / nf;
        let ww = dd::par_sum_sq(n, |i| resid_v[i] * resid_v[i] - cbar);
        let bp_df = (p as f64) - 1.0;
        let bp_stat = nf * pw / ww;
        let bp_p = if bp_df >= 1.0 {
            ChiSquared::new(bp_df).map(|c| c.sf(bp_stat)).unwrap_or(f64::NAN)
        } else {
            f64::NAN
        };
        let breusch_pagan = BreuschPagan { statistic: bp_stat, df: bp_df, p_value: bp_p };

        // VIF (car::vif): from the trailing block of R (intercept removed).
        let vif = diagnostics::vif_from_r(&r_dense, &rinv, p, usize::from(design.intercept));
        // Near-collinear columns kept by the rank tolerance but below R's 1e-7.
        let mut warnings = warnings;
        let off = usize::from(design.intercept);
        for (k, &dist) in tri.sequential_distances().iter().enumerate() {
            if k >= off && dist < R_COLLINEAR_TOL {
                warnings.push(Warning::Collinear {
                    term: terms[k].clone(),
                    relative_distance: dist,
                    vif: vif.get(k - off).copied().unwrap_or(f64::NAN),
                    condition: cond,
                });
            }
        }
        let vif_centered = if design.intercept {
            vif.clone()
        } else {
            match &tri_c {
                None => Array1::zeros(0),
                Some(t) => diagnostics::vif_from_r(&t.r_dense(), &t.r_inverse(), t.p(), 1),
            }
        };

        // Standardized coefficients (beta weights): b_j sd(x_j) / sd(y).
        let ybar = dd::par_sum(n, |i| y_vec[i]) / nf;
        let sd_y = (dd::par_sum_sq(n, |i| y_vec[i] - ybar) / (nf - 1.0)).sqrt();
        let off = usize::from(design.intercept);
        let beta: Array1<f64> =
            (0..design.cols.len()).map(|j| coef[j + off] * sds[j + off] / sd_y).collect();

        let durbin_watson = dd::par_sum_sq(n - 1, |i| resid_v[i + 1] - resid_v[i]) / rss;

        // Model summaries as R's summary.lm.
        let mss = if design.intercept {
            let m = dd::par_sum(n, |i| fitted_v[i]) / nf;
            dd::par_sum_sq(n, |i| fitted_v[i] - m)
        } else {
            dd::par_sum_sq(n, |i| fitted_v[i])
        };
        let residuals = Array1::from(resid_v);
        let fitted = Array1::from(fitted_v);
        let Goodness { r_squared, adj_r_squared, f_test, log_lik, aic, bic } =
            goodness(mss, rss, nf, p, design.intercept);

        let mut fit = OlsFit {
            config: self.clone(),
            formula,
            response,
            terms,
            aliased,
            intercept: design.intercept,
            n_obs: n,
            n_dropped,
            coef,
            vcov,
            xtx_inv,
            se_type: self.se_type,
            std_errors: Array1::zeros(p),
            t_values: Array1::zeros(p),
            p_values: Array1::zeros(p),
            ci_lower: Array1::zeros(p),
            ci_upper: Array1::zeros(p),
            residuals,
            fitted,
            rss,
            sigma: sigma2.sqrt(),
            df_residual: n - p,
            r_squared,
            adj_r_squared,
            f_test,
            log_lik,
            aic,
            bic,
            hc,
            vif,
            vif_centered,
            beta,
            durbin_watson,
            breusch_pagan,
            condition: cond,
            refinements,
            refinement_converged,
            last_correction,
            params: Vec::new(),
            warnings,
            design: None,
            model: None,
            cluster: None,
            weighted: false,
        };
        fit.fill_table()?;
        Ok(fit)
    }
}

/// A fitted OLS regression: the numbers of `summary(lm())`, `confint`, `logLik`, `AIC`, `BIC`,
/// `sandwich::vcovHC`, `car::vif`, Durbin–Watson and the studentized Breusch–Pagan test.
///
/// Validated against R 4.2.2 `stats::lm` (with sandwich 3.0-2 and car 3.1-1) on longley,
/// mtcars (with and without intercept), swiss and the study composites, and against the
/// certified NIST StRD linear-regression values.
#[derive(Debug, Clone)]
pub struct OlsFit {
    config: Ols,
    formula: String,
    response: String,
    terms: Vec<String>,
    aliased: Vec<String>,
    intercept: bool,
    n_obs: usize,
    n_dropped: usize,
    coef: Array1<f64>,
    vcov: Array2<f64>,
    xtx_inv: Array2<f64>,
    se_type: SeType,
    std_errors: Array1<f64>,
    t_values: Array1<f64>,
    p_values: Array1<f64>,
    ci_lower: Array1<f64>,
    ci_upper: Array1<f64>,
    residuals: Array1<f64>,
    fitted: Array1<f64>,
    rss: f64,
    sigma: f64,
    df_residual: usize,
    r_squared: f64,
    adj_r_squared: f64,
    f_test: Option<FTest>,
    log_lik: f64,
    aic: f64,
    bic: f64,
    hc: Option<HcSet>,
    vif: Array1<f64>,
    vif_centered: Array1<f64>,
    beta: Array1<f64>,
    durbin_watson: f64,
    breusch_pagan: BreuschPagan,
    condition: f64,
    refinements: usize,
    refinement_converged: bool,
    last_correction: f64,
    params: Vec<ParamRow>,
    warnings: Vec<Warning>,
    design: Option<DesignSpec>,
    model: Option<ModelData>,
    cluster: Option<ClusterCov>,
    weighted: bool,
}

/// The model matrix of a formula fit (intercept column first, rows weighted by √w).
#[derive(Debug, Clone)]
struct ModelData {
    x: Array2<f64>,
    y: Array1<f64>,
    sqrt_w: Option<Vec<f64>>,
    names: Vec<String>,
    assign: Vec<Option<usize>>,
}

/// Cluster-robust covariances.
#[derive(Debug, Clone)]
struct ClusterCov {
    hc0: Array2<f64>,
    hc1: Array2<f64>,
    n_clusters: usize,
}

impl Ols {
    /// The column of case weights ([`Ols::weights`]), if any.
    pub fn weights_column(&self) -> Option<&str> {
        self.weights.as_deref()
    }
    /// The cluster column ([`Ols::cluster`]), if any.
    pub fn cluster_column(&self) -> Option<&str> {
        self.cluster.as_deref()
    }
}

/// R², adjusted R², the overall F test, the Gaussian log-likelihood and AIC/BIC (as R's
/// `summary.lm` and `logLik.lm`) from the model and residual sums of squares of a fit with `p`
/// coefficients on `n` rows.
pub(crate) struct Goodness {
    pub r_squared: f64,
    pub adj_r_squared: f64,
    pub f_test: Option<FTest>,
    pub log_lik: f64,
    pub aic: f64,
    pub bic: f64,
}

pub(crate) fn goodness(mss: f64, rss: f64, n: f64, p: usize, intercept: bool) -> Goodness {
    let df_res = n - p as f64;
    let sigma2 = rss / df_res;
    let r_squared = mss / (mss + rss);
    let df_int = if intercept { 1.0 } else { 0.0 };
    let adj_r_squared = 1.0 - (1.0 - r_squared) * ((n - df_int) / df_res);
    let df1 = p as f64 - df_int;
    let f_test = if df1 > 0.0 {
        let value = (mss / df1) / sigma2;
        let pv = crate::core::dist::f_sf(value, df1, df_res);
        Some(FTest { value, df1, df2: df_res, p_value: pv })
    } else {
        None
    };
    let log_lik = -0.5 * n * ((2.0 * std::f64::consts::PI).ln() + 1.0 - n.ln() + rss.ln());
    let ll_df = p as f64 + 1.0;
    let aic = -2.0 * log_lik + 2.0 * ll_df;
    let bic = -2.0 * log_lik + n.ln() * ll_df;
    Goodness { r_squared, adj_r_squared, f_test, log_lik, aic, bic }
}

/// (XᵀX)⁻¹ = D R⁻¹ R⁻ᵀ D from the inverse of the triangular factor of the column-scaled design
/// (`rinv`, p × p row-major upper triangular) and the column scales `d`.
pub(crate) fn xtx_inverse(rinv: &[f64], d: &[f64], p: usize) -> Array2<f64> {
    let mut xtx_inv = Array2::<f64>::zeros((p, p));
    for i in 0..p {
        for j in i..p {
            let s = (j..p).map(|k| rinv[i * p + k] * rinv[j * p + k]).sum::<f64>() * d[i] * d[j];
            xtx_inv[[i, j]] = s;
            xtx_inv[[j, i]] = s;
        }
    }
    xtx_inv
}
