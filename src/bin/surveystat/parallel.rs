//! `surveystat parallel`: Horn's parallel analysis with psych `fa.parallel`'s default rule.

use surveystat::factor::{ParallelAnalysis, ParallelFit};

use crate::factor::items_and_data;
use crate::output::{in_file, serialized, text_with_notes};

/// Arguments of `surveystat parallel`.
#[derive(Debug, clap::Args)]
pub struct ParallelArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: String,
    /// Comma-separated item columns (default: every numeric column)
    #[arg(long)]
    pub items: Option<String>,
    /// Number of replications (psych n.iter)
    #[arg(long, default_value_t = 20)]
    pub replications: usize,
    /// Seed of the reference data
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print one JSON object instead of the readable summary
    #[arg(long)]
    pub json: bool,
}

/// Run `parallel`.
pub fn run(a: ParallelArgs) -> Result<String, String> {
    let (names, x, notes) = items_and_data(&a.data, &a.items)?;
    let fit = ParallelAnalysis::new()
        .replications(a.replications)
        .seed(a.seed)
        .fit(&x)
        .map_err(in_file(&a.data))?;
    if a.json {
        serialized(&fit, serde_json::json!({ "items": names }), &notes)
    } else {
        Ok(text_with_notes(text(&fit), &notes))
    }
}

fn text(fit: &ParallelFit) -> String {
    let mut s = format!(
        "Parallel analysis ({} replications, {:?} reference; components {:?}, factors {:?})\n\
         suggested: {} factors, {} components\n\n   #  obs. PC   ref. PC   obs. FA   ref. FA\n",
        fit.replications(),
        fit.source(),
        fit.criterion_components(),
        fit.criterion_factors(),
        fit.n_factors(),
        fit.n_components()
    );
    for j in 0..fit.observed_components().len() {
        s.push_str(&format!(
            "{:>4} {:>9.4} {:>9.4} {:>9.4} {:>9.4}\n",
            j + 1,
            fit.observed_components()[j],
            fit.reference_components()[j],
            fit.observed_factors()[j],
            fit.reference_factors()[j]
        ));
    }
    for w in fit.warnings() {
        s.push_str(&format!("Warning: {w}\n"));
    }
    s
}
