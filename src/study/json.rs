//! JSON of the results with the field names of DESIGN.md, shared by the study and the CLI.
use serde_json::{Map, Value, json};

use ndarray::{Array1, Array2};

use super::*;
use crate::factor::{EfaFit, KmoFit};
use crate::regression::OlsFit;
use crate::reliability::AlphaFit;
use crate::resample::Interval;
use crate::sem::{MultiGroupFit, SemFit};
use crate::summary::ParamRow;

pub(super) fn num(x: f64) -> Value {
    if x.is_finite() { json!(x) } else { Value::Null }
}
pub(super) fn opt(x: Option<f64>) -> Value {
    x.map(num).unwrap_or(Value::Null)
}
fn matrix(m: &Array2<f64>) -> Value {
    Value::Array(
        m.rows().into_iter().map(|r| Value::Array(r.iter().map(|v| num(*v)).collect())).collect(),
    )
}
fn vector(v: &Array1<f64>) -> Value {
    Value::Array(v.iter().map(|x| num(*x)).collect())
}
fn named(v: &[(String, f64)]) -> Value {
    Value::Object(v.iter().map(|(k, x)| (k.clone(), num(*x))).collect())
}
fn interval(i: Option<Interval>) -> Value {
    match i {
        Some(i) => json!({"level": num(i.level), "lower": num(i.lower), "upper": num(i.upper)}),
        None => Value::Null,
    }
}

/// psych::alpha fields (DESIGN.md).
pub fn alpha(fit: &AlphaFit) -> Value {
    let items: Vec<Value> = fit
        .items()
        .iter()
        .map(|it| {
            let d = it.if_dropped.as_ref();
            json!({
                "item": it.item,
                "raw_alpha": opt(d.map(|d| d.raw_alpha)),
                "std_alpha": opt(d.map(|d| d.std_alpha)),
                "g6": opt(d.map(|d| d.g6)),
                "average_r": opt(d.map(|d| d.average_r)),
                "n": it.n,
                "raw_r": opt(it.raw_r),
                "std_r": num(it.std_r),
                "r_cor": num(it.r_cor),
                "r_drop": num(it.r_drop),
                "mean": opt(it.mean),
                "sd": opt(it.sd),
            })
        })
        .collect();
    let ci = fit.feldt_ci();
    let dci = fit.duhachek_ci();
    json!({
        "raw_alpha": num(fit.raw_alpha()),
        "std_alpha": num(fit.std_alpha()),
        "g6": num(fit.g6()),
        "average_r": num(fit.average_r()),
        "s_n": num(fit.signal_noise()),
        "ase": num(fit.ase()),
        "mean": opt(fit.mean()),
        "sd": opt(fit.sd()),
        "median_r": num(fit.median_r()),
        "n_obs": fit.n_obs(),
        "ci": {"level": num(ci.level), "lower": num(ci.lower), "upper": num(ci.upper)},
        "duhachek_ci": {"level": num(dci.level), "lower": num(dci.lower), "upper": num(dci.upper)},
        "items": items,
        "warnings": fit.warnings().iter().map(|w| w.to_string()).collect::<Vec<_>>(),
    })
}

/// KMO fields (DESIGN.md: `msa, msa_items {item: value}, bartlett {chisq, df, pvalue}`, plus
/// `eigenvalues`, `n_obs`, `warnings`).
pub fn kmo(fit: &KmoFit) -> Value {
    let items: Map<String, Value> =
        fit.names().iter().zip(fit.msa_items().iter()).map(|(n, v)| (n.clone(), num(*v))).collect();
    json!({
        "msa": num(fit.msa()),
        "msa_items": items,
        "bartlett": {"chisq": num(fit.bartlett().chisq), "df": num(fit.bartlett().df), "pvalue": num(fit.bartlett().p_value)},
        "eigenvalues": vector(fit.eigenvalues()),
        "n_obs": fit.n_obs(),
        "warnings": fit.warnings().iter().map(|w| w.to_string()).collect::<Vec<_>>(),
    })
}

/// EFA fields (DESIGN.md: `items, factors, loadings, communalities, uniquenesses, phi,
/// ss_loadings, fit {chisq, df, pvalue, rmsea, tli, bic}` plus `n_obs`, `converged`,
/// `warnings`). `fit` is given for every extraction method, as psych's `fa` reports it (for
/// minres, pa and uls the ML criterion evaluated at their solution), with the RMSEA interval,
/// SABIC, the empirical χ² and its p-value, RMSR and its dof-corrected version, and the n of
/// the empirical statistics (`n_harmonic`, psych's `nh`); PCA has no fit.
pub fn efa(fit: &EfaFit) -> Value {
    let fs = fit.fit_statistics();
    let fit_block = if fit.config_extraction() != crate::factor::Extraction::Pca {
        json!({
            "chisq": num(fs.chisq), "df": num(fs.dof), "pvalue": num(fs.p_value),
            "rmsea": num(fs.rmsea), "tli": num(fs.tli), "bic": num(fs.bic),
            "rmsea_lower": num(fs.rmsea_lower), "rmsea_upper": num(fs.rmsea_upper),
            "sabic": num(fs.sabic), "objective": num(fs.objective),
            "null_chisq": num(fs.null_chisq), "null_df": num(fs.null_dof),
            "empirical_chisq": num(fs.chi), "empirical_pvalue": num(fs.e_p_value),
            "rmsr": num(fs.rms), "crmsr": num(fs.crms), "n_harmonic": num(fs.n_harmonic),
        })
    } else {
        Value::Null
    };
    json!({
        "items": fit.names(),
        "factors": fit.factor_names(),
        "loadings": matrix(fit.loadings()),
        "communalities": vector(fit.communalities()),
        "uniquenesses": vector(fit.uniquenesses()),
        "phi": matrix(fit.phi()),
        "ss_loadings": vector(fit.ss_loadings()),
        "fit": fit_block,
        "n_obs": fit.n_obs(),
        "converged": fit.convergence().converged && fit.rotation_convergence().converged,
        "warnings": fit.warnings().iter().map(|w| w.to_string()).collect::<Vec<_>>(),
    })
}

fn param_rows(rows: &[ParamRow]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| {
                json!({
                    "lhs": r.lhs, "op": r.op, "rhs": r.rhs, "label": r.label,
                    "est": num(r.est), "se": opt(r.se), "z": opt(r.z), "pvalue": opt(r.pvalue),
                    "ci_lower": opt(r.ci_lower), "ci_upper": opt(r.ci_upper),
                    "std_lv": opt(r.std_lv), "std_all": opt(r.std_all),
                })
            })
            .collect(),
    )
}

/// SEM fields.
pub fn sem(fit: &SemFit) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("parameters".into(), param_rows(fit.parameters()));
    m.insert("fit".into(), named(fit.fit_measures()));
    m.insert("r_squared".into(), named(fit.r_squared()));
    m.insert("n_obs".into(), json!(fit.n_obs()));
    m.insert("converged".into(), json!(fit.convergence().converged));
    m.insert("iterations".into(), json!(fit.convergence().iterations));
    m.insert(
        "warnings".into(),
        json!(fit.warnings().iter().map(|w| w.to_string()).collect::<Vec<_>>()),
    );
    let cons = fit.constraints();
    if !cons.is_empty() {
        let rows: Vec<Value> = cons
            .iter()
            .map(|c| json!({"lhs": c.lhs, "op": c.op, "rhs": c.rhs, "slack": num(c.slack)}))
            .collect();
        m.insert("constraints".into(), Value::Array(rows));
    }
    m
}

/// Multi-group SEM fields: `constraints`, `groups` (each with `group`, `n_obs`, `chisq`,
/// `parameters` in the SEM row format including `~1` rows, `r_squared`), `defined`, `fit`,
/// `converged`, `iterations`, `warnings`.
pub fn multigroup(fit: &MultiGroupFit) -> Map<String, Value> {
    let groups: Vec<Value> = fit
        .groups()
        .iter()
        .map(|g| {
            json!({
                "group": g.name(), "n_obs": g.n_obs(), "chisq": num(g.chisq()),
                "parameters": param_rows(g.parameters()), "r_squared": named(g.r_squared()),
            })
        })
        .collect();
    let mut m = Map::new();
    m.insert(
        "constraints".into(),
        json!(fit.config().constraints().iter().map(|c| c.name()).collect::<Vec<_>>()),
    );
    m.insert("groups".into(), Value::Array(groups));
    m.insert("defined".into(), param_rows(fit.defined()));
    m.insert("fit".into(), named(fit.fit_measures()));
    m.insert("n_obs".into(), json!(fit.n_obs()));
    m.insert("converged".into(), json!(fit.convergence().converged));
    m.insert("iterations".into(), json!(fit.convergence().iterations));
    m.insert(
        "warnings".into(),
        json!(fit.warnings().iter().map(|w| w.to_string()).collect::<Vec<_>>()),
    );
    m
}

/// OLS fields.
pub fn ols(fit: &OlsFit) -> Value {
    let coefficients: Vec<Value> = fit
        .terms()
        .iter()
        .enumerate()
        .map(|(k, t)| {
            json!({
                "term": t,
                "estimate": num(fit.coefficients()[k]),
                "std_error": num(fit.std_errors()[k]),
                "t_value": num(fit.t_values()[k]),
                "p_value": num(fit.p_values()[k]),
                "ci_lower": num(fit.ci_lower()[k]),
                "ci_upper": num(fit.ci_upper()[k]),
            })
        })
        .collect();
    let (f, f1, f2, fp) = match fit.f_test() {
        Some(t) => (num(t.value), num(t.df1), num(t.df2), num(t.p_value)),
        None => (Value::Null, Value::Null, Value::Null, Value::Null),
    };
    let off = usize::from(fit.has_intercept());
    let vif: Map<String, Value> = fit
        .vif()
        .iter()
        .enumerate()
        .map(|(j, v)| (fit.terms()[j + off].clone(), num(*v)))
        .collect();
    let classical: Map<String, Value> = fit
        .terms()
        .iter()
        .zip(fit.cov_unscaled().diag().iter())
        .map(|(t, v)| (t.clone(), num((v * fit.sigma() * fit.sigma()).sqrt())))
        .collect();
    let bp = fit.breusch_pagan();
    json!({
        "formula": fit.formula(),
        "se_type": fit.se_type().name(),
        "ci_level": fit.ci_level(),
        "coefficients": coefficients,
        "classical_std_errors": classical,
        "sigma": num(fit.sigma()),
        "r_squared": num(fit.r_squared()),
        "adj_r_squared": num(fit.adj_r_squared()),
        "f_statistic": f, "f_df1": f1, "f_df2": f2, "f_pvalue": fp,
        "df_residual": fit.df_residual(),
        "log_lik": num(fit.log_lik()),
        "aic": num(fit.aic()),
        "bic": num(fit.bic()),
        "n_obs": fit.n_obs(),
        "n_dropped": fit.n_dropped(),
        "aliased": fit.aliased(),
        "vif": vif,
        "durbin_watson": num(fit.durbin_watson()),
        "breusch_pagan": {"statistic": num(bp.statistic), "df": num(bp.df), "p_value": num(bp.p_value)},
        "warnings": fit.warnings().iter().map(|w| w.to_string()).collect::<Vec<_>>(),
    })
}

/// The whole study as one JSON object (see [`StudyResults::to_json_value`](super::StudyResults::to_json_value)).
pub fn results(r: &StudyResults) -> Value {
    let mut out = Map::new();
    out.insert("n_obs".into(), json!(r.n_rows));
    out.insert(
        "groups".into(),
        Value::Object(r.groups.iter().map(|(k, n)| (k.clone(), json!(n))).collect()),
    );
    let desc: Vec<Value> = r
        .descriptives
        .variables()
        .iter()
        .map(|v| {
            json!({
                "item": v.name(), "n": v.n(), "mean": num(v.mean()), "sd": num(v.sd()),
                "skew": num(v.skew()), "kurtosis": num(v.kurtosis()),
                "counts": v.counts().map(|c| c.counts().to_vec()),
            })
        })
        .collect();
    out.insert("descriptives".into(), Value::Array(desc));
    out.insert(
        "reliability".into(),
        Value::Object(r.alpha.iter().map(|(c, f)| (c.clone(), alpha(f))).collect()),
    );
    out.insert("kmo".into(), kmo(&r.kmo));
    let pa = &r.parallel;
    out.insert(
        "parallel".into(),
        json!({
            "n_factors": pa.n_factors(), "n_components": pa.n_components(),
            "replications": pa.replications(), "seed": r.config.seed,
            "observed_components": vector(pa.observed_components()),
            "reference_components": vector(pa.reference_components()),
            "observed_factors": vector(pa.observed_factors()),
            "reference_factors": vector(pa.reference_factors()),
        }),
    );
    let mut e = efa(&r.efa);
    if let Value::Object(m) = &mut e {
        m.insert("factor_constructs".into(), json!(r.efa_match));
    }
    out.insert("efa".into(), e);
    let mut cfa = sem(&r.cfa);
    cfa.insert("cr".into(), named(&r.cr));
    cfa.insert("ave".into(), named(&r.ave));
    cfa.insert("omega".into(), named(&r.omega));
    cfa.insert("fornell_larcker".into(), matrix(r.fornell_larcker.table()));
    cfa.insert(
        "fornell_larcker_pass".into(),
        Value::Object(
            r.fornell_larcker
                .names()
                .iter()
                .zip(r.fornell_larcker.pass())
                .map(|(n, p)| (n.clone(), json!(p)))
                .collect(),
        ),
    );
    cfa.insert("htmt".into(), matrix(&r.htmt));
    cfa.insert("latent".into(), json!(r.cfa.latent()));
    out.insert("cfa".into(), Value::Object(cfa));
    out.insert("method_bias".into(), method_bias(r));
    let mut s = sem(&r.sem);
    s.insert(
        "hypotheses".into(),
        Value::Array(
            r.hypotheses
                .iter()
                .map(|h| {
                    let row = h.row();
                    json!({
                        "id": h.hypothesis.id, "from": h.hypothesis.from, "to": h.hypothesis.to,
                        "expected_sign": h.hypothesis.sign.symbol(), "label": h.hypothesis.label,
                        "beta": opt(h.beta()), "est": opt(row.map(|r| r.est)), "se": opt(row.and_then(|r| r.se)),
                        "z": opt(row.and_then(|r| r.z)), "pvalue": opt(row.and_then(|r| r.pvalue)),
                        "supported": h.supported,
                    })
                })
                .collect(),
        ),
    );
    out.insert("sem".into(), Value::Object(s));
    let boot = r.bootstrap.as_ref();
    out.insert(
        "mediation".into(),
        json!({
            "bootstrap": {
                "replications": r.config.bootstrap,
                "successful": boot.map(|b| b.n_used()),
                "failed": boot.map(|b| b.n_requested() - b.n_used()),
                "nonconverged": boot.map(|b| b.n_nonconverged()),
                "inadmissible": boot.map(|b| b.n_inadmissible()),
                "seed": r.config.seed,
            },
            "effects": r.mediation.iter().map(|m| {
                let row = m.row();
                json!({
                    "name": m.effect.name, "path": m.effect.path, "expression": m.effect.expression,
                    "est": opt(row.map(|r| r.est)), "std_all": opt(row.and_then(|r| r.std_all)),
                    "se": opt(row.and_then(|r| r.se)), "z": opt(row.and_then(|r| r.z)),
                    "pvalue": opt(row.and_then(|r| r.pvalue)),
                    "ci_lower": opt(row.and_then(|r| r.ci_lower)), "ci_upper": opt(row.and_then(|r| r.ci_upper)),
                    "boot_se": opt(m.boot_se),
                    "percentile_ci": interval(m.percentile),
                    "bca_ci": interval(m.bca),
                })
            }).collect::<Vec<_>>(),
        }),
    );
    out.insert("ols".into(), ols(&r.ols));
    out.insert("moderation".into(), r.moderation.as_ref().map_or(Value::Null, moderation));
    out.insert(
        "regions".into(),
        Value::Array(
            r.group_fits
                .iter()
                .map(|g| match &g.fit {
                    Ok(f) => {
                        let mut m = sem(f);
                        m.insert("group".into(), json!(g.group));
                        Value::Object(m)
                    }
                    Err(e) => json!({"group": g.group, "n_obs": g.n, "error": e}),
                })
                .collect(),
        ),
    );
    let mg = |f: std::result::Result<&MultiGroupFit, &str>| match f {
        Ok(f) => Value::Object(multigroup(f)),
        Err(e) => json!({ "error": e }),
    };
    out.insert(
        "multigroup".into(),
        match &r.invariance {
            None => Value::Null,
            Some(inv) => json!({
                "configural": mg(inv.configural()),
                "metric": mg(inv.metric()),
                "lrt": inv.lrt().map(|l| json!({
                    "chisq_diff": num(l.chisq), "df_diff": num(l.df), "pvalue": num(l.pvalue),
                })),
                "path_differences": r.hypotheses.iter().map(|h| {
                    let hy = &h.hypothesis;
                    let d = inv.path_difference(&hy.to, &hy.from);
                    json!({
                        "hypothesis": hy.id, "lhs": hy.to, "op": "~", "rhs": hy.from,
                        "difference": opt(d.map(|d| d.difference)), "se": opt(d.map(|d| d.se)),
                        "z": opt(d.map(|d| d.z)), "pvalue": opt(d.map(|d| d.pvalue)),
                    })
                }).collect::<Vec<_>>(),
            }),
        },
    );
    out.insert(
        "measurement_invariance".into(),
        r.latent_means.as_ref().map_or(Value::Null, super::latent::latent_means_json),
    );
    Value::Object(out)
}

#[cfg(feature = "serde")]
impl StudyResults {
    /// The whole analysis as one JSON value: `reliability` (construct → the alpha fields of
    /// DESIGN.md), `kmo`, `parallel`, `efa`, `cfa` (SEM fields plus `cr`, `ave`,
    /// `fornell_larcker`, `htmt`), `sem` (SEM fields plus `hypotheses`), `mediation`, `ols`,
    /// `regions`, `multigroup`, `measurement_invariance` (the ladder of the construct CFA by
    /// group, the partial search, `means_step` and `latent_means`), `descriptives`.
    /// Deterministic for a given seed. Requires the `serde` feature.
    pub fn to_json_value(&self) -> serde_json::Value {
        json::results(self)
    }

    /// [`StudyResults::to_json_value`] as pretty-printed text with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s =
            serde_json::to_string_pretty(&self.to_json_value()).unwrap_or_else(|_| "null".into());
        s.push('\n');
        s
    }
}

pub use super::moderation::{conditional_effect, johnson_neyman, moderation};

/// Harman's single-factor test and the common-latent-factor comparison; a step that could not
/// be computed is `{"error": message}`.
fn method_bias(r: &StudyResults) -> Value {
    let harman = match &r.harman {
        Ok(h) => json!({
            "pca_share": num(h.pca_share()), "fa_share": num(h.fa_share()),
            "exceeds_half": h.exceeds_half(),
            "warnings": h.warnings().iter().map(|w| w.to_string()).collect::<Vec<_>>(),
        }),
        Err(e) => json!({ "error": e }),
    };
    let clf = match &r.method_factor {
        Ok(m) => {
            let fm = |f: &SemFit, k: &str| opt(f.fit_measure(k));
            json!({
                "method_loadings": "equal",
                "base": { "chisq": fm(&m.base, "chisq"), "df": fm(&m.base, "df"), "cfi": fm(&m.base, "cfi") },
                "method": { "chisq": fm(&m.method, "chisq"), "df": fm(&m.method, "df"), "cfi": fm(&m.method, "cfi") },
                "delta_chisq": num(m.difference.chisq), "delta_df": num(m.difference.df),
                "pvalue": num(m.difference.pvalue), "delta_cfi": num(m.delta_cfi),
                "method_share": num(m.method_share),
                "std_method_loadings": Value::Object(m.method_loadings.iter().map(|(k, v)| (k.clone(), num(*v))).collect()),
                "warnings": m.warnings.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
            })
        }
        Err(e) => json!({ "error": e }),
    };
    json!({ "harman": harman, "common_latent_factor": clf })
}
