//! Bad input to the study pipeline: typed errors, never a panic.

use surveystat::Error;
use surveystat::data::Dataset;
use surveystat::study::{Construct, Hypothesis, Sign, Study, StudyDesign};

#[test]
fn missing_item_column_is_unknown_variable() {
    let ds = Dataset::from_csv_str("GS1,GS2\n1,2\n2,3\n3,3\n", "small.csv").unwrap();
    let err = Study::new().bootstrap(0).run(&ds).unwrap_err();
    assert!(matches!(err, Error::UnknownVariable { .. }), "{err}");
}

#[test]
fn confidence_level_outside_unit_interval_is_rejected() {
    let ds = surveystat::datasets::study_survey().unwrap();
    let err = Study::new().ci_level(1.5).bootstrap(0).run(&ds).unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { .. }), "{err}");
}

#[test]
fn design_with_unknown_construct_or_single_item_is_rejected() {
    let c = |n: &str, items: &[&str]| Construct {
        name: n.into(),
        label: n.into(),
        items: items.iter().map(|s| s.to_string()).collect(),
    };
    let h = Hypothesis {
        id: "H1".into(),
        from: "A".into(),
        to: "Z".into(),
        sign: Sign::Positive,
        label: "a".into(),
    };
    let err = StudyDesign::new(
        "t",
        vec![c("A", &["a1", "a2"]), c("B", &["b1", "b2"])],
        vec![h],
        vec![],
        "B",
        None,
    )
    .unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { .. }), "{err}");
    let err = StudyDesign::new(
        "t",
        vec![c("A", &["a1"]), c("B", &["b1", "b2"])],
        vec![],
        vec![],
        "B",
        None,
    )
    .unwrap_err();
    assert!(matches!(err, Error::InvalidParameter { .. }), "{err}");
}

#[test]
fn text_in_an_item_is_an_error_not_a_panic() {
    let mut text = surveystat::datasets::STUDY_SURVEY_CSV.to_string();
    text = text.replacen(",Chengdu,", ",Chengdu,x", 1); // GS1 of the first Chengdu row becomes "x3"
    // either the reader or the pipeline rejects it
    if let Ok(ds) = Dataset::from_csv_str(&text, "bad.csv") {
        assert!(Study::new().bootstrap(0).run(&ds).is_err());
    }
}
