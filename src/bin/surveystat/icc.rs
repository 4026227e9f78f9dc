//! `surveystat icc`: the six Shrout-Fleiss intraclass correlations (as psych::ICC).

use serde_json::{Value, json};
use surveystat::reliability::{Icc, IccFit};

use crate::output::{
    default_items_notes, in_file, json_text, json_with_notes, num, read_data, split_list,
    text_with_notes,
};

/// Arguments of `surveystat icc`.
#[derive(Debug, clap::Args)]
pub struct IccArgs {
    /// CSV file with a header row: rows are targets, columns are judges
    #[arg(long)]
    pub data: String,
    /// Comma-separated judge columns (default: every numeric column)
    #[arg(long)]
    pub items: Option<String>,
    /// Confidence level of the intervals
    #[arg(long, default_value_t = 0.95)]
    pub ci_level: f64,
    /// Print one JSON object instead of the text summary
    #[arg(long)]
    pub json: bool,
}

/// Run the subcommand.
pub fn run(a: IccArgs) -> Result<String, String> {
    let ds = read_data(&a.data)?;
    let notes = if a.items.is_none() { default_items_notes(&ds) } else { Vec::new() };
    let cols = match &a.items {
        Some(s) => split_list(s),
        None => ds.numeric_names(),
    };
    let x = ds.select(&cols).map_err(in_file(&a.data))?;
    let fit = Icc::new().ci_level(a.ci_level).fit(&x).map_err(in_file(&a.data))?;
    if a.json {
        Ok(json_text(&json_with_notes(to_json(&fit), &notes)))
    } else {
        Ok(text_with_notes(text(&fit), &notes))
    }
}

fn to_json(fit: &IccFit) -> Value {
    json!({
        "n_obs": fit.n_subjects(),
        "n_judge": fit.n_judges(),
        "ci_level": fit.ci_level(),
        "results": fit.rows().iter().map(|r| json!({
            "type": r.kind.psych_name(), "icc": num(r.icc), "f": num(r.f), "df1": num(r.df1),
            "df2": num(r.df2), "p": num(r.p_value), "lower": num(r.lower), "upper": num(r.upper),
        })).collect::<Vec<_>>(),
        "ms": { "subjects": num(fit.ms_subjects()), "judges": num(fit.ms_judges()),
                "residual": num(fit.ms_error()), "within": num(fit.ms_within()) },
        "judges_test": { "f": num(fit.judges_f()), "p": num(fit.judges_p_value()) },
    })
}

fn text(fit: &IccFit) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Intraclass correlation coefficients ({} subjects, {} judges)",
        fit.n_subjects(),
        fit.n_judges()
    );
    let _ = writeln!(
        s,
        "{:<7}{:>8}{:>9}{:>6}{:>8}{:>10}{:>8}{:>8}",
        "type", "ICC", "F", "df1", "df2", "p", "lower", "upper"
    );
    for r in fit.rows() {
        let _ = writeln!(
            s,
            "{:<7}{:>8.3}{:>9.3}{:>6}{:>8.1}{:>10.3e}{:>8.3}{:>8.3}",
            r.kind.psych_name(),
            r.icc,
            r.f,
            r.df1,
            r.df2,
            r.p_value,
            r.lower,
            r.upper
        );
    }
    let _ = writeln!(s, "bounds at level {}", fit.ci_level());
    s
}
