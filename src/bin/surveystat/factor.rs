//! `surveystat kmo` and `surveystat efa` (filled in by the factor-analysis work).

/// Arguments of `surveystat kmo`.
#[derive(Debug, clap::Args)]
pub struct KmoArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: String,
}

/// Arguments of `surveystat efa`.
#[derive(Debug, clap::Args)]
pub struct EfaArgs {
    /// CSV file with a header row
    #[arg(long)]
    pub data: String,
}

/// Run `kmo`.
pub fn run_kmo(_a: KmoArgs) -> Result<String, String> {
    Err("kmo is not available in this build yet".into())
}

/// Run `efa`.
pub fn run_efa(_a: EfaArgs) -> Result<String, String> {
    Err("efa is not available in this build yet".into())
}
