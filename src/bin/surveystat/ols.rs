//! `surveystat ols`: ordinary least squares with an R-like formula, as `summary(lm())`.

use serde_json::Value;
use surveystat::regression::{Ols, OlsFit, RankDeficiency, RobustCovariance, SeType};

use crate::output::{in_file, json_text, read_data};

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
/// `n_dropped`, `warnings`, `vif`, `durbin_watson`, `breusch_pagan`, `classical_std_errors` — the
/// library's builder, shared with `surveystat study`.
pub fn to_json(fit: &OlsFit) -> Value {
    surveystat::study::json::ols(fit)
}
