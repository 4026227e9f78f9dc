//! The partial-invariance search: starting from the first step of the ladder that its decision
//! rule rejects, free (lavaan `group.partial`) the equality constraint with the largest
//! univariate score statistic among those the step adds, refit, and repeat until the step is
//! accepted or no constraint of the step is left.

use std::fmt;

use super::super::{GroupEqual, MultiGroupFit, MultiGroupSem};
use super::ladder::CHEUNG_RENSVOLD_CFI;
use super::{Invariance, InvarianceFit, InvarianceStep};
use crate::core::dist::chisq_sf;
use crate::data::Dataset;
use crate::error::{Error, Result};
use crate::summary::{Summary, Table, fmt_num, fmt_pvalue};

/// The decision rule of the partial-invariance search: when is a (partially) constrained step
/// accepted against the step before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub enum PartialRule {
    /// The χ² difference test does not reject (p ≥ α); the default.
    #[default]
    Lrt,
    /// Cheung & Rensvold (2002): ΔCFI ≥ −0.01.
    DeltaCfi,
}

impl PartialRule {
    /// The rule's name (`lrt`, `cfi`).
    pub fn name(self) -> &'static str {
        match self {
            PartialRule::Lrt => "lrt",
            PartialRule::DeltaCfi => "cfi",
        }
    }
}

/// One refit of the partial-invariance search: the constraint freed, its score statistic in the
/// model before, and the new model's fit and comparison with the less constrained step.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PartialSearchStep {
    /// The step being relaxed.
    pub step: String,
    /// The less constrained step it is compared with.
    pub against: String,
    /// The parameter freed in every group (`group.partial` spelling, e.g. `x3 ~ 1`).
    pub freed: String,
    /// Left-hand side of the freed parameter.
    pub freed_lhs: String,
    /// Its operator.
    pub freed_op: String,
    /// Its right-hand side (empty for intercepts).
    pub freed_rhs: String,
    /// The largest univariate score statistic (χ²₁) of that parameter's constraints in the model
    /// before it was freed.
    pub score_x2: f64,
    /// Its p-value.
    pub score_pvalue: f64,
    /// Every parameter freed so far (the model's `group.partial`).
    pub partial: Vec<String>,
    /// Free parameters of the new model.
    pub npar: f64,
    /// χ² of the new model.
    pub chisq: f64,
    /// Its degrees of freedom.
    pub df: f64,
    /// CFI.
    pub cfi: f64,
    /// RMSEA.
    pub rmsea: f64,
    /// Δχ² against the less constrained step.
    pub chisq_diff: f64,
    /// Δdf.
    pub df_diff: f64,
    /// P(χ²_Δdf > Δχ²).
    pub pvalue: f64,
    /// ΔCFI (new model minus the less constrained step).
    #[cfg_attr(feature = "serde", serde(rename = "cfi.delta"))]
    pub cfi_delta: f64,
    /// ΔRMSEA.
    #[cfg_attr(feature = "serde", serde(rename = "rmsea.delta"))]
    pub rmsea_delta: f64,
    /// The new model is accepted by the search's rule.
    pub accepted: bool,
}

/// The result of a partial-invariance search (see [`Invariance::partial_search`]).
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PartialSearch {
    /// The step the search relaxes (the first step the rule rejects).
    pub step: String,
    /// The less constrained step it is compared with.
    pub against: String,
    /// The decision rule.
    pub rule: PartialRule,
    /// The significance level of the χ² difference tests.
    pub alpha: f64,
    /// The refits, in order.
    pub sequence: Vec<PartialSearchStep>,
    /// The last model is accepted (false when every candidate constraint was freed without
    /// reaching acceptance, or a score test could not be computed).
    pub accepted: bool,
    /// Why the search stopped before acceptance (empty when accepted).
    pub stopped: String,
    #[cfg_attr(feature = "serde", serde(skip))]
    fit: MultiGroupFit,
}

impl PartialSearch {
    /// The multi-group fit of the last model of the search (the partially constrained step).
    pub fn fit(&self) -> &MultiGroupFit {
        &self.fit
    }
    /// The parameters freed (the last model's `group.partial`).
    pub fn partial(&self) -> &[String] {
        self.sequence.last().map(|s| s.partial.as_slice()).unwrap_or(&[])
    }

    /// A printable table of the sequence.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::new(format!(
            "Partial invariance: step {} against {} (rule: {})",
            self.step,
            self.against,
            match self.rule {
                PartialRule::Lrt => format!("chi-square difference test, p >= {}", self.alpha),
                PartialRule::DeltaCfi => "cfi.delta >= -0.01 (Cheung & Rensvold)".to_string(),
            }
        ));
        let mut t = Table::new(
            Some("Constraints freed one at a time (largest univariate score statistic first):"),
            [
                "freed",
                "score X2",
                "chisq",
                "df",
                "cfi",
                "rmsea",
                "chisq diff",
                "df diff",
                "p",
                "cfi.delta",
                "accepted",
            ],
        );
        for e in &self.sequence {
            t.push([
                e.freed.clone(),
                fmt_num(e.score_x2, 3),
                fmt_num(e.chisq, 3),
                fmt_num(e.df, 0),
                fmt_num(e.cfi, 3),
                fmt_num(e.rmsea, 3),
                fmt_num(e.chisq_diff, 3),
                fmt_num(e.df_diff, 0),
                fmt_pvalue(e.pvalue),
                fmt_num(e.cfi_delta, 4),
                if e.accepted { "yes" } else { "no" }.to_string(),
            ]);
        }
        s.table(t);
        if self.accepted {
            s.text(format!(
                "Partial {} model accepted with group.partial: {}",
                self.step,
                self.partial().join(", ")
            ));
        } else {
            s.text(format!("No partial {} model accepted: {}", self.step, self.stopped));
        }
        s
    }
}

impl fmt::Display for PartialSearch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary())
    }
}

/// The `group.equal` class of a constrained parameter, from its operator and whether its sides
/// are latent.
fn class_of(lhs: &str, op: &str, rhs: &str, lv: &[String]) -> Option<GroupEqual> {
    let l = lv.iter().any(|v| v == lhs);
    let r = lv.iter().any(|v| v == rhs);
    Some(match op {
        "=~" => GroupEqual::Loadings,
        "~" => GroupEqual::Regressions,
        "~1" if l => GroupEqual::Means,
        "~1" => GroupEqual::Intercepts,
        "~~" => match (lhs == rhs, l || r) {
            (true, true) => GroupEqual::LvVariances,
            (true, false) => GroupEqual::Residuals,
            (false, true) => GroupEqual::LvCovariances,
            (false, false) => GroupEqual::ResidualCovariances,
        },
        _ => return None,
    })
}

/// The `group.partial` spelling of a parameter.
fn partial_name(lhs: &str, op: &str, rhs: &str) -> String {
    if op == "~1" { format!("{lhs} ~ 1") } else { format!("{lhs} {op} {rhs}") }
}

impl Invariance {
    /// The multi-group configuration of one step with some parameters freed (`group.partial`).
    fn partial_multigroup(&self, step: &InvarianceStep, partial: &[String]) -> MultiGroupSem {
        self.multigroup(step).partial(partial.iter().cloned())
    }

    /// Partial-invariance search on a fitted ladder (`fit`, from [`Invariance::fit`] on the
    /// same `data`). Returns `None` when every step is accepted.
    ///
    /// The first step that `rule` rejects against the step before it is relaxed: among the
    /// equality constraints the step adds to the step before (its extra `group.equal` classes),
    /// the parameter with the largest univariate score statistic (lavaan's `lavTestScore`; the
    /// largest over its group pairs) is freed in every group (`group.partial`), the step is
    /// refitted and compared with the step before again; this repeats until the rule accepts
    /// the model, no constraint of the step is left or [`Invariance::max_freed`] parameters are
    /// freed.
    ///
    /// # Formula
    /// ```text
    /// rule Lrt:      accepted when P(χ²_Δdf > χ²_partial − χ²_before) ≥ α
    /// rule DeltaCfi: accepted when CFI_partial − CFI_before ≥ −0.01
    /// ```
    ///
    /// # Errors
    /// The errors of [`MultiGroupFit::score_tests`] on the first model and of
    /// [`MultiGroupSem::fit`] for each refit; [`Error::InvalidParameter`] when `fit` does not
    /// come from this ladder.
    ///
    /// # References
    /// Byrne, B. M., Shavelson, R. J., & Muthén, B. (1989). Testing for the equivalence of factor
    /// covariance and mean structures: The issue of partial measurement invariance.
    /// *Psychological Bulletin*, 105, 456–466. Validated against the same search run with R
    /// lavaan 0.6.14 (`lavTestScore`, `group.partial`, `lavTestLRT`) on HolzingerSwineford1939
    /// by school (tests/reference/invariance.rs).
    pub fn partial_search(
        &self,
        data: &Dataset,
        fit: &InvarianceFit,
        rule: PartialRule,
    ) -> Result<Option<PartialSearch>> {
        if fit.steps().len() != self.steps.len() || fit.fits().len() != self.steps.len() {
            return Err(Error::invalid(
                "fit",
                "the fitted ladder does not have the steps of this configuration",
            ));
        }
        if self.sem.robust_estimator().is_some() {
            // the score tests and the refits' comparisons are those of ML
            return Err(Error::invalid(
                "estimator",
                "the partial-invariance search uses ML score tests and χ² differences; run it with the ML estimator",
            ));
        }
        let rejected = |chisq_diff: f64, df_diff: f64, cfi_delta: f64| -> (f64, bool) {
            let p = if df_diff > 0.0 { chisq_sf(chisq_diff.max(0.0), df_diff) } else { f64::NAN };
            let bad = match rule {
                PartialRule::Lrt => p < self.alpha,
                PartialRule::DeltaCfi => cfi_delta < CHEUNG_RENSVOLD_CFI,
            };
            (p, bad)
        };
        let Some(k) = fit.steps().iter().position(|s| {
            s.comparison().is_some_and(|c| rejected(c.chisq_diff, c.df_diff, c.cfi_delta).1)
        }) else {
            return Ok(None);
        };
        let step = &self.steps[k];
        let before = &fit.steps()[k - 1];
        let added: Vec<GroupEqual> =
            step.equal.iter().copied().filter(|e| !self.steps[k - 1].equal.contains(e)).collect();
        let m = |f: &MultiGroupFit, key: &str| f.fit_measure(key).unwrap_or(f64::NAN);
        let mut current = fit.fits()[k].clone();
        let lv: Vec<String> = current
            .groups()
            .first()
            .map(|g| {
                let mut v: Vec<String> = Vec::new();
                for r in g.parameters().iter().filter(|r| r.op == "=~") {
                    if !v.contains(&r.lhs) {
                        v.push(r.lhs.clone());
                    }
                }
                v
            })
            .unwrap_or_default();
        let mut partial: Vec<String> = Vec::new();
        let mut sequence = Vec::new();
        let mut stopped = String::new();
        let mut accepted = false;
        loop {
            if self.max_freed.is_some_and(|n| partial.len() >= n) {
                stopped = format!("the limit of {} freed parameters is reached", partial.len());
                break;
            }
            let scores = match current.score_tests() {
                Ok(s) => s,
                Err(e) if sequence.is_empty() => return Err(e),
                Err(e) => {
                    stopped = format!("score tests not available: {e}");
                    break;
                }
            };
            let best = scores.largest(|c| {
                class_of(&c.lhs, &c.op, &c.rhs, &lv).is_some_and(|e| added.contains(&e))
                    && !partial.contains(&partial_name(&c.lhs, &c.op, &c.rhs))
            });
            let Some(best) = best else {
                stopped = "no equality constraint of the step is left to free".into();
                break;
            };
            let freed = partial_name(&best.lhs, &best.op, &best.rhs);
            partial.push(freed.clone());
            let next = self.partial_multigroup(step, &partial).fit(data)?;
            let chisq_diff = m(&next, "chisq") - before.chisq;
            let df_diff = m(&next, "df") - before.df;
            let cfi_delta = m(&next, "cfi") - before.cfi;
            let (pvalue, bad) = rejected(chisq_diff, df_diff, cfi_delta);
            sequence.push(PartialSearchStep {
                step: step.name.clone(),
                against: before.name.clone(),
                freed,
                freed_lhs: best.lhs.clone(),
                freed_op: best.op.clone(),
                freed_rhs: best.rhs.clone(),
                score_x2: best.x2,
                score_pvalue: best.pvalue,
                partial: partial.clone(),
                npar: m(&next, "npar"),
                chisq: m(&next, "chisq"),
                df: m(&next, "df"),
                cfi: m(&next, "cfi"),
                rmsea: m(&next, "rmsea"),
                chisq_diff,
                df_diff,
                pvalue,
                cfi_delta,
                rmsea_delta: m(&next, "rmsea") - before.rmsea,
                accepted: !bad,
            });
            current = next;
            if !bad {
                accepted = true;
                break;
            }
        }
        Ok(Some(PartialSearch {
            step: step.name.clone(),
            against: before.name.clone(),
            rule,
            alpha: self.alpha,
            sequence,
            accepted,
            stopped,
            fit: current,
        }))
    }
}
