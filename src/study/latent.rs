//! The study's measurement invariance of the construct CFA across the groups (regions) and the
//! comparison of the constructs' latent means: its computation, report section and JSON.

#[cfg(feature = "serde")]
use serde_json::{Value, json};

use super::design::StudyDesign;
use super::results::StudyResults;
use crate::data::Dataset;
use crate::sem::{InvarianceFit, LatentMeanDifference, PartialRule, PartialSearch, Sem};
use crate::summary::{Summary, Table, fmt_num, fmt_pvalue};

/// The invariance ladder (configural → metric → scalar → strict) of the CFA of the constructs
/// across the groups, the partial-scalar search when the scalar step is rejected, and the latent
/// mean differences of the constructs from the scalar (or accepted partial scalar) model.
#[derive(Debug, Clone)]
pub struct LatentMeans {
    ladder: InvarianceFit,
    partial: Option<PartialSearch>,
    step: String,
    means: std::result::Result<Vec<LatentMeanDifference>, String>,
}

impl LatentMeans {
    /// Fit the ladder of the design's CFA by `group` (χ² difference tests at 5 %), search a
    /// partial scalar model when the scalar step is rejected, and take the latent means from the
    /// scalar model (or the accepted partial one).
    pub(super) fn fit(
        d: &StudyDesign,
        data: &Dataset,
        group: &str,
        ci_level: f64,
    ) -> crate::error::Result<Self> {
        let inv = Sem::from_syntax(&d.cfa_syntax())?.ci_level(ci_level).invariance(group);
        let ladder = inv.fit(data)?;
        let rejected =
            |name: &str| ladder.step(name).and_then(|s| s.comparison()).map(|c| c.lrt_rejected);
        let mut partial = None;
        let (step, means) = match (rejected("metric"), rejected("scalar")) {
            (Some(false), Some(false)) => (
                "scalar".to_string(),
                ladder
                    .fit_of("scalar")
                    .map(|f| f.latent_mean_differences().map_err(|e| e.to_string()))
                    .unwrap_or_else(|| Err("no scalar step".into())),
            ),
            (Some(false), Some(true)) => {
                let search = inv.partial_search(data, &ladder, PartialRule::Lrt)?;
                let out = match &search {
                    Some(s) if s.accepted && s.step == "scalar" => (
                        format!("partial scalar ({})", s.partial().join(", ")),
                        s.fit().latent_mean_differences().map_err(|e| e.to_string()),
                    ),
                    _ => (
                        "none".to_string(),
                        Err("no partial scalar model is accepted: the latent means are not \
                             compared"
                            .to_string()),
                    ),
                };
                partial = search;
                out
            }
            _ => (
                "none".to_string(),
                Err("metric invariance is rejected: the latent means are not compared".into()),
            ),
        };
        Ok(Self { ladder, partial, step, means })
    }

    /// The fitted ladder.
    pub fn ladder(&self) -> &InvarianceFit {
        &self.ladder
    }
    /// The partial-scalar search, when the scalar step was rejected.
    pub fn partial(&self) -> Option<&PartialSearch> {
        self.partial.as_ref()
    }
    /// The model the latent means come from (`scalar`, `partial scalar (...)` or `none`).
    pub fn means_step(&self) -> &str {
        &self.step
    }
    /// The latent mean differences of the constructs (each group against the first), or why
    /// they are not compared.
    pub fn differences(&self) -> std::result::Result<&[LatentMeanDifference], &str> {
        self.means.as_deref().map_err(String::as_str)
    }
}

impl StudyResults {
    /// "7b. Measurement invariance and latent means": the ladder with its decisions, the partial
    /// search if any, and the latent mean differences of the constructs.
    pub(super) fn section_latent_means(&self) -> Option<Summary> {
        let lm = self.latent_means.as_ref()?;
        let mut s =
            Summary::new("7b. Measurement invariance of the constructs and latent means by region");
        let lm = match lm {
            Ok(lm) => lm,
            Err(e) => {
                s.text(format!("The invariance ladder could not be fitted: {e}"));
                return Some(s);
            }
        };
        s.blocks.extend(lm.ladder.summary().blocks);
        if let Some(p) = &lm.partial {
            s.blocks.extend(p.summary().blocks);
        }
        match lm.differences() {
            Ok(d) => {
                let mut t = Table::new(
                    Some(
                        format!(
                            "Latent mean differences from {} (model: {}; d = difference / pooled latent SD)",
                            lm.ladder.group_labels().first().map(String::as_str).unwrap_or(""),
                            lm.step
                        )
                        .as_str(),
                    ),
                    ["construct", "region", "difference", "SE", "z", "p", "d"],
                );
                for m in d {
                    t.push([
                        m.lv.clone(),
                        m.group.clone(),
                        fmt_num(m.est, 3),
                        fmt_num(m.se.unwrap_or(f64::NAN), 3),
                        fmt_num(m.z.unwrap_or(f64::NAN), 2),
                        fmt_pvalue(m.pvalue.unwrap_or(f64::NAN)),
                        fmt_num(m.d_pooled, 3),
                    ]);
                }
                s.table(t);
            }
            Err(e) => {
                s.text(format!("Latent means: {e}."));
            }
        }
        s.text(
            "The CFA of the constructs is fitted by region configural, with equal loadings (metric), equal\n\
             loadings and intercepts (scalar) and also equal residual variances (strict); each step is tested\n\
             against the one before (Δχ², lavaan's lavTestLRT). When the scalar step is rejected, the intercept\n\
             with the largest score statistic (lavTestScore) is freed in turn until the partial scalar model is\n\
             accepted. The latent means are fixed at 0 in the first region, so each is the other region's\n\
             difference; d divides it by the n-weighted pooled latent SD.",
        );
        Some(s)
    }
}

/// The JSON of the ladder, the partial search and the latent means.
#[cfg(feature = "serde")]
pub(super) fn latent_means_json(lm: &std::result::Result<LatentMeans, String>) -> Value {
    let lm = match lm {
        Ok(lm) => lm,
        Err(e) => return json!({ "error": e }),
    };
    json!({
        "ladder": serde_json::to_value(&lm.ladder).unwrap_or(Value::Null),
        "partial_search": lm.partial.as_ref().map_or(Value::Null, |p| serde_json::to_value(p).unwrap_or(Value::Null)),
        "means_step": lm.step,
        "latent_means": match &lm.means {
            Ok(d) => serde_json::to_value(d).unwrap_or(Value::Null),
            Err(e) => json!({ "error": e }),
        },
    })
}
