//! The fitted single-group model: accessors, derived quantities (ω, implied moments, residuals,
//! modification indices), the printable summary.

use super::*;

/// A fitted structural equation model.
///
/// Validated against R lavaan 0.6.14 on HolzingerSwineford1939 (CFA, ML/GLS/ULS, std.lv,
/// covariance input, Wishart), PoliticalDemocracy (equality labels) and the study data.
#[derive(Debug, Clone)]
pub struct SemFit {
    pub(super) config: Sem,
    pub(super) rows: Vec<ParamRow>,
    pub(super) fit: Vec<(String, f64)>,
    pub(super) vcov: Array2<f64>,
    pub(super) info_inv: Array2<f64>,
    pub(super) theta: Vec<f64>,
    pub(super) par_names: Vec<String>,
    pub(super) implied: Array2<f64>,
    pub(super) sample: Array2<f64>,
    pub(super) ov: Vec<String>,
    pub(super) lv: Vec<String>,
    pub(super) r2: Vec<(String, f64)>,
    pub(super) lv_cor: Array2<f64>,
    pub(super) convergence: Convergence,
    pub(super) grad_max: f64,
    pub(super) warnings: Vec<Warning>,
    pub(super) n_obs: usize,
    pub(super) pt: ParTable,
    pub(super) st: ModelStructure,
    pub(super) obj: Objective,
    /// (sample or EM h1 means, model-implied means) with a mean structure.
    pub(super) means: Option<(Array1<f64>, Array1<f64>)>,
}

impl SemFit {
    /// The configuration that produced this fit.
    pub fn config(&self) -> &Sem {
        &self.config
    }
    /// Parameter rows like lavaan's `parameterEstimates(standardized = TRUE)`, defined
    /// parameters (`:=`) last.
    pub fn parameters(&self) -> &[ParamRow] {
        &self.rows
    }
    /// The row `lhs op rhs` (for `~~` either order), or a defined parameter by name (`op = ":="`).
    pub fn parameter(&self, lhs: &str, op: &str, rhs: &str) -> Option<&ParamRow> {
        self.rows.iter().find(|r| {
            r.op == op
                && ((r.lhs == lhs && r.rhs == rhs)
                    || (op == "~~" && r.lhs == rhs && r.rhs == lhs)
                    || (op == ":=" && r.lhs == lhs))
        })
    }
    /// Fit measures under lavaan's `fitMeasures()` names, in lavaan's order.
    pub fn fit_measures(&self) -> &[(String, f64)] {
        &self.fit
    }
    /// One fit measure by its lavaan name (`"cfi"`, `"rmsea.ci.upper"`, …).
    pub fn fit_measure(&self, name: &str) -> Option<f64> {
        self.fit.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
    }
    /// Covariance matrix of the free parameters (equality-constrained parameters once).
    pub fn vcov(&self) -> &Array2<f64> {
        &self.vcov
    }
    /// Names of the free parameters (label, or `lhs op rhs`), in the order of [`SemFit::vcov`].
    pub fn free_parameter_names(&self) -> &[String] {
        &self.par_names
    }
    /// Free parameter estimates in the order of [`SemFit::vcov`].
    pub fn coefficients(&self) -> &[f64] {
        &self.theta
    }
    /// Model-implied covariance Σ(θ̂) of the observed variables ([`SemFit::observed`] order).
    pub fn implied_cov(&self) -> &Array2<f64> {
        &self.implied
    }
    /// The sample covariance that was fitted (divisor N for ML/normal, N − 1 otherwise; the
    /// saturated EM covariance for FIML).
    pub fn sample_cov(&self) -> &Array2<f64> {
        &self.sample
    }
    /// Model-implied means μ(θ̂) (models with a mean structure: FIML or `~ 1`).
    pub fn implied_mean(&self) -> Option<&Array1<f64>> {
        self.means.as_ref().map(|m| &m.1)
    }
    /// The means that were fitted: sample means (complete data) or the saturated EM means
    /// (FIML); `None` without a mean structure.
    pub fn sample_mean(&self) -> Option<&Array1<f64>> {
        self.means.as_ref().map(|m| &m.0)
    }
    /// Residual covariance S − Σ(θ̂).
    pub fn residual_cov(&self) -> Array2<f64> {
        &self.sample - &self.implied
    }
    /// Observed variables in model order.
    pub fn observed(&self) -> &[String] {
        &self.ov
    }
    /// Latent variables.
    pub fn latent(&self) -> &[String] {
        &self.lv
    }
    /// R² of the endogenous observed and latent variables.
    pub fn r_squared(&self) -> &[(String, f64)] {
        &self.r2
    }
    /// Model-implied correlation matrix of the latent variables ([`SemFit::latent`] order).
    pub fn latent_correlation(&self) -> &Array2<f64> {
        &self.lv_cor
    }
    /// Convergence of the optimizer.
    pub fn convergence(&self) -> &Convergence {
        &self.convergence
    }
    /// Largest absolute gradient element of lavaan's fmin (= F/2 for ML; −ℓ/n with FIML) at the
    /// solution; under explicit constraints, of the problem the solver minimises (reduced to the
    /// constraints' null space, or the augmented Lagrangian), which vanishes at a constrained
    /// optimum.
    pub fn gradient_max(&self) -> f64 {
        self.grad_max
    }
    /// Warnings: rows dropped, Heywood cases, non-PD latent covariance, non-convergence.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
    /// Number of observations used.
    pub fn n_obs(&self) -> usize {
        self.n_obs
    }

    /// Modification indices of every parameter that could be added (lavaan's `modindices()`),
    /// sorted by decreasing MI.
    ///
    /// # Formula
    /// ```text
    /// MI = N s² / V_jj,  EPC = s / V_jj,  V = I₁₁ − I₁₂ I₂₂⁻¹ I₂₁,  s = −½ ∂F/∂θ_j
    /// ```
    ///
    /// Under explicit constraints I₂₂⁻¹ is the inverse restricted to the null space of their
    /// Jacobian, K (Kᵀ I₂₂ K)⁻¹ Kᵀ (so `a == b` gives the indices of the model with the shared
    /// label, as lavaan).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for estimators other than ML.
    pub fn modindices(&self) -> Result<Vec<ModIndex>> {
        if self.config.estimator != Estimator::Ml {
            return Err(Error::invalid(
                "modindices",
                "modification indices are available for ML only",
            ));
        }
        if self.pt.meanstructure {
            return Err(Error::invalid(
                "modindices",
                "modification indices are not available for models with a mean structure (FIML) yet",
            ));
        }
        let point = estimate::eval(&self.st, &self.obj, &self.theta)
            .ok_or_else(|| Error::NotPositiveDefinite { matrix: "implied covariance".into() })?;
        let sc = standardize::Scales::new(&self.pt, &self.st, &point.mats, &point.imp);
        let mut mi = modindices::compute(
            &self.pt,
            &self.theta,
            &self.obj,
            &self.info_inv,
            self.n_obs as f64,
            &sc,
        )?;
        mi.sort_by(|a, b| b.mi.total_cmp(&a.mi));
        Ok(mi)
    }

    /// Standardized loadings (std.all) per latent variable: (factor, indicator, loading).
    pub fn std_loadings(&self) -> Vec<(String, String, f64)> {
        self.rows
            .iter()
            .filter(|r| r.op == "=~")
            .map(|r| (r.lhs.clone(), r.rhs.clone(), r.std_all.unwrap_or(f64::NAN)))
            .collect()
    }

    fn loadings_of(&self, f: &str) -> Vec<f64> {
        self.rows
            .iter()
            .filter(|r| r.op == "=~" && r.lhs == f)
            .map(|r| r.std_all.unwrap_or(f64::NAN))
            .collect()
    }

    /// Composite reliability of each latent variable from its std.all loadings l.
    ///
    /// # Formula
    /// ```text
    /// CR = (Σ l)² / ((Σ l)² + Σ (1 − l²))
    /// ```
    pub fn composite_reliability(&self) -> Vec<(String, f64)> {
        self.lv
            .iter()
            .map(|f| {
                let l = self.loadings_of(f);
                let s: f64 = l.iter().sum();
                let e: f64 = l.iter().map(|x| 1.0 - x * x).sum();
                (f.clone(), s * s / (s * s + e))
            })
            .collect()
    }

    /// Average variance extracted of each latent variable: mean of the squared std.all loadings.
    pub fn ave(&self) -> Vec<(String, f64)> {
        self.lv
            .iter()
            .map(|f| {
                let l = self.loadings_of(f);
                (f.clone(), l.iter().map(|x| x * x).sum::<f64>() / l.len().max(1) as f64)
            })
            .collect()
    }

    /// McDonald's ω of each latent variable from the unstandardized solution:
    /// (Σλ)² ψ / ((Σλ)² ψ + Σθ) over its observed indicators, with ψ the model-implied variance
    /// of the factor (for an endogenous factor not its disturbance variance), so ω is the same
    /// in a CFA and in an equivalent SEM.
    pub fn omega(&self) -> Vec<(String, f64)> {
        let mats = self.st.matrices(&self.theta);
        let eta_var: std::collections::HashMap<&String, f64> = match self.st.implied(&mats) {
            Ok(imp) => {
                let eta = self.st.eta_cov(&mats, &imp);
                self.lv.iter().enumerate().map(|(e, f)| (f, eta[[e, e]])).collect()
            }
            Err(_) => std::collections::HashMap::new(),
        };
        self.lv
            .iter()
            .map(|f| {
                let mut sl = 0.0;
                let mut th = 0.0;
                for r in self.rows.iter().filter(|r| r.op == "=~" && r.lhs == *f) {
                    sl += r.est;
                    th += self.parameter(&r.rhs, "~~", &r.rhs).map_or(f64::NAN, |x| x.est);
                }
                // the model-implied factor variance (for an endogenous factor its disturbance
                // variance plus the explained part)
                let psi = eta_var.get(f).copied().unwrap_or(f64::NAN);
                (f.clone(), sl * sl * psi / (sl * sl * psi + th))
            })
            .collect()
    }

    /// Fornell–Larcker matrix: latent correlations with √AVE on the diagonal.
    pub fn fornell_larcker(&self) -> Array2<f64> {
        let mut m = self.lv_cor.clone();
        for (i, (_, a)) in self.ave().iter().enumerate() {
            m[[i, i]] = a.sqrt();
        }
        m
    }

    /// Whether each latent variable passes the Fornell–Larcker criterion: √AVE > max |r|.
    pub fn fornell_larcker_pass(&self) -> Vec<(String, bool)> {
        let ave = self.ave();
        let l = self.lv.len();
        (0..l)
            .map(|i| {
                let maxr = (0..l)
                    .filter(|&j| j != i)
                    .map(|j| self.lv_cor[[i, j]].abs())
                    .fold(0.0, f64::max);
                (self.lv[i].clone(), ave[i].1.sqrt() > maxr)
            })
            .collect()
    }

    /// A printable summary like lavaan's `summary(fit, fit.measures = TRUE, standardized = TRUE)`.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::new("Structural equation model (lavaan syntax)");
        let est = match self.config.robust.unwrap_or(self.config.estimator) {
            Estimator::Ml => "ML",
            Estimator::Mlm => "MLM",
            Estimator::Mlmv => "MLMV",
            Estimator::Mlr => "MLR",
            Estimator::Gls => "GLS",
            Estimator::Uls => "ULS",
            Estimator::Dwls => "DWLS",
            Estimator::Wls => "WLS",
            Estimator::Wlsmv => "WLSMV",
            Estimator::Ulsmv => "ULSMV",
        };
        let fm = |k: &str| self.fit_measure(k);
        s.key_values([
            ("Estimator", est.to_string()),
            ("Optimization method", format!("{:?}", self.config.optimizer)),
            (
                "Converged",
                format!(
                    "{} after {} iterations (max |gradient| {:.1e})",
                    self.convergence.converged, self.convergence.iterations, self.grad_max
                ),
            ),
            ("Number of model parameters", format!("{}", self.theta.len())),
            ("Number of observations", format!("{}", self.n_obs)),
            (
                "Missing data",
                match self.config.missing {
                    SemMissing::Listwise => "listwise deletion".to_string(),
                    SemMissing::Fiml => {
                        "full-information ML (observed information; h1 by EM)".to_string()
                    }
                },
            ),
        ]);
        let mut kv: Vec<(String, String)> = vec![
            ("Model Test User Model: Test statistic".into(), fmt_num(fm("chisq"), 3)),
            ("  Degrees of freedom".into(), fmt_num(fm("df"), 0)),
            ("  P-value (Chi-square)".into(), fmt_pvalue(fm("pvalue"))),
            ("Baseline model: Test statistic".into(), fmt_num(fm("baseline.chisq"), 3)),
            ("  Degrees of freedom".into(), fmt_num(fm("baseline.df"), 0)),
            ("Comparative Fit Index (CFI)".into(), fmt_num(fm("cfi"), 3)),
            ("Tucker-Lewis Index (TLI)".into(), fmt_num(fm("tli"), 3)),
        ];
        if fm("chisq.scaled").is_some() {
            if self.config.robust.is_some() {
                kv.splice(
                    3..3,
                    [
                        ("Scaled test statistic".into(), fmt_num(fm("chisq.scaled"), 3)),
                        (
                            "  Scaling correction factor".into(),
                            fmt_num(fm("chisq.scaling.factor"), 3),
                        ),
                        ("  P-value (scaled)".into(), fmt_pvalue(fm("pvalue.scaled"))),
                    ],
                );
                kv.push(("Robust CFI".into(), fmt_num(fm("cfi.robust"), 3)));
                kv.push(("Robust TLI".into(), fmt_num(fm("tli.robust"), 3)));
            } else {
                kv.push(("Scaled-shifted test statistic".into(), fmt_num(fm("chisq.scaled"), 3)));
                kv.push(("  P-value (scaled-shifted)".into(), fmt_pvalue(fm("pvalue.scaled"))));
                kv.push(("  Scaling factor".into(), fmt_num(fm("chisq.scaling.factor"), 3)));
                kv.push(("  Shift parameter".into(), fmt_num(fm("chisq.shift.parameter"), 3)));
                kv.push(("Scaled CFI".into(), fmt_num(fm("cfi.scaled"), 3)));
                kv.push(("Scaled TLI".into(), fmt_num(fm("tli.scaled"), 3)));
                kv.push(("Scaled RMSEA".into(), fmt_num(fm("rmsea.scaled"), 3)));
            }
        }
        if fm("logl").is_some() {
            kv.push(("Loglikelihood user model (H0)".into(), fmt_num(fm("logl"), 3)));
            kv.push((
                "Loglikelihood unrestricted model (H1)".into(),
                fmt_num(fm("unrestricted.logl"), 3),
            ));
            kv.push(("Akaike (AIC)".into(), fmt_num(fm("aic"), 3)));
            kv.push(("Bayesian (BIC)".into(), fmt_num(fm("bic"), 3)));
            kv.push(("Sample-size adjusted Bayesian (SABIC)".into(), fmt_num(fm("bic2"), 3)));
        }
        kv.push(("RMSEA".into(), fmt_num(fm("rmsea"), 3)));
        kv.push((
            "  90 Percent confidence interval".into(),
            format!("{} {}", fmt_num(fm("rmsea.ci.lower"), 3), fmt_num(fm("rmsea.ci.upper"), 3)),
        ));
        kv.push(("  P-value H_0: RMSEA <= 0.050".into(), fmt_pvalue(fm("rmsea.pvalue"))));
        if fm("rmsea.robust").is_some() {
            kv.push(("Robust RMSEA".into(), fmt_num(fm("rmsea.robust"), 3)));
            kv.push((
                "  90 Percent confidence interval (robust)".into(),
                format!(
                    "{} {}",
                    fmt_num(fm("rmsea.ci.lower.robust"), 3),
                    fmt_num(fm("rmsea.ci.upper.robust"), 3)
                ),
            ));
        }
        kv.push(("SRMR".into(), fmt_num(fm("srmr"), 3)));
        s.key_values(kv);
        let sections = [
            ("=~", "Latent Variables:"),
            ("~", "Regressions:"),
            ("~~", "Covariances / Variances:"),
            ("~1", "Intercepts:"),
            ("|", "Thresholds:"),
            (":=", "Defined Parameters:"),
        ];
        for (op, title) in sections {
            let rows: Vec<&ParamRow> = self.rows.iter().filter(|r| r.op == op).collect();
            if rows.is_empty() {
                continue;
            }
            s.table(param_table(title, &rows));
        }
        let cons = self.constraints();
        if !cons.is_empty() {
            let mut t = Table::new(Some("Constraints:"), ["", "|Slack|"]);
            for c in &cons {
                t.push([format!("{} - ({})", c.lhs, c.rhs), fmt_num(Some(c.slack), 3)]);
            }
            s.table(t);
        }
        if !self.r2.is_empty() {
            let mut t = Table::new(Some("R-Square:"), ["", "Estimate"]);
            for (k, v) in &self.r2 {
                t.push([k.clone(), fmt_num(*v, 3)]);
            }
            s.table(t);
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

/// lavaan's parameter table block: name (with label), estimate, SE, z, p, std.lv, std.all; fixed
/// parameters show no SE. Shared by [`SemFit::summary`] and the multi-group summary.
pub(super) fn param_table(title: &str, rows: &[&ParamRow]) -> Table {
    let mut t = Table::new(
        Some(title),
        ["", "Estimate", "Std.Err", "z-value", "P(>|z|)", "Std.lv", "Std.all"],
    );
    for r in rows {
        let name = if r.label.is_empty() || r.op == ":=" {
            format!("{} {} {}", r.lhs, r.op, r.rhs)
        } else {
            format!("{} {} {} ({})", r.lhs, r.op, r.rhs, r.label)
        };
        let fixed = r.se == Some(0.0);
        t.push([
            name.trim_end().to_string(),
            fmt_num(r.est, 3),
            if fixed { String::new() } else { fmt_num(r.se, 3) },
            fmt_num(r.z, 3),
            if r.pvalue.is_some() { fmt_pvalue(r.pvalue) } else { String::new() },
            fmt_num(r.std_lv, 3),
            fmt_num(r.std_all, 3),
        ]);
    }
    t
}

impl fmt::Display for SemFit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary())
    }
}

impl SemFit {
    /// The explicit constraints of the model (`==`, `<`, `>`) at the estimates with their
    /// |slack|, as lavaan's "Constraints" section; empty when the model has none.
    pub fn constraints(&self) -> Vec<super::ConstraintValue> {
        super::constraints::report(&self.pt, &self.theta)
    }
}
