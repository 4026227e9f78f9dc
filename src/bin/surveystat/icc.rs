//! `surveystat icc`: the six Shrout-Fleiss intraclass correlations (as psych::ICC).

use surveystat::reliability::{Icc, IccFit};

use crate::output::{
    default_items_notes, in_file, read_data, serialized, split_list, text_with_notes,
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
        serialized(&fit, serde_json::json!({}), &notes)
    } else {
        Ok(text_with_notes(text(&fit), &notes))
    }
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
