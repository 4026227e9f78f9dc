//! `Serialize` of the factor-analysis fits: the JSON objects of `surveystat kmo`, `efa` and
//! `parallel` (docs/json.md).

use serde::{Serialize, Serializer};
use serde_json::{Map, Value, json};

use super::{EfaFit, Extraction, KmoFit, ParallelFit};
use crate::serialize::{matrix, num, vector, via_value, warnings};

/// KMO fields (DESIGN.md): `msa`, `msa_items` {item: value}, `bartlett` {chisq, df, pvalue},
/// plus `eigenvalues`, `n_obs` and `warnings`.
impl Serialize for KmoFit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let items: Map<String, Value> = self
            .names()
            .iter()
            .zip(self.msa_items().iter())
            .map(|(n, v)| (n.clone(), num(*v)))
            .collect();
        let b = self.bartlett();
        via_value(
            json!({
                "msa": num(self.msa()),
                "msa_items": items,
                "bartlett": {"chisq": num(b.chisq), "df": num(b.df), "pvalue": num(b.p_value)},
                "eigenvalues": vector(self.eigenvalues()),
                "n_obs": self.n_obs(),
                "warnings": warnings(self.warnings()),
            }),
            s,
        )
    }
}

/// EFA fields (DESIGN.md): `items`, `factors`, `loadings` (rows = items), `communalities`,
/// `uniquenesses`, `phi`, `ss_loadings`, `fit`, `n_obs`, `converged` (extraction and rotation)
/// and `warnings`. `fit` is given for every extraction method, as psych's `fa` reports it (for
/// minres, pa and uls the ML criterion evaluated at their solution): `chisq`, `df`, `pvalue`,
/// `rmsea` with `rmsea_lower` / `rmsea_upper`, `tli`, `bic`, `sabic`, `objective`,
/// `null_chisq`, `null_df`, the empirical χ² (`empirical_chisq`, `empirical_pvalue`), `rmsr`,
/// `crmsr` and `n_harmonic` (psych's `nh`); PCA has no fit (`null`).
impl Serialize for EfaFit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let fs = self.fit_statistics();
        let fit_block = if self.config_extraction() != Extraction::Pca {
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
        via_value(
            json!({
                "items": self.names(),
                "factors": self.factor_names(),
                "loadings": matrix(self.loadings()),
                "communalities": vector(self.communalities()),
                "uniquenesses": vector(self.uniquenesses()),
                "phi": matrix(self.phi()),
                "ss_loadings": vector(self.ss_loadings()),
                "fit": fit_block,
                "n_obs": self.n_obs(),
                "converged": self.convergence().converged && self.rotation_convergence().converged,
                "warnings": warnings(self.warnings()),
            }),
            s,
        )
    }
}

/// Parallel-analysis fields (psych `fa.parallel`): `replications`, `source`,
/// `criterion_components`, `criterion_factors`, `n_components`, `n_factors`, and the
/// eigenvalue series `observed_*`, `reference_*`, `mean_*` (`_components`, `_factors`), and
/// `warnings`.
impl Serialize for ParallelFit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        via_value(
            json!({
                "replications": self.replications(),
                "source": format!("{:?}", self.source()),
                "criterion_components": format!("{:?}", self.criterion_components()),
                "criterion_factors": format!("{:?}", self.criterion_factors()),
                "n_components": self.n_components(),
                "n_factors": self.n_factors(),
                "observed_components": vector(self.observed_components()),
                "observed_factors": vector(self.observed_factors()),
                "reference_components": vector(self.reference_components()),
                "reference_factors": vector(self.reference_factors()),
                "mean_components": vector(self.mean_components()),
                "mean_factors": vector(self.mean_factors()),
                "warnings": warnings(self.warnings()),
            }),
            s,
        )
    }
}

/// The EFA's fields plus, with scores, `scores` {method (psych's name), weights, values}.
impl Serialize for super::EfaReport<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut v = serde_json::to_value(self.fit).map_err(serde::ser::Error::custom)?;
        if let (Some(sc), Value::Object(o)) = (self.scores, &mut v) {
            o.insert(
                "scores".into(),
                json!({
                    "method": sc.method.psych_name(),
                    "weights": matrix(&sc.weights),
                    "values": matrix(&sc.values),
                }),
            );
        }
        via_value(v, s)
    }
}
