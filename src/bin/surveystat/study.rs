//! `surveystat study`: the whole analysis of the Chengdu–Chongqing study on any survey with the
//! same columns (the embedded simulated survey when `--data` is not given).

use surveystat::study::Study;

use crate::output::{in_file, read_data};

/// Arguments of `surveystat study`.
#[derive(Debug, clap::Args)]
pub struct StudyArgs {
    /// CSV file with a header row holding GS1-GS3, ST1-ST4, AC1-AC4, MT1-MT3, LP1-LP3, IM1-IM3,
    /// RS1-RS4 and (optionally) region; default: the survey embedded in the crate
    #[arg(long)]
    pub data: Option<String>,
    /// Print one JSON object instead of the text report
    #[arg(long)]
    pub json: bool,
    /// Also write the report as Markdown to this file
    #[arg(long)]
    pub report: Option<String>,
    /// Write the path diagram of the fitted model to this file (SVG, or DOT if it ends in .dot)
    #[arg(long)]
    pub diagram: Option<String>,
    /// Bootstrap replications for the indirect effects (0 = delta method only)
    #[arg(long, default_value_t = 5000)]
    pub bootstrap: usize,
    /// Seed of the bootstrap and of the parallel analysis
    #[arg(long, default_value_t = 20261126)]
    pub seed: u64,
}

/// Run the subcommand.
pub fn run(a: StudyArgs) -> Result<String, String> {
    // output paths and counts are checked before the (long) analysis
    for (flag, path) in [("--report", &a.report), ("--diagram", &a.diagram)] {
        if let Some(path) = path {
            check_output_path(flag, path)?;
        }
    }
    if a.bootstrap > surveystat::resample::MAX_BOOTSTRAP_REPS {
        return Err(format!(
            "--bootstrap {}: at most {} replications are supported",
            a.bootstrap,
            surveystat::resample::MAX_BOOTSTRAP_REPS
        ));
    }
    let (data, source) = match &a.data {
        Some(path) => (read_data(path)?, path.clone()),
        None => (
            surveystat::datasets::study_survey().map_err(|e| e.to_string())?,
            "embedded study_survey.csv".to_string(),
        ),
    };
    let results =
        Study::new().bootstrap(a.bootstrap).seed(a.seed).run(&data).map_err(in_file(&source))?;
    let diagram = results.diagram();
    if let Some(path) = &a.diagram {
        let text = if path.ends_with(".dot") { diagram.to_dot() } else { diagram.to_svg() }
            .map_err(|e| format!("diagram: {e}"))?;
        std::fs::write(path, text).map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    if let Some(path) = &a.report {
        let link = a.diagram.as_deref().filter(|p| !p.ends_with(".dot")).map(|p| {
            std::path::Path::new(p)
                .file_name()
                .map_or(p.to_string(), |f| f.to_string_lossy().into_owned())
        });
        std::fs::write(path, results.to_markdown_with_diagram(link.as_deref()))
            .map_err(|e| format!("cannot write {path}: {e}"))?;
    }
    if a.json {
        crate::output::serialized(&results, serde_json::json!({}), &[])
    } else {
        Ok(results.to_string())
    }
}

/// An output file can be created at `path`: its directory exists and the path is not a directory.
fn check_output_path(flag: &str, path: &str) -> Result<(), String> {
    let p = std::path::Path::new(path);
    if p.is_dir() {
        return Err(format!("{flag} {path}: is a directory; give a file name"));
    }
    let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    if !dir.is_dir() {
        return Err(format!("{flag} {path}: directory {} does not exist", dir.display()));
    }
    Ok(())
}
