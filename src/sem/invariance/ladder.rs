//! The fitted ladder: per-step fit measures, the comparison of each step with the one before
//! it and the decision rules, the printable table.

use std::fmt;

use super::super::{Estimator, GroupEqual, MultiGroupFit};
use super::Invariance;
use super::scaled::DifferenceMethod;
use crate::error::Result;
use crate::summary::{Summary, Table, fmt_num, fmt_pvalue};
use crate::warning::Warning;

/// Cheung & Rensvold (2002): a drop in CFI of more than 0.01 signals non-invariance.
pub(crate) const CHEUNG_RENSVOLD_CFI: f64 = -0.01;
/// Chen (2007): CFI drops by at least 0.010 ...
pub(crate) const CHEN_CFI: f64 = -0.010;
/// ... and RMSEA rises by at least 0.015.
pub(crate) const CHEN_RMSEA: f64 = 0.015;

/// Comparison of one step with the step before it (the more constrained minus the less
/// constrained model, as semTools' `compareFit`), with the decisions of the usual rules.
///
/// With a robust estimator the difference test is lavaan's scaled one (`method`) and the
/// ΔCFI/ΔTLI/ΔRMSEA rules use the robust indices (`cfi.robust`, ...), as semTools' `compareFit`
/// shows them for robust fits.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StepComparison {
    /// Name of the less constrained step this one is compared with.
    pub against: String,
    /// The difference test (lavaan `lavTestLRT(method = )`): `standard` for ML, Satorra–Bentler
    /// 2001 for MLM and MLR, Satorra 2000 (scaled and shifted) for MLMV.
    pub method: DifferenceMethod,
    /// The difference test's statistic (lavaan `lavTestLRT` "Chisq diff": Δχ² for ML, the
    /// scaled difference for robust estimators).
    pub chisq_diff: f64,
    /// The plain difference of the two standard statistics (equal to `chisq_diff` for ML).
    pub chisq_diff_unscaled: f64,
    /// Δdf.
    pub df_diff: f64,
    /// P(χ²_Δdf > Δχ²).
    pub pvalue: f64,
    /// ΔCFI.
    #[cfg_attr(feature = "serde", serde(rename = "cfi.delta"))]
    pub cfi_delta: f64,
    /// ΔTLI.
    #[cfg_attr(feature = "serde", serde(rename = "tli.delta"))]
    pub tli_delta: f64,
    /// ΔRMSEA.
    #[cfg_attr(feature = "serde", serde(rename = "rmsea.delta"))]
    pub rmsea_delta: f64,
    /// ΔSRMR.
    #[cfg_attr(feature = "serde", serde(rename = "srmr.delta"))]
    pub srmr_delta: f64,
    /// Δ robust CFI (robust estimators).
    #[cfg_attr(feature = "serde", serde(rename = "cfi.robust.delta"))]
    pub cfi_robust_delta: Option<f64>,
    /// Δ robust TLI (robust estimators).
    #[cfg_attr(feature = "serde", serde(rename = "tli.robust.delta"))]
    pub tli_robust_delta: Option<f64>,
    /// Δ robust RMSEA (robust estimators).
    #[cfg_attr(feature = "serde", serde(rename = "rmsea.robust.delta"))]
    pub rmsea_robust_delta: Option<f64>,
    /// The χ² difference test rejects the constraints (p < α).
    pub lrt_rejected: bool,
    /// Cheung & Rensvold (2002): ΔCFI < −0.01 (robust CFI with a robust estimator).
    pub cheung_rensvold_noninvariant: bool,
    /// Chen (2007): ΔCFI ≤ −0.010 and ΔRMSEA ≥ 0.015 (robust indices with a robust estimator).
    pub chen_noninvariant: bool,
}

/// One fitted step of the ladder: its constraints and fit measures (lavaan's names in JSON).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct InvarianceStepFit {
    /// Step name.
    pub name: String,
    /// The classes held equal across groups.
    pub equal: Vec<GroupEqual>,
    /// Number of free parameters.
    pub npar: f64,
    /// χ².
    pub chisq: f64,
    /// Degrees of freedom.
    pub df: f64,
    /// p-value of χ².
    pub pvalue: f64,
    /// CFI.
    pub cfi: f64,
    /// TLI.
    pub tli: f64,
    /// RMSEA.
    pub rmsea: f64,
    /// Lower bound of the 90 % RMSEA interval.
    #[cfg_attr(feature = "serde", serde(rename = "rmsea.ci.lower"))]
    pub rmsea_ci_lower: f64,
    /// Upper bound of the 90 % RMSEA interval.
    #[cfg_attr(feature = "serde", serde(rename = "rmsea.ci.upper"))]
    pub rmsea_ci_upper: f64,
    /// SRMR.
    pub srmr: f64,
    /// AIC.
    pub aic: f64,
    /// BIC.
    pub bic: f64,
    /// Scaled χ² (robust estimators).
    #[cfg_attr(feature = "serde", serde(rename = "chisq.scaled"))]
    pub chisq_scaled: Option<f64>,
    /// p-value of the scaled χ².
    #[cfg_attr(feature = "serde", serde(rename = "pvalue.scaled"))]
    pub pvalue_scaled: Option<f64>,
    /// lavaan's `chisq.scaling.factor`.
    #[cfg_attr(feature = "serde", serde(rename = "chisq.scaling.factor"))]
    pub chisq_scaling_factor: Option<f64>,
    /// Robust CFI.
    #[cfg_attr(feature = "serde", serde(rename = "cfi.robust"))]
    pub cfi_robust: Option<f64>,
    /// Robust TLI.
    #[cfg_attr(feature = "serde", serde(rename = "tli.robust"))]
    pub tli_robust: Option<f64>,
    /// Robust RMSEA.
    #[cfg_attr(feature = "serde", serde(rename = "rmsea.robust"))]
    pub rmsea_robust: Option<f64>,
    /// Lower bound of the 90 % robust RMSEA interval.
    #[cfg_attr(feature = "serde", serde(rename = "rmsea.ci.lower.robust"))]
    pub rmsea_ci_lower_robust: Option<f64>,
    /// Upper bound of the 90 % robust RMSEA interval.
    #[cfg_attr(feature = "serde", serde(rename = "rmsea.ci.upper.robust"))]
    pub rmsea_ci_upper_robust: Option<f64>,
    /// Converged.
    pub converged: bool,
    /// Comparison with the step before (none for the first step).
    pub comparison: Option<StepComparison>,
}

impl InvarianceStepFit {
    /// The comparison with the step before (none for the first step).
    pub fn comparison(&self) -> Option<&StepComparison> {
        self.comparison.as_ref()
    }
}

/// A fitted measurement-invariance ladder.
#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct InvarianceFit {
    #[cfg_attr(feature = "serde", serde(skip))]
    config: Invariance,
    group: String,
    group_labels: Vec<String>,
    n_group: Vec<usize>,
    estimator: String,
    alpha: f64,
    steps: Vec<InvarianceStepFit>,
    warnings: Vec<Warning>,
    #[cfg_attr(feature = "serde", serde(skip))]
    fits: Vec<MultiGroupFit>,
}

pub(super) fn assemble(config: Invariance, fits: Vec<MultiGroupFit>) -> Result<InvarianceFit> {
    let m = |f: &MultiGroupFit, k: &str| f.fit_measure(k).unwrap_or(f64::NAN);
    let robust = config.sem.robust_estimator();
    // ordered indicators: WLSMV / ULSMV carry a scaled-shifted test (Satorra 2000 differences)
    let ordinal_robust = config.sem.is_ordinal()
        && matches!(config.sem.estimator_kind(), Estimator::Wlsmv | Estimator::Ulsmv);
    let method = if ordinal_robust {
        DifferenceMethod::Satorra2000
    } else {
        DifferenceMethod::default_for(robust)
    };
    let scaled = robust.is_some() || ordinal_robust;
    // measures a fit does not compute (NaN) are left out
    let opt = |f: &MultiGroupFit, k: &str| {
        if scaled { f.fit_measure(k).filter(|v| !v.is_nan()) } else { None }
    };
    let mut steps: Vec<InvarianceStepFit> = Vec::with_capacity(fits.len());
    let mut warnings = Vec::new();
    for (i, (step, fit)) in config.steps.iter().zip(&fits).enumerate() {
        let comparison = match steps.last() {
            None => None,
            Some(prev) => {
                let df_diff = m(fit, "df") - prev.df;
                let plain = m(fit, "chisq") - prev.chisq;
                // steps with the same df (not nested by df) get no test
                let (chisq_diff, pvalue) = if df_diff > 0.0 {
                    let d = fit.lrt_with(&fits[i - 1], method)?;
                    (d.chisq, d.pvalue)
                } else {
                    (plain, f64::NAN)
                };
                let delta = |a: Option<f64>, b: Option<f64>| Some(a? - b?);
                let cfi_robust_delta = delta(opt(fit, "cfi.robust"), prev.cfi_robust);
                let rmsea_robust_delta = delta(opt(fit, "rmsea.robust"), prev.rmsea_robust);
                let cfi_delta = m(fit, "cfi") - prev.cfi;
                let rmsea_delta = m(fit, "rmsea") - prev.rmsea;
                let (cfi_rule, rmsea_rule) = (
                    cfi_robust_delta.unwrap_or(cfi_delta),
                    rmsea_robust_delta.unwrap_or(rmsea_delta),
                );
                Some(StepComparison {
                    against: prev.name.clone(),
                    method,
                    chisq_diff,
                    chisq_diff_unscaled: plain,
                    df_diff,
                    pvalue,
                    cfi_delta,
                    tli_delta: m(fit, "tli") - prev.tli,
                    rmsea_delta,
                    srmr_delta: m(fit, "srmr") - prev.srmr,
                    cfi_robust_delta,
                    tli_robust_delta: delta(opt(fit, "tli.robust"), prev.tli_robust),
                    rmsea_robust_delta,
                    lrt_rejected: pvalue < config.alpha,
                    cheung_rensvold_noninvariant: cfi_rule < CHEUNG_RENSVOLD_CFI,
                    chen_noninvariant: cfi_rule <= CHEN_CFI && rmsea_rule >= CHEN_RMSEA,
                })
            }
        };
        for w in fit.warnings() {
            if !warnings.contains(w) {
                warnings.push(w.clone());
            }
        }
        steps.push(InvarianceStepFit {
            name: step.name.clone(),
            equal: step.equal.clone(),
            npar: m(fit, "npar"),
            chisq: m(fit, "chisq"),
            df: m(fit, "df"),
            pvalue: m(fit, "pvalue"),
            cfi: m(fit, "cfi"),
            tli: m(fit, "tli"),
            rmsea: m(fit, "rmsea"),
            rmsea_ci_lower: m(fit, "rmsea.ci.lower"),
            rmsea_ci_upper: m(fit, "rmsea.ci.upper"),
            srmr: m(fit, "srmr"),
            aic: m(fit, "aic"),
            bic: m(fit, "bic"),
            chisq_scaled: opt(fit, "chisq.scaled"),
            pvalue_scaled: opt(fit, "pvalue.scaled"),
            chisq_scaling_factor: opt(fit, "chisq.scaling.factor"),
            cfi_robust: opt(fit, "cfi.robust"),
            tli_robust: opt(fit, "tli.robust"),
            rmsea_robust: opt(fit, "rmsea.robust"),
            rmsea_ci_lower_robust: opt(fit, "rmsea.ci.lower.robust"),
            rmsea_ci_upper_robust: opt(fit, "rmsea.ci.upper.robust"),
            converged: fit.convergence().converged,
            comparison,
        });
    }
    let (group_labels, n_group) = fits
        .first()
        .map(|f| f.groups().iter().map(|g| (g.name().to_string(), g.n_obs())).unzip())
        .unwrap_or_default();
    let estimator = if config.sem.is_ordinal() {
        format!("{:?}", config.sem.estimator_kind()).to_uppercase()
    } else {
        robust.map_or("ML".to_string(), |e| format!("{e:?}").to_uppercase())
    };
    Ok(InvarianceFit {
        group: config.group.clone(),
        estimator,
        alpha: config.alpha,
        config,
        group_labels,
        n_group,
        steps,
        warnings,
        fits,
    })
}

impl InvarianceFit {
    /// The configuration that produced this fit.
    pub fn config(&self) -> &Invariance {
        &self.config
    }
    /// The fitted steps, in ladder order.
    pub fn steps(&self) -> &[InvarianceStepFit] {
        &self.steps
    }
    /// The step named `name`.
    pub fn step(&self, name: &str) -> Option<&InvarianceStepFit> {
        self.steps.iter().find(|s| s.name == name)
    }
    /// The multi-group fits of the steps, in ladder order.
    pub fn fits(&self) -> &[MultiGroupFit] {
        &self.fits
    }
    /// The multi-group fit of the step named `name`.
    pub fn fit_of(&self, name: &str) -> Option<&MultiGroupFit> {
        self.steps.iter().position(|s| s.name == name).map(|i| &self.fits[i])
    }
    /// Group labels, in group order.
    pub fn group_labels(&self) -> &[String] {
        &self.group_labels
    }
    /// Observations per group (complete rows on the model's variables).
    pub fn n_group(&self) -> &[usize] {
        &self.n_group
    }
    /// Warnings of the fits (each once).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
    /// The last step of the ladder that no decision rule rejects when every step before it
    /// holds: the level of invariance supported by the χ² difference tests (`lrt = true`) or by
    /// the Cheung–Rensvold ΔCFI rule (`lrt = false`).
    pub fn supported_step(&self, lrt: bool) -> Option<&InvarianceStepFit> {
        let mut last = self.steps.first()?;
        for s in &self.steps[1..] {
            let c = s.comparison.as_ref()?;
            let rejected = if lrt { c.lrt_rejected } else { c.cheung_rensvold_noninvariant };
            if rejected {
                break;
            }
            last = s;
        }
        Some(last)
    }

    /// A printable table like semTools' `compareFit` summary.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::new("Measurement invariance across groups");
        let groups = self
            .group_labels
            .iter()
            .zip(&self.n_group)
            .map(|(g, n)| format!("{g} ({n})"))
            .collect::<Vec<_>>()
            .join(", ");
        s.key_values([
            ("Grouping variable".to_string(), self.group.clone()),
            ("Groups (observations)".into(), groups),
            ("Estimator".into(), self.estimator.clone()),
        ]);
        // robust fits show the scaled χ² and the robust indices, as semTools' compareFit
        // (ordinal multi-group fits have a scaled χ² but no robust indices once the thresholds
        // are equal: when a step lacks them, the plain indices are shown, as the rules use them)
        let scaled = self.steps.first().is_some_and(|st| st.chisq_scaled.is_some());
        let robust = scaled && self.steps.iter().all(|st| st.cfi_robust.is_some());
        let (chisq_h, p_h) =
            if scaled { ("chisq.scaled", "pvalue.scaled") } else { ("chisq", "pvalue") };
        let (cfi_h, tli_h, rmsea_h) = if robust {
            ("cfi.robust", "tli.robust", "rmsea.robust")
        } else {
            ("cfi", "tli", "rmsea")
        };
        let mut t = Table::new(
            Some("Fit of each step:"),
            ["step", "npar", chisq_h, "df", p_h, cfi_h, tli_h, rmsea_h, "rmsea 90% CI", "srmr"],
        );
        for st in &self.steps {
            let or =
                |r: Option<f64>, plain: f64| if robust { r.unwrap_or(f64::NAN) } else { plain };
            let sc =
                |r: Option<f64>, plain: f64| if scaled { r.unwrap_or(f64::NAN) } else { plain };
            t.push([
                st.name.clone(),
                fmt_num(st.npar, 0),
                fmt_num(sc(st.chisq_scaled, st.chisq), 3),
                fmt_num(st.df, 0),
                fmt_pvalue(sc(st.pvalue_scaled, st.pvalue)),
                fmt_num(or(st.cfi_robust, st.cfi), 3),
                fmt_num(or(st.tli_robust, st.tli), 3),
                fmt_num(or(st.rmsea_robust, st.rmsea), 3),
                format!(
                    "[{}, {}]",
                    fmt_num(or(st.rmsea_ci_lower_robust, st.rmsea_ci_lower), 3),
                    fmt_num(or(st.rmsea_ci_upper_robust, st.rmsea_ci_upper), 3)
                ),
                fmt_num(st.srmr, 3),
            ]);
        }
        s.table(t);
        let method = self
            .steps
            .iter()
            .find_map(|st| st.comparison.as_ref())
            .map_or("standard", |c| c.method.name());
        let title = format!(
            "Nested model comparison (each step against the one before; lavTestLRT method {method}):"
        );
        let mut t = Table::new(
            Some(title.as_str()),
            [
                "comparison",
                "chisq diff",
                "df diff",
                "p",
                if robust { "cfi.robust.delta" } else { "cfi.delta" },
                if robust { "rmsea.robust.delta" } else { "rmsea.delta" },
                "srmr.delta",
                "LRT",
                "Cheung-Rensvold",
                "Chen",
            ],
        );
        let verdict = |bad: bool| if bad { "not invariant" } else { "invariant" };
        for st in &self.steps {
            if let Some(c) = &st.comparison {
                t.push([
                    format!("{} - {}", st.name, c.against),
                    fmt_num(c.chisq_diff, 3),
                    fmt_num(c.df_diff, 0),
                    fmt_pvalue(c.pvalue),
                    fmt_num(
                        if robust { c.cfi_robust_delta.unwrap_or(f64::NAN) } else { c.cfi_delta },
                        4,
                    ),
                    fmt_num(
                        if robust {
                            c.rmsea_robust_delta.unwrap_or(f64::NAN)
                        } else {
                            c.rmsea_delta
                        },
                        4,
                    ),
                    fmt_num(c.srmr_delta, 4),
                    verdict(c.lrt_rejected).to_string(),
                    verdict(c.cheung_rensvold_noninvariant).to_string(),
                    verdict(c.chen_noninvariant).to_string(),
                ]);
            }
        }
        if !t.rows.is_empty() {
            s.table(t);
        }
        s.text(format!(
            "Rules: LRT rejects when p < {}; Cheung & Rensvold (2002): cfi.delta < -0.01; \
             Chen (2007): cfi.delta <= -0.010 and rmsea.delta >= 0.015.",
            self.alpha
        ));
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

impl fmt::Display for InvarianceFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary())
    }
}
