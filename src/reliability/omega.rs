//! McDonald's ω hierarchical, ω total and ω of the subscales from a Schmid–Leiman
//! transformation of an oblique factor solution (as psych's `omega` and `schmid`).

use ndarray::{Array1, Array2, ArrayRef2};

use crate::error::{Error, Result};
use crate::factor::{Efa, EfaFit, Extraction, Rotation, StoppingRule, smc};
use crate::warning::Warning;

/// The Schmid–Leiman transformation of an oblique factor solution: the loadings of every item on
/// a general factor and on `k` group factors orthogonal to it and to each other.
///
/// # Formula
/// ```text
/// P (p × k) pattern, Φ (k × k) factor correlations, h²_i communalities of the solution
/// γ = loadings of the k factors on one second-order factor of Φ (k ≥ 3; same extraction as the
///     first order, minres when that was principal components)
///     k = 2: γ_1 = √|φ12|, γ_2 = sign(φ12) √|φ12|   (not identified: loadings set equal)
///     k = 1: γ = 1
/// g_i   = Σ_j P_ij γ_j                      (general factor)
/// G_ij  = P_ij √max(0, 1 − γ_j²)             (group factors)
/// u²_i  = 1 − h²_i,   p²_i = g_i² / h²_i
/// ```
///
/// # References
/// Schmid, J. & Leiman, J. M. (1957). The development of hierarchical factor solutions.
/// *Psychometrika* 22, 53–61.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SchmidLeiman {
    general: Array1<f64>,
    group: Array2<f64>,
    communalities: Array1<f64>,
    uniquenesses: Array1<f64>,
    p2: Array1<f64>,
    pattern: Array2<f64>,
    phi: Array2<f64>,
    second_order: Array1<f64>,
    warnings: Vec<Warning>,
}

impl SchmidLeiman {
    /// Transform a fitted oblique EFA (pattern, Φ and communalities of `fit`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when a second-order factor cannot be extracted from Φ.
    pub fn from_efa(fit: &EfaFit) -> Result<Self> {
        Self::new(fit.loadings(), fit.phi(), fit.communalities(), fit.config_extraction())
    }

    /// Transform a pattern `pattern` (items × k), its factor correlations `phi` (k × k) and the
    /// communalities of the solution; `extraction` extracts the second-order factor from Φ.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] for inconsistent shapes, [`Error::NonFinite`] for NaN input,
    /// errors of [`Efa::fit_cor`] on Φ.
    pub fn new(
        pattern: &ArrayRef2<f64>,
        phi: &ArrayRef2<f64>,
        communalities: &Array1<f64>,
        extraction: Extraction,
    ) -> Result<Self> {
        let (p, k) = pattern.dim();
        if k == 0 {
            return Err(Error::invalid("pattern", "has no factor columns"));
        }
        if phi.dim() != (k, k) {
            return Err(Error::DimensionMismatch {
                what: "factor correlations Φ".into(),
                expected: k,
                found: phi.nrows(),
            });
        }
        if communalities.len() != p {
            return Err(Error::DimensionMismatch {
                what: "communalities".into(),
                expected: p,
                found: communalities.len(),
            });
        }
        if pattern.iter().chain(phi.iter()).chain(communalities.iter()).any(|v| !v.is_finite()) {
            return Err(Error::NonFinite { what: "Schmid–Leiman input".into() });
        }
        let mut warnings = Vec::new();
        let gamma: Array1<f64> = match k {
            1 => {
                warnings.push(Warning::Other {
                    message: "one factor: ω hierarchical is not meaningful, only ω total".into(),
                });
                Array1::from_elem(1, 1.0)
            }
            2 => {
                warnings.push(Warning::Other {
                    message: "three factors are required for identification: general factor \
                              loadings set to be equal (√|φ12|)"
                        .into(),
                });
                let r = phi[[0, 1]];
                let s = r.abs().sqrt();
                Array1::from(vec![s, r.signum() * s])
            }
            _ => {
                let ext =
                    if extraction == Extraction::Pca { Extraction::MinRes } else { extraction };
                let second = Efa::new(1)
                    .extraction(ext)
                    .rotation(Rotation::None)
                    .stopping(StoppingRule::Full)
                    .fit_cor(phi, 100)?;
                for w in second.warnings() {
                    warnings.push(Warning::Other { message: format!("second-order factor: {w}") });
                }
                second.loadings().column(0).to_owned()
            }
        };
        let general = pattern.dot(&gamma);
        let mut group = pattern.to_owned();
        for j in 0..k {
            let s = (1.0 - gamma[j] * gamma[j]).max(0.0).sqrt();
            group.column_mut(j).mapv_inplace(|v| v * s);
        }
        let uniquenesses = communalities.mapv(|h| 1.0 - h);
        let p2 = Array1::from_shape_fn(p, |i| general[i] * general[i] / communalities[i]);
        Ok(Self {
            general,
            group,
            communalities: communalities.clone(),
            uniquenesses,
            p2,
            pattern: pattern.to_owned(),
            phi: phi.to_owned(),
            second_order: gamma,
            warnings,
        })
    }

    /// Loadings on the general factor (psych `sl[, "g"]`).
    pub fn general(&self) -> &Array1<f64> {
        &self.general
    }
    /// Loadings on the group factors, items × k (psych `sl[, "F1*"...]`).
    pub fn group(&self) -> &Array2<f64> {
        &self.group
    }
    /// Communalities h² of the factor solution.
    pub fn communalities(&self) -> &Array1<f64> {
        &self.communalities
    }
    /// Uniquenesses u² = 1 − h².
    pub fn uniquenesses(&self) -> &Array1<f64> {
        &self.uniquenesses
    }
    /// Share of each item's common variance due to the general factor, g² / h² (psych `p2`).
    pub fn p2(&self) -> &Array1<f64> {
        &self.p2
    }
    /// The oblique pattern that was transformed.
    pub fn pattern(&self) -> &Array2<f64> {
        &self.pattern
    }
    /// Its factor correlations Φ.
    pub fn phi(&self) -> &Array2<f64> {
        &self.phi
    }
    /// Loadings of the first-order factors on the general factor (psych `gloading`).
    pub fn second_order(&self) -> &Array1<f64> {
        &self.second_order
    }
    /// Warnings (fewer than three factors, second-order Heywood case, …).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Reverse the items whose `key` is negative (general and group loadings change sign).
    fn flip(&mut self, key: &[f64]) {
        for (i, &s) in key.iter().enumerate() {
            if s < 0.0 {
                self.general[i] = -self.general[i];
                self.group.row_mut(i).mapv_inplace(|v| -v);
                self.pattern.row_mut(i).mapv_inplace(|v| -v);
            }
        }
    }
}

/// ω hierarchical, ω total and the subscale ωs of a set of items (psych's `omega`).
///
/// An oblique EFA (minres, oblimin, three factors by default, as psych) is transformed by
/// Schmid–Leiman ([`SchmidLeiman`]); items with a negative general loading are reversed (psych's
/// `flip = TRUE`) unless a key is given; then, with `R` the (keyed) correlation matrix and
/// `V = ΣR`:
///
/// # Formula
/// ```text
/// ω_h     = (Σ g)² / V                 ω_total = (V − Σ u²) / V
/// ω_limit = (Σ g)² / (V − Σ u²)        ECV     = Σ g² / (Σ g² + Σ G²)
/// α       = (V − tr R) / V · p / (p − 1)          λ6 = (V − p + Σ smc) / V
/// subscale j (items whose largest |group loading| is on factor j, R_j their block):
///   total = ((Σ G_j)² + (Σ g)²) / ΣR_j,  general = (Σ g)² / ΣR_j,  group = (Σ G_j)² / ΣR_j
/// the general row: total = ω_total, general = ω_h, group = Σ_j (Σ_{i∈j} G_ij)² / V
/// ```
///
/// # Examples
/// ```
/// use ndarray::Array2;
/// use surveystat::reliability::Omega;
/// // three group factors of three items each under one general factor
/// let mut l = Array2::<f64>::zeros((9, 3));
/// for i in 0..9 { l[[i, i / 3]] = 0.6; }
/// let phi = Array2::from_shape_fn((3, 3), |(i, j)| if i == j { 1.0 } else { 0.5 });
/// let mut r = l.dot(&phi).dot(&l.t());
/// for i in 0..9 { r[[i, i]] = 1.0; }
/// let fit = Omega::new().fit_cor(&r, 500).unwrap();
/// assert!(fit.omega_h() > 0.4 && fit.omega_h() < fit.omega_total());
/// ```
///
/// # Errors
/// Those of [`Efa::fit_cor`] (too many factors for the items, malformed matrix); a key of the
/// wrong length is [`Error::DimensionMismatch`]. Fewer than three factors is a warning on the fit.
///
/// # References
/// McDonald, R. P. (1999). *Test theory: A unified treatment*. Zinbarg, R. E., Revelle, W.,
/// Yovel, I. & Li, W. (2005). Cronbach's α, Revelle's β, and McDonald's ω_H. *Psychometrika* 70,
/// 123–133. Validated against R psych 2.2.9 `omega` on bfi (3 and 5 factors), Harman74 (4) and
/// Holzinger–Swineford (2), see `tests/reference/omega.rs`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Omega {
    n_factors: usize,
    extraction: Extraction,
    rotation: Rotation,
    flip: bool,
    key: Option<Vec<f64>>,
    names: Option<Vec<String>>,
}

impl Default for Omega {
    fn default() -> Self {
        Self::new()
    }
}

impl Omega {
    /// psych's defaults: three group factors, minres, oblimin, items flipped to positive general
    /// loadings.
    pub fn new() -> Self {
        Self {
            n_factors: 3,
            extraction: Extraction::MinRes,
            rotation: Rotation::Oblimin { gamma: 0.0 },
            flip: true,
            key: None,
            names: None,
        }
    }
    /// Number of group factors.
    pub fn n_factors(mut self, k: usize) -> Self {
        self.n_factors = k;
        self
    }
    /// Extraction of the first- (and second-) order factors.
    pub fn extraction(mut self, e: Extraction) -> Self {
        self.extraction = e;
        self
    }
    /// Oblique rotation of the first-order factors.
    pub fn rotation(mut self, r: Rotation) -> Self {
        self.rotation = r;
        self
    }
    /// Whether items with negative general loadings are reversed (psych `flip`, default true).
    pub fn flip(mut self, flip: bool) -> Self {
        self.flip = flip;
        self
    }
    /// Scoring key (+1 / −1 per item) applied to the correlations before the analysis (psych
    /// `key`); a key turns flipping off.
    pub fn key(mut self, key: &[f64]) -> Self {
        self.key = Some(key.to_vec());
        self
    }
    /// Item names (default `V1`, `V2`, …).
    pub fn names<S: AsRef<str>>(mut self, names: &[S]) -> Self {
        self.names = Some(names.iter().map(|s| s.as_ref().to_string()).collect());
        self
    }

    /// Fit to raw data: rows are observations, columns are items (pairwise correlations where
    /// values are missing, as psych).
    ///
    /// # Errors
    /// As [`Omega::fit_cor`] and [`Efa::fit`].
    pub fn fit(&self, x: &ArrayRef2<f64>) -> Result<OmegaFit> {
        let (r, missing) =
            crate::factor::data_correlation_missing(x).map_err(|e| match &self.names {
                Some(names) => crate::core::scale::name_columns(e, names),
                None => e,
            })?;
        let mut fit = self.fit_cor(&r, x.nrows())?;
        if missing {
            fit.warnings.push(Warning::Other {
                message: "missing values: pairwise correlations used, n = number of rows".into(),
            });
        }
        Ok(fit)
    }

    /// Fit to a correlation matrix `r` (p × p) and the number of observations.
    ///
    /// # Errors
    /// See [`Omega`].
    pub fn fit_cor(&self, r: &ArrayRef2<f64>, n_obs: usize) -> Result<OmegaFit> {
        let p = r.nrows();
        let mut m = r.to_owned();
        let mut key = vec![1.0; p];
        if let Some(k) = &self.key {
            if k.len() != p {
                return Err(Error::DimensionMismatch {
                    what: "omega key".into(),
                    expected: p,
                    found: k.len(),
                });
            }
            key = k.iter().map(|&v| if v < 0.0 { -1.0 } else { 1.0 }).collect();
            apply_key(&mut m, &key);
        }
        let mut efa =
            Efa::new(self.n_factors).extraction(self.extraction).rotation(self.rotation.clone());
        if let Some(n) = &self.names {
            efa = efa.names(n);
        }
        let efa = efa.fit_cor(&m, n_obs)?;
        let mut sl = SchmidLeiman::from_efa(&efa)?;
        let mut warnings: Vec<Warning> = efa.warnings().to_vec();
        warnings.extend(sl.warnings.iter().cloned());
        if self.key.is_none() && self.flip {
            let flip: Vec<f64> =
                sl.general.iter().map(|&g| if g < 0.0 { -1.0 } else { 1.0 }).collect();
            if flip.iter().any(|&s| s < 0.0) {
                apply_key(&mut m, &flip);
                sl.flip(&flip);
                key = flip;
            }
        }
        let k = sl.group.ncols();
        let v: f64 = m.sum();
        let tr: f64 = m.diag().sum();
        let sum_u2: f64 = sl.uniquenesses.sum();
        let gsq = sl.general.sum().powi(2);
        let omega_total = (v - sum_u2) / v;
        let pf = p as f64;
        let alpha = (v - tr) / v * pf / (pf - 1.0);
        let g6 = (v + smc(&m, None)?.sum() - tr) / v;
        let ev_g: f64 = sl.general.mapv(|x| x * x).sum();
        let ev_all = ev_g + sl.group.mapv(|x| x * x).sum();
        // subscales: each item goes to the group factor of its largest |loading|
        let assign: Vec<usize> = (0..p)
            .map(|i| {
                let row = sl.group.row(i);
                (0..k).fold(0, |b, j| if row[j].abs() > row[b].abs() { j } else { b })
            })
            .collect();
        let mut subscales = Vec::with_capacity(k + 1);
        let mut grs = 0.0;
        for j in 0..k {
            let items: Vec<usize> = (0..p).filter(|&i| assign[i] == j).collect();
            let (mut total, mut general, mut group) = (f64::NAN, f64::NAN, f64::NAN);
            if !items.is_empty() {
                let vj: f64 =
                    items.iter().map(|&a| items.iter().map(|&b| m[[a, b]]).sum::<f64>()).sum();
                let gr: f64 = items.iter().map(|&i| sl.group[[i, j]]).sum();
                let gg: f64 = items.iter().map(|&i| sl.general[i]).sum();
                grs += gr * gr;
                group = gr * gr / vj;
                general = gg * gg / vj;
                total = (gr * gr + gg * gg) / vj;
            }
            subscales.push(OmegaSubscale {
                name: format!("F{}*", j + 1),
                items: items.iter().map(|&i| efa.names()[i].clone()).collect(),
                total,
                general,
                group,
            });
        }
        subscales.insert(
            0,
            OmegaSubscale {
                name: "g".into(),
                items: efa.names().to_vec(),
                total: omega_total,
                general: gsq / v,
                group: grs / v,
            },
        );
        Ok(OmegaFit {
            omega_h: gsq / v,
            omega_limit: gsq / (v - sum_u2),
            omega_total,
            alpha,
            g6,
            ecv: ev_g / ev_all,
            key,
            names: efa.names().to_vec(),
            subscales,
            schmid: sl,
            efa,
            warnings,
        })
    }
}

fn apply_key(m: &mut Array2<f64>, key: &[f64]) {
    let p = m.nrows();
    for i in 0..p {
        for j in 0..p {
            m[[i, j]] *= key[i] * key[j];
        }
    }
}

/// One row of psych's `omega.group`: ω total, the general factor's and the group factor's share
/// for the items of one group factor (the first row, `g`, is the whole test).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct OmegaSubscale {
    /// `g` for the whole test, `F1*`, `F2*`, … for the group factors.
    pub name: String,
    /// The items of the subscale.
    pub items: Vec<String>,
    /// ω total of the subscale (NaN when no item loads highest on the factor).
    pub total: f64,
    /// ω of the general factor within the subscale.
    pub general: f64,
    /// ω of the group factor within the subscale.
    pub group: f64,
}

/// Result of [`Omega`].
#[derive(Debug, Clone, PartialEq)]
pub struct OmegaFit {
    omega_h: f64,
    omega_limit: f64,
    omega_total: f64,
    alpha: f64,
    g6: f64,
    ecv: f64,
    key: Vec<f64>,
    names: Vec<String>,
    subscales: Vec<OmegaSubscale>,
    schmid: SchmidLeiman,
    efa: EfaFit,
    warnings: Vec<Warning>,
}

impl OmegaFit {
    /// ω hierarchical: the general factor's share of the total score variance (psych `omega_h`).
    pub fn omega_h(&self) -> f64 {
        self.omega_h
    }
    /// ω_h / ω_total: the general factor's share of the common variance (psych `omega.lim`).
    pub fn omega_limit(&self) -> f64 {
        self.omega_limit
    }
    /// ω total (psych `omega.tot`).
    pub fn omega_total(&self) -> f64 {
        self.omega_total
    }
    /// Standardized α of the keyed correlation matrix.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
    /// Guttman's λ6 with squared multiple correlations (psych `G6`).
    pub fn g6(&self) -> f64 {
        self.g6
    }
    /// Explained common variance of the general factor (psych `ECV`).
    pub fn ecv(&self) -> f64 {
        self.ecv
    }
    /// The key (+1 / −1 per item) applied before the ωs (psych `key`).
    pub fn key(&self) -> &[f64] {
        &self.key
    }
    /// Item names.
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// psych's `omega.group`: the whole test (`g`) then one row per group factor.
    pub fn subscales(&self) -> &[OmegaSubscale] {
        &self.subscales
    }
    /// The Schmid–Leiman solution (after keying).
    pub fn schmid(&self) -> &SchmidLeiman {
        &self.schmid
    }
    /// The oblique first-order factor analysis.
    pub fn efa(&self) -> &EfaFit {
        &self.efa
    }
    /// Warnings (fewer than three group factors, Heywood cases, missing values).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}
