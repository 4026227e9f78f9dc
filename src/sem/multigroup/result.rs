//! The fitted multi-group model: per-group results, the joint covariance of the estimates,
//! nested-model and group-difference tests, the printable summary.

use std::fmt;

use ndarray::{Array1, Array2};
use statrs::distribution::{ContinuousCDF, Normal};

use super::super::partable::{ParTable, TableOptions};
use super::super::{free_names, param_table};
use super::MultiGroupSem;
use crate::core::dist::chisq_sf;
use crate::error::{Error, Result};
use crate::summary::{Convergence, ParamRow, Summary, fmt_num, fmt_pvalue};
use crate::warning::Warning;

/// One group's part of a [`MultiGroupFit`].
#[derive(Debug, Clone)]
pub struct GroupResult {
    pub(super) name: String,
    pub(super) n: usize,
    pub(super) n_dropped: usize,
    pub(super) rows: Vec<ParamRow>,
    pub(super) r2: Vec<(String, f64)>,
    pub(super) chisq: f64,
    pub(super) implied: Array2<f64>,
    /// Model-implied means with a structured mean part (`None`: saturated, the sample means).
    pub(super) implied_mean: Option<Array1<f64>>,
    pub(super) sample: Array2<f64>,
}

impl GroupResult {
    /// Group label (value of the grouping column).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Observations used in this group.
    pub fn n_obs(&self) -> usize {
        self.n
    }
    /// Rows dropped listwise in this group.
    pub fn n_dropped(&self) -> usize {
        self.n_dropped
    }
    /// Parameter rows of this group: model rows in parameter-table order, then the observed
    /// intercepts (`~1`) and the latent means (fixed at 0), as lavaan's `parameterEstimates`.
    pub fn parameters(&self) -> &[ParamRow] {
        &self.rows
    }
    /// The row `lhs op rhs` of this group.
    pub fn parameter(&self, lhs: &str, op: &str, rhs: &str) -> Option<&ParamRow> {
        self.rows.iter().find(|r| r.lhs == lhs && r.op == op && r.rhs == rhs)
    }
    /// R² of the endogenous variables in this group.
    pub fn r_squared(&self) -> &[(String, f64)] {
        &self.r2
    }
    /// This group's contribution N′_g·F_g to χ² (N′_g = n_g for ML/normal, n_g − 1 otherwise).
    pub fn chisq(&self) -> f64 {
        self.chisq
    }
    /// Model-implied covariance of the observed variables.
    pub fn implied_cov(&self) -> &Array2<f64> {
        &self.implied
    }
    /// Model-implied means of the observed variables with a structured mean part (equal
    /// intercepts or means, `group.partial`, FIML); `None` when the mean part is saturated
    /// (the implied means are then the sample means).
    pub fn implied_mean(&self) -> Option<&Array1<f64>> {
        self.implied_mean.as_ref()
    }
    /// Sample covariance the group was fitted to (divisor n_g for ML/normal, n_g − 1 otherwise).
    pub fn sample_cov(&self) -> &Array2<f64> {
        &self.sample
    }
}

/// A likelihood-ratio (χ² difference) test of two nested models.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ChisqDifference {
    /// Δχ².
    pub chisq: f64,
    /// Δdf.
    pub df: f64,
    /// P(χ²_Δdf > Δχ²).
    pub pvalue: f64,
}

/// Wald test of the difference of one parameter between two groups.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct GroupDifference {
    /// θ_a − θ_b.
    pub difference: f64,
    /// Its standard error √(v_aa + v_bb − 2 v_ab) from the joint covariance matrix.
    pub se: f64,
    /// z = difference / se.
    pub z: f64,
    /// Two-sided p-value.
    pub pvalue: f64,
}

/// A fitted multi-group model.
#[derive(Debug, Clone)]
pub struct MultiGroupFit {
    pub(super) config: MultiGroupSem,
    pub(super) groups: Vec<GroupResult>,
    pub(super) defined: Vec<ParamRow>,
    pub(super) fit: Vec<(String, f64)>,
    pub(super) vcov: Array2<f64>,
    pub(super) theta: Vec<f64>,
    pub(super) names: Vec<String>,
    pub(super) convergence: Convergence,
    pub(super) grad_max: f64,
    pub(super) warnings: Vec<Warning>,
    pub(super) score_parts: Vec<GroupScoreParts>,
    /// The pieces of the Satorra (2000) scaled difference test (robust MLM and MLMV fits).
    pub(crate) robust_diff: Option<crate::sem::robust::groups::DiffParts>,
}

/// One group's expected information and score (gradient of the log-likelihood) at the
/// solution, in the group's own parametrization before the cross-group equalities, with the
/// map of its free parameters to the global ones: the input of score tests of those equalities.
#[derive(Debug, Clone)]
pub(crate) struct GroupScoreParts {
    /// Expected information of the group's free parameters, weighted as in the covariance
    /// matrix of the estimates.
    pub(crate) information: Array2<f64>,
    /// Score of the group's free parameters.
    pub(crate) score: Array1<f64>,
    /// Global index of each of the group's free parameters.
    pub(crate) map: Vec<usize>,
    /// (lhs, op, rhs) of each of the group's free parameters.
    pub(crate) params: Vec<(String, String, String)>,
}

impl MultiGroupFit {
    /// The configuration that produced this fit.
    pub fn config(&self) -> &MultiGroupSem {
        &self.config
    }
    /// Per-group results, in group order.
    pub fn groups(&self) -> &[GroupResult] {
        &self.groups
    }
    /// The group named `name`.
    pub fn group(&self, name: &str) -> Option<&GroupResult> {
        self.groups.iter().find(|g| g.name == name)
    }
    /// Defined parameters (`:=`), evaluated on the shared labels, with delta-method SEs.
    pub fn defined(&self) -> &[ParamRow] {
        &self.defined
    }
    /// Fit measures under lavaan's names (`chisq`, `df`, `cfi`, `tli`, `rmsea`, `srmr`, `aic`,
    /// ...).
    pub fn fit_measures(&self) -> &[(String, f64)] {
        &self.fit
    }
    /// One fit measure by lavaan's name.
    pub fn fit_measure(&self, name: &str) -> Option<f64> {
        self.fit.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
    }
    /// Covariance matrix of the free (global) parameters.
    pub fn vcov(&self) -> &Array2<f64> {
        &self.vcov
    }
    /// Free (global) parameter values.
    pub fn coefficients(&self) -> &[f64] {
        &self.theta
    }
    /// Names of the free parameters; group-specific ones of group g ≥ 2 end in `.g<g>`.
    pub fn free_parameter_names(&self) -> &[String] {
        &self.names
    }
    /// Convergence of the estimation.
    pub fn convergence(&self) -> &Convergence {
        &self.convergence
    }
    /// Largest absolute gradient element at the solution.
    pub fn gradient_max(&self) -> f64 {
        self.grad_max
    }
    /// Warnings (rows dropped, Heywood cases, non-convergence).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
    /// Per-group information and score at the solution (for score tests).
    pub(crate) fn score_parts(&self) -> &[GroupScoreParts] {
        &self.score_parts
    }
    /// Total number of observations.
    pub fn n_obs(&self) -> usize {
        self.groups.iter().map(|g| g.n).sum()
    }

    /// χ² difference test against another multi-group fit of a nested model (either order).
    ///
    /// # Formula
    /// ```text
    /// Δχ² = |χ²_a − χ²_b|,  Δdf = |df_a − df_b|,  p = P(χ²_Δdf > Δχ²)
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] if the degrees of freedom are equal (not nested).
    pub fn lrt(&self, other: &MultiGroupFit) -> Result<ChisqDifference> {
        let get = |f: &MultiGroupFit, k: &str| f.fit_measure(k).unwrap_or(f64::NAN);
        let df = (get(self, "df") - get(other, "df")).abs();
        if df.is_nan() || df == 0.0 {
            return Err(Error::invalid("lrt", "the two models have the same degrees of freedom"));
        }
        let chisq = (get(self, "chisq") - get(other, "chisq")).abs();
        Ok(ChisqDifference { chisq, df, pvalue: chisq_sf(chisq, df) })
    }

    /// Wald test that the parameter `lhs op rhs` is equal in groups `a` and `b` (indices).
    /// `None` if the row does not exist or is fixed in either group; a difference of exactly 0
    /// with SE 0 when the parameter is constrained equal.
    pub fn group_difference(
        &self,
        lhs: &str,
        op: &str,
        rhs: &str,
        a: usize,
        b: usize,
    ) -> Option<GroupDifference> {
        let (ga, gb) = (self.groups.get(a)?, self.groups.get(b)?);
        let ra = ga.parameter(lhs, op, rhs)?;
        let rb = gb.parameter(lhs, op, rhs)?;
        let ia = self.global_index(a, lhs, op, rhs)?;
        let ib = self.global_index(b, lhs, op, rhs)?;
        let v = self.vcov[[ia, ia]] + self.vcov[[ib, ib]] - 2.0 * self.vcov[[ia, ib]];
        let se = v.max(0.0).sqrt();
        let d = ra.est - rb.est;
        let (z, pvalue) = if se > 0.0 {
            let z = d / se;
            (z, 2.0 * Normal::new(0.0, 1.0).map(|n| n.sf(z.abs())).unwrap_or(f64::NAN))
        } else {
            (f64::NAN, f64::NAN)
        };
        Some(GroupDifference { difference: d, se, z, pvalue })
    }

    fn global_index(&self, g: usize, lhs: &str, op: &str, rhs: &str) -> Option<usize> {
        let sem = &self.config.sem;
        let pt = ParTable::build(
            &sem.syntax,
            TableOptions { std_lv: sem.std_lv, fixed_x: sem.fixed_x, meanstructure: false },
        )
        .ok()?;
        let f =
            pt.rows.iter().find(|r| r.lhs == lhs && r.op.as_str() == op && r.rhs == rhs)?.free?;
        let name = free_names(&pt).get(f)?.clone();
        let candidate = if g == 0 { name.clone() } else { format!("{name}.g{}", g + 1) };
        self.names
            .iter()
            .position(|n| *n == candidate)
            .or_else(|| self.names.iter().position(|n| *n == name))
    }

    /// A printable summary like lavaan's `summary(fit, fit.measures = TRUE, standardized = TRUE)`
    /// for a multi-group model.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::new("Multi-group structural equation model (lavaan syntax)");
        let fm = |k: &str| self.fit_measure(k);
        let eq = if self.config.equal.is_empty() {
            "none (configural)".to_string()
        } else {
            self.config.equal.iter().map(|e| e.name()).collect::<Vec<_>>().join(", ")
        };
        let mut kv = vec![
            (
                "Estimator".to_string(),
                match self.config.sem.is_ordinal() {
                    true => format!("{:?}", self.config.sem.estimator_kind()).to_uppercase(),
                    false => self
                        .config
                        .sem
                        .robust_estimator()
                        .map_or("ML".to_string(), |e| format!("{e:?}").to_uppercase()),
                },
            ),
            ("Grouping variable".into(), self.config.group.clone()),
            ("Equality constraints".into(), eq),
            (
                "Converged".into(),
                format!(
                    "{} after {} iterations (max |gradient| {:.1e})",
                    self.convergence.converged, self.convergence.iterations, self.grad_max
                ),
            ),
            ("Number of model parameters".into(), fmt_num(fm("npar"), 0)),
        ];
        for g in &self.groups {
            kv.push((format!("Number of observations: {}", g.name), g.n.to_string()));
        }
        s.key_values(kv);
        let mut kv: Vec<(String, String)> = vec![
            ("Model Test User Model: Test statistic".into(), fmt_num(fm("chisq"), 3)),
            ("  Degrees of freedom".into(), fmt_num(fm("df"), 0)),
            ("  P-value (Chi-square)".into(), fmt_pvalue(fm("pvalue"))),
        ];
        for g in &self.groups {
            kv.push((format!("  Test statistic for {}", g.name), fmt_num(g.chisq, 3)));
        }
        if let Some(ts) = fm("chisq.scaled") {
            kv.push(("  Scaled test statistic".into(), fmt_num(ts, 3)));
            kv.push(("  P-value (scaled)".into(), fmt_pvalue(fm("pvalue.scaled"))));
            kv.push(("  Scaling correction factor".into(), fmt_num(fm("chisq.scaling.factor"), 3)));
            kv.push((
                "Robust CFI / TLI".into(),
                format!("{} / {}", fmt_num(fm("cfi.robust"), 3), fmt_num(fm("tli.robust"), 3)),
            ));
            kv.push(("Robust RMSEA".into(), fmt_num(fm("rmsea.robust"), 3)));
        }
        kv.extend([
            ("Comparative Fit Index (CFI)".to_string(), fmt_num(fm("cfi"), 3)),
            ("Tucker-Lewis Index (TLI)".into(), fmt_num(fm("tli"), 3)),
            ("Loglikelihood user model (H0)".into(), fmt_num(fm("logl"), 3)),
            ("Akaike (AIC)".into(), fmt_num(fm("aic"), 3)),
            ("Bayesian (BIC)".into(), fmt_num(fm("bic"), 3)),
            ("RMSEA".into(), fmt_num(fm("rmsea"), 3)),
            (
                "  90 Percent confidence interval".into(),
                format!(
                    "{} {}",
                    fmt_num(fm("rmsea.ci.lower"), 3),
                    fmt_num(fm("rmsea.ci.upper"), 3)
                ),
            ),
            ("SRMR".into(), fmt_num(fm("srmr"), 3)),
        ]);
        s.key_values(kv);
        let sections = [
            ("=~", "Latent Variables:"),
            ("~", "Regressions:"),
            ("~~", "Covariances / Variances:"),
            ("~1", "Intercepts:"),
        ];
        for (gi, g) in self.groups.iter().enumerate() {
            s.text(format!("Group {} [{}]:", gi + 1, g.name));
            for (op, title) in sections {
                let rows: Vec<&ParamRow> = g.rows.iter().filter(|r| r.op == op).collect();
                if rows.is_empty() {
                    continue;
                }
                s.table(param_table(title, &rows));
            }
        }
        if !self.defined.is_empty() {
            let rows: Vec<&ParamRow> = self.defined.iter().collect();
            s.table(param_table("Defined Parameters:", &rows));
        }
        if !self.warnings.is_empty() {
            s.text(
                self.warnings
                    .iter()
                    .map(|w| format!("Warning: {w}"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
        }
        s
    }
}

impl fmt::Display for MultiGroupFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary())
    }
}

impl GroupResult {
    /// A group's result assembled by another estimator (ordered indicators).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn assemble(
        name: String,
        n: usize,
        n_dropped: usize,
        rows: Vec<ParamRow>,
        r2: Vec<(String, f64)>,
        chisq: f64,
        implied: Array2<f64>,
        sample: Array2<f64>,
    ) -> Self {
        Self { name, n, n_dropped, rows, r2, chisq, implied, implied_mean: None, sample }
    }
}

/// The parts of a [`MultiGroupFit`] computed by another estimator (ordered indicators).
pub(crate) struct AssembledParts {
    pub config: MultiGroupSem,
    pub groups: Vec<GroupResult>,
    pub fit: Vec<(String, f64)>,
    pub vcov: Array2<f64>,
    pub theta: Vec<f64>,
    pub names: Vec<String>,
    pub convergence: Convergence,
    pub grad_max: f64,
    pub warnings: Vec<Warning>,
    pub robust_diff: Option<crate::sem::robust::groups::DiffParts>,
}

impl MultiGroupFit {
    /// A fit assembled from [`AssembledParts`] (no defined parameters, no score-test parts).
    pub(crate) fn assemble(p: AssembledParts) -> Self {
        Self {
            config: p.config,
            groups: p.groups,
            defined: Vec::new(),
            fit: p.fit,
            vcov: p.vcov,
            theta: p.theta,
            names: p.names,
            convergence: p.convergence,
            grad_max: p.grad_max,
            warnings: p.warnings,
            score_parts: Vec::new(),
            robust_diff: p.robust_diff,
        }
    }
}

impl MultiGroupFit {
    /// The fit with the score-test inputs of its groups (fits assembled outside this module).
    pub(crate) fn with_score_parts(mut self, parts: Vec<GroupScoreParts>) -> Self {
        self.score_parts = parts;
        self
    }
}
