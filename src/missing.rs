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

use crate::core::linalg;
use crate::core::linalg::small;
use crate::error::{Error, Result};
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
    missing: Vec<usize>,
    rows: Vec<usize>,
    /// Σᵢ (yᵢ,O − c_O) over the pattern's rows (c = shift).
    s1: Vec<f64>,
    /// Σᵢ (yᵢ,O − c_O)(yᵢ,O − c_O)ᵀ, row-major q × q.
    s2: Vec<f64>,
}

impl Pattern {
    /// 0-based indices of the observed variables.
    pub fn observed(&self) -> &[usize] {
        &self.observed
    }

    /// 0-based indices of the missing variables.
    pub fn missing(&self) -> &[usize] {
        &self.missing
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

/// The independence (baseline) model of incomplete normal data, from
/// [`MissingPatterns::independence`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct IndependenceFit {
    mean: Array1<f64>,
    var: Array1<f64>,
    loglik: f64,
}

impl IndependenceFit {
    /// ML means (available-case means).
    pub fn mean(&self) -> &Array1<f64> {
        &self.mean
    }

    /// ML variances (available-case, divisor = number observed).
    pub fn var(&self) -> &Array1<f64> {
        &self.var
    }

    /// Observed-data log-likelihood of the independence model.
    pub fn loglik(&self) -> f64 {
        self.loglik
    }
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
                let missing: Vec<usize> = (0..p).filter(|&j| !mask[j]).collect();
                let q = observed.len();
                let mut s1 = vec![0.0; q];
                let mut s2 = vec![0.0; q * q];
                let mut y = vec![0.0; q];
                for &i in &rows {
                    for (a, &j) in observed.iter().enumerate() {
                        y[a] = x[[i, j]] - shift[j];
                        s1[a] += y[a];
                    }
                    for a in 0..q {
                        for b in 0..=a {
                            s2[a * q + b] += y[a] * y[b];
                        }
                    }
                }
                for a in 0..q {
                    for b in 0..a {
                        s2[b * q + a] = s2[a * q + b];
                    }
                }
                Pattern { observed, missing, rows, s1, s2 }
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

    /// The independence (baseline) model for incomplete normal data: ML means and variances
    /// with all covariances fixed at zero, and its observed-data log-likelihood.
    ///
    /// Under independence the likelihood factorises over variables, so the ML estimates are the
    /// available-case mean and variance (divisor = number observed) of each variable — the
    /// baseline model of the FIML χ² test (`baseline.chisq = 2 (ℓ_h1 − ℓ_baseline)`).
    ///
    /// # Formula
    /// ```text
    /// μ_j = Σ_{i∈O_j} y_ij / n_j,   σ²_j = Σ_{i∈O_j} (y_ij − μ_j)² / n_j
    /// ℓ_0 = Σ_j −½ n_j (log 2π + log σ²_j + 1)
    /// ```
    ///
    /// # Errors
    /// [`Error::ConstantColumn`] for a variable whose observed values are all equal.
    ///
    /// # References
    /// Validated against lavaan 0.6.14's `baseline.chisq` on HS_missing10.
    pub fn independence(&self) -> Result<IndependenceFit> {
        let p = self.p;
        let mut var = Array1::<f64>::zeros(p);
        for pat in &self.patterns {
            let q = pat.observed.len();
            for (a, &j) in pat.observed.iter().enumerate() {
                var[j] += pat.s2[a * q + a];
            }
        }
        let mut loglik = 0.0;
        for j in 0..p {
            let nj = self.observed_counts[j] as f64;
            var[j] /= nj;
            if var[j].is_nan() || var[j] <= 0.0 {
                return Err(Error::ConstantColumn { name: format!("column {}", j + 1) });
            }
            loglik += -0.5 * nj * (LN_2PI + var[j].ln() + 1.0);
        }
        Ok(IndependenceFit { mean: self.shift.clone(), var, loglik })
    }

    /// Observed-data log-likelihood at `(μ, Σ)` (see the type's formula).
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] for wrong shapes, [`Error::NonFinite`] for non-finite input,
    /// [`Error::NotPositiveDefinite`] when a block `Σ_OO` of an observed pattern is not positive
    /// definite.
    pub fn loglik(&self, mu: &ArrayRef1<f64>, sigma: &ArrayRef2<f64>) -> Result<f64> {
        self.check_params(mu, sigma)?;
        let (muc, sig) = self.flat_params(mu, sigma);
        let mut ws = Workspace::new(self.p);
        let mut total = 0.0;
        for pat in &self.patterns {
            total += pattern_loglik(pat, &muc, &sig, self.p, &mut ws, None)?;
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
    /// Validated against lavaan 0.6.14's analytic `dlogl_dmu` / `dlogl_dSigma` on HS_missing10.
    ///
    /// # Errors
    /// As [`MissingPatterns::loglik`].
    pub fn loglik_gradient(
        &self,
        mu: &ArrayRef1<f64>,
        sigma: &ArrayRef2<f64>,
    ) -> Result<LoglikGradient> {
        self.check_params(mu, sigma)?;
        let p = self.p;
        let (muc, sig) = self.flat_params(mu, sigma);
        let mut ws = Workspace::new(p);
        let mut gmu = vec![0.0; p];
        let mut gsig = vec![0.0; p * p];
        let mut total = 0.0;
        for pat in &self.patterns {
            total += pattern_loglik(pat, &muc, &sig, p, &mut ws, Some((&mut gmu, &mut gsig)))?;
        }
        Ok(LoglikGradient {
            loglik: total,
            mu: Array1::from(gmu),
            sigma: Array2::from_shape_vec((p, p), gsig).map_err(|e| Error::LinearAlgebra {
                operation: "gradient matrix".into(),
                message: e.to_string(),
            })?,
        })
    }

    /// `μ − c` and `Σ` as flat row-major vectors.
    fn flat_params(&self, mu: &ArrayRef1<f64>, sigma: &ArrayRef2<f64>) -> (Vec<f64>, Vec<f64>) {
        let muc = mu.iter().zip(self.shift.iter()).map(|(m, c)| m - c).collect();
        let sig = sigma.iter().copied().collect();
        (muc, sig)
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
}

/// Scratch buffers for the pattern computations (allocated once per call, sized for p).
struct Workspace {
    l: Vec<f64>,
    inv: Vec<f64>,
    w: Vec<f64>,
    t: Vec<f64>,
    m: Vec<f64>,
    bt: Vec<f64>,
    c: Vec<f64>,
    s2bt: Vec<f64>,
    av: Vec<f64>,
    bs1: Vec<f64>,
}

impl Workspace {
    fn new(p: usize) -> Self {
        Self {
            l: vec![0.0; p * p],
            inv: vec![0.0; p * p],
            w: vec![0.0; p * p],
            t: vec![0.0; p * p],
            m: vec![0.0; p],
            bt: vec![0.0; p * p],
            c: vec![0.0; p * p],
            s2bt: vec![0.0; p * p],
            av: vec![0.0; p],
            bs1: vec![0.0; p],
        }
    }
}

/// Log-likelihood of one pattern; with `grad`, adds its gradient into the full-size `(gμ, gΣ)`.
/// `muc` = μ − c, `sig` = Σ flat row-major (p × p).
fn pattern_loglik(
    pat: &Pattern,
    muc: &[f64],
    sig: &[f64],
    p: usize,
    ws: &mut Workspace,
    grad: Option<(&mut Vec<f64>, &mut Vec<f64>)>,
) -> Result<f64> {
    let o = &pat.observed;
    let q = o.len();
    let n = pat.n() as f64;
    // Σ_OO → Cholesky factor in ws.l.
    for a in 0..q {
        for b in 0..=a {
            ws.l[a * q + b] = sig[o[a] * p + o[b]];
        }
    }
    if !small::cholesky_in_place(&mut ws.l[..q * q], q) {
        return Err(Error::NotPositiveDefinite { matrix: "Sigma (observed block)".into() });
    }
    let logdet = small::chol_logdet(&ws.l[..q * q], q);
    small::chol_inverse(&ws.l[..q * q], q, &mut ws.inv[..q * q], &mut ws.t[..q * q]);
    for a in 0..q {
        ws.m[a] = muc[o[a]];
    }
    // W = S2 − s1 mᵀ − m s1ᵀ + n m mᵀ ; tr(Σ⁻¹ W)
    let (m, s1, s2) = (&ws.m[..q], &pat.s1, &pat.s2);
    let mut tr = 0.0;
    for a in 0..q {
        for b in 0..q {
            let w = s2[a * q + b] - s1[a] * m[b] - m[a] * s1[b] + n * m[a] * m[b];
            ws.w[a * q + b] = w;
            tr += ws.inv[a * q + b] * w;
        }
    }
    let ll = -0.5 * (n * q as f64 * LN_2PI + n * logdet + tr);
    if let Some((gmu, gsig)) = grad {
        let inv = &ws.inv[..q * q];
        for a in 0..q {
            let mut v = 0.0;
            for b in 0..q {
                v += inv[a * q + b] * (s1[b] - n * m[b]);
            }
            gmu[o[a]] += v;
        }
        // T = Σ⁻¹ W, then (T Σ⁻¹)_ab
        small::matmul(inv, &ws.w[..q * q], q, q, q, &mut ws.t[..q * q]);
        for a in 0..q {
            for b in 0..q {
                let mut v = 0.0;
                for k in 0..q {
                    v += ws.t[a * q + k] * inv[k * q + b];
                }
                gsig[o[a] * p + o[b]] += 0.5 * (v - n * inv[a * q + b]);
            }
        }
    }
    Ok(ll)
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
/// let x = array![[0.0, f64::NAN], [1.0, 2.0]];
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
    let p = pats.p;
    let sig: Vec<f64> = sigma.iter().copied().collect();
    let mut l = vec![0.0; p * p];
    let mut z = vec![0.0; p];
    let mut out = Array1::<f64>::zeros(x.nrows());
    for pat in &pats.patterns {
        let o = &pat.observed;
        let q = o.len();
        for a in 0..q {
            for b in 0..=a {
                l[a * q + b] = sig[o[a] * p + o[b]];
            }
        }
        if !small::cholesky_in_place(&mut l[..q * q], q) {
            return Err(Error::NotPositiveDefinite { matrix: "Sigma (observed block)".into() });
        }
        let logdet = small::chol_logdet(&l[..q * q], q);
        for &i in &pat.rows {
            for a in 0..q {
                z[a] = x[[i, o[a]]] - mu[o[a]];
            }
            small::forward(&l[..q * q], q, &mut z[..q]);
            let maha: f64 = z[..q].iter().map(|v| v * v).sum();
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
        let mut var0 = Array1::<f64>::zeros(p);
        for pat in &pats.patterns {
            for (a, &j) in pat.observed.iter().enumerate() {
                var0[j] += pat.s2[a * pat.observed.len() + a];
            }
        }
        for j in 0..p {
            var0[j] /= pats.observed_counts[j] as f64;
            if var0[j].is_nan() || var0[j] <= 0.0 {
                return Err(Error::ConstantColumn { name: names[j].clone() });
            }
        }
        let mut mu = vec![0.0; p];
        let mut sigma = vec![0.0; p * p];
        for j in 0..p {
            sigma[j * p + j] = var0[j];
        }
        let mut ws = Workspace::new(p);
        let mut converged = false;
        let mut iterations = 0;
        let mut last_change = f64::INFINITY;
        while iterations < self.max_iter {
            iterations += 1;
            let (mu_new, sigma_new) = em_step(pats, &mu, &sigma, &mut ws)?;
            let mut delta: f64 = 0.0;
            for j in 0..p {
                delta = delta.max((mu_new[j] - mu[j]).abs());
                for k in 0..=j {
                    delta = delta.max((sigma_new[j * p + k] - sigma[j * p + k]).abs());
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
        let mu = Array1::from(mu);
        let sigma = Array2::from_shape_vec((p, p), sigma).map_err(|e| Error::LinearAlgebra {
            operation: "EM covariance".into(),
            message: e.to_string(),
        })?;
        // The ML covariance must be numerically positive definite (collinear variables, or fewer
        // informative rows than variables, give a singular estimate).
        let ev = linalg::sym_eigenvalues(sigma.view(), "EM covariance estimate")?;
        let (lmax, lmin) = (ev[0], ev[p - 1]);
        if lmin.is_nan() || lmin <= SINGULAR_RATIO * lmax {
            return Err(Error::NotPositiveDefinite { matrix: "EM covariance estimate".into() });
        }
        let mean = &mu + &pats.shift;
        let loglik = pats.loglik(&mean, &sigma)?;
        let mut warnings = Vec::new();
        if pats.n_empty > 0 {
            warnings.push(Warning::RowsDropped { dropped: pats.n_empty, remaining: pats.n_obs() });
        }
        if !converged {
            warnings
                .push(Warning::NotConverged { what: "EM (saturated model)".into(), iterations });
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

/// One EM step in shifted coordinates (`sigma` flat row-major p × p).
fn em_step(
    pats: &MissingPatterns,
    mu: &[f64],
    sigma: &[f64],
    ws: &mut Workspace,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let p = pats.p;
    let mut t1 = vec![0.0; p];
    let mut t2 = vec![0.0; p * p];
    for pat in &pats.patterns {
        let o = &pat.observed;
        let mis = &pat.missing;
        let (q, r) = (o.len(), mis.len());
        let nk = pat.n() as f64;
        let (s1, s2) = (&pat.s1, &pat.s2);
        if r == 0 {
            for a in 0..p {
                t1[a] += s1[a];
                for b in 0..p {
                    t2[a * p + b] += s2[a * p + b];
                }
            }
            continue;
        }
        for a in 0..q {
            for b in 0..=a {
                ws.l[a * q + b] = sigma[o[a] * p + o[b]];
            }
        }
        if !small::cholesky_in_place(&mut ws.l[..q * q], q) {
            return Err(Error::NotPositiveDefinite { matrix: "EM covariance iterate".into() });
        }
        // Bᵀ = Σ_OO⁻¹ Σ_OM  (q × r)
        let bt = &mut ws.bt[..q * r];
        for a in 0..q {
            for b in 0..r {
                bt[a * r + b] = sigma[o[a] * p + mis[b]];
            }
        }
        small::chol_solve(&ws.l[..q * q], q, bt, r);
        let bt = &ws.bt[..q * r];
        // C = Σ_MM − B Σ_OM ; a = μ_M − B μ_O ; B s1
        for a in 0..r {
            for b in 0..r {
                let mut v = sigma[mis[a] * p + mis[b]];
                for k in 0..q {
                    v -= bt[k * r + a] * sigma[o[k] * p + mis[b]];
                }
                ws.c[a * r + b] = v;
            }
            let (mut av, mut bs1) = (mu[mis[a]], 0.0);
            for k in 0..q {
                av -= bt[k * r + a] * mu[o[k]];
                bs1 += bt[k * r + a] * s1[k];
            }
            ws.av[a] = av;
            ws.bs1[a] = bs1;
        }
        // S2 Bᵀ (q × r)
        small::matmul(s2, bt, q, q, r, &mut ws.s2bt[..q * r]);
        let (av, bs1, s2bt) = (&ws.av[..r], &ws.bs1[..r], &ws.s2bt[..q * r]);
        for (ka, &i) in o.iter().enumerate() {
            t1[i] += s1[ka];
            for (kb, &j) in o.iter().enumerate() {
                t2[i * p + j] += s2[ka * q + kb];
            }
            for (mb, &j) in mis.iter().enumerate() {
                let v = s1[ka] * av[mb] + s2bt[ka * r + mb];
                t2[i * p + j] += v;
                t2[j * p + i] += v;
            }
        }
        for (ma, &i) in mis.iter().enumerate() {
            t1[i] += nk * av[ma] + bs1[ma];
            for (mb, &j) in mis.iter().enumerate() {
                // (B S2 Bᵀ)_ab = Σ_k Bᵀ_ka (S2 Bᵀ)_kb
                let mut bsb = 0.0;
                for k in 0..q {
                    bsb += bt[k * r + ma] * s2bt[k * r + mb];
                }
                t2[i * p + j] += nk * (ws.c[ma * r + mb] + av[ma] * av[mb])
                    + av[ma] * bs1[mb]
                    + bs1[ma] * av[mb]
                    + bsb;
            }
        }
    }
    let n = pats.n_obs() as f64;
    let mu_new: Vec<f64> = t1.iter().map(|v| v / n).collect();
    let mut s = vec![0.0; p * p];
    for a in 0..p {
        for b in 0..=a {
            let v = 0.5 * (t2[a * p + b] + t2[b * p + a]) / n - mu_new[a] * mu_new[b];
            s[a * p + b] = v;
            s[b * p + a] = v;
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
