//! `surveystat sem` (to be filled in by its own work).

/// Arguments of `surveystat sem`.
#[derive(Debug, clap::Args)]
pub struct SemArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: Option<String>,
}

/// Run the subcommand.
pub fn run(_a: SemArgs) -> Result<String, String> {
    Err("sem is not available in this build yet".into())
}
