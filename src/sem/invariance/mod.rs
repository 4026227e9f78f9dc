//! Measurement invariance across groups: the ladder of nested multi-group models (configural,
//! metric, scalar, strict), the comparison table of semTools' `compareFit` /
//! `measurementInvariance` with the usual decision rules, and score tests of the cross-group
//! equality constraints (lavaan's `lavTestScore`).

mod ladder;
mod means;
mod partial;
mod report;
mod scaled;
mod score;

use super::{GroupEqual, MultiGroupSem, Sem};
use crate::data::Dataset;
use crate::error::{Error, Result};
pub use ladder::{InvarianceFit, InvarianceStepFit, StepComparison};
pub use means::LatentMeanDifference;
pub use partial::{PartialRule, PartialSearch, PartialSearchStep, PartialStage};
pub use report::InvarianceReport;
pub use scaled::{DifferenceMethod, ScaledDifference};
pub(crate) use score::mean_score_parts;
pub use score::{ConstraintScore, ScoreTests};

/// One rung of the ladder: a name and the parameter classes held equal across groups.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct InvarianceStep {
    /// Name shown in the table (`configural`, `metric`, ...).
    pub name: String,
    /// The classes constrained equal (lavaan `group.equal`).
    pub equal: Vec<GroupEqual>,
}

impl InvarianceStep {
    /// A step named `name` with the classes `equal` held equal across groups.
    pub fn new(name: impl Into<String>, equal: impl IntoIterator<Item = GroupEqual>) -> Self {
        Self { name: name.into(), equal: equal.into_iter().collect() }
    }
}

/// Measurement-invariance configuration: a [`Sem`] model, the grouping column, the steps of the
/// ladder and the significance level of the χ² difference tests.
///
/// The default ladder is configural (no constraints) → metric (equal loadings) → scalar (equal
/// loadings and intercepts) → strict (equal loadings, intercepts and residual variances). Every step is
/// fitted as a [`MultiGroupSem`] and compared with the step before it: the χ² difference test
/// (lavaan's `lavTestLRT` with the standard test: the plain difference), the changes in CFI,
/// TLI, RMSEA and SRMR (semTools' `compareFit`: the more constrained minus the less constrained
/// model) and three decisions:
///
/// # Formula
/// ```text
/// Δχ² = χ²_k − χ²_{k−1},  Δdf = df_k − df_{k−1},  p = P(χ²_Δdf > Δχ²)   rejected when p < α
/// ΔCFI = CFI_k − CFI_{k−1},  ΔRMSEA = RMSEA_k − RMSEA_{k−1}
/// Cheung & Rensvold (2002): non-invariance when ΔCFI < −0.01
/// Chen (2007):              non-invariance when ΔCFI ≤ −0.010 and ΔRMSEA ≥ 0.015
/// ```
///
/// # Examples
/// ```
/// use surveystat::data::Dataset;
/// use surveystat::sem::Sem;
/// let csv = "g,a,b,c\n1,1,2,2\n1,2,2,3\n1,3,4,3\n1,4,3,5\n1,2,1,1\n1,5,4,4\n\
///            2,2,1,2\n2,3,3,2\n2,1,2,1\n2,4,5,4\n2,5,4,5\n2,3,2,4\n";
/// let data = Dataset::from_csv_str(csv, "example").unwrap();
/// let fit = Sem::from_syntax("f =~ a + b + c").unwrap().invariance("g").fit(&data).unwrap();
/// assert_eq!(fit.steps().len(), 4);
/// assert_eq!(fit.steps()[1].comparison().unwrap().df_diff, 2.0);
/// ```
///
/// # Errors
/// See [`Invariance::fit`].
///
/// # References
/// Cheung, G. W., & Rensvold, R. B. (2002). Evaluating goodness-of-fit indexes for testing
/// measurement invariance. *Structural Equation Modeling*, 9, 233–255.
/// Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement invariance.
/// *Structural Equation Modeling*, 14, 464–504.
/// Validated against R lavaan 0.6.14 and semTools 0.5-6 on HolzingerSwineford1939 by school and
/// the study survey by region (tests/reference/invariance.rs).
#[derive(Debug, Clone, PartialEq)]
pub struct Invariance {
    sem: Sem,
    group: String,
    steps: Vec<InvarianceStep>,
    alpha: f64,
    max_freed: Option<usize>,
}

impl Sem {
    /// The measurement-invariance ladder of this model across the groups of the column `group`.
    pub fn invariance(self, group: impl Into<String>) -> Invariance {
        Invariance::new(self, group)
    }
}

impl Invariance {
    /// The default ladder (configural → metric → scalar → strict; with ordered indicators
    /// [`Invariance::ordinal_steps`]) of `sem` across the groups of `group`.
    pub fn new(sem: Sem, group: impl Into<String>) -> Self {
        let steps = if sem.is_ordinal() { Self::ordinal_steps() } else { Self::default_steps() };
        Self { sem, group: group.into(), steps, alpha: 0.05, max_freed: None }
    }

    /// The default steps: configural (no constraints), metric (equal loadings), scalar (equal
    /// loadings and intercepts; latent means free in every group but the first) and strict
    /// (equal loadings, intercepts and residual variances).
    pub fn default_steps() -> Vec<InvarianceStep> {
        vec![
            InvarianceStep::new("configural", []),
            InvarianceStep::new("metric", [GroupEqual::Loadings]),
            InvarianceStep::new("scalar", [GroupEqual::Loadings, GroupEqual::Intercepts]),
            InvarianceStep::new(
                "strict",
                [GroupEqual::Loadings, GroupEqual::Intercepts, GroupEqual::Residuals],
            ),
        ]
    }

    /// The ladder of a model with ordered indicators (lavaan 0.6.14 `group.equal`, delta
    /// parameterization): configural, equal thresholds (`thresholds`: the scaling factors and
    /// latent means become free after the first group), equal thresholds and loadings
    /// (`loadings`). Equal intercepts add nothing for ordered indicators (their intercepts are
    /// fixed at 0, and lavaan maps `intercepts` to the thresholds), and equal residual variances
    /// constrain nothing in the delta parameterization, so the ladder stops there.
    pub fn ordinal_steps() -> Vec<InvarianceStep> {
        vec![
            InvarianceStep::new("configural", []),
            InvarianceStep::new("thresholds", [GroupEqual::Thresholds]),
            InvarianceStep::new("loadings", [GroupEqual::Thresholds, GroupEqual::Loadings]),
        ]
    }

    /// Replace the ladder by these steps (each compared with the one before it).
    pub fn steps(mut self, steps: impl IntoIterator<Item = InvarianceStep>) -> Self {
        self.steps = steps.into_iter().collect();
        self
    }

    /// Append one step to the ladder.
    pub fn step(
        mut self,
        name: impl Into<String>,
        equal: impl IntoIterator<Item = GroupEqual>,
    ) -> Self {
        self.steps.push(InvarianceStep::new(name, equal));
        self
    }

    /// Significance level of the χ² difference tests (default 0.05).
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// Stop the partial-invariance search ([`Invariance::partial_search`]) after freeing at most
    /// `n` parameters (default: no limit other than the step's constraints).
    pub fn max_freed(mut self, n: usize) -> Self {
        self.max_freed = Some(n);
        self
    }

    /// The single-group model.
    pub fn sem(&self) -> &Sem {
        &self.sem
    }
    /// The grouping column.
    pub fn group(&self) -> &str {
        &self.group
    }
    /// The steps of the ladder.
    pub fn ladder(&self) -> &[InvarianceStep] {
        &self.steps
    }
    /// Significance level of the χ² difference tests.
    pub fn significance(&self) -> f64 {
        self.alpha
    }

    /// The multi-group configuration of one step.
    pub fn multigroup(&self, step: &InvarianceStep) -> MultiGroupSem {
        MultiGroupSem::new(self.sem.clone(), self.group.clone()).equal(step.equal.iter().copied())
    }

    /// Fit every step to `data` (rows are observations, columns variables), split by the
    /// grouping column.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for an empty ladder, a significance level outside (0, 1), a
    /// grouping column with fewer than two levels or a group with fewer complete rows than
    /// observed variables (naming the group); [`Error::UnknownVariable`] for an unknown column;
    /// the errors of [`MultiGroupSem::fit`] for each step.
    pub fn fit(&self, data: &Dataset) -> Result<InvarianceFit> {
        self.check_config()?;
        data.index_of(&self.group)?;
        let ov = if self.sem.is_ordinal() {
            super::ordinal::observed(&self.sem)?
        } else {
            self.sem.compile()?.observed().to_vec()
        };
        let parts = data.split_by(&self.group)?;
        if parts.len() < 2 {
            let level = parts.first().map(|(n, _)| n.as_str()).unwrap_or("");
            return Err(Error::invalid(
                "group",
                format!(
                    "the grouping column `{}` has {} level{} ({level}): invariance needs at least two groups",
                    self.group,
                    parts.len(),
                    if parts.len() == 1 { "" } else { "s" }
                ),
            ));
        }
        for (name, part) in &parts {
            let x = part.select(&ov)?;
            let complete = x.rows().into_iter().filter(|r| r.iter().all(|v| v.is_finite())).count();
            if complete <= ov.len() {
                return Err(Error::invalid(
                    "group",
                    format!(
                        "group {name} of column `{}` has {complete} complete rows but the model has {} observed variables",
                        self.group,
                        ov.len()
                    ),
                ));
            }
        }
        let mut fits = Vec::with_capacity(self.steps.len());
        for step in &self.steps {
            fits.push(self.multigroup(step).fit(data)?);
        }
        ladder::assemble(self.clone(), fits)
    }

    fn check_config(&self) -> Result<()> {
        if self.steps.is_empty() {
            return Err(Error::invalid("steps", "the invariance ladder has no steps"));
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(Error::invalid(
                "alpha",
                format!("the significance level must lie in (0, 1), got {}", self.alpha),
            ));
        }
        Ok(())
    }
}
