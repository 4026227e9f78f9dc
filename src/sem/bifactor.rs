//! ω from a fitted bifactor CFA: ω total, ω hierarchical, ω / ω_hs per group factor and the
//! explained common variance (Rodriguez, Reise & Haviland 2016; semTools `compRelSEM`).

use std::collections::HashMap;

use super::*;

/// Reliability coefficients of one group (specific) factor of a bifactor model.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BifactorGroup {
    /// The group factor.
    pub name: String,
    /// Its indicators.
    pub items: Vec<String>,
    /// ω_s: share of the variance of the subscale sum due to the general and this factor.
    pub omega_s: f64,
    /// ω_hs: share of the variance of the subscale sum due to this factor alone.
    pub omega_hs: f64,
    /// ω_s with the sample variance of the subscale sum in the denominator.
    pub omega_s_observed: f64,
    /// ω_hs with the sample variance of the subscale sum (semTools `compRelSEM` default).
    pub omega_hs_observed: f64,
    /// ω_s of the sum of the standardized items (std.all loadings; Rodriguez et al.).
    pub omega_s_std: f64,
    /// ω_hs of the sum of the standardized items (std.all loadings; Rodriguez et al.).
    pub omega_hs_std: f64,
    /// Explained common variance of this group factor within its items:
    /// Σ l_s² / (Σ l_g² + Σ l_s²) over its items (standardized loadings).
    pub ecv_s: f64,
}

/// ω coefficients of a bifactor model, from [`SemFit::omega_bifactor`].
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BifactorOmega {
    /// The general factor.
    pub general: String,
    /// Indicators of the general factor (the items of the total score).
    pub items: Vec<String>,
    /// ω total: share of the variance of the total score due to all common factors
    /// (model-implied variance in the denominator).
    pub omega_total: f64,
    /// ω hierarchical: share due to the general factor alone.
    pub omega_h: f64,
    /// ω total with the sample variance of the total score in the denominator.
    pub omega_total_observed: f64,
    /// ω hierarchical with the sample variance of the total score (semTools default).
    pub omega_h_observed: f64,
    /// ω total of the sum of the standardized items: std.all loadings l, θ = 1 − h²
    /// (the formulas as printed by Rodriguez, Reise & Haviland 2016).
    pub omega_total_std: f64,
    /// ω hierarchical of the sum of the standardized items (std.all loadings).
    pub omega_h_std: f64,
    /// Explained common variance of the general factor: Σ l_g² / (Σ l_g² + Σ_s Σ l_s²).
    pub ecv: f64,
    /// One entry per group factor, in the model's order of latent variables.
    pub groups: Vec<BifactorGroup>,
    /// Negative general loadings (reverse-key the item), non-positive-definite moments.
    pub warnings: Vec<Warning>,
}

impl SemFit {
    /// ω coefficients of a bifactor model with general factor `general`: every other latent
    /// variable is a group factor, every indicator loads on the general factor and on at most
    /// one group factor, and all factors are uncorrelated.
    ///
    /// # Formula
    /// With a_i = λ_gi √ψ_g, b_i = λ_si √ψ_s (ψ the model-implied factor variances), V = 1ᵀΣ̂1
    /// over the items of the general factor (or 1ᵀS1 for the `_observed` variants), and V_s the
    /// same over the items of group factor s:
    /// ```text
    /// ω_total = ((Σa)² + Σ_s (Σ_{i∈s} b_i)²) / V      ω_h  = (Σa)² / V
    /// ω_s     = ((Σ_{i∈s} a_i)² + (Σ_{i∈s} b_i)²) / V_s  ω_hs = (Σ_{i∈s} b_i)² / V_s
    /// ECV     = Σ l_g² / (Σ l_g² + Σ_s Σ l_s²)         (l: std.all loadings)
    /// ```
    /// The `_std` variants use l = a/√σ̂_ii, b/√σ̂_ii and the model-implied correlation matrix
    /// (the reliability of the sum of standardized items, as Rodriguez et al. print them).
    /// Without correlated residuals V equals (Σa)² + Σ_s(Σb)² + Σθ, the denominator of
    /// Rodriguez, Reise & Haviland (2016). semTools `compRelSEM(fit, return.total = TRUE)` gives
    /// ω_h_observed (its column of the general factor), ω_hs_observed (group columns) and
    /// ω_total_observed (`total`); with `obs.var = FALSE` the model-implied variants.
    ///
    /// # Errors
    /// [`Error::UnknownVariable`] if `general` is not a latent variable;
    /// [`Error::InvalidParameter`] if the model is not a bifactor model as described above
    /// (an indicator outside the general factor, an item on two group factors, a latent
    /// indicator, correlated factors).
    ///
    /// # References
    /// Rodriguez, A., Reise, S. P. & Haviland, M. G. (2016). Evaluating bifactor models:
    /// calculating and interpreting statistical indices. *Psychological Methods* 21, 137–150.
    pub fn omega_bifactor(&self, general: &str) -> Result<BifactorOmega> {
        let bad = |why: String| Error::invalid("omega_bifactor", why);
        let gi = self
            .lv
            .iter()
            .position(|f| f == general)
            .ok_or_else(|| Error::UnknownVariable { name: general.to_string() })?;
        let ov_idx: HashMap<&str, usize> =
            self.ov.iter().enumerate().map(|(i, v)| (v.as_str(), i)).collect();
        let mats = self.st.matrices(&self.theta);
        let imp = self.st.implied(&mats)?;
        let eta = self.st.eta_cov(&mats, &imp);
        let nl = self.lv.len();
        for (i, fi) in self.lv.iter().enumerate() {
            for (j, fj) in self.lv.iter().enumerate().take(i) {
                let r = eta[[i, j]] / (eta[[i, i]] * eta[[j, j]]).abs().sqrt();
                if r.is_nan() || r.abs() > 1e-8 {
                    return Err(bad(format!(
                        "factors `{fi}` and `{fj}` correlate ({r:.3}); a bifactor model needs \
                         uncorrelated factors (orthogonal = TRUE or `F1 ~~ 0*F2`)"
                    )));
                }
            }
        }
        // loadings: (factor index, item index, unstandardized × √ψ, std.all)
        let mut load: Vec<(usize, usize, f64, f64)> = Vec::new();
        for r in self.rows.iter().filter(|r| r.op == "=~") {
            let f = self.lv.iter().position(|x| *x == r.lhs).unwrap_or(usize::MAX);
            let Some(&i) = ov_idx.get(r.rhs.as_str()) else {
                return Err(bad(format!("`{}` loads on the latent `{}`", r.lhs, r.rhs)));
            };
            if f >= nl {
                continue;
            }
            load.push((f, i, r.est * eta[[f, f]].max(0.0).sqrt(), r.std_all.unwrap_or(f64::NAN)));
        }
        let p = self.ov.len();
        let mut a = vec![0.0; p];
        let mut lg = vec![0.0; p];
        let mut on_g = vec![false; p];
        let mut group_of = vec![usize::MAX; p];
        let mut b = vec![0.0; p];
        let mut ls = vec![0.0; p];
        for &(f, i, v, s) in &load {
            if f == gi {
                on_g[i] = true;
                a[i] = v;
                lg[i] = s;
            } else {
                if group_of[i] != usize::MAX {
                    return Err(bad(format!(
                        "`{}` loads on two group factors (`{}`, `{}`)",
                        self.ov[i], self.lv[group_of[i]], self.lv[f]
                    )));
                }
                group_of[i] = f;
                b[i] = v;
                ls[i] = s;
            }
        }
        for ((name, &f), &g) in self.ov.iter().zip(&group_of).zip(&on_g) {
            if f != usize::MAX && !g {
                return Err(bad(format!(
                    "`{name}` loads on `{}` but not on the general factor `{general}`",
                    self.lv[f]
                )));
            }
        }
        let items: Vec<usize> = (0..p).filter(|&i| on_g[i]).collect();
        // the model-implied correlation matrix: the standardized items' covariance
        let sd: Vec<f64> = (0..p).map(|i| self.implied[[i, i]].max(0.0).sqrt()).collect();
        let rho = Array2::from_shape_fn((p, p), |(i, j)| self.implied[[i, j]] / (sd[i] * sd[j]));
        let a_std: Vec<f64> = (0..p).map(|i| a[i] / sd[i]).collect();
        let b_std: Vec<f64> = (0..p).map(|i| b[i] / sd[i]).collect();
        let quad = |m: &Array2<f64>, idx: &[usize]| -> f64 {
            idx.iter().map(|&i| idx.iter().map(|&j| m[[i, j]]).sum::<f64>()).sum()
        };
        let sum_over = |v: &[f64], idx: &[usize]| idx.iter().map(|&i| v[i]).sum::<f64>();
        let general_part = sum_over(&a, &items).powi(2);
        let general_std = sum_over(&a_std, &items).powi(2);
        let mut groups = Vec::new();
        let mut specific_part = 0.0;
        let mut specific_std = 0.0;
        let mut ss_s = 0.0;
        for f in (0..nl).filter(|&f| f != gi) {
            let idx: Vec<usize> = (0..p).filter(|&i| group_of[i] == f).collect();
            if idx.is_empty() {
                continue;
            }
            let bs = sum_over(&b, &idx).powi(2);
            let as_ = sum_over(&a, &idx).powi(2);
            specific_part += bs;
            let (bs_std, as_std) = (sum_over(&b_std, &idx).powi(2), sum_over(&a_std, &idx).powi(2));
            specific_std += bs_std;
            let vr = quad(&rho, &idx);
            let (vi, vo) = (quad(&self.implied, &idx), quad(&self.sample, &idx));
            let sq = |v: &[f64]| idx.iter().map(|&i| v[i] * v[i]).sum::<f64>();
            ss_s += sq(&ls);
            groups.push(BifactorGroup {
                name: self.lv[f].clone(),
                items: idx.iter().map(|&i| self.ov[i].clone()).collect(),
                omega_s: (as_ + bs) / vi,
                omega_hs: bs / vi,
                omega_s_observed: (as_ + bs) / vo,
                omega_hs_observed: bs / vo,
                omega_s_std: (as_std + bs_std) / vr,
                omega_hs_std: bs_std / vr,
                ecv_s: sq(&ls) / (sq(&lg) + sq(&ls)),
            });
        }
        let (vi, vo) = (quad(&self.implied, &items), quad(&self.sample, &items));
        let ss_g: f64 = items.iter().map(|&i| lg[i] * lg[i]).sum();
        let mut warnings = Vec::new();
        for &i in &items {
            if a[i] < 0.0 {
                warnings.push(Warning::Other {
                    message: format!(
                        "`{}` loads negatively on the general factor: reverse-key it, ω sums \
                         signed loadings",
                        self.ov[i]
                    ),
                });
            }
        }
        Ok(BifactorOmega {
            general: general.to_string(),
            items: items.iter().map(|&i| self.ov[i].clone()).collect(),
            omega_total: (general_part + specific_part) / vi,
            omega_h: general_part / vi,
            omega_total_observed: (general_part + specific_part) / vo,
            omega_h_observed: general_part / vo,
            omega_total_std: (general_std + specific_std) / quad(&rho, &items),
            omega_h_std: general_std / quad(&rho, &items),
            ecv: ss_g / (ss_g + ss_s),
            groups,
            warnings,
        })
    }
}

/// lavaan syntax of a bifactor CFA: `general` loads on every item, each group factor on its
/// items, and every pair of factors is fixed uncorrelated. Fit it with
/// [`Sem::std_lv`]`(true)` so that all loadings are free.
///
/// # Examples
/// ```
/// use surveystat::sem::bifactor_syntax;
/// let m = bifactor_syntax("G", &[("F1", &["a", "b"][..]), ("F2", &["c", "d"][..])]);
/// assert!(m.starts_with("G =~ a + b + c + d"));
/// ```
pub fn bifactor_syntax<S: AsRef<str>>(general: &str, groups: &[(S, &[S])]) -> String {
    let items: Vec<&str> =
        groups.iter().flat_map(|(_, it)| it.iter().map(|s| s.as_ref())).collect();
    let mut m = format!("{general} =~ {}\n", items.join(" + "));
    for (name, it) in groups {
        let it: Vec<&str> = it.iter().map(|s| s.as_ref()).collect();
        m.push_str(&format!("{} =~ {}\n", name.as_ref(), it.join(" + ")));
    }
    let names: Vec<&str> =
        std::iter::once(general).chain(groups.iter().map(|(n, _)| n.as_ref())).collect();
    for (i, a) in names.iter().enumerate() {
        for b in &names[i + 1..] {
            m.push_str(&format!("{a} ~~ 0*{b}\n"));
        }
    }
    m
}

/// A bifactor CFA with its ω coefficients (`surveystat omega --bifactor`): prints as a table
/// and serializes as {model, general, items, fit {chisq, df, pvalue, cfi, tli, rmsea, srmr},
/// omega_total, omega_h, their `_observed` and `_std` variants, ecv, groups [...], warnings}.
#[derive(Debug, Clone, Copy)]
pub struct BifactorReport<'a> {
    model: &'a str,
    omega: &'a BifactorOmega,
    fit: &'a SemFit,
}

impl<'a> BifactorReport<'a> {
    /// The report of `omega`, computed from `fit`, the fit of the lavaan syntax `model`.
    pub fn new(model: &'a str, omega: &'a BifactorOmega, fit: &'a SemFit) -> Self {
        Self { model, omega, fit }
    }

    /// The lavaan syntax of the fitted bifactor model.
    pub fn model(&self) -> &str {
        self.model
    }

    fn measure(&self, k: &str) -> f64 {
        self.fit.fit_measure(k).unwrap_or(f64::NAN)
    }

    fn warning_texts(&self) -> impl Iterator<Item = String> + '_ {
        self.omega.warnings.iter().chain(self.fit.warnings()).map(|w| w.to_string())
    }
}

impl std::fmt::Display for BifactorReport<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let om = self.omega;
        writeln!(f, "Omega from a bifactor CFA (ML, general factor {})", om.general)?;
        writeln!(
            f,
            "chi-square {:.3} on {:.0} df, CFI {:.3}, RMSEA {:.3}, SRMR {:.3}\n",
            self.measure("chisq"),
            self.measure("df"),
            self.measure("cfi"),
            self.measure("rmsea"),
            self.measure("srmr")
        )?;
        writeln!(f, "{:<22}{:>10}{:>10}{:>14}", "", "implied", "observed", "standardized")?;
        writeln!(
            f,
            "{:<22}{:>10.3}{:>10.3}{:>14.3}",
            "Omega total", om.omega_total, om.omega_total_observed, om.omega_total_std
        )?;
        writeln!(
            f,
            "{:<22}{:>10.3}{:>10.3}{:>14.3}",
            "Omega hierarchical", om.omega_h, om.omega_h_observed, om.omega_h_std
        )?;
        writeln!(f, "Explained common variance of the general factor: {:.3}\n", om.ecv)?;
        writeln!(
            f,
            "{:<12}{:>6}{:>9}{:>10}{:>13}{:>11}{:>8}",
            "group", "items", "omega_s", "omega_hs", "omega_hs obs", "omega_hs std", "ECV_s"
        )?;
        for g in &om.groups {
            writeln!(
                f,
                "{:<12}{:>6}{:>9.3}{:>10.3}{:>13.3}{:>11.3}{:>8.3}",
                g.name,
                g.items.len(),
                g.omega_s,
                g.omega_hs,
                g.omega_hs_observed,
                g.omega_hs_std,
                g.ecv_s
            )?;
        }
        for w in self.warning_texts() {
            writeln!(f, "warning: {w}")?;
        }
        Ok(())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for BifactorReport<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use crate::serialize::num;
        use serde_json::{Map, Value, json};
        let om = self.omega;
        let fit: Map<String, Value> = ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"]
            .iter()
            .map(|k| (k.to_string(), self.fit.fit_measure(k).map_or(Value::Null, num)))
            .collect();
        let groups: Vec<Value> = om
            .groups
            .iter()
            .map(|g| {
                json!({
                    "name": g.name, "items": g.items,
                    "omega_s": num(g.omega_s), "omega_hs": num(g.omega_hs),
                    "omega_s_observed": num(g.omega_s_observed),
                    "omega_hs_observed": num(g.omega_hs_observed),
                    "omega_s_std": num(g.omega_s_std), "omega_hs_std": num(g.omega_hs_std),
                    "ecv_s": num(g.ecv_s),
                })
            })
            .collect();
        crate::serialize::via_value(
            json!({
                "model": self.model,
                "general": om.general,
                "items": om.items,
                "fit": fit,
                "omega_total": num(om.omega_total),
                "omega_h": num(om.omega_h),
                "omega_total_observed": num(om.omega_total_observed),
                "omega_h_observed": num(om.omega_h_observed),
                "omega_total_std": num(om.omega_total_std),
                "omega_h_std": num(om.omega_h_std),
                "ecv": num(om.ecv),
                "groups": groups,
                "warnings": self.warning_texts().collect::<Vec<_>>(),
            }),
            s,
        )
    }
}
