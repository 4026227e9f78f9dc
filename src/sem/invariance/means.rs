//! Latent mean differences between groups, from a model with equal intercepts (scalar or
//! stricter invariance), where the latent means are fixed at 0 in the first group and free in
//! the others, so each is the difference from the first group.

use crate::error::{Error, Result};
use crate::sem::MultiGroupFit;

/// One latent mean difference: group `group` against the first (reference) group.
///
/// # Formula
/// ```text
/// κ_g (group g's latent mean; 0 in group 1),  z = κ_g / SE(κ_g),  p = 2 (1 − Φ(|z|))
/// d_pooled    = κ_g / √(Σ_h n_h ψ_h / Σ_h n_h)      ψ_h: the latent variance in group h
/// d_reference = κ_g / √ψ_1
/// ```
/// The standardized differences are Cohen's d-type effect sizes on the latent scale: the pooled
/// version weights the groups' latent variances by their sizes (as a pooled SD does); the
/// reference version uses the first group's variance (the scale the means are identified in).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LatentMeanDifference {
    /// The latent variable.
    pub lv: String,
    /// The group's label.
    pub group: String,
    /// The group's 1-based position (lavaan's group number).
    pub group_index: usize,
    /// κ_g, the difference from the first group.
    pub est: f64,
    /// Its standard error.
    pub se: Option<f64>,
    /// z = est / se.
    pub z: Option<f64>,
    /// Two-sided p-value.
    pub pvalue: Option<f64>,
    /// The first group's latent variance ψ_1.
    pub var_reference: f64,
    /// The n-weighted pooled latent variance.
    pub var_pooled: f64,
    /// κ_g / √var_pooled.
    pub d_pooled: f64,
    /// κ_g / √var_reference.
    pub d_reference: f64,
}

impl MultiGroupFit {
    /// The latent mean differences of every latent variable, each group against the first, with
    /// standardized (Cohen's d-type) differences; see [`LatentMeanDifference`].
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when the model has no structured mean part (the latent means
    /// are not estimated: fit with equal intercepts, `GroupEqual::Intercepts`) or a latent
    /// variance is not positive.
    pub fn latent_mean_differences(&self) -> Result<Vec<LatentMeanDifference>> {
        let groups = self.groups();
        let first = &groups[0];
        let lvs: Vec<String> =
            first.parameters().iter().filter(|r| r.op == "=~").map(|r| r.lhs.clone()).fold(
                Vec::new(),
                |mut v, l| {
                    if !v.contains(&l) {
                        v.push(l);
                    }
                    v
                },
            );
        let n_total: f64 = groups.iter().map(|g| g.n_obs() as f64).sum();
        let mut out = Vec::new();
        for lv in &lvs {
            let mut vars = Vec::with_capacity(groups.len());
            for g in groups {
                let v = g.parameter(lv, "~~", lv).map(|r| r.est).unwrap_or(f64::NAN);
                if v.is_nan() || v <= 0.0 {
                    return Err(Error::invalid(
                        "latent means",
                        format!("the variance of `{lv}` in group {} is {v}", g.name()),
                    ));
                }
                vars.push(v);
            }
            let pooled: f64 =
                groups.iter().zip(&vars).map(|(g, v)| g.n_obs() as f64 * v).sum::<f64>() / n_total;
            match first.parameter(lv, "~1", "") {
                // fixed rows carry se 0 and no z
                Some(r) if r.z.is_none() && r.est == 0.0 => {}
                _ => {
                    return Err(Error::invalid(
                        "latent means",
                        format!(
                            "the latent mean of `{lv}` is not fixed at 0 in the first group: latent \
                             means are compared in a model with equal intercepts \
                             (GroupEqual::Intercepts)"
                        ),
                    ));
                }
            }
            for (gi, g) in groups.iter().enumerate().skip(1) {
                let r = g.parameter(lv, "~1", "").ok_or_else(|| {
                    Error::invalid(
                        "latent means",
                        format!("group {} has no mean of `{lv}`", g.name()),
                    )
                })?;
                if r.z.is_none() && r.se.is_none_or(|se| se == 0.0) {
                    return Err(Error::invalid(
                        "latent means",
                        format!(
                            "the latent mean of `{lv}` is fixed in group {}: latent means are \
                             estimated in a model with equal intercepts (GroupEqual::Intercepts)",
                            g.name()
                        ),
                    ));
                }
                out.push(LatentMeanDifference {
                    lv: lv.clone(),
                    group: g.name().to_string(),
                    group_index: gi + 1,
                    est: r.est,
                    se: r.se,
                    z: r.z,
                    pvalue: r.pvalue,
                    var_reference: vars[0],
                    var_pooled: pooled,
                    d_pooled: r.est / pooled.sqrt(),
                    d_reference: r.est / vars[0].sqrt(),
                });
            }
        }
        Ok(out)
    }
}
