//! Sampling adequacy: Kaiser–Meyer–Olkin MSA, Bartlett's test of sphericity, eigenvalues.

use crate::core::dist::chisq_sf;
use ndarray::{Array1, Array2, ArrayRef2};

use crate::core::linalg;
use crate::error::{Error, Result};
use crate::warning::Warning;

/// Pearson correlation matrix of raw data as psych computes it (`cor(x, use = "pairwise")`),
/// after checking the input. Rows are observations, columns variables.
pub(crate) fn data_correlation(x: &ArrayRef2<f64>) -> Result<Array2<f64>> {
    data_correlation_missing(x).map(|(r, _)| r)
}

/// [`data_correlation`], and whether values were missing (NaN: pairwise correlations were used).
pub(crate) fn data_correlation_missing(x: &ArrayRef2<f64>) -> Result<(Array2<f64>, bool)> {
    let (n, p) = x.dim();
    if p < 2 {
        return Err(Error::TooFewVariables { needed: 2, got: p });
    }
    if n < 2 {
        return Err(Error::TooFewObservations { needed: 2, got: n });
    }
    crate::core::scale::check_matrix_scale(x.view(), None)?;
    // the column sums (the means' first pass) are all finite exactly when the data are, barring
    // an overflow: only then are the data scanned value by value
    let sums = column_sums(x);
    let missing = if sums.iter().all(|v| v.is_finite()) {
        false
    } else {
        if has_non_finite(x, f64::is_infinite) {
            return Err(Error::NonFinite { what: "data (infinite value)".into() });
        }
        has_non_finite(x, f64::is_nan)
    };
    let r = if missing {
        crate::moments::correlation(x, crate::moments::Missing::Pairwise)?
    } else {
        complete_correlation(x, &sums)?
    };
    if r.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite { what: "correlation matrix".into() });
    }
    Ok((r, missing))
}

/// Column sums in one pass over the data in memory order.
fn column_sums(x: &ArrayRef2<f64>) -> Vec<f64> {
    let (_, p) = x.dim();
    if let Some(data) = x.as_slice() {
        let mut sums = vec![0.0; p];
        for row in data.chunks_exact(p) {
            for (m, v) in sums.iter_mut().zip(row) {
                *m += v;
            }
        }
        sums
    } else if x.strides()[1] == 1 {
        // rows contiguous (e.g. adjacent columns of a row-major table)
        let mut sums = vec![0.0; p];
        for row in x.rows() {
            for (m, v) in sums.iter_mut().zip(row.as_slice().unwrap_or(&[])) {
                *m += v;
            }
        }
        sums
    } else {
        x.columns().into_iter().map(|c| c.sum()).collect()
    }
}

/// Whether any element satisfies `pred` (`f64::is_nan` / `f64::is_infinite`).
pub(crate) fn has_non_finite(x: &ArrayRef2<f64>, pred: fn(f64) -> bool) -> bool {
    match x.as_slice_memory_order() {
        Some(s) => s.iter().any(|&v| pred(v)),
        None => x.iter().any(|&v| pred(v)),
    }
}

/// Rows per block of [`complete_correlation`]: a p × B block of centred values stays in cache
/// (about 128 KB) between being written and being multiplied.
fn block_rows(p: usize) -> usize {
    (16_384 / p).clamp(64, 4096)
}

/// Pearson correlations of complete data (`sums`: the column sums): two-pass centring, with
/// the crossproduct of the centred data accumulated block by block — rows copied centred into
/// the columns of a reusable p × B buffer `C`, `S += C Cᵀ` by faer's matrix multiplication —
/// so that no centred copy of the whole data is made. Large problems (≥ 5e8 multiply-adds)
/// use the rayon pool for the products, outside parallel sections.
fn complete_correlation(x: &ArrayRef2<f64>, sums: &[f64]) -> Result<Array2<f64>> {
    use faer::{Accum, Mat, Par};
    let (n, p) = x.dim();
    let means: Vec<f64> = sums.iter().map(|s| s / n as f64).collect();
    let par = if (n * p * p) as f64 > 5e8 && rayon::current_thread_index().is_none() {
        Par::rayon(0)
    } else {
        Par::Seq
    };
    let bsz = block_rows(p).min(n);
    // the block: column r (contiguous, length p) holds row r0 + r centred
    let mut c = vec![0.0; p * bsz];
    let mut s = Mat::<f64>::zeros(p, p);
    // data with contiguous rows (row-major, or adjacent columns of a row-major table) are read
    // in place row by row, column-major data column by column, anything else from a
    // standard-layout copy
    let col_major = x.strides()[1] != 1 && x.t().as_slice().is_some();
    let xs = if col_major || x.strides()[1] == 1 {
        ndarray::CowArray::from(x.view())
    } else {
        ndarray::CowArray::from(x.as_standard_layout().into_owned())
    };
    let mut accum = Accum::Replace;
    let mut r0 = 0;
    while r0 < n {
        let nb = bsz.min(n - r0);
        if !col_major {
            let rows = xs.slice_axis(ndarray::Axis(0), ndarray::Slice::from(r0..r0 + nb));
            for (dst, row) in c[..nb * p].chunks_exact_mut(p).zip(rows.rows()) {
                let Some(row) = row.to_slice() else {
                    return Err(Error::invalid("x", "data matrix layout"));
                };
                for ((d, v), m) in dst.iter_mut().zip(row).zip(&means) {
                    *d = v - m;
                }
            }
            let cb = faer::MatRef::from_column_major_slice(&c[..nb * p], p, nb);
            faer::linalg::matmul::matmul(s.as_mut(), accum, cb, cb.transpose(), 1.0, par);
        } else {
            // column-major data: the block is nb × p, column j = the centred segment of column j
            for (j, (dst, m)) in c[..nb * p].chunks_exact_mut(nb).zip(&means).enumerate() {
                let col = x.column(j);
                let seg = col.slice_axis(ndarray::Axis(0), ndarray::Slice::from(r0..r0 + nb));
                match seg.as_slice() {
                    Some(src) => {
                        for (d, v) in dst.iter_mut().zip(src) {
                            *d = v - m;
                        }
                    }
                    None => {
                        for (d, v) in dst.iter_mut().zip(seg.iter()) {
                            *d = v - m;
                        }
                    }
                }
            }
            let cb = faer::MatRef::from_column_major_slice(&c[..nb * p], nb, p);
            faer::linalg::matmul::matmul(s.as_mut(), accum, cb.transpose(), cb, 1.0, par);
        }
        accum = Accum::Add;
        r0 += nb;
    }
    let sd: Vec<f64> = (0..p).map(|j| s[(j, j)].sqrt()).collect();
    for (j, &d) in sd.iter().enumerate() {
        if !(d > 0.0) || d <= 1e-12 * (means[j].abs() * (n as f64).sqrt()).max(f64::MIN_POSITIVE) {
            return Err(Error::ConstantColumn { name: format!("column {}", j + 1) });
        }
    }
    let mut r = Array2::from_shape_fn((p, p), |(i, j)| {
        let (a, b) = if i >= j { (i, j) } else { (j, i) };
        s[(a, b)] / (sd[i] * sd[j])
    });
    for i in 0..p {
        r[[i, i]] = 1.0;
    }
    Ok(r)
}

/// Check that `r` is a usable correlation matrix: square, finite, symmetric, unit diagonal.
pub(crate) fn check_correlation(r: &ArrayRef2<f64>) -> Result<()> {
    let p = r.nrows();
    if r.ncols() != p {
        return Err(Error::DimensionMismatch {
            what: "correlation matrix (rows vs columns)".into(),
            expected: p,
            found: r.ncols(),
        });
    }
    if p < 2 {
        return Err(Error::TooFewVariables { needed: 2, got: p });
    }
    if r.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite { what: "correlation matrix".into() });
    }
    for i in 0..p {
        if (r[[i, i]] - 1.0).abs() > 1e-8 {
            return Err(Error::invalid(
                "r",
                format!(
                    "diagonal element {} is {} (a correlation matrix has unit diagonal)",
                    i + 1,
                    r[[i, i]]
                ),
            ));
        }
        for j in 0..i {
            if (r[[i, j]] - r[[j, i]]).abs() > 1e-8 * (1.0 + r[[i, j]].abs()) {
                return Err(Error::invalid(
                    "r",
                    format!("not symmetric at ({}, {})", i + 1, j + 1),
                ));
            }
            if r[[i, j]].abs() > 1.0 + 1e-12 {
                return Err(Error::invalid(
                    "r",
                    format!("element ({}, {}) = {} lies outside [-1, 1]", i + 1, j + 1, r[[i, j]]),
                ));
            }
        }
    }
    Ok(())
}

/// Eigenvalues of a correlation matrix, in descending order (as R's `eigen(R)$values`).
///
/// # Formula
/// ```text
/// R = V diag(λ) Vᵀ,  λ₁ ≥ λ₂ ≥ … ≥ λ_p,  Σ λ = p
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// let r = array![[1.0, 0.5], [0.5, 1.0]];
/// let ev = surveystat::factor::eigenvalues(&r).unwrap();
/// assert!((ev[0] - 1.5).abs() < 1e-12 && (ev[1] - 0.5).abs() < 1e-12);
/// ```
///
/// # Errors
/// [`Error::DimensionMismatch`], [`Error::NonFinite`] or [`Error::InvalidParameter`] when `r` is
/// not a correlation matrix.
///
/// # References
/// Validated against R 4.2.2 `eigen(cor(x))` on Holzinger–Swineford x1–x9 and bfi.
pub fn eigenvalues(r: &ArrayRef2<f64>) -> Result<Array1<f64>> {
    check_correlation(r)?;
    linalg::sym_eigenvalues(r.view(), "R")
}

/// Bartlett's test that a correlation matrix is an identity matrix (sphericity).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BartlettTest {
    /// χ² statistic.
    pub chisq: f64,
    /// Degrees of freedom, p(p − 1)/2.
    pub df: f64,
    /// Upper-tail p-value.
    pub p_value: f64,
}

/// Bartlett's (1951) test of sphericity from a correlation matrix and the number of observations.
///
/// # Formula
/// ```text
/// χ² = −ln det(R) · (n − 1 − (2p + 5)/6),   df = p(p − 1)/2,   p-value = P(χ²_df > χ²)
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// let r = array![[1.0, 0.5], [0.5, 1.0]];
/// let b = surveystat::factor::bartlett_sphericity(&r, 100).unwrap();
/// assert_eq!(b.df, 1.0);
/// ```
///
/// # Errors
/// [`Error::NotPositiveDefinite`] when `det R ≤ 0` (the statistic is undefined); the errors of
/// [`eigenvalues`] for a malformed `r`; [`Error::TooFewObservations`] when `n < 2`.
///
/// # References
/// Bartlett, M. S. (1951). The effect of standardization on a χ² approximation in factor analysis.
/// *Biometrika* 38, 337–344. Validated against R psych 2.2.9 `cortest.bartlett` on
/// Holzinger–Swineford x1–x9, bfi and the study data.
pub fn bartlett_sphericity(r: &ArrayRef2<f64>, n_obs: usize) -> Result<BartlettTest> {
    check_correlation(r)?;
    if n_obs < 2 {
        return Err(Error::TooFewObservations { needed: 2, got: n_obs });
    }
    let p = r.nrows() as f64;
    let logdet = linalg::spd_logdet(r.view(), "R")?;
    let chisq = -logdet * ((n_obs as f64) - 1.0 - (2.0 * p + 5.0) / 6.0);
    let df = p * (p - 1.0) / 2.0;
    let p_value = chisq_sf(chisq, df);
    Ok(BartlettTest { chisq, df, p_value })
}

/// Kaiser–Meyer–Olkin measure of sampling adequacy, with Bartlett's test of sphericity.
///
/// A configuration value: `Kmo::new().fit(&x)` (raw data, rows = observations, columns = items)
/// or `Kmo::new().fit_cor(&r, n)` (correlation matrix and number of observations) return a
/// [`KmoFit`].
///
/// # Formula
/// ```text
/// Q = anti-image correlations: q_ij = −(R⁻¹)_ij / sqrt((R⁻¹)_ii (R⁻¹)_jj)
/// MSA   = Σ_{i≠j} r_ij² / (Σ_{i≠j} r_ij² + Σ_{i≠j} q_ij²)
/// MSA_j = Σ_{i≠j} r_ij² / (Σ_{i≠j} r_ij² + Σ_{i≠j} q_ij²)   (column j only)
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::factor::Kmo;
/// let r = array![[1.0, 0.5, 0.4], [0.5, 1.0, 0.3], [0.4, 0.3, 1.0]];
/// let fit = Kmo::new().fit_cor(&r, 200).unwrap();
/// assert!(fit.msa() > 0.5 && fit.msa() < 1.0);
/// ```
///
/// # Errors
/// See [`Kmo::fit`].
///
/// # References
/// Kaiser, H. F. (1970). A second generation little jiffy. *Psychometrika* 35, 401–415.
/// Kaiser, H. F. & Rice, J. (1974). Little jiffy, mark IV. *Educational and Psychological
/// Measurement* 34, 111–117. Validated against R psych 2.2.9 `KMO` on Holzinger–Swineford x1–x9,
/// bfi (25 items) and the study data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Kmo {
    names: Option<Vec<String>>,
}

impl Kmo {
    /// A KMO analysis with default settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// Item names used in summaries (default `V1`, `V2`, …).
    pub fn names<S: AsRef<str>>(mut self, names: &[S]) -> Self {
        self.names = Some(names.iter().map(|s| s.as_ref().to_string()).collect());
        self
    }

    /// KMO and Bartlett from raw data (rows = observations, columns = items), with Pearson
    /// correlations (pairwise complete if values are missing) and `n` = number of rows, as psych.
    ///
    /// # Errors
    /// [`Error::TooFewVariables`], [`Error::TooFewObservations`], [`Error::NonFinite`],
    /// [`Error::ConstantColumn`]; see also [`Kmo::fit_cor`].
    pub fn fit(&self, x: &ArrayRef2<f64>) -> Result<KmoFit> {
        let r = data_correlation(x).map_err(|e| match &self.names {
            Some(names) => crate::core::scale::name_columns(e, names),
            None => e,
        })?;
        self.fit_cor(&r, x.nrows())
    }

    /// KMO and Bartlett from a correlation matrix and the number of observations.
    ///
    /// A singular correlation matrix is handled as psych does — the Moore–Penrose inverse
    /// replaces `R⁻¹` and a [`Warning::NotPositiveDefinite`] is recorded; Bartlett's test is then
    /// undefined (`NaN`).
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`], [`Error::NonFinite`], [`Error::InvalidParameter`] (not a
    /// correlation matrix), [`Error::TooFewObservations`], [`Error::DimensionMismatch`] if names
    /// were given with a different length.
    pub fn fit_cor(&self, r: &ArrayRef2<f64>, n_obs: usize) -> Result<KmoFit> {
        check_correlation(r)?;
        if n_obs < 2 {
            return Err(Error::TooFewObservations { needed: 2, got: n_obs });
        }
        let p = r.nrows();
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
        let mut warnings = Vec::new();
        let (rinv, bartlett, log_det) = match linalg::spd_inverse_logdet(r.view(), "R") {
            Ok((inv, ld)) => {
                let b = bartlett_sphericity(r, n_obs)?;
                (inv, b, ld)
            }
            Err(_) => {
                warnings.push(Warning::NotPositiveDefinite { matrix: "R".into() });
                let (pinv, _) = linalg::sym_pinv(r.view(), "R", 1e-12)?;
                let b = BartlettTest {
                    chisq: f64::NAN,
                    df: (p * (p - 1)) as f64 / 2.0,
                    p_value: f64::NAN,
                };
                (pinv, b, f64::NAN)
            }
        };
        let mut r2 = vec![0.0; p];
        let mut q2 = vec![0.0; p];
        for j in 0..p {
            for i in 0..p {
                if i == j {
                    continue;
                }
                let d = (rinv[[i, i]] * rinv[[j, j]]).sqrt();
                let q = rinv[[i, j]] / d;
                r2[j] += r[[i, j]] * r[[i, j]];
                q2[j] += q * q;
            }
        }
        let msa_items: Vec<f64> = (0..p).map(|j| r2[j] / (r2[j] + q2[j])).collect();
        let sr: f64 = r2.iter().sum();
        let sq: f64 = q2.iter().sum();
        let msa = sr / (sr + sq);
        if !msa.is_finite() {
            return Err(Error::NonFinite { what: "KMO (anti-image correlations)".into() });
        }
        let eigen = linalg::sym_eigenvalues(r.view(), "R")?;
        Ok(KmoFit {
            names,
            msa,
            msa_items: Array1::from(msa_items),
            bartlett,
            log_det,
            eigenvalues: eigen,
            n_obs,
            warnings,
        })
    }
}

/// Result of [`Kmo`]: overall and per-item MSA, Bartlett's test, eigenvalues.
#[derive(Debug, Clone, PartialEq)]
pub struct KmoFit {
    names: Vec<String>,
    msa: f64,
    msa_items: Array1<f64>,
    bartlett: BartlettTest,
    log_det: f64,
    eigenvalues: Array1<f64>,
    n_obs: usize,
    warnings: Vec<Warning>,
}

impl KmoFit {
    /// Overall measure of sampling adequacy (psych `KMO()$MSA`).
    pub fn msa(&self) -> f64 {
        self.msa
    }
    /// Per-item MSA (psych `KMO()$MSAi`), in item order.
    pub fn msa_items(&self) -> &Array1<f64> {
        &self.msa_items
    }
    /// Item names.
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// Bartlett's test of sphericity.
    pub fn bartlett(&self) -> &BartlettTest {
        &self.bartlett
    }
    /// `ln det R` (NaN for a singular matrix).
    pub fn log_det(&self) -> f64 {
        self.log_det
    }
    /// Eigenvalues of the correlation matrix, descending.
    pub fn eigenvalues(&self) -> &Array1<f64> {
        &self.eigenvalues
    }
    /// Number of observations.
    pub fn n_obs(&self) -> usize {
        self.n_obs
    }
    /// Warnings (non-positive-definite correlation matrix).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Kaiser's (1974) verbal label of an MSA value ("marvelous" ≥ .9 … "unacceptable" < .5).
    pub fn label(msa: f64) -> &'static str {
        match msa {
            m if m >= 0.9 => "marvelous",
            m if m >= 0.8 => "meritorious",
            m if m >= 0.7 => "middling",
            m if m >= 0.6 => "mediocre",
            m if m >= 0.5 => "miserable",
            _ => "unacceptable",
        }
    }

    /// A printable summary in the manner of psych's `print(KMO(x))` plus Bartlett's test.
    pub fn summary(&self) -> crate::summary::Summary {
        use crate::summary::{Summary, Table, fmt_num};
        let mut s = Summary::new("Kaiser-Meyer-Olkin factor adequacy");
        s.key_values([
            (
                "Overall MSA".to_string(),
                format!("{} ({})", fmt_num(self.msa, 2), Self::label(self.msa)),
            ),
            ("Observations".to_string(), self.n_obs.to_string()),
        ]);
        let mut t = Table::new(Some("MSA for each item"), ["item", "MSA"]);
        for (n, v) in self.names.iter().zip(self.msa_items.iter()) {
            t.push([n.clone(), fmt_num(*v, 2)]);
        }
        s.table(t);
        s.key_values([
            ("Bartlett chi-square".to_string(), fmt_num(self.bartlett.chisq, 2)),
            ("df".to_string(), fmt_num(self.bartlett.df, 0)),
            ("p-value".to_string(), format!("{:.3e}", self.bartlett.p_value)),
        ]);
        for w in &self.warnings {
            s.text(format!("Warning: {w}"));
        }
        s
    }
}

impl std::fmt::Display for KmoFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.summary())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Axis, Slice};

    /// Two-pass Pearson correlations, element by element.
    fn naive(x: &Array2<f64>) -> Array2<f64> {
        let (n, p) = x.dim();
        let m: Vec<f64> = (0..p).map(|j| x.column(j).sum() / n as f64).collect();
        let cov = |a: usize, b: usize| -> f64 {
            (0..n).map(|i| (x[[i, a]] - m[a]) * (x[[i, b]] - m[b])).sum()
        };
        Array2::from_shape_fn((p, p), |(a, b)| cov(a, b) / (cov(a, a) * cov(b, b)).sqrt())
    }

    fn data(n: usize, p: usize) -> Array2<f64> {
        // deterministic, correlated, with a large mean on one column
        Array2::from_shape_fn((n, p), |(i, j)| {
            let u = ((i * 7919 + j * 104_729) % 1009) as f64 / 1009.0;
            let f = ((i * 31) % 97) as f64 / 97.0;
            u + 0.5 * f + if j == 0 { 1e4 } else { 0.0 }
        })
    }

    #[test]
    fn blocked_correlation_matches_two_pass_in_every_layout() {
        // p = 7: blocks of 2 340 rows, so 5 000 rows take three blocks
        let x = data(5000, 7);
        let want = naive(&x);
        let check = |r: &Array2<f64>| {
            let d = r.iter().zip(want.iter()).fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()));
            assert!(d < 1e-12, "{d}");
        };
        check(&data_correlation(&x).unwrap());
        let mut f = Array2::<f64>::zeros((7, 5000));
        f.assign(&x.t());
        let col_major = f.reversed_axes();
        assert!(col_major.as_slice().is_none() && col_major.t().as_slice().is_some());
        check(&data_correlation(&col_major).unwrap());
        // a strided view: every other row
        let every_other = x.slice_axis(Axis(0), Slice::from(..).step_by(2));
        let want2 = naive(&every_other.to_owned());
        let r2 = data_correlation(&every_other).unwrap();
        let d = r2.iter().zip(want2.iter()).fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()));
        assert!(d < 1e-12, "{d}");
    }

    #[test]
    fn missing_and_infinite_values_are_told_apart() {
        let mut x = data(50, 3);
        let (_, missing) = data_correlation_missing(&x).unwrap();
        assert!(!missing);
        x[[3, 1]] = f64::NAN;
        let (_, missing) = data_correlation_missing(&x).unwrap();
        assert!(missing);
        x[[4, 2]] = f64::INFINITY;
        assert!(matches!(data_correlation(&x), Err(Error::NonFinite { .. })));
    }
}
