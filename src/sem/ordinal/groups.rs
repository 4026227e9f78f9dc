//! Multi-group models with ordered indicators (delta parameterization): lavaan's `group = "g"`
//! with `ordered = ...` and `group.equal = c("thresholds", "loadings", ...)`.
//!
//! Every group has its own two-step sample statistics s_g = (τ̂_g, ρ̂_g) and their asymptotic
//! covariance Γ_g. In group g the model for them is
//!
//! ```text
//! μ*_g = Λ_g (I − B_g)⁻¹ α_g                      (means of the latent responses y*)
//! τ̃_jk = Δ_j (τ_jk − μ*_j)                        (thresholds on the standardized y* scale)
//! ρ_ij = Δ_i Δ_j Σ_ij                              (Σ = Λ (I − B)⁻¹ Ψ (I − B)⁻ᵀ Λᵀ + off-diagonal Θ)
//! ```
//!
//! with Δ_j = 1/√Var(y*_j) the scaling factors (lavaan's `~*~` rows) and the residual
//! variances of y* derived, 1/Δ_j² − [Λ Ψ* Λᵀ]_jj. Identification follows plain lavaan
//! 0.6.14 `group.equal` (not semTools' `measEq.syntax`): without equal thresholds Δ = 1 and
//! α = 0 in every group (configural, or `loadings` alone); once the thresholds are equal
//! (`thresholds`, or `intercepts`, which lavaan maps to the thresholds of ordered indicators),
//! the scaling factors and the latent means (intercepts) become free in every group after the
//! first (the means stay fixed at 0 with `means`). The intercepts of the indicators are fixed
//! at 0 throughout.
//!
//! ```text
//! F(θ) = Σ_g (n_g − 1)/N · e_gᵀ W_g e_g,   e_g = s_g − σ_g(θ)     (lavaan's fmin = F/2)
//! χ² = N F = Σ_g (n_g − 1) e_gᵀ W_g e_g,   df = Σ_g (#τ_g + p(p−1)/2) − q
//! A = Σ_g (n_g/N) J_gᵀ W_g J_g,  B = Σ_g (n_g/N) J_gᵀ W_g Γ_g W_g J_g   (J_g = ∂σ_g/∂θᵀ)
//! Cov(θ̂) = A⁻¹ B A⁻¹ / (N − G)   (robust: WLSMV, ULSMV),   A⁻¹ / (N − G) otherwise
//! U = W̃ − W̃ J A⁻¹ Jᵀ W̃,  W̃ = ⊕_g (n_g/N) W_g,  Γ̃ = ⊕_g Γ_g N/n_g     (stacked over groups)
//! T₃ = a χ² + b,  a = √(df / tr[(UΓ̃)²]),  b = df − a tr(UΓ̃)
//! ```
//!
//! Validated against R lavaan 0.6.14 on HolzingerSwineford1939 items cut at fixed breakpoints,
//! by school (tests/reference/sem_ordinal_groups.rs).

use std::collections::HashMap;

use crate::core::linalg;

mod catml;
mod score;

use super::*;
use crate::sem::multigroup::{
    AssembledParts, GroupEqual, GroupResult, MultiGroupFit, MultiGroupSem,
};

/// One group's sample statistics.
struct GroupStats {
    name: String,
    n: usize,
    n_dropped: usize,
    thresholds: Vec<Vec<f64>>,
    rho: Array2<f64>,
    s: Array1<f64>,
    gamma: Array2<f64>,
    w: Array2<f64>,
    warnings: Vec<Warning>,
}

/// Where a group's quantities live in the global parameter vector.
struct GroupMap {
    pt: ParTable,
    st: ModelStructure,
    resid: Vec<Option<usize>>,
    /// Global index of each free structural parameter of the group.
    map: Vec<usize>,
    thr: Vec<Thr>,
    /// Global index (or fixed value) of each threshold, in `thr` order.
    thr_global: Vec<std::result::Result<usize, f64>>,
    /// Global index of the scaling factor Δ_j (fixed at 1 when `None`).
    scale: Vec<Option<usize>>,
    /// Global index of the mean / intercept of latent variable l (fixed at 0 when `None`).
    mean: Vec<Option<usize>>,
    /// vech row of every pair.
    pair_vech: Vec<usize>,
    /// Theta parameterization: the vech row of every (j, j); the scaling factors are then
    /// derived, Δ_j = 1/√σ_jj. `None` for delta.
    diag_vech: Option<Vec<usize>>,
}

/// The least-squares problem summed over the groups.
struct GroupLs<'a> {
    maps: &'a [GroupMap],
    stats: &'a [GroupStats],
    pairs: &'a [(usize, usize)],
    /// (n_g − 1)/N.
    c: Vec<f64>,
    q: usize,
    cache: Option<Vec<(Array1<f64>, Array2<f64>)>>,
}

impl GroupLs<'_> {
    /// Residual e_g = s_g − σ_g(θ) and J_g = ∂σ_g/∂θᵀ (global parameters) of group g.
    fn eval_group(&self, g: usize, x: &[f64]) -> Option<(Array1<f64>, Array2<f64>)> {
        let gm = &self.maps[g];
        let gs = &self.stats[g];
        let local: Vec<f64> = gm.map.iter().map(|&i| x[i]).collect();
        let mut mats = gm.st.matrices(&local);
        let imp = gm.st.implied(&mats).ok()?;
        let full = gm.st.delta(&imp);
        let m = gm.st.m;
        let mut alpha = Array1::zeros(m);
        for (l, idx) in gm.mean.iter().enumerate() {
            if let Some(i) = idx {
                alpha[l] = x[*i];
            }
        }
        mats.alpha = alpha;
        let mu = imp.m.dot(&mats.alpha);
        let dmu = gm.st.delta_mean(&mats, &imp);
        let p = mu.len();
        let sig = &imp.sigma;
        let d: Vec<f64> = match &gm.diag_vech {
            Some(_) => {
                if (0..p)
                    .any(|j| sig[[j, j]].partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater))
                {
                    return None;
                }
                (0..p).map(|j| 1.0 / sig[[j, j]].sqrt()).collect()
            }
            None => gm.scale.iter().map(|s| s.map_or(1.0, |i| x[i])).collect(),
        };
        let nt = gm.thr.len();
        let ns = nt + self.pairs.len();
        let mut e = Array1::zeros(ns);
        let mut jac = Array2::zeros((ns, self.q));
        for (r, t) in gm.thr.iter().enumerate() {
            let j = t.var;
            let tau = match gm.thr_global[r] {
                Ok(i) => {
                    jac[[r, i]] += d[j];
                    x[i]
                }
                Err(v) => v,
            };
            e[r] = gs.s[r] - d[j] * (tau - mu[j]);
            for (f, &gi) in gm.map.iter().enumerate() {
                jac[[r, gi]] -= d[j] * dmu[[j, f]];
            }
            for (l, idx) in gm.mean.iter().enumerate() {
                if let Some(i) = idx {
                    jac[[r, *i]] -= d[j] * imp.m[[j, l]];
                }
            }
            if let Some(i) = gm.scale[j] {
                jac[[r, i]] += tau - mu[j];
            }
            if let Some(dv) = &gm.diag_vech {
                // ∂Δ_j/∂θ = −½ Δ_j ∂σ_jj/∂θ / σ_jj
                let c = -0.5 * (tau - mu[j]) * d[j] / sig[[j, j]];
                for (f, &gi) in gm.map.iter().enumerate() {
                    jac[[r, gi]] += c * full[[dv[j], f]];
                }
            }
        }
        for (k, &(i, j)) in self.pairs.iter().enumerate() {
            let r = nt + k;
            let sij = imp.sigma[[i, j]];
            e[r] = gs.s[r] - d[i] * d[j] * sij;
            for (f, &gi) in gm.map.iter().enumerate() {
                jac[[r, gi]] += d[i] * d[j] * full[[gm.pair_vech[k], f]];
            }
            if let Some(a) = gm.scale[i] {
                jac[[r, a]] += d[j] * sij;
            }
            if let Some(b) = gm.scale[j] {
                jac[[r, b]] += d[i] * sij;
            }
            if let Some(dv) = &gm.diag_vech {
                let rho = d[i] * d[j] * sij;
                for (f, &gi) in gm.map.iter().enumerate() {
                    jac[[r, gi]] -= 0.5
                        * rho
                        * (full[[dv[i], f]] / sig[[i, i]] + full[[dv[j], f]] / sig[[j, j]]);
                }
            }
        }
        debug_assert_eq!(p, gm.scale.len());
        if e.iter().all(|v| v.is_finite()) { Some((e, jac)) } else { None }
    }

    fn eval(&self, x: &[f64]) -> Option<Vec<(Array1<f64>, Array2<f64>)>> {
        (0..self.maps.len()).map(|g| self.eval_group(g, x)).collect()
    }
}

impl Problem for GroupLs<'_> {
    fn value(&mut self, x: &[f64]) -> Option<f64> {
        let parts = self.eval(x)?;
        let f = parts
            .iter()
            .zip(self.stats)
            .zip(&self.c)
            .map(|(((e, _), gs), c)| c * e.dot(&gs.w.dot(e)))
            .sum();
        self.cache = Some(parts);
        Some(f)
    }
    fn gradient(&mut self, _x: &[f64], g: &mut [f64]) -> bool {
        let Some(parts) = &self.cache else { return false };
        g.iter_mut().for_each(|v| *v = 0.0);
        for (((e, jac), gs), c) in parts.iter().zip(self.stats).zip(&self.c) {
            let gv = jac.t().dot(&gs.w.dot(e));
            for (o, v) in g.iter_mut().zip(gv.iter()) {
                *o -= 2.0 * c * v;
            }
        }
        true
    }
    fn information(&mut self, _x: &[f64], h: &mut [f64]) -> bool {
        let Some(parts) = &self.cache else { return false };
        h.iter_mut().for_each(|v| *v = 0.0);
        for (((_, jac), gs), c) in parts.iter().zip(self.stats).zip(&self.c) {
            let a = jac.t().dot(&gs.w.dot(jac));
            for (o, v) in h.iter_mut().zip(a.iter()) {
                *o += 2.0 * c * v;
            }
        }
        true
    }
}

/// Whether a structural row's kind is listed in `equal`.
fn row_equal(r: &ParRow, lv: &[String], equal: &[GroupEqual]) -> bool {
    let kind = match r.op {
        Op::Loading => GroupEqual::Loadings,
        Op::Regression => GroupEqual::Regressions,
        Op::Intercept if lv.contains(&r.lhs) => GroupEqual::Means,
        Op::Intercept => GroupEqual::Intercepts,
        Op::Threshold => GroupEqual::Thresholds,
        Op::Covariance => {
            let latent = lv.contains(&r.lhs) || lv.contains(&r.rhs);
            match (r.lhs == r.rhs, latent) {
                (true, true) => GroupEqual::LvVariances,
                (true, false) => GroupEqual::Residuals,
                (false, true) => GroupEqual::LvCovariances,
                (false, false) => GroupEqual::ResidualCovariances,
            }
        }
    };
    equal.contains(&kind)
}

/// The category codes of every column of `x`, sorted.
fn categories(x: &Array2<f64>) -> Vec<Vec<f64>> {
    (0..x.ncols())
        .map(|j| {
            let mut c: Vec<f64> = Vec::new();
            for &v in x.column(j) {
                if !c.contains(&v) {
                    c.push(v);
                }
            }
            c.sort_by(f64::total_cmp);
            c
        })
        .collect()
}

/// Fit a multi-group model whose indicators are all ordered (see the module documentation).
pub(in crate::sem) fn fit_groups(mg: &MultiGroupSem, data: &Dataset) -> Result<MultiGroupFit> {
    let cfg = mg.sem();
    let (_, weighting, robust) = resolve(cfg)?;
    if cfg.missing == SemMissing::Fiml {
        return Err(Error::invalid(
            "missing",
            "full-information ML is not available with ordered indicators (rows with missing values are dropped listwise)",
        ));
    }
    if !mg.partial_parameters().is_empty() {
        return Err(Error::invalid(
            "group_partial",
            "group.partial is not available with ordered indicators",
        ));
    }
    if cfg.syntax.has_group_modifiers() {
        return Err(Error::invalid(
            "model",
            "per-group modifiers `c()` are not available with ordered indicators",
        ));
    }
    check_options(cfg, data)?;
    crate::sem::constraints::refuse(&cfg.syntax, "multi-group models with ordered indicators")?;
    let equal = mg.constraints();
    let thr_equal =
        equal.contains(&GroupEqual::Thresholds) || equal.contains(&GroupEqual::Intercepts);
    let free_means = thr_equal && !equal.contains(&GroupEqual::Means);
    let theta_par = cfg.parameterization == Parameterization::Theta;
    // theta: the residual variances of y* are fixed at 1, except after the first group once the
    // thresholds are equal (unless they are constrained equal to the first group's 1)
    let theta_free_resid = theta_par && thr_equal && !equal.contains(&GroupEqual::Residuals);

    let (cov_syntax, thr_stmts) = split_thresholds(&cfg.syntax);
    let pt0 = ParTable::build(
        &cov_syntax,
        TableOptions { std_lv: cfg.std_lv, fixed_x: cfg.fixed_x, meanstructure: false },
    )?;
    if pt0.meanstructure {
        return Err(Error::invalid(
            "model",
            "intercepts (`~ 1`) are not available with ordered indicators",
        ));
    }
    if !pt0.defined.is_empty() {
        return Err(Error::invalid(
            "model",
            "defined parameters (`:=`) are not available in multi-group models with ordered indicators",
        ));
    }
    if !pt0.ov_x.is_empty() {
        return Err(Error::invalid(
            "ordered",
            format!(
                "exogenous observed covariates ({}) are not available with ordered indicators",
                pt0.ov_x.join(", ")
            ),
        ));
    }
    if let Some(v) = pt0.ov.iter().find(|v| !cfg.ordered_all && !cfg.ordered.contains(v)) {
        return Err(Error::invalid(
            "ordered",
            format!(
                "`{v}` is not declared ordered; models that mix ordered and continuous observed variables are not supported"
            ),
        ));
    }
    check_latent_names(&pt0.lv, data.names())?;
    let p = pt0.ov.len();

    // per-group sample statistics
    let mut raw = Vec::new();
    let mut used = 0;
    for (name, part) in data.split_by(mg.group())? {
        used += part.n_rows();
        let (x, dropped) = complete_rows(&part.select(&pt0.ov)?);
        if x.nrows() <= p {
            return Err(Error::TooFewObservations { needed: p + 1, got: x.nrows() });
        }
        check_codes(&x, &pt0.ov)?;
        raw.push((name, x, dropped));
    }
    if raw.len() < 2 {
        return Err(Error::invalid(
            "group",
            format!("the grouping column `{}` has fewer than two groups", mg.group()),
        ));
    }
    // every category of every indicator must be observed in every group (lavaan refuses too):
    // the thresholds of the groups must describe the same cuts
    let cats: Vec<Vec<Vec<f64>>> = raw.iter().map(|(_, x, _)| categories(x)).collect();
    for j in 0..p {
        let mut all: Vec<f64> = cats.iter().flat_map(|c| c[j].iter().copied()).collect();
        all.sort_by(f64::total_cmp);
        all.dedup();
        for (g, c) in cats.iter().enumerate() {
            if let Some(v) = all.iter().find(|v| !c[j].contains(v)) {
                return Err(Error::invalid(
                    "ordered",
                    format!(
                        "category {v} of `{}` is not observed in group {} (every category must be observed in every group)",
                        pt0.ov[j], raw[g].0
                    ),
                ));
            }
        }
    }
    let mut stats = Vec::with_capacity(raw.len());
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    for (name, x, dropped) in raw {
        let pf = Polychoric::new().names(&pt0.ov).max_categories(MAX_CATEGORIES).fit(&x)?;
        let acov = pf.acov().ok_or_else(|| {
            Error::invalid(
                "ordered",
                format!(
                    "the asymptotic covariance of the sample statistics is unavailable in group {name}"
                ),
            )
        })?;
        pairs = acov.pairs().to_vec();
        let nt = acov.n_thresholds();
        let mut s = Array1::zeros(nt + pairs.len());
        let mut r = 0;
        for t in pf.thresholds() {
            for &v in t {
                if r < nt {
                    s[r] = v;
                }
                r += 1;
            }
        }
        if r != nt {
            return Err(Error::DimensionMismatch {
                what: format!("thresholds of the asymptotic covariance in group {name}"),
                expected: r,
                found: nt,
            });
        }
        let rho = pf.correlation().clone();
        for (m, &(i, j)) in pairs.iter().enumerate() {
            s[nt + m] = rho[[i, j]];
        }
        let gamma = acov.gamma().clone();
        let w = robust::weight(weighting, &gamma).map_err(|e| match e {
            Error::NotPositiveDefinite { matrix } => {
                Error::NotPositiveDefinite { matrix: format!("{matrix} in group {name}") }
            }
            other => other,
        })?;
        stats.push(GroupStats {
            name,
            n: x.nrows(),
            n_dropped: dropped,
            thresholds: pf.thresholds().to_vec(),
            rho,
            s,
            gamma,
            w,
            warnings: pf.warnings().to_vec(),
        });
    }
    let ng = stats.len();

    // parameter tables and the global parameter vector
    let mut pts: Vec<ParTable> = Vec::with_capacity(ng);
    let mut resids = Vec::with_capacity(ng);
    for g in 0..ng {
        let mut pt = pt0.clone();
        if !theta_par {
            resids.push(fix_residual_variances(&mut pt));
        } else {
            if g == 0 || !theta_free_resid {
                fix_residual_variances_at(&mut pt, 1.0);
            }
            resids.push(vec![None; p]);
        }
        pts.push(pt);
    }
    let (smap, mut names) =
        crate::sem::groups::global_map(&pts, &|r: &ParRow| row_equal(r, &pt0.lv, equal));
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut maps: Vec<GroupMap> = Vec::with_capacity(ng);
    for (g, (pt, resid)) in pts.into_iter().zip(resids).enumerate() {
        let st = ModelStructure::new(&pt)?;
        let (thr, _) = thresholds(&pt, &stats[g].thresholds, &thr_stmts, 0)?;
        let suffix = if g == 0 { String::new() } else { format!(".g{}", g + 1) };
        let mut thr_global = Vec::with_capacity(thr.len());
        for t in &thr {
            let base = format!("{}|t{}", pt.ov[t.var], t.k + 1);
            let key = match (t.free, t.label.is_empty()) {
                (None, _) => {
                    thr_global.push(Err(t.fixed.unwrap_or(0.0)));
                    continue;
                }
                (Some(_), false) => format!("label:{}", t.label),
                (Some(_), true) if thr_equal => format!("thr:{base}"),
                (Some(_), true) => format!("thr:{base}{suffix}"),
            };
            let name = if t.label.is_empty() {
                if key.ends_with(&suffix) && !suffix.is_empty() {
                    format!("{base}{suffix}")
                } else {
                    base.clone()
                }
            } else {
                t.label.clone()
            };
            let i = *index.entry(key).or_insert_with(|| {
                names.push(name);
                names.len() - 1
            });
            thr_global.push(Ok(i));
        }
        let mut scale = vec![None; p];
        let mut mean = vec![None; st.n_lv];
        if g > 0 && thr_equal {
            if !theta_par {
                for (j, v) in pt.ov.iter().enumerate() {
                    names.push(format!("{v}~*~{v}{suffix}"));
                    scale[j] = Some(names.len() - 1);
                }
            }
            if free_means {
                for (l, v) in pt.lv.iter().enumerate().take(st.n_lv) {
                    names.push(format!("{v}~1{suffix}"));
                    mean[l] = Some(names.len() - 1);
                }
            }
        }
        let vech_row = |i: usize, j: usize| st.vech_row(i, j);
        let pair_vech = pairs.iter().map(|&(i, j)| vech_row(i, j)).collect();
        let diag_vech = theta_par.then(|| (0..p).map(|j| vech_row(j, j)).collect());
        maps.push(GroupMap {
            map: smap[g].clone(),
            pt,
            st,
            resid,
            thr,
            thr_global,
            scale,
            mean,
            pair_vech,
            diag_vech,
        });
    }
    let q = names.len();
    let ns_total: usize = maps.iter().map(|m| m.thr.len() + pairs.len()).sum();
    if q > ns_total {
        return Err(Error::NotIdentified {
            reason: format!(
                "the multi-group model has {q} free parameters but only {ns_total} sample statistics"
            ),
        });
    }

    // starting values: single-group starts averaged over the groups sharing a parameter
    let mut x0 = vec![0.0; q];
    let mut count = vec![0.0f64; q];
    for (gm, gs) in maps.iter().zip(&stats) {
        let sv = start::start_values(&gm.pt, &gm.st, &gs.rho, cfg.std_lv);
        for (f, &gi) in gm.map.iter().enumerate() {
            x0[gi] += sv[f];
            count[gi] += 1.0;
        }
        // theta: thresholds start on the y* scale of the starting values
        let start_scale: Vec<f64> = match theta_par {
            true => {
                let imp0 = gm.st.implied(&gm.st.matrices(&sv))?;
                (0..p).map(|j| imp0.sigma[[j, j]].max(1e-8).sqrt()).collect()
            }
            false => vec![1.0; p],
        };
        for (t, tg) in gm.thr.iter().zip(&gm.thr_global) {
            if let Ok(i) = tg {
                x0[*i] += gs.thresholds[t.var][t.k] * start_scale[t.var];
                count[*i] += 1.0;
            }
        }
        for i in gm.scale.iter().flatten() {
            x0[*i] = 1.0;
            count[*i] = 1.0;
        }
    }
    for (t, c) in x0.iter_mut().zip(&count) {
        *t /= c.max(1.0);
    }
    let n_total: usize = stats.iter().map(|s| s.n).sum();
    let nf = n_total as f64;
    let mut prob = GroupLs {
        maps: &maps,
        stats: &stats,
        pairs: &pairs,
        c: stats.iter().map(|s| (s.n as f64 - 1.0) / nf).collect(),
        q,
        cache: None,
    };
    if prob.eval(&x0).is_none() {
        return Err(Error::NotConverged {
            what: "multi-group ordinal SEM starting values".into(),
            iterations: 0,
        });
    }
    let opts = optim::Options { max_iter: cfg.max_iter, ..optim::Options::default() };
    let out = optim::scoring(&mut prob, &x0, &opts);
    if !out.converged && !cfg.allow_nonconverged {
        return Err(Error::NotConverged {
            what: format!("multi-group ordinal SEM estimation ({})", out.reason()),
            iterations: out.iterations,
        });
    }
    let x = out.x.clone();
    let parts = prob.eval(&x).ok_or_else(|| Error::Singular { matrix: "I - B".into() })?;

    // inference: A, B and the stacked U Γ̃
    let mut a = Array2::<f64>::zeros((q, q));
    let mut b = Array2::<f64>::zeros((q, q));
    for ((_, jac), gs) in parts.iter().zip(&stats) {
        let fg = gs.n as f64 / nf;
        let wj = gs.w.dot(jac);
        a = a + jac.t().dot(&wj) * fg;
        b = b + wj.t().dot(&gs.gamma.dot(&wj)) * fg;
    }
    let a_inv = linalg::spd_inverse(a.view(), "information matrix Δᵀ W Δ").map_err(|_| {
        Error::NotIdentified {
            reason: "the information matrix Δᵀ W Δ is singular (a parameter is not identified)"
                .into(),
        }
    })?;
    let n_se = nf - ng as f64;
    let vcov = if robust { a_inv.dot(&b).dot(&a_inv) / n_se } else { &a_inv / n_se };
    let mut jac_all = Array2::<f64>::zeros((ns_total, q));
    let mut w_all = Array2::<f64>::zeros((ns_total, ns_total));
    let mut g_all = Array2::<f64>::zeros((ns_total, ns_total));
    let mut off = 0;
    let mut chisq = 0.0;
    let mut chisq_g = Vec::with_capacity(ng);
    for ((e, jac), gs) in parts.iter().zip(&stats) {
        let k = e.len();
        let fg = gs.n as f64 / nf;
        for r in 0..k {
            for c in 0..q {
                jac_all[[off + r, c]] = jac[[r, c]];
            }
            for c in 0..k {
                w_all[[off + r, off + c]] = fg * gs.w[[r, c]];
                g_all[[off + r, off + c]] = gs.gamma[[r, c]] / fg;
            }
        }
        off += k;
        let cg = (gs.n as f64 - 1.0) * e.dot(&gs.w.dot(e));
        chisq_g.push(cg);
        chisq += cg;
    }
    let wj = w_all.dot(&jac_all);
    let u = &w_all - &wj.dot(&a_inv).dot(&wj.t());
    let u_gamma = u.dot(&g_all);
    let df = ns_total as f64 - q as f64;
    let test = robust::scaled_shifted(&u_gamma, df);
    // baseline: thresholds free and correlations zero in every group
    let (mut base_chisq, mut base_df, mut tr1, mut tr2) = (0.0, 0.0, 0.0, 0.0);
    for (gm, gs) in maps.iter().zip(&stats) {
        let nt = gm.thr.len();
        let (c, d, _) = robust::baseline(&gs.s, &gs.w, &gs.gamma, nt, gs.n as f64 - 1.0);
        base_chisq += c;
        base_df += d;
        let (t1, t2) = baseline_traces(&gs.w, &gs.gamma, nt);
        tr1 += t1;
        tr2 += t2;
    }
    let base_test = if base_df > 0.0 && tr2 > 0.0 {
        let a = (base_df / tr2).sqrt();
        robust::ScaledShifted { a, b: base_df - a * tr1 }
    } else {
        robust::ScaledShifted { a: f64::NAN, b: f64::NAN }
    };

    // per-group results
    let zq = crate::core::dist::qnorm(0.5 + cfg.ci_level / 2.0);
    let mut warnings = Vec::new();
    let mut groups = Vec::with_capacity(ng);
    let mut implied_cors = Vec::with_capacity(ng);
    let mut srmr = 0.0;
    for (gm, gs) in maps.iter().zip(&stats) {
        let local: Vec<f64> = gm.map.iter().map(|&i| x[i]).collect();
        let mut pt = gm.pt.clone();
        let mut st = gm.st.clone();
        let mats = st.matrices(&local);
        let imp = st.implied(&mats)?;
        let d: Vec<f64> = match theta_par {
            true => (0..p).map(|j| 1.0 / imp.sigma[[j, j]].max(f64::MIN_POSITIVE).sqrt()).collect(),
            false => gm.scale.iter().map(|s| s.map_or(1.0, |i| x[i])).collect(),
        };
        for (i, k) in gm.resid.iter().enumerate() {
            if let Some(k) = *k {
                let v = 1.0 / (d[i] * d[i]) - imp.sigma[[i, i]];
                pt.rows[k].fixed = Some(v);
                st.set_fixed(k, v);
            }
        }
        let mats = st.matrices(&local);
        let imp = st.implied(&mats)?;
        let implied_cor = Array2::from_shape_fn((p, p), |(i, j)| imp.sigma[[i, j]] * d[i] * d[j]);
        let nl = gm.map.len();
        let vcov_local = Array2::from_shape_fn((nl, nl), |(i, j)| vcov[[gm.map[i], gm.map[j]]]);
        let mut rows = param_rows(&pt, &st, &mats, &imp, &vcov_local, cfg.ci_level);
        rows.retain(|r| r.op != ":=");
        let se_of = |i: usize| vcov[[i, i]].max(0.0).sqrt();
        let fixed = |row: &mut ParamRow, v: f64| {
            row.se = Some(0.0);
            row.ci_lower = Some(v);
            row.ci_upper = Some(v);
        };
        for (t, tg) in gm.thr.iter().zip(&gm.thr_global) {
            let est = match *tg {
                Ok(i) => x[i],
                Err(v) => v,
            };
            let mut row = ParamRow::new(&pt.ov[t.var], "|", format!("t{}", t.k + 1), est);
            row.label = t.label.clone();
            row.std_lv = Some(est);
            row.std_all = Some(est * d[t.var]);
            match *tg {
                Ok(i) => fill_inference(&mut row, est, se_of(i), zq),
                Err(_) => fixed(&mut row, est),
            }
            rows.push(row);
        }
        for v in &pt.ov {
            let mut row = ParamRow::new(v, "~1", "", 0.0);
            row.std_lv = Some(0.0);
            row.std_all = Some(0.0);
            fixed(&mut row, 0.0);
            rows.push(row);
        }
        let eta = st.eta_cov(&mats, &imp);
        for (l, v) in pt.lv.iter().enumerate().take(st.n_lv) {
            let est = gm.mean[l].map_or(0.0, |i| x[i]);
            let mut row = ParamRow::new(v, "~1", "", est);
            let sd = eta[[l, l]].max(0.0).sqrt();
            row.std_lv = Some(est / sd);
            row.std_all = Some(est / sd);
            match gm.mean[l] {
                Some(i) => fill_inference(&mut row, est, se_of(i), zq),
                None => fixed(&mut row, est),
            }
            rows.push(row);
        }
        for (j, v) in pt.ov.iter().enumerate() {
            let mut row = ParamRow::new(v, "~*~", v.clone(), d[j]);
            row.std_lv = Some(d[j]);
            row.std_all = Some(1.0);
            match gm.scale[j] {
                Some(i) => fill_inference(&mut row, d[j], se_of(i), zq),
                None => fixed(&mut row, d[j]),
            }
            rows.push(row);
        }
        let mut gw = Vec::new();
        admissibility_warnings(&pt, &st, &mats, &imp, &mut gw);
        for w in gw {
            warnings.push(match w {
                Warning::Heywood { variable, value } => {
                    Warning::Heywood { variable: format!("{variable} (group {})", gs.name), value }
                }
                other => other,
            });
        }
        if gs.n_dropped > 0 {
            warnings.push(Warning::RowsDropped { dropped: gs.n_dropped, remaining: gs.n });
        }
        warnings.extend(gs.warnings.iter().cloned());
        srmr += gs.n as f64 / nf * srmr_cor(&gs.rho, &implied_cor);
        implied_cors.push(implied_cor.clone());
        let sc = standardize::Scales::new(&pt, &st, &mats, &imp);
        let r2 = standardize::r_squared(&pt, &sc);
        groups.push(GroupResult::assemble(
            gs.name.clone(),
            gs.n,
            gs.n_dropped,
            rows,
            r2,
            chisq_g[groups.len()],
            implied_cor,
            gs.rho.clone(),
        ));
    }
    if !out.converged {
        warnings.push(Warning::NotConverged {
            what: "multi-group ordinal SEM estimation".into(),
            iterations: out.iterations,
        });
    }
    if used < data.n_rows() {
        warnings.push(Warning::Other {
            message: format!(
                "{} row(s) with an empty or NA value of the grouping column `{}` are left out",
                data.n_rows() - used,
                mg.group()
            ),
        });
    }
    // the categorical ML statistics of the `.robust` measures: only when every threshold is
    // free and group-specific (lavaan 0.6.14 reports NA otherwise)
    let mut thr_owner: HashMap<usize, usize> = HashMap::new();
    let thr_free = maps.iter().enumerate().all(|(g, gm)| {
        gm.scale.iter().all(Option::is_none)
            && gm.mean.iter().all(Option::is_none)
            && gm.thr_global.iter().all(|t| match t {
                Ok(i) => *thr_owner.entry(*i).or_insert(g) == g,
                Err(_) => false,
            })
    });
    let catml = if robust && thr_free {
        let cg: Vec<catml::CatMlGroup<'_>> = maps
            .iter()
            .zip(&stats)
            .zip(&parts)
            .zip(&implied_cors)
            .map(|(((gm, gs), (_, jac)), imp)| catml::CatMlGroup {
                n: gs.n as f64,
                rho: &gs.rho,
                implied: imp,
                jac,
                w: &gs.w,
                gamma: &gs.gamma,
                nt: gm.thr.len(),
            })
            .collect();
        catml::catml_groups(&cg, &pairs, &a_inv, q - thr_owner.len())
    } else {
        None
    };
    let fm = robust::fit_measures(&robust::Measures {
        uls: weighting == Weighting::Identity,
        robust,
        npar: q,
        n: n_total,
        chisq,
        df,
        ndat: ns_total as f64,
        base_chisq,
        base_df,
        test,
        base_test,
        s: &stats[0].rho,
        sigma: &stats[0].rho,
        catml,
    });
    let fm = group_measures(fm, chisq, df, test, nf, ng, srmr, catml);
    let config = mg.clone();
    let grad_max = out.grad_max / 2.0;
    let score_parts = maps
        .iter()
        .zip(&stats)
        .zip(&parts)
        .map(|((gm, gs), (e, jac))| {
            score::parts(gm, &gm.pt.ov, &gm.pt.lv, e, jac, &gs.w, gs.n as f64)
        })
        .collect();
    Ok(MultiGroupFit::assemble(AssembledParts {
        config,
        groups,
        fit: fm,
        vcov,
        theta: x,
        names,
        convergence: Convergence {
            converged: out.converged,
            iterations: out.iterations,
            reason: out.reason(),
        },
        grad_max,
        warnings,
        robust_diff: Some(crate::sem::robust::groups::DiffParts { jac: jac_all, info: a, meat: b }),
    })
    .with_score_parts(score_parts))
}

/// tr(U_b Γ) and tr[(U_b Γ)²] of one group's baseline model (thresholds free, correlations 0),
/// U_b = W − W_{·τ} W_ττ⁻¹ W_{τ·}.
fn baseline_traces(w: &Array2<f64>, gamma: &Array2<f64>, nt: usize) -> (f64, f64) {
    let k = w.nrows();
    let w_tt = Array2::from_shape_fn((nt, nt), |(i, j)| w[[i, j]]);
    let w_t = Array2::from_shape_fn((k, nt), |(i, j)| w[[i, j]]);
    let Ok(inv) = linalg::spd_inverse(w_tt.view(), "threshold block of the weight matrix") else {
        return (f64::NAN, f64::NAN);
    };
    let ug = (w - &w_t.dot(&inv).dot(&w_t.t())).dot(gamma);
    (ug.diag().sum(), (&ug * &ug.t()).sum())
}

/// SRMR of a correlation structure: √(mean over i < j of (r_ij − ρ̂_ij)²) (the diagonal is 1
/// in both).
fn srmr_cor(r: &Array2<f64>, s: &Array2<f64>) -> f64 {
    let p = r.nrows();
    let mut sum = 0.0;
    for i in 0..p {
        for j in 0..i {
            sum += (r[[i, j]] - s[[i, j]]).powi(2);
        }
    }
    (sum / (p * (p + 1) / 2) as f64).sqrt()
}

/// The measures of a multi-group fit that differ from the single-group formulas: the RMSEA
/// (√G times the single-group value with N − G, lavaan's multi-group convention; the robust
/// RMSEA likewise from the categorical ML statistic) and the SRMR (the groups' values weighted
/// by n_g/N).
#[allow(clippy::too_many_arguments)]
fn group_measures(
    mut fm: Vec<(String, f64)>,
    chisq: f64,
    df: f64,
    test: robust::ScaledShifted,
    n: f64,
    ng: usize,
    srmr: f64,
    catml: Option<robust::CatMl>,
) -> Vec<(String, f64)> {
    let g = ng as f64;
    let n_eff = (n - g) / g;
    let plain = rmsea(chisq, df, n_eff);
    let t = test.a * chisq + test.b;
    let scaled = rmsea(t, df, n_eff);
    let robust_rmsea =
        catml.map(|m| crate::sem::robust::rmsea_robust(n_eff, m.t, df, m.c, m.t / m.c, m.c));
    for (k, v) in fm.iter_mut() {
        match k.as_str() {
            "rmsea" => *v = plain[0],
            "rmsea.ci.lower" => *v = plain[1],
            "rmsea.ci.upper" => *v = plain[2],
            "rmsea.pvalue" => *v = plain[3],
            "rmsea.scaled" => *v = scaled[0],
            "rmsea.ci.lower.scaled" => *v = scaled[1],
            "rmsea.ci.upper.scaled" => *v = scaled[2],
            "rmsea.pvalue.scaled" => *v = scaled[3],
            "srmr" => *v = srmr,
            k if k.ends_with(".robust") => {
                let at = crate::sem::robust::RMSEA_ROBUST.iter().position(|r| *r == k);
                match (catml, robust_rmsea, at) {
                    (None, _, _) => *v = f64::NAN,
                    (Some(_), Some(r), Some(i)) => *v = r[i],
                    _ => {}
                }
            }
            _ => {}
        }
    }
    fm
}

/// RMSEA, its 90% interval and the p-value of close fit (RMSEA ≤ .05) with `ne` observations.
fn rmsea(chisq: f64, df: f64, ne: f64) -> [f64; 4] {
    use crate::core::dist::{ncp_root, pnchisq};
    if df <= 0.0 || df.is_nan() || !chisq.is_finite() {
        return [0.0, 0.0, 0.0, f64::NAN];
    }
    let r = ((chisq - df).max(0.0) / (df * ne)).sqrt();
    let p0 = pnchisq(chisq, df, 0.0);
    let lam_lo = if p0 < 0.95 { 0.0 } else { ncp_root(chisq, df, 0.95) };
    let lam_hi = if p0 < 0.05 { 0.0 } else { ncp_root(chisq, df, 0.05) };
    let pc = 1.0 - pnchisq(chisq, df, ne * df * 0.05 * 0.05);
    [r, (lam_lo / (ne * df)).sqrt(), (lam_hi / (ne * df)).sqrt(), pc]
}

/// The observed variables of a model with ordered indicators, in the model's order.
///
/// # Errors
/// Errors of the parameter-table builder.
pub(in crate::sem) fn observed(sem: &Sem) -> Result<Vec<String>> {
    let (cov_syntax, _) = split_thresholds(&sem.syntax);
    let pt = ParTable::build(
        &cov_syntax,
        TableOptions { std_lv: sem.std_lv, fixed_x: sem.fixed_x, meanstructure: false },
    )?;
    Ok(pt.ov)
}
