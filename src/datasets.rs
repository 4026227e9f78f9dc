//! Data sets embedded in the crate, so examples and doctests run on a fresh machine without files.

use crate::data::Dataset;
use crate::error::Result;

/// The study survey as CSV text: 612 simulated respondents (`id`, `region` = Chengdu / Chongqing,
/// and 24 five-point items GS1–GS3, ST1–ST4, AC1–AC4, MT1–MT3, LP1–LP3, IM1–IM3, RS1–RS4).
///
/// Simulated with `lavaan::simulateData` from a 7-construct population model (loadings .66–.82,
/// items cut into 1..5), seed 20261126; the generating code is stored with the reference fixtures
/// (`tests/fixtures/expected/study_*.json`, field `data_generation`). No item is reverse keyed.
pub const STUDY_SURVEY_CSV: &str = include_str!("../tests/fixtures/data/study_survey.csv");

/// The seven constructs of the study and their items, in questionnaire order.
pub const STUDY_CONSTRUCTS: [(&str, &[&str]); 7] = [
    ("GS", &["GS1", "GS2", "GS3"]),
    ("ST", &["ST1", "ST2", "ST3", "ST4"]),
    ("AC", &["AC1", "AC2", "AC3", "AC4"]),
    ("MT", &["MT1", "MT2", "MT3"]),
    ("LP", &["LP1", "LP2", "LP3"]),
    ("IM", &["IM1", "IM2", "IM3"]),
    ("RS", &["RS1", "RS2", "RS3", "RS4"]),
];

/// The study survey ([`STUDY_SURVEY_CSV`]) as a [`Dataset`] (source name `study_survey.csv`).
///
/// # Examples
/// ```
/// let ds = surveystat::datasets::study_survey().unwrap();
/// assert_eq!(ds.n_rows(), 612);
/// assert_eq!(ds.n_cols(), 26);
/// ```
///
/// # Errors
/// None in practice (the embedded text is valid); the signature mirrors
/// [`Dataset::from_csv_str`].
pub fn study_survey() -> Result<Dataset> {
    Dataset::from_csv_str(STUDY_SURVEY_CSV, "study_survey.csv")
}
