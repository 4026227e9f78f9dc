//! Bad input to `Describe`: typed errors, never a panic.

use surveystat::Error;
use surveystat::data::Dataset;
use surveystat::describe::{Describe, ValueCounts};

fn ds(csv: &str) -> Dataset {
    Dataset::from_csv_str(csv, "t.csv").unwrap()
}

#[test]
fn unknown_text_and_duplicate_columns() {
    let d = ds("g,a,b\nx,1,2\ny,3,4\n");
    assert!(matches!(Describe::new().fit(&d, &["zz"]), Err(Error::UnknownVariable { .. })));
    assert!(matches!(Describe::new().fit(&d, &["g"]), Err(Error::NonNumericColumn { .. })));
    assert!(matches!(Describe::new().fit(&d, &["a", "a"]), Err(Error::DuplicateVariable { .. })));
    let none: [&str; 0] = [];
    assert!(matches!(Describe::new().fit(&d, &none), Err(Error::TooFewVariables { .. })));
    assert!(matches!(
        Describe::new().tabulate("nope").fit(&d, &["a"]),
        Err(Error::UnknownVariable { .. })
    ));
}

#[test]
fn all_missing_column_and_infinite_value() {
    let d = ds("a,b\n1,NA\n2,NA\n");
    match Describe::new().fit(&d, &["a", "b"]) {
        Err(Error::EmptyData { what, .. }) => assert!(what.contains("`b`")),
        other => panic!("{other:?}"),
    }
    let d = ds("a\n1\ninf\n");
    match Describe::new().fit(&d, &["a"]) {
        Err(Error::NonFinite { what }) => assert!(what.contains("line 3"), "{what}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_options() {
    let d = ds("a\n1\n2\n");
    for t in [-0.1, 0.6, f64::NAN] {
        assert!(matches!(
            Describe::new().trim(t).fit(&d, &["a"]),
            Err(Error::InvalidParameter { .. })
        ));
    }
    assert!(matches!(
        Describe::new().value_counts(ValueCounts::Levels(vec![])).fit(&d, &["a"]),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        Describe::new().value_counts(ValueCounts::Levels(vec![f64::NAN])).fit(&d, &["a"]),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn value_outside_levels_names_column_and_line() {
    let d = ds("a\n1\n7\n");
    match Describe::new().value_counts(ValueCounts::likert(1, 5)).fit(&d, &["a"]) {
        Err(Error::InvalidParameter { reason, .. }) => {
            assert!(reason.contains("`a`") && reason.contains("line 3"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn constant_and_single_value_columns_are_nan_not_panic() {
    let d = ds("a,b\n2,1\n2,NA\n2,NA\n");
    let r = Describe::new().fit(&d, &["a", "b"]).unwrap();
    let a = r.variable("a").unwrap();
    assert_eq!(a.sd(), 0.0);
    assert!(a.skew().is_nan());
    let b = r.variable("b").unwrap();
    assert_eq!(b.n(), 1);
    assert!(b.sd().is_nan());
    assert!(!r.warnings().is_empty());
}
