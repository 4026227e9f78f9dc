//! Ordered indicators with exogenous observed covariates (an ordinal MIMIC model), fitted
//! conditionally on the covariates as lavaan's `conditional.x = TRUE`.
//!
//! The sample statistics are those of the items given x ([`crate::ordinal::conditional`]):
//! per item the probit thresholds τ̂ and slopes π̂ on x, per pair the residual polychoric
//! correlation ρ̂, with their asymptotic covariance Γ. The model implies the same conditional
//! moments. With the covariates fixed at their sample covariance S_xx (fixed.x), the joint
//! model-implied covariance Σ(θ) of (y*, x) gives
//!
//! ```text
//! Π(θ)   = Σ_yx S_xx⁻¹                       (= Λ (I − B)⁻¹ Γ_x, the reduced-form slopes)
//! Σ_c(θ) = Σ_yy − Σ_yx S_xx⁻¹ Σ_xy           (the residual covariance of y* given x)
//! ∂Π = ∂Σ_yx S_xx⁻¹,  ∂Σ_c,ij = ∂Σ_ij − ∂Σ_yx[i,·] Π[j,·]ᵀ − Π[i,·] ∂Σ_yx[j,·]ᵀ
//! ```
//!
//! and the delta parameterization fixes the conditional variances diag Σ_c = 1 (the residual
//! variances of the items are 1 − diag of the structural part). The estimator minimises
//! (s − σ(θ))ᵀ W (s − σ(θ)) over s = (τ̂, vec π̂, ρ̂) as the unconditional fit, with the same
//! robust standard errors and scaled-shifted test. The baseline model keeps thresholds and
//! slopes free and sets the residual correlations to zero (its df is the number of
//! correlations, as lavaan). The `.robust` CFI/TLI/RMSEA are not defined here (lavaan reports
//! NA with `conditional.x`) and are NaN.
//!
//! Validated against lavaan 0.6.14 `sem(..., ordered = ..., estimator = "WLSMV")` on
//! HolzingerSwineford1939 items cut into 3–5 categories with sex and age as covariates
//! (tests/reference/ordinal_mimic.rs).

use ndarray::{Array1, Array2};

use super::*;
use crate::ordinal::conditional::{self as cstats, ConditionalStats};

/// Least-squares problem over θ = (covariance-structure parameters, free thresholds) on the
/// conditional statistics.
struct CondLs<'a> {
    st: &'a ModelStructure,
    thr: &'a [Thr],
    pairs: &'a [(usize, usize)],
    /// Number of items (first in the model's observed variables) and covariates (after them).
    py: usize,
    nx: usize,
    sxx_inv: &'a Array2<f64>,
    s: &'a Array1<f64>,
    w: &'a Array2<f64>,
    nm: usize,
    q: usize,
    /// Theta parameterization: the model's conditional moments are scaled by
    /// Δ_j = 1/√Σ_c,jj (delta: Σ_c,jj = 1 by construction, no scaling).
    theta_par: bool,
}

impl CondLs<'_> {
    /// Residual e = s − σ(θ) and Δ = ∂σ/∂θᵀ; `None` if I − B is singular.
    fn eval(&self, theta: &[f64]) -> Option<(Array1<f64>, Array2<f64>)> {
        let mats = self.st.matrices(&theta[..self.nm]);
        let imp = self.st.implied(&mats).ok()?;
        let full = self.st.delta(&imp);
        let (py, nx, nm) = (self.py, self.nx, self.nm);
        let sig = &imp.sigma;
        // Π = Σ_yx S_xx⁻¹ and its derivatives
        let syx = Array2::from_shape_fn((py, nx), |(j, s)| sig[[j, py + s]]);
        let pi = syx.dot(self.sxx_inv);
        // ∂Σ_yx[j, s]/∂θ_f
        let dsyx: Vec<Vec<usize>> =
            (0..py).map(|j| (0..nx).map(|s| self.st.vech_row(j, py + s)).collect()).collect();
        // the conditional variances and their derivatives (theta), for the scaling factors
        // Δ_j = Σ_c,jj^(−½): ∂Δ_j/∂θ = −½ Δ_j ∂Σ_c,jj/∂θ / Σ_c,jj
        let mut sc = vec![1.0; py];
        let mut dlog = Array2::<f64>::zeros((py, nm)); // −½ ∂Σ_c,jj/∂θ / Σ_c,jj
        if self.theta_par {
            for j in 0..py {
                let cjj: f64 = sig[[j, j]] - (0..nx).map(|u| syx[[j, u]] * pi[[j, u]]).sum::<f64>();
                if cjj.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
                    return None;
                }
                sc[j] = 1.0 / cjj.sqrt();
                let vjj = self.st.vech_row(j, j);
                for f in 0..nm {
                    let mut g = full[[vjj, f]];
                    for u in 0..nx {
                        g -= 2.0 * full[[dsyx[j][u], f]] * pi[[j, u]];
                    }
                    dlog[[j, f]] = -0.5 * g / cjj;
                }
            }
        }
        let nt = self.thr.len();
        let ns = self.s.len();
        let mut e = Array1::zeros(ns);
        let mut d = Array2::zeros((ns, self.q));
        for (r, t) in self.thr.iter().enumerate() {
            let j = t.var;
            let v = match (t.free, t.fixed) {
                (Some(f), _) => {
                    d[[r, f]] = sc[j];
                    theta[f]
                }
                (None, Some(v)) => v,
                (None, None) => 0.0,
            };
            let ts = v * sc[j];
            e[r] = self.s[r] - ts;
            if self.theta_par {
                for f in 0..nm {
                    d[[r, f]] += ts * dlog[[j, f]];
                }
            }
        }
        for s in 0..nx {
            for j in 0..py {
                let r = nt + s * py + j;
                let ps = pi[[j, s]] * sc[j];
                e[r] = self.s[r] - ps;
                for f in 0..nm {
                    let g: f64 =
                        (0..nx).map(|u| full[[dsyx[j][u], f]] * self.sxx_inv[[u, s]]).sum();
                    d[[r, f]] = g * sc[j] + ps * dlog[[j, f]];
                }
            }
        }
        let base = nt + nx * py;
        for (m, &(i, j)) in self.pairs.iter().enumerate() {
            let r = base + m;
            let c: f64 = sig[[i, j]] - (0..nx).map(|u| syx[[i, u]] * pi[[j, u]]).sum::<f64>();
            let rho = c * sc[i] * sc[j];
            e[r] = self.s[r] - rho;
            let vij = self.st.vech_row(i, j);
            for f in 0..nm {
                let mut g = full[[vij, f]];
                for u in 0..nx {
                    g -= full[[dsyx[i][u], f]] * pi[[j, u]] + pi[[i, u]] * full[[dsyx[j][u], f]];
                }
                d[[r, f]] = g * sc[i] * sc[j] + rho * (dlog[[i, f]] + dlog[[j, f]]);
            }
        }
        if e.iter().all(|v| v.is_finite()) { Some((e, d)) } else { None }
    }
}

impl Residuals for CondLs<'_> {
    fn residuals(&self, theta: &[f64]) -> Option<(Array1<f64>, Array2<f64>)> {
        self.eval(theta)
    }
    fn weight(&self) -> &Array2<f64> {
        self.w
    }
}

/// 0-based category codes of an ordered column (sorted distinct values) and the category count.
fn code_column(col: ndarray::ArrayView1<'_, f64>) -> (Vec<usize>, usize) {
    let mut vals: Vec<f64> = col.to_vec();
    vals.sort_by(f64::total_cmp);
    vals.dedup();
    let codes = col.iter().map(|v| vals.iter().position(|u| u == v).unwrap_or(0)).collect();
    (codes, vals.len())
}

/// Covariance of the columns of `x` with divisor N − 1 (the fixed.x values lavaan reports with
/// conditional.x; the conditional moments do not depend on them, the standardized solution
/// does).
fn cov_x(x: &Array2<f64>) -> Array2<f64> {
    let n = x.nrows() as f64;
    let k = x.ncols();
    let mean: Vec<f64> = (0..k).map(|r| x.column(r).sum() / n).collect();
    Array2::from_shape_fn((k, k), |(a, b)| {
        x.column(a).iter().zip(x.column(b)).map(|(u, v)| (u - mean[a]) * (v - mean[b])).sum::<f64>()
            / n
    }) * (n / (n - 1.0))
}

/// Fit a model with ordered indicators and exogenous covariates (see the module documentation);
/// `pt` is the covariance part of the model (thresholds split off into `thr_stmts`).
pub(super) fn fit(
    cfg: &Sem,
    data: &Dataset,
    mut pt: ParTable,
    thr_stmts: &[(String, Vec<Term>)],
    (estimator, weighting, robust): (Estimator, Weighting, bool),
) -> Result<SemFit> {
    let theta_par = cfg.parameterization == Parameterization::Theta;
    let xs = pt.ov_x.clone();
    let items: Vec<String> = pt.ov.iter().filter(|v| !xs.contains(v)).cloned().collect();
    if let Some(v) = items.iter().find(|v| !cfg.ordered_all && !cfg.ordered.contains(v)) {
        return Err(Error::invalid(
            "ordered",
            format!(
                "`{v}` is not declared ordered; models that mix ordered and continuous endogenous observed variables are not supported"
            ),
        ));
    }
    if let Some(v) = xs.iter().find(|v| cfg.ordered.contains(v)) {
        return Err(Error::invalid(
            "ordered",
            format!("`{v}` is an exogenous covariate and cannot be declared ordered"),
        ));
    }
    if items.len() < 2 {
        return Err(Error::invalid("model", "an ordinal model needs at least two ordered items"));
    }
    check_latent_names(&pt.lv, data.names())?;
    let py = items.len();
    let nx = xs.len();
    let p = py + nx;
    // the items come first in the model's observed variables, then the covariates
    if pt.ov[..py] != items[..] {
        return Err(Error::invalid("model", "unexpected order of the observed variables"));
    }
    let mut resid = if theta_par {
        // the residual variances of y* are fixed at 1 (the covariates' rows are set to S_xx below)
        fix_residual_variances_at(&mut pt, 1.0);
        vec![None; p]
    } else {
        fix_residual_variances(&mut pt)
    };
    for r in resid.iter_mut().skip(py) {
        *r = None;
    }
    let nm = pt.npar;

    // sample statistics
    let (all, n_dropped) = complete_rows(&data.select(&pt.ov)?);
    let n_obs = all.nrows();
    if n_obs <= p {
        return Err(Error::TooFewObservations { needed: p + 1, got: n_obs });
    }
    let y = Array2::from_shape_fn((n_obs, py), |(i, j)| all[[i, j]]);
    let x = Array2::from_shape_fn((n_obs, nx), |(i, r)| all[[i, py + r]]);
    check_codes(&y, &items)?;
    for (j, name) in items.iter().enumerate() {
        let (_, k) = code_column(y.column(j));
        if k > MAX_CATEGORIES {
            return Err(Error::invalid(
                "ordered",
                format!("column `{name}` has more than {MAX_CATEGORIES} categories"),
            ));
        }
    }
    let (codes, ks): (Vec<Vec<usize>>, Vec<usize>) =
        (0..py).map(|j| code_column(y.column(j))).unzip();
    let cs: ConditionalStats = cstats::fit(&codes, &ks, &x, &items, &xs)?;
    let sxx = cov_x(&x);
    let sxx_inv = crate::core::linalg::spd_inverse(sxx.view(), "covariance of the covariates")?;
    for r in pt.rows.iter_mut().filter(|r| r.exo) {
        let i = pt.ov.iter().position(|v| *v == r.lhs).unwrap_or(py).saturating_sub(py);
        let j = pt.ov.iter().position(|v| *v == r.rhs).unwrap_or(py).saturating_sub(py);
        r.fixed = Some(sxx[[i, j]]);
    }
    let mut st = ModelStructure::new(&pt)?;
    // the covariates have no thresholds
    let mut tau_all = cs.tau.clone();
    tau_all.resize(p, Vec::new());
    let (thr, q) = thresholds(&pt, &tau_all, thr_stmts, nm)?;
    let nt = thr.len();
    if nt != cs.n_thresholds() {
        return Err(Error::DimensionMismatch {
            what: "thresholds of the conditional sample statistics".into(),
            expected: nt,
            found: cs.n_thresholds(),
        });
    }
    let s = Array1::from(cs.stacked());
    let ns = s.len();
    let gamma = cs.gamma.clone();
    let w = robust::weight(weighting, &gamma)?;
    if q > ns {
        return Err(Error::NotIdentified {
            reason: format!(
                "the model has {q} free parameters but only {ns} sample statistics (df = {})",
                ns as i64 - q as i64
            ),
        });
    }
    // total moments of (y*, x) implied by the first stage, for starting values and the
    // standardized solution
    let pi = &cs.slopes;
    let pisxx = pi.dot(&sxx);
    let mut s_full = Array2::<f64>::zeros((p, p));
    for i in 0..p {
        for j in 0..p {
            s_full[[i, j]] = match (i < py, j < py) {
                (true, true) => cs.cor[[i, j]] + pisxx.row(i).dot(&pi.row(j)),
                (true, false) => pisxx[[i, j - py]],
                (false, true) => pisxx[[j, i - py]],
                (false, false) => sxx[[i - py, j - py]],
            };
        }
    }

    // estimation
    let mut theta0 = start::start_values(&pt, &st, &s_full, cfg.std_lv);
    theta0.resize(q, 0.0);
    let cond = |sig: &Array2<f64>| {
        let syx = Array2::from_shape_fn((py, nx), |(j, s)| sig[[j, py + s]]);
        let pi = syx.dot(&sxx_inv);
        Array2::from_shape_fn((py, py), |(i, j)| sig[[i, j]] - syx.row(i).dot(&pi.row(j)))
    };
    // theta: thresholds start on the y* scale of the starting values
    let start_scale: Vec<f64> = if theta_par {
        let c = cond(&st.implied(&st.matrices(&theta0[..nm]))?.sigma);
        (0..py).map(|j| c[[j, j]].max(1e-8).sqrt()).collect()
    } else {
        vec![1.0; py]
    };
    for t in &thr {
        if let Some(f) = t.free {
            theta0[f] = cs.tau[t.var][t.k] * start_scale[t.var];
        }
    }
    let prob = CondLs {
        st: &st,
        thr: &thr,
        pairs: &cs.pairs,
        py,
        nx,
        sxx_inv: &sxx_inv,
        s: &s,
        w: &w,
        nm,
        q,
        theta_par,
    };
    let assemble::Solved { out, theta, inf, chisq, df, test, .. } =
        assemble::solve(cfg, &prob, &theta0, &gamma, n_obs, ns, robust)?;
    let n = n_obs as f64;
    let (base_chisq, base_df, base_test) = robust::baseline(&s, &w, &gamma, nt + nx * py, n - 1.0);

    // residual variances 1 − diag Σ_c, then the solution
    let (mats, imp) =
        assemble::fix_derived_residuals(&mut pt, &mut st, &resid, &theta[..nm], |s| {
            cond(s).diag().to_owned()
        })?;
    // the implied residual correlations of y* given x (Δ_j = 1/√Σ_c,jj; 1 under delta)
    let c1 = cond(&imp.sigma);
    let scale: Vec<f64> = (0..py).map(|j| 1.0 / c1[[j, j]].sqrt()).collect();
    let implied_cond = Array2::from_shape_fn((py, py), |(i, j)| c1[[i, j]] * scale[i] * scale[j]);
    let vcov_model = Array2::from_shape_fn((nm, nm), |(i, j)| inf.vcov[[i, j]]);
    let mut rows = param_rows(&pt, &st, &mats, &imp, &vcov_model, cfg.ci_level);
    let zq = crate::core::dist::qnorm(0.5 + cfg.ci_level / 2.0);
    // thresholds standardized by the total (unconditional) SD of y*
    let thr_rows = assemble::threshold_rows(&pt, &thr, &theta, &inf.vcov, zq, |var, est| {
        est / imp.sigma[[var, var]].sqrt()
    });
    assemble::insert_before_defined(&mut rows, thr_rows);
    if theta_par {
        // the derived scaling factors 1/√Σ_c,jj
        assemble::insert_before_defined(&mut rows, assemble::scaling_rows(&pt.ov, &scale));
    }

    let fm = robust::fit_measures(&robust::Measures {
        uls: weighting == Weighting::Identity,
        robust,
        npar: q,
        n: n_obs,
        chisq,
        df,
        ndat: ns as f64,
        base_chisq,
        base_df,
        test,
        base_test,
        s: &cs.cor,
        sigma: &implied_cond,
        catml: None,
    });
    let fm = conditional_srmr(fm, py, nx);
    let par_names = assemble::parameter_names(&pt, &thr, q);
    let mut warnings = Vec::new();
    if n_dropped > 0 {
        warnings.push(Warning::RowsDropped { dropped: n_dropped, remaining: n_obs });
    }
    for &(i, j) in &cs.at_bound {
        warnings.push(Warning::NotConverged {
            what: format!(
                "residual polychoric correlation of `{}` and `{}` (the likelihood rises towards |ρ| = 1)",
                items[j], items[i]
            ),
            iterations: 0,
        });
    }
    assemble::finish(assemble::Closing {
        cfg,
        estimator,
        rows,
        fit: fm,
        inf,
        par_names,
        implied: imp.sigma.clone(),
        sample: s_full,
        out,
        warnings,
        n_obs,
        pt,
        st,
        mats,
        imp,
    })
}

/// lavaan's SRMR with conditional.x: the residual correlations of the items given the
/// covariates (the slopes and thresholds do not enter), their squares summed over the
/// p_y(p_y − 1)/2 pairs and divided by p_y(p_y + 1)/2 + n_x, the count of the items' residual
/// covariance matrix plus one element per covariate (whose residual is zero). The generic SRMR
/// divides the same sum by p_y(p_y + 1)/2, so it is rescaled here.
fn conditional_srmr(mut fm: Vec<(String, f64)>, py: usize, nx: usize) -> Vec<(String, f64)> {
    let base = (py * (py + 1) / 2) as f64;
    for (k, v) in fm.iter_mut() {
        if k == "srmr" {
            *v *= (base / (base + nx as f64)).sqrt();
        }
    }
    fm
}

impl SemFit {
    /// Whether the fit is conditional on exogenous covariates (lavaan's `conditional.x`): an
    /// ordinal model with observed covariates, fitted to the items' thresholds, slopes and
    /// residual correlations given the covariates.
    pub fn conditional_x(&self) -> bool {
        self.config.is_ordinal() && !self.pt.ov_x.is_empty()
    }
}
