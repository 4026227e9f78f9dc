//! Accessors, derived inference and the printed summary of [`OlsFit`].

#[allow(unused_imports)]
use super::*;

impl OlsFit {
    pub(super) fn fill_table(&mut self) -> Result<()> {
        let p = self.terms.len();
        if self.se_type.hc().is_some() && self.hc.is_none() {
            return Err(Error::invalid("se_type", "robust covariances were not computed"));
        }
        if matches!(self.se_type, SeType::ClusterHc0 | SeType::ClusterHc1) && self.cluster.is_none()
        {
            return Err(Error::invalid("se_type", "cluster-robust covariances were not computed"));
        }
        let se: Array1<f64> = self.table_vcov().diag().mapv(f64::sqrt);
        let df = self.df_residual as f64;
        let q = dist::t_quantile(0.5 + self.config.ci_level / 2.0, df);
        let mut params = Vec::with_capacity(p);
        for k in 0..p {
            let b = self.coef[k];
            let s = se[k];
            let t = b / s;
            let pv = 2.0 * dist::t_sf(t.abs(), df);
            self.std_errors[k] = s;
            self.t_values[k] = t;
            self.p_values[k] = pv;
            self.ci_lower[k] = b - q * s;
            self.ci_upper[k] = b + q * s;
            let mut row = ParamRow::new(self.response.clone(), "~", self.terms[k].clone(), b);
            row.se = Some(s);
            row.z = Some(t);
            row.pvalue = Some(pv);
            row.ci_lower = Some(self.ci_lower[k]);
            row.ci_upper = Some(self.ci_upper[k]);
            let off = usize::from(self.intercept);
            row.std_all = if self.weighted {
                None
            } else if self.intercept && k == 0 {
                Some(0.0)
            } else {
                Some(self.beta[k - off])
            };
            params.push(row);
        }
        self.params = params;
        Ok(())
    }

    /// The configuration that produced this fit.
    pub fn config(&self) -> &Ols {
        &self.config
    }

    /// The covariance behind the coefficient table (classical, HC or cluster-robust, per
    /// [`OlsFit::se_type`]).
    pub fn table_vcov(&self) -> Array2<f64> {
        match self.se_type {
            SeType::Classical => self.vcov.clone(),
            SeType::ClusterHc0 => {
                self.cluster.as_ref().map_or_else(|| self.vcov.clone(), |c| c.hc0.clone())
            }
            SeType::ClusterHc1 => {
                self.cluster.as_ref().map_or_else(|| self.vcov.clone(), |c| c.hc1.clone())
            }
            t => t
                .hc()
                .and_then(|h| self.vcov_hc(h))
                .map_or_else(|| self.vcov.clone(), |v| v.to_owned()),
        }
    }

    /// Cluster-robust covariance (sandwich `vcovCL`, `cadjust = TRUE`): `HC0` or `HC1`;
    /// `None` without [`Ols::cluster`] or for other types.
    pub fn vcov_cluster(&self, t: HcType) -> Option<ArrayView2<'_, f64>> {
        let c = self.cluster.as_ref()?;
        match t {
            HcType::Hc0 => Some(c.hc0.view()),
            HcType::Hc1 => Some(c.hc1.view()),
            _ => None,
        }
    }

    /// Number of clusters of a cluster-robust fit.
    pub fn n_clusters(&self) -> Option<usize> {
        self.cluster.as_ref().map(|c| c.n_clusters)
    }

    /// Whether the fit is weighted ([`Ols::weights`]).
    pub fn is_weighted(&self) -> bool {
        self.weighted
    }

    /// Model matrix (intercept column first, weighted rows) and response of a formula fit.
    pub(crate) fn model_matrix(&self) -> Option<(&Array2<f64>, &Array1<f64>)> {
        self.model.as_ref().map(|m| (&m.x, &m.y))
    }

    /// Model terms and, per model-matrix column, its term (`None` for the intercept).
    pub(crate) fn term_assign(&self) -> Result<(Vec<String>, Vec<Option<usize>>)> {
        match (&self.design, &self.model) {
            (Some(d), Some(m)) => Ok((d.term_labels(), m.assign.clone())),
            _ => Err(Error::invalid("anova", "ANOVA tables need a formula fit (Ols::fit_dataset)")),
        }
    }

    /// Variables of each model term.
    pub(crate) fn term_variables(&self) -> Option<Vec<Vec<usize>>> {
        self.design.as_ref().map(|d| d.formula.terms.clone())
    }

    /// The design of a formula fit.
    pub(crate) fn design_spec(&self) -> Option<&DesignSpec> {
        self.design.as_ref()
    }

    /// Model-matrix columns that were not aliased, in coefficient order.
    pub(crate) fn kept_columns(&self) -> Vec<usize> {
        match &self.model {
            Some(m) => self
                .terms
                .iter()
                .map(|t| m.names.iter().position(|n| n == t).unwrap_or(0))
                .collect(),
            None => (0..self.terms.len()).collect(),
        }
    }

    /// Residuals times √w (the residuals of an unweighted fit).
    pub(crate) fn weighted_residuals(&self) -> Vec<f64> {
        match self.model.as_ref().and_then(|m| m.sqrt_w.as_ref()) {
            Some(w) => self.residuals.iter().zip(w).map(|(e, s)| e * s).collect(),
            None => self.residuals.to_vec(),
        }
    }

    /// Turn a fit of the √w-scaled design (intercept as an explicit column) into the weighted
    /// fit R reports: residuals and fitted values on the original scale, R² and F from
    /// weighted sums of squares, the log-likelihood with `½ Σ log w`.
    pub(super) fn reweight(&mut self, sqrt_w: &[f64], y: &[f64], intercept: bool) {
        let n = y.len();
        let nf = n as f64;
        let e: Vec<f64> = (0..n).map(|i| self.residuals[i] / sqrt_w[i]).collect();
        let fitted: Vec<f64> = (0..n).map(|i| y[i] - e[i]).collect();
        let w: Vec<f64> = sqrt_w.iter().map(|s| s * s).collect();
        let sw: f64 = dd::par_sum(n, |i| w[i]);
        let mss = if intercept {
            let m = dd::par_sum(n, |i| w[i] * fitted[i]) / sw;
            dd::par_sum(n, |i| w[i] * (fitted[i] - m) * (fitted[i] - m))
        } else {
            dd::par_sum(n, |i| w[i] * fitted[i] * fitted[i])
        };
        let rss = self.rss;
        let p = self.terms.len() as f64;
        let df_res = self.df_residual as f64;
        let df_int = if intercept { 1.0 } else { 0.0 };
        self.r_squared = mss / (mss + rss);
        self.adj_r_squared = 1.0 - (1.0 - self.r_squared) * ((nf - df_int) / df_res);
        let df1 = p - df_int;
        self.f_test = if df1 > 0.0 {
            let value = (mss / df1) / (rss / df_res);
            let pv = crate::core::dist::f_sf(value, df1, df_res);
            Some(FTest { value, df1, df2: df_res, p_value: pv })
        } else {
            None
        };
        let slw = dd::par_sum(n, |i| w[i].ln());
        self.log_lik =
            0.5 * slw - 0.5 * nf * ((2.0 * std::f64::consts::PI).ln() + 1.0 - nf.ln() + rss.ln());
        let ll_df = p + 1.0;
        self.aic = -2.0 * self.log_lik + 2.0 * ll_df;
        self.bic = -2.0 * self.log_lik + nf.ln() * ll_df;
        self.residuals = Array1::from(e);
        self.fitted = Array1::from(fitted);
        self.intercept = intercept;
        self.weighted = true;
        // VIF as car::vif: the diagonal of the inverse correlation matrix of the slope
        // estimates; standardized coefficients are not defined for a weighted fit.
        let off = usize::from(intercept);
        let k = self.terms.len() - off;
        let v = Array2::from_shape_fn((k, k), |(i, j)| self.xtx_inv[[i + off, j + off]]);
        let d: Vec<f64> = (0..k).map(|j| v[[j, j]].sqrt()).collect();
        let c = Array2::from_shape_fn((k, k), |(i, j)| v[[i, j]] / (d[i] * d[j]));
        self.vif = match crate::core::linalg::spd_inverse(c.view(), "coefficient correlation") {
            Ok(ci) if k > 0 => ci.diag().to_owned(),
            _ => Array1::from_elem(k, f64::NAN),
        };
        self.vif_centered = self.vif.clone();
        self.beta = Array1::from_elem(k, f64::NAN);
    }

    /// The model formula as fitted (`y ~ x1 + x2`, `y ~ 0 + x1` without intercept).
    pub fn formula(&self) -> &str {
        &self.formula
    }

    /// Name of the response.
    pub fn response(&self) -> &str {
        &self.response
    }

    /// Names of the estimated coefficients, `(Intercept)` first when present (as R).
    pub fn terms(&self) -> &[String] {
        &self.terms
    }

    /// Columns dropped as linear combinations of earlier ones (only with
    /// [`RankDeficiency::Drop`]; R reports their coefficients as `NA`).
    pub fn aliased(&self) -> &[String] {
        &self.aliased
    }

    /// Whether the model has an intercept.
    pub fn has_intercept(&self) -> bool {
        self.intercept
    }

    /// Number of observations used (after listwise deletion).
    pub fn n_obs(&self) -> usize {
        self.n_obs
    }

    /// Number of rows dropped for missing values.
    pub fn n_dropped(&self) -> usize {
        self.n_dropped
    }

    /// Rank of the fitted design (= number of estimated coefficients).
    pub fn rank(&self) -> usize {
        self.terms.len()
    }

    /// Coefficient estimates, in the order of [`OlsFit::terms`].
    pub fn coefficients(&self) -> ArrayView1<'_, f64> {
        self.coef.view()
    }

    /// Standard errors used in the table (classical unless [`Ols::se_type`] chose an HC type).
    pub fn std_errors(&self) -> ArrayView1<'_, f64> {
        self.std_errors.view()
    }

    /// Which standard errors the table uses.
    pub fn se_type(&self) -> SeType {
        self.se_type
    }

    /// t statistics `b / se`.
    pub fn t_values(&self) -> ArrayView1<'_, f64> {
        self.t_values.view()
    }

    /// Two-sided p-values from the t distribution with `n − p` df.
    pub fn p_values(&self) -> ArrayView1<'_, f64> {
        self.p_values.view()
    }

    /// Lower confidence limits at [`OlsFit::ci_level`].
    pub fn ci_lower(&self) -> ArrayView1<'_, f64> {
        self.ci_lower.view()
    }

    /// Upper confidence limits at [`OlsFit::ci_level`].
    pub fn ci_upper(&self) -> ArrayView1<'_, f64> {
        self.ci_upper.view()
    }

    /// Confidence level of the intervals.
    pub fn ci_level(&self) -> f64 {
        self.config.ci_level
    }

    /// Confidence intervals at any level (columns: lower, upper), with the table's standard
    /// errors, as R's `confint(fit, level = level)` for classical errors.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] unless `0 < level < 1`.
    pub fn conf_int(&self, level: f64) -> Result<Array2<f64>> {
        if !(level > 0.0 && level < 1.0) {
            return Err(Error::invalid("level", format!("must lie in (0, 1), got {level}")));
        }
        let q = dist::t_quantile(0.5 + level / 2.0, self.df_residual as f64);
        let p = self.terms.len();
        Ok(Array2::from_shape_fn((p, 2), |(k, j)| {
            let h = q * self.std_errors[k];
            if j == 0 { self.coef[k] - h } else { self.coef[k] + h }
        }))
    }

    /// The parameter table: one [`ParamRow`] per coefficient (`lhs` = response, `op` = `~`,
    /// `rhs` = term; `z` holds the t value; `std_all` the beta weight, 0 for the intercept).
    pub fn params(&self) -> &[ParamRow] {
        &self.params
    }

    /// Classical covariance matrix `σ̂² (XᵀX)⁻¹` (R's `vcov`).
    pub fn vcov(&self) -> ArrayView2<'_, f64> {
        self.vcov.view()
    }

    /// `(XᵀX)⁻¹` (R's `summary(fit)$cov.unscaled`).
    pub fn cov_unscaled(&self) -> ArrayView2<'_, f64> {
        self.xtx_inv.view()
    }

    /// Heteroskedasticity-consistent covariance (`sandwich::vcovHC(fit, type)`); `None` when
    /// skipped with [`RobustCovariance::Skip`].
    pub fn vcov_hc(&self, t: HcType) -> Option<ArrayView2<'_, f64>> {
        self.hc.as_ref().map(|h| h.get(t).view())
    }

    /// Square roots of the diagonal of [`OlsFit::vcov_hc`].
    pub fn hc_std_errors(&self, t: HcType) -> Option<Array1<f64>> {
        self.vcov_hc(t).map(|v| v.diag().mapv(f64::sqrt))
    }

    /// Leverages `h_ii` (diagonal of the hat matrix); `None` when robust covariances were skipped.
    pub fn leverages(&self) -> Option<ArrayView1<'_, f64>> {
        self.hc.as_ref().map(|h| h.leverage.view())
    }

    /// Residuals `y − ŷ` (rows used, in data order).
    pub fn residuals(&self) -> ArrayView1<'_, f64> {
        self.residuals.view()
    }

    /// Fitted values `ŷ = X b`.
    pub fn fitted_values(&self) -> ArrayView1<'_, f64> {
        self.fitted.view()
    }

    /// Residual sum of squares (R's `deviance`).
    pub fn rss(&self) -> f64 {
        self.rss
    }

    /// Residual standard error `σ̂ = √(RSS / (n − p))`.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// Residual degrees of freedom `n − p`.
    pub fn df_residual(&self) -> usize {
        self.df_residual
    }

    /// R² (centered with an intercept, uncentered `1 − RSS/Σy²` without, as R).
    pub fn r_squared(&self) -> f64 {
        self.r_squared
    }

    /// Adjusted R² `1 − (1 − R²)(n − i)/(n − p)`.
    pub fn adj_r_squared(&self) -> f64 {
        self.adj_r_squared
    }

    /// The overall F test; `None` for an intercept-only model.
    pub fn f_test(&self) -> Option<FTest> {
        self.f_test
    }

    /// Gaussian log-likelihood at the ML variance `RSS/n` (R's `logLik`).
    pub fn log_lik(&self) -> f64 {
        self.log_lik
    }

    /// Degrees of freedom of the log-likelihood: `p + 1` (σ counted).
    pub fn log_lik_df(&self) -> usize {
        self.terms.len() + 1
    }

    /// Akaike information criterion `−2 logLik + 2 (p + 1)`.
    pub fn aic(&self) -> f64 {
        self.aic
    }

    /// Bayesian information criterion `−2 logLik + log(n) (p + 1)`.
    pub fn bic(&self) -> f64 {
        self.bic
    }

    /// Variance inflation factors per predictor (intercept excluded) as `car::vif`: the
    /// diagonal of the inverse correlation matrix of the coefficient estimates. With an
    /// intercept this equals `1/(1 − R²_j)`; without one car warns that it "may not be sensible".
    pub fn vif(&self) -> ArrayView1<'_, f64> {
        self.vif.view()
    }

    /// `1/(1 − R²_j)` with `R²_j` from regressing predictor j on the others **with** an
    /// intercept (equal to [`OlsFit::vif`] for intercept models).
    pub fn vif_centered(&self) -> ArrayView1<'_, f64> {
        self.vif_centered.view()
    }

    /// Standardized coefficients (beta weights) `b_j · sd(x_j) / sd(y)` per predictor; for a
    /// model with an intercept these equal the slopes of `lm` on `scale()`d data.
    pub fn std_coefficients(&self) -> ArrayView1<'_, f64> {
        self.beta.view()
    }

    /// Coefficients of the same model fitted on standardized data (`lm(y ~ ., scale(d))`):
    /// `(Intercept)` = 0 followed by the beta weights. `None` for a model without intercept,
    /// where that fit is a different model.
    pub fn std_coefficients_scaled_fit(&self) -> Option<Array1<f64>> {
        if !self.intercept {
            return None;
        }
        let mut v = Vec::with_capacity(self.terms.len());
        v.push(0.0);
        v.extend(self.beta.iter().copied());
        Some(Array1::from(v))
    }

    /// Durbin–Watson statistic `Σ (e_i − e_{i−1})² / Σ e_i²` (data order).
    pub fn durbin_watson(&self) -> f64 {
        self.durbin_watson
    }

    /// Koenker's studentized Breusch–Pagan test.
    pub fn breusch_pagan(&self) -> BreuschPagan {
        self.breusch_pagan
    }

    /// 1-norm condition number of the column-equilibrated design's triangular factor.
    pub fn condition_number(&self) -> f64 {
        self.condition
    }

    /// Refinement as convergence data: steps taken and whether the correction reached the
    /// level of rounding (`iterations = 0` when the plain QR solution was accurate enough).
    pub fn convergence(&self) -> crate::summary::Convergence {
        crate::summary::Convergence {
            converged: self.refinement_converged,
            iterations: self.refinements,
            reason: if self.refinements == 0 {
                "plain QR solution (refinement not needed)".into()
            } else {
                format!(
                    "iterative refinement, last relative correction {:.1e}",
                    self.last_correction
                )
            },
        }
    }

    /// Warnings (rows dropped for missing values, aliased columns dropped).
    pub fn warnings(&self) -> Vec<Warning> {
        let mut w = self.warnings.clone();
        if !self.aliased.is_empty() {
            w.push(Warning::Other {
                message: format!(
                    "{} coefficient(s) not defined because of singularities: {}",
                    self.aliased.len(),
                    self.aliased.join(", ")
                ),
            });
        }
        if !self.refinement_converged {
            w.push(Warning::NotConverged {
                what: "least-squares iterative refinement".into(),
                iterations: self.refinements,
            });
        }
        w
    }

    /// A printable summary in the manner of R's `summary.lm`.
    pub fn summary(&self) -> Summary {
        let mut s = Summary::new(format!("Call:\nlm(formula = {})", self.formula));
        // Residual quantiles (type 7, as R's quantile()).
        let mut r: Vec<f64> = self.residuals.to_vec();
        r.sort_by(f64::total_cmp);
        let q = |pr: f64| -> f64 {
            let h = (r.len() - 1) as f64 * pr;
            let lo = h.floor() as usize;
            let hi = h.ceil() as usize;
            r[lo] + (h - lo as f64) * (r[hi] - r[lo])
        };
        let mut rt = Table::new(Some("Residuals:"), ["Min", "1Q", "Median", "3Q", "Max"]);
        rt.align = vec![crate::summary::Align::Right; 5];
        rt.push([0.0, 0.25, 0.5, 0.75, 1.0].map(|p| sig(q(p), 4)));
        s.table(rt);
        let se_col = match self.se_type {
            SeType::Classical => "Std. Error".to_string(),
            t => format!("Std. Error ({})", t.name().to_uppercase()),
        };
        let title = if self.aliased.is_empty() {
            "Coefficients:".to_string()
        } else {
            format!(
                "Coefficients: ({} not defined because of singularities: {})",
                self.aliased.len(),
                self.aliased.join(", ")
            )
        };
        let mut t =
            Table::new(Some(&title), ["", "Estimate", se_col.as_str(), "t value", "Pr(>|t|)", ""]);
        t.align[5] = crate::summary::Align::Left;
        for (k, term) in self.terms.iter().enumerate() {
            let pv = self.p_values[k];
            t.push([
                term.clone(),
                sig(self.coef[k], 5),
                sig(self.std_errors[k], 5),
                format!("{:.3}", self.t_values[k]),
                fmt_pvalue(pv),
                signif_stars(Some(pv)).to_string(),
            ]);
        }
        s.table(t);
        s.blocks.push(Block::Text(
            "---\nSignif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1".into(),
        ));
        let mut tail = format!(
            "Residual standard error: {} on {} degrees of freedom",
            sig(self.sigma, 4),
            self.df_residual
        );
        if self.n_dropped > 0 {
            tail.push_str(&format!(
                "\n  ({} observations deleted due to missingness)",
                self.n_dropped
            ));
        }
        tail.push_str(&format!(
            "\nMultiple R-squared:  {},\tAdjusted R-squared:  {}",
            sig(self.r_squared, 4),
            sig(self.adj_r_squared, 4)
        ));
        if let Some(f) = self.f_test {
            tail.push_str(&format!(
                "\nF-statistic: {} on {} and {} DF,  p-value: {}",
                sig(f.value, 4),
                f.df1,
                f.df2,
                if f.p_value < 2.2e-16 { "< 2.2e-16".to_string() } else { sig(f.p_value, 4) }
            ));
        }
        s.text(tail);
        let bp = self.breusch_pagan;
        s.key_values([
            ("Log-likelihood", format!("{} (df = {})", sig(self.log_lik, 6), self.log_lik_df())),
            ("AIC / BIC", format!("{} / {}", sig(self.aic, 6), sig(self.bic, 6))),
            ("Durbin-Watson", sig(self.durbin_watson, 4)),
            (
                "Breusch-Pagan (studentized)",
                format!(
                    "BP = {}, df = {}, p-value = {}",
                    sig(bp.statistic, 4),
                    bp.df,
                    sig(bp.p_value, 4)
                ),
            ),
        ]);
        let w = self.warnings();
        if !w.is_empty() {
            s.text(
                std::iter::once("Warnings:".to_string())
                    .chain(w.iter().map(|w| format!("  {w}")))
                    .collect::<Vec<_>>()
                    .join("\n"),
            );
        }
        s
    }
}

/// Format with `digits` significant digits, fixed notation for moderate magnitudes and
/// scientific otherwise (close to R's `format(signif(x, digits))`).
fn sig(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "NA".into()
        } else if x > 0.0 {
            "Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if x == 0.0 {
        return "0".into();
    }
    let e = x.abs().log10().floor() as i32;
    if !(-5..15).contains(&e) {
        let s = format!("{:.*e}", digits.saturating_sub(1), x);
        // trim mantissa zeros: 1.500e-7 -> 1.5e-07 style
        if let Some((m, ex)) = s.split_once('e') {
            let m = if m.contains('.') { m.trim_end_matches('0').trim_end_matches('.') } else { m };
            let exn: i32 = ex.parse().unwrap_or(0);
            return format!("{m}e{}{:02}", if exn < 0 { "-" } else { "+" }, exn.abs());
        }
        return s;
    }
    let dec = (digits as i32 - 1 - e).max(0) as usize;
    let s = format!("{x:.dec$}");
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}
