//! Confidence intervals from the replicates (percentile, basic, normal, BC, BCa) and the normal
//! distribution helpers they use, matching R boot's conventions.

use super::Interval;
use super::fit::BootstrapFit;
use crate::core::dist::{pnorm, qnorm};
use crate::error::{Error, Result};

impl BootstrapFit {
    /// Bootstrap bias-correction constant `z0 = Φ⁻¹(#{t*_b < t0} / R)` of statistic `j` (may be ±∞).
    pub fn z0(&self, j: usize) -> Result<f64> {
        self.check_index(j)?;
        let t = &self.sorted[j];
        if t.is_empty() {
            return Err(self.too_few());
        }
        let below = t.partition_point(|&v| v < self.t0[j]);
        Ok(qnorm(below as f64 / t.len() as f64))
    }

    /// Acceleration constant `a = Σ Lᵢ³ / (6 (Σ Lᵢ²)^{3/2})` of statistic `j` from the influence values.
    pub fn acceleration(&self, j: usize) -> Result<f64> {
        self.check_index(j)?;
        let l = self.influence.as_ref().ok_or_else(|| {
            Error::invalid(
                "acceleration",
                self.influence_error.clone().unwrap_or_else(|| {
                    "BCa needs influence values (Acceleration::None was set)".to_string()
                }),
            )
        })?;
        let col = l.column(j);
        let s2: f64 = col.iter().map(|v| v * v).sum();
        let s3: f64 = col.iter().map(|v| v * v * v).sum();
        let a = s3 / (6.0 * s2.powf(1.5));
        if !a.is_finite() {
            return Err(Error::invalid(
                "acceleration",
                format!(
                    "acceleration of `{}` is undefined: its jackknife values are all equal",
                    self.names[j]
                ),
            ));
        }
        Ok(a)
    }

    /// Percentile intervals for every statistic.
    ///
    /// # Formula
    /// The limits are the `(1 ∓ level)/2` quantiles of the replicates taken as R's `boot.ci` does
    /// (`norm.inter`): with `r = (R + 1) α`, `k = ⌊r⌋` and sorted replicates `t*(1) ≤ … ≤ t*(R)`,
    /// ```text
    /// r integer:      t*(k)
    /// k = 0 / k = R:  t*(1) / t*(R)        (extreme order statistics)
    /// otherwise:      t*(k) + (Φ⁻¹(α) − Φ⁻¹(k/(R+1))) / (Φ⁻¹((k+1)/(R+1)) − Φ⁻¹(k/(R+1))) · (t*(k+1) − t*(k))
    /// ```
    /// (interpolation on the normal-quantile scale; Davison & Hinkley 1997, eq. 5.8).
    /// Validated against R boot 1.3-28.1 `boot.ci(type = "perc")` on the same replicates.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a level outside (0, 1) or fewer than two successful
    /// replications.
    pub fn ci_percentile(&self, level: f64) -> Result<Vec<Interval>> {
        (0..self.t0.len()).map(|j| self.ci_percentile_one(j, level)).collect()
    }

    /// Percentile interval of statistic `j` (see [`BootstrapFit::ci_percentile`]).
    pub fn ci_percentile_one(&self, j: usize, level: f64) -> Result<Interval> {
        check_level(level)?;
        self.check_index(j)?;
        let t = &self.sorted[j];
        if t.len() < 2 {
            return Err(self.too_few());
        }
        // Both tail probabilities computed as R's boot.ci does: (1 ± level) / 2.
        let (lo, hi) = tails(level);
        Ok(Interval { level, lower: norm_inter(t, lo), upper: norm_inter(t, hi) })
    }

    /// Basic (reverse percentile) intervals for every statistic (R `boot.ci(type = "basic")`).
    ///
    /// # Formula
    /// ```text
    /// (2 t0 − q((1 + level)/2),  2 t0 − q((1 − level)/2)),  q = norm.inter quantile of t*
    /// ```
    /// Validated against R boot 1.3-28.1 on the same replicates.
    ///
    /// # Errors
    /// As [`BootstrapFit::ci_percentile`].
    ///
    /// # References
    /// Davison & Hinkley (1997), eq. 5.6.
    pub fn ci_basic(&self, level: f64) -> Result<Vec<Interval>> {
        (0..self.t0.len())
            .map(|j| {
                let p = self.ci_percentile_one(j, level)?;
                Ok(Interval {
                    level,
                    lower: 2.0 * self.t0[j] - p.upper,
                    upper: 2.0 * self.t0[j] - p.lower,
                })
            })
            .collect()
    }

    /// Normal-approximation intervals with bootstrap bias correction (R `boot.ci(type = "norm")`).
    ///
    /// # Formula
    /// ```text
    /// t0 − bias ∓ Φ⁻¹((1 + level)/2) · se,   bias = mean(t*) − t0,  se = sd(t*)
    /// ```
    /// Validated against R boot 1.3-28.1 on the same replicates.
    ///
    /// # Errors
    /// As [`BootstrapFit::ci_percentile`].
    ///
    /// # References
    /// Davison & Hinkley (1997), eq. 5.5.
    pub fn ci_normal(&self, level: f64) -> Result<Vec<Interval>> {
        check_level(level)?;
        if self.n_successful() < 2 {
            return Err(self.too_few());
        }
        let (se, bias) = (self.se(), self.bias());
        let z = qnorm((1.0 + level) / 2.0);
        Ok((0..self.t0.len())
            .map(|j| Interval {
                level,
                lower: self.t0[j] - bias[j] - se[j] * z,
                upper: self.t0[j] - bias[j] + se[j] * z,
            })
            .collect())
    }

    /// Bias-corrected and accelerated (BCa) intervals for every statistic.
    ///
    /// # Formula
    /// ```text
    /// z0 = Φ⁻¹( #{t*_b < t0} / R )
    /// a  = Σ Lᵢ³ / (6 (Σ Lᵢ²)^{3/2}),   Lᵢ = (n − 1)(t0 − t₍ᵢ₎)  (jackknife, see Acceleration)
    /// α̃  = Φ( z0 + (z0 + z_α) / (1 − a (z0 + z_α)) ),  z_α = Φ⁻¹((1 ∓ level)/2)
    /// limits = the α̃ quantiles of t*, interpolated as in `ci_percentile`
    /// ```
    /// Validated against R boot 1.3-28.1 `boot.ci(type = "bca", L = <jackknife influence>)` on the
    /// same replicates.
    ///
    /// # Errors
    /// As [`BootstrapFit::ci_percentile`]; also when no influence values were computed
    /// ([`Acceleration::None`]), when `z0` is infinite (all replicates on one side of `t0`), or
    /// when the acceleration is undefined (constant jackknife values). Use
    /// [`BootstrapFit::ci_bca_one`] to get the intervals of the other statistics then.
    ///
    /// # References
    /// Efron, B. (1987). Better bootstrap confidence intervals. *JASA* 82, 171–185.
    pub fn ci_bca(&self, level: f64) -> Result<Vec<Interval>> {
        (0..self.t0.len()).map(|j| self.ci_bca_one(j, level)).collect()
    }

    /// BCa interval of statistic `j` (see [`BootstrapFit::ci_bca`]).
    pub fn ci_bca_one(&self, j: usize, level: f64) -> Result<Interval> {
        self.adjusted_percentile(j, level, true)
    }

    /// Bias-corrected (BC) percentile intervals: BCa with acceleration `a = 0` (lavaan's
    /// `boot.ci.type = "bca.simple"`; Efron 1981). Needs no influence values.
    ///
    /// # Formula
    /// ```text
    /// α̃ = Φ(2 z0 + z_α),  limits = α̃ quantiles of t* (interpolated as in `ci_percentile`)
    /// ```
    ///
    /// # Errors
    /// As [`BootstrapFit::ci_percentile`]; also when `z0` is infinite.
    pub fn ci_bc(&self, level: f64) -> Result<Vec<Interval>> {
        (0..self.t0.len()).map(|j| self.ci_bc_one(j, level)).collect()
    }

    /// Bias-corrected interval of statistic `j` (see [`BootstrapFit::ci_bc`]).
    pub fn ci_bc_one(&self, j: usize, level: f64) -> Result<Interval> {
        self.adjusted_percentile(j, level, false)
    }

    fn adjusted_percentile(&self, j: usize, level: f64, accelerate: bool) -> Result<Interval> {
        check_level(level)?;
        self.check_index(j)?;
        let t = &self.sorted[j];
        if t.len() < 2 {
            return Err(self.too_few());
        }
        let z0 = self.z0(j)?;
        if !z0.is_finite() {
            return Err(Error::invalid(
                "bca",
                format!(
                    "bias correction of `{}` is infinite: all replicates lie on one side of the estimate",
                    self.names[j]
                ),
            ));
        }
        let a = if accelerate { self.acceleration(j)? } else { 0.0 };
        let adj = |alpha: f64| {
            let z = qnorm(alpha);
            pnorm(z0 + (z0 + z) / (1.0 - a * (z0 + z)))
        };
        let (lo, hi) = tails(level);
        Ok(Interval { level, lower: norm_inter(t, adj(lo)), upper: norm_inter(t, adj(hi)) })
    }
}

/// Tail probabilities `((1 − level)/2, (1 + level)/2)`, rounded exactly as R computes them.
fn tails(level: f64) -> (f64, f64) {
    ((1.0 - level) / 2.0, (1.0 + level) / 2.0)
}

fn check_level(level: f64) -> Result<()> {
    if !(level > 0.0 && level < 1.0) {
        return Err(Error::invalid("level", format!("must be in (0, 1), got {level}")));
    }
    Ok(())
}

/// Quantile of sorted finite values `t` at probability `alpha`, by R boot's `norm.inter` rule.
fn norm_inter(t: &[f64], alpha: f64) -> f64 {
    let r = t.len();
    if r == 0 || !alpha.is_finite() {
        return f64::NAN;
    }
    let rk = (r as f64 + 1.0) * alpha;
    let k = rk.trunc();
    if k <= 0.0 {
        return t[0];
    }
    if k >= r as f64 {
        return t[r - 1];
    }
    let ki = k as usize; // 1-based order statistic
    if k == rk {
        return t[ki - 1];
    }
    let rr = r as f64 + 1.0;
    let z = qnorm(alpha);
    let zk = qnorm(k / rr);
    let zk1 = qnorm((k + 1.0) / rr);
    let tk = t[ki - 1];
    let tk1 = t[ki];
    tk + (z - zk) / (zk1 - zk) * (tk1 - tk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn norm_inter_integer_rank_is_order_statistic() {
        let t: Vec<f64> = (1..=19).map(f64::from).collect();
        // (19 + 1) * 0.05 = 1 → t(1); (20) * 0.95 = 19 → t(19)
        assert_eq!(norm_inter(&t, 0.05), 1.0);
        assert_eq!(norm_inter(&t, 0.95), 19.0);
        assert_eq!(norm_inter(&t, 0.5), 10.0);
    }
}
