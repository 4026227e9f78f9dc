//! Factor scores: regression (Thurstone), Bartlett and ten Berge weights.

use ndarray::{Array1, Array2, ArrayRef2, Axis};

use super::efa::EfaFit;
use crate::core::linalg;
use crate::error::{Error, Result};

/// How factor scores are computed from standardized item scores `Z` (scores = `Z W`).
///
/// # Formula
/// ```text
/// Regression (Thurstone 1935):  W = R⁻¹ Λ Φ
/// Bartlett (1937):              W = Ψ⁻¹ Λ (Λᵀ Ψ⁻¹ Λ)⁻¹,   Ψ = diag(u²)
/// ten Berge et al. (1999):      L = Λ Φ^½,  C = R^-½ L (Lᵀ R⁻¹ L)^-½,  W = R^-½ C Φ^½
///                               (scores whose correlation matrix is exactly Φ)
/// Z = (x − mean) / sd  (sd with divisor n − 1)
/// ```
///
/// # Examples
/// ```
/// use surveystat::factor::ScoreMethod;
/// let m = ScoreMethod::Regression;
/// # let _ = m;
/// ```
///
/// # References
/// Thurstone, L. L. (1935). *The Vectors of Mind*. Bartlett, M. S. (1937). The statistical
/// conception of mental factors. *British Journal of Psychology* 28, 97–104. ten Berge, J. M. F.,
/// Krijnen, W. P., Wansbeek, T. & Shapiro, A. (1999). Some new results on correlation-preserving
/// factor scores prediction methods. *Linear Algebra and its Applications* 289, 311–318.
/// Validated against R psych 2.2.9 `factor.scores` (regression, Bartlett, tenBerge) on
/// Holzinger–Swineford x1–x9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum ScoreMethod {
    /// Regression / Thurstone scores (psych's `"regression"`).
    #[default]
    Regression,
    /// Bartlett's weighted least-squares scores (psych's `"Bartlett"`).
    Bartlett,
    /// ten Berge's correlation-preserving scores (psych's `"tenBerge"`).
    TenBerge,
}

impl ScoreMethod {
    /// psych's name (`"regression"`, `"Bartlett"`, `"tenBerge"`).
    pub fn psych_name(self) -> &'static str {
        match self {
            ScoreMethod::Regression => "regression",
            ScoreMethod::Bartlett => "Bartlett",
            ScoreMethod::TenBerge => "tenBerge",
        }
    }

    /// Parse a name, case-insensitively (`regression`/`thurstone`, `bartlett`, `tenberge`).
    pub fn from_name(name: &str) -> Option<ScoreMethod> {
        match name.to_ascii_lowercase().as_str() {
            "regression" | "thurstone" => Some(ScoreMethod::Regression),
            "bartlett" => Some(ScoreMethod::Bartlett),
            "tenberge" => Some(ScoreMethod::TenBerge),
            _ => None,
        }
    }
}

/// `A^power` of a symmetric positive definite matrix through its eigendecomposition.
fn sym_power(a: &Array2<f64>, power: f64, name: &str) -> Result<Array2<f64>> {
    let (vals, vecs) = linalg::sym_eigen(a.view(), name)?;
    if vals.iter().any(|&v| !(v > 0.0)) {
        return Err(Error::NotPositiveDefinite { matrix: name.to_string() });
    }
    let scaled = Array2::from_shape_fn(vecs.dim(), |(i, j)| vecs[[i, j]] * vals[j].powf(power));
    Ok(scaled.dot(&vecs.t()))
}

impl EfaFit {
    /// Factor-score weights `W` (items × factors) for `method`.
    ///
    /// # Errors
    /// [`Error::NotPositiveDefinite`] / [`Error::Singular`] when `R` or `ΛᵀΨ⁻¹Λ` cannot be
    /// inverted; [`Error::InvalidParameter`] for Bartlett scores with a uniqueness ≤ 0 (Heywood
    /// case).
    pub fn score_weights(&self, method: ScoreMethod) -> Result<Array2<f64>> {
        let l = self.loadings();
        match method {
            ScoreMethod::Regression => {
                let s = l.dot(self.phi());
                linalg::spd_solve(self.correlation().view(), s.view(), "R")
            }
            ScoreMethod::Bartlett => {
                let u = self.uniquenesses();
                if u.iter().any(|&v| !(v > 0.0)) {
                    return Err(Error::invalid(
                        "uniquenesses",
                        "Bartlett scores need positive uniquenesses (Heywood case)",
                    ));
                }
                let wl = Array2::from_shape_fn(l.dim(), |(i, j)| l[[i, j]] / u[i]);
                let m = l.t().dot(&wl);
                let minv = linalg::inverse(m.view(), "Λᵀ Ψ⁻¹ Λ")?;
                Ok(wl.dot(&minv))
            }
            ScoreMethod::TenBerge => {
                let r = self.correlation();
                let phi_half = sym_power(self.phi(), 0.5, "Φ")?;
                let big_l = l.dot(&phi_half);
                let r_half_inv = sym_power(r, -0.5, "R")?;
                let rinv_l = linalg::spd_solve(r.view(), big_l.view(), "R")?;
                let m = big_l.t().dot(&rinv_l);
                let c = r_half_inv.dot(&big_l).dot(&sym_power(&m, -0.5, "Lᵀ R⁻¹ L")?);
                Ok(r_half_inv.dot(&c).dot(&phi_half))
            }
        }
    }

    /// Squared multiple correlations of the factors with the items, diag(Wᵀ Λ Φ) for the
    /// regression weights (psych `R2`).
    ///
    /// # Errors
    /// As [`EfaFit::score_weights`].
    pub fn score_r2(&self) -> Result<Array1<f64>> {
        let w = self.score_weights(ScoreMethod::Regression)?;
        let s = self.loadings().dot(self.phi());
        Ok(w.t().dot(&s).diag().to_owned())
    }

    /// Factor scores of the rows of `x` (rows = observations, the same items in the same order as
    /// fitted): `Z W` with `Z` standardized by the column means and standard deviations (divisor
    /// n − 1) of `x` itself, as psych's `factor.scores`. Rows with a missing value get `NaN`
    /// scores.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] when `x` has the wrong number of columns;
    /// [`Error::ConstantColumn`] for a zero-variance column; as [`EfaFit::score_weights`].
    pub fn scores(&self, x: &ArrayRef2<f64>, method: ScoreMethod) -> Result<Array2<f64>> {
        let p = self.names().len();
        if x.ncols() != p {
            return Err(Error::DimensionMismatch {
                what: "data columns for factor scores".into(),
                expected: p,
                found: x.ncols(),
            });
        }
        let w = self.score_weights(method)?;
        let n = x.nrows();
        let mut z = Array2::<f64>::zeros((n, p));
        for j in 0..p {
            let col = x.column(j);
            let obs: Vec<f64> = col.iter().copied().filter(|v| !v.is_nan()).collect();
            if obs.len() < 2 {
                return Err(Error::TooFewObservations { needed: 2, got: obs.len() });
            }
            let m = obs.iter().sum::<f64>() / obs.len() as f64;
            let sd = (obs.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (obs.len() as f64 - 1.0))
                .sqrt();
            if !(sd > 0.0) {
                return Err(Error::ConstantColumn { name: self.names()[j].clone() });
            }
            for i in 0..n {
                z[[i, j]] = (col[i] - m) / sd;
            }
        }
        let mut out = z.dot(&w);
        for (i, row) in z.axis_iter(Axis(0)).enumerate() {
            if row.iter().any(|v| v.is_nan()) {
                out.row_mut(i).fill(f64::NAN);
            }
        }
        Ok(out)
    }
}

/// Factor scores with the weights that produced them, from [`EfaFit::factor_scores`].
#[derive(Debug, Clone, PartialEq)]
pub struct FactorScores {
    /// How the scores were computed.
    pub method: ScoreMethod,
    /// The score weights W (items × factors).
    pub weights: Array2<f64>,
    /// The scores (rows of the data × factors); `NaN` for a row with a missing value.
    pub values: Array2<f64>,
}

impl FactorScores {
    /// The number of rows scored (without a missing value).
    pub fn n_scored(&self) -> usize {
        self.values.rows().into_iter().filter(|r| r.iter().all(|v| !v.is_nan())).count()
    }
}

impl EfaFit {
    /// [`EfaFit::score_weights`] and [`EfaFit::scores`] of `x` together.
    ///
    /// # Errors
    /// Those of [`EfaFit::scores`].
    pub fn factor_scores(&self, x: &ArrayRef2<f64>, method: ScoreMethod) -> Result<FactorScores> {
        Ok(FactorScores {
            method,
            weights: self.score_weights(method)?,
            values: self.scores(x, method)?,
        })
    }
}

/// An EFA with its factor scores: prints as the fit followed by the score weights, and
/// serializes as the fit's JSON with a `scores` object {method, weights, values}
/// (`surveystat efa --scores`).
#[derive(Debug, Clone, Copy)]
pub struct EfaReport<'a> {
    pub(super) fit: &'a EfaFit,
    pub(super) scores: Option<&'a FactorScores>,
}

impl<'a> EfaReport<'a> {
    /// The report of `fit` alone.
    pub fn new(fit: &'a EfaFit) -> Self {
        Self { fit, scores: None }
    }
    /// Add factor scores.
    pub fn scores(mut self, scores: &'a FactorScores) -> Self {
        self.scores = Some(scores);
        self
    }
}

impl std::fmt::Display for EfaReport<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.fit)?;
        let Some(sc) = self.scores else { return Ok(()) };
        writeln!(f, "\nFactor score weights ({})", sc.method.psych_name())?;
        write!(f, "{:<10}", "")?;
        for name in self.fit.factor_names() {
            write!(f, "{name:>9}")?;
        }
        writeln!(f)?;
        for (i, item) in self.fit.names().iter().enumerate() {
            write!(f, "{item:<10}")?;
            for j in 0..sc.weights.ncols() {
                write!(f, "{:>9.3}", sc.weights[[i, j]])?;
            }
            writeln!(f)?;
        }
        writeln!(f, "{} of {} rows scored", sc.n_scored(), sc.values.nrows())
    }
}
