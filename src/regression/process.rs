//! Conditional process analysis with observed variables (Hayes' PROCESS): model 1 (simple
//! moderation) and model 4 (simple mediation, one or more parallel mediators) with seeded,
//! thread-count-independent bootstrap intervals of the indirect effects.

use ndarray::{Array1, Array2};

use super::ols::{Ols, OlsFit, RobustCovariance};
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::resample::{Bootstrap, Interval};

mod jn;
mod modmed;
pub use jn::{JnPoint, JohnsonNeyman};
pub use modmed::{ConditionalIndirect, ModeratedMediation};

/// A conditional effect of X at one value of the moderator.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ConditionalEffect {
    /// Moderator value.
    pub w: f64,
    /// Effect `b₁ + b₃ w`.
    pub effect: f64,
    /// Standard error `√(v₁₁ + 2 w v₁₃ + w² v₃₃)`.
    pub se: f64,
    /// t value.
    pub t: f64,
    /// Two-sided p-value on the residual df.
    pub p_value: f64,
    /// Lower limit.
    #[cfg_attr(feature = "serde", serde(rename = "ci_lower"))]
    pub lower: f64,
    /// Upper limit.
    #[cfg_attr(feature = "serde", serde(rename = "ci_upper"))]
    pub upper: f64,
}

/// Where a continuous moderator is probed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Probes {
    /// Mean − 1 SD, mean, mean + 1 SD (SD with n − 1), PROCESS's default.
    #[default]
    MeanSd,
    /// The 16th, 50th and 84th percentiles (R's type-7 sample quantiles).
    Percentiles,
}

/// PROCESS model 1: `Y = b₀ + b₁ X + b₂ W + b₃ XW`.
#[derive(Debug, Clone)]
pub struct Moderation {
    fit: OlsFit,
    probes: Vec<ConditionalEffect>,
    jn: JohnsonNeyman,
    r2_change: f64,
}

impl Moderation {
    /// Fit model 1 on dataset columns (listwise complete rows); `center` mean-centres X and W
    /// before forming the product.
    ///
    /// # Errors
    /// Column look-up errors; the errors of [`Ols::fit`].
    pub fn fit(
        data: &Dataset,
        x: &str,
        w: &str,
        y: &str,
        center: bool,
        level: f64,
    ) -> Result<Self> {
        Self::fit_probed(data, x, w, y, center, level, Probes::MeanSd)
    }

    /// [`Moderation::fit`] with a choice of the moderator values at which X's effect is
    /// probed.
    ///
    /// # Errors
    /// As [`Moderation::fit`].
    pub fn fit_probed(
        data: &Dataset,
        x: &str,
        w: &str,
        y: &str,
        center: bool,
        level: f64,
        probes: Probes,
    ) -> Result<Self> {
        let cols = complete_columns(data, &[x, w, y])?;
        let (mut xv, mut wv, yv) = (cols[0].clone(), cols[1].clone(), cols[2].clone());
        if center {
            let mx = mean(&xv);
            let mw = mean(&wv);
            xv.iter_mut().for_each(|v| *v -= mx);
            wv.iter_mut().for_each(|v| *v -= mw);
        }
        let n = yv.len();
        let xm = Array2::from_shape_fn((n, 3), |(i, j)| match j {
            0 => xv[i],
            1 => wv[i],
            _ => xv[i] * wv[i],
        });
        let names = [x.to_string(), w.to_string(), format!("{x}:{w}")];
        let fit = Ols::new()
            .names(&names)
            .response(y)
            .ci_level(level)
            .robust_covariance(RobustCovariance::Skip)
            .fit(&xm, &Array1::from(yv.clone()))?;
        let main = Ols::new()
            .robust_covariance(RobustCovariance::Skip)
            .fit(&xm.select(ndarray::Axis(1), &[0, 1]), &Array1::from(yv))?;
        let probe_w = match probes {
            Probes::MeanSd => {
                let (mw, sw) = (mean(&wv), sd(&wv));
                [mw - sw, mw, mw + sw]
            }
            Probes::Percentiles => [0.16, 0.5, 0.84].map(|p| quantile7(&wv, p)),
        };
        let path = jn::Path { focal: 1, product: Some(3) };
        let probes = probe_w.iter().map(|&wval| jn::conditional(&fit, path, wval, level)).collect();
        let jn = JohnsonNeyman::new(&fit, path, &wv, level);
        let r2_change = fit.r_squared() - main.r_squared();
        Ok(Self { fit, probes, jn, r2_change })
    }

    /// The regression of Y on X, W and XW.
    pub fn fit_result(&self) -> &OlsFit {
        &self.fit
    }
    /// Conditional effects of X at the probe values of the moderator (mean − 1 SD, mean,
    /// mean + 1 SD, or the 16th, 50th and 84th percentiles).
    pub fn conditional_effects(&self) -> &[ConditionalEffect] {
        &self.probes
    }
    /// Johnson–Neyman values of W where the effect of X is just significant (all real roots,
    /// also those outside the observed range of W; see [`Moderation::w_range`]).
    pub fn johnson_neyman(&self) -> &[f64] {
        &self.jn.roots
    }
    /// The Johnson–Neyman analysis: roots, the in-range points with the share of cases on
    /// either side, and the plot-ready table of conditional effects across the range of W.
    pub fn johnson_neyman_table(&self) -> &JohnsonNeyman {
        &self.jn
    }
    /// Observed range of W.
    pub fn w_range(&self) -> (f64, f64) {
        self.jn.w_range
    }
    /// R² increase due to the interaction.
    pub fn r2_change(&self) -> f64 {
        self.r2_change
    }
}

/// PROCESS model 4: `M_j = a₀ⱼ + aⱼ X`, `Y = c'₀ + c' X + Σ bⱼ M_j`; indirect effects `aⱼ bⱼ`
/// with bootstrap intervals.
#[derive(Debug, Clone)]
pub struct Mediation {
    a: Vec<OlsFit>,
    y: OlsFit,
    total: OlsFit,
    indirect: Vec<f64>,
    percentile: Vec<Interval>,
    bca: Vec<Option<Interval>>,
    boot_se: Vec<f64>,
}

impl Mediation {
    /// Fit model 4 with mediators `m` (parallel) and a seeded bootstrap of `reps` resamples of
    /// the rows (percentile and BCa intervals at `level`).
    ///
    /// # Errors
    /// Column look-up errors; the errors of [`Ols::fit`] and of the bootstrap.
    pub fn fit(
        data: &Dataset,
        x: &str,
        m: &[&str],
        y: &str,
        reps: usize,
        seed: u64,
        level: f64,
    ) -> Result<Self> {
        if m.is_empty() {
            return Err(Error::invalid("m", "at least one mediator is needed"));
        }
        let mut names = vec![x];
        names.extend_from_slice(m);
        names.push(y);
        let cols = complete_columns(data, &names)?;
        let k = m.len();
        let n = cols[0].len();
        let xcol = Array2::from_shape_fn((n, 1), |(i, _)| cols[0][i]);
        let ols = || Ols::new().robust_covariance(RobustCovariance::Skip);
        let a: Vec<OlsFit> = (0..k)
            .map(|j| {
                ols().names(&[x]).response(m[j]).fit(&xcol, &Array1::from(cols[1 + j].clone()))
            })
            .collect::<Result<_>>()?;
        let xy = Array2::from_shape_fn((n, k + 1), |(i, j)| cols[j][i]);
        let mut ynames = vec![x.to_string()];
        ynames.extend(m.iter().map(|s| s.to_string()));
        let yv = Array1::from(cols[k + 1].clone());
        let yfit = ols().names(&ynames).response(y).fit(&xy, &yv)?;
        let total = ols().names(&[x]).response(y).fit(&xcol, &yv)?;
        let indirect: Vec<f64> =
            (0..k).map(|j| a[j].coefficients()[1] * yfit.coefficients()[2 + j]).collect();
        let stat = |idx: &[usize]| -> Result<Vec<f64>> {
            let xs = Array2::from_shape_fn((idx.len(), 1), |(i, _)| cols[0][idx[i]]);
            let xys = Array2::from_shape_fn((idx.len(), k + 1), |(i, j)| cols[j][idx[i]]);
            let ys: Array1<f64> = idx.iter().map(|&i| cols[k + 1][i]).collect();
            let fy = ols().fit(&xys, &ys)?;
            let mut out = Vec::with_capacity(k);
            for j in 0..k {
                let ms: Array1<f64> = idx.iter().map(|&i| cols[1 + j][i]).collect();
                let fa = ols().fit(&xs, &ms)?;
                out.push(fa.coefficients()[1] * fy.coefficients()[2 + j]);
            }
            Ok(out)
        };
        let boot = Bootstrap::new(reps).seed(seed).run(n, stat)?;
        let percentile = boot.ci_percentile(level)?;
        let bca = (0..k).map(|j| boot.ci_bca_one(j, level).ok()).collect();
        let boot_se = boot.se().to_vec();
        Ok(Self { a, y: yfit, total, indirect, percentile, bca, boot_se })
    }

    /// Regressions of each mediator on X.
    pub fn a_paths(&self) -> &[OlsFit] {
        &self.a
    }
    /// Regression of Y on X and the mediators (direct effect `c'` and the `b` paths).
    pub fn y_model(&self) -> &OlsFit {
        &self.y
    }
    /// Regression of Y on X alone (total effect `c`).
    pub fn total_model(&self) -> &OlsFit {
        &self.total
    }
    /// Indirect effects `aⱼ bⱼ`.
    pub fn indirect(&self) -> &[f64] {
        &self.indirect
    }
    /// Percentile bootstrap intervals of the indirect effects.
    pub fn percentile_intervals(&self) -> &[Interval] {
        &self.percentile
    }
    /// BCa bootstrap intervals (jackknife acceleration), `None` where undefined.
    pub fn bca_intervals(&self) -> &[Option<Interval>] {
        &self.bca
    }
    /// Bootstrap standard errors of the indirect effects.
    pub fn boot_se(&self) -> &[f64] {
        &self.boot_se
    }
}

fn complete_columns(data: &Dataset, names: &[&str]) -> Result<Vec<Vec<f64>>> {
    let cols: Vec<Vec<f64>> =
        names.iter().map(|n| data.column(n).map(|c| c.to_vec())).collect::<Result<_>>()?;
    let n = data.n_rows();
    let keep: Vec<usize> = (0..n).filter(|&i| cols.iter().all(|c| c[i].is_finite())).collect();
    Ok(cols.iter().map(|c| keep.iter().map(|&i| c[i]).collect()).collect())
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

fn sd(v: &[f64]) -> f64 {
    let m = mean(v);
    (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (v.len() as f64 - 1.0)).sqrt()
}

/// Sample quantile of type 7 (R's default): linear interpolation between order statistics.
fn quantile7(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return f64::NAN;
    }
    let h = (s.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    s[lo] + (h - lo as f64) * (s[hi] - s[lo])
}
