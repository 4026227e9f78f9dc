//! Velicer's MAP and the Very Simple Structure fit, in the manner of psych's `VSS`.

use ndarray::{Array1, Array2, ArrayRef2};

use super::adequacy::check_correlation;
use crate::core::linalg;
use crate::error::{Error, Result};

/// Velicer's minimum average partial (MAP) criterion for 1 ..= `max_components` principal
/// components (at most p − 1), as psych `VSS(...)$map`.
///
/// # Formula
/// ```text
/// A = V diag(√λ)               (principal-component loadings of R, descending λ)
/// C*ₘ = R − A₁..ₘ A₁..ₘᵀ,  R*ₘ = D C*ₘ D,  D = diag(C*ₘ)^(−1/2)
/// MAPₘ = Σ_{i≠j} (R*ₘ)ᵢⱼ² / (p (p − 1))
/// ```
/// The suggested number is the `m` with the smallest value. psych starts at m = 1 (Velicer's
/// m = 0 term, the mean squared correlation, is not included) and so does this function.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::factor::velicer_map;
/// let r = array![[1.0, 0.6, 0.5, 0.1], [0.6, 1.0, 0.4, 0.1], [0.5, 0.4, 1.0, 0.2],
///                [0.1, 0.1, 0.2, 1.0]];
/// let map = velicer_map(&r, 3).unwrap();
/// assert_eq!(map.len(), 3);
/// ```
///
/// # Errors
/// The errors of the correlation check; [`Error::TooFewVariables`] for fewer than 2 items;
/// [`Error::InvalidParameter`] for `max_components = 0`.
///
/// # References
/// Velicer, W. F. (1976). Determining the number of components from the matrix of partial
/// correlations. *Psychometrika* 41, 321–327. Revelle, W. psych 2.2.9 `VSS`.
pub fn velicer_map(r: &ArrayRef2<f64>, max_components: usize) -> Result<Array1<f64>> {
    check_correlation(r)?;
    let p = r.nrows();
    if p < 2 {
        return Err(Error::TooFewVariables { needed: 2, got: p });
    }
    if max_components == 0 {
        return Err(Error::invalid("max_components", "must be at least 1"));
    }
    let m_max = max_components.min(p - 1);
    let (values, vectors) = linalg::sym_eigen_seq(r.view(), "R")?;
    let mut c = r.to_owned();
    let mut out = Array1::<f64>::zeros(m_max);
    for m in 0..m_max {
        let s = values[m].max(0.0);
        for i in 0..p {
            for j in 0..p {
                c[[i, j]] -= vectors[[i, m]] * vectors[[j, m]] * s;
            }
        }
        let d: Vec<f64> = (0..p).map(|i| 1.0 / c[[i, i]].sqrt()).collect();
        let mut sum = 0.0;
        for i in 0..p {
            for j in 0..p {
                if i != j {
                    let v = c[[i, j]] * d[i] * d[j];
                    sum += v * v;
                }
            }
        }
        out[m] = sum / (p * (p - 1)) as f64;
    }
    Ok(out)
}

/// Very Simple Structure fit of complexity `complexity` for the loadings `loadings` (p × k)
/// of the correlation matrix `r`, as psych `VSS(...)$cfit.c`.
///
/// # Formula
/// ```text
/// Sᶜ = loadings with all but the c largest |λ| of each row set to 0 (first on ties)
/// fit = 1 − Σ (R − Sᶜ Φ Sᶜᵀ)² / Σ R²      (sums over all cells, diagonal included;
///                                          off-diagonal only when `off_diagonal`)
/// ```
/// `phi` is the factor correlation matrix; `None` = identity, which is what psych's `VSS`
/// uses for every factoring method other than `pc` (also after an oblique rotation).
/// A complexity above k is treated as k.
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::factor::vss_fit;
/// let l = array![[0.8, 0.1], [0.7, 0.0], [0.1, 0.6], [0.0, 0.7]];
/// let mut r = l.dot(&l.t());
/// for i in 0..4 { r[[i, i]] = 1.0; }
/// let f1 = vss_fit(&r, &l, None, 1, false).unwrap();
/// let f2 = vss_fit(&r, &l, None, 2, false).unwrap();
/// assert!(f2 >= f1);
/// ```
///
/// # Errors
/// The errors of the correlation check; [`Error::DimensionMismatch`] when the loadings or Φ do
/// not fit R; [`Error::InvalidParameter`] for complexity 0 or zero factors.
pub fn vss_fit(
    r: &ArrayRef2<f64>,
    loadings: &ArrayRef2<f64>,
    phi: Option<&ArrayRef2<f64>>,
    complexity: usize,
    off_diagonal: bool,
) -> Result<f64> {
    check_correlation(r)?;
    let p = r.nrows();
    let k = loadings.ncols();
    if loadings.nrows() != p {
        return Err(Error::DimensionMismatch {
            what: "loadings rows".into(),
            expected: p,
            found: loadings.nrows(),
        });
    }
    if k == 0 || complexity == 0 {
        return Err(Error::invalid("complexity", "needs at least one factor and complexity ≥ 1"));
    }
    if let Some(f) = phi
        && (f.nrows() != k || f.ncols() != k)
    {
        return Err(Error::DimensionMismatch { what: "phi".into(), expected: k, found: f.nrows() });
    }
    if loadings.iter().any(|v| !v.is_finite()) {
        return Err(Error::NonFinite { what: "loadings".into() });
    }
    let c = complexity.min(k);
    let mut s = Array2::<f64>::zeros((p, k));
    for i in 0..p {
        let mut taken = vec![false; k];
        for _ in 0..c {
            let mut best: Option<usize> = None;
            for j in 0..k {
                if !taken[j] && best.is_none_or(|b| loadings[[i, j]].abs() > loadings[[i, b]].abs())
                {
                    best = Some(j);
                }
            }
            if let Some(b) = best {
                taken[b] = true;
                s[[i, b]] = loadings[[i, b]];
            }
        }
    }
    let model = match phi {
        Some(f) => s.dot(f).dot(&s.t()),
        None => s.dot(&s.t()),
    };
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..p {
        for j in 0..p {
            if off_diagonal && i == j {
                continue;
            }
            let e = r[[i, j]] - model[[i, j]];
            num += e * e;
            den += r[[i, j]] * r[[i, j]];
        }
    }
    Ok(1.0 - num / den)
}
