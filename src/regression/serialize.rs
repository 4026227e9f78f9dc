//! `Serialize` of the regression fits: the JSON objects of `surveystat ols`, `glm` and
//! `process` (docs/json.md).

use serde::{Serialize, Serializer};
use serde_json::{Map, Value, json};

use super::{
    ConditionalIndirect, FTest, GlmFit, LrTest, Mediation, ModeratedMediation, Moderation, OlsFit,
    Prediction, ProfileCi,
};
use crate::resample::Interval;
use crate::serialize::{num, slice, via_value, warnings};

/// The contract object of an OLS fit, without residuals and fitted values.
fn ols_value(fit: &OlsFit) -> Map<String, Value> {
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
    let v = json!({
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
        "weights": fit.config().weights_column(),
        "cluster": fit.config().cluster_column(),
        "n_clusters": fit.n_clusters(),
        "warnings": warnings(&fit.warnings()),
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// `summary(lm())`'s numbers: `formula`, `se_type`, `ci_level`, `coefficients` [{term,
/// estimate, std_error, t_value, p_value, ci_lower, ci_upper}], `classical_std_errors`,
/// `sigma`, `r_squared`, `adj_r_squared`, `f_statistic`, `f_df1`, `f_df2`, `f_pvalue`,
/// `df_residual`, `log_lik`, `aic`, `bic`, `n_obs`, `n_dropped`, `aliased`, `vif`,
/// `durbin_watson`, `breusch_pagan`, `weights`, `cluster`, `n_clusters`, `warnings`. Residuals
/// and fitted values are left out; [`OlsReport::residuals`] adds them.
impl Serialize for OlsFit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        via_value(Value::Object(ols_value(self)), s)
    }
}

/// An OLS fit with the optional parts of its JSON object: linear-hypothesis `tests`,
/// `predictions` for new data, and the `residuals` and `fitted_values` of the estimation rows.
/// It serializes to the fit's object plus `tests` (always, possibly empty) and the parts asked
/// for.
#[derive(Debug, Clone)]
pub struct OlsReport<'a> {
    fit: &'a OlsFit,
    tests: Vec<(String, FTest)>,
    prediction: Option<Prediction>,
    residuals: bool,
}

impl<'a> OlsReport<'a> {
    /// The report of `fit` alone.
    pub fn new(fit: &'a OlsFit) -> Self {
        Self { fit, tests: Vec::new(), prediction: None, residuals: false }
    }
    /// Add the result of [`OlsFit::linear_hypothesis`] for `hypothesis`.
    pub fn test(mut self, hypothesis: impl Into<String>, result: FTest) -> Self {
        self.tests.push((hypothesis.into(), result));
        self
    }
    /// Add predictions for new data ([`OlsFit::predict`]).
    pub fn prediction(mut self, p: Prediction) -> Self {
        self.prediction = Some(p);
        self
    }
    /// Include the residuals and fitted values (`residuals`, `fitted_values`).
    pub fn residuals(mut self, yes: bool) -> Self {
        self.residuals = yes;
        self
    }
}

impl Serialize for OlsReport<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let fit = self.fit;
        let mut o = ols_value(fit);
        let t: Vec<Value> = self
            .tests
            .iter()
            .map(|(h, t)| {
                json!({"hypothesis": h, "f": num(t.value), "df1": t.df1, "df2": t.df2,
                       "p_value": num(t.p_value), "se_type": fit.se_type().name()})
            })
            .collect();
        o.insert("tests".into(), Value::Array(t));
        if let Some(p) = &self.prediction {
            let rows: Vec<Value> = (0..p.rows.len())
                .map(|i| {
                    json!({"row": p.rows[i] + 1, "fit": num(p.fit[i]), "se_fit": num(p.se_fit[i]),
                           "conf_lower": num(p.conf_lower[i]), "conf_upper": num(p.conf_upper[i]),
                           "pred_lower": num(p.pred_lower[i]), "pred_upper": num(p.pred_upper[i])})
                })
                .collect();
            o.insert("predictions".into(), json!({"level": p.level, "rows": rows}));
        }
        if self.residuals {
            let r: Vec<f64> = fit.residuals().to_vec();
            let f: Vec<f64> = fit.fitted_values().to_vec();
            o.insert("residuals".into(), slice(&r));
            o.insert("fitted_values".into(), slice(&f));
        }
        via_value(Value::Object(o), s)
    }
}

fn glm_value(fit: &GlmFit) -> Map<String, Value> {
    let (family, link) = fit.family().names();
    let (e, lo, hi) = fit.exp_coefficients();
    let robust = fit.vcov_robust(false);
    let coefs: Vec<Value> = (0..fit.terms().len())
        .map(|k| {
            json!({"term": fit.terms()[k], "estimate": num(fit.coefficients()[k]),
                   "std_error": num(fit.std_errors()[k]), "z_value": num(fit.z_values()[k]),
                   "p_value": num(fit.p_values()[k]), "ci_lower": num(fit.ci_lower()[k]),
                   "ci_upper": num(fit.ci_upper()[k]), "exp_estimate": num(e[k]),
                   "exp_ci_lower": num(lo[k]), "exp_ci_upper": num(hi[k]),
                   "robust_std_error": num(robust[[k, k]].sqrt())})
        })
        .collect();
    let v = json!({
        "family": family, "link": link, "response": fit.response(), "n": fit.n_obs(),
        "ci_level": fit.ci_level(), "interval": "wald",
        "coefficients": coefs,
        "deviance": num(fit.deviance()), "null_deviance": num(fit.null_deviance()),
        "df_residual": fit.df_residual(), "df_null": fit.df_null(),
        "aic": num(fit.aic()), "bic": num(fit.bic()), "log_lik": num(fit.log_lik()),
        "iterations": fit.iterations(), "converged": fit.converged(),
        "warnings": warnings(fit.warnings()),
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// `summary(glm())`'s numbers: `family`, `link`, `response`, `n`, `ci_level`, `interval`,
/// `coefficients` [{term, estimate, std_error, z_value, p_value, ci_lower, ci_upper,
/// exp_estimate, exp_ci_lower, exp_ci_upper, robust_std_error}], `deviance`, `null_deviance`,
/// `df_residual`, `df_null`, `aic`, `bic`, `log_lik`, `iterations`, `converged`, `warnings`.
impl Serialize for GlmFit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        via_value(Value::Object(glm_value(self)), s)
    }
}

/// Profile-likelihood intervals: `level`, `cutoff`, `method`, `intervals` [{term, lower,
/// upper, exp_lower, exp_upper, evaluations}] and `warnings`.
impl Serialize for ProfileCi {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let opt = |v: Option<f64>| v.map_or(Value::Null, num);
        let rows: Vec<Value> = self
            .intervals
            .iter()
            .map(|iv| {
                json!({"term": iv.term, "lower": opt(iv.lower), "upper": opt(iv.upper),
                       "exp_lower": opt(iv.lower.map(f64::exp)), "exp_upper": opt(iv.upper.map(f64::exp)),
                       "evaluations": iv.evaluations})
            })
            .collect();
        via_value(
            json!({"level": self.level, "cutoff": num(self.cutoff),
                   "method": "profile likelihood, exact roots", "intervals": rows,
                   "warnings": warnings(&self.warnings)}),
            s,
        )
    }
}

/// A GLM fit with the optional parts of its JSON object: the likelihood-ratio tests of each
/// term (`lr_tests`, always present, possibly empty) and the profile-likelihood intervals
/// (`profile_ci`, whose warnings are also appended to `warnings`).
#[derive(Debug, Clone)]
pub struct GlmReport<'a> {
    fit: &'a GlmFit,
    lr_tests: Vec<LrTest>,
    profile: Option<ProfileCi>,
}

impl<'a> GlmReport<'a> {
    /// The report of `fit` alone.
    pub fn new(fit: &'a GlmFit) -> Self {
        Self { fit, lr_tests: Vec::new(), profile: None }
    }
    /// Add the likelihood-ratio tests ([`GlmFit::lr_tests`]).
    pub fn lr_tests(mut self, tests: Vec<LrTest>) -> Self {
        self.lr_tests = tests;
        self
    }
    /// Add profile-likelihood intervals ([`GlmFit::confint_profile`]).
    pub fn profile(mut self, p: ProfileCi) -> Self {
        self.profile = Some(p);
        self
    }
}

impl Serialize for GlmReport<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut o = glm_value(self.fit);
        let t: Vec<Value> = self
            .lr_tests
            .iter()
            .map(|r| json!({"term": r.term, "df": r.df, "lr": num(r.statistic), "p_value": num(r.p_value)}))
            .collect();
        o.insert("lr_tests".into(), Value::Array(t));
        if let Some(p) = &self.profile {
            o.insert("profile_ci".into(), serde_json::to_value(p).unwrap_or(Value::Null));
            if let Some(Value::Array(w)) = o.get_mut("warnings") {
                w.extend(p.warnings.iter().map(|x| Value::String(x.to_string())));
            }
        }
        via_value(Value::Object(o), s)
    }
}

fn pair(i: &Interval) -> Value {
    json!([num(i.lower), num(i.upper)])
}

/// A conditional indirect effect: `w`, `effect`, `boot_se`, `percentile` [lower, upper] and
/// `bca` [lower, upper] (`null` where undefined).
impl Serialize for ConditionalIndirect {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        via_value(
            json!({"w": num(self.w), "effect": num(self.effect), "boot_se": num(self.boot_se),
                   "percentile": pair(&self.percentile), "bca": self.bca.as_ref().map(pair)}),
            s,
        )
    }
}

/// PROCESS model 1: the `regression` (the OLS object), `r2_change`, `conditional_effects`,
/// the Johnson–Neyman values `johnson_neyman`, the observed range `w_range` and the
/// plot-ready `johnson_neyman_table`.
impl Serialize for Moderation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        via_value(
            json!({
                "regression": self.fit_result(),
                "r2_change": num(self.r2_change()),
                "conditional_effects": self.conditional_effects(),
                "johnson_neyman": slice(self.johnson_neyman()),
                "w_range": [num(self.w_range().0), num(self.w_range().1)],
                "johnson_neyman_table": self.johnson_neyman_table(),
            }),
            s,
        )
    }
}

/// PROCESS model 4: `direct`, `direct_se`, `total`, `total_se` and per mediator `indirect`
/// [{m, a, b, indirect, boot_se, percentile, bca}].
impl Serialize for Mediation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let y = self.y_model();
        let ind: Vec<Value> = (0..self.indirect().len())
            .map(|j| {
                json!({"m": y.terms().get(2 + j), "a": num(self.a_paths()[j].coefficients()[1]),
                       "b": num(y.coefficients()[2 + j]),
                       "indirect": num(self.indirect()[j]), "boot_se": num(self.boot_se()[j]),
                       "percentile": pair(&self.percentile_intervals()[j]),
                       "bca": self.bca_intervals()[j].as_ref().map(pair)})
            })
            .collect();
        via_value(
            json!({
                "direct": num(y.coefficients()[1]),
                "direct_se": num(y.std_errors()[1]),
                "total": num(self.total_model().coefficients()[1]),
                "total_se": num(self.total_model().std_errors()[1]),
                "indirect": ind,
            }),
            s,
        )
    }
}

/// PROCESS models 7, 8, 14, 58, 59: `model`, the regressions `m_model` and `y_model`,
/// `direct`, `conditional_indirect`, `index_of_moderated_mediation` and the Johnson–Neyman
/// analyses `johnson_neyman` {a_path, b_path, direct}.
impl Serialize for ModeratedMediation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        via_value(
            json!({
                "model": self.model(),
                "m_model": self.m_model(),
                "y_model": self.y_model(),
                "direct": self.direct(),
                "conditional_indirect": self.conditional_indirect(),
                "index_of_moderated_mediation": self.index(),
                "johnson_neyman": {
                    "a_path": self.johnson_neyman_a(),
                    "b_path": self.johnson_neyman_b(),
                    "direct": self.johnson_neyman_direct(),
                },
            }),
            s,
        )
    }
}
