//! The exploratory factor analysis estimator and its fitted result.

use std::sync::OnceLock;

use ndarray::{Array1, Array2, ArrayRef2, Axis};

use super::adequacy::{check_correlation, data_correlation_missing};
use super::extraction::{Extraction, PSI_LOWER, StoppingRule, extract};
use super::rotation::{RotateOptions, Rotation, rotate};
use super::small;
use crate::core::dist::{chisq_sf, ncp_root};
use crate::error::{Error, Result};
use crate::summary::{Convergence, ParamRow, Summary, Table, fmt_num};
use crate::warning::Warning;

/// Largest number of random rotation starts accepted by [`Efa`] (each start is a full rotation
/// run; starts are drawn one at a time, so the limit bounds time, not memory).
pub const MAX_RANDOM_STARTS: usize = 10_000;

/// Exploratory factor analysis (psych `fa` / `principal`).
///
/// A configuration value: `Efa::new(k)` with consuming setters, then [`Efa::fit`] on raw data
/// (rows = observations, columns = items) or [`Efa::fit_cor`] on a correlation matrix and the
/// number of observations, returning an [`EfaFit`].
///
/// The analysis follows psych 2.2.9: extraction from the Pearson correlation matrix (start at
/// SMC), rotation, then every factor's sign flipped so its column sum is positive and the factors
/// ordered by the variance they account for (`diag(Φ ΛᵀΛ)`).
///
/// # Formula
/// ```text
/// R ≈ Λ Φ Λᵀ + Ψ;   h² = diag(A Aᵀ) (A unrotated),  u² = 1 − h²
/// structure S = Λ Φ;  SS loadings = diag(Φ ΛᵀΛ);  complexity_i = (Σ_j λ_ij²)² / Σ_j λ_ij⁴
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::factor::{Efa, Extraction, Rotation};
/// let l = array![[0.8, 0.0], [0.7, 0.0], [0.6, 0.0], [0.0, 0.8], [0.0, 0.7], [0.0, 0.6]];
/// let mut r = l.dot(&l.t());
/// for i in 0..6 { r[[i, i]] = 1.0; }
/// let fit = Efa::new(2).extraction(Extraction::Ml).rotation(Rotation::Varimax).fit_cor(&r, 500).unwrap();
/// assert!((fit.communalities()[0] - 0.64).abs() < 1e-6);
/// println!("{fit}");
/// ```
///
/// # Errors
/// See [`Efa::fit_cor`].
///
/// # References
/// Revelle, W. (2022). psych: Procedures for Psychological, Psychometric, and Personality
/// Research, 2.2.9 (`fa`, `principal`, `fa.stats`). Validated against R psych 2.2.9 on
/// Holzinger–Swineford x1–x9 (3 factors), bfi (25 items, 5 factors) and the study data (7 factors),
/// see `tests/reference/factor.rs` and `docs/methods/factor.md`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Efa {
    n_factors: usize,
    extraction: Extraction,
    rotation: Rotation,
    stopping: StoppingRule,
    random_starts: usize,
    seed: u64,
    names: Option<Vec<String>>,
}

impl Efa {
    /// An analysis with `n_factors` factors, minres extraction and oblimin rotation (psych's
    /// defaults), full convergence, 4 random rotation starts (seed 1).
    pub fn new(n_factors: usize) -> Self {
        Self {
            n_factors,
            extraction: Extraction::MinRes,
            rotation: Rotation::Oblimin { gamma: 0.0 },
            stopping: StoppingRule::Full,
            random_starts: 4,
            seed: 1,
            names: None,
        }
    }
    /// Extraction method.
    pub fn extraction(mut self, e: Extraction) -> Self {
        self.extraction = e;
        self
    }
    /// Rotation.
    pub fn rotation(mut self, r: Rotation) -> Self {
        self.rotation = r;
        self
    }
    /// Stopping rules (full convergence, or R's rules to reproduce psych).
    pub fn stopping(mut self, s: StoppingRule) -> Self {
        self.stopping = s;
        self
    }
    /// Number of random orthogonal starts of the rotation in addition to the identity start; the
    /// solution with the best criterion is kept (the identity start wins ties). At most
    /// [`MAX_RANDOM_STARTS`]; more is refused by the fit.
    pub fn random_starts(mut self, n: usize) -> Self {
        self.random_starts = n;
        self
    }
    /// Seed of the random rotation starts.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Item names (default `V1`, `V2`, …).
    pub fn names<S: AsRef<str>>(mut self, names: &[S]) -> Self {
        self.names = Some(names.iter().map(|s| s.as_ref().to_string()).collect());
        self
    }
    /// Number of factors.
    pub fn n_factors(&self) -> usize {
        self.n_factors
    }

    /// Fit to raw data: rows are observations, columns are items. Correlations are Pearson
    /// (pairwise complete where values are missing, as psych) and `n` is the number of rows.
    ///
    /// # Errors
    /// As [`Efa::fit_cor`], plus [`Error::ConstantColumn`], [`Error::NonFinite`],
    /// [`Error::TooFewObservations`] from the correlation step.
    pub fn fit(&self, x: &ArrayRef2<f64>) -> Result<EfaFit> {
        let (r, missing) = data_correlation_missing(x).map_err(|e| match &self.names {
            Some(names) => crate::core::scale::name_columns(e, names),
            None => e,
        })?;
        let mut fit = self.fit_cor(&r, x.nrows())?;
        if missing {
            let moments = crate::moments::Moments::from_data(x, crate::moments::Missing::Pairwise)?;
            if let Some(np) = moments.pair_counts() {
                fit.fit = pairwise_empirical(fit.fit.clone(), &fit.r, &fit.loadings, &fit.phi, np);
            }
            fit.warnings.push(Warning::Other {
                message: "missing values: pairwise correlations used, n = number of rows".into(),
            });
        }
        Ok(fit)
    }

    /// Fit to a correlation matrix `r` (p × p) and the number of observations.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for `k = 0`, `k ≥ p`, or a model with negative degrees of
    /// freedom for ML; [`Error::DimensionMismatch`] / [`Error::NonFinite`] for a malformed matrix;
    /// [`Error::NotPositiveDefinite`] when ML meets a non-positive-definite `r`;
    /// [`Error::NotConverged`] when an extraction has no solution. A non-positive-definite `r`
    /// for the other methods, Heywood cases and non-convergence are [`Warning`]s on the fit.
    pub fn fit_cor(&self, r: &ArrayRef2<f64>, n_obs: usize) -> Result<EfaFit> {
        check_correlation(r)?;
        let p = r.nrows();
        let k = self.n_factors;
        if k == 0 || k >= p {
            return Err(Error::invalid(
                "n_factors",
                format!("must be between 1 and {} for {p} variables, got {k}", p - 1),
            ));
        }
        if n_obs < 2 {
            return Err(Error::TooFewObservations { needed: 2, got: n_obs });
        }
        if self.random_starts > MAX_RANDOM_STARTS {
            return Err(Error::invalid(
                "random_starts",
                format!(
                    "{} random rotation starts requested; at most {MAX_RANDOM_STARTS} are supported",
                    self.random_starts
                ),
            ));
        }
        let names = match &self.names {
            Some(n) if n.len() != p => {
                return Err(Error::DimensionMismatch {
                    what: "item names".into(),
                    expected: p,
                    found: n.len(),
                });
            }
            Some(n) => n.clone(),
            None => (1..=p).map(|i| format!("V{i}")).collect(),
        };
        let dof = (p * (p - 1)) as f64 / 2.0 - (p * k) as f64 + (k * (k - 1)) as f64 / 2.0;
        if self.extraction == Extraction::Ml && dof < 0.0 {
            return Err(Error::invalid(
                "n_factors",
                format!("{k} factors for {p} variables leave negative degrees of freedom ({dof})"),
            ));
        }
        let r = r.to_owned();
        let mut warnings = Vec::new();
        // R⁻¹ and ln det R once: positive definiteness, SMC starts, fit statistics
        let rinv_logdet = crate::core::linalg::spd_inverse_logdet_seq(&r);
        let pd = rinv_logdet.is_some();
        if !pd {
            warnings.push(Warning::NotPositiveDefinite { matrix: "R (correlation matrix)".into() });
        }
        let ex =
            extract(&r, k, self.extraction, self.stopping, rinv_logdet.as_ref().map(|x| &x.0))?;
        warnings.extend(ex.warnings.iter().cloned());
        // psych: sign of the unrotated columns so that their sums are positive
        let mut a = ex.loadings.clone();
        flip_positive(&mut a, None);
        let h2 = Array1::from_shape_fn(p, |i| a.row(i).mapv(|v| v * v).sum());
        for (i, &h) in h2.iter().enumerate() {
            if h >= 1.0 {
                warnings.push(Warning::Heywood { variable: names[i].clone(), value: h });
            }
        }
        if let Some(psi) = &ex.psi {
            for (i, &s) in psi.iter().enumerate() {
                if s <= PSI_LOWER * (1.0 + 1e-9) && h2[i] < 1.0 {
                    warnings.push(Warning::Heywood { variable: names[i].clone(), value: 1.0 - s });
                }
            }
        }
        let rotated = rotate(
            &a,
            &self.rotation,
            &RotateOptions {
                rule: self.stopping,
                promax_kaiser: self.extraction != Extraction::Pca,
                random_starts: self.random_starts,
                seed: self.seed,
            },
        )?;
        if !rotated.convergence.converged {
            warnings.push(Warning::NotConverged {
                what: format!("{} rotation", self.rotation.psych_name()),
                iterations: rotated.convergence.iterations,
            });
        }
        let mut l = rotated.loadings.clone();
        let mut phi = rotated.phi.clone();
        // a target fixes the factors' order and signs; otherwise psych's conventions
        let target = self.rotation.is_target() && k > 1;
        if !target {
            flip_positive(&mut l, phi.as_mut());
        }
        // order by variance accounted for
        let ev = ss_loadings(&l, phi.as_ref());
        let mut order: Vec<usize> = (0..k).collect();
        if k > 1 && !target {
            order.sort_by(|&i, &j| ev[j].partial_cmp(&ev[i]).unwrap_or(std::cmp::Ordering::Equal));
        }
        let l = l.select(Axis(1), &order);
        let phi = phi
            .map(|ph| ph.select(Axis(0), &order).select(Axis(1), &order))
            .unwrap_or_else(|| Array2::eye(k));
        let rotated_flag = !matches!(self.rotation, Rotation::None) && k > 1;
        let prefix = self.extraction.prefix(rotated_flag);
        let factor_names: Vec<String> =
            order.iter().map(|&j| format!("{prefix}{}", j + 1)).collect();
        let structure = l.dot(&phi);
        let ss = ss_loadings(&l, Some(&phi));
        let u2 = h2.mapv(|h| 1.0 - h);
        let complexity = Array1::from_shape_fn(p, |i| {
            let s2: f64 = l.row(i).mapv(|v| v * v).sum();
            let s4: f64 = l.row(i).mapv(|v| v.powi(4)).sum();
            s2 * s2 / s4
        });
        let fit_stats = fit_statistics(&r, &l, &phi, n_obs, rinv_logdet.as_ref().map(|x| x.1))?;
        let communalities_psych = match (&ex.psi, self.extraction) {
            (Some(psi), _) => psi.mapv(|s| 1.0 - s),
            _ => h2.clone(),
        };
        Ok(EfaFit {
            config: self.clone(),
            names,
            factor_names,
            loadings: l,
            unrotated: a,
            phi,
            structure,
            communalities: h2,
            uniquenesses: u2,
            complexity,
            ss_loadings: ss,
            eigenvalues: Derived::default(),
            eigenvalues_reduced: Derived::default(),
            fit: fit_stats,
            r,
            n_obs,
            optimizer_communalities: communalities_psych,
            pa_history: ex.pa_history,
            extraction_convergence: ex.convergence,
            rotation_convergence: rotated.convergence,
            rotation_criterion: rotated.criterion,
            warnings,
        })
    }
}

/// Flip columns so their sums are non-negative (psych); `phi` follows.
fn flip_positive(l: &mut Array2<f64>, phi: Option<&mut Array2<f64>>) {
    let k = l.ncols();
    let signs: Vec<f64> =
        (0..k).map(|j| if l.column(j).sum() < 0.0 { -1.0 } else { 1.0 }).collect();
    for j in 0..k {
        if signs[j] < 0.0 {
            l.column_mut(j).mapv_inplace(|v| -v);
        }
    }
    if let Some(ph) = phi {
        for i in 0..k {
            for j in 0..k {
                ph[[i, j]] *= signs[i] * signs[j];
            }
        }
    }
}

fn ss_loadings(l: &Array2<f64>, phi: Option<&Array2<f64>>) -> Array1<f64> {
    let ltl = l.t().dot(l);
    match phi {
        Some(ph) => ph.dot(&ltl).diag().to_owned(),
        None => ltl.diag().to_owned(),
    }
}

/// Fit statistics as psych's `fa.stats` computes them (for every extraction method).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FitStatistics {
    /// ML discrepancy at the solution: tr(M⁻¹R) − ln det(M⁻¹R) − p, M = ΛΦΛᵀ with unit diagonal.
    pub objective: f64,
    /// Likelihood χ² with Bartlett's correction (psych `STATISTIC`).
    pub chisq: f64,
    /// Degrees of freedom p(p−1)/2 − pk + k(k−1)/2.
    pub dof: f64,
    /// p-value of `chisq` (NaN when `dof ≤ 0`).
    pub p_value: f64,
    /// Null-model discrepancy tr(R) − ln det R − p (psych `null.model`).
    pub null_model: f64,
    /// Null-model degrees of freedom p(p−1)/2.
    pub null_dof: f64,
    /// Null-model χ².
    pub null_chisq: f64,
    /// Tucker–Lewis index.
    pub tli: f64,
    /// RMSEA (psych's formula).
    pub rmsea: f64,
    /// Lower bound of the 90 % RMSEA interval.
    pub rmsea_lower: f64,
    /// Upper bound of the 90 % RMSEA interval.
    pub rmsea_upper: f64,
    /// BIC = χ² − dof ln n.
    pub bic: f64,
    /// Sample-size adjusted BIC = χ² − dof ln((n + 2)/24).
    pub sabic: f64,
    /// Empirical χ² = n Σ_{i≠j} residual² (psych `chi`).
    pub chi: f64,
    /// p-value of the empirical χ² (psych `EPVAL`).
    pub e_p_value: f64,
    /// Empirical BIC.
    pub ebic: f64,
    /// Empirical sample-size adjusted BIC.
    pub esabic: f64,
    /// Root mean square off-diagonal residual.
    pub rms: f64,
    /// dof-corrected root mean square residual.
    pub crms: f64,
    /// 1 − Σ residual² / Σ r² (all entries).
    pub fit: f64,
    /// Same, off-diagonal only.
    pub fit_off: f64,
    /// Number of observations used.
    pub n_obs: usize,
    /// The `n` of the empirical statistics: `n_obs`, or with missing data the harmonic mean of
    /// the pairwise counts (psych `nh`).
    pub n_harmonic: f64,
}

/// psych's empirical fit with pairwise counts (`fa.stats` with `np.obs`): residuals weighted by
/// the number of rows observed for each pair, the harmonic mean of the counts as `n`.
///
/// ```text
/// chi = Σ_{i≠j} res_ij² n_ij,  nh = harmonic mean of all n_ij (diagonal included)
/// rms = √(chi / (nh p (p−1))),  crms = √(chi / (2 nh dof)),  EBIC = chi − dof ln nh,
/// ESABIC = chi − dof ln((nh + 2)/24),  fit.off = 1 − chi / Σ_{i≠j} r_ij² n_ij
/// ```
fn pairwise_empirical(
    mut fs: FitStatistics,
    r: &Array2<f64>,
    l: &Array2<f64>,
    phi: &Array2<f64>,
    np: &Array2<usize>,
) -> FitStatistics {
    let p = r.nrows();
    let model = l.dot(phi).dot(&l.t());
    let (mut chi, mut r2_off, mut inv_sum) = (0.0, 0.0, 0.0);
    for i in 0..p {
        for j in 0..p {
            let n = np[[i, j]] as f64;
            inv_sum += 1.0 / n;
            if i != j {
                let res = r[[i, j]] - model[[i, j]];
                chi += res * res * n;
                r2_off += r[[i, j]] * r[[i, j]] * n;
            }
        }
    }
    let nh = (p * p) as f64 / inv_sum;
    let pf = p as f64;
    let dof = fs.dof;
    fs.chi = chi;
    fs.rms = (chi / (nh * pf * (pf - 1.0))).sqrt();
    fs.fit_off = 1.0 - chi / r2_off;
    fs.n_harmonic = nh;
    if dof > 0.0 {
        fs.e_p_value = chisq_sf(chi, dof);
        fs.crms = (chi / (2.0 * nh * dof)).sqrt();
        fs.ebic = chi - dof * nh.ln();
        fs.esabic = chi - dof * ((nh + 2.0) / 24.0).ln();
    }
    fs
}

fn fit_statistics(
    r: &Array2<f64>,
    l: &Array2<f64>,
    phi: &Array2<f64>,
    n_obs: usize,
    ld_r: Option<f64>,
) -> Result<FitStatistics> {
    let p = r.nrows();
    let k = l.ncols();
    let pf = p as f64;
    let kf = k as f64;
    let nf = n_obs as f64;
    let model = l.dot(phi).dot(&l.t());
    let resid = r - &model;
    let r2: f64 = r.iter().map(|v| v * v).sum();
    let rstar2: f64 = resid.iter().map(|v| v * v).sum();
    let trace_r: f64 = r.diag().sum();
    let r2_off = r2 - trace_r; // psych subtracts tr(r), not tr(r∘r)
    let mut rstar_off = 0.0;
    for i in 0..p {
        for j in 0..p {
            if i != j {
                rstar_off += resid[[i, j]] * resid[[i, j]];
            }
        }
    }
    let dof = pf * (pf - 1.0) / 2.0 - pf * kf + kf * (kf - 1.0) / 2.0;
    let chi = rstar_off * nf;
    let rms = (rstar_off / (pf * (pf - 1.0))).sqrt();
    let (e_p_value, crms, ebic, esabic) = if dof > 0.0 {
        (
            chisq_sf(chi, dof),
            (rstar_off / (2.0 * dof)).sqrt(),
            chi - dof * nf.ln(),
            chi - dof * ((nf + 2.0) / 24.0).ln(),
        )
    } else {
        (f64::NAN, f64::NAN, f64::NAN, f64::NAN)
    };
    let fit = 1.0 - rstar2 / r2;
    let fit_off = 1.0 - rstar_off / r2_off;
    // ML discrepancy with the model's diagonal set to R's
    let mut m = model.clone();
    for i in 0..p {
        m[[i, i]] = r[[i, i]];
    }
    let objective = match (crate::core::linalg::spd_inverse_logdet_seq(&m), ld_r) {
        (Some((minv, ld_m)), Some(ld_r)) => {
            let tr: f64 =
                (0..p).map(|i| (0..p).map(|j| minv[[i, j]] * r[[j, i]]).sum::<f64>()).sum();
            tr - (ld_r - ld_m) - pf
        }
        _ => f64::NAN,
    };
    let nm = (nf - 1.0) - (2.0 * pf + 5.0) / 6.0 - 2.0 * kf / 3.0;
    let mut chisq = objective * nm;
    if chisq < 0.0 {
        chisq = 0.0;
    }
    let p_value = if dof > 0.0 { chisq_sf(chisq, dof) } else { f64::NAN };
    let null_model = match ld_r {
        Some(ld) => trace_r - ld - pf,
        None => f64::NAN,
    };
    let null_dof = pf * (pf - 1.0) / 2.0;
    let null_chisq = null_model * ((nf - 1.0) - (2.0 * pf + 5.0) / 6.0);
    let mm = objective / dof;
    let m0 = null_model * 2.0 / (pf * (pf - 1.0));
    let tli = (m0 - mm) / (m0 - 1.0 / nm);
    let (rmsea, lo, hi) = if dof > 0.0 && chisq.is_finite() {
        let rmsea = (chisq / (dof * nf) - 1.0 / (nf - 1.0)).max(0.0).sqrt();
        let maxv = nf.max(chisq) + 2.0 * nf;
        let tail = 0.05;
        let scale = |x: f64| (x / (nf - 1.0) / dof).sqrt();
        let p0 = 1.0 - chisq_sf(chisq, dof);
        let mut upper = 0.0;
        if p0 > tail {
            upper = match find_ncp(chisq, dof, tail, maxv) {
                Some(x) => scale(x),
                None => f64::NAN,
            };
        }
        let mut lower = 0.0;
        if p0 > 1.0 - tail {
            lower = match find_ncp(chisq, dof, 1.0 - tail, maxv) {
                Some(x) => scale(x),
                None => f64::NAN,
            };
        }
        if upper < rmsea {
            upper = f64::NAN;
        }
        if lower > rmsea {
            lower = f64::NAN;
        }
        (rmsea, lower, upper)
    } else {
        (f64::NAN, f64::NAN, f64::NAN)
    };
    Ok(FitStatistics {
        objective,
        chisq,
        dof,
        p_value,
        null_model,
        null_dof,
        null_chisq,
        tli,
        rmsea,
        rmsea_lower: lo,
        rmsea_upper: hi,
        bic: chisq - dof * nf.ln(),
        sabic: chisq - dof * ((nf + 2.0) / 24.0).ln(),
        chi,
        e_p_value,
        ebic,
        esabic,
        rms,
        crms,
        fit,
        fit_off,
        n_obs,
        n_harmonic: nf,
    })
}

/// The noncentrality with `P(χ²(df, ncp) ≤ q) = target`, if it lies in [0, maxv] (psych's
/// search interval for the RMSEA limits).
fn find_ncp(q: f64, df: f64, target: f64, maxv: f64) -> Option<f64> {
    let x = ncp_root(q, df, target);
    (x <= maxv).then_some(x)
}

/// A quantity derived from other fields of a fit, computed on first use. Equality ignores it:
/// it is a function of fields that are compared, and whether it was computed yet is no part of
/// the fit's value.
#[derive(Debug, Clone, Default)]
struct Derived<T>(OnceLock<T>);

impl<T> PartialEq for Derived<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Result of [`Efa`]: loadings, Φ, communalities, variance accounted for, fit statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct EfaFit {
    config: Efa,
    names: Vec<String>,
    factor_names: Vec<String>,
    loadings: Array2<f64>,
    unrotated: Array2<f64>,
    phi: Array2<f64>,
    structure: Array2<f64>,
    communalities: Array1<f64>,
    uniquenesses: Array1<f64>,
    complexity: Array1<f64>,
    ss_loadings: Array1<f64>,
    /// Computed on first use (two p × p decompositions most callers never look at).
    eigenvalues: Derived<Array1<f64>>,
    eigenvalues_reduced: Derived<Array1<f64>>,
    fit: FitStatistics,
    r: Array2<f64>,
    n_obs: usize,
    optimizer_communalities: Array1<f64>,
    pa_history: Vec<f64>,
    extraction_convergence: Convergence,
    rotation_convergence: Convergence,
    rotation_criterion: Option<f64>,
    warnings: Vec<Warning>,
}

impl EfaFit {
    /// The configuration that produced this fit.
    pub fn config(&self) -> &Efa {
        &self.config
    }
    /// The extraction method used.
    pub fn config_extraction(&self) -> Extraction {
        self.config.extraction
    }
    /// The rotation used.
    pub fn config_rotation(&self) -> &Rotation {
        &self.config.rotation
    }
    /// Item names.
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// Factor names in psych's manner (`MR1`, `ML2`, `PA3`, `PC1`/`RC1`), after reordering.
    pub fn factor_names(&self) -> &[String] {
        &self.factor_names
    }
    /// Rotated loadings (pattern matrix for oblique rotations), items × factors.
    pub fn loadings(&self) -> &Array2<f64> {
        &self.loadings
    }
    /// Unrotated loadings (columns sign-flipped to positive sums, extraction order).
    pub fn unrotated_loadings(&self) -> &Array2<f64> {
        &self.unrotated
    }
    /// Factor correlations Φ (identity for orthogonal or no rotation).
    pub fn phi(&self) -> &Array2<f64> {
        &self.phi
    }
    /// Structure matrix Λ Φ.
    pub fn structure(&self) -> &Array2<f64> {
        &self.structure
    }
    /// Communalities h² (row sums of squared unrotated loadings; psych `communality`).
    pub fn communalities(&self) -> &Array1<f64> {
        &self.communalities
    }
    /// Uniquenesses u² = 1 − h².
    pub fn uniquenesses(&self) -> &Array1<f64> {
        &self.uniquenesses
    }
    /// 1 − ψ from the minres / ML optimiser (psych `communalities`); h² for PCA / PA.
    pub fn optimizer_communalities(&self) -> &Array1<f64> {
        &self.optimizer_communalities
    }
    /// Hofmann's item complexity.
    pub fn complexity(&self) -> &Array1<f64> {
        &self.complexity
    }
    /// SS loadings diag(Φ ΛᵀΛ) per factor.
    pub fn ss_loadings(&self) -> &Array1<f64> {
        &self.ss_loadings
    }
    /// psych's `Vaccounted`: rows SS loadings, Proportion Var, Cumulative Var, Proportion
    /// Explained, Cumulative Proportion (5 × k).
    pub fn variance_accounted(&self) -> Array2<f64> {
        let k = self.ss_loadings.len();
        let p = self.names.len() as f64;
        let total: f64 = self.ss_loadings.sum();
        let mut v = Array2::<f64>::zeros((5, k));
        let (mut c1, mut c2) = (0.0, 0.0);
        for j in 0..k {
            let s = self.ss_loadings[j];
            c1 += s / p;
            c2 += s / total;
            v[[0, j]] = s;
            v[[1, j]] = s / p;
            v[[2, j]] = c1;
            v[[3, j]] = s / total;
            v[[4, j]] = c2;
        }
        v
    }
    /// Eigenvalues of R, descending (computed on first use).
    pub fn eigenvalues(&self) -> &Array1<f64> {
        self.eigenvalues.0.get_or_init(|| small::sym_eigenvalues_robust(&self.r))
    }
    /// Eigenvalues of R with the communalities on the diagonal, descending (computed on first
    /// use).
    pub fn eigenvalues_reduced(&self) -> &Array1<f64> {
        self.eigenvalues_reduced.0.get_or_init(|| {
            let mut reduced = self.r.clone();
            for (i, &h) in self.communalities.iter().enumerate() {
                reduced[[i, i]] = h;
            }
            small::sym_eigenvalues_robust(&reduced)
        })
    }
    /// Fit statistics (psych `fa.stats`).
    pub fn fit_statistics(&self) -> &FitStatistics {
        &self.fit
    }
    /// The correlation matrix analysed.
    pub fn correlation(&self) -> &Array2<f64> {
        &self.r
    }
    /// Number of observations.
    pub fn n_obs(&self) -> usize {
        self.n_obs
    }
    /// Σh² after each principal-axis iteration (psych `communality.iterations`); empty otherwise.
    pub fn pa_history(&self) -> &[f64] {
        &self.pa_history
    }
    /// Convergence of the extraction.
    pub fn convergence(&self) -> &Convergence {
        &self.extraction_convergence
    }
    /// Convergence of the rotation.
    pub fn rotation_convergence(&self) -> &Convergence {
        &self.rotation_convergence
    }
    /// Value of the rotation criterion at the solution (criterion rotations only).
    pub fn rotation_criterion(&self) -> Option<f64> {
        self.rotation_criterion
    }
    /// Warnings: Heywood cases, non-positive-definite R, non-convergence.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
    /// Loadings as parameter rows (`factor =~ item`, with `std_all` = the loading).
    pub fn parameters(&self) -> Vec<ParamRow> {
        let mut v = Vec::new();
        for (j, f) in self.factor_names.iter().enumerate() {
            for (i, it) in self.names.iter().enumerate() {
                let mut row = ParamRow::new(f.clone(), "=~", it.clone(), self.loadings[[i, j]]);
                row.std_all = Some(self.loadings[[i, j]]);
                v.push(row);
            }
        }
        v
    }

    /// A printable summary in the manner of psych's `print.psych` for `fa`.
    pub fn summary(&self) -> Summary {
        let method = match self.config.extraction {
            Extraction::Pca => "principal components".to_string(),
            e => format!("factor analysis, method = {}", e.psych_name()),
        };
        let mut s = Summary::new(format!(
            "Exploratory {method}, rotation = {}",
            self.config.rotation.psych_name()
        ));
        let k = self.factor_names.len();
        let mut head: Vec<String> = vec!["item".into()];
        head.extend(self.factor_names.iter().cloned());
        head.extend(["h2", "u2", "com"].iter().map(|s| s.to_string()));
        let title = if self.config.rotation.is_oblique() {
            "Standardized loadings (pattern matrix) based upon correlation matrix"
        } else {
            "Standardized loadings based upon correlation matrix"
        };
        let mut t = Table::new(Some(title), head);
        for (i, n) in self.names.iter().enumerate() {
            let mut row = vec![n.clone()];
            for j in 0..k {
                row.push(fmt_num(self.loadings[[i, j]], 2));
            }
            row.push(fmt_num(self.communalities[i], 2));
            row.push(fmt_num(self.uniquenesses[i], 2));
            row.push(fmt_num(self.complexity[i], 1));
            t.push(row);
        }
        s.table(t);
        let va = self.variance_accounted();
        let mut head: Vec<String> = vec![String::new()];
        head.extend(self.factor_names.iter().cloned());
        let mut t = Table::new(None, head);
        for (ri, lab) in [
            "SS loadings",
            "Proportion Var",
            "Cumulative Var",
            "Proportion Explained",
            "Cumulative Proportion",
        ]
        .iter()
        .enumerate()
        {
            let mut row = vec![lab.to_string()];
            for j in 0..k {
                row.push(fmt_num(va[[ri, j]], 2));
            }
            t.push(row);
        }
        s.table(t);
        if self.config.rotation.is_oblique() && k > 1 {
            let mut head: Vec<String> = vec![String::new()];
            head.extend(self.factor_names.iter().cloned());
            let mut t = Table::new(Some("With factor correlations of"), head);
            for i in 0..k {
                let mut row = vec![self.factor_names[i].clone()];
                for j in 0..k {
                    row.push(fmt_num(self.phi[[i, j]], 2));
                }
                t.push(row);
            }
            s.table(t);
        }
        let f = &self.fit;
        let mean_com = self.complexity.mean().unwrap_or(f64::NAN);
        let mut lines = vec![format!("Mean item complexity = {}", fmt_num(mean_com, 1))];
        lines.push(format!("Test of the hypothesis that {k} factor(s) are sufficient."));
        if self.config.extraction != Extraction::Pca {
            lines.push(format!(
                "df null model = {} with the objective function = {} with Chi Square = {}",
                fmt_num(f.null_dof, 0),
                fmt_num(f.null_model, 2),
                fmt_num(f.null_chisq, 2)
            ));
        }
        lines.push(format!(
            "df of the model are {} and the objective function was {}",
            fmt_num(f.dof, 0),
            fmt_num(f.objective, 2)
        ));
        lines
            .push(format!("The root mean square of the residuals (RMSR) is {}", fmt_num(f.rms, 2)));
        if self.config.extraction != Extraction::Pca {
            lines.push(format!(
                "The df corrected root mean square of the residuals is {}",
                fmt_num(f.crms, 2)
            ));
            lines.push(format!(
                "The harmonic n.obs is {} with the empirical chi square {} with prob < {}",
                fmt_num(f.n_harmonic, 0),
                fmt_num(f.chi, 2),
                crate::summary::fmt_pvalue(f.e_p_value)
            ));
            lines.push(format!(
                "The total n.obs was {} with Likelihood Chi Square = {} with prob < {}",
                f.n_obs,
                fmt_num(f.chisq, 2),
                crate::summary::fmt_pvalue(f.p_value)
            ));
            lines.push(format!(
                "Tucker Lewis Index of factoring reliability = {}",
                fmt_num(f.tli, 3)
            ));
            lines.push(format!(
                "RMSEA index = {} and the 90 % confidence intervals are {} {}",
                fmt_num(f.rmsea, 3),
                fmt_num(f.rmsea_lower, 3),
                fmt_num(f.rmsea_upper, 3)
            ));
            lines.push(format!("BIC = {}", fmt_num(f.bic, 2)));
        } else {
            lines.push(format!(
                "with the empirical chi square {} with prob < {}",
                fmt_num(f.chi, 2),
                crate::summary::fmt_pvalue(f.e_p_value)
            ));
        }
        lines.push(format!("Fit based upon off diagonal values = {}", fmt_num(f.fit_off, 2)));
        lines.push(format!(
            "Extraction: {} ({} iterations); rotation: {} ({} iterations)",
            self.extraction_convergence.reason,
            self.extraction_convergence.iterations,
            self.rotation_convergence.reason,
            self.rotation_convergence.iterations
        ));
        s.text(lines.join("\n"));
        for w in &self.warnings {
            s.text(format!("Warning: {w}"));
        }
        s
    }
}

impl std::fmt::Display for EfaFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.summary())
    }
}
