//! Closed-form reliability and validity from a factor solution: McDonald's ω total, composite
//! reliability (CR), average variance extracted (AVE), the Fornell–Larcker criterion, and the
//! heterotrait–monotrait ratio (HTMT) from item correlations.

use ndarray::{Array1, Array2, ArrayRef2};

use crate::error::{Error, Result};

fn check_values(what: &str, v: &[f64]) -> Result<()> {
    if v.is_empty() {
        return Err(Error::TooFewVariables { needed: 1, got: 0 });
    }
    if v.iter().any(|x| !x.is_finite()) {
        return Err(Error::NonFinite { what: what.to_string() });
    }
    Ok(())
}

fn check_std_loadings(l: &[f64]) -> Result<()> {
    check_values("standardized loadings", l)?;
    if let Some(x) = l.iter().find(|x| x.abs() > 1.0) {
        return Err(Error::invalid(
            "standardized loadings",
            format!("|{x}| > 1 (Heywood case): the residual variance 1 − λ² would be negative"),
        ));
    }
    Ok(())
}

fn check_pair(loadings: &[f64], residual_variances: &[f64]) -> Result<()> {
    check_values("loadings", loadings)?;
    check_values("residual variances", residual_variances)?;
    if loadings.len() != residual_variances.len() {
        return Err(Error::DimensionMismatch {
            what: "residual variances vs loadings".into(),
            expected: loadings.len(),
            found: residual_variances.len(),
        });
    }
    if let Some(t) = residual_variances.iter().find(|t| **t < 0.0) {
        return Err(Error::invalid(
            "residual variances",
            format!("negative residual variance {t} (Heywood case)"),
        ));
    }
    Ok(())
}

/// McDonald's ω total of a one-factor (congeneric) measurement model from its loadings and
/// residual variances, unstandardized or standardized.
///
/// With standardized loadings and residual variances `1 − λ²` this is the composite reliability
/// ([`composite_reliability`]). The factor variance is taken as 1 (`std.lv = TRUE` in lavaan).
///
/// # Formula
/// ```text
/// ω = (Σ λ_i)² / ((Σ λ_i)² + Σ θ_i)
/// ```
///
/// # Examples
/// ```
/// use surveystat::reliability::omega_total;
/// let w = omega_total(&[0.8, 0.7, 0.6], &[0.36, 0.51, 0.64]).unwrap();
/// assert!((w - 4.41 / (4.41 + 1.51)).abs() < 1e-15);
/// ```
///
/// # Errors
/// [`Error::TooFewVariables`] for no loadings; [`Error::DimensionMismatch`] if the lengths
/// differ; [`Error::NonFinite`]; [`Error::InvalidParameter`] for a negative residual variance or
/// a zero denominator.
///
/// # References
/// McDonald, R. P. (1999). Test theory: A unified treatment. Mahwah, NJ: Erlbaum.
/// Validated against lavaan 0.6.14 one-factor CFAs (std.lv = TRUE) of HolzingerSwineford1939
/// x1–x3, x4–x6 and bfi C1–C5.
pub fn omega_total(loadings: &[f64], residual_variances: &[f64]) -> Result<f64> {
    check_pair(loadings, residual_variances)?;
    let s: f64 = loadings.iter().sum();
    let t: f64 = residual_variances.iter().sum();
    let den = s * s + t;
    if den <= 0.0 {
        return Err(Error::invalid("loadings", "sum of squared loading sum and residuals is zero"));
    }
    Ok(s * s / den)
}

/// Composite reliability (CR, Jöreskog's ρ_c) from the standardized loadings of one factor.
///
/// # Formula
/// ```text
/// CR = (Σ l_i)² / ((Σ l_i)² + Σ (1 − l_i²))
/// ```
///
/// # Examples
/// ```
/// use surveystat::reliability::composite_reliability;
/// let cr = composite_reliability(&[0.7, 0.7, 0.7]).unwrap();
/// assert!((cr - 4.41 / (4.41 + 1.53)).abs() < 1e-15);
/// ```
///
/// # Errors
/// [`Error::TooFewVariables`] for no loadings; [`Error::NonFinite`]; [`Error::InvalidParameter`]
/// for a loading with |l| > 1.
///
/// # References
/// Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models with
/// unobservable variables and measurement error. Journal of Marketing Research, 18, 39–50.
/// Validated against lavaan 0.6.14 standardized solutions (HolzingerSwineford1939 3-factor CFA,
/// study 7-factor CFA).
pub fn composite_reliability(std_loadings: &[f64]) -> Result<f64> {
    check_std_loadings(std_loadings)?;
    let resid: Vec<f64> = std_loadings.iter().map(|l| 1.0 - l * l).collect();
    omega_total(std_loadings, &resid)
}

/// Average variance extracted (AVE) from loadings and residual variances (Fornell & Larcker).
///
/// # Formula
/// ```text
/// AVE = Σ λ_i² / (Σ λ_i² + Σ θ_i)
/// ```
///
/// # Examples
/// ```
/// use surveystat::reliability::average_variance_extracted;
/// let ave = average_variance_extracted(&[0.8, 0.6], &[0.36, 0.64]).unwrap();
/// assert!((ave - 0.5).abs() < 1e-15);
/// ```
///
/// # Errors
/// As [`omega_total`].
///
/// # References
/// Fornell, C., & Larcker, D. F. (1981). Journal of Marketing Research, 18, 39–50.
pub fn average_variance_extracted(loadings: &[f64], residual_variances: &[f64]) -> Result<f64> {
    check_pair(loadings, residual_variances)?;
    let s2: f64 = loadings.iter().map(|l| l * l).sum();
    let t: f64 = residual_variances.iter().sum();
    if s2 + t <= 0.0 {
        return Err(Error::invalid("loadings", "all loadings and residual variances are zero"));
    }
    Ok(s2 / (s2 + t))
}

/// Average variance extracted from standardized loadings: the mean squared loading.
///
/// # Formula
/// ```text
/// AVE = (1/k) Σ l_i²
/// ```
///
/// # Examples
/// ```
/// use surveystat::reliability::average_variance_extracted_std;
/// assert!((average_variance_extracted_std(&[0.8, 0.6]).unwrap() - 0.5).abs() < 1e-15);
/// ```
///
/// # Errors
/// As [`composite_reliability`].
///
/// # References
/// Fornell, C., & Larcker, D. F. (1981). Journal of Marketing Research, 18, 39–50.
pub fn average_variance_extracted_std(std_loadings: &[f64]) -> Result<f64> {
    check_std_loadings(std_loadings)?;
    Ok(std_loadings.iter().map(|l| l * l).sum::<f64>() / std_loadings.len() as f64)
}

/// The Fornell–Larcker table: latent correlations with √AVE on the diagonal, and per factor
/// whether √AVE exceeds its largest absolute correlation with another factor.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct FornellLarcker {
    names: Vec<String>,
    sqrt_ave: Array1<f64>,
    table: Array2<f64>,
    pass: Vec<bool>,
}

impl FornellLarcker {
    /// Factor names.
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// √AVE per factor.
    pub fn sqrt_ave(&self) -> &Array1<f64> {
        &self.sqrt_ave
    }
    /// Latent correlations with √AVE on the diagonal.
    pub fn table(&self) -> &Array2<f64> {
        &self.table
    }
    /// Per factor: `√AVE_f > max_{g≠f} |r_fg|`.
    pub fn pass(&self) -> &[bool] {
        &self.pass
    }
}

/// The Fornell–Larcker discriminant-validity table from the AVE of each factor and the latent
/// correlation matrix.
///
/// # Formula
/// ```text
/// table = Φ with diag replaced by √AVE;   pass_f = √AVE_f > max_{g≠f} |φ_fg|
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::reliability::fornell_larcker;
/// let phi = array![[1.0, 0.5], [0.5, 1.0]];
/// let fl = fornell_larcker(&["A", "B"], &[0.49, 0.16], &phi).unwrap();
/// assert_eq!(fl.pass(), &[true, false]);
/// assert!((fl.table()[[0, 0]] - 0.7).abs() < 1e-15);
/// ```
///
/// # Errors
/// [`Error::DimensionMismatch`] if the names, AVEs and correlation matrix disagree in size or the
/// matrix is not square; [`Error::NonFinite`]; [`Error::InvalidParameter`] for an AVE outside
/// [0, 1].
///
/// # References
/// Fornell, C., & Larcker, D. F. (1981). Journal of Marketing Research, 18, 39–50. Validated
/// against lavaan 0.6.14 (`lavInspect(fit, "cor.lv")`) on the study's 7-factor CFA.
pub fn fornell_larcker<S: AsRef<str>>(
    names: &[S],
    ave: &[f64],
    latent_cor: &ArrayRef2<f64>,
) -> Result<FornellLarcker> {
    let m = names.len();
    for (what, n) in [
        ("AVE values", ave.len()),
        ("latent correlation rows", latent_cor.nrows()),
        ("latent correlation columns", latent_cor.ncols()),
    ] {
        if n != m {
            return Err(Error::DimensionMismatch { what: what.into(), expected: m, found: n });
        }
    }
    if latent_cor.iter().any(|v| !v.is_finite()) || ave.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite { what: "latent correlations or AVE".into() });
    }
    if let Some(a) = ave.iter().find(|a| !(0.0..=1.0).contains(*a)) {
        return Err(Error::invalid("ave", format!("{a} lies outside [0, 1]")));
    }
    let sqrt_ave = Array1::from_iter(ave.iter().map(|a| a.sqrt()));
    let mut table = latent_cor.to_owned();
    let mut pass = Vec::with_capacity(m);
    for f in 0..m {
        table[[f, f]] = sqrt_ave[f];
        let max_r =
            (0..m).filter(|&g| g != f).map(|g| latent_cor[[f, g]].abs()).fold(0.0_f64, f64::max);
        pass.push(sqrt_ave[f] > max_r);
    }
    Ok(FornellLarcker {
        names: names.iter().map(|s| s.as_ref().to_string()).collect(),
        sqrt_ave,
        table,
        pass,
    })
}

/// Which mean [`htmt`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum HtmtMean {
    /// HTMT2 (Roemer, Schuberth & Henseler, 2021): geometric means; semTools' default.
    #[default]
    Geometric,
    /// The original HTMT (Henseler, Ringle & Sarstedt, 2015): arithmetic means.
    Arithmetic,
}

/// Heterotrait–monotrait ratio of correlations between groups of items (one group per construct).
///
/// Absolute correlations are used (semTools' default `absolute = TRUE`). The diagonal is 1.
///
/// # Formula
/// ```text
/// M(·) = geometric (HTMT2) or arithmetic (HTMT) mean of |r|
/// HTMT_ij = M(|r_ab| : a ∈ i, b ∈ j) / √( M(|r_ab| : a,b ∈ i, a≠b) · M(|r_ab| : a,b ∈ j, a≠b) )
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::reliability::{htmt, HtmtMean};
/// let r = array![
///     [1.0, 0.6, 0.3, 0.3],
///     [0.6, 1.0, 0.3, 0.3],
///     [0.3, 0.3, 1.0, 0.6],
///     [0.3, 0.3, 0.6, 1.0]
/// ];
/// let h = htmt(&r, &[vec![0, 1], vec![2, 3]], HtmtMean::Geometric).unwrap();
/// assert!((h[[0, 1]] - 0.5).abs() < 1e-15);
/// ```
///
/// # Errors
/// [`Error::DimensionMismatch`] for a non-square matrix; [`Error::NonFinite`];
/// [`Error::InvalidParameter`] for an item index out of range, fewer than two groups, a group with
/// fewer than two items, or a group whose within correlations are all zero.
///
/// # References
/// Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
/// discriminant validity in variance-based structural equation modeling. Journal of the Academy
/// of Marketing Science, 43, 115–135. Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 —
/// an improved criterion for assessing discriminant validity in structural equation modeling.
/// Industrial Management & Data Systems, 121, 2637–2650. Validated against semTools 0.5-6
/// `htmt()` (both means) on the study survey.
pub fn htmt(cor: &ArrayRef2<f64>, groups: &[Vec<usize>], mean: HtmtMean) -> Result<Array2<f64>> {
    let p = cor.nrows();
    if cor.ncols() != p {
        return Err(Error::DimensionMismatch {
            what: "correlation matrix columns".into(),
            expected: p,
            found: cor.ncols(),
        });
    }
    if cor.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite { what: "correlation matrix".into() });
    }
    if groups.len() < 2 {
        return Err(Error::invalid(
            "groups",
            format!("need at least 2 groups, got {}", groups.len()),
        ));
    }
    for (g, items) in groups.iter().enumerate() {
        if items.len() < 2 {
            return Err(Error::invalid(
                "groups",
                format!(
                    "group {} has {} item(s); HTMT needs at least 2 per group",
                    g + 1,
                    items.len()
                ),
            ));
        }
        if let Some(i) = items.iter().find(|&&i| i >= p) {
            return Err(Error::invalid(
                "groups",
                format!("item index {i} out of range ({p} variables)"),
            ));
        }
    }
    let avg = |vals: &mut dyn Iterator<Item = f64>| -> f64 {
        let (mut s, mut n) = (0.0, 0usize);
        for v in vals {
            s += match mean {
                HtmtMean::Geometric => v.abs().ln(),
                HtmtMean::Arithmetic => v.abs(),
            };
            n += 1;
        }
        match mean {
            HtmtMean::Geometric => (s / n as f64).exp(),
            HtmtMean::Arithmetic => s / n as f64,
        }
    };
    let within: Vec<f64> = groups
        .iter()
        .map(|g| {
            avg(&mut g
                .iter()
                .flat_map(|&a| g.iter().filter(move |&&b| b != a).map(move |&b| cor[[a, b]])))
        })
        .collect();
    if let Some(g) = within.iter().position(|w| *w <= 0.0 || !w.is_finite()) {
        return Err(Error::invalid(
            "groups",
            format!("the items of group {} do not correlate (monotrait mean is zero)", g + 1),
        ));
    }
    let m = groups.len();
    let mut out = Array2::<f64>::eye(m);
    for i in 0..m {
        for j in 0..i {
            let het = avg(&mut groups[i]
                .iter()
                .flat_map(|&a| groups[j].iter().map(move |&b| cor[[a, b]])));
            let v = het / (within[i] * within[j]).sqrt();
            out[[i, j]] = v;
            out[[j, i]] = v;
        }
    }
    Ok(out)
}
