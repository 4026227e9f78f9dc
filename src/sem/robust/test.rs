//! Robust test statistics and the fit measures built on them (lavaan's `.scaled` and `.robust`
//! names).
//!
//! ```text
//! U = W − W Δ (Δᵀ W Δ)⁻¹ Δᵀ W
//! Satorra–Bentler (MLM):   c = tr(U Γ) / df,           T_s = T / c
//! scaled-shifted (MLMV):   a = √(df / tr[(U Γ)²]),      T_s = a T + (df − a tr(U Γ)),  factor 1/a
//! Yuan–Bentler (MLR):      c = [tr(Γ W(S)) − tr(Δᵀ B₁(Σ̂) Δ H⁻¹)] / df,  T_s = T / c
//! ```
//!
//! The baseline (independence) model gets its own factor from its own Δ (unit columns on the
//! variances) at Σ_b = diag(S). The `.robust` indices use c (for MLMV the Satorra–Bentler c):
//! CFI = 1 − max(T − c df, 0) / max(T − c df, T_b − c_b df_b, 0), TLI = 1 − (T/df − c) /
//! (T_b/df_b − c_b), RMSEA = √max((T − c df)/(N df), 0) (Brosseau-Liard, Savalei & Li 2012;
//! Brosseau-Liard & Savalei 2014). Interval conventions are in docs/methods/sem.md.

use ndarray::Array2;

use crate::core::dist::{chisq_sf, ncp_root, pnchisq};
use crate::core::linalg;

/// Which robust test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scaling {
    SatorraBentler,
    ScaledShifted,
    YuanBentler,
}

/// tr(U Γ) and tr[(U Γ)²] with U = W − W Δ I⁻¹ Δᵀ W (I⁻¹ = (Δᵀ W Δ)⁻¹ given).
pub(crate) fn ugamma_traces(
    w: &Array2<f64>,
    delta: &Array2<f64>,
    info_inv: &Array2<f64>,
    gamma: &Array2<f64>,
) -> (f64, f64) {
    let wd = linalg::matmul(w.view(), delta.view());
    let wdi = linalg::matmul(wd.view(), info_inv.view());
    let proj = linalg::matmul(wdi.view(), wd.t());
    let u = w - &proj;
    let ug = linalg::matmul(u.view(), gamma.view());
    let m = ug.nrows();
    let tr: f64 = (0..m).map(|i| ug[[i, i]]).sum();
    let tr2: f64 = (0..m).map(|i| (0..m).map(|j| ug[[i, j]] * ug[[j, i]]).sum::<f64>()).sum();
    (tr, tr2)
}

/// tr(A B) for symmetric A, B.
pub(crate) fn trace_sym(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    (a * b).sum()
}

/// One model's statistic: T, df and its robust version.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scaled {
    pub chisq: f64,
    pub df: f64,
    /// The robust statistic T_s.
    pub scaled: f64,
    /// lavaan's `chisq.scaling.factor` (c, or 1/a for the scaled-shifted test).
    pub factor: f64,
    /// c = tr(U Γ)/df (Satorra–Bentler; the Yuan–Bentler c for MLR): the factor of the
    /// `.robust` indices.
    pub c_robust: f64,
}

impl Scaled {
    /// Mean-adjusted statistic T / c from tr(U Γ) (or the Yuan–Bentler trace).
    pub(crate) fn mean_adjusted(chisq: f64, df: f64, trace: f64) -> Self {
        let c = if df > 0.0 { trace / df } else { f64::NAN };
        let scaled = if df > 0.0 { chisq / c } else { chisq };
        Self { chisq, df, scaled, factor: c, c_robust: c }
    }
    /// Mean-and-variance adjusted (scaled-shifted) statistic a T + df − a tr(U Γ).
    pub(crate) fn scaled_shifted(chisq: f64, df: f64, tr: f64, tr2: f64) -> Self {
        if df.is_nan() || df <= 0.0 {
            return Self { chisq, df, scaled: chisq, factor: f64::NAN, c_robust: f64::NAN };
        }
        let a = (df / tr2).sqrt();
        let b = df - a * tr;
        Self { chisq, df, scaled: a * chisq + b, factor: 1.0 / a, c_robust: tr / df }
    }
}

/// CFI, TLI, RFI, NFI, PNFI, IFI, RNI from a model and a baseline statistic.
fn incremental(t: f64, df: f64, tb: f64, dfb: f64) -> [f64; 7] {
    let t1 = (t - df).max(0.0);
    let t2 = (t - df).max(tb - dfb).max(0.0);
    let cfi = if t1 == 0.0 && t2 == 0.0 { 1.0 } else { 1.0 - t1 / t2 };
    let tli = if df > 0.0 && dfb > 0.0 { (tb / dfb - t / df) / (tb / dfb - 1.0) } else { 1.0 };
    let rfi = if df > 0.0 && dfb > 0.0 { (tb / dfb - t / df) / (tb / dfb) } else { 1.0 };
    let nfi = if tb > 0.0 { (tb - t) / tb } else { f64::NAN };
    let pnfi = if dfb > 0.0 { df / dfb * nfi } else { f64::NAN };
    let ifi = (tb - t) / (tb - df);
    let rni = if tb - dfb != 0.0 { 1.0 - (t - df) / (tb - dfb) } else { f64::NAN };
    [cfi, tli, rfi, nfi, pnfi, ifi, rni]
}

/// RMSEA confidence limits (level 90%) from the noncentrality of a statistic `x` with `dof`
/// degrees of freedom: √(λ / divisor) for the 95% and 5% roots.
fn rmsea_ci(x: f64, dof: f64, divisor: f64) -> (f64, f64) {
    let lo = ncp_root(x, dof, 0.95);
    let hi = ncp_root(x, dof, 0.05);
    ((lo / divisor).max(0.0).sqrt(), (hi / divisor).max(0.0).sqrt())
}

/// The robust fit measures under lavaan's names, each with the name of the measure it follows
/// in lavaan's `fitMeasures()` order.
pub(crate) fn measures(
    scaling: Scaling,
    n: f64,
    model: &Scaled,
    base: &Scaled,
    h1_h0: Option<(f64, f64)>,
) -> Vec<(&'static str, String, f64)> {
    let mut out: Vec<(&'static str, String, f64)> = Vec::new();
    let mut put = |after: &'static str, k: &str, v: f64| out.push((after, k.to_string(), v));
    let (t, df, ts) = (model.chisq, model.df, model.scaled);
    let (tb, dfb, tbs) = (base.chisq, base.df, base.scaled);
    put("pvalue", "chisq.scaled", ts);
    put("pvalue", "df.scaled", df);
    put("pvalue", "pvalue.scaled", if df > 0.0 { chisq_sf(ts, df) } else { f64::NAN });
    put("pvalue", "chisq.scaling.factor", model.factor);
    put("baseline.pvalue", "baseline.chisq.scaled", tbs);
    put("baseline.pvalue", "baseline.df.scaled", dfb);
    put("baseline.pvalue", "baseline.pvalue.scaled", chisq_sf(tbs, dfb));
    put("baseline.pvalue", "baseline.chisq.scaling.factor", base.factor);
    let sc = incremental(ts, df, tbs, dfb);
    let (c, cb) = (model.c_robust, base.c_robust);
    let [cfi_r, tli_r, rni_r] = incremental_robust(t, df, c, tb, dfb, cb);
    put("tli", "cfi.scaled", sc[0]);
    put("tli", "tli.scaled", sc[1]);
    put("tli", "cfi.robust", cfi_r);
    put("tli", "tli.robust", tli_r);
    put("rni", "nnfi.scaled", sc[1]);
    put("rni", "rfi.scaled", sc[2]);
    put("rni", "nfi.scaled", sc[3]);
    put("rni", "pnfi.scaled", sc[4]);
    put("rni", "ifi.scaled", sc[5]);
    put("rni", "rni.scaled", sc[6]);
    put("rni", "nnfi.robust", tli_r);
    put("rni", "rni.robust", rni_r);
    if let Some((h1, h0)) = h1_h0 {
        put("bic2", "scaling.factor.h1", h1);
        put("bic2", "scaling.factor.h0", h0);
    }
    let after = "rmsea.notclose.h0";
    if df > 0.0 {
        let (c05, c08) = (0.05 * 0.05, 0.08 * 0.08);
        // scaled: the mean-adjusted tests refer T to a χ² with df·c degrees of freedom (the
        // same noncentrality per degree of freedom); the scaled-shifted test uses T_s with df
        let (x, dof) = match scaling {
            Scaling::ScaledShifted => (ts, df),
            _ => (t, df * model.factor),
        };
        let (lo, hi) = rmsea_ci(x, dof, n * dof);
        put(after, "rmsea.scaled", ((ts - df) / (n * df)).max(0.0).sqrt());
        put(after, "rmsea.ci.lower.scaled", lo);
        put(after, "rmsea.ci.upper.scaled", hi);
        put(after, "rmsea.pvalue.scaled", 1.0 - pnchisq(x, dof, n * dof * c05));
        put(after, "rmsea.notclose.pvalue.scaled", pnchisq(x, dof, n * dof * c08));
    } else {
        for k in ["rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled"] {
            put(after, k, 0.0);
        }
        put(after, "rmsea.pvalue.scaled", f64::NAN);
        put(after, "rmsea.notclose.pvalue.scaled", f64::NAN);
    }
    for (k, v) in RMSEA_ROBUST.iter().zip(rmsea_robust(n, t, df, c, ts, model.factor)) {
        put(after, k, v);
    }
    out
}

/// Robust CFI, TLI and RNI (Brosseau-Liard & Savalei 2014) from the model and baseline
/// statistics T, T_b and their mean corrections c, c_b:
/// CFI = 1 − max(T − c df, 0) / max(T − c df, T_b − c_b df_b, 0), TLI = 1 − (T/df − c) /
/// (T_b/df_b − c_b), RNI = 1 − (T − c df) / (T_b − c_b df_b).
pub(crate) fn incremental_robust(t: f64, df: f64, c: f64, tb: f64, dfb: f64, cb: f64) -> [f64; 3] {
    let (r1, r2) = ((t - c * df).max(0.0), (t - c * df).max(tb - cb * dfb).max(0.0));
    let cfi = if r1 == 0.0 && r2 == 0.0 { 1.0 } else { 1.0 - r1 / r2 };
    let tli = if df > 0.0 && dfb > 0.0 { 1.0 - (t / df - c) / (tb / dfb - cb) } else { 1.0 };
    let rni = 1.0 - (t - c * df) / (tb - cb * dfb);
    [cfi, tli, rni]
}

/// The names of [`rmsea_robust`]'s values.
pub(crate) const RMSEA_ROBUST: [&str; 5] = [
    "rmsea.robust",
    "rmsea.ci.lower.robust",
    "rmsea.ci.upper.robust",
    "rmsea.pvalue.robust",
    "rmsea.notclose.pvalue.robust",
];

/// Robust RMSEA, its 90% interval and the close / not-close p-values (Brosseau-Liard, Savalei &
/// Li 2012): √max((T − c df)/(n df), 0); the interval and p-values refer the robust statistic
/// T_s to a noncentral χ²(df) whose noncentrality is rescaled by the factor f (λ = n df ε² / f).
pub(crate) fn rmsea_robust(n: f64, t: f64, df: f64, c: f64, ts: f64, f: f64) -> [f64; 5] {
    if df.is_nan() || df <= 0.0 {
        return [0.0, 0.0, 0.0, f64::NAN, f64::NAN];
    }
    let (c05, c08) = (0.05 * 0.05, 0.08 * 0.08);
    let (lo, hi) = rmsea_ci(ts, df, n * df / f);
    [
        ((t - c * df) / (n * df)).max(0.0).sqrt(),
        lo,
        hi,
        1.0 - pnchisq(ts, df, n * df * c05 / f),
        pnchisq(ts, df, n * df * c08 / f),
    ]
}

/// Insert `extra` into lavaan's order: each after its anchor (and after the measures inserted
/// there before it); measures whose anchor is absent go to the end.
pub(crate) fn insert_measures(
    fm: &mut Vec<(String, f64)>,
    extra: Vec<(&'static str, String, f64)>,
) {
    let mut last_anchor: Option<(&str, usize)> = None;
    for (anchor, k, v) in extra {
        let at = match last_anchor {
            Some((a, i)) if a == anchor => i + 1,
            _ => fm.iter().position(|(n, _)| n == anchor).map_or(fm.len(), |i| i + 1),
        };
        fm.insert(at.min(fm.len()), (k, v));
        last_anchor = Some((anchor, at.min(fm.len() - 1)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_shifted_matches_two_moments() {
        // with tr = df and tr² = df (Γ = W⁻¹, normal data) both tests leave T unchanged
        let s = Scaled::scaled_shifted(30.0, 10.0, 10.0, 10.0);
        assert!((s.scaled - 30.0).abs() < 1e-12 && (s.factor - 1.0).abs() < 1e-12);
        let m = Scaled::mean_adjusted(30.0, 10.0, 12.0);
        assert!((m.scaled - 25.0).abs() < 1e-12);
    }

    #[test]
    fn insertion_keeps_lavaan_order() {
        let mut fm: Vec<(String, f64)> = ["chisq", "pvalue", "baseline.chisq", "tli", "rni"]
            .iter()
            .map(|k| (k.to_string(), 0.0))
            .collect();
        insert_measures(
            &mut fm,
            vec![
                ("pvalue", "a".into(), 1.0),
                ("pvalue", "b".into(), 2.0),
                ("tli", "c".into(), 3.0),
            ],
        );
        let names: Vec<&str> = fm.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["chisq", "pvalue", "a", "b", "baseline.chisq", "tli", "c", "rni"]);
    }
}
