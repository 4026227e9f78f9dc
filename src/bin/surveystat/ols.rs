//! `surveystat ols`: ordinary least squares with an R-like formula, as `summary(lm())`.

use surveystat::regression::{Ols, OlsReport, RankDeficiency, RobustCovariance, SeType};

use crate::output::{in_file, read_data, serialized, stream_requested};

/// Robust standard errors for the coefficient table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Robust {
    /// White's HC0
    Hc0,
    /// HC0 · n/(n − p)
    Hc1,
    /// e²/(1 − h)
    Hc2,
    /// e²/(1 − h)²
    Hc3,
    /// e²/(1 − h)^δ, δ = min(4, n h / p)
    Hc4,
}

/// Arguments of `surveystat ols`.
#[derive(Debug, clap::Args)]
pub struct OlsArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: String,
    /// Model formula, e.g. "y ~ x1 + x2", "y ~ a * b + factor(g)", "y ~ .", "y ~ x1 - 1"
    #[arg(long)]
    pub formula: String,
    /// Use heteroskedasticity-consistent standard errors in the coefficient table (with
    /// --cluster: hc0 or hc1 of the cluster-robust covariance; hc1 is the default there)
    #[arg(long, value_enum)]
    pub robust: Option<Robust>,
    /// Column of case weights (weighted least squares)
    #[arg(long)]
    pub weights: Option<String>,
    /// Column of cluster labels: cluster-robust standard errors (sandwich vcovCL)
    #[arg(long)]
    pub cluster: Option<String>,
    /// Linear hypothesis to test, e.g. "x1 = x2" or "x1 = 0, x2 = 0" (repeatable)
    #[arg(long)]
    pub test: Vec<String>,
    /// CSV file of new rows: predictions with confidence and prediction intervals
    #[arg(long)]
    pub predict: Option<String>,
    /// Drop linearly dependent (aliased) columns and report them instead of failing
    #[arg(long)]
    pub drop_aliased: bool,
    /// Confidence level of the coefficient intervals
    #[arg(long, default_value_t = 0.95)]
    pub ci_level: f64,
    /// Print one JSON object instead of the text summary
    #[arg(long)]
    pub json: bool,
    /// With --json: include the residuals and fitted values of the estimation rows
    #[arg(long, requires = "json")]
    pub residuals: bool,
}

/// Run the subcommand.
pub fn run(a: OlsArgs) -> Result<String, String> {
    if stream_requested() {
        return crate::ols_stream::run(&a);
    }
    let ds = read_data(&a.data)?;
    let se = match (a.robust, a.cluster.is_some()) {
        (None, false) => SeType::Classical,
        (Some(Robust::Hc0), false) => SeType::Hc0,
        (Some(Robust::Hc1), false) => SeType::Hc1,
        (Some(Robust::Hc2), false) => SeType::Hc2,
        (Some(Robust::Hc3), false) => SeType::Hc3,
        (Some(Robust::Hc4), false) => SeType::Hc4,
        (None | Some(Robust::Hc1), true) => SeType::ClusterHc1,
        (Some(Robust::Hc0), true) => SeType::ClusterHc0,
        (Some(_), true) => {
            return Err("--cluster works with --robust hc0 or hc1 (vcovCL types)".into());
        }
    };
    let mut ols = Ols::from_formula(&a.formula)
        .map_err(|e| format!("formula `{}`: {e}", a.formula))?
        .ci_level(a.ci_level)
        .se_type(se)
        .robust_covariance(RobustCovariance::Skip)
        .rank_deficiency(if a.drop_aliased { RankDeficiency::Drop } else { RankDeficiency::Error });
    if let Some(w) = &a.weights {
        ols = ols.weights(w.clone());
    }
    if let Some(c) = &a.cluster {
        ols = ols.cluster(c.clone());
    }
    let fit = ols.fit_dataset(&ds).map_err(in_file(&a.data))?;
    let mut tests = Vec::new();
    for h in &a.test {
        let t = fit.linear_hypothesis(h).map_err(|e| format!("--test `{h}`: {e}"))?;
        tests.push((h.clone(), t));
    }
    let prediction = match &a.predict {
        Some(p) => {
            let nd = read_data(p)?;
            Some(fit.predict(&nd, a.ci_level).map_err(in_file(p))?)
        }
        None => None,
    };
    if a.json {
        let mut report = OlsReport::new(&fit).residuals(a.residuals);
        for (h, t) in &tests {
            report = report.test(h.clone(), *t);
        }
        if let Some(p) = &prediction {
            report = report.prediction(p.clone());
        }
        return serialized(&report, serde_json::json!({}), &[]);
    }
    let mut out = fit.summary().to_string();
    if let Some(g) = fit.n_clusters() {
        out.push_str(&format!(
            "Standard errors: cluster-robust ({}) with {g} clusters of `{}`\n",
            fit.se_type().name(),
            a.cluster.as_deref().unwrap_or("")
        ));
    }
    for (h, t) in &tests {
        out.push_str(&format!(
            "Linear hypothesis {h}: F = {:.4} on {} and {} DF, p = {:.4e} ({} covariance)\n",
            t.value,
            t.df1,
            t.df2,
            t.p_value,
            fit.se_type().name()
        ));
    }
    if let Some(p) = &prediction {
        out.push_str(&format!(
            "\nPredictions ({:.0} % intervals)\n{:>6} {:>12} {:>12} {:>12} {:>12} {:>12} {:>12}\n",
            p.level * 100.0,
            "row",
            "fit",
            "se_fit",
            "conf_lower",
            "conf_upper",
            "pred_lower",
            "pred_upper"
        ));
        for i in 0..p.rows.len() {
            out.push_str(&format!(
                "{:>6} {:>12.6} {:>12.6} {:>12.6} {:>12.6} {:>12.6} {:>12.6}\n",
                p.rows[i] + 1,
                p.fit[i],
                p.se_fit[i],
                p.conf_lower[i],
                p.conf_upper[i],
                p.pred_lower[i],
                p.pred_upper[i]
            ));
        }
    }
    Ok(out)
}
