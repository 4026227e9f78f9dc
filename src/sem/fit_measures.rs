//! Fit measures under lavaan's `fitMeasures()` names (formulas in docs/methods/sem.md).

use ndarray::{Array1, Array2};

use crate::core::dist::{chisq_quantile, chisq_sf, ncp_root as solve_ncp, pnchisq};

/// Inputs to the fit measures.
pub(crate) struct FitInputs<'a> {
    pub ml: bool,
    /// ULS: the statistic is not chi-square distributed; lavaan reports no p-values.
    pub uls: bool,
    pub npar: usize,
    pub n: usize,
    /// N′: N for ML/normal, N − 1 otherwise.
    pub n_eff: f64,
    pub fmin: f64,
    pub chisq: f64,
    pub df: f64,
    pub ndat: f64,
    pub base_chisq: f64,
    pub base_df: f64,
    pub s: &'a Array2<f64>,
    pub sigma: &'a Array2<f64>,
    /// Weight for GFI: Σ̂⁻¹ (ML), S⁻¹ (GLS), None (ULS = identity).
    pub gfi_weight: Option<&'a Array2<f64>>,
    pub logdet_sigma: f64,
    pub logdet_s: f64,
    /// log|S_xx| of the fixed exogenous covariates and their number (their marginal
    /// log-likelihood is not part of lavaan's logl). The covariates are the last `px` of the
    /// p variables (the parameter table's order).
    pub logdet_sxx: f64,
    pub px: usize,
    pub sinv_trace: f64,
    pub ci_level: f64,
    /// Mean structure: (sample / h1 means, model-implied means); adds the mean residuals to
    /// rmr / srmr / crmr (the `_nomean` variants leave them out) and to the GFI.
    pub means: Option<(&'a Array1<f64>, &'a Array1<f64>)>,
    /// (logl of the model, logl of the unrestricted model) when known directly (FIML).
    pub logl: Option<(f64, f64)>,
}

pub(crate) fn compute(x: &FitInputs<'_>) -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = Vec::new();
    let mut put = |k: &str, v: f64| out.push((k.to_string(), v));
    let (chisq, df, bc, bdf) = (x.chisq, x.df, x.base_chisq, x.base_df);
    let n = x.n as f64;
    let ne = x.n_eff;
    put("npar", x.npar as f64);
    put("fmin", x.fmin);
    put("chisq", chisq);
    put("df", df);
    put("pvalue", if x.uls { f64::NAN } else { chisq_sf(chisq, df) });
    put("baseline.chisq", bc);
    put("baseline.df", bdf);
    put("baseline.pvalue", if x.uls { f64::NAN } else { chisq_sf(bc, bdf) });
    let t1 = (chisq - df).max(0.0);
    let t2 = (chisq - df).max(bc - bdf).max(0.0);
    let cfi = if t1 == 0.0 && t2 == 0.0 { 1.0 } else { 1.0 - t1 / t2 };
    let tli = if df > 0.0 && bdf > 0.0 { (bc / bdf - chisq / df) / (bc / bdf - 1.0) } else { 1.0 };
    let nfi = if bc > 0.0 { (bc - chisq) / bc } else { f64::NAN };
    let rfi = if df > 0.0 && bdf > 0.0 { (bc / bdf - chisq / df) / (bc / bdf) } else { 1.0 };
    let pnfi = if bdf > 0.0 { df / bdf * nfi } else { f64::NAN };
    let ifi = (bc - chisq) / (bc - df);
    let rni = if bc - bdf != 0.0 { 1.0 - (chisq - df) / (bc - bdf) } else { f64::NAN };
    put("cfi", cfi);
    put("tli", tli);
    put("nnfi", tli);
    put("rfi", rfi);
    put("nfi", nfi);
    put("pnfi", pnfi);
    put("ifi", ifi);
    put("rni", rni);
    if x.ml {
        let p = x.s.nrows() as f64;
        let c = p * (2.0 * std::f64::consts::PI).ln();
        let px = x.px as f64;
        let logl_x = if x.px > 0 {
            -n / 2.0 * (px * (2.0 * std::f64::consts::PI).ln() + x.logdet_sxx + px)
        } else {
            0.0
        };
        let (logl, ulogl) = match x.logl {
            Some(v) => v,
            None => (
                -n / 2.0 * (c + x.logdet_sigma + x.sinv_trace) - logl_x,
                -n / 2.0 * (c + x.logdet_s + p) - logl_x,
            ),
        };
        let k = x.npar as f64;
        put("logl", logl);
        put("unrestricted.logl", ulogl);
        put("aic", -2.0 * logl + 2.0 * k);
        put("bic", -2.0 * logl + k * n.ln());
        put("ntotal", n);
        put("bic2", -2.0 * logl + k * ((n + 2.0) / 24.0).ln());
    }
    // RMSEA and its interval
    let lvl = x.ci_level;
    let (rmsea, lo, hi, pclose, pnotclose) = if df > 0.0 {
        let r = ((chisq - df).max(0.0) / (df * ne)).sqrt();
        let p0 = pnchisq(chisq, df, 0.0);
        let upper_t = (1.0 - lvl) / 2.0;
        let lower_t = 1.0 - upper_t;
        let lam_lo = if p0 < lower_t { 0.0 } else { solve_ncp(chisq, df, lower_t) };
        let lam_hi = if p0 < upper_t { 0.0 } else { solve_ncp(chisq, df, upper_t) };
        let pc = 1.0 - pnchisq(chisq, df, ne * df * 0.05 * 0.05);
        let pn = pnchisq(chisq, df, ne * df * 0.08 * 0.08);
        (r, (lam_lo / (ne * df)).sqrt(), (lam_hi / (ne * df)).sqrt(), pc, pn)
    } else {
        (0.0, 0.0, 0.0, f64::NAN, f64::NAN)
    };
    put("rmsea", rmsea);
    put("rmsea.ci.lower", lo);
    put("rmsea.ci.upper", hi);
    put("rmsea.ci.level", lvl);
    put("rmsea.pvalue", pclose);
    put("rmsea.close.h0", 0.05);
    put("rmsea.notclose.pvalue", pnotclose);
    put("rmsea.notclose.h0", 0.08);
    // residual-based
    let (s, sg) = (x.s, x.sigma);
    let p = s.nrows();
    let (mut rmr, mut srmr, mut crmr, mut mplus) = (0.0, 0.0, 0.0, 0.0);
    for i in 0..p {
        for j in i..p {
            let r = s[[i, j]] - sg[[i, j]];
            rmr += r * r;
            let sb = r / (s[[i, i]].sqrt() * s[[j, j]].sqrt());
            srmr += sb * sb;
            if i == j {
                let d = (s[[i, i]] - sg[[i, i]]) / s[[i, i]];
                mplus += d * d;
            } else {
                let cr = s[[i, j]] / (s[[i, i]].sqrt() * s[[j, j]].sqrt())
                    - sg[[i, j]] / (sg[[i, i]].sqrt() * sg[[j, j]].sqrt());
                crmr += cr * cr;
                mplus += cr * cr;
            }
        }
    }
    let nv = (p * (p + 1) / 2) as f64;
    let nc = (p * (p.saturating_sub(1)) / 2) as f64;
    let rmr_nm = (rmr / nv).sqrt();
    let srmr_nm = (srmr / nv).sqrt();
    let crmr_nm = if nc > 0.0 { (crmr / nc).sqrt() } else { 0.0 };
    let mplus_nm = (mplus / nv).sqrt();
    let (rmr_t, srmr_t, crmr_t, mplus_t) = match x.means {
        None => (rmr_nm, srmr_nm, crmr_nm, mplus_nm),
        Some((m, mu)) => {
            // mean residuals: raw, standardized by the sample SD, and the Mplus version
            // (difference of the standardized means)
            let (mut r1, mut r2, mut r3) = (0.0, 0.0, 0.0);
            for i in 0..p {
                let d = m[i] - mu[i];
                r1 += d * d;
                let z = d / s[[i, i]].sqrt();
                r2 += z * z;
                let zm = m[i] / s[[i, i]].sqrt() - mu[i] / sg[[i, i]].sqrt();
                r3 += zm * zm;
            }
            let pf = p as f64;
            (
                ((rmr + r1) / (nv + pf)).sqrt(),
                ((srmr + r2) / (nv + pf)).sqrt(),
                ((crmr + r2) / (nc + pf)).sqrt(),
                ((mplus + r3) / (nv + pf)).sqrt(),
            )
        }
    };
    put("rmr", rmr_t);
    put("rmr_nomean", rmr_nm);
    put("srmr", srmr_t);
    put("srmr_bentler", srmr_t);
    put("srmr_bentler_nomean", srmr_nm);
    put("crmr", crmr_t);
    put("crmr_nomean", crmr_nm);
    put("srmr_mplus", mplus_t);
    put("srmr_mplus_nomean", mplus_nm);
    let cn = |a: f64| {
        if chisq > 0.0 { chisq_quantile(1.0 - a, df) / (chisq / ne) + 1.0 } else { f64::NAN }
    };
    put("cn_05", if df > 0.0 { cn(0.05) } else { 1.0 });
    put("cn_01", if df > 0.0 { cn(0.01) } else { 1.0 });
    // GFI family. With fixed.x covariates lavaan's ML and GLS weight matrices have zero rows and
    // columns for the moments among the covariates (their (co)variances and means are not modelled): they
    // drop out of the denominator (the numerator is zero there anyway, Σ̂_xx = S_xx), while
    // p* in AGFI and PGFI still counts every sample moment.
    let px = x.px.min(p);
    let is_xx = |i: usize, j: usize| i >= p - px && j >= p - px;
    let (num, den) = match x.gfi_weight {
        Some(w) => {
            let s_model =
                Array2::from_shape_fn((p, p), |(i, j)| if is_xx(i, j) { 0.0 } else { s[[i, j]] });
            let a = w.dot(&(s - sg));
            let b = w.dot(&s_model);
            let (mut num, mut den) = ((&a * &a.t()).sum(), (&b * &b.t()).sum());
            if let Some((m, mu)) = x.means {
                // with a mean structure the weight is blockdiag(W, ½ Dᵀ(W ⊗ W)D) on
                // (mean, vech cov): the covariance part is ½ tr[(W e)²]
                let d = m - mu;
                let m_model = Array1::from_shape_fn(p, |i| if i >= p - px { 0.0 } else { m[i] });
                num = 0.5 * num + d.dot(&w.dot(&d));
                den = 0.5 * den + m_model.dot(&w.dot(&m_model));
            }
            (num, den)
        }
        None => {
            // ULS: identity weight over the non-duplicated elements (lavaan keeps the
            // covariate moments in this one)
            let (mut a, mut b) = (0.0, 0.0);
            for i in 0..p {
                for j in i..p {
                    a += (s[[i, j]] - sg[[i, j]]).powi(2);
                    b += s[[i, j]].powi(2);
                }
            }
            (a, b)
        }
    };
    let pstar =
        x.ndat + (px * (px + 1) / 2) as f64 + if x.means.is_some() { px as f64 } else { 0.0 };
    let gfi = 1.0 - num / den;
    put("gfi", gfi);
    put("agfi", if df > 0.0 { 1.0 - pstar / df * (1.0 - gfi) } else { 1.0 });
    put("pgfi", if pstar > 0.0 { df / pstar * gfi } else { f64::NAN });
    put("mfi", (-0.5 * (chisq - df) / ne).exp());
    put("ecvi", chisq / ne + 2.0 * x.npar as f64 / ne);
    out
}
