//! Information matrices of FIML fits and the missing-data correction of the robust fit
//! measures: the observed information of the saturated model under the missing-data patterns,
//! the full Jacobian ∂(μ, vech Σ)/∂θᵀ, the analytic observed information of the structured
//! model, and lavaan's corrected `cfi.robust` / `rmsea.robust` for `missing = "ml"`.

use super::*;

fn vech_index(vech: &[(usize, usize)], p: usize) -> Vec<Vec<usize>> {
    let mut vidx = vec![vec![0usize; p]; p];
    for (r, &(a, b)) in vech.iter().enumerate() {
        vidx[a][b] = r;
        vidx[b][a] = r;
    }
    vidx
}

/// Observed information per observation, −∂²ℓ/N, of the saturated model in (μ, vech Σ) at
/// (`mean`, `cov`) under the missing-data patterns (closed form, summed over patterns).
pub(crate) fn saturated_observed_information(
    pats: &MissingPatterns,
    x: &Array2<f64>,
    mean: &Array1<f64>,
    cov: &Array2<f64>,
    vech: &[(usize, usize)],
    n: f64,
) -> Option<Array2<f64>> {
    let p = mean.len();
    let dim = p + vech.len();
    let vidx = vech_index(vech, p);
    let mut wm = Array2::<f64>::zeros((dim, dim));
    for pat in pats.patterns() {
        let o = pat.observed();
        let q = o.len();
        let nk = pat.n() as f64;
        let sub = Array2::from_shape_fn((q, q), |(a, b)| cov[[o[a], o[b]]]);
        let (w, _) = dense::spd_inverse_logdet(&sub)?;
        let mut d = Array1::<f64>::zeros(q);
        let mut s = Array2::<f64>::zeros((q, q));
        for &i in pat.rows() {
            let z: Vec<f64> = (0..q).map(|a| x[[i, o[a]]] - mean[o[a]]).collect();
            for a in 0..q {
                d[a] += z[a];
                for b in 0..q {
                    s[[a, b]] += z[a] * z[b];
                }
            }
        }
        let wd = w.dot(&d);
        let pm = w.dot(&s).dot(&w);
        let pairs: Vec<(usize, usize)> = (0..q).flat_map(|a| (a..q).map(move |b| (a, b))).collect();
        for u in 0..q {
            for v in 0..q {
                wm[[o[u], o[v]]] += nk * w[[u, v]];
            }
        }
        for &(a, b) in &pairs {
            let r1 = p + vidx[o[a]][o[b]];
            let (e1, m1) = unit_pairs(a, b);
            for u in 0..q {
                let mut val = 0.0;
                for &(xx, yy) in &e1[..m1] {
                    val += w[[u, xx]] * wd[yy];
                }
                wm[[o[u], r1]] += val;
                wm[[r1, o[u]]] += val;
            }
            for &(cc, dd) in &pairs {
                let r2 = p + vidx[o[cc]][o[dd]];
                let (e2, m2) = unit_pairs(cc, dd);
                let mut val = 0.0;
                for &(xx, yy) in &e1[..m1] {
                    for &(uu, vv) in &e2[..m2] {
                        val += pm[[yy, uu]] * w[[vv, xx]] - 0.5 * nk * w[[yy, uu]] * w[[vv, xx]];
                    }
                }
                wm[[r1, r2]] += val;
            }
        }
    }
    wm /= n;
    Some(wm)
}

/// J = ∂(μ, vech Σ)/∂θᵀ ((p + p*) × npar).
pub(crate) fn full_jacobian(st: &ModelStructure, mats: &Matrices, imp: &Implied) -> Array2<f64> {
    let dm = st.delta_mean(mats, imp);
    let ds = st.delta(imp);
    let (p, ps, q) = (dm.nrows(), ds.nrows(), st.npar);
    Array2::from_shape_fn((p + ps, q), |(r, k)| if r < p { dm[[r, k]] } else { ds[[r - p, k]] })
}

/// Observed information per observation (Hessian of f = −ℓ/N) in closed form:
///
/// ```text
/// ∂²f/∂θ∂θᵀ = Jᵀ W_m(μ̂, Σ̂) J + Σ_j (∂f/∂v_j) ∂²v_j/∂θ∂θᵀ,   v = (μ, vech Σ)
/// ```
///
/// with W_m the observed information of the saturated model at the model-implied moments and
/// the second-order term by central differences of J(θ)ᵀ(∂f/∂v) with ∂f/∂v held at θ̂ (only the
/// model matrices are re-evaluated, step 1e-5 · max(1, |θ_k|)).
pub(crate) fn observed_information_analytic(
    st: &ModelStructure,
    pats: &MissingPatterns,
    x: &Array2<f64>,
    n: f64,
    pt: &FimlPoint,
) -> Option<Array2<f64>> {
    let p = pt.mu.len();
    let wm = saturated_observed_information(pats, x, &pt.mu, &pt.imp.sigma, &st.vech, n)?;
    let j = full_jacobian(st, &pt.mats, &pt.imp);
    let mut h = j.t().dot(&wm.dot(&j));
    let lg = pats.loglik_gradient(&pt.mu, &pt.imp.sigma).ok()?;
    let mut gf = Array1::<f64>::zeros(j.nrows());
    for a in 0..p {
        gf[a] = -lg.mu[a] / n;
    }
    for (r, &(a, b)) in st.vech.iter().enumerate() {
        gf[p + r] = -(if a == b { lg.sigma[[a, a]] } else { 2.0 * lg.sigma[[a, b]] }) / n;
    }
    let q = st.npar;
    let mut t = pt.theta.clone();
    for k in 0..q {
        let hk = 1e-5 * pt.theta[k].abs().max(1.0);
        let mut side = |v: f64| -> Option<Array1<f64>> {
            t[k] = v;
            let mats = st.matrices(&t);
            let imp = st.implied(&mats).ok()?;
            Some(full_jacobian(st, &mats, &imp).t().dot(&gf))
        };
        let gp = side(pt.theta[k] + hk)?;
        let gm = side(pt.theta[k] - hk)?;
        t[k] = pt.theta[k];
        let col = (gp - gm) / (2.0 * hk);
        for a in 0..q {
            h[[a, k]] += col[a];
        }
    }
    Some((&h + &h.t()) * 0.5)
}

/// Inputs of the FIML-corrected ("robust") RMSEA / CFI / TLI.
pub(crate) struct CorrectedInputs<'a> {
    pub st: &'a ModelStructure,
    pub pats: &'a MissingPatterns,
    pub x: &'a Array2<f64>,
    pub em_mean: &'a Array1<f64>,
    pub em_cov: &'a Array2<f64>,
    pub mats: &'a Matrices,
    pub imp: &'a Implied,
    pub mu: &'a Array1<f64>,
    pub indep_mean: &'a Array1<f64>,
    /// The independence model's covariance: its variances, and the fixed covariates' block.
    pub indep_cov: &'a Array2<f64>,
    /// Columns of the fixed covariates (their moments are left out).
    pub ix: &'a [usize],
    pub df: f64,
    pub base_df: f64,
    /// MLR: B = (1/N) Σ s_i s_iᵀ, the cross-product of the case-wise scores of the saturated
    /// model at (m̃, S̃); the moments' covariance is then W_m⁻¹ B W_m⁻¹ instead of W_m⁻¹.
    pub scores_h1: Option<&'a Array2<f64>>,
    /// Under explicit constraints: a basis K of the directions they leave free (the model's
    /// Jacobian is then Δ K).
    pub null_space: Option<&'a Array2<f64>>,
}

/// The (x, y) index pairs of the symmetric unit matrix E_ab (one pair on the diagonal).
fn unit_pairs(a: usize, b: usize) -> ([(usize, usize); 2], usize) {
    if a == b { ([(a, a), (a, a)], 1) } else { ([(a, b), (b, a)], 2) }
}

/// FIML-corrected fit measures of Zhang & Savalei (lavaan 0.6.14's `cfi.robust`, `tli.robust`,
/// `rmsea.robust`, … for `missing = "ml"` with the standard test, version "V6"):
///
/// ```text
/// T₃  = N F_ML(μ̂, Σ̂; m̃, S̃)           (complete-data LR statistic of θ̂ against the EM moments)
/// W_m = observed information of the saturated model at (m̃, S̃) under the missing patterns
/// W_c = complete-data information at (m̃, S̃);  Δ = ∂(μ, vech Σ)/∂θᵀ at θ̂
/// k   = tr(W_m⁻¹ W_c) − tr[(Δᵀ W_m Δ)⁻¹ Δᵀ W_c Δ],  ĉ = k / df
/// rmsea.robust = √max(T₃/(N df) − ĉ/N, 0);   cfi/tli.robust from T₃ − ĉ df and the same for
/// the independence model (its FIML estimates: available-case means and variances)
/// ```
pub(crate) fn fiml_corrected(c: &CorrectedInputs<'_>, n: f64) -> Option<Vec<(String, f64)>> {
    let st = c.st;
    let p = c.em_mean.len();
    let ps = st.vech.len();
    let dim = p + ps;
    let vidx = vech_index(&st.vech, p);
    let wm = saturated_observed_information(c.pats, c.x, c.em_mean, c.em_cov, &st.vech, n)?;
    // ---- W_c: complete-data information at (m̃, S̃)
    let (sinv, ld_s) = dense::spd_inverse_logdet(c.em_cov)?;
    let mut wc = Array2::<f64>::zeros((dim, dim));
    for a in 0..p {
        for b in 0..p {
            wc[[a, b]] = sinv[[a, b]];
        }
    }
    for (r1, &(a, b)) in st.vech.iter().enumerate() {
        let (e1, m1) = unit_pairs(a, b);
        for (r2, &(cc, dd)) in st.vech.iter().enumerate() {
            let (e2, m2) = unit_pairs(cc, dd);
            let mut val = 0.0;
            for &(xx, yy) in &e1[..m1] {
                for &(uu, vv) in &e2[..m2] {
                    val += sinv[[yy, uu]] * sinv[[vv, xx]];
                }
            }
            wc[[p + r1, p + r2]] = 0.5 * val;
        }
    }
    // only the moments the model describes (all but the fixed covariates')
    let sel = model_moments(p, &st.vech, c.ix);
    let wm = submatrix(&wm, &sel);
    let wc = submatrix(&wc, &sel);
    let dim = sel.len();
    let (wm_inv, _) = dense::spd_inverse_logdet(&wm)?;
    let tr_wm_wc = (&wm_inv * &wc).sum();
    // MLR: Γ = W_m⁻¹ B W_m⁻¹ and k = tr(W_c P Γ Pᵀ), P = I − Δ (Δᵀ W_m Δ)⁻¹ Δᵀ W_m (which is
    // the expression below when Γ = W_m⁻¹)
    let gamma = c.scores_h1.map(|b| wm_inv.dot(&submatrix(b, &sel)).dot(&wm_inv));
    let trace_k = |delta: &Array2<f64>| -> Option<f64> {
        let (e, _) = dense::spd_inverse_logdet(&delta.t().dot(&wm.dot(delta)))?;
        match &gamma {
            None => {
                let dwd = delta.t().dot(&wc.dot(delta));
                Some(tr_wm_wc - (&e * &dwd).sum())
            }
            Some(g) => {
                let mut pm = -delta.dot(&e).dot(&delta.t()).dot(&wm);
                for i in 0..dim {
                    pm[[i, i]] += 1.0;
                }
                Some((&wc * &pm.dot(g).dot(&pm.t())).sum())
            }
        }
    };
    // ---- the model
    let delta = full_jacobian(st, c.mats, c.imp).select(ndarray::Axis(0), &sel);
    let delta = match c.null_space {
        Some(k) => delta.dot(k),
        None => delta,
    };
    let k_model = trace_k(&delta)?;
    let (sig_inv, ld_sig) = dense::spd_inverse_logdet(&c.imp.sigma)?;
    let dmu = c.em_mean - c.mu;
    let t3 =
        n * (ld_sig + (c.em_cov * &sig_inv).sum() - ld_s - p as f64 + dmu.dot(&sig_inv.dot(&dmu)));
    // ---- the independence model
    // (means and variances of the variables that are not fixed covariates)
    let ys: Vec<usize> = (0..p).filter(|j| !c.ix.contains(j)).collect();
    let mut delta_b = Array2::<f64>::zeros((p + ps, 2 * ys.len()));
    for (a, &j) in ys.iter().enumerate() {
        delta_b[[j, a]] = 1.0;
        delta_b[[p + vidx[j][j], ys.len() + a]] = 1.0;
    }
    let delta_b = delta_b.select(ndarray::Axis(0), &sel);
    let k_base = trace_k(&delta_b)?;
    let (sb_inv, ld_b) = dense::spd_inverse_logdet(c.indep_cov)?;
    let db = c.em_mean - c.indep_mean;
    let t3_base =
        n * (ld_b + (c.em_cov * &sb_inv).sum() - ld_s - p as f64 + db.dot(&sb_inv.dot(&db)));
    let (df, bdf) = (c.df, c.base_df);
    let chat = k_model / df;
    let chat_b = k_base / bdf;
    let num = t3 - chat * df;
    let num_b = t3_base - chat_b * bdf;
    let mut out = Vec::new();
    let t1 = num.max(0.0);
    let t2 = num.max(num_b).max(0.0);
    out.push(("cfi.robust".to_string(), if t1 == 0.0 && t2 == 0.0 { 1.0 } else { 1.0 - t1 / t2 }));
    let tli = if df > 0.0 { 1.0 - (num / df) / (num_b / bdf) } else { 1.0 };
    out.push(("tli.robust".to_string(), tli));
    out.push(("nnfi.robust".to_string(), tli));
    out.push(("rni.robust".to_string(), 1.0 - num / num_b));
    if df > 0.0 {
        use crate::core::dist::{ncp_root as solve_ncp, pnchisq};
        let t3s = t3 / chat;
        out.push(("rmsea.robust".to_string(), (t3 / (n * df) - chat / n).max(0.0).sqrt()));
        let p0 = pnchisq(t3s, df, 0.0);
        let lam_lo = if p0 < 0.95 { 0.0 } else { solve_ncp(t3s, df, 0.95) };
        let lam_hi = if p0 < 0.05 { 0.0 } else { solve_ncp(t3s, df, 0.05) };
        out.push(("rmsea.ci.lower.robust".to_string(), (chat * lam_lo / (n * df)).sqrt()));
        out.push(("rmsea.ci.upper.robust".to_string(), (chat * lam_hi / (n * df)).sqrt()));
        out.push((
            "rmsea.pvalue.robust".to_string(),
            1.0 - pnchisq(t3s, df, n * df * 0.05 * 0.05 / chat),
        ));
        out.push((
            "rmsea.notclose.pvalue.robust".to_string(),
            pnchisq(t3s, df, n * df * 0.08 * 0.08 / chat),
        ));
    }
    Some(out)
}
