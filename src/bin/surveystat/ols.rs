//! `surveystat ols`: ordinary least squares with an R-like formula, as `summary(lm())`.

use serde_json::{Map, Value, json};
use surveystat::regression::{Ols, OlsFit, RankDeficiency, RobustCovariance, SeType};

use crate::output::{in_file, json_text, num, read_data};

/// Heteroskedasticity-consistent standard errors for the coefficient table.
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
}

/// Arguments of `surveystat ols`.
#[derive(Debug, clap::Args)]
pub struct OlsArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: String,
    /// Model formula, e.g. "y ~ x1 + x2", "y ~ .", "y ~ 0 + x1", "y ~ x1 - 1"
    #[arg(long)]
    pub formula: String,
    /// Use heteroskedasticity-consistent standard errors in the coefficient table
    #[arg(long, value_enum)]
    pub robust: Option<Robust>,
    /// Drop linearly dependent (aliased) columns and report them instead of failing
    #[arg(long)]
    pub drop_aliased: bool,
    /// Confidence level of the coefficient intervals
    #[arg(long, default_value_t = 0.95)]
    pub ci_level: f64,
    /// Print one JSON object instead of the text summary
    #[arg(long)]
    pub json: bool,
}

/// Run the subcommand.
pub fn run(a: OlsArgs) -> Result<String, String> {
    let ds = read_data(&a.data)?;
    let se = match a.robust {
        None => SeType::Classical,
        Some(Robust::Hc0) => SeType::Hc0,
        Some(Robust::Hc1) => SeType::Hc1,
        Some(Robust::Hc2) => SeType::Hc2,
        Some(Robust::Hc3) => SeType::Hc3,
    };
    let ols = Ols::from_formula(&a.formula)
        .map_err(|e| format!("formula `{}`: {e}", a.formula))?
        .ci_level(a.ci_level)
        .se_type(se)
        .robust_covariance(RobustCovariance::Skip)
        .rank_deficiency(if a.drop_aliased { RankDeficiency::Drop } else { RankDeficiency::Error });
    let fit = ols.fit_dataset(&ds).map_err(in_file(&a.data))?;
    if a.json { Ok(json_text(&to_json(&fit))) } else { Ok(fit.summary().to_string()) }
}

/// The JSON object: DESIGN.md's fields plus `se_type`, `ci_level`, `formula`, `aliased`,
/// `n_dropped`, `warnings`, `vif`, `durbin_watson`, `breusch_pagan`.
pub fn to_json(fit: &OlsFit) -> Value {
    let coefficients: Vec<Value> = fit
        .terms()
        .iter()
        .enumerate()
        .map(|(k, t)| {
            json!({
                "term": t,
                "estimate": num(fit.coefficients()[k]),
                "std_error": num(fit.std_errors()[k]),
                "t_value": num(fit.t_values()[k]),
                "p_value": num(fit.p_values()[k]),
                "ci_lower": num(fit.ci_lower()[k]),
                "ci_upper": num(fit.ci_upper()[k]),
            })
        })
        .collect();
    let (f, f1, f2, fp) = match fit.f_test() {
        Some(t) => (num(t.value), num(t.df1), num(t.df2), num(t.p_value)),
        None => (Value::Null, Value::Null, Value::Null, Value::Null),
    };
    let off = usize::from(fit.has_intercept());
    let mut vif = Map::new();
    for (j, v) in fit.vif().iter().enumerate() {
        vif.insert(fit.terms()[j + off].clone(), num(*v));
    }
    let bp = fit.breusch_pagan();
    json!({
        "formula": fit.formula(),
        "se_type": fit.se_type().name(),
        "ci_level": fit.ci_level(),
        "coefficients": coefficients,
        "aliased": fit.aliased(),
        "sigma": num(fit.sigma()),
        "r_squared": num(fit.r_squared()),
        "adj_r_squared": num(fit.adj_r_squared()),
        "f_statistic": f,
        "f_df1": f1,
        "f_df2": f2,
        "f_pvalue": fp,
        "df_residual": fit.df_residual(),
        "log_lik": num(fit.log_lik()),
        "aic": num(fit.aic()),
        "bic": num(fit.bic()),
        "n_obs": fit.n_obs(),
        "n_dropped": fit.n_dropped(),
        "vif": vif,
        "durbin_watson": num(fit.durbin_watson()),
        "breusch_pagan": {"statistic": num(bp.statistic), "df": num(bp.df), "p_value": num(bp.p_value)},
        "warnings": fit.warnings().iter().map(|w| w.to_string()).collect::<Vec<_>>(),
    })
}
