//! Common method bias, the CFA part: the common-latent-factor (CLF) comparison and the CFA
//! marker-variable technique.

use crate::core::dist::chisq_sf;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::sem::{ChisqDifference, Sem, SemFit};
use crate::warning::Warning;

/// How the loadings of the common method factor are specified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum MethodLoadings {
    /// One loading shared by every item (fixed at 1, method-factor variance free; Williams et
    /// al.'s "Method-C").
    Equal,
    /// A free loading per item (method-factor variance fixed at 1; "Method-U").
    Free,
}

/// The common-latent-factor (CLF) comparison: the trait CFA against the same CFA plus one
/// method factor that loads on every substantive item and is uncorrelated with the traits
/// (Podsakoff et al. 2003). With marker items ([`CommonMethodFactor::marker`]) the method factor
/// is the marker latent variable (CFA marker technique, Williams, Hartman & Cavazotte 2010):
/// the baseline model has the marker factor on its own items, uncorrelated with the traits;
/// the method model adds its loadings on every substantive item.
///
/// # Formula
/// ```text
/// Δχ² = χ²_base − χ²_method on Δdf = df_base − df_method (ML likelihood-ratio test)
/// ΔCFI = CFI_method − CFI_base
/// method share = mean over the substantive items of l_Mi² (std.all loadings on the method
///                factor): the share of item variance due to the method factor
/// ```
///
/// # Errors
/// Those of [`Sem::fit`] for either model; [`Error::InvalidParameter`] for an empty model, a
/// method-factor name already in use, or a marker item that is also a trait indicator.
///
/// # References
/// Podsakoff, P. M., MacKenzie, S. B., Lee, J.-Y. & Podsakoff, N. P. (2003). Common method biases
/// in behavioral research. *Journal of Applied Psychology* 88, 879–903. Williams, L. J.,
/// Hartman, N. & Cavazotte, F. (2010). Method variance and marker variables. *Organizational
/// Research Methods* 13, 477–514.
#[derive(Debug, Clone)]
pub struct CommonMethodFactor {
    traits: String,
    loadings: MethodLoadings,
    marker: Vec<String>,
    name: String,
}

impl CommonMethodFactor {
    /// The trait CFA in lavaan syntax (`F =~ x1 + x2 + …` lines; factors correlate freely).
    pub fn new(trait_model: &str) -> Self {
        CommonMethodFactor {
            traits: trait_model.to_string(),
            loadings: MethodLoadings::Free,
            marker: Vec::new(),
            name: "CMF".into(),
        }
    }
    /// Equal or free method loadings (default free).
    pub fn loadings(mut self, l: MethodLoadings) -> Self {
        self.loadings = l;
        self
    }
    /// Marker items (theoretically unrelated to the traits): the method factor is measured by
    /// them and loads on every substantive item.
    pub fn marker<S: AsRef<str>>(mut self, items: &[S]) -> Self {
        self.marker = items.iter().map(|s| s.as_ref().to_string()).collect();
        self
    }
    /// Name of the method factor (default `CMF`).
    pub fn name(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// lavaan syntax of the (baseline, method) models.
    pub fn models(&self) -> Result<(String, String)> {
        let parsed = Sem::from_syntax(&self.traits)?;
        let lv: Vec<String> = parsed.compile()?.latent().to_vec();
        let items: Vec<String> = parsed.compile()?.observed().to_vec();
        if lv.is_empty() || items.is_empty() {
            return Err(Error::invalid("trait model", "needs at least one latent variable"));
        }
        let m = &self.name;
        if lv.contains(m) || items.contains(m) {
            return Err(Error::invalid("method factor", format!("the name `{m}` is in use")));
        }
        if let Some(x) = self.marker.iter().find(|x| items.contains(x)) {
            return Err(Error::invalid(
                "marker",
                format!("`{x}` is a trait indicator; a marker must be unrelated to the traits"),
            ));
        }
        let orth: Vec<String> = lv.iter().map(|f| format!("{m} ~~ 0*{f}")).collect();
        let free = |it: &[String]| -> Vec<String> {
            it.iter()
                .enumerate()
                .map(|(i, x)| if i == 0 { format!("NA*{x}") } else { x.clone() })
                .collect()
        };
        let body = |on: Vec<String>| -> String {
            let mut s = format!("{}\n{m} =~ {}\n", self.traits.trim_end(), on.join(" + "));
            s.push_str(&orth.join("\n"));
            s.push('\n');
            s
        };
        let with_var = |mut s: String, fixed_var: bool| {
            s.push_str(&format!("{m} ~~ {}{m}\n", if fixed_var { "1*" } else { "" }));
            s
        };
        if self.marker.is_empty() {
            let base = self.traits.clone();
            let method = match self.loadings {
                MethodLoadings::Equal => {
                    with_var(body(items.iter().map(|x| format!("1*{x}")).collect()), false)
                }
                MethodLoadings::Free => with_var(body(free(&items)), true),
            };
            Ok((base, method))
        } else {
            let base = with_var(body(free(&self.marker)), true);
            let sub: Vec<String> = match self.loadings {
                MethodLoadings::Equal => items.iter().map(|x| format!("mth*{x}")).collect(),
                MethodLoadings::Free => items.clone(),
            };
            let method = with_var(body(free(&self.marker).into_iter().chain(sub).collect()), true);
            Ok((base, method))
        }
    }

    /// Fit both models to `data` (ML, listwise deletion) and compare them.
    pub fn fit(&self, data: &Dataset) -> Result<MethodFactorFit> {
        let (base_m, method_m) = self.models()?;
        let base = Sem::from_syntax(&base_m)?.fit(data)?;
        let method = Sem::from_syntax(&method_m)?.fit(data)?;
        let items: Vec<String> = Sem::from_syntax(&self.traits)?.compile()?.observed().to_vec();
        let fm = |f: &SemFit, k: &str| f.fit_measure(k).unwrap_or(f64::NAN);
        let dchi = fm(&base, "chisq") - fm(&method, "chisq");
        let ddf = fm(&base, "df") - fm(&method, "df");
        let pvalue = if ddf > 0.0 { chisq_sf(dchi.max(0.0), ddf) } else { f64::NAN };
        let loads: Vec<(String, f64)> = items
            .iter()
            .map(|x| {
                let l = method.parameter(&self.name, "=~", x).and_then(|r| r.std_all);
                (x.clone(), l.unwrap_or(f64::NAN))
            })
            .collect();
        let share = loads.iter().map(|(_, l)| l * l).sum::<f64>() / loads.len().max(1) as f64;
        let mut warnings = Vec::new();
        if !method.convergence().converged {
            warnings.push(Warning::Other {
                message: "the method-factor model did not converge".into(),
            });
        }
        for w in method.warnings() {
            warnings.push(Warning::Other { message: format!("method-factor model: {w}") });
        }
        Ok(MethodFactorFit {
            loadings_kind: self.loadings,
            marker: self.marker.clone(),
            difference: ChisqDifference { chisq: dchi, df: ddf, pvalue },
            delta_cfi: fm(&method, "cfi") - fm(&base, "cfi"),
            method_share: share,
            method_loadings: loads,
            base,
            method,
            warnings,
        })
    }
}

/// Result of [`CommonMethodFactor::fit`].
#[derive(Debug, Clone)]
pub struct MethodFactorFit {
    /// Equal or free method loadings.
    pub loadings_kind: MethodLoadings,
    /// Marker items (empty for the plain CLF comparison).
    pub marker: Vec<String>,
    /// χ² difference base − method.
    pub difference: ChisqDifference,
    /// CFI of the method model minus CFI of the baseline.
    pub delta_cfi: f64,
    /// Mean squared standardized method loading over the substantive items.
    pub method_share: f64,
    /// Standardized (std.all) method loading of each substantive item.
    pub method_loadings: Vec<(String, f64)>,
    /// The baseline model (trait CFA; with a marker, plus the marker factor).
    pub base: SemFit,
    /// The model with the method factor.
    pub method: SemFit,
    /// Non-convergence or warnings of the method model.
    pub warnings: Vec<Warning>,
}
