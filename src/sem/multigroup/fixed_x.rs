//! Fixed exogenous covariates (lavaan's default `fixed.x = TRUE`) in a multi-group model with a
//! structured mean part: in every group the covariates' means and (co)variances are fixed at
//! that group's sample values (divisor n_g), as in the single-group FIML fit; the groups'
//! log-likelihoods leave out the covariates' marginal part and the baseline keeps their joint
//! distribution.

use ndarray::Array2;

use super::super::fiml::{exogenous_association_loglik, exogenous_moments, fix_exogenous};
use super::super::model::ModelStructure;
use super::super::partable::ParTable;
use crate::error::Result;

/// A group's covariate terms: the covariates' marginal log-likelihood at their sample moments
/// (left out of lavaan's `logl`) and their association log-likelihood (added to the baseline).
pub(super) struct ExoTerms {
    pub logl_x: f64,
    pub assoc: f64,
}

/// Fix the covariates `ix` (columns of the model's observed variables) of every group at the
/// group's sample moments of the rows `xs[g]` (complete on the covariates).
///
/// # Errors
/// A singular covariance of the covariates in a group.
pub(super) fn fix_groups(
    pts: &mut [ParTable],
    sts: &mut [ModelStructure],
    xs: &[&Array2<f64>],
    ix: &[usize],
) -> Result<Vec<ExoTerms>> {
    let mut out = Vec::with_capacity(xs.len());
    for ((pt, st), x) in pts.iter_mut().zip(sts.iter_mut()).zip(xs) {
        if ix.is_empty() {
            out.push(ExoTerms { logl_x: 0.0, assoc: 0.0 });
            continue;
        }
        let (pt_x, st_x) = fix_exogenous(pt, st, x, ix);
        *pt = pt_x;
        *st = st_x;
        let n = x.nrows() as f64;
        let (_, sxx) = exogenous_moments(x, ix);
        let ld =
            crate::core::linalg::spd_logdet(sxx.view(), "covariance of the exogenous covariates")?;
        let px = ix.len() as f64;
        let logl_x = -n / 2.0 * (px * (2.0 * std::f64::consts::PI).ln() + ld + px);
        out.push(ExoTerms { logl_x, assoc: exogenous_association_loglik(x, ix)? });
    }
    Ok(out)
}
