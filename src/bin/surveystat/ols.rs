//! `surveystat ols` (to be filled in by its own work).

/// Arguments of `surveystat ols`.
#[derive(Debug, clap::Args)]
pub struct OlsArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: Option<String>,
}

/// Run the subcommand.
pub fn run(_a: OlsArgs) -> Result<String, String> {
    Err("ols is not available in this build yet".into())
}
