//! `surveystat alpha`: Cronbach's alpha and item statistics (as psych::alpha).

use surveystat::moments::Missing;
use surveystat::reliability::Alpha;

use crate::output::{
    complete_moments, in_file, read_data, serialized, split_list, stream_data, use_stream,
};

/// Missing-value handling on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MissingArg {
    /// Drop rows with any missing item
    Listwise,
    /// Pairwise covariances, person means over answered items (psych's default)
    Pairwise,
}

/// Arguments of `surveystat alpha`.
#[derive(Debug, clap::Args)]
pub struct AlphaArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: String,
    /// Comma-separated item columns, e.g. A1,A2,A3
    #[arg(long, required = true)]
    pub items: String,
    /// Comma-separated items to reverse-key as (scale-min + scale-max - x)
    #[arg(long)]
    pub reverse: Option<String>,
    /// Lowest possible answer (needed with --reverse)
    #[arg(long)]
    pub scale_min: Option<f64>,
    /// Highest possible answer (needed with --reverse)
    #[arg(long)]
    pub scale_max: Option<f64>,
    /// Missing-value handling
    #[arg(long, value_enum, default_value = "pairwise")]
    pub missing: MissingArg,
    /// Confidence level of the Feldt and Duhachek intervals
    #[arg(long, default_value_t = 0.95)]
    pub ci_level: f64,
    /// Print one JSON object instead of the text summary
    #[arg(long)]
    pub json: bool,
}

/// Run the subcommand.
pub fn run(a: AlphaArgs) -> Result<String, String> {
    let items = split_list(&a.items);
    if items.is_empty() {
        return Err("--items needs at least one column name".into());
    }
    let mut est = Alpha::new().ci_level(a.ci_level).missing(match a.missing {
        MissingArg::Listwise => Missing::Listwise,
        MissingArg::Pairwise => Missing::Pairwise,
    });
    if let Some(rev) = &a.reverse {
        let rev = split_list(rev);
        if let Some(r) = rev.iter().find(|r| !items.contains(r)) {
            return Err(format!("--reverse item `{r}` is not among --items"));
        }
        let (Some(lo), Some(hi)) = (a.scale_min, a.scale_max) else {
            return Err("--reverse needs --scale-min and --scale-max".into());
        };
        est = est.reverse(&rev, lo, hi);
    }
    let fit = if use_stream(&a.data, true, "")? {
        let sm = stream_data(&a.data, &items)?;
        // Listwise moments; with pairwise handling they must have no incomplete row.
        let m = match a.missing {
            MissingArg::Listwise => sm.moments().map_err(in_file(&a.data))?,
            MissingArg::Pairwise => complete_moments(&a.data, &sm)?,
        };
        est.names(&items).fit_moments(&m).map_err(in_file(&a.data))?
    } else {
        let ds = read_data(&a.data)?;
        est.fit_dataset(&ds, &items).map_err(in_file(&a.data))?
    };
    if a.json {
        serialized(&fit, serde_json::json!({}), &[])
    } else {
        Ok(fit.summary().to_string())
    }
}
