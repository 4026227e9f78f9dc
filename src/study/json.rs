//! The JSON of the study results, and thin functions returning the JSON object of each fitted
//! type (its `Serialize` implementation; docs/json.md).
use serde::{Serialize, Serializer};
use serde_json::{Map, Value, json};

use super::*;
use crate::factor::{EfaFit, KmoFit};
use crate::regression::OlsFit;
use crate::reliability::AlphaFit;
use crate::resample::Interval;
use crate::sem::{MultiGroupFit, SemFit};
use crate::serialize::{matrix, named};
pub(super) use crate::serialize::{num, opt};

fn object<T: Serialize + ?Sized>(x: &T) -> Value {
    serde_json::to_value(x).unwrap_or(Value::Null)
}
fn map<T: Serialize + ?Sized>(x: &T) -> Map<String, Value> {
    match object(x) {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}
fn interval(i: Option<Interval>) -> Value {
    match i {
        Some(i) => json!({"level": num(i.level), "lower": num(i.lower), "upper": num(i.upper)}),
        None => Value::Null,
    }
}

/// The JSON object of an alpha fit (its `Serialize`).
pub fn alpha(fit: &AlphaFit) -> Value {
    object(fit)
}

/// The JSON object of a KMO fit (its `Serialize`).
pub fn kmo(fit: &KmoFit) -> Value {
    object(fit)
}

/// The JSON object of an EFA fit (its `Serialize`).
pub fn efa(fit: &EfaFit) -> Value {
    object(fit)
}

/// The JSON object of a SEM fit (its `Serialize`).
pub fn sem(fit: &SemFit) -> Map<String, Value> {
    map(fit)
}

/// The JSON object of a multi-group SEM fit (its `Serialize`).
pub fn multigroup(fit: &MultiGroupFit) -> Map<String, Value> {
    map(fit)
}

/// The JSON object of an OLS fit (its `Serialize`: without residuals and fitted values).
pub fn ols(fit: &OlsFit) -> Value {
    object(fit)
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
    let mut pa = map(&r.parallel);
    pa.insert("seed".into(), json!(r.config.seed));
    out.insert("parallel".into(), Value::Object(pa));
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

/// The whole study as one object: the fields of [`StudyResults::to_json_value`].
impl Serialize for StudyResults {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        results(self).serialize(s)
    }
}

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
