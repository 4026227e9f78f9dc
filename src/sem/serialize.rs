//! `Serialize` of the SEM fits: the JSON objects of `surveystat sem` (single- and
//! multi-group, with modification indices and the bootstrap; docs/json.md).

use serde::{Serialize, Serializer};
use serde_json::{Map, Value, json};

use super::{ModIndex, MultiGroupFit, SemBootstrapFit, SemFit};
use crate::serialize::{named, num, opt, via_value, warnings};

fn sem_value(fit: &SemFit) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("parameters".into(), json!(fit.parameters()));
    m.insert("fit".into(), named(fit.fit_measures()));
    m.insert("r_squared".into(), named(fit.r_squared()));
    m.insert("n_obs".into(), json!(fit.n_obs()));
    m.insert("converged".into(), json!(fit.convergence().converged));
    m.insert("iterations".into(), json!(fit.convergence().iterations));
    m.insert("warnings".into(), warnings(fit.warnings()));
    let cons = fit.constraints();
    if !cons.is_empty() {
        let rows: Vec<Value> = cons
            .iter()
            .map(|c| json!({"lhs": c.lhs, "op": c.op, "rhs": c.rhs, "slack": num(c.slack)}))
            .collect();
        m.insert("constraints".into(), Value::Array(rows));
    }
    if fit.config().is_ordinal() {
        let param = match fit.config().parameterization_kind() {
            super::Parameterization::Theta => "theta",
            _ => "delta",
        };
        m.insert(
            "options".into(),
            json!({"conditional_x": fit.conditional_x(), "parameterization": param}),
        );
    }
    m
}

/// lavaan's `parameterEstimates` and `fitMeasures`: `parameters` [{lhs, op, rhs, label, est,
/// se, z, pvalue, ci_lower, ci_upper, std_lv, std_all}], `fit` {lavaan fit-measure name:
/// value}, `r_squared`, `n_obs`, `converged`, `iterations`, `warnings`, and `constraints`
/// [{lhs, op, rhs, slack}] when the model has (in)equality constraints; with ordered indicators
/// `options` {conditional_x (lavaan's `conditional.x`), parameterization}.
impl Serialize for SemFit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        via_value(Value::Object(sem_value(self)), s)
    }
}

fn multigroup_value(fit: &MultiGroupFit) -> Map<String, Value> {
    let groups: Vec<Value> = fit
        .groups()
        .iter()
        .map(|g| {
            json!({
                "group": g.name(), "n_obs": g.n_obs(), "chisq": num(g.chisq()),
                "parameters": g.parameters(), "r_squared": named(g.r_squared()),
            })
        })
        .collect();
    let mut m = Map::new();
    m.insert(
        "constraints".into(),
        json!(fit.config().constraints().iter().map(|c| c.name()).collect::<Vec<_>>()),
    );
    m.insert("groups".into(), Value::Array(groups));
    m.insert("defined".into(), json!(fit.defined()));
    m.insert("fit".into(), named(fit.fit_measures()));
    m.insert("n_obs".into(), json!(fit.n_obs()));
    m.insert("converged".into(), json!(fit.convergence().converged));
    m.insert("iterations".into(), json!(fit.convergence().iterations));
    m.insert("warnings".into(), warnings(fit.warnings()));
    m
}

/// Multi-group SEM: `constraints` (the equality constraints across groups), `groups` [{group,
/// n_obs, chisq, parameters (the SEM row format, including `~1` rows), r_squared}], `defined`,
/// `fit`, `n_obs`, `converged`, `iterations`, `warnings`.
impl Serialize for MultiGroupFit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        via_value(Value::Object(multigroup_value(self)), s)
    }
}

/// The bootstrap of a SEM: `replications`, `used`, `nonconverged`, `failed_other`,
/// `inadmissible`, `level`, `bollen_stine_pvalue`, and per free parameter `parameters`
/// [{name, est, se, perc_lower, perc_upper, bca_lower, bca_upper}].
impl Serialize for SemBootstrapFit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let se = self.se();
        let perc = self.percentile(self.config_level());
        let bca = self.bca(self.config_level());
        let rows: Vec<Value> = self
            .names()
            .iter()
            .enumerate()
            .map(|(j, n)| {
                json!({
                    "name": n, "est": num(self.estimate()[j]), "se": num(se[j]),
                    "perc_lower": opt(perc[j].map(|i| i.lower)), "perc_upper": opt(perc[j].map(|i| i.upper)),
                    "bca_lower": opt(bca[j].map(|i| i.lower)), "bca_upper": opt(bca[j].map(|i| i.upper)),
                })
            })
            .collect();
        via_value(
            json!({
                "replications": self.n_requested(),
                "used": self.n_used(),
                "nonconverged": self.n_nonconverged(),
                "failed_other": self.n_errors(),
                "inadmissible": self.n_inadmissible(),
                "level": num(self.config_level()),
                "bollen_stine_pvalue": opt(self.bollen_stine_pvalue()),
                "parameters": rows,
            }),
            s,
        )
    }
}

/// A SEM fit (single- or multi-group: any type that serializes to an object) with the
/// optional parts of its JSON object: `modindices` [{lhs, op, rhs, mi, epc, sepc.lv, sepc.all,
/// sepc.nox}] (lavaan's column names) and `bootstrap` (the [`SemBootstrapFit`] object).
#[derive(Debug, Clone)]
pub struct SemReport<'a, F> {
    fit: &'a F,
    modindices: Option<Vec<ModIndex>>,
    bootstrap: Option<&'a SemBootstrapFit>,
}

impl<'a, F: Serialize> SemReport<'a, F> {
    /// The report of `fit` alone.
    pub fn new(fit: &'a F) -> Self {
        Self { fit, modindices: None, bootstrap: None }
    }
    /// Add modification indices (for example the largest of [`SemFit::modindices`]).
    pub fn modindices(mut self, mi: Vec<ModIndex>) -> Self {
        self.modindices = Some(mi);
        self
    }
    /// Add the bootstrap.
    pub fn bootstrap(mut self, b: &'a SemBootstrapFit) -> Self {
        self.bootstrap = Some(b);
        self
    }
}

impl<F: Serialize> Serialize for SemReport<'_, F> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v = serde_json::to_value(self.fit).map_err(serde::ser::Error::custom)?;
        if let Value::Object(m) = &mut v {
            if let Some(b) = self.bootstrap {
                m.insert("bootstrap".into(), json!(b));
            }
            if let Some(mi) = &self.modindices {
                let rows: Vec<Value> = mi
                    .iter()
                    .map(|m| {
                        json!({
                            "lhs": m.lhs, "op": m.op, "rhs": m.rhs, "mi": num(m.mi), "epc": num(m.epc),
                            "sepc.lv": num(m.sepc_lv), "sepc.all": num(m.sepc_all), "sepc.nox": num(m.sepc_nox),
                        })
                    })
                    .collect();
                m.insert("modindices".into(), Value::Array(rows));
            }
        }
        via_value(v, s)
    }
}
