//! `surveystat alpha` (filled in by the reliability work).

/// Arguments of `surveystat alpha`.
#[derive(Debug, clap::Args)]
pub struct AlphaArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: String,
}

/// Run the subcommand.
pub fn run(_a: AlphaArgs) -> Result<String, String> {
    Err("alpha is not available in this build yet".into())
}
