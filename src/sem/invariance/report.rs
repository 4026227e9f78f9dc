//! The invariance ladder with its optional parts — score tests of each constrained step, the
//! partial-invariance search and the latent mean differences — as one value that prints as text
//! and serializes to the JSON of `surveystat invariance`.

use std::fmt;

use super::{
    Invariance, InvarianceFit, LatentMeanDifference, PartialRule, PartialSearch, ScoreTests,
};
use crate::data::Dataset;
use crate::error::Result;
use crate::sem::GroupEqual;
use crate::summary::fmt_pvalue;

/// A fitted ladder with the parts a report adds to it.
///
/// - [`InvarianceReport::score_tests`]: lavaan's `lavTestScore` of every constrained step (a step
///   whose score tests cannot be computed is listed with the reason).
/// - [`InvarianceReport::partial_search`]: the partial-invariance search of
///   [`Invariance::partial_search`] with its rule.
/// - The latent mean differences: from the accepted partial model of a step with equal
///   intercepts when the search found one, else from the first step of the ladder with equal
///   intercepts (none without such a step).
///
/// # Examples
/// ```
/// use surveystat::data::Dataset;
/// use surveystat::sem::{InvarianceReport, Sem};
/// let csv = "g,a,b,c\n1,1,2,2\n1,2,2,3\n1,3,4,3\n1,4,3,5\n1,2,1,1\n1,5,4,4\n\
///            2,2,1,2\n2,3,3,2\n2,1,2,1\n2,4,5,4\n2,5,4,5\n2,3,2,4\n";
/// let data = Dataset::from_csv_str(csv, "example").unwrap();
/// let fit = Sem::from_syntax("f =~ a + b + c").unwrap().invariance("g").fit(&data).unwrap();
/// let report = InvarianceReport::new(&fit).unwrap().score_tests();
/// assert!(report.to_string().contains("Score tests"));
/// ```
#[derive(Debug, Clone)]
pub struct InvarianceReport<'a> {
    fit: &'a InvarianceFit,
    scores: Option<Vec<(String, std::result::Result<ScoreTests, String>)>>,
    partial: Option<(PartialRule, Option<PartialSearch>)>,
    means: Option<(String, Vec<LatentMeanDifference>)>,
}

impl<'a> InvarianceReport<'a> {
    /// The report of `fit` with its latent mean differences.
    ///
    /// # Errors
    /// Those of [`crate::sem::MultiGroupFit::latent_mean_differences`].
    pub fn new(fit: &'a InvarianceFit) -> Result<Self> {
        let mut r = Self { fit, scores: None, partial: None, means: None };
        r.means = r.ladder_means()?;
        Ok(r)
    }

    /// Add the score tests of every step after the first.
    pub fn score_tests(mut self) -> Self {
        let rows = self
            .fit
            .steps()
            .iter()
            .zip(self.fit.fits())
            .skip(1)
            .map(|(step, mg)| (step.name.clone(), mg.score_tests().map_err(|e| e.to_string())))
            .collect();
        self.scores = Some(rows);
        self
    }

    /// Run the partial-invariance search of `inv` on `data` (the data the ladder was fitted on)
    /// with `rule`; the latent means then come from its accepted partial model when it relaxed a
    /// step with equal intercepts.
    ///
    /// # Errors
    /// Those of [`Invariance::partial_search`] and of the latent mean differences.
    pub fn partial_search(
        mut self,
        inv: &Invariance,
        data: &Dataset,
        rule: PartialRule,
    ) -> Result<Self> {
        let search = inv.partial_search(data, self.fit, rule)?;
        let partial_means = match search.as_ref().filter(|s| s.accepted) {
            Some(s) => {
                let relaxes_means = self
                    .fit
                    .config()
                    .ladder()
                    .iter()
                    .find(|st| st.name == s.step)
                    .is_some_and(|st| means_step(st, self.fit.config().sem().is_ordinal()));
                if relaxes_means {
                    let step = format!("{} (partial: {})", s.step, s.partial().join(", "));
                    Some((step, s.fit().latent_mean_differences()?))
                } else {
                    None
                }
            }
            None => None,
        };
        if partial_means.is_some() {
            self.means = partial_means;
        }
        self.partial = Some((rule, search));
        Ok(self)
    }

    /// The fitted ladder.
    pub fn fit(&self) -> &InvarianceFit {
        self.fit
    }

    /// The partial search, when one was asked for and a step was rejected.
    pub fn search(&self) -> Option<&PartialSearch> {
        self.partial.as_ref().and_then(|(_, s)| s.as_ref())
    }

    /// The step the latent mean differences come from and the differences.
    pub fn latent_means(&self) -> Option<(&str, &[LatentMeanDifference])> {
        self.means.as_ref().map(|(s, d)| (s.as_str(), d.as_slice()))
    }

    fn ladder_means(&self) -> Result<Option<(String, Vec<LatentMeanDifference>)>> {
        let first = self
            .fit
            .config()
            .ladder()
            .iter()
            .zip(self.fit.fits())
            .find(|(st, _)| means_step(st, self.fit.config().sem().is_ordinal()));
        match first {
            Some((st, mg)) => Ok(Some((st.name.clone(), mg.latent_mean_differences()?))),
            None => Ok(None),
        }
    }
}

impl fmt::Display for InvarianceReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.fit)?;
        let rows = self.scores.as_deref().unwrap_or(&[]);
        for (name, s) in rows.iter().filter_map(|(n, r)| r.as_ref().ok().map(|s| (n, s))) {
            writeln!(
                f,
                "\nScore tests of the equality constraints of step {name} (lavTestScore):\n  \
                 total: X2 = {:.3}, df = {}, p = {}",
                s.total_x2,
                s.total_df,
                fmt_pvalue(s.total_pvalue)
            )?;
            writeln!(f, "  {:<24} {:>7} {:>10} {:>8}", "parameter", "groups", "X2", "p")?;
            for c in &s.univariate {
                writeln!(
                    f,
                    "  {:<24} {:>7} {:>10.3} {:>8}",
                    format!("{} {} {}", c.lhs, c.op, c.rhs).trim_end(),
                    format!("{}-{}", c.group_a, c.group_b),
                    c.x2,
                    fmt_pvalue(c.pvalue)
                )?;
            }
        }
        for (name, why) in rows.iter().filter_map(|(n, r)| r.as_ref().err().map(|e| (n, e))) {
            writeln!(f, "\nScore tests of step {name}: not available ({why})")?;
        }
        if let Some((_, search)) = &self.partial {
            match search {
                Some(s) => write!(f, "\n{s}")?,
                None => {
                    writeln!(f, "\nPartial invariance: every step is accepted; nothing to free.")?
                }
            }
        }
        if let Some((step, d)) = &self.means {
            writeln!(
                f,
                "\nLatent mean differences from the first group (step {step}; d: standardized by \
                 the pooled / first group's latent SD):"
            )?;
            writeln!(
                f,
                "  {:<12} {:<14} {:>9} {:>8} {:>8} {:>8} {:>9} {:>9}",
                "latent", "group", "diff", "se", "z", "p", "d_pooled", "d_ref"
            )?;
            for m in d {
                writeln!(
                    f,
                    "  {:<12} {:<14} {:>9.3} {:>8.3} {:>8.3} {:>8} {:>9.3} {:>9.3}",
                    m.lv,
                    m.group,
                    m.est,
                    m.se.unwrap_or(f64::NAN),
                    m.z.unwrap_or(f64::NAN),
                    fmt_pvalue(m.pvalue),
                    m.d_pooled,
                    m.d_reference
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for InvarianceReport<'_> {
    /// The ladder's fields plus `score_tests` and `score_tests_unavailable` (with score tests),
    /// `partial_search`, `partial_search_stages` and `partial_search_result` (with a search) and
    /// `latent_means` {step, differences}.
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde_json::{Map, Value, json};
        let err = serde::ser::Error::custom;
        let mut v = serde_json::to_value(self.fit).map_err(err)?;
        if let Value::Object(o) = &mut v {
            if let Some(rows) = &self.scores {
                let mut ok = Map::new();
                let mut why = Map::new();
                for (name, r) in rows {
                    match r {
                        Ok(t) => {
                            ok.insert(name.clone(), serde_json::to_value(t).map_err(err)?);
                        }
                        Err(e) => {
                            why.insert(name.clone(), Value::String(e.clone()));
                        }
                    }
                }
                o.insert("score_tests".into(), Value::Object(ok));
                o.insert("score_tests_unavailable".into(), Value::Object(why));
            }
            if let Some((rule, search)) = &self.partial {
                let (seq, stages) = match search {
                    Some(s) => (
                        serde_json::to_value(&s.sequence).map_err(err)?,
                        serde_json::to_value(&s.stages).map_err(err)?,
                    ),
                    None => (Value::Array(Vec::new()), Value::Array(Vec::new())),
                };
                o.insert("partial_search".into(), seq);
                o.insert("partial_search_stages".into(), stages);
                o.insert(
                    "partial_search_result".into(),
                    json!({
                        "rule": rule.name(),
                        "step": search.as_ref().map(|s| s.step.clone()),
                        "against": search.as_ref().map(|s| s.against.clone()),
                        "accepted": search.as_ref().map(|s| s.accepted),
                        "group_partial": search.as_ref().map(|s| s.partial().to_vec()),
                        "stopped": search.as_ref().map(|s| s.stopped.clone()),
                    }),
                );
            }
            if let Some((step, d)) = &self.means {
                o.insert(
                    "latent_means".into(),
                    json!({ "step": step, "differences": serde_json::to_value(d).map_err(err)? }),
                );
            }
        }
        crate::serialize::via_value(v, s)
    }
}

/// Whether a step's model estimates the latent means of the later groups and they are
/// comparable: equal intercepts (continuous indicators), or equal thresholds and loadings
/// (ordered indicators: lavaan frees the latent means once the thresholds are equal, and
/// compares them once the loadings are equal too, unless the latent means are equal too).
fn means_step(st: &super::InvarianceStep, ordinal: bool) -> bool {
    if ordinal {
        !st.equal.contains(&GroupEqual::Means)
            && st.equal.contains(&GroupEqual::Loadings)
            && (st.equal.contains(&GroupEqual::Thresholds)
                || st.equal.contains(&GroupEqual::Intercepts))
    } else {
        st.equal.contains(&GroupEqual::Intercepts)
    }
}
