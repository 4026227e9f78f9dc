//! The partial-invariance search: starting from the first step of the ladder that its decision
//! rule rejects, free (lavaan `group.partial`) the equality constraint with the largest
//! univariate score statistic among those the step adds, refit, and repeat until the step is
//! accepted or no constraint of the step is left; then fit the later steps with the freed
//! parameters kept free and search each of them the same way.

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

/// One step of the ladder in the partial-invariance search: the step fitted with the parameters
/// freed at the steps below it (`start_partial`), its comparison with the accepted (partial)
/// step before, and the refits that free its own constraints.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct PartialStage {
    /// The step.
    pub step: String,
    /// The step before it (as accepted by the search, with its freed parameters).
    pub against: String,
    /// The parameters free when the step is first fitted (freed at the steps below).
    pub start_partial: Vec<String>,
    /// Free parameters of the first fit of the step.
    pub npar: f64,
    /// Its χ².
    pub chisq: f64,
    /// Its degrees of freedom.
    pub df: f64,
    /// Its CFI.
    pub cfi: f64,
    /// Its RMSEA.
    pub rmsea: f64,
    /// Δχ² against the step before.
    pub chisq_diff: f64,
    /// Δdf.
    pub df_diff: f64,
    /// P(χ²_Δdf > Δχ²).
    pub pvalue: f64,
    /// ΔCFI.
    #[cfg_attr(feature = "serde", serde(rename = "cfi.delta"))]
    pub cfi_delta: f64,
    /// ΔRMSEA.
    #[cfg_attr(feature = "serde", serde(rename = "rmsea.delta"))]
    pub rmsea_delta: f64,
    /// The first fit is accepted by the rule (nothing to free at this step).
    pub start_accepted: bool,
    /// The refits of this step, in order (empty when the first fit is accepted).
    pub sequence: Vec<PartialSearchStep>,
    /// The step's last model is accepted.
    pub accepted: bool,
    /// Why the step's search stopped before acceptance (empty when accepted).
    pub stopped: String,
    /// Every parameter free in the step's last model.
    pub partial: Vec<String>,
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
    /// Every step searched, from the first rejected one up the ladder: once a step is accepted
    /// the next is fitted with the parameters freed so far and searched in turn, until the top
    /// of the ladder or a step that is not accepted. The first entry repeats `sequence`.
    pub stages: Vec<PartialStage>,
    /// Why the search did not reach the top of the ladder after accepting a step (a refit
    /// failed); empty otherwise.
    pub ladder_stopped: String,
    #[cfg_attr(feature = "serde", serde(skip))]
    fit: MultiGroupFit,
    #[cfg_attr(feature = "serde", serde(skip))]
    stage_fits: Vec<MultiGroupFit>,
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
    /// The multi-group fit of the last model of each entry of [`PartialSearch::stages`].
    pub fn stage_fits(&self) -> &[MultiGroupFit] {
        &self.stage_fits
    }
    /// The parameters free in the last model of the highest step searched.
    pub fn ladder_partial(&self) -> &[String] {
        self.stages.last().map(|s| s.partial.as_slice()).unwrap_or(&[])
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
        s.table(sequence_table(&self.sequence));
        if self.accepted {
            s.text(format!(
                "Partial {} model accepted with group.partial: {}",
                self.step,
                self.partial().join(", ")
            ));
        } else {
            s.text(format!("No partial {} model accepted: {}", self.step, self.stopped));
        }
        for st in self.stages.iter().skip(1) {
            s.text(format!(
                "Step {} against partial {} with group.partial {}: chisq diff = {} (df {}), p = {}, cfi.delta = {}",
                st.step,
                st.against,
                if st.start_partial.is_empty() { "(none)".to_string() } else { st.start_partial.join(", ") },
                fmt_num(st.chisq_diff, 3),
                fmt_num(st.df_diff, 0),
                fmt_pvalue(st.pvalue),
                fmt_num(st.cfi_delta, 4)
            ));
            if !st.sequence.is_empty() {
                s.table(sequence_table(&st.sequence));
            }
            if st.accepted {
                s.text(format!(
                    "Partial {} model accepted with group.partial: {}",
                    st.step,
                    if st.partial.is_empty() {
                        "(none)".to_string()
                    } else {
                        st.partial.join(", ")
                    }
                ));
            } else {
                s.text(format!("No partial {} model accepted: {}", st.step, st.stopped));
            }
        }
        if !self.ladder_stopped.is_empty() {
            s.text(format!("The search stopped: {}", self.ladder_stopped));
        }
        s
    }
}

/// The table of one step's refits.
fn sequence_table(sequence: &[PartialSearchStep]) -> Table {
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
    for e in sequence {
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
    t
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
        if self.sem.is_ordinal() {
            // the refits would need group.partial of ordered indicators and scaled differences
            return Err(Error::invalid(
                "ordered",
                "the partial-invariance search is not available with ordered indicators (score tests are: --score)",
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
        let lv: Vec<String> = fit.fits()[k]
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
        let ctx = SearchContext { data, lv: &lv, rejected: &rejected };
        let before = &fit.steps()[k - 1];
        let base = Baseline {
            name: before.name.clone(),
            chisq: before.chisq,
            df: before.df,
            cfi: before.cfi,
            rmsea: before.rmsea,
        };
        let (first, current) =
            self.search_stage(&ctx, k, &base, fit.fits()[k].clone(), Vec::new(), true)?;
        let mut stages = vec![first.clone()];
        let mut stage_fits = vec![current.clone()];
        let mut ladder_stopped = String::new();
        let mut j = k + 1;
        while j < self.steps.len() && stages.last().is_some_and(|s| s.accepted) {
            let prev = stages.last().map(|s| s.partial.clone()).unwrap_or_default();
            let last = &stage_fits[stage_fits.len() - 1];
            let base = Baseline {
                name: self.steps[j - 1].name.clone(),
                chisq: measure(last, "chisq"),
                df: measure(last, "df"),
                cfi: measure(last, "cfi"),
                rmsea: measure(last, "rmsea"),
            };
            let start = match self.partial_multigroup(&self.steps[j], &prev).fit(data) {
                Ok(f) => f,
                Err(e) => {
                    ladder_stopped =
                        format!("step {} could not be fitted: {e}", self.steps[j].name);
                    break;
                }
            };
            match self.search_stage(&ctx, j, &base, start, prev, false) {
                Ok((stage, f)) => {
                    stages.push(stage);
                    stage_fits.push(f);
                }
                Err(e) => {
                    ladder_stopped = format!("step {}: {e}", self.steps[j].name);
                    break;
                }
            }
            j += 1;
        }
        Ok(Some(PartialSearch {
            step: first.step,
            against: first.against,
            rule,
            alpha: self.alpha,
            sequence: first.sequence,
            accepted: first.accepted,
            stopped: first.stopped,
            stages,
            ladder_stopped,
            fit: current,
            stage_fits,
        }))
    }

    /// Search one step `k` of the ladder starting from its fit `start` (with `partial` free):
    /// compare with `base`, and while rejected free the candidate with the largest score
    /// statistic and refit. Errors of the first score test propagate when `strict` is set; later
    /// ones stop the step's search.
    fn search_stage(
        &self,
        ctx: &SearchContext<'_>,
        k: usize,
        base: &Baseline,
        start: MultiGroupFit,
        mut partial: Vec<String>,
        strict: bool,
    ) -> Result<(PartialStage, MultiGroupFit)> {
        let step = &self.steps[k];
        let added: Vec<GroupEqual> =
            step.equal.iter().copied().filter(|e| !self.steps[k - 1].equal.contains(e)).collect();
        let m = measure;
        let start_partial = partial.clone();
        let chisq_diff = m(&start, "chisq") - base.chisq;
        let df_diff = m(&start, "df") - base.df;
        let cfi_delta = m(&start, "cfi") - base.cfi;
        let (pvalue, bad) = (ctx.rejected)(chisq_diff, df_diff, cfi_delta);
        let mut stage = PartialStage {
            step: step.name.clone(),
            against: base.name.clone(),
            start_partial,
            npar: m(&start, "npar"),
            chisq: m(&start, "chisq"),
            df: m(&start, "df"),
            cfi: m(&start, "cfi"),
            rmsea: m(&start, "rmsea"),
            chisq_diff,
            df_diff,
            pvalue,
            cfi_delta,
            rmsea_delta: m(&start, "rmsea") - base.rmsea,
            start_accepted: !bad,
            sequence: Vec::new(),
            accepted: !bad,
            stopped: String::new(),
            partial: partial.clone(),
        };
        let mut current = start;
        // the ladder's own first rejected step is always searched (it was rejected)
        while !stage.accepted {
            if self.max_freed.is_some_and(|n| partial.len() >= n) {
                stage.stopped =
                    format!("the limit of {} freed parameters is reached", partial.len());
                break;
            }
            let scores = match current.score_tests() {
                Ok(s) => s,
                Err(e) if strict && stage.sequence.is_empty() => return Err(e),
                Err(e) => {
                    stage.stopped = format!("score tests not available: {e}");
                    break;
                }
            };
            let best = scores.largest(|c| {
                class_of(&c.lhs, &c.op, &c.rhs, ctx.lv).is_some_and(|e| added.contains(&e))
                    && !partial.contains(&partial_name(&c.lhs, &c.op, &c.rhs))
            });
            let Some(best) = best else {
                stage.stopped = "no equality constraint of the step is left to free".into();
                break;
            };
            let freed = partial_name(&best.lhs, &best.op, &best.rhs);
            partial.push(freed.clone());
            let next = match self.partial_multigroup(step, &partial).fit(ctx.data) {
                Ok(f) => f,
                Err(e) if strict => return Err(e),
                Err(e) => {
                    stage.stopped = format!("refit with {freed} free failed: {e}");
                    partial.pop();
                    break;
                }
            };
            let chisq_diff = m(&next, "chisq") - base.chisq;
            let df_diff = m(&next, "df") - base.df;
            let cfi_delta = m(&next, "cfi") - base.cfi;
            let (pvalue, bad) = (ctx.rejected)(chisq_diff, df_diff, cfi_delta);
            stage.sequence.push(PartialSearchStep {
                step: step.name.clone(),
                against: base.name.clone(),
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
                rmsea_delta: m(&next, "rmsea") - base.rmsea,
                accepted: !bad,
            });
            current = next;
            stage.accepted = !bad;
        }
        stage.partial = partial;
        Ok((stage, current))
    }
}

/// The accepted model a step is compared with.
struct Baseline {
    name: String,
    chisq: f64,
    df: f64,
    cfi: f64,
    rmsea: f64,
}

/// What every step of one search shares.
struct SearchContext<'a> {
    data: &'a Dataset,
    lv: &'a [String],
    rejected: &'a dyn Fn(f64, f64, f64) -> (f64, bool),
}

fn measure(f: &MultiGroupFit, key: &str) -> f64 {
    f.fit_measure(key).unwrap_or(f64::NAN)
}
