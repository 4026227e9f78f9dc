//! Standard errors, the mean-and-variance adjusted (scaled-shifted) test and the fit measures
//! of the least-squares estimators for ordered indicators.
//!
//! ```text
//! A = Δᵀ W Δ
//! standard SEs:   V = A⁻¹ / (N − 1)
//! robust SEs:     V = A⁻¹ Δᵀ W Γ W Δ A⁻¹ / (N − 1)                (WLSMV, ULSMV)
//! U = W − W Δ A⁻¹ Δᵀ W
//! scaled-shifted: a = √(df / tr[(UΓ)²]),  b = df − a tr(UΓ),  T₃ = a T + b
//!                 (lavaan reports the scaling factor 1/a and the shift b)
//! baseline:       ρ = 0, thresholds free: T_b = (N − 1) sᵀ U_b s with Δ_b = [I; 0]
//! ```
//!
//! # References
//! Asparouhov, T. & Muthén, B. (2010). Simple second order chi-square correction. Mplus
//! technical appendix. Satorra, A. & Bentler, P. M. (1994). Corrections to test statistics and
//! standard errors in covariance structure analysis.

use ndarray::{Array1, Array2};

use super::Weighting;
use crate::core::linalg;
use crate::error::{Error, Result};
use crate::sem::fit_measures;
use crate::sem::robust as robust_ml;

/// The weight matrix W.
pub(super) fn weight(w: Weighting, gamma: &Array2<f64>) -> Result<Array2<f64>> {
    let k = gamma.nrows();
    match w {
        Weighting::Identity => Ok(Array2::eye(k)),
        Weighting::Diagonal => {
            let mut out = Array2::zeros((k, k));
            for i in 0..k {
                let g = gamma[[i, i]];
                if !(g > 0.0 && g.is_finite()) {
                    return Err(Error::NotPositiveDefinite {
                        matrix: "asymptotic covariance of the sample statistics".into(),
                    });
                }
                out[[i, i]] = 1.0 / g;
            }
            Ok(out)
        }
        Weighting::Full => {
            linalg::spd_inverse(gamma.view(), "asymptotic covariance of the sample statistics")
        }
    }
}

/// Covariance of the estimates and the matrix UΓ of the test.
pub(super) struct Inference {
    pub vcov: Array2<f64>,
    pub a_inv: Array2<f64>,
    pub u_gamma: Array2<f64>,
}

pub(super) fn inference(
    delta: &Array2<f64>,
    w: &Array2<f64>,
    gamma: &Array2<f64>,
    n: f64,
    robust: bool,
) -> Result<Inference> {
    let wd = w.dot(delta);
    let a = delta.t().dot(&wd);
    let a_inv = linalg::spd_inverse(a.view(), "information matrix Δᵀ W Δ").map_err(|_| {
        Error::NotIdentified {
            reason: "the information matrix Δᵀ W Δ is singular (a parameter is not identified)"
                .into(),
        }
    })?;
    let vcov = if robust {
        let b = wd.t().dot(&gamma.dot(&wd));
        a_inv.dot(&b).dot(&a_inv) / n
    } else {
        &a_inv / n
    };
    let u = w - &wd.dot(&a_inv).dot(&wd.t());
    Ok(Inference { vcov, a_inv, u_gamma: u.dot(gamma) })
}

/// The mean-and-variance adjusted statistic's (a, b): T₃ = a T + b.
#[derive(Debug, Clone, Copy)]
pub(super) struct ScaledShifted {
    pub a: f64,
    pub b: f64,
}

pub(super) fn scaled_shifted(u_gamma: &Array2<f64>, df: f64) -> ScaledShifted {
    let tr1 = u_gamma.diag().sum();
    let tr2 = (u_gamma * &u_gamma.t()).sum();
    if df <= 0.0 || tr2 <= 0.0 {
        return ScaledShifted { a: f64::NAN, b: f64::NAN };
    }
    let a = (df / tr2).sqrt();
    ScaledShifted { a, b: df - a * tr1 }
}

/// Baseline (independence) model: thresholds free, correlations zero. Returns its χ², df and
/// scaled-shifted correction.
pub(super) fn baseline(
    s: &Array1<f64>,
    w: &Array2<f64>,
    gamma: &Array2<f64>,
    nt: usize,
    n: f64,
) -> (f64, f64, ScaledShifted) {
    let k = s.len();
    let df = (k - nt) as f64;
    // U_b = W − W_{·τ} W_ττ⁻¹ W_{τ·}
    let w_tt = Array2::from_shape_fn((nt, nt), |(i, j)| w[[i, j]]);
    let w_t = Array2::from_shape_fn((k, nt), |(i, j)| w[[i, j]]);
    let u = match linalg::spd_inverse(w_tt.view(), "threshold block of the weight matrix") {
        Ok(inv) => w - &w_t.dot(&inv).dot(&w_t.t()),
        Err(_) => return (f64::NAN, df, ScaledShifted { a: f64::NAN, b: f64::NAN }),
    };
    let chisq = n * s.dot(&u.dot(s));
    (chisq, df, scaled_shifted(&u.dot(gamma), df))
}

/// The categorical ML statistics behind the `.robust` measures of WLSMV / ULSMV (Savalei 2021):
/// the normal-theory ML discrepancy of the polychoric correlations R at the least-squares
/// estimate, with the mean correction of its asymptotic distribution under that estimator.
///
/// ```text
/// T = N [log|Σ̂| + tr(R Σ̂⁻¹) − log|R| − p]              (Σ̂: model-implied correlations)
/// P = I − Δ (Δᵀ W Δ)⁻¹ Δᵀ W,  P_ρ = the correlation rows of P   (the least-squares residual map)
/// c = tr(W_ML P_ρ Γ P_ρᵀ) / df,  W_ML = ½ D′(Σ̂⁻¹ ⊗ Σ̂⁻¹)D on the off-diagonal elements
/// baseline (Σ = I): T_b = −N log|R|,  c_b = tr(Γ_ρρ) / df_b
/// ```
#[derive(Debug, Clone, Copy)]
pub(super) struct CatMl {
    pub t: f64,
    pub c: f64,
    pub tb: f64,
    pub cb: f64,
}

/// [`CatMl`] from the polychoric correlations `rho`, the implied correlations `sigma`, Δ and the
/// weight W and Γ of all sample statistics (thresholds first, `nt` of them), the information
/// inverse (Δᵀ W Δ)⁻¹ and the pairs of the correlation rows; `None` if R or Σ̂ is singular.
#[allow(clippy::too_many_arguments)]
pub(super) fn catml(
    rho: &Array2<f64>,
    sigma: &Array2<f64>,
    delta: &Array2<f64>,
    w: &Array2<f64>,
    gamma: &Array2<f64>,
    a_inv: &Array2<f64>,
    nt: usize,
    pairs: &[(usize, usize)],
    n: f64,
    df: f64,
) -> Option<CatMl> {
    let p = rho.nrows();
    let (sinv, logdet_s) = linalg::spd_inverse_logdet(sigma.view(), "implied correlations").ok()?;
    let logdet_r = linalg::spd_logdet(rho.view(), "polychoric correlations").ok()?;
    let tr: f64 = (rho * &sinv).sum();
    let t = n * (logdet_s + tr - logdet_r - p as f64);
    let ns = delta.nrows();
    let m = pairs.len();
    // P_ρ = [0 I] − Δ_ρ A⁻¹ Δᵀ W  (m × ns)
    let wd = w.dot(delta);
    let d_rho = Array2::from_shape_fn((m, delta.ncols()), |(r, k)| delta[[nt + r, k]]);
    let mut p_rho = -d_rho.dot(a_inv).dot(&wd.t());
    for r in 0..m {
        p_rho[[r, nt + r]] += 1.0;
    }
    let w_ml = crate::sem::robust::normal_weight(&sinv, pairs);
    let pg = p_rho.dot(gamma).dot(&p_rho.t());
    let c = (&w_ml * &pg).sum() / df;
    let tb = -n * logdet_r;
    let cb = (0..m).map(|r| gamma[[nt + r, nt + r]]).sum::<f64>() / m as f64;
    debug_assert_eq!(ns, nt + m);
    Some(CatMl { t, c, tb, cb })
}

/// Inputs of [`fit_measures`].
pub(super) struct Measures<'a> {
    pub uls: bool,
    pub robust: bool,
    pub npar: usize,
    pub n: usize,
    pub chisq: f64,
    pub df: f64,
    pub ndat: f64,
    pub base_chisq: f64,
    pub base_df: f64,
    pub test: ScaledShifted,
    pub base_test: ScaledShifted,
    /// Polychoric correlation matrix.
    pub s: &'a Array2<f64>,
    /// Model-implied correlation matrix.
    pub sigma: &'a Array2<f64>,
    /// The categorical ML statistics of the `.robust` measures (robust estimators only).
    pub catml: Option<CatMl>,
}

/// Measures computed on the unscaled statistic (lavaan's names), and with the robust
/// estimators their `.scaled` versions (the same formulas on the scaled-shifted statistics,
/// N − 1 in the RMSEA as lavaan).
const PLAIN: [&str; 14] = [
    "npar",
    "fmin",
    "chisq",
    "df",
    "pvalue",
    "baseline.chisq",
    "baseline.df",
    "baseline.pvalue",
    "cfi",
    "tli",
    "rmsea",
    "rmsea.ci.lower",
    "rmsea.ci.upper",
    "rmsea.pvalue",
];
const SCALED: [&str; 7] =
    ["cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr"];

pub(super) fn fit_measures(x: &Measures<'_>) -> Vec<(String, f64)> {
    let n = x.n as f64;
    let run = |chisq: f64, base: f64, uls: bool| {
        fit_measures::compute(&fit_measures::FitInputs {
            ml: false,
            uls,
            npar: x.npar,
            n: x.n,
            n_eff: n - 1.0,
            fmin: x.chisq / (2.0 * n),
            chisq,
            df: x.df,
            ndat: x.ndat,
            base_chisq: base,
            base_df: x.base_df,
            s: x.s,
            sigma: x.sigma,
            gfi_weight: None,
            logdet_sigma: f64::NAN,
            logdet_s: f64::NAN,
            logdet_sxx: 0.0,
            px: 0,
            sinv_trace: f64::NAN,
            ci_level: 0.90,
            means: None,
            logl: None,
        })
    };
    let get = |v: &[(String, f64)], k: &str| v.iter().find(|(n, _)| n == k).map(|(_, v)| *v);
    let plain = run(x.chisq, x.base_chisq, x.uls);
    let mut out: Vec<(String, f64)> = Vec::new();
    for k in PLAIN {
        if let Some(v) = get(&plain, k) {
            out.push((k.to_string(), v));
        }
    }
    if x.robust {
        let t = x.test.a * x.chisq + x.test.b;
        let tb = x.base_test.a * x.base_chisq + x.base_test.b;
        let scaled = run(t, tb, false);
        out.push(("chisq.scaled".into(), t));
        out.push(("df.scaled".into(), x.df));
        out.push(("pvalue.scaled".into(), get(&scaled, "pvalue").unwrap_or(f64::NAN)));
        out.push(("chisq.scaling.factor".into(), 1.0 / x.test.a));
        out.push(("chisq.shift.parameter".into(), x.test.b));
        out.push(("baseline.chisq.scaled".into(), tb));
        out.push(("baseline.df.scaled".into(), x.base_df));
        out.push((
            "baseline.pvalue.scaled".into(),
            get(&scaled, "baseline.pvalue").unwrap_or(f64::NAN),
        ));
        out.push(("baseline.chisq.scaling.factor".into(), 1.0 / x.base_test.a));
        for k in &SCALED[..6] {
            if let Some(v) = get(&scaled, k) {
                out.push((format!("{k}.scaled"), v));
            }
        }
        // lavaan's `.robust` indices of categorical data: the categorical ML statistic with its
        // mean correction (N in T, N − 1 in the RMSEA as the other categorical measures)
        let (dfb, df) = (x.base_df, x.df);
        let [cfi, tli, rni] = match x.catml {
            Some(m) => robust_ml::incremental_robust(m.t, df, m.c, m.tb, dfb, m.cb),
            None => [f64::NAN; 3],
        };
        out.push(("cfi.robust".into(), cfi));
        out.push(("tli.robust".into(), tli));
        out.push(("nnfi.robust".into(), tli));
        out.push(("rni.robust".into(), rni));
        let rm = match x.catml {
            Some(m) => robust_ml::rmsea_robust(n - 1.0, m.t, df, m.c, m.t / m.c, m.c),
            None => [f64::NAN; 5],
        };
        for (k, v) in robust_ml::RMSEA_ROBUST.iter().zip(rm) {
            out.push((k.to_string(), v));
        }
    }
    if let Some(v) = get(&plain, SCALED[6]) {
        out.push(("srmr".into(), v));
    }
    out
}
