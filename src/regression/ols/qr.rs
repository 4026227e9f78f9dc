//! OLS from a streamed, mergeable QR state of `[1 X y]` ([`QrAccumulator`]) instead of the rows.

use super::*;
use crate::regression::QrAccumulator;

impl Ols {
    /// Fit from the triangular factor of `[1 X y]` accumulated elsewhere (chunks of a file, the
    /// partitions of a query engine): coefficients, classical standard errors, t, p and
    /// intervals, σ̂, R², adjusted R², F, log-likelihood, AIC, BIC, VIF and standardized
    /// coefficients — the numbers of [`Ols::fit`] on the same complete rows, up to rounding.
    ///
    /// The residual sum of squares is `ρ²`, the square of the last diagonal entry of the factor,
    /// and the model sum of squares the squared norm of `(Qᵀy)` below the intercept. What needs
    /// the rows is not available: residuals and fitted values are empty, the HC covariances are
    /// absent, and the Durbin–Watson statistic and the Breusch–Pagan test are `NaN`. The design
    /// always has an intercept; iterative refinement is not possible without the rows, so
    /// [`OlsFit::condition`] should be read before trusting the last digits of a very
    /// ill-conditioned fit.
    ///
    /// # Examples
    /// See [`QrAccumulator`].
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for options that need the rows (robust or cluster standard
    /// errors, weights, no intercept) or a bad option value; [`Error::DimensionMismatch`] when
    /// [`Ols::names`] does not match the state; [`Error::TooFewObservations`] for fewer than
    /// `k + 2` complete rows; [`Error::ConstantColumn`] for a constant response;
    /// [`Error::RankDeficient`] for aliased predictors.
    pub fn fit_qr(&self, acc: &QrAccumulator) -> Result<OlsFit> {
        self.check_options()?;
        if self.se_type != SeType::Classical {
            return Err(Error::invalid(
                "se_type",
                "robust and cluster standard errors need the rows; a QR state gives classical ones",
            ));
        }
        if self.weights.is_some() || self.cluster.is_some() {
            return Err(Error::invalid("weights", "weights and clusters need the rows"));
        }
        if !self.intercept {
            return Err(Error::invalid("intercept", "a QR state is of a design with an intercept"));
        }
        let k = acc.n_predictors();
        let names: Vec<String> = match &self.names {
            Some(n) if n.len() != k => {
                return Err(Error::DimensionMismatch {
                    what: "predictor names".into(),
                    expected: k,
                    found: n.len(),
                });
            }
            Some(n) => n.clone(),
            None => (1..=k).map(|j| format!("x{j}")).collect(),
        };
        let response = self.response.clone().unwrap_or_else(|| "y".into());
        let formula = format!(
            "{response} ~ {}",
            if names.is_empty() { "1".to_string() } else { names.join(" + ") }
        );
        let p = k + 1;
        let n = acc.n_obs();
        if n < p + 1 {
            return Err(Error::TooFewObservations { needed: p + 1, got: n });
        }
        let nf = n as f64;
        let tri = acc.tri();
        let (qty, resid_norm) = tri.qty().unwrap_or_else(|| (vec![0.0; p], 0.0));
        // Centred sum of squares of y: its part orthogonal to the intercept.
        let tss = dd::sum_sq(qty[1..].iter().copied().chain(std::iter::once(resid_norm)));
        // Constant within rounding: the QR leaves a constant response a remainder of the order
        // of the unit roundoff times its norm instead of an exact zero.
        let tiny = 64.0 * f64::EPSILON;
        if tss <= tiny * tiny * (qty[0] * qty[0] + tss) {
            return Err(Error::ConstantColumn { name: response });
        }
        let term = |k: usize| if k == 0 { "(Intercept)".to_string() } else { names[k - 1].clone() };
        let (_rank, aliased_idx) = tri.aliased(self.rank_tol);
        if !aliased_idx.is_empty() {
            return Err(Error::RankDeficient {
                aliased: aliased_idx.iter().map(|&k| term(k)).collect(),
            });
        }
        let terms: Vec<String> = (0..p).map(term).collect();
        let mut xq = qty.clone();
        tri.solve_r(&mut xq);
        let rinv = tri.r_inverse();
        let cond = tri.condition(&rinv);
        let scale = tri.scale.clone();
        let coef = Array1::from(xq.iter().zip(&scale).map(|(a, d)| a * d).collect::<Vec<f64>>());
        let css = tri.centered_ss();
        let sds: Vec<f64> = css.iter().map(|v| (v / (nf - 1.0)).sqrt()).collect();
        let rss = resid_norm * resid_norm;
        let mss = dd::sum_sq(qty[1..].iter().copied());

        let xtx_inv = super::xtx_inverse(&rinv, &scale, p);
        let df_res = (n - p) as f64;
        let sigma2 = rss / df_res;
        let vcov = xtx_inv.mapv(|v| v * sigma2);
        let r_dense = tri.r_dense();
        let vif = diagnostics::vif_from_r(&r_dense, &rinv, p, 1);
        let mut warnings = Vec::new();
        if acc.n_skipped() > 0 {
            warnings.push(Warning::RowsDropped { dropped: acc.n_skipped(), remaining: n });
        }
        for (k, &dist) in tri.sequential_distances().iter().enumerate() {
            if k >= 1 && dist < R_COLLINEAR_TOL {
                warnings.push(Warning::Collinear {
                    term: terms[k].clone(),
                    relative_distance: dist,
                    vif: vif.get(k - 1).copied().unwrap_or(f64::NAN),
                    condition: cond,
                });
            }
        }
        let sd_y = (tss / (nf - 1.0)).sqrt();
        let beta: Array1<f64> = (0..k).map(|j| coef[j + 1] * sds[j + 1] / sd_y).collect();
        let super::Goodness { r_squared, adj_r_squared, f_test, log_lik, aic, bic } =
            super::goodness(mss, rss, nf, p, true);
        let nan_bp = BreuschPagan { statistic: f64::NAN, df: p as f64 - 1.0, p_value: f64::NAN };
        let mut fit = OlsFit {
            config: self.clone(),
            formula,
            response,
            terms,
            aliased: Vec::new(),
            intercept: true,
            n_obs: n,
            n_dropped: acc.n_skipped(),
            coef,
            vcov,
            xtx_inv,
            se_type: SeType::Classical,
            std_errors: Array1::zeros(p),
            t_values: Array1::zeros(p),
            p_values: Array1::zeros(p),
            ci_lower: Array1::zeros(p),
            ci_upper: Array1::zeros(p),
            residuals: Array1::zeros(0),
            fitted: Array1::zeros(0),
            rss,
            sigma: sigma2.sqrt(),
            df_residual: n - p,
            r_squared,
            adj_r_squared,
            f_test,
            log_lik,
            aic,
            bic,
            hc: None,
            vif: vif.clone(),
            vif_centered: vif,
            beta,
            durbin_watson: f64::NAN,
            breusch_pagan: nan_bp,
            condition: cond,
            refinements: 0,
            refinement_converged: true,
            last_correction: 0.0,
            params: Vec::new(),
            warnings,
            design: None,
            model: None,
            cluster: None,
            weighted: false,
        };
        fit.fill_table()?;
        Ok(fit)
    }
}
