//! Fixed exogenous covariates (`fixed.x = TRUE`) under FIML: their sample moments as fixed
//! values, the moments the model describes, and the covariates' share of the baseline
//! log-likelihood.

use ndarray::Array2;

use crate::error::Result;
use crate::sem::model::ModelStructure;
use crate::sem::partable::ParTable;
use crate::sem::syntax::Op;

/// Sample means and (co)variances (divisor N) of the fixed exogenous covariates (columns `ix`
/// of the complete-on-x rows `x`) as the fixed values of their `~1` and `~~` rows.
pub(crate) fn fix_exogenous(
    pt: &ParTable,
    st: &ModelStructure,
    x: &Array2<f64>,
    ix: &[usize],
) -> (ParTable, ModelStructure) {
    let mut pt = pt.clone();
    let mut st = st.clone();
    if ix.is_empty() {
        return (pt, st);
    }
    let (means, sxx) = exogenous_moments(x, ix);
    let at =
        |s: &str| pt.ov.iter().position(|v| v == s).and_then(|i| ix.iter().position(|&j| j == i));
    let mut vals = Vec::new();
    for (k, r) in pt.rows.iter().enumerate() {
        if !r.exo {
            continue;
        }
        let v = match (r.op, at(&r.lhs), at(&r.rhs)) {
            (Op::Intercept, Some(a), _) => means[a],
            (Op::Covariance, Some(a), Some(b)) => sxx[[a, b]],
            _ => continue,
        };
        vals.push((k, v));
    }
    for (k, v) in vals {
        pt.rows[k].fixed = Some(v);
        st.set_fixed(k, v);
    }
    (pt, st)
}

/// Means and covariance matrix (divisor N) of the columns `ix` of the complete rows `x`.
pub(crate) fn exogenous_moments(x: &Array2<f64>, ix: &[usize]) -> (Vec<f64>, Array2<f64>) {
    let n = x.nrows() as f64;
    let q = ix.len();
    let means: Vec<f64> = ix.iter().map(|&j| x.column(j).sum() / n).collect();
    let sxx = Array2::from_shape_fn((q, q), |(a, b)| {
        x.column(ix[a])
            .iter()
            .zip(x.column(ix[b]).iter())
            .map(|(u, v)| (u - means[a]) * (v - means[b]))
            .sum::<f64>()
            / n
    });
    (means, sxx)
}

/// Positions in (μ, vech Σ) (length p + p*) of the moments the model describes: all but the
/// means and (co)variances of the fixed covariates `ix` (their rows and columns of lavaan's
/// h1 information are zero).
pub(crate) fn model_moments(p: usize, vech: &[(usize, usize)], ix: &[usize]) -> Vec<usize> {
    let is_x = |j: usize| ix.contains(&j);
    (0..p)
        .filter(|&j| !is_x(j))
        .chain(
            vech.iter()
                .enumerate()
                .filter(|(_, (a, b))| !(is_x(*a) && is_x(*b)))
                .map(|(r, _)| p + r),
        )
        .collect()
}

/// The `sel` × `sel` submatrix.
pub(crate) fn submatrix(m: &Array2<f64>, sel: &[usize]) -> Array2<f64> {
    Array2::from_shape_fn((sel.len(), sel.len()), |(a, b)| m[[sel[a], sel[b]]])
}

/// ℓ(x; x̄, S_xx) − Σ_j ℓ(x_j; x̄_j, s_jj) of the complete covariate columns `ix`:
/// −N/2 (log|S_xx| − Σ_j log s_jj), zero without covariates.
pub(crate) fn exogenous_association_loglik(x: &Array2<f64>, ix: &[usize]) -> Result<f64> {
    if ix.len() < 2 {
        return Ok(0.0);
    }
    let n = x.nrows() as f64;
    let q = ix.len();
    let (_, sxx) = exogenous_moments(x, ix);
    let ld = crate::core::linalg::spd_logdet(sxx.view(), "covariance of the exogenous covariates")?;
    let diag: f64 = (0..q).map(|a| sxx[[a, a]].ln()).sum();
    Ok(-n / 2.0 * (ld - diag))
}
