//! Incomplete multivariate normal data: missing-data patterns, the observed-data (FIML)
//! log-likelihood with its analytic gradient, and the saturated model by EM.
//!
//! Missing values are `NaN`. Rows are observations, columns variables. Rows with no observed value
//! carry no information and are left out (and counted), as lavaan does.
//!
//! The log-likelihood is evaluated **pattern-wise**: rows sharing the same set of observed
//! variables are grouped once, their sums and cross-products stored, so that one evaluation costs
//! `O(patterns · p³)` whatever the number of rows. This is the building block of full-information
//! ML for structural equation models (the SEM supplies `μ(θ)`, `Σ(θ)` and chains the gradient).

use std::collections::BTreeMap;
use std::fmt;

use ndarray::{Array1, Array2, ArrayRef1, ArrayRef2};

use crate::error::{Error, Result};
use crate::linalg;
use crate::summary::{Convergence, Summary, Table, fmt_num};
use crate::warning::Warning;

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// Smallest eigenvalue / largest below which the EM covariance counts as singular.
const SINGULAR_RATIO: f64 = 1e-12;

/// One missing-data pattern: which variables are observed, and the rows that share it.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Pattern {
    observed: Vec<usize>,
    rows: Vec<usize>,
    /// Σᵢ (yᵢ,O − c_O) over the pattern's rows (c = shift).
    s1: Array1<f64>,
    /// Σᵢ (yᵢ,O − c_O)(yᵢ,O − c_O)ᵀ.
    s2: Array2<f64>,
}

impl Pattern {
    /// 0-based indices of the observed variables.
    pub fn observed(&self) -> &[usize] {
        &self.observed
    }

    /// 0-based indices of the rows with this pattern.
    pub fn rows(&self) -> &[usize] {
        &self.rows
    }

    /// Number of rows with this pattern.
    pub fn n(&self) -> usize {
        self.rows.len()
    }
}

/// The missing-data patterns of a data matrix with their sufficient statistics.
///
/// Built once from the data; then [`MissingPatterns::loglik`] and
/// [`MissingPatterns::loglik_gradient`] evaluate the observed-data log-likelihood at any `(μ, Σ)`
/// in `O(patterns · p³)`.
///
/// # Formula
/// For pattern `k` with observed variables `O`, `n_k` rows and `W_k = Σᵢ (yᵢ,O − μ_O)(yᵢ,O − μ_O)ᵀ`,
/// ```text
/// ℓ(μ, Σ) = Σ_k −½ [ n_k |O| log 2π + n_k log|Σ_OO| + tr(Σ_OO⁻¹ W_k) ]
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::missing::MissingPatterns;
/// let x = array![[1.0, 2.0], [2.0, f64::NAN], [3.0, 5.0], [f64::NAN, 4.0]];
/// let pats = MissingPatterns::new(&x).unwrap();
/// assert_eq!(pats.n_patterns(), 3);
/// let ll = pats.loglik(&array![2.0, 3.0], &array![[1.0, 0.5], [0.5, 2.0]]).unwrap();
/// assert!(ll < 0.0);
/// ```
///
/// # Errors
/// [`Error::NonFinite`] for infinite values; [`Error::TooFewObservations`] when no row has an
/// observed value; [`Error::NotIdentified`] for a variable that is never observed.
///
/// # References
/// Little, R. J. A. & Rubin, D. B. (2002). *Statistical Analysis with Missing Data*, 2nd ed., ch. 8.
/// Arbuckle, J. L. (1996). Full information estimation in the presence of incomplete data. In
/// Marcoulides & Schumacker (eds.), *Advanced Structural Equation Modeling*.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MissingPatterns {
    p: usize,
    n_rows: usize,
    n_empty: usize,
    shift: Array1<f64>,
    observed_counts: Array1<usize>,
    patterns: Vec<Pattern>,
}

/// Value and analytic gradient of the observed-data log-likelihood.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LoglikGradient {
    /// The log-likelihood `ℓ(μ, Σ)`.
    pub loglik: f64,
    /// `∂ℓ/∂μ` (length p).
    pub mu: Array1<f64>,
    /// `∂ℓ/∂Σ` as a symmetric matrix `G` with `dℓ = tr(G dΣ)` for symmetric `dΣ`: a change `δ` of
    /// a diagonal element changes `ℓ` by `G_ii δ`, a change `δ` of the pair `σ_ij = σ_ji` by `2 G_ij δ`.
    pub sigma: Array2<f64>,
}

impl MissingPatterns {
    /// Group the rows of `x` (NaN = missing) by missing-data pattern and store the sufficient
    /// statistics of each pattern.
    pub fn new(x: &ArrayRef2<f64>) -> Result<Self> {
        let (n, p) = x.dim();
        if p == 0 {
            return Err(Error::TooFewVariables { needed: 1, got: 0 });
        }
        if let Some(pos) = x.iter().position(|v| v.is_infinite()) {
            return Err(Error::NonFinite {
                what: format!("data row {} column {}", pos / p + 1, pos % p + 1),
            });
        }
        let mut counts = Array1::<usize>::zeros(p);
        let mut sums = Array1::<f64>::zeros(p);
        let mut groups: BTreeMap<Vec<bool>, Vec<usize>> = BTreeMap::new();
        let mut n_empty = 0;
        for i in 0..n {
            let mask: Vec<bool> = (0..p).map(|j| !x[[i, j]].is_nan()).collect();
            if !mask.iter().any(|&m| m) {
                n_empty += 1;
                continue;
            }
            for j in 0..p {
                if mask[j] {
                    counts[j] += 1;
                    sums[j] += x[[i, j]];
                }
            }
            groups.entry(mask).or_default().push(i);
        }
        if n_empty == n {
            return Err(Error::TooFewObservations { needed: 1, got: 0 });
        }
        if let Some(j) = counts.iter().position(|&c| c == 0) {
            return Err(Error::NotIdentified {
                reason: format!("column {} has no observed values", j + 1),
            });
        }
        let shift = Array1::from_shape_fn(p, |j| sums[j] / counts[j] as f64);
        // Order patterns by first row (the order in which they appear in the data).
        let mut groups: Vec<(Vec<bool>, Vec<usize>)> = groups.into_iter().collect();
        groups.sort_by_key(|(_, rows)| rows[0]);
        let patterns = groups
            .into_iter()
            .map(|(mask, rows)| {
                let observed: Vec<usize> = (0..p).filter(|&j| mask[j]).collect();
                let q = observed.len();
                let mut s1 = Array1::<f64>::zeros(q);
                let mut s2 = Array2::<f64>::zeros((q, q));
                let mut y = vec![0.0; q];
                for &i in &rows {
                    for (a, &j) in observed.iter().enumerate() {
                        y[a] = x[[i, j]] - shift[j];
                        s1[a] += y[a];
                    }
                    for a in 0..q {
                        for b in 0..=a {
                            s2[[a, b]] += y[a] * y[b];
                        }
                    }
                }
                for a in 0..q {
                    for b in 0..a {
                        s2[[b, a]] = s2[[a, b]];
                    }
                }
                Pattern { observed, rows, s1, s2 }
            })
            .collect();
        Ok(Self { p, n_rows: n, n_empty, shift, observed_counts: counts, patterns })
    }

    /// Number of variables.
    pub fn n_vars(&self) -> usize {
        self.p
    }

    /// Rows used (rows with at least one observed value).
    pub fn n_obs(&self) -> usize {
        self.n_rows - self.n_empty
    }

    /// Rows in the data, including those without any observed value.
    pub fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// Rows without any observed value (left out).
    pub fn n_empty(&self) -> usize {
        self.n_empty
    }

    /// Number of distinct missing-data patterns (among the rows used).
    pub fn n_patterns(&self) -> usize {
        self.patterns.len()
    }

    /// The patterns, in order of first appearance in the data.
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// Number of observed values per variable.
    pub fn observed_counts(&self) -> &Array1<usize> {
        &self.observed_counts
    }

    /// Means of the observed values per variable (available-case means).
    pub fn observed_means(&self) -> &Array1<f64> {
        &self.shift
    }

    /// Coverage: number of rows in which both variables `i` and `j` are observed (`p × p`).
    pub fn coverage(&self) -> Array2<usize> {
        let mut c = Array2::<usize>::zeros((self.p, self.p));
        for pat in &self.patterns {
            for &i in &pat.observed {
                for &j in &pat.observed {
                    c[[i, j]] += pat.n();
                }
            }
        }
        c
    }

    /// Observed-data log-likelihood at `(μ, Σ)` (see the type's formula).
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] for wrong shapes, [`Error::NonFinite`] for non-finite input,
    /// [`Error::NotPositiveDefinite`] when a block `Σ_OO` of an observed pattern is not positive
    /// definite.
    pub fn loglik(&self, mu: &ArrayRef1<f64>, sigma: &ArrayRef2<f64>) -> Result<f64> {
        self.check_params(mu, sigma)?;
        let muc = &mu.to_owned() - &self.shift;
        let mut total = 0.0;
        for pat in &self.patterns {
            total += self.pattern_terms(pat, &muc, sigma, false)?.0;
        }
        Ok(total)
    }

    /// Observed-data log-likelihood and its analytic gradient with respect to `μ` and `Σ`.
    ///
    /// # Formula
    /// ```text
    /// ∂ℓ/∂μ_O  += Σ_OO⁻¹ (Σᵢ yᵢ,O − n_k μ_O)
    /// ∂ℓ/∂Σ_OO += ½ (Σ_OO⁻¹ W_k Σ_OO⁻¹ − n_k Σ_OO⁻¹)
    /// ```
    /// summed over patterns (entries of unobserved variables get nothing from that pattern).
    ///
    /// # Errors
    /// As [`MissingPatterns::loglik`].
    pub fn loglik_gradient(
        &self,
        mu: &ArrayRef1<f64>,
        sigma: &ArrayRef2<f64>,
    ) -> Result<LoglikGradient> {
        self.check_params(mu, sigma)?;
        let muc = &mu.to_owned() - &self.shift;
        let mut total = 0.0;
        let mut gmu = Array1::<f64>::zeros(self.p);
        let mut gsig = Array2::<f64>::zeros((self.p, self.p));
        for pat in &self.patterns {
            let (ll, g) = self.pattern_terms(pat, &muc, sigma, true)?;
            total += ll;
            if let Some((gm, gs)) = g {
                for (a, &i) in pat.observed.iter().enumerate() {
                    gmu[i] += gm[a];
                    for (b, &j) in pat.observed.iter().enumerate() {
                        gsig[[i, j]] += gs[[a, b]];
                    }
                }
            }
        }
        Ok(LoglikGradient { loglik: total, mu: gmu, sigma: gsig })
    }

    fn check_params(&self, mu: &ArrayRef1<f64>, sigma: &ArrayRef2<f64>) -> Result<()> {
        if mu.len() != self.p {
            return Err(Error::DimensionMismatch {
                what: "mean vector vs data columns".into(),
                expected: self.p,
                found: mu.len(),
            });
        }
        if sigma.nrows() != self.p || sigma.ncols() != self.p {
            return Err(Error::DimensionMismatch {
                what: "covariance matrix vs data columns".into(),
                expected: self.p,
                found: if sigma.nrows() != self.p { sigma.nrows() } else { sigma.ncols() },
            });
        }
        if mu.iter().chain(sigma.iter()).any(|v| !v.is_finite()) {
            return Err(Error::NonFinite { what: "mean vector or covariance matrix".into() });
        }
        Ok(())
    }

    /// Log-likelihood of one pattern (and optionally its gradient in the pattern's coordinates).
    #[allow(clippy::type_complexity)]
    fn pattern_terms(
        &self,
        pat: &Pattern,
        muc: &Array1<f64>,
        sigma: &ArrayRef2<f64>,
        gradient: bool,
    ) -> Result<(f64, Option<(Array1<f64>, Array2<f64>)>)> {
        let o = &pat.observed;
        let q = o.len();
        let n = pat.n() as f64;
        let s_oo = Array2::from_shape_fn((q, q), |(a, b)| sigma[[o[a], o[b]]]);
        let l = small::cholesky(&s_oo)
            .ok_or_else(|| Error::NotPositiveDefinite { matrix: "Sigma (observed block)".into() })?;
        let logdet = small::chol_logdet(&l);
        let inv = small::chol_inverse(&l);
        let m = Array1::from_shape_fn(q, |a| muc[o[a]]);
        // W = S2 − s1 mᵀ − m s1ᵀ + n m mᵀ
        let w = Array2::from_shape_fn((q, q), |(a, b)| {
            pat.s2[[a, b]] - pat.s1[a] * m[b] - m[a] * pat.s1[b] + n * m[a] * m[b]
        });
        let mut tr = 0.0;
        for a in 0..q {
            for b in 0..q {
                tr += inv[[a, b]] * w[[b, a]];
            }
        }
        let ll = -0.5 * (n * q as f64 * LN_2PI + n * logdet + tr);
        if !gradient {
            return Ok((ll, None));
        }
        let r = Array1::from_shape_fn(q, |a| pat.s1[a] - n * m[a]);
        let gm = inv.dot(&r);
        let iwi = inv.dot(&w).dot(&inv);
        let gs = Array2::from_shape_fn((q, q), |(a, b)| 0.5 * (iwi[[a, b]] - n * inv[[a, b]]));
        Ok((ll, Some((gm, gs))))
    }
}

/// Casewise observed-data log-likelihood: the log-density of each row's observed values under
/// `N(μ, Σ)`; rows with no observed value contribute 0.
///
/// # Formula
/// ```text
/// ℓᵢ = −½ [ |Oᵢ| log 2π + log|Σ_OᵢOᵢ| + (yᵢ,O − μ_O)ᵀ Σ_OᵢOᵢ⁻¹ (yᵢ,O − μ_O) ]
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::missing::casewise_loglik;
/// let x = array![[0.0, f64::NAN]];
/// let l = casewise_loglik(&x, &array![0.0, 0.0], &array![[1.0, 0.0], [0.0, 1.0]]).unwrap();
/// assert!((l[0] + 0.5 * (2.0 * std::f64::consts::PI).ln()).abs() < 1e-15);
/// ```
///
/// # Errors
/// As [`MissingPatterns::new`] and [`MissingPatterns::loglik`].
///
/// # References
/// Arbuckle (1996); validated against lavaan 0.6.14 (`lav_mvnorm_missing_loglik_data`,
/// casewise) on HS_missing10.
pub fn casewise_loglik(
    x: &ArrayRef2<f64>,
    mu: &ArrayRef1<f64>,
    sigma: &ArrayRef2<f64>,
) -> Result<Array1<f64>> {
    let pats = MissingPatterns::new(x)?;
    pats.check_params(mu, sigma)?;
    let mut out = Array1::<f64>::zeros(x.nrows());
    for pat in &pats.patterns {
        let o = &pat.observed;
        let q = o.len();
        let s_oo = Array2::from_shape_fn((q, q), |(a, b)| sigma[[o[a], o[b]]]);
        let l = small::cholesky(&s_oo)
            .ok_or_else(|| Error::NotPositiveDefinite { matrix: "Sigma (observed block)".into() })?;
        let logdet = small::chol_logdet(&l);
        for &i in &pat.rows {
            let d = Array1::from_shape_fn(q, |a| x[[i, o[a]]] - mu[o[a]]);
            let z = small::forward(&l, &d);
            let maha: f64 = z.iter().map(|v| v * v).sum();
            out[i] = -0.5 * (q as f64 * LN_2PI + logdet + maha);
        }
    }
    Ok(out)
}

/// EM estimation of the saturated (unrestricted) model — means and covariance matrix, ML with
/// divisor N — for incomplete multivariate normal data (lavaan's h1 model for `missing = "ml"`).
///
/// Start values are the available-case means and variances (divisor = number of observed values)
/// with zero covariances; iteration stops when the largest absolute change of `(μ, vech Σ)` is
/// below the tolerance (lavaan's `em.h1.tol` rule, default there 1e-5; here 1e-10).
///
/// # Formula
/// E-step, pattern `k` with observed `O`, missing `M`:
/// ```text
/// B = Σ_MO Σ_OO⁻¹,  C = Σ_MM − B Σ_OM,  ŷᵢ,M = μ_M + B (yᵢ,O − μ_O)
/// T1 = Σᵢ ŷᵢ,   T2 = Σᵢ (ŷᵢ ŷᵢᵀ + C on the M×M block)
/// ```
/// M-step: `μ = T1 / N`, `Σ = T2 / N − μ μᵀ` (N = rows with at least one observed value).
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::missing::SaturatedEm;
/// let x = array![[1.0, 2.0], [2.0, f64::NAN], [3.0, 5.0], [f64::NAN, 4.0], [2.5, 3.0], [0.5, 1.0]];
/// let fit = SaturatedEm::new().fit(&x).unwrap();
/// assert!(fit.convergence().converged);
/// println!("{}", fit.summary());
/// ```
///
/// # Errors
/// As [`MissingPatterns::new`]; [`Error::NotIdentified`] when two variables are never observed
/// together (their covariance is not identified); [`Error::ConstantColumn`] for a variable whose
/// observed values are all equal; [`Error::NotPositiveDefinite`] when the covariance becomes
/// singular (e.g. fewer complete-enough rows than variables). Non-convergence within `max_iter`
/// is not an error: it is reported in [`SaturatedFit::convergence`] and as a warning.
///
/// # References
/// Dempster, A. P., Laird, N. M. & Rubin, D. B. (1977). Maximum likelihood from incomplete data
/// via the EM algorithm. *JRSS B* 39, 1–38. Little & Rubin (2002), section 8.2.
/// Validated against lavaan 0.6.14 (`sampstat.h1`, `unrestricted.logl`) on HS_missing10.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SaturatedEm {
    tolerance: f64,
    max_iter: usize,
    names: Option<Vec<String>>,
}

impl Default for SaturatedEm {
    fn default() -> Self {
        Self::new()
    }
}

impl SaturatedEm {
    /// Default settings: tolerance 1e-10 on the largest change of `(μ, vech Σ)`, at most 10 000
    /// iterations.
    pub fn new() -> Self {
        Self { tolerance: 1e-10, max_iter: 10_000, names: None }
    }

    /// Stopping tolerance (largest absolute change of any mean or covariance). lavaan uses 1e-5.
    pub fn tolerance(mut self, tol: f64) -> Self {
        self.tolerance = tol;
        self
    }

    /// Maximum number of EM iterations. lavaan uses 500.
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// Variable names used in messages and the summary (default `V1, V2, …`).
    pub fn names<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.names = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Fit from data (rows = observations, columns = variables, NaN = missing).
    pub fn fit(&self, x: &ArrayRef2<f64>) -> Result<SaturatedFit> {
        let pats = MissingPatterns::new(x)?;
        self.fit_patterns(&pats)
    }

    /// Fit from patterns already built (reuse them for the FIML likelihood).
    pub fn fit_patterns(&self, pats: &MissingPatterns) -> Result<SaturatedFit> {
        if !(self.tolerance > 0.0 && self.tolerance.is_finite()) {
            return Err(Error::invalid("tolerance", "must be positive and finite"));
        }
        if self.max_iter == 0 {
            return Err(Error::invalid("max_iter", "must be at least 1"));
        }
        let p = pats.p;
        let names: Vec<String> = match &self.names {
            Some(v) if v.len() != p => {
                return Err(Error::DimensionMismatch {
                    what: "variable names".into(),
                    expected: p,
                    found: v.len(),
                });
            }
            Some(v) => v.clone(),
            None => (1..=p).map(|j| format!("V{j}")).collect(),
        };
        let cov = pats.coverage();
        for i in 0..p {
            for j in 0..i {
                if cov[[i, j]] == 0 {
                    return Err(Error::NotIdentified {
                        reason: format!(
                            "variables `{}` and `{}` are never observed together: their covariance is not identified",
                            names[j], names[i]
                        ),
                    });
                }
            }
        }
        // Start: available-case means (0 in shifted coordinates) and variances.
        let mut mu = Array1::<f64>::zeros(p);
        let mut var0 = Array1::<f64>::zeros(p);
        for pat in &pats.patterns {
            for (a, &j) in pat.observed.iter().enumerate() {
                var0[j] += pat.s2[[a, a]];
            }
        }
        for j in 0..p {
            var0[j] /= pats.observed_counts[j] as f64;
            if !(var0[j] > 0.0) {
                return Err(Error::ConstantColumn { name: names[j].clone() });
            }
        }
        let mut sigma = Array2::from_diag(&var0);
        let mut converged = false;
        let mut iterations = 0;
        let mut last_change = f64::INFINITY;
        while iterations < self.max_iter {
            iterations += 1;
            let (mu_new, sigma_new) = em_step(pats, &mu, &sigma)?;
            let mut delta: f64 = 0.0;
            for j in 0..p {
                delta = delta.max((mu_new[j] - mu[j]).abs());
                for k in 0..=j {
                    delta = delta.max((sigma_new[[j, k]] - sigma[[j, k]]).abs());
                }
            }
            mu = mu_new;
            sigma = sigma_new;
            last_change = delta;
            if !delta.is_finite() {
                return Err(Error::NonFinite { what: "EM iterate".into() });
            }
            if delta < self.tolerance {
                converged = true;
                break;
            }
        }
        // The ML covariance must be numerically positive definite (collinear variables, or fewer
        // informative rows than variables, give a singular estimate).
        let ev = linalg::sym_eigenvalues(sigma.view(), "EM covariance estimate")?;
        let (lmax, lmin) = (ev[0], ev[p - 1]);
        if !(lmin > SINGULAR_RATIO * lmax) {
            return Err(Error::NotPositiveDefinite { matrix: "EM covariance estimate".into() });
        }
        let mean = &mu + &pats.shift;
        let loglik = pats.loglik(&mean, &sigma)?;
        let mut warnings = Vec::new();
        if pats.n_empty > 0 {
            warnings.push(Warning::RowsDropped {
                dropped: pats.n_empty,
                remaining: pats.n_obs(),
            });
        }
        if !converged {
            warnings.push(Warning::NotConverged { what: "EM (saturated model)".into(), iterations });
        }
        let reason = if converged {
            format!("largest change {last_change:.3e} < tolerance {:.1e}", self.tolerance)
        } else {
            format!("iteration limit reached (largest change {last_change:.3e})")
        };
        Ok(SaturatedFit {
            config: self.clone(),
            names,
            mean,
            cov: sigma,
            loglik,
            n_obs: pats.n_obs(),
            n_empty: pats.n_empty,
            n_patterns: pats.n_patterns(),
            convergence: Convergence { converged, iterations, reason },
            warnings,
        })
    }
}

/// One EM step in shifted coordinates.
fn em_step(
    pats: &MissingPatterns,
    mu: &Array1<f64>,
    sigma: &Array2<f64>,
) -> Result<(Array1<f64>, Array2<f64>)> {
    let p = pats.p;
    let mut t1 = Array1::<f64>::zeros(p);
    let mut t2 = Array2::<f64>::zeros((p, p));
    for pat in &pats.patterns {
        let o = &pat.observed;
        let q = o.len();
        let nk = pat.n() as f64;
        if q == p {
            for a in 0..p {
                t1[a] += pat.s1[a];
                for b in 0..p {
                    t2[[a, b]] += pat.s2[[a, b]];
                }
            }
            continue;
        }
        let mis: Vec<usize> = (0..p).filter(|j| !o.contains(j)).collect();
        let r = mis.len();
        let s_oo = Array2::from_shape_fn((q, q), |(a, b)| sigma[[o[a], o[b]]]);
        let s_om = Array2::from_shape_fn((q, r), |(a, b)| sigma[[o[a], mis[b]]]);
        let l = small::cholesky(&s_oo)
            .ok_or_else(|| Error::NotPositiveDefinite { matrix: "EM covariance iterate".into() })?;
        // Bᵀ = Σ_OO⁻¹ Σ_OM  (q × r)
        let bt = small::chol_solve(&l, &s_om);
        // C = Σ_MM − B Σ_OM
        let c = Array2::from_shape_fn((r, r), |(a, b)| {
            let mut v = sigma[[mis[a], mis[b]]];
            for k in 0..q {
                v -= bt[[k, a]] * s_om[[k, b]];
            }
            v
        });
        // a = μ_M − B μ_O
        let av = Array1::from_shape_fn(r, |a| {
            let mut v = mu[mis[a]];
            for k in 0..q {
                v -= bt[[k, a]] * mu[o[k]];
            }
            v
        });
        // B s1 (r), S2 Bᵀ (q × r), B S2 Bᵀ (r × r)
        let bs1 = Array1::from_shape_fn(r, |a| (0..q).map(|k| bt[[k, a]] * pat.s1[k]).sum::<f64>());
        let s2bt = pat.s2.dot(&bt);
        let bs2bt = bt.t().dot(&s2bt);
        for (ka, &i) in o.iter().enumerate() {
            t1[i] += pat.s1[ka];
            for (kb, &j) in o.iter().enumerate() {
                t2[[i, j]] += pat.s2[[ka, kb]];
            }
            for (mb, &j) in mis.iter().enumerate() {
                let v = pat.s1[ka] * av[mb] + s2bt[[ka, mb]];
                t2[[i, j]] += v;
                t2[[j, i]] += v;
            }
        }
        for (ma, &i) in mis.iter().enumerate() {
            t1[i] += nk * av[ma] + bs1[ma];
            for (mb, &j) in mis.iter().enumerate() {
                t2[[i, j]] += nk * (c[[ma, mb]] + av[ma] * av[mb])
                    + av[ma] * bs1[mb]
                    + bs1[ma] * av[mb]
                    + bs2bt[[ma, mb]];
            }
        }
    }
    let n = pats.n_obs() as f64;
    let mu_new = t1 / n;
    let mut s = Array2::from_shape_fn((p, p), |(a, b)| t2[[a, b]] / n - mu_new[a] * mu_new[b]);
    for a in 0..p {
        for b in 0..a {
            let v = 0.5 * (s[[a, b]] + s[[b, a]]);
            s[[a, b]] = v;
            s[[b, a]] = v;
        }
    }
    Ok((mu_new, s))
}

/// The saturated model estimated by [`SaturatedEm`]: ML means and covariance (divisor N) of
/// incomplete data, the observed-data log-likelihood at them, and the EM's convergence.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SaturatedFit {
    config: SaturatedEm,
    names: Vec<String>,
    mean: Array1<f64>,
    cov: Array2<f64>,
    loglik: f64,
    n_obs: usize,
    n_empty: usize,
    n_patterns: usize,
    convergence: Convergence,
    warnings: Vec<Warning>,
}

impl SaturatedFit {
    /// The configuration that produced this fit.
    pub fn config(&self) -> &SaturatedEm {
        &self.config
    }

    /// Variable names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// ML means.
    pub fn mean(&self) -> &Array1<f64> {
        &self.mean
    }

    /// ML covariance matrix (divisor N).
    pub fn cov(&self) -> &Array2<f64> {
        &self.cov
    }

    /// Observed-data log-likelihood at the estimates (lavaan's `unrestricted.logl`).
    pub fn loglik(&self) -> f64 {
        self.loglik
    }

    /// Rows used.
    pub fn n_obs(&self) -> usize {
        self.n_obs
    }

    /// Rows without any observed value (left out).
    pub fn n_empty(&self) -> usize {
        self.n_empty
    }

    /// Number of missing-data patterns.
    pub fn n_patterns(&self) -> usize {
        self.n_patterns
    }

    /// Convergence of the EM iterations.
    pub fn convergence(&self) -> &Convergence {
        &self.convergence
    }

    /// Warnings (dropped empty rows, non-convergence).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// A printable summary.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::new("Saturated model for incomplete normal data (EM)");
        s.key_values([
            ("Observations used", self.n_obs.to_string()),
            ("Empty rows left out", self.n_empty.to_string()),
            ("Missing-data patterns", self.n_patterns.to_string()),
            ("Log-likelihood", fmt_num(self.loglik, 3)),
            ("Converged", self.convergence.converged.to_string()),
            ("Iterations", self.convergence.iterations.to_string()),
        ]);
        let mut cols = vec![String::new(), "mean".to_string()];
        cols.extend(self.names.iter().cloned());
        let mut t = Table::new(Some("Means and covariances"), cols);
        for (i, name) in self.names.iter().enumerate() {
            let mut row = vec![name.clone(), fmt_num(self.mean[i], 3)];
            row.extend((0..self.names.len()).map(|j| fmt_num(self.cov[[i, j]], 3)));
            t.push(row);
        }
        s.table(t);
        for w in &self.warnings {
            s.text(format!("Warning: {w}"));
        }
        s
    }
}

impl fmt::Display for SaturatedFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary())
    }
}

/// Small dense Cholesky routines for the pattern blocks (a few to a few dozen variables), where a
/// round trip through the faer bridge would cost more than the factorisation.
mod small {
    use ndarray::{Array1, Array2};

    /// Lower Cholesky factor, `None` if not (numerically) positive definite.
    pub(super) fn cholesky(a: &Array2<f64>) -> Option<Array2<f64>> {
        let n = a.nrows();
        let mut l = Array2::<f64>::zeros((n, n));
        for j in 0..n {
            let mut d = a[[j, j]];
            for k in 0..j {
                d -= l[[j, k]] * l[[j, k]];
            }
            if !(d > 0.0) || !d.is_finite() {
                return None;
            }
            let d = d.sqrt();
            l[[j, j]] = d;
            for i in (j + 1)..n {
                let mut v = a[[i, j]];
                for k in 0..j {
                    v -= l[[i, k]] * l[[j, k]];
                }
                l[[i, j]] = v / d;
            }
        }
        Some(l)
    }

    pub(super) fn chol_logdet(l: &Array2<f64>) -> f64 {
        (0..l.nrows()).map(|i| l[[i, i]].ln()).sum::<f64>() * 2.0
    }

    /// Solve `L z = b`.
    pub(super) fn forward(l: &Array2<f64>, b: &Array1<f64>) -> Array1<f64> {
        let n = l.nrows();
        let mut z = b.clone();
        for i in 0..n {
            let mut v = z[i];
            for k in 0..i {
                v -= l[[i, k]] * z[k];
            }
            z[i] = v / l[[i, i]];
        }
        z
    }

    /// Solve `A X = B` with `A = L Lᵀ`.
    pub(super) fn chol_solve(l: &Array2<f64>, b: &Array2<f64>) -> Array2<f64> {
        let n = l.nrows();
        let mut x = b.clone();
        for c in 0..b.ncols() {
            for i in 0..n {
                let mut v = x[[i, c]];
                for k in 0..i {
                    v -= l[[i, k]] * x[[k, c]];
                }
                x[[i, c]] = v / l[[i, i]];
            }
            for i in (0..n).rev() {
                let mut v = x[[i, c]];
                for k in (i + 1)..n {
                    v -= l[[k, i]] * x[[k, c]];
                }
                x[[i, c]] = v / l[[i, i]];
            }
        }
        x
    }

    /// `A⁻¹` from `A = L Lᵀ` (symmetrised).
    pub(super) fn chol_inverse(l: &Array2<f64>) -> Array2<f64> {
        let n = l.nrows();
        let mut inv = chol_solve(l, &Array2::eye(n));
        for a in 0..n {
            for b in 0..a {
                let v = 0.5 * (inv[[a, b]] + inv[[b, a]]);
                inv[[a, b]] = v;
                inv[[b, a]] = v;
            }
        }
        inv
    }
}
