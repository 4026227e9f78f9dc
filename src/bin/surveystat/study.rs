//! `surveystat study` (to be filled in by its own work).

/// Arguments of `surveystat study`.
#[derive(Debug, clap::Args)]
pub struct StudyArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: Option<String>,
}

/// Run the subcommand.
pub fn run(_a: StudyArgs) -> Result<String, String> {
    Err("study is not available in this build yet".into())
}
