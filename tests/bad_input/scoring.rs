//! Scale scoring on malformed keys and degenerate data: typed errors or warnings, no panic.

use ndarray::array;
use surveystat::Error;
use surveystat::data::Dataset;
use surveystat::reliability::{
    Keys, ScoreItems, alpha_bootstrap, check_keys, response_frequencies,
};

fn data() -> Dataset {
    Dataset::from_csv_str("a,b,c,d\n1,5,2,3\n2,4,2,3\n3,3,4,3\n4,2,5,3\n5,1,NA,3\n", "t.csv")
        .unwrap()
}

#[test]
fn unknown_item_is_a_typed_error() {
    let keys = Keys::parse("s: a b nope\n").unwrap();
    match ScoreItems::new(keys).fit(&data()) {
        Err(Error::UnknownVariable { name }) => assert_eq!(name, "nope"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn one_item_scale_warns() {
    let keys = Keys::parse("s: a -b c\nlone: a\n").unwrap();
    let fit = ScoreItems::new(keys).fit(&data()).unwrap();
    assert!(fit.alpha()[1].is_nan());
    assert!(fit.alpha()[0].is_finite());
    assert_eq!(fit.warnings().len(), 1);
    assert!(fit.warnings()[0].to_string().contains("lone"));
    assert_eq!(fit.scores()[[0, 1]], 1.0);
}

#[test]
fn constant_item_is_an_error() {
    let keys = Keys::parse("s: a d\n").unwrap();
    assert!(matches!(ScoreItems::new(keys).fit(&data()), Err(Error::ConstantColumn { .. })));
}

#[test]
fn bad_keys_text_and_range() {
    assert!(matches!(Keys::parse("s a b\n"), Err(Error::Syntax { line: 1, .. })));
    assert!(matches!(Keys::parse(""), Err(Error::Syntax { .. })));
    assert!(Keys::new().scale("s", &["a", "-a"]).is_err());
    assert!(Keys::new().scale("", &["a"]).is_err());
    let keys = Keys::parse("s: a -b\n").unwrap();
    assert!(ScoreItems::new(keys).range(5.0, 1.0).fit(&data()).is_err());
}

#[test]
fn bootstrap_and_keys_on_degenerate_input() {
    let x = array![[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]];
    assert!(alpha_bootstrap(&x, 0, 1, 0.95).is_err());
    assert!(alpha_bootstrap(&x, 10, 1, 1.5).is_err());
    assert!(alpha_bootstrap(&array![[1.0], [2.0]], 10, 1, 0.95).is_err());
    assert!(check_keys(&array![[1.0], [2.0]]).is_err());
    assert!(check_keys(&array![[1.0, 1.0], [1.0, 2.0]]).is_err());
    assert!(response_frequencies(&x, &["a"]).is_err());
    let many = ndarray::Array2::from_shape_fn((20, 1), |(i, _)| i as f64 * 0.5);
    assert!(response_frequencies(&many, &["a"]).unwrap().is_none());
}
